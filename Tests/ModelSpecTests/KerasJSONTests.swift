import Foundation
import ModelSpec
import NN
import XCTest

/// Fixtures written by real Keras (scripts/keras-fixtures.py): Keras 3 (`keras`) and Keras 2
/// (`tf_keras`) spellings of the anchors' conv2 and lstm1 and two small custom models.
final class KerasJSONTests: XCTestCase {
    struct Fixture: Decodable {
        struct Row: Decodable { let name: String; let class_name: String; let output: [Int]; let params: Int }
        let keras_version: String
        let params: Int
        let trainable_params: Int
        let total_params_line: String
        let layers: [Row]
        let to_json: String
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras")

    func fixtures() throws -> [(String, Fixture)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: KerasJSONTests.folder.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 8)
        return try files.map { f in
            let data = try Data(contentsOf: KerasJSONTests.folder.appendingPathComponent(f))
            return (f, try JSONDecoder().decode(Fixture.self, from: data))
        }
    }

    func testEveryFixtureGivesKerasShapesAndCounts() throws {
        for (file, fx) in try fixtures() {
            let spec = try ModelSpec.parse(kerasJSON: fx.to_json, source: file)
            let rows = try spec.summary()
            XCTAssertEqual(rows.map(\.name), fx.layers.map(\.name), file)
            XCTAssertEqual(rows.map(\.type), fx.layers.map(\.class_name), file)
            XCTAssertEqual(rows.map(\.output), fx.layers.map(\.output), file)
            XCTAssertEqual(rows.map(\.params), fx.layers.map(\.params), file)
            XCTAssertEqual(try spec.parameterCount(), fx.params, file)
            XCTAssertEqual(rows.reduce(0) { $0 + $1.trainableParams }, fx.trainable_params, file)
            if file.hasPrefix("keras3") {
                XCTAssertEqual(ModelSpec.totalLine("Total params", fx.params), fx.total_params_line, file)
                XCTAssertTrue(try spec.summaryText().contains(fx.total_params_line + "\n"), file)
            }
            // The engine builds it with Keras's counts (the small ones: drawing 26 M weights is slow in debug).
            guard fx.params < 2_000_000 else { continue }
            let model = try spec.build(seed: 3)
            XCTAssertEqual(model.parameterCount, fx.params, file)
            XCTAssertEqual(model.outputShape, fx.layers.last!.output, file)
        }
    }

    func testKeras2And3SpellingsGiveTheSameSpec() throws {
        let all = Dictionary(uniqueKeysWithValues: try fixtures())
        for model in ["conv2", "lstm1", "custom", "lstm_tail", "input_arg"] {
            let a = try ModelSpec.parse(kerasJSON: all["keras2-\(model).json"]!.to_json, source: "k2")
            let b = try ModelSpec.parse(kerasJSON: all["keras3-\(model).json"]!.to_json, source: "k3")
            XCTAssertEqual(a.inputShape, b.inputShape, model)
            XCTAssertEqual(a.layers.map(\.kind), b.layers.map(\.kind), model)
        }
    }

    /// Keras's own study models (the anchors' definitions) read as the shipped files, and
    /// the shipped files give Keras's shapes and counts.
    func testKerasStudyModelsAreTheShippedSpecs() throws {
        let all = Dictionary(uniqueKeysWithValues: try fixtures())
        for arch in Architecture.allCases {
            let fx = try XCTUnwrap(all["keras3-\(arch.rawValue).json"])
            let keras = try ModelSpec.parse(kerasJSON: fx.to_json, source: arch.rawValue)
            let shipped = ModelSpec.builtin(arch)
            XCTAssertEqual(keras.layers.map(\.kind), shipped.layers.map(\.kind), "\(arch)")
            XCTAssertEqual(keras.inputShape, shipped.inputShape, "\(arch)")
            XCTAssertEqual(keras.writtenHead, .perLabel)
            let rows = try shipped.summary()
            XCTAssertEqual(rows.map(\.type), fx.layers.map(\.class_name), "\(arch)")
            XCTAssertEqual(rows.map(\.output), fx.layers.map(\.output), "\(arch)")
            XCTAssertEqual(rows.map(\.params), fx.layers.map(\.params), "\(arch)")
            XCTAssertEqual(try shipped.parameterCount(), fx.params, "\(arch)")
        }
    }

