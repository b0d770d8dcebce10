import XCTest
import TestSupport
@testable import NN

// MARK: - Test-only layers (naive loops; the real layers live elsewhere)

/// y = act(x·W + b) with W (in, out) and b (out); a `FusedActivationLayer` for trainer tests.
final class TrainingTestDense: FusedActivationLayer {
    var name: String = ""
    var typeName: String { "Dense" }
    var parameters: [Parameter] = []
    let units: Int
    let activation: Activation
    var emitsLogits = false
    private var inputs = Tensor(zeros: [0])
    private var outputs = Tensor(zeros: [0])

    init(_ units: Int, activation: Activation) {
        self.units = units
        self.activation = activation
    }

    func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        guard inputShape.count == 1 else { throw ShapeError(layer: name, input: inputShape, expected: "(features)") }
        let fanIn = inputShape[0]
        let limit = (6.0 / Double(fanIn + units)).squareRoot()   // Glorot uniform
        let w = (0..<(fanIn * units)).map { _ in Float(rng.uniform(-limit, limit)) }
        parameters = [Parameter(name: "kernel", value: Tensor(shape: [fanIn, units], data: w)),
                      Parameter(name: "bias", value: Tensor(zeros: [units]))]
        return [units]
    }

    func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let b = x.batch, n = x.itemSize
        let w = parameters[0].value.data, bias = parameters[1].value.data
        var z = Tensor(zeros: [b, units])
        for i in 0..<b {
            for o in 0..<units {
                var s = bias[o]
                for k in 0..<n { s += x.data[i * n + k] * w[k * units + o] }
                z.data[i * units + o] = s
            }
        }
        inputs = x
        outputs = emitsLogits ? z : Loss.activate(z, activation)
        return outputs
    }

    func backward(_ dy: Tensor) -> Tensor {
        let b = inputs.batch, n = inputs.itemSize
        var dz = dy
        if !emitsLogits {
            let y = outputs
            for i in 0..<b {
                switch activation {
                case .linear: break
                case .relu: for o in 0..<units where y.data[i * units + o] <= 0 { dz.data[i * units + o] = 0 }
                case .sigmoid:
                    for o in 0..<units { let p = y.data[i * units + o]; dz.data[i * units + o] *= p * (1 - p) }
                case .softmax:
                    var dot: Float = 0
                    for o in 0..<units { dot += dy.data[i * units + o] * y.data[i * units + o] }
                    for o in 0..<units { dz.data[i * units + o] = y.data[i * units + o] * (dy.data[i * units + o] - dot) }
                }
            }
        }
        let w = parameters[0].value.data
        var dx = Tensor(zeros: inputs.shape)
        for i in 0..<b {
            for o in 0..<units {
                let g = dz.data[i * units + o]
                parameters[1].grad.data[o] += g
                for k in 0..<n {
                    parameters[0].grad.data[k * units + o] += inputs.data[i * n + k] * g
                    dx.data[i * n + k] += w[k * units + o] * g
                }
            }
        }
        return dx
    }
}

/// Identity that, in training mode, moves a non-trainable running mean of its input toward
/// the batch mean (momentum 0.9) — stands in for BatchNorm's moving statistics.
final class TrainingTestRunningMean: Layer {
    var name: String = ""
    var typeName: String { "RunningMean" }
    var parameters: [Parameter] = []

    func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        parameters = [Parameter(name: "moving_mean", value: Tensor(zeros: inputShape), trainable: false)]
        return inputShape
    }

    func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if mode == .training {
            let n = x.itemSize
            for k in 0..<n {
                var s: Float = 0
                for i in 0..<x.batch { s += x.data[i * n + k] }
                parameters[0].value.data[k] = 0.9 * parameters[0].value.data[k] + 0.1 * s / Float(x.batch)
            }
        }
        return x
    }

    func backward(_ dy: Tensor) -> Tensor { dy }
}

// MARK: - Data

/// Two Gaussian blobs in 2-D, centred at (−1.5, −1.5) (label 0) and (+1.5, +1.5) (label 1).
func trainingTestBlobs(_ n: Int, seed: UInt64) -> (x: Tensor, labels: [Float]) {
    var rng = SeededGenerator(seed: seed, stream: "blobs")
    var x = [Float](), labels = [Float]()
    for i in 0..<n {
        let c: Float = i % 2 == 0 ? 1 : 0
        let centre: Double = c == 1 ? 1.5 : -1.5
        x += [Float(centre + 0.6 * rng.normal()), Float(centre + 0.6 * rng.normal())]
        labels.append(c)
    }
    return (Tensor(shape: [n, 2], data: x), labels)
}

