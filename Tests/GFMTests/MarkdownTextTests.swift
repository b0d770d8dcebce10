import Foundation
import XCTest
@testable import GFM

/// User-supplied strings through `MarkdownText` and back out of `GFM.html`.
final class MarkdownTextTests: XCTestCase {
    /// Strings with no control characters and no leading/trailing spaces, so that
    /// `escape` must keep every character.
    static let nasty: [String] = {
        let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        var list = [punctuation, String(punctuation.reversed())]
        for c in punctuation {
            list += [String(c), String(repeating: c, count: 2), String(repeating: c, count: 3),
                     "a\(c)b", "\(c)x\(c)", "\(c) x"]
        }
        list += [
            "# heading", "#", "###### h6", "1. item", "1) item", "10000. x", "- item", "+ item",
            "* item", "> quote", "---", "***", "___", "===", "- - -", "```", "~~~", "```swift",
            "a\\b", "\\", "\\\\", "back\\slash\\", "\\*not em\\*", "x\\|y", "\\|", "|\\",
            "*bold* _em_ ~~del~~ ~del~", "**x**", "__init__.py", "max_pooling2d_1",
            "batch_normalization_1", "a_b_c *d* e", "snake_case_name_", "_leading", "trailing_",
            "`code`", "``", "<script>alert(1)</script>", "<!-- c -->", "<a href=\"x\">y</a>",
            "&amp; &lt; &#x41; &#65; &copy; &", "[x](javascript:alert(1)).png",
            "![i](x.png)", "[a][b]", "[a]: /url", "[^1]", "[ ] task", "[x] done",
            "<http://x.org>", "https://example.org/a_b?c=d#e", "www.example.com", "http://www.x.y",
            "ftp://x.y", "mailto:a", "a@b", "a@b.1", "@user #123", "a|b|c", "| a | b |", "|---|",
            "x^2", "$x$", "{{mustache}}", "{{{x}}}", ":smile:", "1.5e-3", "-1", "a  b",
            "%20 %3Cscript%3E", "C:\\Users\\x.png", "../../etc/passwd", "~/x", "a/b/c.png",
            "Ünïcödé – “quotes” — ‘x’ …", "日本語のテキスト", "שלום עולם", "e\u{301}",
            "🧠 scan 🫁 👩‍⚕️ 🇫🇷", "émoji_🙂_x", "\u{00A0}nbsp\u{00A0}", "zero\u{200B}width",
            "line\u{2028}sep",
        ]
        return list
    }()

    // MARK: - escape

    func testEscapeBackslashesEveryASCIIPunctuation() {
        XCTAssertEqual(MarkdownText.escape("a<b & c"), "a\\<b \\& c")
        XCTAssertEqual(MarkdownText.escape("max_pooling2d_1"), "max\\_pooling2d\\_1")
        XCTAssertEqual(MarkdownText.escape("[x](javascript:alert(1)).png"),
                       "\\[x\\]\\(javascript\\:alert\\(1\\)\\)\\.png")
        XCTAssertEqual(MarkdownText.escape("Ünï 🧠 42"), "Ünï 🧠 42")
    }

    func testRoundTripAsParagraph() throws {
        for s in Self.nasty {
            let md = MarkdownText.escape(s)
            XCTAssertEqual(try GFM.html(md), "<p>\(htmlText(s))</p>\n", "\(s) → \(md)")
        }
    }

    func testRoundTripInsideASentenceHeadingAndAltText() throws {
        for s in Self.nasty {
            let e = MarkdownText.escape(s)
            XCTAssertEqual(try GFM.html("Image \(e) is black."), "<p>Image \(htmlText(s)) is black.</p>\n", s)
            XCTAssertEqual(try GFM.html("### \(e)"), "<h3>\(htmlText(s))</h3>\n", s)
            XCTAssertEqual(try GFM.html("![\(e)](x.png)"), "<p><img src=\"x.png\" alt=\"\(htmlText(s))\" /></p>\n", s)
        }
    }

