import NN
import Stats
import StudyData
import Training

/// The sentences that state findings, each read from this run's numbers: every comparison
/// is a paired bootstrap over the scored validation images (the same resampled images for
/// both sides), across seeds where there are several, with one of three outcomes — a
/// difference, no detectable difference, or inconclusive (`Stats.Verdict`) — and, where
/// the original made a claim, whether this run agrees, contradicts it, or cannot tell.
struct Findings {
    let plan: Plan
    let trained: [Variant: VariantResult]
    let evaluated: Evaluated
    let resamples: Int
    let seed: UInt64

    var truth: [[UInt8]] { evaluated.labels }

    /// A difference needs two seeds that agree: the bootstrap covers the sampling of
    /// validation images, not training noise, and with one seed an interval that excludes 0
    /// could reverse with another seed. (Runs with `--seed s` train seeds s, s+1, …, so two
    /// reruns share a seed and cannot state opposite differences.)
    static let rules = Verdict.Rules(minimumImages: 30, minimumSeeds: 2)

    // MARK: - Intervals

    /// 95% bootstrap intervals of the seed-averaged per-label and mean F1 of `runs`.
    func rawIntervals(of runs: [Variant]) -> (mean: Interval, perLabel: [Interval]) {
        let reps = runs.map { Bootstrap.f1Replicates(truth: truth, predicted: evaluated[$0].predictions, resamples: resamples, seed: seed) }
        var perLabel = [[Double]](repeating: [], count: 3), means: [Double] = []
        for r in 0..<resamples {
            var sum = 0.0
            for l in 0..<3 {
                let v = reps.map { $0[r][l] }.reduce(0, +) / Double(reps.count)
                perLabel[l].append(v)
                sum += v
            }
            means.append(sum / 3)
        }
        return (Bootstrap.percentileInterval(means), perLabel.map { Bootstrap.percentileInterval($0) })
    }

    /// The same, formatted: "[0.790, 0.833]".
    func interval(of runs: [Variant]) -> (mean: String, perLabel: [String]) {
        let i = rawIntervals(of: runs)
        return (i.mean.formatted(), i.perLabel.map { $0.formatted() })
    }

    /// Intervals of F1 for arbitrary predictions (the submission against test labels).
    func intervals(truth: [[UInt8]], predictions: [[UInt8]]) -> (mean: String, perLabel: [String]) {
        let s = Bootstrap.f1Intervals(truth: truth, predicted: predictions, resamples: resamples, seed: seed)
        return (s.mean.formatted(), s.perLabel.map { $0.formatted() })
    }

    // MARK: - Comparisons

    func contender(_ row: Experiment.Row, name: String? = nil) -> Contender {
        let evs = row.runs.map { evaluated[$0] }
        let collapsed = Array(Set(evs.flatMap(\.collapsed))).sorted()
        return Contender(name: name ?? row.label, meanF1: evs.map(\.meanF1).reduce(0, +) / Double(evs.count),
                         collapsedLabels: collapsed, diverged: evs.contains(where: \.diverged),
                         seeds: evs.count, failedSeeds: evs.filter { !$0.learned }.count,
                         collapsedSeeds: collapsed.map { l in evs.filter { $0.collapsed.contains(l) }.count })
    }

    /// "A vs B" as a finding, with the original's claim when given (`.better(.a)` etc.);
    /// the sides named by `names` (default: the rows' labels), titled "A vs B" unless `title`.
    func finding(_ a: Experiment.Row, _ b: Experiment.Row, title: String? = nil, names: (a: String, b: String)? = nil,
                 claim: Claim? = nil, claimText: String? = nil) -> Finding {
        let d = Bootstrap.pairedMeanF1Difference(truth: truth, aSeeds: a.runs.map { evaluated[$0].predictions },
                                                 bSeeds: b.runs.map { evaluated[$0].predictions }, resamples: resamples, seed: seed)
        let c = Comparison(a: contender(a, name: names?.a), b: contender(b, name: names?.b), paired: d)
        return Finding(title: title ?? "\(c.a.name) vs \(c.b.name)", comparison: c, claim: claim, claimText: claimText,
                       rules: Findings.rules)
    }

