/// How targets encode the labels.
public enum TargetEncoding: String, Codable, Sendable {
    /// Targets (N, 2) one-hot, one network per label; the label's positive probability is column 1.
    case twoClass
    /// Targets (N, k) of 0/1, one label per column (a joint sigmoid head).
    case multiLabel
}

/// Everything that defines a training run.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var optimizer: OptimizerKind
    public var loss: LossKind
    /// How softmax + BCE / sigmoid + CCE are computed: `.clippedProbabilities` (default,
    /// standalone Keras 2.x) or `.cachedLogits` (Keras 3, as the anchors' TensorFlow 2.21 does).
    public var mixedLoss: MixedLossSemantics
    public var earlyStopping: EarlyStopping?
    public var reduceLROnPlateau: ReduceLROnPlateau?
    /// Balanced class weights from the training label counts, Keras `class_weight` style:
    /// w_c = N / (2·count_c). twoClass: one weight per sample from its label; multiLabel:
    /// per column j, positives get N/(2·P_j) and negatives N/(2·(N − P_j)). A class with no
    /// samples gets weight 1 (it never occurs). Validation loss is never weighted (as Keras).
    public var classWeighting: Bool
    /// Reshuffle the training set at the start of every epoch (seeded).
    public var shuffle: Bool
    /// Seeds shuffling (stream "trainer/shuffle") and batch augmentation ("trainer/augment").
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int = 32, learningRate: Double = 1e-3,
                optimizer: OptimizerKind = .adam, loss: LossKind = .binaryCrossEntropy,
                mixedLoss: MixedLossSemantics = .clippedProbabilities,
                earlyStopping: EarlyStopping? = nil, reduceLROnPlateau: ReduceLROnPlateau? = nil,
                classWeighting: Bool = false, shuffle: Bool = true, seed: UInt64 = 0) {
        precondition(epochs >= 1, "TrainingConfig: epochs must be ≥ 1, got \(epochs)")
        precondition(batchSize >= 1, "TrainingConfig: batchSize must be ≥ 1, got \(batchSize)")
        precondition(learningRate > 0, "TrainingConfig: learningRate must be > 0, got \(learningRate)")
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.loss = loss
        self.mixedLoss = mixedLoss
        self.earlyStopping = earlyStopping
        self.reduceLROnPlateau = reduceLROnPlateau
        self.classWeighting = classWeighting
        self.shuffle = shuffle
        self.seed = seed
    }
}

/// One completed epoch.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    /// Mean training loss over the epoch's batches, weighted by batch size (Keras's `loss`),
    /// class weights included when used.
    public var trainLoss: Double
    /// Unweighted validation loss in inference mode (Keras's `val_loss`); nil without
    /// validation data, or when it was NaN/infinite (then `TrainingHistory.diverged` is this epoch).
    public var valLoss: Double?
    /// Validation F1 per label at threshold 0.5 (positive iff probability ≥ 0.5).
    public var valF1: [Double]
    /// The learning rate used during this epoch.
    public var learningRate: Double
    /// Wall time of the epoch, validation included.
    public var seconds: Double
}

/// The result of `Trainer.fit`.
public struct TrainingHistory: Codable, Sendable, Equatable {
    public var epochs: [EpochRecord]
    /// 1-based epoch of the best validation loss (EarlyStopping's best when configured,
    /// otherwise the first epoch with the lowest validation loss); nil without validation.
    public var bestEpoch: Int?
    public var stoppedEarly: Bool
    /// 1-based epoch in which the training or validation loss became NaN or infinite. A
    /// training-loss divergence ends the epoch without a record (`epochs.count == diverged − 1`);
    /// a validation-loss one keeps the epoch's record with `valLoss` nil. Every number in the
    /// history stays finite, so it encodes to JSON.
    public var diverged: Int?
    /// Training images per second over the training batches (validation excluded).
    public var imagesPerSecond: Double

    /// "diverged at epoch k" when training diverged, else nil.
    public var divergenceMessage: String? { diverged.map { "diverged at epoch \($0)" } }
}

