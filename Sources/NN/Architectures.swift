/// The output head of an architecture.
public enum Head: String, Codable, Sendable {
    /// The study's own head: Dense(2) with the study's activation (sigmoid for conv1 and
    /// fc1, softmax for the others), one network per label.
    case perLabel
    /// One network for the three labels: Dense(3, sigmoid).
    case joint
}

/// The study's eight architectures, layer for layer as Keras builds them
/// (`../shared/anchors/keras_zoo.py`, STUDY-NOTES "The eight architectures").
public enum Architecture: String, CaseIterable, Codable, Sendable {
    case conv1, conv2, conv3, conv4, conv5, lstm1, fc1, fc2

    public enum Kind: String, Codable, Sendable { case convolutional, recurrent, fullyConnected }

    /// The write-up's label for the model ("1.a" … "1.e", "2", "3.a", "3.b").
    public var studyLabel: String {
        switch self {
        case .conv1: "1.a"
        case .conv2: "1.b"
        case .conv3: "1.c"
        case .conv4: "1.d"
        case .conv5: "1.e"
        case .lstm1: "2"
        case .fc1: "3.a"
        case .fc2: "3.b"
        }
    }

    public var kind: Kind {
        switch self {
        case .conv1, .conv2, .conv3, .conv4, .conv5: .convolutional
        case .lstm1: .recurrent
        case .fc1, .fc2: .fullyConnected
        }
    }

    /// The study's input shape (batch axis excluded): conv1 (64, 64, 1), other convs
    /// (64, 64, 3), lstm1 64 steps of 64 pixels, fc nets the flattened 4096 pixels.
    public var defaultInputShape: [Int] {
        switch self {
        case .conv1: [64, 64, 1]
        case .conv2, .conv3, .conv4, .conv5: [64, 64, 3]
        case .lstm1: [64, 64]
        case .fc1, .fc2: [4096]
        }
    }

    /// The input shape for images of `size`×`size` pixels with `channels` channels:
    /// convolutional (size, size, channels); recurrent `size` rows of size·channels values
    /// (the image rows, channels interleaved as in NHWC); fully connected size·size·channels.
    public func inputShape(channels: Int, size: Int) -> [Int] {
        precondition(channels > 0 && size > 0, "Architecture.inputShape: channels and size must be positive")
        switch kind {
        case .convolutional: return [size, size, channels]
        case .recurrent: return [size, size * channels]
        case .fullyConnected: return [size * size * channels]
        }
    }

    /// The output layer for `head`.
    func outputLayer(_ head: Head) -> Dense {
        switch head {
        case .joint: return Dense(units: 3, activation: .sigmoid)
        case .perLabel: return Dense(units: 2, activation: self == .conv1 || self == .fc1 ? .sigmoid : .softmax)
        }
    }

