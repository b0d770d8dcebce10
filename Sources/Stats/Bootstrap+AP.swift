extension Bootstrap {
    /// Per-label average precision as scikit-learn's `average_precision_score`:
    /// AP = Σ_k (R_k − R_{k−1})·P_k over distinct scores in descending order (a sample is
    /// positive when its score ≥ the threshold; tied scores form one threshold), R_0 = 0;
    /// 0 for a label with no positive image.
    public static func averagePrecision(truth: [[UInt8]], scores: [[Float]]) -> [Double] {
        let ranked = RankedScores(truth: truth, scores: scores, caller: "Bootstrap.averagePrecision")
        let ones = [Int32](repeating: 1, count: ranked.images)
        return ones.withUnsafeBufferPointer { m in (0..<ranked.labels).map { ranked.averagePrecision(label: $0, multiplicity: m) } }
    }

    /// 95% percentile intervals of per-label and mean average precision over image resamples
    /// (the same resampled images as `f1Intervals` with the same seed). A resample is scored
    /// as the drawn images with their repeats, so repeated images tie in score.
    public static func apIntervals(truth: [[UInt8]], scores: [[Float]],
                                   resamples: Int = defaultResamples, seed: UInt64) -> ScoreIntervals {
        let ranked = RankedScores(truth: truth, scores: scores, caller: "Bootstrap.apIntervals")
        let labels = ranked.labels
        var perLabel = [[Double]](repeating: [Double](repeating: 0, count: resamples), count: labels)
        var means = [Double](repeating: 0, count: resamples)
        forEachMultiplicity(images: ranked.images, resamples: resamples, seed: seed) { r, m in
            var sum = 0.0
            for l in 0..<labels {
                let ap = ranked.averagePrecision(label: l, multiplicity: UnsafeBufferPointer(m))
                perLabel[l][r] = ap
                sum += ap
            }
            means[r] = sum / Double(labels)
        }
        let point = averagePrecision(truth: truth, scores: scores)
        return ScoreIntervals(point: point, perLabel: perLabel.map { percentileInterval($0) },
                              meanPoint: point.reduce(0, +) / Double(labels),
                              mean: percentileInterval(means), resamples: resamples, images: ranked.images)
    }
}

/// Each label's images sorted once by descending score, with the end of every run of tied
/// scores marked, so that AP of any resample is one weighted pass.
struct RankedScores {
    let images: Int
    let labels: Int
    /// labels × images: image indices by descending score (ties by index).
    let order: [Int32]
    /// labels × images, per rank: bit 0 the image is positive, bit 1 the next rank has a
    /// different score (or this is the last rank), i.e. a threshold ends here.
    let flags: [UInt8]

    init(truth: [[UInt8]], scores: [[Float]], caller: String) {
        let n = truth.count
        precondition(n > 0, "\(caller): no images")
        precondition(scores.count == n, "\(caller): \(scores.count) rows of scores for \(n) images")
        let labels = truth[0].count
        for i in 0..<n {
            precondition(truth[i].count == labels && scores[i].count == labels,
                         "\(caller): image \(i) has \(truth[i].count) labels and \(scores[i].count) scores, expected \(labels)")
            precondition(!scores[i].contains { $0.isNaN }, "\(caller): image \(i) has a NaN score")
            precondition(truth[i].allSatisfy { $0 <= 1 }, "\(caller): image \(i) truth \(truth[i]) is not 0/1")
        }
        images = n
        self.labels = labels
        var order: [Int32] = [], flags: [UInt8] = []
        order.reserveCapacity(n * labels)
        flags.reserveCapacity(n * labels)
        for l in 0..<labels {
            let o = (0..<n).sorted { scores[$0][l] > scores[$1][l] || (scores[$0][l] == scores[$1][l] && $0 < $1) }
            for k in 0..<n {
                let ends = k == n - 1 || scores[o[k + 1]][l] != scores[o[k]][l]
                order.append(Int32(o[k]))
                flags.append((truth[o[k]][l] == 1 ? 1 : 0) | (ends ? 2 : 0))
            }
        }
        self.order = order
        self.flags = flags
    }

    /// AP of label `l` when image i counts `multiplicity[i]` times.
    func averagePrecision(label l: Int, multiplicity m: UnsafeBufferPointer<Int32>) -> Double {
        order.withUnsafeBufferPointer { order in
            flags.withUnsafeBufferPointer { flags in
                var tp = 0, all = 0, tpAtLastThreshold = 0
                var sum = 0.0   // Σ Δtp · precision over thresholds; AP = sum / P
                let base = l * images
                for k in base..<(base + images) {
                    let w = Int(m[Int(order[k])])
                    let f = flags[k]
                    tp &+= w & -Int(f & 1)
                    all &+= w
                    if f & 2 != 0 && tp != tpAtLastThreshold {
                        sum += Double(tp - tpAtLastThreshold) * Double(tp) / Double(all)
                        tpAtLastThreshold = tp
                    }
                }
                return tp == 0 ? 0 : sum / Double(tp)
            }
        }
    }
}
