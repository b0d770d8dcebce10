import Foundation
import XCTest
@testable import GFM

/// cmark-gfm's rendering as the report uses it: GFM extensions on, safe mode.
final class GFMTests: XCTestCase {
    // MARK: - GitHub's rendering

    func testIntrawordUnderscoresStayLiteral() throws {
        let md = "max_pooling2d_1 and batch_normalization_1"
        XCTAssertEqual(try GFM.html(md), "<p>max_pooling2d_1 and batch_normalization_1</p>\n")
        XCTAssertEqual(try GFM.html("## max_pooling2d_1"), "<h2>max_pooling2d_1</h2>\n")
        let table = try GFM.html("| layer |\n|---|\n| batch_normalization_1 |\n")
        XCTAssertTrue(table.contains("<td>batch_normalization_1</td>"), table)
        XCTAssertFalse(table.contains("<em>"), table)
        // Word-boundary underscores still mean emphasis, as on GitHub.
        XCTAssertEqual(try GFM.html("_em_ x"), "<p><em>em</em> x</p>\n")
    }

    func testExtensionsAreOn() throws {
        XCTAssertEqual(try GFM.html("a ~~b~~ c"), "<p>a <del>b</del> c</p>\n")
        XCTAssertEqual(try GFM.html("see www.example.com"),
                       "<p>see <a href=\"http://www.example.com\">www.example.com</a></p>\n")
        XCTAssertEqual(try GFM.html("```yaml\na: 1\n```\n"),
                       "<pre><code class=\"language-yaml\">a: 1\n</code></pre>\n")
        XCTAssertEqual(try GFM.html(""), "")
    }

    /// The exact text escaping cmark applies (houdini_escape_html0, non-secure): the four
    /// characters `&<>"`; `'` and `/` stay. `htmlText` below is derived from this.
    func testTextEscapingForm() throws {
        XCTAssertEqual(try GFM.html("a & b < c > d \" e ' f / g"),
                       "<p>a &amp; b &lt; c &gt; d &quot; e ' f / g</p>\n")
        XCTAssertEqual(htmlText("a & b < c > d \" e ' f / g"), "a &amp; b &lt; c &gt; d &quot; e ' f / g")
    }

    // MARK: - Safe mode

    func testRawJavascriptLinkHasNoHref() throws {
        XCTAssertEqual(try GFM.html("[x](javascript:alert(1))"), "<p><a href=\"\">x</a></p>\n")
        let variants = [
            "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](javascript&colon;alert(1))",
            "[x](&#106;avascript:alert(1))", "[x](<javascript:alert(1)>)", "<javascript:alert(1)>",
            "[x](< javascript:alert(1)>)", "[x](java&#x09;script:alert(1))", "[x](java&#10;script:alert(1))",
            "[x](\\javascript:alert(1))", "[x][r]\n\n[r]: javascript:alert(1)",
            "[x](vbscript:msgbox(1))", "[x](VBScript:msgbox(1))", "[x](file:///etc/passwd)",
            "[x](data:text/html,<script>alert(1)</script>)", "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "![x](javascript:alert(1))", "![x](data:image/svg+xml,<svg/onload=alert(1)>)",
            "| a |\n|---|\n| [x](javascript:alert(1)) |",
            "[x](javascript:alert(1)).png",
        ]
        for md in variants {
            let html = try GFM.html(md)
            let urls = attributeURLs(html)
            XCTAssertFalse(urls.isEmpty, "\(md) → \(html): expected a link or image")
            for url in urls {
                XCTAssertNil(dangerousScheme(url), "\(md) → \(html): \(url)")
            }
        }
        // The image data: URLs cmark allows are raster images only.
        XCTAssertEqual(try GFM.html("![x](data:image/png;base64,AA)"),
                       "<p><img src=\"data:image/png;base64,AA\" alt=\"x\" /></p>\n")
    }

