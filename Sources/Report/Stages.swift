import Foundation
import ModelSpec
import NN
import ONNXExport
import Plots
import StudyData
import Training

/// Every network of one variant, trained.
public struct VariantResult: Sendable {
    public var name: String
    public var variant: Variant
    public var networks: [NetworkResult]
    /// Cache folders of the networks (for weights), in `networks` order.
    public var cellDirectories: [URL]
    /// Cache keys of the networks' training cells: what downstream cells depend on.
    public var keys: [CellKey]

    public var parameterCount: Int { networks.first?.parameterCount ?? 0 }

    /// Validation scores per label (0, 1, 2), assembled from the networks.
    public var valScores: [[Float]] {
        var out = [[Float]](repeating: [], count: 3)
        for n in networks {
            if let l = n.label { out[l] = n.valScores[0] } else { for l in 0..<3 { out[l] = n.valScores[l] } }
        }
        return out
    }

    public var seconds: Double { networks.reduce(0) { $0 + $1.seconds } }
    /// Wall-clock seconds of the networks' whole cells (what a time budget is spent on).
    public var cellSeconds: Double { networks.reduce(0) { $0 + ($1.cellSeconds ?? $1.seconds) } }
    public var diverged: [String] {
        networks.compactMap { n in n.history.divergenceMessage.map { m in n.label.map { "label\($0 + 1): \(m)" } ?? m } }
    }
}

/// One training cell: one network (one label, or joint) of one run.
struct TrainingCell {
    var variant: Variant
    var label: Int?
    var runName: String
    var key: CellKey
    var estimatedSeconds: Double
    var title: String { runName + (label.map { " label\($0 + 1)" } ?? "") }
}

/// The code each kind of cell runs, by target: its key includes their fingerprints, so a
/// change to that code (and nothing else) recomputes it.
enum CellCode {
    static let analysis = ["StudyData"]
    static let training = ["NN", "StudyData", "SeededRandom", "Training"]
    /// A user's model's cells: training plus the spec reader that builds it.
    static let customModel = training + ["ModelSpec"]
    /// The ONNX export of a trained network.
    static let onnx = training + ["ONNXExport"]
    static let figure = ["Plots"]
}

/// The cached stages of a run.
enum Stages {
    static func analysisKey(_ data: LoadedData, cache: CellCache) throws -> CellKey {
        try cache.key("analysis", code: CellCode.analysis, parameters: "analysis", inputs: [data.key])
    }

    static func analyse(_ data: LoadedData, cache: CellCache, log: Log) throws -> DatasetAnalysis {
        try cache.value(try analysisKey(data, cache: cache), DatasetAnalysis.self) { _ in
            log.info("analysing the dataset")
            return DatasetAnalysis.analyze(data.dataset)
        }
    }

    struct TrainParams: Codable { var variant: Variant; var label: Int?; var validationIds: String }

    /// The training cells of a plan, in plan order, with their keys and estimated cost.
    static func trainingCells(_ plan: Plan, data: LoadedData, cache: CellCache,
                              speed: [String: Throughput]) throws -> [TrainingCell] {
        var cells: [TrainingCell] = []
        for v in plan.runs {
            let name = plan.name(v)
            let n = data.trainCount(v.blackPolicy)
            for label in v.networks {
                let key = try cache.key("train/\(name)" + (label.map { "/label\($0 + 1)" } ?? ""), code: v.model.isCustom ? CellCode.customModel : CellCode.training,
                                        parameters: TrainParams(variant: v, label: label, validationIds: data.prep.validationKey),
                                        inputs: [data.key])
                cells.append(TrainingCell(variant: v, label: label, runName: name, key: key,
                                          estimatedSeconds: Budget.seconds(v, images: min(n, v.trainLimit ?? n), data: data, speed: speed)))
            }
        }
        return cells
    }

    /// The cells `--only` names, or shard `shard` of the training cells: cells sorted by
    /// estimated cost, each given to the shard with the least work so far (longest first).
    static func select(_ cells: [TrainingCell], only: [String], shard: Shard?) -> [TrainingCell] {
        var chosen = cells
        if !only.isEmpty { chosen = chosen.filter { c in only.contains { CellCache.matches(c.key.cell, pattern: $0) } } }
        guard let shard else { return chosen }
        var load = [Double](repeating: 0, count: shard.count)
        var mine: [TrainingCell] = []
        for c in chosen.sorted(by: { ($0.estimatedSeconds, $1.key.cell) > ($1.estimatedSeconds, $0.key.cell) }) {
            let i = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
            load[i] += c.estimatedSeconds
            if i == shard.index { mine.append(c) }
        }
        return mine
    }

