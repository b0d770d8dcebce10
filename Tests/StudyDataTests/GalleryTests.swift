import Foundation
import SeededRandom
import XCTest
@testable import StudyData

/// Writes a contact sheet of generated scans when `PHANTOM_GALLERY=<file.png>` is set, for
/// looking at the generator's output by eye. Rows: none, label1, label2, label3 findings.
final class GalleryTests: XCTestCase {
    /// `PHANTOM_OUT=<dir> [PHANTOM_SCALE=s]` writes a generated dataset there (for looking
    /// at it with other tools); skipped otherwise.
    func testWriteDatasetWhenAsked() throws {
        let env = ProcessInfo.processInfo.environment
        guard let out = env["PHANTOM_OUT"] else { throw XCTSkip("set PHANTOM_OUT=<dir> to write a dataset") }
        let scale = env["PHANTOM_SCALE"].flatMap(Double.init) ?? 1
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try PhantomGenerator.write(to: URL(fileURLWithPath: out), config: PhantomConfig(scale: scale))
    }

    func testWriteGalleryWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["PHANTOM_GALLERY"] else {
            throw XCTSkip("set PHANTOM_GALLERY=/path/file.png to write the gallery")
        }
        let columns = 8, zoom = 3, side = 64 * zoom + 4
        var rows: [[PhantomSample]] = [[], [], [], []]
        var id = 10_000
        while rows.contains(where: { $0.count < columns }) {
            let s = PhantomGenerator.sample(id: id, seed: 2024)
            id += 1
            if s.isBlack { continue }
            let k = s.findings.filter { $0 }.count == 0 ? 0
                : (s.findings.filter { $0 }.count == 1 ? (s.findings.firstIndex(of: true)! + 1) : -1)
            if k >= 0 && rows[k].count < columns { rows[k].append(s) }
        }
        var sheet = GrayImage(width: columns * side, height: 4 * side, fill: 255)
        for (r, row) in rows.enumerated() {
            for (c, s) in row.enumerated() {
                for y in 0..<(64 * zoom) {
                    for x in 0..<(64 * zoom) {
                        sheet[c * side + 2 + x, r * side + 2 + y] = s.image[x / zoom, y / zoom]
                    }
                }
            }
        }
        try PNGCodec.write(sheet, to: URL(fileURLWithPath: path))
    }

    /// `AUGMENT_GALLERY=<file.png>` writes one scan, each augmentation kind at the study's
    /// parameters (forced on), and eight runs of the full stream.
    func testWriteAugmentationGalleryWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["AUGMENT_GALLERY"] else {
            throw XCTSkip("set AUGMENT_GALLERY=/path/file.png to write the gallery")
        }
        var id = 10_000
        var scan = PhantomGenerator.sample(id: id, seed: 2024)
        while scan.isBlack || !scan.findings[0] { id += 1; scan = PhantomGenerator.sample(id: id, seed: 2024) }
        let kinds: [Augmentation] = [.rotate(maxDegrees: 90), .flipHorizontal(p: 1), .flipVertical(p: 1),
                                     .shear(x: 0.3, y: 0.8, p: 1), .scale(min: 0.8, max: 1.3, p: 1),
                                     .blur(kernel: 7), .cutOut(size: 40)]
        var rng = SeededGenerator(seed: 1)
        var row1 = [scan.image] + kinds.map { $0.apply(scan.image, rng: &rng) }
        let row2 = (0..<8).map { _ in AugmentationStream.study.apply(scan.image, rng: &rng) }
        row1 = Array(row1.prefix(8))
        let zoom = 3, side = 64 * zoom + 4
        var sheet = GrayImage(width: 8 * side, height: 2 * side, fill: 255)
        for (r, row) in [row1, row2].enumerated() {
            for (c, img) in row.enumerated() {
                for y in 0..<(64 * zoom) { for x in 0..<(64 * zoom) { sheet[c * side + 2 + x, r * side + 2 + y] = img[x / zoom, y / zoom] } }
            }
        }
        try PNGCodec.write(sheet, to: URL(fileURLWithPath: path))
    }
}
