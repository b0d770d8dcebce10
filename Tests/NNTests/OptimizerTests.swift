import XCTest
import TestSupport
@testable import NN

final class OptimizerTests: XCTestCase {
    private func param(_ v: [Float], _ g: [Float], trainable: Bool = true) -> Parameter {
        let p = Parameter(name: "w", value: Tensor(shape: [v.count], data: v), trainable: trainable)
        p.grad = Tensor(shape: [g.count], data: g)
        return p
    }

    /// Adam, lr 0.1, β1 0.9, β2 0.999, ε 1e-7. Step 1 with g = (0.5, −0.1, 0):
    ///   m = 0.1·g = (0.05, −0.01, 0); v = 0.001·g² = (2.5e-4, 1e-5, 0)
    ///   lr_1 = 0.1·sqrt(0.001)/0.1 = 0.0316227766
    ///   Δ = lr_1·m/(sqrt v + ε) = 0.0316227766·(0.05/0.0158114883, −0.01/0.0031623777, 0)
    ///     = (0.09999937, −0.09999681, 0) → p = (0.90000063, −1.90000319, 0.5).
    /// Step 2 with g = (−0.2, 0.3, 1.0): m = 0.9m + 0.1g = (0.025, 0.021, 0.1);
    ///   v = 0.999v + 0.001g² = (2.8975e-4, 9.999e-5, 1e-3); lr_2 = 0.1·sqrt(1 − 0.999²)/(1 − 0.9²)
    ///   = 0.0235316725 → p = (0.86544025, −1.94942164, 0.42558655)
    ///   (cross-checked with numpy in float32).
    func testAdamTwoStepsAgainstHandComputedNumbers() {
        let p = param([1, -2, 0.5], [0.5, -0.1, 0])
        let frozen = param([3], [10], trainable: false)
        let adam = Adam(learningRate: 0.1)
        adam.step([p, frozen])
        XCTAssertLessThan(maxAbsDifference(p.value.data, [0.90000063, -1.90000319, 0.5]), 2e-7)
        p.grad = Tensor(shape: [3], data: [-0.2, 0.3, 1.0])
        adam.step([p, frozen])
        XCTAssertLessThan(maxAbsDifference(p.value.data, [0.86544025, -1.94942164, 0.42558655]), 3e-7)
        XCTAssertEqual(adam.iterations, 2)
        XCTAssertEqual(frozen.value.data, [3], "non-trainable parameters never change")
    }

    /// SGD lr 0.1, momentum 0.9: v1 = −0.1·(0.5, −0.1) = (−0.05, 0.01), p = (0.95, −1.99);
    /// v2 = 0.9·v1 − 0.1·(−0.2, 0.3) = (−0.025, −0.021), p = (0.925, −2.011).
    func testSGDMomentumTwoStepsAgainstHandComputedNumbers() {
        let p = param([1, -2], [0.5, -0.1])
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        sgd.step([p])
        XCTAssertLessThan(maxAbsDifference(p.value.data, [0.95, -1.99]), 1e-6)
        p.grad = Tensor(shape: [2], data: [-0.2, 0.3])
        sgd.step([p])
        XCTAssertLessThan(maxAbsDifference(p.value.data, [0.925, -2.011]), 1e-6)
    }

    func testPlainSGDAndKindFactory() {
        let p = param([1, -2], [0.5, -0.1])
        let opt = OptimizerKind.sgd(momentum: 0).make(learningRate: 0.1)
        opt.step([p])
        XCTAssertLessThan(maxAbsDifference(p.value.data, [0.95, -1.99]), 1e-7)
        XCTAssertTrue(OptimizerKind.adam.make(learningRate: 1e-3) is Adam)
        opt.learningRate = 0.5
        XCTAssertEqual(opt.learningRate, 0.5)
    }

    /// Large parameters go through the SIMD, multi-threaded kernels (chunks of ≥ 2^18, odd
    /// length so chunk boundaries and tails are not multiples of 4); they must equal the plain
    /// Float formula bit for bit.
    func testChunkedKernelsEqualScalarFormula() {
        let n = 600_003
        var rng = SeededGenerator(seed: 3)
        let w0 = (0..<n).map { _ in Float(rng.normal()) }
        let g1 = (0..<n).map { _ in Float(rng.normal()) }, g2 = (0..<n).map { _ in Float(rng.normal()) }
        let p = param(w0, g1)
        let adam = Adam(learningRate: 0.01)
        adam.step([p])
        p.grad = Tensor(shape: [n], data: g2)
        adam.step([p])
        var w = w0, m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
        for (t, g) in [(1.0, g1), (2.0, g2)] {
            let lrT = Float(0.01 * (1 - pow(0.999, t)).squareRoot() / (1 - pow(0.9, t)))
            for i in 0..<n {
                m[i] += (g[i] - m[i]) * Float(1 - 0.9)
                v[i] += (g[i] * g[i] - v[i]) * Float(1 - 0.999)
                w[i] -= lrT * m[i] / (v[i].squareRoot() + Float(1e-7))
            }
        }
        XCTAssertEqual(p.value.data, w)

        let q = param(w0, g1)
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        sgd.step([q])
        q.grad = Tensor(shape: [n], data: g2)
        sgd.step([q])
        var ws = w0, vel = [Float](repeating: 0, count: n)
        for g in [g1, g2] { for i in 0..<n { vel[i] = 0.9 * vel[i] - 0.1 * g[i]; ws[i] += vel[i] } }
        XCTAssertEqual(q.value.data, ws)
    }

