import Parallel
import CKernels
import Foundation

// Direct convolution for narrow patches: a network's first layer on 1- or 3-channel images
// (patch 9, 25 or 75 values) is a product with a short inner dimension, which OpenBLAS runs
// far below peak after an im2col pass that writes every patch out. The C kernels
// (`nn_direct_conv_forward`, `nn_direct_conv_weight_grad`) read a zero-padded copy of the
// input instead and keep 4 pixels × 32 filters (forward) or up to 12 patch values × 32
// filters (dL/dW) of sums in registers. dL/dx, when a layer needs it, is the forward kernel
// run on the padded dz with the kernel rotated (stride 1), or col2im (larger strides).
// Measured (report bench --layers, NN_DIRECT_MAX_CHANNELS): with 25–128 input channels
// im2col + sgemm or Winograd is as fast or faster, so only narrow layers take this path.

extension WindowGeometry {
    /// Whether a convolution of this geometry runs through the direct kernels: at most
    /// `maximumDirectChannels` input channels (measured: the first layers of the study's
    /// CNNs, C = 1 or 3, train 2–4× faster this way; with 25 or more channels im2col and
    /// sgemm win).
    var usesDirect: Bool { inC <= maximumDirectChannels && directEnabled && !usesWinograd }

    /// Height and width of the zero-padded input the direct kernels read: exactly the rows
    /// and columns the output's windows reach.
    var paddedH: Int { (outH - 1) * sh + kh }
    var paddedW: Int { (outW - 1) * sw + kw }
}

/// Largest input channel count that runs through the direct kernels (tests raise it;
/// `NN_DIRECT_MAX_CHANNELS` sets it for measurements).
nonisolated(unsafe) var maximumDirectChannels = Int(ProcessInfo.processInfo.environment["NN_DIRECT_MAX_CHANNELS"] ?? "") ?? 4
let directEnabled = ProcessInfo.processInfo.environment["NN_DIRECT_CONV"] != "0"

/// Filters rounded up to the kernels' vector width.
@inline(__always) func directPaddedFilters(_ f: Int) -> Int { (f + 15) / 16 * 16 }

/// The batch `x` (B, inH, inW, C) zero-padded to (B, paddedH, paddedW, C): input pixel
/// (ih, iw) at (ih + padTop, iw + padLeft); rows and columns no window reaches are dropped.
func directPaddedInput(_ g: WindowGeometry, _ x: UnsafePointer<Float>, batch: Int) -> [Float] {
    zeroPadded(x, batch: batch, h: g.inH, w: g.inW, c: g.inC, top: g.padTop, left: g.padLeft, toH: g.paddedH, toW: g.paddedW)
}

/// `x` (B, h, w, c) placed at (top, left) in zeros of (B, toH, toW, c); what falls outside is dropped.
func zeroPadded(_ x: UnsafePointer<Float>, batch: Int, h: Int, w: Int, c: Int, top: Int, left: Int,
                toH hp: Int, toW wp: Int) -> [Float] {
    let item = hp * wp * c
    return [Float](unsafeUninitializedCapacity: batch * item) { buf, count in
        let out = buf.baseAddress!
        let parts = min(batch, productParts)
        parallelFor(parts) { part in
            for b in (batch * part / parts)..<(batch * (part + 1) / parts) {
                let dst = out + b * item
                dst.initialize(repeating: 0, count: item)
                let src = x + b * h * w * c
                let iw0 = max(0, -left), iw1 = min(w, wp - left)
                guard iw1 > iw0 else { continue }
                for ih in max(0, -top)..<max(max(0, -top), min(h, hp - top)) {
                    (dst + ((ih + top) * wp + iw0 + left) * c).update(from: src + (ih * w + iw0) * c, count: (iw1 - iw0) * c)
                }
            }
        }
        count = batch * item
    }
}

