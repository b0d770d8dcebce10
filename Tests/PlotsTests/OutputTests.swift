import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Plots

/// File validity, determinism, pixel checks and errors.
final class OutputTests: XCTestCase {
    static let smallBars = BarChart(title: "Label 1", xLabel: "Label", yLabel: "Images",
                                    categories: ["0", "1"], series: [BarSeries(name: "train", values: [6450, 5550])],
                                    width: 320, height: 240)

    static let smallDiagram = ArchitectureDiagram(title: "tiny", nodes: [
        DiagramNode(name: "input_1", type: "InputLayer", input: "[(None, 64, 64, 3)]", output: "[(None, 64, 64, 3)]"),
        DiagramNode(name: "conv2d", type: "Conv2D", input: "(None, 64, 64, 3)", output: "(None, 62, 62, 8)"),
        DiagramNode(name: "dense", type: "Dense", input: "(None, 30752)", output: "(None, 2)"),
    ])

    /// Width and height from a PNG's IHDR chunk, after checking the 8-byte signature.
    func pngSize(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> (Int, Int)? {
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature", file: file, line: line)
        guard bytes.count > 24, String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else {
            XCTFail("no IHDR chunk", file: file, line: line); return nil
        }
        func be32(_ i: Int) -> Int { bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    func assertParsesAsXML(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let parser = XMLParser(data: Data(text.utf8))
        XCTAssertTrue(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
    }

    func testPNGHasSignatureAndSizeAtBothScales() throws {
        let one = try FigureWriter.pngData(Self.smallBars)
        XCTAssertEqual(pngSize(one)?.0, 320); XCTAssertEqual(pngSize(one)?.1, 240)
        let two = try FigureWriter.pngData(Self.smallBars, scale: 2)
        XCTAssertEqual(pngSize(two)?.0, 640); XCTAssertEqual(pngSize(two)?.1, 480)
    }

    func testEveryFigureKindGivesValidFilesInEveryFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plots-out-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // One figure of each kind keeps this quick; the gallery test draws them all.
        let names = ["labels-grouped", "labels-stacked", "training-loss", "pixel-histogram-log", "pr-curves",
                     "roc-curves", "confusion-label1", "augmentations", "mean-and-difference", "conv5-diagram"]
        let all = Dictionary(Gallery.figures().map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        for name in names {
            let figure = try XCTUnwrap(all[name], name)
            let urls = try FigureWriter.write(figure, to: dir.appendingPathComponent(name))
            XCTAssertEqual(urls.map(\.lastPathComponent), [name + ".png", name + "@2x.png", name + ".svg", name + ".pdf"])
            let png = [UInt8](try Data(contentsOf: urls[0])), png2 = [UInt8](try Data(contentsOf: urls[1]))
            let size = try XCTUnwrap(pngSize(png)), size2 = try XCTUnwrap(pngSize(png2))
            XCTAssertEqual(size.0, Int(figure.width.rounded(.up)), name)
            XCTAssertEqual(size.1, Int(figure.height.rounded(.up)), name)
            XCTAssertEqual(size2.0, Int((2 * figure.width).rounded(.up)), name)
            XCTAssertEqual(size2.1, Int((2 * figure.height).rounded(.up)), name)
            assertParsesAsXML(try String(contentsOf: urls[2], encoding: .utf8))
            let pdf = try Data(contentsOf: urls[3])
            XCTAssertEqual(String(decoding: pdf.prefix(5), as: UTF8.self), "%PDF-", name)
            XCTAssertTrue(String(decoding: pdf.suffix(8), as: UTF8.self).contains("%%EOF"), name)
        }
        // No temporary files are left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(left, [])
    }

    func testSameInputGivesIdenticalBytes() throws {
        let figure = Self.smallBars
        let png1 = try FigureWriter.pngData(figure), svg1 = try FigureWriter.svgString(figure)
        let pdf1 = try FigureWriter.pdfData(figure)
        // Draw something else in between: cairo's process-wide ids must not leak into the output.
        _ = try FigureWriter.svgString(Self.smallDiagram)
        _ = try FigureWriter.pdfData(Self.smallDiagram)
        XCTAssertEqual(try FigureWriter.pngData(figure), png1)
        XCTAssertEqual(try FigureWriter.svgString(figure), svg1)
        XCTAssertEqual(try FigureWriter.pdfData(figure), pdf1)
        let grid = ImageGrid(title: "g", columns: 2, cells: [
            ImageCell(caption: "a", width: 2, height: 2, pixels: [0, 255, 128, 64]),
            ImageCell(caption: "b", width: 2, height: 2, values: [-1, 1, 0.5, 0], diverging: true),
        ], cellSize: 32)
        XCTAssertEqual(try FigureWriter.svgString(grid), try FigureWriter.svgString(grid))
        XCTAssertEqual(try FigureWriter.pdfData(grid), try FigureWriter.pdfData(grid))
    }

    func testSVGImagesAreMarkedPixelated() throws {
        let grid = ImageGrid(title: "", columns: 1, cells: [ImageCell(caption: "x", width: 2, height: 2, pixels: [0, 255, 255, 0])], cellSize: 64)
        let svg = try FigureWriter.svgString(grid)
        assertParsesAsXML(svg)
        XCTAssertTrue(svg.contains("image-rendering:pixelated"))
    }

    // MARK: Pixels

    func pixel(_ p: (width: Int, height: Int, rgb: [UInt8]), _ x: Double, _ y: Double, scale: Double = 1) -> (Int, Int, Int) {
        let i = (Int(y * scale) * p.width + Int(x * scale)) * 3
        return (Int(p.rgb[i]), Int(p.rgb[i + 1]), Int(p.rgb[i + 2]))
    }

    func assertColor(_ got: (Int, Int, Int), _ want: Color, tolerance: Int = 3, file: StaticString = #filePath, line: UInt = #line) {
        let w = want.bytes
        XCTAssertLessThanOrEqual(abs(got.0 - Int(w.0)), tolerance, "red \(got) vs \(w)", file: file, line: line)
        XCTAssertLessThanOrEqual(abs(got.1 - Int(w.1)), tolerance, "green \(got) vs \(w)", file: file, line: line)
        XCTAssertLessThanOrEqual(abs(got.2 - Int(w.2)), tolerance, "blue \(got) vs \(w)", file: file, line: line)
    }

    func testBarFillAndBackgroundPixels() throws {
        let figure = BarChart(title: "", categories: ["a", "b"], series: [BarSeries(name: "", values: [10, 5])],
                              valueLabels: false, width: 200, height: 150)
        for scale in [1.0, 2.0] {
            let p = try Renderer.rgbPixels(figure, scale: scale)
            XCTAssertEqual(p.width, Int(200 * scale))
            assertColor(pixel(p, 1, 1, scale: scale), Style.background, tolerance: 0)
            assertColor(pixel(p, 199, 149, scale: scale), Style.background, tolerance: 0)
            // The plot area's layout is measured with the same code the figure uses.
            let l = ChartFrame(title: "", x: .categorical("", ["a", "b"]), y: .linear("", lo: 0, hi: 10)).layout(Canvas.measuring(width: 200, height: 150))
            let slot = l.plot.width / 2
            let barCentreX = l.plot.x + slot / 2
            let barCentreY = l.plot.maxY - l.plot.height * 0.5 * (10 / 10)
            assertColor(pixel(p, barCentreX, barCentreY, scale: scale), Palette.blue)
            // Above the shorter bar (value 5 of 10) the plot is background again.
            assertColor(pixel(p, l.plot.x + 1.5 * slot, l.plot.y + l.plot.height * 0.25, scale: scale), Style.background)
        }
    }

    func testHeatmapCellColoursFollowViridis() throws {
        let figure = Heatmap(title: "", rowLabels: ["a"], colLabels: ["lo", "hi"], values: [[0, 1]], annotations: [],
                             width: 300, height: 200)
        let p = try Renderer.rgbPixels(figure, scale: 1)
        var sawLow = false, sawHigh = false
        for y in stride(from: 0, to: 200, by: 4) {
            for x in stride(from: 0, to: 300, by: 4) {
                let c = pixel(p, Double(x), Double(y))
                let lo = ColorMap.viridis(0).bytes, hi = ColorMap.viridis(1).bytes
                if abs(c.0 - Int(lo.0)) + abs(c.1 - Int(lo.1)) + abs(c.2 - Int(lo.2)) <= 6 { sawLow = true }
                if abs(c.0 - Int(hi.0)) + abs(c.1 - Int(hi.1)) + abs(c.2 - Int(hi.2)) <= 6 { sawHigh = true }
            }
        }
        XCTAssertTrue(sawLow && sawHigh, "both ends of the colour map appear")
    }

    func testImageGridUpscalesWithNearestNeighbour() throws {
        // A 2×2 checkerboard drawn into 64×64 points must stay pure black and white.
        let grid = ImageGrid(title: "", columns: 1, cells: [ImageCell(caption: "", width: 2, height: 2, pixels: [0, 255, 255, 0])], cellSize: 64)
        let p = try Renderer.rgbPixels(grid, scale: 1)
        let x0 = Style.margin, y0 = Style.margin
        assertColor(pixel(p, x0 + 16, y0 + 16), Color(hex: 0x000000), tolerance: 0)
        assertColor(pixel(p, x0 + 48, y0 + 16), Color(hex: 0xFFFFFF), tolerance: 0)
        assertColor(pixel(p, x0 + 31, y0 + 31), Color(hex: 0x000000), tolerance: 0)
        assertColor(pixel(p, x0 + 33, y0 + 31), Color(hex: 0xFFFFFF), tolerance: 0)
    }

    func testDivergingImageIsSymmetric() {
        let cell = ImageCell(caption: "", width: 3, height: 1, values: [-2, 0, 2], diverging: true)
        let rgb = cell.rgb()
        XCTAssertEqual(Array(rgb[0..<3]), [0x21, 0x66, 0xAC])
        XCTAssertEqual(Array(rgb[3..<6]), [0xF7, 0xF7, 0xF7])
        XCTAssertEqual(Array(rgb[6..<9]), [0xB2, 0x18, 0x2B])
    }

    func testDisplayRanges() {
        XCTAssertEqual(ImageCell(caption: "", width: 2, height: 1, values: [-0.5, 0.25], diverging: true).displayRange, -0.5...0.5)
        XCTAssertEqual(ImageCell(caption: "", width: 2, height: 1, values: [-0.5, 0.25], diverging: true, limit: 2).displayRange, -2...2)
        XCTAssertEqual(ImageCell(caption: "", width: 2, height: 1, values: [3, 7], diverging: false).displayRange, 3...7)
        XCTAssertNil(ImageCell(caption: "", width: 1, height: 1, pixels: [9]).displayRange)
    }

    func testEnlargeRepeatsPixels() {
        let rgb: [UInt8] = [1, 2, 3, 4, 5, 6]  // 2×1
        let big = Canvas.enlarge(rgb, width: 2, height: 1, by: 2)
        XCTAssertEqual(big, [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
    }

    // MARK: Errors

    func testWritingIntoAMissingDirectoryNamesThePath() {
        let base = URL(fileURLWithPath: "/nonexistent-plots-dir-\(getpid())/figure")
        XCTAssertThrowsError(try FigureWriter.write(Self.smallBars, to: base, formats: [.png])) { error in
            guard let e = error as? PlotError else { return XCTFail("not a PlotError: \(error)") }
            XCTAssertEqual(e.path, base.path + ".png")
            XCTAssertTrue(e.description.contains(base.path + ".png"), e.description)
        }
    }

    func testWriteTextReplacesTheFileAtomically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plots-text-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tiny.dot")
        try FigureWriter.writeText("old", to: url)
        try FigureWriter.writeText(Self.smallDiagram.dot(), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), Self.smallDiagram.dot())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["tiny.dot"])
    }

    func testCairoErrorsBecomePlotErrors() {
        struct Broken: Figure {
            var width: Double { 100 }
            var height: Double { 100 }
            func draw(_ canvas: Canvas) throws(PlotError) {
                canvas.restore()  // unbalanced restore puts cairo into an error state
            }
        }
        XCTAssertThrowsError(try FigureWriter.pngData(Broken())) { error in
            XCTAssertTrue("\(error)".contains("cairo"), "\(error)")
            XCTAssertTrue("\(error)".contains("restore"), "\(error)")
        }
    }

    /// Nothing to count (every bar 0): the axis runs 0…1 with plain ticks, not to 1e-12
    /// with twelve-decimal labels.
    func testAllZeroBarsGetAUnitAxis() throws {
        let chart = BarChart(title: "Labels carried by the black images", xLabel: "split", yLabel: "black images",
                             categories: ["train", "val"], series: [BarSeries(name: "0", values: [0, 0]), BarSeries(name: "1", values: [0, 0])],
                             stacked: true, valueLabels: true, width: 320, height: 240)
        XCTAssertEqual(chart.axisTop, 1)
        XCTAssertEqual(Axis.linear("black images", lo: 0, hi: chart.axisTop).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(OutputTests.smallBars.axisTop, 6450)
        XCTAssertGreaterThan(try FigureWriter.pngData(chart).count, 100)
    }
}
