import Foundation
import GFM
import Mustache

/// The report's templates: the built-in ones (compiled into the executable from
/// `report-templates/`), or a folder given with `--templates` that overrides them file by file.
struct Templates {
    let library: MustacheLibrary
    /// Template name → where it came from, for messages.
    let sources: [String: String]

    static let required = ["report.md", "report.html", "style.css"]

    static func load(override dir: URL?) throws -> Templates {
        Markdown.registerContentType()
        var texts: [String: (text: String, source: String)] = [:]
        for (file, text) in EmbeddedTemplates.files where file.hasSuffix(".mustache") {
            texts[String(file.dropLast(".mustache".count))] = (text, "built-in \(file)")
        }
        if let dir {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
                throw ReportError("--templates \(TextSafety.clip(dir.path)): not a folder")
            }
            let files: [URL]
            do {
                files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
                    .filter { $0.pathExtension == "mustache" }.sorted { $0.path < $1.path }
            } catch {
                throw ReportError("cannot read the templates folder \(dir.path): \(error.localizedDescription)")
            }
            for f in files {
                do { texts[f.deletingPathExtension().lastPathComponent] = (try String(contentsOf: f, encoding: .utf8), f.path) } catch {
                    throw ReportError("\(f.path): cannot read template (\(error.localizedDescription))")
                }
            }
        }
        var lib = MustacheLibrary()
        for (name, t) in texts.sorted(by: { $0.key < $1.key }) {
            do { try lib.register(t.text, named: name) } catch {
                throw ReportError("\(t.source): template error: \(error)")
            }
        }
        for needed in required where lib.getTemplate(named: needed) == nil {
            throw ReportError("template \(needed).mustache is missing")
        }
        return Templates(library: lib, sources: texts.mapValues(\.source))
    }

    /// Renders `template` with `model`, refusing any tag that resolves to nothing: a
    /// misspelled key in a template is an error, not an empty string in the report.
    func render<T: Encodable>(_ template: String, _ model: T) throws -> String {
        let text = EmbeddedTemplates.text(named: template, library: self)
        if let text {
            let unresolved = TemplateCheck.unresolved(text, model: model)
            if let first = unresolved.first {
                throw ReportError("\(sources[template] ?? template): {{\(first)}} resolves to nothing" + (unresolved.count > 1 ? " (and \(unresolved.count - 1) more)" : ""))
            }
        }
        guard let out = library.render(model, withTemplate: template) else {
            throw ReportError("template \(template) is missing")
        }
        return out
    }
}

extension EmbeddedTemplates {
    /// The source text of a template (the override's when there is one).
    static func text(named name: String, library t: Templates) -> String? {
        if let src = t.sources[name], !src.hasPrefix("built-in "), let s = try? String(contentsOfFile: src, encoding: .utf8) { return s }
        return files[name + ".mustache"]
    }
}

/// Checks a template's tags against a value tree: every `{{name}}`, `{{#name}}` and
/// `{{^name}}` must resolve in its context (Mustache's rules: search the context stack from
/// the innermost value out; dotted names walk down). Sections over nil values are skipped
/// (there is nothing to check them against); sections over lists are checked against
/// their first element.
enum TemplateCheck {
    static func unresolved<T>(_ template: String, model: T) -> [String] {
        var missing: [String] = []
        var stack: [Any?] = [model]
        // Each open section: its name and whether its body is being checked.
        var sections: [(name: String, checking: Bool, pushed: Bool)] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            let triple = rest[open.upperBound...].hasPrefix("{")
            let closeToken = triple ? "}}}" : "}}"
            guard let close = rest[open.upperBound...].range(of: closeToken) else { break }
            var tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if triple { tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) }
            rest = rest[close.upperBound...]
            let checking = sections.allSatisfy(\.checking)
            guard let first = tag.first else { continue }
            switch first {
            case "!", ">", "%", "=": continue
            case "#", "^":
                let name = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces)
                guard checking else { sections.append((name, false, false)); continue }
                guard let found = resolve(name, in: stack) else {
                    missing.append(tag); sections.append((name, false, false)); continue
                }
                let value = unwrap(found)
                if first == "^" { sections.append((name, true, false)); continue }
                if value == nil { sections.append((name, false, false)); continue }
                if let list = value as? [Any] {
                    if let e = list.first { stack.append(e); sections.append((name, true, true)) }
                    else { sections.append((name, false, false)) }
                } else if value is Bool || value is String || value is Int || value is Double {
                    sections.append((name, true, false))
                } else {
                    stack.append(value); sections.append((name, true, true))
                }
            case "/":
                if let s = sections.popLast(), s.pushed { stack.removeLast() }
            case "&":
                let name = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces)
                if checking, resolve(name, in: stack) == nil { missing.append(tag) }
            default:
                if checking, resolve(tag, in: stack) == nil { missing.append(tag) }
            }
        }
        return missing
    }

    /// The value `name` names in the context stack; `.some(nil)` for a nil optional.
    static func resolve(_ name: String, in stack: [Any?]) -> Any?? {
        if name == "." { return .some(stack.last ?? nil) }
        let parts = name.split(separator: ".").map(String.init)
        for ctx in stack.reversed() {
            guard let ctx = unwrap(ctx), let head = child(parts[0], of: ctx) else { continue }
            var v: Any? = head
            for p in parts.dropFirst() {
                guard let u = unwrap(v), let c = child(p, of: u) else { return nil }
                v = c
            }
            return .some(v)
        }
        return nil
    }

    static func child(_ name: String, of value: Any) -> Any?? {
        if let d = value as? [String: Any] { return d[name].map { .some($0) } }
        for c in Mirror(reflecting: value).children where c.label == name { return .some(c.value) }
        return nil
    }

    static func unwrap(_ value: Any?) -> Any? {
        guard let value else { return nil }
        let m = Mirror(reflecting: value)
        if m.displayStyle == .optional { return m.children.first.map { unwrap($0.value) } ?? nil }
        return value
    }
}

