import Foundation
@testable import Plots
import XCTest

/// plot_model's options on `ArchitectureDiagram`: direction, activations, trainability,
/// compact boxes, dpi. The default drawing is covered by the snapshot tests.
final class DiagramOptionsTests: XCTestCase {
    static func nodes(_ n: Int) -> [DiagramNode] {
        var out = [DiagramNode(name: "input", type: "InputLayer", input: "(None, 8)", output: "(None, 8)")]
        for i in 1..<n {
            out.append(DiagramNode(name: "dense_\(i)", type: "Dense", input: "(None, 8)", output: "(None, 8)",
                                   activation: i % 2 == 0 ? "relu" : nil, trainable: i % 3 != 0))
        }
        return out
    }

    func testDefaultOptionsAreTheClassicDiagram() throws {
        let nodes = OutputTests.smallDiagram.nodes
        let classic = ArchitectureDiagram(title: "tiny", nodes: nodes)
        let explicit = ArchitectureDiagram(title: "tiny", nodes: nodes, options: DiagramOptions())
        XCTAssertEqual(classic.width, explicit.width)
        XCTAssertEqual(classic.height, explicit.height)
        XCTAssertEqual(try FigureWriter.svgString(classic), try FigureWriter.svgString(explicit))
        XCTAssertEqual(classic.dot(), explicit.dot())
        // A dpi alone changes only the DOT graph attribute and the PNG scale.
        let dpi = ArchitectureDiagram(title: "tiny", nodes: nodes, options: DiagramOptions(dpi: 144))
        XCTAssertEqual(try FigureWriter.svgString(dpi), try FigureWriter.svgString(classic))
        XCTAssertEqual(dpi.dot(), classic.dot().replacingOccurrences(of: "label=\"tiny\"];", with: "label=\"tiny\", dpi=144];"))
        XCTAssertEqual(DiagramOptions(dpi: 144).pngScale, 2)
        let png = try FigureWriter.pngData(dpi, scale: DiagramOptions(dpi: 144).pngScale!)
        // PNG IHDR: width and height big-endian at bytes 16…23.
        let w = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, h = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(w, Int((dpi.width * 2).rounded(.up)))
        XCTAssertEqual(h, Int((dpi.height * 2).rounded(.up)))
    }

    func testDotCarriesTheOptions() {
        let nodes = Array(DiagramOptionsTests.nodes(3))
        let lr = ArchitectureDiagram(title: "m", nodes: nodes, options: DiagramOptions(rankdir: .LR))
        XCTAssertTrue(lr.dot().contains("graph [rankdir=LR,"))
        let extras = ArchitectureDiagram(title: "m", nodes: nodes, options: DiagramOptions(showActivations: true, showTrainable: true))
        XCTAssertTrue(extras.dot().contains("n2 [label=\"{dense_2|Dense}|{input:|output:}|{(None, 8)|(None, 8)}|{activation|relu}|{trainable|Y}\"];"),
                      extras.dot())
        XCTAssertTrue(extras.dot().contains("{activation|–}|{trainable|–}\"];"))  // the input node
        let compact = ArchitectureDiagram(title: "m", nodes: nodes, options: DiagramOptions(showActivations: true, compact: true))
        XCTAssertTrue(compact.dot().contains("n1 [label=\"dense_1|Dense|(None, 8)|–\"];"), compact.dot())
    }

    func testCompactBoxesAreOneRowAndExtraCellsWidenTheBox() {
        let nodes = DiagramOptionsTests.nodes(4)
        let classic = ArchitectureDiagram(title: "m", nodes: nodes)
        let compact = ArchitectureDiagram(title: "m", nodes: nodes, options: DiagramOptions(compact: true))
        XCTAssertEqual(compact.geometry.rows, 1)
        XCTAssertEqual(compact.geometry.boxHeight, classic.geometry.boxHeight / 2)
        XCTAssertLessThan(compact.height, classic.height)
        let extras = ArchitectureDiagram(title: "m", nodes: nodes, options: DiagramOptions(showActivations: true, showTrainable: true))
        XCTAssertEqual(extras.geometry.sectionWidths.count, 5)
        XCTAssertGreaterThan(extras.geometry.boxWidth, classic.geometry.boxWidth)
        XCTAssertEqual(Array(extras.geometry.sectionWidths.prefix(3)), classic.geometry.sectionWidths)
    }

    func testLeftToRightRunsInRowsAndWraps() throws {
        let short = ArchitectureDiagram(title: "m", nodes: DiagramOptionsTests.nodes(3), options: DiagramOptions(rankdir: .LR))
        XCTAssertEqual(short.geometry.columns.count, 1)
        XCTAssertEqual(short.box(0).y, short.box(2).y)
        XCTAssertLessThan(short.box(0).maxX, short.box(1).minX)
        XCTAssertGreaterThan(short.width, short.height)
        let long = ArchitectureDiagram(title: "m", nodes: DiagramOptionsTests.nodes(20), maxWidth: 900,
                                       options: DiagramOptions(rankdir: .LR, compact: true))
        XCTAssertGreaterThan(long.geometry.columns.count, 1)
        XCTAssertLessThanOrEqual(long.width, 900)
        let firstOfRow2 = long.geometry.columns[1].lowerBound
        XCTAssertGreaterThan(long.box(firstOfRow2).minY, long.box(0).maxY)
        XCTAssertEqual(long.box(firstOfRow2).minX, long.box(0).minX)
        // Every box lies inside the figure.
        for i in 0..<20 {
            let b = long.box(i)
            XCTAssertGreaterThanOrEqual(b.minX, 0); XCTAssertLessThanOrEqual(b.maxX, long.width)
            XCTAssertLessThanOrEqual(b.maxY, long.height)
        }
    }

    func testEveryCombinationRenders() throws {
        for rankdir in DiagramOptions.Direction.allCases {
            for compact in [false, true] {
                let o = DiagramOptions(rankdir: rankdir, showActivations: true, showTrainable: !compact, compact: compact)
                let d = ArchitectureDiagram(title: "m", nodes: DiagramOptionsTests.nodes(30), options: o)
                let svg = try FigureWriter.svgString(d)
                XCTAssertTrue(svg.contains("<svg"), "\(o)")
                _ = try FigureWriter.pngData(d)
                _ = try FigureWriter.pdfData(d)
            }
        }
    }
}