    /// Every seed of the row learned (none collapsed or diverged).
    func learned(_ r: Experiment.Row) -> Bool { r.runs.allSatisfy { evaluated[$0].learned } }

    /// Rows ranked by seed-averaged mean F1; rows that did not learn (a collapsed label or a
    /// divergence) come last, unranked.
    func ranked(_ e: Experiment) -> [Experiment.Row] {
        func mean(_ r: Experiment.Row) -> Double { RowStats.average(r, evaluated) { $0.meanF1 } }
        return e.rows.filter(learned).sorted { mean($0) > mean($1) } + e.rows.filter { !learned($0) }.sorted { mean($0) > mean($1) }
    }

    func notLearned(_ e: Experiment) -> String {
        let bad = e.rows.filter { !$0.runs.allSatisfy { evaluated[$0].learned } }
        guard !bad.isEmpty else { return "" }
        let parts = bad.map { r -> String in
            let c = contender(r)
            if c.diverged { return "\(Markdown.code(r.label)) diverged\(c.failedSeedsPhrase)\(training(r))" }
            return "\(Markdown.code(r.label)) collapsed to one class on \(c.collapsePhrase)\(training(r))"
        }
        return " Not ranked, because they did not learn: " + parts.joined(separator: "; ") + "."
    }

    /// " after 64 training steps (1,000 images × 2 epochs, batch 32)": how much training a row that did
    /// not learn got (its first network; with a budget, what the plan could afford it), so a
    /// reader can tell an untrainable setting from an undertrained one.
    func training(_ r: Experiment.Row) -> String {
        guard let v = r.runs.first, let n = trained[v]?.networks.first, n.trainImages > 0 else { return "" }
        let steps = (n.trainImages + v.batchSize - 1) / v.batchSize * n.epochsRun
        return " after \(plural(steps, "training step")) (\(plural(n.trainImages, "image")) × \(plural(n.epochsRun, "epoch")), batch \(v.batchSize))"
    }

    /// The finding of an experiment, as Markdown.
    func sentence(for e: Experiment) -> String {
        switch e.id {
        case .architectures: return architectures(e)
        case .augmentation where e.rows.count == 2:
            return finding(e.rows[1], e.rows[0], title: "Augmentation on vs off", claim: .noDifference,
                           claimText: e.id.claim?.text).sentence + notLearned(e)
        case .loss where e.rows.count == 2:
            return finding(e.rows[1], e.rows[0], title: "Categorical vs binary cross-entropy", claim: .noDifference,
                           claimText: e.id.claim?.text).sentence + notLearned(e)
        case .optimizer where e.rows.count >= 2:
            var s = finding(e.rows[0], e.rows[1], claim: .better(.a), claimText: e.id.claim?.text).sentence
            for r in e.rows.dropFirst(2) { s += " " + finding(e.rows[0], r).sentence }
            return s + notLearned(e)
        case .epochs where e.rows.count >= 2:
            let sorted = e.rows.sorted { $0.variant.epochs < $1.variant.epochs }
            return finding(sorted.last!, sorted.first!,
                           names: (plural(sorted.last!.variant.epochs, "epoch"), plural(sorted.first!.variant.epochs, "epoch")),
                           claim: .better(.a), claimText: e.id.claim?.text).sentence + notLearned(e)
        case .learningRate:
            return learningRate(e) + notLearned(e)
        default:
            return bestAgainstRest(e) + notLearned(e)
        }
    }

    /// For experiments without a claim: the best row against each other row.
    func bestAgainstRest(_ e: Experiment) -> String {
        let r = ranked(e)
        guard r.count >= 2 else { return "Only one setting ran; nothing to compare." }
        return r.dropFirst().map { finding(r[0], $0).sentence }.joined(separator: " ")
    }