func trainingTestTwoClass(_ labels: [Float]) -> Tensor {
    Tensor(shape: [labels.count, 2], data: labels.flatMap { [1 - $0, $0] })
}

func trainingTestModel(seed: UInt64, head: Int, activation: Activation, runningMean: Bool = false) -> Sequential {
    var layers: [Layer] = []
    if runningMean { layers.append(TrainingTestRunningMean()) }
    layers += [TrainingTestDense(8, activation: .relu), TrainingTestDense(head, activation: activation)]
    return try! Sequential(name: "tiny", inputShape: [2], layers: layers, seed: seed)
}

// MARK: - Tests

final class TrainingTests: XCTestCase {
    func testSmallNetFitsSeparableProblemMultiLabelSigmoid() {
        let train = trainingTestBlobs(128, seed: 1), val = trainingTestBlobs(64, seed: 2)
        let model = trainingTestModel(seed: 3, head: 1, activation: .sigmoid)
        let config = TrainingConfig(epochs: 15, batchSize: 16, learningRate: 0.01, seed: 4)
        let trainer = Trainer(model: model, config: config, encoding: .multiLabel)
        var progressCalls = 0
        let history = trainer.fit(x: train.x, y: Tensor(shape: [128, 1], data: train.labels),
                                  validation: (val.x, Tensor(shape: [64, 1], data: val.labels)),
                                  progress: { p in
                                      progressCalls += 1
                                      XCTAssertEqual(p.batchesPerEpoch, 8)
                                      XCTAssertTrue((1...8).contains(p.batch))
                                  })
        XCTAssertEqual(progressCalls, 15 * 8)
        XCTAssertEqual(history.epochs.count, 15)
        XCTAssertNil(history.diverged)
        XCTAssertLessThan(history.epochs.last!.trainLoss, 0.5 * history.epochs.first!.trainLoss)
        XCTAssertGreaterThanOrEqual(history.epochs.last!.valF1[0], 0.95)
        XCTAssertGreaterThan(history.imagesPerSecond, 0)
        XCTAssertFalse((model.layers.last as! TrainingTestDense).emitsLogits, "fit must restore emitsLogits")
        // Probabilities through the public API agree with the F1 in the history.
        let probs = predictProbabilities(model, val.x, batchSize: 10)
        XCTAssertEqual(probs.shape, [64, 1])
        let f1 = BinaryMetrics(truth: val.labels, scores: positiveScores(probs, encoding: .multiLabel)[0]).f1
        XCTAssertEqual(f1, history.epochs.last!.valF1[0], accuracy: 1e-12)
    }

    func testSmallNetFitsTwoClassSoftmaxWithBCEAndCCE() {
        let train = trainingTestBlobs(128, seed: 5), val = trainingTestBlobs(64, seed: 6)
        for loss in [LossKind.binaryCrossEntropy, .categoricalCrossEntropy] {
            let model = trainingTestModel(seed: 7, head: 2, activation: .softmax)
            let config = TrainingConfig(epochs: 12, batchSize: 16, learningRate: 0.01, loss: loss, seed: 8)
            let history = Trainer(model: model, config: config, encoding: .twoClass)
                .fit(x: train.x, y: trainingTestTwoClass(train.labels), validation: (val.x, trainingTestTwoClass(val.labels)))
            XCTAssertEqual(history.epochs.last!.valF1.count, 1)
            XCTAssertGreaterThanOrEqual(history.epochs.last!.valF1[0], 0.95, "\(loss)")
            XCTAssertLessThan(history.epochs.last!.valLoss!, history.epochs.first!.valLoss!, "\(loss)")
            let probs = predictProbabilities(model, val.x)
            for i in 0..<64 { XCTAssertEqual(probs.data[2 * i] + probs.data[2 * i + 1], 1, accuracy: 1e-5) }
        }
    }

