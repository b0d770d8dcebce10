import Parallel
import Foundation
import SeededRandom

/// Settings of the embedded phantom dataset.
public struct PhantomConfig: Codable, Sendable, Equatable {
    /// Multiplies the competition's split sizes 12,000 / 3,000 / 5,000 (each at least 8).
    public var scale: Double
    /// Seed of every random draw; each image draws from `SeededGenerator(seed:stream: "image/<id>")`.
    public var seed: UInt64

    public init(scale: Double = 1, seed: UInt64 = 2024) {
        self.scale = scale
        self.seed = seed
    }
}

/// One generated scan with its labels and the ground truth behind them.
public struct PhantomSample: Sendable, Equatable {
    public let image: GrayImage
    /// The labels written to the CSV (after label noise).
    public let labels: [UInt8]
    /// Whether each of the three findings is drawn in the image (before label noise).
    public let findings: [Bool]
    /// Whether the image is entirely black.
    public let isBlack: Bool
}

/// The generator of the embedded default dataset: MRI-like 64×64 axial head slices in the
/// competition's layout. The generative model, every parameter and distribution, is
/// written down in docs/dataset.md; the constants below are that model.
public enum PhantomGenerator {
    /// Bumped whenever the images or labels a seed produces change.
    public static let version = 2

    /// First id of the train split; val continues after train.
    public static let trainFirstID = 10_000
    /// First id of the test split.
    public static let testFirstID = 70_000

    // MARK: Model parameters (docs/dataset.md mirrors these)

    /// Probability that an image is entirely black.
    static let blackProbability = 0.25
    /// Target positive rates of label1…3 (after label noise, black and non-black alike).
    static let labelRates = [0.46, 0.36, 0.23]
    /// Probability that a label is flipped after it is drawn (non-black images).
    static let labelFlip = 0.05
    /// Probability that a drawn finding is faint (its contrast multiplied by U(0.2, 0.5)).
    static let faintProbability = 0.15
    /// Probability that finding k is drawn, so that the noisy label has rate `labelRates[k]`:
    /// p = (r − f) / (1 − 2f).
    static var findingRates: [Double] { labelRates.map { ($0 - labelFlip) / (1 - 2 * labelFlip) } }

    /// Split sizes for a scale: round(12,000·s), round(3,000·s), round(5,000·s), each ≥ 8
    /// (and at most 10¹²; a NaN or negative scale gives 8), so no scale traps.
    public static func counts(scale: Double) -> (train: Int, val: Int, test: Int) {
        func n(_ base: Double) -> Int {
            let v = (base * scale).rounded()
            return v.isNaN ? 8 : max(8, Int(min(max(v, 0), 1e12)))
        }
        return (n(12_000), n(3_000), n(5_000))
    }

    /// The ids of the three splits for a scale, as integers (file name `"\(id).png"`).
    public static func ids(scale: Double) -> (train: [Int], val: [Int], test: [Int]) {
        let c = counts(scale: scale)
        let train = Array(trainFirstID..<(trainFirstID + c.train))
        let val = Array((trainFirstID + c.train)..<(trainFirstID + c.train + c.val))
        return (train, val, Array(testFirstID..<(testFirstID + c.test)))
    }

