import Parallel
import CKernels
import Foundation

// Winograd F(m×m, 3×3), m ∈ {2, 4}, for the 3×3, stride-1 convolutions (conv3 and conv5).
//
// An m×m block of outputs of a 3×3 correlation is computed from the n×n input tile around
// it (n = m + 2) with n² multiplications per (input, output) channel pair instead of 9m²
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
//
//     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// summed over input channels: F(2×2) takes 16 products for 36 (2.25× fewer), F(4×4) 36 for
// 144 (4× fewer). The sum over channels of the element-wise products is, for each of the n²
// tile positions ξ, one matrix product: M_ξ (tiles × F) = V_ξ (tiles × C) · U_ξ (C × F), run
// through `sgemm`. The transforms are exact in real arithmetic; in float32 the results
// differ from the direct sum by rounding only. F(2×2) (points 0, ±1, ∞) has entries of
// magnitude ≤ 1 and stays within about 1e-6 relative; F(4×4) (points 0, ±1, ±2, ∞) has
// entries up to 5 in Bᵀ and 8 in Aᵀ and its products cancel more: about 1e-5 relative
// (`KernelTests.testWinogradConvolutionMatchesNaive` measures both against the naive sum).
//
// Matrices (rows listed):
//   F(2×2): Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]],
//           G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]], Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
//   F(4×4): Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0],
//                 [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]],
//           G = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙], [1/24, 1/12, ⅙], [1/24, −1/12, ⅙], [0, 0, 1]],
//           Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]].
// Bᵀ and Aᵀ are applied in C (`nn_winograd_*_row`, `nn_winograd4_*_row`), G here.

/// Geometry of one Winograd convolution: a 3×3, stride-1 correlation of an (inH, inW, C)
/// item, zero outside the item, with output (outH, outW, F) where
/// y[oh, ow, f] = Σ_{ki, kj, c} x[oh + ki − padTop, ow + kj − padLeft, c] · g[ki, kj, c, f].
/// `tile` is m of F(m×m, 3×3): each tile yields an m×m output block from an (m + 2)² input
/// tile; tiles at the bottom and right may overhang the output (their extra outputs are
/// dropped, their extra inputs read zeros).
struct WinogradPlan: Sendable, Equatable {
    let inH, inW, inC: Int
    let outH, outW, outC: Int
    let padTop, padLeft: Int
    let tile: Int

    /// Side of the input tile, m + 2.
    var span: Int { tile + 2 }
    /// Tile positions ξ: (m + 2)², the number of products.
    var positions: Int { span * span }
    var tilesH: Int { (outH + tile - 1) / tile }
    var tilesW: Int { (outW + tile - 1) / tile }
    var tilesPerItem: Int { tilesH * tilesW }
    /// Output channels rounded up to a multiple of 16: the row length of the transformed
    /// kernel and of the products (see `winogradTransformKernel`).
    var paddedOutC: Int { (outC + 15) / 16 * 16 }
    /// Floats of transformed input and product output per item.
    var scratchPerItem: Int { positions * tilesPerItem * (inC + paddedOutC) }
    /// Floats of the transformed input tiles of `batch` items, as kept from a training forward
    /// for the kernel gradient (`winogradConvolve`'s `keep`).
    func keptTileCount(batch: Int) -> Int { positions * batch * tilesPerItem * inC }
    /// Floats of transformed tiles a chunk of the batch works in by default (16 MB).
    static let defaultBudget = 4 * 1024 * 1024

    /// Where the transformed input tiles of the chunk of `items` items at `start` live: a
    /// slice of the whole batch's planes `kept` (planes of the batch's tiles), or else the
    /// chunk's own planes at the front of `scratch`; and the scratch left after them.
    func chunkTiles(kept: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>, start: Int, items: Int,
                    batch: Int) -> (v: UnsafeMutablePointer<Float>, planeTiles: Int, rest: UnsafeMutablePointer<Float>) {
        if let kept { return (kept + start * tilesPerItem * inC, batch * tilesPerItem, scratch) }
        let tiles = items * tilesPerItem
        return (scratch, tiles, scratch + positions * tiles * inC)
    }

