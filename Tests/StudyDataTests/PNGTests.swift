import Foundation
import XCTest
@testable import StudyData

final class PNGTests: XCTestCase {
    func testEncodeDecodeRoundTrip() throws {
        let image = patternImage(5)
        let bytes = try PNGCodec.encode(image)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(try PNGCodec.decode(bytes, name: "x.png"), image)
    }

    func testHandWritten8BitGray() throws {
        let rows = (0..<3).map { y in (0..<4).map { x in UInt8(x * 60 + y) } }
        let png = HandPNG.make(width: 4, height: 3, colorType: 0, bitDepth: 8, scanlines: rows)
        let image = try PNGCodec.decode(png, name: "g8.png")
        XCTAssertEqual(image.width, 4); XCTAssertEqual(image.height, 3)
        XCTAssertEqual(image.pixels, rows.flatMap { $0 })
    }

    func test16BitGrayBecomes8Bit() throws {
        let values: [UInt16] = [0, 257 * 10, 257 * 128, 65_535]
        let row = values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let png = HandPNG.make(width: 4, height: 1, colorType: 0, bitDepth: 16, scanlines: [row])
        XCTAssertEqual(try PNGCodec.decode(png, name: "g16.png").pixels, [0, 10, 128, 255])
    }

    func testLowBitDepthGrayIsExpanded() throws {
        // 1-bit: 0 → 0, 1 → 255; pixels 1,0,1,1 packed MSB first.
        let png1 = HandPNG.make(width: 4, height: 1, colorType: 0, bitDepth: 1, scanlines: [[0b1011_0000]])
        XCTAssertEqual(try PNGCodec.decode(png1, name: "g1.png").pixels, [255, 0, 255, 255])
        // 4-bit: v → 17·v.
        let png4 = HandPNG.make(width: 2, height: 1, colorType: 0, bitDepth: 4, scanlines: [[0x3F]])
        XCTAssertEqual(try PNGCodec.decode(png4, name: "g4.png").pixels, [51, 255])
    }

    func testGrayAlphaDropsAlpha() throws {
        let png = HandPNG.make(width: 3, height: 1, colorType: 4, bitDepth: 8, scanlines: [[10, 255, 100, 0, 200, 128]])
        XCTAssertEqual(try PNGCodec.decode(png, name: "ga.png").pixels, [10, 100, 200])
    }

    func testRGBAndRGBABecomeGray() throws {
        // Equal channels stay the same value; pure colours follow the luminance order G > R > B.
        let rgb = HandPNG.make(width: 5, height: 1, colorType: 2, bitDepth: 8,
                               scanlines: [[0, 0, 0, 77, 77, 77, 255, 0, 0, 0, 255, 0, 0, 0, 255]])
        let g = try PNGCodec.decode(rgb, name: "rgb.png").pixels
        XCTAssertEqual(Array(g.prefix(2)), [0, 77])
        XCTAssertGreaterThan(g[3], g[2]); XCTAssertGreaterThan(g[2], g[4])
        let rgba = HandPNG.make(width: 2, height: 1, colorType: 6, bitDepth: 8,
                                scanlines: [[50, 50, 50, 255, 200, 200, 200, 0]])
        XCTAssertEqual(try PNGCodec.decode(rgba, name: "rgba.png").pixels, [50, 200])
        let rgb16 = HandPNG.make(width: 1, height: 1, colorType: 2, bitDepth: 16, scanlines: [[0x64, 0x64, 0x64, 0x64, 0x64, 0x64]])
        XCTAssertEqual(try PNGCodec.decode(rgb16, name: "rgb16.png").pixels, [100])
    }

    func testPaletteBecomesGray() throws {
        let palette: [(UInt8, UInt8, UInt8)] = [(0, 0, 0), (90, 90, 90), (255, 255, 255)]
        let png = HandPNG.make(width: 3, height: 1, colorType: 3, bitDepth: 8, scanlines: [[2, 1, 0]], palette: palette)
        XCTAssertEqual(try PNGCodec.decode(png, name: "pal.png").pixels, [255, 90, 0])
        // 2-bit palette indices with a tRNS chunk (alpha dropped).
        let png2 = HandPNG.make(width: 3, height: 1, colorType: 3, bitDepth: 2, scanlines: [[0b0001_1000]],
                                palette: palette, transparency: [255, 0, 255])
        XCTAssertEqual(try PNGCodec.decode(png2, name: "pal2.png").pixels, [0, 90, 255])
    }

    func testCorruptAndTruncatedFilesNameTheFile() throws {
        let good = try PNGCodec.encode(patternImage(3))
        for (name, bytes) in [("garbage.png", Array("not a png at all".utf8)),
                              ("truncated.png", Array(good.prefix(good.count / 2))),
                              ("empty.png", [])] {
            do {
                _ = try PNGCodec.decode(bytes, name: name)
                XCTFail("\(name) decoded")
            } catch {
                guard case .corruptPNG(let file, _) = error else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(file, name)
                XCTAssertTrue(error.description.hasPrefix("\(name): not a readable PNG"), error.description)
            }
        }
        // A flipped byte inside IDAT fails its CRC.
        var flipped = good
        flipped[60] ^= 0xFF
        XCTAssertThrowsError(try PNGCodec.decode(flipped, name: "crc.png"))
    }

    func testGammaAndColourChunksAreIgnored() throws {
        var png = HandPNG.make(width: 4, height: 1, colorType: 0, bitDepth: 8, scanlines: [[0, 64, 128, 255]])
        // gAMA 1.0 and cHRM right after IHDR (8-byte signature + 25-byte IHDR chunk).
        png.insert(contentsOf: HandPNG.chunk("gAMA", HandPNG.be32(100_000)) + HandPNG.chunk("cHRM", [UInt8](repeating: 1, count: 32)), at: 33)
        XCTAssertEqual(try PNGCodec.decode(png, name: "gamma.png").pixels, [0, 64, 128, 255])
    }

    func testReadMissingFile() throws {
        let dir = try makeTempDir(self)
        assertDataError(.missingFile(path: "nope.png")) { () throws(DataError) in try PNGCodec.read(dir.appendingPathComponent("nope.png")) }
    }

    func testWriteAndRead() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("a.png")
        try PNGCodec.write(patternImage(9, size: 17), to: url)
        XCTAssertEqual(try PNGCodec.read(url), patternImage(9, size: 17))
    }
}
