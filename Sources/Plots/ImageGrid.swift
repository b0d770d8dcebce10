import Foundation

/// One image of an `ImageGrid`: 8-bit grey pixels, or float values shown in grey (min…max)
/// or through the diverging colour map over a symmetric range −m…m (difference images).
/// Pixels are row-major, `height` rows of `width` values.
public struct ImageCell: Sendable, Equatable, Encodable {
    public enum Content: Sendable, Equatable, Encodable {
        case gray([UInt8])
        /// Float values; `diverging` picks the blue–white–red map over −m…m where m is
        /// `limit` or max |value|; otherwise grey over the values' min…max.
        case values([Float], diverging: Bool, limit: Double?)
    }

    public var caption: String
    public var width: Int
    public var height: Int
    public var content: Content

    /// A grey image from 8-bit pixels (0 black … 255 white).
    public init(caption: String, width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height,
                     "ImageCell '\(caption)': \(pixels.count) pixels for \(width)×\(height)")
        self.caption = caption; self.width = width; self.height = height; self.content = .gray(pixels)
    }

    /// An image from float values: with `diverging`, the diverging map over the symmetric
    /// range −limit…limit (limit nil → max |value|, so 0 is white); otherwise grey min…max.
    public init(caption: String, width: Int, height: Int, values: [Float], diverging: Bool, limit: Double? = nil) {
        precondition(width > 0 && height > 0 && values.count == width * height,
                     "ImageCell '\(caption)': \(values.count) values for \(width)×\(height)")
        self.caption = caption; self.width = width; self.height = height
        self.content = .values(values, diverging: diverging, limit: limit)
    }

    /// The values mapped to the ends of the colour map: −m…m for a diverging cell, min…max
    /// for a grey float cell, nil for 8-bit pixels (0…255). Put it in the caption when the
    /// scale matters, e.g. "difference (±0.31)".
    public var displayRange: ClosedRange<Double>? {
        guard case let .values(v, diverging, limit) = content else { return nil }
        let finite = v.filter(\.isFinite).map(Double.init)
        if diverging {
            let m = limit ?? (finite.map(abs).max() ?? 1)
            let scale = m > 0 ? m : 1
            return -scale...scale
        }
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        return lo...(hi > lo ? hi : lo + 1)
    }

    /// RGB bytes (height × width × 3) of the cell as drawn.
    func rgb() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        switch content {
        case let .gray(p):
            for (i, v) in p.enumerated() { out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v }
        case let .values(v, diverging, _):
            let range = displayRange!
            if diverging {
                let scale = range.upperBound
                for (i, x) in v.enumerated() {
                    let (r, g, b) = ColorMap.diverging(0.5 + 0.5 * Double(x) / scale).bytes
                    out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b
                }
            } else {
                let lo = range.lowerBound, span = range.upperBound - range.lowerBound
                for (i, x) in v.enumerated() {
                    let g = UInt8((min(max((Double(x) - lo) / span, 0), 1) * 255).rounded())
                    out[3 * i] = g; out[3 * i + 1] = g; out[3 * i + 2] = g
                }
            }
        }
        return out
    }
}

/// Images in a grid of `columns` columns, each scaled (nearest neighbour, so pixels stay
/// sharp squares) to fit a `cellSize` × `cellSize` box, with a caption under each (wrapped
/// to at most two lines). The figure's size follows from the grid.
public struct ImageGrid: Figure {
    public var title: String
    public var columns: Int
    public var cells: [ImageCell]
    public var cellSize: Double
    public let width: Double
    public let height: Double
    /// Caption lines per cell, measured once.
    let captionLines: [[String]]

    static let columnGap = 14.0
    static let rowGap = 12.0

