import Foundation

/// Counts over contiguous bins: bin i spans binEdges[i]…binEdges[i+1] and has height
/// counts[i] (so binEdges.count == counts.count + 1). On a log₁₀ y axis (`logScale`) empty
/// bins are left blank and the axis runs between powers of ten enclosing the positive counts.
public struct Histogram: Figure {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var binEdges: [Double]
    public var counts: [Double]
    public var logScale: Bool
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "Count", binEdges: [Double],
                counts: [Double], logScale: Bool = false, width: Double = 640, height: Double = 400) {
        precondition(binEdges.count == counts.count + 1 && !counts.isEmpty,
                     "Histogram '\(title)': \(binEdges.count) edges for \(counts.count) counts (need counts + 1)")
        precondition(zip(binEdges, binEdges.dropFirst()).allSatisfy { $0 < $1 },
                     "Histogram '\(title)': bin edges must increase")
        precondition(counts.allSatisfy { $0 >= 0 && $0.isFinite }, "Histogram '\(title)': counts must be ≥ 0")
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.binEdges = binEdges; self.counts = counts; self.logScale = logScale
        self.width = width; self.height = height
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let xAxis = Axis.fixed(xLabel, lo: binEdges.first!, hi: binEdges.last!, maxTicks: 9)
        let yAxis: Axis
        if logScale {
            let positive = counts.filter { $0 > 0 }
            yAxis = Axis.logarithmic(yLabel, lo: positive.min() ?? 1, hi: positive.max() ?? 10)
        } else {
            yAxis = Axis.linear(yLabel, lo: 0, hi: max(counts.max() ?? 1, 1e-12))
        }
        let frame = ChartFrame(title: title, x: xAxis, y: yAxis)
        let l = frame.layout(canvas)
        frame.drawUnderlay(canvas, l)
        let base = frame.py(yAxis.lower, l)
        // Thin white separators only where bins are wide enough for them to read as gaps.
        let binPixels = l.plot.width / Double(counts.count)
        let seam = binPixels >= 6 ? 0.5 : 0
        for (i, c) in counts.enumerated() where c > 0 {
            let x0 = frame.px(binEdges[i], l), x1 = frame.px(binEdges[i + 1], l)
            let top = frame.py(c, l)
            canvas.fill(Rect(x: x0 + seam, y: top, width: max(x1 - x0 - 2 * seam, 0.5), height: base - top), Palette.blue)
        }
        frame.drawOverlay(canvas, l)
    }
}
