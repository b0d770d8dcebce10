import Dispatch
import Foundation
import Parallel

// Shared element-wise kernels and initialisers for the layers. All buffers are row-major;
// "rows × cols" means `cols` is the last (feature) axis.

/// e^x in float32 without a library call, so loops over it vectorise (Cephes `expf`:
/// x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-7 polynomial for e^r, 2ⁿ built in the
/// exponent bits). Relative error below 3e-7 on [−87, 88]; inputs are clamped to that range.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    if x.isNaN { return x }  // a diverged network: NaN in, NaN out (never a trap)
    let x = min(max(x, -87.3), 88.3)
    let n = (x * 1.442_695_04 + 0.5).rounded(.down)
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let e = p * r * r + r + 1
    return e * Float(bitPattern: UInt32(bitPattern: (Int32(n) + 127) << 23))
}

/// Logistic function 1 / (1 + e^(−z)) (saturates cleanly: e^(−z) is clamped, never inf).
@inline(__always)
func sigmoid(_ z: Float) -> Float { 1 / (1 + fastExp(-z)) }

/// tanh z = 2 / (1 + e^(−2z)) − 1 (absolute error ~1e-7).
@inline(__always)
func fastTanh(_ z: Float) -> Float { 2 / (1 + fastExp(-2 * z)) - 1 }

/// Applies `activation` in place to a rows × cols buffer (softmax acts on each row).
func applyActivation(_ activation: Activation, _ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    let n = rows * cols
    switch activation {
    case .linear:
        return
    case .relu:
        simdRelu(p, n)
    case .sigmoid:
        for i in 0..<n { p[i] = sigmoid(p[i]) }
    case .softmax:
        for r in 0..<rows {
            let row = p + r * cols
            var m = -Float.infinity
            for j in 0..<cols { m = max(m, row[j]) }
            var s: Float = 0
            for j in 0..<cols { let e = fastExp(row[j] - m); row[j] = e; s += e }
            let inv = 1 / s
            for j in 0..<cols { row[j] *= inv }
        }
    }
}

/// dL/dz from dL/dy for `y = activation(z)`, given the activation's output `y`
/// (rows × cols). relu: dy·[y > 0] (y > 0 ⇔ z > 0); sigmoid: dy·y·(1 − y);
/// softmax (per row): y ⊙ (dy − Σ_j dy_j·y_j); linear: dy. `dz` may alias `dy`.
func activationBackward(_ activation: Activation, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                        dz: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    let n = rows * cols
    switch activation {
    case .linear:
        if UnsafePointer(dz) != dy { dz.update(from: dy, count: n) }
    case .relu:
        simdReluBackward(dz, y: y, dy: dy, n)
    case .sigmoid:
        for i in 0..<n { let s = y[i]; dz[i] = dy[i] * s * (1 - s) }
    case .softmax:
        for r in 0..<rows {
            let o = r * cols
            var dot: Float = 0
            for j in 0..<cols { dot += dy[o + j] * y[o + j] }
            for j in 0..<cols { dz[o + j] = y[o + j] * (dy[o + j] - dot) }
        }
    }
}

/// Keras's GlorotUniform: U(−l, l) with l = √(6 / (fanIn + fanOut)), drawn in row-major order.
func glorotUniform(shape: [Int], fanIn: Int, fanOut: Int, rng: inout SeededGenerator) -> Tensor {
    let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
    let n = shape.reduce(1, *)
    var data = [Float](repeating: 0, count: n)
    for i in 0..<n { data[i] = Float(rng.uniform(-limit, limit)) }
    return Tensor(shape: shape, data: data)
}

/// Keras's Orthogonal(gain 1) for a rows × cols matrix: a (max, min) standard-normal matrix
/// is QR-factorised, Q's columns take the signs of diag(R) (i.e. the QR with a positive
/// diagonal, which Gram–Schmidt gives directly), and Q is transposed when rows < cols.
func orthogonal(rows: Int, cols: Int, rng: inout SeededGenerator) -> Tensor {
    let big = max(rows, cols), small = min(rows, cols)
    // a: big × small, row-major, drawn in row-major order (as numpy's normal(size=(big, small))).
    var a = [Double](repeating: 0, count: big * small)
    for i in 0..<(big * small) { a[i] = rng.normal() }
    // Modified Gram–Schmidt on the columns, applied twice for orthogonality to rounding.
    for j in 0..<small {
        for _ in 0..<2 {
            for p in 0..<j {
                var dot = 0.0
                for i in 0..<big { dot += a[i * small + p] * a[i * small + j] }
                for i in 0..<big { a[i * small + j] -= dot * a[i * small + p] }
            }
        }
        var norm = 0.0
        for i in 0..<big { norm += a[i * small + j] * a[i * small + j] }
        norm = norm.squareRoot()
        precondition(norm > 0, "orthogonal: degenerate random matrix")
        for i in 0..<big { a[i * small + j] /= norm }
    }
    var out = [Float](repeating: 0, count: rows * cols)
    if rows >= cols {
        for i in 0..<(rows * cols) { out[i] = Float(a[i]) }
    } else {
        // Q is cols × rows; the result is its transpose.
        for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = Float(a[j * rows + i]) } }
    }
    return Tensor(shape: [rows, cols], data: out)
}

