import Foundation
import NN

/// A height × width pair (kernel, pool or stride size). Written as one number when square.
public struct Size2: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
    public var description: String { "\(height)×\(width)" }
}

/// One layer of a `ModelSpec`: an optional name (assigned Keras-style when absent) and
/// what the layer is. The kinds and options are exactly the engine's (`NN`) layers.
public struct LayerSpec: Equatable, Sendable {
    /// The layer types a spec may use, by their Keras class names.
    public enum Kind: Equatable, Sendable {
        /// NHWC convolution, kernel (kh, kw, in, filters) + bias; `activation` fused.
        case conv2D(filters: Int, kernel: Size2, strides: Size2, padding: Padding, activation: Activation, useBias: Bool)
        /// Max pooling per channel; `strides` nil means the pool size (Keras's default).
        case maxPooling2D(pool: Size2, strides: Size2?, padding: Padding)
        /// Fully connected on the last axis, kernel (in, units) + bias; `activation` fused.
        case dense(units: Int, activation: Activation, useBias: Bool)
        /// Inverted dropout; identity in inference.
        case dropout(rate: Double)
        /// Collapses all axes but the batch into one.
        case flatten
        /// Per-channel normalisation on the last axis: gamma, beta (trainable), moving mean
        /// and variance (not trainable).
        case batchNormalization(momentum: Double, epsilon: Double)
        /// LSTM on (time, features) with Keras's tanh / sigmoid gates; `returnSequences`
        /// gives (time, units) instead of the last step's (units).
        case lstm(units: Int, returnSequences: Bool)
        /// An element-wise activation as its own layer.
        case activation(Activation)

        /// The Keras class name, as the engine's `Layer.typeName` spells it.
        public var typeName: String {
            switch self {
            case .conv2D: "Conv2D"
            case .maxPooling2D: "MaxPooling2D"
            case .dense: "Dense"
            case .dropout: "Dropout"
            case .flatten: "Flatten"
            case .batchNormalization: "BatchNormalization"
            case .lstm: "LSTM"
            case .activation: "Activation"
            }
        }

        /// The activation the layer applies, as Keras's `plot_model(show_layer_activations=True)`
        /// shows it (LSTM: its tanh output); nil for layers without one.
        public var activationName: String? {
            switch self {
            case .conv2D(_, _, _, _, let a, _), .dense(_, let a, _), .activation(let a): a.rawValue
            case .lstm: "tanh"
            default: nil
            }
        }
    }

    /// The layer's name; nil until `ModelSpec.resolvedNames` assigns one.
    public var name: String?
    public var kind: Kind

    public init(_ kind: Kind, name: String? = nil) { self.kind = kind; self.name = name }

    /// The type names a spec accepts, in documentation order.
    public static let typeNames = ["Conv2D", "MaxPooling2D", "Dense", "Dropout", "Flatten", "BatchNormalization",
                                   "LSTM", "Activation"]
}

/// A Sequential model as data: a name, the input shape (batch axis excluded) and the
/// layers in order, including the output layer — what Keras's `Sequential` holds, for the
/// layers this project's engine has. Read from YAML or JSON (`docs/architectures-format.md`)
/// or from Keras's `model.to_json()`; `build(seed:)` makes the engine's `Sequential`.
///
/// **The study's head.** A spec is a whole model, output layer included. To be trained in
/// the study its last layer must be one of the study's heads: `Dense(2, sigmoid|softmax)`
/// (the per-label head: one network per label, as the original study did) or
/// `Dense(3, sigmoid)` (the joint head: one network for the three labels). With
/// `build(head:seed:)` the study asks for either: a per-label file gives the joint model
/// by replacing its last layer with `Dense(3, sigmoid)` of the same name — exactly how
/// `Architecture.build(head:)` derives its two models; a joint-only file cannot give a
/// per-label model (the per-label activation is not written down) and says so.
public struct ModelSpec: Equatable, Sendable {
    /// The model's name (also the engine's weight-initialisation stream, so a spec named
    /// like a study architecture draws the same weights as `Architecture.build`).
    public var name: String
    /// A short label for tables (the study's "1.b"); optional.
    public var label: String?
    /// Free text shown nowhere but kept (what the model is, where it came from).
    public var description: String?
    /// The input shape without the batch axis: (height, width, channels) for images,
    /// (time steps, features) for sequences, (features) for flat vectors.
    public var inputShape: [Int]
    public var layers: [LayerSpec]
    /// Where the spec was read from (a file path), for error messages; not compared by `==`.
    public var source: String?

