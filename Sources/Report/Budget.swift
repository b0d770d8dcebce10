import Foundation
import ModelSpec
import NN
import Stats
import StudyData
import Training

/// Training and inference speed of one architecture on this machine, images per second.
public struct Throughput: Codable, Sendable, Equatable {
    public var train: Double
    public var infer: Double
    /// Trainable and frozen parameters of the measured network: what its fixed cost per
    /// training cell scales with (`Budget.cellSeconds(_:)`). nil in measurements cached
    /// before it was recorded.
    public var parameters: Int? = nil
    /// How much slower than measured a run found this machine (`Budget.achieved`): the fixed
    /// cost per network is stretched by it as the image work is. nil: as measured.
    public var slowdown: Double? = nil

    /// This speed on a machine `factor` times slower (faster when below 1).
    func slowed(by factor: Double) -> Throughput {
        Throughput(train: train / factor, infer: infer / factor, parameters: parameters, slowdown: (slowdown ?? 1) * factor)
    }
}

/// Turns a time budget into training sizes. Throughput is measured once per machine and
/// build (a cached cell keyed on the machine and the engine's code), then every training
/// cell gets the images and epochs that fit its share:
///
/// - the main comparison gets `mainShare` of the budget: first every architecture its floor
///   (`floorImages` images for `minEpochs` epochs), then the rest where it buys convergence:
///   cheapest first, each network is raised to every training image for `wholeEpochs` epochs
///   while the rest lasts, and the networks raised whole share what is left equally,
///   each capped at its complete run (all images, the most epochs) — a small network gives
///   back what it does not need and the others split it (water-filling). Filling in order of
///   cost keeps the plan steady: a fast network's share does not hang on whether a slower
///   one's pass just fits (and networks of about the same cost fill together);
/// - the hyper-parameter experiments share the rest: every network of every run of every
///   experiment costs the same images × epochs of the experiment model.
///
/// Within a share, a network gets the images × epochs with the most training steps that fit
/// (at least `minEpochs` epochs, up to the configured cap; a seeded subset of the images when
/// not all fit) — where two sizes differ in steps by no more than rounding to 500 images can
/// make, the one with more images (fresh images teach more than repeated ones). Sizes are
/// rounded (500 images, whole epochs), so a slightly different speed measurement usually gives
/// the same plan and the same keys.
enum Budget {
    static let mainShare = 0.7
    static let minEpochs = 2
    /// Epochs over every training image a network is raised to, cheapest first, before a
    /// costlier one gets more than its floor: what "(near) convergence" buys within the quick
    /// budget. Measured on the default dataset (conv4, every image, seeds 1–3): mean F1 on the
    /// non-black validation images 0.763 / 0.814 / 0.808 after 2 epochs, 0.832 / 0.835 / 0.830
    /// after 4 — two epochs leave the run's best model to the luck of its seed.
    static let wholeEpochs = 4
    /// `wholeEpochs` within what a configuration allows (at least `minEpochs`, at most its epochs).
    static func wholeEpochs(_ cfg: StudyConfig) -> Int { max(minEpochs, min(wholeEpochs, cfg.epochs)) }
    /// Images a main-comparison network trains on at the least (for `minEpochs` epochs).
    static let floorImages = 500
    static let imageQuantum = 500
    /// A network's cost beyond its images: building it, the first steps' allocations, writing
    /// its weights, history and predictions. Without it the default run's 22 cells ran 22 s
    /// (10 %) over their estimate on the 2-core machine, the small ones most. This flat
    /// second is what a measurement without a parameter count gets; see `cellSeconds(_:)`.
    static let cellSeconds = 1.0