    static func train(_ c: TrainingCell, data: LoadedData, cache: CellCache, log: Log) throws -> NetworkResult {
        let started = Date()
        do {
            return try cache.value(c.key, NetworkResult.self) { dir in
                try trainNetwork(c.variant, label: c.label, title: c.title, prep: data.prep, dir: dir,
                                 log: { log.info($0) }, progress: { title, done, total, detail in
                                     log.progress(title, done: done, total: total, started: started, detail: detail) },
                                 custom: Stages.buildCustom)
            }
        } catch let e as TrainingError {
            throw ReportError(e.message)
        }
    }

    /// The schedule of a run's training cells (see `Schedule`).
    static func schedule(_ cfg: StudyConfig, data: LoadedData, cache: CellCache, speed: [String: Throughput]) -> Schedule {
        Schedule(config: cfg, counts: Budget.counts(cfg, data: data), speed: speed,
                 cells: { try trainingCells($0, data: data, cache: cache, speed: speed) },
                 isCached: { cache.status($0.key).isCached })
    }

    /// The training cells as a run would find them: the plan revised through the cells already
    /// cached (as the run revises it), then as planned from there — what `report plan` lists.
    static func preview(_ cfg: StudyConfig, sizes: Plan.Sizes, data: LoadedData, cache: CellCache,
                        speed: [String: Throughput]) throws -> [TrainingCell] {
        let outcome = try schedule(cfg, data: data, cache: cache, speed: speed).run(initial: sizes) { c in
            cache.cached(c.key, NetworkResult.self)
        }
        let done = Set(outcome.results.map { CellID($0.cell) })
        return outcome.results.map(\.cell) + outcome.cells.filter { !done.contains(CellID($0)) }
    }

