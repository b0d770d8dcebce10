import Foundation
import NN
import SwiftProtobuf

/// A model that cannot be written as ONNX, naming the model, the layer and the file.
public enum ONNXExportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A layer type the exporter has no mapping for.
    case unsupportedLayer(model: String, layer: String, type: String)
    /// A layer got an input rank its ONNX mapping cannot take (e.g. Conv2D on a vector).
    case unsupportedShape(model: String, layer: String, input: [Int], expected: String)
    /// Serialising or writing the file failed.
    case unwritable(file: String, reason: String)
    /// A sidecar file (`ReferenceIO`) cannot be read or does not match its header.
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedLayer(m, l, t):
            return "model '\(m)': layer '\(l)' (\(t)) has no ONNX mapping (supported: Conv2D, MaxPooling2D, Dense, BatchNormalization, LSTM, Flatten, Dropout, Activation)"
        case let .unsupportedShape(m, l, i, e):
            return "model '\(m)': layer '\(l)' gets input \(i), its ONNX mapping needs \(e)"
        case let .unwritable(f, r):
            return "\(f): cannot write: \(r)"
        case let .unreadable(f, r):
            return "\(f): cannot read: \(r)"
        }
    }
}

/// Writes a built `Sequential` model as an ONNX model (inference graph).
///
/// The graph takes `input` of shape (batch, …) exactly as our engine and Keras do — NHWC
/// (batch, H, W, C) for images, (batch, T, F) for sequences, (batch, F) for vectors — with a
/// symbolic batch dimension `batch`, and gives `output` (batch, units): the probabilities
/// `model.forward(x, mode: .inference)` returns.
///
/// Layout: ONNX's Conv, MaxPool and BatchNormalization work on NCHW, so the first of a run
/// of image layers is preceded by a `Transpose` (perm 0,3,1,2) and the run stays NCHW; a
/// layer that needs the engine's channels-last order (Flatten, Dense, the end of the graph)
/// is preceded by the inverse `Transpose` (perm 0,2,3,1). Flatten thus sees NHWC and the
/// following Dense kernel keeps Keras's row order. Weights are float32 initializers
/// (raw_data, little-endian) named `<layer>/<weight>` as in the safetensors files; those
/// re-laid for ONNX say how in their doc_string (Conv kernels HWIO → OIHW, LSTM gates
/// i,f,c,o → i,o,f,c). See docs/onnx.md for the full operator mapping.
public enum ONNXExporter {
    /// The default-domain operator set the graphs use (≥ 13: Squeeze takes its axes as an input).
    public static let opsetVersion: Int64 = 17
    /// ONNX IR version written (8 goes with opset 17 and every onnxruntime since 1.11).
    public static let irVersion: Int64 = 8
    /// Graph input and output names.
    public static let inputName = "input", outputName = "output"

    /// The ONNX model for `model`, serialised (protobuf binary). `name` becomes the graph
    /// name (default: the model's name).
    public static func serializedModel(_ model: Sequential, name: String? = nil) throws(ONNXExportError) -> Data {
        let proto = try modelProto(model, name: name ?? model.name)
        do {
            return try proto.serializedBytes()
        } catch {
            throw .unwritable(file: name ?? model.name, reason: "protobuf serialisation failed: \(error)")
        }
    }

    /// Writes `model` as an ONNX file at `url` (atomically: a temporary file, then a rename).
    public static func export(_ model: Sequential, name: String? = nil, to url: URL) throws(ONNXExportError) {
        let data = try serializedModel(model, name: name)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    /// The model as a protobuf message (the generated `Onnx_ModelProto`).
    static func modelProto(_ model: Sequential, name: String) throws(ONNXExportError) -> Onnx_ModelProto {
        var lowering = Lowering(model: model)
        for (layer, summary) in zip(model.layers, model.summary) {
            try lowering.lower(layer, input: summary.input)
        }
        lowering.finish()

        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = lowering.builder.nodes
        graph.initializer = lowering.builder.initializers
        graph.input = [batchedFloatValueInfo(inputName, shape: model.inputShape)]
        graph.output = [batchedFloatValueInfo(outputName, shape: model.outputShape)]
        graph.docString = "Sequential model '\(model.name)', \(model.parameterCount) parameters. Input '\(inputName)' is channels-last "
            + "as in Keras (NHWC for images); the graph transposes to NCHW around Conv/MaxPool/BatchNormalization and back before Flatten/Dense."

        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = opsetVersion
        var proto = Onnx_ModelProto()
        proto.irVersion = irVersion
        proto.opsetImport = [opset]
        proto.producerName = "report (MedicalScanStudy)"
        proto.producerVersion = "1"
        proto.graph = graph
        proto.docString = graph.docString
        proto.metadataProps = [("architecture", model.name), ("input_layout", "channels_last"),
                               ("parameters", String(model.parameterCount))].map { k, v in
            var e = Onnx_StringStringEntryProto()
            e.key = k; e.value = v
            return e
        }
        return proto
    }
}

// MARK: - Lowering

/// Where the current tensor keeps its channels.
enum Layout {
    /// The engine's and Keras's order: (batch, …, C); NHWC for images.
    case channelsLast
    /// ONNX's image order (batch, C, H, W), only for rank-4 tensors.
    case channelsFirst
}

/// Turns layers into nodes one by one, tracking the current tensor and its layout.
struct Lowering {
    let model: Sequential
    var builder = GraphBuilder(reserved: [ONNXExporter.inputName, ONNXExporter.outputName])
    var current = ONNXExporter.inputName
    var layout = Layout.channelsLast

