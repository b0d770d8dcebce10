import Foundation
import NN
import Plots
import StudyData
import Training

/// Where a run reads and writes, and how. Every field is set once, by the command line (or a
/// test), and read by the stages below; nothing else changes it.
public struct StudyOptions: Sendable {
    /// The competition-layout data folder; nil = the embedded default dataset.
    public var dataDirectory: URL?
    public var outputDirectory: URL
    /// The cell cache; nil = `<output>/.cache`.
    public var cacheDirectory: URL?
    /// A folder of templates overriding the built-in ones; nil = the built-in ones.
    public var templatesDirectory: URL?
    public var config: StudyConfig
    public var testLabels: URL?
    public var useCache: Bool
    /// `--force` patterns: each must match at least one cell of the plan.
    public var forced: [String]
    /// `--only` patterns: compute just the matching cells (into the cache), no report.
    public var only: [String]
    /// `--shard I/N`: compute the I-th of N cost-balanced shares of the training cells.
    public var shard: Shard?
    public var quiet: Bool
    /// Where the embedded default dataset lives when no `--data` is given.
    public var defaultDataDirectory: URL
    /// Fingerprints of the code by target (the build's own unless a test fakes them).
    public var code: [String: String]

    public init(dataDirectory: URL?, outputDirectory: URL, cacheDirectory: URL? = nil, templatesDirectory: URL? = nil,
                config: StudyConfig, testLabels: URL? = nil, useCache: Bool = true, forced: [String] = [],
                only: [String] = [], shard: Shard? = nil, quiet: Bool = false,
                defaultDataDirectory: URL, code: [String: String] = CodeFingerprint.all) {
        self.dataDirectory = dataDirectory
        self.outputDirectory = outputDirectory
        self.cacheDirectory = cacheDirectory
        self.templatesDirectory = templatesDirectory
        self.config = config
        self.testLabels = testLabels
        self.useCache = useCache
        self.forced = forced
        self.only = only
        self.shard = shard
        self.quiet = quiet
        self.defaultDataDirectory = defaultDataDirectory
        self.code = code
    }

    var cacheRoot: URL { cacheDirectory ?? outputDirectory.appendingPathComponent(".cache", isDirectory: true) }
}

/// `--shard I/N`: shard `index` (0-based) of `count`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw ReportError("--shard must be I/N with 0 ≤ I < N, got \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }
    /// Parses `I/N`.
    public init(parsing s: String) throws {
        let parts = s.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ReportError("--shard must be I/N (e.g. 0/4), got '\(TextSafety.clip(s, 40))'")
        }
        try self.init(index: i, count: n)
    }
    public var description: String { "\(index)/\(count)" }
}

/// What a run did: where the report is (nil when only cells were computed), and the cells.
public struct RunOutcome: Sendable {
    public var report: URL?
    public var timings: [CellTiming]
}

