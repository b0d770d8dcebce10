import Foundation
import ModelSpec
import NN
import XCTest

/// The eight shipped YAML files against the Swift builders of `Architecture`.
final class BuiltinTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testEmbeddedTextEqualsTheShippedFiles() throws {
        XCTAssertEqual(ModelSpec.builtinYAML.map(\.name), Architecture.allCases.map(\.rawValue))
        for (name, text) in ModelSpec.builtinYAML {
            let file = BuiltinTests.repo.appendingPathComponent("architectures/\(name).yaml")
            XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), text,
                           "architectures/\(name).yaml changed: run python3 scripts/embed-architectures.py")
            XCTAssertEqual(try ModelSpec.load(file), ModelSpec.builtin(Architecture(rawValue: name)!))
        }
    }

    /// Same layers (types and every option), names, shapes, counts and — with the same
    /// seed — weights as `Architecture.build`, for both heads. The weights match because the
    /// spec is named like the architecture (the engine's initialisation stream is
    /// "init/<name>") and the layers draw in the same order. conv1, conv3 and conv5 are
    /// compared at the smallest image size they take (their default builds draw 9–26 M
    /// weights, slow in a debug build); their default shapes and counts are checked against
    /// Keras in KerasJSONTests and against the engine's shape rules in `summary()` below.
    func testEachSpecBuildsTheArchitecturesModelForBothHeads() throws {
        for arch in Architecture.allCases {
            let spec = ModelSpec.builtin(arch)
            XCTAssertEqual(spec.name, arch.rawValue)
            XCTAssertEqual(spec.label, arch.studyLabel)
            XCTAssertEqual(spec.inputShape, arch.defaultInputShape)
            XCTAssertEqual(spec.inputKind, arch.kind)
            XCTAssertEqual(spec.writtenHead, .perLabel)
            var input = arch.defaultInputShape
            if [.conv1, .conv3, .conv5].contains(arch) {
                let channels = arch.defaultInputShape[2]
                let size = try XCTUnwrap((4...64).first { (try? spec.summary(inputShape: [$0, $0, channels])) != nil })
                input = [size, size, channels]
            }
            for head in [Head.perLabel, .joint] {
                let a = try arch.build(head: head, inputShape: input, seed: 11)
                let b = try spec.build(head: head, inputShape: input, seed: 11)
                XCTAssertEqual(b.summary, a.summary, "\(arch) \(head)")
                XCTAssertEqual(b.layers.map(BuiltinTests.describe), a.layers.map(BuiltinTests.describe), "\(arch) \(head)")
                XCTAssertEqual(b.parameterCount, a.parameterCount, "\(arch) \(head)")
                XCTAssertEqual(b.parameters.map(\.name), a.parameters.map(\.name))
                XCTAssertEqual(b.parameters.map(\.trainable), a.parameters.map(\.trainable))
                for (p, q) in zip(b.parameters, a.parameters) {
                    XCTAssertEqual(p.value, q.value, "\(arch) \(head): weights differ")
                }
                // The spec's own shape inference agrees with the engine's build.
                let rows = try spec.summary(inputShape: input)
                if head == .perLabel {
                    XCTAssertEqual(rows.map(\.name), a.summary.map(\.name))
                    XCTAssertEqual(rows.map(\.type), a.summary.map(\.type))
                    XCTAssertEqual(rows.map(\.input), a.summary.map(\.input))
                    XCTAssertEqual(rows.map(\.output), a.summary.map(\.output))
                    XCTAssertEqual(rows.map(\.params), a.summary.map(\.params))
                    XCTAssertEqual(rows.reduce(0) { $0 + $1.trainableParams },
                                   a.parameters.filter(\.trainable).reduce(0) { $0 + $1.value.count })
                }
            }
        }
    }

    /// A layer's type and every option the engine has, as text.
    static func describe(_ l: Layer) -> String {
        switch l {
        case let c as Conv2D:
            return "Conv2D \(c.name) \(c.filters) \(c.kernelSize) \(c.strides) \(c.padding) \(c.activation) \(c.useBias)"
        case let p as MaxPool2D: return "MaxPool2D \(p.name) \(p.poolSize) \(p.strides) \(p.padding)"
        case let d as Dense: return "Dense \(d.name) \(d.units) \(d.activation) \(d.useBias)"
        case let d as Dropout: return "Dropout \(d.name) \(d.rate)"
        case let b as BatchNormalization: return "BN \(b.name) \(b.momentum) \(b.epsilon)"
        case let r as LSTM: return "LSTM \(r.name) \(r.units) \(r.returnSequences)"
        case let a as ActivationLayer: return "Activation \(a.name) \(a.activation)"
        default: return "\(l.typeName) \(l.name)"
        }
    }

    /// Another image size through the study's input rule builds like the architecture.
    func testOtherInputSizesFollowTheArchitectureRule() throws {
        for arch in [Architecture.conv2, .lstm1, .fc2] {
            let spec = ModelSpec.builtin(arch)
            let shape = spec.inputShape(channels: 3, size: 32)
            XCTAssertEqual(shape, arch.inputShape(channels: 3, size: 32))
            let a = try arch.build(head: .joint, inputShape: shape, seed: 1)
            let b = try spec.build(head: .joint, inputShape: shape, seed: 1)
            XCTAssertEqual(a.summary, b.summary)
        }
        // conv4 pools 32×32 images down to nothing: the spec names the layer.
        let conv4 = ModelSpec.builtin(.conv4)
        XCTAssertThrowsError(try conv4.build(head: .perLabel, inputShape: [32, 32, 3], seed: 0)) { e in
            XCTAssertEqual("\(e)", "architectures/conv4.yaml: layers[3]: max_pooling2d_2: 5×5 pool on a 1×1 input with valid padding")
        }
    }

    func testSummaryTextPrintsKerasTotals() throws {
        let text = try ModelSpec.builtin(.conv2).summaryText()
        XCTAssertTrue(text.hasPrefix("Model: \"conv2\"\n"))
        XCTAssertTrue(text.contains("conv2d_1 (Conv2D)"))
        // Keras 3 prints the same totals for keras_zoo.conv(2) (fixture keras3-conv2.json).
        XCTAssertTrue(text.contains("Total params: 103,652 (404.89 KB)\n"), text)
        XCTAssertTrue(text.contains("Non-trainable params: 240 (960.00 B)\n"), text)
    }

    /// The printed summary, character for character, for a small model of every layer kind.
    func testSummaryTextSnapshot() throws {
        let spec = try ModelSpec.parse(yaml: """
        name: tiny
        input: [6, 6, 2]
        layers:
          - {type: Conv2D, filters: 3, kernel: 3, activation: relu}
          - {type: BatchNormalization}
          - {type: Flatten}
          - {type: Dense, units: 2, activation: softmax, name: head}
        """, source: "tiny.yaml")
        XCTAssertEqual(try spec.summaryText(), """
        Model: "tiny"
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        Layer (type)                                Output Shape              Param #
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        conv2d_1 (Conv2D)                           (None, 4, 4, 3)           57
        ──────────────────────────────────────────────────────────────────────────────────
        batch_normalization_1 (BatchNormalization)  (None, 4, 4, 3)           12
        ──────────────────────────────────────────────────────────────────────────────────
        flatten_1 (Flatten)                         (None, 48)                0
        ──────────────────────────────────────────────────────────────────────────────────
        head (Dense)                                (None, 2)                 98
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        Total params: 167 (668.00 B)
        Trainable params: 161 (644.00 B)
        Non-trainable params: 6 (24.00 B)

        """)
        // The same numbers as the engine's own summary of the built model.
        XCTAssertEqual(summaryText(try spec.build(seed: 0)).components(separatedBy: "\n").dropFirst(4).prefix(7).joined(separator: "\n"),
                       try spec.summaryText().components(separatedBy: "\n").dropFirst(4).prefix(7).joined(separator: "\n"))
    }

    func testDiagramNodesAndTitle() throws {
        let spec = ModelSpec.builtin(.conv1)
        XCTAssertEqual(try spec.diagramTitle(), "conv1 (1.a) — 26,217,730 parameters")
        let nodes = try spec.diagramNodes()
        XCTAssertEqual(nodes.count, 6)
        XCTAssertEqual(nodes[0].name, "input")
        XCTAssertEqual(nodes[0].output, "(None, 64, 64, 1)")
        XCTAssertEqual(nodes[1].name, "conv2d_1")
        XCTAssertEqual(nodes[1].output, "(None, 62, 62, 256)")
        XCTAssertEqual(nodes[1].activation, "relu")
        XCTAssertEqual(nodes[2].activation, nil)
        XCTAssertTrue(try spec.diagram().dot().contains("conv2d_1|Conv2D"))
    }
}
