import Foundation
import NN
import StudyData
import Training

/// The Kaggle submission: a 0/1 prediction per test image and label, in
/// `sample_submission.csv` order, from the best model at its thresholds (`ThresholdChoice`);
/// black test images get the black-image rule.
public struct Submission: Codable, Sendable {
    public var model: String
    public var ids: [String]
    public var predictions: [[UInt8]]
    /// Per label, per test image: the network's probability, or the black-image rule's 0/1.
    public var scores: [[Float]]
    /// Per label: a score at or above it predicts 1.
    public var thresholds: [Float]
    public var blackCount: Int

    /// `id,label1,label2,label3`, one line per test id.
    public var csv: String {
        var s = "id,label1,label2,label3\n"
        for (id, p) in zip(ids, predictions) { s += "\(id),\(p[0]),\(p[1]),\(p[2])\n" }
        return s
    }

    /// Checks the submission before it is written: every test id once, in order, labels 0/1.
    func validate(expectedIds: [String]) throws {
        guard ids == expectedIds else {
            throw ReportError("submission ids differ from sample_submission.csv (\(ids.count) vs \(expectedIds.count) ids)")
        }
        guard predictions.count == ids.count, predictions.allSatisfy({ $0.count == 3 && $0.allSatisfy { $0 <= 1 } }) else {
            throw ReportError("submission has a row without three 0/1 labels")
        }
    }

    /// Scores the submission against supplied test labels (`--test-labels`).
    func score(against truth: [[UInt8]]) -> [LabelScore] {
        (0..<3).map { l in
            Evaluator.score(l, truth: truth.map { $0[l] }, scores: scores[l], threshold: thresholds[l])
        }
    }
}

/// Test labels supplied with `--test-labels FILE` (`id,label1,label2,label3`), in test-id order.
enum TestLabels {
    static func load(_ url: URL, ids: [String]) throws -> [[UInt8]] {
        let table: LabelCSV.Table
        do { table = try LabelCSV.read(url) } catch { throw ReportError("--test-labels: \(error)") }
        var byId: [String: [UInt8]] = [:]
        for (id, row) in zip(table.ids, table.labels) { byId[id] = row }
        let missing = ids.filter { byId[$0] == nil }
        if let first = missing.first {
            throw ReportError("\(DataError.printable(url.path, limit: 240)): no labels for test id \(DataError.printable(first))" + (missing.count > 1 ? " and \(missing.count - 1) more" : ""))
        }
        return ids.map { byId[$0]! }
    }
}
