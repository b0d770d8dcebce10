import Foundation
import SeededRandom
import XCTest
@testable import StudyData

final class AugmentTests: XCTestCase {
    let image = patternImage(4)

    func testReflect101() {
        XCTAssertEqual((-3...6).map { reflect101($0, 4) }, [3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
        XCTAssertEqual(reflect101(-5, 1), 0)
    }

    func testTwoFlipsAreIdentity() {
        var rng = SeededGenerator(seed: 1)
        for kind in [Augmentation.flipHorizontal(p: 1), .flipVertical(p: 1)] {
            let once = kind.apply(image, rng: &rng)
            XCTAssertNotEqual(once, image)
            XCTAssertEqual(kind.apply(once, rng: &rng), image)
        }
        let h = Augmentation.flipHorizontal(p: 1).apply(image, rng: &rng)
        XCTAssertEqual(h[0, 5], image[63, 5])
        let v = Augmentation.flipVertical(p: 1).apply(image, rng: &rng)
        XCTAssertEqual(v[5, 0], image[5, 63])
        XCTAssertEqual(Augmentation.flipHorizontal(p: 0).apply(image, rng: &rng), image)
    }

    func testIdentityParametersAreIdentity() {
        var rng = SeededGenerator(seed: 2)
        for kind in [Augmentation.rotate(maxDegrees: 0), .shear(x: 0, y: 0, p: 1), .scale(min: 1, max: 1, p: 1),
                     .pad(size: 64), .crop(size: 64), .blur(kernel: 1), .cutOut(size: 0), .cutOut(size: 10, p: 0)] {
            XCTAssertEqual(kind.apply(image, rng: &rng), image, "\(kind)")
        }
    }

    func testQuarterTurnMatchesIndexRotation() {
        var plane = FloatPlane(image)
        warp(&plane, a: 0, b: -1, c: 1, d: 0)
        let out = plane.image
        // out(p) = in(A⁻¹(p − c) + c), A⁻¹ = [[0, 1], [−1, 0]]: out(x, y) = in(y, 63 − x).
        for y in 0..<64 { for x in 0..<64 { XCTAssertEqual(out[x, y], image[y, 63 - x]) } }
    }

    func testCutOutZeroesExactlyASquareInside() {
        let gray = GrayImage(width: 64, height: 64, fill: 200)
        for seed in 0..<20 {
            var rng = SeededGenerator(seed: UInt64(seed))
            for s in [10, 40, 50] {
                let out = Augmentation.cutOut(size: s).apply(gray, rng: &rng)
                let zeros = (0..<4096).filter { out.pixels[$0] == 0 }
                XCTAssertEqual(zeros.count, s * s)
                let xs = zeros.map { $0 % 64 }, ys = zeros.map { $0 / 64 }
                XCTAssertEqual(xs.max()! - xs.min()! + 1, s); XCTAssertEqual(ys.max()! - ys.min()! + 1, s)
                XCTAssertEqual(out.pixels.filter { $0 == 200 }.count, 4096 - s * s)
            }
        }
        var rng = SeededGenerator(seed: 3)
        XCTAssertEqual(Augmentation.cutOut(size: 100).apply(gray, rng: &rng), GrayImage(width: 64, height: 64))
    }

    func testShapesPreservedAndPadCrop() {
        var rng = SeededGenerator(seed: 4)
        for kind in [Augmentation.rotate(maxDegrees: 90), .flipHorizontal(p: 0.5), .flipVertical(p: 0.5),
                     .shear(x: 0.3, y: 0.8, p: 1), .scale(min: 0.8, max: 1.3, p: 1), .pad(size: 64),
                     .crop(size: 64), .blur(kernel: 7), .cutOut(size: 40)] {
            let out = kind.apply(image, rng: &rng)
            XCTAssertEqual([out.width, out.height], [64, 64], "\(kind)")
        }
        let padded = Augmentation.pad(size: 68).apply(image, rng: &rng)
        XCTAssertEqual([padded.width, padded.height], [68, 68])
        XCTAssertEqual(padded[2, 2], image[0, 0]); XCTAssertEqual(padded[1, 2], image[1, 0]); XCTAssertEqual(padded[0, 0], image[2, 2])
        let cropped = Augmentation.crop(size: 32).apply(padded, rng: &rng)
        XCTAssertEqual([cropped.width, cropped.height], [32, 32])
    }

    func testMedianBlur() {
        var spot = GrayImage(width: 9, height: 9, fill: 50)
        spot[4, 4] = 255
        var rng = SeededGenerator(seed: 5)
        XCTAssertEqual(Augmentation.blur(kernel: 3).apply(spot, rng: &rng), GrayImage(width: 9, height: 9, fill: 50))
        // Against a direct median with replicated borders.
        let out = Augmentation.blur(kernel: 7).apply(image, rng: &rng)
        for (x, y) in [(0, 0), (10, 20), (63, 63), (31, 2)] {
            var window: [UInt8] = []
            for dy in -3...3 { for dx in -3...3 { window.append(image[min(max(x + dx, 0), 63), min(max(y + dy, 0), 63)]) } }
            XCTAssertEqual(out[x, y], window.sorted()[24])
        }
    }

    func testStreamIsSeededAndKeepsShape() {
        var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9), r3 = SeededGenerator(seed: 10)
        let a = AugmentationStream.study.apply(image, rng: &r1)
        XCTAssertEqual(a, AugmentationStream.study.apply(image, rng: &r2))
        XCTAssertNotEqual(a, AugmentationStream.study.apply(image, rng: &r3))
        XCTAssertEqual([a.width, a.height], [64, 64])

        var plane = image.pixels.map { Float($0) / 255 }
        var r4 = SeededGenerator(seed: 9)
        AugmentationStream.study.augment(&plane, width: 64, height: 64, rng: &r4)
        XCTAssertEqual(plane.count, 4096)
        XCTAssertTrue(plane.allSatisfy { $0 >= 0 && $0 <= 1 })
        for k in 0..<4096 { XCTAssertEqual(plane[k] * 255, Float(a.pixels[k]), accuracy: 0.51) }

        let json = try! JSONEncoder().encode(AugmentationStream.study)
        XCTAssertEqual(try! JSONDecoder().decode(AugmentationStream.self, from: json), .study)
    }
}
