import Parallel
/// Keras's padding modes for convolutions and pooling.
public enum Padding: String, Codable, Sendable { case valid, same }

/// Output size and leading padding along one spatial axis, Keras's rules:
/// - `valid`: out = ⌊(in − k) / stride⌋ + 1 (0 when in < k), no padding;
/// - `same`:  out = ⌈in / stride⌉, padTotal = max((out − 1)·stride + k − in, 0),
///   padBefore = ⌊padTotal / 2⌋, the rest after (so stride 2 on even sizes pads only after).
func windowedOutput(size: Int, window: Int, stride: Int, padding: Padding) -> (out: Int, padBefore: Int) {
    switch padding {
    case .valid:
        return (size >= window ? (size - window) / stride + 1 : 0, 0)
    case .same:
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + window - size, 0)
        return (out, total / 2)
    }
}

/// Geometry of a 2-D sliding window over an NHWC item (batch axis excluded).
struct WindowGeometry: Sendable, Equatable {
    let inH, inW, inC: Int
    let kh, kw: Int
    let sh, sw: Int
    let outH, outW: Int
    let padTop, padLeft: Int

    init(inH: Int, inW: Int, inC: Int, kh: Int, kw: Int, sh: Int, sw: Int, padding: Padding) {
        self.inH = inH; self.inW = inW; self.inC = inC
        self.kh = kh; self.kw = kw; self.sh = sh; self.sw = sw
        let h = windowedOutput(size: inH, window: kh, stride: sh, padding: padding)
        let w = windowedOutput(size: inW, window: kw, stride: sw, padding: padding)
        outH = h.out; padTop = h.padBefore
        outW = w.out; padLeft = w.padBefore
    }

    var inputItemSize: Int { inH * inW * inC }
    var outputPixels: Int { outH * outW }
    /// Length of one im2col row: kh · kw · inC.
    var patchSize: Int { kh * kw * inC }
}

/// Copies `n` floats between non-overlapping buffers: runs of 8…64 as SIMD8 blocks (the
/// last block may overlap the one before, rewriting equal values), shorter ones one by
/// one, longer ones through memmove.
@inline(__always)
private func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    if n < 8 {
        for i in 0..<n { dst[i] = src[i] }
    } else if n <= 64 {
        var i = 0
        while i + 8 < n {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self),
                                                        as: SIMD8<Float>.self)
            i += 8
        }
        let last = n - 8
        UnsafeMutableRawPointer(dst + last).storeBytes(of: UnsafeRawPointer(src + last).loadUnaligned(as: SIMD8<Float>.self),
                                                       as: SIMD8<Float>.self)
    } else {
        dst.update(from: src, count: n)
    }
}

/// im2col for one NHWC item: row (oh·outW + ow) of `cols` holds the receptive field of
/// output pixel (oh, ow) in (ki, kj, c) order — the order of a Keras kernel (kh, kw, in,
/// out) flattened to (kh·kw·in, out) — with zeros where the window leaves the image.
func im2col(_ g: WindowGeometry, _ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>) {
    let c = g.inC, rowLen = g.kw * c, k = g.patchSize
    for oh in 0..<g.outH {
        let ih0 = oh * g.sh - g.padTop
        for ow in 0..<g.outW {
            let iw0 = ow * g.sw - g.padLeft
            var dst = cols + (oh * g.outW + ow) * k
            let fullRow = iw0 >= 0 && iw0 + g.kw <= g.inW
            for ki in 0..<g.kh {
                let ih = ih0 + ki
                if ih < 0 || ih >= g.inH {
                    dst.update(repeating: 0, count: rowLen)
                } else if fullRow {
                    copyFloats(dst, x + (ih * g.inW + iw0) * c, rowLen)
                } else {
                    for kj in 0..<g.kw {
                        let iw = iw0 + kj
                        if iw < 0 || iw >= g.inW {
                            (dst + kj * c).update(repeating: 0, count: c)
                        } else {
                            copyFloats(dst + kj * c, x + (ih * g.inW + iw) * c, c)
                        }
                    }
                }
                dst += rowLen
            }
        }
    }
}

