import XCTest
import NN
import SeededRandom
@testable import Report

/// The submission's thresholds: `auto` takes the per-label tuned thresholds only when their
/// cross-fitted F1 on validation is detectably above 0.5's.
final class ThresholdChoiceTests: XCTestCase {
    /// `n` non-black validation images; scores that rank the positives above the negatives with
    /// noise, centred at `centre` (0.5 = calibrated for a balanced decision; 0.15 = a network
    /// whose 0.5 predicts almost nothing positive).
    private func evaluation(seed: UInt64, n: Int = 1_000, centre: Double) -> (VariantEvaluation, [[UInt8]]) {
        var g = SeededGenerator(seed: seed)
        let labels = (0..<n).map { _ in (0..<3).map { _ in UInt8(g.nextDouble() < 0.35 ? 1 : 0) } }
        let raw = (0..<3).map { l in (0..<n).map { i -> Float in
            Float(min(1, max(0, centre + 0.2 * (Double(labels[i][l]) - 0.5) + 0.15 * (g.nextDouble() - 0.5))))
        } }
        let e = Evaluator.evaluate(name: "r", scores: raw, labels: labels, black: [Bool](repeating: false, count: n),
                                   rules: [[0, 0, 0]], diverged: false)
        return (e, labels)
    }

    func testTunedPredictionsAreWhatTheTunedColumnScores() {
        let (e, labels) = evaluation(seed: 3, centre: 0.3)
        for l in 0..<3 {
            let m = BinaryMetrics(truth: labels.map { $0[l] }, scores: e.tunedPredictions.map { Float($0[l]) })
            XCTAssertEqual(m.f1, e.tuned[l].f1, accuracy: 1e-12, "label\(l + 1)")
        }
    }

    func testAutoTakesTunedThresholdsOnlyWhenDetectablyBetter() {
        // 0.5 sits above almost every score: tuned thresholds are far better.
        let (low, lowTruth) = evaluation(seed: 1, centre: 0.15)
        let tuned = ThresholdChoice.choose(.auto, for: low, truth: lowTruth, resamples: 1_000, seed: 7)
        XCTAssertTrue(tuned.usesTuned)
        XCTAssertGreaterThan(tuned.comparison.interval.lower, 0)
        XCTAssertEqual(tuned.thresholds, low.tunedThresholds)
        XCTAssertTrue(tuned.thresholds.allSatisfy { $0 < 0.5 }, "\(tuned.thresholds)")

        // Scores centred at 0.5 with the classes apart: 0.5 is as good as any tuned threshold.
        let (calibrated, truth) = evaluation(seed: 2, centre: 0.5)
        let half = ThresholdChoice.choose(.auto, for: calibrated, truth: truth, resamples: 1_000, seed: 7)
        XCTAssertFalse(half.usesTuned, "\(half.comparison)")
        XCTAssertEqual(half.thresholds, [0.5, 0.5, 0.5])

        // What is asked for is used, whatever the evidence.
        XCTAssertFalse(ThresholdChoice.choose(.half, for: low, truth: lowTruth, resamples: 200, seed: 7).usesTuned)
        XCTAssertTrue(ThresholdChoice.choose(.tuned, for: calibrated, truth: truth, resamples: 200, seed: 7).usesTuned)
    }

    func testTheSentenceFollowsTheChoice() {
        let (low, lowTruth) = evaluation(seed: 1, centre: 0.15)
        let c = ThresholdChoice.choose(.auto, for: low, truth: lowTruth, resamples: 200, seed: 7)
        XCTAssertTrue(Findings.thresholdsShort(c.thresholds).hasPrefix("thresholds "))
        XCTAssertEqual(Findings.thresholdsShort([0.5, 0.5, 0.5]), "threshold 0.5")
    }
}