    func testSGDMomentumTrainerAlsoFits() {
        let train = trainingTestBlobs(96, seed: 9), val = trainingTestBlobs(32, seed: 10)
        let model = trainingTestModel(seed: 11, head: 1, activation: .sigmoid)
        let config = TrainingConfig(epochs: 10, batchSize: 8, learningRate: 0.05, optimizer: .sgd(momentum: 0.9), seed: 12)
        let h = Trainer(model: model, config: config, encoding: .multiLabel)
            .fit(x: train.x, y: Tensor(shape: [96, 1], data: train.labels),
                 validation: (val.x, Tensor(shape: [32, 1], data: val.labels)))
        XCTAssertGreaterThanOrEqual(h.epochs.last!.valF1[0], 0.95)
    }

    func testDeterminismSameSeedSameHistoryAndWeights() {
        let train = trainingTestBlobs(64, seed: 13), val = trainingTestBlobs(32, seed: 14)
        func run() -> (TrainingHistory, [Tensor]) {
            let model = trainingTestModel(seed: 15, head: 2, activation: .softmax, runningMean: true)
            let config = TrainingConfig(epochs: 4, batchSize: 10, learningRate: 0.01, classWeighting: true, seed: 16)
            let h = Trainer(model: model, config: config, encoding: .twoClass)
                .fit(x: train.x, y: trainingTestTwoClass(train.labels), validation: (val.x, trainingTestTwoClass(val.labels)),
                     batchTransform: { x, rng in
                         for i in x.data.indices { x.data[i] += Float(0.1 * rng.normal()) }
                     })
            return (h, model.parameters.map(\.value))
        }
        let (h1, w1) = run(), (h2, w2) = run()
        XCTAssertEqual(w1, w2)
        XCTAssertEqual(h1.epochs.map(\.trainLoss), h2.epochs.map(\.trainLoss))
        XCTAssertEqual(h1.epochs.map(\.valLoss), h2.epochs.map(\.valLoss))
        XCTAssertEqual(h1.epochs.map(\.valF1), h2.epochs.map(\.valF1))
        XCTAssertEqual(h1.bestEpoch, h2.bestEpoch)
        // A different seed shuffles differently.
        let model = trainingTestModel(seed: 15, head: 2, activation: .softmax, runningMean: true)
        let h3 = Trainer(model: model, config: TrainingConfig(epochs: 4, batchSize: 10, learningRate: 0.01,
                                                              classWeighting: true, seed: 17), encoding: .twoClass)
            .fit(x: train.x, y: trainingTestTwoClass(train.labels), validation: (val.x, trainingTestTwoClass(val.labels)))
        XCTAssertNotEqual(h1.epochs.map(\.trainLoss), h3.epochs.map(\.trainLoss))
    }

    func testBatchTransformSeesEveryTrainingBatch() {
        let train = trainingTestBlobs(50, seed: 18)
        let model = trainingTestModel(seed: 19, head: 1, activation: .sigmoid)
        var sizes: [Int] = []
        _ = Trainer(model: model, config: TrainingConfig(epochs: 2, batchSize: 16, seed: 20), encoding: .multiLabel)
            .fit(x: train.x, y: Tensor(shape: [50, 1], data: train.labels), validation: nil,
                 batchTransform: { x, _ in sizes.append(x.batch) })
        XCTAssertEqual(sizes, [16, 16, 16, 2, 16, 16, 16, 2])
    }

    func testDivergenceIsRecordedNotACrash() {
        let train = trainingTestBlobs(64, seed: 21)
        let model = trainingTestModel(seed: 22, head: 1, activation: .sigmoid, runningMean: true)
        let config = TrainingConfig(epochs: 5, batchSize: 8, learningRate: 1e38, optimizer: .sgd(momentum: 0), seed: 23)
        var lastGoodMean: [Float] = []
        var meanSeenByBatch: [[Float]] = []
        let h = Trainer(model: model, config: config, encoding: .multiLabel)
            .fit(x: train.x, y: Tensor(shape: [64, 1], data: train.labels), validation: (train.x, Tensor(shape: [64, 1], data: train.labels)),
                 batchTransform: { _, _ in meanSeenByBatch.append(model.parameters[0].value.data) })
        lastGoodMean = meanSeenByBatch.last!
        XCTAssertNotNil(h.diverged)
        XCTAssertEqual(h.divergenceMessage, "diverged at epoch \(h.diverged!)")
        XCTAssertLessThan(h.epochs.count, 5)
        XCTAssertEqual(h.epochs.count, h.diverged! - 1, "only completed epochs are recorded")
        XCTAssertNoThrow(try JSONEncoder().encode(h), "a diverged history still encodes")
        // The bad batch's update of the non-trainable running mean was undone.
        XCTAssertEqual(model.parameters[0].value.data, lastGoodMean)
        XCTAssertFalse((model.layers.last as! TrainingTestDense).emitsLogits)
    }