    func testRawHTMLIsNotPassedThrough() throws {
        XCTAssertEqual(try GFM.html("<script>alert(1)</script>"), "<!-- raw HTML omitted -->\n")
        XCTAssertEqual(try GFM.html("a <b onclick=\"x\">b</b>"),
                       "<p>a <!-- raw HTML omitted -->b<!-- raw HTML omitted --></p>\n")
        for md in ["<img src=x onerror=alert(1)>", "x <script>alert(1)</script> y",
                   "<iframe src=\"https://x\"></iframe>", "| a |\n|---|\n| <script>x</script> |",
                   "<div>\n<script>alert(1)</script>\n</div>"] {
            let html = try GFM.html(md)
            for tag in ["<script", "<img", "<iframe", "<div", "onerror", "onclick"] {
                XCTAssertFalse(html.contains(tag), "\(md) → \(html)")
            }
            XCTAssertTrue(html.contains("<!-- raw HTML omitted -->"), "\(md) → \(html)")
        }
    }

    func testConcurrentCallsRenderTheSame() throws {
        // cmark-gfm 0.29 switches the extensions' trigger characters on and off in global
        // tables around each parse; unserialised, one call's end disables `~` and `w` for
        // another still parsing.
        let md = String(repeating: "a ~~b~~ www.example.com c\n\n", count: 400)
            + "| x | y |\n|---|--:|\n| 1 | 2 |\n"
        let expected = try GFM.html(md)
        XCTAssertEqual(expected.components(separatedBy: "<del>").count, 401)
        let results = UnsafeSendableBox(Array(repeating: "", count: 32))
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            results.set(i, (try? GFM.html(md)) ?? "error")
        }
        for r in results.values { XCTAssertEqual(r, expected) }
    }

    func testErrorDescriptionsAreOneLine() {
        for e in [GFMError.allocationFailed(stage: "cmark_parser_new"), .missingExtension(name: "table")] {
            XCTAssertFalse(e.description.contains("\n"))
            XCTAssertTrue(e.description.hasPrefix("cmark-gfm: "))
        }
    }
}

// MARK: - Helpers

/// cmark's HTML text escaping (`houdini_escape_html0` with `secure` = 0), pinned by
/// `testTextEscapingForm`.
func htmlText(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// The values of every `href="…"` and `src="…"` in `html`, HTML-attribute-decoded.
func attributeURLs(_ html: String) -> [String] {
    var urls: [String] = []
    for attr in ["href=\"", "src=\""] {
        var rest = Substring(html)
        while let r = rest.range(of: attr) {
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            urls.append(String(after[..<end])
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#x27;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&"))
            rest = after[end...]
        }
    }
    return urls
}

/// The scheme a browser would see in `url` if it is one that runs or reads something:
/// the WHATWG URL parser first strips leading/trailing C0 controls and spaces and removes
/// every tab and newline; a scheme is `[A-Za-z][A-Za-z0-9+.-]*` before the first `:`.
func dangerousScheme(_ url: String) -> String? {
    var scalars = Array(url.unicodeScalars)
    while let f = scalars.first, f.value <= 0x20 { scalars.removeFirst() }
    while let l = scalars.last, l.value <= 0x20 { scalars.removeLast() }
    scalars.removeAll { $0 == "\t" || $0 == "\n" || $0 == "\r" }
    let cleaned = String(String.UnicodeScalarView(scalars)).lowercased()
    guard let colon = cleaned.firstIndex(of: ":") else { return nil }
    let scheme = cleaned[..<colon]
    guard let first = scheme.first, first.isASCII, first.isLetter,
          scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }) else { return nil }
    switch scheme {
    case "javascript", "vbscript", "file": return String(scheme)
    case "data":
        let rest = cleaned[cleaned.index(after: colon)...]
        let rasters = ["image/png", "image/gif", "image/jpeg", "image/webp"]
        return rasters.contains(where: { rest.hasPrefix($0) }) ? nil : "data"
    default: return nil
    }
}

/// Results written from `concurrentPerform`, each index by one iteration only.
final class UnsafeSendableBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String]
    init(_ values: [String]) { storage = values }
    func set(_ i: Int, _ v: String) { lock.lock(); storage[i] = v; lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
