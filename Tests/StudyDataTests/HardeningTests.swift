import Foundation
import XCTest
@testable import StudyData

/// Hostile and broken input (issue 11, data layer): decompression bombs, huge or
/// control-laden ids, folders and pipes named `*.png`, a file as the data folder, empty
/// splits, and random byte mutations. Every case must end in a `DataError`, never a trap,
/// a hang or a gigabyte allocation.
final class HardeningTests: XCTestCase {

    // MARK: Decompression bombs (item 8)

    /// A PNG whose IHDR declares `width`×`height` 8-bit gray (valid CRC), followed by an IDAT
    /// holding a few rows of zeros — a file of ~1 KB that a decoder trusting the header
    /// would allocate width·height bytes for.
    static func bomb(width: UInt32, height: UInt32, rows: Int = 2) -> [UInt8] {
        var out: [UInt8] = PNGCodec.signature
        out += HandPNG.chunk("IHDR", HandPNG.be32(width) + HandPNG.be32(height) + [8, 0, 0, 0, 0])
        out += HandPNG.chunk("IDAT", HandPNG.zlibStored([UInt8](repeating: 0, count: min(Int(width) + 1, 512) * rows)))
        out += HandPNG.chunk("IEND", [])
        return out
    }

    func testBombHeaderIsRefusedBeforeDecoding() throws {
        let bomb = Self.bomb(width: 32768, height: 32768)
        XCTAssertLessThan(bomb.count, 2048)
        XCTAssertEqual(try PNGCodec.header(bomb, name: "bomb.png").width, 32768)
        // Expected 64×64: the header decides, nothing is decoded.
        assertDataError(.wrongImageSize(file: "bomb.png", width: 32768, height: 32768, expected: 64)) { () throws(DataError) in
            try PNGCodec.decode(bomb, name: "bomb.png", expectedSize: 64)
        }
        // No expected size (resize): bounded by maxSide.
        assertDataError(.imageTooLarge(file: "bomb.png", width: 32768, height: 32768, maxSide: PNGCodec.maxSide)) { () throws(DataError) in
            try PNGCodec.decode(bomb, name: "bomb.png")
        }
        XCTAssertEqual(DataError.imageTooLarge(file: "bomb.png", width: 32768, height: 32768, maxSide: 4096).description,
                       "bomb.png: image is 32768×32768, larger than the 4096×4096 this reader decodes")
        // One long side is enough to refuse.
        assertDataError(.imageTooLarge(file: "strip.png", width: 64, height: 4097, maxSide: 4096)) { () throws(DataError) in
            try PNGCodec.decode(Self.bomb(width: 64, height: 4097), name: "strip.png")
        }
    }

