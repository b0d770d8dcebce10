import Foundation
import XCTest
import NN
import StudyData
@testable import Report

/// The whole study on a tiny generated dataset: every output is written, a second run
/// recomputes nothing, a code change recomputes exactly what that code produces, and bad
/// set-ups fail at start with a message naming the problem.
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

    static func tinyConfig() -> StudyConfig {
        var c = StudyConfig.defaults(for: .quick)
        c.models = [.fc1, .fc2]
        c.trainLimit = 60
        c.epochs = 1
        c.budgetSeconds = nil
        c.experimentModel = .fc1
        c.experimentEpochs = 1
        c.experiments = [.heads, .blackPolicy]
        c.repeats = 1
        c.bootstrapResamples = 200
        return c
    }

    func options(config: StudyConfig? = nil, out: URL? = nil, labels: URL? = nil,
                 code: [String: String] = CodeFingerprint.all) -> StudyOptions {
        StudyOptions(dataDirectory: data, outputDirectory: out ?? self.out, config: config ?? Self.tinyConfig(),
                     testLabels: labels, quiet: true, defaultDataDirectory: root.appendingPathComponent("unused"), code: code)
    }

    /// SHA-256 of every file under a folder, by relative path.
    static func tree(_ dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for p in try FileManager.default.subpathsOfDirectory(atPath: dir.path) {
            let url = dir.appendingPathComponent(p)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                out[p] = sha256Hex(file: url) ?? "?"
            }
        }
        return out
    }

    func testRunWritesEveryProductAndCachesExactlyByCode() throws {
        let before = try Self.tree(data)
        let first = try Study.run(options(labels: testLabels))
        let fm = FileManager.default
        for path in ["report.md", "report.html", "submission.csv", "tables/metrics.csv", "run.json",
                     "predictions/fc1-joint.csv", "models/fc1-joint.safetensors", "models/fc1-perlabel-label2.safetensors",
                     "figures/results-f1-by-model.png", "figures/results-f1-by-model@2x.png", "figures/results-f1-by-model.svg",
                     "figures/results-f1-by-model.pdf", "figures/results-ap-by-model.png", "architectures/conv5.png",
                     "architectures/conv5.dot", "figures/augmentation-gallery.png"] {
            XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent(path).path), "missing \(path)")
        }
        let page = try String(contentsOf: XCTUnwrap(first.report), encoding: .utf8)
        XCTAssertFalse(page.contains("src=\"figures/"), "every figure is embedded")
        XCTAssertTrue(page.contains("data:image/png;base64,"))
        XCTAssertTrue(page.contains("<nav class=\"toc\""))
        XCTAssertTrue(page.contains("<td>max_pooling2d_1</td>") || page.contains("max_pooling2d"), "layer names are not mangled")
        XCTAssertFalse(page.contains("max<em>pooling"), "intraword underscores are not emphasis")

        // Markdown gets Markdown escaping: no HTML entity anywhere in report.md.
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertNil(md.range(of: "&#?[a-zA-Z0-9]+;", options: .regularExpression), "HTML entity in report.md")
        XCTAssertTrue(md.contains("95% interval"))

        // The submission: header, every test id once, in sample_submission order, labels 0/1.
        let ds = try Dataset.load(from: data)
        let lines = try String(contentsOf: out.appendingPathComponent("submission.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "id,label1,label2,label3")
        XCTAssertEqual(lines.dropFirst().map { String($0.split(separator: ",")[0]) }, ds.test.ids)

        // The predictions file reproduces the metrics table: F1 of (p ≥ 0.5) against val labels.
        let metrics = try String(contentsOf: out.appendingPathComponent("tables/metrics.csv"), encoding: .utf8)
        XCTAssertTrue(metrics.hasPrefix("model,head,seed,label,split,threshold,precision,recall,f1,f1_low,f1_high,accuracy,ap,status\n"))
        XCTAssertTrue(metrics.contains(",test,"), "test split scored when labels are supplied")
        let prep = try String(contentsOf: out.appendingPathComponent("predictions/fc1-joint.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        var truth: [String: [UInt8]] = [:]
        for (id, row) in zip(ds.val.ids, ds.val.labels!) { truth[id] = row }
        for l in 0..<3 {
            var tp = 0, fp = 0, fn = 0
            for r in prep {
                let p = Double(r[1 + l])! >= 0.5, t = truth[r[0]]![l] == 1
                if p && t { tp += 1 } else if p { fp += 1 } else if t { fn += 1 }
            }
            let f1 = tp == 0 ? 0 : 2 * Double(tp) / Double(2 * tp + fp + fn)
            let row = metrics.split(separator: "\n").first { $0.hasPrefix("fc1-joint,joint,") && $0.contains(",label\(l + 1),val,") }!
            XCTAssertEqual(Double(row.split(separator: ",")[8])!, f1, accuracy: 1e-6, "label\(l + 1)")
        }

        // Nothing was written into the data folder.
        XCTAssertEqual(try Self.tree(data), before)

        // Second run: every cell comes from the cache.
        let second = try Study.run(options(labels: testLabels))
        XCTAssertTrue(second.timings.allSatisfy(\.cached), "\(second.timings.filter { !$0.cached }.map(\.cell))")

        // A Plots change (a faked fingerprint) redraws figures and nothing else.
        var code = CodeFingerprint.all
        code["Plots"] = String(repeating: "0", count: 64)
        let third = try Study.run(options(labels: testLabels, code: code))
        let recomputed = third.timings.filter { !$0.cached }.map(\.cell)
        XCTAssertFalse(recomputed.isEmpty)
        XCTAssertTrue(recomputed.allSatisfy { $0.hasPrefix("figure/") }, "\(recomputed)")

        // An engine change retrains, and redraws only the figures whose values changed.
        code["NN"] = String(repeating: "1", count: 64)
        let fourth = try Study.run(options(labels: testLabels, code: code))
        let re4 = Set(fourth.timings.filter { !$0.cached }.map(\.cell))
        XCTAssertTrue(re4.contains("train/fc1-joint"))
        XCTAssertFalse(re4.contains("analysis"))
        XCTAssertFalse(re4.contains("figure/dataset-labels"), "dataset figures do not depend on training")

        // A changed training setting recomputes only what depends on it.
        var changed = Self.tinyConfig()
        changed.epochs = 2
        let fifth = try Study.run(options(config: changed, labels: testLabels, code: code))
        XCTAssertTrue(fifth.timings.contains { $0.cell == "analysis" && $0.cached })
        XCTAssertTrue(fifth.timings.contains { $0.cell.hasPrefix("train/fc1-joint") && !$0.cached })
        XCTAssertTrue(fifth.timings.contains { $0.cell == "train/fc1-perlabel/label1" && $0.cached },
                      "experiment runs keep their own epochs")

        // Rerunning with fewer models leaves no products of the dropped ones.
        var fewer = changed
        fewer.models = [.fc1]
        _ = try Study.run(options(config: fewer, labels: testLabels, code: code))
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("models/fc2-joint.safetensors").path))
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("predictions/fc2-joint.csv").path))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: root.path).filter { $0.contains("staging") }, [], "no staging folder left")
    }

    /// The Markdown of a tiny run, with every number replaced by `N` (numbers move with
    /// BLAS kernels; the layout, the escaping and the sentences must not). Re-record with
    /// `SNAPSHOT_RECORD=1 swift test --filter testMarkdownSnapshot`.
    func testMarkdownSnapshot() throws {
        _ = try Study.run(options(labels: testLabels))
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let appendix = md.range(of: "## Appendix: reproducibility").map { md[..<$0.lowerBound] } ?? Substring(md)
        var normalized = String(appendix).replacingOccurrences(of: root.path, with: "ROOT")
        normalized = normalized.replacingOccurrences(of: "[−+-]?[0-9][0-9,.]*", with: "N", options: .regularExpression)
        // Which run wins, which collapsed and what a finding concludes follow the numbers;
        // the snapshot keeps the sentences' places, not their verdicts.
        normalized = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.contains("paired bootstrap") || line.hasPrefix("The best architecture") || line.hasPrefix("No architecture learned")
                || line.hasPrefix("Black images are predicted") { return "<finding>" }
            return line.replacingOccurrences(of: "collapsed on [labelN, ]+", with: "STATUS", options: .regularExpression)
                .replacingOccurrences(of: "no model of this run learned (see Results); the submission uses", with: "the best model of this run is")
                .replacingOccurrences(of: "\\| – \\|", with: "| N |", options: .regularExpression)
        }.joined(separator: "\n")
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/tiny-report.md")
        if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] != nil {
            try normalized.write(to: snapshot, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: snapshot, encoding: .utf8)
        if normalized != expected {
            let a = normalized.split(separator: "\n", omittingEmptySubsequences: false)
            let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let i = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            XCTFail("report.md differs from the snapshot at line \(i + 1):\n got: \(i < a.count ? a[i] : "<end>")\nwant: \(i < b.count ? b[i] : "<end>")")
        }
    }

    /// A dataset without black images (a real one may have none): the report says no rule
    /// was needed instead of comparing three rules over zero images, and draws no rule chart.
    func testADatasetWithoutBlackImagesNeedsNoRule() throws {
        let fm = FileManager.default
        for (split, csv) in [("train", "train_labels.csv"), ("val", "val_labels.csv"), ("test", "sample_submission.csv")] {
            let url = data.appendingPathComponent(csv)
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            var kept = [lines[0]]
            for line in lines.dropFirst() {
                let id = String(line.prefix { $0 != "," })
                if PhantomGenerator.sample(id: Int(id.dropLast(4))!, seed: 5).isBlack {
                    try fm.removeItem(at: data.appendingPathComponent("\(split)_images/\(id)"))
                } else {
                    kept.append(line)
                }
            }
            XCTAssertLessThan(kept.count, lines.count, "\(split) had black images to remove")
            try (kept.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        var config = Self.tinyConfig()
        config.experiments = []
        _ = try Study.run(options(config: config))
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("No validation image is entirely black, so no black-image rule is needed"))
        XCTAssertTrue(md.contains("no test image is entirely black, so none needed the black-image rule"))
        XCTAssertFalse(md.contains("Black images are predicted"), "no rule sentence over zero images")
        XCTAssertFalse(md.contains("0 black test images"))
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("figures/results-black-rules.png").path))
    }
}
