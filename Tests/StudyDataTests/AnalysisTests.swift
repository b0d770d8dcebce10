import Foundation
import SeededRandom
import XCTest
@testable import StudyData

final class AnalysisTests: XCTestCase {
    func split(_ name: String, _ items: [(GrayImage, [UInt8])], labelled: Bool = true, firstID: Int) -> Split {
        Split(name: name, ids: items.indices.map { "\(firstID + $0).png" }, pixels: items.flatMap { $0.0.pixels },
              height: 64, width: 64, labels: labelled ? items.map { $0.1 } : nil)
    }

    func testCountsDuplicatesAndBaselinesOnHandMadeData() {
        let black = GrayImage(width: 64, height: 64)
        let a = patternImage(1), f = patternImage(2), j = patternImage(3)
        var nearBlack = black; nearBlack[3, 3] = 5
        var i = j; i[10, 10] = i[10, 10] &+ 1
        let train = split("train", [(a, [1, 0, 0]), (black, [1, 1, 0]), (a, [0, 0, 1]), (black, [0, 0, 0]),
                                    (nearBlack, [1, 1, 1]), (f, [0, 1, 0])], firstID: 10_000)
        let val = split("val", [(f, [1, 0, 0]), (black, [1, 1, 1]), (i, [0, 0, 1])], firstID: 10_006)
        let test = split("test", [(j, [0, 0, 0]), (black, [0, 0, 0])], labelled: false, firstID: 70_000)
        let r = DatasetAnalysis.analyze(Dataset(train: train, val: val, test: test, root: URL(fileURLWithPath: "/nonexistent")))

        XCTAssertEqual(r.splits.map(\.count), [6, 3, 2])
        XCTAssertEqual(r.splits.map(\.blackCount), [2, 1, 1])
        XCTAssertEqual(r.splits.map(\.nearBlackCount), [1, 0, 0])
        XCTAssertEqual(r.splits[0].nearBlackExamples, ["10004.png"])
        let t = r.splits[0]
        XCTAssertEqual(t.positives, [3, 3, 2]); XCTAssertEqual(t.negatives, [3, 3, 4])
        XCTAssertEqual(t.blackPositives, [1, 1, 0]); XCTAssertEqual(t.blackNegatives, [1, 1, 2])
        XCTAssertEqual(t.nonBlackPositives, [2, 2, 2])
        XCTAssertEqual(t.cooccurrence, [1, 1, 1, 0, 1, 0, 1, 1])
        XCTAssertEqual(t.intensityHistogram.reduce(0, +), 4 * 4096)
        XCTAssertFalse(r.splits[2].labelled); XCTAssertEqual(r.splits[2].positives, [])

        // Exact duplicates: a twice in train, f in train and val; the black images are not counted.
        XCTAssertEqual(r.exactDuplicateGroupCount, 2)
        XCTAssertEqual(r.exactDuplicateImageCount, 4)
        XCTAssertEqual(r.exactDuplicateWithinSplitGroups, 1); XCTAssertEqual(r.exactDuplicateCrossSplitGroups, 1)
        XCTAssertEqual(r.exactDuplicateExamples.map(\.images), [["train/10000.png", "train/10002.png"], ["train/10005.png", "val/10006.png"]])
        // Near-duplicates: i and j differ in one pixel.
        XCTAssertTrue(r.nearDuplicateExamples.contains { $0.a == "val/10008.png" && $0.b == "test/70000.png" && $0.distance <= 4 && $0.correlation > 0.99 },
                      "\(r.nearDuplicateExamples)")
        XCTAssertFalse(r.nearDuplicateExamples.contains { $0.a == "train/10000.png" && $0.b == "train/10002.png" })

        // Mean images over non-black train images, label1: positives {a, nearBlack}, negatives {a, f}.
        let m = r.meanImages[0]
        XCTAssertEqual(m.positiveCount, 2); XCTAssertEqual(m.negativeCount, 2)
        let p = 20 * 64 + 30
        XCTAssertEqual(m.positive[p], (Float(a.pixels[p]) + Float(nearBlack.pixels[p])) / 2)
        XCTAssertEqual(m.negative[p], (Float(a.pixels[p]) + Float(f.pixels[p])) / 2)
        XCTAssertEqual(m.difference[p], m.positive[p] - m.negative[p])

        // Baselines on val: label1 p = 2/3 → all-ones F1 0.8, majority 1 with accuracy 2/3.
        XCTAssertEqual(r.baselines[0].allOnesF1, 0.8, accuracy: 1e-12)
        XCTAssertEqual(r.baselines[0].majorityClass, 1)
        XCTAssertEqual(r.baselines[0].majorityAccuracy, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(r.baselines[1].allOnesF1, 0.5, accuracy: 1e-12)
        XCTAssertEqual(r.baselines[1].majorityClass, 0)
        XCTAssertEqual(r.meanAllOnesF1, (0.8 + 0.5 + 0.8) / 3, accuracy: 1e-12)

        // Codable round trip (the report caches it).
        let json = try! JSONEncoder().encode(r)
        XCTAssertEqual(try! JSONDecoder().decode(DatasetAnalysis.self, from: json).exactDuplicateGroupCount, 2)
    }

    func testShiftedNoisyCopyIsANearDuplicate() {
        var id = 10_000
        var scan = PhantomGenerator.sample(id: id, seed: 5)
        while scan.isBlack { id += 1; scan = PhantomGenerator.sample(id: id, seed: 5) }
        var rng = SeededGenerator(seed: 11)
        let copy = GrayImage(width: 64, height: 64, pixels: scan.image.pixels.map {
            UInt8(min(max(Int($0) + 10 + rng.int(below: 5) - 2, 0), 255))
        })
        let other = PhantomGenerator.sample(id: 70_000, seed: 9).image
        let train = split("train", [(scan.image, [1, 0, 0])], firstID: 10_000)
        let val = split("val", [(copy, [1, 0, 0])], firstID: 10_001)
        let test = split("test", [(other, [0, 0, 0])], labelled: false, firstID: 70_000)
        let r = DatasetAnalysis.analyze(Dataset(train: train, val: val, test: test, root: URL(fileURLWithPath: "/")))
        print("shifted noisy copy:", r.nearDuplicateExamples)
        XCTAssertEqual(r.nearDuplicatePairCount, 1)
        XCTAssertEqual(r.nearDuplicateExamples.first?.a, "train/10000.png")
        XCTAssertEqual(r.nearDuplicateExamples.first?.b, "val/10001.png")
        XCTAssertGreaterThan(r.nearDuplicateExamples.first?.correlation ?? 0, 0.99)
    }

    func testDifferenceHashBits() {
        // Brightness falling left to right: every cell brighter than its right neighbour.
        let ramp = GrayImage(width: 64, height: 64, pixels: (0..<4096).map { UInt8(255 - ($0 % 64) * 4) })
        let wx = resampleWeights(source: 64, target: 9), wy = resampleWeights(source: 64, target: 8)
        let h = ramp.pixels.withUnsafeBufferPointer { DatasetAnalysis.differenceHash($0, width: 64, height: 64, wx: wx, wy: wy) }
        XCTAssertEqual(h, ~0)
    }

    func testGeneratedDataHasNoSpuriousDuplicates() throws {
        let root = try makeTempDir(self)
        try PhantomGenerator.write(to: root, config: PhantomConfig(scale: 0.01))
        let r = DatasetAnalysis.analyze(try Dataset.load(from: root))
        XCTAssertEqual(r.exactDuplicateGroupCount, 0)
        XCTAssertEqual(r.nearDuplicatePairCount, 0, "\(r.nearDuplicateExamples)")
        print("phantom near-duplicate candidates by dHash alone: \(r.nearDuplicateCandidatePairCount)")
        XCTAssertEqual(r.splits.map(\.nearBlackCount), [0, 0, 0])
    }
}