    /// Trains (or loads) every cell, revising the sizes within a budget (`Schedule`), and
    /// assembles the results per run of the plan it ended with.
    static func trainAll(_ cfg: StudyConfig, sizes: Plan.Sizes, data: LoadedData, cache: CellCache,
                         speed: [String: Throughput], log: Log) throws -> (Schedule.Outcome, [Variant: VariantResult]) {
        let outcome = try schedule(cfg, data: data, cache: cache, speed: speed)
            .run(initial: sizes, log: { log.info($0) }) { try train($0, data: data, cache: cache, log: log) }
        let byID = Dictionary(outcome.results.map { (CellID($0.cell), $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Variant: VariantResult] = [:]
        for c in outcome.cells {
            guard let (cell, r) = byID[CellID(c)] else { throw ReportError("internal: \(c.title) was not trained") }
            var v = out[c.variant] ?? VariantResult(name: c.runName, variant: c.variant, networks: [], cellDirectories: [], keys: [])
            v.networks.append(r)
            v.cellDirectories.append(cache.directory(for: cell.key))
            v.keys.append(cell.key)
            out[c.variant] = v
        }
        return (outcome, out)
    }

    /// The Kaggle submission from the best run: its networks predict every test image;
    /// black test images get the black-image rule; a score at or above its label's threshold
    /// predicts 1 (the black images' 0/1 too, as on validation).
    static func submission(_ best: Variant, result: VariantResult, rule: BlackRuleChoice, thresholds: [Float],
                           data: LoadedData, cache: CellCache, log: Log) throws -> Submission {
        let key = try cache.key("submission", code: CellCode.training,
                                parameters: SubmissionParams(variant: best, rule: rule.prediction, thresholds: thresholds),
                                inputs: [data.key] + result.keys)
        return try cache.value(key, Submission.self) { _ in
            log.info("predicting the test split with \(result.name)")
            let test = data.dataset.test
            let x = data.prep.inputs(test, variant: best)
            var s = [[Float]](repeating: [], count: 3)
            for (net, dir) in zip(result.networks, result.cellDirectories) {
                let model = try buildModel(best, label: net.label, custom: Stages.buildCustom)
                do { try Safetensors.load(into: model, from: dir.appendingPathComponent(net.weightsFile)) } catch {
                    throw ReportError("cannot read the weights of \(result.name): \(error)")
                }
                let p = scores(of: model, x, encoding: net.label == nil ? .multiLabel : .twoClass)
                if let l = net.label { s[l] = p[0] } else { s = p }
            }
            let black = blackIndices(test)
            for i in black { for l in 0..<3 { s[l][i] = Float(rule.prediction[l]) } }
            let predictions: [[UInt8]] = (0..<test.count).map { i in (0..<3).map { s[$0][i] >= thresholds[$0] ? 1 : 0 } }
            let sub = Submission(model: result.name, ids: test.ids, predictions: predictions, scores: s,
                                 thresholds: thresholds, blackCount: black.count)
            try sub.validate(expectedIds: test.ids)
            return sub
        }
    }

    struct SubmissionParams: Codable { var variant: Variant; var rule: [UInt8]; var thresholds: [Float] }

    /// Builds a user's model from its spec (the `ModelBuilder` training cells get).
    static let buildCustom: ModelBuilder = { model, head, inputShape, seed in
        try model.modelSpec().build(head: head, inputShape: inputShape, seed: seed)
    }

    /// A trained network of a run, rebuilt with its cached weights.
    static func trainedNetwork(_ r: VariantResult, index i: Int) throws -> Sequential {
        let net = r.networks[i]
        let model = try buildModel(r.variant, label: net.label, custom: buildCustom)
        do { try Safetensors.load(into: model, from: r.cellDirectories[i].appendingPathComponent(net.weightsFile)) } catch {
            throw ReportError("cannot read the weights of \(r.name): \(error)")
        }
        return model
    }

    struct ONNXParams: Codable { var name: String; var opset: Int64 }

    /// `onnx: true`: every trained network of the run as an ONNX file, one cached cell per
    /// network keyed on its training cell and the exporter's code; the file is
    /// `<run>[-labelN].onnx`, with `ReferenceIO`'s sidecar (`<name>.io.json`, `.input.f32`,
    /// `.output.f32`: four validation images and our outputs) for `scripts/onnx-check.py`.
    /// Returns each file stem with the cell folder holding its files.
    static func exportONNX(_ plan: Plan, trained: [Variant: VariantResult], data: LoadedData, cache: CellCache,
                           log: Log) throws -> [(name: String, dir: URL)] {
        var out: [(name: String, dir: URL)] = []
        let sample = data.prep.validation.subset(Array(0..<min(4, data.prep.validation.count)))
        for v in plan.runs {
            let r = trained[v]!
            for (i, net) in r.networks.enumerated() {
                let name = r.name + (net.label.map { "-label\($0 + 1)" } ?? "")
                let key = try cache.key("onnx/\(name)", code: CellCode.onnx + (v.model.isCustom ? ["ModelSpec"] : []),
                                        parameters: ONNXParams(name: name, opset: ONNXExporter.opsetVersion), inputs: [r.keys[i]])
                _ = try cache.value(key, String.self) { dir in
                    log.info("exporting \(name) to ONNX")
                    let model = try trainedNetwork(r, index: i)
                    do {
                        try ONNXExporter.export(model, name: name, to: dir.appendingPathComponent("\(name).onnx"))
                        if sample.count > 0 {
                            try ReferenceIO.write(model, inputs: data.prep.inputs(sample, variant: v), name: name, directory: dir)
                        }
                    } catch {
                        throw ReportError("ONNX export of \(name): \(error)")
                    }
                    return name
                }
                out.append((name, cache.directory(for: key)))
            }
        }
        return out
    }

    /// Draws every figure: one cached cell per figure, keyed on a hash of the figure's own
    /// values and the Plots code, so a changed figure (or drawing code) redraws exactly
    /// what changed. Returns the folder of each figure's files.
    static func draw(_ set: FigureSet, cache: CellCache, log: Log) throws -> [FigureID: URL] {
        var out: [FigureID: URL] = [:]
        var drawn = 0
        for (id, figure) in set.figures {
            let key = try cache.key("figure/\(id.name)", code: CellCode.figure, parameters: AnyEncodable(figure), inputs: [])
            _ = try cache.value(key, String.self) { dir in
                drawn += 1
                do { try FigureWriter.write(figure, to: dir.appendingPathComponent("figure")) } catch {
                    throw ReportError("figure \(id.name): \(error)")
                }
                return id.name
            }
            out[id] = cache.directory(for: key)
        }
        if drawn > 0 { log.info("drew \(drawn) of \(set.figures.count) figures") }
        return out
    }
}

/// Type erasure for hashing any encodable value.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}