extension Tensor {
    /// Calls `body` with a pointer to the values (read-only).
    @inline(__always)
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}

/// A tensor of `shape` whose values `fill` writes through a pointer (no per-element
/// bounds checks, no initial zeroing beyond what `fill` does itself).
@inline(__always)
func makeTensor(shape: [Int], zeroed: Bool = false, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let n = shape.reduce(1, *)
    let data = [Float](unsafeUninitializedCapacity: n) { buf, count in
        if zeroed { buf.baseAddress!.initialize(repeating: 0, count: n) }
        fill(buf.baseAddress!)
        count = n
    }
    return Tensor(shape: shape, data: data)
}

extension Parameter {
    /// Calls `body` with a mutable pointer to the gradient (in place, no copy when unshared).
    @inline(__always)
    func withGrad<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try grad.data.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

#if canImport(Glibc)
import Glibc

/// Large tensors (tens of MB per layer per step) would otherwise be served by `mmap` and
/// returned to the kernel on every free, so each training step page-faults its activations
/// in anew (measured: conv1's forward 170 ms → 29 ms per batch). Serving them from the heap
/// and not trimming it keeps the pages mapped across steps; peak memory is unchanged.
/// Applied once, when the first layer is built.
/// (`mallopt` is not in Swift's Glibc module, so it is looked up with `dlsym`; on a C
/// library without it nothing changes.)
let heapForLargeTensors: Void = {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    let M_TRIM_THRESHOLD: Int32 = -1, M_MMAP_MAX: Int32 = -4   // glibc <malloc.h>
    _ = mallopt(M_MMAP_MAX, 0)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
}()
#else
let heapForLargeTensors: Void = ()
#endif

/// Number of row blocks the fused element-wise passes split a matrix into. Fixed (not the
/// core count), so partial sums are always combined in the same order: deterministic.
let elementwiseBlocks = 8

/// y = act(y + bias) in place on a rows × cols buffer (`bias` of length cols, or none),
/// in row blocks spread over the cores. `activation == nil` adds the bias only (logits).
func addBiasAndActivate(_ activation: Activation?, _ p: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                        rows: Int, cols: Int) {
    let blocks = rows * cols >= 1 << 16 ? min(elementwiseBlocks, rows) : 1
    parallelFor(blocks) { blk in
        let r0 = rows * blk / blocks, r1 = rows * (blk + 1) / blocks
        if let bias {
            for r in r0..<r1 { simdAddBias(p + r * cols, bias, cols, relu: activation == .relu) }
            if activation == .relu { return }
        }
        if let activation { applyActivation(activation, p + r0 * cols, rows: r1 - r0, cols: cols) }
    }
}

/// dz = dL/d(pre-activation) from dy and the activation's output y (see
/// `activationBackward`; `activation == nil` means dy already is dL/dz), and, when
/// `biasGrad` is given, biasGrad[j] += Σ_rows dz[·, j] — one fused pass in row blocks.
func activationBackwardAndBiasSums(_ activation: Activation?, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                   dz: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                   biasGrad: UnsafeMutablePointer<Float>?) {
    let blocks = rows * cols >= 1 << 16 ? min(elementwiseBlocks, rows) : 1
    var partial = [Float](repeating: 0, count: blocks * cols)
    partial.withUnsafeMutableBufferPointer { pb in
        let pp = pb.baseAddress!
        parallelFor(blocks) { blk in
            let r0 = rows * blk / blocks, r1 = rows * (blk + 1) / blocks
            let o = r0 * cols, n = (r1 - r0) * cols
            if let activation {
                activationBackward(activation, y: y + o, dy: dy + o, dz: dz + o, rows: r1 - r0, cols: cols)
            } else if UnsafePointer(dz) != dy {
                (dz + o).update(from: dy + o, count: n)
            }
            guard biasGrad != nil else { return }
            let sums = pp + blk * cols
            for r in r0..<r1 { simdAdd(sums, dz + r * cols, cols) }
        }
        if let biasGrad {
            for blk in 0..<blocks { for j in 0..<cols { biasGrad[j] += pp[blk * cols + j] } }
        }
    }
}

// MARK: - SIMD loops
// The compiler does not vectorise loops over several raw pointers that might alias, so
// the hot element-wise loops are written with SIMD8 loads and stores (then a scalar tail).

typealias F8 = SIMD8<Float>

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
@inline(__always) private func store8(_ v: F8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self) }

