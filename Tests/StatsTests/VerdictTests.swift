import Foundation
import XCTest
import SeededRandom
@testable import Stats

final class VerdictTests: XCTestCase {
    func comparison(_ aMean: Double, _ bMean: Double, _ lower: Double, _ upper: Double, seeds: [Double]? = nil,
                    aCollapsed: [Int] = [], bCollapsed: [Int] = [], aDiverged: Bool = false,
                    images: Int = 1_000, a: String = "on", b: String = "off") -> Comparison {
        let delta = aMean - bMean
        return Comparison(a: Contender(name: a, meanF1: aMean, collapsedLabels: aCollapsed, diverged: aDiverged),
                          b: Contender(name: b, meanF1: bMean, collapsedLabels: bCollapsed),
                          delta: delta, interval: Interval(lower: lower, upper: upper),
                          seedDeltas: seeds ?? [delta], images: images, resamples: 2_000)
    }

    // MARK: Collapse detection

    func testCollapsedLabels() {
        XCTAssertEqual(Verdict.collapsedLabels(predicted: [[0, 1, 1], [0, 0, 1], [0, 1, 1]]), [0, 2])
        XCTAssertEqual(Verdict.collapsedLabels(predicted: [[1, 1, 0], [0, 1, 0]]), [1, 2])
        XCTAssertEqual(Verdict.collapsedLabels(predicted: [[1, 0, 0], [0, 1, 1]]), [])
        XCTAssertEqual(Verdict.collapsedLabels(predicted: [[0, 0, 0], [0, 0, 0]]), [0, 1, 2])
    }

    /// One stray prediction in 1,131 (what fc1's label3 did in a default run: F1 0.000 and
    /// ranked as if learned) is a collapse; 12 (just over 1 %) is not; the same for ones.
    func testCollapseToleratesAStrayPrediction() {
        func predictions(_ n: Int, ones: [Int]) -> [[UInt8]] {
            (0..<n).map { i in ones.map { i < $0 ? 1 : 0 } }
        }
        let n = 1131
        XCTAssertEqual(Verdict.collapsedLabels(predicted: predictions(n, ones: [1, 11, 12])), [0, 1])
        XCTAssertEqual(Verdict.collapsedLabels(predicted: predictions(n, ones: [n - 1, n - 11, n - 12])), [0, 1])
        XCTAssertEqual(Verdict.collapsedLabels(predicted: predictions(n, ones: [388, 563, 600])), [])
        // On fewer than 100 images only a single class is a collapse.
        XCTAssertEqual(Verdict.collapsedLabels(predicted: predictions(99, ones: [1, 0, 98])), [1])
    }

    /// A side that collapsed in some of its seeds says in how many; one that collapsed in all
    /// of them (or has one seed) says nothing more.
    func testCollapseInSomeSeedsIsCounted() {
        var c = comparison(0.570, 0.306, 0.240, 0.285, seeds: [0.2, 0.3], a: "Adam", b: "SGD")
        c.b = Contender(name: "SGD", meanF1: 0.306, collapsedLabels: [0, 1, 2], seeds: 2, failedSeeds: 1)
        let some = Finding(title: "Adam vs SGD", comparison: c).sentence
        XCTAssertTrue(some.contains("SGD predicts a single class for label1, label2, label3 in 1 of its 2 seeds (collapsed, not ranked)"), some)
        c.b = Contender(name: "SGD", meanF1: 0.306, collapsedLabels: [0, 1, 2], seeds: 2)
        let all = Finding(title: "Adam vs SGD", comparison: c).sentence
        XCTAssertTrue(all.contains("SGD predicts a single class for label1, label2, label3 (collapsed, not ranked)"), all)
    }

    /// Seeds that collapsed on different labels are told apart: a default run's "SGD, momentum
    /// 0.9" had one seed collapsed on label1 only and the other on all three, and the sentence
    /// said both predicted a single class on all three.
    func testSeedsCollapsedOnDifferentLabelsAreToldApart() {
        var c = comparison(0.569, 0.345, 0.202, 0.244, seeds: [0.2, 0.25], a: "Adam", b: "SGD, momentum 0.9")
        c.b = Contender(name: "SGD, momentum 0.9", meanF1: 0.345, collapsedLabels: [0, 1, 2], seeds: 2, failedSeeds: 2,
                        collapsedSeeds: [2, 1, 1])
        let s = Finding(title: "Adam vs SGD, momentum 0.9", comparison: c).sentence
        XCTAssertTrue(s.contains("SGD, momentum 0.9 predicts a single class for label1 in 2 of its 2 seeds and label2, label3 in 1 of its 2 seeds (collapsed, not ranked)"), s)
        XCTAssertEqual(Contender(name: "x", meanF1: 0, collapsedLabels: [1], seeds: 3, failedSeeds: 2, collapsedSeeds: [2]).collapsePhrase,
                       "label2 in 2 of its 3 seeds")
    }

