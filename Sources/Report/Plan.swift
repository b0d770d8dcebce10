import NN
import StudyData
import Training

/// What the original write-up concluded for an experiment, when it said.
/// Rows are named by their index in the experiment (negative: from the end, -1 the last).
public enum OriginalClaim: Sendable, Equatable {
    /// One row beat another.
    case better(Int, over: Int)
    /// One row beat every other.
    case best(Int)
    /// The rows made no substantial difference.
    case noDifference
}

/// The study's comparisons. Each case owns its title, question, rows and what the original
/// found; a new experiment is one case here and one block in the template.
public enum ExperimentID: String, CaseIterable, Codable, Sendable {
    case architectures
    case heads
    case epochs
    case learningRate = "learning-rate"
    case optimizer
    case loss
    case batchSize = "batch-size"
    case augmentation
    case blackPolicy = "black-policy"
    case channels
    case resolution

    /// The experiments a configuration may choose (all but the main comparison, which always runs).
    public static let hyperParameters: [ExperimentID] = allCases.filter { $0 != .architectures }
    /// The quick profile's experiments: the training hyper-parameters the write-up names
    /// first (epochs, learning rate, optimizer, batch size) — 7 variants, 14 networks with
    /// two seeds. With all ten experiments (about 40 networks) the quick profile's share of
    /// five minutes left each network 500 images × 2 epochs, where conv4 predicts one class
    /// for every label and every finding is "inconclusive"; with these four, each gets
    /// several thousand images.
    public static let quick: [ExperimentID] = [.epochs, .learningRate, .optimizer, .batchSize]

    public var title: String {
        switch self {
        case .architectures: return "All architectures"
        case .heads: return "One network per label vs one joint network"
        case .epochs: return "Number of epochs"
        case .learningRate: return "Learning rate"
        case .optimizer: return "Adam vs SGD"
        case .loss: return "Binary vs categorical cross-entropy"
        case .batchSize: return "Batch size"
        case .augmentation: return "Augmentation"
        case .blackPolicy: return "Black training images"
        case .channels: return "1 vs 3 input channels"
        case .resolution: return "64 vs 32 pixels"
        }
    }

    public var question: String {
        switch self {
        case .architectures: return "Which architecture scores the best mean F1 on validation?"
        case .heads: return "Does one multi-label network do as well as three single-label ones?"
        case .epochs: return "Does training for more epochs raise validation F1?"
        case .learningRate: return "Which Adam learning rate works best?"
        case .optimizer: return "Is Adam better than SGD at the same learning rate?"
        case .loss: return "Does the loss matter for the study's 2-unit softmax heads?"
        case .batchSize: return "Does a larger batch change validation F1 for the same number of epochs?"
        case .augmentation: return "Does the study's augmentation stream, applied on the fly, improve validation F1?"
        case .blackPolicy: return "Which way of handling the black training images (random labels) trains the best network?"
        case .channels: return "Does feeding the grey image as three identical channels change anything?"
        case .resolution: return "How much does downsizing to 32×32 cost?"
        }
    }

    /// What the original found, as a claim this run can agree with, contradict, or not tell.
    public var claim: (OriginalClaim, text: String)? {
        switch self {
        case .epochs: return (.better(-1, over: 0), "The original found more epochs better up to 10 (10 better than 5; more over-fitted).")
        case .learningRate: return (.best(0), "The original found 1e-3 the best learning rate.")
        case .optimizer: return (.better(0, over: 1), "The original found Adam better than SGD.")
        case .loss: return (.noDifference, "The original saw no difference between the two losses.")
        case .augmentation: return (.noDifference, "The original found that augmentation made no substantial difference.")
        default: return nil
        }
    }
}

/// One comparison of the study: its id and its rows, each a labelled variant trained with
/// one or more seeds.
public struct Experiment: Sendable {
    public struct Row: Sendable {
        public var label: String
        public var variant: Variant
        public var seeds: [UInt64]
        /// The variant trained with each seed, in `seeds` order.
        public var runs: [Variant] { seeds.map { variant.seeded($0) } }
    }
    public var id: ExperimentID
    public var rows: [Row]
    public var title: String { id.title }
    public var question: String { id.question }
}

