import Foundation
import ModelSpec
import NN
import SeededRandom
import StudyData
import Training

/// Training and inference speed of one architecture on this machine, images per second.
public struct Throughput: Codable, Sendable, Equatable {
    public var train: Double
    public var infer: Double
}

/// Turns a time budget into training sizes. Throughput is measured once per machine and
/// build (a cached cell keyed on the machine and the engine's code), then every training
/// cell gets the images and epochs that fit its share:
///
/// - the main comparison gets `mainShare` of the budget: first every architecture its floor
///   (`floorImages` images for `minEpochs` epochs), then the rest where it buys convergence: shared
///   equally among the networks that can see every training image `minEpochs` times with it,
///   each capped at its complete run (all images, the most epochs) — a small network gives
///   back what it does not need and the others split it (water-filling);
/// - the hyper-parameter experiments share the rest: every network of every run of every
///   experiment costs the same images × epochs of the experiment model.
///
/// Within a share, a network gets the images × epochs with the most training steps that fit
/// (at least `minEpochs` epochs, up to the configured cap; a seeded subset of the images when
/// not all fit). Sizes are rounded (500 images, whole epochs), so a slightly different speed
/// measurement usually gives the same plan and the same keys.
enum Budget {
    static let mainShare = 0.7
    static let minEpochs = 2
    /// Images a main-comparison network trains on at the least (for `minEpochs` epochs).
    static let floorImages = 500
    static let imageQuantum = 500

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
        let scale = Double(v.size * v.size) / 4096
        let monitor = Double(data.prep.monitor.count), scored = Double(data.prep.validation.count)
        return scale * (Double(v.epochs) * (Double(n) / s.train + monitor / s.infer) + scored / s.infer)
    }

    static func sizes(_ cfg: StudyConfig, data: LoadedData, speed: [String: Throughput]) -> Plan.Sizes {
        guard let budget = cfg.budgetSeconds else {
            let s = Plan.Size(trainLimit: cfg.trainLimit, epochs: cfg.epochs)
            return Plan.Sizes(main: [:], experiment: Plan.Size(trainLimit: cfg.trainLimit, epochs: cfg.experimentEpochs),
                              experimentArchitectures: [:]).with(main: Dictionary(uniqueKeysWithValues: cfg.mainModels.map { ($0.name, s) }))
        }
        let pool = cfg.blackPolicy.apply(to: data.dataset.train).count
        let available = min(pool, cfg.trainLimit ?? pool)
        let monitor = Double(data.prep.monitor.count), scored = Double(data.prep.validation.count)

        /// Seconds for `nets` networks of `a` over `n` images for `e` epochs, with the
        /// per-epoch validation pass and the final scoring pass.
        func cost(_ a: String, n: Int, e: Int, nets: Int = 1) -> Double {
            let s = speed[a]!
            return Double(nets) * (Double(e) * (Double(n) / s.train + monitor / s.infer) + scored / s.infer)
        }
        /// The largest size whose cost (per network) fits `seconds`.
        /// The images × epochs that fit `seconds` with the most training steps (ties: more
        /// images), at least `minEpochs` epochs and `imageQuantum` images.
        func size(_ a: String, seconds: Double, maxEpochs: Int, nets: Int = 1) -> Plan.Size {
            var best: (n: Int, e: Int)?
            for e in min(minEpochs, maxEpochs)...max(minEpochs, maxEpochs) {
                let perImage = Double(nets * e) / speed[a]!.train
                let n = min(available, Int(max(0, seconds - cost(a, n: 0, e: e, nets: nets)) / perImage) / imageQuantum * imageQuantum)
                guard n >= imageQuantum || n == available else { continue }
                if best == nil || n * e > best!.n * best!.e { best = (n, e) }
            }
            let (n, e) = best ?? (min(available, imageQuantum), min(minEpochs, maxEpochs))
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
        for a in cfg.mainModels.map(\.name) { share[a] = min(full(a), cost(a, n: min(available, floorImages), e: minEpochs, nets: nets) * reps) }
        let floors = share.values.reduce(0, +)
        if floors > mainBudget {
            for a in cfg.mainModels.map(\.name) { share[a]! *= mainBudget / floors }
        } else {
            // The rest buys convergence where it can: it goes to the networks that can see the
            // whole training set at least `minEpochs` times with it (all of them when none can).
            var left = mainBudget - floors
            var open = cfg.mainModels.map(\.name).filter { share[$0]! < full($0) && cost($0, n: available, e: minEpochs, nets: nets) * reps <= left }
            if open.isEmpty { open = cfg.mainModels.map(\.name).filter { share[$0]! < full($0) } }
            while !open.isEmpty && left > 1e-9 {
                let each = left / Double(open.count)
                var given = 0.0
                for a in open {
                    let extra = min(each, full(a) - share[a]!)
                    share[a]! += extra
                    given += extra
                }
                left -= given
                open.removeAll { share[$0]! >= full($0) - 1e-9 }
                if given < 1e-9 { break }
            }
        }
        var main: [String: Plan.Size] = [:]
        for a in cfg.mainModels.map(\.name) { main[a] = size(a, seconds: share[a]! / Double(cfg.mainRepeats), maxEpochs: cfg.epochs, nets: nets) }
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

    /// The throughput of any built network with a three-output head.
    static func measure(_ model: Sequential) throws -> Throughput {
        let batch = 32
        let n = batch * 2
        var rng = SeededGenerator(seed: 3, stream: "throughput")
        let x = Tensor(shape: [n] + model.inputShape, data: (0..<(n * model.inputShape.reduce(1, *))).map { _ in rng.nextFloat() })
        var y = Tensor(zeros: [n, 3])
        for i in 0..<n { y.data[i * 3 + i % 3] = 1 }
        var cfg = TrainingConfig(epochs: 1, seed: 1)
        cfg.batchSize = batch
        _ = Trainer(model: model, config: cfg, encoding: .multiLabel).fit(x: x.items(0..<batch), y: y.items(0..<batch), validation: nil)
        // The best of two trials: the speed this machine reaches, not a moment of load.
        var train = 0.0, infer = 0.0
        for _ in 0..<2 {
            let t0 = Date()
            _ = Trainer(model: model, config: cfg, encoding: .multiLabel).fit(x: x, y: y, validation: nil)
            train = max(train, Double(n) / max(Date().timeIntervalSince(t0), 1e-6))
            let t1 = Date()
            _ = predictProbabilities(model, x, batchSize: 64)
            infer = max(infer, Double(n) / max(Date().timeIntervalSince(t1), 1e-6))
        }
        return Throughput(train: train, infer: infer)
    }

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
