import Foundation

/// One layer of an architecture diagram, as Keras's `plot_model(show_shapes=True)` shows it:
/// name, type, and input/output shapes as text (e.g. "(None, 64, 64, 3)").
public struct DiagramNode: Sendable, Equatable, Encodable {
    public var name: String
    public var type: String
    public var input: String
    public var output: String
    public init(name: String, type: String, input: String, output: String) {
        self.name = name; self.type = type; self.input = input; self.output = output
    }
}

/// A sequential model drawn like Keras's `plot_model(show_shapes=True)`: one box per layer
/// — [name / type | input: / output: | shapes] — joined top to bottom by arrows. Long models
/// wrap into several columns (newspaper order: down the first column, then an elbow arrow
/// through the gutter to the top of the next) so the figure stays within `maxHeight`.
/// All boxes share one width so the shapes line up. `dot()` gives the same graph as
/// Graphviz DOT with record-shaped nodes.
public struct ArchitectureDiagram: Figure {
    public var title: String
    public var nodes: [DiagramNode]
    public let width: Double
    public let height: Double
    /// Geometry measured once in `init`.
    let geometry: Geometry

    struct Geometry: Sendable, Encodable {
        /// Widths of the three box sections: name/type, "input:/output:", shapes.
        var sectionWidths: [Double]
        var rowHeight: Double
        /// Space above the first row of boxes: the title, plus room for connectors when wrapped.
        var titleHeight: Double
        /// Node index ranges, one per column.
        var columns: [Range<Int>]
        var boxWidth: Double { sectionWidths.reduce(0, +) }
        var boxHeight: Double { 2 * rowHeight }
    }

    static let font = Font(size: 10.5)
    static let nameFont = Font(size: 10.5, bold: true)
    static let paddingX = 7.0
    static let paddingY = 4.0
    /// Vertical space between boxes (holds the arrow).
    static let arrowGap = 18.0
    /// Horizontal space between columns (holds the connector).
    static let gutter = 36.0

    /// - Parameter maxHeight: the tallest the figure may be before the layers wrap into
    ///   another column (points).
    public init(title: String, nodes: [DiagramNode], maxHeight: Double = 820) {
        precondition(!nodes.isEmpty, "ArchitectureDiagram '\(title)': no nodes")
        self.title = title; self.nodes = nodes
        let canvas = Canvas.measuring()
        func widest(_ texts: [String], _ f: Font) -> Double { texts.map { canvas.measure($0, font: f).width }.max() ?? 0 }
        let px = ArchitectureDiagram.paddingX
        let sections = [
            max(widest(nodes.map(\.name), ArchitectureDiagram.nameFont), widest(nodes.map(\.type), ArchitectureDiagram.font)) + 2 * px,
            widest(["input:", "output:"], ArchitectureDiagram.font) + 2 * px,
            widest(nodes.map(\.input) + nodes.map(\.output), ArchitectureDiagram.font) + 2 * px,
        ]
        let rowH = (canvas.measure("Ag", font: ArchitectureDiagram.font).height + 2 * ArchitectureDiagram.paddingY).rounded(.up)
        var titleH = title.isEmpty ? 0 : canvas.measure(title, font: Style.titleFont).height + 3 * Style.gap
        // Room above and below the columns for the elbow connectors, should the layers wrap.
        let connectorRoom = ArchitectureDiagram.arrowGap / 2 + 2
        let available = maxHeight - 2 * Style.margin - titleH
        var perColumn = ArchitectureDiagram.maxPerColumn(available: available, boxHeight: 2 * rowH, gap: ArchitectureDiagram.arrowGap)
        if perColumn < nodes.count {
            perColumn = ArchitectureDiagram.maxPerColumn(available: available - 2 * connectorRoom, boxHeight: 2 * rowH,
                                                        gap: ArchitectureDiagram.arrowGap)
        }
        let columns = ArchitectureDiagram.columnSplit(count: nodes.count, maxPerColumn: perColumn)
        let extra = columns.count > 1 ? connectorRoom : 0
        titleH += extra
        let g = Geometry(sectionWidths: sections, rowHeight: rowH, titleHeight: titleH, columns: columns)
        geometry = g
        let tallest = Double(columns.map(\.count).max() ?? 1)
        let contentW = Double(columns.count) * g.boxWidth + Double(columns.count - 1) * ArchitectureDiagram.gutter
        let titleW = canvas.measure(title, font: Style.titleFont).width
        width = (2 * Style.margin + max(contentW, titleW)).rounded(.up)
        height = (2 * Style.margin + titleH + extra + tallest * g.boxHeight + (tallest - 1) * ArchitectureDiagram.arrowGap).rounded(.up)
    }