    func testBombInDatasetIsRefusedWithAndWithoutResize() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        try Data(Self.bomb(width: 32768, height: 32768)).write(to: root.appendingPathComponent("train_images/10002.png"))
        assertDataError(.wrongImageSize(file: "train_images/10002.png", width: 32768, height: 32768, expected: 64)) { () throws(DataError) in
            try Dataset.load(from: root)
        }
        assertDataError(.imageTooLarge(file: "train_images/10002.png", width: 32768, height: 32768, maxSide: 4096)) { () throws(DataError) in
            try Dataset.load(from: root, resize: true)
        }
    }

    func testBadIHDRFieldsAreCorruptNotTrusted() {
        func refused(_ bytes: [UInt8], _ reasonPart: String, _ line: UInt = #line) {
            do {
                _ = try PNGCodec.decode(bytes, name: "h.png", expectedSize: 64)
                XCTFail("accepted", line: line)
            } catch {
                guard case .corruptPNG(let file, let reason) = error else { return XCTFail("\(error)", line: line) }
                XCTAssertEqual(file, "h.png", line: line)
                XCTAssertTrue(reason.contains(reasonPart), "\(reason)", line: line)
            }
        }
        // A size flipped after the CRC was computed: the CRC, not the size, decides.
        var flipped = Self.bomb(width: 64, height: 64)
        flipped[16] = 0x7F
        refused(flipped, "IHDR CRC")
        refused(Self.bomb(width: 0, height: 64), "each side must be 1 to 2147483647")
        refused(Self.bomb(width: 64, height: 0x8000_0000), "each side must be 1 to 2147483647")
        refused(Array(Self.bomb(width: 64, height: 64).prefix(20)), "before the IHDR chunk is complete")
        refused(PNGCodec.signature + HandPNG.chunk("IDAT", [UInt8](repeating: 1, count: 20)), "not a 13-byte IHDR")
        refused(Array("GIF89a....".utf8), "no PNG signature")
        // A chunk whose length runs past the end of the file.
        var long = Array(Self.bomb(width: 64, height: 64).prefix(33))
        long += HandPNG.be32(0x7FFF_0000) + Array("zTXt".utf8) + [0, 0, 0, 0]
        refused(long, "past the end of the file")
    }

    func testOnlyCriticalChunksAndTRNSReachLibpng() throws {
        let png = HandPNG.make(width: 4, height: 1, colorType: 0, bitDepth: 8, scanlines: [[0, 64, 128, 255]])
        // After IHDR: a zTXt with a corrupt "compressed" payload, an iTXt, an eXIf and an unknown
        // ancillary chunk, each with a wrong CRC — none of them may reach libpng.
        var fat = png
        func badCRC(_ type: String, _ data: [UInt8]) -> [UInt8] {
            var c = HandPNG.chunk(type, data); c[c.count - 1] ^= 0xFF; return c
        }
        fat.insert(contentsOf: badCRC("zTXt", Array("k".utf8) + [0, 0] + [UInt8](repeating: 0x78, count: 4000))
                   + badCRC("iTXt", [UInt8](repeating: 1, count: 100)) + badCRC("eXIf", [1, 2, 3])
                   + badCRC("abCd", [9, 9]), at: 33)
        XCTAssertEqual(try PNGCodec.decode(fat, name: "fat.png").pixels, [0, 64, 128, 255])
        let kept = try PNGCodec.decodableChunks(fat, name: "fat.png")
        XCTAssertEqual(kept, png, "ancillary chunks dropped, everything else byte for byte")
        // An unknown critical chunk is kept, and libpng refuses it.
        var critical = png
        critical.insert(contentsOf: HandPNG.chunk("ABCD", [1]), at: 33)
        XCTAssertThrowsError(try PNGCodec.decode(critical, name: "crit.png")) { error in
            XCTAssertTrue("\(error)".hasPrefix("crit.png: not a readable PNG"), "\(error)")
        }
        // Bytes after IEND are ignored.
        XCTAssertEqual(try PNGCodec.decodableChunks(png + [1, 2, 3], name: "tail.png"), png)
    }

    // MARK: Messages (item 9)

    func testHugeIDIsTruncatedInEveryMessage() throws {
        let huge = String(repeating: "7", count: 1_000_000) + ".png"
        // Through the loader: an id with no file is listed in the mismatch message.
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        try "id,label1,label2,label3\n10004.png,1,0,0\n10005.png,1,0,1\n10006.png,1,0,0\n\(huge),0,0,0\n"
            .write(to: root.appendingPathComponent("val_labels.csv"), atomically: true, encoding: .utf8)
        do {
            _ = try Dataset.load(from: root)
            XCTFail("accepted an id with no file")
        } catch {
            guard case .idMismatch(_, _, let missing, _, _, _, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(missing, [huge], "the error keeps the id itself")
            let text = error.description
            XCTAssertLessThan(text.utf8.count, 400, "one short line")
            XCTAssertTrue(text.contains(String(repeating: "7", count: 120) + "…(999884 more bytes)"), text)
        }
        // Every case that carries a user string.
        for error: DataError in [
            .badID(file: "t.csv", line: 2, id: huge, reason: "r"),
            .badLabel(file: "t.csv", line: 2, column: "label1", value: huge),
            .badHeader(file: "t.csv", found: huge),
            .missingFile(path: huge), .unreadable(path: huge, reason: huge),
            .wrongImageSize(file: huge, width: 1, height: 1, expected: 64),
            .corruptPNG(file: huge, reason: huge), .wrongKind(path: huge, found: .folder, expected: .file),
            .notUTF8(file: "t.csv", line: 2, text: huge), .writeFailed(path: huge, reason: huge),
            .invalidConfig(huge),
        ] {
            XCTAssertLessThan(error.description.utf8.count, 700, "\(error.description.prefix(80))")
            XCTAssertTrue(error.description.contains("more bytes)"), "\(error.description.prefix(80))")
        }
    }

    func testControlCharactersAreEscaped() throws {
        let id = "a\u{1B}[31mred\u{0}\u{7}.png"
        let text = DataError.badID(file: "t.csv", line: 2, id: id, reason: "r").description
        XCTAssertEqual(text, "t.csv line 2: id \"a\\x1b[31mred\\x00\\x07.png\" refused: r")
        // A label value with a terminal escape, read from a CSV.
        let csv = Array("id,label1,label2,label3\n1.png,0,\u{1B}]0;pwned\u{7},0\n".utf8)
        do {
            _ = try LabelCSV.parse(csv, file: "t.csv")
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error, .badLabel(file: "t.csv", line: 2, column: "label2", value: "\u{1B}]0;pwned\u{7}"))
            XCTAssertEqual(error.description, "t.csv line 2: label2 is \"\\x1b]0;pwned\\x07\", expected 0 or 1")
        }
        // No control character, line break or bidi override survives.
        let nasty = "x\n\r\t\u{7F}\u{9B}\u{2028}\u{202E}\u{2066}y"
        let shown = DataError.printable(nasty)
        XCTAssertEqual(shown, "x\\x0a\\x0d\\x09\\x7f\\x9b\\u{2028}\\u{202e}\\u{2066}y")
        XCTAssertFalse(shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        // Plain text, accents and CJK pass unchanged; the limit counts what is shown.
        XCTAssertEqual(DataError.printable("scan_é漢.png"), "scan_é漢.png")
        XCTAssertEqual(DataError.printable(String(repeating: "b", count: 120)), String(repeating: "b", count: 120))
        XCTAssertEqual(DataError.printable("\u{E9}\u{E9}\u{E9}", limit: 2), "\u{E9}\u{E9}…(2 more bytes)")
        XCTAssertEqual(DataError.printable("\u{0}\u{0}", limit: 5), "\\x00…(1 more bytes)")
    }

    func testInvalidUTF8InCSVIsNamedWithItsBytes() {
        let bytes = Array("id,label1,label2,label3\n".utf8) + [0x31, 0xFF, 0xC3] + Array(".png,0,0,0\n".utf8)
        assertDataError(.notUTF8(file: "t.csv", line: 2, text: "1\\xff\\xc3.png,0,0,0")) { () throws(DataError) in
            try LabelCSV.parse(bytes, file: "t.csv")
        }
        XCTAssertEqual(DataError.notUTF8(file: "t.csv", line: 2, text: "1\\xff.png").description,
                       "t.csv line 2: not valid UTF-8: \"1\\xff.png\"")
        // Overlong forms, surrogates and values past U+10FFFF are invalid too; valid ones decode.
        XCTAssertEqual(DataError.printable(bytes: [0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80]),
                       "\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80")
        XCTAssertEqual(DataError.printable(bytes: Array("é漢😀".utf8) + [0xE6]), "é漢😀\\xe6")
    }

    // MARK: What is at a path (items 3 and 5)

    func testFolderNamedPNGIsATypedError() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        let url = root.appendingPathComponent("train_images/10001.png")
        try FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        do {
            _ = try Dataset.load(from: root)
            XCTFail("accepted a folder as an image")
        } catch {
            XCTAssertEqual(error, .wrongKind(path: "train_images/10001.png", found: .folder, expected: .file))
            XCTAssertEqual(error.description, "train_images/10001.png: is a folder, not a PNG file")
        }
        // A CSV that is a folder.
        let csv = root.appendingPathComponent("val_labels.csv")
        try FileManager.default.removeItem(at: csv)
        try FileManager.default.createDirectory(at: csv, withIntermediateDirectories: false)
        try FileManager.default.removeItem(at: url)
        try PNGCodec.write(patternImage(2), to: url)
        do {
            _ = try Dataset.load(from: root)
            XCTFail("accepted a folder as a CSV")
        } catch {
            XCTAssertEqual(error.description, "val_labels.csv: is a folder, not a CSV file")
        }
    }

    func testFIFODeviceAndBrokenLinkNamedPNGAreTypedErrors() throws {
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        let fifo = root.appendingPathComponent("test_images/70001.png")
        try FileManager.default.removeItem(at: fifo)
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        // No writer ever opens the pipe: a blocking open or read would hang here.
        assertDataError(.wrongKind(path: "test_images/70001.png", found: .fifo, expected: .file)) { () throws(DataError) in
            try Dataset.load(from: root)
        }
        try FileManager.default.removeItem(at: fifo)
        try FileManager.default.createSymbolicLink(atPath: fifo.path, withDestinationPath: "/dev/zero")
        assertDataError(.wrongKind(path: "test_images/70001.png", found: .characterDevice, expected: .file)) { () throws(DataError) in
            try Dataset.load(from: root)
        }
        // A link to nothing is listed in the folder but cannot be read.
        try FileManager.default.removeItem(at: fifo)
        try FileManager.default.createSymbolicLink(atPath: fifo.path, withDestinationPath: root.appendingPathComponent("gone").path)
        assertDataError(.wrongKind(path: "test_images/70001.png", found: .brokenLink, expected: .file)) { () throws(DataError) in
            try Dataset.load(from: root)
        }
        XCTAssertEqual(DataError.wrongKind(path: "x.png", found: .fifo, expected: .file).description,
                       "x.png: is a named pipe (FIFO), not a PNG file")
        XCTAssertEqual(DataError.wrongKind(path: "x.png", found: .brokenLink, expected: .file).description,
                       "x.png: is a symbolic link to nothing, not a PNG file")
    }

    func testFileAboveTheReadLimitIsRefusedUnread() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("big.csv")
        try Data(repeating: 0x41, count: 20).write(to: url)
        assertDataError(.fileTooLarge(path: "big.csv", bytes: 20, limit: 10)) { () throws(DataError) in
            try readFileBytes(url, name: "big.csv", limit: 10)
        }
        XCTAssertEqual(try readFileBytes(url, name: "big.csv", limit: 20).count, 20)
        XCTAssertEqual(DataError.fileTooLarge(path: "big.csv", bytes: 20, limit: 10).description,
                       "big.csv: 20 bytes, more than the 10 bytes this reader reads")
        XCTAssertEqual(maxDataFileBytes, 256 * 1024 * 1024)
    }

    func testDataRootThatIsAFileOrMissing() throws {
        let dir = try makeTempDir(self)
        let file = dir.appendingPathComponent("data.zip")
        try Data("PK".utf8).write(to: file)
        do {
            _ = try Dataset.load(from: file)
            XCTFail("accepted a file as the data folder")
        } catch {
            XCTAssertEqual(error, .wrongKind(path: file.path, found: .file, expected: .folder))
            XCTAssertEqual(error.description, "\(file.path): is a file, not a folder")
        }
        let missing = dir.appendingPathComponent("nowhere")
        do {
            _ = try Dataset.load(from: missing)
            XCTFail("accepted a missing data folder")
        } catch {
            XCTAssertEqual(error, .missingFile(path: missing.path + "/"))
            XCTAssertEqual(error.description, "\(missing.path)/: folder not found")
        }
        // An image folder that is a file.
        let root = dir.appendingPathComponent("data")
        try writeSmallDataset(at: root)
        try FileManager.default.removeItem(at: root.appendingPathComponent("test_images"))
        try Data().write(to: root.appendingPathComponent("test_images"))
        assertDataError(.wrongKind(path: "test_images", found: .file, expected: .folder)) { () throws(DataError) in
            try Dataset.load(from: root)
        }
    }

    // MARK: Dataset-level checks for training (item 4)

    func testEmptySplitsLoadButAreRefusedForTraining() throws {
        let root = try makeTempDir(self)
        let train = (0..<3).map { TinyImage(id: "\(10000 + $0).png", labels: [1, 0, 0], image: patternImage($0 + 1)) }
        let val = [TinyImage(id: "10003.png", labels: [0, 1, 0], image: patternImage(9))]
        try writeTinyDataset(at: root, train: [], val: val, test: [])
        let noTrain = try Dataset.load(from: root)
        XCTAssertEqual(noTrain.train.count, 0); XCTAssertEqual(noTrain.test.count, 0)
        assertDataError(.emptySplit(file: "train_labels.csv", split: "train")) { () throws(DataError) in
            try noTrain.validateForTraining()
        }
        XCTAssertEqual(DataError.emptySplit(file: "train_labels.csv", split: "train").description,
                       "train_labels.csv: no images (only the header); the train split needs at least one")
        // What reads a dataset does not trap on an empty split.
        _ = DatasetAnalysis.analyze(noTrain)
        XCTAssertEqual(floats(noTrain.train, indices: nil, preprocessing: Preprocessing()).shape, [0, 64, 64, 1])
        XCTAssertEqual(BlackPolicy.keepOne.apply(to: noTrain.train).count, 0)

        let root2 = try makeTempDir(self)
        try writeTinyDataset(at: root2, train: train, val: [], test: [])
        let noVal = try Dataset.load(from: root2)
        assertDataError(.emptySplit(file: "val_labels.csv", split: "val")) { () throws(DataError) in
            try noVal.validateForTraining()
        }
        _ = DatasetAnalysis.analyze(noVal)
        // An empty test split is fine for training.
        let root3 = try makeTempDir(self)
        try writeTinyDataset(at: root3, train: train, val: val, test: [])
        XCTAssertNoThrow(try Dataset.load(from: root3).validateForTraining(blackPolicy: .dropAll))
    }

    func testAllBlackTrainingImagesAreRefusedUnderDropAll() throws {
        let root = try makeTempDir(self)
        let black = (0..<3).map { TinyImage(id: "\(10000 + $0).png", labels: [1, 0, 1], image: GrayImage(width: 64, height: 64)) }
        let val = [TinyImage(id: "10003.png", labels: [0, 1, 0], image: patternImage(9))]
        try writeTinyDataset(at: root, train: black, val: val, test: [])
        let data = try Dataset.load(from: root)
        XCTAssertEqual(nonBlackCount(data.train), 0)
        XCTAssertEqual(nonBlackCount(data.val), 1)
        assertDataError(.noTrainingImages(folder: "train_images", count: 3, policy: "dropAll")) { () throws(DataError) in
            try data.validateForTraining(blackPolicy: .dropAll)
        }
        XCTAssertEqual(DataError.noTrainingImages(folder: "train_images", count: 3, policy: "dropAll").description,
                       "train_images/: all 3 training images are entirely black, so blackPolicy dropAll leaves none to train on")
        XCTAssertNoThrow(try data.validateForTraining(blackPolicy: .keepOne))
        XCTAssertNoThrow(try data.validateForTraining(blackPolicy: .keepAll))
        XCTAssertEqual(BlackPolicy.dropAll.apply(to: data.train).count, 0)
    }

    // MARK: No trap from any byte (item 6)

    func testGeneratorScaleNeverTraps() throws {
        for scale in [Double.infinity, -.infinity, .nan, 1e300, -5, 0] {
            let c = PhantomGenerator.counts(scale: scale)
            XCTAssertTrue(c.train >= 8 && c.train <= 1_000_000_000_000, "\(scale)")
        }
        let dir = try makeTempDir(self)
        for scale in [1e300, 1e9, 5] {
            do {
                try PhantomGenerator.write(to: dir, config: PhantomConfig(scale: scale))
                XCTFail("accepted scale \(scale)")
            } catch {
                guard case .invalidConfig = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    /// Replaces, inserts or deletes 1–4 random bytes, or truncates; with `fixCRCs`, recomputes
    /// every chunk CRC afterwards so the mutation reaches libpng's decoder instead of its
    /// CRC check.
    /// `within` limits the positions to the first `within` bytes (e.g. the header chunks).
    static func mutate(_ bytes: [UInt8], rng: inout SplitMix, fixCRCs: Bool, within: Int? = nil) -> [UInt8] {
        var b = bytes
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !b.isEmpty else { break }
            let i = Int(rng.next() % UInt64(min(b.count, within ?? b.count)))
            switch rng.next() % 8 {
            case 0: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
            case 1: b.remove(at: i)
            case 2: b.removeSubrange(i...)
            case 3: b[i] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
            default: b[i] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        if fixCRCs {
            var i = 8
            while i + 12 <= b.count {
                let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
                guard length <= b.count - i - 12 else { break }
                let crc = HandPNG.be32(HandPNG.crc32(Array(b[(i + 4)..<(i + 8 + length)])))
                b.replaceSubrange((i + 8 + length)..<(i + 12 + length), with: crc)
                i += 12 + length
            }
        }
        return b
    }

    func testMutatedPNGsDecodeOrThrowDataError() throws {
        var rng = SplitMix(seed: 11)
        let palette: [(UInt8, UInt8, UInt8)] = (0..<4).map { (UInt8($0 * 60), UInt8($0 * 30), 9) }
        let seeds: [[UInt8]] = [
            try PNGCodec.encode(patternImage(4)),                           // zlib-compressed 64×64 gray
            HandPNG.make(width: 64, height: 64, colorType: 3, bitDepth: 2,
                         scanlines: (0..<64).map { y in (0..<16).map { UInt8(($0 + y) % 256) } },
                         palette: palette, transparency: [255, 0]),
            HandPNG.make(width: 8, height: 8, colorType: 6, bitDepth: 16,
                         scanlines: (0..<8).map { y in (0..<64).map { UInt8(($0 * y) % 256) } }),
        ]
        var decoded = 0, refused = 0
        for round in 0..<600 {
            // Every fourth round mutates only the chunks before IDAT (IHDR, PLTE, tRNS) with
            // CRCs fixed, so bit depth, colour type and palette changes reach libpng.
            let seed = seeds[round % seeds.count]
            let headerEnd = seed.indices.first { seed[$0...].starts(with: Array("IDAT".utf8)) }! - 4
            let bytes = round % 4 == 0
                ? Self.mutate(seed, rng: &rng, fixCRCs: true, within: headerEnd)
                : Self.mutate(seed, rng: &rng, fixCRCs: round % 2 == 0)
            do {
                let image = try PNGCodec.decode(bytes, name: "m.png", expectedSize: round % 3 == 0 ? 64 : nil)
                XCTAssertEqual(image.pixels.count, image.width * image.height)
                XCTAssertTrue(image.width <= PNGCodec.maxSide && image.height <= PNGCodec.maxSide)
                decoded += 1
            } catch {
                XCTAssertTrue(error.description.hasPrefix("m.png: "), error.description)
                refused += 1
            }
        }
        print("mutated PNGs: \(decoded) decoded, \(refused) refused with a DataError")
        XCTAssertGreaterThan(refused, 100)
    }

    func testMutatedCSVsAndDatasetsLoadOrThrowDataError() throws {
        var rng = SplitMix(seed: 12)
        let csv = Array("\u{FEFF}id,label1,label2,label3\r\n10000.png,0,1,0\n10001.png,1,1,1\n\n10002.png, 0 ,0,1\n".utf8)
        var parsed = 0
        for _ in 0..<1000 {
            let bytes = Self.mutate(csv, rng: &rng, fixCRCs: false)
            do {
                let t = try LabelCSV.parse(bytes, file: "t.csv")
                XCTAssertEqual(t.ids.count, t.labels.count)
                parsed += 1
            } catch {
                XCTAssertTrue(error.description.hasPrefix("t.csv"), error.description)
                XCTAssertFalse(error.description.unicodeScalars.contains { $0.value < 0x20 })
            }
        }
        print("mutated CSVs: \(parsed) parsed")
        // Whole datasets: one mutated CSV or PNG per load.
        let root = try makeTempDir(self)
        try writeSmallDataset(at: root)
        let files = ["train_labels.csv", "val_labels.csv", "sample_submission.csv",
                     "train_images/10001.png", "val_images/10005.png", "test_images/70000.png"]
        let originals = try files.map { try Data(contentsOf: root.appendingPathComponent($0)) }
        var loaded = 0
        for round in 0..<120 {
            let k = round % files.count
            let url = root.appendingPathComponent(files[k])
            try Data(Self.mutate([UInt8](originals[k]), rng: &rng, fixCRCs: round % 2 == 0)).write(to: url)
            do {
                let data = try Dataset.load(from: root, resize: round % 4 == 1)
                XCTAssertEqual(data.train.pixels.count, data.train.count * 64 * 64)
                loaded += 1
            } catch {
                XCTAssertFalse(error.description.isEmpty)
            }
            try originals[k].write(to: url)
        }
        print("mutated datasets: \(loaded) of 120 loaded")
        XCTAssertNoThrow(try Dataset.load(from: root), "the restored dataset loads")
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator for the mutation tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
