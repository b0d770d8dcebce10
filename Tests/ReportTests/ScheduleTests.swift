import XCTest
@testable import NN
@testable import Training
@testable import Report

/// The schedule revises a budgeted plan from what the finished networks took: a host slower
/// (or faster) than its start-up measurement, or a network that stops early, changes the
/// sizes of the networks still to train so that the run keeps to its budget; a rerun with the
/// same cache makes the same revisions.
final class ScheduleTests: XCTestCase {
    let speed = BudgetTests.speeds
    let counts = Budget.Counts(pool: 9_000, monitor: 400, scored: 1_500)

    struct Params: Codable { var variant: Variant; var label: Int? }

    func schedule(_ cfg: StudyConfig, cached: @escaping (TrainingCell) -> Bool = { _ in false }) -> Schedule {
        Schedule(config: cfg, counts: counts, speed: speed, cells: { plan in
            try plan.runs.flatMap { v in
                try v.networks.map { label in
                    let name = plan.name(v)
                    let key = try CellKey(cell: "train/\(name)", code: [:], parameters: Params(variant: v, label: label), inputs: [])
                    return TrainingCell(variant: v, label: label, runName: name, key: key, estimatedSeconds: 0)
                }
            }
        }, isCached: cached)
    }

    /// A simulated host `slowdown` times slower than the measurement; a network of `stopsAt`
    /// stops after that many epochs.
    func result(_ c: TrainingCell, slowdown: Double, stopsAt: [String: Int] = [:], slowdownOf: [String: Double] = [:]) -> NetworkResult {
        let v = c.variant
        let slowdown = slowdownOf[v.model.name] ?? slowdown
        let images = min(counts.pool, v.trainLimit ?? counts.pool)
        let epochs = min(v.epochs, stopsAt[v.model.name] ?? v.epochs)
        let seconds = slowdown * Budget.networkSeconds(speed[v.model.name]!, images: images, epochs: epochs,
                                                       monitor: counts.monitor, scored: counts.scored)
        let history = TrainingHistory(epochs: [], bestEpoch: nil, stoppedEarly: false, diverged: nil, imagesPerSecond: 1)
        return NetworkResult(label: c.label, history: history, valScores: [], trainImages: images, epochsRun: epochs,
                             parameterCount: 1, seconds: seconds, cellSeconds: seconds, imagesPerSecond: 1, weightsFile: "w")
    }

    func spent(_ o: Schedule.Outcome) -> Double { o.results.reduce(0) { $0 + ($1.result.cellSeconds ?? 0) } }

