import Foundation
import XCTest
import NN
import StudyData
@testable import Report

/// The whole study on a tiny generated dataset: every output is written, a second run
/// recomputes nothing, and bad set-ups fail with a message naming the problem.
final class StudyEndToEndTests: XCTestCase {
    var root: URL!
    var data: URL { root.appendingPathComponent("data") }
    var out: URL { root.appendingPathComponent("out") }
    var testLabels: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("study-e2e-\(UUID().uuidString)")
        testLabels = try PhantomGenerator.write(to: data, config: PhantomConfig(scale: 0.01, seed: 5))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    var templates: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("report-templates")
    }

    func options(config: StudyConfig? = nil, out: URL? = nil, labels: URL? = nil) -> StudyOptions {
        var c = config ?? StudyConfig.defaults(for: .quick)
        if config == nil {
            c.models = [.fc1, .fc2]
            c.trainLimit = 60
            c.epochs = 1
            c.experimentModel = .fc1
            c.experimentEpochs = 1
            c.curveEpochs = [1]
            c.learningRates = [1e-3]
            c.experimentIds = ["heads", "black-policy"]
        }
        return StudyOptions(dataDirectory: data, outputDirectory: out ?? self.out, templatesDirectory: templates,
                            config: c, testLabels: labels, useCache: true, forced: [], quiet: true,
                            defaultDataDirectory: root.appendingPathComponent("unused"))
    }

    func testRunWritesEveryProductAndASecondRunIsCached() throws {
        let before = try FileManager.default.subpathsOfDirectory(atPath: data.path).sorted()
        let first = Study(options: options(labels: testLabels))
        let html = try first.run()
        let fm = FileManager.default
        for path in ["report.md", "report.html", "submission.csv", "tables/metrics.csv", "run.json",
                     "predictions/fc1-joint.csv", "models/fc1-joint.safetensors", "figures/results-f1-by-model.png",
                     "figures/results-f1-by-model@2x.png", "figures/results-f1-by-model.svg", "figures/results-f1-by-model.pdf",
                     "architectures/conv5.png", "architectures/conv5.dot", "figures/augmentation-gallery.png"] {
            XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent(path).path), "missing \(path)")
        }
        let page = try String(contentsOf: html, encoding: .utf8)
        XCTAssertFalse(page.contains("src=\"figures/"), "every figure is embedded")
        XCTAssertTrue(page.contains("data:image/png;base64,"))
        XCTAssertTrue(page.contains("<nav class=\"toc\""))

        // The submission: header, every test id once, in sample_submission order, labels 0/1.
        let ds = try Dataset.load(from: data)
        let lines = try String(contentsOf: out.appendingPathComponent("submission.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "id,label1,label2,label3")
        XCTAssertEqual(lines.dropFirst().map { String($0.split(separator: ",")[0]) }, ds.test.ids)
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.split(separator: ",").dropFirst().allSatisfy { $0 == "0" || $0 == "1" } })

        let metrics = try String(contentsOf: out.appendingPathComponent("tables/metrics.csv"), encoding: .utf8)
        XCTAssertTrue(metrics.hasPrefix("model,head,label,split,threshold,precision,recall,f1,accuracy,ap\n"))
        XCTAssertTrue(metrics.contains(",test,"), "test split scored when labels are supplied")

        // Nothing was written into the data folder.
        XCTAssertEqual(try fm.subpathsOfDirectory(atPath: data.path).sorted(), before)

        // Second run: every cell comes from the cache.
        let second = Study(options: options(labels: testLabels))
        try second.run()
        XCTAssertFalse(second.cache.timings.isEmpty)
        XCTAssertTrue(second.cache.timings.allSatisfy(\.cached), "\(second.cache.timings.filter { !$0.cached })")

        // A changed training setting recomputes only what depends on it.
        var changed = options(labels: testLabels).config
        changed.epochs = 2
        let third = Study(options: options(config: changed, labels: testLabels))
        try third.run()
        XCTAssertTrue(third.cache.timings.contains { $0.cell == "analysis" && $0.cached })
        XCTAssertTrue(third.cache.timings.contains { $0.cell == "train/fc1-joint" && !$0.cached })
    }

    func testOutputInsideDataIsRefused() {
        XCTAssertThrowsError(try Study(options: options(out: data.appendingPathComponent("out"))).run()) { e in
            XCTAssertTrue("\(e)".contains("inside the data folder"), "\(e)")
        }
    }

    func testBrokenLabelFileStopsWithItsNameAndLine() throws {
        let csv = data.appendingPathComponent("val_labels.csv")
        var text = try String(contentsOf: csv, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n", with: "\n", options: [], range: nil)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[3].split(separator: ",").map(String.init)
        fields[2] = "7"
        lines[3] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Study(options: options()).run()) { e in
            XCTAssertTrue("\(e)".contains("val_labels.csv"), "\(e)")
            XCTAssertTrue("\(e)".contains("line 4"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.html").path))
    }
}