    /// Writes the competition layout into `dir` and the test labels to
    /// `dir/answers/test_labels.csv` (outside the layout; same header); returns that URL.
    ///
    /// Everything is written into `dir/.phantom-partial/` first (images rendered, encoded
    /// with `PNGCodec.encode(_:fast: true)` and written in parallel), then
    /// renamed into place: the image folders, `answers/`, `val_labels.csv`,
    /// `sample_submission.csv` and last `train_labels.csv`, so a dataset with a
    /// `train_labels.csv` is complete. A leftover `.phantom-partial/` from an interrupted run
    /// is removed. Refuses a `dir` that already holds any of these entries.
    /// `dir/answers/phantom.json` records the generator version and config.
    @discardableResult
    public static func write(to dir: URL, config: PhantomConfig) throws(DataError) -> URL {
        guard config.scale > 0, config.scale.isFinite else {
            throw .invalidConfig("scale must be a positive number, got \(config.scale)")
        }
        // Checked on the counts, before any id array is built (a huge scale must not allocate).
        let c = counts(scale: config.scale)
        guard trainFirstID + c.train + c.val <= testFirstID else {
            throw .invalidConfig("scale \(config.scale) is too large: train and val ids would reach the test ids at \(testFirstID) (scale ≤ 4 works)")
        }
        let ids = ids(scale: config.scale)
        let fm = FileManager.default
        let entries = ["train_images", "val_images", "test_images", "answers",
                       "train_labels.csv", "val_labels.csv", "sample_submission.csv"]
        for entry in entries where fm.fileExists(atPath: dir.appendingPathComponent(entry).path) {
            throw .outputExists(path: dir.appendingPathComponent(entry).path)
        }
        let tmp = dir.appendingPathComponent(".phantom-partial")
        do {
            if fm.fileExists(atPath: tmp.path) { try fm.removeItem(at: tmp) }
            for sub in ["train_images", "val_images", "test_images", "answers"] {
                try fm.createDirectory(at: tmp.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        } catch {
            throw .writeFailed(path: tmp.path, reason: error.localizedDescription)
        }

        func writeSplit(_ ids: [Int], folder: String) throws(DataError) -> LabelCSV.Table {
            let folderURL = tmp.appendingPathComponent(folder)
            let seed = config.seed
            let results: [Result<[UInt8], DataError>] = parallelMap(ids.count) { i in
                let s = sample(id: ids[i], seed: seed)
                do throws(DataError) {
                    let bytes = try PNGCodec.encode(s.image, fast: true)
                    try writeNewFile(bytes, to: folderURL.appendingPathComponent("\(ids[i]).png"))
                    return .success(s.labels)
                } catch {
                    return .failure(error)
                }
            }
            var table = LabelCSV.Table(ids: [], labels: [])
            for (id, r) in zip(ids, results) {
                switch r {
                case .success(let labels): table.ids.append("\(id).png"); table.labels.append(labels)
                case .failure(let error): throw error
                }
            }
            return table
        }

        let train = try writeSplit(ids.train, folder: "train_images")
        let val = try writeSplit(ids.val, folder: "val_images")
        let test = try writeSplit(ids.test, folder: "test_images")
        let submission = LabelCSV.Table(ids: test.ids, labels: test.ids.map { _ in [0, 0, 0] })
        let meta = "{\"generator\":\"PhantomGenerator\",\"version\":\(version),\"scale\":\(config.scale),\"seed\":\(config.seed)}\n"
        try writeFileBytes(Array(LabelCSV.render(train).utf8), to: tmp.appendingPathComponent("train_labels.csv"))
        try writeFileBytes(Array(LabelCSV.render(val).utf8), to: tmp.appendingPathComponent("val_labels.csv"))
        try writeFileBytes(Array(LabelCSV.render(submission).utf8), to: tmp.appendingPathComponent("sample_submission.csv"))
        try writeFileBytes(Array(LabelCSV.render(test).utf8), to: tmp.appendingPathComponent("answers/test_labels.csv"))
        try writeFileBytes(Array(meta.utf8), to: tmp.appendingPathComponent("answers/phantom.json"))
        do {
            for entry in ["train_images", "val_images", "test_images", "answers",
                          "val_labels.csv", "sample_submission.csv", "train_labels.csv"] {
                try fm.moveItem(at: tmp.appendingPathComponent(entry), to: dir.appendingPathComponent(entry))
            }
            try fm.removeItem(at: tmp)
        } catch {
            throw .writeFailed(path: dir.path, reason: error.localizedDescription)
        }
        return dir.appendingPathComponent("answers/test_labels.csv")
    }

    // MARK: - One image

    /// The scan with integer id `id` (file `"\(id).png"`) for `seed`: a pure function of
    /// (id, seed), drawn from `SeededGenerator(seed: seed, stream: "image/\(id)")`.
    public static func sample(id: Int, seed: UInt64) -> PhantomSample {
        var rng = SeededGenerator(seed: seed, stream: "image/\(id)")
        let size = studyImageSize
        if rng.bernoulli(blackProbability) {
            let labels = labelRates.map { UInt8(rng.bernoulli($0) ? 1 : 0) }
            return PhantomSample(image: GrayImage(width: size, height: size), labels: labels,
                                 findings: [false, false, false], isBlack: true)
        }
        let findings = findingRates.map { rng.bernoulli($0) }
        let labels = findings.map { f -> UInt8 in (f != rng.bernoulli(labelFlip)) ? 1 : 0 }
        let image = render(findings: findings, rng: &rng)
        return PhantomSample(image: image, labels: labels, findings: findings, isBlack: false)
    }

    /// Draws anatomy, findings, bias field and noise; see docs/dataset.md.
    static func render(findings: [Bool], rng: inout SeededGenerator) -> GrayImage {
        let n = studyImageSize
        let c0 = Float(n - 1) / 2
        func u(_ a: Double, _ b: Double) -> Float { Float(rng.uniform(a, b)) }
        func g(_ sd: Double) -> Float { Float(rng.normal() * sd) }

        // Head geometry.
        let cx = c0 + g(1.5), cy = c0 + g(1.5)
        let ax = u(21, 27), ay = min(u(25, 30.5), 31 - abs(cy - c0))
        let theta = g(0.12)
        let cosT = cos(theta), sinT = sin(theta)
        let scalp = u(1.5, 2.5), bone = u(1.0, 2.0)
        let rEff = (ax * ay).squareRoot()
        // Intensities (signal units, 0…255 before bias and noise).
        let scalpI = u(150, 210), boneI = u(15, 40), tissue = u(85, 125), csf = u(20, 45)
        let ribbonWidth = u(2, 4), ribbonGain = u(-0.15, 0.1)

        // Smooth tissue texture: K plane waves, separable tables per axis.
        let waves = 6
        let texAmp = u(0.06, 0.12) / Float(waves / 2).squareRoot()
        var cxT = [Float](repeating: 0, count: waves * n), sxT = cxT, cyT = cxT, syT = cxT
        var amps = [Float](repeating: 0, count: waves)
        for k in 0..<waves {
            let freq = u(0.15, 0.45), dir = u(0, 2 * .pi), phase = u(0, 2 * .pi)
            amps[k] = texAmp * u(0.5, 1.5)
            let kx = freq * cos(dir), ky = freq * sin(dir)
            for i in 0..<n {
                cxT[k * n + i] = cos(kx * Float(i) + phase); sxT[k * n + i] = sin(kx * Float(i) + phase)
                cyT[k * n + i] = cos(ky * Float(i)); syT[k * n + i] = sin(ky * Float(i))
            }
        }

        // Lateral ventricles: two mirrored tilted ellipses near the centre (head frame).
        let vdx = u(2.5, 5), vdy = u(-4, 2), va = u(1.5, 3.5), vb = u(4, 8), vtilt = u(0.1, 0.45)
        let ventricles: [(u: Float, v: Float, cosA: Float, sinA: Float)] = [
            (-vdx, vdy, cos(vtilt), sin(vtilt)), (vdx, vdy, cos(-vtilt), sin(-vtilt)),
        ]
        let fissureContrast = u(0.05, 0.25), fissureWidth = u(0.6, 1.2)

        var signal = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let dx = Float(x) - cx, dy = Float(y) - cy
                let hu = cosT * dx + sinT * dy, hv = -sinT * dx + cosT * dy
                let rho = ((hu / ax) * (hu / ax) + (hv / ay) * (hv / ay)).squareRoot()
                let d = (1 - rho) * rEff               // approximate depth below the outer edge
                if d < -0.5 { continue }
                let inHead = clamp01(d + 0.5)
                let boneW = clamp01(d - scalp + 0.5)
                let brainW = clamp01(d - scalp - bone + 0.5)
                var brain = tissue
                if brainW > 0 {
                    var tex: Float = 0
                    for k in 0..<waves {
                        tex += amps[k] * (cxT[k * n + x] * cyT[k * n + y] - sxT[k * n + x] * syT[k * n + y])
                    }
                    brain *= 1 + tex
                    brain *= 1 + ribbonGain * clamp01(1 - (d - scalp - bone) / ribbonWidth)
                    brain *= 1 - fissureContrast * clamp01(fissureWidth / 2 + 0.5 - abs(hu))
                    for vent in ventricles {
                        let pu = hu - vent.u, pv = hv - vent.v
                        let eu = vent.cosA * pu + vent.sinA * pv, ev = -vent.sinA * pu + vent.cosA * pv
                        let r = ((eu / va) * (eu / va) + (ev / vb) * (ev / vb)).squareRoot()
                        let m = clamp01((1 - r) * min(va, vb) + 0.5)
                        brain += (csf - brain) * m
                    }
                }
                var value = scalpI + (boneI - scalpI) * boneW
                value += (brain - value) * brainW
                signal[y * n + x] = value * inHead
            }
        }

        // A random point well inside the brain, in image coordinates.
        let innerA = ax - scalp - bone - 1, innerB = ay - scalp - bone - 1
        func brainPoint(margin: Float) -> (x: Float, y: Float) {
            let sa = max(innerA - margin, 2) , sb = max(innerB - margin, 2)
            var pu: Float = 0, pv: Float = 0
            repeat { pu = u(-1, 1); pv = u(-1, 1) } while pu * pu + pv * pv > 1
            let hu = pu * sa, hv = pv * sb
            return (cx + cosT * hu - sinT * hv, cy + sinT * hu + cosT * hv)
        }

        // A finding is faint (contrast × U(0.2, 0.5)) with probability `faintProbability`.
        func faintness() -> Float { rng.bernoulli(faintProbability) ? u(0.2, 0.5) : 1 }
        if findings[0] { // label1: small bright round lesion (additive)
            let r = u(3.5, 6), contrast = u(0.8, 1.4) * tissue * faintness()
            let p = brainPoint(margin: r + 1)
            forEachPixel(near: p, radius: r + 1, n: n) { x, y, i in
                let dist = ((Float(x) - p.x) * (Float(x) - p.x) + (Float(y) - p.y) * (Float(y) - p.y)).squareRoot()
                signal[i] += contrast * clamp01(r + 0.5 - dist)
            }
        }
        if findings[1] { // label2: dark elongated channel (multiplicative), a gently curved band
            let length = u(18, 28), width = u(3, 4.5), contrast = u(0.65, 0.95) * faintness()
            let curvature = u(-0.08, 0.08)
            let mid = brainPoint(margin: length / 2)
            var angle = u(0, 2 * .pi) - curvature * length / 2
            let steps = 12
            var pts: [(x: Float, y: Float)] = [(0, 0)]
            for _ in 0..<steps {
                let last = pts[pts.count - 1]
                pts.append((last.x + cos(angle) * length / Float(steps), last.y + sin(angle) * length / Float(steps)))
                angle += curvature * length / Float(steps)
            }
            let meanX = pts.reduce(0) { $0 + $1.x } / Float(pts.count), meanY = pts.reduce(0) { $0 + $1.y } / Float(pts.count)
            pts = pts.map { ($0.x - meanX + mid.x, $0.y - meanY + mid.y) }
            forEachPixel(near: mid, radius: length / 2 + width + 2, n: n) { x, y, i in
                let dist = distanceToPolyline(Float(x), Float(y), pts)
                signal[i] *= 1 - contrast * clamp01(width / 2 + 0.5 - dist)
            }
        }
        if findings[2] { // label3: textured patch (stripes or checker), zero-mean modulation
            let radius = u(9, 14), wavelength = u(3, 5), contrast = u(0.45, 0.8) * faintness()
            let phi = u(0, .pi), checker = rng.bernoulli(0.5)
            let p = brainPoint(margin: radius * 0.6)
            let k = 2 * Float.pi / wavelength, cp = cos(phi), sp = sin(phi)
            forEachPixel(near: p, radius: radius + 1, n: n) { x, y, i in
                let px = Float(x) - p.x, py = Float(y) - p.y
                let dist = (px * px + py * py).squareRoot()
                let w = clamp01((radius - dist) / 2)
                let a = cp * px + sp * py, b = -sp * px + cp * py
                let pattern = checker ? cos(k * a) * cos(k * b) * 1.6 : cos(k * a)
                signal[i] *= 1 + contrast * w * pattern
            }
        }

        // Smooth multiplicative bias field: 1 + quadratic polynomial, clamped to [0.6, 1.4].
        let bc = (0..<5).map { _ in g(0.12) }
        // Rician noise: |signal + σ(n1 + i·n2)|, σ per image.
        let sigma = u(3, 8)
        var pixels = [UInt8](repeating: 0, count: n * n)
        let table = NormalTable.values
        var bits: UInt64 = 0, left = 0
        @inline(__always) func normal() -> Float {
            if left == 0 { bits = rng.next(); left = 4 }
            let v = table[Int(bits & 0xFFFF)]
            bits >>= 16; left -= 1
            return v
        }
        for y in 0..<n {
            let yy = (Float(y) - c0) / 32
            for x in 0..<n {
                let xx = (Float(x) - c0) / 32
                let bias = min(max(1 + bc[0] * xx + bc[1] * yy + bc[2] * xx * yy + bc[3] * xx * xx + bc[4] * yy * yy, 0.6), 1.4)
                let s = signal[y * n + x] * bias
                let re = s + sigma * normal(), im = sigma * normal()
                let m = (re * re + im * im).squareRoot()
                pixels[y * n + x] = UInt8(min(m.rounded(), 255))
            }
        }
        return GrayImage(width: n, height: n, pixels: pixels)
    }
}

