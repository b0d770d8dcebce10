import Foundation
import XCTest
@testable import Report

final class CacheTests: XCTestCase {
    var dir: URL!
    let code = ["NN": "nn-1", "Plots": "plots-1", "StudyData": "data-1"]

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cache-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testKeyIsStableAndSensitiveToEveryInput() throws {
        let a = try CellKey(cell: "train", code: ["NN": "x"], parameters: ["lr": 0.001], inputs: [])
        let b = try CellKey(cell: "train", code: ["NN": "x"], parameters: ["lr": 0.001], inputs: [])
        XCTAssertEqual(a, b)
        // Golden digest: the key must not change between processes or releases by accident
        // (Swift's Hasher is seeded per process; this is SHA-256 over a fixed encoding).
        XCTAssertEqual(a.digest, "49be047f505e75bf374d845a5813c2971863aac8d49863bada99fb84c23555f6")
        XCTAssertNotEqual(a, try CellKey(cell: "train", code: ["NN": "y"], parameters: ["lr": 0.001], inputs: []))
        XCTAssertNotEqual(a, try CellKey(cell: "train", code: ["NN": "x"], parameters: ["lr": 0.01], inputs: []))
        XCTAssertNotEqual(a, try CellKey(cell: "other", code: ["NN": "x"], parameters: ["lr": 0.001], inputs: []))
        let up = try CellKey(cell: "data", code: [:], parameters: "x", inputs: [])
        XCTAssertNotEqual(a, try CellKey(cell: "train", code: ["NN": "x"], parameters: ["lr": 0.001], inputs: [up]))
    }

    func testCachedValueIsReusedAndUpstreamChangePropagates() throws {
        let cache = CellCache(root: dir, code: code)
        var runs = 0
        func pipeline(data: String) throws -> Int {
            let dataKey = try cache.key("data", code: [], parameters: data, inputs: [])
            let k1 = try cache.key("analysis", code: ["StudyData"], parameters: "", inputs: [dataKey])
            let v1 = try cache.value(k1, Int.self) { _ in runs += 1; return data.count }
            let k2 = try cache.key("figure", code: ["Plots"], parameters: "", inputs: [k1])
            return try cache.value(k2, Int.self) { _ in runs += 1; return v1 * 10 }
        }
        XCTAssertEqual(try pipeline(data: "abc"), 30)
        XCTAssertEqual(runs, 2)
        XCTAssertEqual(try pipeline(data: "abc"), 30)
        XCTAssertEqual(runs, 2, "a second run with nothing changed recomputes nothing")
        XCTAssertEqual(try pipeline(data: "abcd"), 40)
        XCTAssertEqual(runs, 4, "a data change recomputes both downstream cells")
        XCTAssertEqual(cache.timings.filter(\.cached).count, 2)
    }

    /// Changing one target's code recomputes exactly the cells that run it.
    func testChangedCodeRecomputesExactlyItsCells() throws {
        func run(_ code: [String: String]) throws -> Set<String> {
            let cache = CellCache(root: dir, code: code)
            let data = try cache.key("data", code: [], parameters: "d", inputs: [])
            let train = try cache.key("train/conv2", code: ["NN", "StudyData"], parameters: 1, inputs: [data])
            _ = try cache.value(train, Int.self) { _ in 1 }
            let figure = try cache.key("figure/curves", code: ["Plots"], parameters: "values", inputs: [])
            _ = try cache.value(figure, Int.self) { _ in 2 }
            let analysis = try cache.key("analysis", code: ["StudyData"], parameters: 0, inputs: [data])
            _ = try cache.value(analysis, Int.self) { _ in 3 }
            return Set(cache.timings.filter { !$0.cached }.map(\.cell))
        }
        XCTAssertEqual(try run(code), ["train/conv2", "figure/curves", "analysis"])
        XCTAssertEqual(try run(code), [])
        var plots = code; plots["Plots"] = "plots-2"
        XCTAssertEqual(try run(plots), ["figure/curves"], "a Plots change redraws figures only")
        var nn = plots; nn["NN"] = "nn-2"
        XCTAssertEqual(try run(nn), ["train/conv2"], "an engine change retrains only")
        // And the status view says why.
        let cache = CellCache(root: dir, code: ["NN": "nn-3", "Plots": "plots-2", "StudyData": "data-1"])
        let data = try cache.key("data", code: [], parameters: "d", inputs: [])
        let train = try cache.key("train/conv2", code: ["NN", "StudyData"], parameters: 1, inputs: [data])
        XCTAssertEqual(cache.status(train), .stale(["code of NN changed"]))
        let other = try cache.key("train/conv2", code: ["NN", "StudyData"], parameters: 2, inputs: [data])
        XCTAssertEqual(cache.status(other), .stale(["code of NN changed", "parameters changed"]))
    }