    /// The original found 1e-3 best: 1e-3 against each other rate. Agrees only if 1e-3 is
    /// better than every other; contradicts if any other is better than it.
    func learningRate(_ e: Experiment) -> String {
        guard let claimed = e.rows.first(where: { $0.variant.learningRate == 1e-3 }) else { return bestAgainstRest(e) }
        let others = e.rows.filter { $0.variant.learningRate != 1e-3 }
        guard !others.isEmpty else { return "Only one learning rate ran; nothing to compare." }
        let fs = others.map { finding(claimed, $0) }
        let agreements = fs.map { Verdict.agreement(.better(.a), $0.outcome) }
        let agreement: Agreement = agreements.contains(.contradicts) ? .contradicts
            : agreements.allSatisfy { $0 == .agrees } ? .agrees : .cannotTell
        let verdict = Finding.agreementPhrase(agreement, claim: .better(.a), failedToLearn: fs.contains(where: \.failedToLearn))
        return fs.map(\.sentence).joined(separator: " ") + " " + (e.id.claim?.text ?? "").dropLast() + ": \(verdict)."
    }

    func architectures(_ e: Experiment) -> String {
        let r = ranked(e)
        guard let best = r.first else { return "" }
        let i = interval(of: best.runs)
        guard learned(best) else {
            // Nothing to rank: say so rather than crown a run that did not learn.
            return "No architecture learned in this run — each predicts a single class for at least one label — so none is ranked; "
                + "the highest mean validation F1 is \(Markdown.code(best.label))'s, \(fmt(contender(best).meanF1)) \(i.mean)." + notLearned(e)
        }
        var s = "The best architecture in this run is **\(best.label)** with mean validation F1 \(fmt(contender(best).meanF1)) \(i.mean)."
        if r.count >= 2 {
            let f = finding(best, r[1])
            s += " Against the runner-up: " + f.sentence
        }
        // The original found conv5 (1.e) best.
        if let conv5 = e.rows.first(where: { $0.variant.architecture == .conv5 }) {
            if best.variant.architecture == .conv5, r.count >= 2 {
                let f = finding(conv5, r[1], claim: .better(.a), claimText: "The original found the deepest CNN (1.e, conv5) best")
                s += " The original found the deepest CNN (1.e, conv5) best: " + f.agreementPhrase(f.agreement!) + "."
            } else if best.variant.architecture != .conv5 {
                // The sentence ends with the claim: "… The original found the deepest CNN (1.e, conv5) best: this run …".
                s += " " + finding(conv5, best, claim: .better(.a), claimText: "The original found the deepest CNN (1.e, conv5) best").sentence
            }
        }
        let cnns = r.filter { $0.variant.model.kind == .convolutional }
        let fcs = r.filter { $0.variant.model.kind == .fullyConnected }
        if let c = cnns.first, let fc = fcs.first, c.label != fc.label {
            s += " Best CNN against best fully connected net: " + finding(c, fc).sentence
        }
        return s + notLearned(e)
    }

    /// The best run against predicting 1 everywhere, on the same images (paired).
    func baselineComparison(_ best: Variant) -> String {
        let ones = truth.map { _ in [UInt8](repeating: 1, count: 3) }
        let d = Bootstrap.pairedMeanF1Difference(truth: truth, a: evaluated[best].predictions, b: ones, resamples: resamples, seed: seed)
        return "\(signed(d.delta)) \(d.interval.formatted(signed: true))"
    }

    /// "threshold 0.5" or "thresholds 0.38 / 0.72 / 0.34 (label1 / label2 / label3)".
    static func thresholdsShort(_ t: [Float]) -> String {
        t.allSatisfy({ $0 == 0.5 }) ? "threshold 0.5" : Set(t).count == 1 ? "threshold \(fmt(Double(t[0]), 2))"
            : "thresholds " + t.map { fmt(Double($0), 2) }.joined(separator: " / ") + " (label1 / label2 / label3)"
    }

