import Foundation

// MARK: - Layout arithmetic (pure, unit-tested)

/// The measured sizes of everything around a chart's plot area (points).
public struct FrameMetrics: Sendable, Equatable {
    /// Height of the title line (0 without a title).
    public var title: Double = 0
    /// Total height of the legend rows (0 without a legend).
    public var legend: Double = 0
    /// Thickness of the rotated y-axis label (its font height; 0 without one).
    public var yLabel: Double = 0
    /// Width of the widest y tick label.
    public var yTickLabels: Double = 0
    /// Height of the x tick labels (all lines).
    public var xTickLabels: Double = 0
    /// Height of the x-axis label (0 without one).
    public var xLabel: Double = 0
    /// How far the last x tick label reaches right of the plot's right edge.
    public var rightOverhang: Double = 0
    /// How far the top y tick label reaches above the plot's top edge.
    public var topOverhang: Double = 0
    /// Width reserved right of the plot for a colour bar and its labels.
    public var rightPanel: Double = 0

    public init() {}
}

public enum ChartLayout {
    /// The plot area of a `width` × `height` figure: the figure less `Style.margin` on each
    /// side, the title, legend and x labels above/below, the y label and tick labels (plus
    /// tick length and gaps) on the left, and overhangs/colour bar on the right.
    public static func plotRect(width: Double, height: Double, metrics m: FrameMetrics) -> Rect {
        let g = Style.gap
        var top = Style.margin
        if m.title > 0 { top += m.title + 2 * g }
        if m.legend > 0 { top += m.legend + g }
        top += max(m.topOverhang, 2)
        var left = Style.margin
        if m.yLabel > 0 { left += m.yLabel + 2 * g }
        left += m.yTickLabels + g + Style.tickLength
        var bottom = Style.margin + Style.tickLength + g + m.xTickLabels
        if m.xLabel > 0 { bottom += 2 * g + m.xLabel }
        let right = Style.margin + max(m.rightOverhang, 0) + m.rightPanel
        return Rect(x: left, y: top, width: max(width - left - right, 10), height: max(height - top - bottom, 10))
    }

