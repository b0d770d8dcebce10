import Foundation
import NN
import Plots
import StudyData

/// A figure of the report with its file name (without extension) under `output/figures/`.
struct NamedFigure {
    let name: String
    let figure: any Figure
}

extension Products {
    /// Builds every figure, renders them in one cached cell (PNG 1× and 2×, SVG, PDF) and
    /// publishes them to `output/figures/` and the diagrams to `output/architectures/`.
    /// Returns the names of the figures, for the report's links.
    func figures(analysisKey: CellKey) throws -> Set<String> {
        var list: [NamedFigure] = []
        list += datasetFigures()
        list += architectureFigures()
        list += augmentationFigures()
        list += resultFigures()
        list += experimentFigures()

        let trainingKeys = order.flatMap { results[$0]!.keys }
        let key = try CellKey(cell: "figures", version: 1, parameters: list.map(\.name),
                              inputs: [analysisKey, study.dataKey] + trainingKeys)
        let names = try study.cache.value(key, [String].self) { dir in
            study.log.info("drawing \(list.count) figures")
            for f in list {
                do { try FigureWriter.write(f.figure, to: dir.appendingPathComponent(f.name)) } catch {
                    throw ReportError("figure \(f.name): \(error)")
                }
            }
            return list.map(\.name)
        }
        let dir = study.cache.directory(for: key)
        for name in names {
            for format in FigureFormat.allCases {
                let file = name + format.suffix
                let src = dir.appendingPathComponent(file)
                let dest = out.appendingPathComponent("figures/\(file)")
                if !FileManager.default.contentsEqual(atPath: src.path, andPath: dest.path) { try AtomicFile.copy(src, to: dest) }
                if name.hasPrefix("architecture-") {
                    let a = out.appendingPathComponent("architectures/\(name.dropFirst("architecture-".count))\(format.suffix)")
                    if !FileManager.default.contentsEqual(atPath: src.path, andPath: a.path) { try AtomicFile.copy(src, to: a) }
                }
            }
        }
        for arch in Architecture.allCases {
            let dot = Study.diagram(arch).dot()
            try AtomicFile.write(dot, to: out.appendingPathComponent("architectures/\(arch.rawValue).dot"))
        }
        return Set(names)
    }

    // MARK: - Architectures

    func architectureFigures() -> [NamedFigure] {
        Architecture.allCases.map { NamedFigure(name: "architecture-\($0.rawValue)", figure: Study.diagram($0)) }
    }

    // MARK: - Augmentations

    /// One scan, each augmentation kind on its own, and copies through the full stream.
    func augmentationFigures() -> [NamedFigure] {
        let image = galleryImage()
        var rng = SeededGenerator(seed: study.config.seed, stream: "gallery")
        var cells = [ImageCell(caption: "original", width: image.width, height: image.height, pixels: image.pixels)]
        for (caption, aug) in Products.galleryKinds {
            let a = aug.apply(image, rng: &rng)
            cells.append(ImageCell(caption: caption, width: a.width, height: a.height, pixels: a.pixels))
        }
        for k in 1...4 {
            let a = AugmentationStream.study.apply(image, rng: &rng)
            cells.append(ImageCell(caption: "full stream #\(k)", width: a.width, height: a.height, pixels: a.pixels))
        }
        return [NamedFigure(name: "augmentation-gallery",
                            figure: ImageGrid(title: "The study's augmentations on one training scan", columns: 5, cells: cells, cellSize: 110))]
    }

    /// Each of the study's eight kinds with its parameters, made certain to fire (p = 1) so
    /// the gallery shows its effect. Pad and crop are shown at sizes that change a 64×64 scan.
    static let galleryKinds: [(String, Augmentation)] = [
        ("rotate ±90°", .rotate(maxDegrees: 90)),
        ("horizontal flip", .flipHorizontal(p: 1)),
        ("vertical flip", .flipVertical(p: 1)),
        ("shear x 0.3, y 0.8", .shear(x: 0.3, y: 0.8, p: 1)),
        ("scale 0.8–1.3", .scale(min: 0.8, max: 1.3, p: 1)),
        ("pad to 96 (reflect)", .pad(size: 96)),
        ("random crop 40", .crop(size: 40)),
        ("median blur 7", .blur(kernel: 7)),
        ("CutOut 40", .cutOut(size: 40)),
        ("CutOut 10", .cutOut(size: 10)),
    ]

