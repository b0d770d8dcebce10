import SeededRandom

/// Percentile bootstrap over validation images.
///
/// Shapes: `truth` and every prediction matrix are n × L (n images, L labels; the study has
/// L = 3), entries 0 or 1. A resample draws n images with replacement; all labels — and, for
/// a paired comparison, all models — are scored on the *same* drawn images. The draws come
/// from `SeededGenerator(seed: seed, stream: "bootstrap")`, so the same `seed` and n give the
/// same resampled images in every function here: resample r of `f1Intervals` for model A
/// and resample r of `pairedMeanF1Difference(a: A, b: B)` use the same images.
///
/// F1 per label is scikit-learn's with `zero_division=0`:
///
///     f1 = 2·tp / (2·tp + fp + fn),   f1 = 0 when tp = 0
///
/// (so a resample with no positive image and no positive prediction scores 0, as
/// `f1_score(..., zero_division=0)` does). Mean F1 is the unweighted mean over labels.
///
/// The interval is the percentile interval: the 2.5% and 97.5% quantiles of the resampled
/// statistic, with numpy's default (linear) quantile interpolation. The point estimate is
/// the statistic on the images as given, not the mean of the resamples.
///
/// Cost: one pass over the images groups them by their pattern of outcomes (tp/fp/fn/tn per
/// label and model; at most 4^L patterns for one model); each resample then draws n indices
/// into a histogram of patterns and sums counts per pattern — no allocation per resample.
public enum Bootstrap {
    /// The default number of resamples.
    public static let defaultResamples = 2_000
    /// The coverage of every interval.
    public static let level = 0.95

    // MARK: - Point estimates

    /// Per-label F1 of binary predictions (zero_division = 0).
    public static func f1(truth: [[UInt8]], predicted: [[UInt8]]) -> [Double] {
        let t = OutcomeTable(truth: truth, models: [predicted], caller: "Bootstrap.f1")
        var counts = [Int](repeating: 0, count: t.columns * 4)
        for i in 0..<t.images {
            let base = Int(t.patternOfImage[i]) * t.columns
            for c in 0..<t.columns { counts[c * 4 + Int(t.outcomes[base + c])] += 1 }
        }
        return (0..<t.columns).map { f1(counts, column: $0) }
    }

    /// Mean over labels of `f1(truth:predicted:)`.
    public static func meanF1(truth: [[UInt8]], predicted: [[UInt8]]) -> Double {
        let f = f1(truth: truth, predicted: predicted)
        return f.reduce(0, +) / Double(f.count)
    }

    /// F1 from confusion counts, zero_division = 0.
    public static func f1(tp: Int, fp: Int, fn: Int) -> Double {
        tp == 0 ? 0 : Double(2 * tp) / Double(2 * tp + fp + fn)
    }

    // MARK: - F1 intervals

    /// The bootstrap replicates of per-label F1: `resamples` rows of L values.
    public static func f1Replicates(truth: [[UInt8]], predicted: [[UInt8]],
                                    resamples: Int = defaultResamples, seed: UInt64) -> [[Double]] {
        let t = OutcomeTable(truth: truth, models: [predicted], caller: "Bootstrap.f1Replicates")
        var out: [[Double]] = []
        out.reserveCapacity(resamples)
        replicateCounts(t, resamples: resamples, seed: seed) { _, counts in
            out.append((0..<t.columns).map { f1(counts, column: $0) })
        }
        return out
    }

