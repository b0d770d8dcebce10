import XCTest
@testable import NN
import TestSupport

/// Finite-difference checks of every layer's backward pass, in every mode.
final class LayerGradientTests: XCTestCase {
    private func assertGradients(_ layer: Layer, input: Tensor, mode: Mode = .training, epsilon: Float = 1e-3,
                                 beforeEachForward: () -> Void = {}, file: StaticString = #filePath, line: UInt = #line) {
        let report = gradientCheck(layer: layer, input: input, mode: mode, epsilon: epsilon,
                                   beforeEachForward: beforeEachForward)
        XCTAssertEqual(report.count, 1 + layer.parameters.filter(\.trainable).count, file: file, line: line)
        for d in report {
            XCTAssertLessThanOrEqual(d.score, 1, "\(layer.typeName) \(mode): \(d)", file: file, line: line)
        }
    }

    // MARK: Conv2D

    func testConv2DValidAllActivations() throws {
        for act in Activation.allCases {
            let conv = Conv2D(filters: 3, kernelSize: (3, 2), strides: (1, 2), padding: .valid, activation: act)
            let out = try buildAlone(conv, inputShape: [6, 7, 2])
            XCTAssertEqual(out, [4, 3, 3])
            assertGradients(conv, input: randomTensor([2, 6, 7, 2], seed: 11))
        }
    }

    func testConv2DSame() throws {
        let conv = Conv2D(filters: 4, kernelSize: 3, padding: .same, activation: .relu)
        XCTAssertEqual(try buildAlone(conv, inputShape: [5, 5, 3]), [5, 5, 4])
        assertGradients(conv, input: randomTensor([2, 5, 5, 3], seed: 12))
    }

    /// 3×3 stride-1 convolutions with ≥ 8 input channels run through Winograd F(2×2, 3×3) or
    /// F(4×4, 3×3); both, with outputs that the 4×4 tiles overhang (5×4, 4×3, 6×7).
    ///
    /// F(4×4) rounds about 10× more than F(2×2) (a few 1e-6 of the output's magnitude), and a
    /// central difference divides that rounding by the step: at ε = 1e-3 it alone scores up to
    /// 7 here (F(2×2) up to 0.9). F(4×4) is therefore checked with ε = 1e-2 (worst score 0.7).
    /// Both use a linear activation: a ReLU puts kinks within reach of the step — at ε = 1e-2
    /// on either tile size, and at ε = 1e-3 on F(2×2) with an AMD EPYC's (Zen) OpenBLAS kernels
    /// (score 1.40, where an Intel machine's AVX-512 kernels gave 0.9). What the ReLU adds is
    /// checked elsewhere: its backward is the same code on every path (ReLU layers of
    /// `testConv2DValidAllActivations`), and the fused ReLU of the Winograd output transforms
    /// is held to the naive sum in `KernelTests.testWinogradConvolutionMatchesNaive`.
    func testConv2DWinogradSameAndValid() throws {
        minimumWinogradSize = 1   // the path the study's large layers take, on small shapes
        defer { minimumWinogradSize = defaultMinimumWinogradSize; winogradTileChoice = nil }
        for (tile, activation, epsilon) in [(2, Activation.linear, Float(1e-3)), (4, .linear, 1e-2)] {
            winogradTileChoice = tile
            for (padding, shape, out) in [(Padding.same, [5, 4, 9], [5, 4, 3]), (Padding.valid, [6, 5, 8], [4, 3, 3]),
                                          (Padding.valid, [8, 9, 8], [6, 7, 3])] {
                let conv = Conv2D(filters: 3, kernelSize: 3, padding: padding, activation: activation)
                XCTAssertEqual(try buildAlone(conv, inputShape: shape), out)
                XCTAssertEqual(conv.geometry!.winogradTile, tile)
                conv.bias!.value = randomTensor([3], seed: 14)
                assertGradients(conv, input: randomTensor([2] + shape, seed: 15), epsilon: epsilon)
            }
        }
    }

    func testConv2DSameStride2OnEvenSize() throws {
        // in 6, k 3, stride 2: out 3, padTotal 1 → 0 before, 1 after (Keras/TensorFlow rule).
        let conv = Conv2D(filters: 3, kernelSize: 3, strides: 2, padding: .same, activation: .relu)
        XCTAssertEqual(try buildAlone(conv, inputShape: [6, 6, 2]), [3, 3, 3])
        XCTAssertEqual(conv.geometry?.padTop, 0)
        assertGradients(conv, input: randomTensor([2, 6, 6, 2], seed: 13))
        // k 5, stride 2 on 8: out 4, padTotal 3 → 1 before, 2 after.
        let conv5 = Conv2D(filters: 2, kernelSize: 5, strides: 2, padding: .same, activation: .linear)
        XCTAssertEqual(try buildAlone(conv5, inputShape: [8, 8, 1]), [4, 4, 2])
        XCTAssertEqual(conv5.geometry?.padTop, 1)
        assertGradients(conv5, input: randomTensor([2, 8, 8, 1], seed: 14))
    }

