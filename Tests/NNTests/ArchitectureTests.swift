import Foundation
import XCTest
@testable import NN
import TestSupport

/// Shapes, parameter counts, names and determinism of the study's eight architectures.
final class ArchitectureTests: XCTestCase {
    /// Totals of the STUDY-NOTES table (Keras's `count_params`).
    static let studyTotals: [Architecture: Int] = [
        .conv1: 26_217_730, .conv2: 103_652, .conv3: 16_245_977, .conv4: 122_306,
        .conv5: 9_007_394, .lstm1: 754_882, .fc1: 1_115_138, .fc2: 1_075_134,
    ]

    func testParameterTotalsMatchStudyTable() throws {
        for arch in Architecture.allCases {
            let model = try arch.build(head: .perLabel, seed: 1)
            XCTAssertEqual(model.parameterCount, Self.studyTotals[arch], "\(arch)")
            XCTAssertEqual(model.outputShape, [2], "\(arch)")
            XCTAssertEqual(model.inputShape, arch.defaultInputShape)
        }
    }

    /// Every layer's type, output shape and parameter count against Keras's own summary
    /// (`Fixtures/keras_summary.json`, written by `python scripts/keras/keras_zoo.py summary`).
    func testLayersMatchKerasSummary() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras_summary.json")
        struct KerasLayer: Decodable { let type: String; let output: [Int]; let params: Int }
        struct KerasModel: Decodable { let name: String; let params: Int; let layers: [KerasLayer] }
        let models = try JSONDecoder().decode([KerasModel].self, from: Data(contentsOf: url))
        XCTAssertEqual(Set(models.map(\.name)), Set(Architecture.allCases.map(\.rawValue)))
        for keras in models {
            let arch = try XCTUnwrap(Architecture(rawValue: keras.name))
            let model = try arch.build(head: .perLabel, seed: 1)
            XCTAssertEqual(model.parameterCount, keras.params, keras.name)
            XCTAssertEqual(model.summary.count, keras.layers.count, keras.name)
            for (ours, theirs) in zip(model.summary, keras.layers) {
                XCTAssertEqual(ours.type, theirs.type, "\(keras.name) \(ours.name)")
                XCTAssertEqual(ours.output, theirs.output, "\(keras.name) \(ours.name)")
                XCTAssertEqual(ours.params, theirs.params, "\(keras.name) \(ours.name)")
            }
        }
    }

    func testConv2SummaryNamesShapesAndHeads() throws {
        let model = try Architecture.conv2.build(head: .perLabel, seed: 1)
        XCTAssertEqual(model.summary.map(\.name), [
            "conv2d_1", "max_pooling2d_1", "conv2d_2", "max_pooling2d_2", "batch_normalization_1", "conv2d_3",
            "max_pooling2d_3", "batch_normalization_2", "flatten_1", "dense_1", "dense_2", "dropout_1", "dense_3",
        ])
        XCTAssertEqual(model.summary[2].input, [32, 32, 25])
        XCTAssertEqual(model.summary[2].output, [16, 16, 50])
        XCTAssertEqual(model.summary[4].params, 200)
        XCTAssertEqual((model.layers.last as? Dense)?.activation, .softmax)
        XCTAssertEqual((try Architecture.conv1.build(head: .perLabel, seed: 1).layers.last as? Dense)?.activation, .sigmoid)
        XCTAssertEqual((try Architecture.fc1.build(head: .perLabel, seed: 1).layers.last as? Dense)?.activation, .sigmoid)
        let joint = try Architecture.conv2.build(head: .joint, seed: 1)
        XCTAssertEqual(joint.outputShape, [3])
        XCTAssertEqual((joint.layers.last as? Dense)?.activation, .sigmoid)
        XCTAssertEqual(joint.parameterCount, 103_652 + 101)
        // fc2's first Dense is linear; conv5 has a separate Activation layer.
        XCTAssertEqual((try Architecture.fc2.build(head: .perLabel, seed: 1).layers.first as? Dense)?.activation, .linear)
        XCTAssertTrue(try Architecture.conv5.build(head: .perLabel, seed: 1).summary.contains { $0.type == "Activation" })
    }

    func testLabelsKindsAndInputShapes() throws {
        XCTAssertEqual(Architecture.allCases.map(\.studyLabel), ["1.a", "1.b", "1.c", "1.d", "1.e", "2", "3.a", "3.b"])
        XCTAssertEqual(Architecture.lstm1.kind, .recurrent)
        XCTAssertEqual(Architecture.fc2.kind, .fullyConnected)
        XCTAssertEqual(Architecture.conv3.kind, .convolutional)
        XCTAssertEqual(Architecture.conv2.inputShape(channels: 1, size: 32), [32, 32, 1])
        XCTAssertEqual(Architecture.lstm1.inputShape(channels: 1, size: 64), [64, 64])
        XCTAssertEqual(Architecture.fc1.inputShape(channels: 3, size: 32), [3072])
        for arch in Architecture.allCases {
            XCTAssertEqual(arch.inputShape(channels: arch == .conv1 ? 1 : 3, size: 64),
                           arch.kind == .convolutional ? arch.defaultInputShape : arch.inputShape(channels: 3, size: 64))
        }
        // Small images: conv2 adapts; conv4 pools down to nothing and says so.
        let small = try Architecture.conv2.build(head: .perLabel, inputShape: [32, 32, 1], seed: 1)
        XCTAssertEqual(small.summary[8].output, [70])
        XCTAssertThrowsError(try Architecture.conv4.build(head: .perLabel, inputShape: [32, 32, 1], seed: 1))
    }

    func testShapeErrorNamesLayerAndShapes() {
        do {
            _ = try Sequential(name: "bad", inputShape: [8, 8, 1],
                               layers: [Conv2D(filters: 2, kernelSize: 3), Flatten(), LSTM(units: 4)], seed: 1)
            XCTFail("an LSTM after Flatten must not build")
        } catch {
            XCTAssertEqual(error.layer, "lstm_1")
            XCTAssertEqual(error.input, [72])
            XCTAssertTrue(error.description.contains("lstm_1"), error.description)
            XCTAssertTrue(error.description.contains("[72]"), error.description)
            XCTAssertTrue(error.description.contains("(time steps, features)"), error.description)
        }
        XCTAssertThrowsError(try Sequential(name: "tiny", inputShape: [2, 2, 1],
                                            layers: [Conv2D(filters: 2, kernelSize: 3)], seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("conv2d_1"))
            XCTAssertTrue("\(error)".contains("[2, 2, 1]"))
        }
    }

    func testSummaryText() throws {
        let text = summaryText(try Architecture.conv2.build(head: .perLabel, seed: 1))
        XCTAssertTrue(text.contains("conv2d_1 (Conv2D)"))
        XCTAssertTrue(text.contains("(None, 16, 16, 50)"))
        XCTAssertTrue(text.contains("31,300"))
        XCTAssertTrue(text.contains("Total params: 103,652"))
        XCTAssertTrue(text.contains("Trainable params: 103,412"))
        XCTAssertTrue(text.contains("Non-trainable params: 240"))
    }

    /// Same seed → identical weights, outputs and gradients (one BLAS thread); another seed differs.
    func testDeterminism() throws {
        let before = blasThreads
        setBLASThreads(1)
        defer { setBLASThreads(before) }
        func run(_ seed: UInt64) throws -> ([Float], [Float], [Float]) {
            let model = try Architecture.conv2.build(head: .perLabel, inputShape: [32, 32, 3], seed: seed)
            let x = randomTensor([2, 32, 32, 3], seed: 7, low: 0, high: 1)
            let y = model.forward(x, mode: .training)
            model.zeroGrad()
            model.backward(Tensor(repeating: 0.25, shape: y.shape))
            return (model.parameters.flatMap(\.value.data), y.data, model.parameters.flatMap(\.grad.data))
        }
        let a = try run(42), b = try run(42), c = try run(43)
        XCTAssertEqual(a.0, b.0); XCTAssertEqual(a.1, b.1); XCTAssertEqual(a.2, b.2)
        XCTAssertNotEqual(a.0, c.0)
    }

    /// Whole-model gradient through every kind of layer (small input), and the input gradient switch.
    func testSmallModelEndToEndGradient() throws {
        let model = try Sequential(name: "mix", inputShape: [6, 6, 2], layers: [
            Conv2D(filters: 3, kernelSize: 3, strides: 2, padding: .same, activation: .relu),
            MaxPool2D(poolSize: 2, padding: .same), BatchNormalization(), Flatten(),
            Dense(units: 4, activation: .sigmoid), Dense(units: 2, activation: .softmax),
        ], seed: 5)
        XCTAssertFalse(model.computesInputGradient)
        model.computesInputGradient = true
        let x = randomTensor([3, 6, 6, 2], seed: 8)
        let y = model.forward(x, mode: .inference)
        let w = randomTensor(y.shape, seed: 9)
        model.zeroGrad()
        let dx = model.backward(w)
        func loss(_ xx: Tensor) -> Double {
            let yy = model.forward(xx, mode: .inference)
            return zip(yy.data, w.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        for i in [0, 7, 30, 71, 100] {
            var xp = x, xm = x
            xp.data[i] += 1e-2; xm.data[i] -= 1e-2
            let numeric = (loss(xp) - loss(xm)) / Double(xp.data[i] - xm.data[i])
            XCTAssertEqual(Double(dx.data[i]), numeric, accuracy: 1e-4 + 2e-2 * abs(numeric), "input \(i)")
        }
        model.computesInputGradient = false
        _ = model.forward(x, mode: .inference)
        XCTAssertEqual(model.backward(w), Tensor(zeros: x.shape))
    }

    /// The benchmark entry points run and report positive rates (tiny settings).
    func testBenchmarkSmoke() throws {
        XCTAssertGreaterThan(try LayerBenchmark.forwardBackwardImagesPerSecond(.fc2, batch: 4, iterations: 1), 0)
        XCTAssertGreaterThan(try LayerBenchmark.inferenceImagesPerSecond(.fc1, batch: 4, iterations: 1), 0)
        let rows = try LayerBenchmark.perLayerMilliseconds(.fc2, batch: 4, iterations: 1)
        XCTAssertEqual(rows.map(\.0), ["dense_1", "dense_2", "dropout_1", "batch_normalization_1", "dense_3"])
    }
}