    // MARK: Outcomes

    func testDifferenceAndTheExampleSentence() {
        let c = comparison(0.812, 0.786, 0.004, 0.049, seeds: [0.02, 0.03, 0.028])
        XCTAssertEqual(Verdict.compare(c), .difference(favours: .a, interval: c.interval, delta: c.delta))
        let f = Finding(title: "Augmentation on vs off", comparison: c, claim: .noDifference,
                        claimText: "The original found no substantial improvement")
        XCTAssertEqual(f.agreement, .contradicts)
        XCTAssertEqual(f.sentence, "Augmentation on vs off: mean F1 0.812 vs 0.786, difference +0.026 [+0.004, +0.049] "
            + "(paired bootstrap, 2,000 resamples, 1,000 images; 3 seeds agree in sign) — a difference in favour of on. "
            + "The original found no substantial improvement: this run contradicts it.")
    }

    func testDifferenceFavouringBAndClaims() {
        let c = comparison(0.70, 0.75, -0.08, -0.02, a: "SGD", b: "Adam")
        let o = Verdict.compare(c)
        XCTAssertEqual(o, .difference(favours: .b, interval: c.interval, delta: c.delta))
        XCTAssertEqual(Verdict.agreement(.better(.b), o), .agrees)
        XCTAssertEqual(Verdict.agreement(.better(.a), o), .contradicts)
        XCTAssertEqual(Verdict.agreement(.noDifference, o), .contradicts)
        let f = Finding(title: "SGD vs Adam", comparison: c, claim: .better(.b), claimText: "The original found Adam better than SGD.")
        XCTAssertEqual(f.sentence, "SGD vs Adam: mean F1 0.700 vs 0.750, difference −0.050 [−0.080, −0.020] "
            + "(paired bootstrap, 2,000 resamples, 1,000 images; 1 seed) — a difference in favour of Adam. "
            + "The original found Adam better than SGD: this run agrees.")
    }

    func testNoDetectableDifference() {
        let c = comparison(0.801, 0.795, -0.010, 0.022, seeds: [0.01, -0.004])
        let o = Verdict.compare(c)
        XCTAssertEqual(o, .noDetectableDifference(interval: c.interval, delta: c.delta))
        XCTAssertEqual(Verdict.agreement(.noDifference, o), .agrees)
        XCTAssertEqual(Verdict.agreement(.better(.a), o), .cannotTell)
        XCTAssertEqual(Verdict.agreement(.better(.b), o), .cannotTell)
        let f = Finding(title: "Focal vs cross-entropy loss", comparison: c, claim: .noDifference,
                        claimText: "The original saw no difference between the two losses")
        XCTAssertEqual(f.sentence, "Focal vs cross-entropy loss: mean F1 0.801 vs 0.795, difference +0.006 [−0.010, +0.022] "
            + "(paired bootstrap, 2,000 resamples, 1,000 images; 2 seeds differ in sign: +0.010, −0.004) — "
            + "no detectable difference (the interval includes 0). "
            + "The original saw no difference between the two losses: this run is consistent with it.")
        let g = Finding(title: "10 vs 5 epochs", comparison: c, claim: .better(.a), claimText: "The original found 10 epochs better than 5")
        XCTAssertTrue(g.sentence.hasSuffix("The original found 10 epochs better than 5: this run cannot tell at this sample size."), g.sentence)
    }

    /// The self-contradiction of the old report: "on" collapsed to all-negative (mean F1
    /// 0.000) against 0.586 "off". It must be inconclusive (collapsed), never "agrees".
    func testAugmentationContradictionScenarioIsInconclusive() {
        let c = comparison(0.000, 0.586, -0.62, -0.55, aCollapsed: [0, 1, 2])
        let o = Verdict.compare(c)
        XCTAssertEqual(o, .inconclusive(reason: .collapsed([Outcome.CollapsedModel(side: .a, labels: [0, 1, 2])])))
        for claim in [Claim.noDifference, .better(.a), .better(.b)] {
            XCTAssertEqual(Verdict.agreement(claim, o), .cannotTell, "\(claim)")
        }
        let f = Finding(title: "Augmentation on vs off", comparison: c, claim: .noDifference,
                        claimText: "The original found no substantial improvement")
        XCTAssertEqual(f.agreement, .cannotTell)
        XCTAssertFalse(f.sentence.contains("agrees"))
        XCTAssertFalse(f.sentence.contains("consistent"))
        XCTAssertEqual(f.sentence, "Augmentation on vs off: mean F1 0.000 vs 0.586, difference −0.586 [−0.620, −0.550] "
            + "(paired bootstrap, 2,000 resamples, 1,000 images; 1 seed) — inconclusive: on predicts a single class for "
            + "label1, label2, label3 (collapsed, not ranked). The original found no substantial improvement: this run cannot tell.")
    }

