import Foundation
import ModelSpec
import NN
import Plots
import Stats
import StudyData
import Training

/// Every figure of the report. The case gives both the file name under `figures/` and the
/// link the report uses, so the two cannot drift apart.
public enum FigureID: Hashable, Sendable {
    case datasetLabels, datasetBlack, datasetBlackLabels, datasetCooccurrence, datasetIntensity
    case datasetMeanImages, datasetExamples
    /// The original's six single charts: split (`train`, `val`) × label (0, 1, 2).
    case datasetLabelsOf(split: String, label: Int)
    /// A model's diagram, by model name (a study architecture's or a user's model's).
    case architecture(String)
    case augmentationGallery
    case resultsF1, resultsAP, blackRules
    case curves(run: String)
    case confusion(run: String, label: Int)
    case precisionRecall(run: String)
    case roc(run: String)
    case misclassified(run: String)
    case experiment(ExperimentID)
    case experimentCurves

    /// The file name without extension.
    public var name: String {
        switch self {
        case .datasetLabels: return "dataset-labels"
        case .datasetBlack: return "dataset-black"
        case .datasetBlackLabels: return "dataset-black-labels"
        case .datasetCooccurrence: return "dataset-cooccurrence"
        case .datasetIntensity: return "dataset-intensity"
        case .datasetMeanImages: return "dataset-mean-images"
        case .datasetExamples: return "dataset-examples"
        case .datasetLabelsOf(let s, let l): return "dataset-labels-\(s)-label\(l + 1)"
        case .architecture(let a): return "architecture-\(a)"
        case .augmentationGallery: return "augmentation-gallery"
        case .resultsF1: return "results-f1-by-model"
        case .resultsAP: return "results-ap-by-model"
        case .blackRules: return "results-black-rules"
        case .curves(let r): return "curves-\(r)"
        case .confusion(let r, let l): return "confusion-\(r)-label\(l + 1)"
        case .precisionRecall(let r): return "pr-\(r)"
        case .roc(let r): return "roc-\(r)"
        case .misclassified(let r): return "misclassified-\(r)"
        case .experiment(let e): return "experiment-\(e.rawValue)"
        case .experimentCurves: return "experiment-epochs-curves"
        }
    }

    /// The report's link to the figure (the 1× PNG; the HTML embeds the 2× one).
    public var link: String { "figures/\(name).png" }
}

/// The figures of a run, built from the stages' values (nothing here reads files).
struct FigureSet {
    private(set) var figures: [(FigureID, any Figure)] = []

    init(analysis: DatasetAnalysis, plan: Plan, trained: [Variant: VariantResult], evaluated: Evaluated,
         data: LoadedData, seed: UInt64, findings: Findings) {
        self.init(analysis: analysis, data: data, seed: seed)
        for r in plan.main.rows {
            if case .custom(let m) = r.variant.model, let d = try? ArchitectureInfo.diagram(m) { figures.append((.architecture(m.name), d)) }
        }
        add(resultFigures(plan: plan, trained: trained, evaluated: evaluated, data: data, findings: findings))
        add(experimentFigures(plan: plan, trained: trained, evaluated: evaluated, findings: findings))
    }

    /// The figures that need no training: dataset analysis, diagrams, augmentations.
    init(analysis: DatasetAnalysis, data: LoadedData, seed: UInt64) {
        add(datasetFigures(analysis, data: data))
        for a in Architecture.allCases { figures.append((.architecture(a.rawValue), ArchitectureInfo.diagram(a))) }
        figures.append((.augmentationGallery, augmentationGallery(data: data, seed: seed)))
    }

    private mutating func add(_ list: [(FigureID, any Figure)]) { figures += list }

    // MARK: - Dataset

