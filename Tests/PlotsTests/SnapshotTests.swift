import Foundation
import XCTest
@testable import Plots

/// Golden text snapshots under Tests/PlotsTests/Snapshots/. Re-record after an intended
/// change with `RECORD_SNAPSHOTS=1 swift test --filter PlotsTests.SnapshotTests` and review
/// the diff (and the rendered PNGs) before committing.
final class SnapshotTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func assertSnapshot(_ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("missing snapshot \(url.path); record it with RECORD_SNAPSHOTS=1", file: file, line: line)
            return
        }
        if expected != text {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDiff = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            let show = { (lines: [Substring]) in firstDiff < lines.count ? String(lines[firstDiff].prefix(200)) : "<end>" }
            XCTFail("""
                \(name) differs from the snapshot at line \(firstDiff + 1) \
                (\(a.count) expected lines, \(b.count) now):
                expected: \(show(a))
                actual:   \(show(b))
                Re-record with RECORD_SNAPSHOTS=1 if the change is intended.
                """, file: file, line: line)
        }
    }

    func testSmallBarChartSVG() throws {
        try assertSnapshot(try FigureWriter.svgString(OutputTests.smallBars), named: "bar-chart.svg")
    }

    func testSmallDiagramSVG() throws {
        try assertSnapshot(try FigureWriter.svgString(OutputTests.smallDiagram), named: "diagram.svg")
    }

    func testSmallDiagramDOT() throws {
        try assertSnapshot(OutputTests.smallDiagram.dot(), named: "diagram.dot")
    }
}