    func testOptimizerStateIsPerParameter() {
        // Two parameters with the same gradient history take identical Adam steps,
        // independent of being stepped together.
        let a = param([1], [0.3]), b = param([1], [0.3])
        let adam = Adam(learningRate: 0.01)
        adam.step([a, b])
        XCTAssertEqual(a.value.data, b.value.data)
    }
}

/// Loss values against closed forms and gradients against central finite differences.
final class TrainingLossTests: XCTestCase {
    private let logits = Tensor(shape: [3, 3], data: [0.3, -1.2, 2.0, -0.4, 0.1, 0.7, 1.5, -2.5, 0.2])
    private let multiHot = Tensor(shape: [3, 3], data: [1, 0, 1, 0, 0, 1, 1, 1, 0])
    private let oneHot = Tensor(shape: [3, 3], data: [0, 0, 1, 1, 0, 0, 0, 1, 0])
    private let weights = Tensor(shape: [3, 3], data: [1, 1, 1, 0.5, 0.5, 0.5, 2, 2, 2])

    private func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// Central differences in Double on Float logits, h = 1e-3.
    private func checkGradient(_ kind: LossKind, _ act: Activation, _ y: Tensor, _ w: Tensor?,
                               file: StaticString = #filePath, line: UInt = #line) {
        let (_, g) = Loss.compute(kind, logits: logits, activation: act, targets: y, weights: w)
        let h: Float = 1e-3
        var worst = 0.0
        for i in 0..<logits.count {
            var zp = logits, zm = logits
            zp.data[i] += h; zm.data[i] -= h
            let lp = Loss.compute(kind, logits: zp, activation: act, targets: y, weights: w).loss
            let lm = Loss.compute(kind, logits: zm, activation: act, targets: y, weights: w).loss
            let fd = (lp - lm) / Double(zp.data[i] - zm.data[i])
            worst = max(worst, abs(fd - Double(g.data[i])))
        }
        XCTAssertLessThan(worst, 2e-4, "\(kind) + \(act): max |analytic − finite difference| = \(worst)",
                          file: file, line: line)
    }

    func testGradientsMatchFiniteDifferencesForEveryPair() {
        for act in Activation.allCases {
            for w in [nil, weights] {
                checkGradient(.binaryCrossEntropy, act, multiHot, w)
                checkGradient(.binaryCrossEntropy, act, oneHot, w)
                checkGradient(.categoricalCrossEntropy, act, oneHot, w)
            }
        }
    }

    func testSigmoidBCEValueIsMeanOverUnitsThenBatch() {
        let (loss, _) = Loss.compute(.binaryCrossEntropy, logits: logits, activation: .sigmoid, targets: multiHot)
        var s = 0.0
        for i in 0..<9 {
            let p = sigmoid(Double(logits.data[i])), y = Double(multiHot.data[i])
            s += -(y * log(p) + (1 - y) * log(1 - p))
        }
        XCTAssertEqual(loss, s / 9, accuracy: 1e-12)
        // z = 0, y = 1: log 2.
        XCTAssertEqual(Loss.compute(.binaryCrossEntropy, logits: Tensor(shape: [1, 1], data: [0]),
                                    activation: .sigmoid, targets: Tensor(shape: [1, 1], data: [1])).loss, log(2), accuracy: 1e-12)
    }

    func testStableFromLogitsAtExtremeValues() {
        let z = Tensor(shape: [1, 2], data: [200, -200])
        let y = Tensor(shape: [1, 2], data: [0, 1])
        let (l, g) = Loss.compute(.binaryCrossEntropy, logits: z, activation: .sigmoid, targets: y)
        XCTAssertEqual(l, 200, accuracy: 1e-9)       // (200 + 200) / 2
        XCTAssertEqual(g.data, [0.5, -0.5])          // (σ(z) − y)/2
        let (lc, gc) = Loss.compute(.categoricalCrossEntropy, logits: z, activation: .softmax,
                                    targets: Tensor(shape: [1, 2], data: [0, 1]))
        XCTAssertEqual(lc, 400, accuracy: 1e-9)
        XCTAssertEqual(gc.data, [1, -1])
    }

    func testSoftmaxCCEValue() {
        let (loss, _) = Loss.compute(.categoricalCrossEntropy, logits: logits, activation: .softmax, targets: oneHot)
        var s = 0.0
        for r in 0..<3 {
            let row = (0..<3).map { Double(logits.data[r * 3 + $0]) }
            let lse = log(row.map { exp($0) }.reduce(0, +))
            for j in 0..<3 { s -= Double(oneHot.data[r * 3 + j]) * (row[j] - lse) }
        }
        XCTAssertEqual(loss, s / 3, accuracy: 1e-12)
    }

