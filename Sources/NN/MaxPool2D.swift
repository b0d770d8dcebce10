/// 2-D max pooling (Keras `MaxPooling2D`) on NHWC batches, per channel.
///
/// Input (B, H, W, C) → (B, OH, OW, C) with OH, OW from `windowedOutput` (Keras's rules;
/// `same` pads with −∞, so padding never wins). y[b, oh, ow, c] = max over the window.
/// Backward routes each output gradient to the input position that won its window
/// (the first maximum in row-major window order on ties).
public final class MaxPool2D: Layer {
    public var name: String
    public var typeName: String { "MaxPooling2D" }
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public var parameters: [Parameter] { [] }

    private(set) var geometry: WindowGeometry?
    private var inputShape: [Int] = []
    /// For every output value, the offset of its winning input within the batch item.
    private var argmax: [Int32] = []

    public init(poolSize: (Int, Int), strides: (Int, Int)? = nil, padding: Padding = .valid, name: String = "") {
        precondition(poolSize.0 > 0 && poolSize.1 > 0, "MaxPool2D: pool size must be positive, got \(poolSize)")
        let s = strides ?? poolSize
        precondition(s.0 > 0 && s.1 > 0, "MaxPool2D: strides must be positive, got \(s)")
        self.poolSize = poolSize; self.strides = s; self.padding = padding; self.name = name
    }

    /// Square pool and stride (stride defaults to the pool size, as in Keras).
    public convenience init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, name: String = "") {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding, name: name)
    }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        heapForLargeTensors
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "(height, width, channels)")
        }
        let g = WindowGeometry(inH: inputShape[0], inW: inputShape[1], inC: inputShape[2],
                               kh: poolSize.0, kw: poolSize.1, sh: strides.0, sw: strides.1, padding: padding)
        guard g.outH > 0, g.outW > 0 else {
            throw ShapeError(layer: name, input: inputShape,
                             expected: "height ≥ \(poolSize.0) and width ≥ \(poolSize.1) for a \(poolSize.0)×\(poolSize.1) valid pool")
        }
        geometry = g
        return [g.outH, g.outW, g.inC]
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard let g = geometry else { preconditionFailure("MaxPool2D '\(name)': forward before build") }
        precondition(x.shape.count == 4 && Array(x.shape.dropFirst()) == [g.inH, g.inW, g.inC],
                     "MaxPool2D '\(name)': expects (batch, \(g.inH), \(g.inW), \(g.inC)), got \(x.shape)")
        let batch = x.batch, c = g.inC, outItem = g.outputPixels * c, inItem = g.inputItemSize
        var arg = [Int32](repeating: 0, count: batch * outItem)
        let y = makeTensor(shape: [batch, g.outH, g.outW, c]) { yp in
            x.withPointer { xp in
                arg.withUnsafeMutableBufferPointer { ab in
                    let ap = ab.baseAddress!
                    parallelFor(batch) { b in
                        let xi = xp + b * inItem
                        for oh in 0..<g.outH {
                            for ow in 0..<g.outW {
                                let o = (oh * g.outW + ow) * c
                                let yo = yp + b * outItem + o, ao = ap + b * outItem + o
                                var first = true
                                for ki in 0..<g.kh {
                                    let ih = oh * g.sh - g.padTop + ki
                                    if ih < 0 || ih >= g.inH { continue }
                                    for kj in 0..<g.kw {
                                        let iw = ow * g.sw - g.padLeft + kj
                                        if iw < 0 || iw >= g.inW { continue }
                                        let base = (ih * g.inW + iw) * c
                                        let src = xi + base
                                        if first {
                                            // The first in-image position starts the running max
                                            // (windows always hold one: padBefore < pool size).
                                            for ch in 0..<c { yo[ch] = src[ch]; ao[ch] = Int32(base + ch) }
                                            first = false
                                        } else {
                                            let b32 = Int32(base)
                                            for ch in 0..<c {
                                                let v = src[ch]
                                                let better = v > yo[ch]
                                                yo[ch] = better ? v : yo[ch]
                                                ao[ch] = better ? b32 + Int32(ch) : ao[ch]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        inputShape = x.shape
        argmax = arg
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let g = geometry, !inputShape.isEmpty else { preconditionFailure("MaxPool2D '\(name)': backward before forward") }
        let batch = inputShape[0], outItem = g.outputPixels * g.inC, inItem = g.inputItemSize
        precondition(dy.shape == [batch, g.outH, g.outW, g.inC],
                     "MaxPool2D '\(name)': gradient shape \(dy.shape) ≠ output shape \([batch, g.outH, g.outW, g.inC])")
        return makeTensor(shape: inputShape, zeroed: true) { dxp in
            dy.withPointer { dyp in
                argmax.withUnsafeBufferPointer { ab in
                    let ap = ab.baseAddress!
                    parallelFor(batch) { b in
                        let d = dxp + b * inItem, a = ap + b * outItem, s = dyp + b * outItem
                        for i in 0..<outItem { d[Int(a[i])] += s[i] }
                    }
                }
            }
        }
    }
}