    /// How many boxes of `boxHeight` with `gap` between them fit in `available` (at least 1).
    public static func maxPerColumn(available: Double, boxHeight: Double, gap: Double) -> Int {
        max(1, Int(((available + gap) / (boxHeight + gap)).rounded(.down)))
    }

    /// Splits `count` nodes into the fewest columns of at most `maxPerColumn`, balanced so
    /// column lengths differ by at most one (earlier columns take the extra node).
    public static func columnSplit(count: Int, maxPerColumn: Int) -> [Range<Int>] {
        precondition(count > 0 && maxPerColumn > 0, "columnSplit: need count and maxPerColumn > 0")
        let columns = (count + maxPerColumn - 1) / maxPerColumn
        let base = count / columns, extra = count % columns
        var ranges: [Range<Int>] = []
        var start = 0
        for c in 0..<columns {
            let n = base + (c < extra ? 1 : 0)
            ranges.append(start..<(start + n))
            start += n
        }
        return ranges
    }

    /// The box of node `i` (top-left origin, points).
    func box(_ i: Int) -> Rect {
        let g = geometry
        let c = g.columns.firstIndex { $0.contains(i) }!
        let row = i - g.columns[c].lowerBound
        let contentW = Double(g.columns.count) * g.boxWidth + Double(g.columns.count - 1) * ArchitectureDiagram.gutter
        let left = (width - contentW) / 2
        return Rect(x: left + Double(c) * (g.boxWidth + ArchitectureDiagram.gutter),
                    y: Style.margin + g.titleHeight + Double(row) * (g.boxHeight + ArchitectureDiagram.arrowGap),
                    width: g.boxWidth, height: g.boxHeight)
    }

