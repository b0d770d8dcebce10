import Foundation
import XCTest
import NN
import Training
@testable import Report

final class ConfigTests: XCTestCase {
    func parse(_ text: String) throws -> StudyConfig { try StudyConfig.parse(text, source: "cfg.yaml", base: .quick) }

    func message(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }

    func testYAMLOverridesProfileDefaults() throws {
        let c = try parse("profile: full\nmodels: [conv2, fc1]\nepochs: 7\naugment: true\nrepeats: 3\n")
        XCTAssertEqual(c.profile, .full)
        XCTAssertEqual(c.models, [.conv2, .fc1])
        XCTAssertEqual(c.epochs, 7)
        XCTAssertTrue(c.augment)
        XCTAssertEqual(c.repeats, 3)
        XCTAssertEqual(c.trainLimit, nil, "full profile uses all training images")
        XCTAssertEqual(c.gridHead, .perLabel)
        XCTAssertNil(c.budgetSeconds, "the full profile has no budget")
    }

    func testUnknownFieldsAreRefusedWithASuggestion() {
        XCTAssertEqual(message("epoch: 3\n"), "cfg.yaml: unknown field 'epoch' (did you mean 'epochs'?)")
        XCTAssertEqual(message("learning_rate: 0.1\n"), "cfg.yaml: unknown field 'learning_rate' (did you mean 'learningRate'?)")
        XCTAssertTrue(message("zzz: 1\n").contains("unknown field 'zzz' (known: profile, seed,"), message("zzz: 1\n"))
    }

    func testBadValuesNameTheFieldInPlainWords() {
        XCTAssertEqual(message("epochs: many\n"), "cfg.yaml: field 'epochs' should be a whole number")
        XCTAssertEqual(message("epochs: 0\n"), "cfg.yaml: epochs must be at least 1, got 0")
        XCTAssertEqual(message("batchSize: 0\n"), "cfg.yaml: batchSize must be between 1 and 4096, got 0")
        let m = message("models: [conv9]\n")
        XCTAssertTrue(m.contains("models[0]") && m.contains("conv1, conv2"), m)
        let e = message("experiments: [heads, epoch]\n")
        XCTAssertTrue(e.contains("experiments[1]") && e.contains("learning-rate"), e)
    }

    func testPlanSharesEqualVariantsAndNamesAreDistinct() {
        var c = StudyConfig.defaults(for: .quick)
        XCTAssertEqual(c.experiments, ExperimentID.quick)
        c.experiments = ExperimentID.hyperParameters   // every experiment, quick's seeds
        let sizes = Plan.Sizes(main: [:], experiment: Plan.Size(trainLimit: 3000, epochs: 4), experimentArchitectures: [:])
        let plan = Plan(config: c, sizes: sizes)
        XCTAssertEqual(plan.main.rows.count, 8)
        XCTAssertEqual(plan.experiments.map(\.id), ExperimentID.hyperParameters)
        XCTAssertEqual(StudyConfig.defaults(for: .full).experiments, ExperimentID.hyperParameters)
        let runs = plan.runs
        XCTAssertGreaterThan(plan.all.flatMap(\.rows).flatMap(\.runs).count, runs.count, "the base setting trains once")
        let names = runs.map(plan.name)
        XCTAssertEqual(Set(names).count, names.count, "\(names)")
        XCTAssertTrue(names.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || "-.".contains($0) } }, "\(names)")
        // Two seeds per experiment setting by default in the quick profile.
        XCTAssertTrue(plan.experiments.allSatisfy { $0.rows.allSatisfy { $0.seeds.count == c.repeats } })
        // The resolution experiment falls back to conv2 (conv4 cannot take 32×32).
        XCTAssertEqual(plan.experiment(.resolution)?.rows.map(\.variant.architecture), [.conv2, .conv2])
    }
}
