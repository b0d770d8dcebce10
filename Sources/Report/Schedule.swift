import Foundation
import NN
import Training

/// A trained network as the time budget sees it: which run and label, how much it trained,
/// and how long its cell took.
struct FinishedCell: Equatable {
    var variant: Variant
    var label: Int?
    var images: Int
    var epochsRun: Int
    /// Wall-clock seconds of the whole cell (`NetworkResult.cellSeconds`).
    var seconds: Double
}

extension FinishedCell {
    init(_ cell: TrainingCell, _ r: NetworkResult) {
        self.init(variant: cell.variant, label: cell.label, images: r.trainImages, epochsRun: r.epochsRun,
                  seconds: r.cellSeconds ?? r.seconds)
    }
}

extension Budget {
    /// The least and most slowdown a revision believes. A cell slowed 3× (a host that paused)
    /// already sends every network left to its floor; a fast cell is not taken as a promise
    /// that the host will stay 3× faster than measured.
    static let slowdownRange = (1.0 / 3)...3.0

    /// Speeds corrected by what the finished cells achieved. An architecture that has trained
    /// is slowed by the ratio of its cells' wall-clock seconds to what its measured speed
    /// predicts for the images and epochs they actually ran (so an early stop does not read as
    /// a fast machine). One that has not is slowed by that ratio over every finished cell when
    /// it is above 1 (a slower host slows all architectures together), but never sped up by
    /// it: a network that beat its own measurement says its measurement caught a slow minute,
    /// not that the others' did — sizing the rest for that speed overran the main comparison's
    /// share and left the experiments, trained last, 500 images. `overall` is the ratio over
    /// every finished cell.
    static func achieved(_ speed: [String: Throughput], finished: [FinishedCell],
                         counts: Counts) -> (speed: [String: Throughput], overall: Double) {
        func predicted(_ f: FinishedCell) -> Double {
            guard let s = speed[f.variant.model.name] else { return 0 }
            return networkSeconds(s, images: f.images, epochs: f.epochsRun, monitor: counts.monitor, scored: counts.scored,
                                  scale: Double(f.variant.size * f.variant.size) / 4096)
        }
        func ratio(_ cells: [FinishedCell]) -> Double? {
            let p = cells.reduce(0) { $0 + predicted($1) }, a = cells.reduce(0) { $0 + $1.seconds }
            guard p > 0, a > 0 else { return nil }
            return min(max(a / p, slowdownRange.lowerBound), slowdownRange.upperBound)
        }
        let overall = ratio(finished) ?? 1
        var out = speed
        for (name, s) in speed {
            out[name] = s.slowed(by: ratio(finished.filter { $0.variant.model.name == name }) ?? max(1, overall))
        }
        return (out, overall)
    }

    /// The sizes of the cells not yet trained, revised from what the `finished` ones took:
    /// with the speeds they achieved (`achieved`), the largest plan whose unfinished cells fit
    /// what is left of the budget. What has trained keeps its size (`current`): a main-comparison
    /// network that has a finished cell, and the experiments once one of their runs has
    /// finished — every run of an experiment trains on the same images and epochs.
    static func replan(_ cfg: StudyConfig, counts: Counts, speed measured: [String: Throughput],
                       current: Plan.Sizes, finished: [FinishedCell]) -> Plan.Sizes {
        guard let budget = cfg.budgetSeconds, !finished.isEmpty else { return current }
        let speed = achieved(measured, finished: finished, counts: counts).speed
        let plan = Plan(config: cfg, sizes: current)
        let mainRuns = Set(plan.main.rows.flatMap(\.runs))
        let done = Set(finished.map { CellID(variant: $0.variant, label: $0.label) })
        let pinnedMain = Set(finished.filter { mainRuns.contains($0.variant) }.map(\.variant.model.name))
        let pinnedExperiments = finished.contains { !mainRuns.contains($0.variant) }
        let left = budget - finished.reduce(0) { $0 + $1.seconds }

        func candidate(_ seconds: Double) -> Plan.Sizes {
            var c = cfg
            c.budgetSeconds = seconds
            var s = sizes(c, counts: counts, speed: speed)
            for a in pinnedMain { s.main[a] = current.main[a] }
            if pinnedExperiments {
                s.experiment = current.experiment
                s.experimentArchitectures = current.experimentArchitectures
            }
            return s
        }
        func remaining(_ s: Plan.Sizes) -> Double {
            Plan(config: cfg, sizes: s).runs.reduce(0) { total, v in
                let n = min(counts.pool, v.trainLimit ?? counts.pool)
                let open = v.networks.filter { !done.contains(CellID(variant: v, label: $0)) }.count
                guard open > 0, let sp = speed[v.model.name] else { return total }
                return total + Double(open) * networkSeconds(sp, images: n, epochs: v.epochs, monitor: counts.monitor,
                                                             scored: counts.scored, scale: Double(v.size * v.size) / 4096)
            }
        }
        // The remaining cost grows with the budget the plan is drawn for: bisect for the
        // largest that fits (sizes move in steps of 500 images, so 30 halvings are plenty).
        var lo = 0.0, hi = budget * 4
        if remaining(candidate(hi)) <= left { return candidate(hi) }
        if remaining(candidate(lo)) > left { return candidate(lo) }
        for _ in 0..<30 {
            let mid = (lo + hi) / 2
            if remaining(candidate(mid)) <= left { lo = mid } else { hi = mid }
        }
        return candidate(lo)
    }
}

