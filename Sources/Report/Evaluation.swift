import NN
import StudyData
import Stats
import Training

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

/// A run scored on validation: at threshold 0.5, at per-label F1-optimal thresholds,
/// and on the non-black images only.
public struct VariantEvaluation: Sendable {
    public var name: String
    /// All scored validation images; black ones get the black-image rule.
    public var atHalf: [LabelScore]
    /// Thresholds chosen for best F1 by two-fold cross-fitting on validation: each half is
    /// scored with the threshold that is best on the other half, so the figure is not
    /// in-sample. `tunedThresholds` are the thresholds best on the whole validation split.
    public var tuned: [LabelScore]
    public var tunedThresholds: [Float]
    /// 0/1 predictions of the cross-fitted tuned thresholds, per image (n × 3): what `tuned` scores.
    public var tunedPredictions: [[UInt8]]
    /// Non-black validation images only, threshold 0.5.
    public var nonBlack: [LabelScore]
    /// The scores that were evaluated (black images replaced by the rule), per label.
    public var scores: [[Float]]
    /// 0/1 predictions at 0.5 of `scores`, per image (n × 3).
    public var predictions: [[UInt8]]
    /// Labels on which every prediction is the same class.
    public var collapsed: [Int]
    public var diverged: Bool

    public var meanF1: Double { atHalf.map(\.f1).reduce(0, +) / 3 }
    public var meanF1Tuned: Double { tuned.map(\.f1).reduce(0, +) / 3 }
    public var meanF1NonBlack: Double { nonBlack.map(\.f1).reduce(0, +) / 3 }
    public var meanAP: Double { atHalf.map(\.ap).reduce(0, +) / 3 }
    /// Whether the run learned something usable: no collapsed label, no divergence.
    public var learned: Bool { collapsed.isEmpty && !diverged }
}

/// The black-image rule in force: what was asked for, what it predicts, and how each
/// candidate rule scored (mean validation F1 of the best run, seeds averaged).
///
/// A rule chosen on validation is scored by two-fold cross-fitting, like the tuned
/// thresholds: the even and the odd positions of the scored validation images form two
/// halves, and each half's black images are predicted by the rule chosen on the other half
/// (`foldPredictions`), so the tables never score a choice on the images it was made on. The
/// submission uses the rule chosen on all of validation (`prediction`).
public struct BlackRuleChoice: Codable, Sendable {
    public var asked: BlackRule
    public var chosen: BlackRule
    public var prediction: [UInt8]
    /// The predictions used for the black images at even and at odd positions.
    public var foldPredictions: [[UInt8]]
    /// Mean F1 of the best run with the black images predicted by `foldPredictions`.
    public var crossFittedMeanF1: Double
    public var candidates: [Candidate]
    public struct Candidate: Codable, Sendable {
        public var rule: BlackRule
        public var prediction: [UInt8]
        /// Mean validation F1; cross-fitted for `f1-optimal`, whose prediction is chosen on
        /// validation (the fixed rules choose nothing).
        public var meanF1: Double
    }

    /// The prediction for the black image at position `i` of the scored validation images.
    func tablePrediction(at i: Int) -> [UInt8] { foldPredictions[i % foldPredictions.count] }
}

/// The submission's thresholds: what was asked for, what is used, and the evidence on
/// validation — the best run's mean F1 at 0.5 against its mean F1 with per-label thresholds
/// chosen by cross-fitting (each half of the images thresholded where the other half's F1 is
/// best), and the paired bootstrap of that difference. The submission uses the thresholds best
/// on the whole validation split (`tunedThresholds`), the cross-fitted figure says how well
/// such a choice does on images it was not made on.
public struct ThresholdChoice: Codable, Sendable {
    public var asked: SubmissionThresholds
    /// Whether the submission uses the tuned thresholds (else 0.5).
    public var usesTuned: Bool
    /// The whole-validation tuned thresholds, used or not.
    public var tunedThresholds: [Float]
    /// Tuned (cross-fitted) against 0.5, the best run on the scored validation images.
    public var comparison: PairedDifference

    /// Per label, the thresholds the submission uses.
    public var thresholds: [Float] { usesTuned ? tunedThresholds : [0.5, 0.5, 0.5] }

    /// Chooses for the run `e`: `auto` takes the tuned thresholds when the interval of the
    /// difference lies above 0.
    static func choose(_ asked: SubmissionThresholds, for e: VariantEvaluation, truth: [[UInt8]],
                       resamples: Int, seed: UInt64) -> ThresholdChoice {
        let d = Bootstrap.pairedMeanF1Difference(truth: truth, a: e.tunedPredictions, b: e.predictions,
                                                 resamples: resamples, seed: seed)
        let tuned: Bool
        switch asked {
        case .half: tuned = false
        case .tuned: tuned = true
        case .auto: tuned = d.interval.lower > 0
        }
        return ThresholdChoice(asked: asked, usesTuned: tuned, tunedThresholds: e.tunedThresholds, comparison: d)
    }
}