    /// 95% percentile intervals of per-label F1 and of mean F1 over image resamples.
    public static func f1Intervals(truth: [[UInt8]], predicted: [[UInt8]],
                                   resamples: Int = defaultResamples, seed: UInt64) -> ScoreIntervals {
        let t = OutcomeTable(truth: truth, models: [predicted], caller: "Bootstrap.f1Intervals")
        let labels = t.columns
        var perLabel = [[Double]](repeating: [Double](repeating: 0, count: resamples), count: labels)
        var means = [Double](repeating: 0, count: resamples)
        replicateCounts(t, resamples: resamples, seed: seed) { r, counts in
            var sum = 0.0
            for l in 0..<labels {
                let f = f1(counts, column: l)
                perLabel[l][r] = f
                sum += f
            }
            means[r] = sum / Double(labels)
        }
        let point = f1(truth: truth, predicted: predicted)
        return ScoreIntervals(point: point, perLabel: perLabel.map { percentileInterval($0) },
                              meanPoint: point.reduce(0, +) / Double(labels),
                              mean: percentileInterval(means), resamples: resamples, images: t.images)
    }

    // MARK: - Paired differences

    /// The paired bootstrap of meanF1(a) − meanF1(b): each resample scores both models on the
    /// same drawn images. A model against itself gives exactly [0, 0].
    public static func pairedMeanF1Difference(truth: [[UInt8]], a: [[UInt8]], b: [[UInt8]],
                                              resamples: Int = defaultResamples, seed: UInt64) -> PairedDifference {
        pairedMeanF1Difference(truth: truth, aSeeds: [a], bSeeds: [b], resamples: resamples, seed: seed)
    }

    /// The paired bootstrap of the seed-averaged mean F1 difference,
    ///
    ///     Δ = mean_s meanF1(aSeeds[s]) − mean_s meanF1(bSeeds[s]),
    ///
    /// every model of every seed scored on the same drawn images. The interval covers image
    /// sampling only; the spread over seeds is in `seedDeltas` (Δ of seed s alone, paired by
    /// index when both sides have the same number of seeds, else empty).
    public static func pairedMeanF1Difference(truth: [[UInt8]], aSeeds: [[[UInt8]]], bSeeds: [[[UInt8]]],
                                              resamples: Int = defaultResamples, seed: UInt64) -> PairedDifference {
        precondition(!aSeeds.isEmpty && !bSeeds.isEmpty, "Bootstrap.pairedMeanF1Difference: no predictions for a side")
        let t = OutcomeTable(truth: truth, models: aSeeds + bSeeds, caller: "Bootstrap.pairedMeanF1Difference")
        let labels = truth.first?.count ?? 0
        let ka = aSeeds.count, kb = bSeeds.count
        func difference(_ counts: UnsafeBufferPointer<Int>) -> (a: Double, b: Double) {
            var sa = 0.0, sb = 0.0
            for m in 0..<(ka + kb) {
                var s = 0.0
                for l in 0..<labels { s += f1(counts, column: m * labels + l) }
                if m < ka { sa += s } else { sb += s }
            }
            return (sa / Double(ka * labels), sb / Double(kb * labels))
        }
        var deltas = [Double](repeating: 0, count: resamples)
        replicateCounts(t, resamples: resamples, seed: seed) { r, counts in
            let (a, b) = difference(counts)
            deltas[r] = a - b
        }
        let meansA = aSeeds.map { meanF1(truth: truth, predicted: $0) }
        let meansB = bSeeds.map { meanF1(truth: truth, predicted: $0) }
        let meanA = meansA.reduce(0, +) / Double(ka), meanB = meansB.reduce(0, +) / Double(kb)
        return PairedDifference(meanA: meanA, meanB: meanB, delta: meanA - meanB,
                                interval: percentileInterval(deltas),
                                seedDeltas: ka == kb ? zip(meansA, meansB).map { $0 - $1 } : [],
                                resamples: resamples, images: t.images)
    }

    // MARK: - Percentiles

    /// The central `level` percentile interval of `values` (numpy's linear interpolation).
    public static func percentileInterval(_ values: [Double], level: Double = level) -> Interval {
        precondition(!values.isEmpty, "Bootstrap.percentileInterval: no values")
        precondition(level > 0 && level < 1, "Bootstrap.percentileInterval: level \(level) not in (0, 1)")
        let sorted = values.sorted()
        let alpha = (1 - level) / 2
        return Interval(lower: quantile(sorted, alpha), upper: quantile(sorted, 1 - alpha))
    }

