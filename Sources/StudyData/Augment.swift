import Foundation
import SeededRandom

/// A single-channel float image, row-major (pixel (x, y) at `values[y * width + x]`), on the
/// 0…255 scale while augmentations run.
struct FloatPlane: Sendable {
    var width: Int
    var height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "FloatPlane: \(values.count) values for \(width)×\(height)")
        self.width = width; self.height = height; self.values = values
    }
    init(_ image: GrayImage) { self.init(width: image.width, height: image.height, values: image.pixels.map(Float.init)) }
    /// Rounded to the nearest integer and clamped to 0…255.
    var image: GrayImage {
        GrayImage(width: width, height: height, pixels: values.map { UInt8(min(max($0.rounded(), 0), 255)) })
    }
}

/// BORDER_REFLECT_101 (OpenCV's default, imgaug's "reflect"): … d c b | a b c d | c b a …
/// — the edge pixel is not repeated. Maps any integer index into 0..<n.
@inline(__always) func reflect101(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    let period = 2 * (n - 1)
    var j = i % period
    if j < 0 { j += period }
    return j < n ? j : period - j
}

/// One of the study's eight augmentation kinds, with its parameters. Every random draw
/// comes from the `SeededGenerator` passed in, so the same generator state gives the same
/// output. Geometric kinds map each output pixel p through the inverse of a 2×2 matrix A
/// about the image centre c = ((W − 1)/2, (H − 1)/2): out(p) = in(A⁻¹(p − c) + c), sampled
/// bilinearly with reflect-101 coordinates (`reflect101`).
public enum Augmentation: Codable, Sendable, Equatable {
    /// Rotation by an angle uniform in [−maxDegrees, maxDegrees] (always applied):
    /// A = [[cos θ, −sin θ], [sin θ, cos θ]].
    case rotate(maxDegrees: Double)
    /// Mirror left–right with probability p.
    case flipHorizontal(p: Double)
    /// Mirror top–bottom with probability p.
    case flipVertical(p: Double)
    /// With probability p, shear by sx uniform in [−x, x] and sy uniform in [−y, y]:
    /// A = [[1, sx], [sy, 1]].
    case shear(x: Double, y: Double, p: Double)
    /// With probability p, scale each axis by its own factor uniform in [min, max]:
    /// A = diag(fx, fy) (factors > 1 enlarge).
    case scale(min: Double, max: Double, p: Double)
    /// Pad (reflect-101) to at least size×size, centred (the odd pixel goes right/bottom);
    /// an image already that large is unchanged.
    case pad(size: Int)
    /// Median filter over a kernel×kernel window (kernel odd), borders replicated as in
    /// OpenCV's `medianBlur`; values are rounded to integers 0…255 first, as the study's
    /// 8-bit images were.
    case blur(kernel: Int)
    /// Crop a size×size window at a uniformly random position; a side already ≤ size is kept.
    case crop(size: Int)
    /// With probability p, set a size×size square (clipped to the image side) to 0, at a
    /// uniformly random position with the square entirely inside the image.
    case cutOut(size: Int, p: Double = 1)

    /// The augmented image (float arithmetic, rounded once at the end).
    public func apply(_ image: GrayImage, rng: inout SeededGenerator) -> GrayImage {
        var plane = FloatPlane(image)
        apply(&plane, rng: &rng)
        return plane.image
    }

