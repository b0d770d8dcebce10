import Parallel
import Foundation
import SeededRandom

// MARK: - Black images

/// Whether every pixel is 0 (an "entirely black" image).
public func isBlack(_ image: GrayImage) -> Bool { image.pixels.allSatisfy { $0 == 0 } }

/// Indices of the entirely black images of a split, in split order.
public func blackIndices(_ split: Split) -> [Int] {
    let plane = split.width * split.height
    return split.pixels.withUnsafeBufferPointer { px in
        (0..<split.count).filter { i in !px[(i * plane)..<((i + 1) * plane)].contains { $0 != 0 } }
    }
}

/// Number of images of a split that are not entirely black — what `BlackPolicy.dropAll`
/// keeps.
public func nonBlackCount(_ split: Split) -> Int { split.count - blackIndices(split).count }

/// What a training run does with the entirely black images of the training split.
/// (Validation and test splits are never filtered: their scores are over every image.)
public enum BlackPolicy: String, Codable, Sendable, CaseIterable {
    /// Train on every image, black ones with their (random) labels.
    case keepAll
    /// The study's choice: drop every black image but the first (in split order), and label
    /// that one 0,0,0.
    case keepOne
    /// Drop every black image.
    case dropAll
    /// The original's other variant: keep the first black image labelled 0,0,0 and the
    /// second labelled 1,1,1, drop the rest.
    case keepOneOnes

    /// How many images `apply(to:)` keeps of a split of `count` images, `black` of them
    /// entirely black — without copying the split.
    public func keptCount(of count: Int, black: Int) -> Int {
        switch self {
        case .keepAll: return count
        case .dropAll: return count - black
        case .keepOne: return count - black + min(black, 1)
        case .keepOneOnes: return count - black + min(black, 2)
        }
    }

    /// The split under this policy; ids, pixels and labels of the kept images unchanged
    /// except for the relabelled image of `keepOne`.
    public func apply(to split: Split) -> Split {
        let black = blackIndices(split)
        switch self {
        case .keepAll:
            return split
        case .dropAll:
            let drop = Set(black)
            return split.subset((0..<split.count).filter { !drop.contains($0) })
        case .keepOne, .keepOneOnes:
            // Kept black images, each with the label row it is given.
            let relabel: [(Int, [UInt8])] = self == .keepOne
                ? black.prefix(1).map { ($0, [0, 0, 0]) }
                : zip(black.prefix(2), [[0, 0, 0], [1, 1, 1]]).map { ($0, $1) }
            guard !relabel.isEmpty else { return split }
            let drop = Set(black.dropFirst(relabel.count))
            let kept = (0..<split.count).filter { !drop.contains($0) }
            let sub = split.subset(kept)
            var rowFor: [Int: [UInt8]] = [:]
            for (index, row) in relabel { if let position = kept.firstIndex(of: index) { rowFor[position] = row } }
            let labels = sub.labels.map { rows in rows.enumerated().map { rowFor[$0.offset] ?? $0.element } }
            return Split(name: sub.name, ids: sub.ids, pixels: sub.pixels, height: sub.height,
                         width: sub.width, labels: labels)
        }
    }
}

/// The prediction for an entirely black test or validation image, which holds no signal:
/// per label, the majority label among the black training images (ties and no black
/// training images → 0). `trainLabelsOfBlack` holds their label rows.
public func blackImagePrediction(trainLabelsOfBlack: [[UInt8]]) -> [UInt8] {
    (0..<3).map { k in
        let ones = trainLabelsOfBlack.filter { $0[k] == 1 }.count
        return 2 * ones > trainLabelsOfBlack.count ? 1 : 0
    }
}

// MARK: - Network input

/// How images become network input: pixels / 255 as float32, optionally downsized by area
/// averaging, with the gray channel replicated `channels` times.
public struct Preprocessing: Codable, Sendable, Equatable {
    /// 1, or 3 (the gray value copied into three channels, as the study's OpenCV reading did).
    public var channels: Int
    /// Output side: 64 (as stored) or a smaller size such as 32 (area average).
    public var size: Int

    public init(channels: Int = 1, size: Int = 64) {
        precondition(channels == 1 || channels == 3, "Preprocessing: channels must be 1 or 3, got \(channels)")
        precondition(size > 0, "Preprocessing: size must be positive, got \(size)")
        self.channels = channels
        self.size = size
    }
}

/// The images at `indices` (all when nil) as float32 NHWC: shape [N, size, size, channels],
/// value (n, y, x, c) = pixel(x, y) of image n / 255 — after area-average resampling to
/// size×size when size ≠ the stored side — at `values[((n·size + y)·size + x)·channels + c]`.
public func floats(_ split: Split, indices: [Int]?, preprocessing: Preprocessing) -> (values: [Float], shape: [Int]) {
    floats(split, indices: indices, preprocessing: preprocessing, augmentation: nil, seed: 0, stream: "")
}

/// As `floats(_:indices:preprocessing:)`, but each image first passes through
/// `augmentation` (on its /255 plane at the stored size), image at position j drawing from
/// `SeededGenerator(seed: seed, stream: "\(stream)/\(j)")` — e.g. stream "augment/epoch3/batch17" —
/// so the result is the same whatever the thread count.
public func floats(_ split: Split, indices: [Int]?, preprocessing: Preprocessing,
                   augmentation: AugmentationStream?, seed: UInt64, stream: String) -> (values: [Float], shape: [Int]) {
    let chosen = indices ?? Array(0..<split.count)
    let size = preprocessing.size, channels = preprocessing.channels
    let plane = split.width * split.height
    let outPlane = size * size * channels
    var values = [Float](repeating: 0, count: chosen.count * outPlane)
    for i in chosen { precondition(i >= 0 && i < split.count, "floats: index \(i) out of 0..<\(split.count) in split \(split.name)") }
    guard !chosen.isEmpty else { return (values, [0, size, size, channels]) }
    split.pixels.withUnsafeBufferPointer { px in
        values.withUnsafeMutableBufferPointer { out in
            let src = SharedConstPointer(base: px.baseAddress!), dst = SharedPointer(base: out.baseAddress!)
            parallelRanges(chosen.count) { range in
                for j in range {
                    let base = chosen[j] * plane
                    var gray = (0..<plane).map { Float(src[base + $0]) / 255 }
                    if let augmentation {
                        var rng = SeededGenerator(seed: seed, stream: "\(stream)/\(j)")
                        augmentation.augment(&gray, width: split.width, height: split.height, rng: &rng)
                    }
                    if size != split.width || size != split.height {
                        gray = resamplePlane(gray, width: split.width, height: split.height, toWidth: size, toHeight: size)
                    }
                    for p in 0..<(size * size) {
                        for c in 0..<channels { dst[j * outPlane + p * channels + c] = gray[p] }
                    }
                }
            }
        }
    }
    return (values, [chosen.count, size, size, channels])
}
