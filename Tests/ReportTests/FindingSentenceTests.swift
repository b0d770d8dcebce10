import XCTest
import SeededRandom
@testable import NN
@testable import Training
@testable import Report

/// The finding sentences of the experiments, from constructed evaluations: they name the
/// sides as the comparison does, and their outcome follows the numbers.
final class FindingSentenceTests: XCTestCase {
    let n = 400

    /// The quick profile's plan with only experiment `id`, its networks at `size`.
    func experiment(_ id: ExperimentID, size: Plan.Size) throws -> (plan: Plan, experiment: Experiment) {
        var cfg = StudyConfig.defaults(for: .quick)
        cfg.experiments = [id]
        let plan = Plan(config: cfg, sizes: Plan.Sizes(main: [:], experiment: size, experimentArchitectures: [:]))
        return (plan, try XCTUnwrap(plan.experiment(id)))
    }

    /// `n` images' labels, each positive with probability 0.45.
    func labels(_ g: inout SeededGenerator) -> [[UInt8]] {
        (0..<n).map { _ in (0..<3).map { _ in UInt8(g.nextDouble() < 0.45 ? 1 : 0) } }
    }

    /// The evaluations of `byRun` (no black images; majority rule) with `best` as the best run.
    func evaluated(_ byRun: [Variant: VariantEvaluation], best: Variant, labels: [[UInt8]]) -> Evaluated {
        let rule = BlackRuleChoice(asked: .majority, chosen: .majority, prediction: [0, 0, 0], foldPredictions: [[0, 0, 0], [0, 0, 0]],
                                   crossFittedMeanF1: byRun[best]!.meanF1, candidates: [])
        return Evaluated(blackRule: rule, byRun: byRun, best: best, baseline: 0.6, labels: labels,
                         black: [Bool](repeating: false, count: n))
    }

    func evaluate(_ v: Variant, scores: [[Float]], labels: [[UInt8]]) -> VariantEvaluation {
        Evaluator.evaluate(name: v.model.name, scores: scores, labels: labels, black: [Bool](repeating: false, count: n),
                           rules: [[0, 0, 0]], diverged: false)
    }

    /// A trained run of one network that saw `images` × `epochs` (what the sentences read of it).
    func result(_ name: String, _ v: Variant, scores: [[Float]], images: Int, epochs: Int) -> VariantResult {
        let history = TrainingHistory(epochs: [], bestEpoch: nil, stoppedEarly: false, diverged: nil, imagesPerSecond: 1)
        return VariantResult(name: name, variant: v, networks: [
            NetworkResult(label: nil, history: history, valScores: scores, trainImages: images, epochsRun: epochs,
                          parameterCount: 1, seconds: 1, imagesPerSecond: 1, weightsFile: "w")],
                             cellDirectories: [], keys: [])
    }

    /// The epochs experiment of a plan whose rows are 1 and 2 epochs (the quick profile's
    /// shape), with the longer run scoring the labels well and the shorter one weakly.
    func testEpochsFindingNamesItsSidesByTheirEpochs() throws {
        let (plan, e) = try experiment(.epochs, size: Plan.Size(trainLimit: 500, epochs: 2))
        XCTAssertEqual(e.rows.map(\.variant.epochs), [1, 2])
        XCTAssertTrue(e.rows[1].label.hasPrefix("longest"), "the table's row label carries the role: \(e.rows[1].label)")

        var g = SeededGenerator(seed: 5)
        let labels = labels(&g)
        func scores(signal: Double) -> [[Float]] {
            (0..<3).map { l in (0..<n).map { i in Float(signal * Double(labels[i][l]) + (1 - signal) * g.nextDouble()) } }
        }
        var byRun: [Variant: VariantEvaluation] = [:]
        for row in e.rows {
            for v in row.runs { byRun[v] = evaluate(v, scores: scores(signal: v.epochs == 2 ? 0.6 : 0.25), labels: labels) }
        }
        let findings = Findings(plan: plan, trained: [:], evaluated: evaluated(byRun, best: e.rows[1].runs[0], labels: labels),
                                resamples: 1_000, seed: 1)
        let sentence = findings.sentence(for: e)
        XCTAssertTrue(sentence.hasPrefix("2 epochs vs 1 epoch: "), sentence)
        XCTAssertTrue(sentence.contains("a difference in favour of 2 epochs."), sentence)
        XCTAssertFalse(sentence.contains("longest"), sentence)
        XCTAssertFalse(sentence.contains("shortest"), sentence)
    }