    /// numpy's `quantile(method="linear")` of already sorted values: h = (n − 1)·q,
    /// x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "Bootstrap.quantile: no values")
        let h = Double(sorted.count - 1) * q
        let i = Int(h.rounded(.down))
        guard i + 1 < sorted.count else { return sorted[sorted.count - 1] }
        let lo = sorted[i], hi = sorted[i + 1]
        // Equal neighbours give exactly that value (no rounding drift from the interpolation).
        return lo == hi ? lo : lo + (h - Double(i)) * (hi - lo)
    }

    // MARK: - Engine

    @inline(__always)
    static func f1(_ counts: UnsafeBufferPointer<Int>, column c: Int) -> Double {
        f1(tp: counts[c * 4], fp: counts[c * 4 + 1], fn: counts[c * 4 + 2])
    }

    static func f1(_ counts: [Int], column c: Int) -> Double {
        f1(tp: counts[c * 4], fp: counts[c * 4 + 1], fn: counts[c * 4 + 2])
    }

    /// The resampling generator: every function here draws its images from this stream.
    static func generator(seed: UInt64) -> SeededGenerator { SeededGenerator(seed: seed, stream: "bootstrap") }

    /// Uniform in 0..<n without modulo bias (Lemire's multiply-and-reject); written out here
    /// so the drawn indices do not depend on the standard library's implementation.
    @inline(__always)
    static func draw(below n: UInt64, _ g: inout SeededGenerator) -> Int {
        var m = g.next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = g.next().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }

    /// Draws the multiplicity of every image for each resample in turn (n draws with
    /// replacement, the same draws as `replicateCounts`) and hands `body` the resample's
    /// index and how often each image was drawn.
    static func forEachMultiplicity(images n: Int, resamples: Int, seed: UInt64,
                                    _ body: (_ r: Int, _ multiplicity: UnsafeMutableBufferPointer<Int32>) -> Void) {
        precondition(n > 0, "Bootstrap: no images to resample")
        precondition(resamples > 0, "Bootstrap: resamples must be > 0, got \(resamples)")
        var g = generator(seed: seed)
        var mult = [Int32](repeating: 0, count: n)
        mult.withUnsafeMutableBufferPointer { m in
            for r in 0..<resamples {
                m.update(repeating: 0)
                for _ in 0..<n { m[draw(below: UInt64(n), &g)] &+= 1 }
                body(r, m)
            }
        }
    }

    /// Confusion counts per column for each resample: `body` gets the resample's index and,
    /// for column c (model m, label l: c = m·L + l), `counts[4c + k]` with k = 0 tp, 1 fp,
    /// 2 fn, 3 tn.
    static func replicateCounts(_ t: OutcomeTable, resamples: Int, seed: UInt64,
                                _ body: (_ r: Int, _ counts: UnsafeBufferPointer<Int>) -> Void) {
        precondition(t.images > 0, "Bootstrap: no images to resample")
        precondition(resamples > 0, "Bootstrap: resamples must be > 0, got \(resamples)")
        let n = t.images, columns = t.columns, patterns = t.patterns
        var g = generator(seed: seed)
        var hist = [Int](repeating: 0, count: patterns)
        var counts = [Int](repeating: 0, count: columns * 4)
        t.patternOfImage.withUnsafeBufferPointer { pattern in
            t.outcomes.withUnsafeBufferPointer { outcomes in
                hist.withUnsafeMutableBufferPointer { h in
                    counts.withUnsafeMutableBufferPointer { c in
                        for r in 0..<resamples {
                            h.update(repeating: 0)
                            for _ in 0..<n { h[Int(pattern[draw(below: UInt64(n), &g)])] &+= 1 }
                            c.update(repeating: 0)
                            for p in 0..<patterns {
                                let k = h[p]
                                if k == 0 { continue }
                                let base = p * columns
                                for col in 0..<columns { c[col &* 4 &+ Int(outcomes[base &+ col])] &+= k }
                            }
                            body(r, UnsafeBufferPointer(c))
                        }
                    }
                }
            }
        }
    }
}

