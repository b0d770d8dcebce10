import Foundation
import Ink
import Mustache

/// Renders the report from `report-templates/`: `report.md.mustache` gives the Markdown,
/// which Ink turns into HTML, wrapped by `report.html.mustache` with the CSS inlined and
/// every figure embedded, so `report.html` is one self-contained file.
enum Renderer {
    /// Loads every `*.mustache` file of the folder as a template named after the file.
    static func library(_ dir: URL) throws -> MustacheLibrary {
        var lib = MustacheLibrary()
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "mustache" }.sorted { $0.path < $1.path }
        } catch {
            throw ReportError("cannot read the templates folder \(dir.path): \(error.localizedDescription)")
        }
        for f in files {
            let text: String
            do { text = try String(contentsOf: f, encoding: .utf8) } catch {
                throw ReportError("\(f.path): cannot read template (\(error.localizedDescription))")
            }
            do { try lib.register(text, named: f.deletingPathExtension().lastPathComponent) } catch {
                throw ReportError("\(f.path): template error: \(error)")
            }
        }
        for needed in ["report.md", "report.html"] where lib.getTemplate(named: needed) == nil {
            throw ReportError("\(dir.path): template \(needed).mustache is missing")
        }
        return lib
    }

    static func markdown(_ context: [String: Any], library: MustacheLibrary) -> String {
        library.render(context, withTemplate: "report.md") ?? ""
    }

    /// HTML from the rendered Markdown: headings get ids and a table of contents; `<img>`
    /// sources under `figures/` are replaced by data URIs of the 2× PNG (1× when absent).
    static func html(markdown: String, context: [String: Any], library: MustacheLibrary, outputDirectory: URL) throws -> String {
        let parser = MarkdownParser()
        var body = parser.html(from: markdown)
        var toc: [[String: Any]] = []
        body = addHeadingIds(body, toc: &toc)
        body = try embedImages(body, base: outputDirectory)
        var ctx = context
        ctx["body"] = body
        ctx["toc"] = toc
        return library.render(ctx, withTemplate: "report.html") ?? ""
    }

    /// Gives each `<h2>`/`<h3>` an id (slug of its text) and collects the table of contents.
    static func addHeadingIds(_ html: String, toc: inout [[String: Any]]) -> String {
        var out = ""
        var rest = Substring(html)
        var used: Set<String> = []
        while let open = rest.range(of: "<h") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let level = after.first, level == "2" || level == "3",
                  after.dropFirst().first == ">",
                  let close = after.range(of: "</h\(level)>") else {
                out += "<h"
                rest = after
                continue
            }
            let inner = String(after[after.index(after.startIndex, offsetBy: 2)..<close.lowerBound])
            var slug = slugify(stripTags(inner))
            var k = 2
            while used.contains(slug) { slug = "\(slugify(stripTags(inner)))-\(k)"; k += 1 }
            used.insert(slug)
            toc.append(["id": slug, "title": stripTags(inner), "sub": level == "3"])
            out += "<h\(level) id=\"\(slug)\">\(inner)</h\(level)>"
            rest = after[close.upperBound...]
        }
        out += rest
        return out
    }

    static func embedImages(_ html: String, base: URL) throws -> String {
        var out = ""
        var rest = Substring(html)
        let marker = "src=\"figures/"
        while let r = rest.range(of: marker) {
            out += rest[..<r.lowerBound]
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { out += marker; rest = after; continue }
            let rel = "figures/" + after[..<end]
            var file = base.appendingPathComponent(rel)
            let hi = URL(fileURLWithPath: file.path.replacingOccurrences(of: ".png", with: "@2x.png"))
            if FileManager.default.fileExists(atPath: hi.path) { file = hi }
            guard let data = try? Data(contentsOf: file) else {
                throw ReportError("the report links \(rel), which was not written")
            }
            out += "src=\"data:image/png;base64,\(data.base64EncodedString())\""
            rest = after[after.index(after: end)...]
        }
        out += rest
        return out
    }

    static func stripTags(_ s: String) -> String {
        var out = "", inTag = false
        for c in s {
            if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { out.append(c) }
        }
        return out.replacingOccurrences(of: "&amp;", with: "&")
    }

    static func slugify(_ s: String) -> String {
        var out = ""
        for c in s.lowercased() {
            if c.isLetter || c.isNumber { out.append(c) } else if !out.hasSuffix("-") { out.append("-") }
        }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// Escapes text for a Markdown table cell or paragraph (data-derived strings only).
    static func escapeMarkdown(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "|", "*", "_", "`", "[", "]", "<", ">", "\\", "#": out.append("\\"); out.append(c)
            default: out.append(c)
            }
        }
        return out
    }
}