enum Evaluator {
    /// Scores `scores` (per label, per validation image) against the validation labels.
    /// Black images are scored by the black-image rule, not by the network.
    /// `rules`: the black-image prediction for even and for odd positions (one entry: for all).
    static func evaluate(name: String, scores raw: [[Float]], labels: [[UInt8]], black: [Bool],
                         rules: [[UInt8]], diverged: Bool) -> VariantEvaluation {
        var atHalf: [LabelScore] = [], tuned: [LabelScore] = [], nonBlack: [LabelScore] = []
        var thresholds: [Float] = []
        var all: [[Float]] = [], tunedPredicted: [[UInt8]] = []
        let keep = black.indices.filter { !black[$0] }
        for l in 0..<3 {
            let truth = labels.map { $0[l] }
            var s = raw[l]
            for i in s.indices where black[i] { s[i] = Float(rules[i % rules.count][l]) }
            all.append(s)
            atHalf.append(score(l, truth: truth, scores: s, threshold: 0.5))
            thresholds.append(Metrics.bestF1Threshold(truth: truth, scores: s).threshold)
            let fitted = crossFitted(l, truth: truth, scores: s)
            tuned.append(fitted.score)
            tunedPredicted.append(fitted.predicted)
            nonBlack.append(score(l, truth: keep.map { truth[$0] }, scores: keep.map { s[$0] }, threshold: 0.5))
        }
        let predictions = labels.indices.map { i in (0..<3).map { l -> UInt8 in all[l][i] >= 0.5 ? 1 : 0 } }
        // Collapse is judged on the network's own predictions (non-black images).
        let collapsed = Verdict.collapsedLabels(predicted: keep.map { i in (0..<3).map { l -> UInt8 in raw[l][i] >= 0.5 ? 1 : 0 } })
        return VariantEvaluation(name: name, atHalf: atHalf, tuned: tuned, tunedThresholds: thresholds,
                                 tunedPredictions: labels.indices.map { i in (0..<3).map { tunedPredicted[$0][i] } },
                                 nonBlack: nonBlack, scores: all, predictions: predictions, collapsed: collapsed, diverged: diverged)
    }

    static func score(_ label: Int, truth: [UInt8], scores: [Float], threshold: Float) -> LabelScore {
        let m = BinaryMetrics(truth: truth, scores: scores, threshold: threshold)
        return LabelScore(label: label, threshold: threshold, precision: m.precision, recall: m.recall, f1: m.f1,
                          accuracy: m.accuracy, ap: Metrics.averagePrecision(truth: truth, scores: scores),
                          tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn)
    }

    /// Two-fold cross-fitted threshold tuning: even and odd positions form two halves; each
    /// half is thresholded at the value that maximises F1 on the other half. Returns the score
    /// and the 0/1 predictions it scores.
    static func crossFitted(_ label: Int, truth: [UInt8], scores: [Float]) -> (score: LabelScore, predicted: [UInt8]) {
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
        return (s, predicted.map { $0 >= 0.5 ? 1 : 0 })
    }

    /// The black-image rule: the one asked for, or (`auto`) the candidate with the best mean
    /// validation F1 averaged over `runs`. `f1-optimal` picks 0 or 1 per label the same way.
    /// Every choice is also made on each half of the validation images (even and odd
    /// positions) for the other half: `foldPredictions` and the cross-fitted scores.
    static func chooseBlackRule(_ asked: BlackRule, runs: [[[Float]]], labels: [[UInt8]], black: [Bool],
                                trainBlackLabels: [[UInt8]]) -> BlackRuleChoice {
        let all = Array(labels.indices)
        let halves = [all.filter { $0 % 2 == 0 }, all.filter { $0 % 2 == 1 }]
        /// Mean F1 over `runs` on the images `on`, black image i predicted `rule(i)`.
        func meanF1(on: [Int], _ rule: (Int) -> [UInt8]) -> Double {
            guard !runs.isEmpty, !on.isEmpty else { return 0 }
            return runs.map { raw in
                (0..<3).map { l -> Double in
                    let s = on.map { i in black[i] ? Float(rule(i)[l]) : raw[l][i] }
                    return BinaryMetrics(truth: on.map { labels[$0][l] }, scores: s, threshold: 0.5).f1
                }.reduce(0, +) / 3
            }.reduce(0, +) / Double(runs.count)
        }
        let majority = blackImagePrediction(trainLabelsOfBlack: trainBlackLabels)
        /// Per label, 0 or 1, whichever scores better on the images `on`.
        func optimal(on: [Int]) -> [UInt8] {
            var rule: [UInt8] = [0, 0, 0]
            for l in 0..<3 {
                var zero = rule, one = rule
                zero[l] = 0; one[l] = 1
                rule[l] = meanF1(on: on, { _ in one }) >= meanF1(on: on, { _ in zero }) ? 1 : 0
            }
            return rule
        }
        // The F1-optimal rule chosen on all scored images and on each half (each computed once).
        let optimalAll = optimal(on: all), optimalOn = halves.map { optimal(on: $0) }
        /// The asked rule's choice made on the images `on`, whose F1-optimal rule is `best`.
        func choose(on: [Int], best: [UInt8]) -> (rule: BlackRule, prediction: [UInt8]) {
            let fixed: [(BlackRule, [UInt8])] = [(.majority, majority), (.ones, [1, 1, 1]), (.f1Optimal, best)]
            if asked != .auto { return fixed.first { $0.0 == asked }! }
            let scores = fixed.map { candidate in meanF1(on: on) { _ in candidate.1 } }
            return fixed[scores.indices.max { scores[$0] < scores[$1] }!]
        }
        let whole = choose(on: all, best: optimalAll)
        // Each half is scored by the choice made on the other.
        let folds = [choose(on: halves[1], best: optimalOn[1]).prediction, choose(on: halves[0], best: optimalOn[0]).prediction]
        let optimalFolds = [optimalOn[1], optimalOn[0]]
        let candidates = [(BlackRule.majority, majority), (.ones, [1, 1, 1]), (.f1Optimal, optimalAll)].map { rule, prediction in
            BlackRuleChoice.Candidate(rule: rule, prediction: prediction,
                                      meanF1: rule == .f1Optimal ? meanF1(on: all) { optimalFolds[$0 % 2] }
                                                                 : meanF1(on: all) { _ in prediction })
        }
        return BlackRuleChoice(asked: asked, chosen: whole.rule, prediction: whole.prediction, foldPredictions: folds,
                               crossFittedMeanF1: meanF1(on: all) { folds[$0 % 2] }, candidates: candidates)
    }
}