    public init(title: String, columns: Int, cells: [ImageCell], cellSize: Double = 128) {
        precondition(columns > 0, "ImageGrid '\(title)': columns must be positive")
        precondition(!cells.isEmpty, "ImageGrid '\(title)': no cells")
        precondition(cellSize >= 16, "ImageGrid '\(title)': cellSize \(cellSize) is too small")
        self.title = title; self.columns = columns; self.cells = cells; self.cellSize = cellSize
        let canvas = Canvas.measuring()
        captionLines = cells.map { cell in
            var lines = ChartLayout.wrap(cell.caption, maxWidth: cellSize) { canvas.measure($0, font: Style.captionFont).width }
            if lines.count > 2 { lines = [lines[0], lines[1...].joined(separator: " ")] }
            return lines.map { ImageGrid.truncate($0, to: cellSize, canvas: canvas) }
        }
        let m = ImageGrid.metrics(title: title, columns: columns, count: cells.count, cellSize: cellSize,
                                  captionLines: captionLines.map(\.count).max() ?? 0, canvas: canvas)
        width = m.width; height = m.height
    }

    /// `text` shortened with "…" until it is at most `width` wide.
    static func truncate(_ text: String, to width: Double, canvas: Canvas) -> String {
        guard canvas.measure(text, font: Style.captionFont).width > width else { return text }
        var chars = Array(text)
        while !chars.isEmpty && canvas.measure(String(chars) + "…", font: Style.captionFont).width > width {
            chars.removeLast()
        }
        return String(chars) + "…"
    }

    /// Grid geometry: the figure size and the height of one row (image + captions + gap).
    static func metrics(title: String, columns: Int, count: Int, cellSize: Double, captionLines: Int,
                        canvas: Canvas) -> (width: Double, height: Double, titleHeight: Double, rowHeight: Double) {
        let cols = min(columns, count)
        let rows = (count + columns - 1) / columns
        let titleH = title.isEmpty ? 0 : canvas.measure(title, font: Style.titleFont).height + 3 * Style.gap
        let lineH = canvas.measure("Ag", font: Style.captionFont).height
        let captionH = captionLines == 0 ? 0 : Style.gap + Double(captionLines) * lineH
        let rowH = cellSize + captionH
        let w = 2 * Style.margin + Double(cols) * cellSize + Double(cols - 1) * columnGap
        let h = 2 * Style.margin + titleH + Double(rows) * rowH + Double(rows - 1) * rowGap
        return (w.rounded(.up), h.rounded(.up), titleH, rowH)
    }

    public func draw(_ canvas: Canvas) throws(PlotError) {
        let m = ImageGrid.metrics(title: title, columns: columns, count: cells.count, cellSize: cellSize,
                                  captionLines: captionLines.map(\.count).max() ?? 0, canvas: canvas)
        let lineH = canvas.measure("Ag", font: Style.captionFont).height
        for (i, cell) in cells.enumerated() {
            let col = i % columns, row = i / columns
            let x = Style.margin + Double(col) * (cellSize + ImageGrid.columnGap)
            let y = Style.margin + m.titleHeight + Double(row) * (m.rowHeight + ImageGrid.rowGap)
            // Fit the image into the square cell, keeping its aspect ratio, centred.
            let scale = cellSize / Double(max(cell.width, cell.height))
            let w = Double(cell.width) * scale, h = Double(cell.height) * scale
            let box = Rect(x: x + (cellSize - w) / 2, y: y + (cellSize - h) / 2, width: w, height: h)
            canvas.drawImage(width: cell.width, height: cell.height, rgb: cell.rgb(), in: box)
            canvas.setColor(Style.axis.withAlpha(0.5)); canvas.setLineWidth(0.5)
            canvas.rectangle(box.inset(by: -0.25)); canvas.stroke()
            for (j, line) in captionLines[i].enumerated() {
                canvas.drawText(line, x: x + cellSize / 2, y: y + cellSize + Style.gap + Double(j) * lineH,
                                font: Style.captionFont, color: Style.text, horizontal: .center, vertical: .top)
            }
        }
        drawTitle(canvas, title, centerX: width / 2)
    }
}
