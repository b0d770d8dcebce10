import Foundation
import XCTest
import NN
import StudyData
import Training
@testable import Report

/// A user's model file in the study (`architectures:` / `--architecture`): it trains beside
/// the study's models and shows up in every table and figure, its whole spec is part of its
/// training cells' key, a bad file is refused at start naming it, and `onnx: true` exports
/// every trained network.
final class UserArchitectureTests: XCTestCase {
    var root: URL!
    var data: URL { root.appendingPathComponent("data") }
    var out: URL { root.appendingPathComponent("out") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("user-arch-\(UUID().uuidString)")
        _ = try PhantomGenerator.write(to: data, config: PhantomConfig(scale: 0.01, seed: 5))
    }

    override func tearDownWithError() throws {
        if ProcessInfo.processInfo.environment["KEEP_USER_ARCH"] == nil { try? FileManager.default.removeItem(at: root) }
    }

    /// A small fully connected model in the format of docs/architectures-format.md.
    static func tinyYAML(units: Int = 8) -> String {
        """
        name: tiny
        label: "9"
        input: [4096]
        layers:
          - {type: Dense, units: \(units), activation: relu}
          - {type: Dense, units: 2, activation: softmax}
        """
    }

    func write(_ text: String, _ name: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// A configuration file naming `models/tiny.yaml` relative to its own folder, read as
    /// `report run --config` reads it, then made tiny like StudyEndToEndTests' runs.
    func config(extra: String = "") throws -> StudyConfig {
        let file = try write("models: [fc1]\narchitectures: [models/tiny.yaml]\n" + extra, "config/run.yaml")
        var c = try StudyConfig.load(file, base: .quick)
        c.trainLimit = 60
        c.epochs = 1
        c.budgetSeconds = nil
        c.experimentModel = .fc1
        c.experimentEpochs = 1
        c.experiments = [.heads]
        c.repeats = 1
        c.bootstrapResamples = 200
        return c
    }

    func options(_ config: StudyConfig) -> StudyOptions {
        StudyOptions(dataDirectory: data, outputDirectory: out, config: config, quiet: true,
                     defaultDataDirectory: root.appendingPathComponent("unused"))
    }

    func testUserModelTrainsRanksAndIsDrawnAndEveryNetworkIsExportedToONNX() throws {
        _ = try write(Self.tinyYAML(), "config/models/tiny.yaml")
        let cfg = try config(extra: "onnx: true\n")
        XCTAssertEqual(cfg.architectures.map(\.name), ["tiny"])
        XCTAssertTrue(cfg.onnx)
        let outcome = try Study.run(options(cfg))
        XCTAssertTrue(outcome.timings.contains { $0.cell == "train/tiny-joint" && !$0.cached })

        let metrics = try String(contentsOf: out.appendingPathComponent("tables/metrics.csv"), encoding: .utf8)
        let tinyRows = metrics.split(separator: "\n").filter { $0.hasPrefix("tiny-joint,") }
        XCTAssertEqual(tinyRows.filter { $0.contains(",val,") }.count, 3, "one val row per label")

        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let models = (md.components(separatedBy: "## Models").last ?? "").components(separatedBy: "## Augmentations")[0]
        XCTAssertTrue(models.contains("### tiny (9)"), "the Models section lists the user's model")
        XCTAssertTrue(models.contains("figures/architecture-tiny.png"))
        XCTAssertTrue(models.contains("one model of your own (tiny)"), String(models.prefix(300)))
        let results = md.components(separatedBy: "## Results").dropFirst().joined()
        XCTAssertTrue(results.contains("tiny-joint"), "the results table ranks the user's model")

        let fm = FileManager.default
        for path in ["figures/architecture-tiny.png", "figures/architecture-tiny.svg", "architectures/tiny.png",
                     "architectures/tiny.dot", "predictions/tiny-joint.csv", "models/tiny-joint.safetensors"] {
            XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent(path).path), path)
        }

