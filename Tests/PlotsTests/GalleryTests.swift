import Foundation
import XCTest
@testable import Plots

/// Renders every figure kind with realistic data into a folder (PLOTS_LOOK_DIR, or a fresh
/// temporary folder) in every format, so the figures can be looked at; checks each file.
final class GalleryTests: XCTestCase {
    static func lookDirectory() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["PLOTS_LOOK_DIR"] {
            let url = URL(fileURLWithPath: dir)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plots-gallery-\(getpid())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func testRenderGallery() throws {
        let dir = try Self.lookDirectory()
        for (name, figure) in Gallery.figures() {
            let urls = try FigureWriter.write(figure, to: dir.appendingPathComponent(name))
            XCTAssertEqual(urls.count, 4, name)
            for url in urls {
                let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
                XCTAssertGreaterThan(size, 500, url.path)
            }
        }
        if ProcessInfo.processInfo.environment["PLOTS_LOOK_DIR"] == nil {
            try? FileManager.default.removeItem(at: dir)
        }
    }
}
