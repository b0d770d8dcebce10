import NN

/// One row of a spec's summary: what Keras's `model.summary()` prints, and the input shape.
/// Shapes exclude the batch axis.
public struct LayerInfo: Codable, Equatable, Sendable {
    public let name: String
    public let type: String
    public let input: [Int]
    public let output: [Int]
    /// All weights, as Keras's `count_params`.
    public let params: Int
    /// The trainable part (BatchNormalization's moving statistics are not).
    public let trainableParams: Int
    /// The activation (see `LayerSpec.Kind.activationName`), or nil.
    public let activation: String?
}

extension ModelSpec {
    /// Shape inference without building: each layer's input and output shapes and weight
    /// counts, by the engine's rules (`windowedOutput` for windows: valid ⌊(n − k)/s⌋ + 1,
    /// same ⌈n/s⌉). Throws for the first layer that cannot take its input, naming it:
    /// `conv2d_4: 3×3 kernel on a 2×2 input with valid padding`.
    public func summary() throws(SpecError) -> [LayerInfo] {
        try summary(inputShape: inputShape)
    }

    /// `summary()` for another input shape (e.g. the study's images at another size).
    public func summary(inputShape: [Int]) throws(SpecError) -> [LayerInfo] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw SpecError(source: source ?? name, path: "input", message: "sizes must be positive, got \(ModelSpec.shapeText(inputShape))")
        }
        var rows: [LayerInfo] = []
        var shape = inputShape
        for (i, (layer, name)) in zip(layers, resolvedNames).enumerated() {
            func fail(_ m: String) -> SpecError { SpecError(source: source ?? self.name, path: "layers[\(i)]", message: "\(name): \(m)") }
            let out: [Int]
            var params = 0, trainable = 0
            switch layer.kind {
            case .conv2D(let filters, let k, let s, let padding, _, let useBias):
                guard shape.count == 3 else {
                    throw fail("Conv2D needs a (height, width, channels) input, got \(ModelSpec.shapeText(shape))")
                }
                let h = ModelSpec.windowed(shape[0], k.height, s.height, padding)
                let w = ModelSpec.windowed(shape[1], k.width, s.width, padding)
                guard h > 0, w > 0 else {
                    throw fail("\(k) kernel on a \(shape[0])×\(shape[1]) input with \(padding.rawValue) padding")
                }
                out = [h, w, filters]
                params = k.height * k.width * shape[2] * filters + (useBias ? filters : 0)
                trainable = params
            case .maxPooling2D(let p, let s, let padding):
                guard shape.count == 3 else {
                    throw fail("MaxPooling2D needs a (height, width, channels) input, got \(ModelSpec.shapeText(shape))")
                }
                let st = s ?? p
                let h = ModelSpec.windowed(shape[0], p.height, st.height, padding)
                let w = ModelSpec.windowed(shape[1], p.width, st.width, padding)
                guard h > 0, w > 0 else {
                    throw fail("\(p) pool on a \(shape[0])×\(shape[1]) input with \(padding.rawValue) padding")
                }
                out = [h, w, shape[2]]
            case .dense(let units, _, let useBias):
                out = Array(shape.dropLast()) + [units]
                params = shape.last! * units + (useBias ? units : 0)
                trainable = params
            case .dropout, .activation:
                out = shape
            case .flatten:
                out = [shape.reduce(1, *)]
            case .batchNormalization:
                out = shape
                params = 4 * shape.last!
                trainable = 2 * shape.last!
            case .lstm(let units, let returnSequences):
                guard shape.count == 2 else {
                    throw fail("LSTM needs a (time steps, features) input, got \(ModelSpec.shapeText(shape))")
                }
                out = returnSequences ? [shape[0], units] : [units]
                params = 4 * units * (shape[1] + units + 1)
                trainable = params
            }
            rows.append(LayerInfo(name: name, type: layer.kind.typeName, input: shape, output: out, params: params,
                                  trainableParams: trainable, activation: layer.kind.activationName))
            shape = out
        }
        return rows
    }

    /// Total weights (trainable and not), as Keras's `count_params()`.
    public func parameterCount() throws(SpecError) -> Int { try summary().reduce(0) { $0 + $1.params } }

    /// The model's output shape (batch axis excluded).
    public func outputShape() throws(SpecError) -> [Int] { try summary().last?.output ?? inputShape }

    /// Output length along one axis, the engine's (and Keras's) rule.
    static func windowed(_ n: Int, _ k: Int, _ s: Int, _ padding: Padding) -> Int {
        switch padding {
        case .valid: n >= k ? (n - k) / s + 1 : 0
        case .same: (n + s - 1) / s
        }
    }

    /// `(64, 64, 3)`: a shape as Python prints a tuple.
    static func shapeText(_ s: [Int]) -> String {
        s.count == 1 ? "(\(s[0]),)" : "(" + s.map(String.init).joined(separator: ", ") + ")"
    }

    // MARK: - Building

    /// The engine's model, layer for layer as written (output layer included), named
    /// `name`, weights drawn from `seed` in layer order — the same draws as
    /// `Architecture.build` makes for the same name, layers and seed.
    public func build(seed: UInt64) throws(SpecError) -> Sequential {
        try build(layers: layers, inputShape: inputShape, seed: seed)
    }

    /// The study's model for `head` (see the type's note on heads), for `inputShape`
    /// (default: the spec's). Throws when the last layer is not a study head, or when the
    /// layers cannot take the input.
    public func build(head: Head, inputShape: [Int]? = nil, seed: UInt64) throws(SpecError) -> Sequential {
        let chosen = try layers(for: head)
        var probe = self
        probe.layers = chosen
        let rows = try probe.summary(inputShape: inputShape ?? self.inputShape)
        let out = rows.last!.output
        guard out.count == 1 else {
            throw SpecError(source: source ?? name, path: "layers[\(layers.count - 1)]",
                            message: "the study needs one score per class, output (\(out.last!),); this model gives "
                                + "\(ModelSpec.shapeText(out)) — add a Flatten before the head")
        }
        return try build(layers: chosen, inputShape: inputShape ?? self.inputShape, seed: seed)
    }

    /// The study head the file's last layer is: `.perLabel` for Dense(2, sigmoid|softmax),
    /// `.joint` for Dense(3, sigmoid), nil for anything else (the model can be drawn and
    /// summarised, not trained in the study).
    public var writtenHead: Head? {
        guard case .dense(let units, let act, _)? = layers.last?.kind else { return nil }
        if units == 2 && (act == .sigmoid || act == .softmax) { return .perLabel }
        if units == 3 && act == .sigmoid { return .joint }
        return nil
    }

    /// The layer list for `head`: as written when the file ends in that head; a per-label
    /// file's last layer replaced by Dense(3, sigmoid) (same name) for `.joint`.
    public func layers(for head: Head) throws(SpecError) -> [LayerSpec] {
        guard let written = writtenHead else {
            let last = layers.last.map { describe($0.kind) } ?? "nothing"
            throw SpecError(source: source ?? name, path: "layers[\(layers.count - 1)]",
                            message: "the study needs the last layer to be its head, Dense(2, sigmoid|softmax) per label "
                                + "or Dense(3, sigmoid) joint; this model ends in \(last)")
        }
        if written == head { return layers }
        guard head == .joint else {
            throw SpecError(source: source ?? name, path: "layers[\(layers.count - 1)]",
                            message: "written for the joint head (Dense(3, sigmoid)); a per-label model needs a "
                                + "Dense(2, sigmoid|softmax) last layer")
        }
        var out = layers
        let lastName = resolvedNames.last!
        out[out.count - 1] = LayerSpec(.dense(units: 3, activation: .sigmoid, useBias: true), name: lastName)
        return out
    }

    func describe(_ k: LayerSpec.Kind) -> String {
        switch k {
        case .dense(let u, let a, _): "Dense(\(u), \(a.rawValue))"
        default: k.typeName
        }
    }

    func build(layers: [LayerSpec], inputShape: [Int], seed: UInt64) throws(SpecError) -> Sequential {
        var probe = self
        probe.layers = layers
        _ = try probe.summary(inputShape: inputShape)  // names the first impossible layer
        let names = probe.resolvedNames
        let nnLayers: [Layer] = zip(layers, names).map { l, n in
            switch l.kind {
            case .conv2D(let f, let k, let s, let p, let a, let b):
                Conv2D(filters: f, kernelSize: (k.height, k.width), strides: (s.height, s.width), padding: p,
                       activation: a, useBias: b, name: n)
            case .maxPooling2D(let p, let s, let pad):
                MaxPool2D(poolSize: (p.height, p.width), strides: s.map { ($0.height, $0.width) }, padding: pad, name: n)
            case .dense(let u, let a, let b): Dense(units: u, activation: a, useBias: b, name: n)
            case .dropout(let r): Dropout(rate: r, name: n)
            case .flatten: Flatten(name: n)
            case .batchNormalization(let m, let e): BatchNormalization(momentum: m, epsilon: e, name: n)
            case .lstm(let u, let r): LSTM(units: u, returnSequences: r, name: n)
            case .activation(let a): ActivationLayer(a, name: n)
            }
        }
        do {
            return try Sequential(name: name, inputShape: inputShape, layers: nnLayers, seed: seed)
        } catch {
            throw SpecError(source: source ?? name, message: "the engine refused the model: \(error)")
        }
    }

    // MARK: - Study input

    /// How the study feeds images to this model, from the input's rank: (H, W, C) images
    /// are convolutional, (rows, values) recurrent, a flat vector fully connected.
    public var inputKind: Architecture.Kind {
        switch inputShape.count {
        case 3: .convolutional
        case 2: .recurrent
        default: .fullyConnected
        }
    }

    /// The input shape for `size`×`size` images with `channels` channels, by `inputKind`
    /// (the rule of `Architecture.inputShape(channels:size:)`).
    public func inputShape(channels: Int, size: Int) -> [Int] {
        precondition(channels > 0 && size > 0, "ModelSpec.inputShape: channels and size must be positive")
        switch inputKind {
        case .convolutional: return [size, size, channels]
        case .recurrent: return [size, size * channels]
        case .fullyConnected: return [size * size * channels]
        }
    }
}