    /// Why the submission uses its thresholds, from the validation evidence.
    func thresholdSentence(_ c: ThresholdChoice) -> String {
        let d = c.comparison
        let evidence = "cross-fitted on validation, per-label thresholds tuned for F1 score the best run a mean F1 of "
            + "\(fmt(d.meanA)) against \(fmt(d.meanB)) at 0.5, difference \(signed(d.delta)) \(d.interval.formatted(signed: true)) "
            + "(paired bootstrap, \(grouped(d.resamples)) resamples)"
        let tuned = c.tunedThresholds.map { fmt(Double($0), 2) }.joined(separator: " / ")
        switch (c.asked, c.usesTuned) {
        case (.auto, true):
            return "The thresholds are the ones with the best F1 on the whole validation split, because they are detectably better than 0.5: " + evidence + "."
        case (.auto, false):
            return "The threshold stays 0.5 because the tuned thresholds (\(tuned)) are not detectably better: " + evidence + "."
        case (.half, _):
            return "The threshold is 0.5, as configured; for comparison, " + evidence + "."
        case (.tuned, _):
            return "The thresholds are the ones with the best F1 on the whole validation split, as configured; " + evidence + "."
        }
    }

    func blackRuleSentence(_ choice: BlackRuleChoice) -> String {
        var s = "Black images are predicted \(choice.prediction.map(String.init).joined(separator: ",")) by the rule **\(choice.chosen.rawValue)**"
        if choice.asked == .auto {
            s += ", the best of the three on validation for the best run, \(Markdown.code(trained[evaluated.best]!.name)) (mean F1: "
            s += choice.candidates.map { "\($0.rule.rawValue) \(fmt($0.meanF1))" }.joined(separator: ", ") + ")"
        } else {
            s += ", as configured"
        }
        s += "."
        let chosenOnValidation = choice.asked == .auto || choice.chosen == .f1Optimal
        if chosenOnValidation {
            let folds = choice.foldPredictions.map { $0.map(String.init).joined(separator: ",") }
            s += " The tables score this choice cross-fitted, like the tuned thresholds: the black images at even positions "
            s += "get the rule chosen on the odd ones (\(folds[0])) and vice versa (\(folds[1])), "
            s += "mean F1 \(fmt(choice.crossFittedMeanF1)) for the best run."
        }
        if let majority = choice.candidates.first(where: { $0.rule == .majority }),
           choice.foldPredictions.contains(where: { $0 != majority.prediction }) {
            // The rule as scored in the tables against the study's, for the best run, on the same images.
            let raw = trained[evaluated.best]!.valScores
            func predictions(_ rule: (Int) -> [UInt8]) -> [[UInt8]] {
                truth.indices.map { i in (0..<3).map { l in evaluated.black[i] ? rule(i)[l] : (raw[l][i] >= 0.5 ? 1 : 0) } }
            }
            let d = Bootstrap.pairedMeanF1Difference(truth: truth, a: predictions(choice.tablePrediction(at:)),
                                                     b: predictions { _ in majority.prediction },
                                                     resamples: resamples, seed: seed)
            s += " For the best run, against the study's majority rule (\(majority.prediction.map(String.init).joined(separator: ","))): "
            s += "mean F1 \(fmt(d.meanA)) vs \(fmt(d.meanB)), difference \(signed(d.delta)) \(d.interval.formatted(signed: true)) "
            s += "(paired bootstrap\(chosenOnValidation ? ", the chosen rule cross-fitted" : ""))."
        }
        return s
    }

    func conclusion(isDefault: Bool) -> String {
        let best = evaluated.best, e = evaluated[best]
        let name = trained[best]!.name
        let anyLearned = plan.main.rows.contains(where: learned)
        let what = anyLearned ? "the best model of this run is" : "no model of this run learned (see Results); the submission uses"
        var s = "On \(isDefault ? "the embedded default dataset" : "this data"), \(what) \(Markdown.code(name)) "
        s += "with mean validation F1 \(fmt(e.meanF1)) \(interval(of: [best]).mean) at threshold 0.5 (\(fmt(e.meanF1NonBlack)) on the non-black images), "
        s += "against \(fmt(evaluated.baseline)) for the all-ones baseline on the same images (paired difference \(baselineComparison(best)))."
        if e.meanF1Tuned > e.meanF1 {
            s += " Per-label thresholds tuned on validation (cross-fitted) give \(fmt(e.meanF1Tuned))."
        }
        return s
    }
}