    /// The first non-black training image with a finding (label1 positive if any).
    func galleryImage() -> GrayImage {
        let t = dataset.train
        let labels = t.labels ?? []
        var fallback: GrayImage?
        for i in 0..<t.count {
            let img = t.image(at: i)
            if isBlack(img) { continue }
            if fallback == nil { fallback = img }
            if i < labels.count, labels[i][0] == 1 { return img }
        }
        return fallback ?? t.image(at: 0)
    }

    // MARK: - Results

    func resultFigures() -> [NamedFigure] {
        var list: [NamedFigure] = []
        let grid = plan[0].rows
        // Per-label F1 of every model of the main comparison.
        let names = grid.map { results[$0.variant]!.name }
        let series = (0..<3).map { l in BarSeries(name: "label\(l + 1)", values: grid.map { evaluations[$0.variant]!.atHalf[l].f1 }) }
            + [BarSeries(name: "mean", values: grid.map { evaluations[$0.variant]!.meanF1 })]
        list.append(NamedFigure(name: "results-f1-by-model", figure: BarChart(
            title: "Validation F1 by model (threshold 0.5)", xLabel: "model", yLabel: "F1",
            categories: names, series: series, stacked: false, valueLabels: false)))

        // Training curves of every model in the main comparison.
        for row in grid {
            let r = results[row.variant]!
            list.append(NamedFigure(name: "curves-\(r.name)", figure: curves(r)))
        }

        // Best model: confusion matrices, PR and ROC curves.
        let bestResult = results[best]!
        let e = evaluations[best]!
        for s in e.atHalf {
            let total = Double(s.tp + s.fp + s.tn + s.fn)
            let values = [[Double(s.tn), Double(s.fp)], [Double(s.fn), Double(s.tp)]]
            let ann = values.map { $0.map { "\(grouped(Int($0))) (\(fmt(100 * $0 / max(total, 1), 1)) %)" } }
            list.append(NamedFigure(name: "confusion-\(bestResult.name)-label\(s.label + 1)", figure: Heatmap(
                title: "\(bestResult.name), label\(s.label + 1): confusion matrix (validation)",
                rowLabels: ["true 0", "true 1"], colLabels: ["predicted 0", "predicted 1"],
                values: values, annotations: ann, colorBarLabel: "images", width: 460, height: 380)))
        }
        let scores = scoresWithBlackRule(bestResult)
        let truth = study.prep.validation.labels ?? []
        var pr: [Curve] = [], roc: [Curve] = []
        for l in 0..<3 {
            let t = truth.map { $0[l] }
            let points = Metrics.precisionRecallCurve(truth: t, scores: scores[l])
            let ap = Metrics.averagePrecision(truth: t, scores: scores[l])
            pr.append(Curve(name: "label\(l + 1) (AP \(fmt(ap)))", x: points.map { Double($0.recall) }, y: points.map { Double($0.precision) }))
            let r = Metrics.rocCurve(truth: t, scores: scores[l])
            roc.append(Curve(name: "label\(l + 1) (AUC \(fmt(r.auc)))", x: r.points.map { Double($0.fpr) }, y: r.points.map { Double($0.tpr) }))
        }
        list.append(misclassified(bestResult, scores: scores))
        list.append(NamedFigure(name: "pr-\(bestResult.name)", figure: PRCurveChart(title: "\(bestResult.name): precision–recall on validation", curves: pr)))
        list.append(NamedFigure(name: "roc-\(bestResult.name)", figure: ROCCurveChart(title: "\(bestResult.name): ROC on validation", curves: roc)))
        return list
    }

    /// The best model's most confident mistakes on the non-black validation images: per label,
    /// the three false positives with the highest score and the three false negatives with
    /// the lowest.
    func misclassified(_ r: VariantResult, scores: [[Float]]) -> NamedFigure {
        let val = study.prep.validation
        let truth = val.labels ?? []
        var cells: [ImageCell] = []
        for l in 0..<3 {
            let candidates = (0..<val.count).filter { !valBlack[$0] }
            let fp = candidates.filter { truth[$0][l] == 0 && scores[l][$0] >= 0.5 }.sorted { scores[l][$0] > scores[l][$1] }.prefix(3)
            let fn = candidates.filter { truth[$0][l] == 1 && scores[l][$0] < 0.5 }.sorted { scores[l][$0] < scores[l][$1] }.prefix(3)
            for (kind, picks) in [("false +", Array(fp)), ("false −", Array(fn))] {
                for k in 0..<3 {
                    if k < picks.count {
                        let i = picks[k], img = val.image(at: i)
                        cells.append(ImageCell(caption: "label\(l + 1) \(kind) \(val.ids[i]) p=\(fmt(Double(scores[l][i]), 2))",
                                               width: img.width, height: img.height, pixels: img.pixels))
                    } else {
                        cells.append(ImageCell(caption: "label\(l + 1) \(kind): none", width: 1, height: 1, pixels: [255]))
                    }
                }
            }
        }
        return NamedFigure(name: "misclassified-\(r.name)", figure: ImageGrid(
            title: "\(r.name): most confident mistakes on validation (threshold 0.5)", columns: 6, cells: cells, cellSize: 110))
    }

