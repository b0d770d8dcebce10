/// A stated finding: a comparison, its outcome, and (when the original made a claim about
/// it) the agreement, with one sentence that says all of it using only these numbers.
///
///     Augmentation on vs off: mean F1 0.812 vs 0.786, difference +0.026 [+0.004, +0.049]
///     (paired bootstrap, 2,000 resamples, 1,000 images; 3 seeds agree in sign) — a
///     difference in favour of on. The original found no substantial improvement: this run
///     contradicts it.
public struct Finding: Codable, Sendable, Equatable {
    /// "Augmentation on vs off": names A first, B second.
    public var title: String
    public var comparison: Comparison
    public var outcome: Outcome
    public var claim: Claim?
    /// What the original said, as a sentence without the final period:
    /// "The original found no substantial improvement".
    public var claimText: String?
    public var agreement: Agreement?

    public init(title: String, comparison: Comparison, claim: Claim? = nil, claimText: String? = nil,
                rules: Verdict.Rules = Verdict.Rules()) {
        precondition((claim == nil) == (claimText == nil), "Finding: give both the claim and its text, or neither")
        self.title = title
        self.comparison = comparison
        self.outcome = Verdict.compare(comparison, rules: rules)
        self.claim = claim
        self.claimText = claimText
        self.agreement = claim.map { Verdict.agreement($0, outcome) }
    }

    public var sentence: String {
        let c = comparison
        var s = "\(title): mean F1 \(Format.fixed(c.a.meanF1)) vs \(Format.fixed(c.b.meanF1)), "
        s += "difference \(Interval.formatted(c.delta, c.interval, signed: true)) "
        s += "(paired bootstrap, \(Format.grouped(c.resamples)) resamples, \(Format.plural(c.images, "image")); \(seedPhrase)) — "
        s += outcomePhrase + "."
        if let claimText, let agreement {
            var text = claimText
            while text.hasSuffix(".") { text.removeLast() }
            s += " \(text): \(agreementPhrase(agreement))."
        }
        return s
    }

    /// "1 seed", "3 seeds agree in sign", "2 seeds differ in sign: +0.010, −0.004".
    var seedPhrase: String {
        let d = comparison.seedDeltas
        guard d.count > 1 else { return "1 seed" }
        if d.allSatisfy({ $0 > 0 }) || d.allSatisfy({ $0 < 0 }) { return "\(d.count) seeds agree in sign" }
        return "\(d.count) seeds differ in sign: " + d.map { Format.signed($0) }.joined(separator: ", ")
    }

    var outcomePhrase: String {
        switch outcome {
        case .difference(let favours, _, _):
            return "a difference in favour of \(comparison.contender(favours).name)"
        case .noDetectableDifference:
            return "no detectable difference (the interval includes 0)"
        case .inconclusive(let reason):
            return "inconclusive: " + Finding.phrase(reason, comparison)
        }
    }

    static func phrase(_ reason: Outcome.Reason, _ c: Comparison) -> String {
        switch reason {
        case .seedsDisagree:
            return "the interval excludes 0 but the seeds disagree in sign"
        case .collapsed(let models):
            return models.map { m in
                "\(c.contender(m.side).name) predicts a single class for \(c.contender(m.side).collapsePhrase) (collapsed, not ranked)"
            }.joined(separator: "; ")
        case .diverged(let sides):
            return "training of " + sides.map { c.contender($0).name + c.contender($0).failedSeedsPhrase }.joined(separator: " and ") + " diverged"
        case .tooFewImages(let count, let minimum):
            return "only \(Format.plural(count, "image")) scored, fewer than the \(Format.grouped(minimum)) needed"
        case .tooFewSeeds(let count, let minimum):
            return "the interval excludes 0 but \(Format.plural(count, "seed")) is fewer than the \(Format.grouped(minimum)) a difference needs"
        }
    }

    public func agreementPhrase(_ a: Agreement) -> String {
        Finding.agreementPhrase(a, claim: claim, failedToLearn: failedToLearn)
    }

    /// How a sentence states its agreement with the original's claim. "this run cannot tell"
    /// drops "at this sample size" when a side did not learn: more images would not settle it.
    public static func agreementPhrase(_ a: Agreement, claim: Claim?, failedToLearn: Bool) -> String {
        switch a {
        case .agrees:
            return claim == .noDifference ? "this run is consistent with it" : "this run agrees"
        case .contradicts:
            return "this run contradicts it"
        case .cannotTell:
            return failedToLearn ? "this run cannot tell" : "this run cannot tell at this sample size"
        }
    }

    /// Inconclusive because a side collapsed or diverged: more images would not settle it,
    /// so a sentence must not blame the sample size.
    public var failedToLearn: Bool {
        if case .inconclusive(let reason) = outcome {
            switch reason {
            case .collapsed, .diverged: return true
            default: return false
            }
        }
        return false
    }
}
