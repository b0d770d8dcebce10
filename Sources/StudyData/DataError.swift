/// Everything that can be wrong with a dataset on disk, or with writing one. Every case
/// names the file (relative to the data folder where there is one), the line or id, and
/// what is wrong; `description` is one line.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file or folder the layout requires does not exist.
    case missingFile(path: String)
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
    /// An image that is not 64×64 (and `resize` was not asked for).
    case wrongImageSize(file: String, width: Int, height: Int, expected: Int)
    /// libpng could not decode the file.
    case corruptPNG(file: String, reason: String)
    /// Writing a file or folder failed.
    case writeFailed(path: String, reason: String)
    /// The output folder of the generator already holds a dataset.
    case outputExists(path: String)
    /// A generator setting out of range.
    case invalidConfig(String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): file not found"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .badHeader(let file, let found):
            return "\(file) line 1: header is \"\(found)\", expected \"id,label1,label2,label3\""
        case .emptyCSV(let file):
            return "\(file): empty file, expected the header \"id,label1,label2,label3\""
        case .badFieldCount(let file, let line, let count):
            return "\(file) line \(line): \(count) fields, expected 4 (id,label1,label2,label3)"
        case .badLabel(let file, let line, let column, let value):
            return "\(file) line \(line): \(column) is \"\(value)\", expected 0 or 1"
        case .badID(let file, let line, let id, let reason):
            return "\(file) line \(line): id \"\(id)\" refused: \(reason)"
        case .idMismatch(let csv, let folder, let missing, let missingCount, let extra,
                         let extraCount, let duplicates, let duplicateCount):
            var parts: [String] = []
            func list(_ ids: [String], _ count: Int) -> String {
                ids.joined(separator: ", ") + (count > ids.count ? ", … (\(count) in all)" : "")
            }
            if missingCount > 0 { parts.append("\(missingCount) id(s) in \(csv) with no file in \(folder)/: \(list(missing, missingCount))") }
            if extraCount > 0 { parts.append("\(extraCount) file(s) in \(folder)/ not listed in \(csv): \(list(extra, extraCount))") }
            if duplicateCount > 0 { parts.append("\(duplicateCount) duplicate id(s) in \(csv): \(list(duplicates, duplicateCount))") }
            return "\(csv) and \(folder)/ disagree: " + parts.joined(separator: "; ")
        case .wrongImageSize(let file, let width, let height, let expected):
            return "\(file): image is \(width)×\(height), expected \(expected)×\(expected) (use --resize to resample)"
        case .corruptPNG(let file, let reason):
            return "\(file): not a readable PNG (\(reason))"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write (\(reason))"
        case .outputExists(let path):
            return "\(path): already holds a dataset; choose an empty folder or remove it first"
        case .invalidConfig(let message):
            return "invalid generator setting: \(message)"
        }
    }
}
