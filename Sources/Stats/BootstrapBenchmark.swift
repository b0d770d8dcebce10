import SeededRandom

/// Cost of the bootstrap on synthetic predictions (about 80% correct per label), for a
/// benchmark command to print. Returns wall-clock seconds of each call.
public enum BootstrapBenchmark {
    public struct Result: Sendable {
        public var images: Int
        public var resamples: Int
        /// `f1Intervals` of one model.
        public var f1Seconds: Double
        /// `pairedMeanF1Difference` of two models.
        public var pairedSeconds: Double
        /// `apIntervals` of one model's scores.
        public var apSeconds: Double
    }

    /// Synthetic truth, two models' predictions and scores, n × 3, from `seed`.
    public static func data(images n: Int, seed: UInt64 = 1)
        -> (truth: [[UInt8]], a: [[UInt8]], b: [[UInt8]], scores: [[Float]]) {
        var g = SeededGenerator(seed: seed, stream: "bootstrap-benchmark")
        var truth: [[UInt8]] = [], a: [[UInt8]] = [], b: [[UInt8]] = [], scores: [[Float]] = []
        for _ in 0..<n {
            let t = (0..<3).map { _ in UInt8(g.bernoulli(0.4) ? 1 : 0) }
            let s = t.map { Float(max(0, min(1, ($0 == 1 ? 0.65 : 0.35) + 0.25 * g.normal()))) }
            truth.append(t)
            scores.append(s)
            a.append(s.map { $0 >= 0.5 ? 1 : 0 })
            b.append(t.map { g.bernoulli(0.78) ? $0 : 1 - $0 })
        }
        return (truth, a, b, scores)
    }

    public static func run(images: Int, resamples: Int = Bootstrap.defaultResamples) -> Result {
        let d = data(images: images)
        let clock = ContinuousClock()
        func seconds(_ f: () -> Void) -> Double {
            clock.measure(f) / .seconds(1)
        }
        var sink = 0.0
        let f1 = seconds { sink += Bootstrap.f1Intervals(truth: d.truth, predicted: d.a, resamples: resamples, seed: 1).mean.lower }
        let paired = seconds { sink += Bootstrap.pairedMeanF1Difference(truth: d.truth, a: d.a, b: d.b, resamples: resamples, seed: 1).interval.lower }
        let ap = seconds { sink += Bootstrap.apIntervals(truth: d.truth, scores: d.scores, resamples: resamples, seed: 1).mean.lower }
        precondition(sink.isFinite)
        return Result(images: images, resamples: resamples, f1Seconds: f1, pairedSeconds: paired, apSeconds: ap)
    }
}
