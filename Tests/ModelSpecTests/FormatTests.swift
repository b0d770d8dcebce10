import Foundation
import ModelSpec
import NN
import XCTest
import Yams

/// The YAML/JSON format: reading, its errors, names, shape inference and heads.
final class FormatTests: XCTestCase {
    func error(_ yaml: String) -> String {
        do { _ = try ModelSpec.parse(yaml: yaml, source: "m.yaml"); return "no error" } catch { return "\(error)" }
    }

    func testUnknownLayerTypeListsTheKnownOnes() {
        let e = error("""
        name: m
        input: [8, 8, 1]
        layers:
          - {type: Conv2D, filters: 2, kernel: 3}
          - {type: Flatten}
          - {type: Dense, units: 2}
          - {type: Conv3D, filters: 2}
        """)
        XCTAssertEqual(e, "m.yaml:7: layers[3]: unknown layer type 'Conv3D' (did you mean 'Conv2D'? known: Conv2D, "
                       + "MaxPooling2D, Dense, Dropout, Flatten, BatchNormalization, LSTM, Activation)")
        XCTAssertTrue(error("name: m\ninput: [3]\nlayers:\n  - {type: Reshape}\n")
            .hasSuffix("layers[0]: unknown layer type 'Reshape' (known: Conv2D, MaxPooling2D, Dense, Dropout, Flatten, "
                       + "BatchNormalization, LSTM, Activation)"))
    }

    func testUnknownFieldsSuggestTheNearest() {
        let e = error("name: m\ninput: [8, 8, 1]\nlayers:\n  - type: Conv2D\n    filter: 2\n    kernel: 3\n")
        XCTAssertEqual(e, "m.yaml:5: layers[0]: unknown field 'filter' (did you mean 'filters'?); known: type, name, "
                       + "filters, kernel, strides, padding, activation, use_bias")
        XCTAssertTrue(error("name: m\ninput: [8, 8, 1]\nlayers:\n  - {type: Conv2D, filters: 2, kernel_size: 3}\n")
            .contains("unknown field 'kernel_size' (did you mean 'kernel'?)"))
        XCTAssertTrue(error("name: m\ninput_shape: [8]\nlayers:\n  - {type: Dense, units: 2}\n")
            .contains("unknown field 'input_shape' (did you mean 'input'?)"))
        XCTAssertTrue(error("name: m\ninput: [8]\nlayers:\n  - {type: Dense, units: 2, activation: tanh}\n")
            .hasSuffix("layers[0].activation: unknown activation 'tanh' (known: linear, relu, sigmoid, softmax)"))
        XCTAssertTrue(error("name: m\ninput: [8]\nlayers:\n  - {type: Dense, units: \"2\"}\n")
            .hasSuffix("layers[0].units: expected a whole number, got '2'"))
        XCTAssertTrue(error("name: m\ninput: [8]\nlayers:\n  - {type: Dense}\n").hasSuffix("layers[0]: missing field 'units'"))
        XCTAssertTrue(error("name: m\ninput: [8]\nlayers:\n  - {type: Dropout, rate: 1.5}\n")
            .hasSuffix("layers[0].rate: must be in [0, 1), got 1.5"))
        XCTAssertTrue(error("name: m\ninput: [8]\nlayers: [").hasPrefix("m.yaml:"))
    }

    func testShapeInferenceNamesTheFirstImpossibleLayer() throws {
        let spec = try ModelSpec.parse(yaml: """
        name: small
        input: [16, 16, 1]
        layers:
          - {type: Conv2D, filters: 4, kernel: 3}
          - {type: MaxPooling2D}
          - {type: Conv2D, filters: 4, kernel: 3}
          - {type: Conv2D, filters: 4, kernel: 3}
          - {type: Conv2D, filters: 4, kernel: 3}
          - {type: Flatten}
          - {type: Dense, units: 2, activation: softmax}
        """, source: "small.yaml")
        // 16 → 14 → 7 → 5 → 3 → 1: fits. With 3×3 on 2×2 it does not.
        XCTAssertEqual(try spec.outputShape(), [2])
        var tooSmall = spec
        tooSmall.inputShape = [14, 14, 1]  // 12 → 6 → 4 → 2 → ✗
        XCTAssertThrowsError(try tooSmall.summary()) { e in
            XCTAssertEqual("\(e)", "small.yaml: layers[4]: conv2d_4: 3×3 kernel on a 2×2 input with valid padding")
        }
        XCTAssertThrowsError(try tooSmall.build(seed: 0))
        var rank = spec
        rank.inputShape = [256]
        XCTAssertThrowsError(try rank.summary()) { e in
            XCTAssertEqual("\(e)", "small.yaml: layers[0]: conv2d_1: Conv2D needs a (height, width, channels) input, got (256,)")
        }
    }

