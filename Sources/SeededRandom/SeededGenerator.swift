/// A small, fast, seedable random number generator (xoshiro256**), seeded through
/// SplitMix64 so that any 64-bit seed gives a well-mixed state.
///
/// Every random draw in the study (data generation, weight initialisation, dropout masks,
/// shuffling, augmentations) comes from one of these, so the same seed on the same
/// machine and thread count reproduces a run bit for bit. `SystemRandomNumberGenerator`
/// and Swift's per-process `Hasher` are never used for anything that must repeat.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        // SplitMix64: the k-th output is the mix of seed + k·γ.
        s0 = Self.splitMix64(seed &+ Self.golden); s1 = Self.splitMix64(seed &+ 2 &* Self.golden)
        s2 = Self.splitMix64(seed &+ 3 &* Self.golden); s3 = Self.splitMix64(seed &+ 4 &* Self.golden)
    }

    /// SplitMix64's increment γ (2⁶⁴/φ, odd).
    public static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective mix of a 64-bit
    /// state. SplitMix64's k-th draw from seed s is `splitMix64(s + k·golden)`, so it also
    /// serves as a counter-based generator (e.g. dropout masks: key + position).
    @inlinable @inline(__always)
    public static func splitMix64(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator derived from this seed and a stream name, independent of other streams.
    /// `SeededGenerator(seed: 7, stream: "dropout")` always gives the same sequence.
    public init(seed: UInt64, stream: String) {
        // FNV-1a over the UTF-8 bytes: stable across processes and platforms.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        self.init(seed: seed ^ h)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 bits of precision.
    @inline(__always)
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    @inline(__always)
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextDouble() }

    /// Standard normal draw (Box–Muller; one value per call, deterministic).
    public mutating func normal() -> Double {
        var u1 = nextDouble()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<n (n > 0), without modulo bias.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "SeededGenerator.int(below:) needs n > 0, got \(n)")
        return Int.random(in: 0..<n, using: &self)
    }

    /// Bernoulli draw with probability p of `true`.
    public mutating func bernoulli(_ p: Double) -> Bool { nextDouble() < p }

    /// A deterministic Fisher–Yates shuffle of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = int(below: i + 1)
                a.swapAt(i, j)
            }
        }
        return a
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