@inline(__always) private func clamp01(_ v: Float) -> Float { min(max(v, 0), 1) }

/// Calls `body(x, y, index)` for the pixels of the square of half-side `radius` around `p`
/// that lie in the n×n image.
@inline(__always)
private func forEachPixel(near p: (x: Float, y: Float), radius: Float, n: Int, _ body: (Int, Int, Int) -> Void) {
    let x0 = max(0, Int((p.x - radius).rounded(.down))), x1 = min(n - 1, Int((p.x + radius).rounded(.up)))
    let y0 = max(0, Int((p.y - radius).rounded(.down))), y1 = min(n - 1, Int((p.y + radius).rounded(.up)))
    guard x0 <= x1, y0 <= y1 else { return }
    for y in y0...y1 { for x in x0...x1 { body(x, y, y * n + x) } }
}

/// Euclidean distance from (x, y) to a polyline.
private func distanceToPolyline(_ x: Float, _ y: Float, _ pts: [(x: Float, y: Float)]) -> Float {
    var best = Float.infinity
    for i in 0..<(pts.count - 1) {
        let ax = pts[i].x, ay = pts[i].y, bx = pts[i + 1].x, by = pts[i + 1].y
        let vx = bx - ax, vy = by - ay
        let len2 = vx * vx + vy * vy
        let t = len2 > 0 ? min(max(((x - ax) * vx + (y - ay) * vy) / len2, 0), 1) : 0
        let dx = x - (ax + t * vx), dy = y - (ay + t * vy)
        best = min(best, dx * dx + dy * dy)
    }
    return best.squareRoot()
}

/// 65,536 standard-normal quantiles Φ⁻¹((i + 0.5) / 65536): a 16-bit index drawn uniformly
/// gives a normal deviate (tails cut at ±4.3σ), four per 64-bit draw.
enum NormalTable {
    static let values: [Float] = (0..<65_536).map { Float(inverseNormalCDF((Double($0) + 0.5) / 65_536)) }

    /// Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9).
    static func inverseNormalCDF(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425, high = 1 - low
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > high {
            let q = (-2 * log(1 - p)).squareRoot()
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