    func datasetFigures(_ analysis: DatasetAnalysis, data: LoadedData) -> [(FigureID, any Figure)] {
        var list: [(FigureID, any Figure)] = []
        let labelled = analysis.splits.filter(\.labelled)

        // The six label histograms of the original (split × label), as one grouped chart.
        list.append((.datasetLabels, labelChart(title: "Label distributions per split", yLabel: "images",
                                                splits: labelled, valueLabels: true) { s, l in (s.positives[l], s.negatives[l]) }))
        // And the original's six single charts.
        for s in labelled {
            for l in 0..<3 {
                list.append((.datasetLabelsOf(split: s.name, label: l), BarChart(
                    title: "Labels distribution for class \(l) in \(s.name == "train" ? "training" : "validation") set",
                    xLabel: "label", yLabel: "images", categories: ["0", "1"],
                    series: [BarSeries(name: "images", values: [Double(s.negatives[l]), Double(s.positives[l])])],
                    stacked: false, valueLabels: true)))
            }
        }
        list.append((.datasetBlack, BarChart(
            title: "Entirely black images per split", xLabel: "split", yLabel: "images",
            categories: analysis.splits.map(\.name),
            series: [BarSeries(name: "black", values: analysis.splits.map { Double($0.blackCount) }),
                     BarSeries(name: "not black", values: analysis.splits.map { Double($0.count - $0.blackCount) })],
            stacked: true, valueLabels: true)))
        list.append((.datasetBlackLabels, labelChart(title: "Labels carried by the black images", yLabel: "black images",
                                                     splits: labelled, valueLabels: false) { s, l in (s.blackPositives[l], s.blackNegatives[l]) }))

        // Co-occurrence of the three labels (rows: the 8 combinations; columns: splits, as % of split).
        let combos = (0..<8).map { "\($0 >> 2 & 1)\($0 >> 1 & 1)\($0 & 1)" }
        let values = combos.indices.map { k in labelled.map { s in 100 * Double(s.cooccurrence[k]) / Double(max(s.count, 1)) } }
        let ann = combos.indices.map { k in labelled.map { s in "\(grouped(s.cooccurrence[k]))  (\(fmt(100 * Double(s.cooccurrence[k]) / Double(max(s.count, 1)), 1)) %)" } }
        list.append((.datasetCooccurrence, Heatmap(
            title: "Label combinations (label1 label2 label3)", rowLabels: combos, colLabels: labelled.map(\.name),
            values: values, annotations: ann, colorBarLabel: "% of split")))

        // Pixel intensities of the non-black images, all splits together.
        var counts = [Double](repeating: 0, count: 256)
        for s in analysis.splits { for (i, c) in s.intensityHistogram.enumerated() { counts[i] += Double(c) } }
        list.append((.datasetIntensity, Histogram(
            title: "Pixel intensities (non-black images)", xLabel: "pixel value", yLabel: "pixels",
            binEdges: (0...256).map(Double.init), counts: counts, logScale: true)))

        // Mean images per label value and their difference.
        var cells: [ImageCell] = []
        let w = analysis.imageWidth, h = analysis.imageHeight
        for m in analysis.meanImages {
            cells.append(ImageCell(caption: "label\(m.label) = 0 (n=\(grouped(m.negativeCount)))", width: w, height: h,
                                   pixels: m.negative.map { UInt8(max(0, min(255, $0.rounded()))) }))
            cells.append(ImageCell(caption: "label\(m.label) = 1 (n=\(grouped(m.positiveCount)))", width: w, height: h,
                                   pixels: m.positive.map { UInt8(max(0, min(255, $0.rounded()))) }))
            cells.append(ImageCell(caption: "difference (1 − 0)", width: w, height: h, values: m.difference, diverging: true))
        }
        list.append((.datasetMeanImages, ImageGrid(
            title: "Mean non-black training image per label value, and the difference", columns: 3, cells: cells, cellSize: 150)))

        // A few examples: the first training images with their labels.
        let t = data.dataset.train
        var examples: [ImageCell] = []
        for i in 0..<min(12, t.count) {
            let img = t.image(at: i)
            let lab = t.labels.map { $0[i].map(String.init).joined() } ?? ""
            examples.append(ImageCell(caption: "\(TextSafety.clip(t.ids[i], 24)) [\(lab)]", width: img.width, height: img.height, pixels: img.pixels))
        }
        list.append((.datasetExamples, ImageGrid(
            title: "The first training scans, with labels (label1 label2 label3)", columns: 6, cells: examples, cellSize: 110)))
        return list
    }

    /// A grouped bar chart of label 0 / label 1 counts for every split × label;
    /// `counts` gives (positives, negatives) of one split and label.
    func labelChart(title: String, yLabel: String, splits: [DatasetAnalysis.SplitSummary], valueLabels: Bool,
                    counts: (DatasetAnalysis.SplitSummary, Int) -> (Int, Int)) -> BarChart {
        var categories: [String] = [], pos: [Double] = [], neg: [Double] = []
        for s in splits {
            for l in 0..<3 {
                let (p, n) = counts(s, l)
                categories.append("\(s.name) label\(l + 1)")
                pos.append(Double(p)); neg.append(Double(n))
            }
        }
        return BarChart(title: title, xLabel: "", yLabel: yLabel, categories: categories,
                        series: [BarSeries(name: "label 0", values: neg), BarSeries(name: "label 1", values: pos)],
                        stacked: false, valueLabels: valueLabels)
    }

    // MARK: - Augmentations

