import Foundation

/// A matrix of coloured cells (viridis over `range`) with row labels on the left, column
/// labels below, optional text in each cell and a colour bar on the right — confusion
/// matrices (counts or normalised), co-occurrence tables.
///
/// `values[r][c]` is row r (top to bottom), column c (left to right). Cell text:
/// `annotations` as given; nil prints each value — integers with thousands separators
/// when every value is whole, otherwise all with two decimals; an empty array prints nothing.
/// The text is white on dark cells and black on light ones. Cells are square (at most 160 pt)
/// unless their column labels or texts need wider ones.
public struct Heatmap: Figure {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var rowLabels: [String]
    public var colLabels: [String]
    public var values: [[Double]]
    public var annotations: [[String]]?
    public var colorBarLabel: String
    /// Values mapped to the ends of the colour map; nil uses the data's minimum and maximum.
    public var range: ClosedRange<Double>?
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String = "", yLabel: String = "", rowLabels: [String],
                colLabels: [String], values: [[Double]], annotations: [[String]]? = nil,
                colorBarLabel: String = "", range: ClosedRange<Double>? = nil,
                width: Double = 560, height: Double = 460) {
        precondition(!rowLabels.isEmpty && !colLabels.isEmpty, "Heatmap '\(title)': no rows or columns")
        precondition(values.count == rowLabels.count && values.allSatisfy { $0.count == colLabels.count },
                     "Heatmap '\(title)': values must be \(rowLabels.count) rows × \(colLabels.count) columns")
        if let a = annotations, !a.isEmpty {
            precondition(a.count == rowLabels.count && a.allSatisfy { $0.count == colLabels.count },
                         "Heatmap '\(title)': annotations must be \(rowLabels.count) rows × \(colLabels.count) columns")
        }
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.rowLabels = rowLabels; self.colLabels = colLabels; self.values = values
        self.annotations = annotations; self.colorBarLabel = colorBarLabel; self.range = range
        self.width = width; self.height = height
    }

    /// The value range the colours span (widened if all values are equal).
    var colorRange: ClosedRange<Double> {
        if let range { return range }
        let flat = values.flatMap { $0 }.filter(\.isFinite)
        let lo = flat.min() ?? 0, hi = flat.max() ?? 1
        return lo < hi ? lo...hi : (lo - 0.5)...(hi + 0.5)
    }

    func text(row r: Int, col c: Int) -> String {
        guard let annotations else {
            let whole = values.allSatisfy { $0.allSatisfy { $0 == $0.rounded() } }
            return whole ? formatValue(values[r][c]) : formatNumber(values[r][c], decimals: 2)
        }
        return annotations.isEmpty ? "" : annotations[r][c]
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let g = Style.gap
        let rows = rowLabels.count, cols = colLabels.count
        let cr = colorRange
        let barAxis = Axis.fixed(colorBarLabel, lo: cr.lowerBound, hi: cr.upperBound, maxTicks: 6)
        let tickH = canvas.measure("0", font: Style.tickFont).height
        let labelH = canvas.measure("Ag", font: Style.labelFont).height
        let rowLabelW = rowLabels.map { canvas.measure($0, font: Style.tickFont).width }.max() ?? 0
        let barTickW = barAxis.tickLabels.map { canvas.measure($0, font: Style.tickFont).width }.max() ?? 0

        // Horizontal budget: [yLabel] [row labels] grid [bar] [bar ticks] [bar label].
        let leftW = (yLabel.isEmpty ? 0 : labelH + 2 * g) + rowLabelW + g
        let barW = 14.0
        let rightW = 3 * g + barW + Style.tickLength + g + barTickW + (colorBarLabel.isEmpty ? 0 : 2 * g + labelH)
        let top = Style.margin + (title.isEmpty ? 0 : canvas.measure(title, font: Style.titleFont).height + 3 * g)
        let availW = width - 2 * Style.margin - leftW - rightW
        // Column labels may wrap to two lines; reserve for the worst case measured at the slot width.
        let measureTick: (String) -> Double = { canvas.measure($0, font: Style.tickFont).width }
        // Column labels may wrap; reserve for the worst case measured at the slot width.
        var side = min(availW / Double(cols), (height - top - Style.margin) / Double(rows))
        var colLines = colLabels.map { ChartLayout.wrap($0, maxWidth: side - 4, measure: measureTick) }
        let bottomW = { (lines: [[String]]) in
            g + Double(lines.map(\.count).max() ?? 1) * tickH + (xLabel.isEmpty ? 0 : 2 * g + labelH) }
        side = min(availW / Double(cols), (height - top - Style.margin - bottomW(colLines)) / Double(rows), 160)
        // Widen (not heighten) the cells when a label word or a cell text needs more room.
        let words = colLabels.flatMap { $0.split(separator: " ").map { measureTick(String($0)) } }
        let texts = (0..<rows).flatMap { r in (0..<cols).map { c in text(row: r, col: c) } }
        let textFont = Font(size: min(15, max(9, side * 0.12)))
        let needed = max((words.max() ?? 0) + 8, (texts.map { canvas.measure($0, font: textFont).width }.max() ?? 0) + 10)
        let cellW = min(availW / Double(cols), max(side, needed)), cellH = side
        colLines = colLabels.map { ChartLayout.wrap($0, maxWidth: cellW - 4, measure: measureTick) }
        let gridW = cellW * Double(cols), gridH = cellH * Double(rows)
        let blockW = leftW + gridW + rightW
        let x0 = max(Style.margin, (width - blockW) / 2) + leftW
        let blockH = gridH + bottomW(colLines)
        let y0 = top + max(0, (height - top - Style.margin - blockH) / 2)
        let grid = Rect(x: x0, y: y0, width: gridW, height: gridH)

        // Cells and their text.
        // Cell text grows with the cells (9…15 pt) and shrinks to fit the widest text.
        var font = textFont
        let widest = texts.map { canvas.measure($0, font: font).width }.max() ?? 0
        if widest > cellW - 6 { font.size *= max(0.5, (cellW - 6) / widest) }
        for r in 0..<rows {
            for c in 0..<cols {
                let v = values[r][c]
                let t = (v - cr.lowerBound) / (cr.upperBound - cr.lowerBound)
                let color = v.isFinite ? ColorMap.viridis(t) : Style.grid
                let rect = Rect(x: grid.x + cellW * Double(c), y: grid.y + cellH * Double(r), width: cellW, height: cellH)
                canvas.fill(rect, color)
                let s = texts[r * cols + c]
                canvas.drawText(s, x: rect.midX, y: rect.midY, font: font,
                                color: color.luminance > 0.3 ? Style.text : Style.background,
                                horizontal: .center, vertical: .middle)
            }
        }
        // White seams between cells keep them apart without a heavy frame.
        for c in 1..<max(cols, 1) {
            let x = grid.x + cellW * Double(c)
            canvas.line(x, grid.minY, x, grid.maxY, color: Style.background, width: 1)
        }
        for r in 1..<max(rows, 1) {
            let y = grid.y + cellH * Double(r)
            canvas.line(grid.minX, y, grid.maxX, y, color: Style.background, width: 1)
        }

        // Row and column labels, axis labels.
        for (r, label) in rowLabels.enumerated() {
            canvas.drawText(label, x: grid.minX - g, y: grid.y + cellH * (Double(r) + 0.5), font: Style.tickFont,
                            color: Style.secondaryText, horizontal: .trailing, vertical: .middle)
        }
        for (c, lines) in colLines.enumerated() {
            for (j, line) in lines.enumerated() {
                canvas.drawText(line, x: grid.x + cellW * (Double(c) + 0.5), y: grid.maxY + g + Double(j) * tickH,
                                font: Style.tickFont, color: Style.secondaryText, horizontal: .center, vertical: .top)
            }
        }
        let colLabelH = Double(colLines.map(\.count).max() ?? 1) * tickH
        if !xLabel.isEmpty {
            canvas.drawText(xLabel, x: grid.midX, y: grid.maxY + g + colLabelH + 2 * g, font: Style.labelFont,
                            color: Style.text, horizontal: .center, vertical: .top)
        }
        if !yLabel.isEmpty {
            canvas.drawText(yLabel, x: grid.minX - g - rowLabelW - 2 * g - labelH, y: grid.midY, font: Style.labelFont,
                            color: Style.text, horizontal: .center, vertical: .top, rotation: -Double.pi / 2)
        }

        // Colour bar: a stack of thin bands, ticks and labels on its right.
        let bar = Rect(x: grid.maxX + 3 * g, y: grid.minY, width: barW, height: gridH)
        let bands = 128
        for k in 0..<bands {
            let t0 = Double(k) / Double(bands)
            let band = Rect(x: bar.x, y: bar.maxY - bar.height * (t0 + 1 / Double(bands)) - 0.3,
                            width: bar.width, height: bar.height / Double(bands) + 0.6)
            canvas.fill(band, ColorMap.viridis(t0 + 0.5 / Double(bands)))
        }
        for (t, label) in zip(barAxis.ticks, barAxis.tickLabels) {
            let y = bar.maxY - bar.height * barAxis.fraction(t)
            canvas.line(bar.maxX, y, bar.maxX + Style.tickLength, y, color: Style.axis, width: Style.axisWidth)
            canvas.drawText(label, x: bar.maxX + Style.tickLength + g, y: y, font: Style.tickFont,
                            color: Style.secondaryText, horizontal: .leading, vertical: .middle)
        }
        if !colorBarLabel.isEmpty {
            canvas.drawText(colorBarLabel, x: bar.maxX + Style.tickLength + g + barTickW + 2 * g + labelH, y: bar.midY,
                            font: Style.labelFont, color: Style.text, horizontal: .center, vertical: .top,
                            rotation: Double.pi / 2)
        }
        drawTitle(canvas, title, centerX: grid.midX)
    }
}
