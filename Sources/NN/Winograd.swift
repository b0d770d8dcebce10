import Parallel
import CKernels
import Foundation

// Winograd F(2×2, 3×3) for the 3×3, stride-1 convolutions (conv3 and conv5).
//
// A 2×2 block of outputs of a 3×3 correlation is computed from the 4×4 input tile around
// it with 16 multiplications per (input, output) channel pair instead of 36 (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2016):
//
//     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// summed over input channels. The sum over channels of the element-wise products is, for
// each of the 16 tile positions ξ, one matrix product: M_ξ (tiles × F) = V_ξ (tiles × C) ·
// U_ξ (C × F), run through `sgemm`. The transforms are exact in real arithmetic; in float32
// the results differ from the direct sum by rounding only (about 1e-6 relative; the parity
// tests hold them to the naive convolution at 1e-5 absolute).

/// Geometry of one Winograd convolution: a 3×3, stride-1 correlation of an (inH, inW, C)
/// item, zero outside the item, with output (outH, outW, F) where
/// y[oh, ow, f] = Σ_{ki, kj, c} x[oh + ki − padTop, ow + kj − padLeft, c] · g[ki, kj, c, f].
struct WinogradPlan: Sendable, Equatable {
    let inH, inW, inC: Int
    let outH, outW, outC: Int
    let padTop, padLeft: Int

    var tilesH: Int { (outH + 1) / 2 }
    var tilesW: Int { (outW + 1) / 2 }
    var tilesPerItem: Int { tilesH * tilesW }
    /// Output channels rounded up to a multiple of 16: the row length of the transformed
    /// kernel and of the products (see `winogradTransformKernel`).
    var paddedOutC: Int { (outC + 15) / 16 * 16 }
    /// Floats of transformed input and product output per item.
    var scratchPerItem: Int { 16 * tilesPerItem * (inC + paddedOutC) }

    /// The forward plan of a convolution with this geometry.
    init(forward g: WindowGeometry, filters: Int) {
        inH = g.inH; inW = g.inW; inC = g.inC
        outH = g.outH; outW = g.outW; outC = filters
        padTop = g.padTop; padLeft = g.padLeft
    }

    /// The plan of dL/d(input): a 3×3 correlation of dL/d(output) (F channels) with the
    /// kernel rotated by 180° and its channel axes swapped, padded by 2 − pad.
    init(inputGradientOf g: WindowGeometry, filters: Int) {
        inH = g.outH; inW = g.outW; inC = filters
        outH = g.inH; outW = g.inW; outC = g.inC
        padTop = 2 - g.padTop; padLeft = 2 - g.padLeft
    }

    init(inH: Int, inW: Int, inC: Int, outH: Int, outW: Int, outC: Int, padTop: Int, padLeft: Int) {
        self.inH = inH; self.inW = inW; self.inC = inC
        self.outH = outH; self.outW = outW; self.outC = outC
        self.padTop = padTop; self.padLeft = padLeft
    }
}

extension WindowGeometry {
    /// Whether a convolution of this geometry runs through Winograd F(2×2, 3×3): a 3×3
    /// kernel at stride 1 with at least 8 input channels (with fewer, the 16 products are
    /// too thin to gain over one im2col product) and an output of at least 16×16 (on smaller
    /// ones, e.g. conv5's 14×14 and 12×12 layers, im2col measured faster: its columns stay
    /// in cache and the transforms do not pay off).
    var usesWinograd: Bool {
        kh == 3 && kw == 3 && sh == 1 && sw == 1 && inC >= 8 && outH >= minimumWinogradSize
            && outW >= minimumWinogradSize && winogradEnabled
    }
}

/// Smallest output height and width that runs through Winograd (tests lower it).
nonisolated(unsafe) var minimumWinogradSize = 16

/// `NN_WINOGRAD=0` turns the Winograd path off (for comparisons).
let winogradEnabled = ProcessInfo.processInfo.environment["NN_WINOGRAD"] != "0"