/// The study as a one-way pipeline of stages, each a function of its inputs:
///
///     load → analyse → size (budget) → plan → train → evaluate → figures → model → publish
///
/// Stages that cost time are cached cells (`CellCache`); everything else is recomputed in
/// milliseconds each run.
public enum Study {
    /// Runs every stage and publishes the report. Returns where `report.html` is.
    @discardableResult
    public static func run(_ options: StudyOptions) throws -> RunOutcome {
        let log = Log(quiet: options.quiet)
        try options.config.validate()
        // Everything that can be checked before the first cell runs is checked here.
        let templates = try Templates.load(override: options.templatesDirectory)
        let output = try OutputFolder(options.outputDirectory, data: options.dataDirectory)
        // A run that publishes holds the output folder's lock; shards (`--shard`, `--only`)
        // write only into the cache, which takes several writers, so they run side by side.
        let publishes = options.only.isEmpty && options.shard == nil
        let lock = publishes ? try output.lock() : nil
        defer { lock?.release() }
        let dataDir = try resolveData(options, output: output, log: log)
        let cache = CellCache(root: options.cacheRoot, enabled: options.useCache, forced: options.forced, code: options.code)
        cache.sweep()

        let data = try LoadedData.load(dataDir, options: options, cache: cache, log: log)
        let analysis = try Stages.analyse(data, cache: cache, log: log)
        let speed = try Budget.measure(Budget.architectures(options.config), cache: cache, log: log)
        let firstSizes = Budget.sizes(options.config, data: data, speed: speed)
        let firstPlan = Plan(config: options.config, sizes: firstSizes)
        let cells = try Stages.trainingCells(firstPlan, data: data, cache: cache, speed: speed)
        try checkPatterns(options, cells: cells.map(\.key.cell) + ["analysis", "submission", "figure/…"])

        if !options.only.isEmpty || options.shard != nil {
            let chosen = Stages.select(cells, only: options.only, shard: options.shard)
            log.info("computing \(chosen.count) of \(cells.count) training cells" + (options.shard.map { " (shard \($0))" } ?? ""))
            for c in chosen { _ = try Stages.train(c, data: data, cache: cache, log: log) }
            return RunOutcome(report: nil, timings: cache.timings)
        }
        let preview = try Stages.preview(options.config, sizes: firstSizes, data: data, cache: cache, speed: speed)
        log.info("plan: \(firstPlan.runs.count) training runs, \(preview.count) networks" + Budget.summary(preview, cache: cache))
        let (schedule, trained) = try Stages.trainAll(options.config, sizes: firstSizes, data: data, cache: cache, speed: speed, log: log)
        let plan = schedule.plan, sizes = schedule.sizes
        let evaluated = try Evaluated(plan: plan, trained: trained, data: data, config: options.config)
        let best = evaluated.best
        log.info("best model: \(trained[best]!.name), mean validation F1 \(fmt(evaluated[best].meanF1))")
        let submission = try Stages.submission(best, result: trained[best]!, rule: evaluated.blackRule,
                                               thresholds: evaluated.thresholds.thresholds, data: data, cache: cache, log: log)
        let testScore = data.testTruth.map { submission.score(against: $0) }

        let findings = Findings(plan: plan, trained: trained, evaluated: evaluated,
                                resamples: options.config.bootstrapResamples, seed: options.config.seed)
        let figures = FigureSet(analysis: analysis, plan: plan, trained: trained, evaluated: evaluated, data: data,
                                seed: options.config.seed, findings: findings)
        let drawn = try Stages.draw(figures, cache: cache, log: log)
        let model = ReportModel(options: options, data: data, analysis: analysis, sizes: sizes, plan: plan,
                                revisions: schedule.revisions, slowdown: schedule.slowdown, trained: trained,
                                evaluated: evaluated, findings: findings, submission: submission, testScore: testScore, timings: cache.timings,
                                started: log.start)
        let onnx = options.config.onnx ? try Stages.exportONNX(plan, trained: trained, data: data, cache: cache, log: log) : []
        let html = try output.publish(Products(model: model, trained: trained, evaluated: evaluated, plan: plan, data: data,
                                               submission: submission, testScore: testScore, drawn: drawn,
                                               timings: cache.timings, templates: templates, cache: cache,
                                               config: options.config, findings: findings, onnx: onnx), log: log)
        log.info("wrote \(output.url.appendingPathComponent("report.md").path) and \(html.path)")
        return RunOutcome(report: html, timings: cache.timings)
    }

    /// The cell graph of a configuration, without running it (`report plan`).
    public static func plan(_ options: StudyOptions) throws -> [PlannedCell] {
        let log = Log(quiet: true)
        try options.config.validate()
        let output = try OutputFolder(options.outputDirectory, data: options.dataDirectory)
        let dataDir = try resolveData(options, output: output, log: Log(quiet: options.quiet))
        let cache = CellCache(root: options.cacheRoot, enabled: options.useCache, forced: options.forced, code: options.code)
        let data = try LoadedData.load(dataDir, options: options, cache: cache, log: log)
        let speed = try Budget.measure(Budget.architectures(options.config), cache: cache, log: log)
        let cells = try Stages.preview(options.config, sizes: Budget.sizes(options.config, data: data, speed: speed),
                                       data: data, cache: cache, speed: speed)
        let analysisKey = try Stages.analysisKey(data, cache: cache)
        var out = [PlannedCell(cell: analysisKey.cell, key: analysisKey.short, inputs: [data.key.cell],
                               status: cache.status(analysisKey).description, seconds: 1)]
        for c in cells {
            out.append(PlannedCell(cell: c.key.cell, key: c.key.short, inputs: [data.key.cell],
                                   status: cache.status(c.key).description, seconds: c.estimatedSeconds))
        }
        return out
    }

    /// Refuses `--force` / `--only` patterns that match no cell: a typo must not pass silently.
    static func checkPatterns(_ options: StudyOptions, cells: [String]) throws {
        for (flag, patterns) in [("--force", options.forced), ("--only", options.only)] {
            for p in patterns where !cells.contains(where: { CellCache.matches($0, pattern: p) }) && !["analysis", "submission", "figures"].contains(p) && !p.hasPrefix("figure/") {
                let names = Set(cells.map { $0.split(separator: "/").prefix(2).joined(separator: "/") }).sorted()
                throw ReportError("\(flag) \(TextSafety.clip(p, 60)) matches no cell of this run (cells: analysis, figures, submission, \(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : ""))")
            }
        }
    }

