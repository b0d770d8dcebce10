// The only file of the Plots module that imports CCairo: the drawing surface every figure
// draws on (`Canvas`), the owned cairo surfaces, and the renderers that turn a `Figure` into
// PNG, SVG or PDF bytes. No cairo type leaves this file.

import CCairo
import Foundation

// MARK: - Geometry and text options

/// An axis-aligned rectangle in points; y grows downwards (cairo's device convention).
public struct Rect: Sendable, Equatable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }

    /// The rectangle shrunk by `d` on every side.
    public func inset(by d: Double) -> Rect {
        Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d)
    }

    public var description: String { "Rect(x: \(x), y: \(y), w: \(width), h: \(height))" }
}

/// A font of the figure style: DejaVu Sans (resolved by fontconfig) at `size` points.
public struct Font: Sendable, Hashable {
    public var size: Double
    public var bold: Bool
    public init(size: Double, bold: Bool = false) { self.size = size; self.bold = bold }
}

/// Advance width and the font's line metrics of one string (points).
public struct TextMetrics: Sendable, Equatable {
    /// Horizontal advance of the whole string.
    public var width: Double
    /// Font ascent above the baseline (independent of the string's glyphs).
    public var ascent: Double
    /// Font descent below the baseline (positive).
    public var descent: Double
    /// `ascent + descent`: the height of one line of this font.
    public var height: Double { ascent + descent }
}

public enum HorizontalAlignment: Sendable { case leading, center, trailing }
public enum VerticalAlignment: Sendable {
    /// The text's top is the font ascent above the baseline.
    case top
    /// The middle between font ascent and descent.
    case middle
    case baseline
    /// The font descent below the baseline.
    case bottom
}

// MARK: - Owned cairo objects

/// Owns a `cairo_surface_t` and destroys it in `deinit`.
final class CairoSurface {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { cairo_surface_destroy(raw) }

    func check(_ what: String) throws(PlotError) {
        let status = cairo_surface_status(raw)
        if status != CAIRO_STATUS_SUCCESS {
            throw PlotError(cairo: status, while: what)
        }
    }
}

extension PlotError {
    fileprivate init(cairo status: cairo_status_t, while what: String) {
        let text = cairo_status_to_string(status).map { String(cString: $0) } ?? "unknown status"
        self.init("cairo error while \(what): \(text)")
    }
}

/// Collects the bytes cairo writes to a stream surface.
private final class ByteSink {
    var bytes: [UInt8] = []
}

private let writeToSink: cairo_write_func_t = { closure, data, length in
    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return CAIRO_STATUS_SUCCESS
}

// MARK: - Canvas

/// A drawing context over one cairo surface, in points with the origin at the top left.
///
/// Owns its `cairo_t` (destroyed in `deinit`). Every figure draws through this type only,
/// so the same code produces PNG, SVG and PDF. Cairo records errors in the context instead
/// of failing calls; `FigureWriter` checks `cairo_status` after drawing and throws.
public final class Canvas {
    private let cr: OpaquePointer
    /// Surface kept alive for as long as the context draws on it.
    private let surface: CairoSurface
    /// Logical size of the figure in points.
    public let width: Double
    public let height: Double
    /// Whether the surface is SVG or PDF: their viewers may smooth embedded bitmaps whatever
    /// the pattern filter says, so `drawImage` enlarges the bitmap itself first.
    let isVector: Bool
    /// Cache of measured advance widths, keyed by font and text.
    private var widthCache: [Font: [String: Double]] = [:]

    /// The font family every figure uses; fontconfig resolves it to DejaVuSans.ttf on Debian.
    public static let fontFamily = "DejaVu Sans"

