import Foundation
import XCTest
import NN
import StudyData
@testable import Report

/// Hostile input and faults: each case of issue 11 reproduced on tiny generated data.
final class HardeningTests: XCTestCase {
    var root: URL!
    var data: URL { root.appendingPathComponent("data") }
    var out: URL { root.appendingPathComponent("out") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hardening-\(UUID().uuidString)")
        _ = try PhantomGenerator.write(to: data, config: PhantomConfig(scale: 0.01, seed: 9))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func config(_ f: (inout StudyConfig) -> Void = { _ in }) -> StudyConfig {
        var c = StudyEndToEndTests.tinyConfig()
        c.models = [.fc1]
        c.experiments = []
        f(&c)
        return c
    }

    func options(data: URL? = nil, out: URL? = nil, config: StudyConfig? = nil, forced: [String] = [],
                 defaultData: URL? = nil) -> StudyOptions {
        StudyOptions(dataDirectory: defaultData == nil ? (data ?? self.data) : nil, outputDirectory: out ?? self.out,
                     config: config ?? self.config(), forced: forced, quiet: true,
                     defaultDataDirectory: defaultData ?? root.appendingPathComponent("unused"))
    }

    func error(_ options: StudyOptions) -> String {
        do { _ = try Study.run(options); return "no error" } catch { return "\(error)" }
    }

    func testOutputThroughASymlinkIntoTheDataIsRefused() throws {
        let before = try StudyEndToEndTests.tree(data)
        let link = root.appendingPathComponent("LINK")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: data.appendingPathComponent("train_images"))
        let e = error(options(out: link.appendingPathComponent("output")))
        XCTAssertTrue(e.contains("inside the data folder"), e)
        XCTAssertTrue(error(options(out: data)).contains("inside the data folder"))
        XCTAssertTrue(error(options(out: root)).contains("contains the data folder"))
        XCTAssertEqual(try StudyEndToEndTests.tree(data), before, "the data folder is untouched")
    }

    func testAFolderThisProgramDidNotMakeIsNeverDeleted() throws {
        // A ./data/phantom that is not ours.
        let phantom = root.appendingPathComponent("phantom")
        try FileManager.default.createDirectory(at: phantom, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: phantom.appendingPathComponent("notes.txt"))
        let e = error(options(defaultData: phantom))
        XCTAssertTrue(e.contains("was not written by this program"), e)
        XCTAssertTrue(FileManager.default.fileExists(atPath: phantom.appendingPathComponent("notes.txt").path))
        // An output folder holding someone else's file.
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: out.appendingPathComponent("thesis.tex"))
        let o = error(options())
        XCTAssertTrue(o.contains("holds files this program did not write (thesis.tex)"), o)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("thesis.tex").path))
        XCTAssertTrue(error(options(out: URL(fileURLWithPath: ""))).contains("--out"))
    }

    func testEmptySplitsAreRefusedBeforeAnyCellRuns() throws {
        try "id,label1,label2,label3\n".write(to: data.appendingPathComponent("val_labels.csv"), atomically: true, encoding: .utf8)
        for f in try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("val_images").path) {
            try FileManager.default.removeItem(at: data.appendingPathComponent("val_images/\(f)"))
        }
        let e = error(options())
        XCTAssertTrue(e.contains("val_labels.csv"), e)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent(".cache").path), "no cell ran")
        try "id,label1,label2,label3\n".write(to: data.appendingPathComponent("train_labels.csv"), atomically: true, encoding: .utf8)
        for f in try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("train_images").path) {
            try FileManager.default.removeItem(at: data.appendingPathComponent("train_images/\(f)"))
        }
        XCTAssertTrue(error(options()).contains("train"), error(options()))
    }

    func testPatternsThatMatchNoCellAreRefused() {
        let e = error(options(forced: ["train/conv9"]))
        XCTAssertTrue(e.contains("--force train/conv9 matches no cell"), e)
    }

    func testASecondRunOnTheSameOutputIsRefusedWithThePID() throws {
        let folder = try OutputFolder(out, data: data)
        let lock = try folder.lock()
        defer { lock.release() }
        let e = error(options())
        XCTAssertTrue(e.contains("in use by another run (PID \(getpid()))"), e)
    }

    /// A divergence to NaN is reported as diverged in every table; it never brings the run down.
    func testADivergedModelIsReportedNotFatal() throws {
        let outcome = try Study.run(options(config: config { $0.learningRate = 1e12 }))
        let md = try String(contentsOf: XCTUnwrap(outcome.report).deletingLastPathComponent().appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("diverged"), "the report says the model diverged")
        let metrics = try String(contentsOf: out.appendingPathComponent("tables/metrics.csv"), encoding: .utf8)
        XCTAssertTrue(metrics.contains(",diverged\n"), metrics)
        XCTAssertFalse(metrics.contains("nan"))
    }

    /// User-supplied names reach the Markdown escaped: a data folder named like a link is
    /// shown as text and never becomes a `javascript:` link in the HTML.
    func testLinkInjectionThroughTheDataPathIsText() throws {
        let hostile = root.appendingPathComponent("[x](javascript:alert(1))")
        try FileManager.default.moveItem(at: data, to: hostile)
        let outcome = try Study.run(options(data: hostile))
        let html = try String(contentsOf: XCTUnwrap(outcome.report), encoding: .utf8)
        XCTAssertFalse(html.lowercased().contains("href=\"javascript:"), "no javascript: link")
        XCTAssertTrue(html.contains("[x](javascript:alert(1))"), "the path is shown as text")
    }
}
