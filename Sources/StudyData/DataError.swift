/// Everything that can be wrong with a dataset on disk, or with writing one. Every case
/// names the file (relative to the data folder where there is one), the line or id, and
/// what is wrong; `description` is one line.
///
/// The associated values keep what was found, unchanged; `description` shows every string
/// that came from the user or the disk through `DataError.printable(_:limit:)`, so a message
/// stays one short line whatever an id or a path holds (a 50 MB id, an escape sequence).
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file or folder the layout requires does not exist (a folder's path ends in `/`).
    case missingFile(path: String)
    /// Something exists at `path` but is of the wrong kind: a folder where a PNG or CSV
    /// file is expected, a file given as the data folder, a named pipe or device named
    /// `*.png`. Nothing is opened for reading that is not a regular file, so a FIFO
    /// cannot block the reader.
    case wrongKind(path: String, found: FileKind, expected: FileKind)
    /// A file larger than the reader reads (`maxFileBytes`).
    case fileTooLarge(path: String, bytes: Int, limit: Int)
    /// A file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// A CSV's first line is not `id,label1,label2,label3`.
    case badHeader(file: String, found: String)
    /// A CSV has no header line at all.
    case emptyCSV(file: String)
    /// A CSV row does not have exactly four comma-separated fields.
    case badFieldCount(file: String, line: Int, count: Int)
    /// A label is not `0` or `1`; `column` is `label1`, `label2` or `label3`.
    case badLabel(file: String, line: Int, column: String, value: String)
    /// An id that is not a plain PNG file name (empty, has a path separator, `..`, or does
    /// not end in `.png`).
    case badID(file: String, line: Int, id: String, reason: String)
    /// The ids of a CSV and the PNG files of its image folder differ. Each list holds at
    /// most the first five; the counts are complete.
    case idMismatch(csv: String, folder: String,
                    missing: [String], missingCount: Int,
                    extra: [String], extraCount: Int,
                    duplicates: [String], duplicateCount: Int)
    /// An image that is not 64×64 (and `resize` was not asked for). Decided from the PNG
    /// header, before any pixel is decoded.
    case wrongImageSize(file: String, width: Int, height: Int, expected: Int)
    /// An image whose header declares a side larger than `PNGCodec.maxSide`: refused before
    /// decoding, whether or not `resize` was asked for.
    case imageTooLarge(file: String, width: Int, height: Int, maxSide: Int)
    /// A line of a CSV that is not valid UTF-8; `text` is the line with each invalid byte
    /// shown as `\xHH`.
    case notUTF8(file: String, line: Int, text: String)
    /// A split with no image (a header-only CSV); thrown by `Dataset.validateForTraining`.
    /// `split` is `train` or `val`.
    case emptySplit(file: String, split: String)
    /// A black-image policy that leaves no training image: every one of the `count`
    /// training images is entirely black; thrown by `Dataset.validateForTraining`.
    case noTrainingImages(folder: String, count: Int, policy: String)
    /// libpng could not decode the file.
    case corruptPNG(file: String, reason: String)
    /// Writing a file or folder failed.
    case writeFailed(path: String, reason: String)
    /// The output folder of the generator already holds a dataset.
    case outputExists(path: String)
    /// A generator setting out of range.
    case invalidConfig(String)

    public var description: String {
        func p(_ text: String) -> String { DataError.printable(text) }
        func path(_ text: String) -> String { DataError.printable(text, limit: 240) }
        switch self {
        case .missingFile(let file):
            return "\(path(file)): \(file.hasSuffix("/") ? "folder" : "file") not found"
        case .wrongKind(let file, let found, let expected):
            let wanted = expected == .file && file.lowercased().hasSuffix(".png") ? "a PNG file"
                : expected == .file && file.lowercased().hasSuffix(".csv") ? "a CSV file" : expected.rawValue
            return "\(path(file)): is \(found.rawValue), not \(wanted)"
        case .fileTooLarge(let file, let bytes, let limit):
            return "\(path(file)): \(bytes) bytes, more than the \(limit) bytes this reader reads"
        case .unreadable(let file, let reason):
            return "\(path(file)): cannot be read (\(path(reason)))"
        case .badHeader(let file, let found):
            return "\(path(file)) line 1: header is \"\(p(found))\", expected \"id,label1,label2,label3\""
        case .emptyCSV(let file):
            return "\(path(file)): empty file, expected the header \"id,label1,label2,label3\""
        case .badFieldCount(let file, let line, let count):
            return "\(path(file)) line \(line): \(count) fields, expected 4 (id,label1,label2,label3)"
        case .badLabel(let file, let line, let column, let value):
            return "\(path(file)) line \(line): \(column) is \"\(p(value))\", expected 0 or 1"
        case .badID(let file, let line, let id, let reason):
            return "\(path(file)) line \(line): id \"\(p(id))\" refused: \(reason)"
        case .idMismatch(let csv, let folder, let missing, let missingCount, let extra,
                         let extraCount, let duplicates, let duplicateCount):
            var parts: [String] = []
            func list(_ ids: [String], _ count: Int) -> String {
                ids.map(p).joined(separator: ", ") + (count > ids.count ? ", … (\(count) in all)" : "")
            }
            let csv = path(csv), folder = path(folder)
            if missingCount > 0 { parts.append("\(missingCount) id(s) in \(csv) with no file in \(folder)/: \(list(missing, missingCount))") }
            if extraCount > 0 { parts.append("\(extraCount) file(s) in \(folder)/ not listed in \(csv): \(list(extra, extraCount))") }
            if duplicateCount > 0 { parts.append("\(duplicateCount) duplicate id(s) in \(csv): \(list(duplicates, duplicateCount))") }
            return "\(csv) and \(folder)/ disagree: " + parts.joined(separator: "; ")
        case .wrongImageSize(let file, let width, let height, let expected):
            return "\(path(file)): image is \(width)×\(height), expected \(expected)×\(expected)"
        case .imageTooLarge(let file, let width, let height, let maxSide):
            return "\(path(file)): image is \(width)×\(height), larger than the \(maxSide)×\(maxSide) this reader decodes"
        case .corruptPNG(let file, let reason):
            return "\(path(file)): not a readable PNG (\(path(reason)))"
        case .notUTF8(let file, let line, let text):
            return "\(path(file)) line \(line): not valid UTF-8: \"\(p(text))\""
        case .emptySplit(let file, let split):
            return "\(path(file)): no images (only the header); the \(split) split needs at least one"
        case .noTrainingImages(let folder, let count, let policy):
            return "\(path(folder))/: all \(count) training images are entirely black, so blackPolicy \(policy) leaves none to train on"
        case .writeFailed(let file, let reason):
            return "\(path(file)): cannot write (\(path(reason)))"
        case .outputExists(let file):
            return "\(path(file)): already holds a dataset; choose an empty folder or remove it first"
        case .invalidConfig(let message):
            return "invalid generator setting: \(path(message))"
        }
    }
}