    func testEarlyStoppingRestoresBestWeightsIncludingNonTrainable() {
        // Validation labels are the training labels flipped: fitting the training set makes the
        // validation loss rise after the first epoch, so training stops early.
        let train = trainingTestBlobs(64, seed: 24)
        let flipped = train.labels.map { 1 - $0 }
        let model = trainingTestModel(seed: 25, head: 1, activation: .sigmoid, runningMean: true)
        let config = TrainingConfig(epochs: 30, batchSize: 8, learningRate: 0.02,
                                    earlyStopping: EarlyStopping(patience: 2, minDelta: 0.001, restoreBestWeights: true),
                                    seed: 26)
        let trainer = Trainer(model: model, config: config, encoding: .multiLabel)
        let y = Tensor(shape: [64, 1], data: train.labels), yVal = Tensor(shape: [64, 1], data: flipped)
        let h = trainer.fit(x: train.x, y: y, validation: (train.x, yVal))
        XCTAssertTrue(h.stoppedEarly)
        let best = try! XCTUnwrap(h.bestEpoch)
        XCTAssertEqual(h.epochs.count, best + 2)
        XCTAssertLessThan(best, h.epochs.count)
        // The restored weights (running mean included) reproduce the best epoch's val loss exactly.
        let (loss, _) = trainer.evaluate(x: train.x, y: yVal)
        XCTAssertEqual(loss, h.epochs[best - 1].valLoss!, accuracy: 1e-12)
        XCTAssertNotEqual(loss, h.epochs.last!.valLoss!)
    }

    /// Every scripted sequence here and in the next test was also fed to Keras 3.15's own
    /// `EarlyStopping` / `ReduceLROnPlateau` through `on_epoch_end(e, {"val_loss": l})`, which
    /// gave the same best epochs, stop decisions and learning rates.
    func testEarlyStoppingMonitorOnScriptedLosses() {
        var m = EarlyStoppingMonitor(EarlyStopping(patience: 3, minDelta: 0.001))
        let losses = [1.0, 0.9, 0.8995, 0.95, 0.9]
        let decisions = losses.enumerated().map { m.update(epoch: $0.offset + 1, valLoss: $0.element) }
        // 0.8995 is not below 0.9 − 0.001, so it is not an improvement.
        XCTAssertEqual(decisions, [.improved, .improved, .keepGoing, .keepGoing, .stop])
        XCTAssertEqual(m.bestEpoch, 2)
        XCTAssertEqual(m.best, 0.9)

        // Patience 0 stops at the first non-improving epoch, never after epoch 1 (Keras: epoch > 0).
        var z = EarlyStoppingMonitor(EarlyStopping(patience: 0, minDelta: 0))
        XCTAssertEqual(z.update(epoch: 1, valLoss: .nan), .keepGoing)
        XCTAssertEqual(z.update(epoch: 2, valLoss: 1), .improved)
        XCTAssertEqual(z.update(epoch: 3, valLoss: 1), .stop)

        // An improvement resets the wait.
        var r = EarlyStoppingMonitor(EarlyStopping(patience: 2, minDelta: 0))
        let d = [3.0, 4, 2, 5, 5].enumerated().map { r.update(epoch: $0.offset + 1, valLoss: $0.element) }
        XCTAssertEqual(d, [.improved, .keepGoing, .improved, .keepGoing, .stop])
    }