    /// The fixed cost of one network of speed `s`: it grows with the parameters (initialising
    /// them, Adam's two moments, writing the weights). Measured on the 2-core machine (actual
    /// cell seconds minus the throughput model's): about 0.1–0.5 s for conv4's 123 k
    /// parameters (the flat second overestimated each of the 14 experiment cells by ~1 s,
    /// 41 s run of a 56 s estimate) and about 2.3 s for conv1's 26 M.
    static func cellSeconds(_ s: Throughput) -> Double {
        guard let p = s.parameters else { return cellSeconds * (s.slowdown ?? 1) }
        return (0.3 + 2.0 * Double(p) / 26_000_000) * (s.slowdown ?? 1)
    }
    /// Networks whose whole-training-set passes cost within this factor of each other are
    /// filled together (see `sizes`).
    static let costTie = 1.25

    /// Every model a configuration trains: the study architectures, then the users' models.
    static func architectures(_ cfg: StudyConfig) -> [ModelRef] {
        var archs = Set(cfg.models)
        archs.insert(cfg.experimentModel)
        if cfg.experiments.contains(.resolution) { archs.insert(.conv2) }
        return archs.sorted { $0.rawValue < $1.rawValue }.map { .study($0) } + cfg.architectures.map { .custom($0) }
    }

    /// Seconds to train one network of `v` on `n` images for up to its epochs, with the
    /// per-epoch validation pass and the final scoring pass.
    static func seconds(_ v: Variant, images n: Int, data: LoadedData, speed: [String: Throughput]) -> Double {
        guard let s = speed[v.model.name] else { return 0 }
        return networkSeconds(s, images: n, epochs: v.epochs, monitor: data.prep.monitor.count,
                              scored: data.prep.validation.count, scale: Double(v.size * v.size) / 4096)
    }

    /// Seconds for one network at speed `s` over `images` for `epochs`, with the per-epoch
    /// validation pass over `monitor` images, the final scoring pass over `scored` and the
    /// fixed `cellSeconds(s)`; the image work scaled by `scale` (pixels relative to 64×64).
    static func networkSeconds(_ s: Throughput, images: Int, epochs: Int, monitor: Int, scored: Int,
                               scale: Double = 1) -> Double {
        scale * (Double(epochs) * (Double(images) / s.train + Double(monitor) / s.infer) + Double(scored) / s.infer)
            + cellSeconds(s)
    }

    /// The image counts a plan depends on: the training pool (after the black-image policy),
    /// the per-epoch monitor set and the scored validation set.
    struct Counts {
        var pool: Int
        var monitor: Int
        var scored: Int
    }

    static func counts(_ cfg: StudyConfig, data: LoadedData) -> Counts {
        Counts(pool: data.trainCount(cfg.blackPolicy), monitor: data.prep.monitor.count,
               scored: data.prep.validation.count)
    }

    static func sizes(_ cfg: StudyConfig, data: LoadedData, speed: [String: Throughput]) -> Plan.Sizes {
        sizes(cfg, counts: counts(cfg, data: data), speed: speed)
    }

    /// Of the images × epochs that fit a share, the one with the most images among those whose
    /// steps fall short of the most by less than rounding to `imageQuantum` images can lose
    /// (see `sizes`); among equal images, the most epochs.
    static func pick(_ fits: [(n: Int, e: Int)]) -> (n: Int, e: Int)? {
        let most = fits.map { $0.n * $0.e }.max() ?? 0
        return fits.filter { most - $0.n * $0.e < imageQuantum * $0.e }
            .max { ($0.n, $0.n * $0.e) < ($1.n, $1.n * $1.e) }
    }