    func testConv2DLogitsPath() throws {
        let conv = Conv2D(filters: 3, kernelSize: 2, activation: .softmax)
        try buildAlone(conv, inputShape: [4, 4, 2])
        conv.emitsLogits = true
        let x = randomTensor([2, 4, 4, 2], seed: 15)
        let z = conv.forward(x, mode: .inference)
        conv.emitsLogits = false
        let y = conv.forward(x, mode: .inference)
        // Logits are the pre-activation values: softmax(z) = y.
        for r in 0..<(z.count / 3) {
            let row = z.data[(r * 3)..<(r * 3 + 3)], m = row.max()!
            let e = row.map { expf($0 - m) }, s = e.reduce(0, +)
            for j in 0..<3 { XCTAssertEqual(e[j] / s, y.data[r * 3 + j], accuracy: 1e-6) }
        }
        conv.emitsLogits = true
        assertGradients(conv, input: x)
    }

    func testConv2DWithoutBiasAndWithoutInputGradient() throws {
        let conv = Conv2D(filters: 2, kernelSize: 3, padding: .same, useBias: false)
        try buildAlone(conv, inputShape: [4, 4, 1])
        XCTAssertEqual(conv.parameters.map(\.name), ["kernel"])
        assertGradients(conv, input: randomTensor([1, 4, 4, 1], seed: 16))
        conv.computesInputGradient = false
        let x = randomTensor([1, 4, 4, 1], seed: 16)
        _ = conv.forward(x, mode: .training)
        XCTAssertEqual(conv.backward(Tensor(repeating: 1, shape: [1, 4, 4, 2])), Tensor(zeros: [1, 4, 4, 1]))
    }

    // MARK: MaxPool2D

    func testMaxPoolValid() throws {
        let pool = MaxPool2D(poolSize: 3)
        XCTAssertEqual(try buildAlone(pool, inputShape: [7, 8, 2]), [2, 2, 2])
        assertGradients(pool, input: separatedTensor([2, 7, 8, 2], seed: 21))
    }

    func testMaxPoolSame() throws {
        let pool = MaxPool2D(poolSize: 2, padding: .same)
        XCTAssertEqual(try buildAlone(pool, inputShape: [5, 5, 3]), [3, 3, 3])
        // All-negative inputs: the −∞ padding must never win.
        var x = separatedTensor([2, 5, 5, 3], seed: 22)
        x.data = x.data.map { -abs($0) - 1 }
        let y = pool.forward(x, mode: .inference)
        XCTAssertTrue(y.data.allSatisfy { $0.isFinite && $0 < 0 })
        assertGradients(pool, input: separatedTensor([2, 5, 5, 3], seed: 22))
        let pool4 = MaxPool2D(poolSize: 4, padding: .same)
        XCTAssertEqual(try buildAlone(pool4, inputShape: [2, 2, 1]), [1, 1, 1])
        XCTAssertEqual(pool4.forward(Tensor(shape: [1, 2, 2, 1], data: [-4, -3, -2, -5]), mode: .inference).data, [-2])
    }

    func testMaxPoolTiesGoToFirstMax() throws {
        let pool = MaxPool2D(poolSize: 2)
        try buildAlone(pool, inputShape: [2, 2, 1])
        _ = pool.forward(Tensor(shape: [1, 2, 2, 1], data: [1, 3, 3, 2]), mode: .training)
        XCTAssertEqual(pool.backward(Tensor(shape: [1, 1, 1, 1], data: [5])).data, [0, 5, 0, 0])
    }

    // MARK: Dense, Flatten, Activation

    func testDenseEachActivation() throws {
        for act in Activation.allCases {
            let dense = Dense(units: 4, activation: act)
            XCTAssertEqual(try buildAlone(dense, inputShape: [5]), [4])
            assertGradients(dense, input: randomTensor([3, 5], seed: 31))
            dense.emitsLogits = true
            assertGradients(dense, input: randomTensor([3, 5], seed: 32))
        }
    }

    func testDenseOnLastAxisOfSequences() throws {
        let dense = Dense(units: 3, activation: .sigmoid)
        XCTAssertEqual(try buildAlone(dense, inputShape: [4, 5]), [4, 3])
        assertGradients(dense, input: randomTensor([2, 4, 5], seed: 33))
    }

    func testFlattenAndActivationLayer() throws {
        let flatten = Flatten()
        XCTAssertEqual(try buildAlone(flatten, inputShape: [2, 3, 4]), [24])
        assertGradients(flatten, input: randomTensor([2, 2, 3, 4], seed: 34))
        for act in Activation.allCases {
            let layer = ActivationLayer(act)
            XCTAssertEqual(layer.typeName, "Activation")
            try buildAlone(layer, inputShape: [3, 4])
            assertGradients(layer, input: randomTensor([2, 3, 4], seed: 35))
        }
    }

    // MARK: BatchNormalization