    public static func == (a: ModelSpec, b: ModelSpec) -> Bool {
        a.name == b.name && a.label == b.label && a.description == b.description && a.inputShape == b.inputShape
            && a.layers == b.layers
    }

    public init(name: String, label: String? = nil, description: String? = nil, inputShape: [Int], layers: [LayerSpec]) {
        self.name = name; self.label = label; self.description = description
        self.inputShape = inputShape; self.layers = layers
    }

    // MARK: - Reading

    /// The top-level fields of the format.
    static let topFields = ["name", "label", "description", "input", "layers"]
    static let topAliases = ["input_shape": "input", "inputShape": "input", "batch_input_shape": "input", "model": "name"]
    /// Fields each layer type takes besides `type` and `name`.
    static let layerFields: [String: [String]] = [
        "Conv2D": ["filters", "kernel", "strides", "padding", "activation", "use_bias"],
        "MaxPooling2D": ["pool", "strides", "padding"],
        "Dense": ["units", "activation", "use_bias"],
        "Dropout": ["rate"],
        "Flatten": [],
        "BatchNormalization": ["momentum", "epsilon"],
        "LSTM": ["units", "return_sequences"],
        "Activation": ["activation"],
    ]
    static let layerAliases = ["kernel_size": "kernel", "pool_size": "pool", "filter": "filters", "stride": "strides",
                               "unit": "units", "useBias": "use_bias", "returnSequences": "return_sequences",
                               "bias": "use_bias", "dropout": "rate"]
    static let typeAliases = ["MaxPool2D": "MaxPooling2D", "BatchNorm": "BatchNormalization"]