    /// The study's softmax + BCE: Keras clips the softmax probabilities to [1e-7, 1 − 1e-7]
    /// and averages the per-unit BCE. For a 2-unit head with one-hot y this is
    /// −log(p_true), the same value as CCE, as long as nothing is clipped.
    func testSoftmaxBCEMatchesKerasOnProbabilities() {
        let z = Tensor(shape: [2, 2], data: [0.4, -0.3, 1.1, 2.0])
        let y = Tensor(shape: [2, 2], data: [1, 0, 1, 0])
        let bce = Loss.compute(.binaryCrossEntropy, logits: z, activation: .softmax, targets: y).loss
        let p0 = 1 / (1 + exp(-0.7)), p1 = 1 / (1 + exp(0.9))
        XCTAssertEqual(bce, (-log(p0) - log(p1)) / 2, accuracy: 1e-6)
        // Saturated: the clip bounds the loss at −log(1e-7) and zeroes the gradient.
        let s = Tensor(shape: [1, 2], data: [-40, 40])
        let (l, g) = Loss.compute(.binaryCrossEntropy, logits: s, activation: .softmax,
                                  targets: Tensor(shape: [1, 2], data: [1, 0]))
        XCTAssertEqual(l, -log(1e-7), accuracy: 1e-4)
        XCTAssertEqual(g.data, [0, 0])
    }

    /// sigmoid + CCE: Keras renormalises q = p/Σp, clips and sums −y·log q.
    func testSigmoidCCEValue() {
        let z = Tensor(shape: [1, 3], data: [0.2, -1.0, 0.5])
        let y = Tensor(shape: [1, 3], data: [0, 0, 1])
        let p = z.data.map { sigmoid(Double($0)) }
        let expected = -log(p[2] / p.reduce(0, +))
        XCTAssertEqual(Loss.compute(.categoricalCrossEntropy, logits: z, activation: .sigmoid, targets: y).loss,
                       expected, accuracy: 1e-6)
    }

    /// Keras 3.15 / TF 2.21 goldens: Dense(2) with identity kernel and zero bias, inputs
    /// (0.4, −0.3), (1.1, 2.0), (0.2, 0.1), targets (1,0), (1,0), (0,1), `model.evaluate`:
    ///     softmax + binary_crossentropy       0.8206949234008789   (cached logits → sigmoid-BCE)
    ///     sigmoid + categorical_crossentropy  0.7962455749511719   (cached logits → softmax-CCE)
    ///     softmax + categorical_crossentropy  0.7962455749511719
    ///     sigmoid + binary_crossentropy       0.8206949234008789
    ///     sigmoid + BCE with class_weight {0: 2, 1: 0.5} in `fit`: 1.2807559967041016 (Σ w·ℓ / B)
    /// On clipped probabilities (Keras 2) softmax + BCE is 0.7962455 (= CCE for 2 units).
    func testAgainstKeras3Goldens() {
        let z = Tensor(shape: [3, 2], data: [0.4, -0.3, 1.1, 2.0, 0.2, 0.1])
        let y = Tensor(shape: [3, 2], data: [1, 0, 1, 0, 0, 1])
        func loss(_ k: LossKind, _ a: Activation, _ m: MixedLossSemantics, _ w: Tensor? = nil) -> Double {
            Loss.compute(k, logits: z, activation: a, targets: y, weights: w, mixed: m).loss
        }
        XCTAssertEqual(loss(.binaryCrossEntropy, .softmax, .cachedLogits), 0.8206949234008789, accuracy: 1e-6)
        XCTAssertEqual(loss(.categoricalCrossEntropy, .sigmoid, .cachedLogits), 0.7962455749511719, accuracy: 1e-6)
        XCTAssertEqual(loss(.categoricalCrossEntropy, .softmax, .clippedProbabilities), 0.7962455749511719, accuracy: 1e-6)
        XCTAssertEqual(loss(.binaryCrossEntropy, .sigmoid, .clippedProbabilities), 0.8206949234008789, accuracy: 1e-6)
        XCTAssertEqual(loss(.binaryCrossEntropy, .softmax, .clippedProbabilities), 0.7962455205299249, accuracy: 1e-6)
        let w = Tensor(shape: [3, 2], data: [2, 2, 2, 2, 0.5, 0.5])
        XCTAssertEqual(loss(.binaryCrossEntropy, .sigmoid, .clippedProbabilities, w), 1.2807559967041016, accuracy: 1e-6)
        // Gradients of the cached-logits variants are the stable ones.
        let g = Loss.compute(.binaryCrossEntropy, logits: z, activation: .softmax, targets: y, mixed: .cachedLogits).gradient
        for i in 0..<6 {
            let expected = (1 / (1 + exp(-Double(z.data[i]))) - Double(y.data[i])) / 6
            XCTAssertEqual(Double(g.data[i]), expected, accuracy: 1e-7)
        }
    }
}
