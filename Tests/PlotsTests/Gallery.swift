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

        let models = ["conv1", "conv2", "conv3", "conv4", "conv5", "lstm1", "fc1", "fc2"]
        out.append(("f1-per-model-per-label", BarChart(
            title: "Validation F1 per label and architecture", xLabel: "Architecture", yLabel: "F1",
            categories: models,
            series: (1...3).map { k in BarSeries(name: "label\(k)", values: models.indices.map { 0.95 - 0.03 * Double(k) - 0.01 * Double($0 % 4) }) })))
        out.append(("long-categories", BarChart(
            title: "Images removed by each cleaning step", yLabel: "Images",
            categories: ["all black images except one", "duplicates of another image", "unreadable files", "kept"],
            series: [BarSeries(name: "", values: [4984, 0, 0, 10016])])))

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

        let names = ["conv1", "conv2", "conv3", "conv4", "conv5", "lstm1", "fc1", "fc2"]
        out.append(("validation-f1-all", LineChart(
            title: "Validation mean F1 per epoch, all eight architectures (joint multi-label training)",
            xLabel: "Epoch", yLabel: "Mean F1",
            series: names.enumerated().map { i, n in
                LineSeries(name: "\(n) validation", x: epochs, y: valF1.map { $0 - 0.015 * Double(i) })
            }, markers: false)))

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
        // Confusion matrices (counts and normalised) and label co-occurrence.
        let cm: [[Double]] = [[1402, 148], [121, 1329]]
        out.append(("confusion-label1", Heatmap(
            title: "Confusion matrix, label 1 (conv5, validation)", xLabel: "Predicted", yLabel: "True",
            rowLabels: ["0", "1"], colLabels: ["0", "1"], values: cm,
            annotations: cm.map { $0.map { formatValue($0) } }, colorBarLabel: "Images")))
        out.append(("confusion-label1-normalised", Heatmap(
            title: "Confusion matrix, label 1, normalised by true class", xLabel: "Predicted label", yLabel: "True label",
            rowLabels: ["absent", "present"], colLabels: ["absent", "present"],
            values: cm.map { row in row.map { $0 / row.reduce(0, +) } }, colorBarLabel: "Share of true class", range: 0...1)))
        out.append(("f1-table", Heatmap(
            title: "Validation F1 per architecture and label", xLabel: "Label", yLabel: "Architecture",
            rowLabels: ["conv1", "conv2", "conv3", "conv4", "conv5", "lstm1", "fc1", "fc2"],
            colLabels: ["label1 (tumour)", "label2 (oedema)", "label3 (haemorrhage)", "mean F1"],
            values: f1Table,
            colorBarLabel: "F1", range: 0.7...1, width: 640, height: 520)))
        out.append(("cooccurrence", Heatmap(
            title: "Label co-occurrence (training set)", rowLabels: ["label1", "label2", "label3"],
            colLabels: ["label1", "label2", "label3"],
            values: [[5550, 2210, 1460], [2210, 4350, 980], [1460, 980, 2720]], colorBarLabel: "Images")))

        // Eleven noise scans: an original and ten "augmented" copies, plus difference maps.
        var images: [ImageCell] = []
        var base = [Double](repeating: 0, count: 64 * 64)
        for r in 0..<64 { for c in 0..<64 {
            let dx = Double(c) - 31.5, dy = Double(r) - 33
            let d = (dx * dx / (26 * 26) + dy * dy / (29 * 29))
            base[r * 64 + c] = d < 1 ? 90 + 80 * (1 - d) : 0
        } }
        let captions = ["original", "rotate −37°", "flip horizontal", "flip vertical", "shear x 0.3",
                        "scale 1.2 × 0.9", "median blur 7", "cut-out 40", "cut-out 10 + 50",
                        "full stream, copy 1", "full stream, copy 2 with a long caption that wraps"]
        for (k, caption) in captions.enumerated() {
            var px = [UInt8](repeating: 0, count: 64 * 64)
            for i in 0..<(64 * 64) {
                let noise = (rng.next() - 0.5) * 60
                px[i] = UInt8(max(0, min(255, base[i] + (base[i] > 0 ? noise : 0) + Double(k) * 3)))
            }
            images.append(ImageCell(caption: caption, width: 64, height: 64, pixels: px))
        }
        out.append(("augmentations", ImageGrid(title: "One scan and its augmented copies", columns: 6, cells: images, cellSize: 112)))
        let diff = (0..<(64 * 64)).map { i in Float((rng.next() - 0.5) * 40 + (i % 64 < 32 ? 15 : -15)) }
        let mean = (0..<(64 * 64)).map { i in Float(base[i] + rng.next() * 10) }
        out.append(("mean-and-difference", ImageGrid(title: "Mean image and difference (positive − negative)", columns: 3, cells: [
            ImageCell(caption: "mean, label1 = 1", width: 64, height: 64, values: mean, diverging: false),
            ImageCell(caption: "difference (±\(formatValue(ImageCell(caption: "", width: 64, height: 64, values: diff, diverging: true).displayRange!.upperBound, maxDecimals: 1)))",
                      width: 64, height: 64, values: diff, diverging: true),
            ImageCell(caption: "black image", width: 64, height: 64, pixels: [UInt8](repeating: 0, count: 4096)),
        ], cellSize: 160)))

        // Architecture diagrams (shapes from STUDY-NOTES, Keras naming).
        out.append(("conv2-diagram", ArchitectureDiagram(title: "conv2", nodes: conv2Nodes)))
        out.append(("conv5-diagram", ArchitectureDiagram(title: "conv5", nodes: conv5Nodes)))
        return out
    }

    static let f1Table: [[Double]] = (0..<8).map { (r: Int) -> [Double] in
        (0..<4).map { (c: Int) -> Double in 0.93 - 0.012 * Double(r) - 0.03 * Double(c % 3) }
    }

    /// Builds nodes from (name, type, output) with each input the previous output.
    static func chain(_ input: String, _ layers: [(String, String, String)]) -> [DiagramNode] {
        var nodes = [DiagramNode(name: "input_1", type: "InputLayer", input: "[\(input)]", output: "[\(input)]")]
        var previous = input
        for (name, type, output) in layers {
            nodes.append(DiagramNode(name: name, type: type, input: previous, output: output))
            previous = output
        }
        return nodes
    }

    static let conv2Nodes = chain("(None, 64, 64, 3)", [
        ("conv2d_1", "Conv2D", "(None, 64, 64, 25)"), ("max_pooling2d_1", "MaxPooling2D", "(None, 32, 32, 25)"),
        ("conv2d_2", "Conv2D", "(None, 16, 16, 50)"), ("max_pooling2d_2", "MaxPooling2D", "(None, 8, 8, 50)"),
        ("batch_normalization", "BatchNormalization", "(None, 8, 8, 50)"), ("conv2d_3", "Conv2D", "(None, 4, 4, 70)"),
        ("max_pooling2d_3", "MaxPooling2D", "(None, 2, 2, 70)"), ("batch_normalization_1", "BatchNormalization", "(None, 2, 2, 70)"),
        ("flatten", "Flatten", "(None, 280)"), ("dense", "Dense", "(None, 100)"), ("dense_1", "Dense", "(None, 100)"),
        ("dropout", "Dropout", "(None, 100)"), ("dense_2", "Dense", "(None, 2)"),
    ])

    static let conv5Nodes = chain("(None, 64, 64, 3)", [
        ("conv2d_9", "Conv2D", "(None, 64, 64, 32)"), ("conv2d_10", "Conv2D", "(None, 62, 62, 32)"),
        ("max_pooling2d_8", "MaxPooling2D", "(None, 31, 31, 32)"), ("dropout_6", "Dropout", "(None, 31, 31, 32)"),
        ("conv2d_11", "Conv2D", "(None, 31, 31, 64)"), ("conv2d_12", "Conv2D", "(None, 29, 29, 64)"),
        ("max_pooling2d_9", "MaxPooling2D", "(None, 14, 14, 64)"), ("dropout_7", "Dropout", "(None, 14, 14, 64)"),
        ("conv2d_13", "Conv2D", "(None, 14, 14, 128)"), ("conv2d_14", "Conv2D", "(None, 12, 12, 128)"),
        ("activation", "Activation", "(None, 12, 12, 128)"), ("max_pooling2d_10", "MaxPooling2D", "(None, 6, 6, 128)"),
        ("dropout_8", "Dropout", "(None, 6, 6, 128)"), ("conv2d_15", "Conv2D", "(None, 6, 6, 512)"),
        ("conv2d_16", "Conv2D", "(None, 2, 2, 512)"), ("max_pooling2d_11", "MaxPooling2D", "(None, 1, 1, 512)"),
        ("dropout_9", "Dropout", "(None, 1, 1, 512)"), ("flatten_5", "Flatten", "(None, 512)"),
        ("dense_11", "Dense", "(None, 1024)"), ("dropout_10", "Dropout", "(None, 1024)"), ("dense_12", "Dense", "(None, 2)"),
    ])
}
