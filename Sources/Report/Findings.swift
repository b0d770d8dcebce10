import NN

/// Sentences that state a finding, each read from this run's numbers and set beside what
/// the original write-up claimed. Differences in mean F1 below `tie` count as no difference.
struct Findings {
    static let tie = 0.01

    let plan: [Experiment]
    let evaluations: [Variant: VariantEvaluation]
    let results: [Variant: VariantResult]

    func mean(_ v: Variant) -> Double { evaluations[v]!.meanF1 }

    func experiment(_ id: String) -> Experiment? { plan.first { $0.id == id } }

    /// "a (0.871) is better than b (0.842) by 0.029" or "a and b are level (0.871 vs 0.866)".
    func compare(_ a: (String, Variant), _ b: (String, Variant)) -> (sentence: String, delta: Double) {
        let d = mean(a.1) - mean(b.1)
        if abs(d) < Findings.tie {
            return ("\(a.0) and \(b.0) are level (mean F1 \(fmt(mean(a.1))) vs \(fmt(mean(b.1))))", d)
        }
        let (w, l) = d > 0 ? (a, b) : (b, a)
        return ("\(w.0) beats \(l.0) (mean F1 \(fmt(mean(w.1))) vs \(fmt(mean(l.1))), a difference of \(fmt(abs(d))))", d)
    }

    func agreement(_ agrees: Bool) -> String { agrees ? "This run agrees." : "This run does not agree." }

    /// One finding per experiment, keyed by experiment id.
    func all() -> [String: String] {
        var f: [String: String] = [:]
        if let e = experiment("architectures") {
            let ranked = e.rows.sorted { mean($0.variant) > mean($1.variant) }
            let best = ranked[0], second = ranked.count > 1 ? ranked[1] : nil
            var s = "The best architecture in this run is **\(best.label)** with mean validation F1 \(fmt(mean(best.variant)))"
            if let second { s += ", ahead of \(second.label) (\(fmt(mean(second.variant))))" }
            let worst = ranked.last!
            s += "; the weakest is \(worst.label) (\(fmt(mean(worst.variant))))."
            s += " The original found the deepest CNN (1.e, conv5) best. " + agreement(best.variant.architecture == .conv5)
            let fc = ranked.filter { $0.variant.architecture == .fc1 || $0.variant.architecture == .fc2 }
            let cnn = ranked.filter { [.conv1, .conv2, .conv3, .conv4, .conv5].contains($0.variant.architecture) }
            if let bestFC = fc.first, let bestCNN = cnn.first {
                s += " The best fully connected net (\(bestFC.label), \(fmt(mean(bestFC.variant)))) "
                s += mean(bestCNN.variant) - mean(bestFC.variant) >= Findings.tie
                    ? "trails the best CNN by \(fmt(mean(bestCNN.variant) - mean(bestFC.variant)))."
                    : "is level with the best CNN."
            }
            f["architectures"] = s
        }
        if let e = experiment("heads"), e.rows.count == 2 {
            let c = compare((e.rows[0].label, e.rows[0].variant), (e.rows[1].label, e.rows[1].variant))
            f["heads"] = "Here " + c.sentence + ". The original only proposed joint training as an idea; a joint network costs a third of the training time."
        }
        if let e = experiment("epochs"), e.rows.count >= 2 {
            let sorted = e.rows.sorted { $0.variant.epochs < $1.variant.epochs }
            let c = compare((sorted.last!.label, sorted.last!.variant), (sorted.first!.label, sorted.first!.variant))
            f["epochs"] = "Training longer: " + c.sentence + ". The original found 10 epochs better than 5. "
                + agreement(c.delta >= Findings.tie)
        }
        if let e = experiment("learning-rate") {
            let best = e.rows.max { mean($0.variant) < mean($1.variant) }!
            let diverged = e.rows.filter { !results[$0.variant]!.diverged.isEmpty }.map(\.label)
            var s = "The best learning rate here is \(best.label) (mean F1 \(fmt(mean(best.variant))))."
            s += " " + e.rows.map { "\($0.label): \(fmt(mean($0.variant)))" }.joined(separator: ", ") + "."
            if !diverged.isEmpty { s += " Training diverged at " + diverged.joined(separator: ", ") + "." }
            s += " The original found 1e-3 best. " + agreement(best.variant.learningRate == 1e-3)
            f["learning-rate"] = s
        }
        if let e = experiment("optimizer"), e.rows.count >= 2 {
            let c = compare((e.rows[0].label, e.rows[0].variant), (e.rows[1].label, e.rows[1].variant))
            var s = c.sentence + "."
            if e.rows.count > 2 {
                let m = compare((e.rows[0].label, e.rows[0].variant), (e.rows[2].label, e.rows[2].variant))
                s += " With momentum: " + m.sentence + "."
            }
            f["optimizer"] = s + " The original found Adam better than SGD. " + agreement(c.delta >= Findings.tie)
        }
        if let e = experiment("loss"), e.rows.count == 2 {
            let c = compare((e.rows[0].label, e.rows[0].variant), (e.rows[1].label, e.rows[1].variant))
            f["loss"] = c.sentence.prefix(1).uppercased() + c.sentence.dropFirst() + ". The original saw no difference between the two losses. " + agreement(abs(c.delta) < Findings.tie)
        }
        if let e = experiment("augmentation"), e.rows.count == 2 {
            let off = e.rows[0], on = e.rows[1]
            let d = mean(on.variant) - mean(off.variant)
            let s = abs(d) < Findings.tie
                ? "Augmentation makes no substantial difference (mean F1 \(fmt(mean(on.variant))) on vs \(fmt(mean(off.variant))) off)."
                : "Augmentation \(d > 0 ? "helps" : "hurts"): mean F1 \(fmt(mean(on.variant))) on vs \(fmt(mean(off.variant))) off."
            f["augmentation"] = s + " The original found no substantial improvement. " + agreement(d < Findings.tie)
        }
        if let e = experiment("black-policy") {
            let best = e.rows.max { mean($0.variant) < mean($1.variant) }!
            f["black-policy"] = "Mean F1 by policy: " + e.rows.map { "\($0.label) \(fmt(mean($0.variant)))" }.joined(separator: ", ")
                + ". The best is \(best.label). The original kept one black image labelled 0,0,0."
        }
        if let e = experiment("channels"), e.rows.count == 2 {
            let c = compare((e.rows[1].label, e.rows[1].variant), (e.rows[0].label, e.rows[0].variant))
            f["channels"] = c.sentence.prefix(1).uppercased() + c.sentence.dropFirst() + ". Three identical channels carry no extra information (only the first layer's parameter count changes), so a difference here comes from initialisation and training noise."
        }
        if let e = experiment("resolution"), e.rows.count == 2 {
            let c = compare((e.rows[0].label, e.rows[0].variant), (e.rows[1].label, e.rows[1].variant))
            f["resolution"] = c.sentence.prefix(1).uppercased() + c.sentence.dropFirst() + "."
        }
        return f
    }
}
