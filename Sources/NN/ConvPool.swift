import CKernels
import Foundation
import Parallel

// A model's first convolution and the max pool right after it, run as one pass.
//
// conv1's first layer writes 62×62×256 floats per image (126 MB at batch 32), the pool reads
// them back, its backward writes as many gradients (8 in 9 of them zero) and the convolution's
// kernel gradient reads those again: four passes through memory over a tensor that nothing
// else needs. Fused, the convolution runs a band of rows at a time into a scratch buffer
// that stays in cache, the pool reduces the band at once and notes each window's winner, and
// backward rebuilds the band's sparse gradient from the winners only to feed the same
// direct-kernel weight gradient. The values are the layers' own: the forward runs the same
// kernel over the same rows (bit for bit), the pool keeps the first maximum in row-major
// window order as `MaxPool2D` does, and dL/dW sums the same products in the same order (bit
// for bit); dL/d(bias) sums the same terms in another order.

extension WindowGeometry {
    /// Whether `pool` (disjoint windows) reads only in-image positions of an output of this
    /// geometry: no padding before, and every window inside the output.
    func poolFitsInside(_ pool: WindowGeometry) -> Bool {
        pool.sh == pool.kh && pool.sw == pool.kw && pool.padTop == 0 && pool.padLeft == 0
            && pool.outH * pool.kh <= outH && pool.outW * pool.kw <= outW && pool.kh * pool.kw <= Int(UInt8.max)
    }
}

/// `NN_FUSE=0` runs the first convolution and its pool as separate layers (for measurements).
let convPoolFusionEnabled = ProcessInfo.processInfo.environment["NN_FUSE"] != "0"

/// The fused pass of a `Conv2D` on the direct kernels (ReLU or no activation) and the
/// `MaxPool2D` after it, for a model's first layer (no dL/d(input) wanted).
final class ConvPoolFusion {
    let conv: Conv2D
    let pool: MaxPool2D
    /// The zero-padded input of the last training forward (the kernel gradient reads it).
    private var padded: [Float] = []
    /// Per pooled output (batch, oh, ow, filter): the winning position in its window,
    /// row-major (ki · pool width + kj).
    private var winners: [UInt8] = []
    private var output: Tensor?

    /// Floats of one band's convolution rows (a band is whole pooled rows): 256 KB, so the
    /// pool and the gradient scatter read it from cache (tests lower it to run several bands).
    var bandBudget = 64 * 1024

    /// The fusion of `conv` then `pool`, or nil when they cannot run fused.
    init?(conv: Conv2D, pool: MaxPool2D) {
        guard convPoolFusionEnabled, let g = conv.geometry, let p = pool.geometry, g.usesDirect,
              conv.activation == .relu || conv.activation == .linear, g.poolFitsInside(p) else { return nil }
        self.conv = conv
        self.pool = pool
    }

    private var geometries: (conv: WindowGeometry, pool: WindowGeometry) { (conv.geometry!, pool.geometry!) }

    /// Pooled rows per band.
    private var bandRows: Int {
        let (g, p) = geometries
        return max(1, bandBudget / (p.kh * g.outW * conv.filters))
    }

    /// Where the band of `convRows` convolution rows from pooled row `r0` of image `b` starts
    /// in the padded input batch, and how many input rows it reads.
    private func bandInput(image b: Int, pooledRow r0: Int, convRows: Int) -> (offset: Int, rows: Int32) {
        let (g, p) = geometries
        let rowStride = g.paddedW * g.inC
        return (b * g.paddedH * rowStride + r0 * p.kh * g.sh * rowStride, Int32((convRows - 1) * g.sh + g.kh))
    }