/// A training cell's identity within a run, whatever its cache key: the run and the label.
struct CellID: Hashable {
    var variant: Variant
    var label: Int?
}

extension CellID {
    init(_ c: TrainingCell) { self.init(variant: c.variant, label: c.label) }
}

/// Runs the training cells of a plan in plan order. Within a time budget, the sizes of the
/// cells not yet trained are revised before each one from what the finished ones took
/// (`Budget.replan`), so that a start-up speed measurement that caught the host in a slow (or
/// fast) minute, or a network that stopped early, does not decide the whole run's sizes.
///
/// Revisions are a pure function of the finished cells' recorded seconds (kept with their
/// cached results), so a rerun with the same cache makes the same revisions and finds every
/// cell cached. When every cell of the first plan is cached — what `--shard` and `--only`
/// runs compute, since they always follow the first plan — that plan is used as it is.
struct Schedule {
    var config: StudyConfig
    var counts: Budget.Counts
    var speed: [String: Throughput]
    /// The training cells of a plan (their keys and estimates).
    var cells: (Plan) throws -> [TrainingCell]
    var isCached: (TrainingCell) -> Bool

    struct Outcome {
        var plan: Plan
        var sizes: Plan.Sizes
        /// Every trained cell with its result, in the order they ran.
        var results: [(cell: TrainingCell, result: NetworkResult)]
        /// The plan's cells when it ended: all trained, or (for `report plan`) those still to train.
        var cells: [TrainingCell]
        /// How many times the sizes changed.
        var revisions: Int
        /// The finished cells' seconds over what the start-up measurement predicted for them
        /// (nil without revisions: no budget, or the first plan was cached whole).
        var slowdown: Double?
    }

    /// - Parameter train: trains (or loads) a cell; nil stops the schedule there (for
    ///   `report plan`, at the first cell that is not cached).
    func run(initial: Plan.Sizes, log: (String) -> Void = { _ in },
             train: (TrainingCell) throws -> NetworkResult?) throws -> Outcome {
        var sizes = initial
        var plan = Plan(config: config, sizes: sizes)
        var list = try cells(plan)
        let revise = config.budgetSeconds != nil && !list.allSatisfy(isCached)
        var results: [(cell: TrainingCell, result: NetworkResult)] = []
        var done = Set<CellID>()
        var revisions = 0
        while true {
            if revise && !results.isEmpty {
                let finished = results.map { FinishedCell($0.cell, $0.result) }
                let next = Budget.replan(config, counts: counts, speed: speed, current: sizes, finished: finished)
                if next != sizes {
                    let revised = Plan(config: config, sizes: next)
                    log("revised the plan (networks so far at \(fmt(1 / Budget.achieved(speed, finished: finished, counts: counts).overall, 2))× "
                        + "the measured speed): " + Self.changes(from: sizes, to: next).joined(separator: ", "))
                    sizes = next
                    plan = revised
                    list = try cells(plan)
                    revisions += 1
                }
            }
            guard let c = list.first(where: { !done.contains(CellID($0)) }) else { break }
            guard let r = try train(c) else { break }
            results.append((c, r))
            done.insert(CellID(c))
        }
        let slowdown = revise && !results.isEmpty
            ? Budget.achieved(speed, finished: results.map { FinishedCell($0.cell, $0.result) }, counts: counts).overall : nil
        return Outcome(plan: plan, sizes: sizes, results: results, cells: list, revisions: revisions, slowdown: slowdown)
    }

    /// "conv5 500 × 2 → 1,000 × 2" for each size that changed (the main comparison's networks by
    /// name, then the experiments').
    static func changes(from old: Plan.Sizes, to new: Plan.Sizes) -> [String] {
        func size(_ s: Plan.Size?) -> String { s.map { "\($0.trainLimit.map(grouped) ?? "all") × \($0.epochs)" } ?? "—" }
        var out: [String] = []
        for name in Set(old.main.keys).union(new.main.keys).sorted() where old.main[name] != new.main[name] {
            out.append("\(name) \(size(old.main[name])) → \(size(new.main[name]))")
        }
        if old.experiment != new.experiment { out.append("experiments \(size(old.experiment)) → \(size(new.experiment))") }
        for a in Set(old.experimentArchitectures.keys).union(new.experimentArchitectures.keys).sorted(by: { $0.rawValue < $1.rawValue })
        where old.experimentArchitectures[a] != new.experimentArchitectures[a] {
            out.append("\(a.rawValue) in the experiments \(size(old.experimentArchitectures[a])) → \(size(new.experimentArchitectures[a]))")
        }
        return out
    }
}
