/// Which model of a comparison "A vs B".
public enum Side: String, Codable, Sendable, Equatable {
    case a, b
}

/// One model of a comparison, as the verdict needs it.
public struct Contender: Codable, Sendable, Equatable {
    /// The name the sentence uses ("on", "Adam", "conv4").
    public var name: String
    /// Mean F1 on the scored images (averaged over seeds when there are several).
    public var meanF1: Double
    /// Zero-based labels on which some seed's predictions are one class for all but at most
    /// 1 % of the images (`Verdict.collapsedLabels`). Empty for a model that learned.
    public var collapsedLabels: [Int]
    /// Training diverged (a non-finite loss) in some seed.
    public var diverged: Bool
    /// Seeds behind `meanF1`, and how many of them collapsed on some label or diverged (the
    /// sentences say "in 1 of its 2 seeds" when not all did).
    public var seeds: Int
    public var failedSeeds: Int
    /// For each of `collapsedLabels`, how many seeds collapsed on it (seeds may fail on
    /// different labels).
    public var collapsedSeeds: [Int]

    public init(name: String, meanF1: Double, collapsedLabels: [Int] = [], diverged: Bool = false,
                seeds: Int = 1, failedSeeds: Int? = nil, collapsedSeeds: [Int]? = nil) {
        self.name = name
        self.meanF1 = meanF1
        self.collapsedLabels = collapsedLabels
        self.diverged = diverged
        self.seeds = seeds
        let failed = failedSeeds ?? (collapsedLabels.isEmpty && !diverged ? 0 : seeds)
        self.failedSeeds = failed
        self.collapsedSeeds = collapsedSeeds ?? collapsedLabels.map { _ in failed }
    }

    /// " in 1 of its 2 seeds" when some but not all seeds failed; "" otherwise.
    public var failedSeedsPhrase: String {
        failedSeeds > 0 && failedSeeds < seeds ? " in \(failedSeeds) of its \(seeds) seeds" : ""
    }

    /// The collapsed labels with the seeds that collapsed on them: "label1, label2", "label2
    /// in 1 of its 2 seeds", or — when the seeds collapsed on different labels — "label1 in 2
    /// of its 2 seeds and label2, label3 in 1 of its 2 seeds".
    public var collapsePhrase: String {
        let counts = collapsedSeeds.count == collapsedLabels.count ? collapsedSeeds : collapsedLabels.map { _ in failedSeeds }
        if Set(counts).count <= 1 {
            let k = counts.first ?? failedSeeds
            return Format.labels(collapsedLabels) + (k > 0 && k < seeds ? " in \(k) of its \(seeds) seeds" : "")
        }
        let byCount = Dictionary(grouping: zip(collapsedLabels, counts), by: \.1).sorted { $0.key > $1.key }
        return byCount.map { k, labels in Format.labels(labels.map(\.0)) + " in \(k) of its \(seeds) seeds" }
            .joined(separator: " and ")
    }
}

/// Everything a verdict on "A vs B" rests on.
public struct Comparison: Codable, Sendable, Equatable {
    public var a: Contender
    public var b: Contender
    /// meanF1(A) − meanF1(B) on the scored images.
    public var delta: Double
    /// 95% paired bootstrap interval of `delta`.
    public var interval: Interval
    /// The difference for each seed alone; empty or one value for a single seed.
    public var seedDeltas: [Double]
    /// Images scored (the bootstrap resamples these).
    public var images: Int
    public var resamples: Int

    public init(a: Contender, b: Contender, delta: Double, interval: Interval,
                seedDeltas: [Double], images: Int, resamples: Int) {
        self.a = a; self.b = b; self.delta = delta; self.interval = interval
        self.seedDeltas = seedDeltas; self.images = images; self.resamples = resamples
    }

    /// From a paired bootstrap; the contenders' `meanF1` are taken from it.
    public init(a: Contender, b: Contender, paired d: PairedDifference) {
        var a = a, b = b
        a.meanF1 = d.meanA
        b.meanF1 = d.meanB
        self.init(a: a, b: b, delta: d.delta, interval: d.interval, seedDeltas: d.seedDeltas,
                  images: d.images, resamples: d.resamples)
    }

