import Foundation
import GFM
import XCTest
@testable import Report

final class RenderTests: XCTestCase {
    func testHeadingsGetUniqueIdsAndATableOfContents() {
        var toc: [Renderer.Page.Entry] = []
        let html = Renderer.addHeadingIds("<h1>T</h1><h2>Results &amp; more</h2><p>x</p><h3>Best</h3><h2>Results &amp; more</h2>", toc: &toc)
        XCTAssertTrue(html.contains("<h2 id=\"results-more\">"), html)
        XCTAssertTrue(html.contains("<h3 id=\"best\">"), html)
        XCTAssertTrue(html.contains("<h2 id=\"results-more-2\">"), html)
        XCTAssertEqual(toc.map(\.title), ["Results & more", "Best", "Results & more"])
        XCTAssertEqual(toc.map(\.sub), [false, true, false])
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

    func testBuiltInTemplatesAreCompiledInAndAnOverrideFolderMustExist() throws {
        let t = try Templates.load(override: nil)
        for name in Templates.required { XCTAssertNotNil(t.library.getTemplate(named: name), name) }
        XCTAssertThrowsError(try Templates.load(override: URL(fileURLWithPath: "/nonexistent/templates"))) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/templates"), "\(e)")
        }
    }

    /// GitHub's renderer: layer names keep their underscores, pipes stay inside their cell,
    /// `<` and `&` are text, and no `javascript:` link comes out of data.
    func testTrickyMarkdownRendersAsGitHubDoes() throws {
        let table = "| layer | id |\n|---|---|\n| max_pooling2d_1 | \(Markdown.escape("a|b <c> & d_e_f")) |\n| batch_normalization_1 | x |\n"
        let html = try GFM.html(table)
        XCTAssertTrue(html.contains("<td>max_pooling2d_1</td>"), html)
        XCTAssertTrue(html.contains("<td>batch_normalization_1</td>"), html)
        XCTAssertTrue(html.contains("<td>a|b &lt;c&gt; &amp; d_e_f</td>"), html)
        XCTAssertFalse(html.contains("<em>"), html)
        XCTAssertEqual(html.components(separatedBy: "<tr>").count - 1, 3, "header and two rows, cells not split")

        let hostile = "[x](javascript:alert(1)).png"
        let para = try GFM.html("The id " + Markdown.escape(hostile) + " failed.")
        XCTAssertFalse(para.contains("<a"), para)
        XCTAssertTrue(para.contains("[x](javascript:alert(1)).png"), para)
        XCTAssertFalse(try GFM.html("[x](javascript:alert(1))").contains("javascript:"))
    }

    /// `Markdown.escape` shows any string literally, and leaves numbers readable.
    func testMarkdownEscapeRoundTrips() throws {
        let nasty = ["*a* _b_ `c` ~~d~~ [e](f) <g> &amp; | h", "# not a heading", "1. not a list", "- not a list",
                     "+ no", "= no", "a\\b\\*c", "www.example.com", "![img](x.png)", "emoji 🩻 and ünïcödé",
                     "<script>alert(1)</script>", "x\ny", "__init__", "2) two", "0.812 [0.790, 0.833]"]
        for s in nasty {
            let html = try GFM.html(Markdown.escape(s))
            let expected = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "&", with: "&amp;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
            let text = html.replacingOccurrences(of: "<p>", with: "").replacingOccurrences(of: "</p>\n", with: "")
            if s == "www.example.com" { XCTAssertTrue(text.contains("www.example.com"), text); continue }
            XCTAssertEqual(text, expected, "for \(s)")
        }
        XCTAssertEqual(Markdown.escape("0.812 of 1,234 (12.3 %)"), "0.812 of 1,234 (12.3 %)", "numbers stay readable")
        XCTAssertEqual(Markdown.code("a`b"), "``a`b``")
        XCTAssertEqual(Markdown.codeBlock("x\n```y"), "````\nx\n```y\n````")
    }

    /// A template key that resolves to nothing is an error, not an empty string.
    func testStrictCheckFindsUnresolvedKeys() {
        struct Row { var name: String; var value: String? }
        struct Model { var title: String; var rows: [Row]; var flag: Bool; var missing: Row? }
        let m = Model(title: "t", rows: [Row(name: "a", value: nil)], flag: true, missing: nil)
        XCTAssertEqual(TemplateCheck.unresolved("{{title}} {{#rows}}{{name}} {{value}} {{title}}{{/rows}}{{#flag}}{{title}}{{/flag}}", model: m), [])
        XCTAssertEqual(TemplateCheck.unresolved("{{titel}} {{#rows}}{{nmae}}{{/rows}}{{#nope}}{{x}}{{/nope}}", model: m), ["titel", "nmae", "#nope"])
        XCTAssertEqual(TemplateCheck.unresolved("{{#missing}}{{anything}}{{/missing}}{{^missing}}{{title}}{{/missing}}", model: m), [],
                       "a nil section is skipped")
    }

    func testSlugs() {
        XCTAssertEqual(Renderer.slugify("Adam vs SGD"), "adam-vs-sgd")
        XCTAssertEqual(Renderer.slugify("64 vs 32 pixels"), "64-vs-32-pixels")
    }
}
