import XCTest
@testable import NN
import TestSupport

/// The fast kernels against naive references, and the initialisers.
final class KernelTests: XCTestCase {
    func testKerasPaddingRule() {
        // (size, window, stride, padding) → (out, padBefore), values from TensorFlow's rule.
        let cases: [(Int, Int, Int, Padding, Int, Int)] = [
            (64, 5, 1, .same, 64, 2), (64, 5, 2, .same, 32, 1), (32, 2, 2, .same, 16, 0),
            (16, 3, 2, .same, 8, 0), (5, 2, 2, .same, 3, 0), (6, 4, 4, .same, 2, 1),
            (62, 3, 3, .valid, 20, 0), (64, 5, 1, .valid, 60, 0), (4, 5, 5, .valid, 0, 0), (7, 3, 2, .valid, 3, 0),
        ]
        for (size, window, stride, padding, out, before) in cases {
            let r = windowedOutput(size: size, window: window, stride: stride, padding: padding)
            XCTAssertEqual(r.out, out, "\(size) \(window) \(stride) \(padding)")
            XCTAssertEqual(r.padBefore, before, "\(size) \(window) \(stride) \(padding)")
        }
    }

    /// im2col + sgemm (in one chunk and in several) against the direct convolution.
    func testFastConvolutionMatchesNaive() throws {
        maximumDirectChannels = 0   // the im2col path, whatever the channel count
        defer { maximumDirectChannels = 4 }
        let configs: [(kernel: (Int, Int), strides: (Int, Int), padding: Padding, input: [Int], filters: Int)] = [
            ((3, 3), (1, 1), .valid, [7, 6, 2], 4),
            ((3, 3), (1, 1), .same, [5, 5, 3], 5),
            ((5, 5), (2, 2), .same, [8, 8, 3], 3),
            ((3, 2), (2, 1), .same, [7, 6, 2], 2),
            ((1, 1), (1, 1), .valid, [3, 4, 5], 3),
        ]
        for (n, c) in configs.enumerated() {
            for budget in [Int.max / 4, 1] {   // one chunk, then chunks of two items and one
                let conv = Conv2D(filters: c.filters, kernelSize: c.kernel, strides: c.strides, padding: c.padding,
                                  activation: .linear)
                try buildAlone(conv, inputShape: c.input, seed: UInt64(n))
                conv.columnBudget = budget
                conv.columnCacheBudget = budget == 1 ? 0 : budget   // rebuild the columns in backward too
                conv.bias!.value = randomTensor([c.filters], seed: 100 + UInt64(n))
                let x = randomTensor([3] + c.input, seed: 200 + UInt64(n))
                let y = conv.forward(x, mode: .training)
                let g = conv.geometry!
                let ref = Conv2D.naiveForward(x, kernel: conv.kernel!.value, bias: conv.bias!.value, geometry: g)
                XCTAssertEqual(y.shape, ref.shape)
                XCTAssertLessThan(maxAbsDifference(y.data, ref.data), 1e-5, "forward \(c) budget \(budget)")

                let dy = randomTensor(y.shape, seed: 300 + UInt64(n))
                conv.kernel!.zeroGrad(); conv.bias!.zeroGrad()
                let dx = conv.backward(dy)
                let (rdx, rdw, rdb) = Conv2D.naiveBackward(x, kernel: conv.kernel!.value, dz: dy, geometry: g)
                XCTAssertLessThan(maxAbsDifference(dx.data, rdx.data), 1e-5, "dx \(c) budget \(budget)")
                XCTAssertLessThan(maxAbsDifference(conv.kernel!.grad.data, rdw.data), 1e-4, "dW \(c) budget \(budget)")
                XCTAssertLessThan(maxAbsDifference(conv.bias!.grad.data, rdb.data), 1e-4, "db \(c) budget \(budget)")
            }
        }
    }

