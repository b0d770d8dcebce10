import CFileSystem
import Foundation
import NN
import Plots
import Stats
import StudyData
import Training

/// The output folder of a run. It is published as one unit: a run writes every product into
/// a private staging folder beside it, then exchanges the two folders with one atomic
/// `renameat2(RENAME_EXCHANGE)`, so a reader (or a run killed at any moment) only ever sees
/// the previous complete output or the new complete output, never a mix.
///
/// Rules it keeps:
/// - it never writes into the data folder: an output folder that is, or is inside, or holds
///   the data folder is refused (symbolic links resolved, also for parts that do not exist yet);
/// - it never deletes what it did not write: an output folder holding anything but this
///   program's products is refused, naming what it found;
/// - one run at a time: a lock file beside the folder (`.<name>.lock`, holding the PID);
///   a second run is refused with that PID.
struct OutputFolder {
    let url: URL
    let parent: URL
    let name: String

    /// Top-level entries a run writes (and so may replace).
    static let owned: Set<String> = ["report.md", "report.html", "figures", "architectures", "tables", "predictions",
                                     "models", "onnx", "submission.csv", "run.json", ".cache", ".gitkeep"]

    init(_ url: URL, data: URL?) throws {
        guard !url.path.isEmpty, url.lastPathComponent != "", url.path != "/" else {
            throw ReportError("--out must name a folder")
        }
        let resolved = OutputFolder.resolve(url)
        self.url = resolved
        self.parent = resolved.deletingLastPathComponent()
        self.name = resolved.lastPathComponent
        if name == "." || name == ".." { throw ReportError("--out \(TextSafety.clip(url.path)) must name a folder of its own") }
        if let data {
            let d = OutputFolder.resolve(data).path, o = resolved.path
            if o == d || o.hasPrefix(d + "/") {
                throw ReportError("--out \(TextSafety.clip(url.path)) is inside the data folder \(TextSafety.clip(data.path)); choose another output folder")
            }
            if d.hasPrefix(o + "/") {
                throw ReportError("--out \(TextSafety.clip(url.path)) contains the data folder \(TextSafety.clip(data.path)); choose another output folder")
            }
        }
        try checkOwnership()
    }