    /// The forward plan of a convolution with this geometry.
    init(forward g: WindowGeometry, filters: Int, tile: Int) {
        self.init(inH: g.inH, inW: g.inW, inC: g.inC, outH: g.outH, outW: g.outW, outC: filters,
                  padTop: g.padTop, padLeft: g.padLeft, tile: tile)
    }

    /// The plan of dL/d(input): a 3×3 correlation of dL/d(output) (F channels) with the
    /// kernel rotated by 180° and its channel axes swapped, padded by 2 − pad.
    init(inputGradientOf g: WindowGeometry, filters: Int, tile: Int) {
        self.init(inH: g.outH, inW: g.outW, inC: filters, outH: g.inH, outW: g.inW, outC: g.inC,
                  padTop: 2 - g.padTop, padLeft: 2 - g.padLeft, tile: tile)
    }

    init(inH: Int, inW: Int, inC: Int, outH: Int, outW: Int, outC: Int, padTop: Int, padLeft: Int, tile: Int) {
        precondition(tile == 2 || tile == 4, "WinogradPlan: tile \(tile) is not F(2×2) or F(4×4)")
        self.inH = inH; self.inW = inW; self.inC = inC
        self.outH = outH; self.outW = outW; self.outC = outC
        self.padTop = padTop; self.padLeft = padLeft
        self.tile = tile
    }
}

private let winogradG2: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
private let winogradG4: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                      [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]

extension WindowGeometry {
    /// Whether a convolution of this geometry runs through Winograd (`winogradTile` ≠ nil).
    var usesWinograd: Bool { winogradTile != nil }

    /// m of the Winograd F(m×m, 3×3) this geometry runs through, or nil: a 3×3 kernel at
    /// stride 1 with at least 8 input channels (with fewer, the products are too thin to
    /// gain over one im2col product) and an output of at least `minimumWinogradSize` on each
    /// side. m is `winogradTileChoice` when set, else 4: F(4×4) measured faster than F(2×2)
    /// on every Winograd layer of conv3 and conv5 (docs/benchmarks.md, "Winograd F(4×4)";
    /// training 50–53 → 58–60 images/s for conv3, 55–61 → 63–66 for conv5 in one
    /// interleaved sitting).
    var winogradTile: Int? {
        guard kh == 3, kw == 3, sh == 1, sw == 1, inC >= 8, winogradEnabled,
              outH >= minimumWinogradSize, outW >= minimumWinogradSize else { return nil }
        return winogradTileChoice ?? 4
    }
}

/// Smallest output height and width that runs through Winograd by default: 12, so conv5's
/// 14×14 and 12×12 layers (128 channels) take F(4×4) too — measured 10–25 % faster per layer
/// than im2col there, where F(2×2) had been slower (hence the former 16).
let defaultMinimumWinogradSize = 12

/// Smallest output height and width that runs through Winograd (tests lower it;
/// `NN_WINOGRAD_MIN_SIZE` sets it for comparisons).
nonisolated(unsafe) var minimumWinogradSize = ProcessInfo.processInfo.environment["NN_WINOGRAD_MIN_SIZE"].flatMap { Int($0) } ?? defaultMinimumWinogradSize

/// `NN_WINOGRAD=0` turns the Winograd path off (for comparisons).
let winogradEnabled = ProcessInfo.processInfo.environment["NN_WINOGRAD"] != "0"

/// The tile every Winograd layer takes when set: `NN_WINOGRAD_TILE=2` or `4` forces F(2×2) or
/// F(4×4) (for comparisons; other values are ignored); tests set it to run both.
nonisolated(unsafe) var winogradTileChoice: Int? = {
    switch ProcessInfo.processInfo.environment["NN_WINOGRAD_TILE"] {
    case "2": 2
    case "4": 4
    default: nil
    }
}()