    func testAHostAsFastAsMeasuredKeepsToTheBudget() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        let o = try schedule(cfg).run(initial: first) { self.result($0, slowdown: 1) }
        XCTAssertLessThanOrEqual(spent(o), cfg.budgetSeconds! * 1.001)
        XCTAssertGreaterThan(spent(o), cfg.budgetSeconds! * 0.85)
        XCTAssertEqual(try XCTUnwrap(o.slowdown), 1, accuracy: 1e-9)
        // Every cell of the final plan trained, each once.
        XCTAssertEqual(o.results.count, Set(o.results.map { CellID($0.cell) }).count)
        XCTAssertEqual(Set(o.cells.map(CellID.init)), Set(o.results.map { CellID($0.cell) }))
    }

    /// The start-up measurement caught a fast minute: every network takes 1.5× its estimate.
    /// Without revisions the run would take 1.5× its budget; with them it keeps to it, the
    /// networks trained last giving up images.
    func testASlowHostShrinksTheNetworksStillToTrain() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        let o = try schedule(cfg).run(initial: first) { self.result($0, slowdown: 1.5) }
        XCTAssertGreaterThan(o.revisions, 0)
        XCTAssertEqual(try XCTUnwrap(o.slowdown), 1.5, accuracy: 1e-9)
        // Over by at most the first network's surprise (it trains before anything is known).
        let firstCell = o.results[0]
        let overrun = (firstCell.result.cellSeconds ?? 0) / 3
        XCTAssertLessThanOrEqual(spent(o), cfg.budgetSeconds! + overrun + 1e-6)
        XCTAssertGreaterThan(spent(o), cfg.budgetSeconds! * 0.8)
        // The experiments, trained last, got fewer images than first planned; all of them the same.
        let experimentSizes = Set(o.plan.experiments.flatMap(\.rows).flatMap(\.runs).map { Plan.Size(trainLimit: $0.trainLimit, epochs: max($0.epochs, 2)) })
        XCTAssertEqual(experimentSizes.count, 1, "\(experimentSizes)")
        XCTAssertLessThan((o.sizes.experiment.trainLimit ?? counts.pool) * o.sizes.experiment.epochs,
                          (first.experiment.trainLimit ?? counts.pool) * first.experiment.epochs)
        // Each network trained with the sizes of the plan it ended in.
        for (c, r) in o.results where o.plan.main.rows.flatMap(\.runs).contains(c.variant) {
            XCTAssertEqual(o.sizes.main[c.variant.model.name]!.trainLimit ?? counts.pool, r.trainImages)
        }
    }

    /// One architecture's measurement caught a slow minute (conv1, trained first, runs 1.5×
    /// faster than measured); the others were measured right. That is no reason to expect the
    /// others to be faster too: had the main comparison been sized for that, the experiments,
    /// trained last, would pay for it. They get at least their first plan's images and epochs.
    func testOneFastNetworkDoesNotSpeedUpTheOthers() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        let o = try schedule(cfg).run(initial: first) { self.result($0, slowdown: 1, slowdownOf: ["conv1": 1 / 1.5]) }
        XCTAssertEqual(o.results.first?.cell.variant.model.name, "conv1")
        XCTAssertLessThanOrEqual(spent(o), cfg.budgetSeconds! * 1.001)
        XCTAssertGreaterThan(spent(o), cfg.budgetSeconds! * 0.85)
        XCTAssertGreaterThanOrEqual((o.sizes.experiment.trainLimit ?? counts.pool) * o.sizes.experiment.epochs,
                                    (first.experiment.trainLimit ?? counts.pool) * first.experiment.epochs,
                                    "experiments \(o.sizes.experiment), first planned \(first.experiment)")
    }

    /// A network that stops early leaves its time to the ones after it; an early stop is not
    /// mistaken for a fast host.
    func testAnEarlyStopGivesItsTimeToTheRest() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        // conv4, raised to every image for several epochs, stops after one.
        let o = try schedule(cfg).run(initial: first) { self.result($0, slowdown: 1, stopsAt: ["conv4": 1]) }
        XCTAssertEqual(try XCTUnwrap(o.slowdown), 1, accuracy: 1e-9)
        XCTAssertGreaterThan(o.revisions, 0)
        XCTAssertLessThanOrEqual(spent(o), cfg.budgetSeconds! * 1.001)
        XCTAssertGreaterThan(spent(o), cfg.budgetSeconds! * 0.85)
        let later = ["conv5", "fc1", "fc2", "lstm1"].map { (o.sizes.main[$0]!.trainLimit ?? counts.pool) * o.sizes.main[$0]!.epochs }
        let planned = ["conv5", "fc1", "fc2", "lstm1"].map { (first.main[$0]!.trainLimit ?? counts.pool) * first.main[$0]!.epochs }
        XCTAssertGreaterThan(later.reduce(0, +), planned.reduce(0, +), "the networks after conv4 got its time")
    }

    /// A rerun with the cache of a revised run finds every cell cached: the revisions depend
    /// only on the finished cells' recorded seconds.
    func testARerunMakesTheSameRevisions() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        let o1 = try schedule(cfg).run(initial: first) { self.result($0, slowdown: 1.4) }
        XCTAssertGreaterThan(o1.revisions, 0)
        let cache = Dictionary(uniqueKeysWithValues: o1.results.map { ($0.cell.key, $0.result) })
        var asked: [CellKey] = []
        let o2 = try schedule(cfg, cached: { cache[$0.key] != nil }).run(initial: first) { c in
            asked.append(c.key)
            return try XCTUnwrap(cache[c.key], "\(c.title) is not cached: the rerun revised differently")
        }
        XCTAssertEqual(asked, o1.results.map(\.cell.key))
        XCTAssertEqual(o2.sizes, o1.sizes)
    }

    /// When every cell of the first plan is cached (what `--shard` runs compute), the plan is
    /// used as it is, whatever their recorded seconds say.
    func testAFirstPlanCachedWholeIsNotRevised() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        let o = try schedule(cfg, cached: { _ in true }).run(initial: first) { self.result($0, slowdown: 2) }
        XCTAssertEqual(o.revisions, 0)
        XCTAssertNil(o.slowdown)
        XCTAssertEqual(o.sizes, first)
    }

    /// `report plan` stops at the first cell that is not cached and lists the rest as planned then.
    func testAScheduleStopsWhereTrainingWouldStart() throws {
        let cfg = StudyConfig.defaults(for: .quick)
        let first = Budget.sizes(cfg, counts: counts, speed: speed)
        var n = 0
        let o = try schedule(cfg).run(initial: first) { c in
            n += 1
            return n <= 3 ? self.result(c, slowdown: 1.3) : nil
        }
        XCTAssertEqual(o.results.count, 3)
        XCTAssertGreaterThan(o.cells.count, 3)
    }
}