    /// Reads a spec file: `.json` files that Keras wrote (`model.to_json()`, recognised by
    /// their `class_name`) go through `parse(kerasJSON:source:)`; other files, YAML or JSON,
    /// are this project's format.
    public static func load(_ url: URL) throws(SpecError) -> ModelSpec {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw SpecError(source: url.path, message: "cannot read the file (\(error.localizedDescription))")
        }
        let value = try Value.parse(text, source: url.path)
        if isKerasJSON(value) { return try fromKeras(value, source: url.path) }
        return try interpret(value, source: url.path)
    }

    /// Reads this project's format from YAML text; `source` names it in errors.
    public static func parse(yaml: String, source: String) throws(SpecError) -> ModelSpec {
        try interpret(try Value.parse(yaml, source: source), source: source)
    }

    /// Reads this project's format from JSON text (the same fields as the YAML).
    public static func parse(json: String, source: String) throws(SpecError) -> ModelSpec {
        try interpret(try Value.parse(json, source: source), source: source)
    }

    static func interpret(_ value: Value, source: String) throws(SpecError) -> ModelSpec {
        let root = Cursor(value: value, path: "", source: source)
        let f = try root.object()
        try f.finish(known: topFields, aliases: topAliases)
        let name = try f.required("name").string()
        guard !name.isEmpty else { throw try f.required("name").fail("must not be empty") }
        let label = try f.optional("label")?.string()
        let description = try f.optional("description")?.string()
        let input = try f.required("input").shape()
        let layerCursors = try f.required("layers").array()
        guard !layerCursors.isEmpty else { throw try f.required("layers").fail("a model needs at least one layer") }
        var layers: [LayerSpec] = []
        for c in layerCursors { layers.append(try layer(c)) }
        var spec = ModelSpec(name: name, label: label, description: description, inputShape: input, layers: layers)
        spec.source = source
        try spec.checkNames(source: source)
        return spec
    }

    static func layer(_ c: Cursor) throws(SpecError) -> LayerSpec {
        let f = try c.object()
        let typeCursor = try f.required("type")
        var type = try typeCursor.string()
        if let t = typeAliases[type] { type = t }
        guard let fields = layerFields[type] else {
            var hint = ""
            if let near = suggestion(for: type, among: LayerSpec.typeNames) { hint = "did you mean '\(near)'? " }
            throw c.fail("unknown layer type '\(type)' (\(hint)known: \(LayerSpec.typeNames.joined(separator: ", ")))")
        }
        let name = try f.optional("name")?.string()
        if let name, name.isEmpty { throw try f.required("name").fail("must not be empty (leave it out for an automatic name)") }
        try f.finish(known: ["type", "name"] + fields, aliases: layerAliases)
        func padding() throws(SpecError) -> Padding { try f.optional("padding")?.oneOf([Padding.valid, .same], what: "padding") ?? .valid }
        func activation(required: Bool = false) throws(SpecError) -> Activation {
            if required { return try f.required("activation").oneOf(Activation.allCases, what: "activation") }
            return try f.optional("activation")?.oneOf(Activation.allCases, what: "activation") ?? .linear
        }
        let kind: LayerSpec.Kind
        switch type {
        case "Conv2D":
            kind = .conv2D(filters: try f.required("filters").positiveInt(), kernel: try f.required("kernel").size2(),
                           strides: try f.optional("strides")?.size2() ?? Size2(1, 1), padding: try padding(),
                           activation: try activation(), useBias: try f.optional("use_bias")?.bool() ?? true)
        case "MaxPooling2D":
            kind = .maxPooling2D(pool: try f.optional("pool")?.size2() ?? Size2(2, 2), strides: try f.optional("strides")?.size2(),
                                 padding: try padding())
        case "Dense":
            kind = .dense(units: try f.required("units").positiveInt(), activation: try activation(),
                          useBias: try f.optional("use_bias")?.bool() ?? true)
        case "Dropout":
            let r = try f.required("rate")
            let rate = try r.double()
            guard rate >= 0, rate < 1 else { throw r.fail("must be in [0, 1), got \(rate)") }
            kind = .dropout(rate: rate)
        case "Flatten":
            kind = .flatten
        case "BatchNormalization":
            let m = try f.optional("momentum")?.double() ?? 0.99
            guard m >= 0, m <= 1 else { throw try f.required("momentum").fail("must be in [0, 1], got \(m)") }
            let e = try f.optional("epsilon")?.double() ?? 1e-3
            guard e > 0 else { throw try f.required("epsilon").fail("must be positive, got \(e)") }
            kind = .batchNormalization(momentum: m, epsilon: e)
        case "LSTM":
            kind = .lstm(units: try f.required("units").positiveInt(),
                         returnSequences: try f.optional("return_sequences")?.bool() ?? false)
        case "Activation":
            kind = .activation(try activation(required: true))
        default:
            preconditionFailure("ModelSpec: layer type \(type) listed but not read")
        }
        return LayerSpec(kind, name: name)
    }

    // MARK: - Names

    /// Every layer's name: its own, or the engine's automatic one — the snake-cased type
    /// and a per-model count from 1 (`conv2d_1`, `conv2d_2`, `max_pooling2d_1`, …), as
    /// `Sequential` names layers, so a spec's names are those of the model it builds.
    public var resolvedNames: [String] {
        var counters: [String: Int] = [:]
        return layers.map { l in
            let base = ModelSpec.snakeCase(l.kind.typeName)
            counters[base, default: 0] += 1
            return l.name ?? "\(base)_\(counters[base]!)"
        }
    }

    func checkNames(source: String) throws(SpecError) {
        var seen: [String: Int] = [:]
        for (i, n) in resolvedNames.enumerated() {
            if let j = seen[n] {
                throw SpecError(source: source, path: "layers[\(i)]",
                                message: "layer name '\(n)' is already used by layers[\(j)]; names must be unique")
            }
            seen[n] = i
        }
    }

    /// Keras's snake case of a class name: `MaxPooling2D` → `max_pooling2d`, `LSTM` → `lstm`
    /// (the engine's rule, repeated here because the engine keeps it internal).
    static func snakeCase(_ s: String) -> String {
        var out = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || (prev.isUppercase && nextIsLower) { out.append("_") }
            }
            out.append(Character(c.lowercased()))
        }
        return out
    }
}
