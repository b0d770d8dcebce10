import Parallel
import Foundation

/// Everything the report says about the data before any training: one value, computed by
/// `DatasetAnalysis.analyze(_:)`, Codable so the report can cache it.
///
/// Definitions (docs/dataset.md repeats them):
/// - **black**: every pixel is 0.
/// - **near-black**: not black, and max ≤ `nearBlackMax` (10) or mean < `nearBlackMean` (2).
/// - **exact duplicates**: images with equal pixels (grouped by FNV-1a 64 of the pixels, then
///   compared byte by byte), black images excluded (they are counted on their own).
/// - **near-duplicates**: pairs of non-black, non-near-black images whose 64-bit difference
///   hashes (dHash: the image area-averaged to 9×8, bit 8·r + c set when cell (r, c) is
///   brighter than cell (r, c + 1)) differ in at most `nearDuplicateMaxDistance` (4) bits
///   — the candidates — and whose pixels are not identical but have a Pearson correlation
///   of at least `nearDuplicateMinCorrelation` (0.98). The confirmation step matters for
///   scans of one body part: many different slices share a coarse dHash (on the phantom
///   data, 20,013 candidate pairs of different scans, correlating at up to 0.96), while a
///   brightness-shifted copy with light noise correlates above 0.99 (tested: +10 ± 2 gives 0.9997). Candidates come from
///   pigeonhole buckets: split the hash into 5 bands; two hashes within distance 4 agree
///   on at least one band.
/// - label combination index: 4·label1 + 2·label2 + label3 (0 = "000" … 7 = "111").
public struct DatasetAnalysis: Codable, Sendable {
    public static let nearBlackMax = 10
    public static let nearBlackMean = 2.0
    public static let nearDuplicateMaxDistance = 4
    public static let nearDuplicateMinCorrelation = 0.98
    /// At most this many example groups / pairs / ids are listed.
    public static let exampleLimit = 10

    public struct SplitSummary: Codable, Sendable {
        public var name: String
        public var count: Int
        public var blackCount: Int
        public var nearBlackCount: Int
        public var nearBlackExamples: [String]
        /// Whether the split has labels; the label fields below are empty when not.
        public var labelled: Bool
        /// Per label (index 0 = label1): number of images with label 1, and with label 0.
        public var positives: [Int]
        public var negatives: [Int]
        /// The same counts among the black images only, and among the non-black ones.
        public var blackPositives: [Int]
        public var blackNegatives: [Int]
        public var nonBlackPositives: [Int]
        public var nonBlackNegatives: [Int]
        /// Count of each of the 8 label combinations, index 4·l1 + 2·l2 + l3.
        public var cooccurrence: [Int]
        /// Pixel-value counts over the non-black images, 256 bins (value 0…255).
        public var intensityHistogram: [Int]
    }

    public struct DuplicateGroup: Codable, Sendable, Equatable {
        /// FNV-1a 64 of the pixels, 16 hex digits.
        public var hash: String
        /// `split/id`, e.g. `train/10001.png`, in split then id order.
        public var images: [String]
        public var crossSplit: Bool
    }

    public struct NearDuplicatePair: Codable, Sendable, Equatable {
        public var a: String
        public var b: String
        /// Hamming distance of the two dHashes.
        public var distance: Int
        /// Pearson correlation of the two images' pixels.
        public var correlation: Double
    }

    /// Mean images of the non-black training images with label k = 0 and = 1, and their
    /// difference (positive − negative), each H·W row-major floats on the 0…255 scale.
    public struct LabelMeanImages: Codable, Sendable {
        public var label: Int
        public var negativeCount: Int
        public var positiveCount: Int
        public var negative: [Float]
        public var positive: [Float]
        public var difference: [Float]
    }

    /// Label-prior baselines of one label on the validation split: predicting 1 for every
    /// image (precision = positive rate p, recall = 1, F1 = 2p / (1 + p); 0 when p = 0), and
    /// predicting the majority class (accuracy max(p, 1 − p); ties → class 0).
    public struct Baseline: Codable, Sendable {
        public var label: Int
        public var positiveRate: Double
        public var allOnesF1: Double
        public var majorityClass: Int
        public var majorityAccuracy: Double
    }

