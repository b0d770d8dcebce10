import ArgumentParser
import Foundation
import NN
import Report

/// The options that say what a run computes: shared by `run` and `plan`.
struct StudyOptionGroup: ParsableArguments {
    @Option(help: "Competition data folder (default: the embedded phantom dataset, generated once into ./data/phantom).")
    var data: String?

    @Option(help: "Output folder. It is replaced as a whole when the run finishes; anything in it that this program did not write is refused.")
    var out: String = "output"

    @Option(help: "Cell cache folder (default: OUT/.cache). Several processes may share one, also on a shared file system.")
    var cache: String?

    @Option(help: "quick (within a time budget, about five minutes) or full (the study's protocol).")
    var profile: Profile = .quick

    @Option(help: "YAML configuration file: any StudyConfig fields, over the profile's defaults (docs/configuration.md).")
    var config: String?

    @Option(parsing: .upToNextOption, help: "Architectures of the main comparison (conv1 … conv5, lstm1, fc1, fc2).")
    var models: [Architecture] = []

    @Option(name: .customLong("architecture"), help: "A model file of your own (YAML/JSON, docs/architectures-format.md, or Keras's to_json()) to train and rank in the main comparison beside --models; repeatable.")
    var architectures: [String] = []

    @Flag(help: "Export every trained network as ONNX into OUT/onnx/ (with reference inputs and outputs for scripts/onnx-check.py).")
    var onnx = false

    @Option(help: "Random seed of every draw.")
    var seed: UInt64?

    @Option(help: "Seeds per variant of the hyper-parameter experiments.")
    var repeats: Int?

    @Option(help: "Seconds of training the whole plan may take (0 = no budget: the configured epochs and limits).")
    var budget: Double?

    @Option(help: "Number of training images (0 = all).")
    var trainLimit: Int?

    @Option(help: "Epochs of the main comparison (with a budget: the most a network may run).")
    var epochs: Int?

    @Option(help: "How black images are predicted: majority, ones, f1-optimal or auto (the best of the three on validation).")
    var blackRule: BlackRule?

    @Option(help: "Thresholds of the submission: half (0.5), tuned (per label, best F1 on validation) or auto (tuned when detectably better on validation, cross-fitted).")
    var thresholds: SubmissionThresholds?

    @Option(help: "Report templates folder overriding the built-in templates file by file.")
    var templates: String?

    @Option(name: .customLong("force"), help: "Recompute cells matching this pattern even if cached; repeatable (a cell name, a prefix such as train/conv2, or a glob such as 'train/*-lr*').")
    var force: [String] = []

