import Foundation

/// Number formatting for sentences and tables. Fixed decimals use `String(format:)` so they
/// round exactly as the report's tables do.
public enum Format {
    /// 0.8123 → "0.812"; non-finite values as "nan", "inf", "−inf".
    public static func fixed(_ x: Double, _ digits: Int = 3) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "−inf") }
        let s = String(format: "%.\(digits)f", abs(x))
        return x < 0 ? "−" + s : s
    }

    /// An explicit sign: 0.026 → "+0.026", −0.026 → "−0.026" (typographic minus), 0 → "0.000".
    /// The sign is that of the unrounded value, so −0.0004 prints as "−0.000": a bound just
    /// below zero never reads as zero or above.
    public static func signed(_ x: Double, _ digits: Int = 3) -> String {
        guard x.isFinite else { return fixed(x, digits) }
        if x == 0 { return fixed(0, digits) }
        return (x > 0 ? "+" : "") + fixed(x, digits)
    }

    /// 12345 → "12,345".
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "−" : "") + String(out.reversed())
    }

    /// "1 seed", "3 seeds".
    static func plural(_ n: Int, _ word: String) -> String { "\(grouped(n)) \(word)\(n == 1 ? "" : "s")" }

    /// Zero-based label indices as the study's column names: [0, 2] → "label1, label3".
    static func labels(_ indices: [Int]) -> String { indices.map { "label\($0 + 1)" }.joined(separator: ", ") }
}
