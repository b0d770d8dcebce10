import Foundation

/// One line of a line chart: points (x[i], y[i]) joined in order.
public struct LineSeries: Sendable, Equatable, Encodable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var dashed: Bool
    /// Palette index of the line's colour; nil takes the series' position.
    public var colorIndex: Int?

    public init(name: String, x: [Double], y: [Double], dashed: Bool = false, colorIndex: Int? = nil) {
        precondition(x.count == y.count, "LineSeries '\(name)': \(x.count) x values but \(y.count) y values")
        self.name = name; self.x = x; self.y = y; self.dashed = dashed; self.colorIndex = colorIndex
    }
}

/// Several lines on linear axes with nice ticks, optional point markers and a legend above
/// the plot — e.g. training and validation loss per epoch (validation dashed, same colour).
/// Non-finite points break the line.
public struct LineChart: Figure {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    public var markers: Bool
    /// Fixed y range (e.g. 0…1 for scores); nil fits the data with nice ticks.
    public var yRange: ClosedRange<Double>?
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "", series: [LineSeries],
                markers: Bool = true, yRange: ClosedRange<Double>? = nil,
                width: Double = 640, height: Double = 400) {
        precondition(!series.isEmpty, "LineChart '\(title)': no series")
        if let r = yRange { precondition(r.lowerBound < r.upperBound, "LineChart '\(title)': empty yRange \(r)") }
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.series = series; self.markers = markers; self.yRange = yRange
        self.width = width; self.height = height
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let xs = series.flatMap(\.x).filter(\.isFinite), ys = series.flatMap(\.y).filter(\.isFinite)
        var xAxis = Axis.linear(xLabel, lo: xs.min() ?? 0, hi: xs.max() ?? 1, maxTicks: 10)
        // Whole-number x values (epochs, counts) get whole-number ticks only.
        if !xs.isEmpty, xs.allSatisfy({ $0 == $0.rounded() }) {
            let whole = xAxis.ticks.filter { $0 == $0.rounded() }
            if whole.count >= 2 {
                xAxis.ticks = whole
                xAxis.tickLabels = whole.map { formatTick($0, step: 1) }
            }
        }
        let yAxis = yRange.map { Axis.fixed(yLabel, lo: $0.lowerBound, hi: $0.upperBound) }
            ?? Axis.linear(yLabel, lo: ys.min() ?? 0, hi: ys.max() ?? 1)
        let entries = series.enumerated().map { i, s in
            LegendEntry(name: s.name, color: Palette.color(s.colorIndex ?? i), swatch: .line(dashed: s.dashed, marker: markers))
        }
        let showLegend = series.count > 1 || !(series.first?.name.isEmpty ?? true)
        var frame = ChartFrame(title: title, x: xAxis, y: yAxis, legend: showLegend ? entries : [])
        frame.verticalGrid = true
        let l = frame.layout(canvas)
        frame.drawUnderlay(canvas, l)
        canvas.save()
        canvas.rectangle(l.plot.inset(by: -4)); canvas.clip()
        for (i, s) in series.enumerated() {
            let color = Palette.color(s.colorIndex ?? i)
            drawPolyline(canvas, frame: frame, layout: l, x: s.x, y: s.y, color: color, dashed: s.dashed)
            if markers {
                for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite {
                    drawMarker(canvas, x: frame.px(x, l), y: frame.py(y, l), color: color)
                }
            }
        }
        canvas.restore()
        frame.drawOverlay(canvas, l)
    }
}

/// Strokes the points (x[i], y[i]) as connected segments, breaking at non-finite values.
func drawPolyline(_ canvas: Canvas, frame: ChartFrame, layout l: ChartFrame.Layout,
                  x: [Double], y: [Double], color: Color, dashed: Bool, width: Double = Style.lineWidth) {
    canvas.setColor(color); canvas.setLineWidth(width)
    canvas.setDash(dashed ? [6, 3.5] : [])
    var penDown = false
    for (xv, yv) in zip(x, y) {
        guard xv.isFinite && yv.isFinite else { penDown = false; continue }
        let px = frame.px(xv, l), py = frame.py(yv, l)
        if penDown { canvas.lineTo(px, py) } else { canvas.moveTo(px, py); penDown = true }
    }
    canvas.stroke()
    canvas.setDash([])
}