/// Markdown for user-supplied text: the report's Markdown escapes what comes from data
/// (`{{…}}` in `report.md.mustache`), never with HTML entities.
enum Markdown {
    /// Mustache content type `MARKDOWN` (`{{% CONTENT_TYPE: MARKDOWN}}`): `{{x}}` is escaped for Markdown.
    struct ContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { Markdown.escape(text) }
    }

    /// Inline text that renders as exactly `s` (one line): a backslash before every character
    /// that can start inline syntax (`\` `` ` `` `*` `_` `[` `]` `<` `>` `|` `!` `~` `&` `#`), and
    /// before what would start a block at the beginning of a line (`-` `+` `=`, `1.` `1)`);
    /// control characters become spaces. Digits, `.` and `,` elsewhere stay as they are, so
    /// numbers read naturally in the Markdown. (`GFM.MarkdownText.escape` escapes every ASCII
    /// punctuation character instead.)
    static func escape(_ s: String) -> String {
        var out = ""
        let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "!", "~", "&", "#"]
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            if c.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control }) { out.append(" "); continue }
            // "1." / "1)" followed by a space (or nothing) would start an ordered list.
            let listMarker = ".)".contains(c) && i > 0 && chars[..<i].allSatisfy { $0.isASCII && $0.isNumber }
                && (i + 1 == chars.count || chars[i + 1] == " ")
            if special.contains(c) || (i == 0 && "-+=".contains(c)) || listMarker { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// A fenced code block showing `text` literally, with a fence longer than any run of
    /// backticks inside it.
    static func codeBlock(_ text: String) -> String {
        var run = 0, longest = 0
        for c in text { if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + "\n" + text + "\n" + fence
    }

    static func registerContentType() { MustacheContentTypes.register(ContentType(), named: "MARKDOWN") }

    /// Inline code that shows `s` literally, whatever backticks it holds.
    static func code(_ s: String) -> String {
        let clean = s.replacingOccurrences(of: "\n", with: " ")
        var run = 0, longest = 0
        for c in clean { if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = clean.hasPrefix("`") || clean.hasSuffix("`") ? " " : ""
        return fence + pad + clean + pad + fence
    }
}

/// Markdown → HTML with GitHub's own renderer (cmark-gfm, safe mode), then headings get ids
/// and a table of contents, and figures are embedded as data URIs of the 2× PNG.
enum Renderer {
    struct Page: Encodable {
        struct Entry: Encodable { var id: String; var title: String; var sub: Bool }
        var title: String
        var profile: String
        var body: String
        var toc: [Entry]
    }

    static func html(markdown: String, title: String, profile: String, templates: Templates, figures: URL) throws -> String {
        var body: String
        do { body = try GFM.html(markdown) } catch { throw ReportError("cannot render the Markdown: \(error)") }
        var toc: [Page.Entry] = []
        body = addHeadingIds(body, toc: &toc)
        body = try embedImages(body, base: figures)
        return try templates.render("report.html", Page(title: title, profile: profile, body: body, toc: toc))
    }

    /// Gives each `<h2>`/`<h3>` an id (slug of its text) and collects the table of contents.
    static func addHeadingIds(_ html: String, toc: inout [Page.Entry]) -> String {
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
            toc.append(Page.Entry(id: slug, title: stripTags(inner), sub: level == "3"))
            out += "<h\(level) id=\"\(slug)\">\(inner)</h\(level)>"
            rest = after[close.upperBound...]
        }
        out += rest
        return out
    }

    /// Replaces `src="figures/…"` by a data URI of the file under `base` (its `@2x` twin
    /// when present). A link to a figure that was not written is an error.
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

    /// The text of an HTML fragment (tags removed), for the table of contents; it stays
    /// HTML-escaped, as the Mustache HTML template expects raw text and escapes it again,
    /// so entities are decoded here.
    static func stripTags(_ s: String) -> String {
        var out = "", inTag = false
        for c in s {
            if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { out.append(c) }
        }
        return out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func slugify(_ s: String) -> String {
        var out = ""
        for c in s.lowercased() {
            if c.isLetter || c.isNumber { out.append(c) } else if !out.hasSuffix("-") { out.append("-") }
        }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
