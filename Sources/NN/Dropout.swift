import Parallel

/// Inverted dropout (Keras `Dropout`).
///
/// In `.training` each value is kept with probability 1 − rate and scaled by 1 / (1 − rate),
/// else zeroed; in `.inference` it is the identity. The mask comes from the layer's own
/// `SeededGenerator`, seeded at build time from the model's initialisation generator (or
/// from `seed` when given): one draw per training forward keys that forward's mask, whose
/// bits are a counter-based hash of (key, position). A fixed model seed gives a fixed
/// sequence of masks on any number of cores.
public final class Dropout: Layer {
    public var name: String
    public var typeName: String { "Dropout" }
    public let rate: Double
    public var parameters: [Parameter] { [] }

    private let seed: UInt64?
    private var rng = SeededGenerator(seed: 0)
    /// The multipliers (0 or 1 / (1 − rate)) of the last training forward; empty in inference.
    private(set) var mask: [Float] = []
    /// Tests: reuse the previous mask instead of drawing a new one (for finite differences).
    var freezesMask = false

    public init(rate: Double, seed: UInt64? = nil, name: String = "") {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate; self.seed = seed; self.name = name
    }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "at least one non-empty axis")
        }
        self.rng = SeededGenerator(seed: seed ?? rng.next(), stream: "dropout")
        return inputShape
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard mode == .training, rate > 0 else { mask = []; return x }
        let n = x.count
        let scale = Float(1 / (1 - rate))
        let threshold = UInt32(min(rate * 4_294_967_296.0, 4_294_967_295.0))
        let frozen = freezesMask && mask.count == n
        // One draw of the layer's generator per forward keys the whole mask; the rest is
        // counter-based (see `dropoutBits`), so blocks fill in parallel and the mask does
        // not depend on the number of cores.
        let key = frozen ? 0 : rng.next()
        if mask.count != n { mask = [Float](repeating: 0, count: n) }
        return makeTensor(shape: x.shape) { yp in
            x.withPointer { xp in mask.withUnsafeMutableBufferPointer { mb in
                let m = mb.baseAddress!
                let blocks = (n + Self.block - 1) / Self.block
                parallelFor(blocks) { blockIndex in
                    let start = blockIndex * Self.block, end = min(n, start + Self.block)
                    if !frozen {
                        // Each 64-bit value gives two 32-bit uniforms u; a value is kept when
                        // u ≥ rate·2³².
                        for pair in (start >> 1)..<(end >> 1) {
                            let r = dropoutBits(key: key, counter: UInt64(pair))
                            m[2 * pair] = UInt32(truncatingIfNeeded: r) >= threshold ? scale : 0
                            m[2 * pair + 1] = UInt32(truncatingIfNeeded: r >> 32) >= threshold ? scale : 0
                        }
                        if end & 1 == 1 {   // the odd last value (blocks are even, so only the last block)
                            let r = dropoutBits(key: key, counter: UInt64(end >> 1))
                            m[end - 1] = UInt32(truncatingIfNeeded: r) >= threshold ? scale : 0
                        }
                    }
                    simdMultiply(yp + start, xp + start, m + start, end - start)
                }
            } }
        }
    }

    /// Values per parallel block (even, so a block never splits a 64-bit draw).
    private static let block = 16_384

    public func backward(_ dy: Tensor) -> Tensor {
        if mask.isEmpty { return dy }
        precondition(dy.count == mask.count, "Dropout '\(name)': gradient has \(dy.count) values, mask \(mask.count)")
        return makeTensor(shape: dy.shape) { dxp in
            dy.withPointer { dp in mask.withUnsafeBufferPointer { mb in
                let m = mb.baseAddress!, n = dy.count
                parallelFor((n + Self.block - 1) / Self.block) { blockIndex in
                    let start = blockIndex * Self.block
                    simdMultiply(dxp + start, dp + start, m + start, min(n, start + Self.block) - start)
                }
            } }
        }
    }
}

/// 64 random bits for position `counter` of the mask keyed by `key`: SplitMix64's draw number
/// counter + 1 from seed `key` (its outputs for consecutive counters pass BigCrush).
@inline(__always)
func dropoutBits(key: UInt64, counter: UInt64) -> UInt64 {
    SeededGenerator.splitMix64(key &+ (counter &+ 1) &* SeededGenerator.golden)
}
