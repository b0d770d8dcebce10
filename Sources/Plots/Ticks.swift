import Foundation

/// Round tick positions covering [min, max]: multiples of a step 1, 2 or 5 × 10ᵏ, the
/// smallest such step giving at most `maxCount` ticks. The first tick is ≤ `min` and the
/// last ≥ `max`, so an axis from the first to the last tick encloses the data.
/// A degenerate range (min == max) is widened to min−1…max+1 (or ±10 % of |min|).
public func niceTicks(min lo: Double, max hi: Double, maxCount: Int = 6) -> [Double] {
    precondition(lo.isFinite && hi.isFinite, "niceTicks: bounds must be finite, got \(lo)…\(hi)")
    precondition(maxCount >= 3, "niceTicks: maxCount must be at least 3, got \(maxCount)")
    var a = Swift.min(lo, hi), b = Swift.max(lo, hi)
    if a == b {
        let pad = a == 0 ? 1 : abs(a) * 0.1
        a -= pad; b += pad
    }
    let step = niceStep(min: a, max: b, maxCount: maxCount)
    let first = floorTolerant(a / step), last = ceilTolerant(b / step)
    return stride(from: first, through: last, by: 1).map { cleanMultiple($0, of: step) }
}

/// ⌊x⌋, except that x within 1e-9 of an integer counts as that integer (binary noise).
func floorTolerant(_ x: Double) -> Double {
    abs(x - x.rounded()) < 1e-9 ? x.rounded() : x.rounded(.down)
}

/// ⌈x⌉ with the same tolerance as `floorTolerant`.
func ceilTolerant(_ x: Double) -> Double {
    abs(x - x.rounded()) < 1e-9 ? x.rounded() : x.rounded(.up)
}

/// The smallest step 1, 2 or 5 × 10ᵏ for which the enclosing ticks of [min, max] (min < max)
/// number at most `maxCount` (≥ 3; a step ≥ max − min always gives at most three).
public func niceStep(min a: Double, max b: Double, maxCount: Int) -> Double {
    precondition(a < b && maxCount >= 3, "niceStep: need min < max and maxCount ≥ 3")
    let range = b - a
    var exponent = (log10(range / Double(maxCount - 1))).rounded(.down) - 1
    while true {
        for mantissa in [1.0, 2.0, 5.0] {
            let step = mantissa * pow(10, exponent)
            let count = ceilTolerant(b / step) - floorTolerant(a / step) + 1
            if count <= Double(maxCount) { return step }
        }
        exponent += 1
    }
}

/// `k · step` rounded to the decimals the step has, removing binary noise (0.1·3 → 0.3).
func cleanMultiple(_ k: Double, of step: Double) -> Double {
    let decimals = decimalsFor(step: step)
    let scale = pow(10, Double(decimals))
    let v = (k * step * scale).rounded() / scale
    return v == 0 ? 0 : v  // no −0
}

/// Decimals needed to print multiples of a 1-2-5 step exactly: max(0, −⌊log10 step⌋).
func decimalsFor(step: Double) -> Int {
    guard step > 0 else { return 0 }
    return Swift.max(0, Int(-(log10(step) + 1e-9).rounded(.down)))
}

/// Powers of ten from ≤ min to ≥ max, for a log axis (min > 0).
public func logTicks(min lo: Double, max hi: Double) -> [Double] {
    precondition(lo > 0 && hi >= lo, "logTicks: need 0 < min ≤ max, got \(lo)…\(hi)")
    let first = Int((log10(lo) + 1e-9).rounded(.down)), last = Swift.max(first + 1, Int((log10(hi) - 1e-9).rounded(.up)))
    return (first...last).map { pow(10, Double($0)) }
}

/// A tick label: the value with exactly the decimals the tick step needs (no needless
/// ".0"), thousands separated by commas, a true minus sign. `formatTick(2000, step: 500)`
/// → "2,000"; `formatTick(0.25, step: 0.05)` → "0.25"; `formatTick(-1, step: 0.5)` → "−1.0".
public func formatTick(_ value: Double, step: Double) -> String {
    formatNumber(value, decimals: decimalsFor(step: step))
}

/// A value label: integers with thousands separators ("5,550"), other numbers with up to
/// `maxDecimals` decimals and trailing zeros dropped ("0.915", "0.5").
public func formatValue(_ value: Double, maxDecimals: Int = 3) -> String {
    var text = formatNumber(value, decimals: maxDecimals)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "−0" ? "0" : text
}

/// Labels for values shown side by side, all with the same number of decimals: the fewest
/// (≤ `maxDecimals`) that print every value as `formatValue` would. [0.4625, 0.36] →
/// ["0.463", "0.360"]; [5550, 6450] → ["5,550", "6,450"].
public func formatValues(_ values: [Double], maxDecimals: Int = 3) -> [String] {
    let decimals = values.map { v -> Int in
        let text = formatValue(v, maxDecimals: maxDecimals)
        guard let dot = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: dot, to: text.endIndex) - 1
    }.max() ?? 0
    return values.map { formatNumber($0, decimals: decimals) }
}

/// `value` with `decimals` decimals, comma thousands separators and "−" for negatives.
public func formatNumber(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
    let fixed = String(format: "%.\(Swift.max(0, decimals))f", abs(value))
    let parts = fixed.split(separator: ".", maxSplits: 1)
    let integer = Array(parts[0])
    var grouped = ""
    for (i, ch) in integer.enumerated() {
        if i > 0 && (integer.count - i) % 3 == 0 { grouped.append(",") }
        grouped.append(ch)
    }
    let fraction = parts.count > 1 ? "." + parts[1] : ""
    let isZero = fixed.allSatisfy { $0 == "0" || $0 == "." }
    return (value < 0 && !isZero ? "−" : "") + grouped + fraction
}