/// Every run of the plan scored on validation, with the black-image rule in force and the
/// winner of the main comparison.
struct Evaluated {
    let blackRule: BlackRuleChoice
    /// The submission's thresholds, chosen for the best run.
    let thresholds: ThresholdChoice
    let byRun: [Variant: VariantEvaluation]
    /// The main comparison's best run: highest mean F1 on the non-black images among the
    /// runs that learned (collapsed or diverged runs are not ranked), seeds averaged.
    let best: Variant
    /// Mean F1 of predicting 1 for every label on the scored validation images.
    let baseline: Double
    let labels: [[UInt8]]
    /// Which scored validation images are entirely black.
    let black: [Bool]

    subscript(_ v: Variant) -> VariantEvaluation { byRun[v]! }

    /// Evaluations given whole (tests of the finding sentences).
    init(blackRule: BlackRuleChoice, byRun: [Variant: VariantEvaluation], best: Variant, baseline: Double,
         labels: [[UInt8]], black: [Bool], thresholds: SubmissionThresholds = .half) {
        self.blackRule = blackRule; self.byRun = byRun; self.best = best; self.baseline = baseline
        self.labels = labels; self.black = black
        self.thresholds = ThresholdChoice.choose(thresholds, for: byRun[best]!, truth: labels, resamples: 200, seed: 1)
    }

    init(plan: Plan, trained: [Variant: VariantResult], data: LoadedData, config: StudyConfig) throws {
        let val = data.prep.validation
        guard let labels = val.labels, !labels.isEmpty else { throw ReportError("the validation split has no labels") }
        self.labels = labels
        let black = data.prep.validationBlack
        self.black = black
        // The best run is chosen on what does not depend on the black-image rule: the mean F1
        // on the non-black images (runs that collapsed or diverged are not ranked; seeds
        // averaged). The rule is then the one that serves that run — the submission's model —
        // best on validation, and every run is scored with it, cross-fitted.
        func evaluateAll(_ rules: [[UInt8]]) -> [Variant: VariantEvaluation] {
            var by: [Variant: VariantEvaluation] = [:]
            for (v, r) in trained {
                by[v] = Evaluator.evaluate(name: r.name, scores: r.valScores, labels: labels, black: black,
                                           rules: rules, diverged: !r.diverged.isEmpty)
            }
            return by
        }
        let provisional = evaluateAll([[0, 0, 0]])
        let rows = plan.main.rows
        func rowMean(_ r: Experiment.Row) -> Double { r.runs.map { provisional[$0]!.meanF1NonBlack }.reduce(0, +) / Double(r.runs.count) }
        let learned = rows.filter { $0.runs.allSatisfy { provisional[$0]!.learned } }
        guard let top = (learned.isEmpty ? rows : learned).max(by: { rowMean($0) < rowMean($1) }) else {
            throw ReportError("no model was trained")
        }
        best = top.runs.max { provisional[$0]!.meanF1NonBlack < provisional[$1]!.meanF1NonBlack }!
        blackRule = Evaluator.chooseBlackRule(config.blackRule, runs: top.runs.compactMap { trained[$0]?.valScores },
                                              labels: labels, black: black, trainBlackLabels: data.blackTrainLabels)
        byRun = evaluateAll(blackRule.foldPredictions)
        thresholds = ThresholdChoice.choose(config.thresholds, for: byRun[best]!, truth: labels,
                                            resamples: config.bootstrapResamples, seed: config.seed)
        baseline = (0..<3).map { l -> Double in
            let p = Double(labels.filter { $0[l] == 1 }.count) / Double(labels.count)
            return p > 0 ? 2 * p / (1 + p) : 0
        }.reduce(0, +) / 3
    }
}