/// The adjoint of `im2col` for one item: adds each column-row entry back into `dx`
/// (which the caller zeroes). Sequential within the item, so the sum order is fixed.
func col2im(_ g: WindowGeometry, _ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
    let c = g.inC, rowLen = g.kw * c, k = g.patchSize
    for oh in 0..<g.outH {
        let ih0 = oh * g.sh - g.padTop
        for ow in 0..<g.outW {
            let iw0 = ow * g.sw - g.padLeft
            var src = cols + (oh * g.outW + ow) * k
            let fullRow = iw0 >= 0 && iw0 + g.kw <= g.inW
            for ki in 0..<g.kh {
                let ih = ih0 + ki
                if ih >= 0 && ih < g.inH {
                    if fullRow {
                        simdAdd(dx + (ih * g.inW + iw0) * c, src, rowLen)
                    } else {
                        for kj in 0..<g.kw {
                            let iw = iw0 + kj
                            if iw >= 0 && iw < g.inW {
                                simdAdd(dx + (ih * g.inW + iw) * c, src + kj * c, c)
                            }
                        }
                    }
                }
                src += rowLen
            }
        }
    }
}

/// 2-D convolution (Keras `Conv2D`, really a cross-correlation) on NHWC batches.
///
/// Input (B, H, W, C) → output (B, OH, OW, filters) with OH, OW from `windowedOutput`.
/// Weights: `kernel` (kh, kw, C, filters), Glorot-uniform with fanIn = kh·kw·C and
/// fanOut = kh·kw·filters; `bias` (filters), zeros.
/// y[b, oh, ow, f] = act(bias[f] + Σ_{ki,kj,c} x[b, oh·sh + ki − padTop, ow·sw + kj − padLeft, c] · kernel[ki, kj, c, f]).
///
/// Forward is im2col (rows = output pixels, columns in (ki, kj, c) order) times the
/// kernel viewed as a (kh·kw·C) × filters matrix, one `sgemm` per chunk of the batch
/// (chunks of at least two items keep the column buffer near 16 MB). Backward: dW += colsᵀ·dZ, db += Σ dZ,
/// dCols = dZ·Wᵀ, then col2im. 3×3 stride-1 convolutions with ≥ 8 input channels and
/// outputs of at least 12×12 (all of conv3's and conv5's 3×3 layers but the first) run instead through
/// Winograd F(m×m, 3×3), m = `WindowGeometry.winogradTile`, for all three products
/// (`Winograd.swift`).
public final class Conv2D: FusedActivationLayer, InputGradientSkippable {
    public var name: String
    public var typeName: String { "Conv2D" }
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let activation: Activation
    public let useBias: Bool
    public var emitsLogits = false
    /// When false, `backward` skips dL/d(input) and returns zeros (for a model's first layer).
    public var computesInputGradient = true

    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    private(set) var geometry: WindowGeometry?
    private var input: Tensor?
    private var output: Tensor?
    private var cachedCols: [Float]?
    /// The zero-padded input of the direct kernels, kept from forward for backward.
    private var cachedPadded: [Float]?
    /// The Winograd path's transformed input tiles of the last training forward, read back by
    /// the kernel gradient instead of transforming the input a second time (measured, before
    /// and after interleaved, per batch of 32: conv3's 64×64×50 → 75 backward 134 → 112–115 ms
    /// in a quiet sitting, medians of six rounds 165 → 138 ms in a loaded one). They take
    /// (m + 2)²·tiles·C floats: 59 MB for that layer at batch 32, 81 MB for all of conv3's,
    /// 76 MB for conv5's. The buffer is reused from step to step (a smaller last batch uses
    /// its start); an inference forward releases it.
    private var keptTiles: [Float] = []
    /// The plan whose tiles of `input` `keptTiles` holds; nil when it holds none.
    private var keptTilesPlan: WinogradPlan?
    /// Floats per chunk of the Winograd path's transformed tiles (tests lower it to run
    /// several chunks).
    var winogradBudget = WinogradPlan.defaultBudget