/// The study's comparisons for a configuration: the main comparison of architectures and
/// the hyper-parameter experiments. Variants repeat across experiments on purpose: equal
/// variants share one cache key and so train once.
public struct Plan: Sendable {
    public var main: Experiment
    public var experiments: [Experiment]
    /// Run names, fixed at init (see `name(_:)`).
    private var names: [Variant: String] = [:]
    public var all: [Experiment] { [main] + experiments }

    /// Every distinct training run (variant and seed), in plan order.
    public var runs: [Variant] {
        var seen = Set<Variant>(), out: [Variant] = []
        for e in all { for r in e.rows { for v in r.runs where seen.insert(v).inserted { out.append(v) } } }
        return out
    }

    public func experiment(_ id: ExperimentID) -> Experiment? { all.first { $0.id == id } }

    /// A run's short, file-name-safe name, which is also its training cells' name. It
    /// spells out what differs from the profile's default setting (learning rate, optimizer,
    /// loss, …, and the seed when it is not the configured one); epochs and training images
    /// only when two runs of the plan differ in nothing else. So a name — and the cache key —
    /// of a run does not change when another part of the configuration does.
    public func name(_ v: Variant) -> String { names[v] ?? v.name(relativeTo: nil) }

    /// Training sizes chosen for a budget (or the configuration's own), per model of the
    /// main comparison (by name) and for the experiment model.
    public struct Sizes: Codable, Sendable, Equatable {
        public var main: [String: Size]
        public var experiment: Size
        public var experimentArchitectures: [Architecture: Size]
    }
    public struct Size: Codable, Sendable, Equatable, Hashable {
        public var trainLimit: Int?
        public var epochs: Int
    }