    public var splits: [SplitSummary]
    public var imageWidth: Int
    public var imageHeight: Int
    public var exactDuplicateGroupCount: Int
    /// Images that belong to an exact-duplicate group.
    public var exactDuplicateImageCount: Int
    public var exactDuplicateWithinSplitGroups: Int
    public var exactDuplicateCrossSplitGroups: Int
    public var exactDuplicateExamples: [DuplicateGroup]
    public var nearDuplicateThreshold: Int
    public var nearDuplicateMinCorrelation: Double
    /// Pairs within the dHash distance (before the correlation check).
    public var nearDuplicateCandidatePairCount: Int
    /// Confirmed near-duplicate pairs.
    public var nearDuplicatePairCount: Int
    public var nearDuplicateExamples: [NearDuplicatePair]
    public var meanImages: [LabelMeanImages]
    /// The split the baselines are computed on (`val`).
    public var baselineSplit: String
    public var baselines: [Baseline]
    public var meanAllOnesF1: Double
    public var meanMajorityAccuracy: Double

    // MARK: - Computation

    struct ImageStats: Sendable {
        var black: Bool
        var nearBlack: Bool
        var hash: UInt64
        var dhash: UInt64
    }

    /// Computes every statistic above (per-image work in parallel).
    public static func analyze(_ dataset: Dataset) -> DatasetAnalysis {
        let splits = [dataset.train, dataset.val, dataset.test]
        let stats = splits.map(imageStats)
        let summaries = zip(splits, stats).map { summarize($0, $1) }

        // Global numbering over the three splits.
        var global: [(split: Int, index: Int)] = []
        for (s, split) in splits.enumerated() { for i in 0..<split.count { global.append((s, i)) } }
        let all = stats.flatMap { $0 }
        func name(_ g: Int) -> String { "\(splits[global[g].split].name)/\(splits[global[g].split].ids[global[g].index])" }
        func samePixels(_ a: Int, _ b: Int) -> Bool {
            let sa = splits[global[a].split], sb = splits[global[b].split]
            let n = sa.width * sa.height
            guard n == sb.width * sb.height else { return false }
            return sa.pixels[(global[a].index * n)..<((global[a].index + 1) * n)]
                .elementsEqual(sb.pixels[(global[b].index * n)..<((global[b].index + 1) * n)])
        }

        // Exact duplicates: group by hash, then split each group into classes of equal pixels.
        var byHash: [UInt64: [Int]] = [:]
        for g in all.indices where !all[g].black { byHash[all[g].hash, default: []].append(g) }
        var groups: [[Int]] = []
        for (_, members) in byHash where members.count > 1 {
            var rest = members
            while let first = rest.first {
                let same = rest.filter { samePixels(first, $0) }
                if same.count > 1 { groups.append(same) }
                rest.removeAll { same.contains($0) }
            }
        }
        groups.sort { $0[0] < $1[0] }
        let cross = groups.filter { g in Set(g.map { global[$0].split }).count > 1 }.count
        let examples = groups.prefix(exampleLimit).map { g in
            DuplicateGroup(hash: hex64(all[g[0]].hash), images: g.map(name),
                           crossSplit: Set(g.map { global[$0].split }).count > 1)
        }

        // Near-duplicates by dHash with pigeonhole bands.
        let threshold = nearDuplicateMaxDistance
        let candidates = all.indices.filter { !all[$0].black && !all[$0].nearBlack }
        let bands = threshold + 1
        var pairs = Set<Int>()
        var candidateCount = 0
        var found: [(Int, Int, Int, Double)] = []
        func pixelsOf(_ g: Int) -> ArraySlice<UInt8> {
            let s = splits[global[g].split], n = s.width * s.height
            return s.pixels[(global[g].index * n)..<((global[g].index + 1) * n)]
        }
        for band in 0..<bands {
            let lo = band * 64 / bands, hi = (band + 1) * 64 / bands
            let mask: UInt64 = hi - lo == 64 ? ~0 : ((1 << UInt64(hi - lo)) - 1)
            var buckets: [UInt64: [Int]] = [:]
            for g in candidates { buckets[(all[g].dhash >> UInt64(lo)) & mask, default: []].append(g) }
            for (_, members) in buckets where members.count > 1 {
                for x in 0..<(members.count - 1) {
                    for y in (x + 1)..<members.count {
                        let a = members[x], b = members[y]
                        let d = (all[a].dhash ^ all[b].dhash).nonzeroBitCount
                        guard d <= threshold else { continue }
                        guard pairs.insert(a * all.count + b).inserted else { continue }
                        if all[a].hash == all[b].hash && samePixels(a, b) { continue }
                        candidateCount += 1
                        let r = correlation(pixelsOf(a), pixelsOf(b))
                        if r >= nearDuplicateMinCorrelation { found.append((a, b, d, r)) }
                    }
                }
            }
        }
        found.sort { ($0.2, $0.0, $0.1) < ($1.2, $1.0, $1.1) }

        return DatasetAnalysis(
            splits: summaries,
            imageWidth: dataset.train.width, imageHeight: dataset.train.height,
            exactDuplicateGroupCount: groups.count,
            exactDuplicateImageCount: groups.reduce(0) { $0 + $1.count },
            exactDuplicateWithinSplitGroups: groups.count - cross,
            exactDuplicateCrossSplitGroups: cross,
            exactDuplicateExamples: Array(examples),
            nearDuplicateThreshold: threshold,
            nearDuplicateMinCorrelation: nearDuplicateMinCorrelation,
            nearDuplicateCandidatePairCount: candidateCount,
            nearDuplicatePairCount: found.count,
            nearDuplicateExamples: found.prefix(exampleLimit).map {
                NearDuplicatePair(a: name($0.0), b: name($0.1), distance: $0.2, correlation: $0.3)
            },
            meanImages: meanImages(dataset.train, black: stats[0].map(\.black)),
            baselineSplit: dataset.val.name,
            baselines: baselines(dataset.val),
            meanAllOnesF1: baselines(dataset.val).map(\.allOnesF1).reduce(0, +) / 3,
            meanMajorityAccuracy: baselines(dataset.val).map(\.majorityAccuracy).reduce(0, +) / 3)
    }