    /// Tint of a layer's name cell by family, so convolutions, pooling, dense and
    /// regularisation layers are told apart at a glance (the type is also written out).
    static func tint(_ type: String) -> Color {
        let t = type.lowercased()
        let base: Color
        if t.contains("conv") { base = Palette.blue }
        else if t.contains("pool") { base = Palette.bluishGreen }
        else if t.contains("dense") || t.contains("lstm") || t.contains("gru") || t.contains("rnn") { base = Palette.orange }
        else if t.contains("dropout") || t.contains("normalization") { base = Palette.reddishPurple }
        else { base = Color(hex: 0x999999) }
        return Style.background.mixed(with: base, 0.16)
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let g = geometry
        let px = ArchitectureDiagram.paddingX
        let line = Style.text.withAlpha(0.85)
        for (i, node) in nodes.enumerated() {
            let b = box(i)
            let s0 = g.sectionWidths[0], s1 = g.sectionWidths[1]
            canvas.fill(Rect(x: b.x, y: b.y, width: s0, height: b.height), ArchitectureDiagram.tint(node.type))
            canvas.setColor(line); canvas.setLineWidth(1)
            canvas.rectangle(b.inset(by: 0.5)); canvas.stroke()
            canvas.line(b.x + s0, b.minY, b.x + s0, b.maxY, color: line, width: 1)
            canvas.line(b.x + s0 + s1, b.minY, b.x + s0 + s1, b.maxY, color: line, width: 1)
            canvas.line(b.x + s0, b.midY, b.maxX, b.midY, color: Style.grid.mixed(with: line, 0.35), width: 0.8)
            let top = b.minY + g.rowHeight / 2, bottom = b.minY + 1.5 * g.rowHeight
            canvas.drawText(node.name, x: b.x + s0 / 2, y: top, font: ArchitectureDiagram.nameFont, color: Style.text,
                            horizontal: .center, vertical: .middle)
            canvas.drawText(node.type, x: b.x + s0 / 2, y: bottom, font: ArchitectureDiagram.font, color: Style.secondaryText,
                            horizontal: .center, vertical: .middle)
            canvas.drawText("input:", x: b.x + s0 + px, y: top, font: ArchitectureDiagram.font, color: Style.secondaryText,
                            horizontal: .leading, vertical: .middle)
            canvas.drawText("output:", x: b.x + s0 + px, y: bottom, font: ArchitectureDiagram.font, color: Style.secondaryText,
                            horizontal: .leading, vertical: .middle)
            canvas.drawText(node.input, x: b.x + s0 + s1 + px, y: top, font: ArchitectureDiagram.font, color: Style.text,
                            horizontal: .leading, vertical: .middle)
            canvas.drawText(node.output, x: b.x + s0 + s1 + px, y: bottom, font: ArchitectureDiagram.font, color: Style.text,
                            horizontal: .leading, vertical: .middle)
        }
        // Arrows: straight down within a column; an elbow through the gutter between columns.
        for i in 0..<(nodes.count - 1) {
            let a = box(i), b = box(i + 1)
            canvas.setColor(line); canvas.setLineWidth(1.2)
            if abs(a.x - b.x) < 0.5 {
                canvas.moveTo(a.midX, a.maxY); canvas.lineTo(b.midX, b.minY - 5); canvas.stroke()
            } else {
                let half = ArchitectureDiagram.arrowGap / 2
                let gutterX = a.maxX + ArchitectureDiagram.gutter / 2
                canvas.moveTo(a.midX, a.maxY); canvas.lineTo(a.midX, a.maxY + half)
                canvas.lineTo(gutterX, a.maxY + half); canvas.lineTo(gutterX, b.minY - half)
                canvas.lineTo(b.midX, b.minY - half); canvas.lineTo(b.midX, b.minY - 5); canvas.stroke()
            }
            arrowHead(canvas, x: b.midX, y: b.minY, color: line)
        }
        drawTitle(canvas, title, centerX: width / 2)
    }

    private func arrowHead(_ canvas: Canvas, x: Double, y: Double, color: Color) {
        canvas.setColor(color)
        canvas.moveTo(x, y); canvas.lineTo(x - 4, y - 7); canvas.lineTo(x + 4, y - 7); canvas.closePath()
        canvas.fill()
    }

    /// The diagram as Graphviz DOT: a top-to-bottom digraph of record nodes
    /// `{name|type}|{input:|output:}|{in|out}` joined in order, titled with `title`.
    public func dot() -> String {
        func esc(_ s: String) -> String {
            var out = ""
            for ch in s {
                if "{}|<>\"\\".contains(ch) { out.append("\\") }
                out.append(ch)
            }
            return out
        }
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = ["digraph \(quoted(title)) {",
                     "  graph [rankdir=TB, labelloc=t, fontname=\"DejaVu Sans\", label=\(quoted(title))];",
                     "  node [shape=record, fontname=\"DejaVu Sans\", fontsize=10];",
                     "  edge [arrowsize=0.7];"]
        for (i, n) in nodes.enumerated() {
            let label = "{\(esc(n.name))|\(esc(n.type))}|{input:|output:}|{\(esc(n.input))|\(esc(n.output))}"
            lines.append("  n\(i) [label=\"\(label)\"];")
        }
        for i in 0..<(nodes.count - 1) { lines.append("  n\(i) -> n\(i + 1);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
