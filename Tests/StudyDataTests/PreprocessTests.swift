import Foundation
import XCTest
@testable import StudyData

final class PreprocessTests: XCTestCase {
    func makeSplit() -> Split {
        let images = [patternImage(1), GrayImage(width: 64, height: 64), patternImage(2),
                      GrayImage(width: 64, height: 64), GrayImage(width: 64, height: 64), patternImage(3)]
        return Split(name: "train", ids: (0..<6).map { "\($0).png" }, pixels: images.flatMap(\.pixels), height: 64, width: 64,
                     labels: [[1, 0, 0], [1, 1, 1], [0, 1, 0], [1, 0, 1], [0, 0, 1], [1, 1, 0]])
    }

    func testBlackPolicies() {
        let s = makeSplit()
        XCTAssertEqual(blackIndices(s), [1, 3, 4])
        XCTAssertTrue(isBlack(s.image(at: 1))); XCTAssertFalse(isBlack(s.image(at: 0)))
        XCTAssertEqual(BlackPolicy.keepAll.apply(to: s).ids, s.ids)
        let dropped = BlackPolicy.dropAll.apply(to: s)
        XCTAssertEqual(dropped.ids, ["0.png", "2.png", "5.png"])
        XCTAssertEqual(dropped.labels!, [[1, 0, 0], [0, 1, 0], [1, 1, 0]])
        XCTAssertEqual(dropped.image(at: 2), patternImage(3))
        let one = BlackPolicy.keepOne.apply(to: s)
        XCTAssertEqual(one.ids, ["0.png", "1.png", "2.png", "5.png"])
        XCTAssertEqual(one.labels!, [[1, 0, 0], [0, 0, 0], [0, 1, 0], [1, 1, 0]])
        // The original's other variant: the first black image labelled 0,0,0, the second 1,1,1.
        let two = BlackPolicy.keepOneOnes.apply(to: s)
        XCTAssertEqual(two.ids, ["0.png", "1.png", "2.png", "3.png", "5.png"])
        XCTAssertEqual(two.labels!, [[1, 0, 0], [0, 0, 0], [0, 1, 0], [1, 1, 1], [1, 1, 0]])
        XCTAssertEqual(BlackPolicy.allCases.map(\.rawValue), ["keepAll", "keepOne", "dropAll", "keepOneOnes"])
    }

    /// The copy-free count agrees with the split each policy makes, with 3, 1 and no black images.
    func testKeptCountMatchesTheSplit() {
        let s = makeSplit()
        for split in [s, s.subset([0, 1, 2, 5]), s.subset([0, 2, 5])] {
            let black = blackIndices(split).count
            for p in BlackPolicy.allCases {
                XCTAssertEqual(p.keptCount(of: split.count, black: black), p.apply(to: split).count, "\(p) with \(black) black")
            }
        }
    }

    func testBlackImagePrediction() {
        XCTAssertEqual(blackImagePrediction(trainLabelsOfBlack: [[1, 0, 1], [1, 1, 0], [0, 0, 1]]), [1, 0, 1])
        XCTAssertEqual(blackImagePrediction(trainLabelsOfBlack: [[1, 0, 0], [0, 1, 0]]), [0, 0, 0])
        XCTAssertEqual(blackImagePrediction(trainLabelsOfBlack: []), [0, 0, 0])
    }

    func testFloatsLayout() {
        let s = makeSplit()
        let one = floats(s, indices: [2, 0], preprocessing: Preprocessing())
        XCTAssertEqual(one.shape, [2, 64, 64, 1])
        XCTAssertEqual(one.values[5 * 64 + 7], Float(patternImage(2)[7, 5]) / 255)
        XCTAssertEqual(one.values[4096 + 9], Float(patternImage(1)[9, 0]) / 255)
        let three = floats(s, indices: nil, preprocessing: Preprocessing(channels: 3))
        XCTAssertEqual(three.shape, [6, 64, 64, 3])
        XCTAssertEqual(three.values[(64 + 3) * 3 + 0], three.values[(64 + 3) * 3 + 2])
        XCTAssertEqual(three.values[(64 + 3) * 3 + 1], Float(patternImage(1)[3, 1]) / 255)
        let small = floats(s, indices: [0], preprocessing: Preprocessing(channels: 1, size: 32))
        XCTAssertEqual(small.shape, [1, 32, 32, 1])
        let img = patternImage(1)
        let block = (Float(img[10, 6]) + Float(img[11, 6]) + Float(img[10, 7]) + Float(img[11, 7])) / 4 / 255
        XCTAssertEqual(small.values[3 * 32 + 5], block, accuracy: 1e-6)
    }

    func testAugmentedFloatsAreDeterministic() {
        let s = makeSplit()
        let a = floats(s, indices: [0, 2, 5], preprocessing: Preprocessing(), augmentation: .study, seed: 3, stream: "epoch1")
        let b = floats(s, indices: [0, 2, 5], preprocessing: Preprocessing(), augmentation: .study, seed: 3, stream: "epoch1")
        let c = floats(s, indices: [0, 2, 5], preprocessing: Preprocessing(), augmentation: .study, seed: 3, stream: "epoch2")
        XCTAssertEqual(a.values, b.values)
        XCTAssertNotEqual(a.values, c.values)
        XCTAssertEqual(a.shape, [3, 64, 64, 1])
    }
}
