/// Puts user-supplied strings (image ids, labels, data paths) into Markdown so that they
/// render as exactly the text they are, never as Markdown or HTML. The results contain no
/// HTML entities: they are meant for a template slot that does no escaping of its own
/// (Mustache's `{{{triple}}}` form).
public enum MarkdownText {
    /// `text` as inline text of a paragraph, heading or list item.
    ///
    /// Every ASCII punctuation character (``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``) gets a
    /// backslash in front. CommonMark makes a backslash before any ASCII punctuation mean
    /// "this character, literally", so no context analysis is needed: no emphasis, link,
    /// image, code span, entity, raw HTML, heading (`#`), list marker (`-`, `+`, `1.`),
    /// thematic break (`---`), block quote, table pipe, strikethrough (`~`), or
    /// `www.`/`https://` autolink can start inside the result.
    ///
    /// Control characters (Unicode category Cc: tab, CR, LF, NUL, DEL, C1) become spaces,
    /// so the result is one line; leading and trailing spaces are then dropped — Markdown
    /// drops them at a line's ends anyway, and left in place four leading spaces would
    /// start a code block and two trailing ones a line break. Other characters (letters,
    /// digits, spaces inside, non-ASCII, emoji) are copied unchanged.
    ///
    /// So `GFM.html(escape(s))` is `<p>` + `s` (with those spaces dropped) HTML-escaped +
    /// `</p>\n`, with one exception GitHub shares: the autolink extension's e-mail rule
    /// runs on the decoded text, so `name@host.tld` (e.g. `scan@2x.png`) still renders as
    /// its own text inside a `mailto:` link. Nothing in the text can produce any other
    /// link, an image, or a URL scheme.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpaces = 0
        for scalar in text.unicodeScalars {
            let isSpace = scalar == " " || scalar.properties.generalCategory == .control
            if isSpace {
                if !out.isEmpty { pendingSpaces += 1 }
                continue
            }
            if pendingSpaces > 0 {
                out.append(contentsOf: repeatElement(" " as Unicode.Scalar, count: pendingSpaces))
                pendingSpaces = 0
            }
            if isASCIIPunctuation(scalar) { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }

    /// `text` as the content of a GFM table cell: `escape(text)`, which already suits a
    /// cell — the `|` is escaped (GFM keeps `\|` inside the cell and the backslash goes,
    /// also after an escaped backslash: `a\|` → `a\\\|` → `a\|`), and the result is one
    /// line, so it can neither split the cell nor end the row.
    public static func tableCell(_ text: String) -> String {
        escape(text)
    }

    /// A relative file path as a link or image destination, `![alt](dest)` or `[t](dest)`.
    ///
    /// Percent-encodes the UTF-8 bytes of every character except ASCII letters, digits,
    /// `-`, `.`, `_`, `~` (RFC 3986 unreserved) and `/` (the path separator), so `:` is
    /// `%3A` and the result can never start with a scheme (`javascript:`…), and spaces,
    /// parentheses, `<`, `>`, `\`, `%`, `?` and `#` cannot end the destination or start a
    /// query or fragment. A leading `/` becomes `./`-relative (`/a.png` → `./a.png`,
    /// `//host/x` → `.//host/x`), so the result never names another host or the
    /// file-system root. A browser decodes the escapes and asks for the file under its
    /// original name; code that reads the file back from the HTML must percent-decode.
    public static func linkDestination(_ path: String) -> String {
        var out = ""
        out.reserveCapacity(path.utf8.count)
        for byte in path.utf8 {
            if isUnreservedOrSlash(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%"
                out.unicodeScalars.append(hexDigit(byte >> 4))
                out.unicodeScalars.append(hexDigit(byte & 0xF))
            }
        }
        if out.hasPrefix("/") { out = "." + out }
        return out
    }

    // MARK: - Character classes

    /// CommonMark's ASCII punctuation: U+0021–002F, 003A–0040, 005B–0060, 007B–007E.
    static func isASCIIPunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    private static func isUnreservedOrSlash(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ v: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "A") + v - 10)
    }
}