    /// The real path of `url`: its nearest existing ancestor with symbolic links resolved,
    /// plus the components that do not exist yet.
    static func resolve(_ url: URL) -> URL {
        var existing = url.standardizedFileURL
        var tail: [String] = []
        let fm = FileManager.default
        while !fm.fileExists(atPath: existing.path), existing.path != "/" {
            tail.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        var real = existing.resolvingSymlinksInPath()
        if let p = realpath(existing.path, nil) { real = URL(fileURLWithPath: String(cString: p)); free(p) }
        for t in tail { real = real.appendingPathComponent(t) }
        return real.standardizedFileURL
    }

    /// Refuses a folder holding anything this program does not write.
    func checkOwnership() throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw ReportError("--out \(TextSafety.clip(url.path)) is a file, not a folder") }
        let entries = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        let foreign = entries.filter { !OutputFolder.owned.contains($0) }.sorted()
        if !foreign.isEmpty {
            throw ReportError("--out \(TextSafety.clip(url.path)) holds files this program did not write (\(foreign.prefix(3).map { TextSafety.clip($0, 40) }.joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")); choose an empty or new folder")
        }
    }

    var lockURL: URL { parent.appendingPathComponent(".\(name).lock") }

    /// An exclusive lock on the folder for this process's lifetime.
    final class Lock {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        func release() { close(fd) }
    }

    func lock() throws -> Lock {
        do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw ReportError("cannot create \(parent.path): \(error.localizedDescription)")
        }
        let fd = open(lockURL.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ReportError("cannot open the lock file \(lockURL.path): \(String(cString: strerror(errno)))") }
        if cfs_try_lock(fd) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 31, 0)
            close(fd)
            let pid = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw ReportError("output folder \(url.path) is in use by another run (PID \(pid)); wait for it or choose another --out")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        recoverLeftovers()
        return Lock(fd: fd)
    }

    private var stagingPrefix: String { ".\(name).staging-" }

    /// Staging folders of runs that died: a `.cache` moved into one just before its swap
    /// goes back; then the folder (ours by its name) is removed.
    func recoverLeftovers() {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where entry.hasPrefix(stagingPrefix) {
            let dir = parent.appendingPathComponent(entry)
            let cache = dir.appendingPathComponent(".cache"), mine = url.appendingPathComponent(".cache")
            if fm.fileExists(atPath: cache.path), !fm.fileExists(atPath: mine.path), fm.fileExists(atPath: url.path) {
                _ = rename(cache.path, mine.path)
            }
            try? fm.removeItem(at: dir)
        }
    }

    /// Writes the products into a staging folder and swaps it into place.
    @discardableResult
    func publish(_ products: some ProductWriter, log: Log) throws -> URL {
        let fm = FileManager.default
        let staging = parent.appendingPathComponent(stagingPrefix + "\(getpid())")
        try? fm.removeItem(at: staging)
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: true) } catch {
            throw ReportError("cannot create \(staging.path): \(error.localizedDescription)")
        }
        do {
            try products.write(into: staging)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        try checkOwnership()
        let cache = url.appendingPathComponent(".cache")
        let exists = fm.fileExists(atPath: url.path)
        if exists, fm.fileExists(atPath: cache.path), rename(cache.path, staging.appendingPathComponent(".cache").path) != 0 {
            try? fm.removeItem(at: staging)
            throw ReportError("cannot move \(cache.path) into the new output: \(String(cString: strerror(errno)))")
        }
        if exists, fm.fileExists(atPath: url.appendingPathComponent(".gitkeep").path) {
            _ = rename(url.appendingPathComponent(".gitkeep").path, staging.appendingPathComponent(".gitkeep").path)
        }
        let swapped = exists ? cfs_exchange(staging.path, url.path) == 0 : rename(staging.path, url.path) == 0
        if !swapped {
            let err = String(cString: strerror(errno))
            recoverLeftovers()
            throw ReportError("cannot publish \(url.path): \(err)")
        }
        if exists { try? fm.removeItem(at: staging) }  // the previous output, now at the staging path
        return url.appendingPathComponent("report.html")
    }
}

/// Something that writes a run's products into a (staging) folder.
protocol ProductWriter {
    func write(into dir: URL) throws
}

extension ProductWriter {
    /// Every format of every figure under `figures/`; the architecture diagrams also under
    /// `architectures/`, with their Graphviz DOT.
    func writeFigures(_ drawn: [FigureID: URL], into dir: URL) throws {
        for (id, cell) in drawn {
            for format in FigureFormat.allCases {
                try place(cell.appendingPathComponent("figure" + format.suffix), at: dir.appendingPathComponent("figures/\(id.name)\(format.suffix)"))
                if case .architecture(let a) = id {
                    try place(cell.appendingPathComponent("figure" + format.suffix), at: dir.appendingPathComponent("architectures/\(a)\(format.suffix)"))
                }
            }
        }
        for a in Architecture.allCases {
            try write(ArchitectureInfo.diagram(a).dot(), to: dir.appendingPathComponent("architectures/\(a.rawValue).dot"))
        }
    }

    /// The DOT of users' models' diagrams under `architectures/`.
    func writeCustomDOT(_ models: [CustomModel], into dir: URL) throws {
        for m in models {
            try write(try ArchitectureInfo.diagram(m).dot(), to: dir.appendingPathComponent("architectures/\(m.name).dot"))
        }
    }

    func write(_ text: String, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        } catch {
            throw ReportError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// A cached file into the staging folder: a hard link (cache files never change once
    /// published), or a copy across file systems.
    func place(_ src: URL, at dest: URL) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            if link(src.path, dest.path) != 0 { try fm.copyItem(at: src, to: dest) }
        } catch {
            throw ReportError("cannot write \(dest.path): \(error.localizedDescription)")
        }
    }
}