    func testForceAndDisabledCacheRecompute() throws {
        let key = try CellKey(cell: "train/conv2", code: [:], parameters: 1, inputs: [])
        var runs = 0
        _ = try CellCache(root: dir).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, forced: ["train"]).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, enabled: false).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, forced: ["analysis"]).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, forced: ["train/*2"]).value(key, Int.self) { _ in runs += 1; return 1 }
        XCTAssertEqual(runs, 4)
    }

    func testInterruptedCellLeavesNothingAndIsRecomputed() throws {
        let key = try CellKey(cell: "train", code: [:], parameters: 1, inputs: [])
        struct Killed: Error {}
        let cache = CellCache(root: dir)
        XCTAssertThrowsError(try cache.value(key, Int.self) { d in
            try Data("partial".utf8).write(to: d.appendingPathComponent("weights.safetensors"))
            throw Killed()
        })
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.directory(for: key).path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("train").path), [],
                       "no temporary folder is left behind")
        XCTAssertEqual(try cache.value(key, Int.self) { _ in 5 }, 5)
    }

    /// A damaged side file (truncated, flipped, deleted) is a cache miss, never data.
    func testDamagedSideFilesAreRecomputed() throws {
        let key = try CellKey(cell: "train/x", code: [:], parameters: 1, inputs: [])
        var runs = 0
        func run() throws {
            _ = try CellCache(root: dir).value(key, Int.self) { d in
                runs += 1
                try Data(repeating: 7, count: 1000).write(to: d.appendingPathComponent("weights.safetensors"))
                return 1
            }
        }
        try run(); try run()
        XCTAssertEqual(runs, 1)
        let weights = CellCache(root: dir).directory(for: key).appendingPathComponent("weights.safetensors")
        try Data(repeating: 7, count: 500).write(to: weights)          // truncated
        try run()
        XCTAssertEqual(runs, 2)
        var bytes = try Data(contentsOf: weights); bytes[10] ^= 1       // bit flip
        try bytes.write(to: weights)
        try run()
        XCTAssertEqual(runs, 3)
        try FileManager.default.removeItem(at: weights)                // deleted
        try run()
        XCTAssertEqual(runs, 4)
        let value = CellCache(root: dir).directory(for: key).appendingPathComponent("value.json")
        try Data("{".utf8).write(to: value)                            // corrupt value
        try run()
        XCTAssertEqual(runs, 5)
        try run()
        XCTAssertEqual(runs, 5)
    }

    /// Two writers of the same cell: the first to publish wins, the second keeps its value
    /// and leaves no temporary folder; readers only ever see a complete cell.
    func testConcurrentWritersNeverCorruptACell() throws {
        let key = try CellKey(cell: "train/same", code: [:], parameters: 1, inputs: [])
        let group = DispatchGroup()
        let errors = ErrorBox()
        let root: URL = dir
        for w in 0..<6 {
            group.enter()
            DispatchQueue.global().async {
                do {
                    _ = try CellCache(root: root).value(key, Int.self) { d in
                        try Data(repeating: UInt8(w), count: 100_000).write(to: d.appendingPathComponent("blob"))
                        return w
                    }
                } catch { errors.add(error) }
                group.leave()
            }
        }
        group.wait()
        XCTAssertTrue(errors.all.isEmpty, "\(errors.all)")
        let cache = CellCache(root: dir)
        XCTAssertTrue(cache.verify(cache.directory(for: key)))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("train/same").path)
        XCTAssertEqual(names, [key.digest], "one published copy, no leftovers: \(names)")
    }

    func testPatternsMatchByNamePrefixOrGlob() {
        XCTAssertTrue(CellCache.matches("train/conv2-joint/label1", pattern: "train/conv2-joint"))
        XCTAssertFalse(CellCache.matches("train/conv2-joint-lr0.01", pattern: "train/conv2-joint"))
        XCTAssertTrue(CellCache.matches("train/conv2-joint-lr0.01", pattern: "train/*-lr*"))
        XCTAssertFalse(CellCache.matches("figure/x", pattern: "train/*"))
    }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ e: Error) { lock.lock(); errors.append(e); lock.unlock() }
    var all: [Error] { lock.lock(); defer { lock.unlock() }; return errors }
}