    @Flag(help: "Ignore the cache (results are still written to it).")
    var noCache = false

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out must name a folder") }
        if let r = repeats, r < 1 || r > 100 { throw ValidationError("--repeats must be between 1 and 100, got \(r)") }
        if let e = epochs, e < 1 { throw ValidationError("--epochs must be at least 1, got \(e)") }
        if let t = trainLimit, t < 0 { throw ValidationError("--train-limit must be 0 (all) or more, got \(t)") }
        if let b = budget, !(b >= 0) || !b.isFinite { throw ValidationError("--budget must be 0 or more seconds, got \(b)") }
        if let d = data, d.isEmpty { throw ValidationError("--data must name a folder") }
    }

    /// The configuration: the profile's defaults, then the file, then the command line.
    func studyConfig() throws -> StudyConfig {
        var cfg = try config.map { try StudyConfig.load(URL(fileURLWithPath: $0), base: profile) } ?? StudyConfig.defaults(for: profile)
        if !models.isEmpty { cfg.models = models }
        if let seed { cfg.seed = seed }
        if let repeats { cfg.repeats = repeats }
        if let budget { cfg.budgetSeconds = budget > 0 ? budget : nil }
        if let trainLimit { cfg.trainLimit = trainLimit > 0 ? trainLimit : nil }
        if let epochs { cfg.epochs = epochs }
        if let blackRule { cfg.blackRule = blackRule }
        if let thresholds { cfg.thresholds = thresholds }
        for path in architectures {
            cfg.architectures.append(try StudyConfig.customModel(URL(fileURLWithPath: path), head: cfg.gridHead))
        }
        if onnx { cfg.onnx = true }
        try cfg.validate(source: "command line")
        return cfg
    }

    func options(testLabels: String? = nil, only: [String] = [], shard: Shard? = nil) throws -> StudyOptions {
        StudyOptions(
            dataDirectory: data.map { URL(fileURLWithPath: $0) },
            outputDirectory: URL(fileURLWithPath: out),
            cacheDirectory: cache.map { URL(fileURLWithPath: $0) },
            templatesDirectory: templates.map { URL(fileURLWithPath: $0) },
            config: try studyConfig(),
            testLabels: testLabels.map { URL(fileURLWithPath: $0) },
            useCache: !noCache, forced: force, only: only, shard: shard, quiet: quiet,
            defaultDataDirectory: URL(fileURLWithPath: "data/phantom"))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rerun the study and write OUT/report.md, OUT/report.html and the files beside them.")

    @OptionGroup var study: StudyOptionGroup

    @Option(help: "Test labels (id,label1,label2,label3) to score the submission against.")
    var testLabels: String?

    @Option(parsing: .singleValue, help: "Compute only the training cells matching this pattern, into the cache, and write no report; repeatable.")
    var only: [String] = []

    @Option(help: "Compute only shard I of N (0-based, e.g. 2/8) of the training cells, balanced by estimated cost, into the cache; write no report. A plain run on the same cache then assembles the report.")
    var shard: String?

    @Flag(help: "List every cell as cached or stale (and why), then stop.")
    var explain = false

    func run() throws {
        let sh = try shard.map { try Shard(parsing: $0) }
        let options = try study.options(testLabels: testLabels, only: only, shard: sh)
        if explain {
            try PlanCommand.print(try Study.plan(options), json: false)
            return
        }
        let outcome = try Study.run(options)
        if let html = outcome.report, !study.quiet { print(html.path) }
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the cell graph of a run: each cell with its key, what it reads, whether it is cached or stale (and why) and its estimated cost.")

    @OptionGroup var study: StudyOptionGroup

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try PlanCommand.print(try Study.plan(try study.options()), json: json)
    }

    static func print(_ cells: [PlannedCell], json: Bool) throws {
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: try e.encode(cells), as: UTF8.self))
            return
        }
        let width = min(60, cells.map(\.cell.count).max() ?? 10)
        for c in cells {
            Swift.print(c.cell.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + c.key + "  "
                        + String(format: "%7.1fs  ", c.seconds) + c.status)
        }
        let todo = cells.filter { $0.status != "cached" }
        Swift.print("\(cells.count) cells, \(todo.count) to compute, about \(Int(todo.reduce(0) { $0 + $1.seconds }.rounded())) s")
    }
}

struct Figures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw every figure that needs no training — dataset analysis, label charts, augmentation gallery, architecture diagrams (PNG, SVG, PDF, DOT) — in seconds.")

    @Option(help: "Competition data folder (default: the embedded phantom dataset).")
    var data: String?

    @Option(help: "Output folder (replaced as a whole; refused if it holds a full report).")
    var out: String = "output"

    @Option(help: "Random seed (augmentation gallery).")
    var seed: UInt64 = StudyConfig.defaults(for: .quick).seed

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    func run() throws {
        let outcome = try Study.figures(data: data.map { URL(fileURLWithPath: $0) }, out: URL(fileURLWithPath: out),
                                        seed: seed, quiet: quiet, defaultDataDirectory: URL(fileURLWithPath: "data/phantom"))
        if !quiet { print(outcome.path) }
    }
}

extension Profile: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
extension BlackRule: ExpressibleByArgument {}
extension SubmissionThresholds: ExpressibleByArgument {}