/// Everything a run publishes, written into a folder: figures and diagrams (hard links to
/// the cache when possible), tables, predictions, models, the submission and the report.
struct Products: ProductWriter {
    let model: ReportModel
    let trained: [Variant: VariantResult]
    let evaluated: Evaluated
    let plan: Plan
    let data: LoadedData
    let submission: Submission
    let testScore: [LabelScore]?
    let drawn: [FigureID: URL]
    let timings: [CellTiming]
    let templates: Templates
    let cache: CellCache
    let config: StudyConfig
    let findings: Findings
    /// ONNX files to publish under `onnx/` (`onnx: true`): file stem and cell folder.
    var onnx: [(name: String, dir: URL)] = []

    func write(into dir: URL) throws {
        try writeFigures(drawn, into: dir)
        try writeCustomDOT(config.architectures, into: dir)
        for (name, cell) in onnx {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: cell.path)) ?? []
            for f in files.sorted() where f.hasPrefix(name + ".") {
                try place(cell.appendingPathComponent(f), at: dir.appendingPathComponent("onnx/\(f)"))
            }
        }
        try write(metricsCSV(), to: dir.appendingPathComponent("tables/metrics.csv"))
        let ids = data.prep.validation.ids
        let black = data.prep.validationBlack
        for v in plan.runs {
            let r = trained[v]!, e = evaluated[v]
            var p = "id,p1,p2,p3,rule\n"
            for i in ids.indices {
                p += "\(ids[i]),\(fmt(Double(e.scores[0][i]), 6)),\(fmt(Double(e.scores[1][i]), 6)),\(fmt(Double(e.scores[2][i]), 6)),\(black[i] ? 1 : 0)\n"
            }
            try write(p, to: dir.appendingPathComponent("predictions/\(r.name).csv"))
            for (net, cell) in zip(r.networks, r.cellDirectories) {
                let name = r.name + (net.label.map { "-label\($0 + 1)" } ?? "")
                try place(cell.appendingPathComponent(net.weightsFile), at: dir.appendingPathComponent("models/\(name).safetensors"))
            }
        }
        try write(submission.csv, to: dir.appendingPathComponent("submission.csv"))
        try write(String(decoding: try StableJSON.encode(timings, pretty: true), as: UTF8.self), to: dir.appendingPathComponent("run.json"))

        let md = try templates.render("report.md", model)
        try write(md, to: dir.appendingPathComponent("report.md"))
        let html = try Renderer.html(markdown: md, title: model.title, profile: model.profile, templates: templates, figures: dir)
        try write(html, to: dir.appendingPathComponent("report.html"))
    }

    /// `tables/metrics.csv`: every run × label × scoring, with the 95% bootstrap interval of F1.
    func metricsCSV() -> String {
        var csv = "model,head,seed,label,split,threshold,precision,recall,f1,f1_low,f1_high,accuracy,ap,status\n"
        func row(_ r: VariantResult, _ split: String, _ s: LabelScore, ci: Interval?, status: String) {
            csv += "\(r.name),\(r.variant.head.rawValue),\(r.variant.seed),label\(s.label + 1),\(split),\(fmt(Double(s.threshold), 4)),"
            csv += "\(fmt(s.precision, 6)),\(fmt(s.recall, 6)),\(fmt(s.f1, 6)),"
            csv += (ci.map { "\(fmt($0.lower, 6)),\(fmt($0.upper, 6))" } ?? ",") + ",\(fmt(s.accuracy, 6)),\(fmt(s.ap, 6)),\(status)\n"
        }
        for v in plan.runs {
            let r = trained[v]!, e = evaluated[v]
            let status = !e.learned ? (e.diverged ? "diverged" : "collapsed") : "ok"
            let ci = findings.rawIntervals(of: [v])
            for s in e.atHalf { row(r, "val", s, ci: ci.perLabel[s.label], status: status) }
            for s in e.tuned { row(r, "val-tuned", s, ci: nil, status: status) }
            for s in e.nonBlack { row(r, "val-nonblack", s, ci: nil, status: status) }
        }
        if let t = testScore { for s in t { row(trained[evaluated.best]!, "test", s, ci: nil, status: "ok") } }
        return csv
    }
}