    func apply(_ plane: inout FloatPlane, rng: inout SeededGenerator) {
        switch self {
        case .rotate(let maxDegrees):
            let theta = rng.uniform(-maxDegrees, maxDegrees) * .pi / 180
            warp(&plane, a: cos(theta), b: -sin(theta), c: sin(theta), d: cos(theta))
        case .flipHorizontal(let p):
            guard rng.bernoulli(p) else { return }
            let w = plane.width
            var out = plane.values
            for y in 0..<plane.height { for x in 0..<w { out[y * w + x] = plane.values[y * w + (w - 1 - x)] } }
            plane.values = out
        case .flipVertical(let p):
            guard rng.bernoulli(p) else { return }
            let w = plane.width, h = plane.height
            var out = plane.values
            for y in 0..<h { for x in 0..<w { out[y * w + x] = plane.values[(h - 1 - y) * w + x] } }
            plane.values = out
        case .shear(let x, let y, let p):
            guard rng.bernoulli(p) else { return }
            let sx = rng.uniform(-x, x), sy = rng.uniform(-y, y)
            warp(&plane, a: 1, b: sx, c: sy, d: 1)
        case .scale(let lo, let hi, let p):
            guard rng.bernoulli(p) else { return }
            let fx = rng.uniform(lo, hi), fy = rng.uniform(lo, hi)
            warp(&plane, a: fx, b: 0, c: 0, d: fy)
        case .pad(let size):
            let w = max(plane.width, size), h = max(plane.height, size)
            guard w != plane.width || h != plane.height else { return }
            let left = (w - plane.width) / 2, top = (h - plane.height) / 2
            var out = [Float](repeating: 0, count: w * h)
            for y in 0..<h {
                let sy = reflect101(y - top, plane.height)
                for x in 0..<w { out[y * w + x] = plane.values[sy * plane.width + reflect101(x - left, plane.width)] }
            }
            plane = FloatPlane(width: w, height: h, values: out)
        case .crop(let size):
            let w = min(plane.width, size), h = min(plane.height, size)
            guard w != plane.width || h != plane.height else { return }
            let x0 = rng.int(below: plane.width - w + 1), y0 = rng.int(below: plane.height - h + 1)
            var out = [Float](repeating: 0, count: w * h)
            for y in 0..<h { for x in 0..<w { out[y * w + x] = plane.values[(y + y0) * plane.width + x + x0] } }
            plane = FloatPlane(width: w, height: h, values: out)
        case .blur(let kernel):
            precondition(kernel >= 1 && kernel % 2 == 1, "Augmentation.blur: kernel must be odd and ≥ 1, got \(kernel)")
            medianBlur(&plane, kernel: kernel)
        case .cutOut(let size, let p):
            precondition(size >= 0, "Augmentation.cutOut: size must be ≥ 0, got \(size)")
            guard rng.bernoulli(p) else { return }
            let sw = min(size, plane.width), sh = min(size, plane.height)
            let x0 = rng.int(below: plane.width - sw + 1), y0 = rng.int(below: plane.height - sh + 1)
            for y in y0..<(y0 + sh) { for x in x0..<(x0 + sw) { plane.values[y * plane.width + x] = 0 } }
        }
    }
}

/// out(p) = in(A⁻¹(p − c) + c) with A = [[a, b], [c, d]], bilinear, reflect-101 borders.
func warp(_ plane: inout FloatPlane, a: Double, b: Double, c: Double, d: Double) {
    let det = a * d - b * c
    precondition(abs(det) > 1e-9, "warp: singular matrix [[\(a), \(b)], [\(c), \(d)]]")
    let ia = Float(d / det), ib = Float(-b / det), ic = Float(-c / det), id = Float(a / det)
    let w = plane.width, h = plane.height
    let cx = Float(w - 1) / 2, cy = Float(h - 1) / 2
    var out = [Float](repeating: 0, count: w * h)
    plane.values.withUnsafeBufferPointer { src in
        for y in 0..<h {
            let py = Float(y) - cy
            for x in 0..<w {
                let px = Float(x) - cx
                let sx = ia * px + ib * py + cx, sy = ic * px + id * py + cy
                let fx = sx.rounded(.down), fy = sy.rounded(.down)
                let x0 = Int(fx), y0 = Int(fy)
                let tx = sx - fx, ty = sy - fy
                let xa = reflect101(x0, w), xb = reflect101(x0 + 1, w)
                let ya = reflect101(y0, h) * w, yb = reflect101(y0 + 1, h) * w
                let top = src[ya + xa] + (src[ya + xb] - src[ya + xa]) * tx
                let bottom = src[yb + xa] + (src[yb + xb] - src[yb + xa]) * tx
                out[y * w + x] = top + (bottom - top) * ty
            }
        }
    }
    plane.values = out
}