    static func sizes(_ cfg: StudyConfig, counts: Counts, speed: [String: Throughput]) -> Plan.Sizes {
        guard let budget = cfg.budgetSeconds else {
            let s = Plan.Size(trainLimit: cfg.trainLimit, epochs: cfg.epochs)
            return Plan.Sizes(main: [:], experiment: Plan.Size(trainLimit: cfg.trainLimit, epochs: cfg.experimentEpochs),
                              experimentArchitectures: [:]).with(main: Dictionary(uniqueKeysWithValues: cfg.mainModels.map { ($0.name, s) }))
        }
        let pool = counts.pool
        let available = min(pool, cfg.trainLimit ?? pool)
        let names = cfg.mainModels.map(\.name)

        /// Seconds for `nets` networks of `a` over `n` images for `e` epochs (`networkSeconds`).
        func cost(_ a: String, n: Int, e: Int, nets: Int = 1) -> Double {
            Double(nets) * networkSeconds(speed[a]!, images: n, epochs: e, monitor: counts.monitor, scored: counts.scored)
        }
        /// The images × epochs that fit `seconds` with the most training steps, at least
        /// `minEpochs` epochs and `imageQuantum` images. Fewer epochs leave more of the time to
        /// steps (each epoch also pays for its validation pass), so more epochs come out ahead
        /// only by rounding (500 images at 2 epochs buy 1,000 image-epochs; 500 at 5 buy 2,500)
        /// or once every image is in: a size with more images is taken whenever its steps are
        /// short of the most by less than rounding its images to `imageQuantum` can lose
        /// (`imageQuantum` × its epochs) — so the plan does not swap 1,000 × 2 for 500 × 5 with
        /// the measurement's noise.
        func size(_ a: String, seconds: Double, maxEpochs: Int, nets: Int = 1) -> Plan.Size {
            var fits: [(n: Int, e: Int)] = []
            for e in min(minEpochs, maxEpochs)...max(minEpochs, maxEpochs) {
                let perImage = Double(nets * e) / speed[a]!.train
                // (+1e-6: a share computed as the cost of exactly n images buys n, not n − 1 by rounding.)
                let n = min(available, Int(max(0, seconds - cost(a, n: 0, e: e, nets: nets)) / perImage + 1e-6) / imageQuantum * imageQuantum)
                guard n >= imageQuantum || n == available else { continue }
                fits.append((n, e))
            }
            let (n, e) = pick(fits) ?? (min(available, imageQuantum), min(minEpochs, maxEpochs))
            return Plan.Size(trainLimit: n >= available ? (available < pool ? available : nil) : n, epochs: e)
        }

        let experimentRuns = Plan(config: cfg, sizes: Plan.Sizes(main: [:], experiment: Plan.Size(trainLimit: nil, epochs: 2),
                                                                experimentArchitectures: [:]))
        let mainRuns = Set(experimentRuns.main.rows.flatMap(\.runs))
        // Networks the experiments train beyond the main comparison, weighted by their speed
        // relative to the experiment model (so conv2 runs of the resolution experiment count more).
        var units = 0.0
        for v in experimentRuns.runs where !mainRuns.contains(v) {
            let rel = speed[cfg.experimentModel.rawValue]!.train / speed[v.model.name]!.train * (v.size == 32 ? 0.3 : 1)
            units += Double(v.networks.count) * rel * (v.epochs == 1 ? 0.3 : 1)  // the epochs experiment's 1-epoch run
        }
        let mainBudget = units > 0 ? budget * mainShare : budget
        let experimentBudget = budget - mainBudget

        // The main comparison: first every network's floor (scaled down together if the
        // floors alone exceed the share), then the rest water-filled (see above).
        let nets = cfg.gridHead == .joint ? 1 : 3
        let reps = Double(cfg.mainRepeats)
        func full(_ a: String) -> Double { cost(a, n: available, e: cfg.epochs, nets: nets) * reps }
        var share: [String: Double] = [:]
        for a in names { share[a] = min(full(a), cost(a, n: min(available, floorImages), e: minEpochs, nets: nets) * reps) }
        let floors = share.values.reduce(0, +)
        if floors > mainBudget {
            for a in names { share[a]! *= mainBudget / floors }
        } else {
            // The rest buys convergence where it can. Cheapest first, each network is raised to
            // the whole training set for `wholeEpochs` epochs while the rest lasts — the
            // first that does not fit whole gets what is left; the networks raised whole then
            // share anything that remains. Networks within `costTie` of each other form one
            // group and share equally, so that two of about the same cost do not trade places
            // (and most of their share) with the measurement's noise.
            var left = mainBudget - floors
            func complete(_ a: String) -> Double { min(full(a), cost(a, n: available, e: wholeEpochs(cfg), nets: nets) * reps) }
            var groups: [[String]] = []
            for a in names.sorted(by: { (complete($0), $0) < (complete($1), $1) }) {
                if let first = groups.last?.first, complete(a) <= complete(first) * costTie { groups[groups.count - 1].append(a) } else { groups.append([a]) }
            }
            /// Shares what is `left` equally among `names`, each raised at most to `cap` of it;
            /// a network that reaches its cap leaves the rest to the others (water-filling).
            func waterFill(_ names: [String], upTo cap: (String) -> Double) {
                var open = names.filter { share[$0]! < cap($0) - 1e-9 }
                while !open.isEmpty && left > 1e-9 {
                    let each = left / Double(open.count)
                    for a in open {
                        let raise = min(each, cap(a) - share[a]!)
                        share[a]! += raise
                        left -= raise
                    }
                    open.removeAll { share[$0]! >= cap($0) - 1e-9 }
                }
            }
            var whole: [String] = []
            for group in groups where left > 1e-9 {
                waterFill(group, upTo: complete)
                whole += group.filter { share[$0]! >= complete($0) - 1e-9 }
            }
            waterFill(whole.isEmpty ? names : whole, upTo: full)
        }
        var main: [String: Plan.Size] = [:]
        for a in names { main[a] = size(a, seconds: share[a]! / Double(cfg.mainRepeats), maxEpochs: cfg.epochs, nets: nets) }
        let perUnit = units > 0 ? experimentBudget / units : 0
        let experiment = size(cfg.experimentModel.rawValue, seconds: perUnit, maxEpochs: cfg.experimentEpochs)
        var others: [Architecture: Plan.Size] = [:]
        if cfg.experiments.contains(.resolution), cfg.experimentModel != .conv2 {
            others[.conv2] = size("conv2", seconds: perUnit * speed[cfg.experimentModel.rawValue]!.train / speed["conv2"]!.train,
                                  maxEpochs: cfg.experimentEpochs)
        }
        return Plan.Sizes(main: main, experiment: experiment, experimentArchitectures: others)
    }