    /// A side that collapsed is named with the training it got, so that a reader can tell an
    /// undertrained setting (a tight budget) from one that cannot learn.
    func testCollapsedSideNamesItsTraining() throws {
        let (plan, e) = try experiment(.optimizer, size: Plan.Size(trainLimit: 1_000, epochs: 2))
        var g = SeededGenerator(seed: 6)
        let labels = labels(&g)
        var byRun: [Variant: VariantEvaluation] = [:]
        var trained: [Variant: VariantResult] = [:]
        for row in e.rows {
            for v in row.runs {
                let adam = v.optimizer == .adam
                // Adam's scores follow the labels; the others' are constant (all negative at 0.5).
                let scores: [[Float]] = (0..<3).map { l in (0..<n).map { i in adam ? Float(0.6 * Double(labels[i][l]) + 0.4 * g.nextDouble()) : 0.2 } }
                byRun[v] = evaluate(v, scores: scores, labels: labels)
                trained[v] = result(row.label, v, scores: scores, images: 1_000, epochs: 2)
            }
        }
        let sentence = Findings(plan: plan, trained: trained, evaluated: evaluated(byRun, best: e.rows[0].runs[0], labels: labels),
                                resamples: 1_000, seed: 1).sentence(for: e)
        // 1,000 images in batches of 32 are 32 steps an epoch.
        XCTAssertTrue(sentence.contains("`SGD` collapsed to one class on label1, label2, label3 after 64 training steps (1,000 images × 2 epochs, batch 32)"), sentence)
        XCTAssertFalse(sentence.contains("`Adam` collapsed"), sentence)
    }

    /// A claim the run cannot check because a side collapsed is not blamed on the sample size:
    /// a default run said "The original found 1e-3 the best learning rate: this run cannot tell
    /// at this sample size" when 0.01 and 0.1 had collapsed.
    func testCollapseIsNotBlamedOnTheSampleSize() throws {
        let (plan, e) = try experiment(.learningRate, size: Plan.Size(trainLimit: 1_000, epochs: 2))
        var g = SeededGenerator(seed: 8)
        let labels = labels(&g)
        var byRun: [Variant: VariantEvaluation] = [:]
        for row in e.rows {
            for v in row.runs {
                let learns = v.learningRate == 1e-3
                let scores: [[Float]] = (0..<3).map { l in (0..<n).map { i in learns ? Float(0.6 * Double(labels[i][l]) + 0.4 * g.nextDouble()) : 0.2 } }
                byRun[v] = evaluate(v, scores: scores, labels: labels)
            }
        }
        let best = try XCTUnwrap(e.rows.first { $0.variant.learningRate == 1e-3 }).runs[0]
        let sentence = Findings(plan: plan, trained: [:], evaluated: evaluated(byRun, best: best, labels: labels),
                                resamples: 1_000, seed: 1).sentence(for: e)
        XCTAssertTrue(sentence.contains("The original found 1e-3 the best learning rate: this run cannot tell."), sentence)
        XCTAssertFalse(sentence.contains("at this sample size"), sentence)
    }

    /// When no architecture of the main comparison learned, no run is called the best: the
    /// sentence and the conclusion say none learned and which run scored highest.
    func testNoArchitectureIsCrownedWhenNoneLearned() throws {
        let (plan, _) = try experiment(.optimizer, size: Plan.Size(trainLimit: 500, epochs: 2))
        let main = plan.main
        var g = SeededGenerator(seed: 9)
        let labels = labels(&g)
        func results(learner: Variant?) -> (byRun: [Variant: VariantEvaluation], trained: [Variant: VariantResult]) {
            var byRun: [Variant: VariantEvaluation] = [:], trained: [Variant: VariantResult] = [:]
            for row in main.rows {
                for v in row.runs {
                    // Constant scores predict one class; the learner's follow the labels.
                    let level = Float(row.runs[0] == main.rows[0].runs[0] ? 0.6 : 0.3)
                    let scores: [[Float]] = (0..<3).map { l in (0..<n).map { i in
                        v == learner ? Float(0.6 * Double(labels[i][l]) + 0.4 * g.nextDouble()) : (l == 0 ? level : 0.2) } }
                    byRun[v] = evaluate(v, scores: scores, labels: labels)
                    trained[v] = result(row.label, v, scores: scores, images: 500, epochs: 2)
                }
            }
            return (byRun, trained)
        }
        let none = results(learner: nil)
        let top = main.rows[0].runs[0]
        let f = Findings(plan: plan, trained: none.trained, evaluated: evaluated(none.byRun, best: top, labels: labels),
                         resamples: 500, seed: 1)
        let sentence = f.sentence(for: main)
        XCTAssertTrue(sentence.hasPrefix("No architecture learned in this run"), sentence)
        XCTAssertTrue(sentence.contains("the highest mean validation F1 is `\(main.rows[0].label)`'s"), sentence)
        XCTAssertFalse(sentence.contains("The best architecture"), sentence)
        XCTAssertTrue(f.conclusion(isDefault: true).contains("no model of this run learned"), f.conclusion(isDefault: true))

        let learner = main.rows[2].runs[0]
        let one = results(learner: learner)
        let g2 = Findings(plan: plan, trained: one.trained, evaluated: evaluated(one.byRun, best: learner, labels: labels),
                          resamples: 500, seed: 1)
        XCTAssertTrue(g2.sentence(for: main).hasPrefix("The best architecture in this run is **\(main.rows[2].label)**"), g2.sentence(for: main))
        XCTAssertTrue(g2.conclusion(isDefault: true).contains("the best model of this run is"), g2.conclusion(isDefault: true))
    }
}