    /// Pearson correlation of two equally long pixel runs (0 when either is constant).
    static func correlation(_ x: ArraySlice<UInt8>, _ y: ArraySlice<UInt8>) -> Double {
        var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
        for (a, b) in zip(x, y) {
            let u = Double(a), v = Double(b)
            sx += u; sy += v; sxx += u * u; syy += v * v; sxy += u * v
        }
        let n = Double(x.count)
        let vx = sxx - sx * sx / n, vy = syy - sy * sy / n
        guard vx > 0, vy > 0 else { return 0 }
        return (sxy - sx * sy / n) / (vx * vy).squareRoot()
    }

    static func imageStats(_ split: Split) -> [ImageStats] {
        let plane = split.width * split.height
        let w = split.width, h = split.height
        return split.pixels.withUnsafeBufferPointer { px in
            let shared = SharedConstPointer(base: px.baseAddress!)
            let wx = resampleWeights(source: w, target: 9), wy = resampleWeights(source: h, target: 8)
            return parallelMap(split.count) { i in
                let image = UnsafeBufferPointer(start: shared.base + i * plane, count: plane)
                var maxValue: UInt8 = 0, sum = 0
                for v in image { maxValue = max(maxValue, v); sum += Int(v) }
                let black = maxValue == 0
                let nearBlack = !black && (Int(maxValue) <= nearBlackMax || Double(sum) / Double(plane) < nearBlackMean)
                return ImageStats(black: black, nearBlack: nearBlack, hash: Dataset.fnv1a(image),
                                  dhash: differenceHash(image, width: w, height: h, wx: wx, wy: wy))
            }
        }
    }