    func testLoadRecognisesKerasJSONFiles() throws {
        let fx = try fixtures().first { $0.0 == "keras3-custom.json" }!.1
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keras-custom-\(getpid()).json")
        try fx.to_json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let spec = try ModelSpec.load(url)
        XCTAssertEqual(spec.name, "custom")
        XCTAssertEqual(spec.layers.first?.name, "stem")
        XCTAssertEqual(spec.writtenHead, .joint)
    }

    /// Without an InputLayer (older files, or a model made by model.build((None, …))) the
    /// input comes from the config's build_input_shape.
    func testInputFromBuildInputShape() throws {
        let fx = try fixtures().first { $0.0 == "keras3-input_arg.json" }!.1
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fx.to_json.utf8)) as? [String: Any])
        var config = try XCTUnwrap(root["config"] as? [String: Any])
        var layers = try XCTUnwrap(config["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.first?["class_name"] as? String, "InputLayer")
        layers.removeFirst()
        config["layers"] = layers
        XCTAssertNotNil(config["build_input_shape"])
        root["config"] = config
        let text = String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
        let spec = try ModelSpec.parse(kerasJSON: text, source: "built.json")
        XCTAssertEqual(spec.inputShape, [5])
        XCTAssertEqual(try spec.parameterCount(), fx.params)
        config.removeValue(forKey: "build_input_shape")
        root["config"] = config
        let none = String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
        XCTAssertThrowsError(try ModelSpec.parse(kerasJSON: none, source: "none.json")) { e in
            XCTAssertTrue("\(e)".contains("no input shape"), "\(e)")
        }
    }

    /// Keras ≤ 2.2 wrote `config` as the bare layer list, the input on the first layer.
    func testOldestKeras2Layout() throws {
        let fx = try fixtures().first { $0.0 == "keras2-input_arg.json" }!.1
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fx.to_json.utf8)) as? [String: Any])
        var layers = try XCTUnwrap((root["config"] as? [String: Any])?["layers"] as? [[String: Any]])
        layers.removeFirst()  // the InputLayer; the first Dense keeps batch_input_shape
        root["config"] = layers
        let text = String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
        let spec = try ModelSpec.parse(kerasJSON: text, source: "old.json")
        XCTAssertEqual(spec.name, "sequential")
        XCTAssertEqual(spec.inputShape, [5])
        XCTAssertEqual(try spec.parameterCount(), fx.params)
    }

    /// Replaces the first occurrence of `a` in a fixture's JSON by `b`.
    func edited(_ file: String, _ a: String, _ b: String) throws -> String {
        let fx = try fixtures().first { $0.0 == file }!.1
        let r = try XCTUnwrap(fx.to_json.range(of: a), "\(a) not in \(file)")
        return fx.to_json.replacingCharacters(in: r, with: b)
    }

    func testUnsupportedLayersAndOptionsAreNamed() throws {
        func message(_ text: String) -> String {
            do { _ = try ModelSpec.parse(kerasJSON: text, source: "m.json"); return "no error" } catch { return "\(error)" }
        }
        let conv3d = message(try edited("keras3-custom.json", "\"class_name\": \"Conv2D\"", "\"class_name\": \"Conv3D\""))
        XCTAssertTrue(conv3d.hasPrefix("m.json:1: config.layers[1]: stem (Conv3D): unsupported layer type 'Conv3D'"), conv3d)
        XCTAssertTrue(conv3d.contains("the engine has Conv2D, MaxPooling2D, Dense"), conv3d)
        let tanh = message(try edited("keras3-custom.json", "\"activation\": \"relu\", \"use_bias\": false", "\"activation\": \"tanh\", \"use_bias\": false"))
        XCTAssertTrue(tanh.contains("config.layers[9].config.activation: dense_"), tanh)
        XCTAssertTrue(tanh.contains(" (Dense): unsupported activation 'tanh' (the engine has linear, relu, sigmoid, softmax)"), tanh)
        let dilated = message(try edited("keras2-conv2.json", "\"dilation_rate\": [1, 1]", "\"dilation_rate\": [2, 2]"))
        XCTAssertTrue(dilated.contains("(Conv2D): dilation_rate other than 1 is not supported by the engine"), dilated)
        let functional = message(try edited("keras3-lstm_tail.json", "\"class_name\": \"Sequential\"", "\"class_name\": \"Functional\""))
        XCTAssertTrue(functional.hasSuffix("class_name: a Functional model; only Sequential models can be read"), functional)
        let open = message(try edited("keras3-lstm_tail.json", "\"batch_shape\": [null, 10, 6]", "\"batch_shape\": [null, null, 6]"))
        XCTAssertTrue(open.contains("the engine needs every input size fixed"), open)
    }
}