    func testReduceLROnPlateauOnScriptedLosses() {
        var m = ReduceLROnPlateauMonitor(ReduceLROnPlateau(patience: 1, factor: 0.5, minLR: 0.01))
        var lr = 0.1
        var lrs: [Double] = []
        for loss in [1.0, 1.0, 1.0, 0.5, 0.6, 0.7, 0.8] {
            lr = m.update(valLoss: loss, learningRate: lr)
            lrs.append(lr)
        }
        XCTAssertEqual(lrs, [0.1, 0.05, 0.025, 0.025, 0.0125, 0.01, 0.01])

        // The study's settings: lr = minLR = 1e-3, patience 0 — never reduces.
        var s = ReduceLROnPlateauMonitor(ReduceLROnPlateau())
        var slr = 1e-3
        for loss in [1.0, 2, 3, 4] { slr = s.update(valLoss: loss, learningRate: slr) }
        XCTAssertEqual(slr, 1e-3)

        // Cooldown 2: after a reduction two epochs are not counted.
        var c = ReduceLROnPlateauMonitor(ReduceLROnPlateau(patience: 0, factor: 0.1, minLR: 1e-6, cooldown: 2))
        var clr = 1.0
        var seq: [Double] = []
        for _ in 0..<6 { clr = c.update(valLoss: 1, learningRate: clr); seq.append(clr) }
        // epoch 1 improves (from ∞); 2 reduces; 3 and 4 in cooldown (counter 2 → 1 → 0, the
        // second decrement ends it so epoch 4 already counts, as in Keras); 4 reduces; 5 cooldown; 6 reduces.
        XCTAssertEqual(seq.map { ($0 * 1e6).rounded() / 1e6 }, [1, 0.1, 0.1, 0.01, 0.01, 0.001])
    }

    func testReduceLROnPlateauInsideFitChangesRecordedLearningRate() {
        let train = trainingTestBlobs(32, seed: 27)
        let flipped = Tensor(shape: [32, 1], data: train.labels.map { 1 - $0 })
        let model = trainingTestModel(seed: 28, head: 1, activation: .sigmoid)
        let config = TrainingConfig(epochs: 4, batchSize: 8, learningRate: 0.01,
                                    reduceLROnPlateau: ReduceLROnPlateau(patience: 0, factor: 0.5, minLR: 1e-4), seed: 29)
        let h = Trainer(model: model, config: config, encoding: .multiLabel)
            .fit(x: train.x, y: Tensor(shape: [32, 1], data: train.labels), validation: (train.x, flipped))
        XCTAssertEqual(h.epochs.first!.learningRate, 0.01)
        // Validation loss rises every epoch after the first, so each later epoch halves the rate.
        XCTAssertEqual(h.epochs.map(\.learningRate), [0.01, 0.01, 0.005, 0.0025])
    }

    func testClassWeightsBalanced() {
        let model = trainingTestModel(seed: 30, head: 2, activation: .softmax)
        let trainer = Trainer(model: model, config: TrainingConfig(epochs: 1), encoding: .twoClass)
        // 1 positive, 3 negatives: w1 = 4/(2·1) = 2, w0 = 4/(2·3) = 2/3.
        let w = trainer.classWeights(trainingTestTwoClass([0, 1, 0, 0]))
        let t = Float(2.0 / 3.0)
        XCTAssertEqual(w.data, [t, t, 2, 2, t, t, t, t])

        let multi = Trainer(model: trainingTestModel(seed: 31, head: 2, activation: .sigmoid),
                            config: TrainingConfig(epochs: 1), encoding: .multiLabel)
        // Column 0: 2 of 4 positive → 1, 1. Column 1: 3 of 4 positive → 4/6, negatives 4/2.
        let y = Tensor(shape: [4, 2], data: [1, 1, 0, 1, 1, 0, 0, 1])
        let wm = multi.classWeights(y)
        XCTAssertEqual(wm.data, [1, t, 1, t, 1, 2, 1, t])

        // Weighted BCE = (1/B)·Σ_i w_i·BCE_i, Keras's sum_over_batch_size with sample weights.
        let logits = Tensor(shape: [4, 2], data: [0.3, -0.2, 1.0, 0.5, -0.7, 0.1, 0.0, 2.0])
        let weighted = Loss.compute(.binaryCrossEntropy, logits: logits, activation: .sigmoid, targets: y, weights: wm).loss
        var expected = 0.0
        for i in 0..<8 {
            let p = 1 / (1 + exp(-Double(logits.data[i]))), t = Double(y.data[i])
            expected += Double(wm.data[i]) * -(t * log(p) + (1 - t) * log(1 - p))
        }
        XCTAssertEqual(weighted, expected / 8, accuracy: 1e-9)
    }