    /// Straight from predictions: the paired bootstrap of the seed-averaged mean F1
    /// difference (`Bootstrap.pairedMeanF1Difference(truth:aSeeds:bSeeds:)`), each side's
    /// collapsed labels as the union over its seeds, and the seeds' own differences.
    /// - Parameters: `aSeeds[s]`, `bSeeds[s]` the n × L binary predictions of seed s;
    ///   `aDiverged`/`bDiverged` whether training diverged in any seed.
    public init(a name: String, b otherName: String, truth: [[UInt8]], aSeeds: [[[UInt8]]], bSeeds: [[[UInt8]]],
                aDiverged: Bool = false, bDiverged: Bool = false,
                resamples: Int = Bootstrap.defaultResamples, seed: UInt64) {
        let d = Bootstrap.pairedMeanF1Difference(truth: truth, aSeeds: aSeeds, bSeeds: bSeeds, resamples: resamples, seed: seed)
        func collapsed(_ seeds: [[[UInt8]]]) -> [Int] {
            Array(Set(seeds.flatMap { Verdict.collapsedLabels(predicted: $0) })).sorted()
        }
        self.init(a: Contender(name: name, meanF1: d.meanA, collapsedLabels: collapsed(aSeeds), diverged: aDiverged),
                  b: Contender(name: otherName, meanF1: d.meanB, collapsedLabels: collapsed(bSeeds), diverged: bDiverged),
                  paired: d)
    }

    /// Number of seeds behind the comparison (at least 1).
    public var seeds: Int { max(1, seedDeltas.count) }

    public func contender(_ side: Side) -> Contender { side == .a ? a : b }
}

/// What a comparison shows.
public enum Outcome: Codable, Sendable, Equatable {
    /// The paired interval excludes 0 and every seed's difference has the same sign.
    case difference(favours: Side, interval: Interval, delta: Double)
    /// The paired interval includes 0.
    case noDetectableDifference(interval: Interval, delta: Double)
    /// The numbers cannot support either statement.
    case inconclusive(reason: Reason)

    public enum Reason: Codable, Sendable, Equatable {
        /// The interval excludes 0 but the seeds' differences do not all have its sign.
        case seedsDisagree(deltas: [Double])
        /// A model predicts a single class on these (zero-based) labels: it did not learn
        /// them, so its F1 says nothing about the variant.
        case collapsed([CollapsedModel])
        /// Training diverged for these sides.
        case diverged([Side])
        /// Fewer scored images than the rule's minimum.
        case tooFewImages(count: Int, minimum: Int)
        /// The interval excludes 0 but fewer seeds than the rule requires for a difference.
        case tooFewSeeds(count: Int, minimum: Int)
    }

    public struct CollapsedModel: Codable, Sendable, Equatable {
        public var side: Side
        public var labels: [Int]
        public init(side: Side, labels: [Int]) { self.side = side; self.labels = labels }
    }
}

/// What the original write-up found about "A vs B".
public enum Claim: Codable, Sendable, Equatable {
    /// The original found this side better.
    case better(Side)
    /// The original found no (substantial) difference.
    case noDifference
}

/// How this run's outcome relates to the original's claim.
public enum Agreement: String, Codable, Sendable, Equatable {
    case agrees, contradicts, cannotTell
}

/// The decision rules: from a comparison's numbers to an outcome, and from an outcome to
/// agreement with the original. No fixed margin: only the paired interval, the seeds' signs
/// and the models' health decide.
public enum Verdict {
    /// Settings of `compare`.
    public struct Rules: Codable, Sendable, Equatable {
        /// Below this many scored images a comparison is inconclusive (percentile intervals
        /// of F1 are unreliable on a handful of positives).
        public var minimumImages: Int
        /// A difference needs at least this many seeds; with fewer, an interval that excludes
        /// 0 is inconclusive. 1 allows a single-seed difference (the sentence says "1 seed").
        public var minimumSeeds: Int

        public init(minimumImages: Int = 30, minimumSeeds: Int = 1) {
            precondition(minimumImages >= 1 && minimumSeeds >= 1, "Verdict.Rules: minimums must be ≥ 1")
            self.minimumImages = minimumImages
            self.minimumSeeds = minimumSeeds
        }
    }

