import XCTest
import SeededRandom
import Training
@testable import Report

/// The finding sentences of the experiments, from constructed evaluations: they name the
/// sides as the comparison does, and their outcome follows the numbers.
final class FindingSentenceTests: XCTestCase {
    /// The epochs experiment of a plan whose rows are 1 and 2 epochs (the quick profile's
    /// shape), with the longer run scoring the labels well and the shorter one weakly.
    func testEpochsFindingNamesItsSidesByTheirEpochs() throws {
        var cfg = StudyConfig.defaults(for: .quick)
        cfg.experiments = [.epochs]
        let plan = Plan(config: cfg, sizes: Plan.Sizes(main: [:], experiment: Plan.Size(trainLimit: 500, epochs: 2),
                                                       experimentArchitectures: [:]))
        let e = try XCTUnwrap(plan.experiment(.epochs))
        XCTAssertEqual(e.rows.map(\.variant.epochs), [1, 2])
        XCTAssertTrue(e.rows[1].label.hasPrefix("longest"), "the table's row label carries the role: \(e.rows[1].label)")

        let n = 400
        var g = SeededGenerator(seed: 5)
        let labels = (0..<n).map { _ in (0..<3).map { _ in UInt8(g.nextDouble() < 0.45 ? 1 : 0) } }
        let black = [Bool](repeating: false, count: n)
        func scores(signal: Double) -> [[Float]] {
            (0..<3).map { l in (0..<n).map { i in Float(signal * Double(labels[i][l]) + (1 - signal) * g.nextDouble()) } }
        }
        var byRun: [Variant: VariantEvaluation] = [:]
        for row in e.rows {
            for v in row.runs {
                byRun[v] = Evaluator.evaluate(name: v.model.name, scores: scores(signal: v.epochs == 2 ? 0.6 : 0.25),
                                              labels: labels, black: black, rules: [[0, 0, 0]], diverged: false)
            }
        }
        let best = e.rows[1].runs[0]
        let rule = BlackRuleChoice(asked: .majority, chosen: .majority, prediction: [0, 0, 0], foldPredictions: [[0, 0, 0], [0, 0, 0]],
                                   crossFittedMeanF1: byRun[best]!.meanF1, candidates: [])
        let evaluated = Evaluated(blackRule: rule, byRun: byRun, best: best, baseline: 0.6, labels: labels, black: black)
        let findings = Findings(plan: plan, trained: [:], evaluated: evaluated, resamples: 1_000, seed: 1)
        let sentence = findings.sentence(for: e)
        XCTAssertTrue(sentence.hasPrefix("2 epochs vs 1 epoch: "), sentence)
        XCTAssertTrue(sentence.contains("a difference in favour of 2 epochs."), sentence)
        XCTAssertFalse(sentence.contains("longest"), sentence)
        XCTAssertFalse(sentence.contains("shortest"), sentence)
    }
}