    /// The pooled activations (batch, pool outH, pool outW, filters), as `pool.forward(conv.forward(x))`.
    func forward(_ x: Tensor, mode: Mode) -> Tensor {
        precondition(!conv.emitsLogits, "ConvPoolFusion: the convolution emits logits")
        let g = conv.checkedGeometry(x), p = pool.geometry!
        let batch = x.batch, f = conv.filters, fp = directPaddedFilters(f), relu = conv.activation == .relu
        let outItem = p.outputPixels * f, band = bandRows, bandFloats = band * p.kh * g.outW * f
        let pad = x.withPointer { directPaddedInput(g, $0, batch: batch) }
        let w = conv.kernel!.value.withPointer { directPaddedKernel($0, patch: g.patchSize, filters: f) }
        var win = [UInt8](unsafeUninitializedCapacity: batch * outItem) { _, n in n = batch * outItem }
        let y = makeTensor(shape: [batch, p.outH, p.outW, f]) { yp in
            pad.withUnsafeBufferPointer { xb in w.withUnsafeBufferPointer { wb in win.withUnsafeMutableBufferPointer { vb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!, vp = vb.baseAddress!
                let run = { (bias: UnsafePointer<Float>?) in
                    let parts = min(batch, productParts)
                    parallelFor(parts) { part in
                        // (+ 16: `nn_pool_band` reads whole vectors past a last partial block.)
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: bandFloats + 16) { sb in
                            let s = sb.baseAddress!
                            for b in (batch * part / parts)..<(batch * (part + 1) / parts) {
                                for r0 in stride(from: 0, to: p.outH, by: band) {
                                    let rows = min(band, p.outH - r0), convRows = rows * p.kh
                                    let input = self.bandInput(image: b, pooledRow: r0, convRows: convRows)
                                    nn_direct_conv_forward(xp + input.offset, input.rows, Int32(g.paddedW), Int32(g.inC),
                                                           Int32(g.kh), Int32(g.kw), Int32(g.sh), Int32(g.sw), wp,
                                                           Int32(fp), Int32(f), bias, relu ? 1 : 0, Int32(convRows), Int32(g.outW),
                                                           0, 1, s)
                                    let o = b * outItem + r0 * p.outW * f
                                    nn_pool_band(s, Int32(g.outW), Int32(rows), Int32(p.outW), Int32(p.kh), Int32(p.kw), Int32(f),
                                                 yp + o, vp + o)
                                }
                            }
                        }
                    }
                }
                if let b = conv.bias?.value { b.withPointer { run($0) } } else { run(nil) }
            } } }
        }
        if mode == .training {
            padded = pad
            winners = win
            output = y
        } else {
            padded = []; winners = []; output = nil
        }
        return y
    }

    /// Adds dL/d(kernel) and dL/d(bias) for dL/d(pooled output) `dy`; no dL/d(input).
    func backward(_ dy: Tensor) {
        guard let y = output else { preconditionFailure("ConvPoolFusion '\(conv.name)': backward before a training forward") }
        precondition(dy.shape == y.shape, "MaxPool2D '\(pool.name)': gradient shape \(dy.shape) ≠ output shape \(y.shape)")
        let (g, p) = geometries
        let batch = dy.batch, f = conv.filters, fp = directPaddedFilters(f), k = g.patchSize, relu = conv.activation == .relu
        let outItem = p.outputPixels * f, band = bandRows, bandFloats = band * p.kh * g.outW * f
        let parts = min(batch, productParts)
        // Each core sums its images into its own kernel and bias sums; they are added in
        // order, so the result depends only on the core count (as `directKernelGradient`).
        var partial = [Float](repeating: 0, count: parts * (k * fp + f))
        partial.withUnsafeMutableBufferPointer { pb in
            padded.withUnsafeBufferPointer { xb in winners.withUnsafeBufferPointer { vb in
                y.withPointer { yp in dy.withPointer { dyp in
                    parallelFor(parts) { part in
                        let dw = pb.baseAddress! + part * (k * fp + f), db = dw + k * fp
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: bandFloats) { sb in
                            let s = sb.baseAddress!
                            for b in (batch * part / parts)..<(batch * (part + 1) / parts) {
                                for r0 in stride(from: 0, to: p.outH, by: band) {
                                    let rows = min(band, p.outH - r0), convRows = rows * p.kh
                                    let count = convRows * g.outW * f
                                    let o = b * outItem + r0 * p.outW * f
                                    nn_pool_band_scatter(dyp + o, yp + o, vb.baseAddress! + o, Int32(rows), Int32(p.outW),
                                                         Int32(p.kh), Int32(p.kw), Int32(f), Int32(g.outW), relu ? 1 : 0, s, db)
                                    let input = self.bandInput(image: b, pooledRow: r0, convRows: convRows)
                                    nn_direct_conv_weight_grad(xb.baseAddress! + input.offset, input.rows, Int32(g.paddedW), Int32(g.inC),
                                                               Int32(g.kh), Int32(g.kw), Int32(g.sh), Int32(g.sw), s, Int32(f),
                                                               Int32(convRows), Int32(g.outW), 0, 1, count, dw, Int32(fp))
                                }
                            }
                        }
                    }
                } }
            } }
            conv.kernel!.withGrad {
                addPartialKernelSums(pb.baseAddress!, parts: parts, stride: k * fp + f, patch: k, filters: f, into: $0)
            }
            conv.bias?.withGrad { dbp in
                for part in 0..<parts { simdAdd(dbp, pb.baseAddress! + part * (k * fp + f) + k * fp, f) }
            }
        }
    }
}