    /// Validation scores of a variant with the black-image rule applied.
    func scoresWithBlackRule(_ r: VariantResult) -> [[Float]] {
        var s = r.valScores
        for l in 0..<3 { for i in s[l].indices where valBlack[i] { s[l][i] = Float(blackRule[l]) } }
        return s
    }

    /// Loss and validation F1 per epoch (per label network for per-label variants).
    func curves(_ r: VariantResult) -> LineChart {
        var series: [LineSeries] = []
        for n in r.networks {
            let tag = n.label.map { " label\($0 + 1)" } ?? ""
            let x = n.history.epochs.map { Double($0.epoch) }
            series.append(LineSeries(name: "train loss\(tag)", x: x, y: n.history.epochs.map(\.trainLoss), dashed: true))
            series.append(LineSeries(name: "val loss (non-black)\(tag)", x: x, y: n.history.epochs.map { $0.valLoss ?? .nan }))
            let f1 = n.history.epochs.map { e in e.valF1.reduce(0, +) / Double(max(e.valF1.count, 1)) }
            series.append(LineSeries(name: "val F1 (non-black)\(tag)", x: x, y: f1))
        }
        return LineChart(title: "\(r.name): training curves", xLabel: "epoch", yLabel: "loss / F1", series: series)
    }

    // MARK: - Experiments

    func experimentFigures() -> [NamedFigure] {
        var list: [NamedFigure] = []
        for e in plan.dropFirst() {
            let rows = e.rows
            let series = (0..<3).map { l in BarSeries(name: "label\(l + 1)", values: rows.map { evaluations[$0.variant]!.atHalf[l].f1 }) }
                + [BarSeries(name: "mean", values: rows.map { evaluations[$0.variant]!.meanF1 })]
            list.append(NamedFigure(name: "experiment-\(e.id)", figure: BarChart(
                title: e.title + " — validation F1", xLabel: "", yLabel: "F1",
                categories: rows.map(\.label), series: series, stacked: false, valueLabels: rows.count <= 3)))
        }
        // Validation F1 over epochs of the longest run of the epochs experiment.
        if let epochs = plan.first(where: { $0.id == "epochs" }), let longest = epochs.rows.max(by: { $0.variant.epochs < $1.variant.epochs }) {
            list.append(NamedFigure(name: "experiment-epochs-curves", figure: curves(results[longest.variant]!)))
        }
        return list
    }
}

/// An architecture's default build, summarised: input shape, Keras-like layer rows and
/// parameter count. Building conv1 draws 26 M weights, so each is built once per process.
public struct ArchitectureInfo: Sendable {
    public let inputShape: [Int]
    public let summary: [LayerSummary]
    public let parameterCount: Int

    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var built: [Architecture: ArchitectureInfo] = [:]
    }
    private static let store = Store()

    public static func of(_ arch: Architecture) -> ArchitectureInfo {
        store.lock.lock(); defer { store.lock.unlock() }
        if let i = store.built[arch] { return i }
        // The eight default builds are fixed and consistent; a failure here is a programming error.
        guard let m = try? arch.build(head: .perLabel, seed: 0) else { preconditionFailure("\(arch) does not build") }
        let i = ArchitectureInfo(inputShape: m.inputShape, summary: m.summary, parameterCount: m.parameterCount)
        store.built[arch] = i
        return i
    }
}

extension Study {
    /// The Keras-style diagram of an architecture's default build.
    public static func diagram(_ arch: Architecture) -> ArchitectureDiagram {
        let info = ArchitectureInfo.of(arch)
        var nodes = [DiagramNode(name: "input", type: "InputLayer", input: shapeText(info.inputShape), output: shapeText(info.inputShape))]
        for s in info.summary {
            nodes.append(DiagramNode(name: s.name, type: s.type, input: shapeText(s.input), output: shapeText(s.output)))
        }
        return ArchitectureDiagram(title: "\(arch.rawValue) (\(arch.studyLabel)) — \(grouped(info.parameterCount)) parameters", nodes: nodes)
    }

    /// Keras's way of printing a shape with the batch axis: `(None, 64, 64, 3)`.
    static func shapeText(_ s: [Int]) -> String { "(None, " + s.map(String.init).joined(separator: ", ") + ")" }
}