/// dx (B, inH, inW, C) = dL/dx of a stride-1 convolution: the correlation of dz, zero-padded
/// by kh − 1 − padTop rows (kw − 1 − padLeft columns) before, with the kernel rotated by 180°
/// and its channel axes swapped — the forward kernel run on dz.
func directInputGradient(_ g: WindowGeometry, dz: UnsafePointer<Float>, batch: Int, kernel w: UnsafePointer<Float>,
                         filters f: Int, dx: UnsafeMutablePointer<Float>) {
    precondition(g.sh == 1 && g.sw == 1, "directInputGradient: stride 1 only")
    let c = g.inC, cp = directPaddedFilters(c)
    let hp = g.inH + g.kh - 1, wp = g.inW + g.kw - 1
    let padded = zeroPadded(dz, batch: batch, h: g.outH, w: g.outW, c: f, top: g.kh - 1 - g.padTop,
                            left: g.kw - 1 - g.padLeft, toH: hp, toW: wp)
    // W'[ky][kx][fo][ci] = W[kh−1−ky][kw−1−kx][ci][fo], input channels padded to cp.
    var rotated = [Float](repeating: 0, count: g.kh * g.kw * f * cp)
    rotated.withUnsafeMutableBufferPointer { r in
        for ky in 0..<g.kh { for kx in 0..<g.kw {
            let src = w + ((g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * c * f
            let dst = r.baseAddress! + (ky * g.kw + kx) * f * cp
            for ci in 0..<c { for fo in 0..<f { dst[fo * cp + ci] = src[ci * f + fo] } }
        } }
    }
    padded.withUnsafeBufferPointer { pp in rotated.withUnsafeBufferPointer { rp in
        directForwardOverImages(pp.baseAddress!, batch: batch, hp: hp, wp: wp, c: f, kh: g.kh, kw: g.kw, sh: 1, sw: 1,
                                kernel: rp.baseAddress!, fp: cp, f: c, bias: nil, relu: false,
                                outH: g.inH, outW: g.inW, y: dx)
    } }
}

/// `nn_direct_conv_forward` over the batch, its images split over the cores.
private func directForwardOverImages(_ xp: UnsafePointer<Float>, batch: Int, hp: Int, wp: Int, c: Int, kh: Int, kw: Int,
                                     sh: Int, sw: Int, kernel w: UnsafePointer<Float>, fp: Int, f: Int,
                                     bias: UnsafePointer<Float>?, relu: Bool, outH: Int, outW: Int,
                                     y: UnsafeMutablePointer<Float>) {
    let parts = min(batch, productParts)
    parallelFor(parts) { p in
        nn_direct_conv_forward(xp, Int32(hp), Int32(wp), Int32(c), Int32(kh), Int32(kw), Int32(sh), Int32(sw),
                               w, Int32(fp), Int32(f), bias, relu ? 1 : 0, Int32(outH), Int32(outW),
                               Int32(batch * p / parts), Int32(batch * (p + 1) / parts), y)
    }
}

/// The kernel (kh, kw, C, F) with its filters zero-padded to `directPaddedFilters(F)`.
func directPaddedKernel(_ w: UnsafePointer<Float>, patch: Int, filters f: Int) -> [Float] {
    let fp = directPaddedFilters(f)
    var out = [Float](repeating: 0, count: patch * fp)
    out.withUnsafeMutableBufferPointer { o in
        for k in 0..<patch { (o.baseAddress! + k * fp).update(from: w + k * f, count: f) }
    }
    return out
}

/// y (B, outH, outW, F) = act(bias + conv(x)) from the padded batch, the images split over the cores.
func directConvolve(_ g: WindowGeometry, padded xp: UnsafePointer<Float>, batch: Int,
                    kernel wp: UnsafePointer<Float>, filters f: Int, bias: UnsafePointer<Float>?, relu: Bool,
                    y: UnsafeMutablePointer<Float>) {
    directForwardOverImages(xp, batch: batch, hp: g.paddedH, wp: g.paddedW, c: g.inC, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw,
                            kernel: wp, fp: directPaddedFilters(f), f: f, bias: bias, relu: relu,
                            outH: g.outH, outW: g.outW, y: y)
}

/// dw (kh, kw, C, F) += Σ windows of x · dz, over the batch. Each core sums its share of
/// the images into its own buffer; the shares are then added in order, so the result
/// depends only on the core count.
func directKernelGradient(_ g: WindowGeometry, padded xp: UnsafePointer<Float>, batch: Int,
                          dz: UnsafePointer<Float>, filters f: Int, dw: UnsafeMutablePointer<Float>) {
    let fp = directPaddedFilters(f), k = g.patchSize
    let parts = min(batch, productParts)
    var partial = [Float](repeating: 0, count: parts * k * fp)
    let dzCount = batch * g.outputPixels * f
    partial.withUnsafeMutableBufferPointer { pb in
        let base = pb.baseAddress!
        parallelFor(parts) { p in
            nn_direct_conv_weight_grad(xp, Int32(g.paddedH), Int32(g.paddedW), Int32(g.inC), Int32(g.kh), Int32(g.kw),
                                       Int32(g.sh), Int32(g.sw), dz, Int32(f), Int32(g.outH), Int32(g.outW),
                                       Int32(batch * p / parts), Int32(batch * (p + 1) / parts), dzCount,
                                       base + p * k * fp, Int32(fp))
        }
        addPartialKernelSums(base, parts: parts, stride: k * fp, patch: k, filters: f, into: dw)
    }
}

/// Adds the cores' partial kernel sums — `parts` blocks `stride` floats apart, each `k` rows
/// of `directPaddedFilters(f)` floats — into dw (k × f), in part order, so the result depends
/// only on the core count.
func addPartialKernelSums(_ partial: UnsafePointer<Float>, parts: Int, stride: Int, patch k: Int, filters f: Int,
                          into dw: UnsafeMutablePointer<Float>) {
    let fp = directPaddedFilters(f)
    for p in 0..<parts {
        let src = partial + p * stride
        for row in 0..<k { simdAdd(dw + row * f, src + row * fp, f) }
    }
}