/// Progress within an epoch, for a progress bar with ETA.
public struct TrainingProgress: Sendable {
    /// 1-based epoch and total epochs.
    public var epoch: Int
    public var epochs: Int
    /// 1-based batch index within the epoch and the number of batches per epoch.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// Mean training loss of the epoch so far.
    public var runningLoss: Double
    /// Seconds since the epoch started.
    public var elapsedSeconds: Double

    /// Estimated seconds left in this epoch, from the mean time per batch so far.
    public var epochETASeconds: Double {
        batch == 0 ? 0 : elapsedSeconds / Double(batch) * Double(batchesPerEpoch - batch)
    }
}

/// Mini-batch training of a `Sequential` whose last layer is a `FusedActivationLayer`.
///
/// Each epoch: a seeded permutation of the samples (if `shuffle`), batches of `batchSize`
/// (the last one smaller), the optional `batchTransform` applied to each training batch,
/// forward in `.training` mode with the head emitting logits, the loss from logits
/// (`Loss.compute`), backward, one optimizer step. Then validation in `.inference` mode,
/// EarlyStopping and ReduceLROnPlateau (both monitor validation loss and are skipped, as
/// Keras does, when there is no validation data).
///
/// Divergence: when a batch's loss (or the validation loss) is NaN or infinite, training
/// ends and `diverged` records the epoch. That batch's step is not applied and the
/// non-trainable parameters (BatchNorm moving statistics) it touched are put back, so the
/// weights are exactly those before the bad batch — unless EarlyStopping with
/// `restoreBestWeights` has a best epoch, in which case the best weights are restored.
public final class Trainer {
    public let model: Sequential
    public let config: TrainingConfig
    public let encoding: TargetEncoding
    private let head: FusedActivationLayer

    public init(model: Sequential, config: TrainingConfig, encoding: TargetEncoding) {
        guard let head = model.layers.last as? FusedActivationLayer else {
            preconditionFailure("Trainer: the last layer of model '\(model.name)' must be a FusedActivationLayer")
        }
        precondition(model.outputShape.count == 1,
                     "Trainer: model '\(model.name)' must output (batch, units), has \(model.outputShape)")
        if encoding == .twoClass {
            precondition(model.outputShape == [2],
                         "Trainer: twoClass needs a 2-unit head, model '\(model.name)' outputs \(model.outputShape)")
        }
        self.model = model
        self.config = config
        self.encoding = encoding
        self.head = head
    }

