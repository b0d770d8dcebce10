import Foundation
import XCTest
@testable import StudyData

/// A tiny PNG encoder independent of libpng (stored deflate blocks, CRC-32, Adler-32), so
/// the tests can write every PNG colour type and bit depth — and broken files — by hand.
enum HandPNG {
    /// `scanlines` are the raw rows (without the filter byte), already packed for the bit depth.
    static func make(width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, scanlines: [[UInt8]],
                     palette: [(UInt8, UInt8, UInt8)]? = nil, transparency: [UInt8]? = nil) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [bitDepth, colorType, 0, 0, 0]
        out += chunk("IHDR", ihdr)
        if let palette { out += chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] }) }
        if let transparency { out += chunk("tRNS", transparency) }
        var raw: [UInt8] = []
        for row in scanlines { raw.append(0); raw += row }
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", [])
        return out
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(crc32(typeBytes + data))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for x in data { a = (a + UInt32(x)) % 65_521; b = (b + a) % 65_521 }
        return out + be32((b << 16) | a)
    }
}

/// A fresh temporary folder, removed when the test ends.
func makeTempDir(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("StudyDataTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// One image of a hand-made dataset.
struct TinyImage {
    var id: String
    var labels: [UInt8]
    var image: GrayImage
}

/// Writes a dataset in the competition layout with the given images (test labels are
/// written as zeros into sample_submission.csv).
func writeTinyDataset(at root: URL, train: [TinyImage], val: [TinyImage], test: [TinyImage]) throws {
    let fm = FileManager.default
    for (folder, csv, items) in [("train_images", "train_labels.csv", train), ("val_images", "val_labels.csv", val),
                                 ("test_images", "sample_submission.csv", test)] {
        try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        var text = "id,label1,label2,label3\n"
        for item in items {
            try PNGCodec.write(item.image, to: root.appendingPathComponent(folder).appendingPathComponent(item.id))
            let l = csv == "sample_submission.csv" ? [0, 0, 0] : item.labels
            text += "\(item.id),\(l[0]),\(l[1]),\(l[2])\n"
        }
        try text.write(to: root.appendingPathComponent(csv), atomically: true, encoding: .utf8)
    }
}

/// A 64×64 image with a deterministic pattern depending on `seed` (never all black).
func patternImage(_ seed: Int, size: Int = 64) -> GrayImage {
    var pixels = [UInt8](repeating: 0, count: size * size)
    for y in 0..<size { for x in 0..<size { pixels[y * size + x] = UInt8((x * 7 + y * 13 + seed * 31 + (x * y * seed) % 17) % 256) } }
    return GrayImage(width: size, height: size, pixels: pixels)
}

/// A small valid dataset: 4 train, 3 val, 2 test images with patterned pixels.
func writeSmallDataset(at root: URL) throws {
    let train = (0..<4).map { TinyImage(id: "\(10000 + $0).png", labels: [UInt8($0 % 2), UInt8($0 / 2), 0], image: patternImage($0 + 1)) }
    let val = (0..<3).map { TinyImage(id: "\(10004 + $0).png", labels: [1, 0, UInt8($0 % 2)], image: patternImage($0 + 11)) }
    let test = (0..<2).map { TinyImage(id: "\(70000 + $0).png", labels: [0, 0, 0], image: patternImage($0 + 21)) }
    try writeTinyDataset(at: root, train: train, val: val, test: test)
}

/// Asserts that `body` throws exactly `expected`, and prints its message.
func assertDataError<T>(_ expected: DataError, file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws(DataError) -> T) {
    do {
        _ = try body()
        XCTFail("expected \(expected), got no error", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
    }
}