    init(surface: CairoSurface, width: Double, height: Double, scale: Double, isVector: Bool = false) {
        self.surface = surface
        self.isVector = isVector
        self.cr = cairo_create(surface.raw)
        self.width = width
        self.height = height
        cairo_scale(cr, scale, scale)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY)
        // Unhinted metrics so text measures the same at every scale and in every format.
        let options = cairo_font_options_create()
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
    }

    deinit { cairo_destroy(cr) }

    /// A canvas on a 1×1 image surface that measures text (and reports the logical size
    /// `width` × `height` for layout code) without drawing anything visible.
    static func measuring(width: Double = 1, height: Double = 1) -> Canvas {
        let surface = CairoSurface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1))
        return Canvas(surface: surface, width: width, height: height, scale: 1)
    }

    func check(_ what: String) throws(PlotError) {
        let status = cairo_status(cr)
        if status != CAIRO_STATUS_SUCCESS { throw PlotError(cairo: status, while: what) }
        try surface.check(what)
    }

    // MARK: State

    public func save() { cairo_save(cr) }
    public func restore() { cairo_restore(cr) }
    public func translate(_ dx: Double, _ dy: Double) { cairo_translate(cr, dx, dy) }
    public func rotate(_ radians: Double) { cairo_rotate(cr, radians) }

    public func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha) }
    public func setLineWidth(_ w: Double) { cairo_set_line_width(cr, w) }
    /// Dash lengths in points (on, off, …); an empty array draws solid lines.
    public func setDash(_ pattern: [Double]) {
        pattern.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
    }

    // MARK: Paths

    public func moveTo(_ x: Double, _ y: Double) { cairo_move_to(cr, x, y) }
    public func lineTo(_ x: Double, _ y: Double) { cairo_line_to(cr, x, y) }
    public func closePath() { cairo_close_path(cr) }
    public func newPath() { cairo_new_path(cr) }
    public func rectangle(_ r: Rect) { cairo_rectangle(cr, r.x, r.y, r.width, r.height) }
    public func circle(x: Double, y: Double, radius: Double) {
        cairo_new_sub_path(cr)
        cairo_arc(cr, x, y, radius, 0, 2 * Double.pi)
    }
    /// A rectangle with corners rounded by `radius`.
    public func roundedRectangle(_ r: Rect, radius: Double) {
        let k = min(radius, r.width / 2, r.height / 2)
        cairo_new_sub_path(cr)
        cairo_arc(cr, r.maxX - k, r.minY + k, k, -Double.pi / 2, 0)
        cairo_arc(cr, r.maxX - k, r.maxY - k, k, 0, Double.pi / 2)
        cairo_arc(cr, r.minX + k, r.maxY - k, k, Double.pi / 2, Double.pi)
        cairo_arc(cr, r.minX + k, r.minY + k, k, Double.pi, 3 * Double.pi / 2)
        cairo_close_path(cr)
    }

    public func fill() { cairo_fill(cr) }
    public func fillPreserve() { cairo_fill_preserve(cr) }
    public func stroke() { cairo_stroke(cr) }
    public func clip() { cairo_clip(cr) }

    /// Fills `r` with `color`.
    public func fill(_ r: Rect, _ color: Color) {
        setColor(color); rectangle(r); fill()
    }

    /// A straight line from (x0, y0) to (x1, y1) of width `width`.
    public func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: Color, width: Double) {
        setColor(color); setLineWidth(width)
        moveTo(x0, y0); lineTo(x1, y1); stroke()
    }

    // MARK: Text

    private func selectFont(_ font: Font) {
        cairo_select_font_face(cr, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, font.size)
    }

    /// Advance width of `text` and the line metrics of `font`.
    public func measure(_ text: String, font: Font) -> TextMetrics {
        selectFont(font)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        if let cached = widthCache[font]?[text] {
            return TextMetrics(width: cached, ascent: fe.ascent, descent: fe.descent)
        }
        var te = cairo_text_extents_t()
        cairo_text_extents(cr, text, &te)
        widthCache[font, default: [:]][text] = te.x_advance
        return TextMetrics(width: te.x_advance, ascent: fe.ascent, descent: fe.descent)
    }

    /// Draws one line of `text` anchored at (x, y), optionally rotated by `rotation` radians
    /// about the anchor (−π/2 reads bottom to top, for y-axis labels).
    public func drawText(_ text: String, x: Double, y: Double, font: Font, color: Color,
                         horizontal: HorizontalAlignment = .leading,
                         vertical: VerticalAlignment = .baseline, rotation: Double = 0) {
        guard !text.isEmpty else { return }
        let m = measure(text, font: font)
        let dx: Double
        switch horizontal {
        case .leading: dx = 0
        case .center: dx = -m.width / 2
        case .trailing: dx = -m.width
        }
        let dy: Double
        switch vertical {
        case .top: dy = m.ascent
        case .middle: dy = (m.ascent - m.descent) / 2
        case .baseline: dy = 0
        case .bottom: dy = -m.descent
        }
        save()
        translate(x, y)
        if rotation != 0 { rotate(rotation) }
        setColor(color)
        selectFont(font)
        cairo_move_to(cr, dx, dy)
        cairo_show_text(cr, text)
        cairo_new_path(cr)
        restore()
    }

    // MARK: Images

    /// Draws an RGB image (`rgb`: height × width × 3 bytes, row-major) scaled into `rect`
    /// with nearest-neighbour sampling, so each source pixel stays a sharp square. On SVG and
    /// PDF surfaces the bitmap is first enlarged k× by pixel repetition (k = ⌈2·rect.width/w⌉,
    /// at most 8), so even viewers that smooth bitmaps show crisp pixels.
    public func drawImage(width w0: Int, height h0: Int, rgb rgb0: [UInt8], in rect: Rect) {
        precondition(w0 > 0 && h0 > 0 && rgb0.count == w0 * h0 * 3,
                     "Canvas.drawImage: \(rgb0.count) bytes for a \(w0)×\(h0) RGB image")
        let k = isVector ? min(8, max(1, Int((2 * rect.width / Double(w0)).rounded(.up)))) : 1
        let (w, h) = (w0 * k, h0 * k)
        let rgb = k == 1 ? rgb0 : Canvas.enlarge(rgb0, width: w0, height: h0, by: k)
        let image = CairoSurface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(w), Int32(h)))
        guard cairo_surface_status(image.raw) == CAIRO_STATUS_SUCCESS,
              let data = cairo_image_surface_get_data(image.raw) else {
            // Leave the error visible to the final status check by drawing nothing.
            return
        }
        cairo_surface_flush(image.raw)
        let stride = Int(cairo_image_surface_get_stride(image.raw))
        for row in 0..<h {
            let line = (data + row * stride).withMemoryRebound(to: UInt32.self, capacity: w) { $0 }
            for col in 0..<w {
                let i = (row * w + col) * 3
                line[col] = 0xFF00_0000 | UInt32(rgb[i]) << 16 | UInt32(rgb[i + 1]) << 8 | UInt32(rgb[i + 2])
            }
        }
        cairo_surface_mark_dirty(image.raw)
        save()
        translate(rect.x, rect.y)
        cairo_scale(cr, rect.width / Double(w), rect.height / Double(h))
        cairo_set_source_surface(cr, image.raw, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST)
        cairo_rectangle(cr, 0, 0, Double(w), Double(h))
        cairo_fill(cr)
        restore()
    }
}

