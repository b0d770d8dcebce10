import NN
import StudyData

/// Scores of one label on the validation split.
public struct LabelScore: Codable, Sendable {
    public var label: Int
    public var threshold: Float
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var accuracy: Double
    public var ap: Double
    public var tp: Int, fp: Int, tn: Int, fn: Int
}

/// A variant scored on validation: at threshold 0.5, at per-label F1-optimal thresholds,
/// and on the non-black images only.
public struct VariantEvaluation: Codable, Sendable {
    public var name: String
    /// All validation images; black ones get the documented black-image prediction.
    public var atHalf: [LabelScore]
    /// Thresholds chosen for best F1 by two-fold cross-fitting on validation: each half is
    /// scored with the threshold that is best on the other half, so the figure is not
    /// in-sample. `tunedThresholds` are the thresholds best on the whole validation split.
    public var tuned: [LabelScore]
    public var tunedThresholds: [Float]
    /// Non-black validation images only, threshold 0.5.
    public var nonBlack: [LabelScore]

    public var meanF1: Double { atHalf.map(\.f1).reduce(0, +) / 3 }
    public var meanF1Tuned: Double { tuned.map(\.f1).reduce(0, +) / 3 }
    public var meanF1NonBlack: Double { nonBlack.map(\.f1).reduce(0, +) / 3 }
    public var meanAP: Double { atHalf.map(\.ap).reduce(0, +) / 3 }
}

enum Evaluator {
    /// Scores `scores` (per label, per validation image) against the validation labels.
    /// Black images are scored by the black-image rule, not by the network.
    static func evaluate(name: String, scores: [[Float]], labels: [[UInt8]], black: [Bool],
                         blackRule: [UInt8]) -> VariantEvaluation {
        var atHalf: [LabelScore] = [], tuned: [LabelScore] = [], nonBlack: [LabelScore] = []
        var thresholds: [Float] = []
        for l in 0..<3 {
            let truth = labels.map { $0[l] }
            var s = scores[l]
            for i in s.indices where black[i] { s[i] = Float(blackRule[l]) }
            atHalf.append(score(l, truth: truth, scores: s, threshold: 0.5))

            let best = Metrics.bestF1Threshold(truth: truth, scores: s)
            thresholds.append(best.threshold)
            tuned.append(crossFitted(l, truth: truth, scores: s))

            let keep = black.indices.filter { !black[$0] }
            nonBlack.append(score(l, truth: keep.map { truth[$0] }, scores: keep.map { s[$0] }, threshold: 0.5))
        }
        return VariantEvaluation(name: name, atHalf: atHalf, tuned: tuned, tunedThresholds: thresholds, nonBlack: nonBlack)
    }

    static func score(_ label: Int, truth: [UInt8], scores: [Float], threshold: Float) -> LabelScore {
        let m = BinaryMetrics(truth: truth, scores: scores, threshold: threshold)
        return LabelScore(label: label, threshold: threshold, precision: m.precision, recall: m.recall, f1: m.f1,
                          accuracy: m.accuracy, ap: Metrics.averagePrecision(truth: truth, scores: scores),
                          tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn)
    }

    /// Two-fold cross-fitted threshold tuning: even and odd positions form two halves; each
    /// half is thresholded at the value that maximises F1 on the other half.
    static func crossFitted(_ label: Int, truth: [UInt8], scores: [Float]) -> LabelScore {
        let halves = [truth.indices.filter { $0 % 2 == 0 }, truth.indices.filter { $0 % 2 == 1 }]
        var predicted = [Float](repeating: 0, count: truth.count)
        var used: [Float] = []
        for h in 0..<2 {
            let fit = halves[1 - h]
            let t = Metrics.bestF1Threshold(truth: fit.map { truth[$0] }, scores: fit.map { scores[$0] }).threshold
            used.append(t)
            for i in halves[h] { predicted[i] = scores[i] >= t ? 1 : 0 }
        }
        var s = score(label, truth: truth, scores: predicted, threshold: 0.5)
        s.threshold = (used[0] + used[1]) / 2
        s.ap = Metrics.averagePrecision(truth: truth, scores: scores)
        return s
    }
}
