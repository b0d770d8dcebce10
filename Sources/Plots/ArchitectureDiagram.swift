import Foundation

/// One layer of an architecture diagram, as Keras's `plot_model(show_shapes=True)` shows it:
/// name, type, and input/output shapes as text (e.g. "(None, 64, 64, 3)").
public struct DiagramNode: Sendable, Equatable, Encodable {
    public var name: String
    public var type: String
    public var input: String
    public var output: String
    /// The layer's activation ("relu"), shown with `DiagramOptions.showActivations`; nil
    /// for layers without one (drawn as "–").
    public var activation: String?
    /// Whether the layer's weights are trained, shown as Y/N with
    /// `DiagramOptions.showTrainable`; nil when not known (drawn as "–").
    public var trainable: Bool?
    public init(name: String, type: String, input: String, output: String, activation: String? = nil, trainable: Bool? = nil) {
        self.name = name; self.type = type; self.input = input; self.output = output
        self.activation = activation; self.trainable = trainable
    }
}

/// Keras `plot_model`'s drawing options. The defaults draw exactly what
/// `ArchitectureDiagram` drew before options existed.
public struct DiagramOptions: Sendable, Equatable, Encodable {
    /// The direction of the flow, Graphviz's `rankdir`: top to bottom or left to right.
    public enum Direction: String, CaseIterable, Sendable, Encodable { case TB, LR }

    /// TB: boxes go down and wrap into columns past `maxHeight`; LR: boxes go right and
    /// wrap into rows past `maxWidth`.
    public var rankdir: Direction
    /// Add an "activation" cell to each box (`show_layer_activations`).
    public var showActivations: Bool
    /// Add a "trainable" Y/N cell to each box (`show_trainable`).
    public var showTrainable: Bool
    /// One line per box — name, type and output shape (the input shape is the previous
    /// box's output) — so long models take half the space.
    public var compact: Bool
    /// Dots per inch of raster output (`dpi`): PNG is drawn at dpi/72 pixels per point
    /// (72 is the 1× PNG, 144 the @2x) and the DOT graph gets `dpi=`. Nil keeps the defaults.
    public var dpi: Double?

    public init(rankdir: Direction = .TB, showActivations: Bool = false, showTrainable: Bool = false,
                compact: Bool = false, dpi: Double? = nil) {
        self.rankdir = rankdir; self.showActivations = showActivations; self.showTrainable = showTrainable
        self.compact = compact; self.dpi = dpi
    }

    /// PNG pixels per point for `dpi` (nil without one).
    public var pngScale: Double? { dpi.map { $0 / 72 } }
}

/// A sequential model drawn like Keras's `plot_model(show_shapes=True)`: one box per layer
/// — [name / type | input: / output: | shapes] — joined top to bottom by arrows. Long models
/// wrap into several columns (newspaper order: down the first column, then an elbow arrow
/// through the gutter to the top of the next) so the figure stays within `maxHeight`.
/// All boxes share one width so the shapes line up. `dot()` gives the same graph as
/// Graphviz DOT with record-shaped nodes. `DiagramOptions` adds plot_model's options:
/// left-to-right flow (rows that wrap like the columns do), activation and trainable
/// cells, one-line compact boxes, a dpi.
public struct ArchitectureDiagram: Figure {
    public var title: String
    public var nodes: [DiagramNode]
    public let options: DiagramOptions
    public let width: Double
    public let height: Double
    /// Geometry measured once in `init`.
    let geometry: Geometry

    struct Geometry: Sendable, Encodable {
        /// Widths of the box sections. Default: name/type, "input:/output:", shapes; compact:
        /// name, type, output shape; then the activation and trainable cells when shown.
        var sectionWidths: [Double]
        var rowHeight: Double
        /// Rows per box: 2, or 1 in compact mode.
        var rows: Int = 2
        /// Space above the first row of boxes: the title, plus room for connectors when wrapped.
        var titleHeight: Double
        /// Node index ranges, one per column (TB) or row (LR) of boxes.
        var columns: [Range<Int>]
        /// Room left and right of the rows for the connectors when LR wraps.
        var sideRoom: Double = 0
        var boxWidth: Double { sectionWidths.reduce(0, +) }
        var boxHeight: Double { Double(rows) * rowHeight }
    }

