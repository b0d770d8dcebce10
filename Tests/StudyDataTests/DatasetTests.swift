import Foundation
import XCTest
@testable import StudyData

final class DatasetTests: XCTestCase {
    func testLoadsSmallDataset() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        let data = try Dataset.load(from: root)
        XCTAssertEqual(data.train.count, 4); XCTAssertEqual(data.val.count, 3); XCTAssertEqual(data.test.count, 2)
        XCTAssertEqual(data.train.ids, ["10000.png", "10001.png", "10002.png", "10003.png"])
        XCTAssertEqual(data.train.labels?[3], [1, 1, 0])
        XCTAssertNil(data.test.labels)
        XCTAssertEqual(data.train.image(at: 2), patternImage(3))
        XCTAssertEqual(data.test.image(at: 1), patternImage(22))
        XCTAssertEqual(data.fingerprint.count, 16)
        // Stable: a second load gives the same fingerprint; a changed pixel changes it.
        XCTAssertEqual(try Dataset.load(from: root).fingerprint, data.fingerprint)
        var changed = data.train
        changed.pixels[100] &+= 1
        XCTAssertNotEqual(Dataset(train: changed, val: data.val, test: data.test, root: root).fingerprint, data.fingerprint)
    }

    func testFingerprintIsAFixedFunctionOfContent() {
        // Pinned value: the fingerprint must not depend on the process (no Swift Hasher).
        let split = Split(name: "train", ids: ["1.png"], pixels: [UInt8](repeating: 7, count: 4), height: 2, width: 2, labels: [[1, 0, 1]])
        let empty = Split(name: "val", ids: [], pixels: [], height: 2, width: 2, labels: [])
        XCTAssertEqual(Dataset.fingerprint(of: [split, empty]), Dataset.fingerprint(of: [split, empty]))
        XCTAssertNotEqual(Dataset.fingerprint(of: [split, empty]), Dataset.fingerprint(of: [empty, split]))
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in Array("a".utf8) { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        XCTAssertEqual(hex64(h), "af63dc4c8601ec8c") // FNV-1a 64 of "a", the published test vector
    }

    func testReaderWritesNothing() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        func snapshot() throws -> [String: Date] {
            var out: [String: Date] = [:]
            let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.contentModificationDateKey])!
            for case let url as URL in e {
                out[url.path] = try url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
            }
            return out
        }
        let before = try snapshot()
        _ = try Dataset.load(from: root)
        _ = try? Dataset.load(from: root, resize: true)
        XCTAssertEqual(try snapshot(), before)
    }

    // MARK: CSV

    func testBadHeader() {
        assertDataError(.badHeader(file: "t.csv", found: "id,l1,l2,l3")) { () throws(DataError) in
            try LabelCSV.parse(Array("id,l1,l2,l3\n1.png,0,0,0\n".utf8), file: "t.csv")
        }
        assertDataError(.emptyCSV(file: "t.csv")) { () throws(DataError) in try LabelCSV.parse([], file: "t.csv") }
    }

    func testBadLabelNamesFileLineAndColumn() {
        let text = "id,label1,label2,label3\n1.png,0,1,0\n2.png,1,2,0\n"
        do {
            _ = try LabelCSV.parse(Array(text.utf8), file: "train_labels.csv")
            XCTFail("accepted label 2")
        } catch {
            XCTAssertEqual(error, .badLabel(file: "train_labels.csv", line: 3, column: "label2", value: "2"))
            XCTAssertEqual(error.description, "train_labels.csv line 3: label2 is \"2\", expected 0 or 1")
        }
        assertDataError(.badLabel(file: "v.csv", line: 2, column: "label3", value: "")) { () throws(DataError) in
            try LabelCSV.parse(Array("id,label1,label2,label3\n1.png,0,1,\n".utf8), file: "v.csv")
        }
        assertDataError(.badFieldCount(file: "v.csv", line: 2, count: 3)) { () throws(DataError) in
            try LabelCSV.parse(Array("id,label1,label2,label3\n1.png,0,1\n".utf8), file: "v.csv")
        }
    }

    func testCRLFAndBOMAccepted() throws {
        let text = "\u{FEFF}id,label1,label2,label3\r\n1.png,0,1,0\r\n2.png,1,1,1\r\n\r\n"
        let table = try LabelCSV.parse(Array(text.utf8), file: "t.csv")
        XCTAssertEqual(table.ids, ["1.png", "2.png"])
        XCTAssertEqual(table.labels, [[0, 1, 0], [1, 1, 1]])
    }

    func testIDsWithPathsRefused() {
        for (id, line) in [("../x.png", 2), ("a/b.png", 2), ("a\\b.png", 2), ("x..png", 2), ("10000", 2)] {
            let text = "id,label1,label2,label3\n\(id),0,0,0\n"
            do {
                _ = try LabelCSV.parse(Array(text.utf8), file: "t.csv")
                XCTFail("accepted \(id)")
            } catch {
                guard case .badID(let file, let l, let badID, _) = error else { return XCTFail("\(id): \(error)") }
                XCTAssertEqual(file, "t.csv"); XCTAssertEqual(l, line); XCTAssertEqual(badID, id)
            }
        }
    }

    func testMissingExtraAndDuplicateIDsListed() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        // CSV lists 10000 twice and 19999/19998 (no files); 10002, 10003 are files not in the CSV.
        try "id,label1,label2,label3\n10000.png,0,0,0\n10001.png,0,0,0\n10000.png,1,0,0\n19999.png,0,0,0\n19998.png,0,0,0\n"
            .write(to: root.appendingPathComponent("train_labels.csv"), atomically: true, encoding: .utf8)
        do {
            _ = try Dataset.load(from: root)
            XCTFail("accepted mismatched ids")
        } catch {
            XCTAssertEqual(error, .idMismatch(csv: "train_labels.csv", folder: "train_images",
                                              missing: ["19999.png", "19998.png"], missingCount: 2,
                                              extra: ["10002.png", "10003.png"], extraCount: 2,
                                              duplicates: ["10000.png"], duplicateCount: 1))
            XCTAssertTrue(error.description.contains("2 id(s) in train_labels.csv with no file in train_images/: 19999.png, 19998.png"), error.description)
        }
    }

    func testMismatchListsFirstFiveAndCount() {
        let ids = (0..<8).map { "\($0).png" }
        do {
            try LabelCSV.checkSameSet(ids: ids, files: [], csv: "val_labels.csv", folder: "val_images")
            XCTFail("accepted")
        } catch {
            guard case .idMismatch(_, _, let missing, let count, _, _, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(missing.count, 5); XCTAssertEqual(count, 8)
            XCTAssertTrue(error.description.contains("… (8 in all)"), error.description)
        }
    }

    func testMissingFolderAndCSV() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        try FileManager.default.removeItem(at: root.appendingPathComponent("val_images"))
        assertDataError(.missingFile(path: "val_images/")) { () throws(DataError) in try Dataset.load(from: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("train_labels.csv"))
        assertDataError(.missingFile(path: "train_labels.csv")) { () throws(DataError) in try Dataset.load(from: root) }
    }

    // MARK: Images

    func testWrongImageSizeAndResize() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        let big = GrayImage(width: 128, height: 96, pixels: (0..<(128 * 96)).map { i in UInt8((i % 128) < 64 ? 40 : 200) })
        try PNGCodec.write(big, to: root.appendingPathComponent("val_images/10005.png"))
        assertDataError(.wrongImageSize(file: "val_images/10005.png", width: 128, height: 96, expected: 64)) { () throws(DataError) in
            try Dataset.load(from: root)
        }
        let data = try Dataset.load(from: root, resize: true)
        let img = data.val.image(at: 1)
        XCTAssertEqual(img.width, 64)
        XCTAssertEqual(img[0, 0], 40); XCTAssertEqual(img[63, 63], 200)   // area average of each half
        XCTAssertEqual(img[31, 10], 40); XCTAssertEqual(img[32, 10], 200)
    }

    func testCorruptPNGInDatasetNamesFile() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        try Data("garbage".utf8).write(to: root.appendingPathComponent("test_images/70001.png"))
        do {
            _ = try Dataset.load(from: root)
            XCTFail("accepted a corrupt PNG")
        } catch {
            guard case .corruptPNG(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "test_images/70001.png")
        }
    }

    func testNonGrayPNGsInDatasetBecomeGray() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        let rows = (0..<64).map { y in (0..<64).flatMap { x -> [UInt8] in let v = UInt8((x + y) % 256); return [v, v, v] } }
        try Data(HandPNG.make(width: 64, height: 64, colorType: 2, bitDepth: 8, scanlines: rows))
            .write(to: root.appendingPathComponent("train_images/10001.png"))
        let data = try Dataset.load(from: root)
        XCTAssertEqual(data.train.image(at: 1)[5, 7], 12)
    }

    func testResampleAreaAverage() {
        let img = GrayImage(width: 4, height: 2, pixels: [0, 10, 20, 30, 40, 50, 60, 70])
        XCTAssertEqual(resample(img, width: 2, height: 1).pixels, [25, 45])
        let up = resample(GrayImage(width: 2, height: 1, pixels: [0, 100]), width: 4, height: 1)
        XCTAssertEqual(up.pixels, [0, 25, 75, 100])
    }
}