/// U_ξ[a, b] = (G g_{ab} Gᵀ)[ξ] for the 3×3 kernel g of every (input channel a, output
/// channel b) pair, with G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]. `w` is a Keras
/// kernel (3, 3, C, F). `rotated` transforms instead the kernel of the input gradient:
/// g'[ki, kj, f, c] = w[2 − ki, 2 − kj, c, f] (so a = f, b = c). `u` holds 16·C·F floats.
///
/// `columns` (≥ the output channels) is U's row length; the extra columns are zeros (a
/// product of width a multiple of 16 runs faster in OpenBLAS than a narrower one: measured
/// 75 → 80 columns, 15% less time). `u` then holds 16·inC·columns floats.
func winogradTransformKernel(_ w: UnsafePointer<Float>, inC c: Int, filters f: Int, rotated: Bool,
                             columns: Int? = nil, into u: UnsafeMutablePointer<Float>) {
    let rows = rotated ? f : c, cols = rotated ? c : f, plane = c * f
    let ld = columns ?? cols
    precondition(ld >= cols, "winogradTransformKernel: \(ld) columns for \(cols) outputs")
    if ld > cols { u.initialize(repeating: 0, count: 16 * rows * ld) }
    for a in 0..<rows {
        for b in 0..<cols {
            var g = [[Float]](repeating: [0, 0, 0], count: 3)
            for ki in 0..<3 {
                for kj in 0..<3 {
                    g[ki][kj] = rotated ? w[((2 - ki) * 3 + (2 - kj)) * plane + b * f + a]
                                        : w[(ki * 3 + kj) * plane + a * f + b]
                }
            }
            // t = G g (4 × 3), then t Gᵀ (4 × 4).
            var t = [[Float]](repeating: [0, 0, 0], count: 4)
            for j in 0..<3 {
                t[0][j] = g[0][j]
                t[1][j] = 0.5 * (g[0][j] + g[1][j] + g[2][j])
                t[2][j] = 0.5 * (g[0][j] - g[1][j] + g[2][j])
                t[3][j] = g[2][j]
            }
            for i in 0..<4 {
                let r = [t[i][0], 0.5 * (t[i][0] + t[i][1] + t[i][2]), 0.5 * (t[i][0] - t[i][1] + t[i][2]), t[i][2]]
                for j in 0..<4 { u[(i * 4 + j) * rows * ld + a * ld + b] = r[j] }
            }
        }
    }
}

/// Bᵀ d B for the 4×4 tile of every tile of `items` items, into v[ξ][t][c] (t = item·tiles +
/// tile row·tilesW + tile column; `tiles` = the chunk's tile count). Bᵀ = [[1, 0, −1, 0],
/// [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]. Positions outside the item read zeros.
private func winogradInputTransform(_ p: WinogradPlan, x: UnsafePointer<Float>, items: Int,
                                    v: UnsafeMutablePointer<Float>, tiles: Int) {
    let c = p.inC, tw = p.tilesW, perItem = p.tilesPerItem, itemSize = p.inH * p.inW * c
    let plane = tiles * c
    let zeros = [Float](repeating: 0, count: c)
    zeros.withUnsafeBufferPointer { zb in
        let zero = zb.baseAddress!
        parallelFor(items * p.tilesH) { job in
            let b = job / p.tilesH, th = job % p.tilesH
            let xi = x + b * itemSize
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 16 * tw) { sb in
                let src = sb.baseAddress!
                for twi in 0..<tw {
                    for i in 0..<4 {
                        let ih = 2 * th - p.padTop + i
                        for j in 0..<4 {
                            let iw = 2 * twi - p.padLeft + j
                            (src + twi * 16 + i * 4 + j).initialize(to: ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW
                                                                    ? xi + (ih * p.inW + iw) * c : zero)
                        }
                    }
                }
                nn_winograd_input_row(src, Int32(tw), Int32(c), plane, v + (b * perItem + th * tw) * c)
            }
        }
    }
}

