import XCTest
import SeededRandom
@testable import Report

/// The black-image rule is chosen on validation and scored cross-fitted, like the tuned
/// thresholds: each half of the images gets the choice made on the other half.
final class BlackRuleTests: XCTestCase {
    /// A validation set of `n` images, a third of them black with coin-flip labels, and one
    /// run's scores that follow the labels on the others.
    private func fixture(seed: UInt64, n: Int = 90) -> (labels: [[UInt8]], black: [Bool], raw: [[Float]], train: [[UInt8]]) {
        var g = SeededGenerator(seed: seed)
        let black = (0..<n).map { _ in g.nextDouble() < 0.35 }
        let labels = (0..<n).map { _ in (0..<3).map { _ in UInt8(g.nextDouble() < 0.5 ? 1 : 0) } }
        let raw = (0..<3).map { l in (0..<n).map { i -> Float in
            black[i] ? Float(g.nextDouble()) : Float(0.5 * Double(labels[i][l]) + 0.5 * g.nextDouble())
        } }
        let train = (0..<20).map { _ in (0..<3).map { _ in UInt8(g.nextDouble() < 0.4 ? 1 : 0) } }
        return (labels, black, raw, train)
    }

    func testFoldPredictionsAreTheChoiceMadeOnTheOtherHalf() {
        var someFoldsDiffer = false
        for seed in UInt64(1)...12 {
            let f = fixture(seed: seed)
            for asked in [BlackRule.auto, .f1Optimal, .majority, .ones] {
                let choice = Evaluator.chooseBlackRule(asked, runs: [f.raw], labels: f.labels, black: f.black, trainBlackLabels: f.train)
                // The same choice made on each half alone.
                for (fold, other) in [(0, 1), (1, 0)] {
                    let idx = f.labels.indices.filter { $0 % 2 == other }
                    let half = Evaluator.chooseBlackRule(asked, runs: [f.raw.map { s in idx.map { s[$0] } }],
                                                         labels: idx.map { f.labels[$0] }, black: idx.map { f.black[$0] },
                                                         trainBlackLabels: f.train)
                    XCTAssertEqual(choice.foldPredictions[fold], half.prediction, "seed \(seed) \(asked) fold \(fold)")
                }
                if asked == .majority || asked == .ones {
                    XCTAssertEqual(choice.foldPredictions, [choice.prediction, choice.prediction], "a fixed rule chooses nothing")
                }
                someFoldsDiffer = someFoldsDiffer || choice.foldPredictions[0] != choice.foldPredictions[1]

                // The cross-fitted score is the evaluation with the fold predictions.
                let e = Evaluator.evaluate(name: "r", scores: f.raw, labels: f.labels, black: f.black,
                                           rules: choice.foldPredictions, diverged: false)
                XCTAssertEqual(choice.crossFittedMeanF1, e.meanF1, accuracy: 1e-12, "seed \(seed) \(asked)")
                for i in f.labels.indices where f.black[i] {
                    XCTAssertEqual(e.predictions[i], choice.foldPredictions[i % 2], "black image \(i) scored by its fold's rule")
                }
            }
        }
        XCTAssertTrue(someFoldsDiffer, "the fixture never makes the halves choose differently: the test would not see a mix-up")
    }
}