    init(model: Sequential) { self.model = model }

    mutating func lower(_ layer: Layer, input shape: [Int]) throws(ONNXExportError) {
        let name = layer.name
        switch layer {
        case let conv as Conv2D:
            try require(shape.count == 3, layer, shape, "(height, width, channels)")
            toChannelsFirst(before: name)
            lowerConv(conv, input: shape)
        case let pool as MaxPool2D:
            try require(shape.count == 3, layer, shape, "(height, width, channels)")
            toChannelsFirst(before: name)
            let (pads, _) = windowPads(shape, window: pool.poolSize, strides: pool.strides, padding: pool.padding)
            current = builder.node("MaxPool", name: name, inputs: [current], attributes: [
                Attr.ints("kernel_shape", [pool.poolSize.0, pool.poolSize.1]),
                Attr.ints("strides", [pool.strides.0, pool.strides.1]),
                Attr.ints("pads", pads)])
        case let bn as BatchNormalization:
            try lowerBatchNorm(bn, input: shape)
        case let dense as Dense:
            toChannelsLast(before: name)
            lowerDense(dense, input: shape)
        case let lstm as LSTM:
            try require(shape.count == 2, layer, shape, "(time steps, features)")
            toChannelsLast(before: name)
            lowerLSTM(lstm, input: shape)
        case is Flatten:
            toChannelsLast(before: name)
            current = builder.node("Flatten", name: name, inputs: [current], attributes: [Attr.int("axis", 1)])
        case let act as ActivationLayer:
            activation(act.activation, name: name, standalone: true)
        case is Dropout:
            break  // the identity at inference
        default:
            throw .unsupportedLayer(model: model.name, layer: name, type: layer.typeName)
        }
    }

    /// Ends the graph in the engine's layout and names the last tensor `output`.
    mutating func finish() {
        toChannelsLast(before: "output")
        if !builder.renameOutput(current, to: ONNXExporter.outputName) {
            // No node produced the current tensor (a model of Dropouts): copy the input.
            let copy = builder.node("Identity", name: "identity", inputs: [current])
            _ = builder.renameOutput(copy, to: ONNXExporter.outputName)
        }
        current = ONNXExporter.outputName
    }

    private func require(_ ok: Bool, _ layer: Layer, _ shape: [Int], _ expected: String) throws(ONNXExportError) {
        if !ok { throw .unsupportedShape(model: model.name, layer: layer.name, input: shape, expected: expected) }
    }

    // MARK: Layout

    mutating func toChannelsFirst(before layer: String) {
        guard layout == .channelsLast else { return }
        transpose([0, 3, 1, 2], name: "\(layer)/nhwc_to_nchw")
        layout = .channelsFirst
    }

    mutating func toChannelsLast(before layer: String) {
        guard layout == .channelsFirst else { return }
        transpose([0, 2, 3, 1], name: "\(layer)/nchw_to_nhwc")
        layout = .channelsLast
    }

    /// A Transpose of the current tensor. When the current tensor is itself the output of a
    /// Transpose, the two are composed into one node — or into none when this one undoes the
    /// earlier (e.g. LSTM → LSTM: time-major → batch-major → time-major). In a Sequential
    /// chain the earlier Transpose's output has no other reader, so this is safe.
    mutating func transpose(_ perm: [Int], name: String) {
        if let last = builder.nodes.last, last.opType == "Transpose", last.output == [current],
           let prev = last.attribute.first(where: { $0.name == "perm" })?.ints.map(Int.init), prev.count == perm.count {
            // Output axis i of the pair is input axis prev[perm[i]].
            let composed = perm.map { prev[$0] }
            let input = builder.removeLastNode().input[0]
            current = input
            if composed != Array(composed.indices) {
                current = builder.node("Transpose", name: name, inputs: [input], attributes: [Attr.ints("perm", composed)])
            }
            return
        }
        current = builder.node("Transpose", name: name, inputs: [current], attributes: [Attr.ints("perm", perm)])
    }