/// The (m + 2)² × 9 coefficients of U = G g Gᵀ as a sum over the kernel's taps:
/// U[ξ = i·(m + 2) + j] = Σ_{k = ki·3 + kj} c[ξ·9 + k] · g[ki, kj], c = G[i][ki] · G[j][kj].
/// dL/dg = Gᵀ dU G is the same table read the other way: dg[k] = Σ_ξ c[ξ·9 + k] · dU[ξ].
private func winogradTapCoefficients(tile: Int) -> [Double] {
    let gm = tile == 4 ? winogradG4 : winogradG2, n = tile + 2
    var c = [Double](repeating: 0, count: n * n * 9)
    for i in 0..<n { for j in 0..<n { for ki in 0..<3 { for kj in 0..<3 {
        c[(i * n + j) * 9 + ki * 3 + kj] = gm[i][ki] * gm[j][kj]
    } } } }
    return c
}

/// U_ξ[a, b] = (G g_{ab} Gᵀ)[ξ] for the 3×3 kernel g of every (input channel a, output
/// channel b) pair, with G of F(m×m, 3×3) for m = `tile` (top of this file; summed in
/// Double over the 9 taps, rounded once). `w` is a Keras kernel (3, 3, C, F). `rotated`
/// transforms instead the kernel of the input gradient: g'[ki, kj, f, c] = w[2 − ki, 2 − kj,
/// c, f] (so a = f, b = c). ξ runs over the (m + 2)² tile positions, row-major.
///
/// `columns` (≥ the output channels) is U's row length; the extra columns are zeros (a
/// product of width a multiple of 16 runs faster in OpenBLAS than a narrower one: measured
/// 75 → 80 columns, 15% less time). `u` holds (m + 2)²·rows·columns floats.
func winogradTransformKernel(_ w: UnsafePointer<Float>, inC c: Int, filters f: Int, rotated: Bool, tile: Int,
                             columns: Int? = nil, into u: UnsafeMutablePointer<Float>) {
    let rows = rotated ? f : c, cols = rotated ? c : f, plane = c * f
    let ld = columns ?? cols
    precondition(ld >= cols, "winogradTransformKernel: \(ld) columns for \(cols) outputs")
    precondition(tile == 2 || tile == 4, "winogradTransformKernel: tile \(tile) is not F(2×2) or F(4×4)")
    let nn = (tile + 2) * (tile + 2)
    let coefficients = winogradTapCoefficients(tile: tile)
    // The 9 taps as planes g_k[a·cols + b]; the rotated kernel is flipped and transposed first.
    var flipped = rotated ? [Float](repeating: 0, count: 9 * plane) : []
    if rotated {
        for k in 0..<9 {
            for a in 0..<rows { for b in 0..<cols { flipped[k * plane + a * cols + b] = w[(8 - k) * plane + b * f + a] } }
        }
    }
    flipped.withUnsafeBufferPointer { fb in coefficients.withUnsafeBufferPointer { cb in
        let g = rotated ? fb.baseAddress! : w
        parallelFor(nn) { xi in
            let cx = cb.baseAddress! + xi * 9
            let (c0, c1, c2, c3, c4) = (cx[0], cx[1], cx[2], cx[3], cx[4])
            let (c5, c6, c7, c8) = (cx[5], cx[6], cx[7], cx[8])
            for a in 0..<rows {
                let src = g + a * cols, dst = u + xi * rows * ld + a * ld
                for b in 0..<cols {
                    var s = c0 * Double(src[b]) + c1 * Double(src[plane + b]) + c2 * Double(src[2 * plane + b])
                    s += c3 * Double(src[3 * plane + b]) + c4 * Double(src[4 * plane + b]) + c5 * Double(src[5 * plane + b])
                    s += c6 * Double(src[6 * plane + b]) + c7 * Double(src[7 * plane + b]) + c8 * Double(src[8 * plane + b])
                    dst[b] = Float(s)
                }
                for b in cols..<ld { dst[b] = 0 }
            }
        }
    } }
}