    func testNamesAreTheEnginesAndMustBeUnique() throws {
        let spec = try ModelSpec.parse(yaml: """
        name: n
        input: [10, 4]
        layers:
          - {type: LSTM, units: 3, return_sequences: true, name: encoder}
          - {type: LSTM, units: 3}
          - {type: Dense, units: 2, activation: sigmoid}
        """, source: "n.yaml")
        XCTAssertEqual(spec.resolvedNames, ["encoder", "lstm_2", "dense_1"])
        let model = try spec.build(seed: 1)
        XCTAssertEqual(model.summary.map(\.name), ["encoder", "lstm_2", "dense_1"])
        XCTAssertEqual(model.summary.map(\.output), [[10, 3], [3], [2]])
        XCTAssertEqual(error("name: n\ninput: [4]\nlayers:\n  - {type: Dense, units: 2, name: dense_2}\n  - {type: Dense, units: 2}\n"),
                       "m.yaml: layers[1]: layer name 'dense_2' is already used by layers[0]; names must be unique")
    }

    func testOptionsReachTheEngine() throws {
        let spec = try ModelSpec.parse(yaml: """
        name: opts
        input: [9, 12, 2]
        layers:
          - {type: Conv2D, filters: 3, kernel: [2, 3], strides: [1, 2], padding: same, use_bias: false}
          - {type: BatchNormalization, momentum: 0.9, epsilon: 0.00001}
          - {type: Activation, activation: relu}
          - {type: MaxPooling2D, pool: [3, 2], strides: 1}
          - {type: Flatten}
          - {type: Dense, units: 3, activation: sigmoid}
        """, source: "opts.yaml")
        let model = try spec.build(seed: 2)
        let conv = try XCTUnwrap(model.layers[0] as? Conv2D)
        XCTAssertEqual(conv.kernelSize.0, 2); XCTAssertEqual(conv.kernelSize.1, 3)
        XCTAssertEqual(conv.strides.1, 2); XCTAssertEqual(conv.padding, .same); XCTAssertFalse(conv.useBias)
        let bn = try XCTUnwrap(model.layers[1] as? BatchNormalization)
        XCTAssertEqual(bn.momentum, 0.9); XCTAssertEqual(bn.epsilon, 1e-5)
        let pool = try XCTUnwrap(model.layers[3] as? MaxPool2D)
        XCTAssertEqual(pool.poolSize.0, 3); XCTAssertEqual(pool.strides.0, 1)
        XCTAssertEqual(model.summary.map(\.output), [[9, 6, 3], [9, 6, 3], [9, 6, 3], [7, 5, 3], [105], [3]])
        XCTAssertEqual(model.parameterCount, try spec.parameterCount())
        XCTAssertEqual(spec.writtenHead, .joint)
        // A joint-only file cannot give the per-label model; it gives the joint one as written.
        XCTAssertThrowsError(try spec.build(head: .perLabel, seed: 0)) { e in
            XCTAssertTrue("\(e)".contains("written for the joint head"), "\(e)")
        }
        XCTAssertEqual(try spec.build(head: .joint, seed: 2).summary, model.summary)
    }