    /// dHash: area-average to 9 columns × 8 rows; bit 8·r + c is cell(r, c) > cell(r, c + 1).
    static func differenceHash(_ image: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                               wx: [[(index: Int, weight: Float)]], wy: [[(index: Int, weight: Float)]]) -> UInt64 {
        var cells = [Float](repeating: 0, count: 72)
        for (r, ty) in wy.enumerated() {
            for (c, tx) in wx.enumerated() {
                var s: Float = 0
                for a in ty { for b in tx { s += a.weight * b.weight * Float(image[a.index * width + b.index]) } }
                cells[r * 9 + c] = s
            }
        }
        var hash: UInt64 = 0
        for r in 0..<8 { for c in 0..<8 where cells[r * 9 + c] > cells[r * 9 + c + 1] { hash |= 1 << UInt64(r * 8 + c) } }
        return hash
    }

    static func summarize(_ split: Split, _ stats: [ImageStats]) -> SplitSummary {
        var summary = SplitSummary(
            name: split.name, count: split.count,
            blackCount: stats.filter(\.black).count, nearBlackCount: stats.filter(\.nearBlack).count,
            nearBlackExamples: Array(stats.indices.filter { stats[$0].nearBlack }.prefix(exampleLimit).map { split.ids[$0] }),
            labelled: split.labels != nil,
            positives: [], negatives: [], blackPositives: [], blackNegatives: [],
            nonBlackPositives: [], nonBlackNegatives: [], cooccurrence: [],
            intensityHistogram: [Int](repeating: 0, count: 256))
        let plane = split.width * split.height
        split.pixels.withUnsafeBufferPointer { px in
            summary.intensityHistogram.withUnsafeMutableBufferPointer { hist in
                for i in 0..<split.count where !stats[i].black {
                    for k in (i * plane)..<((i + 1) * plane) { hist[Int(px[k])] += 1 }
                }
            }
        }
        guard let labels = split.labels else { return summary }
        func count(_ value: UInt8, where include: (Int) -> Bool) -> [Int] {
            (0..<3).map { k in labels.indices.filter { include($0) && labels[$0][k] == value }.count }
        }
        summary.positives = count(1) { _ in true }
        summary.negatives = count(0) { _ in true }
        summary.blackPositives = count(1) { stats[$0].black }
        summary.blackNegatives = count(0) { stats[$0].black }
        summary.nonBlackPositives = count(1) { !stats[$0].black }
        summary.nonBlackNegatives = count(0) { !stats[$0].black }
        summary.cooccurrence = [Int](repeating: 0, count: 8)
        for row in labels { summary.cooccurrence[4 * Int(row[0]) + 2 * Int(row[1]) + Int(row[2])] += 1 }
        return summary
    }

    static func meanImages(_ split: Split, black: [Bool]) -> [LabelMeanImages] {
        guard let labels = split.labels else { return [] }
        let plane = split.width * split.height
        return (0..<3).map { k in
            var sums = [[Double]](repeating: [Double](repeating: 0, count: plane), count: 2)
            var counts = [0, 0]
            for i in 0..<split.count where !black[i] {
                let c = Int(labels[i][k])
                counts[c] += 1
                for p in 0..<plane { sums[c][p] += Double(split.pixels[i * plane + p]) }
            }
            let means = (0..<2).map { c in sums[c].map { counts[c] > 0 ? Float($0 / Double(counts[c])) : 0 } }
            return LabelMeanImages(label: k + 1, negativeCount: counts[0], positiveCount: counts[1],
                                   negative: means[0], positive: means[1],
                                   difference: zip(means[1], means[0]).map { $0 - $1 })
        }
    }

    static func baselines(_ split: Split) -> [Baseline] {
        guard let labels = split.labels, !labels.isEmpty else { return [] }
        return (0..<3).map { k in
            let p = Double(labels.filter { $0[k] == 1 }.count) / Double(labels.count)
            return Baseline(label: k + 1, positiveRate: p, allOnesF1: p > 0 ? 2 * p / (1 + p) : 0,
                            majorityClass: p > 0.5 ? 1 : 0, majorityAccuracy: max(p, 1 - p))
        }
    }
}