/// What a path names, for `DataError.wrongKind`; the raw value is how a message says it.
public enum FileKind: String, Sendable, Equatable {
    case file = "a file"
    case folder = "a folder"
    case fifo = "a named pipe (FIFO)"
    case characterDevice = "a character device"
    case blockDevice = "a block device"
    case socket = "a socket"
    case brokenLink = "a symbolic link to nothing"
    case other = "an unusual kind of file"
}

// MARK: - Printable text

extension DataError {
    /// `text` made safe to print on one terminal line:
    /// - every control character — C0 (U+0000–U+001F, so also tab, CR and LF), DEL and C1
    ///   (U+0080–U+009F) — becomes `\xHH`, e.g. ESC → `\x1b`, NUL → `\x00`;
    /// - the line and paragraph separators U+2028/U+2029 and the bidirectional controls
    ///   (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which can reorder or break
    ///   what a terminal shows, become `\u{HHHH}`;
    /// - once `limit` characters (Unicode scalars, an escape counting as its length) are
    ///   shown, the rest is cut and replaced by `…(N more bytes)`, N counting the UTF-8
    ///   bytes of the original that were not shown.
    ///
    /// Invalid UTF-8 cannot reach a `String`; where raw bytes may hold it (a CSV line),
    /// `printable(bytes:limit:)` shows each invalid byte as `\xHH`.
    public static func printable(_ text: String, limit: Int = 120) -> String {
        var out = ""
        var shown = 0, usedBytes = 0
        for scalar in text.unicodeScalars {
            let piece = escaped(scalar)
            if shown + piece.count > limit {
                let rest = text.utf8.count - usedBytes
                return out + "…(\(rest) more bytes)"
            }
            out += piece
            shown += piece.count
            usedBytes += UTF8.width(scalar)
        }
        return out
    }

    /// As `printable(_:limit:)` for raw bytes: valid UTF-8 sequences are shown as text (with
    /// control characters escaped), each byte that is not part of one as `\xHH`.
    public static func printable(bytes: some Collection<UInt8>, limit: Int = 120) -> String {
        printable(decodingEscaped(bytes), limit: limit)
    }

    /// The bytes as a String in which every byte that is not part of a valid UTF-8 sequence
    /// (RFC 3629: shortest form, no surrogates, at most U+10FFFF) is written `\xHH`.
    static func decodingEscaped(_ bytes: some Collection<UInt8>) -> String {
        let b = Array(bytes)
        var out = ""
        var i = 0
        while i < b.count {
            if let (scalar, length) = utf8Scalar(b, at: i) {
                out.unicodeScalars.append(scalar)
                i += length
            } else {
                out += "\\x" + hex2(b[i])
                i += 1
            }
        }
        return out
    }

    /// The scalar whose UTF-8 encoding starts at `b[i]`, and its length; nil if none does.
    private static func utf8Scalar(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int, smallest: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F); smallest = 0x80
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F); smallest = 0x800
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07); smallest = 0x1_0000
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        for k in 1..<length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        // Unicode.Scalar(_: UInt32) is nil for surrogates and values past U+10FFFF.
        guard value >= smallest, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// One scalar as `printable` shows it.
    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F:
            return "\\x" + hex2(UInt8(scalar.value))
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
            return "\\u{" + String(scalar.value, radix: 16) + "}"
        default:
            return String(scalar)
        }
    }

    /// Two lower-case hex digits.
    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