    /// An activation node on the current tensor (none for linear). Softmax acts on the
    /// channels: the last axis channels-last, axis 1 in NCHW.
    mutating func activation(_ a: Activation, name: String, standalone: Bool = false) {
        let node = standalone ? name : "\(name)/\(a.rawValue)"
        switch a {
        case .linear:
            break
        case .relu:
            current = builder.node("Relu", name: node, inputs: [current])
        case .sigmoid:
            current = builder.node("Sigmoid", name: node, inputs: [current])
        case .softmax:
            current = builder.node("Softmax", name: node, inputs: [current],
                                   attributes: [Attr.int("axis", layout == .channelsFirst ? 1 : -1)])
        }
    }

    // MARK: Layers

    /// Keras's per-axis padding (`same`: total = max((out − 1)·stride + k − in, 0), the
    /// smaller half before) as ONNX pads [top, left, bottom, right].
    func windowPads(_ shape: [Int], window: (Int, Int), strides: (Int, Int), padding: Padding) -> ([Int], [Int]) {
        func axis(_ size: Int, _ k: Int, _ s: Int) -> (before: Int, after: Int, out: Int) {
            switch padding {
            case .valid: return (0, 0, size >= k ? (size - k) / s + 1 : 0)
            case .same:
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + k - size, 0)
                return (total / 2, total - total / 2, out)
            }
        }
        let h = axis(shape[0], window.0, strides.0), w = axis(shape[1], window.1, strides.1)
        return ([h.before, w.before, h.after, w.after], [h.out, w.out])
    }

    mutating func lowerConv(_ conv: Conv2D, input shape: [Int]) {
        let name = conv.name
        let (kh, kw) = conv.kernelSize, ci = shape[2], co = conv.filters
        // Keras HWIO (kh, kw, in, out) → ONNX OIHW (out, in, kh, kw).
        let k = conv.kernel!.value.data
        var w = [Float](repeating: 0, count: k.count)
        for y in 0..<kh { for x in 0..<kw { for i in 0..<ci { for o in 0..<co {
            w[((o * ci + i) * kh + y) * kw + x] = k[((y * kw + x) * ci + i) * co + o]
        } } } }
        var inputs = [current, builder.floats("\(name)/kernel", shape: [co, ci, kh, kw], w,
                                              doc: "Keras kernel (kh, kw, in, out) transposed to ONNX OIHW (out, in, kh, kw)")]
        if let b = conv.bias { inputs.append(builder.floats("\(name)/bias", shape: [co], b.value.data)) }
        let (pads, _) = windowPads(shape, window: conv.kernelSize, strides: conv.strides, padding: conv.padding)
        current = builder.node("Conv", name: name, inputs: inputs, attributes: [
            Attr.ints("kernel_shape", [kh, kw]), Attr.ints("strides", [conv.strides.0, conv.strides.1]),
            Attr.ints("pads", pads), Attr.ints("dilations", [1, 1]), Attr.int("group", 1)])
        activation(conv.activation, name: name)
    }

    mutating func lowerDense(_ dense: Dense, input shape: [Int]) {
        let name = dense.name
        let inFeatures = shape.last!, u = dense.units
        let w = builder.floats("\(name)/kernel", shape: [inFeatures, u], dense.kernel!.value.data)
        let b = dense.bias.map { builder.floats("\(name)/bias", shape: [u], $0.value.data) }
        if shape.count == 1 {
            // Gemm: Y = A·B + C, A (batch, in), B (in, units) as Keras stores it.
            current = builder.node("Gemm", name: name, inputs: [current, w] + (b.map { [$0] } ?? []),
                                   attributes: [Attr.float("alpha", 1), Attr.float("beta", 1),
                                                Attr.int("transA", 0), Attr.int("transB", 0)])
        } else {
            // Dense on the last axis of a (batch, …, in) tensor: MatMul broadcasts the leading axes.
            current = builder.node("MatMul", name: b == nil ? name : "\(name)/matmul", inputs: [current, w])
            if let b { current = builder.node("Add", name: name, inputs: [current, b]) }
        }
        activation(dense.activation, name: name)
    }

