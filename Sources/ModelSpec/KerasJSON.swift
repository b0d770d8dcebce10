import NN

/// Reading what Keras's `model.to_json()` writes for a Sequential model.
///
/// Both spellings are read:
/// - Keras 2 (tf.keras 2.x, `tf_keras`): `{"class_name": "Sequential", "config": {"name",
///   "layers": [...]}}`, the input as an `InputLayer` with `batch_input_shape` or as
///   `batch_input_shape` in the first layer's config, dtypes as strings, BatchNormalization
///   `axis` as a list; very old files have `config` as the layer list itself.
/// - Keras 3: the same plus `module` and `registered_name` on every object, `InputLayer`
///   with `batch_shape`, dtype policies as objects (`{"class_name": "DTypePolicy", …}`),
///   and `build_config`.
///
/// Every option that changes the model's structure or forward pass is checked: an option the
/// engine does not have (a tanh Dense, dilation, channels_first, a regulariser, a frozen
/// layer, …) is an error naming the layer and the option, as is a layer type the engine
/// does not have. Initialisers, dtypes, seeds and names of things are ignored: the engine
/// draws its own weights (Glorot uniform, orthogonal recurrent kernels, as Keras's defaults).
extension ModelSpec {
    /// Whether a parsed document looks like Keras's `to_json()` (a `class_name` at the top).
    static func isKerasJSON(_ v: Value) -> Bool {
        guard case .object(let pairs, _) = v else { return false }
        return pairs.contains { $0.key == "class_name" }
    }

    /// Reads Keras's `model.to_json()` text (Keras 2 or 3) into a spec; `source` names it in errors.
    public static func parse(kerasJSON text: String, source: String) throws(SpecError) -> ModelSpec {
        try fromKeras(try Value.parse(text, source: source), source: source)
    }