    /// Share of the predictions the minority class may have on a collapsed label: a network
    /// that predicts one class for all but a stray image or two (say 1 of 1,131) has learned no
    /// more of that label than one that predicts it for all.
    public static let collapseTolerance = 0.01

    /// Zero-based labels on which the predictions are one class (0 or 1) for all images but
    /// at most `tolerance` of them (rounded down: on fewer than 100 images, all of them).
    public static func collapsedLabels(predicted: [[UInt8]], tolerance: Double = collapseTolerance) -> [Int] {
        guard let first = predicted.first else { return [] }
        let allowed = Int((tolerance * Double(predicted.count)).rounded(.down))
        return first.indices.filter { l in
            let ones = predicted.reduce(0) { $0 + ($1[l] != 0 ? 1 : 0) }
            return min(ones, predicted.count - ones) <= allowed
        }
    }

    /// The outcome of "A vs B", checked in this order:
    ///
    /// 1. a side diverged → inconclusive (diverged);
    /// 2. a side collapsed on any label → inconclusive (collapsed) — whatever the interval,
    ///    a model that predicts one class is not ranked as if it had learned;
    /// 3. fewer than `rules.minimumImages` images → inconclusive (too few images);
    /// 4. the interval includes 0 → no detectable difference (seeds of either sign are
    ///    consistent with that);
    /// 5. the interval excludes 0, but some seed's difference is 0 or of the other sign →
    ///    inconclusive (seeds disagree);
    /// 6. the interval excludes 0 with fewer than `rules.minimumSeeds` seeds →
    ///    inconclusive (too few seeds);
    /// 7. otherwise a difference in favour of the side the interval lies on.
    ///
    /// Consequently two seeds with opposite differences can never yield a difference, so
    /// runs that share them cannot state opposite differences.
    public static func compare(_ c: Comparison, rules: Rules = Rules()) -> Outcome {
        let diverged = [Side.a, .b].filter { c.contender($0).diverged }
        if !diverged.isEmpty { return .inconclusive(reason: .diverged(diverged)) }
        let collapsed = [Side.a, .b].compactMap { side -> Outcome.CollapsedModel? in
            let labels = c.contender(side).collapsedLabels
            return labels.isEmpty ? nil : Outcome.CollapsedModel(side: side, labels: labels.sorted())
        }
        if !collapsed.isEmpty { return .inconclusive(reason: .collapsed(collapsed)) }
        if c.images < rules.minimumImages {
            return .inconclusive(reason: .tooFewImages(count: c.images, minimum: rules.minimumImages))
        }
        if !c.interval.excludesZero { return .noDetectableDifference(interval: c.interval, delta: c.delta) }
        let favours: Side = c.interval.lower > 0 ? .a : .b
        let agree = c.seedDeltas.allSatisfy { favours == .a ? $0 > 0 : $0 < 0 }
        if !agree { return .inconclusive(reason: .seedsDisagree(deltas: c.seedDeltas)) }
        if c.seeds < rules.minimumSeeds {
            return .inconclusive(reason: .tooFewSeeds(count: c.seeds, minimum: rules.minimumSeeds))
        }
        return .difference(favours: favours, interval: c.interval, delta: c.delta)
    }

    /// The original's claim against this run's outcome:
    ///
    /// | claim            | difference for that side | for the other side | no detectable difference | inconclusive |
    /// |------------------|--------------------------|--------------------|--------------------------|--------------|
    /// | `better(side)`   | agrees                   | contradicts        | cannot tell              | cannot tell  |
    /// | `noDifference`   | contradicts (either)     | contradicts        | agrees (consistent with) | cannot tell  |
    public static func agreement(_ claim: Claim, _ outcome: Outcome) -> Agreement {
        switch (claim, outcome) {
        case (.better(let side), .difference(let favours, _, _)): return side == favours ? .agrees : .contradicts
        case (.better, _): return .cannotTell
        case (.noDifference, .difference): return .contradicts
        case (.noDifference, .noDetectableDifference): return .agrees
        case (.noDifference, .inconclusive): return .cannotTell
        }
    }
}
