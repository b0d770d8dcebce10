/// One statistic (e.g. mean F1) over the seeds of a variant: the mean and the sample
/// standard deviation (divisor n − 1), which is `nil` for a single seed.
public struct SeedSummary: Codable, Sendable, Equatable {
    public let values: [Double]
    public let mean: Double
    public let sd: Double?

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "SeedSummary: no values")
        self.values = values
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        mean = m
        sd = values.count < 2 ? nil
            : (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
    }

    public var seeds: Int { values.count }

    /// "0.812 ± 0.011 (3 seeds)" or "0.812 (1 seed)".
    public func formatted(digits: Int = 3) -> String {
        let head = Format.fixed(mean, digits)
        guard let sd else { return head + " (1 seed)" }
        return head + " ± " + Format.fixed(sd, digits) + " (\(Format.plural(seeds, "seed")))"
    }
}