    static func fromKeras(_ value: Value, source: String) throws(SpecError) -> ModelSpec {
        let root = try Cursor(value: value, path: "", source: source).object()
        let className = try root.required("class_name").string()
        guard className == "Sequential" else {
            throw try root.required("class_name").fail("a \(className) model; only Sequential models can be read")
        }
        let configCursor = try root.required("config")
        var modelName = "sequential"
        let layerCursors: [Cursor]
        if case .array = configCursor.value {
            layerCursors = try configCursor.array()
        } else {
            let config = try configCursor.object()
            if let n = try config.optional("name")?.string() { modelName = n }
            layerCursors = try config.required("layers").array()
        }
        var input: [Int]?
        var layers: [LayerSpec] = []
        var axisChecks: [(index: Int, cursor: Cursor)] = []
        for c in layerCursors {
            let obj = try c.object()
            let typeCursor = try obj.required("class_name")
            let type = try typeCursor.string()
            let config = try obj.required("config").object()
            let layerName = try config.optional("name")?.string()
            let label = "\(layerName ?? "?") (\(type))"
            func fail(_ at: Cursor, _ m: String) -> SpecError {
                SpecError(source: source, line: at.value.line, path: at.path, message: "\(label): \(m)")
            }
            if let shape = config.optional("batch_shape") ?? config.optional("batch_input_shape") {
                guard layers.isEmpty else { throw fail(shape, "an input shape after the first layer") }
                let items = try shape.array()
                guard items.count >= 2 else { throw fail(shape, "expected (batch, …) with at least one axis") }
                var dims: [Int] = []
                for d in items.dropFirst() {
                    guard !d.value.isNull else { throw fail(d, "the engine needs every input size fixed, got None") }
                    dims.append(try d.positiveInt())
                }
                // Keras 2 repeats the InputLayer's shape on the first layer (input_shape=).
                if let input, input != dims {
                    throw fail(shape, "input shape \(ModelSpec.shapeText(dims)) disagrees with the InputLayer's \(ModelSpec.shapeText(input))")
                }
                input = dims
            }
            if type == "InputLayer" {
                guard input != nil else { throw fail(c, "an InputLayer without batch_shape or batch_input_shape") }
                continue
            }
            if let t = config.optional("trainable"), try !t.bool() {
                throw fail(t, "frozen layers (trainable: false) are not supported; the engine trains every layer")
            }
            func activation(_ key: String = "activation", default d: Activation = .linear) throws(SpecError) -> Activation {
                guard let a = config.optional(key) else { return d }
                guard case .scalar(let s, _, _) = a.value else {
                    throw fail(a, "\(key) must be a built-in activation name, got a custom object")
                }
                guard let act = Activation(rawValue: s) else {
                    throw fail(a, "unsupported activation '\(s)' (the engine has \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return act
            }
            func size2(_ key: String) throws(SpecError) -> Size2? { try config.optional(key)?.size2() }
            func padding() throws(SpecError) -> Padding {
                guard let p = config.optional("padding") else { return .valid }
                let s = try p.string()
                guard let pad = Padding(rawValue: s) else { throw fail(p, "unsupported padding '\(s)' (valid or same)") }
                return pad
            }
            func require(_ key: String, _ ok: (Cursor) throws(SpecError) -> Bool, _ what: String) throws(SpecError) {
                guard let v = config.optional(key) else { return }
                if try !ok(v) { throw fail(v, "\(key) \(what) is not supported by the engine") }
            }
            func channelsLast() throws(SpecError) {
                try require("data_format", { v throws(SpecError) in try v.string() == "channels_last" }, "other than channels_last")
            }
            func noRegularisers() throws(SpecError) {
                for key in ["kernel_regularizer", "bias_regularizer", "activity_regularizer", "recurrent_regularizer",
                            "kernel_constraint", "bias_constraint", "recurrent_constraint", "beta_regularizer",
                            "gamma_regularizer", "beta_constraint", "gamma_constraint"] {
                    if let v = config.optional(key) { throw fail(v, "\(key) is not supported by the engine") }
                }
            }
            let kind: LayerSpec.Kind
            switch type {
            case "Conv2D", "Convolution2D":
                try channelsLast(); try noRegularisers()
                try require("dilation_rate", { v throws(SpecError) in try v.size2() == Size2(1, 1) }, "other than 1")
                try require("groups", { v throws(SpecError) in try v.int() == 1 }, "other than 1")
                guard let k = try size2("kernel_size") else { throw fail(c, "missing kernel_size") }
                kind = .conv2D(filters: try config.required("filters").positiveInt(), kernel: k,
                               strides: try size2("strides") ?? Size2(1, 1), padding: try padding(),
                               activation: try activation(), useBias: try config.optional("use_bias")?.bool() ?? true)
            case "MaxPooling2D", "MaxPool2D":
                try channelsLast()
                let pool = try size2("pool_size") ?? Size2(2, 2)
                let strides = try size2("strides")
                // Keras 3 writes the default strides out; equal to the pool they are the default.
                kind = .maxPooling2D(pool: pool, strides: strides == pool ? nil : strides, padding: try padding())
            case "Dense":
                try noRegularisers()
                kind = .dense(units: try config.required("units").positiveInt(), activation: try activation(),
                              useBias: try config.optional("use_bias")?.bool() ?? true)
            case "Dropout":
                if let v = config.optional("noise_shape") { throw fail(v, "noise_shape is not supported by the engine") }
                let r = try config.required("rate")
                let rate = try r.double()
                guard rate >= 0, rate < 1 else { throw fail(r, "rate must be in [0, 1), got \(rate)") }
                kind = .dropout(rate: rate)
            case "Flatten":
                try channelsLast()
                kind = .flatten
            case "BatchNormalization":
                try noRegularisers()
                try require("center", { v throws(SpecError) in try v.bool() }, "false")
                try require("scale", { v throws(SpecError) in try v.bool() }, "false")
                try require("renorm", { v throws(SpecError) in try !v.bool() }, "true")
                if let axis = config.optional("axis") { axisChecks.append((layers.count, axis)) }
                let m = try config.optional("momentum")?.double() ?? 0.99
                let e = try config.optional("epsilon")?.double() ?? 1e-3
                guard m >= 0, m <= 1, e > 0 else { throw fail(c, "momentum must be in [0, 1] and epsilon positive") }
                kind = .batchNormalization(momentum: m, epsilon: e)
            case "LSTM":
                try noRegularisers()
                if let a = config.optional("activation"), try a.string() != "tanh" {
                    throw fail(a, "activation '\(try a.string())' is not supported (the engine's LSTM uses tanh)")
                }
                if let a = config.optional("recurrent_activation"), try a.string() != "sigmoid" {
                    throw fail(a, "recurrent_activation '\(try a.string())' is not supported (the engine's LSTM uses sigmoid)")
                }
                try require("use_bias", { v throws(SpecError) in try v.bool() }, "false")
                try require("return_state", { v throws(SpecError) in try !v.bool() }, "true")
                try require("go_backwards", { v throws(SpecError) in try !v.bool() }, "true")
                try require("stateful", { v throws(SpecError) in try !v.bool() }, "true")
                try require("dropout", { v throws(SpecError) in try v.double() == 0 }, "other than 0")
                try require("recurrent_dropout", { v throws(SpecError) in try v.double() == 0 }, "other than 0")
                kind = .lstm(units: try config.required("units").positiveInt(),
                             returnSequences: try config.optional("return_sequences")?.bool() ?? false)
            case "Activation":
                kind = .activation(try activation())
            default:
                var hint = ""
                if let near = suggestion(for: type, among: LayerSpec.typeNames + ["InputLayer"]) { hint = "did you mean '\(near)'? " }
                throw SpecError(source: source, line: typeCursor.value.line, path: c.path,
                                message: "\(label): unsupported layer type '\(type)' (\(hint)the engine has "
                                    + "\(LayerSpec.typeNames.joined(separator: ", ")))")
            }
            layers.append(LayerSpec(kind, name: layerName))
        }
        if input == nil, case .object = configCursor.value, let b = try configCursor.object().optional("build_input_shape") {
            // A model built with model.build((None, …)) and no InputLayer.
            let items = try b.array()
            var dims: [Int] = []
            for d in items.dropFirst() {
                guard !d.value.isNull else { throw b.fail("the engine needs every input size fixed, got None") }
                dims.append(try d.positiveInt())
            }
            if !dims.isEmpty { input = dims }
        }
        guard let input else {
            throw configCursor.fail("no input shape (an InputLayer with batch_shape, or batch_input_shape on the first "
                                    + "layer); build the model with keras.Input(shape) before to_json()")
        }
        guard !layers.isEmpty else { throw configCursor.fail("the model has no layers") }
        var spec = ModelSpec(name: modelName, description: "read from Keras JSON (\(source))", inputShape: input, layers: layers)
        spec.source = source
        try spec.checkNames(source: source)
        let rows = try spec.summary()
        for (i, axis) in axisChecks {
            let rank = rows[i].input.count
            var ok: Bool
            if case .array = axis.value {
                let items = try axis.array()
                ok = items.count == 1 ? [-1, rank].contains(try items[0].int()) : false
            } else {
                ok = [-1, rank].contains(try axis.int())
            }
            if !ok { throw SpecError(source: source, line: axis.value.line, path: axis.path,
                                     message: "\(rows[i].name) (BatchNormalization): only the last axis can be normalised") }
        }
        return spec
    }
}