    /// Training and inference throughput of each model (by name), measured once per machine
    /// and engine build: a few real training steps (forward, backward, Adam) at batch 32.
    /// A user's model is keyed on its whole spec as well.
    static func measure(_ archs: [ModelRef], cache: CellCache, log: Log) throws -> [String: Throughput] {
        var out: [String: Throughput] = [:]
        for m in archs {
            let key: CellKey
            switch m {
            case .study(let a):
                key = try cache.key("throughput/\(a.rawValue)", code: ["NN"], parameters: Machine.identity, inputs: [])
            case .custom(let c):
                key = try cache.key("throughput/\(c.name)", code: CellCode.customModel, parameters: MeasureParams(machine: Machine.identity, model: c), inputs: [])
            }
            out[m.name] = try cache.value(key, Throughput.self) { _ in
                log.info("measuring the training speed of \(m.name) on this machine")
                switch m {
                case .study(let a): return try measure(try a.build(head: .joint, seed: 1))
                case .custom(let c):
                    let ref = ModelRef.custom(c)
                    return try measure(try c.modelSpec().build(head: .joint, inputShape: ref.inputShape(channels: ref.studyChannels, size: 64), seed: 1))
                }
            }
        }
        return out
    }

    struct MeasureParams: Codable { var machine: [String: String]; var model: CustomModel }

    static func measure(_ a: Architecture) throws -> Throughput { try measure(try a.build(head: .joint, seed: 1)) }