/// The positions of the tiles of one tile row, in the order the C transforms read their
/// pointer tables: for tile column tw (of `tilesW`), row i and column j (each of `span`), at
/// slot tw·span² + i·span + j, the pixel (stride·tileRow − padTop + i, stride·tw − padLeft + j)
/// of a height × width item as its index h·width + w — or nil outside the item. The input,
/// output and gradient transforms all fill their tables from it.
@inline(__always)
private func forEachTilePosition(tilesW: Int, tileRow th: Int, stride: Int, span: Int, padTop: Int, padLeft: Int,
                                 height: Int, width: Int, _ body: (_ slot: Int, _ pixel: Int?) -> Void) {
    for tw in 0..<tilesW {
        for i in 0..<span {
            let h = stride * th - padTop + i
            for j in 0..<span {
                let w = stride * tw - padLeft + j
                body((tw * span + i) * span + j, h >= 0 && h < height && w >= 0 && w < width ? h * width + w : nil)
            }
        }
    }
}

/// Bᵀ d B for the (m + 2)² tile of every tile of `items` items, into v[ξ][t][c] (t = item·tilesPerItem +
/// tile row·tilesW + tile column) with planes of `planeTiles` tiles: the chunk's tile count,
/// or the whole batch's when the tiles are kept for backward (`v` then points at the chunk's
/// first tile in plane 0). Tile (th, tw) starts at input (m·th − padTop, m·tw − padLeft);
/// positions outside the item read zeros.
private func winogradInputTransform(_ p: WinogradPlan, x: UnsafePointer<Float>, items: Int,
                                    v: UnsafeMutablePointer<Float>, planeTiles: Int) {
    let c = p.inC, tw = p.tilesW, perItem = p.tilesPerItem, itemSize = p.inH * p.inW * c
    let m = p.tile, n = p.span, nn = p.positions
    let plane = planeTiles * c
    let zeros = [Float](repeating: 0, count: c)
    zeros.withUnsafeBufferPointer { zb in
        let zero = zb.baseAddress!
        parallelFor(items * p.tilesH) { job in
            let b = job / p.tilesH, th = job % p.tilesH
            let xi = x + b * itemSize
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: nn * tw) { sb in
                let src = sb.baseAddress!
                forEachTilePosition(tilesW: tw, tileRow: th, stride: m, span: n, padTop: p.padTop, padLeft: p.padLeft,
                                    height: p.inH, width: p.inW) { slot, pixel in
                    (src + slot).initialize(to: pixel.map { xi + $0 * c } ?? zero)
                }
                let dst = v + (b * perItem + th * tw) * c
                if m == 4 {
                    nn_winograd4_input_row(src, Int32(tw), Int32(c), plane, dst)
                } else {
                    nn_winograd_input_row(src, Int32(tw), Int32(c), plane, dst)
                }
            }
        }
    }
}

/// Aᵀ m A for every tile (m[ξ][t][f]), written to the items' outputs (outH, outW, F) —
/// only the positions inside the output — with `bias` added and ReLU applied when asked.
private func winogradOutputTransform(_ p: WinogradPlan, m: UnsafePointer<Float>, ldm: Int, tiles: Int, items: Int,
                                     y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool) {
    let f = p.outC, tw = p.tilesW, perItem = p.tilesPerItem, itemSize = p.outH * p.outW * f
    let t = p.tile, block = t * t
    let plane = tiles * ldm
    parallelFor(items * p.tilesH) { job in
        let b = job / p.tilesH, th = job % p.tilesH
        let yi = y + b * itemSize
        withUnsafeTemporaryAllocation(of: Float.self, capacity: f) { discard in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>?.self, capacity: block * tw) { ob in
                let out = ob.baseAddress!
                forEachTilePosition(tilesW: tw, tileRow: th, stride: t, span: t, padTop: 0, padLeft: 0,
                                    height: p.outH, width: p.outW) { slot, pixel in
                    (out + slot).initialize(to: pixel.map { yi + $0 * f } ?? discard.baseAddress!)
                }
                let src = m + (b * perItem + th * tw) * ldm
                if t == 4 {
                    nn_winograd4_output_row(src, plane, ldm, Int32(tw), Int32(f), out, bias, relu ? 1 : 0)
                } else {
                    nn_winograd_output_row(src, plane, ldm, Int32(tw), Int32(f), out, bias, relu ? 1 : 0)
                }
            }
        }
    }
}

