/// Binary classification metrics with scikit-learn's definitions; a 0/0 ratio is 0
/// (`zero_division=0`). A sample is predicted positive when `score >= threshold` (the same
/// convention as scikit-learn's curves, so thresholds from `precisionRecallCurve` and
/// `bestF1Threshold` mean the same thing here).
///
///     precision = tp / (tp + fp)      recall = tp / (tp + fn)
///     f1 = 2·tp / (2·tp + fp + fn)    accuracy = (tp + tn) / n
public struct BinaryMetrics: Codable, Sendable, Equatable {
    public let tp: Int, fp: Int, tn: Int, fn: Int
    public let precision: Double, recall: Double, f1: Double, accuracy: Double

    /// Counts and ratios from confusion-matrix entries.
    public init(tp: Int, fp: Int, tn: Int, fn: Int) {
        self.tp = tp; self.fp = fp; self.tn = tn; self.fn = fn
        precision = Metrics.ratio(tp, tp + fp)
        recall = Metrics.ratio(tp, tp + fn)
        f1 = Metrics.ratio(2 * tp, 2 * tp + fp + fn)
        accuracy = Metrics.ratio(tp + tn, tp + fp + tn + fn)
    }

    /// - Parameters: truth 0/1 labels, scores (probabilities), both one per sample.
    public init(truth: [UInt8], scores: [Float], threshold: Float = 0.5) {
        precondition(truth.count == scores.count, "BinaryMetrics: \(truth.count) labels vs \(scores.count) scores")
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (t, s) in zip(truth, scores) {
            precondition(t <= 1, "BinaryMetrics: label \(t) is not 0/1")
            let predicted = s >= threshold
            switch (t == 1, predicted) {
            case (true, true): tp += 1
            case (false, true): fp += 1
            case (false, false): tn += 1
            case (true, false): fn += 1
            }
        }
        self.init(tp: tp, fp: fp, tn: tn, fn: fn)
    }

    /// Truth given as floats (0 or 1, e.g. a target column).
    public init(truth: [Float], scores: [Float], threshold: Float = 0.5) {
        self.init(truth: Metrics.labels(truth), scores: scores, threshold: threshold)
    }

    /// The 2×2 confusion matrix as scikit-learn prints it: [[tn, fp], [fn, tp]].
    public var confusionMatrix: [[Int]] { [[tn, fp], [fn, tp]] }
}

/// Ranking metrics as scikit-learn computes them.
public enum Metrics {
    @inline(__always)
    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    static func labels(_ truth: [Float]) -> [UInt8] {
        truth.map { v in
            precondition(v == 0 || v == 1, "Metrics: label \(v) is not 0/1")
            return v == 1 ? 1 : 0
        }
    }

    /// scikit-learn's `_binary_clf_curve`: scores sorted descending; at each distinct score
    /// (a threshold t, "positive iff score ≥ t") the cumulative true and false positives.
    /// Returned in descending-threshold order.
    static func binaryCurve(truth: [UInt8], scores: [Float]) -> (thresholds: [Float], tps: [Int], fps: [Int]) {
        precondition(truth.count == scores.count, "Metrics: \(truth.count) labels vs \(scores.count) scores")
        precondition(!scores.contains { $0.isNaN }, "Metrics: scores contain NaN")
        // Stable sort by descending score (ties keep input order; irrelevant to the counts).
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var thresholds: [Float] = [], tps: [Int] = [], fps: [Int] = []
        var tp = 0, fp = 0
        for (k, i) in order.enumerated() {
            precondition(truth[i] <= 1, "Metrics: label \(truth[i]) is not 0/1")
            if truth[i] == 1 { tp += 1 } else { fp += 1 }
            let last = k == order.count - 1
            if last || scores[order[k + 1]] != scores[i] {
                thresholds.append(scores[i]); tps.append(tp); fps.append(fp)
            }
        }
        return (thresholds, tps, fps)
    }

    /// scikit-learn's `precision_recall_curve` (with `drop_intermediate=False`): one point per
    /// distinct score, thresholds ascending; precision = tp/(tp + fp), recall = tp/P (P = number
    /// of positives; recall is 0 when P = 0). scikit-learn appends a final point
    /// (precision 1, recall 0) that has no threshold; it is not included here.
    public static func precisionRecallCurve(truth: [UInt8], scores: [Float])
        -> [(threshold: Float, precision: Double, recall: Double)] {
        let c = binaryCurve(truth: truth, scores: scores)
        let positives = c.tps.last ?? 0
        var out: [(threshold: Float, precision: Double, recall: Double)] = []
        for k in c.thresholds.indices.reversed() {
            out.append((c.thresholds[k], ratio(c.tps[k], c.tps[k] + c.fps[k]), ratio(c.tps[k], positives)))
        }
        return out
    }

