import Foundation
import NN
@testable import ONNXExport
import SwiftProtobuf
import XCTest

final class ONNXExportTests: XCTestCase {
    // MARK: Helpers

    func decode(_ model: Sequential) throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: try ONNXExporter.serializedModel(model))
    }

    func floats(_ t: Onnx_TensorProto) -> [Float] {
        t.rawData.withUnsafeBytes { raw in
            (0..<(t.rawData.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    func dims(_ v: Onnx_ValueInfoProto) -> [String] {
        v.type.tensorType.shape.dim.map { $0.dimParam.isEmpty ? String($0.dimValue) : $0.dimParam }
    }

    func randomInput(_ shape: [Int], batch: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed, stream: "onnx-test/input")
        let n = batch * shape.reduce(1, *)
        return Tensor(shape: [batch] + shape, data: (0..<n).map { _ in rng.nextFloat() })
    }

    /// Gives every BatchNormalization non-trivial γ, β and moving statistics (as after training).
    func perturbBatchNorms(_ model: Sequential, seed: UInt64) {
        var rng = SeededGenerator(seed: seed, stream: "onnx-test/bn")
        for case let bn as BatchNormalization in model.layers {
            for i in bn.gamma!.value.data.indices {
                bn.gamma!.value.data[i] = Float(rng.uniform(0.5, 1.5))
                bn.beta!.value.data[i] = Float(rng.uniform(-0.5, 0.5))
                bn.movingMean!.value.data[i] = Float(rng.uniform(-0.3, 0.3))
                bn.movingVariance!.value.data[i] = Float(rng.uniform(0.2, 2))
            }
        }
    }

    /// Largest |ONNX graph (reference interpreter) − engine forward| over a random batch.
    func maxDifference(_ model: Sequential, batch: Int, seed: UInt64 = 7, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let proto = try decode(model)
        let x = randomInput(model.inputShape, batch: batch, seed: seed)
        let ours = model.forward(x, mode: .inference)
        let theirs = try ReferenceInterpreter(model: proto).run(input: x.data, shape: x.shape)
        XCTAssertEqual(theirs.shape, ours.shape, "\(model.name): output shape", file: file, line: line)
        guard theirs.shape == ours.shape else { return .infinity }
        return zip(theirs.data, ours.data).map { abs($0 - Double($1)) }.max() ?? 0
    }

    /// The ONNX shape of each of a layer's weights, by name.
    func expectedInitializerShapes(_ model: Sequential) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for (layer, summary) in zip(model.layers, model.summary) {
            for p in layer.parameters {
                let name = "\(layer.name)/\(p.name)"
                switch (layer, p.name) {
                case let (conv as Conv2D, "kernel"):
                    out[name] = [conv.filters, summary.input[2], conv.kernelSize.0, conv.kernelSize.1]
                case let (lstm as LSTM, "kernel"): out[name] = [1, 4 * lstm.units, summary.input[1]]
                case let (lstm as LSTM, "recurrent_kernel"): out[name] = [1, 4 * lstm.units, lstm.units]
                case let (lstm as LSTM, "bias"): out[name] = [1, 8 * lstm.units]
                default: out[name] = p.value.shape
                }
            }
        }
        return out
    }

    /// The op types the exporter writes for each study architecture (per-label head).
    static let expectedOps: [Architecture: [String]] = [
        .conv1: ["Transpose", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Relu", "Gemm", "Sigmoid"],
        .conv2: ["Transpose", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "BatchNormalization",
                 "Conv", "Relu", "MaxPool", "BatchNormalization", "Transpose", "Flatten",
                 "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"],
        .conv3: ["Transpose", "Conv", "Relu", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Transpose", "Flatten",
                 "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"],
        .conv4: ["Transpose", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Transpose", "Flatten",
                 "Gemm", "Relu", "Gemm", "Softmax"],
        .conv5: ["Transpose", "Conv", "Relu", "Conv", "Relu", "MaxPool", "Conv", "Relu", "Conv", "Relu", "MaxPool",
                 "Conv", "Relu", "Conv", "Relu", "Relu", "MaxPool", "Conv", "Relu", "Conv", "Relu", "MaxPool",
                 "Transpose", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"],
        // LSTM → LSTM stays time-major: the Transposes between them cancel.
        .lstm1: ["Transpose", "LSTM", "Squeeze", "LSTM", "Squeeze", "Transpose", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"],
        .fc1: ["Gemm", "Relu", "Gemm", "Relu", "Gemm", "Sigmoid"],
        .fc2: ["Gemm", "Gemm", "Relu", "BatchNormalization", "Gemm", "Softmax"],
    ]

    /// Checks the decoded graph of `model` against what the exporter promises.
    func checkStructure(_ model: Sequential, _ proto: Onnx_ModelProto, ops: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
        let m = model.name
        XCTAssertEqual(proto.irVersion, ONNXExporter.irVersion, m, file: file, line: line)
        XCTAssertEqual(proto.opsetImport.map(\.domain), [""], m, file: file, line: line)
        XCTAssertGreaterThanOrEqual(proto.opsetImport.first?.version ?? 0, 13, m, file: file, line: line)
        let g = proto.graph
        XCTAssertEqual(g.input.map(\.name), ["input"], m, file: file, line: line)
        XCTAssertEqual(g.output.map(\.name), ["output"], m, file: file, line: line)
        XCTAssertEqual(dims(g.input[0]), ["batch"] + model.inputShape.map(String.init), m, file: file, line: line)
        XCTAssertEqual(dims(g.output[0]), ["batch"] + model.outputShape.map(String.init), m, file: file, line: line)
        XCTAssertEqual(g.node.map(\.opType), ops, m, file: file, line: line)
        XCTAssertEqual(g.node.last?.output, ["output"], m, file: file, line: line)

        // Every node reads only the graph input, initializers or earlier outputs; names are unique.
        var defined = Set(["input"] + g.initializer.map(\.name))
        XCTAssertEqual(defined.count, g.initializer.count + 1, "\(m): duplicate initializer names", file: file, line: line)
        XCTAssertEqual(Set(g.node.map(\.name)).count, g.node.count, "\(m): duplicate node names", file: file, line: line)
        for node in g.node {
            for i in node.input where !i.isEmpty {
                XCTAssertTrue(defined.contains(i), "\(m): node \(node.name) reads '\(i)' before it is defined", file: file, line: line)
            }
            for o in node.output where !o.isEmpty {
                XCTAssertTrue(defined.insert(o).inserted, "\(m): '\(o)' written twice", file: file, line: line)
            }
        }

        // Initializers: one per weight, named as in the safetensors files, ONNX shapes.
        let floatInits = g.initializer.filter { $0.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue) }
        var got: [String: [Int]] = [:]
        for t in floatInits {
            got[t.name] = t.dims.map(Int.init)
            XCTAssertEqual(t.rawData.count, 4 * t.dims.reduce(1, *).asInt, "\(m): \(t.name) raw_data size", file: file, line: line)
        }
        XCTAssertEqual(got, expectedInitializerShapes(model), m, file: file, line: line)

        // Parameter count: every weight once, plus ONNX's recurrent bias half (zeros) per LSTM.
        let stored = floatInits.reduce(0) { $0 + $1.dims.reduce(1, *).asInt }
        let recurrentBias = model.layers.compactMap { $0 as? LSTM }.reduce(0) { $0 + 4 * $1.units }
        XCTAssertEqual(stored - recurrentBias, model.parameterCount, "\(m): parameters", file: file, line: line)
    }

    // MARK: Study architectures

    func testStudyArchitecturesExportWithTheExpectedGraph() throws {
        for arch in Architecture.allCases {
            // Study input shapes, but conv1 on 32×32 (6.5 M instead of 29 M weights: same graph, faster test).
            let model = try arch.build(head: .perLabel, inputShape: arch == .conv1 ? [32, 32, 1] : nil, seed: 1)
            checkStructure(model, try decode(model), ops: Self.expectedOps[arch]!)
        }
    }

    func testJointHeadEndsInSigmoid() throws {
        // The joint head everywhere but the two largest models (conv1, conv5: same body as above).
        for arch in Architecture.allCases where arch != .conv1 && arch != .conv5 {
            let model = try arch.build(head: .joint, seed: 2)
            checkStructure(model, try decode(model), ops: Self.expectedOps[arch]!.dropLast() + ["Sigmoid"])
        }
    }

    func testSerialisationIsDeterministicAndFileMatchesBytes() throws {
        let model = try Architecture.conv2.build(head: .perLabel, inputShape: [32, 32, 3], seed: 3)
        let a = try ONNXExporter.serializedModel(model), b = try ONNXExporter.serializedModel(model)
        XCTAssertEqual(a, b)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-test-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        try ONNXExporter.export(model, to: url)
        XCTAssertEqual(try Data(contentsOf: url), a)
        let proto = try Onnx_ModelProto(serializedBytes: a)
        XCTAssertEqual(proto.graph.name, "conv2")
        XCTAssertEqual(proto.metadataProps.first { $0.key == "parameters" }?.value, String(model.parameterCount))
    }

    // MARK: Weight layouts

    func testConvKernelIsTransposedToOIHW() throws {
        let conv = Conv2D(filters: 2, kernelSize: (2, 3), padding: .same)
        let model = try Sequential(name: "c", inputShape: [4, 5, 3], layers: [conv, Flatten(), Dense(units: 2)], seed: 0)
        let (kh, kw, ci, co) = (2, 3, 3, 2)
        conv.kernel!.value.data = (0..<(kh * kw * ci * co)).map(Float.init)
        let t = try decode(model).graph.initializer.first { $0.name == "conv2d_1/kernel" }!
        XCTAssertEqual(t.dims, [2, 3, 2, 3])
        let w = floats(t)
        for o in 0..<co { for i in 0..<ci { for y in 0..<kh { for x in 0..<kw {
            XCTAssertEqual(w[((o * ci + i) * kh + y) * kw + x], conv.kernel!.value.data[((y * kw + x) * ci + i) * co + o])
        } } } }
        // Keras "same" for a 2×3 kernel: padding total 1 in height (after), 2 in width (1 + 1).
        let node = try decode(model).graph.node.first { $0.opType == "Conv" }!
        XCTAssertEqual(node.attribute.first { $0.name == "pads" }?.ints, [0, 1, 1, 1])
    }

    func testLSTMGatesAreReorderedIOFC() throws {
        let lstm = LSTM(units: 2)
        let model = try Sequential(name: "l", inputShape: [3, 4], layers: [lstm, Dense(units: 2)], seed: 0)
        let u = 2, f = 4
        lstm.kernel!.value.data = (0..<(f * 4 * u)).map(Float.init)
        lstm.bias!.value.data = (0..<(4 * u)).map { Float(100 + $0) }
        let g = try decode(model).graph
        let w = floats(g.initializer.first { $0.name == "lstm_1/kernel" }!)
        let b = floats(g.initializer.first { $0.name == "lstm_1/bias" }!)
        // ONNX blocks i, o, f, c = Keras blocks 0, 3, 1, 2.
        for (onnxGate, kerasGate) in [0, 3, 1, 2].enumerated() {
            for j in 0..<u {
                for k in 0..<f {
                    XCTAssertEqual(w[(onnxGate * u + j) * f + k], lstm.kernel!.value.data[k * 4 * u + kerasGate * u + j])
                }
                XCTAssertEqual(b[onnxGate * u + j], Float(100 + kerasGate * u + j))
                XCTAssertEqual(b[4 * u + onnxGate * u + j], 0, "recurrent bias half is zero")
            }
        }
        let node = g.node.first { $0.opType == "LSTM" }!
        XCTAssertEqual(node.output, ["", "lstm_1/Y_h"], "only Y_h is used without returnSequences")
    }

    // MARK: Evaluation (reference interpreter vs engine)

    func testSmallImageModelCoveringEveryImageMapping() throws {
        let model = try Sequential(name: "image", inputShape: [9, 7, 2], layers: [
            Conv2D(filters: 3, kernelSize: 3, strides: 2, padding: .same, activation: .relu),
            MaxPool2D(poolSize: 2, padding: .same),
            BatchNormalization(),
            Conv2D(filters: 4, kernelSize: (2, 1), padding: .valid, activation: .softmax),
            ActivationLayer(.sigmoid),
            MaxPool2D(poolSize: (2, 1), strides: (1, 1)),
            Flatten(), Dense(units: 5, activation: .relu), Dropout(rate: 0.5), Dense(units: 3, activation: .sigmoid),
        ], seed: 11)
        perturbBatchNorms(model, seed: 1)
        XCTAssertLessThanOrEqual(try maxDifference(model, batch: 3), 1e-5)
    }

    func testSmallSequenceModelCoveringEveryRecurrentMapping() throws {
        let model = try Sequential(name: "sequence", inputShape: [5, 4], layers: [
            LSTM(units: 3, returnSequences: true), LSTM(units: 3, returnSequences: true),
            BatchNormalization(), Dense(units: 4, activation: .relu),
            LSTM(units: 2), Dense(units: 2, activation: .softmax),
        ], seed: 12)
        perturbBatchNorms(model, seed: 2)
        let proto = try decode(model)
        XCTAssertEqual(proto.graph.node.map(\.opType),
                       ["Transpose", "LSTM", "Squeeze", "LSTM", "Squeeze", "Transpose",  // time→batch, then → channels first: one node
                        "BatchNormalization", "Transpose", "MatMul", "Add", "Relu",
                        "Transpose", "LSTM", "Squeeze", "Gemm", "Softmax"])
        // (T, batch, C) → (batch, C, T) in one step: [1, 0, 2] then [0, 2, 1] composed.
        XCTAssertEqual(proto.graph.node[5].attribute.first { $0.name == "perm" }?.ints, [1, 2, 0])
        XCTAssertLessThanOrEqual(try maxDifference(model, batch: 3), 1e-5)
    }

    func testModelWithoutNodesStillHasAnOutput() throws {
        let model = try Sequential(name: "empty", inputShape: [4], layers: [Dropout(rate: 0.1)], seed: 0)
        let proto = try decode(model)
        XCTAssertEqual(proto.graph.node.map(\.opType), ["Identity"])
        XCTAssertLessThanOrEqual(try maxDifference(model, batch: 2), 0)
    }

    /// The study's layer lists on small inputs (the naive interpreter is slow), both heads,
    /// BatchNorm statistics perturbed as after training.
    func checkStudyEvaluation(_ arch: Architecture, _ shape: [Int], batch: Int = 2, heads: [Head] = [.perLabel, .joint],
                              file: StaticString = #filePath, line: UInt = #line) throws {
        for head in heads {
            let model = try arch.build(head: head, inputShape: shape, seed: 5)
            perturbBatchNorms(model, seed: 3)
            XCTAssertLessThanOrEqual(try maxDifference(model, batch: batch), 1e-5, "\(arch) \(head)", file: file, line: line)
        }
    }

    func testConv1EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.conv1, [12, 12, 1]) }
    func testConv2EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.conv2, [32, 32, 3]) }
    func testConv3EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.conv3, [8, 8, 3]) }
    func testConv4EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.conv4, [49, 49, 1]) }
    /// The smallest square input conv5 takes (its last valid 5×5 convolution needs 5×5).
    func testConv5EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.conv5, [56, 56, 1], batch: 1, heads: [.perLabel]) }
    func testLSTM1EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.lstm1, [6, 8]) }
    func testFC1EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.fc1, [64]) }
    func testFC2EvaluatesLikeTheEngine() throws { try checkStudyEvaluation(.fc2, [64]) }

    // MARK: Errors and the sidecar

    final class Custom: Layer {
        var name = ""
        var typeName: String { "Custom" }
        var parameters: [Parameter] { [] }
        func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] { inputShape }
        func forward(_ x: Tensor, mode: Mode) -> Tensor { x }
        func backward(_ dy: Tensor) -> Tensor { dy }
    }

    func testUnsupportedLayerIsNamed() throws {
        let model = try Sequential(name: "odd", inputShape: [3], layers: [Dense(units: 2), Custom()], seed: 0)
        XCTAssertThrowsError(try ONNXExporter.serializedModel(model)) { error in
            XCTAssertEqual(error as? ONNXExportError, .unsupportedLayer(model: "odd", layer: "custom_1", type: "Custom"))
            XCTAssertTrue("\(error)".contains("custom_1 (Custom)") || "\(error)".contains("'custom_1' (Custom)"), "\(error)")
        }
    }

    func testReferenceIORoundTrip() throws {
        let model = try Architecture.fc2.build(head: .joint, inputShape: [16], seed: 4)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = randomInput([16], batch: 5, seed: 9)
        let y = try ReferenceIO.write(model, inputs: x, name: "fc2-joint", directory: dir, batchSize: 2)
        // Batches of 2, 2 and 1: equal to forward up to the float rounding of other batch sizes.
        XCTAssertEqual(y.shape, [5, 3])
        XCTAssertEqual(y.data, [0, 2, 4].flatMap { model.forward(x.items($0..<min(5, $0 + 2)), mode: .inference).data })
        let whole = model.forward(x, mode: .inference)
        XCTAssertLessThanOrEqual(zip(y.data, whole.data).map { abs($0 - $1) }.max()!, 1e-6)
        let (header, input, output) = try ReferenceIO.read(dir.appendingPathComponent("fc2-joint.io.json"))
        XCTAssertEqual(header.model, "fc2-joint.onnx")
        XCTAssertEqual(header.input.shape, [5, 16])
        XCTAssertEqual(header.output.shape, [5, 3])
        XCTAssertEqual(input, x)
        XCTAssertEqual(output, y)
        let json = try String(contentsOf: dir.appendingPathComponent("fc2-joint.io.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"byte_order\" : \"little\""), json)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("fc2-joint.input.f32")).count, 5 * 16 * 4)
    }
}

private extension Int64 {
    var asInt: Int { Int(self) }
}