    /// The one exception, shared with GitHub: the autolink extension's e-mail rule runs on
    /// decoded text, so an e-mail-like id is linked (harmlessly, `mailto:`) — its text intact.
    func testEmailLikeTextIsStillAutolinked() throws {
        XCTAssertEqual(try GFM.html(MarkdownText.escape("scan@2x.png")),
                       "<p><a href=\"mailto:scan@2x.png\">scan@2x.png</a></p>\n")
        XCTAssertEqual(try GFM.html(MarkdownText.escape("mailto:a@b.c")),
                       "<p><a href=\"mailto:a@b.c\">mailto:a@b.c</a></p>\n")
    }

    func testControlCharactersBecomeSpacesAndEndsAreTrimmed() throws {
        XCTAssertEqual(MarkdownText.escape("a\nb\r\nc\td\u{0}e\u{7F}f\u{85}g"), "a b  c d e f g")
        XCTAssertEqual(MarkdownText.escape("    code?  "), "code\\?")
        XCTAssertEqual(MarkdownText.escape(" \n\t "), "")
        // Without the mapping these would be a heading, a code block and a hard break.
        XCTAssertEqual(try GFM.html("x " + MarkdownText.escape("a\n# b")), "<p>x a # b</p>\n")
        XCTAssertEqual(try GFM.html(MarkdownText.escape("    not code") + "\nnext"), "<p>not code\nnext</p>\n")
        XCTAssertEqual(try GFM.html("x " + MarkdownText.escape("y  ") + "\nz"), "<p>x y\nz</p>\n")
    }

    // MARK: - Injection

    func testInjectionFileNameRendersAsText() throws {
        let name = "[x](javascript:alert(1)).png"
        let html = try GFM.html("Image " + MarkdownText.escape(name) + " is black.")
        XCTAssertEqual(html, "<p>Image [x](javascript:alert(1)).png is black.</p>\n")
        XCTAssertFalse(html.contains("<a"), html)
        // And as a table cell and as an image with that file name.
        let table = try GFM.html("| id |\n|---|\n| \(MarkdownText.tableCell(name)) |\n")
        XCTAssertTrue(table.contains("<td>[x](javascript:alert(1)).png</td>"), table)
        XCTAssertFalse(table.contains("<a"), table)
        let image = try GFM.html("![\(MarkdownText.escape(name))](\(MarkdownText.linkDestination("figures/" + name)))")
        XCTAssertEqual(image, "<p><img src=\"figures/%5Bx%5D%28javascript%3Aalert%281%29%29.png\" "
                       + "alt=\"[x](javascript:alert(1)).png\" /></p>\n")
    }

    func testLessThanAndAmpersandAreTextNotEntities() throws {
        let id = "a<b>&amp;c"
        let label = "x & y < z"
        let md = "| id | label |\n|---|---|\n| \(MarkdownText.tableCell(id)) | \(MarkdownText.tableCell(label)) |\n"
        for entity in ["&lt;", "&gt;", "&amp;amp;", "&#"] {
            XCTAssertFalse(md.contains(entity), md)
        }
        let html = try GFM.html(md)
        XCTAssertTrue(html.contains("<td>a&lt;b&gt;&amp;amp;c</td>"), html)
        XCTAssertTrue(html.contains("<td>x &amp; y &lt; z</td>"), html)
    }

    // MARK: - Tables

    func testEscapedPipesStayInsideTheirCell() throws {
        for s in ["a|b", "|", "x\\|y", "\\", "a\\", "|\\|", "||", "\\\\|"] {
            let md = "| name | value |\n|---|---|\n| \(MarkdownText.tableCell(s)) | end |\n"
            let html = try GFM.html(md)
            XCTAssertEqual(cells(html, tag: "th"), ["name", "value"], md)
            XCTAssertEqual(cells(html, tag: "td"), [htmlText(s), "end"], md)
        }
    }

    func testEveryNastyStringAsATableCell() throws {
        var md = "| s | n |\n|---|--:|\n"
        for (i, s) in Self.nasty.enumerated() { md += "| \(MarkdownText.tableCell(s)) | \(i) |\n" }
        let html = try GFM.html(md)
        let body = cells(html, tag: "td")
        XCTAssertEqual(body.count, 2 * Self.nasty.count)
        for (i, s) in Self.nasty.enumerated() where 2 * i + 1 < body.count {
            XCTAssertEqual(body[2 * i], htmlText(s), s)
            XCTAssertEqual(body[2 * i + 1], "\(i)", s)
        }
    }

