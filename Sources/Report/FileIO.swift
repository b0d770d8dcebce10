import Foundation

/// An error a user or the environment can cause while the report reads or writes files.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Writes files so that no reader ever sees one half-written: data goes to a temporary file
/// in the same folder, is flushed, then renamed over the destination (atomic on POSIX).
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                let err = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: tmp)
                throw ReportError("cannot write \(url.path): \(err)")
            }
        } catch let e as ReportError {
            throw e
        } catch {
            throw ReportError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Copies a finished file into place atomically (copy to a temporary name, then rename).
    public static func copy(_ source: URL, to url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: source) } catch {
            throw ReportError("cannot read \(source.path): \(error.localizedDescription)")
        }
        try write(data, to: url)
    }
}

/// JSON with sorted keys, so equal values always give equal bytes (cache keys, artefacts).
enum StableJSON {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try d.decode(type, from: data)
    }
}
