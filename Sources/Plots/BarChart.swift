import Foundation

/// One series of a bar chart: a value per category, and optionally an interval per
/// category drawn as an error bar (a vertical line with caps from `lower` to `upper`).
public struct BarSeries: Sendable, Equatable, Encodable {
    public struct ErrorBar: Sendable, Equatable, Encodable {
        public var lower: Double
        public var upper: Double
        public init(lower: Double, upper: Double) { self.lower = lower; self.upper = upper }
    }
    public var name: String
    public var values: [Double]
    public var errors: [ErrorBar]?
    public init(name: String, values: [Double], errors: [ErrorBar]? = nil) {
        self.name = name; self.values = values; self.errors = errors
    }
}

/// Bars per category, grouped side by side (one bar per series) or stacked, on a y axis from
/// 0 with nice ticks; optional value labels above each bar (inside each stacked segment
/// when it is tall enough, and the total above each stack). A legend appears when there is
/// more than one series. Values must be ≥ 0.
public struct BarChart: Figure {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var categories: [String]
    public var series: [BarSeries]
    public var stacked: Bool
    public var valueLabels: Bool
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "", categories: [String],
                series: [BarSeries], stacked: Bool = false, valueLabels: Bool = true,
                width: Double = 640, height: Double = 400) {
        precondition(!categories.isEmpty, "BarChart '\(title)': no categories")
        precondition(!series.isEmpty, "BarChart '\(title)': no series")
        for s in series {
            precondition(s.values.count == categories.count,
                         "BarChart '\(title)': series '\(s.name)' has \(s.values.count) values for \(categories.count) categories")
            precondition(s.values.allSatisfy { $0 >= 0 && $0.isFinite },
                         "BarChart '\(title)': series '\(s.name)' has a negative or non-finite value")
            if let e = s.errors {
                precondition(e.count == categories.count && !stacked,
                             "BarChart '\(title)': series '\(s.name)' needs one error bar per category (grouped bars only)")
                precondition(e.allSatisfy { $0.lower.isFinite && $0.upper.isFinite && $0.lower <= $0.upper && $0.lower >= 0 },
                             "BarChart '\(title)': series '\(s.name)' has an invalid error bar")
            }
        }
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.categories = categories; self.series = series
        self.stacked = stacked; self.valueLabels = valueLabels
        self.width = width; self.height = height
    }

    /// The tallest bar (or stack).
    var maxValue: Double {
        if stacked {
            return categories.indices.map { c in series.map { $0.values[c] }.reduce(0, +) }.max() ?? 0
        }
        return (series.flatMap(\.values) + series.flatMap { $0.errors?.map(\.upper) ?? [] }).max() ?? 0
    }

    /// Where the value axis must reach: the tallest bar, or 1 when every bar is 0 (nothing
    /// to count, e.g. a dataset without black images) — not a hair above 0 with ticks of
    /// twelve decimals.
    var axisTop: Double { maxValue > 0 ? maxValue : 1 }

    /// Bar geometry within a plot of width `plotWidth`: slot per category, group and bar width.
    func barGeometry(plotWidth: Double) -> (slot: Double, group: Double, bar: Double) {
        let slot = plotWidth / Double(categories.count)
        let group = slot * (series.count == 1 || stacked ? 0.62 : 0.8)
        return (slot, group, stacked ? group : group / Double(series.count))
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let top = axisTop
        let legend = series.count > 1
            ? series.enumerated().map { LegendEntry(name: $1.name, color: Palette.color($0), swatch: .box) } : []
        var frame = ChartFrame(title: title, x: .categorical(xLabel, categories), y: .linear(yLabel, lo: 0, hi: top),
                               legend: legend)
        var l = frame.layout(canvas)
        // Value labels above grouped bars: horizontal when they fit the bar, else turned to
        // read upwards. Either way the y axis gets enough headroom (in points) to hold them.
        let valueHeight = canvas.measure("0", font: Style.valueFont).height
        // Every label of the chart (bars and stack totals) with the same decimals.
        let totals = categories.indices.map { c in series.map { $0.values[c] }.reduce(0, +) }
        let allLabels = formatValues(series.flatMap(\.values) + totals)
        func label(series s: Int, category c: Int) -> String { allLabels[s * categories.count + c] }
        func totalLabel(_ c: Int) -> String { allLabels[series.count * categories.count + c] }
        var rotateLabels = false
        if valueLabels {
            var headroom = valueHeight + 4
            if !stacked {
                let widest = allLabels.map { canvas.measure($0, font: Style.valueFont).width }.max() ?? 0
                if widest > barGeometry(plotWidth: l.plot.width).bar + 2 {
                    rotateLabels = true
                    headroom = widest + 6
                }
            }
            let fraction = min(headroom / l.plot.height, 0.5)
            // The axis ends just above the labels (not at the next round tick, which could
            // nearly double the range); its ticks stay round numbers inside the range.
            let ticked = Axis.linear(yLabel, lo: 0, hi: top)
            frame.y = .fixed(yLabel, lo: 0, hi: max(top / (1 - fraction), ticked.upper), maxTicks: 6)
            if frame.y.ticks.count < 4 { frame.y = .fixed(yLabel, lo: 0, hi: frame.y.upper, maxTicks: 8) }
            l = frame.layout(canvas)
        }
        frame.drawUnderlay(canvas, l)

        let (slot, groupWidth, barWidth) = barGeometry(plotWidth: l.plot.width)
        for c in categories.indices {
            let left = l.plot.x + slot * Double(c) + (slot - groupWidth) / 2
            var base = 0.0
            for (s, ser) in series.enumerated() {
                let v = ser.values[c]
                let x0 = stacked ? left : left + barWidth * Double(s)
                let y0 = frame.py(stacked ? base : 0, l), y1 = frame.py((stacked ? base : 0) + v, l)
                // A hairline gap between neighbouring bars of a group keeps them distinct.
                let inset = (!stacked && series.count > 1) ? 0.75 : 0
                let bar = Rect(x: x0 + inset, y: y1, width: barWidth - 2 * inset, height: y0 - y1)
                canvas.fill(bar, Palette.color(s))
                if stacked && s > 0 {  // a white seam between stacked segments
                    canvas.line(bar.minX, y0, bar.maxX, y0, color: Style.background, width: 1)
                }
                if valueLabels {
                    let text = label(series: s, category: c)
                    let tw = canvas.measure(text, font: Style.valueFont).width
                    if stacked {
                        if bar.height >= valueHeight + 4 && tw + 4 <= bar.width && v > 0 {
                            let ink = Palette.color(s).luminance > 0.35 ? Style.text : Style.background
                            canvas.drawText(text, x: bar.midX, y: bar.midY, font: Style.valueFont, color: ink,
                                            horizontal: .center, vertical: .middle)
                        }
                    } else if rotateLabels {
                        canvas.drawText(text, x: bar.midX, y: y1 - 3, font: Style.valueFont, color: Style.secondaryText,
                                        horizontal: .leading, vertical: .middle, rotation: -Double.pi / 2)
                    } else {
                        canvas.drawText(text, x: bar.midX, y: y1 - 3, font: Style.valueFont,
                                        color: Style.secondaryText, horizontal: .center, vertical: .bottom)
                    }
                }
                if let e = ser.errors?[c] {  // the interval: a dark line with caps
                    let ya = frame.py(e.lower, l), yb = frame.py(e.upper, l), cap = min(4, bar.width * 0.3)
                    canvas.line(bar.midX, ya, bar.midX, yb, color: Style.text, width: 1)
                    canvas.line(bar.midX - cap, ya, bar.midX + cap, ya, color: Style.text, width: 1)
                    canvas.line(bar.midX - cap, yb, bar.midX + cap, yb, color: Style.text, width: 1)
                }
                base += v
            }
            if valueLabels && stacked && series.count > 1 {
                canvas.drawText(totalLabel(c), x: left + groupWidth / 2, y: frame.py(base, l) - 3,
                                font: Style.valueFont, color: Style.text, horizontal: .center, vertical: .bottom)
            }
        }
        frame.drawOverlay(canvas, l)
    }
}