    public init(config cfg: StudyConfig, sizes: Sizes) {
        func seeds(_ n: Int) -> [UInt64] { (0..<UInt64(n)).map { cfg.seed &+ $0 } }
        func grid(_ a: Architecture) -> Variant { grid(.study(a)) }
        func grid(_ m: ModelRef) -> Variant {
            let s = sizes.main[m.name] ?? Size(trainLimit: cfg.trainLimit, epochs: cfg.epochs)
            return Variant(model: m, head: cfg.gridHead, epochs: s.epochs, batchSize: cfg.batchSize,
                           learningRate: cfg.learningRate, optimizer: .adam, loss: .binaryCrossEntropy,
                           augment: cfg.augment, blackPolicy: cfg.blackPolicy, channels: m.studyChannels,
                           size: 64, trainLimit: s.trainLimit, callbacks: cfg.callbacks,
                           classWeighting: cfg.classWeighting, seed: cfg.seed)
        }
        main = Experiment(id: .architectures, rows: cfg.mainModels.map {
            Experiment.Row(label: $0.name, variant: grid($0), seeds: seeds(cfg.mainRepeats))
        })

        func experimentBase(_ a: Architecture) -> Variant {
            let s = sizes.experimentArchitectures[a] ?? sizes.experiment
            var v = grid(a)
            v.head = .joint
            v.epochs = s.epochs
            v.trainLimit = s.trainLimit
            return v
        }
        let base = experimentBase(cfg.experimentModel)
        let ss = seeds(cfg.repeats)
        func row(_ label: String, _ f: (inout Variant) -> Void = { _ in }) -> Experiment.Row {
            var v = base; f(&v); return Experiment.Row(label: label, variant: v, seeds: ss)
        }
        var list: [Experiment] = []
        for id in cfg.experiments {
            switch id {
            case .architectures: continue
            case .heads:
                list.append(Experiment(id: id, rows: [row("one network per label") { $0.head = .perLabel }, row("one joint network")]))
            case .epochs:
                let es = cfg.budgetSeconds == nil ? cfg.curveEpochs.sorted() : Array(Set([1, base.epochs])).sorted()
                list.append(Experiment(id: id, rows: es.enumerated().map { i, e in
                    row(i == 0 ? "shortest: \(plural(e, "epoch"))" : i == es.count - 1 ? "longest: \(plural(e, "epoch"))" : plural(e, "epoch")) {
                        $0.epochs = e
                    }
                }))
            case .learningRate:
                list.append(Experiment(id: id, rows: cfg.learningRates.map { lr in row(Variant.format(lr)) { $0.learningRate = lr } }))
            case .optimizer:
                list.append(Experiment(id: id, rows: [row("Adam"), row("SGD") { $0.optimizer = .sgd(momentum: 0) },
                                                      row("SGD, momentum 0.9") { $0.optimizer = .sgd(momentum: 0.9) }]))
            case .loss:
                list.append(Experiment(id: id, rows: [
                    row("binary cross-entropy") { $0.head = .perLabel },
                    row("categorical cross-entropy") { $0.head = .perLabel; $0.loss = .categoricalCrossEntropy }]))
            case .batchSize:
                list.append(Experiment(id: id, rows: cfg.batchSizes.map { b in row("batch \(b)") { $0.batchSize = b } }))
            case .augmentation:
                list.append(Experiment(id: id, rows: [row("off") { $0.augment = false }, row("on") { $0.augment = true }]))
            case .blackPolicy:
                list.append(Experiment(id: id, rows: BlackPolicy.allCases.map { p in row(p.rawValue) { $0.blackPolicy = p } }))
            case .channels:
                list.append(Experiment(id: id, rows: [row("1 channel") { $0.channels = 1 }, row("3 channels") { $0.channels = 3 }]))
            case .resolution:
                // Not every architecture takes 32×32 input (conv4 and conv5 shrink below one
                // pixel); then the comparison runs on conv2, which does.
                let a = cfg.experimentModel.accepts(size: 32, channels: base.channels) ? cfg.experimentModel : .conv2
                var big = experimentBase(a)
                big.channels = Variant.studyChannels(a)
                var small = big
                small.size = 32
                list.append(Experiment(id: id, rows: [Experiment.Row(label: "64×64 (\(a.rawValue))", variant: big, seeds: ss),
                                                      Experiment.Row(label: "32×32 (\(a.rawValue))", variant: small, seeds: ss)]))
            }
        }
        experiments = list
        names = Plan.names(for: runs, config: cfg)
    }
}

extension Plan {
    static func names(for runs: [Variant], config cfg: StudyConfig) -> [Variant: String] {
        let defaults = StudyConfig.defaults(for: cfg.profile)
        func reference(_ v: Variant) -> Variant {
            Variant(model: v.model, head: v.head, epochs: v.epochs, batchSize: defaults.batchSize,
                    learningRate: defaults.learningRate, optimizer: .adam, loss: .binaryCrossEntropy, augment: defaults.augment,
                    blackPolicy: defaults.blackPolicy, channels: v.model.studyChannels, size: 64,
                    trainLimit: v.trainLimit, callbacks: defaults.callbacks, classWeighting: defaults.classWeighting, seed: cfg.seed)
        }
        let stem = Dictionary(uniqueKeysWithValues: runs.map { ($0, $0.name(relativeTo: reference($0))) })
        let groups = Dictionary(grouping: runs, by: { stem[$0]! })
        var out: [Variant: String] = [:]
        for (s, group) in groups {
            let epochs = Set(group.map(\.epochs)).count > 1, limits = Set(group.map(\.trainLimit)).count > 1
            for v in group {
                out[v] = s + (epochs ? "-e\(v.epochs)" : "") + (limits ? "-n\(v.trainLimit.map(String.init) ?? "all")" : "")
            }
        }
        return out
    }
}

extension Architecture {
    /// Whether the architecture can be built for size×size×channels input.
    func accepts(size: Int, channels: Int) -> Bool {
        (try? build(head: .joint, inputShape: inputShape(channels: channels, size: size), seed: 0)) != nil
    }
}

extension StudyConfig {
    /// The models of the main comparison: `models`, then the users' `architectures`.
    public var mainModels: [ModelRef] { models.map { .study($0) } + architectures.map { .custom($0) } }
}