    /// The direct kernels (few input channels) against the naive convolution: same and
    /// valid padding, strides, filter counts below, at and past the vector width of 16 and
    /// the block of 32 (tails), widths that leave a partial block of 4 pixels, one image
    /// and several; bias and ReLU fused; dL/dx through col2im when the layer needs it.
    func testDirectConvolutionMatchesNaive() throws {
        maximumDirectChannels = 16
        defer { maximumDirectChannels = 4 }
        let configs: [(kernel: (Int, Int), strides: (Int, Int), padding: Padding, input: [Int], filters: Int, batch: Int)] = [
            ((3, 3), (1, 1), .valid, [7, 6, 1], 4, 3),
            ((3, 3), (1, 1), .same, [5, 9, 3], 25, 2),
            ((5, 5), (2, 2), .same, [8, 8, 3], 33, 1),
            ((3, 2), (2, 1), .same, [7, 6, 2], 16, 3),
            ((5, 5), (1, 1), .valid, [9, 11, 3], 32, 2),
            ((1, 1), (1, 1), .valid, [3, 4, 4], 50, 2),
            ((3, 3), (3, 3), .valid, [10, 10, 9], 64, 2),
        ]
        for (n, c) in configs.enumerated() {
            for relu in [false, true] {
                let conv = Conv2D(filters: c.filters, kernelSize: c.kernel, strides: c.strides, padding: c.padding,
                                  activation: relu ? .relu : .linear)
                try buildAlone(conv, inputShape: c.input, seed: UInt64(n))
                let g = conv.geometry!
                XCTAssertTrue(g.usesDirect, "\(c)")
                conv.bias!.value = randomTensor([c.filters], seed: 100 + UInt64(n))
                let x = randomTensor([c.batch] + c.input, seed: 200 + UInt64(n))
                let y = conv.forward(x, mode: .training)
                var ref = Conv2D.naiveForward(x, kernel: conv.kernel!.value, bias: conv.bias!.value, geometry: g)
                if relu { ref.data = ref.data.map { max($0, 0) } }
                XCTAssertEqual(y.shape, ref.shape)
                XCTAssertLessThan(maxAbsDifference(y.data, ref.data), 1e-5, "forward \(c) relu \(relu)")

                let dy = randomTensor(y.shape, seed: 300 + UInt64(n))
                let dz = Tensor(shape: dy.shape, data: zip(dy.data, y.data).map { relu && $1 <= 0 ? 0 : $0 })
                conv.kernel!.zeroGrad(); conv.bias!.zeroGrad()
                let dx = conv.backward(dy)
                let (rdx, rdw, rdb) = Conv2D.naiveBackward(x, kernel: conv.kernel!.value, dz: dz, geometry: g)
                XCTAssertLessThan(maxAbsDifference(dx.data, rdx.data), 1e-5, "dx \(c)")
                XCTAssertLessThan(maxAbsDifference(conv.kernel!.grad.data, rdw.data), 1e-4, "dW \(c)")
                XCTAssertLessThan(maxAbsDifference(conv.bias!.grad.data, rdb.data), 1e-4, "db \(c)")
            }
        }
    }

