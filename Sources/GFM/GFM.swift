import CCMarkGFM
import Foundation

/// Markdown → HTML with GitHub's own renderer, libcmark-gfm (the only file that calls
/// `cmark_*`).
public enum GFM {
    /// The HTML cmark-gfm gives for `markdown`, as GitHub renders a Markdown file:
    ///
    /// - Syntax extensions `table`, `strikethrough`, `autolink` and `tagfilter` (GitHub's
    ///   set without `tasklist`); no footnotes.
    /// - Options `CMARK_OPT_DEFAULT` (0) for parsing and rendering, which since cmark 0.29 is
    ///   the *safe* mode: `CMARK_OPT_UNSAFE` is never set. Raw HTML, inline or block, is
    ///   replaced by `<!-- raw HTML omitted -->`, and a link or image whose URL starts with
    ///   `javascript:`, `vbscript:`, `file:` or `data:` (case-insensitively, after entities
    ///   and backslash escapes are decoded) gets an empty `href`/`src` — except `data:image/`
    ///   `png`, `gif`, `jpeg` and `webp`. In the URLs written, `&` and `'` become entities
    ///   and every byte outside ``-_.+!*'(),%#@?=;:/$~`` and ASCII letters/digits is
    ///   percent-encoded, so no control character or space can hide a scheme from that
    ///   check. `GFMTests` pins this behaviour.
    /// - No `CMARK_OPT_SMART` (quotes and dashes stay as typed), no `CMARK_OPT_HARDBREAKS`
    ///   (a newline inside a paragraph is a soft break, written as `\n`), no
    ///   `CMARK_OPT_GITHUB_PRE_LANG` (a fenced block's info string becomes
    ///   `<pre><code class="language-yaml">`), no `CMARK_OPT_SOURCEPOS`,
    ///   no `CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES` (column alignment is an `align="right"`
    ///   attribute on `<th>`/`<td>`).
    ///
    /// Text is HTML-escaped as `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`, `"` → `&quot;`;
    /// a NUL character becomes U+FFFD. Intraword `_` never opens emphasis (CommonMark's
    /// flanking rules): `max_pooling2d_1` stays as typed.
    ///
    /// The autolink extension links `www.…`, `http(s)://…`, `ftp://…` and e-mail-like
    /// `name@host.tld` text, as GitHub does; see `MarkdownText` for user-supplied strings.
    ///
    /// Thread-safe: calls are serialised, because cmark-gfm 0.29 registers the extensions'
    /// special characters in process-global tables for the duration of each parse.
    ///
    /// - Throws: `GFMError.missingExtension` when the linked libcmark-gfm-extensions lacks
    ///   one of the four extensions; `GFMError.allocationFailed` when cmark returns NULL
    ///   (its default allocator aborts on out-of-memory, so in practice this means a broken
    ///   library).
    public static func html(_ markdown: String) throws -> String {
        _ = registered
        lock.lock()
        defer { lock.unlock() }

        guard let parser = cmark_parser_new(options) else {
            throw GFMError.allocationFailed(stage: "cmark_parser_new")
        }
        defer { cmark_parser_free(parser) }

        for name in extensions {
            guard let ext = cmark_find_syntax_extension(name) else {
                throw GFMError.missingExtension(name: name)
            }
            guard cmark_parser_attach_syntax_extension(parser, ext) != 0 else {
                throw GFMError.missingExtension(name: name)
            }
        }

        var text = markdown
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                cmark_parser_feed(parser, $0, bytes.count)
            }
        }
        guard let document = cmark_parser_finish(parser) else {
            throw GFMError.allocationFailed(stage: "cmark_parser_finish")
        }
        defer { cmark_node_free(document) }

        guard let rendered = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else {
            throw GFMError.allocationFailed(stage: "cmark_render_html")
        }
        defer { cmark_get_default_mem_allocator().pointee.free(rendered) }
        return String(cString: rendered)
    }

    /// The cmark options for parsing and rendering: the default, i.e. safe, mode.
    static let options: Int32 = CMARK_OPT_DEFAULT

    /// GitHub's syntax extensions, in the order they are attached.
    public static let extensions = ["table", "strikethrough", "autolink", "tagfilter"]

    /// `cmark_gfm_core_extensions_ensure_registered` guards itself with a plain static flag;
    /// a `static let` runs it exactly once, thread-safely.
    private static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    private static let lock = NSLock()
}

/// What can go wrong turning Markdown into HTML; `description` is one line.
public enum GFMError: Error, CustomStringConvertible, Equatable, Sendable {
    /// cmark-gfm returned NULL from the named call.
    case allocationFailed(stage: String)
    /// The linked libcmark-gfm-extensions has no syntax extension of this name.
    case missingExtension(name: String)

    public var description: String {
        switch self {
        case .allocationFailed(let stage):
            return "cmark-gfm: \(stage) returned NULL (out of memory or a broken libcmark-gfm)"
        case .missingExtension(let name):
            return "cmark-gfm: the GFM extension \"\(name)\" is not available; install libcmark-gfm-extensions-dev (0.29 or later)"
        }
    }
}