    mutating func lowerBatchNorm(_ bn: BatchNormalization, input shape: [Int]) throws(ONNXExportError) {
        let name = bn.name, c = shape.last!
        // ONNX BatchNormalization normalises axis 1: NCHW images stay NCHW, (batch, C)
        // needs nothing, (batch, T, C) is transposed to (batch, C, T) and back.
        var back: [Int]?
        switch shape.count {
        case 3: toChannelsFirst(before: name)
        case 1: break
        case 2:
            transpose([0, 2, 1], name: "\(name)/to_channels_first")
            back = [0, 2, 1]
        default:
            throw .unsupportedShape(model: model.name, layer: name, input: shape, expected: "rank 1 to 3 (batch axis excluded)")
        }
        let inputs = [current,
                      builder.floats("\(name)/gamma", shape: [c], bn.gamma!.value.data),
                      builder.floats("\(name)/beta", shape: [c], bn.beta!.value.data),
                      builder.floats("\(name)/moving_mean", shape: [c], bn.movingMean!.value.data),
                      builder.floats("\(name)/moving_variance", shape: [c], bn.movingVariance!.value.data)]
        current = builder.node("BatchNormalization", name: name, inputs: inputs,
                               attributes: [Attr.float("epsilon", Float(bn.epsilon)), Attr.float("momentum", Float(bn.momentum))])
        if let back {
            transpose(back, name: "\(name)/to_channels_last")
        }
    }

    /// ONNX gate block g (order i, o, f, c) is Keras block `kerasGate[g]` (order i, f, c, o).
    static let kerasGate = [0, 3, 1, 2]

    mutating func lowerLSTM(_ lstm: LSTM, input shape: [Int]) {
        let name = lstm.name, u = lstm.units, f = shape[1]
        let kernel = lstm.kernel!.value.data, recurrent = lstm.recurrentKernel!.value.data, bias = lstm.bias!.value.data
        // Keras kernel (F, 4u) with column blocks i,f,c,o → ONNX W (1, 4u, F) with row blocks i,o,f,c.
        func reorder(_ m: [Float], rows: Int) -> [Float] {
            var out = [Float](repeating: 0, count: m.count)
            for g in 0..<4 {
                let kg = Lowering.kerasGate[g]
                for j in 0..<u { for r in 0..<rows { out[(g * u + j) * rows + r] = m[r * 4 * u + kg * u + j] } }
            }
            return out
        }
        var b = [Float](repeating: 0, count: 8 * u)  // [Wb, Rb]; Keras has one bias, Rb = 0
        for g in 0..<4 { for j in 0..<u { b[g * u + j] = bias[Lowering.kerasGate[g] * u + j] } }
        let gateDoc = "Keras gate blocks i,f,c,o reordered to ONNX i,o,f,c"
        let w = builder.floats("\(name)/kernel", shape: [1, 4 * u, f], reorder(kernel, rows: f),
                               doc: "Keras kernel (F, 4u) transposed to ONNX W (1, 4u, F); " + gateDoc)
        let r = builder.floats("\(name)/recurrent_kernel", shape: [1, 4 * u, u], reorder(recurrent, rows: u),
                               doc: "Keras recurrent_kernel (u, 4u) transposed to ONNX R (1, 4u, u); " + gateDoc)
        let bb = builder.floats("\(name)/bias", shape: [1, 8 * u], b,
                                doc: "ONNX B = [Wb, Rb]: Keras bias (4u) as Wb, " + gateDoc + "; Rb zeros (Keras has one bias)")
        // onnxruntime's LSTM takes layout 0 only: X is (T, batch, F).
        transpose([1, 0, 2], name: "\(name)/batch_major_to_time_major")
        let x = current
        let attrs = [Attr.int("hidden_size", u), Attr.string("direction", "forward"),
                     Attr.strings("activations", ["Sigmoid", "Tanh", "Tanh"])]
        if lstm.returnSequences {
            // Y (T, 1, batch, u) → (T, batch, u) → (batch, T, u)
            let y = builder.node("LSTM", name: name, inputs: [x, w, r, bb], outputs: ["\(name)/Y"], attributes: attrs)[0]
            let sq = builder.node("Squeeze", name: "\(name)/squeeze_direction",
                                  inputs: [y, builder.int64s("\(name)/direction_axis", [1])])
            current = sq
            transpose([1, 0, 2], name: "\(name)/time_major_to_batch_major")
        } else {
            // Y_h (1, batch, u) → (batch, u): the last step's hidden state.
            let yh = builder.node("LSTM", name: name, inputs: [x, w, r, bb], outputs: ["", "\(name)/Y_h"], attributes: attrs)[1]
            current = builder.node("Squeeze", name: "\(name)/squeeze_direction",
                                   inputs: [yh, builder.int64s("\(name)/direction_axis", [0])])
        }
    }
}
