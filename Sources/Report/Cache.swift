import Crypto
import Foundation

/// The identity of one cell's result: a SHA-256 over the cell's name, the version of its
/// code, its parameters (as sorted-key JSON) and the keys of every cell it reads. Because
/// upstream keys are part of the hash, a change anywhere upstream invalidates everything
/// downstream by itself — no hand-declared dependencies.
public struct CellKey: Hashable, Codable, Sendable, CustomStringConvertible {
    public let cell: String
    public let digest: String

    public init(cell: String, version: Int, parameters: some Encodable, inputs: [CellKey]) throws {
        var h = SHA256()
        h.update(data: Data("cell:\(cell)\nversion:\(version)\n".utf8))
        h.update(data: try StableJSON.encode(parameters))
        for k in inputs { h.update(data: Data("\ninput:\(k.cell)=\(k.digest)".utf8)) }
        self.cell = cell
        self.digest = h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public var short: String { String(digest.prefix(12)) }
    public var description: String { "\(cell)@\(short)" }
}

/// One line of the run log: which cell ran (or came from the cache) and how long it took.
public struct CellTiming: Codable, Sendable {
    public let cell: String
    public let key: String
    public let cached: Bool
    public let seconds: Double
}

/// Stores cell results under `<output>/.cache/<cell>/<digest>/`: `value.json` holds the
/// result, and a cell may keep files of its own beside it (models, predictions). A result
/// is written only once complete (atomic rename of the value file last), so a run killed
/// at any point resumes from its finished cells.
public final class CellCache: @unchecked Sendable {
    public let root: URL
    public let enabled: Bool
    /// Cells whose cached results are ignored this run (`--force CELL`, prefix match).
    public let forced: [String]
    public private(set) var timings: [CellTiming] = []
    private let lock = NSLock()

    public init(root: URL, enabled: Bool = true, forced: [String] = []) {
        self.root = root
        self.enabled = enabled
        self.forced = forced
    }

    public func directory(for key: CellKey) -> URL {
        root.appendingPathComponent(key.cell, isDirectory: true).appendingPathComponent(key.digest, isDirectory: true)
    }

    private func isForced(_ cell: String) -> Bool {
        forced.contains { cell == $0 || cell.hasPrefix($0 + "/") || ($0.hasSuffix("*") && cell.hasPrefix(String($0.dropLast()))) }
    }

    /// Returns the cached value for `key`, or computes it with `compute(dir)` — where `dir`
    /// is the cell's own folder for extra files — stores it and returns it.
    public func value<T: Codable>(_ key: CellKey, _ type: T.Type = T.self,
                                  compute: (URL) throws -> T) throws -> T {
        let dir = directory(for: key)
        let valueURL = dir.appendingPathComponent("value.json")
        if enabled, !isForced(key.cell), let data = try? Data(contentsOf: valueURL),
           let v = try? StableJSON.decode(T.self, from: data) {
            record(CellTiming(cell: key.cell, key: key.short, cached: true, seconds: 0))
            return v
        }
        // Start from a clean folder: leftovers of an interrupted run are not trusted.
        try? FileManager.default.removeItem(at: dir)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw ReportError("cannot create cache folder \(dir.path): \(error.localizedDescription)")
        }
        let start = Date()
        let v = try compute(dir)
        try AtomicFile.write(try StableJSON.encode(v), to: valueURL)
        record(CellTiming(cell: key.cell, key: key.short, cached: false, seconds: Date().timeIntervalSince(start)))
        return v
    }

    private func record(_ t: CellTiming) {
        lock.lock(); timings.append(t); lock.unlock()
    }
}
