import Foundation
import XCTest
import StudyData
@testable import Report

/// `report run` killed with SIGKILL at many points (training, drawing, writing, publishing):
/// the output folder always holds either the previous complete output or the new complete
/// one, never a mix, and the next run recovers.
final class FaultInjectionTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)")
        _ = try PhantomGenerator.write(to: root.appendingPathComponent("data"), config: PhantomConfig(scale: 0.01, seed: 3))
        try """
        models: [fc1]
        trainLimit: 40
        epochs: 1
        budgetSeconds: 0
        experiments: []
        bootstrapResamples: 100
        """.write(to: root.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// The `report` executable built beside the test bundle.
    var executable: URL {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle(for: FaultInjectionTests.self).bundleURL,
                          Bundle(for: FaultInjectionTests.self).bundleURL.deletingLastPathComponent()]
        let found = candidates.map { $0.appendingPathComponent("report") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return found ?? candidates[0].appendingPathComponent("report")
    }

    func start(seed: Int) throws -> Process {
        let p = Process()
        p.executableURL = executable
        p.arguments = ["run", "--data", root.appendingPathComponent("data").path, "--out", root.appendingPathComponent("out").path,
                       "--config", root.appendingPathComponent("c.yaml").path, "--seed", "\(seed)", "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// The seed of the complete output in `out`, or nil when there is none; fails on a mix.
    func publishedSeed(file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
        let out = root.appendingPathComponent("out")
        guard FileManager.default.fileExists(atPath: out.path) else { return nil }
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for f in ["report.html", "submission.csv", "run.json", "predictions/fc1-joint.csv", "models/fc1-joint.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)", file: file, line: line)
        }
        let seedLine = md.split(separator: "\n").first { $0.hasPrefix("- Seed: ") }!
        let seed = Int(seedLine.dropFirst("- Seed: ".count).prefix { $0.isNumber })!
        let metrics = try String(contentsOf: out.appendingPathComponent("tables/metrics.csv"), encoding: .utf8)
        let seeds = Set(metrics.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2] })
        XCTAssertEqual(seeds, ["\(seed)"], "report.md and metrics.csv come from one run", file: file, line: line)
        return seed
    }

    func testKilledRunsLeaveThePreviousOrTheNewOutput() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: executable.path), "build the report executable first: \(executable.path)")
        // Two complete runs, so both seeds' cells are cached and later runs spend their time
        // rendering and publishing — where a kill is most dangerous.
        for seed in [1, 2] {
            let p = try start(seed: seed)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
            XCTAssertEqual(try publishedSeed(), seed)
        }
        // How long a run from the cache lasts here: the kills below are spread over it (a
        // delay drawn up to the first, uncached run's time mostly fell after a cached run had
        // ended on a fast host, and too few runs were killed).
        let t = Date()
        let timing = try start(seed: 1)
        timing.waitUntilExit()
        XCTAssertEqual(timing.terminationStatus, 0)
        let cached = Date().timeIntervalSince(t)
        XCTAssertEqual(try publishedSeed(), 1)
        var previous = 1
        var kills = 0
        for i in 0..<8 {
            let seed = i % 2 == 0 ? 2 : 1
            let p = try start(seed: seed)
            // Eight points from early set-up to publishing, a different spread each time.
            let delay = cached * (0.05 + 0.85 * (Double(i) + Double.random(in: 0..<1)) / 8)
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            let now = try publishedSeed()
            XCTAssertTrue(now == previous || now == seed, "after a kill at \(delay)s: seed \(String(describing: now)), expected \(previous) or \(seed)")
            previous = now ?? previous
        }
        XCTAssertGreaterThan(kills, 2, "most runs were killed midway")
        // A clean run afterwards succeeds and leaves no staging folder or temporary cell.
        let p = try start(seed: 1)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(try publishedSeed(), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.contains("staging") }, [])
    }
}