/// Aᵀ m A for every tile (m[ξ][t][f]), written to the items' outputs (outH, outW, F) —
/// only the positions inside the output — with `bias` added and ReLU applied when asked.
/// Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
private func winogradOutputTransform(_ p: WinogradPlan, m: UnsafePointer<Float>, ldm: Int, tiles: Int, items: Int,
                                     y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool) {
    let f = p.outC, tw = p.tilesW, perItem = p.tilesPerItem, itemSize = p.outH * p.outW * f
    let plane = tiles * ldm
    parallelFor(items * p.tilesH) { job in
        let b = job / p.tilesH, th = job % p.tilesH
        let yi = y + b * itemSize
        withUnsafeTemporaryAllocation(of: Float.self, capacity: f) { discard in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>?.self, capacity: 4 * tw) { ob in
                let out = ob.baseAddress!
                for twi in 0..<tw {
                    for a in 0..<2 {
                        for cc in 0..<2 {
                            let oh = 2 * th + a, ow = 2 * twi + cc
                            (out + twi * 4 + a * 2 + cc).initialize(to: oh < p.outH && ow < p.outW
                                                                    ? yi + (oh * p.outW + ow) * f : discard.baseAddress!)
                        }
                    }
                }
                nn_winograd_output_row(m + (b * perItem + th * tw) * ldm, plane, ldm, Int32(tw), Int32(f), out, bias,
                                       relu ? 1 : 0)
            }
        }
    }
}

/// Runs the convolution of `plan` on `batch` items of `x` into `y` (batch, outH, outW, F),
/// with `u` the transformed kernel (16·C·paddedOutC, from `winogradTransformKernel` with
/// `columns: paddedOutC`), `bias` added
/// and ReLU applied when asked. Works in chunks of items so the transformed tiles stay near
/// `budget` floats; each chunk's 16 products run in parallel.
func winogradConvolve(_ p: WinogradPlan, x: UnsafePointer<Float>, batch: Int, u: UnsafePointer<Float>,
                      y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                      budget: Int = 4 * 1024 * 1024) {
    let chunk = max(1, min(batch, budget / max(1, p.scratchPerItem)))
    let c = p.inC, f = p.paddedOutC
    let maxTiles = chunk * p.tilesPerItem
    var scratch = [Float](unsafeUninitializedCapacity: 16 * maxTiles * (c + f)) { _, n in n = 16 * maxTiles * (c + f) }
    scratch.withUnsafeMutableBufferPointer { sb in
        for start in stride(from: 0, to: batch, by: chunk) {
            let n = min(chunk, batch - start), tiles = n * p.tilesPerItem
            let v = sb.baseAddress!, m = sb.baseAddress! + 16 * tiles * c
            winogradInputTransform(p, x: x + start * p.inH * p.inW * c, items: n, v: v, tiles: tiles)
            let product = { (xi: Int) in
                sgemm(transA: false, transB: false, m: tiles, n: f, k: c, alpha: 1, a: v + xi * tiles * c, lda: c,
                      b: u + xi * c * f, ldb: f, beta: 0, c: m + xi * tiles * f, ldc: f)
            }
            if splitsProducts { parallelFor(16, product) } else { for xi in 0..<16 { product(xi) } }
            winogradOutputTransform(p, m: m, ldm: f, tiles: tiles, items: n, y: y + start * p.outH * p.outW * p.outC,
                                    bias: bias, relu: relu)
        }
    }
}