    func testClassWeightingShiftsDecisionsTowardRareClass() {
        // 90 % negatives: without weights a weak model leans negative; balanced weights raise
        // the mean predicted positive probability.
        var rng = SeededGenerator(seed: 32)
        let n = 100
        let xs = (0..<(2 * n)).map { _ in Float(rng.normal()) }
        let labels: [Float] = (0..<n).map { $0 % 10 == 0 ? 1 : 0 }
        let x = Tensor(shape: [n, 2], data: xs), y = Tensor(shape: [n, 1], data: labels)
        func meanScore(_ weighting: Bool) -> Float {
            let model = trainingTestModel(seed: 33, head: 1, activation: .sigmoid)
            _ = Trainer(model: model, config: TrainingConfig(epochs: 30, batchSize: 20, learningRate: 0.02,
                                                             classWeighting: weighting, seed: 34), encoding: .multiLabel)
                .fit(x: x, y: y, validation: nil)
            let p = predictProbabilities(model, x).data
            return p.reduce(0, +) / Float(n)
        }
        let plain = meanScore(false), weighted = meanScore(true)
        // Unweighted, the best constant is the positive rate 0.1; balanced weights move it to 0.5.
        XCTAssertLessThan(plain, 0.2, "unweighted mean score")
        XCTAssertGreaterThan(weighted, plain + 0.15, "weighted mean score")
    }

    func testPositiveScores() {
        let p = Tensor(shape: [3, 2], data: [0.9, 0.1, 0.4, 0.6, 0.5, 0.5])
        XCTAssertEqual(positiveScores(p, encoding: .twoClass), [[0.1, 0.6, 0.5]])
        XCTAssertEqual(positiveScores(p, encoding: .multiLabel), [[0.9, 0.4, 0.5], [0.1, 0.6, 0.5]])
    }