    /// Splits legend items of the given widths into rows no wider than `available`, greedily
    /// in order, with `spacing` between items of a row. Every row has at least one item.
    public static func legendRows(itemWidths: [Double], spacing: Double, available: Double) -> [[Int]] {
        var rows: [[Int]] = []
        var current: [Int] = [], used = 0.0
        for (i, w) in itemWidths.enumerated() {
            let needed = current.isEmpty ? w : used + spacing + w
            if !current.isEmpty && needed > available {
                rows.append(current)
                current = [i]; used = w
            } else {
                current.append(i); used = needed
            }
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// Breaks `text` at spaces into lines no wider than `maxWidth` where possible (a single
    /// word wider than `maxWidth` stays on its own line). `measure` gives a string's width.
    public static func wrap(_ text: String, maxWidth: Double, measure: (String) -> Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if !current.isEmpty && measure(candidate) > maxWidth {
                lines.append(current)
                current = word
            } else {
                current = candidate
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

// MARK: - Axes

/// One axis of a chart: a data range mapped onto the plot edge, its ticks and label.
struct Axis {
    var label: String
    /// Data value at the plot's left/bottom edge and at its right/top edge (log: both > 0).
    var lower: Double
    var upper: Double
    var ticks: [Double]
    var tickLabels: [String]
    var log = false
    /// Category names drawn under slots 0..<n (bar charts); ticks are then the slot centres.
    var categories: [String]? = nil

    /// A linear axis whose range is the nice ticks enclosing lo…hi.
    static func linear(_ label: String, lo: Double, hi: Double, maxTicks: Int = 6) -> Axis {
        let ticks = niceTicks(min: lo, max: hi, maxCount: maxTicks)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return Axis(label: label, lower: ticks.first!, upper: ticks.last!, ticks: ticks,
                    tickLabels: ticks.map { formatTick($0, step: step) })
    }

    /// A linear axis over exactly lo…hi with nice ticks inside it.
    static func fixed(_ label: String, lo: Double, hi: Double, maxTicks: Int = 6) -> Axis {
        let ticks = niceTicks(min: lo, max: hi, maxCount: maxTicks).filter { $0 >= lo - 1e-9 && $0 <= hi + 1e-9 }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return Axis(label: label, lower: lo, upper: hi, ticks: ticks,
                    tickLabels: ticks.map { formatTick($0, step: step) })
    }

    /// A log₁₀ axis from the power of ten ≤ lo to the power of ten ≥ hi.
    static func logarithmic(_ label: String, lo: Double, hi: Double) -> Axis {
        let ticks = logTicks(min: lo, max: hi)
        return Axis(label: label, lower: ticks.first!, upper: ticks.last!, ticks: ticks,
                    tickLabels: ticks.map { formatValue($0) }, log: true)
    }

    /// A categorical axis: slot i spans i−0.5…i+0.5.
    static func categorical(_ label: String, _ names: [String]) -> Axis {
        Axis(label: label, lower: -0.5, upper: Double(names.count) - 0.5,
             ticks: names.indices.map(Double.init), tickLabels: names, categories: names)
    }

    /// Position of `v` along the axis: 0 at `lower`, 1 at `upper`.
    func fraction(_ v: Double) -> Double {
        if log {
            let lv = log10(max(v, lower * 1e-3))
            return (lv - log10(lower)) / (log10(upper) - log10(lower))
        }
        return (v - lower) / (upper - lower)
    }
}

/// How a legend entry's swatch looks.
enum Swatch {
    case box
    case line(dashed: Bool, marker: Bool)
}

struct LegendEntry {
    var name: String
    var color: Color
    var swatch: Swatch
}

/// The decorations shared by bar, line, histogram and curve charts: title, legend above the
/// plot, grid, axis lines, ticks, tick labels and axis labels. Computes the plot area from
/// measured text so nothing is clipped.
struct ChartFrame {
    var title: String
    var x: Axis
    var y: Axis
    var legend: [LegendEntry] = []
    var verticalGrid = false
    var horizontalGrid = true

    static let legendSpacing = 18.0
    static let legendRowGap = 4.0

    /// Everything measured once before drawing.
    struct Layout {
        var plot: Rect
        var legendRows: [[Int]]
        var legendItemWidths: [Double]
        var legendTop: Double
        var xTickLines: [[String]]
    }

    private func swatchWidth(_ s: Swatch) -> Double {
        switch s {
        case .box: 11
        case .line: 24
        }
    }

    func layout(_ canvas: Canvas) -> Layout {
        let W = canvas.width, H = canvas.height
        var m = FrameMetrics()
        let titleM = canvas.measure(title, font: Style.titleFont)
        if !title.isEmpty { m.title = titleM.height }
        let itemWidths = legend.map { swatchWidth($0.swatch) + Style.gap + canvas.measure($0.name, font: Style.legendFont).width }
        let rows = ChartLayout.legendRows(itemWidths: itemWidths, spacing: Self.legendSpacing,
                                          available: W - 2 * Style.margin)
        let rowHeight = canvas.measure("Ag", font: Style.legendFont).height
        if !legend.isEmpty { m.legend = Double(rows.count) * rowHeight + Double(rows.count - 1) * Self.legendRowGap }
        let tickM = canvas.measure("0", font: Style.tickFont)
        m.yTickLabels = y.tickLabels.map { canvas.measure($0, font: Style.tickFont).width }.max() ?? 0
        m.topOverhang = tickM.height / 2
        if !y.label.isEmpty { m.yLabel = canvas.measure(y.label, font: Style.labelFont).height }
        if !x.label.isEmpty { m.xLabel = canvas.measure(x.label, font: Style.labelFont).height }

        // First pass with single-line x labels to learn the slot width, then wrap categories.
        m.xTickLabels = tickM.height
        var xLines: [[String]] = x.tickLabels.map { [$0] }
        if x.categories == nil, let last = x.tickLabels.last {
            m.rightOverhang = canvas.measure(last, font: Style.tickFont).width / 2
        }
        var plot = ChartLayout.plotRect(width: W, height: H, metrics: m)
        if let names = x.categories, !names.isEmpty {
            let slot = plot.width / Double(names.count) - 6
            xLines = names.map { ChartLayout.wrap($0, maxWidth: slot) { canvas.measure($0, font: Style.tickFont).width } }
            let maxLines = xLines.map(\.count).max() ?? 1
            m.xTickLabels = Double(maxLines) * tickM.height
            plot = ChartLayout.plotRect(width: W, height: H, metrics: m)
        } else if let last = x.ticks.last, let lastLabel = x.tickLabels.last {
            // Only the part of the last label beyond the plot edge needs room.
            let reach = plot.x + plot.width * x.fraction(last) + canvas.measure(lastLabel, font: Style.tickFont).width / 2
            m.rightOverhang = max(0, reach - (plot.maxX))
            plot = ChartLayout.plotRect(width: W, height: H, metrics: m)
        }
        var legendTop = Style.margin
        if !title.isEmpty { legendTop += m.title + 2 * Style.gap }
        return Layout(plot: plot, legendRows: rows, legendItemWidths: itemWidths, legendTop: legendTop, xTickLines: xLines)
    }

    func px(_ v: Double, _ l: Layout) -> Double { l.plot.x + l.plot.width * x.fraction(v) }
    func py(_ v: Double, _ l: Layout) -> Double { l.plot.maxY - l.plot.height * y.fraction(v) }

    /// Grid lines, drawn before the data.
    func drawUnderlay(_ canvas: Canvas, _ l: Layout) {
        if horizontalGrid {
            for t in y.ticks {
                let yy = py(t, l)
                canvas.line(l.plot.minX, yy, l.plot.maxX, yy, color: Style.grid, width: Style.gridWidth)
            }
        }
        if verticalGrid && x.categories == nil {
            for t in x.ticks {
                let xx = px(t, l)
                canvas.line(xx, l.plot.minY, xx, l.plot.maxY, color: Style.grid, width: Style.gridWidth)
            }
        }
    }

    /// Axis lines, ticks, labels, title and legend, drawn after the data.
    func drawOverlay(_ canvas: Canvas, _ l: Layout) {
        let p = l.plot
        let half = Style.axisWidth / 2
        // Left and bottom axis lines (no box: the top and right spines add nothing).
        canvas.setColor(Style.axis); canvas.setLineWidth(Style.axisWidth)
        canvas.moveTo(p.minX - half, p.minY); canvas.lineTo(p.minX - half, p.maxY + half)
        canvas.lineTo(p.maxX, p.maxY + half); canvas.stroke()

        let tickLine = canvas.measure("0", font: Style.tickFont).height
        for (t, label) in zip(y.ticks, y.tickLabels) {
            let yy = py(t, l)
            canvas.line(p.minX - Style.tickLength, yy, p.minX, yy, color: Style.axis, width: Style.axisWidth)
            canvas.drawText(label, x: p.minX - Style.tickLength - Style.gap, y: yy, font: Style.tickFont,
                            color: Style.secondaryText, horizontal: .trailing, vertical: .middle)
        }
        for (i, t) in x.ticks.enumerated() {
            let xx = px(t, l)
            canvas.line(xx, p.maxY, xx, p.maxY + Style.tickLength, color: Style.axis, width: Style.axisWidth)
            for (j, line) in l.xTickLines[i].enumerated() {
                canvas.drawText(line, x: xx, y: p.maxY + Style.tickLength + Style.gap + Double(j) * tickLine,
                                font: Style.tickFont, color: Style.secondaryText, horizontal: .center, vertical: .top)
            }
        }
        let xTickHeight = Double(l.xTickLines.map(\.count).max() ?? 1) * tickLine
        if !x.label.isEmpty {
            canvas.drawText(x.label, x: p.midX, y: p.maxY + Style.tickLength + Style.gap + xTickHeight + 2 * Style.gap,
                            font: Style.labelFont, color: Style.text, horizontal: .center, vertical: .top)
        }
        if !y.label.isEmpty {
            canvas.drawText(y.label, x: Style.margin, y: p.midY, font: Style.labelFont, color: Style.text,
                            horizontal: .center, vertical: .top, rotation: -Double.pi / 2)
        }
        drawTitle(canvas, title, centerX: p.midX)
        drawLegend(canvas, l)
    }

    func drawLegend(_ canvas: Canvas, _ l: Layout) {
        guard !legend.isEmpty else { return }
        let rowHeight = canvas.measure("Ag", font: Style.legendFont).height
        var top = l.legendTop
        for row in l.legendRows {
            let total = row.map { l.legendItemWidths[$0] }.reduce(0, +) + Double(row.count - 1) * Self.legendSpacing
            var xx = min(max(l.plot.midX - total / 2, Style.margin), canvas.width - Style.margin - total)
            let mid = top + rowHeight / 2
            for i in row {
                let e = legend[i]
                let sw = swatchWidth(e.swatch)
                switch e.swatch {
                case .box:
                    canvas.fill(Rect(x: xx, y: mid - 5.5, width: 11, height: 11), e.color)
                case let .line(dashed, marker):
                    canvas.setDash(dashed ? [5, 3] : [])
                    canvas.line(xx, mid, xx + sw, mid, color: e.color, width: Style.lineWidth)
                    canvas.setDash([])
                    if marker { drawMarker(canvas, x: xx + sw / 2, y: mid, color: e.color) }
                }
                canvas.drawText(e.name, x: xx + sw + Style.gap, y: mid, font: Style.legendFont,
                                color: Style.text, horizontal: .leading, vertical: .middle)
                xx += l.legendItemWidths[i] + Self.legendSpacing
            }
            top += rowHeight + Self.legendRowGap
        }
    }
}

/// A filled circle with a white rim, the marker of line and curve charts.
func drawMarker(_ canvas: Canvas, x: Double, y: Double, color: Color) {
    canvas.setColor(Style.background)
    canvas.circle(x: x, y: y, radius: 3.6); canvas.fill()
    canvas.setColor(color)
    canvas.circle(x: x, y: y, radius: 2.6); canvas.fill()
}

/// Draws `title` centred at `centerX` on the title line, shrinking the font if the title
/// would not fit the figure width.
func drawTitle(_ canvas: Canvas, _ title: String, centerX: Double) {
    guard !title.isEmpty else { return }
    var font = Style.titleFont
    let available = canvas.width - 2 * Style.margin
    let w = canvas.measure(title, font: font).width
    if w > available { font.size *= available / w }
    let width = canvas.measure(title, font: font).width
    let x = min(max(centerX, Style.margin + width / 2), canvas.width - Style.margin - width / 2)
    canvas.drawText(title, x: x, y: Style.margin, font: font, color: Style.text, horizontal: .center, vertical: .top)
}