    func testHeads() throws {
        let spec = ModelSpec.builtin(.fc1)
        let joint = try spec.layers(for: .joint)
        XCTAssertEqual(joint.last, LayerSpec(.dense(units: 3, activation: .sigmoid, useBias: true), name: "dense_3"))
        var free = spec
        free.layers[free.layers.count - 1] = LayerSpec(.dense(units: 10, activation: .softmax, useBias: true))
        XCTAssertNil(free.writtenHead)
        XCTAssertThrowsError(try free.build(head: .joint, seed: 0)) { e in
            XCTAssertTrue("\(e)".hasSuffix("this model ends in Dense(10, softmax)"), "\(e)")
        }
        XCTAssertEqual(try free.build(seed: 0).outputShape, [10])
        // A head on a feature map (no Flatten) is not a study model.
        let map = try ModelSpec.parse(yaml: "name: map\ninput: [5, 5, 1]\nlayers:\n  - {type: Dense, units: 2, activation: softmax}\n",
                                      source: "map.yaml")
        XCTAssertEqual(map.writtenHead, .perLabel)
        XCTAssertThrowsError(try map.build(head: .perLabel, seed: 0)) { e in
            XCTAssertEqual("\(e)", "map.yaml: layers[0]: the study needs one score per class, output (2,); this model gives "
                           + "(5, 5, 2) — add a Flatten before the head")
        }
    }

    func testJSONAndCodableRoundTrip() throws {
        let json = """
        {"name": "fc", "label": "x", "input": [12],
         "layers": [{"type": "Dense", "units": 4, "activation": "relu"}, {"type": "Dropout", "rate": 0.5},
                    {"type": "Dense", "units": 2, "activation": "softmax"}]}
        """
        let a = try ModelSpec.parse(json: json, source: "fc.json")
        XCTAssertEqual(try a.outputShape(), [2])
        XCTAssertEqual(try a.parameterCount(), 12 * 4 + 4 + 4 * 2 + 2)
        for spec in ModelSpec.builtins + [a] {
            let data = try JSONEncoder().encode(spec)
            XCTAssertEqual(try JSONDecoder().decode(ModelSpec.self, from: data), spec)
        }
        // Decoding through Codable applies the same checks.
        let bad = Data(#"{"name": "m", "input": [3], "layers": [{"type": "Dense", "unit": 2}]}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(ModelSpec.self, from: bad)) { e in
            guard case DecodingError.dataCorrupted(let ctx) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(ctx.debugDescription, "model: layers[0]: unknown field 'unit' (did you mean 'units'?); known: type, name, "
                           + "units, activation, use_bias")
        }
    }

    /// A spec inside another YAML document (as a run configuration's `architectures:` list
    /// could hold it), through Yams's Codable decoder and back.
    func testSpecsInsideAYAMLDocument() throws {
        struct Config: Codable, Equatable { var seed: Int; var architectures: [ModelSpec] }
        let yaml = """
        seed: 3
        architectures:
          - name: tiny
            input: [8, 8, 1]
            layers:
              - {type: Conv2D, filters: 2, kernel: [3, 1], padding: same, activation: relu}
              - {type: MaxPooling2D}
              - {type: Flatten}
              - {type: Dense, units: 2, activation: softmax, name: head}
        """
        let c = try YAMLDecoder().decode(Config.self, from: yaml)
        XCTAssertEqual(c.architectures.count, 1)
        let spec = c.architectures[0]
        XCTAssertEqual(spec.layers[0].kind, .conv2D(filters: 2, kernel: Size2(3, 1), strides: Size2(1, 1), padding: .same,
                                                    activation: .relu, useBias: true))
        XCTAssertEqual(spec.resolvedNames, ["conv2d_1", "max_pooling2d_1", "flatten_1", "head"])
        XCTAssertEqual(try spec.outputShape(), [2])
        XCTAssertEqual(try YAMLDecoder().decode(Config.self, from: try YAMLEncoder().encode(c)), c)
        let bad = yaml.replacingOccurrences(of: "type: MaxPooling2D", with: "type: MaxPooling2D, pool_size: 2")
        XCTAssertThrowsError(try YAMLDecoder().decode(Config.self, from: bad)) { e in
            guard case DecodingError.dataCorrupted(let ctx) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(ctx.debugDescription.hasPrefix("architectures[0]: layers[1]: unknown field 'pool_size' (did you mean 'pool'?)"),
                          ctx.debugDescription)
            XCTAssertTrue(ctx.underlyingError is SpecError)
        }
    }
}