    func testFullTable() throws {
        let rows = [("max_pooling2d_1", "a|b", "1.5"), ("<conv>", "x & y", "-2"), ("*", "", "3")]
        var md = "| layer | note | value |\n|:---|:---:|---:|\n"
        for (a, b, c) in rows {
            md += "| \(MarkdownText.tableCell(a)) | \(MarkdownText.tableCell(b)) | \(MarkdownText.tableCell(c)) |\n"
        }
        XCTAssertEqual(try GFM.html(md), """
            <table>
            <thead>
            <tr>
            <th align="left">layer</th>
            <th align="center">note</th>
            <th align="right">value</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td align="left">max_pooling2d_1</td>
            <td align="center">a|b</td>
            <td align="right">1.5</td>
            </tr>
            <tr>
            <td align="left">&lt;conv&gt;</td>
            <td align="center">x &amp; y</td>
            <td align="right">-2</td>
            </tr>
            <tr>
            <td align="left">*</td>
            <td align="center"></td>
            <td align="right">3</td>
            </tr>
            </tbody>
            </table>

            """)
    }

    // MARK: - linkDestination

    func testLinkDestinationEncoding() {
        XCTAssertEqual(MarkdownText.linkDestination("figures/a_b-1.~x.png"), "figures/a_b-1.~x.png")
        XCTAssertEqual(MarkdownText.linkDestination("figures/a b.png"), "figures/a%20b.png")
        XCTAssertEqual(MarkdownText.linkDestination("x/é(1).png"), "x/%C3%A9%281%29.png")
        XCTAssertEqual(MarkdownText.linkDestination("javascript:alert(1)"), "javascript%3Aalert%281%29")
        XCTAssertEqual(MarkdownText.linkDestination("100%?#.png"), "100%25%3F%23.png")
        XCTAssertEqual(MarkdownText.linkDestination("a\\b<c>"), "a%5Cb%3Cc%3E")
        XCTAssertEqual(MarkdownText.linkDestination("/abs/x.png"), "./abs/x.png")
        XCTAssertEqual(MarkdownText.linkDestination("//evil.example/x.png"), ".//evil.example/x.png")
    }

    func testLinkDestinationIsASafeRelativeLinkForAnyName() throws {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%")
        let names = Self.nasty + ["JavaScript:alert(1)", " javascript:x", "data:text/html,x", "a\nb", "\u{0}",
                                  "file:///etc/passwd", "vbscript:x", "//x", "/"]
        for name in names {
            let dest = MarkdownText.linkDestination(name)
            XCTAssertTrue(dest.allSatisfy { allowed.contains($0) }, "\(name) → \(dest)")
            XCTAssertFalse(dest.contains(":"), dest)
            XCTAssertFalse(dest.hasPrefix("/"), dest)
            if !name.hasPrefix("/") {
                XCTAssertEqual(dest.removingPercentEncoding, name, dest)
            }
            for md in ["![i](\(dest))", "[t](\(dest))", "[t](figures/\(dest))"] {
                let html = try GFM.html(md)
                let urls = attributeURLs(html)
                XCTAssertEqual(urls.count, 1, "\(md) → \(html)")
                // cmark passes an encoded destination through unchanged.
                XCTAssertEqual(urls.first, String(md.dropFirst(md.hasPrefix("!") ? 5 : 4).dropLast()), md)
                XCTAssertNil(urls.first.flatMap(dangerousScheme), html)
            }
        }
    }
}

/// The contents of each `<tag …>…</tag>` in `html`, in order.
func cells(_ html: String, tag: String) -> [String] {
    var out: [String] = []
    var rest = Substring(html)
    while let open = rest.range(of: "<\(tag)") {
        // `<th` also starts `<thead>`: the tag name must end there.
        guard let next = rest[open.upperBound...].first, next == ">" || next == " " else {
            rest = rest[open.upperBound...]
            continue
        }
        guard let gt = rest[open.upperBound...].firstIndex(of: ">"),
              let close = rest[gt...].range(of: "</\(tag)>") else { break }
        out.append(String(rest[rest.index(after: gt)..<close.lowerBound]))
        rest = rest[close.upperBound...]
    }
    return out
}
