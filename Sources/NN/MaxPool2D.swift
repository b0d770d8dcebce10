import Parallel
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
    /// The last forward's input and output; backward finds each window's winner again
    /// (the first position equal to the maximum), which keeps the forward a pure max.
    private var input: Tensor?
    private var output: Tensor?

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
        engineSetup
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
        let y = makeTensor(shape: [batch, g.outH, g.outW, c]) { yp in
            x.withPointer { xp in
                parallelFor(batch) { b in
                    let xi = xp + b * inItem
                    for oh in 0..<g.outH {
                        for ow in 0..<g.outW {
                            let yo = yp + b * outItem + (oh * g.outW + ow) * c
                            // Windows always hold an in-image position (padBefore < pool size);
                            // the first one starts the running max, so −∞ padding never wins.
                            var first = true
                            for ki in 0..<g.kh {
                                let ih = oh * g.sh - g.padTop + ki
                                if ih < 0 || ih >= g.inH { continue }
                                for kj in 0..<g.kw {
                                    let iw = ow * g.sw - g.padLeft + kj
                                    if iw < 0 || iw >= g.inW { continue }
                                    let src = xi + (ih * g.inW + iw) * c
                                    if first {
                                        yo.update(from: src, count: c)
                                        first = false
                                    } else {
                                        for ch in 0..<c { yo[ch] = max(yo[ch], src[ch]) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        input = x
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let g = geometry, let x = input, let y = output else {
            preconditionFailure("MaxPool2D '\(name)': backward before forward")
        }
        precondition(dy.shape == y.shape, "MaxPool2D '\(name)': gradient shape \(dy.shape) ≠ output shape \(y.shape)")
        let batch = x.batch, c = g.inC, outItem = g.outputPixels * c, inItem = g.inputItemSize
        // Windows that do not overlap (stride = pool size, as in all the study's models) give
        // every input position to at most one window: the gradient is then stored, not added,
        // and only the positions no window covers are zeroed (no pass over a zeroed dx).
        let disjoint = g.sh == g.kh && g.sw == g.kw
        if disjoint { return disjointBackward(g, x: x, y: y, dy: dy) }
        return makeTensor(shape: x.shape, zeroed: true) { dxp in
            x.withPointer { xp in y.withPointer { yp in dy.withPointer { dyp in
                parallelFor(batch) { b in
                    // `left[ch]` is the gradient not yet routed: the first position equal to
                    // the max takes it all (branch-free selects, so the loop vectorises).
                    var left = [Float](repeating: 0, count: c)
                    left.withUnsafeMutableBufferPointer { lb in
                        let rest = lb.baseAddress!
                        let xi = xp + b * inItem, di = dxp + b * inItem
                        for oh in 0..<g.outH {
                            for ow in 0..<g.outW {
                                let o = b * outItem + (oh * g.outW + ow) * c
                                let yo = yp + o
                                rest.update(from: dyp + o, count: c)
                                for ki in 0..<g.kh {
                                    let ih = oh * g.sh - g.padTop + ki
                                    if ih < 0 || ih >= g.inH { continue }
                                    for kj in 0..<g.kw {
                                        let iw = ow * g.sw - g.padLeft + kj
                                        if iw < 0 || iw >= g.inW { continue }
                                        let base = (ih * g.inW + iw) * c
                                        let src = xi + base, dst = di + base
                                        routeToFirstMax(src: src, max: yo, rest: rest, dst: dst, count: c)
                                    }
                                }
                            }
                        }
                    }
                }
            } } }
        }
    }
}

extension MaxPool2D {
    /// Backward for non-overlapping windows (stride = pool size): each covered input
    /// position is written once — the still unrouted gradient where it is the window's first
    /// maximum, zero elsewhere — and the rows and columns no window reaches are zeroed.
    fileprivate func disjointBackward(_ g: WindowGeometry, x: Tensor, y: Tensor, dy: Tensor) -> Tensor {
        let batch = x.batch, c = g.inC, outItem = g.outputPixels * c, inItem = g.inputItemSize
        let coveredH = min(g.inH, g.outH * g.sh - g.padTop), coveredW = min(g.inW, g.outW * g.sw - g.padLeft)
        return makeTensor(shape: x.shape) { dxp in
            x.withPointer { xp in y.withPointer { yp in dy.withPointer { dyp in
                parallelFor(batch) { b in
                    let xi = xp + b * inItem, di = dxp + b * inItem
                    for ih in 0..<g.inH {
                        let row = di + ih * g.inW * c
                        if ih >= coveredH { row.update(repeating: 0, count: g.inW * c); continue }
                        if coveredW < g.inW { (row + coveredW * c).update(repeating: 0, count: (g.inW - coveredW) * c) }
                    }
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { lb in
                        let rest = lb.baseAddress!
                        for oh in 0..<g.outH {
                            for ow in 0..<g.outW {
                                let o = b * outItem + (oh * g.outW + ow) * c
                                rest.update(from: dyp + o, count: c)
                                for ki in 0..<g.kh {
                                    let ih = oh * g.sh - g.padTop + ki
                                    if ih < 0 || ih >= g.inH { continue }
                                    for kj in 0..<g.kw {
                                        let iw = ow * g.sw - g.padLeft + kj
                                        if iw < 0 || iw >= g.inW { continue }
                                        let base = (ih * g.inW + iw) * c
                                        routeToFirstMax(src: xi + base, max: yp + o, rest: rest, dst: di + base, count: c,
                                                        store: true)
                                    }
                                }
                            }
                        }
                    }
                }
            } } }
        }
    }
}

/// For one window position: where `src == max`, adds the still unrouted gradient `rest` to
/// `dst` and clears it (so only the first maximum in window order receives it). Eight
/// channels at a time with SIMD selects, then the remainder.
@inline(__always)
private func routeToFirstMax(src: UnsafePointer<Float>, max: UnsafePointer<Float>, rest: UnsafeMutablePointer<Float>,
                             dst: UnsafeMutablePointer<Float>, count c: Int, store: Bool = false) {
    if store {
        // `dst` is written (the routed gradient or zero), not added to.
        typealias V = SIMD8<Float>
        var ch = 0
        while ch + 8 <= c {
            let s = UnsafeRawPointer(src + ch).loadUnaligned(as: V.self)
            let m = UnsafeRawPointer(max + ch).loadUnaligned(as: V.self)
            let r = UnsafeRawPointer(rest + ch).loadUnaligned(as: V.self)
            let hit = s .== m
            UnsafeMutableRawPointer(dst + ch).storeBytes(of: V(repeating: 0).replacing(with: r, where: hit), as: V.self)
            UnsafeMutableRawPointer(rest + ch).storeBytes(of: r.replacing(with: 0, where: hit), as: V.self)
            ch += 8
        }
        while ch < c {
            let hit = src[ch] == max[ch]
            dst[ch] = hit ? rest[ch] : 0
            rest[ch] = hit ? 0 : rest[ch]
            ch += 1
        }
        return
    }
    typealias V = SIMD8<Float>
    var ch = 0
    while ch + 8 <= c {
        let s = UnsafeRawPointer(src + ch).loadUnaligned(as: V.self)
        let m = UnsafeRawPointer(max + ch).loadUnaligned(as: V.self)
        let r = UnsafeRawPointer(rest + ch).loadUnaligned(as: V.self)
        let d = UnsafeRawPointer(dst + ch).loadUnaligned(as: V.self)
        let hit = s .== m
        UnsafeMutableRawPointer(dst + ch).storeBytes(of: d + V(repeating: 0).replacing(with: r, where: hit), as: V.self)
        UnsafeMutableRawPointer(rest + ch).storeBytes(of: r.replacing(with: 0, where: hit), as: V.self)
        ch += 8
    }
    while ch < c {
        let hit = src[ch] == max[ch]
        dst[ch] += hit ? rest[ch] : 0
        rest[ch] = hit ? 0 : rest[ch]
        ch += 1
    }
}
