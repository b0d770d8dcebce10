/// A closed interval `[lower, upper]` of a statistic, here always a 95% percentile bootstrap
/// interval (see `Bootstrap`).
public struct Interval: Codable, Sendable, Equatable, CustomStringConvertible {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        precondition(!(lower > upper), "Interval: lower \(lower) > upper \(upper)")
        self.lower = lower
        self.upper = upper
    }

    /// `lower ≤ x ≤ upper` (both ends included).
    public func contains(_ x: Double) -> Bool { lower <= x && x <= upper }

    /// True when 0 lies outside the interval: a difference whose interval excludes zero.
    public var excludesZero: Bool { !contains(0) }

    public var width: Double { upper - lower }

    /// "[0.790, 0.833]"; with `signed`, explicit signs: "[+0.004, +0.049]".
    public func formatted(digits: Int = 3, signed: Bool = false) -> String {
        let f = signed ? { Format.signed($0, digits) } : { Format.fixed($0, digits) }
        return "[\(f(lower)), \(f(upper))]"
    }

    public var description: String { formatted() }
}

extension Interval {
    /// A point estimate with its interval: "0.812 [0.790, 0.833]", or with `signed`
    /// "+0.026 [+0.004, +0.049]".
    public static func formatted(_ point: Double, _ interval: Interval, digits: Int = 3, signed: Bool = false) -> String {
        (signed ? Format.signed(point, digits) : Format.fixed(point, digits)) + " "
            + interval.formatted(digits: digits, signed: signed)
    }
}