    /// One scan, each augmentation kind on its own, and copies through the full stream.
    func augmentationGallery(data: LoadedData, seed: UInt64) -> ImageGrid {
        let image = FigureSet.galleryImage(data.dataset.train)
        var rng = SeededGenerator(seed: seed, stream: "gallery")
        var cells = [ImageCell(caption: "original", width: image.width, height: image.height, pixels: image.pixels)]
        for (caption, aug) in FigureSet.galleryKinds {
            let a = aug.apply(image, rng: &rng)
            cells.append(ImageCell(caption: caption, width: a.width, height: a.height, pixels: a.pixels))
        }
        for k in 1...4 {
            let a = AugmentationStream.study.apply(image, rng: &rng)
            cells.append(ImageCell(caption: "full stream #\(k)", width: a.width, height: a.height, pixels: a.pixels))
        }
        return ImageGrid(title: "The study's augmentations on one training scan", columns: 5, cells: cells, cellSize: 110)
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
    static func galleryImage(_ t: Split) -> GrayImage {
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

    /// Per-label and mean F1 of experiment rows as bar series, each bar with its 95% bootstrap interval.
    static func f1Series(_ rows: [Experiment.Row], evaluated: Evaluated, findings: Findings) -> [BarSeries] {
        let ci = rows.map { findings.rawIntervals(of: $0.runs) }
        func bar(_ i: Interval) -> BarSeries.ErrorBar { BarSeries.ErrorBar(lower: max(0, i.lower), upper: i.upper) }
        return (0..<3).map { l in
            BarSeries(name: "label\(l + 1)", values: rows.map { r in RowStats.average(r, evaluated) { $0.atHalf[l].f1 } },
                      errors: ci.map { bar($0.perLabel[l]) })
        } + [BarSeries(name: "mean", values: rows.map { r in RowStats.average(r, evaluated) { $0.meanF1 } }, errors: ci.map { bar($0.mean) })]
    }

    func resultFigures(plan: Plan, trained: [Variant: VariantResult], evaluated: Evaluated, data: LoadedData,
                       findings: Findings) -> [(FigureID, any Figure)] {
        var list: [(FigureID, any Figure)] = []
        let rows = plan.main.rows
        let names = rows.map(\.label)
        func perLabel(_ value: (VariantEvaluation, Int) -> Double, _ mean: (VariantEvaluation) -> Double) -> [BarSeries] {
            (0..<3).map { l in BarSeries(name: "label\(l + 1)", values: rows.map { r in RowStats.average(r, evaluated) { value($0, l) } }) }
                + [BarSeries(name: "mean", values: rows.map { r in RowStats.average(r, evaluated, mean) })]
        }
        list.append((.resultsF1, BarChart(
            title: "Validation F1 by model (threshold 0.5; bars: 95% bootstrap intervals)", xLabel: "model", yLabel: "F1",
            categories: names, series: FigureSet.f1Series(rows, evaluated: evaluated, findings: findings),
            stacked: false, valueLabels: false, width: 760)))
        list.append((.resultsAP, BarChart(
            title: "Validation average precision per class, by model", xLabel: "model", yLabel: "average precision",
            categories: names, series: perLabel({ $0.atHalf[$1].ap }, { $0.meanAP }), stacked: false, valueLabels: false)))
        // Without black validation images every rule scores the same: nothing to draw.
        if data.prep.validationBlack.contains(true) {
            list.append((.blackRules, BarChart(
                title: "Black-image rules: mean validation F1 of the best run", xLabel: "rule", yLabel: "mean F1",
                categories: evaluated.blackRule.candidates.map { "\($0.rule.rawValue) (\($0.prediction.map(String.init).joined()))" },
                series: [BarSeries(name: "mean F1", values: evaluated.blackRule.candidates.map(\.meanF1))],
                stacked: false, valueLabels: true)))
        }

        // Training curves of every run of the main comparison (the first seed).
        for r in rows {
            let t = trained[r.runs[0]]!
            list.append((.curves(run: t.name), FigureSet.curves(t)))
        }

        // The best run: confusion matrices, PR and ROC curves, its most confident mistakes.
        let best = trained[evaluated.best]!
        let e = evaluated[evaluated.best]
        for s in e.atHalf {
            let total = Double(s.tp + s.fp + s.tn + s.fn)
            let values = [[Double(s.tn), Double(s.fp)], [Double(s.fn), Double(s.tp)]]
            let ann = values.map { $0.map { "\(grouped(Int($0))) (\(fmt(100 * $0 / max(total, 1), 1)) %)" } }
            list.append((.confusion(run: best.name, label: s.label), Heatmap(
                title: "\(best.name), label\(s.label + 1): confusion matrix (validation)",
                rowLabels: ["true 0", "true 1"], colLabels: ["predicted 0", "predicted 1"],
                values: values, annotations: ann, colorBarLabel: "images", width: 460, height: 380)))
        }
        var pr: [Curve] = [], roc: [Curve] = []
        for l in 0..<3 {
            let t = evaluated.labels.map { $0[l] }
            let points = Metrics.precisionRecallCurve(truth: t, scores: e.scores[l])
            pr.append(Curve(name: "label\(l + 1) (AP \(fmt(e.atHalf[l].ap)))", x: points.map { Double($0.recall) }, y: points.map { Double($0.precision) }))
            let r = Metrics.rocCurve(truth: t, scores: e.scores[l])
            roc.append(Curve(name: "label\(l + 1) (AUC \(fmt(r.auc)))", x: r.points.map { Double($0.fpr) }, y: r.points.map { Double($0.tpr) }))
        }
        list.append((.misclassified(run: best.name), misclassified(best.name, scores: e.scores, data: data)))
        list.append((.precisionRecall(run: best.name), PRCurveChart(title: "\(best.name): precision–recall on validation", curves: pr)))
        list.append((.roc(run: best.name), ROCCurveChart(title: "\(best.name): ROC on validation", curves: roc)))
        return list
    }

    /// The best run's most confident mistakes on the non-black validation images: per label,
    /// the three false positives with the highest score and the three false negatives with
    /// the lowest.
    func misclassified(_ name: String, scores: [[Float]], data: LoadedData) -> ImageGrid {
        let val = data.prep.validation
        let truth = val.labels ?? []
        let black = data.prep.validationBlack
        var cells: [ImageCell] = []
        for l in 0..<3 {
            let candidates = (0..<val.count).filter { !black[$0] }
            let fp = candidates.filter { truth[$0][l] == 0 && scores[l][$0] >= 0.5 }.sorted { scores[l][$0] > scores[l][$1] }.prefix(3)
            let fn = candidates.filter { truth[$0][l] == 1 && scores[l][$0] < 0.5 }.sorted { scores[l][$0] < scores[l][$1] }.prefix(3)
            for (kind, picks) in [("false +", Array(fp)), ("false −", Array(fn))] {
                for k in 0..<3 {
                    if k < picks.count {
                        let i = picks[k], img = val.image(at: i)
                        cells.append(ImageCell(caption: "label\(l + 1) \(kind) \(TextSafety.clip(val.ids[i], 24)) p=\(fmt(Double(scores[l][i]), 2))",
                                               width: img.width, height: img.height, pixels: img.pixels))
                    } else {
                        cells.append(ImageCell(caption: "label\(l + 1) \(kind): none", width: 1, height: 1, pixels: [255]))
                    }
                }
            }
        }
        return ImageGrid(title: "\(name): most confident mistakes on validation (threshold 0.5)", columns: 6, cells: cells, cellSize: 110)
    }

    /// Loss and validation F1 per epoch (per label network for per-label runs).
    static func curves(_ r: VariantResult) -> LineChart {
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

    func experimentFigures(plan: Plan, trained: [Variant: VariantResult], evaluated: Evaluated,
                           findings: Findings) -> [(FigureID, any Figure)] {
        var list: [(FigureID, any Figure)] = []
        for e in plan.experiments {
            list.append((.experiment(e.id), BarChart(
                title: e.title + " — validation F1 (bars: 95% intervals)", xLabel: "", yLabel: "F1",
                categories: e.rows.map(\.label), series: FigureSet.f1Series(e.rows, evaluated: evaluated, findings: findings),
                stacked: false, valueLabels: false)))
        }
        // Validation F1 over epochs of the longest run of the epochs experiment.
        if let epochs = plan.experiment(.epochs), let longest = epochs.rows.max(by: { $0.variant.epochs < $1.variant.epochs }) {
            list.append((.experimentCurves, FigureSet.curves(trained[longest.runs[0]]!)))
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

    /// The Keras-style diagram of an architecture's default build.
    public static func diagram(_ arch: Architecture) -> ArchitectureDiagram {
        let info = of(arch)
        var nodes = [DiagramNode(name: "input", type: "InputLayer", input: shapeText(info.inputShape), output: shapeText(info.inputShape))]
        for s in info.summary {
            nodes.append(DiagramNode(name: s.name, type: s.type, input: shapeText(s.input), output: shapeText(s.output)))
        }
        return ArchitectureDiagram(title: "\(arch.rawValue) (\(arch.studyLabel)) — \(grouped(info.parameterCount)) parameters", nodes: nodes)
    }

    /// A user's model's diagram: the spec's own (head as the file writes it), titled
    /// `name (label) — N parameters`.
    public static func diagram(_ model: CustomModel) throws -> ArchitectureDiagram {
        do { return try model.modelSpec().diagram() } catch let e as SpecError { throw ReportError(e.description) }
    }

    /// Keras's way of printing a shape with the batch axis: `(None, 64, 64, 3)`.
    public static func shapeText(_ s: [Int]) -> String { "(None, " + s.map(String.init).joined(separator: ", ") + ")" }
}