    /// Trains on x (N, …) and y (N, units); returns the per-epoch history.
    public func fit(x: Tensor, y: Tensor, validation: (x: Tensor, y: Tensor)?,
                    batchTransform: ((inout Tensor, inout SeededGenerator) -> Void)? = nil,
                    progress: ((TrainingProgress) -> Void)? = nil) -> TrainingHistory {
        checkData(x, y, "training")
        if let v = validation { checkData(v.x, v.y, "validation") }
        let n = x.batch
        precondition(n > 0, "Trainer.fit: empty training set")

        let wasLogits = head.emitsLogits
        head.emitsLogits = true
        defer { head.emitsLogits = wasLogits }

        let optimizer = config.optimizer.make(learningRate: config.learningRate)
        let weights = config.classWeighting ? classWeights(y) : nil
        var shuffleRNG = SeededGenerator(seed: config.seed, stream: "trainer/shuffle")
        var augmentRNG = SeededGenerator(seed: config.seed, stream: "trainer/augment")
        var stopper = config.earlyStopping.map(EarlyStoppingMonitor.init)
        var reducer = config.reduceLROnPlateau.map(ReduceLROnPlateauMonitor.init)
        let restoring = config.earlyStopping?.restoreBestWeights ?? false
        var bestWeights: [Tensor]?
        let frozen = model.parameters.filter { !$0.trainable }

        var history = TrainingHistory(epochs: [], bestEpoch: nil, stoppedEarly: false, diverged: nil,
                                      imagesPerSecond: 0)
        let batches = (n + config.batchSize - 1) / config.batchSize
        let clock = ContinuousClock()
        var trainSeconds = 0.0, trainImages = 0

        epochs: for epoch in 1...config.epochs {
            let epochStart = clock.now
            let order = config.shuffle ? shuffleRNG.permutation(n) : Array(0..<n)
            var lossSum = 0.0
            var seen = 0
            let lr = optimizer.learningRate
            for b in 0..<batches {
                let idx = Array(order[(b * config.batchSize)..<min(n, (b + 1) * config.batchSize)])
                var xb = x.gather(idx)
                let yb = y.gather(idx)
                let wb = weights?.gather(idx)
                batchTransform?(&xb, &augmentRNG)
                let frozenBefore = frozen.map(\.value)
                model.zeroGrad()
                let logits = model.forward(xb, mode: .training)
                let (loss, grad) = Loss.compute(config.loss, logits: logits, activation: head.activation,
                                                targets: yb, weights: wb, mixed: config.mixedLoss)
                guard loss.isFinite else {
                    for (p, v) in zip(frozen, frozenBefore) { p.value = v }
                    history.diverged = epoch
                    trainSeconds += (clock.now - epochStart) / .seconds(1)
                    trainImages += seen
                    break epochs
                }
                model.backward(grad)
                optimizer.step(model.parameters)
                lossSum += loss * Double(idx.count)
                seen += idx.count
                progress?(TrainingProgress(epoch: epoch, epochs: config.epochs, batch: b + 1,
                                           batchesPerEpoch: batches, runningLoss: lossSum / Double(seen),
                                           elapsedSeconds: (clock.now - epochStart) / .seconds(1)))
            }
            trainSeconds += (clock.now - epochStart) / .seconds(1)
            trainImages += n

            var record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(seen), valLoss: nil,
                                     valF1: [], learningRate: lr, seconds: 0)
            var valLossOrNil: Double?
            if let v = validation {
                let (valLoss, f1) = evaluate(x: v.x, y: v.y)
                valLossOrNil = valLoss
                record.valLoss = valLoss.isFinite ? valLoss : nil   // keep the history JSON-encodable
                record.valF1 = f1
            }
            record.seconds = (clock.now - epochStart) / .seconds(1)
            history.epochs.append(record)

            guard let valLoss = valLossOrNil else { continue }
            guard valLoss.isFinite else { history.diverged = epoch; break }
            if var s = stopper {
                let decision = s.update(epoch: epoch, valLoss: valLoss)
                stopper = s
                if decision == .improved, restoring { bestWeights = model.parameters.map(\.value) }
                if decision == .stop { history.stoppedEarly = true }
            }
            if var r = reducer {
                optimizer.learningRate = r.update(valLoss: valLoss, learningRate: optimizer.learningRate)
                reducer = r
            }
            if history.stoppedEarly { break }
        }