extension Canvas {
    /// Repeats every pixel of an RGB image k×k times (nearest-neighbour enlargement).
    static func enlarge(_ rgb: [UInt8], width w: Int, height h: Int, by k: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: w * h * k * k * 3)
        for row in 0..<(h * k) {
            for col in 0..<(w * k) {
                let src = ((row / k) * w + col / k) * 3, dst = (row * w * k + col) * 3
                out[dst] = rgb[src]; out[dst + 1] = rgb[src + 1]; out[dst + 2] = rgb[src + 2]
            }
        }
        return out
    }
}

// MARK: - Rendering a figure

/// Renders figures onto cairo surfaces and returns the encoded bytes.
enum Renderer {
    /// Fixed creation date written into every PDF so repeated runs are byte-identical.
    static let pdfDate = "2024-01-01T00:00:00Z"

    private static func draw(_ figure: any Figure, on surface: CairoSurface, scale: Double,
                             isVector: Bool = false) throws(PlotError) {
        try surface.check("creating a \(Int(figure.width))×\(Int(figure.height)) surface")
        let canvas = Canvas(surface: surface, width: figure.width, height: figure.height, scale: scale, isVector: isVector)
        canvas.fill(Rect(x: 0, y: 0, width: figure.width, height: figure.height), Style.background)
        try figure.draw(canvas)
        try canvas.check("drawing \(type(of: figure))")
    }