/// A dY Aᵀ for every tile of the output gradient dy (items, outH, outW, F), zeros outside
/// the output, into w[ξ][t][f]; A = [[1, 0], [1, 1], [1, −1], [0, −1]].
private func winogradGradientTransform(_ p: WinogradPlan, dy: UnsafePointer<Float>, items: Int,
                                       w: UnsafeMutablePointer<Float>, tiles: Int) {
    let f = p.outC, tw = p.tilesW, perItem = p.tilesPerItem, itemSize = p.outH * p.outW * f
    let plane = tiles * f
    let zeros = [Float](repeating: 0, count: f)
    zeros.withUnsafeBufferPointer { zb in
        let zero = zb.baseAddress!
        parallelFor(items * p.tilesH) { job in
            let b = job / p.tilesH, th = job % p.tilesH
            let di = dy + b * itemSize
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 4 * tw) { sb in
                let src = sb.baseAddress!
                for twi in 0..<tw {
                    for a in 0..<2 {
                        for cc in 0..<2 {
                            let oh = 2 * th + a, ow = 2 * twi + cc
                            (src + twi * 4 + a * 2 + cc).initialize(to: oh < p.outH && ow < p.outW
                                                                    ? di + (oh * p.outW + ow) * f : zero)
                        }
                    }
                }
                nn_winograd_gradient_row(src, Int32(tw), Int32(f), plane, w + (b * perItem + th * tw) * f)
            }
        }
    }
}

/// Adds dL/d(kernel) of the forward convolution `plan` into `dw` (3, 3, C, F): with the
/// forward Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A per tile, dL/dg = Gᵀ[Σ_tiles (Bᵀ d B) ⊙ (A dY Aᵀ)]G.
/// The sum over tiles is, for each ξ, one product dU_ξ (C × F) += V_ξᵀ · W_ξ. Exact: every
/// output belongs to exactly one tile.
func winogradKernelGradient(_ p: WinogradPlan, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, batch: Int,
                            dw: UnsafeMutablePointer<Float>, budget: Int = 4 * 1024 * 1024) {
    let chunk = max(1, min(batch, budget / max(1, p.scratchPerItem)))
    let c = p.inC, f = p.outC, plane = c * f
    let maxTiles = chunk * p.tilesPerItem
    var scratch = [Float](unsafeUninitializedCapacity: 16 * maxTiles * (c + f)) { _, n in n = 16 * maxTiles * (c + f) }
    var du = [Float](repeating: 0, count: 16 * plane)
    scratch.withUnsafeMutableBufferPointer { sb in du.withUnsafeMutableBufferPointer { db in
        let dU = db.baseAddress!
        for start in stride(from: 0, to: batch, by: chunk) {
            let n = min(chunk, batch - start), tiles = n * p.tilesPerItem
            let v = sb.baseAddress!, w = sb.baseAddress! + 16 * tiles * c
            winogradInputTransform(p, x: x + start * p.inH * p.inW * c, items: n, v: v, tiles: tiles)
            winogradGradientTransform(p, dy: dy + start * p.outH * p.outW * f, items: n, w: w, tiles: tiles)
            let product = { (xi: Int) in
                sgemm(transA: true, transB: false, m: c, n: f, k: tiles, alpha: 1, a: v + xi * tiles * c, lda: c,
                      b: w + xi * tiles * f, ldb: f, beta: 1, c: dU + xi * plane, ldc: f)
            }
            if splitsProducts { parallelFor(16, product) } else { for xi in 0..<16 { product(xi) } }
        }
        // dW += Gᵀ dU G, Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]].
        let gt: [[Float]] = [[1, 0.5, 0.5, 0], [0, 0.5, -0.5, 0], [0, 0.5, 0.5, 1]]
        for e in 0..<plane {
            for ki in 0..<3 {
                for kj in 0..<3 {
                    var s: Float = 0
                    for i in 0..<4 where gt[ki][i] != 0 {
                        var r: Float = 0
                        for j in 0..<4 where gt[kj][j] != 0 { r += gt[kj][j] * dU[(i * 4 + j) * plane + e] }
                        s += gt[ki][i] * r
                    }
                    dw[(ki * 3 + kj) * plane + e] += s
                }
            }
        }
    } }
}