/// Runs the convolution of `plan` on `batch` items of `x` into `y` (batch, outH, outW, F),
/// with `u` the transformed kernel ((m + 2)²·C·paddedOutC, from `winogradTransformKernel`
/// with the plan's tile and `columns: paddedOutC`), `bias` added and ReLU applied when asked.
/// Works in chunks of items so the transformed tiles stay near `budget` floats; each chunk's
/// (m + 2)² products run in parallel.
///
/// `keep` (`keptTileCount(batch:)` floats), when given, receives the transformed input tiles
/// of the whole batch, v[ξ][t][c] over the batch's tiles, in place of the chunk's scratch:
/// `winogradKernelGradient` reads them back instead of transforming the input again.
func winogradConvolve(_ p: WinogradPlan, x: UnsafePointer<Float>, batch: Int, u: UnsafePointer<Float>,
                      y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                      keep: UnsafeMutablePointer<Float>? = nil, budget: Int = WinogradPlan.defaultBudget) {
    let chunk = max(1, min(batch, budget / max(1, p.scratchPerItem)))
    let c = p.inC, f = p.paddedOutC, nn = p.positions
    let maxTiles = chunk * p.tilesPerItem
    let scratchSize = nn * maxTiles * (keep == nil ? c + f : f)
    var scratch = [Float](unsafeUninitializedCapacity: scratchSize) { _, n in n = scratchSize }
    scratch.withUnsafeMutableBufferPointer { sb in
        for start in stride(from: 0, to: batch, by: chunk) {
            let n = min(chunk, batch - start), tiles = n * p.tilesPerItem
            let (v, planeTiles, m) = p.chunkTiles(kept: keep, scratch: sb.baseAddress!, start: start, items: n, batch: batch)
            winogradInputTransform(p, x: x + start * p.inH * p.inW * c, items: n, v: v, planeTiles: planeTiles)
            let product = { (xi: Int) in
                sgemm(transA: false, transB: false, m: tiles, n: f, k: c, alpha: 1, a: v + xi * planeTiles * c, lda: c,
                      b: u + xi * c * f, ldb: f, beta: 0, c: m + xi * tiles * f, ldc: f)
            }
            if splitsProducts { parallelFor(nn, product) } else { for xi in 0..<nn { product(xi) } }
            winogradOutputTransform(p, m: m, ldm: f, tiles: tiles, items: n, y: y + start * p.outH * p.outW * p.outC,
                                    bias: bias, relu: relu)
        }
    }
}

/// A dY Aᵀ for every m×m block of the output gradient dy (items, outH, outW, F), zeros
/// outside the output, into w[ξ][t][f].
private func winogradGradientTransform(_ p: WinogradPlan, dy: UnsafePointer<Float>, items: Int,
                                       w: UnsafeMutablePointer<Float>, tiles: Int) {
    let f = p.outC, tw = p.tilesW, perItem = p.tilesPerItem, itemSize = p.outH * p.outW * f
    let t = p.tile, block = t * t
    let plane = tiles * f
    let zeros = [Float](repeating: 0, count: f)
    zeros.withUnsafeBufferPointer { zb in
        let zero = zb.baseAddress!
        parallelFor(items * p.tilesH) { job in
            let b = job / p.tilesH, th = job % p.tilesH
            let di = dy + b * itemSize
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: block * tw) { sb in
                let src = sb.baseAddress!
                forEachTilePosition(tilesW: tw, tileRow: th, stride: t, span: t, padTop: 0, padLeft: 0,
                                    height: p.outH, width: p.outW) { slot, pixel in
                    (src + slot).initialize(to: pixel.map { di + $0 * f } ?? zero)
                }
                let dst = w + (b * perItem + th * tw) * f
                if t == 4 {
                    nn_winograd4_gradient_row(src, Int32(tw), Int32(f), plane, dst)
                } else {
                    nn_winograd_gradient_row(src, Int32(tw), Int32(f), plane, dst)
                }
            }
        }
    }
}