    static let font = Font(size: 10.5)
    static let nameFont = Font(size: 10.5, bold: true)
    static let paddingX = 7.0
    static let paddingY = 4.0
    /// Vertical space between boxes (holds the arrow).
    static let arrowGap = 18.0
    /// Horizontal space between columns (holds the connector).
    static let gutter = 36.0
    /// LR: horizontal space between boxes (holds the arrow) and vertical space between rows.
    static let arrowGapLR = 26.0
    static let gutterLR = 30.0

    /// - Parameters:
    ///   - maxHeight: TB: the tallest the figure may be before the layers wrap into another
    ///     column (points).
    ///   - maxWidth: LR: the widest the figure may be before the boxes wrap into another row.
    ///   - options: plot_model's options; the default (or only a dpi) draws the classic diagram.
    public init(title: String, nodes: [DiagramNode], maxHeight: Double = 820, maxWidth: Double = 1400,
                options: DiagramOptions = DiagramOptions()) {
        precondition(!nodes.isEmpty, "ArchitectureDiagram '\(title)': no nodes")
        self.title = title; self.nodes = nodes; self.options = options
        if options != DiagramOptions(dpi: options.dpi) {
            (geometry, width, height) = ArchitectureDiagram.layout(title: title, nodes: nodes, options: options,
                                                                    maxHeight: maxHeight, maxWidth: maxWidth)
            return
        }
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
        if options.rankdir == .LR {
            let longest = Double(g.columns.map(\.count).max() ?? 1)
            let contentW = longest * g.boxWidth + (longest - 1) * ArchitectureDiagram.arrowGapLR + 2 * g.sideRoom
            let left = (width - contentW) / 2 + g.sideRoom
            return Rect(x: left + Double(row) * (g.boxWidth + ArchitectureDiagram.arrowGapLR),
                        y: Style.margin + g.titleHeight + Double(c) * (g.boxHeight + ArchitectureDiagram.gutterLR),
                        width: g.boxWidth, height: g.boxHeight)
        }
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
        if geometry.rows == 1 || geometry.sectionWidths.count > 3 || options.rankdir == .LR {
            drawWithOptions(canvas)
            return
        }
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

    /// The diagram as Graphviz DOT: a digraph (rankdir from the options, TB by default) of
    /// record nodes `{name|type}|{input:|output:}|{in|out}` joined in order, titled with
    /// `title`. Compact boxes are `name|type|out`; shown activations and trainability add
    /// `{activation|relu}` / `{trainable|Y}` cells (compact: `relu`, `Y`); a dpi adds `dpi=`.
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
                     "  graph [rankdir=\(options.rankdir.rawValue), labelloc=t, fontname=\"DejaVu Sans\", label=\(quoted(title))"
                        + (options.dpi.map { ", dpi=\(ArchitectureDiagram.number($0))" } ?? "") + "];",
                     "  node [shape=record, fontname=\"DejaVu Sans\", fontsize=10];",
                     "  edge [arrowsize=0.7];"]
        for (i, n) in nodes.enumerated() {
            var label = options.compact ? "\(esc(n.name))|\(esc(n.type))|\(esc(n.output))"
                                        : "{\(esc(n.name))|\(esc(n.type))}|{input:|output:}|{\(esc(n.input))|\(esc(n.output))}"
            if options.showActivations {
                let a = esc(n.activation ?? "–")
                label += options.compact ? "|\(a)" : "|{activation|\(a)}"
            }
            if options.showTrainable {
                let t = ArchitectureDiagram.trainableText(n.trainable)
                label += options.compact ? "|\(t)" : "|{trainable|\(t)}"
            }
            lines.append("  n\(i) [label=\"\(label)\"];")
        }
        for i in 0..<(nodes.count - 1) { lines.append("  n\(i) -> n\(i + 1);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - plot_model's options

extension ArchitectureDiagram {
    /// "Y", "N" or "–" for a node's trainability.
    static func trainableText(_ t: Bool?) -> String { t.map { $0 ? "Y" : "N" } ?? "–" }

    /// A number without a needless ".0" (`144`, `150.5`).
    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }

    /// The cells of node `n`'s box, one list of texts per section (one text per row).
    func cells(_ n: DiagramNode) -> [[String]] { ArchitectureDiagram.cells(n, options) }

    static func cells(_ n: DiagramNode, _ options: DiagramOptions) -> [[String]] {
        var out: [[String]] = options.compact ? [[n.name], [n.type], [n.output]]
                                              : [[n.name, n.type], ["input:", "output:"], [n.input, n.output]]
        if options.showActivations { out.append(options.compact ? [n.activation ?? "–"] : ["activation", n.activation ?? "–"]) }
        if options.showTrainable {
            let t = ArchitectureDiagram.trainableText(n.trainable)
            out.append(options.compact ? [t] : ["trainable", t])
        }
        return out
    }

    /// The layout for non-default options: sections measured from the cells, then boxes
    /// placed top to bottom in columns (TB, wrapping past `maxHeight`) or left to right in
    /// rows (LR, wrapping past `maxWidth`), newspaper order in both.
    static func layout(title: String, nodes: [DiagramNode], options: DiagramOptions, maxHeight: Double,
                       maxWidth: Double) -> (Geometry, Double, Double) {
        let canvas = Canvas.measuring()
        let px = paddingX
        let allCells = nodes.map { cells($0, options) }
        let sectionCount = allCells[0].count
        var sections: [Double] = []
        for k in 0..<sectionCount {
            var widest = 0.0
            for c in allCells {
                for (row, text) in c[k].enumerated() {
                    let bold = k == 0 && row == 0
                    widest = max(widest, canvas.measure(text, font: bold ? nameFont : font).width)
                }
            }
            sections.append(widest + 2 * px)
        }
        let rows = options.compact ? 1 : 2
        let rowH = (canvas.measure("Ag", font: font).height + 2 * paddingY).rounded(.up)
        var titleH = title.isEmpty ? 0 : canvas.measure(title, font: Style.titleFont).height + 3 * Style.gap
        let titleW = canvas.measure(title, font: Style.titleFont).width
        let boxW = sections.reduce(0, +), boxH = Double(rows) * rowH
        if options.rankdir == .TB {
            let connectorRoom = arrowGap / 2 + 2
            let available = maxHeight - 2 * Style.margin - titleH
            var perColumn = maxPerColumn(available: available, boxHeight: boxH, gap: arrowGap)
            if perColumn < nodes.count {
                perColumn = maxPerColumn(available: available - 2 * connectorRoom, boxHeight: boxH, gap: arrowGap)
            }
            let columns = columnSplit(count: nodes.count, maxPerColumn: perColumn)
            let extra = columns.count > 1 ? connectorRoom : 0
            titleH += extra
            let g = Geometry(sectionWidths: sections, rowHeight: rowH, rows: rows, titleHeight: titleH, columns: columns)
            let tallest = Double(columns.map(\.count).max() ?? 1)
            let contentW = Double(columns.count) * boxW + Double(columns.count - 1) * gutter
            return (g, (2 * Style.margin + max(contentW, titleW)).rounded(.up),
                    (2 * Style.margin + titleH + extra + tallest * boxH + (tallest - 1) * arrowGap).rounded(.up))
        }
        let sideRoom = arrowGapLR / 2 + 2
        let available = maxWidth - 2 * Style.margin
        var perRow = maxPerColumn(available: available, boxHeight: boxW, gap: arrowGapLR)
        if perRow < nodes.count {
            perRow = maxPerColumn(available: available - 2 * sideRoom, boxHeight: boxW, gap: arrowGapLR)
        }
        let lanes = columnSplit(count: nodes.count, maxPerColumn: perRow)
        let side = lanes.count > 1 ? sideRoom : 0
        let g = Geometry(sectionWidths: sections, rowHeight: rowH, rows: rows, titleHeight: titleH, columns: lanes,
                         sideRoom: side)
        let longest = Double(lanes.map(\.count).max() ?? 1)
        let contentW = longest * boxW + (longest - 1) * arrowGapLR + 2 * side
        let contentH = Double(lanes.count) * boxH + Double(lanes.count - 1) * gutterLR
        return (g, (2 * Style.margin + max(contentW, titleW)).rounded(.up),
                (2 * Style.margin + titleH + contentH).rounded(.up))
    }

    /// Draws boxes whose sections come from `cells`, with arrows in the flow's direction.
    func drawWithOptions(_ canvas: Canvas) {
        let g = geometry
        let px = ArchitectureDiagram.paddingX
        let line = Style.text.withAlpha(0.85)
        for (i, node) in nodes.enumerated() {
            let b = box(i)
            let cells = cells(node)
            let tinted = options.compact ? g.sectionWidths[0] + g.sectionWidths[1] : g.sectionWidths[0]
            canvas.fill(Rect(x: b.x, y: b.y, width: tinted, height: b.height), ArchitectureDiagram.tint(node.type))
            canvas.setColor(line); canvas.setLineWidth(1)
            canvas.rectangle(b.inset(by: 0.5)); canvas.stroke()
            var x = b.x
            for (k, cell) in cells.enumerated() {
                let w = g.sectionWidths[k]
                if k > 0 { canvas.line(x, b.minY, x, b.maxY, color: line, width: 1) }
                if cell.count == 2 && k > 0 {
                    canvas.line(x, b.midY, x + w, b.midY, color: Style.grid.mixed(with: line, 0.35), width: 0.8)
                }
                for (row, text) in cell.enumerated() {
                    let y = b.minY + (Double(row) + 0.5) * g.rowHeight
                    let isName = k == 0 && row == 0
                    // Labels ("input:", "activation") in secondary text; names and values in text colour.
                    let secondary = options.compact ? k == 1 : ((k == 0 && row == 1) || k == 1 || (k >= 3 && row == 0))
                    let leading = !options.compact && (k == 1 || k == 2)
                    canvas.drawText(text, x: leading ? x + px : x + w / 2, y: y,
                                    font: isName ? ArchitectureDiagram.nameFont : ArchitectureDiagram.font,
                                    color: secondary ? Style.secondaryText : Style.text,
                                    horizontal: leading ? .leading : .center, vertical: .middle)
                }
                x += w
            }
        }
        for i in 0..<(nodes.count - 1) {
            let a = box(i), b = box(i + 1)
            canvas.setColor(line); canvas.setLineWidth(1.2)
            if options.rankdir == .TB {
                if abs(a.x - b.x) < 0.5 {
                    canvas.moveTo(a.midX, a.maxY); canvas.lineTo(b.midX, b.minY - 5); canvas.stroke()
                } else {
                    let half = ArchitectureDiagram.arrowGap / 2
                    let gutterX = a.maxX + ArchitectureDiagram.gutter / 2
                    canvas.moveTo(a.midX, a.maxY); canvas.lineTo(a.midX, a.maxY + half)
                    canvas.lineTo(gutterX, a.maxY + half); canvas.lineTo(gutterX, b.minY - half)
                    canvas.lineTo(b.midX, b.minY - half); canvas.lineTo(b.midX, b.minY - 5); canvas.stroke()
                }
                canvas.setColor(line)
                canvas.moveTo(b.midX, b.minY); canvas.lineTo(b.midX - 4, b.minY - 7); canvas.lineTo(b.midX + 4, b.minY - 7)
                canvas.closePath(); canvas.fill()
            } else {
                if abs(a.y - b.y) < 0.5 {
                    canvas.moveTo(a.maxX, a.midY); canvas.lineTo(b.minX - 5, b.midY); canvas.stroke()
                } else {
                    let half = ArchitectureDiagram.arrowGapLR / 2
                    let gapY = a.maxY + ArchitectureDiagram.gutterLR / 2
                    canvas.moveTo(a.maxX, a.midY); canvas.lineTo(a.maxX + half, a.midY)
                    canvas.lineTo(a.maxX + half, gapY); canvas.lineTo(b.minX - half, gapY)
                    canvas.lineTo(b.minX - half, b.midY); canvas.lineTo(b.minX - 5, b.midY); canvas.stroke()
                }
                canvas.setColor(line)
                canvas.moveTo(b.minX, b.midY); canvas.lineTo(b.minX - 7, b.midY - 4); canvas.lineTo(b.minX - 7, b.midY + 4)
                canvas.closePath(); canvas.fill()
            }
        }
        drawTitle(canvas, title, centerX: width / 2)
    }
}
