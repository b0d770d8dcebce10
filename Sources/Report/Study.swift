import Foundation
import NN
import Plots
import StudyData

/// Where a run reads and writes, and how.
public struct StudyOptions: Sendable {
    public var dataDirectory: URL?
    public var outputDirectory: URL
    public var templatesDirectory: URL
    public var config: StudyConfig
    public var testLabels: URL?
    public var useCache: Bool
    public var forced: [String]
    public var quiet: Bool
    /// Where the embedded default dataset lives when no `--data` is given.
    public var defaultDataDirectory: URL

    public init(dataDirectory: URL?, outputDirectory: URL, templatesDirectory: URL, config: StudyConfig,
                testLabels: URL?, useCache: Bool, forced: [String], quiet: Bool, defaultDataDirectory: URL) {
        self.dataDirectory = dataDirectory
        self.outputDirectory = outputDirectory
        self.templatesDirectory = templatesDirectory
        self.config = config
        self.testLabels = testLabels
        self.useCache = useCache
        self.forced = forced
        self.quiet = quiet
        self.defaultDataDirectory = defaultDataDirectory
    }
}

/// The study as a sequence of cached cells: data → analysis → architectures → training runs →
/// evaluation → figures and tables → submission → report. Each cell reads its inputs and
/// returns a value; the cache keys chain, so a change upstream recomputes what follows.
public final class Study {
    public let options: StudyOptions
    public var config: StudyConfig { options.config }
    let log: Log
    let cache: CellCache
    var dataset: Dataset!
    var dataKey: CellKey!
    var prep: DataPrep!
    var out: URL { options.outputDirectory }
    let started = Date()

    public init(options: StudyOptions) {
        self.options = options
        self.log = Log(quiet: options.quiet)
        self.cache = CellCache(root: options.outputDirectory.appendingPathComponent(".cache", isDirectory: true),
                               enabled: options.useCache, forced: options.forced)
    }

    /// Runs every cell and writes the report. Returns the path of `report.html`.
    @discardableResult
    public func run() throws -> URL {
        try config.validate()
        try checkOutputIsNotData()
        let dataDir = try resolveData()
        log.info("reading \(dataDir.path)")
        dataset = try Study.loadDataset(dataDir)
        prep = DataPrep(dataset: dataset, valLimit: config.valLimit, seed: config.seed)
        dataKey = try CellKey(cell: "data", version: 1, parameters: dataset.fingerprint, inputs: [])
        log.info("data: \(dataset.train.count) train / \(dataset.val.count) val / \(dataset.test.count) test images, fingerprint \(dataset.fingerprint)")

        let testTruth = try options.testLabels.map { try TestLabels.load($0, ids: dataset.test.ids) }

        // Dataset analysis.
        let analysisKey = try CellKey(cell: "analysis", version: 1, parameters: "analysis", inputs: [dataKey])
        let analysis = try cache.value(analysisKey, DatasetAnalysis.self) { _ in
            log.info("analysing the dataset")
            return DatasetAnalysis.analyze(dataset)
        }

        // Training runs: every distinct variant of the plan, once.
        let plan = config.experiments
        var results: [Variant: VariantResult] = [:]
        var order: [Variant] = []
        for e in plan { for r in e.rows where results[r.variant] == nil && !order.contains(r.variant) { order.append(r.variant) } }
        let networks = order.reduce(0) { $0 + $1.networks.count }
        if config.profile == .full {
            log.info("measuring training throughput for an estimate")
            let estimate = try estimateSeconds(order)
            log.info("plan: \(order.count) variants, \(networks) networks; about \(Log.duration(estimate)) of training on this machine if nothing is cached")
        } else {
            log.info("plan: \(order.count) variants, \(networks) networks")
        }
        for v in order {
            let name = v.name(relativeTo: config.gridVariant(v.architecture))
            results[v] = try train(v, name: name)
        }

        // Evaluation on validation.
        let val = prep.validation
        guard let valLabels = val.labels else { throw ReportError("val_labels.csv has no labels") }
        let valBlack = prep.validationBlack
        let blackRule = blackImagePrediction(trainLabelsOfBlack: blackTrainLabels())
        var evaluations: [Variant: VariantEvaluation] = [:]
        for v in order {
            let r = results[v]!
            evaluations[v] = Evaluator.evaluate(name: r.name, scores: r.valScores, labels: valLabels,
                                                black: valBlack, blackRule: blackRule)
        }

        // The winner of the main comparison, by mean validation F1.
        let grid = plan[0].rows.map(\.variant)
        guard let best = grid.max(by: { evaluations[$0]!.meanF1 < evaluations[$1]!.meanF1 }) else {
            throw ReportError("no model was trained")
        }
        log.info("best model: \(results[best]!.name), mean validation F1 \(String(format: "%.3f", evaluations[best]!.meanF1))")

        // Submission from the best model.
        let submissionKey = try CellKey(cell: "submission", version: 1, parameters: best,
                                        inputs: [dataKey] + results[best]!.keys)
        let submission = try cache.value(submissionKey, Submission.self) { dir in
            try makeSubmission(best, result: results[best]!, blackRule: blackRule)
        }
        let testScore = testTruth.map { submission.score(against: $0) }

        // Files beside the report.
        let products = Products(study: self, analysis: analysis, plan: plan, results: results,
                                evaluations: evaluations, order: order, best: best, submission: submission,
                                testScore: testScore, valBlack: valBlack, blackRule: blackRule)
        try products.writeTables()
        try products.writeSubmission()
        try products.copyModels()
        let figures = try products.figures(analysisKey: analysisKey)
        let html = try products.render(figures: figures)
        log.info("wrote \(out.appendingPathComponent("report.md").path) and \(html.path)")
        return html
    }