/// dst[i] += src[i] for i in 0..<n.
@inline(__always)
func simdAdd(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(dst + i) + load8(src + i), dst + i); i += 8 }
    while i < n { dst[i] += src[i]; i += 1 }
}

/// dst[i] = a[i] · b[i] for i in 0..<n.
@inline(__always)
func simdMultiply(_ dst: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(a + i) * load8(b + i), dst + i); i += 8 }
    while i < n { dst[i] = a[i] * b[i]; i += 1 }
}

/// row[i] = max(row[i] + bias[i], 0) (relu) or row[i] + bias[i], for i in 0..<n.
@inline(__always)
func simdAddBias(_ row: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ n: Int, relu: Bool) {
    var i = 0
    let zero = F8(repeating: 0)
    if relu {
        while i + 8 <= n { let v = load8(row + i) + load8(bias + i); store8(v.replacing(with: zero, where: v .< zero), row + i); i += 8 }
        while i < n { row[i] = max(row[i] + bias[i], 0); i += 1 }
    } else {
        while i + 8 <= n { store8(load8(row + i) + load8(bias + i), row + i); i += 8 }
        while i < n { row[i] += bias[i]; i += 1 }
    }
}

/// p[i] = max(p[i], 0) for i in 0..<n.
@inline(__always)
func simdRelu(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    let zero = F8(repeating: 0)
    while i + 8 <= n { let v = load8(p + i); store8(v.replacing(with: zero, where: v .< zero), p + i); i += 8 }
    while i < n { p[i] = max(p[i], 0); i += 1 }
}

/// dz[i] = y[i] > 0 ? dy[i] : 0 for i in 0..<n (relu's backward from its output).
@inline(__always)
func simdReluBackward(_ dz: UnsafeMutablePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    let zero = F8(repeating: 0)
    while i + 8 <= n { store8(zero.replacing(with: load8(dy + i), where: load8(y + i) .> zero), dz + i); i += 8 }
    while i < n { dz[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
}

// MARK: - Threading of matrix products

/// Whether the engine splits matrix products over the cores itself (OpenBLAS then runs
/// single-threaded in each part) rather than letting OpenBLAS thread each call.
let splitsProducts = ProcessInfo.processInfo.environment["NN_GEMM_SPLIT"] != "0"
/// Number of parts a large product is split into: one per core, at most 8.
let productParts = min(Parallelism.cores, 8)

/// One-time engine set-up, run when the first layer is built.
let engineSetup: Void = {
    heapForLargeTensors
    if splitsProducts { setBLASThreads(1) }
}()

/// `sgemm` split into `productParts` independent products along the larger of m and n —
/// or, for reduction-shaped products (k ≥ 8·max(m, n)), along k with the partial results
/// added in part order — run in parallel (each part single-threaded in OpenBLAS). Each element of C is still one
/// dot product over the full k; the split depends only on the core count, so results are
/// bit-identical run to run on one machine (across splits they agree to rounding, as
/// OpenBLAS's edge kernels may order sums differently). Small products run as one call.
func parallelSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let parts = splitsProducts ? productParts : 1
    if parts == 1 || m * n * k < 1 << 18 || max(m, n) < 2 * parts {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc)
        return
    }
    if k >= 8 * max(m, n) {
        // A reduction-shaped product (a small C summed over many rows, e.g. a convolution's
        // dW): each part sums its slice of k into its own buffer; the parts are then added
        // in order, so every part streams only its share of A and B.
        let size = m * n
        var partial = [Float](repeating: 0, count: parts * size)
        partial.withUnsafeMutableBufferPointer { pb in
            let pp = pb.baseAddress!
            parallelFor(parts) { p in
                let k0 = k * p / parts, k1 = k * (p + 1) / parts
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k1 - k0, alpha: alpha,
                      a: transA ? a + k0 * lda : a + k0, lda: lda, b: transB ? b + k0 : b + k0 * ldb, ldb: ldb,
                      beta: 0, c: pp + p * size, ldc: n)
            }
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 {
                    row.update(repeating: 0, count: n)
                } else if beta != 1 {
                    for j in 0..<n { row[j] *= beta }
                }
                for p in 0..<parts { simdAdd(row, pp + p * size + i * n, n) }
            }
        }
        return
    }
    if m >= n {
        parallelFor(parts) { p in
            let i0 = m * p / parts, i1 = m * (p + 1) / parts
            sgemm(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                  a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + i0 * ldc, ldc: ldc)
        }
    } else {
        parallelFor(parts) { p in
            let j0 = n * p / parts, j1 = n * (p + 1) / parts
            sgemm(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha,
                  a: a, lda: lda, b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
        }
    }
}