    /// Winograd F(2×2, 3×3) and F(4×4, 3×3) (3×3, stride 1, ≥ 8 input channels) against the
    /// direct convolution: same and valid padding, odd and even sizes (edge tiles that
    /// overhang the output by 1 to 3 rows or columns, an output smaller than one tile),
    /// channel counts that are and are not multiples of the SIMD width, one chunk and several.
    /// Values uniform in [−1, 1] and at most 20 channels give outputs of magnitude ≲ 5; F(4×4)
    /// rounds about 10× more than F(2×2) (`testWinogradRoundingOnStudyMagnitudes`), hence its
    /// wider tolerances.
    func testWinogradConvolutionMatchesNaive() throws {
        minimumWinogradSize = 1   // the path the study's large layers take, on small shapes
        defer { minimumWinogradSize = defaultMinimumWinogradSize; winogradTileChoice = nil }
        let configs: [(padding: Padding, input: [Int], filters: Int)] = [
            (.same, [7, 6, 8], 5), (.valid, [7, 6, 9], 12), (.same, [5, 5, 17], 9), (.valid, [4, 4, 8], 3),
            (.same, [1, 3, 8], 2), (.valid, [10, 11, 16], 20), (.same, [9, 13, 8], 17),
        ]
        for tile in [2, 4] {
            winogradTileChoice = tile
            let (tolY, tolW): (Float, Float) = tile == 2 ? (1e-5, 1e-4) : (5e-5, 2e-4)
            for (n, c) in configs.enumerated() {
                let conv = Conv2D(filters: c.filters, kernelSize: 3, padding: c.padding, activation: .linear)
                try buildAlone(conv, inputShape: c.input, seed: UInt64(n))
                let g = conv.geometry!
                XCTAssertEqual(g.winogradTile, tile, "\(c)")
                conv.bias!.value = randomTensor([c.filters], seed: 100 + UInt64(n))
                let x = randomTensor([3] + c.input, seed: 200 + UInt64(n))
                let y = conv.forward(x, mode: .training)
                let ref = Conv2D.naiveForward(x, kernel: conv.kernel!.value, bias: conv.bias!.value, geometry: g)
                XCTAssertEqual(y.shape, ref.shape)
                XCTAssertLessThan(maxAbsDifference(y.data, ref.data), tolY, "forward F(\(tile)) \(c)")

                let dy = randomTensor(y.shape, seed: 300 + UInt64(n))
                conv.kernel!.zeroGrad(); conv.bias!.zeroGrad()
                let dx = conv.backward(dy)
                let (rdx, rdw, rdb) = Conv2D.naiveBackward(x, kernel: conv.kernel!.value, dz: dy, geometry: g)
                XCTAssertLessThan(maxAbsDifference(dx.data, rdx.data), tolY, "dx F(\(tile)) \(c)")
                XCTAssertLessThan(maxAbsDifference(conv.kernel!.grad.data, rdw.data), tolW, "dW F(\(tile)) \(c)")
                XCTAssertLessThan(maxAbsDifference(conv.bias!.grad.data, rdb.data), 1e-4, "db F(\(tile)) \(c)")

                // The same product in chunks of one item, with ReLU fused, against the naive sum.
                let plan = WinogradPlan(forward: g, filters: c.filters, tile: tile)
                var u = [Float](repeating: .nan, count: plan.positions * g.inC * plan.paddedOutC)
                var out = [Float](repeating: .nan, count: y.count)
                conv.kernel!.value.data.withUnsafeBufferPointer { w in
                    u.withUnsafeMutableBufferPointer {
                        winogradTransformKernel(w.baseAddress!, inC: g.inC, filters: c.filters, rotated: false, tile: tile,
                                                columns: plan.paddedOutC, into: $0.baseAddress!)
                    }
                }
                x.data.withUnsafeBufferPointer { xp in u.withUnsafeBufferPointer { up in
                    conv.bias!.value.data.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
                        winogradConvolve(plan, x: xp.baseAddress!, batch: 3, u: up.baseAddress!, y: op.baseAddress!,
                                         bias: bp.baseAddress!, relu: true, budget: 1)
                    } }
                } }
                XCTAssertLessThan(maxAbsDifference(out, ref.data.map { max($0, 0) }), tolY, "chunked relu F(\(tile)) \(c)")

                // dW in chunks of one item.
                var dw = [Float](repeating: 0, count: conv.kernel!.value.count)
                x.data.withUnsafeBufferPointer { xp in dy.data.withUnsafeBufferPointer { dp in dw.withUnsafeMutableBufferPointer {
                    winogradKernelGradient(plan, x: xp.baseAddress!, dy: dp.baseAddress!, batch: 3, dw: $0.baseAddress!, budget: 1)
                } } }
                XCTAssertLessThan(maxAbsDifference(dw, rdw.data), tolW, "chunked dW F(\(tile)) \(c)")
            }
        }
    }

    /// The kernel gradient from the input tiles a training forward keeps against the naive
    /// sum: in one chunk, in chunks of one item, and with a budget of two items' scratch, where
    /// the forward runs chunks of 2 + 1 items and the backward (whose scratch holds only the
    /// gradient transform) one of 3 (the forward writes each chunk's tiles into its slice of
    /// the batch's planes, the backward reads them in chunks of its own size); for a smaller
    /// batch after a larger one (the kept buffer's start), and after an inference forward,
    /// which keeps none (the backward transforms the input again).
    func testWinogradKernelGradientFromKeptTiles() throws {
        minimumWinogradSize = 1
        defer { minimumWinogradSize = defaultMinimumWinogradSize; winogradTileChoice = nil }
        for tile in [2, 4] {
            winogradTileChoice = tile
            let tol: Float = tile == 2 ? 1e-4 : 2e-4
            for (n, (padding, shape, filters)) in [(Padding.same, [9, 13, 8], 17), (.valid, [10, 11, 16], 20)].enumerated() {
                let g = WindowGeometry(inH: shape[0], inW: shape[1], inC: shape[2], kh: 3, kw: 3, sh: 1, sw: 1, padding: padding)
                let plan = WinogradPlan(forward: g, filters: filters, tile: tile)
                XCTAssertGreaterThanOrEqual(2 * plan.scratchPerItem / (plan.positions * plan.tilesPerItem * filters), 3)
                for budget in [4 * 1024 * 1024, 1, 2 * plan.scratchPerItem] {
                    let conv = Conv2D(filters: filters, kernelSize: 3, padding: padding, activation: .linear)
                    try buildAlone(conv, inputShape: shape, seed: UInt64(n))
                    conv.winogradBudget = budget
                    XCTAssertEqual(conv.geometry, g)
                    XCTAssertEqual(g.winogradTile, tile)
                    for (batch, mode) in [(3, Mode.training), (2, .training), (3, .inference)] {
                        let x = randomTensor([batch] + shape, seed: 400 + UInt64(batch))
                        let y = conv.forward(x, mode: mode)
                        let dy = randomTensor(y.shape, seed: 500 + UInt64(batch))
                        conv.kernel!.zeroGrad(); conv.bias!.zeroGrad()
                        let dx = conv.backward(dy)
                        let (rdx, rdw, _) = Conv2D.naiveBackward(x, kernel: conv.kernel!.value, dz: dy, geometry: g)
                        let label = "F(\(tile)) \(padding) budget \(budget) batch \(batch) \(mode)"
                        XCTAssertLessThan(maxAbsDifference(conv.kernel!.grad.data, rdw.data), tol, "dW \(label)")
                        XCTAssertLessThan(maxAbsDifference(dx.data, rdx.data), tol, "dx \(label)")
                    }
                }
            }
        }
    }

    /// The worst rounding of both tile sizes on magnitudes of the study's layers: conv5's
    /// 64 → 64 layer at 14×14 (`same`, edge tiles of F(4×4) overhang by 2) on post-ReLU
    /// activations in [0, 2], its Glorot kernel, and an output gradient of 1e-3 scale. Errors
    /// against the Double sum, relative to the largest magnitude of the exact result, are
    /// printed; measured (x86-64, AVX-512 clones): F(2×2) forward 2.7e-7, dx 3.5e-7, dW 3.5e-7;
    /// F(4×4) forward 2.6e-6, dx 6.1e-6, dW 2.2e-6. The bounds leave about 3×.
    func testWinogradRoundingOnStudyMagnitudes() throws {
        minimumWinogradSize = 1
        defer { minimumWinogradSize = defaultMinimumWinogradSize; winogradTileChoice = nil }
        let conv = Conv2D(filters: 64, kernelSize: 3, padding: .same, activation: .linear)
        try buildAlone(conv, inputShape: [14, 14, 64], seed: 7)
        let g = conv.geometry!
        let x = randomTensor([2, 14, 14, 64], seed: 70, low: 0, high: 2)
        let dy = randomTensor([2, 14, 14, 64], seed: 71, low: -1e-3, high: 1e-3)
        let ref = Conv2D.naiveForward(x, kernel: conv.kernel!.value, bias: conv.bias!.value, geometry: g)
        let (rdx, rdw, _) = Conv2D.naiveBackward(x, kernel: conv.kernel!.value, dz: dy, geometry: g)
        func relative(_ a: [Float], _ b: [Float]) -> Float { maxAbsDifference(a, b) / b.map(abs).max()! }
        for (tile, bound) in [(2, Float(1e-6)), (4, Float(2e-5))] {
            winogradTileChoice = tile
            XCTAssertEqual(g.winogradTile, tile)
            let y = conv.forward(x, mode: .training)
            conv.kernel!.zeroGrad(); conv.bias!.zeroGrad()
            let dx = conv.backward(dy)
            let ey = relative(y.data, ref.data), ex = relative(dx.data, rdx.data)
            let ew = relative(conv.kernel!.grad.data, rdw.data)
            print("Winograd F(\(tile)×\(tile)) relative error: forward \(ey), dx \(ex), dW \(ew)")
            XCTAssertLessThan(ey, bound, "forward F(\(tile))")
            XCTAssertLessThan(ex, bound, "dx F(\(tile))")
            XCTAssertLessThan(ew, bound, "dW F(\(tile))")
        }
    }

    /// Max-pool backward for non-overlapping windows (stored, uncovered strips zeroed) and
    /// for overlapping ones (added) against a naive routing: each window's gradient goes to
    /// its first maximum in row-major order. Inputs quantised so that windows hold ties;
    /// garbage left in reused memory must not leak into uncovered positions.
    func testMaxPoolBackwardMatchesNaive() throws {
        let configs: [(pool: Int, stride: Int?, padding: Padding, input: [Int])] = [
            (3, nil, .valid, [8, 7, 10]), (2, nil, .same, [5, 5, 9]), (4, nil, .same, [2, 2, 3]),
            (2, nil, .valid, [6, 6, 16]), (3, 2, .valid, [7, 7, 5]),
        ]
        for c in configs {
            let pool = MaxPool2D(poolSize: c.pool, strides: c.stride, padding: c.padding)
            try buildAlone(pool, inputShape: c.input)
            let g = pool.geometry!
            var x = randomTensor([2] + c.input, seed: 500)
            x.data = x.data.map { ($0 * 3).rounded() }
            for _ in 0..<2 {   // twice: the second backward reuses freed buffers
                let y = pool.forward(x, mode: .training)
                let dy = randomTensor(y.shape, seed: 501)
                let dx = pool.backward(dy)
                var ref = [Float](repeating: 0, count: x.count)
                for b in 0..<2 { for oh in 0..<g.outH { for ow in 0..<g.outW { for ch in 0..<g.inC {
                    var best: Int? = nil
                    for ki in 0..<g.kh { for kj in 0..<g.kw {
                        let ih = oh * g.sh - g.padTop + ki, iw = ow * g.sw - g.padLeft + kj
                        guard ih >= 0, ih < g.inH, iw >= 0, iw < g.inW else { continue }
                        let i = ((b * g.inH + ih) * g.inW + iw) * g.inC + ch
                        if best == nil || x.data[i] > x.data[best!] { best = i }
                    } }
                    ref[best!] += dy.data[((b * g.outH + oh) * g.outW + ow) * g.inC + ch]
                } } } }
                XCTAssertEqual(dx.data, ref, "\(c)")
            }
        }
    }

    /// Backward adds into the parameter gradients (two backward passes give twice the gradient).
    func testBackwardAccumulates() throws {
        let dense = Dense(units: 3, activation: .relu)
        try buildAlone(dense, inputShape: [4])
        let x = randomTensor([2, 4], seed: 1), dy = randomTensor([2, 3], seed: 2)
        _ = dense.forward(x, mode: .training)
        _ = dense.backward(dy)
        let once = dense.kernel!.grad.data
        _ = dense.backward(dy)
        for (a, b) in zip(dense.kernel!.grad.data, once) { XCTAssertEqual(a, 2 * b, accuracy: 1e-6) }
    }

    func testGlorotUniformLimitAndFans() throws {
        let conv = Conv2D(filters: 8, kernelSize: 3)
        try buildAlone(conv, inputShape: [5, 5, 4])
        let limit = Float((6.0 / Double(9 * 4 + 9 * 8)).squareRoot())
        let k = conv.kernel!.value.data
        XCTAssertTrue(k.allSatisfy { abs($0) <= limit })
        XCTAssertGreaterThan(k.map(abs).max()!, 0.9 * limit)   // fills the range
        XCTAssertEqual(conv.bias!.value.data, [Float](repeating: 0, count: 8))
    }

    func testOrthogonalRecurrentKernelAndForgetBias() throws {
        let lstm = LSTM(units: 6)
        try buildAlone(lstm, inputShape: [3, 2])
        let u = lstm.recurrentKernel!.value   // (6, 24): rows orthonormal
        XCTAssertEqual(u.shape, [6, 24])
        for i in 0..<6 { for j in 0..<6 {
            var dot: Float = 0
            for k in 0..<24 { dot += u.data[i * 24 + k] * u.data[j * 24 + k] }
            XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5)
        } }
        let b = lstm.bias!.value.data
        XCTAssertEqual(Array(b[0..<6]), [Float](repeating: 0, count: 6))
        XCTAssertEqual(Array(b[6..<12]), [Float](repeating: 1, count: 6))
        XCTAssertEqual(Array(b[12..<24]), [Float](repeating: 0, count: 12))
        XCTAssertEqual(lstm.parameters.map(\.name), ["kernel", "recurrent_kernel", "bias"])
        // Square case: an orthogonal matrix.
        var rng = SeededGenerator(seed: 5)
        let q = orthogonal(rows: 4, cols: 4, rng: &rng)
        for i in 0..<4 { for j in 0..<4 {
            var dot: Float = 0
            for k in 0..<4 { dot += q.data[k * 4 + i] * q.data[k * 4 + j] }
            XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5)
        } }
    }

    /// The LSTM forward against a direct transcription of Keras's step equations.
    func testLSTMForwardMatchesKerasEquations() throws {
        let units = 10, steps = 4, features = 2, batch = 2   // 10 units: eight SIMD lanes and a scalar tail
        let lstm = LSTM(units: units, returnSequences: true)
        try buildAlone(lstm, inputShape: [steps, features])
        lstm.bias!.value = randomTensor([4 * units], seed: 9)
        let x = randomTensor([batch, steps, features], seed: 10)
        let y = lstm.forward(x, mode: .inference)
        let w = lstm.kernel!.value.data, r = lstm.recurrentKernel!.value.data, b = lstm.bias!.value.data
        func sig(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        for n in 0..<batch {
            var h = [Double](repeating: 0, count: units), c = h
            for t in 0..<steps {
                var z = (0..<(4 * units)).map { Double(b[$0]) }
                for j in 0..<(4 * units) {
                    for f in 0..<features { z[j] += Double(x.data[(n * steps + t) * features + f]) * Double(w[f * 4 * units + j]) }
                    for k in 0..<units { z[j] += h[k] * Double(r[k * 4 * units + j]) }
                }
                for j in 0..<units {
                    let i = sig(z[j]), f = sig(z[units + j]), g = tanh(z[2 * units + j]), o = sig(z[3 * units + j])
                    c[j] = f * c[j] + i * g
                    h[j] = o * tanh(c[j])
                    XCTAssertEqual(Double(y.data[(n * steps + t) * units + j]), h[j], accuracy: 1e-5)
                }
            }
        }
        let last = LSTM(units: units, returnSequences: false)
        try buildAlone(last, inputShape: [steps, features])
        last.kernel!.value = lstm.kernel!.value; last.recurrentKernel!.value = lstm.recurrentKernel!.value
        last.bias!.value = lstm.bias!.value
        let yl = last.forward(x, mode: .inference)
        XCTAssertEqual(yl.shape, [batch, units])
        for n in 0..<batch { for j in 0..<units {
            XCTAssertEqual(yl.data[n * units + j], y.data[(n * steps + steps - 1) * units + j])
        } }
    }

    func testFastExpSigmoidTanhAccuracy() {
        var worstExp: Double = 0, worstSig: Double = 0, worstTanh: Double = 0
        var x: Float = -87
        while x < 88 {
            let e = Double(fastExp(x)), ref = exp(Double(x))
            worstExp = max(worstExp, abs(e - ref) / ref)
            if abs(x) < 30 {
                worstSig = max(worstSig, abs(Double(sigmoid(x)) - 1 / (1 + exp(-Double(x)))))
                worstTanh = max(worstTanh, abs(Double(fastTanh(x)) - tanh(Double(x))))
            }
            x += 0.0137
        }
        XCTAssertLessThan(worstExp, 5e-7)
        XCTAssertLessThan(worstSig, 2e-7)
        XCTAssertLessThan(worstTanh, 3e-7)
        // Saturation without inf/NaN.
        XCTAssertEqual(sigmoid(-1000), 0, accuracy: 1e-30)
        XCTAssertEqual(sigmoid(1000), 1)
        XCTAssertEqual(fastTanh(-50), -1)
        XCTAssertEqual(fastTanh(50), 1)
        XCTAssertFalse(fastExp(.infinity).isInfinite)
        // The eight-lane versions give the same values as the scalar ones.
        for start in stride(from: Float(-90), to: 90, by: 8 * 0.731) {
            let v = SIMD8<Float>((0..<8).map { start + Float($0) * 0.731 })
            let e = fastExp8(v), s = sigmoid8(v), t = fastTanh8(v)
            for i in 0..<8 {
                XCTAssertEqual(e[i], fastExp(v[i]), "exp(\(v[i]))")
                XCTAssertEqual(s[i], sigmoid(v[i]), "sigmoid(\(v[i]))")
                XCTAssertEqual(t[i], fastTanh(v[i]), "tanh(\(v[i]))")
            }
        }
    }

    func testFusedBiasActivationAndBiasSumsMatchPlainLoops() {
        let rows = 300, cols = 7   // large enough to split into row blocks
        let z = randomTensor([rows, cols], seed: 70), b = randomTensor([cols], seed: 71), dy = randomTensor([rows, cols], seed: 72)
        for act in Activation.allCases {
            var y = z.data
            y.withUnsafeMutableBufferPointer { yp in b.data.withUnsafeBufferPointer { bp in
                addBiasAndActivate(act, yp.baseAddress!, bias: bp.baseAddress!, rows: rows, cols: cols)
            } }
            var ref = z.data
            for r in 0..<rows { for j in 0..<cols { ref[r * cols + j] += b.data[j] } }
            ref.withUnsafeMutableBufferPointer { applyActivation(act, $0.baseAddress!, rows: rows, cols: cols) }
            XCTAssertLessThan(maxAbsDifference(y, ref), 1e-6, "\(act)")
            var dz = [Float](repeating: 0, count: rows * cols), sums = [Float](repeating: 1, count: cols)
            y.withUnsafeBufferPointer { yp in dy.data.withUnsafeBufferPointer { dp in
                dz.withUnsafeMutableBufferPointer { zp in sums.withUnsafeMutableBufferPointer { sp in
                    activationBackwardAndBiasSums(act, y: yp.baseAddress!, dy: dp.baseAddress!, dz: zp.baseAddress!,
                                                  rows: rows, cols: cols, biasGrad: sp.baseAddress!)
                } }
            } }
            var refDz = [Float](repeating: 0, count: rows * cols)
            y.withUnsafeBufferPointer { yp in dy.data.withUnsafeBufferPointer { dp in refDz.withUnsafeMutableBufferPointer { zp in
                activationBackward(act, y: yp.baseAddress!, dy: dp.baseAddress!, dz: zp.baseAddress!, rows: rows, cols: cols)
            } } }
            XCTAssertEqual(dz, refDz, "\(act)")
            for j in 0..<cols {
                let s = (0..<rows).reduce(0.0) { $0 + Double(refDz[$1 * cols + j]) }
                XCTAssertEqual(Double(sums[j]), 1 + s, accuracy: 1e-4, "\(act) column \(j)")
            }
        }
    }

    /// A product split over the cores equals the single call (to rounding: OpenBLAS's edge
    /// kernels may sum in another order), for every transposition and both split directions.
    func testSplitProductEqualsSingleCall() {
        for (m, n, k) in [(300, 40, 70), (30, 500, 64), (20, 9, 5000)] {   // split along m, n and k
            for ta in [false, true] { for tb in [false, true] {
                let a = randomTensor([m * k], seed: 80).data, b = randomTensor([k * n], seed: 81).data
                var c1 = randomTensor([m * n], seed: 82).data, c2 = c1
                let lda = ta ? m : k, ldb = tb ? k : n
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                    c1.withUnsafeMutableBufferPointer { cp in
                        sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: lda,
                              b: bp.baseAddress!, ldb: ldb, beta: 0.5, c: cp.baseAddress!, ldc: n)
                    }
                    c2.withUnsafeMutableBufferPointer { cp in
                        parallelSgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: lda,
                                      b: bp.baseAddress!, ldb: ldb, beta: 0.5, c: cp.baseAddress!, ldc: n)
                    }
                } }
                // Entries are k-term float32 sums of products in [−1, 1]; kernels that add in
                // another order (AVX-512 vs AVX2, a split along k) differ by rounding ≈ k·2⁻²⁴.
                XCTAssertLessThan(maxAbsDifference(c1, c2), 1e-6 * Float(max(k, 100)), "m \(m) n \(n) k \(k) transA \(ta) transB \(tb)")
            } }
        }
    }
}
