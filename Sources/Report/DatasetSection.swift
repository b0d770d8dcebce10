import Foundation
import Plots
import StudyData

/// The dataset-analysis section: its figures and its template values.
extension Products {
    func datasetFigures() -> [NamedFigure] {
        var list: [NamedFigure] = []
        let labelled = analysis.splits.filter(\.labelled)

        // The six label histograms of the original (split × label), as one grouped chart.
        list.append(labelChart("dataset-labels", title: "Label distributions per split", yLabel: "images",
                               splits: labelled, valueLabels: true) { s, l in (s.positives[l], s.negatives[l]) })
        // And the original's six single charts.
        for s in labelled {
            for l in 0..<3 {
                list.append(NamedFigure(name: "dataset-labels-\(s.name)-label\(l + 1)", figure: BarChart(
                    title: "Labels distribution for class \(l) in \(s.name == "train" ? "training" : "validation") set",
                    xLabel: "label", yLabel: "images", categories: ["0", "1"],
                    series: [BarSeries(name: "images", values: [Double(s.negatives[l]), Double(s.positives[l])])],
                    stacked: false, valueLabels: true)))
            }
        }

        // Black images per split, split into black and not; and the labels black images carry.
        list.append(NamedFigure(name: "dataset-black", figure: BarChart(
            title: "Entirely black images per split", xLabel: "split", yLabel: "images",
            categories: analysis.splits.map(\.name),
            series: [BarSeries(name: "black", values: analysis.splits.map { Double($0.blackCount) }),
                     BarSeries(name: "not black", values: analysis.splits.map { Double($0.count - $0.blackCount) })],
            stacked: true, valueLabels: true)))
        list.append(labelChart("dataset-black-labels", title: "Labels carried by the black images", yLabel: "black images",
                               splits: labelled, valueLabels: false) { s, l in (s.blackPositives[l], s.blackNegatives[l]) })

        // Co-occurrence of the three labels (rows: the 8 combinations; columns: splits, as % of split).
        let combos = (0..<8).map { "\($0 >> 2 & 1)\($0 >> 1 & 1)\($0 & 1)" }
        let values = combos.indices.map { k in labelled.map { s in 100 * Double(s.cooccurrence[k]) / Double(max(s.count, 1)) } }
        let ann = combos.indices.map { k in labelled.map { s in "\(grouped(s.cooccurrence[k]))  (\(fmt(100 * Double(s.cooccurrence[k]) / Double(max(s.count, 1)), 1)) %)" } }
        list.append(NamedFigure(name: "dataset-cooccurrence", figure: Heatmap(
            title: "Label combinations (label1 label2 label3)", rowLabels: combos, colLabels: labelled.map(\.name),
            values: values, annotations: ann, colorBarLabel: "% of split")))

        // Pixel intensities of the non-black images, all splits together.
        var counts = [Double](repeating: 0, count: 256)
        for s in analysis.splits { for (i, c) in s.intensityHistogram.enumerated() { counts[i] += Double(c) } }
        list.append(NamedFigure(name: "dataset-intensity", figure: Histogram(
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
        list.append(NamedFigure(name: "dataset-mean-images", figure: ImageGrid(
            title: "Mean non-black training image per label value, and the difference", columns: 3, cells: cells, cellSize: 150)))

        // A few examples: the first training images with their labels.
        let t = dataset.train
        var examples: [ImageCell] = []
        for i in 0..<min(12, t.count) {
            let img = t.image(at: i)
            let lab = t.labels.map { $0[i].map(String.init).joined() } ?? ""
            examples.append(ImageCell(caption: "\(t.ids[i]) [\(lab)]", width: img.width, height: img.height, pixels: img.pixels))
        }
        list.append(NamedFigure(name: "dataset-examples", figure: ImageGrid(
            title: "The first training scans, with labels (label1 label2 label3)", columns: 6, cells: examples, cellSize: 110)))
        return list
    }

    /// A grouped bar chart of label 0 / label 1 counts for every split × label;
    /// `counts` gives (positives, negatives) of one split and label.
    func labelChart(_ name: String, title: String, yLabel: String, splits: [DatasetAnalysis.SplitSummary],
                    valueLabels: Bool, counts: (DatasetAnalysis.SplitSummary, Int) -> (Int, Int)) -> NamedFigure {
        var categories: [String] = [], pos: [Double] = [], neg: [Double] = []
        for s in splits {
            for l in 0..<3 {
                let (p, n) = counts(s, l)
                categories.append("\(s.name) label\(l + 1)")
                pos.append(Double(p)); neg.append(Double(n))
            }
        }
        return NamedFigure(name: name, figure: BarChart(
            title: title, xLabel: "", yLabel: yLabel, categories: categories,
            series: [BarSeries(name: "label 0", values: neg), BarSeries(name: "label 1", values: pos)],
            stacked: false, valueLabels: valueLabels))
    }

    func datasetContext() -> [String: Any] {
        let total = analysis.splits.reduce(0) { $0 + $1.count }
        let black = analysis.splits.reduce(0) { $0 + $1.blackCount }
        let labelled = analysis.splits.filter(\.labelled)
        let lBlack = labelled.reduce(0) { $0 + $1.blackCount }, lTotal = labelled.reduce(0) { $0 + $1.count }
        var blackSentence = "\(grouped(black)) of the \(grouped(total)) images (\(percent(black, total))) are entirely black"
        blackSentence += " — \(grouped(lBlack)) of the \(grouped(lTotal)) labelled train and validation images (the original counted 4,985 of 15,000)."
        if lBlack > 0 {
            let rates = (0..<3).map { l -> String in
                let p = labelled.reduce(0) { $0 + $1.blackPositives[l] }
                return "label\(l + 1) \(percent(p, lBlack))"
            }
            blackSentence += " Black images carry both labels (positive rates \(rates.joined(separator: ", "))): they hold no signal, so the study dropped all but one of them from training."
        }
        var dup = analysis.exactDuplicateGroupCount == 0
            ? "Apart from the black images, no two images are identical"
            : "Apart from the black images, \(grouped(analysis.exactDuplicateGroupCount)) groups of identical images were found (\(grouped(analysis.exactDuplicateImageCount)) images; \(analysis.exactDuplicateCrossSplitGroups) groups span splits, e.g. \(analysis.exactDuplicateExamples.first.map { $0.images.joined(separator: ", ") } ?? "")"
        dup += analysis.nearDuplicatePairCount == 0
            ? ", and no near-duplicates (perceptual hash within \(analysis.nearDuplicateThreshold) bits)."
            : "; \(grouped(analysis.nearDuplicatePairCount)) near-duplicate pairs have perceptual hashes within \(analysis.nearDuplicateThreshold) bits (e.g. \(analysis.nearDuplicateExamples.prefix(3).map { "\($0.a) ~ \($0.b)" }.joined(separator: ", ")))."
        dup += " The original found no duplicates besides the black images."

        return [
            "splits": analysis.splits.map { s in
                ["name": s.name, "count": grouped(s.count), "black": grouped(s.blackCount),
                 "blackRate": percent(s.blackCount, s.count), "nearBlack": grouped(s.nearBlackCount)] as [String: Any]
            },
            "blackSentence": blackSentence,
            "duplicateSentence": dup,
            "labelRows": labelled.flatMap { s in
                (0..<3).map { l in
                    ["split": s.name, "label": "label\(l + 1)", "positives": grouped(s.positives[l]),
                     "negatives": grouped(s.negatives[l]), "rate": percent(s.positives[l], s.count)] as [String: Any]
                }
            },
            "labelFigure": "figures/dataset-labels.png",
            "labelCharts": labelled.flatMap { s in
                (0..<3).map { l in ["title": "\(s.name) label\(l + 1)", "path": "figures/dataset-labels-\(s.name)-label\(l + 1).png"] }
            },
            "blackFigure": "figures/dataset-black.png",
            "blackLabelFigure": "figures/dataset-black-labels.png",
            "cooccurrenceFigure": "figures/dataset-cooccurrence.png",
            "intensityFigure": "figures/dataset-intensity.png",
            "meanFigure": "figures/dataset-mean-images.png",
            "examplesFigure": "figures/dataset-examples.png",
            "baselineRows": analysis.baselines.map { b in
                ["label": "label\(b.label)", "allOnesF1": fmt(b.allOnesF1), "majorityAccuracy": fmt(b.majorityAccuracy)] as [String: Any]
            },
            "allOnesMeanF1": fmt(analysis.meanAllOnesF1),
            "baselineSplit": analysis.baselineSplit,
        ]
    }
}