    /// Reads a competition-layout folder; errors name the folder, then the file, line or id.
    public static func loadDataset(_ dir: URL, resize: Bool = false) throws -> Dataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw ReportError("data folder \(dir.path) does not exist")
        }
        do { return try Dataset.load(from: dir, resize: resize) } catch {
            throw ReportError("\(dir.path): \(error)")
        }
    }

    /// Labels of the black training images (for the black-image prediction rule).
    func blackTrainLabels() -> [[UInt8]] {
        let t = dataset.train
        guard let labels = t.labels else { return [] }
        return blackIndices(t).map { labels[$0] }
    }

    /// Training time of the variants from throughput measured now, on this machine: a few
    /// forward/backward steps of each architecture at batch 32 (about a second each), with
    /// validation passes counted at a third of a training step per image. An upper bound when
    /// cells are cached. The quick profile skips the measurement and prints no estimate.
    func estimateSeconds(_ variants: [Variant]) throws -> Double {
        var speed: [Architecture: Double] = [:]
        for a in Set(variants.map(\.architecture)).sorted(by: { $0.rawValue < $1.rawValue }) {
            speed[a] = try LayerBenchmark.forwardBackwardImagesPerSecond(a, batch: 32, iterations: 2)
        }
        var total = 0.0
        for v in variants {
            let n = Double(v.trainLimit ?? dataset.train.count)
            let perImage = 1 / speed[v.architecture]!
            total += Double(v.networks.count) * Double(v.epochs) * (n * perImage + Double(prep.nonBlackValidation.count) * perImage / 3)
        }
        return total
    }

    /// The default dataset, generated once into its folder.
    func resolveData() throws -> URL {
        if let d = options.dataDirectory { return d }
        let dir = options.defaultDataDirectory
        let stamp = dir.appendingPathComponent(".generated.json")
        let want = GeneratedStamp(version: PhantomGenerator.version, seed: PhantomConfig().seed, scale: PhantomConfig().scale)
        if let data = try? Data(contentsOf: stamp), let have = try? StableJSON.decode(GeneratedStamp.self, from: data), have == want {
            return dir
        }
        log.info("generating the default dataset into \(dir.path) (one time)")
        let t = Date()
        try? FileManager.default.removeItem(at: dir)
        do { _ = try PhantomGenerator.write(to: dir, config: PhantomConfig()) } catch { throw ReportError("\(error)") }
        try AtomicFile.write(try StableJSON.encode(want), to: stamp)
        log.info(String(format: "generated in %.1fs", Date().timeIntervalSince(t)))
        return dir
    }

    struct GeneratedStamp: Codable, Equatable { var version: Int; var seed: UInt64; var scale: Double }

    /// Refuses an output folder inside the data folder: the program never writes there.
    func checkOutputIsNotData() throws {
        guard let d = options.dataDirectory else { return }
        let o = out.standardizedFileURL.resolvingSymlinksInPath().path
        let dd = d.standardizedFileURL.resolvingSymlinksInPath().path
        if o == dd || o.hasPrefix(dd + "/") {
            throw ReportError("--out \(out.path) is inside the data folder \(d.path); choose another output folder")
        }
    }
}