    /// The throughput of any built network with a three-output head, in the steady state the
    /// training cells run in: a warm-up fit (allocations, first-touch of the buffers) gives a
    /// rough time per batch, then one fit of enough batches to last about `trialSeconds` (at
    /// least `minTrialBatches`) is timed batch by batch and the **median** batch time is the
    /// speed — a batch the host interrupts, or a fit's one-off set-up, moves a median of many
    /// batches little, where the best (or the mean) of two short fits swung by 30 % from run to
    /// run for the fast networks and moved the plan with it. Inference: one prediction over the
    /// same images in batches of 64, as the scoring passes run.
    static func measure(_ model: Sequential) throws -> Throughput {
        let batch = 32
        var cfg = TrainingConfig(epochs: 1, seed: 1)
        cfg.batchSize = batch
        func data(_ n: Int) -> (x: Tensor, y: Tensor) {
            let x = LayerBenchmark.randomInput(model, batch: n)
            var y = Tensor(zeros: [n, 3])
            for i in 0..<n { y.data[i * 3 + i % 3] = 1 }
            return (x, y)
        }
        let warm = data(batch)
        let clock = ContinuousClock()
        let w0 = clock.now
        _ = Trainer(model: model, config: cfg, encoding: .multiLabel).fit(x: warm.x, y: warm.y, validation: nil)
        let roughBatch = max((clock.now - w0) / .seconds(1), 1e-6)

        let batches = min(maxTrialBatches, max(minTrialBatches, Int(trialSeconds / roughBatch)))
        let (x, y) = data(batch * batches)
        var ends: [Double] = []
        _ = Trainer(model: model, config: cfg, encoding: .multiLabel).fit(x: x, y: y, validation: nil, progress: { ends.append($0.elapsedSeconds) })
        let batchSeconds = zip(ends, [0] + ends).map { $0 - $1 }
        let train = Double(batch) / max(Bootstrap.quantile(batchSeconds.sorted(), 0.5), 1e-9)

        // Inference as the scoring passes run it: one call over a few batches of 64 (buffers
        // reused across its batches), the faster of two after a warm-up.
        _ = predictProbabilities(model, x.items(0..<64), batchSize: 64)
        let probe = x.items(0..<min(x.batch, 256))
        var infer = 0.0
        for _ in 0..<2 {
            let t = clock.now
            _ = predictProbabilities(model, probe, batchSize: 64)
            infer = max(infer, Double(probe.batch) / max((clock.now - t) / .seconds(1), 1e-9))
        }
        return Throughput(train: train, infer: infer, parameters: model.parameterCount)
    }

    /// About how long the timed training fit of `measure` lasts, and its bounds in batches.
    static let trialSeconds = 0.6
    static let minTrialBatches = 3
    static let maxTrialBatches = 40

    /// ", about 3m40s of training if nothing is cached" for the log.
    static func summary(_ cells: [TrainingCell], cache: CellCache) -> String {
        let todo = cells.filter { !cache.status($0.key).isCached }
        let s = todo.reduce(0) { $0 + $1.estimatedSeconds }
        return todo.isEmpty ? "; all cached" : "; \(todo.count) to train, about \(Log.duration(s))"
    }
}

extension Plan.Sizes {
    func with(main: [String: Plan.Size]) -> Plan.Sizes { var s = self; s.main = main; return s }
}

/// What identifies this machine's speed: CPU model, cores and the BLAS kernel choice.
enum Machine {
    static var identity: [String: String] {
        var cpu = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            cpu = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? cpu
        }
        let env = ProcessInfo.processInfo.environment
        return ["cpu": cpu, "cores": "\(ProcessInfo.processInfo.activeProcessorCount)",
                "host": ProcessInfo.processInfo.hostName,
                "openblasCoretype": env["OPENBLAS_CORETYPE"] ?? "", "openblasThreads": env["OPENBLAS_NUM_THREADS"] ?? ""]
    }
}