    /// The data folder of the run: `--data`, or the embedded default dataset, generated once
    /// into its folder. A folder there that this program did not write is never touched.
    static func resolveData(_ options: StudyOptions, output: OutputFolder, log: Log) throws -> URL {
        if let d = options.dataDirectory { return d }
        let dir = options.defaultDataDirectory
        let stamp = dir.appendingPathComponent(".generated.json")
        let want = GeneratedStamp(version: PhantomGenerator.version, seed: PhantomConfig().seed, scale: PhantomConfig().scale)
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.path) {
            guard let data = try? Data(contentsOf: stamp), let have = try? StableJSON.decode(GeneratedStamp.self, from: data) else {
                throw ReportError("\(dir.path) exists but was not written by this program (no .generated.json); move it away or pass --data")
            }
            if have == want { return dir }
            // An older default dataset this program generated: replace it.
            log.info("the default dataset in \(dir.path) is from generator version \(have.version); regenerating")
            try? fm.removeItem(at: dir)
        }
        log.info("generating the default dataset into \(dir.path) (one time)")
        let t = Date()
        let tmp = dir.deletingLastPathComponent().appendingPathComponent(".\(dir.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        do { _ = try PhantomGenerator.write(to: tmp, config: PhantomConfig()) } catch {
            try? fm.removeItem(at: tmp)
            throw ReportError("\(error)")
        }
        try AtomicFile.write(try StableJSON.encode(want), to: tmp.appendingPathComponent(".generated.json"))
        if rename(tmp.path, dir.path) != 0 {
            let err = String(cString: strerror(errno))
            try? fm.removeItem(at: tmp)
            // Another process (a shard) generated the same dataset first: use it.
            if let data = try? Data(contentsOf: stamp), (try? StableJSON.decode(GeneratedStamp.self, from: data)) == want { return dir }
            throw ReportError("cannot move the generated dataset into \(dir.path): \(err)")
        }
        log.info(String(format: "generated in %.1fs", Date().timeIntervalSince(t)))
        return dir
    }

    struct GeneratedStamp: Codable, Equatable { var version: Int; var seed: UInt64; var scale: Double }

    /// Reads a competition-layout folder; errors name the folder, then the file, line or id.
    public static func loadDataset(_ dir: URL, resize: Bool = false) throws -> Dataset {
        do { try Dataset.checkRoot(dir) } catch { throw ReportError("data folder \(error)") }
        do { return try Dataset.load(from: dir, resize: resize) } catch {
            throw ReportError("\(DataError.printable(dir.path, limit: 240)): \(error)")
        }
    }
}

/// One cell of `report plan`.
public struct PlannedCell: Codable, Sendable {
    public var cell: String
    public var key: String
    public var inputs: [String]
    public var status: String
    public var seconds: Double
}

/// The loaded data of a run and what every later stage derives from it.
struct LoadedData {
    let dataset: Dataset
    let prep: DataPrep
    /// The data's cache key: every cell below chains it.
    let key: CellKey
    /// Whether this is the embedded default dataset.
    let isDefault: Bool
    let testTruth: [[UInt8]]?
    /// Positions of the entirely black training images (found once: plans ask for the
    /// training count of each black-image policy many times).
    let trainBlack: [Int]

    static func load(_ dir: URL, options: StudyOptions, cache: CellCache, log: Log) throws -> LoadedData {
        log.info("reading \(dir.path)")
        let dataset = try Study.loadDataset(dir)
        let cfg = options.config
        // Refuse what cannot make sense before any cell runs.
        for policy in Set([cfg.blackPolicy] + (cfg.experiments.contains(.blackPolicy) ? BlackPolicy.allCases : [])) {
            do { try dataset.validateForTraining(blackPolicy: policy) } catch {
                throw ReportError("\(DataError.printable(dir.path, limit: 240)): \(error)")
            }
        }
        guard dataset.val.count >= 2 else {
            throw ReportError("\(dir.appendingPathComponent("val_labels.csv").path): the validation split needs at least 2 images to score models, has \(dataset.val.count)")
        }
        guard dataset.test.count >= 1 else {
            throw ReportError("\(dir.appendingPathComponent("sample_submission.csv").path): no test images to predict")
        }
        let prep = DataPrep(dataset: dataset, valLimit: cfg.valLimit, monitorLimit: cfg.monitorLimit, seed: cfg.seed)
        if prep.nonBlackValidation.count == 0 {
            throw ReportError("\(dir.appendingPathComponent("val_images").path): every scored validation image is entirely black; nothing to score models on")
        }
        let key = try CellKey(cell: "data", code: [:], parameters: dataset.fingerprint, inputs: [])
        log.info("data: \(dataset.train.count) train / \(dataset.val.count) val / \(dataset.test.count) test images, fingerprint \(dataset.fingerprint)")
        let truth = try options.testLabels.map { try TestLabels.load($0, ids: dataset.test.ids) }
        return LoadedData(dataset: dataset, prep: prep, key: key, isDefault: options.dataDirectory == nil, testTruth: truth,
                          trainBlack: blackIndices(dataset.train))
    }

    /// Training images a black-image policy keeps (`BlackPolicy.apply(to:)`'s count).
    func trainCount(_ policy: BlackPolicy) -> Int {
        policy.keptCount(of: dataset.train.count, black: trainBlack.count)
    }

    /// Labels of the black training images (for the black-image rule).
    var blackTrainLabels: [[UInt8]] {
        guard let labels = dataset.train.labels else { return [] }
        return trainBlack.map { labels[$0] }
    }
}