    /// Column buffer budget per chunk of the batch, in floats (default 4 Mi floats = 16 MB,
    /// so a chunk's columns are still in cache when the product reads them; measured faster
    /// than 64 MB chunks).
    var columnBudget = 4 * 1024 * 1024
    /// Largest im2col matrix (floats) kept from forward for backward (default 16 Mi = 64 MB).
    var columnCacheBudget = 16 * 1024 * 1024

    public init(filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                activation: Activation = .linear, useBias: Bool = true, name: String = "") {
        precondition(filters > 0, "Conv2D: filters must be positive, got \(filters)")
        precondition(kernelSize.0 > 0 && kernelSize.1 > 0, "Conv2D: kernel size must be positive, got \(kernelSize)")
        precondition(strides.0 > 0 && strides.1 > 0, "Conv2D: strides must be positive, got \(strides)")
        self.filters = filters; self.kernelSize = kernelSize; self.strides = strides
        self.padding = padding; self.activation = activation; self.useBias = useBias; self.name = name
    }

    /// Square kernel and stride, as Keras's `Conv2D(filters, 3, strides=2)`.
    public convenience init(filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                            activation: Activation = .linear, useBias: Bool = true, name: String = "") {
        self.init(filters: filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides),
                  padding: padding, activation: activation, useBias: useBias, name: name)
    }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "(height, width, channels)")
        }
        let g = WindowGeometry(inH: inputShape[0], inW: inputShape[1], inC: inputShape[2],
                               kh: kernelSize.0, kw: kernelSize.1, sh: strides.0, sw: strides.1, padding: padding)
        guard g.outH > 0, g.outW > 0 else {
            throw ShapeError(layer: name, input: inputShape,
                             expected: "height ≥ \(kernelSize.0) and width ≥ \(kernelSize.1) for a \(kernelSize.0)×\(kernelSize.1) valid convolution")
        }
        geometry = g
        let c = inputShape[2], area = kernelSize.0 * kernelSize.1
        kernel = Parameter(name: "kernel",
                           value: glorotUniform(shape: [kernelSize.0, kernelSize.1, c, filters],
                                                fanIn: area * c, fanOut: area * filters, rng: &rng))
        bias = useBias ? Parameter(name: "bias", value: Tensor(zeros: [filters])) : nil
        return [g.outH, g.outW, filters]
    }

    /// The geometry, after checking that `x` is a batch of this layer's input shape.
    func checkedGeometry(_ x: Tensor) -> WindowGeometry {
        guard let g = geometry else { preconditionFailure("Conv2D '\(name)': forward before build") }
        precondition(x.shape.count == 4 && Array(x.shape.dropFirst()) == [g.inH, g.inW, g.inC],
                     "Conv2D '\(name)': expects (batch, \(g.inH), \(g.inW), \(g.inC)), got \(x.shape)")
        return g
    }

    /// Batch items per im2col chunk: as many as fit `columnBudget` with their columns and
    /// their outputs (so a chunk's product output is still in cache when bias and activation
    /// are applied to it), at least two (the two cores each take one) and even unless the
    /// chunk is the whole batch.
    func chunkSize(_ g: WindowGeometry, batch: Int) -> Int {
        var n = max(2, columnBudget / max(1, g.outputPixels * (g.patchSize + filters)))
        if n >= batch { return batch }
        if n % 2 == 1 { n -= 1 }
        return n
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let g = checkedGeometry(x)
        if g.usesWinograd { return winogradForward(x, g, mode: mode) }
        if g.usesDirect { return directForward(x, g) }
        let batch = x.batch, f = filters, pix = g.outputPixels, k = g.patchSize
        let chunk = chunkSize(g, batch: batch)
        // The whole batch's columns are kept for backward when they fit `columnCacheBudget`;
        // otherwise one chunk's buffer is reused and backward rebuilds them.
        let keep = batch * pix * k <= columnCacheBudget
        let size = keep ? batch * pix * k : chunk * pix * k
        var cols = [Float](unsafeUninitializedCapacity: size) { _, n in n = size }
        let w = kernel!.value
        let act: Activation? = emitsLogits ? nil : activation
        let y = makeTensor(shape: [batch, g.outH, g.outW, f]) { out in
            x.withPointer { xp in
                w.withPointer { wp in
                    cols.withUnsafeMutableBufferPointer { cb in
                        for start in stride(from: 0, to: batch, by: chunk) {
                            let n = min(chunk, batch - start)
                            let cp = keep ? cb.baseAddress! + start * pix * k : cb.baseAddress!
                            parallelFor(n) { i in
                                im2col(g, xp + (start + i) * g.inputItemSize, cp + i * pix * k)
                            }
                            let oc = out + start * pix * f
                            parallelSgemm(transA: false, transB: false, m: n * pix, n: f, k: k, alpha: 1,
                                  a: cp, lda: k, b: wp, ldb: f, beta: 0, c: oc, ldc: f)
                            // Bias and activation on this chunk while it is in cache.
                            if let b = bias?.value {
                                b.withPointer { addBiasAndActivate(act, oc, bias: $0, rows: n * pix, cols: f) }
                            } else {
                                addBiasAndActivate(act, oc, bias: nil, rows: n * pix, cols: f)
                            }
                        }
                    }
                }
            }
        }
        input = x
        output = y
        cachedCols = keep ? cols : nil
        return y
    }

    /// Forward through Winograd F(m×m, 3×3) (3×3, stride 1, ≥ 8 input channels): no column
    /// matrix; bias and ReLU are applied in the output transform. In training the transformed
    /// input tiles are kept in `keptTiles` for the kernel gradient.
    private func winogradForward(_ x: Tensor, _ g: WindowGeometry, mode: Mode) -> Tensor {
        let batch = x.batch, f = filters
        let plan = WinogradPlan(forward: g, filters: f, tile: g.winogradTile!)
        let keep = mode == .training
        keptTilesPlan = keep ? plan : nil
        if keep {
            let kept = plan.keptTileCount(batch: batch)
            if keptTiles.count < kept { keptTiles = [Float](unsafeUninitializedCapacity: kept) { _, n in n = kept } }
        } else {
            keptTiles = []
        }
        let budget = winogradBudget
        let act: Activation? = emitsLogits ? nil : activation
        let size = plan.positions * g.inC * plan.paddedOutC
        var u = [Float](unsafeUninitializedCapacity: size) { _, n in n = size }
        kernel!.value.withPointer { wp in
            u.withUnsafeMutableBufferPointer {
                winogradTransformKernel(wp, inC: g.inC, filters: f, rotated: false, tile: plan.tile, columns: plan.paddedOutC,
                                        into: $0.baseAddress!)
            }
        }
        let y = makeTensor(shape: [batch, g.outH, g.outW, f]) { out in
            x.withPointer { xp in u.withUnsafeBufferPointer { ub in keptTiles.withUnsafeMutableBufferPointer { kb in
                let kp = keep ? kb.baseAddress! : nil
                let run = { (bp: UnsafePointer<Float>?) in
                    winogradConvolve(plan, x: xp, batch: batch, u: ub.baseAddress!, y: out, bias: bp, relu: act == .relu,
                                     keep: kp, budget: budget)
                }
                if let b = bias?.value { b.withPointer { run($0) } } else { run(nil) }
            } } }
            if let act, act != .relu, act != .linear {
                addBiasAndActivate(act, out, bias: nil, rows: batch * g.outputPixels, cols: f)
            }
        }
        input = x
        output = y
        cachedCols = nil
        return y
    }

    /// Forward through the direct kernels (few input channels): no column matrix; bias and
    /// ReLU are applied as each output pixel is stored.
    private func directForward(_ x: Tensor, _ g: WindowGeometry) -> Tensor {
        let batch = x.batch, f = filters
        let act: Activation? = emitsLogits ? nil : activation
        let padded = x.withPointer { directPaddedInput(g, $0, batch: batch) }
        let w = kernel!.value.withPointer { directPaddedKernel($0, patch: g.patchSize, filters: f) }
        let y = makeTensor(shape: [batch, g.outH, g.outW, f]) { out in
            padded.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in
                let run = { (bp: UnsafePointer<Float>?) in
                    directConvolve(g, padded: xp.baseAddress!, batch: batch, kernel: wp.baseAddress!, filters: f,
                                   bias: bp, relu: act == .relu, y: out)
                }
                if let b = bias?.value { b.withPointer { run($0) } } else { run(nil) }
            } }
            if let act, act != .relu, act != .linear {
                addBiasAndActivate(act, out, bias: nil, rows: batch * g.outputPixels, cols: f)
            }
        }
        input = x
        output = y
        cachedCols = nil
        cachedPadded = padded
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input, let y = output, let g = geometry else {
            preconditionFailure("Conv2D '\(name)': backward before forward")
        }
        precondition(dy.shape == y.shape, "Conv2D '\(name)': gradient shape \(dy.shape) ≠ output shape \(y.shape)")
        let batch = x.batch, f = filters, pix = g.outputPixels, k = g.patchSize
        let act: Activation? = emitsLogits || activation == .linear ? nil : activation
        var dz = dy
        if act != nil || bias != nil {
            dz = makeTensor(shape: dy.shape) { dzp in
                y.withPointer { yp in dy.withPointer { dyp in
                    if let bias {
                        bias.withGrad { activationBackwardAndBiasSums(act, y: yp, dy: dyp, dz: dzp, rows: batch * pix, cols: f, biasGrad: $0) }
                    } else {
                        activationBackwardAndBiasSums(act, y: yp, dy: dyp, dz: dzp, rows: batch * pix, cols: f, biasGrad: nil)
                    }
                } }
            }
        }
        let chunk = chunkSize(g, batch: batch)
        let direct = g.usesDirect
        let padded = direct ? (cachedPadded ?? x.withPointer { directPaddedInput(g, $0, batch: batch) }) : []
        cachedPadded = nil
        let colsSize = g.usesWinograd || direct ? 0 : chunk * pix * k
        var cols = cachedCols ?? [Float](unsafeUninitializedCapacity: colsSize) { _, n in n = colsSize }
        let haveCols = cachedCols != nil
        cachedCols = nil
        var dcols = computesInputGradient && !g.usesWinograd ? [Float](unsafeUninitializedCapacity: chunk * pix * k) { _, n in n = chunk * pix * k } : []
        let w = kernel!.value
        // Winograd and the direct stride-1 path write every element of dx; col2im adds into zeros.
        let writesAll = g.usesWinograd || (direct && g.sh == 1 && g.sw == 1)
        let dx = makeTensor(shape: x.shape, zeroed: !(writesAll && computesInputGradient)) { dxp in
            x.withPointer { xp in dz.withPointer { dzp in w.withPointer { wp in
                kernel!.withGrad { dwp in
                    if g.usesWinograd {
                        let plan = WinogradPlan(forward: g, filters: f, tile: g.winogradTile!)
                        keptTiles.withUnsafeBufferPointer { kb in
                            winogradKernelGradient(plan, x: xp, kept: keptTilesPlan == plan ? kb.baseAddress! : nil,
                                                   dy: dzp, batch: batch, dw: dwp, budget: winogradBudget)
                        }
                        return
                    }
                    if direct {
                        padded.withUnsafeBufferPointer {
                            directKernelGradient(g, padded: $0.baseAddress!, batch: batch, dz: dzp, filters: f, dw: dwp)
                        }
                        if !computesInputGradient { return }
                        if g.sh == 1 && g.sw == 1 {
                            directInputGradient(g, dz: dzp, batch: batch, kernel: wp, filters: f, dx: dxp)
                            return
                        }
                    }
                    cols.withUnsafeMutableBufferPointer { cb in
                        for start in stride(from: 0, to: batch, by: chunk) {
                            let n = min(chunk, batch - start)
                            let dzc = dzp + start * pix * f
                            if !direct {
                                let cp = haveCols ? cb.baseAddress! + start * pix * k : cb.baseAddress!
                                if !haveCols {
                                    parallelFor(n) { i in im2col(g, xp + (start + i) * g.inputItemSize, cp + i * pix * k) }
                                }
                                // dW (k × f) += colsᵀ (k × n·pix) · dZ (n·pix × f)
                                parallelSgemm(transA: true, transB: false, m: k, n: f, k: n * pix, alpha: 1,
                                      a: cp, lda: k, b: dzc, ldb: f, beta: 1, c: dwp, ldc: f)
                            }
                            guard computesInputGradient, !g.usesWinograd else { continue }
                            dcols.withUnsafeMutableBufferPointer { db in
                                let dp = db.baseAddress!
                                // dCols (n·pix × k) = dZ (n·pix × f) · Wᵀ (f × k)
                                parallelSgemm(transA: false, transB: true, m: n * pix, n: k, k: f, alpha: 1,
                                      a: dzc, lda: f, b: wp, ldb: f, beta: 0, c: dp, ldc: k)
                                parallelFor(n) { i in
                                    col2im(g, dp + i * pix * k, dxp + (start + i) * g.inputItemSize)
                                }
                            }
                        }
                    }
                }
            } } }
            if computesInputGradient && g.usesWinograd {
                // dL/dx: the 3×3 correlation of dZ with the rotated kernel, through Winograd.
                let plan = WinogradPlan(inputGradientOf: g, filters: f, tile: g.winogradTile!)
                let size = plan.positions * f * plan.paddedOutC
                var u = [Float](unsafeUninitializedCapacity: size) { _, n in n = size }
                w.withPointer { wp in
                    u.withUnsafeMutableBufferPointer {
                        winogradTransformKernel(wp, inC: g.inC, filters: f, rotated: true, tile: plan.tile, columns: plan.paddedOutC,
                                                into: $0.baseAddress!)
                    }
                }
                dz.withPointer { dzp in u.withUnsafeBufferPointer { ub in
                    winogradConvolve(plan, x: dzp, batch: batch, u: ub.baseAddress!, y: dxp, bias: nil, relu: false,
                                     budget: winogradBudget)
                } }
            }
        }
        return dx
    }

    // MARK: - Naive reference (tests)

    /// Direct convolution with Double accumulation: pre-activation output (B, OH, OW, F).
    static func naiveForward(_ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: WindowGeometry) -> Tensor {
        let f = kernel.shape[3], batch = x.batch
        var out = [Float](repeating: 0, count: batch * g.outH * g.outW * f)
        for b in 0..<batch { for oh in 0..<g.outH { for ow in 0..<g.outW { for fo in 0..<f {
            var s = Double(bias?.data[fo] ?? 0)
            for ki in 0..<g.kh { for kj in 0..<g.kw {
                let ih = oh * g.sh + ki - g.padTop, iw = ow * g.sw + kj - g.padLeft
                if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                for c in 0..<g.inC {
                    s += Double(x.data[((b * g.inH + ih) * g.inW + iw) * g.inC + c])
                        * Double(kernel.data[((ki * g.kw + kj) * g.inC + c) * f + fo])
                }
            } }
            out[((b * g.outH + oh) * g.outW + ow) * f + fo] = Float(s)
        } } } }
        return Tensor(shape: [batch, g.outH, g.outW, f], data: out)
    }

    /// Direct backward of `naiveForward` for dL/d(pre-activation) `dz`: (dx, dKernel, dBias).
    static func naiveBackward(_ x: Tensor, kernel: Tensor, dz: Tensor, geometry g: WindowGeometry) -> (Tensor, Tensor, Tensor) {
        let f = kernel.shape[3], batch = x.batch
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: kernel.count)
        var db = [Double](repeating: 0, count: f)
        for b in 0..<batch { for oh in 0..<g.outH { for ow in 0..<g.outW { for fo in 0..<f {
            let d = Double(dz.data[((b * g.outH + oh) * g.outW + ow) * f + fo])
            db[fo] += d
            for ki in 0..<g.kh { for kj in 0..<g.kw {
                let ih = oh * g.sh + ki - g.padTop, iw = ow * g.sw + kj - g.padLeft
                if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                for c in 0..<g.inC {
                    let xi = ((b * g.inH + ih) * g.inW + iw) * g.inC + c
                    let wi = ((ki * g.kw + kj) * g.inC + c) * f + fo
                    dx[xi] += d * Double(kernel.data[wi])
                    dw[wi] += d * Double(x.data[xi])
                }
            } }
        } } } }
        return (Tensor(shape: x.shape, data: dx.map(Float.init)),
                Tensor(shape: kernel.shape, data: dw.map(Float.init)),
                Tensor(shape: [f], data: db.map(Float.init)))
    }
}