    /// The same scenario end to end from predictions: an all-negative model against one that
    /// learned, scored with the paired bootstrap and collapse detection.
    func testAugmentationScenarioFromPredictions() {
        let d = synthetic(images: 600, ptp: 0.3, pfp: 0.08, pfn: 0.08, seed: 31)
        let on = [[UInt8]](repeating: [0, 0, 0], count: 600)
        let paired = Bootstrap.pairedMeanF1Difference(truth: d.truth, a: on, b: d.predicted, resamples: 1_000, seed: 1)
        XCTAssertEqual(paired.meanA, 0)
        XCTAssertTrue(paired.interval.excludesZero)
        let c = Comparison(a: Contender(name: "on", meanF1: 0, collapsedLabels: Verdict.collapsedLabels(predicted: on)),
                           b: Contender(name: "off", meanF1: 0, collapsedLabels: Verdict.collapsedLabels(predicted: d.predicted)),
                           paired: paired)
        let f = Finding(title: "Augmentation on vs off", comparison: c, claim: .noDifference, claimText: "The original found no substantial improvement")
        guard case .inconclusive(.collapsed(let models)) = f.outcome else { return XCTFail("\(f.outcome)") }
        XCTAssertEqual(models, [Outcome.CollapsedModel(side: .a, labels: [0, 1, 2])])
        XCTAssertEqual(f.agreement, .cannotTell)
    }

    /// Built straight from two seeds' predictions per side: one seed of "on" collapsed on
    /// label2 makes the side collapsed; the means are seed averages.
    func testComparisonFromSeedPredictions() {
        let d = synthetic(images: 500, ptp: 0.3, pfp: 0.1, pfn: 0.1, seed: 40)
        var collapsedSeed = d.predicted
        for i in collapsedSeed.indices { collapsedSeed[i][1] = 0 }
        let off = [flipped(d.predicted, probability: 0.1, seed: 1), flipped(d.predicted, probability: 0.1, seed: 2)]
        let c = Comparison(a: "on", b: "off", truth: d.truth, aSeeds: [d.predicted, collapsedSeed], bSeeds: off,
                           resamples: 500, seed: 3)
        XCTAssertEqual(c.a.collapsedLabels, [1])
        XCTAssertEqual(c.b.collapsedLabels, [])
        XCTAssertEqual(c.seeds, 2)
        XCTAssertEqual(c.images, 500)
        let m = { Bootstrap.meanF1(truth: d.truth, predicted: $0) }
        XCTAssertEqual(c.a.meanF1, (m(d.predicted) + m(collapsedSeed)) / 2, accuracy: 1e-15)
        XCTAssertEqual(c.delta, c.a.meanF1 - c.b.meanF1, accuracy: 1e-15)
        XCTAssertEqual(Verdict.compare(c), .inconclusive(reason: .collapsed([Outcome.CollapsedModel(side: .a, labels: [1])])))
        // Without the collapsed seed: two healthy seeds that both beat "off" → a difference.
        let healthy = Comparison(a: "on", b: "off", truth: d.truth, aSeeds: [d.predicted, d.predicted], bSeeds: off,
                                 resamples: 500, seed: 3)
        XCTAssertEqual(healthy.seedDeltas.count, 2)
        XCTAssertTrue(healthy.seedDeltas.allSatisfy { $0 > 0 })
        guard case .difference(.a, _, _) = Verdict.compare(healthy) else { return XCTFail("\(Verdict.compare(healthy))") }
    }

    func testSeedsDisagreeingInSignAreInconclusive() {
        let c = comparison(0.80, 0.78, 0.005, 0.035, seeds: [0.03, -0.01, 0.02])
        let o = Verdict.compare(c)
        XCTAssertEqual(o, .inconclusive(reason: .seedsDisagree(deltas: [0.03, -0.01, 0.02])))
        XCTAssertEqual(Verdict.agreement(.better(.a), o), .cannotTell)
        XCTAssertEqual(Verdict.agreement(.noDifference, o), .cannotTell)
        let f = Finding(title: "conv5 vs conv4", comparison: c, claim: .better(.a), claimText: "The original found conv5 best")
        XCTAssertTrue(f.sentence.contains("3 seeds differ in sign: +0.030, −0.010, +0.020"), f.sentence)
        XCTAssertTrue(f.sentence.contains("inconclusive: the interval excludes 0 but the seeds disagree in sign"), f.sentence)
        XCTAssertTrue(f.sentence.hasSuffix("this run cannot tell at this sample size."), f.sentence)
        // A seed with exactly no difference does not agree either.
        XCTAssertEqual(Verdict.compare(comparison(0.80, 0.78, 0.005, 0.035, seeds: [0.03, 0])),
                       .inconclusive(reason: .seedsDisagree(deltas: [0.03, 0])))
    }

