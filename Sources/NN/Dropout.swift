/// Inverted dropout (Keras `Dropout`).
///
/// In `.training` each value is kept with probability 1 − rate and scaled by 1 / (1 − rate),
/// else zeroed; in `.inference` it is the identity. The mask comes from the layer's own
/// `SeededGenerator`, seeded at build time from the model's initialisation generator (or
/// from `seed` when given), so a fixed model seed gives a fixed sequence of masks.
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
        if !(freezesMask && mask.count == n) {
            // Each 64-bit draw gives two 32-bit uniforms u; a value is kept when u ≥ rate·2³².
            let scale = Float(1 / (1 - rate))
            let threshold = UInt32(min(rate * 4_294_967_296.0, 4_294_967_295.0))
            // The generator is copied into a local for the loop (a stored property of a class
            // is reloaded and access-checked on every draw: measured 5× slower).
            var local = rng
            mask = [Float](unsafeUninitializedCapacity: n) { buf, count in
                let p = buf.baseAddress!
                var i = 0
                while i + 1 < n {
                    let r = local.next()
                    p[i] = UInt32(truncatingIfNeeded: r) >= threshold ? scale : 0
                    p[i + 1] = UInt32(truncatingIfNeeded: r >> 32) >= threshold ? scale : 0
                    i += 2
                }
                if i < n { p[i] = UInt32(truncatingIfNeeded: local.next()) >= threshold ? scale : 0 }
                count = n
            }
            rng = local
        }
        return makeTensor(shape: x.shape) { yp in
            x.withPointer { xp in mask.withUnsafeBufferPointer { m in
                simdMultiply(yp, xp, m.baseAddress!, n)
            } }
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        if mask.isEmpty { return dy }
        precondition(dy.count == mask.count, "Dropout '\(name)': gradient has \(dy.count) values, mask \(mask.count)")
        return makeTensor(shape: dy.shape) { dxp in
            dy.withPointer { dp in mask.withUnsafeBufferPointer { m in
                simdMultiply(dxp, dp, m.baseAddress!, dy.count)
            } }
        }
    }
}