        // One .onnx (and its reference sidecar) per trained network: exactly the weights files.
        let weights = try fm.contentsOfDirectory(atPath: out.appendingPathComponent("models").path)
            .filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }.sorted()
        let onnxDir = out.appendingPathComponent("onnx")
        let onnx = try fm.contentsOfDirectory(atPath: onnxDir.path)
        XCTAssertEqual(onnx.filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(".onnx".count)) }.sorted(), weights)
        XCTAssertTrue(weights.contains("tiny-joint") && weights.contains("fc1-perlabel-label2"), "\(weights)")
        for w in weights {
            XCTAssertTrue(onnx.contains("\(w).io.json"), w)
            let size = try fm.attributesOfItem(atPath: onnxDir.appendingPathComponent("\(w).onnx").path)[.size] as? Int ?? 0
            XCTAssertGreaterThan(size, 4096 * 8 * 4, "\(w).onnx holds the weights")
        }
    }

    func testEditingTheSpecChangesOnlyItsTrainingKeys() throws {
        let spec = try write(Self.tinyYAML(units: 8), "config/models/tiny.yaml")
        func keys() throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try Study.plan(options(try config())).map { ($0.cell, $0.key) })
        }
        let before = try keys()
        XCTAssertNotNil(before["train/tiny-joint"], "\(before.keys.sorted())")
        XCTAssertEqual(try keys(), before, "reading the same file twice gives the same keys")
        try Data(Self.tinyYAML(units: 9).utf8).write(to: spec)
        let after = try keys()
        XCTAssertNotEqual(after["train/tiny-joint"], before["train/tiny-joint"])
        XCTAssertEqual(after["train/fc1-joint"], before["train/fc1-joint"])
        XCTAssertEqual(after["analysis"], before["analysis"])
    }

    func testBadFilesAreRefusedAtStartNamingTheFile() throws {
        _ = try write("name: tiny\ninput: [4096]\nlayers:\n  - {type: Dense2, units: 2}\n", "config/models/tiny.yaml")
        XCTAssertThrowsError(try config()) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("run.yaml") && m.contains("architectures[0]") && m.contains("tiny.yaml"), m)
            XCTAssertTrue(m.contains("Dense2"), m)
        }
        try FileManager.default.removeItem(at: root.appendingPathComponent("config/models/tiny.yaml"))
        XCTAssertThrowsError(try config()) { e in XCTAssertTrue("\(e)".contains("tiny.yaml"), "\(e)") }

        // Names must be file-safe and not a study architecture's.
        for (name, says) in [("my model", "file-name-safe"), ("conv2", "study architecture"), ("../x", "file-name-safe")] {
            let yaml = Self.tinyYAML().replacingOccurrences(of: "name: tiny", with: "name: \"\(name)\"")
            let url = try write(yaml, "config/models/tiny.yaml")
            XCTAssertThrowsError(try StudyConfig.customModel(url, head: .joint)) { e in
                XCTAssertTrue("\(e)".contains(says) && "\(e)".contains("tiny.yaml"), "\(e)")
            }
        }
        // A model the study cannot train (no study head) is refused before any training.
        let noHead = try write("name: nohead\ninput: [4096]\nlayers:\n  - {type: Dense, units: 5}\n", "nohead.yaml")
        XCTAssertThrowsError(try StudyConfig.customModel(noHead, head: .joint)) { e in
            XCTAssertTrue("\(e)".contains("nohead.yaml") && "\(e)".contains("head"), "\(e)")
        }
        // Two models of one name.
        let tiny = try write(Self.tinyYAML(), "a/tiny.yaml")
        var c = StudyConfig.defaults(for: .quick)
        c.architectures = [try StudyConfig.customModel(tiny, head: .joint), try StudyConfig.customModel(tiny, head: .joint)]
        XCTAssertThrowsError(try c.validate()) { e in XCTAssertTrue("\(e)".contains("'tiny'"), "\(e)") }
    }

    func testAStudyModelEncodesAsBeforeAndAUserModelWhole() throws {
        let v = Plan(config: StudyConfig.defaults(for: .quick), sizes: Plan.Sizes(main: [:], experiment: Plan.Size(trainLimit: nil, epochs: 1),
                                                                                  experimentArchitectures: [:])).main.rows[0].variant
        let json = String(decoding: try StableJSON.encode(v), as: UTF8.self)
        XCTAssertTrue(json.contains("\"architecture\":\"conv1\""), json)
        XCTAssertEqual(try StableJSON.decode(Variant.self, from: try StableJSON.encode(v)), v)
        let url = try write(Self.tinyYAML(), "tiny.yaml")
        var u = v
        u.model = .custom(try StudyConfig.customModel(url, head: .joint))
        let round = try StableJSON.decode(Variant.self, from: try StableJSON.encode(u))
        XCTAssertEqual(round, u)
        XCTAssertEqual(round.model.kind, .fullyConnected)
        XCTAssertEqual(round.model.inputShape(channels: 1, size: 64), [4096])
    }
}
