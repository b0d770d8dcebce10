import XCTest
import SeededRandom
@testable import Stats

/// Synthetic data: each label of each image independently tp/fp/fn/tn with the given
/// probabilities (population F1 = 2·ptp / (2·ptp + pfp + pfn)).
func synthetic(images n: Int, ptp: Double, pfp: Double, pfn: Double, seed: UInt64)
    -> (truth: [[UInt8]], predicted: [[UInt8]]) {
    var g = SeededGenerator(seed: seed, stream: "stats-tests")
    var truth: [[UInt8]] = [], predicted: [[UInt8]] = []
    for _ in 0..<n {
        var t: [UInt8] = [], p: [UInt8] = []
        for _ in 0..<3 {
            let u = g.nextDouble()
            let (ti, pi): (UInt8, UInt8) = u < ptp ? (1, 1) : u < ptp + pfp ? (0, 1) : u < ptp + pfp + pfn ? (1, 0) : (0, 0)
            t.append(ti); p.append(pi)
        }
        truth.append(t); predicted.append(p)
    }
    return (truth, predicted)
}

/// `predicted` with each entry flipped with probability `p`.
func flipped(_ predicted: [[UInt8]], probability p: Double, seed: UInt64) -> [[UInt8]] {
    var g = SeededGenerator(seed: seed, stream: "flip")
    return predicted.map { row in row.map { g.bernoulli(p) ? 1 - $0 : $0 } }
}

final class BootstrapTests: XCTestCase {
    // MARK: F1