    /// Two seeds with opposite differences, each with an interval that excludes 0 on its own
    /// side (as two single-seed runs would see them): with both seeds known, neither is
    /// reported as a difference.
    func testTwoSeedsOppositeDifferencesAreNeverBothDifferences() {
        let seeds = [0.03, -0.03]
        let first = comparison(0.83, 0.80, 0.01, 0.05, seeds: seeds)
        let second = comparison(0.80, 0.83, -0.05, -0.01, seeds: seeds)
        for c in [first, second] {
            guard case .inconclusive(.seedsDisagree) = Verdict.compare(c) else { return XCTFail("\(Verdict.compare(c))") }
        }
        // A sweep over intervals and seed deltas: a difference always has every seed on its side,
        // so two comparisons that share seeds never state opposite differences.
        var g = SeededGenerator(seed: 1, stream: "sweep")
        for _ in 0..<2_000 {
            let lo = g.uniform(-0.1, 0.1), hi = lo + g.uniform(0, 0.1)
            let k = 1 + g.int(below: 4)
            let s = (0..<k).map { _ in g.uniform(-0.05, 0.05) }
            let c = comparison(0.8, 0.8, lo, hi, seeds: s)
            let c2 = comparison(0.8, 0.8, -hi, -lo, seeds: s)
            if case .difference(let side, _, _) = Verdict.compare(c) {
                XCTAssertTrue(s.allSatisfy { side == .a ? $0 > 0 : $0 < 0 })
                if case .difference(let other, _, _) = Verdict.compare(c2) { XCTAssertEqual(side, other) }
            }
        }
    }

    func testDivergedTooFewImagesAndTooFewSeeds() {
        let diverged = comparison(0.3, 0.8, -0.6, -0.4, aCollapsed: [0], aDiverged: true, a: "lr 0.1", b: "lr 0.001")
        let o = Verdict.compare(diverged)
        XCTAssertEqual(o, .inconclusive(reason: .diverged([.a])))
        XCTAssertEqual(Verdict.agreement(.better(.b), o), .cannotTell)
        XCTAssertTrue(Finding(title: "lr 0.1 vs lr 0.001", comparison: diverged).sentence
            .hasSuffix("— inconclusive: training of lr 0.1 diverged."))

        let few = comparison(0.9, 0.5, 0.1, 0.7, images: 12)
        XCTAssertEqual(Verdict.compare(few), .inconclusive(reason: .tooFewImages(count: 12, minimum: 30)))

        let single = comparison(0.82, 0.80, 0.005, 0.035)
        XCTAssertEqual(Verdict.compare(single, rules: .init(minimumSeeds: 2)),
                       .inconclusive(reason: .tooFewSeeds(count: 1, minimum: 2)))
        if case .difference = Verdict.compare(single) {} else { XCTFail("one seed is enough by default") }
        // With too few seeds an interval that includes 0 is still "no detectable difference".
        XCTAssertEqual(Verdict.compare(comparison(0.82, 0.80, -0.01, 0.05), rules: .init(minimumSeeds: 2)),
                       .noDetectableDifference(interval: Interval(lower: -0.01, upper: 0.05), delta: 0.82 - 0.80))
    }

    func testBothSidesCollapsedAreBothNamed() {
        let c = comparison(0.2, 0.3, -0.2, 0.0, aCollapsed: [2], bCollapsed: [0, 1])
        XCTAssertEqual(Verdict.compare(c), .inconclusive(reason: .collapsed([
            Outcome.CollapsedModel(side: .a, labels: [2]), Outcome.CollapsedModel(side: .b, labels: [0, 1]),
        ])))
        XCTAssertTrue(Finding(title: "x vs y", comparison: c).sentence.hasSuffix(
            "inconclusive: on predicts a single class for label3 (collapsed, not ranked); off predicts a single class for label1, label2 (collapsed, not ranked)."))
    }

    func testOutcomeRoundTripsThroughJSON() throws {
        let outcomes: [Outcome] = [
            .difference(favours: .b, interval: Interval(lower: -0.2, upper: -0.1), delta: -0.15),
            .noDetectableDifference(interval: Interval(lower: -0.1, upper: 0.1), delta: 0.01),
            .inconclusive(reason: .collapsed([Outcome.CollapsedModel(side: .a, labels: [1])])),
            .inconclusive(reason: .seedsDisagree(deltas: [0.1, -0.1])),
        ]
        let data = try JSONEncoder().encode(outcomes)
        XCTAssertEqual(try JSONDecoder().decode([Outcome].self, from: data), outcomes)
    }
}
