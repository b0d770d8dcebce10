import Foundation

/// One curve: points (x[i], y[i]) in 0…1, joined in order; `name` is shown in the legend
/// as given (e.g. "label1 (AP 0.91)").
public struct Curve: Sendable, Equatable, Encodable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public init(name: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "Curve '\(name)': \(x.count) x values but \(y.count) y values")
        self.name = name; self.x = x; self.y = y
    }
}

/// Curves on a square-ish 0…1 × 0…1 plot: precision–recall (x recall, y precision) or ROC
/// (x false-positive rate, y true-positive rate, with the dashed chance diagonal).
public struct CurveChart: Figure {
    public enum Kind: Sendable, Encodable { case precisionRecall, roc }
    public var kind: Kind
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var curves: [Curve]
    public var width: Double
    public var height: Double

    public init(kind: Kind, title: String, xLabel: String? = nil, yLabel: String? = nil,
                curves: [Curve], width: Double = 560, height: Double = 480) {
        precondition(!curves.isEmpty, "CurveChart '\(title)': no curves")
        self.kind = kind; self.title = title
        self.xLabel = xLabel ?? (kind == .roc ? "False positive rate" : "Recall")
        self.yLabel = yLabel ?? (kind == .roc ? "True positive rate" : "Precision")
        self.curves = curves; self.width = width; self.height = height
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let entries = curves.enumerated().map { LegendEntry(name: $1.name, color: Palette.color($0), swatch: .line(dashed: false, marker: false)) }
        var frame = ChartFrame(title: title, x: .fixed(xLabel, lo: 0, hi: 1), y: .fixed(yLabel, lo: 0, hi: 1.0), legend: entries)
        frame.verticalGrid = true
        let l = frame.layout(canvas)
        frame.drawUnderlay(canvas, l)
        if kind == .roc {
            canvas.setDash([4, 4])
            canvas.line(frame.px(0, l), frame.py(0, l), frame.px(1, l), frame.py(1, l), color: Style.axis.withAlpha(0.6), width: 1)
            canvas.setDash([])
        }
        canvas.save()
        canvas.rectangle(l.plot.inset(by: -3)); canvas.clip()
        for (i, c) in curves.enumerated() {
            drawPolyline(canvas, frame: frame, layout: l, x: c.x, y: c.y, color: Palette.color(i), dashed: false)
        }
        canvas.restore()
        frame.drawOverlay(canvas, l)
    }
}

/// Precision–recall curves (x recall, y precision, both 0…1); put the AP in each curve's name.
public struct PRCurveChart: Figure {
    public var chart: CurveChart
    public init(title: String, curves: [Curve], width: Double = 560, height: Double = 480) {
        chart = CurveChart(kind: .precisionRecall, title: title, curves: curves, width: width, height: height)
    }
    public var width: Double { chart.width }
    public var height: Double { chart.height }
    public func draw(_ canvas: Canvas) throws(PlotError) { try chart.draw(canvas) }
}

/// ROC curves (x false-positive rate, y true-positive rate) with the chance diagonal.
public struct ROCCurveChart: Figure {
    public var chart: CurveChart
    public init(title: String, curves: [Curve], width: Double = 560, height: Double = 480) {
        chart = CurveChart(kind: .roc, title: title, curves: curves, width: width, height: height)
    }
    public var width: Double { chart.width }
    public var height: Double { chart.height }
    public func draw(_ canvas: Canvas) throws(PlotError) { try chart.draw(canvas) }
}