    /// Label 0: tp 3, fp 1, fn 2, tn 4 → F1 = 6/9. Label 1: no true positive → 0
    /// (zero_division = 0). Label 2: every image right → 1.
    func testF1MatchesHandComputedConfusionMatrix() {
        let t0: [UInt8] = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]
        let p0: [UInt8] = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
        let t1: [UInt8] = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        let p1: [UInt8] = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        let t2: [UInt8] = [0, 1, 0, 1, 0, 1, 1, 0, 0, 1]
        let truth = (0..<10).map { [t0[$0], t1[$0], t2[$0]] }
        let predicted = (0..<10).map { [p0[$0], p1[$0], t2[$0]] }
        let f = Bootstrap.f1(truth: truth, predicted: predicted)
        XCTAssertEqual(f[0], 6.0 / 9.0, accuracy: 1e-15)
        XCTAssertEqual(f[1], 0)
        XCTAssertEqual(f[2], 1)
        XCTAssertEqual(Bootstrap.meanF1(truth: truth, predicted: predicted), (6.0 / 9.0 + 1) / 3, accuracy: 1e-15)
        XCTAssertEqual(Bootstrap.f1(tp: 3, fp: 1, fn: 2), 6.0 / 9.0, accuracy: 1e-15)
        XCTAssertEqual(Bootstrap.f1(tp: 0, fp: 0, fn: 0), 0)
        XCTAssertEqual(Bootstrap.f1(tp: 0, fp: 5, fn: 5), 0)
    }

    /// The pattern-histogram engine against a naive twin that materialises each resample's
    /// indices (same generator, same draws) and counts tp/fp/fn image by image.
    func testReplicatesMatchNaiveResampling() {
        let d = synthetic(images: 57, ptp: 0.3, pfp: 0.15, pfn: 0.1, seed: 3)
        let fast = Bootstrap.f1Replicates(truth: d.truth, predicted: d.predicted, resamples: 50, seed: 9)
        var g = Bootstrap.generator(seed: 9)
        for r in 0..<50 {
            let idx = (0..<57).map { _ in Bootstrap.draw(below: 57, &g) }
            let naive = (0..<3).map { l -> Double in
                var tp = 0, fp = 0, fn = 0
                for i in idx {
                    switch (d.truth[i][l], d.predicted[i][l]) {
                    case (1, 1): tp += 1
                    case (0, 1): fp += 1
                    case (1, 0): fn += 1
                    default: break
                    }
                }
                return tp == 0 ? 0 : Double(2 * tp) / Double(2 * tp + fp + fn)
            }
            XCTAssertEqual(fast[r], naive, "resample \(r)")
        }
    }

    func testPerfectPredictorIntervalsAreExactlyOne() {
        let d = synthetic(images: 300, ptp: 0.4, pfp: 0, pfn: 0, seed: 1)
        let s = Bootstrap.f1Intervals(truth: d.truth, predicted: d.truth, resamples: 1_000, seed: 5)
        XCTAssertEqual(s.mean, Interval(lower: 1, upper: 1))
        XCTAssertEqual(s.perLabel, [Interval](repeating: Interval(lower: 1, upper: 1), count: 3))
        XCTAssertEqual(s.point, [1, 1, 1])
        XCTAssertEqual(s.meanPoint, 1)
    }

    func testIntervalContainsPointAndIsDeterministic() {
        let d = synthetic(images: 500, ptp: 0.25, pfp: 0.1, pfn: 0.15, seed: 2)
        let s1 = Bootstrap.f1Intervals(truth: d.truth, predicted: d.predicted, resamples: 1_000, seed: 11)
        let s2 = Bootstrap.f1Intervals(truth: d.truth, predicted: d.predicted, resamples: 1_000, seed: 11)
        let s3 = Bootstrap.f1Intervals(truth: d.truth, predicted: d.predicted, resamples: 1_000, seed: 12)
        XCTAssertEqual(s1, s2)
        XCTAssertNotEqual(s1.mean, s3.mean)
        XCTAssertTrue(s1.mean.contains(s1.meanPoint))
        for l in 0..<3 { XCTAssertTrue(s1.perLabel[l].contains(s1.point[l])) }
        XCTAssertGreaterThan(s1.mean.width, 0)
    }

    /// Percentile interval width scales as 1/√n: n = 400 vs 3,600 → about 3× wider.
    func testWidthShrinksAsOneOverSqrtN() {
        let small = synthetic(images: 400, ptp: 0.25, pfp: 0.1, pfn: 0.1, seed: 4)
        let large = synthetic(images: 3_600, ptp: 0.25, pfp: 0.1, pfn: 0.1, seed: 5)
        let ws = Bootstrap.f1Intervals(truth: small.truth, predicted: small.predicted, resamples: 1_000, seed: 1).mean.width
        let wl = Bootstrap.f1Intervals(truth: large.truth, predicted: large.predicted, resamples: 1_000, seed: 1).mean.width
        XCTAssertEqual(ws / wl, 3, accuracy: 0.6, "widths \(ws) at n = 400, \(wl) at n = 3,600")
    }

    /// 200 samples of 150 images from a population with known F1 (0.75 on each label): the
    /// 95% interval of mean F1 (250 resamples, to keep the test cheap) should contain 0.75 in
    /// roughly 95% of them; the bounds 85–99% are about ±3 binomial SDs.
    func testCoverageOfKnownPopulationF1() {
        let population = 2 * 0.3 / (2 * 0.3 + 0.1 + 0.1)
        var covered = 0
        for rep in 0..<200 {
            let d = synthetic(images: 150, ptp: 0.3, pfp: 0.1, pfn: 0.1, seed: 1_000 + UInt64(rep))
            let s = Bootstrap.f1Intervals(truth: d.truth, predicted: d.predicted, resamples: 250, seed: UInt64(rep))
            if s.mean.contains(population) { covered += 1 }
        }
        XCTAssertGreaterThanOrEqual(covered, 170, "coverage \(covered)/200")
        XCTAssertLessThanOrEqual(covered, 198, "coverage \(covered)/200")
    }

    // MARK: Paired

    func testPairedIntervalOfAModelAgainstItselfIsExactlyZero() {
        let d = synthetic(images: 400, ptp: 0.3, pfp: 0.1, pfn: 0.2, seed: 6)
        let p = Bootstrap.pairedMeanF1Difference(truth: d.truth, a: d.predicted, b: d.predicted, resamples: 1_000, seed: 3)
        XCTAssertEqual(p.interval, Interval(lower: 0, upper: 0))
        XCTAssertEqual(p.delta, 0)
        XCTAssertEqual(p.seedDeltas, [0])
        XCTAssertFalse(p.interval.excludesZero)
    }

    /// The paired difference uses the same resampled images as `f1Replicates` with the same
    /// seed: its interval is the percentile interval of meanF1(A)_r − meanF1(B)_r.
    func testPairedUsesTheSameResamplesForBothModels() {
        let d = synthetic(images: 300, ptp: 0.3, pfp: 0.1, pfn: 0.2, seed: 7)
        let b = flipped(d.predicted, probability: 0.1, seed: 1)
        let p = Bootstrap.pairedMeanF1Difference(truth: d.truth, a: d.predicted, b: b, resamples: 500, seed: 21)
        let ra = Bootstrap.f1Replicates(truth: d.truth, predicted: d.predicted, resamples: 500, seed: 21)
        let rb = Bootstrap.f1Replicates(truth: d.truth, predicted: b, resamples: 500, seed: 21)
        let deltas = zip(ra, rb).map { ($0.reduce(0, +) - $1.reduce(0, +)) / 3 }
        let expected = Bootstrap.percentileInterval(deltas)
        XCTAssertEqual(p.interval.lower, expected.lower, accuracy: 1e-12)
        XCTAssertEqual(p.interval.upper, expected.upper, accuracy: 1e-12)
        XCTAssertEqual(p.delta, Bootstrap.meanF1(truth: d.truth, predicted: d.predicted) - Bootstrap.meanF1(truth: d.truth, predicted: b), accuracy: 1e-15)
    }

    /// Two models that agree on 95% of the entries: the paired interval of the difference is
    /// much narrower than the unpaired one (independent resamples for A and B).
    func testPairedIsNarrowerThanUnpairedForCorrelatedModels() {
        let d = synthetic(images: 1_000, ptp: 0.3, pfp: 0.1, pfn: 0.1, seed: 8)
        let b = flipped(d.predicted, probability: 0.05, seed: 2)
        let paired = Bootstrap.pairedMeanF1Difference(truth: d.truth, a: d.predicted, b: b, resamples: 1_000, seed: 1)
        let ra = Bootstrap.f1Replicates(truth: d.truth, predicted: d.predicted, resamples: 1_000, seed: 1)
        let rb = Bootstrap.f1Replicates(truth: d.truth, predicted: b, resamples: 1_000, seed: 2)
        let unpaired = Bootstrap.percentileInterval(zip(ra, rb).map { ($0.reduce(0, +) - $1.reduce(0, +)) / 3 })
        XCTAssertLessThan(paired.interval.width, 0.6 * unpaired.width, "paired \(paired.interval), unpaired \(unpaired)")
    }

    /// Several seeds per side: Δ is the difference of seed-averaged mean F1, and each seed's
    /// own Δ is reported.
    func testPairedWithSeedsAveragesAndReportsEachSeed() {
        let d = synthetic(images: 400, ptp: 0.3, pfp: 0.1, pfn: 0.1, seed: 9)
        let a = [d.predicted, flipped(d.predicted, probability: 0.02, seed: 3)]
        let b = [flipped(d.predicted, probability: 0.1, seed: 4), flipped(d.predicted, probability: 0.12, seed: 5)]
        let p = Bootstrap.pairedMeanF1Difference(truth: d.truth, aSeeds: a, bSeeds: b, resamples: 500, seed: 1)
        let m = { Bootstrap.meanF1(truth: d.truth, predicted: $0) }
        XCTAssertEqual(p.seedDeltas.count, 2)
        XCTAssertEqual(p.seedDeltas[0], m(a[0]) - m(b[0]), accuracy: 1e-15)
        XCTAssertEqual(p.seedDeltas[1], m(a[1]) - m(b[1]), accuracy: 1e-15)
        XCTAssertEqual(p.delta, (m(a[0]) + m(a[1])) / 2 - (m(b[0]) + m(b[1])) / 2, accuracy: 1e-15)
        XCTAssertTrue(p.interval.contains(p.delta))
        XCTAssertTrue(p.interval.excludesZero, "\(p.interval)")
    }

    // MARK: Average precision

    /// scikit-learn's documented example (AP 0.8333…) and a tie: y = [1, 0, 1], scores
    /// [0.5, 0.5, 0.2] → thresholds 0.5 (P ½, R ½) and 0.2 (P ⅔, R 1) → ½·½ + ½·⅔.
    func testAveragePrecisionMatchesScikitLearn() {
        let truth: [[UInt8]] = [[0, 1], [0, 0], [1, 1], [1, 0]]
        let scores: [[Float]] = [[0.1, 0.5], [0.4, 0.5], [0.35, 0.2], [0.8, 0.1]]
        let ap = Bootstrap.averagePrecision(truth: truth, scores: scores)
        XCTAssertEqual(ap[0], 0.5 * 1 + 0.5 * (2.0 / 3.0), accuracy: 1e-12) // 0.8333
        XCTAssertEqual(ap[1], 0.5 * 0.5 + 0.5 * (2.0 / 3.0), accuracy: 1e-12)
        XCTAssertEqual(Bootstrap.averagePrecision(truth: [[0], [0]], scores: [[0.3], [0.7]]), [0])
    }

    /// AP replicates against a naive twin that builds each resample's arrays and computes AP
    /// from scratch (sort, group ties, Σ ΔR·P).
    func testAPIntervalsMatchNaiveResampling() {
        var g = SeededGenerator(seed: 4, stream: "ap")
        let n = 40
        let truth = (0..<n).map { _ in [UInt8(g.bernoulli(0.4) ? 1 : 0)] }
        // Scores on a coarse grid so that ties occur.
        let scores = truth.map { t in [Float((Double(t[0]) * 0.3 + g.nextDouble() * 0.7) * 10).rounded() / 10] }
        func naiveAP(_ t: [UInt8], _ s: [Float]) -> Double {
            let positives = t.filter { $0 == 1 }.count
            guard positives > 0 else { return 0 }
            var ap = 0.0, previousRecall = 0.0
            for threshold in Set(s).sorted(by: >) {
                let chosen = s.indices.filter { s[$0] >= threshold }
                let tp = chosen.filter { t[$0] == 1 }.count
                let r = Double(tp) / Double(positives)
                ap += (r - previousRecall) * Double(tp) / Double(chosen.count)
                previousRecall = r
            }
            return ap
        }
        var values: [Double] = []
        var draws = Bootstrap.generator(seed: 17)
        for _ in 0..<200 {
            let idx = (0..<n).map { _ in Bootstrap.draw(below: UInt64(n), &draws) }
            values.append(naiveAP(idx.map { truth[$0][0] }, idx.map { scores[$0][0] }))
        }
        let s = Bootstrap.apIntervals(truth: truth, scores: scores, resamples: 200, seed: 17)
        let expected = Bootstrap.percentileInterval(values)
        XCTAssertEqual(s.perLabel[0].lower, expected.lower, accuracy: 1e-12)
        XCTAssertEqual(s.perLabel[0].upper, expected.upper, accuracy: 1e-12)
        XCTAssertEqual(s.point[0], naiveAP(truth.map { $0[0] }, scores.map { $0[0] }), accuracy: 1e-12)
    }

    // MARK: Percentiles, summaries, formatting

    func testQuantileIsNumpyLinear() {
        // numpy.quantile([1, 2, 3, 4], [0.025, 0.975]) = [1.075, 3.925]
        let i = Bootstrap.percentileInterval([4, 1, 3, 2])
        XCTAssertEqual(i.lower, 1.075, accuracy: 1e-12)
        XCTAssertEqual(i.upper, 3.925, accuracy: 1e-12)
        XCTAssertEqual(Bootstrap.quantile([5], 0.3), 5)
    }

    func testSeedSummaryUsesSampleStandardDeviation() {
        let s = SeedSummary([0.80, 0.82, 0.84])
        XCTAssertEqual(s.mean, 0.82, accuracy: 1e-12)
        XCTAssertEqual(s.sd!, 0.02, accuracy: 1e-12)
        XCTAssertEqual(s.formatted(), "0.820 ± 0.020 (3 seeds)")
        let one = SeedSummary([0.7])
        XCTAssertNil(one.sd)
        XCTAssertEqual(one.formatted(), "0.700 (1 seed)")
    }

    func testFormatting() {
        XCTAssertEqual(Interval.formatted(0.8123, Interval(lower: 0.79, upper: 0.8334)), "0.812 [0.790, 0.833]")
        XCTAssertEqual(Interval.formatted(0.026, Interval(lower: 0.004, upper: 0.049), signed: true), "+0.026 [+0.004, +0.049]")
        XCTAssertEqual(Interval(lower: -0.0004, upper: 0.01).formatted(signed: true), "[−0.000, +0.010]")
        XCTAssertEqual(Format.signed(0), "0.000")
        XCTAssertEqual(Format.grouped(2_000), "2,000")
        XCTAssertEqual(Format.grouped(999), "999")
        XCTAssertTrue(Interval(lower: -0.1, upper: 0.2).contains(0))
        XCTAssertFalse(Interval(lower: -0.1, upper: 0.2).excludesZero)
        XCTAssertTrue(Interval(lower: 0.01, upper: 0.2).excludesZero)
        XCTAssertTrue(Interval(lower: -0.2, upper: -0.01).excludesZero)
    }
}
