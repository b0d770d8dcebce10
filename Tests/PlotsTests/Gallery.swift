import Foundation
@testable import Plots

/// Realistic example figures of every kind (numbers shaped like the study's).
enum Gallery {
    /// A small deterministic generator (SplitMix64) so the test target needs no dependency.
    struct Mix {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    static func figures() -> [(String, any Figure)] {
        var out: [(String, any Figure)] = []
        // Six label histograms: positives per label and split (STUDY-NOTES numbers).
        let positives: [(String, Int, Int)] = [("train", 12000, 5550), ("train", 12000, 4350), ("train", 12000, 2720),
                                                 ("validation", 3000, 1450), ("validation", 3000, 1080), ("validation", 3000, 700)]
        for (i, (split, total, pos)) in positives.enumerated() {
            let label = i % 3 + 1
            out.append(("labels-\(split)-label\(label)", BarChart(
                title: "Label \(label) in the \(split) set", xLabel: "Label value", yLabel: "Images",
                categories: ["0 (absent)", "1 (present)"],
                series: [BarSeries(name: split, values: [Double(total - pos), Double(pos)])])))
        }
        out.append(("labels-grouped", BarChart(
            title: "Positive labels per split", xLabel: "", yLabel: "Share of images",
            categories: ["label1", "label2", "label3"],
            series: [BarSeries(name: "train", values: [0.4625, 0.3625, 0.2267]),
                     BarSeries(name: "validation", values: [0.4833, 0.36, 0.2333])])))
        out.append(("labels-stacked", BarChart(
            title: "Black and non-black images per split", yLabel: "Images",
            categories: ["train", "validation", "test"],
            series: [BarSeries(name: "non-black", values: [8010, 2005, 3340]),
                     BarSeries(name: "black", values: [3990, 995, 1660])], stacked: true)))
        out.append(("f1-per-model", BarChart(
            title: "Mean validation F1 per architecture", xLabel: "Architecture", yLabel: "Mean F1",
            categories: ["conv1", "conv2", "conv3", "conv4", "conv5", "lstm1", "fc1", "fc2"],
            series: [BarSeries(name: "F1", values: [0.861, 0.874, 0.889, 0.852, 0.907, 0.843, 0.801, 0.812])])))

        // Training curves: loss per epoch, train solid, validation dashed.
        let epochs = (1...12).map(Double.init)
        let trainLoss = epochs.map { 0.62 * exp(-$0 / 4) + 0.18 }
        let valLoss = epochs.map { 0.55 * exp(-$0 / 3.5) + 0.24 + 0.004 * max(0, $0 - 8) * ($0 - 8) }
        let trainF1 = epochs.map { 0.93 - 0.35 * exp(-$0 / 3) }
        let valF1 = epochs.map { 0.90 - 0.32 * exp(-$0 / 2.8) - 0.002 * max(0, $0 - 9) }
        out.append(("training-loss", LineChart(
            title: "conv2 training — binary cross-entropy per epoch", xLabel: "Epoch", yLabel: "Loss",
            series: [LineSeries(name: "training", x: epochs, y: trainLoss, colorIndex: 0),
                     LineSeries(name: "validation", x: epochs, y: valLoss, dashed: true, colorIndex: 0)])))
        out.append(("training-f1", LineChart(
            title: "Mean F1 per epoch", xLabel: "Epoch", yLabel: "Mean F1",
            series: [LineSeries(name: "conv2 training", x: epochs, y: trainF1, colorIndex: 0),
                     LineSeries(name: "conv2 validation", x: epochs, y: valF1, dashed: true, colorIndex: 0),
                     LineSeries(name: "conv5 training", x: epochs, y: trainF1.map { $0 + 0.03 }, colorIndex: 1),
                     LineSeries(name: "conv5 validation", x: epochs, y: valF1.map { $0 + 0.01 }, dashed: true, colorIndex: 1)],
            yRange: 0.5...1)))

        // Pixel intensity histogram: a spike at 0 (black background) and a tissue bump.
        var rng = Mix(state: 7)
        var counts = [Double](repeating: 0, count: 64)
        for _ in 0..<60000 {
            let r = rng.next()
            let v: Double = r < 0.55 ? rng.next() * 6 : min(255, max(0, 110 + 45 * (rng.next() + rng.next() + rng.next() - 1.5) * 2))
            counts[min(63, Int(v / 4))] += 1
        }
        let edges = (0...64).map { Double($0) * 4 }
        out.append(("pixel-histogram", Histogram(title: "Pixel intensities (non-black training images)",
                                                  xLabel: "Intensity", yLabel: "Pixels", binEdges: edges, counts: counts)))
        out.append(("pixel-histogram-log", Histogram(title: "Pixel intensities, log scale",
                                                      xLabel: "Intensity", yLabel: "Pixels", binEdges: edges, counts: counts, logScale: true)))

        // PR and ROC curves.
        func curve(_ k: Double) -> (x: [Double], y: [Double]) {
            let r = stride(from: 0.0, through: 1.0, by: 0.02).map { $0 }
            return (r, r.map { 1 - 0.55 * pow($0, k) })
        }
        let pr = [(6.0, "label1 (AP 0.93)"), (3.5, "label2 (AP 0.88)"), (2.2, "label3 (AP 0.80)")].map {
            let c = curve($0.0); return Curve(name: $0.1, x: c.x, y: c.y)
        }
        out.append(("pr-curves", PRCurveChart(title: "Precision–recall, conv5 validation", curves: pr)))
        let roc = [(0.12, "label1 (AUC 0.95)"), (0.2, "label2 (AUC 0.91)"), (0.3, "label3 (AUC 0.86)")].map { k, n in
            let f = stride(from: 0.0, through: 1.0, by: 0.02).map { $0 }
            return Curve(name: n, x: f, y: f.map { pow($0, k) })
        }
        out.append(("roc-curves", ROCCurveChart(title: "ROC, conv5 validation", curves: roc)))
        return out
    }
}
