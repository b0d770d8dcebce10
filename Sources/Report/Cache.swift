import Crypto
import Foundation

/// The identity of one cell's result: a SHA-256 over the cell's name, the fingerprints of
/// the code it runs (the sources of the targets it calls into, hashed at build time), its
/// parameters (as sorted-key JSON) and the keys of every cell it reads. Because upstream
/// keys are part of the hash, a change anywhere upstream invalidates everything downstream
/// by itself — no hand-declared dependencies, no hand-bumped versions.
public struct CellKey: Hashable, Codable, Sendable, CustomStringConvertible {
    public let cell: String
    public let digest: String
    /// What went into the digest, by name: `code:NN`, `parameters`, `input:train/conv2` …
    /// Kept so that a stale cell can say which of them changed.
    public let components: [String: String]

    /// - Parameters:
    ///   - code: fingerprints of the code the cell runs, by target name.
    public init(cell: String, code: [String: String], parameters: some Encodable, inputs: [CellKey]) throws {
        var parts: [String: String] = [:]
        for (target, fp) in code { parts["code:\(target)"] = fp }
        parts["parameters"] = sha256Hex(try StableJSON.encode(parameters))
        for k in inputs { parts["input:\(k.cell)"] = k.digest }
        var h = SHA256()
        h.update(data: Data("cell:\(cell)\n".utf8))
        for (name, value) in parts.sorted(by: { $0.key < $1.key }) { h.update(data: Data("\(name)=\(value)\n".utf8)) }
        self.cell = cell
        self.components = parts
        self.digest = h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public var short: String { String(digest.prefix(12)) }
    public var description: String { "\(cell)@\(short)" }

    /// Why this key differs from an earlier one of the same cell, one phrase per component.
    public func changes(since old: [String: String]) -> [String] {
        var out: [String] = []
        for name in Set(components.keys).union(old.keys).sorted() where components[name] != old[name] {
            if name == "parameters" { out.append("parameters changed") }
            else if name.hasPrefix("code:") { out.append("code of \(name.dropFirst(5)) changed") }
            else if name.hasPrefix("input:") { out.append("input \(name.dropFirst(6)) changed") }
            else { out.append("\(name) changed") }
        }
        return out
    }
}

func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

func sha256Hex(file url: URL) -> String? {
    guard let h = FileHandle(forReadingAtPath: url.path) else { return nil }
    defer { try? h.close() }
    var hasher = SHA256()
    while true {
        let chunk: Data?
        do { chunk = try h.read(upToCount: 1 << 20) } catch { return nil }
        guard let chunk, !chunk.isEmpty else { break }  // nil or empty: end of file
        hasher.update(data: chunk)
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}

/// One line of the run log: which cell ran (or came from the cache) and how long it took.
public struct CellTiming: Codable, Sendable {
    public let cell: String
    public let key: String
    public let cached: Bool
    public let seconds: Double
}

/// Whether a cell's result is in the cache, and if not, why.
public enum CellStatus: Sendable, Equatable, CustomStringConvertible {
    case cached
    /// Not cached; the reasons name what changed since the newest earlier result of the cell.
    case stale([String])

    public var isCached: Bool { self == .cached }
    public var description: String {
        switch self {
        case .cached: return "cached"
        case .stale(let why): return "stale: " + why.joined(separator: "; ")
        }
    }
}

/// What a finished cell folder records beside its value: the key's components (for
/// `--explain`) and a SHA-256 of every file the cell keeps, checked on every read.
struct CellManifest: Codable {
    var cell: String
    var digest: String
    var components: [String: String]
    var files: [String: String]
    var created: Date
}

/// Stores cell results under `<root>/<cell>/<digest>/`: `value.json` holds the result, a
/// cell may keep files of its own beside it (weights, figures), and `manifest.json` records
/// the checksums of all of them.
///
/// Safe with several processes (or machines, on one shared file system) at once: a cell is
/// computed in a private temporary folder and published by one `rename` of the whole folder,
/// so no reader ever sees a half-written cell; when two writers finish the same cell, the
/// first rename wins and the second discards its copy. A cell whose files do not match their
/// checksums is treated as missing and recomputed, never used.
public final class CellCache: @unchecked Sendable {
    public let root: URL
    public let enabled: Bool
    /// Cells whose cached results are ignored this run (`--force`: exact name, a `/`-prefix,
    /// or a `*` glob).
    public let forced: [String]
    /// Fingerprints of the code, by target name (the build's own, unless a test fakes them).
    public let code: [String: String]
    public private(set) var timings: [CellTiming] = []
    /// Cell folders this process has found intact: published cells are never changed in place
    /// (a damaged one is moved aside and replaced whole), so one check of their checksums per
    /// process is enough — a rerun's plan replays the cached cells more than once.
    private var intact: Set<String> = []
    private let lock = NSLock()

    public init(root: URL, enabled: Bool = true, forced: [String] = [], code: [String: String] = CodeFingerprint.all) {
        self.root = root
        self.enabled = enabled
        self.forced = forced
        self.code = code
    }

    /// A key for a cell that runs the code of `targets`.
    public func key(_ cell: String, code targets: [String], parameters: some Encodable, inputs: [CellKey]) throws -> CellKey {
        var fps: [String: String] = [:]
        for t in targets { fps[t] = code[t] ?? "unknown" }
        return try CellKey(cell: cell, code: fps, parameters: parameters, inputs: inputs)
    }

    public func directory(for key: CellKey) -> URL {
        root.appendingPathComponent(key.cell, isDirectory: true).appendingPathComponent(key.digest, isDirectory: true)
    }

    public func isForced(_ cell: String) -> Bool {
        forced.contains { CellCache.matches(cell, pattern: $0) }
    }

    /// `pattern` matches a cell by its exact name, as a `/`-separated prefix (`train/conv2`
    /// matches `train/conv2/label1`), or as a glob with `*` (`train/*-lr*`).
    public static func matches(_ cell: String, pattern: String) -> Bool {
        if cell == pattern || cell.hasPrefix(pattern + "/") { return true }
        guard pattern.contains("*") else { return false }
        return fnmatch(pattern, cell, 0) == 0
    }

    /// The result of `key` if a complete, intact copy is in the cache.
    public func cached<T: Decodable>(_ key: CellKey, _ type: T.Type = T.self) -> T? {
        guard enabled, !isForced(key.cell) else { return nil }
        let dir = directory(for: key)
        guard verify(dir) else { return nil }
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("value.json")),
              let v = try? StableJSON.decode(T.self, from: data) else { return nil }
        return v
    }

    public func status(_ key: CellKey) -> CellStatus {
        if enabled, !isForced(key.cell), verify(directory(for: key)) { return .cached }
        if isForced(key.cell) { return .stale(["forced with --force"]) }
        if !enabled { return .stale(["the cache is off (--no-cache)"]) }
        if FileManager.default.fileExists(atPath: directory(for: key).path) { return .stale(["the cached copy is damaged"]) }
        guard let previous = newestManifest(of: key.cell) else { return .stale(["never computed"]) }
        let why = key.changes(since: previous.components)
        return .stale(why.isEmpty ? ["never computed"] : why)
    }

    /// Returns the cached value for `key`, or computes it with `compute(dir)` — where `dir`
    /// is the cell's own (private, temporary) folder for extra files — publishes it and
    /// returns it.
    public func value<T: Codable>(_ key: CellKey, _ type: T.Type = T.self,
                                  compute: (URL) throws -> T) throws -> T {
        if let v = cached(key, T.self) {
            record(CellTiming(cell: key.cell, key: key.short, cached: true, seconds: 0))
            return v
        }
        let fm = FileManager.default
        let parent = directory(for: key).deletingLastPathComponent()
        let tmp = parent.appendingPathComponent(".tmp-\(key.short)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do { try fm.createDirectory(at: tmp, withIntermediateDirectories: true) } catch {
            throw ReportError("cannot create cache folder \(tmp.path): \(error.localizedDescription)")
        }
        defer { try? fm.removeItem(at: tmp) }
        let start = Date()
        let v = try compute(tmp)
        try StableJSON.encode(v).write(to: tmp.appendingPathComponent("value.json"))
        var files: [String: String] = [:]
        for name in (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? [] where name != "manifest.json" {
            guard let h = sha256Hex(file: tmp.appendingPathComponent(name)) else {
                throw ReportError("cannot read back \(tmp.appendingPathComponent(name).path)")
            }
            files[name] = h
        }
        let manifest = CellManifest(cell: key.cell, digest: key.digest, components: key.components, files: files, created: Date())
        try StableJSON.encode(manifest, pretty: true).write(to: tmp.appendingPathComponent("manifest.json"))
        try publish(tmp, to: directory(for: key))
        record(CellTiming(cell: key.cell, key: key.short, cached: false, seconds: Date().timeIntervalSince(start)))
        // When another writer published this cell first, its value is the one every reader
        // sees (a speed measurement, say): use it too, so that all processes agree.
        if enabled, let published = try? Data(contentsOf: directory(for: key).appendingPathComponent("value.json")),
           let w = try? StableJSON.decode(T.self, from: published) { return w }
        return v
    }

    /// Moves a finished cell folder into place with one rename. An existing copy that fails
    /// its checks is moved aside first; an intact one (another writer was faster) is kept.
    private func publish(_ tmp: URL, to dest: URL) throws {
        let fm = FileManager.default
        if rename(tmp.path, dest.path) == 0 { return }
        let err = errno
        if err == EEXIST || err == ENOTEMPTY {
            if verify(dest) { return }  // another writer published the same cell first
            let trash = dest.deletingLastPathComponent().appendingPathComponent(".trash-\(UUID().uuidString.prefix(8))")
            if rename(dest.path, trash.path) == 0 { try? fm.removeItem(at: trash) }
            if rename(tmp.path, dest.path) == 0 || verify(dest) { return }
        }
        throw ReportError("cannot publish cache folder \(dest.path): \(String(cString: strerror(err)))")
    }

    /// Whether `dir` holds a complete cell whose files all match the manifest's checksums.
    func verify(_ dir: URL) -> Bool {
        if lock.withLock({ intact.contains(dir.path) }) { return true }
        guard checksumsMatch(dir) else { return false }
        lock.withLock { _ = intact.insert(dir.path) }
        return true
    }

    private func checksumsMatch(_ dir: URL) -> Bool {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
              let m = try? StableJSON.decode(CellManifest.self, from: data), m.files["value.json"] != nil else { return false }
        let present = Set(((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0 != "manifest.json" })
        guard present == Set(m.files.keys) else { return false }
        for (name, hash) in m.files where sha256Hex(file: dir.appendingPathComponent(name)) != hash { return false }
        return true
    }

    /// The manifest of the most recently computed result of a cell, for `--explain`.
    private func newestManifest(of cell: String) -> CellManifest? {
        let dir = root.appendingPathComponent(cell, isDirectory: true)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }
        return names.compactMap { name -> CellManifest? in
            guard let d = try? Data(contentsOf: dir.appendingPathComponent(name).appendingPathComponent("manifest.json")) else { return nil }
            return try? StableJSON.decode(CellManifest.self, from: d)
        }.max { $0.created < $1.created }
    }

    /// Removes what interrupted writers on this machine left: temporary cell folders of
    /// processes that no longer run, and folders moved aside as damaged.
    public func sweep() {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        var doomed: [URL] = []
        for case let url as URL in walker {
            let name = url.lastPathComponent
            if name.hasPrefix(".trash-") { doomed.append(url); walker.skipDescendants(); continue }
            if name.hasPrefix(".tmp-") {
                // .tmp-<key>-<pid>-<random>
                let parts = name.split(separator: "-")
                if parts.count >= 4, let pid = Int32(parts[parts.count - 2]), kill(pid, 0) != 0, errno == ESRCH { doomed.append(url) }
                walker.skipDescendants()
            }
        }
        for url in doomed { try? fm.removeItem(at: url) }
    }

    private func record(_ t: CellTiming) {
        lock.lock(); timings.append(t); lock.unlock()
    }
}
