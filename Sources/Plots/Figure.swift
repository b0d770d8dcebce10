import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A figure: a fixed size in points and drawing code shared by every output format.
/// Encodable, so that a figure's content can be hashed: the report redraws a figure exactly
/// when its values (or the drawing code) change.
public protocol Figure: Sendable, Encodable {
    /// Width in points (1 pt = 1 px in the 1× PNG and 1 user unit in the SVG).
    var width: Double { get }
    /// Height in points.
    var height: Double { get }
    /// Draws the figure on `canvas`, whose white background is already painted.
    func draw(_ canvas: Canvas) throws(PlotError)
}

/// An output format of `FigureWriter`, named by the file suffix it adds to the base path.
public enum FigureFormat: String, CaseIterable, Sendable {
    /// `base.png`, one pixel per point.
    case png
    /// `base@2x.png`, two pixels per point for high-density screens.
    case png2x
    /// `base.svg`, SVG 1.1 with text as glyph outlines.
    case svg
    /// `base.pdf`, one page, fonts embedded.
    case pdf

    /// The file name suffix, including the extension: `.png`, `@2x.png`, `.svg`, `.pdf`.
    public var suffix: String {
        switch self {
        case .png: ".png"
        case .png2x: "@2x.png"
        case .svg: ".svg"
        case .pdf: ".pdf"
        }
    }
}

/// Renders figures to bytes and writes them to files.
public enum FigureWriter {
    /// Writes `figure` once per format to `base` + the format's suffix (`base.png`,
    /// `base@2x.png`, `base.svg`, `base.pdf`). Each file is written to a temporary name in
    /// the same directory and renamed into place, so a reader never sees a half-written file.
    /// - Returns: the written files, in the order of `formats`.
    @discardableResult
    public static func write(_ figure: any Figure, to base: URL,
                             formats: [FigureFormat] = FigureFormat.allCases) throws(PlotError) -> [URL] {
        var written: [URL] = []
        for format in formats {
            let url = URL(fileURLWithPath: base.path + format.suffix)
            let bytes: [UInt8]
            do {
                bytes = try data(figure, format: format)
            } catch {
                throw PlotError("cannot write figure \(url.path): \(error.message)", path: url.path)
            }
            try writeAtomically(bytes, to: url)
            written.append(url)
        }
        return written
    }

    /// Writes UTF-8 `text` (e.g. `ArchitectureDiagram.dot()`) to `url` atomically (temporary
    /// file in the same directory, then rename).
    public static func writeText(_ text: String, to url: URL) throws(PlotError) {
        try writeAtomically(Array(text.utf8), to: url)
    }

    /// The encoded bytes of `figure` in `format`.
    public static func data(_ figure: any Figure, format: FigureFormat) throws(PlotError) -> [UInt8] {
        switch format {
        case .png: try Renderer.png(figure, scale: 1)
        case .png2x: try Renderer.png(figure, scale: 2)
        case .svg: try svgBytes(figure)
        case .pdf: try Renderer.pdf(figure)
        }
    }

    /// PNG bytes of `figure` at `scale` pixels per point (size ⌈width·scale⌉ × ⌈height·scale⌉).
    public static func pngData(_ figure: any Figure, scale: Double = 1) throws(PlotError) -> [UInt8] {
        try Renderer.png(figure, scale: scale)
    }

    /// The SVG document of `figure` as text.
    public static func svgString(_ figure: any Figure) throws(PlotError) -> String {
        String(decoding: try svgBytes(figure), as: UTF8.self)
    }

    /// PDF bytes of `figure`.
    public static func pdfData(_ figure: any Figure) throws(PlotError) -> [UInt8] {
        try Renderer.pdf(figure)
    }

    /// SVG bytes with cairo's process-wide object counters renumbered, so the same figure
    /// gives the same bytes however many figures the process drew before, and images
    /// marked for pixelated scaling.
    static func svgBytes(_ figure: any Figure) throws(PlotError) -> [UInt8] {
        Array(SVGNormalizer.process(String(decoding: try Renderer.svg(figure), as: UTF8.self)).utf8)
    }

    /// Writes `bytes` to a temporary file beside `url`, then renames it to `url`.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws(PlotError) {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw PlotError("cannot write figure \(path): directory \(directory) does not exist", path: path)
        }
        let temp = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else {
            throw PlotError("cannot write figure \(path): creating \(temp) failed", path: path)
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw PlotError("cannot write figure \(path): rename failed: \(reason)", path: path)
        }
    }
}