/// Adds dL/d(kernel) of the forward convolution `plan` into `dw` (3, 3, C, F): with the
/// forward Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A per tile, dL/dg = Gᵀ[Σ_tiles (Bᵀ d B) ⊙ (A dY Aᵀ)]G.
/// The sum over tiles is, for each ξ, one product dU_ξ (C × F) += V_ξᵀ · W_ξ. Exact for
/// either tile size: every output belongs to exactly one tile (overhanging outputs read
/// dY = 0).
///
/// `kept`, the transformed input tiles a training forward kept (`winogradConvolve`'s `keep`,
/// for the same `x` and `batch`), stands in for V; without it V is computed again from `x`
/// chunk by chunk.
func winogradKernelGradient(_ p: WinogradPlan, x: UnsafePointer<Float>, kept: UnsafePointer<Float>? = nil,
                            dy: UnsafePointer<Float>, batch: Int, dw: UnsafeMutablePointer<Float>,
                            budget: Int = WinogradPlan.defaultBudget) {
    let c = p.inC, f = p.outC, plane = c * f, nn = p.positions
    let perItem = kept == nil ? p.scratchPerItem : nn * p.tilesPerItem * f
    let chunk = max(1, min(batch, budget / max(1, perItem)))
    let maxTiles = chunk * p.tilesPerItem
    let scratchSize = nn * maxTiles * (kept == nil ? c + f : f)
    var scratch = [Float](unsafeUninitializedCapacity: scratchSize) { _, n in n = scratchSize }
    var du = [Float](repeating: 0, count: nn * plane)
    scratch.withUnsafeMutableBufferPointer { sb in du.withUnsafeMutableBufferPointer { db in
        let dU = db.baseAddress!
        for start in stride(from: 0, to: batch, by: chunk) {
            let n = min(chunk, batch - start), tiles = n * p.tilesPerItem
            let (v, planeTiles, w) = p.chunkTiles(kept: kept.map(UnsafeMutablePointer.init(mutating:)), scratch: sb.baseAddress!,
                                                  start: start, items: n, batch: batch)
            if kept == nil { winogradInputTransform(p, x: x + start * p.inH * p.inW * c, items: n, v: v, planeTiles: planeTiles) }
            winogradGradientTransform(p, dy: dy + start * p.outH * p.outW * f, items: n, w: w, tiles: tiles)
            let product = { (xi: Int) in
                sgemm(transA: true, transB: false, m: c, n: f, k: tiles, alpha: 1, a: v + xi * planeTiles * c, lda: c,
                      b: w + xi * tiles * f, ldb: f, beta: 1, c: dU + xi * plane, ldc: f)
            }
            if splitsProducts { parallelFor(nn, product) } else { for xi in 0..<nn { product(xi) } }
        }
        // dW_k += Σ_ξ c[ξ·9 + k] · dU_ξ (Gᵀ dU G, `winogradTapCoefficients`), summed in Double.
        let coefficients = winogradTapCoefficients(tile: p.tile)
        parallelFor(9) { k in
            var partial = [Double](repeating: 0, count: plane)
            partial.withUnsafeMutableBufferPointer { sb in
                let sum = sb.baseAddress!
                for xi in 0..<nn {
                    let cx = coefficients[xi * 9 + k]
                    if cx == 0 { continue }
                    let d = dU + xi * plane
                    for e in 0..<plane { sum[e] += cx * Double(d[e]) }
                }
                let out = dw + k * plane
                for e in 0..<plane { out[e] += Float(sum[e]) }
            }
        }
    } }
}