    func testHistoryCodableRoundTrip() throws {
        let h = TrainingHistory(epochs: [EpochRecord(epoch: 1, trainLoss: 0.5, valLoss: 0.6, valF1: [0.7],
                                                     learningRate: 1e-3, seconds: 1.5)],
                                bestEpoch: 1, stoppedEarly: false, diverged: nil, imagesPerSecond: 100)
        let back = try JSONDecoder().decode(TrainingHistory.self, from: JSONEncoder().encode(h))
        XCTAssertEqual(back, h)
        XCTAssertNil(back.divergenceMessage)
        let c = TrainingConfig(epochs: 10, optimizer: .sgd(momentum: 0.9), earlyStopping: EarlyStopping(),
                               reduceLROnPlateau: ReduceLROnPlateau(), seed: 7)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(c)), c)
    }

    /// The whole loop against Keras 3.15 / TensorFlow 2.21 `fit` from the same initial weights
    /// (this model saved with `Safetensors.save`, loaded with docs/weights.md's
    /// `load_into_keras`), data `trainingTestBlobs(40, seed: 41)` / `(20, seed: 42)`,
    /// `shuffle=False`, batch 16 (last batch 8), 3 epochs:
    ///   A: Dense(8, relu) → Dense(2, softmax), binary_crossentropy, Adam(0.01),
    ///      class_weight {0: n/(2·n0), 1: n/(2·n1)}, validation_data — Keras 3 computes softmax +
    ///      BCE from the cached logits, hence `mixedLoss: .cachedLogits`.
    ///   B: Dense(8, relu) → Dense(1, sigmoid), binary_crossentropy, SGD(0.05, momentum=0.9).
    /// Keras's `history.history["loss"]`, `["val_loss"]` and final weights are below. Script
    /// (after writing both initial models with `Safetensors.save` and the blobs as text):
    ///
    ///     ma = keras.Sequential([keras.Input((2,)), L.Dense(8, activation="relu"), L.Dense(2, activation="softmax")])
    ///     load_into_keras(ma, "a.safetensors")
    ///     ma.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    ///     cw = {0: n / (2 * (n - pos)), 1: n / (2 * pos)}
    ///     h = ma.fit(x, onehot(lab), batch_size=16, epochs=3, shuffle=False, class_weight=cw,
    ///                validation_data=(xv, onehot(labv)))
    ///     mb = keras.Sequential([keras.Input((2,)), L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")])
    ///     load_into_keras(mb, "b.safetensors")
    ///     mb.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="binary_crossentropy")
    ///     h = mb.fit(x, lab.reshape(-1, 1), batch_size=16, epochs=3, shuffle=False,
    ///                validation_data=(xv, labv.reshape(-1, 1)))
    ///     print(h.history["loss"], h.history["val_loss"], [w.ravel().tolist() for w in m.get_weights()])
    func testMatchesKerasFitFromSameWeights() {
        let train = trainingTestBlobs(40, seed: 41), val = trainingTestBlobs(20, seed: 42)
        let a = trainingTestModel(seed: 43, head: 2, activation: .softmax)
        let ha = Trainer(model: a, config: TrainingConfig(epochs: 3, batchSize: 16, learningRate: 0.01,
                                                          mixedLoss: .cachedLogits, classWeighting: true,
                                                          shuffle: false), encoding: .twoClass)
            .fit(x: train.x, y: trainingTestTwoClass(train.labels), validation: (val.x, trainingTestTwoClass(val.labels)))
        XCTAssertLessThan(maxAbsDifference(ha.epochs.map { Float($0.trainLoss) },
                                           [0.5698665976524353, 0.49325260519981384, 0.420523464679718]), 1e-5)
        XCTAssertLessThan(maxAbsDifference(ha.epochs.map { Float($0.valLoss!) },
                                           [0.5306348204612732, 0.45575737953186035, 0.38390618562698364]), 1e-5)
        let kerasA: [Float] = [
            -0.2568489909172058, 0.676632285118103, -0.6027101874351501, 0.05225403979420662, -0.7802652716636658,
            -0.41671887040138245, 0.14959007501602173, 0.17644548416137695, -0.22206628322601318, 0.6099177002906799,
            0.08369360119104385, 0.21750162541866302, -0.03560889512300491, 0.7879934906959534, 0.27210745215415955,
            0.7287817001342773,
            -0.08755692839622498, 0.09011426568031311, 0.08947224169969559, 0.0901561975479126, 0.0900796502828598,
            0.07253335416316986, 0.0049277707003057, 0.09075045585632324,
            -0.1599816232919693, 0.33626461029052734, -0.14271239936351776, 0.31130269169807434, 0.41820353269577026,
            -0.614234447479248, 0.28665831685066223, 0.6993026733398438, 0.23923194408416748, -0.2729804813861847,
            -0.5588024854660034, 0.13652671873569489, -0.14041265845298767, -0.009947906248271465, -0.13432355225086212,
            0.184724822640419,
            0.0832262635231018, -0.08808497339487076]
        XCTAssertLessThan(maxAbsDifference(a.parameters.flatMap(\.value.data), kerasA), 1e-5)

        let b = trainingTestModel(seed: 44, head: 1, activation: .sigmoid)
        let hb = Trainer(model: b, config: TrainingConfig(epochs: 3, batchSize: 16, learningRate: 0.05,
                                                          optimizer: .sgd(momentum: 0.9), shuffle: false),
                         encoding: .multiLabel)
            .fit(x: train.x, y: Tensor(shape: [40, 1], data: train.labels),
                 validation: (val.x, Tensor(shape: [20, 1], data: val.labels)))
        XCTAssertLessThan(maxAbsDifference(hb.epochs.map { Float($0.trainLoss) },
                                           [0.805676281452179, 0.4375385642051697, 0.1693071871995926]), 1e-5)
        XCTAssertLessThan(maxAbsDifference(hb.epochs.map { Float($0.valLoss!) },
                                           [0.5672268867492676, 0.22040912508964539, 0.0801287442445755]), 1e-5)
        let kerasB: [Float] = [
            -0.095828115940094, 0.4123203456401825, -0.3199203908443451, -0.25866246223449707, 0.3069787621498108,
            -0.7428697347640991, -0.8856148719787598, 0.18916171789169312, -0.36375629901885986, 0.8205447196960449,
            0.467134028673172, 0.3441128432750702, -0.26075464487075806, -0.737973153591156, 0.0728464126586914,
            0.4212345480918884,
            -0.1388676017522812, 0.17678110301494598, -0.03821822255849838, -0.13224029541015625, -0.2666398584842682,
            0.16496188938617706, 0.06149965897202492, 0.17504280805587769,
            0.33113735914230347, 0.8647825121879578, 0.07042788714170456, -0.0764569491147995, -0.29035085439682007,
            -0.972062885761261, -0.7702028751373291, 0.533118486404419,
            0.17495787143707275]
        XCTAssertLessThan(maxAbsDifference(b.parameters.flatMap(\.value.data), kerasB), 1e-5)
    }
}
