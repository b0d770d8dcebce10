import Foundation
import SeededRandom
import StudyData
import XCTest

/// The data pipeline's speed on the full-size dataset. Opt-in (`DATA_BENCHMARK=1`), meant
/// for a release build:
///
///     DATA_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --filter StudyDataTests.BenchmarkTests
final class BenchmarkTests: XCTestCase {
    func testFullSizeGenerateReadAnalyze() throws {
        guard ProcessInfo.processInfo.environment["DATA_BENCHMARK"] != nil else {
            throw XCTSkip("set DATA_BENCHMARK=1 (and build with -c release) to run")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("StudyDataBench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try DataBenchmark.generateSeconds(to: dir, config: PhantomConfig())
        let read1 = try DataBenchmark.readSeconds(root: dir)
        let read2 = try DataBenchmark.readSeconds(root: dir)
        let data = try Dataset.load(from: dir)
        let analyze = DataBenchmark.analyzeSeconds(data)
        let r = DatasetAnalysis.analyze(data)
        print("DATA ANALYSIS: black \(r.splits.map(\.blackCount)) near-black \(r.splits.map(\.nearBlackCount)) exact-duplicate groups \(r.exactDuplicateGroupCount) near-duplicate candidates \(r.nearDuplicateCandidatePairCount) confirmed \(r.nearDuplicatePairCount) \(r.nearDuplicateExamples) train positives \(r.splits[0].positives) val positives \(r.splits[1].positives) val all-ones F1 \(r.baselines.map(\.allOnesF1))")
        let start = Date()
        var rng = SeededGenerator(seed: 1)
        for i in 0..<1000 { _ = AugmentationStream.study.apply(data.train.image(at: i), rng: &rng) }
        let augment = Date().timeIntervalSince(start)
        print(String(format: "DATA BENCHMARK (%d cores): generate 20,000 images %.2f s; read %.2f s (first), %.2f s (second); analyze %.2f s; study augmentation stream %.0f images/s on one thread; fingerprint %@",
                     ProcessInfo.processInfo.activeProcessorCount, gen, read1, read2, analyze, 1000 / augment, data.fingerprint))
    }
}