    func testBatchNormTrainingAndInference() throws {
        let bn = BatchNormalization()
        try buildAlone(bn, inputShape: [3, 4])
        XCTAssertEqual(bn.parameterCount, 16)
        // Make gamma/beta non-trivial so their gradients matter.
        bn.gamma!.value = randomTensor([4], seed: 41, low: 0.5, high: 1.5)
        bn.beta!.value = randomTensor([4], seed: 42)
        assertGradients(bn, input: randomTensor([3, 3, 4], seed: 43), mode: .training)
        bn.movingMean!.value = randomTensor([4], seed: 44)
        bn.movingVariance!.value = randomTensor([4], seed: 45, low: 0.5, high: 2)
        assertGradients(bn, input: randomTensor([3, 3, 4], seed: 46), mode: .inference)
    }

    func testBatchNormStatistics() throws {
        let bn = BatchNormalization(momentum: 0.9, epsilon: 1e-3)
        try buildAlone(bn, inputShape: [1])
        let x = Tensor(shape: [4, 1], data: [1, 2, 3, 6])   // mean 3, biased variance 3.5
        let y = bn.forward(x, mode: .training)
        let inv = 1 / (3.5 + 1e-3).squareRoot()
        for (v, e) in zip(y.data, [1.0, 2, 3, 6].map { ($0 - 3) * inv }) { XCTAssertEqual(Double(v), e, accuracy: 1e-5) }
        XCTAssertEqual(bn.movingMean!.value.data[0], 0.9 * 0 + 0.1 * 3, accuracy: 1e-6)
        XCTAssertEqual(bn.movingVariance!.value.data[0], 0.9 * 1 + 0.1 * 3.5, accuracy: 1e-6)
        // Inference uses the moving statistics.
        let yi = bn.forward(Tensor(shape: [1, 1], data: [2]), mode: .inference)
        XCTAssertEqual(Double(yi.data[0]), (2 - 0.3) / (1.25 + 1e-3).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(bn.parameters.map(\.name), ["gamma", "beta", "moving_mean", "moving_variance"])
        XCTAssertEqual(bn.parameters.map(\.trainable), [true, true, false, false])
    }

    // MARK: Dropout

    func testDropoutTrainingWithFixedMaskAndInference() throws {
        let drop = Dropout(rate: 0.4)
        try buildAlone(drop, inputShape: [50])
        let x = randomTensor([4, 50], seed: 51)
        XCTAssertEqual(drop.forward(x, mode: .inference), x)
        let y = drop.forward(x, mode: .training)
        let kept = y.data.indices.filter { y.data[$0] != 0 }
        for i in kept { XCTAssertEqual(y.data[i], x.data[i] / 0.6, accuracy: 1e-6) }
        XCTAssertGreaterThan(kept.count, 80); XCTAssertLessThan(kept.count, 160)   // ≈ 120 of 200
        drop.freezesMask = true
        assertGradients(drop, input: x, mode: .training)
        // A new mask per training step otherwise.
        drop.freezesMask = false
        XCTAssertNotEqual(drop.forward(x, mode: .training), drop.forward(x, mode: .training))
    }

    /// A mask longer than one parallel block (and of odd length): the kept fraction is
    /// 1 − rate within five standard deviations, blocks do not repeat each other, and the
    /// same seed gives the same mask.
    func testDropoutMaskAcrossBlocks() throws {
        let n = 3 * 16_384 + 7
        func layer() throws -> Dropout { let d = Dropout(rate: 0.25, seed: 9); try buildAlone(d, inputShape: [n]); return d }
        let x = Tensor(shape: [1, n], data: [Float](repeating: 1, count: n))
        let y = try layer().forward(x, mode: .training)
        XCTAssertEqual(y, try layer().forward(x, mode: .training))
        let kept = Double(y.data.filter { $0 != 0 }.count)
        let sd = (Double(n) * 0.25 * 0.75).squareRoot()
        XCTAssertEqual(kept, 0.75 * Double(n), accuracy: 5 * sd)
        XCTAssertNotEqual(Array(y.data[0..<16_384]), Array(y.data[16_384..<32_768]))
        XCTAssertNotEqual(y.data[n - 1], 0.5)   // the odd last value is set (0 or 1/0.75)
        XCTAssertTrue(y.data.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
    }

    // MARK: LSTM

    func testLSTMReturnSequences() throws {
        let lstm = LSTM(units: 3, returnSequences: true)
        XCTAssertEqual(try buildAlone(lstm, inputShape: [4, 2]), [4, 3])
        assertGradients(lstm, input: randomTensor([2, 4, 2], seed: 61))
    }

    func testLSTMWideEnoughForSIMDLanes() throws {
        let lstm = LSTM(units: 9, returnSequences: true)
        try buildAlone(lstm, inputShape: [3, 2])
        assertGradients(lstm, input: randomTensor([3, 3, 2], seed: 63))
    }

    func testLSTMLastStep() throws {
        let lstm = LSTM(units: 3, returnSequences: false)
        XCTAssertEqual(try buildAlone(lstm, inputShape: [5, 2]), [3])
        assertGradients(lstm, input: randomTensor([2, 5, 2], seed: 62))
    }
}
