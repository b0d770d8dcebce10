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
    /// Per label: image indices by descending score.
    let order: [[Int]]
    /// Per label, per rank: true when the next rank has a different score (or is the last).
    let endsTie: [[Bool]]
    /// Per label, per rank: the truth of that image.
    let positive: [[Bool]]

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
        var order: [[Int]] = [], endsTie: [[Bool]] = [], positive: [[Bool]] = []
        for l in 0..<labels {
            let o = (0..<n).sorted { scores[$0][l] > scores[$1][l] || (scores[$0][l] == scores[$1][l] && $0 < $1) }
            order.append(o)
            endsTie.append((0..<n).map { k in k == n - 1 || scores[o[k + 1]][l] != scores[o[k]][l] })
            positive.append(o.map { truth[$0][l] == 1 })
        }
        self.order = order
        self.endsTie = endsTie
        self.positive = positive
    }

    /// AP of label `l` when image i counts `multiplicity[i]` times.
    func averagePrecision(label l: Int, multiplicity m: UnsafeBufferPointer<Int32>) -> Double {
        var tp = 0, fp = 0, tpAtLastThreshold = 0
        var sum = 0.0   // Σ Δtp · precision; AP = sum / P
        let o = order[l], ends = endsTie[l], pos = positive[l]
        for k in 0..<images {
            let w = Int(m[o[k]])
            if pos[k] { tp += w } else { fp += w }
            if ends[k] && tp > tpAtLastThreshold {
                sum += Double(tp - tpAtLastThreshold) * Double(tp) / Double(tp + fp)
                tpAtLastThreshold = tp
            }
        }
        return tp == 0 ? 0 : sum / Double(tp)
    }
}