    /// PNG bytes of `figure` at `scale` device pixels per point (RGB, white background).
    static func png(_ figure: any Figure, scale: Double) throws(PlotError) -> [UInt8] {
        precondition(scale > 0, "Renderer.png: scale must be positive, got \(scale)")
        let w = Int32((figure.width * scale).rounded(.up)), h = Int32((figure.height * scale).rounded(.up))
        let surface = CairoSurface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h))
        try draw(figure, on: surface, scale: scale)
        cairo_surface_flush(surface.raw)
        let sink = ByteSink()
        let status = cairo_surface_write_to_png_stream(surface.raw, writeToSink,
                                                       Unmanaged.passUnretained(sink).toOpaque())
        if status != CAIRO_STATUS_SUCCESS { throw PlotError(cairo: status, while: "encoding PNG") }
        return sink.bytes
    }

    /// The rendered pixels of `figure` at `scale`, as RGB bytes (rows top to bottom), for
    /// tests that look at colours.
    static func rgbPixels(_ figure: any Figure, scale: Double) throws(PlotError) -> (width: Int, height: Int, rgb: [UInt8]) {
        let w = Int32((figure.width * scale).rounded(.up)), h = Int32((figure.height * scale).rounded(.up))
        let surface = CairoSurface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h))
        try draw(figure, on: surface, scale: scale)
        cairo_surface_flush(surface.raw)
        guard let data = cairo_image_surface_get_data(surface.raw) else {
            throw PlotError("cairo image surface has no pixel data")
        }
        let stride = Int(cairo_image_surface_get_stride(surface.raw))
        var rgb = [UInt8](repeating: 0, count: Int(w) * Int(h) * 3)
        for row in 0..<Int(h) {
            let line = (data + row * stride).withMemoryRebound(to: UInt32.self, capacity: Int(w)) { $0 }
            for col in 0..<Int(w) {
                let v = line[col], i = (row * Int(w) + col) * 3
                rgb[i] = UInt8((v >> 16) & 0xFF); rgb[i + 1] = UInt8((v >> 8) & 0xFF); rgb[i + 2] = UInt8(v & 0xFF)
            }
        }
        return (Int(w), Int(h), rgb)
    }

    /// SVG 1.1 bytes of `figure`, sized in user units equal to points.
    static func svg(_ figure: any Figure) throws(PlotError) -> [UInt8] {
        let sink = ByteSink()
        let raw = cairo_svg_surface_create_for_stream(writeToSink, Unmanaged.passUnretained(sink).toOpaque(),
                                                      figure.width, figure.height)!
        let surface = CairoSurface(raw)
        cairo_svg_surface_restrict_to_version(raw, CAIRO_SVG_VERSION_1_1)
        cairo_svg_surface_set_document_unit(raw, CAIRO_SVG_UNIT_USER)
        try draw(figure, on: surface, scale: 1, isVector: true)
        cairo_surface_finish(raw)
        try surface.check("writing SVG")
        return sink.bytes
    }

    /// PDF bytes of `figure` (one page of width × height points, fixed creation date).
    static func pdf(_ figure: any Figure) throws(PlotError) -> [UInt8] {
        let sink = ByteSink()
        let raw = cairo_pdf_surface_create_for_stream(writeToSink, Unmanaged.passUnretained(sink).toOpaque(),
                                                      figure.width, figure.height)!
        let surface = CairoSurface(raw)
        cairo_pdf_surface_set_metadata(raw, CAIRO_PDF_METADATA_CREATE_DATE, pdfDate)
        cairo_pdf_surface_set_metadata(raw, CAIRO_PDF_METADATA_CREATOR, "MedicalScanStudy Plots")
        try draw(figure, on: surface, scale: 1, isVector: true)
        cairo_surface_finish(raw)
        try surface.check("writing PDF")
        return sink.bytes
    }
}

/// The Cairo version linked at run time.
public func cairoVersion() -> String { String(cString: cairo_version_string()) }
