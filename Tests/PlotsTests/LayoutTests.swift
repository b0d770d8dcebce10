import XCTest
@testable import Plots

final class LayoutTests: XCTestCase {
    func testLegendRowsWrapGreedily() {
        XCTAssertEqual(ChartLayout.legendRows(itemWidths: [50, 50, 50], spacing: 10, available: 200), [[0, 1, 2]])
        XCTAssertEqual(ChartLayout.legendRows(itemWidths: [50, 50, 50], spacing: 10, available: 150), [[0, 1], [2]])
        XCTAssertEqual(ChartLayout.legendRows(itemWidths: [300, 20], spacing: 10, available: 100), [[0], [1]])
        XCTAssertEqual(ChartLayout.legendRows(itemWidths: [], spacing: 10, available: 100), [])
    }

    func testWrapBreaksAtSpaces() {
        let measure: (String) -> Double = { Double($0.count) * 6 }
        XCTAssertEqual(ChartLayout.wrap("full stream copy 2", maxWidth: 70, measure: measure), ["full stream", "copy 2"])
        XCTAssertEqual(ChartLayout.wrap("short", maxWidth: 70, measure: measure), ["short"])
        XCTAssertEqual(ChartLayout.wrap("averyveryverylongword x", maxWidth: 30, measure: measure), ["averyveryverylongword", "x"])
        XCTAssertEqual(ChartLayout.wrap("", maxWidth: 30, measure: measure), [""])
    }

    func testPlotRectLeavesRoomForEveryLabel() {
        var m = FrameMetrics()
        m.title = 17; m.legend = 13; m.yLabel = 14; m.yTickLabels = 40; m.xTickLabels = 13; m.xLabel = 14
        m.rightOverhang = 8; m.topOverhang = 6
        let r = ChartLayout.plotRect(width: 640, height: 400, metrics: m)
        let g = Style.gap
        XCTAssertEqual(r.minX, Style.margin + 14 + 2 * g + 40 + g + Style.tickLength, accuracy: 1e-9)
        XCTAssertEqual(r.minY, Style.margin + 17 + 2 * g + 13 + g + 6, accuracy: 1e-9)
        XCTAssertEqual(640 - r.maxX, Style.margin + 8, accuracy: 1e-9)
        XCTAssertEqual(400 - r.maxY, Style.margin + Style.tickLength + g + 13 + 2 * g + 14, accuracy: 1e-9)
        // Without title, legend and labels, the plot grows.
        let bare = ChartLayout.plotRect(width: 640, height: 400, metrics: FrameMetrics())
        XCTAssertGreaterThan(bare.width, r.width)
        XCTAssertGreaterThan(bare.height, r.height)
    }

    func testDiagramColumnsAreBalanced() {
        XCTAssertEqual(ArchitectureDiagram.columnSplit(count: 13, maxPerColumn: 13), [0..<13])
        XCTAssertEqual(ArchitectureDiagram.columnSplit(count: 22, maxPerColumn: 12), [0..<11, 11..<22])
        XCTAssertEqual(ArchitectureDiagram.columnSplit(count: 22, maxPerColumn: 8), [0..<8, 8..<15, 15..<22])
        XCTAssertEqual(ArchitectureDiagram.columnSplit(count: 1, maxPerColumn: 5), [0..<1])
        XCTAssertEqual(ArchitectureDiagram.maxPerColumn(available: 100, boxHeight: 40, gap: 20), 2)
        XCTAssertEqual(ArchitectureDiagram.maxPerColumn(available: 10, boxHeight: 40, gap: 20), 1)
    }

    func testLongDiagramWrapsAndStaysOnAPage() {
        let conv5 = ArchitectureDiagram(title: "conv5", nodes: Gallery.conv5Nodes)
        XCTAssertEqual(Gallery.conv5Nodes.count, 22)
        XCTAssertGreaterThan(conv5.geometry.columns.count, 1)
        XCTAssertLessThanOrEqual(conv5.height, 820)
        XCTAssertLessThanOrEqual(conv5.width, 820)
        // Boxes stay inside the figure and never overlap.
        let boxes = conv5.nodes.indices.map(conv5.box)
        for (i, b) in boxes.enumerated() {
            XCTAssertGreaterThanOrEqual(b.minX, Style.margin - 1e-9)
            XCTAssertLessThanOrEqual(b.maxX, conv5.width - Style.margin + 1e-9)
            XCTAssertLessThanOrEqual(b.maxY, conv5.height - Style.margin + 1e-9)
            for c in boxes[(i + 1)...] {
                let apart = b.maxX <= c.minX || c.maxX <= b.minX || b.maxY <= c.minY || c.maxY <= b.minY
                XCTAssertTrue(apart, "boxes \(b) and \(c) overlap")
            }
        }
        let short = ArchitectureDiagram(title: "fc1", nodes: Array(Gallery.conv2Nodes.prefix(4)))
        XCTAssertEqual(short.geometry.columns.count, 1)
    }

    func testDOTHasRecordNodesAndEdges() {
        let d = ArchitectureDiagram(title: "tiny", nodes: [
            DiagramNode(name: "input_1", type: "InputLayer", input: "[(None, 4)]", output: "[(None, 4)]"),
            DiagramNode(name: "dense", type: "Dense", input: "(None, 4)", output: "(None, 2)"),
        ])
        let dot = d.dot()
        XCTAssertTrue(dot.hasPrefix("digraph \"tiny\" {"))
        XCTAssertTrue(dot.contains("node [shape=record"))
        XCTAssertTrue(dot.contains("n1 [label=\"{dense|Dense}|{input:|output:}|{(None, 4)|(None, 2)}\"];"))
        XCTAssertTrue(dot.contains("n0 -> n1;"))
        let odd = ArchitectureDiagram(title: "q\"t", nodes: [DiagramNode(name: "a|b", type: "{T}", input: "<x>", output: "y")])
        XCTAssertTrue(odd.dot().contains("label=\"{a\\|b|\\{T\\}}|{input:|output:}|{\\<x\\>|y}\""), odd.dot())
        XCTAssertTrue(odd.dot().hasPrefix("digraph \"q\\\"t\" {"))
    }
}