/// Per-label and mean scores with their bootstrap intervals.
public struct ScoreIntervals: Codable, Sendable, Equatable {
    /// Per-label score on the images as given.
    public var point: [Double]
    /// Per-label 95% intervals.
    public var perLabel: [Interval]
    /// Mean over labels on the images as given.
    public var meanPoint: Double
    /// 95% interval of the mean over labels.
    public var mean: Interval
    public var resamples: Int
    public var images: Int
}

/// A paired bootstrap of meanF1(A) − meanF1(B).
public struct PairedDifference: Codable, Sendable, Equatable {
    /// Mean F1 of A (averaged over its seeds) on the images as given.
    public var meanA: Double
    public var meanB: Double
    /// meanA − meanB.
    public var delta: Double
    /// 95% paired percentile interval of the difference.
    public var interval: Interval
    /// The difference of each seed alone (A's seed s against B's seed s); empty when the
    /// sides have different numbers of seeds.
    public var seedDeltas: [Double]
    public var resamples: Int
    public var images: Int

    public init(meanA: Double, meanB: Double, delta: Double, interval: Interval,
                seedDeltas: [Double], resamples: Int, images: Int) {
        self.meanA = meanA; self.meanB = meanB; self.delta = delta; self.interval = interval
        self.seedDeltas = seedDeltas; self.resamples = resamples; self.images = images
    }
}

/// Images grouped by their pattern of outcomes: for every image, one outcome per column
/// (model m, label l → column m·L + l), 0 tp, 1 fp, 2 fn, 3 tn. Images with the same
/// outcomes in every column share a pattern, so a resample only needs a histogram of
/// patterns.
struct OutcomeTable {
    let images: Int
    let columns: Int
    let patternOfImage: [Int32]
    /// patterns × columns, row-major.
    let outcomes: [UInt8]
    var patterns: Int { columns == 0 ? 0 : outcomes.count / columns }

    init(truth: [[UInt8]], models: [[[UInt8]]], caller: String) {
        let n = truth.count
        precondition(n > 0, "\(caller): no images")
        let labels = truth[0].count
        precondition(labels > 0, "\(caller): images have no labels")
        for (i, row) in truth.enumerated() {
            precondition(row.count == labels, "\(caller): truth row \(i) has \(row.count) labels, expected \(labels)")
        }
        for (m, p) in models.enumerated() {
            precondition(p.count == n, "\(caller): model \(m) has \(p.count) rows of predictions for \(n) images")
            for (i, row) in p.enumerated() {
                precondition(row.count == labels, "\(caller): model \(m) row \(i) has \(row.count) labels, expected \(labels)")
            }
        }
        images = n
        columns = labels * models.count
        var ids: [[UInt8]: Int32] = [:]
        var patternOfImage = [Int32](repeating: 0, count: n)
        var outcomes: [UInt8] = []
        var key = [UInt8](repeating: 0, count: columns)
        for i in 0..<n {
            for (m, p) in models.enumerated() {
                for l in 0..<labels {
                    let t = truth[i][l], y = p[i][l]
                    precondition(t <= 1 && y <= 1, "\(caller): image \(i) label \(l): truth \(t), prediction \(y) — expected 0/1")
                    // 0 tp, 1 fp, 2 fn, 3 tn
                    key[m * labels + l] = t == 1 ? (y == 1 ? 0 : 2) : (y == 1 ? 1 : 3)
                }
            }
            if let id = ids[key] {
                patternOfImage[i] = id
            } else {
                let id = Int32(ids.count)
                ids[key] = id
                outcomes.append(contentsOf: key)
                patternOfImage[i] = id
            }
        }
        self.patternOfImage = patternOfImage
        self.outcomes = outcomes
    }
}