/// `fastExp` on eight lanes (same polynomial and clamping).
@inline(__always)
func fastExp8(_ v: F8) -> F8 {
    var x = v.replacing(with: F8(repeating: -87.3), where: v .< -87.3)
    x = x.replacing(with: F8(repeating: 88.3), where: x .> 88.3)
    let n = (x * 1.442_695_04 + 0.5).rounded(.down)
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = F8(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let e = p * r * r + r + 1
    // 2ⁿ from the exponent bits. n is integral with |n| ≤ 127, so adding 1.5·2²³ leaves n
    // in the low mantissa bits (no float→int conversion, which Swift does lane by lane).
    let shifted = unsafeBitCast(n + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
    return e * unsafeBitCast((shifted &+ 127) &<< 23, to: F8.self)
}

@inline(__always) func sigmoid8(_ z: F8) -> F8 { 1 / (1 + fastExp8(-z)) }
@inline(__always) func fastTanh8(_ z: F8) -> F8 { 2 / (1 + fastExp8(-2 * z)) - 1 }

/// One LSTM step's gate activations and cell update for one batch row, eight units at a
/// time: z (4u: i, f, c, o pre-activations) becomes the activated gates in place, and
/// c = f·cPrev + i·g, tanh c and h = o·tanh c are written (`cPrev` nil means zeros).
@inline(__always)
func lstmCellForward(z: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>,
                     tanhC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, units u: Int) {
    var j = 0
    while j + 8 <= u {
        let ig = sigmoid8(load8s(z + j)), fg = sigmoid8(load8s(z + u + j))
        let gg = fastTanh8(load8s(z + 2 * u + j)), og = sigmoid8(load8s(z + 3 * u + j))
        store8s(ig, z + j); store8s(fg, z + u + j); store8s(gg, z + 2 * u + j); store8s(og, z + 3 * u + j)
        let prev = cPrev.map { load8s($0 + j) } ?? F8(repeating: 0)
        let cv = fg * prev + ig * gg
        let th = fastTanh8(cv)
        store8s(cv, c + j); store8s(th, tanhC + j); store8s(og * th, h + j)
        j += 8
    }
    while j < u {
        let ig = sigmoid(z[j]), fg = sigmoid(z[u + j]), gg = fastTanh(z[2 * u + j]), og = sigmoid(z[3 * u + j])
        z[j] = ig; z[u + j] = fg; z[2 * u + j] = gg; z[3 * u + j] = og
        let cv = fg * (cPrev?[j] ?? 0) + ig * gg
        let th = fastTanh(cv)
        c[j] = cv; tanhC[j] = th; h[j] = og * th
        j += 1
    }
}

@inline(__always) func load8s(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
@inline(__always) func load8s(_ p: UnsafeMutablePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
@inline(__always) func store8s(_ v: F8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self) }

/// One LSTM step's backward for one batch row, eight units at a time. Inputs: activated
/// gates `g` (i, f, g, o blocks), tanh c, the previous cell `cPrev`, dL/dh from the next
/// step `dh` plus this step's output gradient `dOut` (pass a zero row for none), and dL/dc
/// from the next step in `dc`, which becomes dL/dcₜ₋₁ (= dc·f). Writes dL/dz for the four blocks.
@inline(__always)
func lstmCellBackward(gates g: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                      dh: UnsafePointer<Float>, dOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                      dz z: UnsafeMutablePointer<Float>, units u: Int) {
    let one = F8(repeating: 1)
    var j = 0
    while j + 8 <= u {
        let dhv = load8s(dh + j) + load8s(dOut + j)
        let ig = load8s(g + j), fg = load8s(g + u + j), gg = load8s(g + 2 * u + j), og = load8s(g + 3 * u + j)
        let th = load8s(tanhC + j)
        let dcv = load8s(dc + j) + dhv * og * (one - th * th)
        store8s(dcv * fg, dc + j)
        store8s(dcv * gg * ig * (one - ig), z + j)
        store8s(dcv * load8s(cPrev + j) * fg * (one - fg), z + u + j)
        store8s(dcv * ig * (one - gg * gg), z + 2 * u + j)
        store8s(dhv * th * og * (one - og), z + 3 * u + j)
        j += 8
    }
    while j < u {
        let dhv = dh[j] + dOut[j]
        let ig = g[j], fg = g[u + j], gg = g[2 * u + j], og = g[3 * u + j]
        let th = tanhC[j]
        let dcv = dc[j] + dhv * og * (1 - th * th)
        dc[j] = dcv * fg
        z[j] = dcv * gg * ig * (1 - ig)
        z[u + j] = dcv * cPrev[j] * fg * (1 - fg)
        z[2 * u + j] = dcv * ig * (1 - gg * gg)
        z[3 * u + j] = dhv * th * og * (1 - og)
        j += 1
    }
}