    public static func precisionRecallCurve(truth: [Float], scores: [Float])
        -> [(threshold: Float, precision: Double, recall: Double)] {
        precisionRecallCurve(truth: labels(truth), scores: scores)
    }

    /// scikit-learn's `average_precision_score`: AP = Σ_n (R_n − R_{n−1})·P_n over distinct
    /// thresholds in descending order, R_0 = 0 (step-wise, no interpolation). Tied scores form
    /// one threshold. 0 when there are no positives.
    public static func averagePrecision(truth: [UInt8], scores: [Float]) -> Double {
        let c = binaryCurve(truth: truth, scores: scores)
        guard let positives = c.tps.last, positives > 0 else { return 0 }
        var ap = 0.0, previousRecall = 0.0
        for k in c.thresholds.indices {
            let r = Double(c.tps[k]) / Double(positives)
            let p = Double(c.tps[k]) / Double(c.tps[k] + c.fps[k])
            ap += (r - previousRecall) * p
            previousRecall = r
        }
        return ap
    }

    public static func averagePrecision(truth: [Float], scores: [Float]) -> Double {
        averagePrecision(truth: labels(truth), scores: scores)
    }

    /// ROC curve as scikit-learn's `roc_curve(drop_intermediate=False)`: the point (0, 0)
    /// (threshold +∞) then one point per distinct score, thresholds descending;
    /// fpr = fp/N, tpr = tp/P (0 when N or P is 0). `auc` is the trapezoidal area under it
    /// (`roc_auc_score`; 0 when either class is absent, where scikit-learn raises).
    public static func rocCurve(truth: [UInt8], scores: [Float])
        -> (points: [(threshold: Float, fpr: Double, tpr: Double)], auc: Double) {
        let c = binaryCurve(truth: truth, scores: scores)
        let positives = c.tps.last ?? 0, negatives = c.fps.last ?? 0
        var points: [(threshold: Float, fpr: Double, tpr: Double)] = [(.infinity, 0, 0)]
        for k in c.thresholds.indices {
            points.append((c.thresholds[k], ratio(c.fps[k], negatives), ratio(c.tps[k], positives)))
        }
        guard positives > 0, negatives > 0 else { return (points, 0) }
        var auc = 0.0
        for k in 1..<points.count {
            auc += (points[k].fpr - points[k - 1].fpr) * (points[k].tpr + points[k - 1].tpr) / 2
        }
        return (points, auc)
    }

    public static func rocCurve(truth: [Float], scores: [Float])
        -> (points: [(threshold: Float, fpr: Double, tpr: Double)], auc: Double) {
        rocCurve(truth: labels(truth), scores: scores)
    }

    /// The observed score t maximising F1 of "positive iff score ≥ t", and that F1.
    /// F1 = 2·tp/(2·tp + fp + fn). Ties between thresholds go to the *lower* threshold (more
    /// positives predicted). With no positives every F1 is 0 and the lowest score is returned;
    /// empty input gives (0.5, 0).
    public static func bestF1Threshold(truth: [UInt8], scores: [Float]) -> (threshold: Float, f1: Double) {
        let c = binaryCurve(truth: truth, scores: scores)
        guard let positives = c.tps.last else { return (0.5, 0) }
        var best: (threshold: Float, f1: Double) = (c.thresholds[0], -1)
        for k in c.thresholds.indices {   // descending thresholds: `>=` keeps the lower one on ties
            let f1 = ratio(2 * c.tps[k], c.tps[k] + c.fps[k] + positives)
            if f1 >= best.f1 { best = (c.thresholds[k], f1) }
        }
        return best
    }

    public static func bestF1Threshold(truth: [Float], scores: [Float]) -> (threshold: Float, f1: Double) {
        bestF1Threshold(truth: labels(truth), scores: scores)
    }

    /// Mean of per-label F1 scores (the study's competition metric averages the three).
    public static func meanF1(_ perLabel: [BinaryMetrics]) -> Double {
        perLabel.isEmpty ? 0 : perLabel.reduce(0) { $0 + $1.f1 } / Double(perLabel.count)
    }

    /// Mean F1 over labels, each at `threshold`: `truth[l][i]`, `scores[l][i]` for label l, sample i.
    public static func meanF1(truth: [[Float]], scores: [[Float]], threshold: Float = 0.5) -> Double {
        precondition(truth.count == scores.count, "Metrics.meanF1: \(truth.count) label columns vs \(scores.count)")
        return meanF1(zip(truth, scores).map { BinaryMetrics(truth: $0, scores: $1, threshold: threshold) })
    }
}