    /// The layers, in order, without the output layer.
    func bodyLayers() -> [Layer] {
        switch self {
        case .conv1:
            return [Conv2D(filters: 256, kernelSize: 3, activation: .relu), MaxPool2D(poolSize: 3),
                    Flatten(), Dense(units: 256, activation: .relu)]
        case .conv2:
            return [Conv2D(filters: 25, kernelSize: 5, padding: .same, activation: .relu),
                    MaxPool2D(poolSize: 2, padding: .same),
                    Conv2D(filters: 50, kernelSize: 5, strides: 2, padding: .same, activation: .relu),
                    MaxPool2D(poolSize: 2, padding: .same),
                    BatchNormalization(),
                    Conv2D(filters: 70, kernelSize: 3, strides: 2, padding: .same, activation: .relu),
                    MaxPool2D(poolSize: 2, padding: .valid),
                    BatchNormalization(), Flatten(),
                    Dense(units: 100, activation: .relu), Dense(units: 100, activation: .relu), Dropout(rate: 0.25)]
        case .conv3:
            return [Conv2D(filters: 50, kernelSize: 3, padding: .same, activation: .relu),
                    Conv2D(filters: 75, kernelSize: 3, padding: .same, activation: .relu),
                    MaxPool2D(poolSize: 2), Dropout(rate: 0.25),
                    Conv2D(filters: 125, kernelSize: 3, padding: .same, activation: .relu),
                    MaxPool2D(poolSize: 2), Dropout(rate: 0.25),
                    Flatten(), Dense(units: 500, activation: .relu), Dropout(rate: 0.4),
                    Dense(units: 250, activation: .relu), Dropout(rate: 0.3)]
        case .conv4:
            return [Conv2D(filters: 32, kernelSize: 5, activation: .relu), MaxPool2D(poolSize: 5),
                    Conv2D(filters: 64, kernelSize: 5, activation: .relu), MaxPool2D(poolSize: 5),
                    Flatten(), Dense(units: 1024, activation: .relu), Dropout(rate: 0.8)]
        case .conv5:
            return [Conv2D(filters: 32, kernelSize: 3, padding: .same, activation: .relu),
                    Conv2D(filters: 32, kernelSize: 3, activation: .relu),
                    MaxPool2D(poolSize: 2), Dropout(rate: 0.2),
                    Conv2D(filters: 64, kernelSize: 3, padding: .same, activation: .relu),
                    Conv2D(filters: 64, kernelSize: 3, activation: .relu),
                    MaxPool2D(poolSize: 2), Dropout(rate: 0.2),
                    Conv2D(filters: 128, kernelSize: 3, padding: .same, activation: .relu),
                    Conv2D(filters: 128, kernelSize: 3, activation: .relu),
                    ActivationLayer(.relu), MaxPool2D(poolSize: 2), Dropout(rate: 0.2),
                    Conv2D(filters: 512, kernelSize: 5, padding: .same, activation: .relu),
                    Conv2D(filters: 512, kernelSize: 5, activation: .relu),
                    MaxPool2D(poolSize: 4, padding: .same), Dropout(rate: 0.2),
                    Flatten(), Dense(units: 1024, activation: .relu), Dropout(rate: 0.2)]
        case .lstm1:
            return [LSTM(units: 128, returnSequences: true), LSTM(units: 128, returnSequences: true),
                    Flatten(), Dense(units: 64, activation: .relu)]
        case .fc1:
            return [Dense(units: 256, activation: .relu), Dense(units: 256, activation: .relu)]
        case .fc2:
            return [Dense(units: 256), Dense(units: 100, activation: .relu), Dropout(rate: 0.5), BatchNormalization()]
        }
    }

    /// Builds the model, named after the architecture, for `inputShape` (default
    /// `defaultInputShape`), with weights drawn from `seed`. Throws when the layers cannot
    /// take that input (e.g. conv4 on 32×32 images pools down to nothing).
    public func build(head: Head, inputShape: [Int]? = nil, seed: UInt64) throws(ShapeError) -> Sequential {
        try Sequential(name: rawValue, inputShape: inputShape ?? defaultInputShape,
                       layers: bodyLayers() + [outputLayer(head)], seed: seed)
    }
}

/// The layer table of a Keras-like summary: the title line, a header, and one row per layer
/// (`layer (type)`, output shape, parameter count) between heavy rules, rows separated by
/// light ones. The totals that follow differ between callers.
public func summaryTableLines(name: String, rows: [(String, String, String)]) -> [String] {
    let w0 = max(28, rows.map(\.0.count).max() ?? 0) + 2
    let w1 = max(24, rows.map(\.1.count).max() ?? 0) + 2
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    let width = w0 + w1 + 12
    var lines = ["Model: \"\(name)\"", String(repeating: "━", count: width),
                 pad("Layer (type)", w0) + pad("Output Shape", w1) + "Param #",
                 String(repeating: "━", count: width)]
    for (i, r) in rows.enumerated() {
        lines.append(pad(r.0, w0) + pad(r.1, w1) + r.2)
        if i < rows.count - 1 { lines.append(String(repeating: "─", count: width)) }
    }
    lines.append(String(repeating: "━", count: width))
    return lines
}

/// A Keras-like printed summary of `model`: one row per layer with its name and type,
/// output shape (batch axis shown as None) and parameter count, then the totals split into
/// trainable and non-trainable (BatchNorm moving statistics) weights.
public func summaryText(_ model: Sequential) -> String {
    func shape(_ s: [Int]) -> String { "(None, " + s.map(String.init).joined(separator: ", ") + ")" }
    func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
    let rows = model.summary.map { ("\($0.name) (\($0.type))", shape($0.output), grouped($0.params)) }
    var lines = summaryTableLines(name: model.name, rows: rows)
    let trainable = model.parameters.filter(\.trainable).reduce(0) { $0 + $1.value.count }
    let total = model.parameterCount
    lines.append("Total params: \(grouped(total))")
    lines.append("Trainable params: \(grouped(trainable))")
    lines.append("Non-trainable params: \(grouped(total - trainable))")
    return lines.joined(separator: "\n") + "\n"
}
