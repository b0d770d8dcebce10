import Foundation
import XCTest
@testable import Report

final class RenderTests: XCTestCase {
    func testHeadingsGetUniqueIdsAndATableOfContents() {
        var toc: [[String: Any]] = []
        let html = Renderer.addHeadingIds("<h1>T</h1><h2>Results &amp; more</h2><p>x</p><h3>Best</h3><h2>Results &amp; more</h2>", toc: &toc)
        XCTAssertTrue(html.contains("<h2 id=\"results-more\">"), html)
        XCTAssertTrue(html.contains("<h3 id=\"best\">"), html)
        XCTAssertTrue(html.contains("<h2 id=\"results-more-2\">"), html)
        XCTAssertEqual(toc.count, 3)
        XCTAssertEqual(toc[1]["sub"] as? Bool, true)
    }

    func testImagesAreEmbeddedAndMissingOnesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("figures"), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("figures/a.png"))
        try Data([4, 5, 6]).write(to: dir.appendingPathComponent("figures/a@2x.png"))
        let html = try Renderer.embedImages("<img src=\"figures/a.png\" alt=\"x\">", base: dir)
        XCTAssertEqual(html, "<img src=\"data:image/png;base64,BAUG\" alt=\"x\">")
        XCTAssertThrowsError(try Renderer.embedImages("<img src=\"figures/missing.png\">", base: dir)) { e in
            XCTAssertTrue("\(e)".contains("figures/missing.png"))
        }
    }

    func testTemplatesOfTheRepositoryParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let lib = try Renderer.library(root.appendingPathComponent("report-templates"))
        XCTAssertNotNil(lib.getTemplate(named: "report.md"))
        XCTAssertNotNil(lib.getTemplate(named: "report.html"))
    }

    func testMissingTemplateFolderIsAnError() {
        XCTAssertThrowsError(try Renderer.library(URL(fileURLWithPath: "/nonexistent/templates"))) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/templates"))
        }
    }

    func testMarkdownEscaping() {
        XCTAssertEqual(Renderer.escapeMarkdown("a|b*c"), "a\\|b\\*c")
        XCTAssertEqual(Renderer.slugify("Adam vs SGD"), "adam-vs-sgd")
    }
}
