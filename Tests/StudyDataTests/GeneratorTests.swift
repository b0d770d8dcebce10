import Parallel
import Foundation
import XCTest
@testable import StudyData

final class GeneratorTests: XCTestCase {
    func testCountsAndIDs() {
        let c = PhantomGenerator.counts(scale: 1)
        XCTAssertEqual([c.train, c.val, c.test], [12_000, 3_000, 5_000])
        let ids = PhantomGenerator.ids(scale: 1)
        XCTAssertEqual(ids.train.first, 10_000); XCTAssertEqual(ids.train.last, 21_999)
        XCTAssertEqual(ids.val.first, 22_000); XCTAssertEqual(ids.test.first, 70_000); XCTAssertEqual(ids.test.last, 74_999)
        let tiny = PhantomGenerator.counts(scale: 0.0001)
        XCTAssertEqual([tiny.train, tiny.val, tiny.test], [8, 8, 8])
    }

    func testWritesLayoutDeterministically() throws {
        let a = try makeTempDir(self), b = try makeTempDir(self), c = try makeTempDir(self)
        let config = PhantomConfig(scale: 0.002, seed: 7)
        let answers = try PhantomGenerator.write(to: a, config: config)
        try PhantomGenerator.write(to: b, config: config)
        try PhantomGenerator.write(to: c, config: PhantomConfig(scale: 0.002, seed: 8))
        XCTAssertEqual(answers, a.appendingPathComponent("answers/test_labels.csv"))

        let fm = FileManager.default
        XCTAssertEqual(Set(try fm.contentsOfDirectory(atPath: a.path)),
                       ["train_images", "val_images", "test_images", "answers", "train_labels.csv", "val_labels.csv", "sample_submission.csv"])
        var differs = false
        for folder in ["train_images", "val_images", "test_images", "answers"] {
            let files = try fm.contentsOfDirectory(atPath: a.appendingPathComponent(folder).path).sorted()
            XCTAssertEqual(files, try fm.contentsOfDirectory(atPath: b.appendingPathComponent(folder).path).sorted())
            for f in files {
                let bytesA = try Data(contentsOf: a.appendingPathComponent(folder).appendingPathComponent(f))
                XCTAssertEqual(bytesA, try Data(contentsOf: b.appendingPathComponent(folder).appendingPathComponent(f)), "\(folder)/\(f)")
                if let other = try? Data(contentsOf: c.appendingPathComponent(folder).appendingPathComponent(f)), other != bytesA { differs = true }
            }
        }
        for csv in ["train_labels.csv", "val_labels.csv", "sample_submission.csv"] {
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(csv)), try Data(contentsOf: b.appendingPathComponent(csv)))
        }
        XCTAssertTrue(differs, "another seed gives other images")

        // The reader accepts it; ids and sizes as promised.
        let data = try Dataset.load(from: a)
        XCTAssertEqual([data.train.count, data.val.count, data.test.count], [24, 8, 10])
        XCTAssertEqual(data.train.ids.first, "10000.png"); XCTAssertEqual(data.val.ids.first, "10024.png")
        XCTAssertEqual(data.test.ids.last, "70009.png")
        let submission = try LabelCSV.parse(Array(try Data(contentsOf: a.appendingPathComponent("sample_submission.csv"))), file: "s")
        XCTAssertTrue(submission.labels.allSatisfy { $0 == [0, 0, 0] })
        let testLabels = try LabelCSV.parse(Array(try Data(contentsOf: answers)), file: "test_labels.csv")
        XCTAssertEqual(testLabels.ids, data.test.ids)
        for (i, id) in data.test.ids.enumerated() {
            let s = PhantomGenerator.sample(id: Int(id.dropLast(4))!, seed: 7)
            XCTAssertEqual(testLabels.labels[i], s.labels)
            XCTAssertEqual(data.test.image(at: i), s.image)
        }
        XCTAssertFalse(fm.fileExists(atPath: a.appendingPathComponent(".phantom-partial").path))
        // The answers file scores the test split; a file with other ids is refused.
        let scored = try LabelCSV.labels(from: answers, for: data.test)
        XCTAssertEqual(scored, testLabels.labels)
        XCTAssertThrowsError(try LabelCSV.labels(from: answers, for: data.val)) { error in
            guard case DataError.idMismatch(let csv, let folder, _, 10, _, 8, _, 0) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(csv, "test_labels.csv"); XCTAssertEqual(folder, "val_images")
        }
    }

    func testRefusesExistingDatasetAndBadScale() throws {
        let dir = try makeTempDir(self)
        try PhantomGenerator.write(to: dir, config: PhantomConfig(scale: 0.0001))
        XCTAssertThrowsError(try PhantomGenerator.write(to: dir, config: PhantomConfig(scale: 0.0001))) { error in
            guard case DataError.outputExists = error else { return XCTFail("\(error)") }
        }
        let other = try makeTempDir(self)
        for scale in [0, -1, 5, Double.nan] {
            XCTAssertThrowsError(try PhantomGenerator.write(to: other, config: PhantomConfig(scale: scale))) { error in
                guard case DataError.invalidConfig = error else { return XCTFail("\(error)") }
            }
        }
    }

    /// Black fraction, positive rates, and that no finding shows in the mean intensity.
    func testStatistics() {
        let n = 1_200
        let samples = parallelMap(n) { PhantomGenerator.sample(id: 10_000 + $0, seed: 2024) }
        XCTAssertEqual(samples[5], PhantomGenerator.sample(id: 10_005, seed: 2024))
        let black = samples.filter(\.isBlack)
        XCTAssertEqual(Double(black.count) / Double(n), 0.25, accuracy: 0.035)
        XCTAssertTrue(black.allSatisfy { $0.image.pixels.allSatisfy { $0 == 0 } })
        let rest = samples.filter { !$0.isBlack }
        XCTAssertTrue(rest.allSatisfy { !isBlack($0.image) && $0.image.pixels.map(Int.init).reduce(0, +) / 4096 > 10 })
        let targets = [0.46, 0.36, 0.23]
        for k in 0..<3 {
            let overall = Double(samples.filter { $0.labels[k] == 1 }.count) / Double(n)
            let nonBlack = Double(rest.filter { $0.labels[k] == 1 }.count) / Double(rest.count)
            XCTAssertEqual(overall, targets[k], accuracy: 0.04, "label\(k + 1) overall")
            XCTAssertEqual(nonBlack, targets[k], accuracy: 0.045, "label\(k + 1) non-black")
            // Label noise: a few per cent of labels disagree with the drawn finding.
            let flipped = Double(rest.filter { ($0.labels[k] == 1) != $0.findings[k] }.count) / Double(rest.count)
            XCTAssertEqual(flipped, 0.05, accuracy: 0.02)
        }
        // Mean intensity of an image barely depends on its labels (relative to its spread).
        let means = rest.map { Double($0.image.pixels.map(Int.init).reduce(0, +)) / 4096 }
        let mu = means.reduce(0, +) / Double(means.count)
        let sd = (means.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(means.count)).squareRoot()
        for k in 0..<3 {
            let pos = zip(rest, means).filter { $0.0.labels[k] == 1 }.map(\.1)
            let neg = zip(rest, means).filter { $0.0.labels[k] == 0 }.map(\.1)
            let gap = abs(pos.reduce(0, +) / Double(pos.count) - neg.reduce(0, +) / Double(neg.count))
            print("label\(k + 1): mean-intensity gap / spread = \(gap / sd)")
            XCTAssertLessThan(gap / sd, 0.2, "label\(k + 1): mean-intensity gap \(gap) vs spread \(sd)")
        }
    }
}