        if let best = bestWeights {
            for (p, v) in zip(model.parameters, best) { p.value = v }
        }
        if let s = stopper {
            history.bestEpoch = s.bestEpoch
        } else {
            var best = Double.infinity
            for r in history.epochs { if let v = r.valLoss, v < best { best = v; history.bestEpoch = r.epoch } }
        }
        history.imagesPerSecond = trainSeconds > 0 ? Double(trainImages) / trainSeconds : 0
        return history
    }

    /// Unweighted loss (inference mode, batch-size-weighted mean over batches) and F1 per
    /// label at threshold 0.5.
    public func evaluate(x: Tensor, y: Tensor) -> (loss: Double, f1: [Double]) {
        checkData(x, y, "evaluation")
        let wasLogits = head.emitsLogits
        head.emitsLogits = true
        defer { head.emitsLogits = wasLogits }
        var lossSum = 0.0
        var probs = [Float]()
        probs.reserveCapacity(y.count)
        var start = 0
        while start < x.batch {
            let end = min(x.batch, start + config.batchSize)
            let logits = model.forward(x.items(start..<end), mode: .inference)
            let (loss, _) = Loss.compute(config.loss, logits: logits, activation: head.activation,
                                         targets: y.items(start..<end), mixed: config.mixedLoss)
            lossSum += loss * Double(end - start)
            probs += Loss.activate(logits, head.activation).data
            start = end
        }
        let scores = positiveScores(Tensor(shape: y.shape, data: probs), encoding: encoding)
        let truth = positiveScores(y, encoding: encoding)
        let f1 = zip(truth, scores).map { BinaryMetrics(truth: $0, scores: $1, threshold: 0.5).f1 }
        return (lossSum / Double(x.batch), f1)
    }

    /// Balanced per-element weights (N, units); see `TrainingConfig.classWeighting`.
    public func classWeights(_ y: Tensor) -> Tensor {
        let n = y.batch, u = y.itemSize
        var w = Tensor(zeros: y.shape)
        func weight(_ count: Int) -> Float { count == 0 ? 1 : Float(Double(n) / (2 * Double(count))) }
        switch encoding {
        case .twoClass:
            var positives = 0
            for i in 0..<n where y.data[i * u + 1] == 1 { positives += 1 }
            let wPos = weight(positives), wNeg = weight(n - positives)
            for i in 0..<n {
                let wi = y.data[i * u + 1] == 1 ? wPos : wNeg
                for j in 0..<u { w.data[i * u + j] = wi }
            }
        case .multiLabel:
            for j in 0..<u {
                var positives = 0
                for i in 0..<n where y.data[i * u + j] == 1 { positives += 1 }
                let wPos = weight(positives), wNeg = weight(n - positives)
                for i in 0..<n { w.data[i * u + j] = y.data[i * u + j] == 1 ? wPos : wNeg }
            }
        }
        return w
    }

    private func checkData(_ x: Tensor, _ y: Tensor, _ what: String) {
        precondition(x.batch == y.batch, "Trainer: \(what) x has \(x.batch) samples, y has \(y.batch)")
        precondition(Array(x.shape.dropFirst()) == model.inputShape,
                     "Trainer: \(what) x is \(x.shape), model '\(model.name)' takes (N, \(model.inputShape))")
        precondition(Array(y.shape.dropFirst()) == model.outputShape,
                     "Trainer: \(what) y is \(y.shape), model '\(model.name)' outputs (N, \(model.outputShape))")
        precondition(!y.data.contains { $0 != 0 && $0 != 1 }, "Trainer: \(what) targets must be 0/1")
    }
}

/// Class probabilities (N, units) in inference mode with the head's activation applied, as
/// Keras's `predict`, computed in batches of `batchSize`.
public func predictProbabilities(_ model: Sequential, _ x: Tensor, batchSize: Int = 256) -> Tensor {
    precondition(batchSize >= 1, "predictProbabilities: batchSize must be ≥ 1")
    let head = model.layers.last as? FusedActivationLayer
    let wasLogits = head?.emitsLogits ?? false
    head?.emitsLogits = false
    defer { head?.emitsLogits = wasLogits }
    var out = [Float]()
    var start = 0
    while start < x.batch {
        let end = min(x.batch, start + batchSize)
        out += model.forward(x.items(start..<end), mode: .inference).data
        start = end
    }
    return Tensor(shape: [x.batch] + model.outputShape, data: out)
}

/// Positive-class scores per label, per sample: twoClass → one label, column 1 of (N, 2);
/// multiLabel → one list per column of (N, k). Works on targets too (giving 0/1 truth).
public func positiveScores(_ probabilities: Tensor, encoding: TargetEncoding) -> [[Float]] {
    precondition(probabilities.shape.count == 2, "positiveScores: expects (N, units), got \(probabilities.shape)")
    let n = probabilities.shape[0], u = probabilities.shape[1]
    switch encoding {
    case .twoClass:
        precondition(u == 2, "positiveScores: twoClass expects (N, 2), got \(probabilities.shape)")
        return [(0..<n).map { probabilities.data[$0 * 2 + 1] }]
    case .multiLabel:
        return (0..<u).map { j in (0..<n).map { probabilities.data[$0 * u + j] } }
    }
}