/// Median over a k×k window with replicated borders, on values rounded to 0…255; a sliding
/// 256-bin histogram per row (Huang's algorithm) with a 16-bin coarse level for the search.
func medianBlur(_ plane: inout FloatPlane, kernel k: Int) {
    let w = plane.width, h = plane.height, r = k / 2
    let q = plane.values.map { Int(min(max($0.rounded(), 0), 255)) }
    let rank = (k * k) / 2 + 1   // the median is the rank-th smallest (1-based)
    var out = [Float](repeating: 0, count: w * h)
    var fine = [Int](repeating: 0, count: 256), coarse = [Int](repeating: 0, count: 16)
    @inline(__always) func clampX(_ x: Int) -> Int { min(max(x, 0), w - 1) }
    @inline(__always) func clampY(_ y: Int) -> Int { min(max(y, 0), h - 1) }
    for y in 0..<h {
        for i in 0..<256 { fine[i] = 0 }
        for i in 0..<16 { coarse[i] = 0 }
        for dy in -r...r {
            let row = clampY(y + dy) * w
            for dx in -r...r { let v = q[row + clampX(dx)]; fine[v] += 1; coarse[v >> 4] += 1 }
        }
        for x in 0..<w {
            var seen = 0, block = 0
            while seen + coarse[block] < rank { seen += coarse[block]; block += 1 }
            var v = block << 4
            while seen + fine[v] < rank { seen += fine[v]; v += 1 }
            out[y * w + x] = Float(v)
            if x + 1 < w {
                let leave = clampX(x - r), enter = clampX(x + r + 1)
                for dy in -r...r {
                    let row = clampY(y + dy) * w
                    let a = q[row + leave], b = q[row + enter]
                    fine[a] -= 1; coarse[a >> 4] -= 1
                    fine[b] += 1; coarse[b >> 4] += 1
                }
            }
        }
    }
    plane.values = out
}

/// A sequence of augmentations, then `picks` draws without replacement from `choices`
/// (`nil` = do nothing), applied in the order drawn — solt's `SelectiveStream(n: picks)`.
public struct AugmentationStream: Codable, Sendable, Equatable {
    public var steps: [Augmentation]
    public var choices: [Augmentation?]
    public var picks: Int

    public init(steps: [Augmentation], choices: [Augmentation?] = [], picks: Int = 0) {
        precondition(picks >= 0 && picks <= choices.count,
                     "AugmentationStream: picks \(picks) must be within 0…\(choices.count) choices")
        self.steps = steps; self.choices = choices; self.picks = picks
    }

    /// The study's stream (STUDY-NOTES): rotate [−90°, 90°]; horizontal flip p 0.5; vertical
    /// flip p 0.5; shear x 0.3 y 0.8 p 0.5; scale [0.8, 1.3] p 0.5; pad to 64; crop 64;
    /// median blur 7; then three of {CutOut 40, CutOut 50, CutOut 10, nothing, nothing}.
    /// Each chosen CutOut always fires (p = 1), as STUDY-NOTES describes it; solt, the study's
    /// library, applies a transform with p = 0.5 when none is given, so the original may have
    /// cut less often — `.cutOut(size:p: 0.5)` models that reading.
    public static let study = AugmentationStream(
        steps: [.rotate(maxDegrees: 90), .flipHorizontal(p: 0.5), .flipVertical(p: 0.5),
                .shear(x: 0.3, y: 0.8, p: 0.5), .scale(min: 0.8, max: 1.3, p: 0.5),
                .pad(size: 64), .crop(size: 64), .blur(kernel: 7)],
        choices: [.cutOut(size: 40), .cutOut(size: 50), .cutOut(size: 10), nil, nil],
        picks: 3)

    /// The augmented image (float arithmetic throughout, rounded once at the end).
    public func apply(_ image: GrayImage, rng: inout SeededGenerator) -> GrayImage {
        var plane = FloatPlane(image)
        run(&plane, rng: &rng)
        return plane.image
    }

    /// Augments one single-channel float plane in place (row-major H×W, values on the
    /// 0…1 scale, i.e. pixels / 255 — what the trainer feeds the network). The stream must
    /// give back an image of the same size (the study's does for 64×64 input).
    public func augment(_ plane: inout [Float], width: Int, height: Int, rng: inout SeededGenerator) {
        var p = FloatPlane(width: width, height: height, values: plane.map { $0 * 255 })
        run(&p, rng: &rng)
        precondition(p.width == width && p.height == height,
                     "AugmentationStream.augment: stream changed the size \(width)×\(height) to \(p.width)×\(p.height)")
        for i in plane.indices { plane[i] = p.values[i] / 255 }
    }

    func run(_ plane: inout FloatPlane, rng: inout SeededGenerator) {
        for step in steps { step.apply(&plane, rng: &rng) }
        guard picks > 0 else { return }
        var pool = Array(choices.indices)
        for _ in 0..<picks {
            let chosen = pool.remove(at: rng.int(below: pool.count))
            choices[chosen]?.apply(&plane, rng: &rng)
        }
    }
}
