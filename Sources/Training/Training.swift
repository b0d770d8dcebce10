import Foundation
import NN
import SeededRandom
import StudyData

/// What one trained network leaves behind: its history, its validation scores and its weights.
public struct NetworkResult: Codable, Sendable {
    /// The label this network learns (0, 1, 2), or nil for a joint network (all three).
    public var label: Int?
    public var history: TrainingHistory
    /// Positive-class scores on the scored validation images, one array per label it
    /// predicts. Always finite: a diverged network's non-finite outputs are stored as 0.
    public var valScores: [[Float]]
    public var trainImages: Int
    public var epochsRun: Int
    public var parameterCount: Int
    public var seconds: Double
    /// Wall-clock seconds of the whole cell: building the network and its inputs, the fit,
    /// the scoring pass and saving the weights — what a time budget is spent on. nil in
    /// results cached before it was recorded.
    public var cellSeconds: Double? = nil
    /// Training images per second this network achieved (epochs × images / seconds).
    public var imagesPerSecond: Double
    /// File name of the safetensors weights inside the cell's folder.
    public var weightsFile: String

    public var diverged: Bool { history.diverged != nil }
}

/// Turns dataset splits into network inputs and targets for a variant.
public final class DataPrep: @unchecked Sendable {
    public let dataset: Dataset

    /// The validation images scored in this run: all of them, or a seeded random subset of
    /// `valLimit` (in split order).
    public let validation: Split
    /// Identifies the scored validation subset (and the monitored one) in cache keys.
    public var validationKey: String {
        let scored = validation.count == dataset.val.count ? "all" : "\(validation.count):\(validation.ids.first ?? "")…\(validation.ids.last ?? "")"
        return monitor.count == nonBlackValidation.count ? scored : scored + "; monitor \(monitor.count)"
    }
    /// The scored validation images that are not entirely black.
    public let nonBlackValidation: Split
    /// Whether each scored validation image is entirely black, in `validation` order.
    public let validationBlack: [Bool]
    /// What training watches each epoch (curves, early stopping): the non-black scored
    /// images, or a seeded subset of `monitorLimit` of them.
    public let monitor: Split

    public init(dataset: Dataset, valLimit: Int?, monitorLimit: Int? = nil, seed: UInt64) {
        self.dataset = dataset
        if let limit = valLimit, limit < dataset.val.count {
            var rng = SeededGenerator(seed: seed, stream: "val-subset")
            validation = dataset.val.subset(rng.permutation(dataset.val.count).prefix(limit).sorted())
        } else {
            validation = dataset.val
        }
        var mask = [Bool](repeating: false, count: validation.count)
        for i in blackIndices(validation) { mask[i] = true }
        validationBlack = mask
        nonBlackValidation = validation.subset(mask.indices.filter { !mask[$0] })
        if let limit = monitorLimit, limit < nonBlackValidation.count {
            var rng = SeededGenerator(seed: seed, stream: "monitor-subset")
            monitor = nonBlackValidation.subset(rng.permutation(nonBlackValidation.count).prefix(limit).sorted())
        } else {
            monitor = nonBlackValidation
        }
    }

    /// Training examples: the train split under the black-image policy, then a seeded random
    /// subset of `limit` images.
    public func trainingSplit(policy: BlackPolicy, limit: Int?, seed: UInt64) -> Split {
        let split = policy.apply(to: dataset.train)
        guard let limit, limit < split.count else { return split }
        var rng = SeededGenerator(seed: seed, stream: "train-subset")
        return split.subset(rng.permutation(split.count).prefix(limit).sorted())
    }

    /// Network input for the given images: float32 in [0, 1], NHWC with the variant's channels
    /// and size, reshaped to what the architecture reads (rows for the LSTM, a flat vector for
    /// the fully connected nets).
    public func inputs(_ split: Split, variant: Variant) -> Tensor {
        let pre = Preprocessing(channels: variant.channels, size: variant.size)
        let (values, shape) = floats(split, indices: nil, preprocessing: pre)
        let n = shape[0]
        let target = variant.model.inputShape(channels: variant.channels, size: variant.size)
        return Tensor(shape: [n] + target, data: values)
    }
}

/// Targets for a network: one-hot (N, 2) for a per-label network, (N, 3) for a joint one.
public func targets(_ labels: [[UInt8]], label: Int?) -> (Tensor, TargetEncoding) {
    if let l = label {
        var d = [Float](repeating: 0, count: labels.count * 2)
        for (i, row) in labels.enumerated() { d[i * 2 + Int(row[l])] = 1 }
        return (Tensor(shape: [labels.count, 2], data: d), .twoClass)
    }
    var d = [Float](repeating: 0, count: labels.count * 3)
    for (i, row) in labels.enumerated() { for k in 0..<3 { d[i * 3 + k] = Float(row[k]) } }
    return (Tensor(shape: [labels.count, 3], data: d), .multiLabel)
}

/// Applies the study's augmentation stream to each image of a training batch, on the fly.
/// The batch is NHWC (or rows / flat vectors of one channel): the first channel of each
/// image is augmented and copied to the others.
func augmentBatch(_ x: inout Tensor, size: Int, channels: Int, rng: inout SeededGenerator) {
    let per = size * size * channels
    let n = x.count / per
    var plane = [Float](repeating: 0, count: size * size)
    for i in 0..<n {
        let base = i * per
        for p in 0..<(size * size) { plane[p] = x.data[base + p * channels] }
        AugmentationStream.study.augment(&plane, width: size, height: size, rng: &rng)
        for p in 0..<(size * size) {
            for c in 0..<channels { x.data[base + p * channels + c] = plane[p] }
        }
    }
}

/// A training error a user can cause (an input the architecture cannot take, no images).
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Builds a user's model (`ModelRef.custom`) for a head, an input shape and a seed: the
/// caller's spec reader (Training does not read specs itself; see `CustomModel`).
public typealias ModelBuilder = @Sendable (_ model: CustomModel, _ head: Head, _ inputShape: [Int], _ seed: UInt64) throws -> Sequential

/// Builds a variant's network for one label (nil = joint), seeded per label; a user's model
/// through `custom` (without one, a user's model throws).
public func buildModel(_ variant: Variant, label: Int?, custom: ModelBuilder? = nil) throws -> Sequential {
    let shape = variant.model.inputShape(channels: variant.channels, size: variant.size)
    let head: Head = label == nil ? .joint : .perLabel
    let seed = variant.seed &+ UInt64(label ?? 7)
    do {
        switch variant.model {
        case .study(let a): return try a.build(head: head, inputShape: shape, seed: seed)
        case .custom(let c):
            guard let custom else { throw TrainingError("\(c.name): no builder for a user's model") }
            return try custom(c, head, shape, seed)
        }
    } catch {
        throw TrainingError("\(variant.model.name) cannot take \(variant.size)×\(variant.size)×\(variant.channels) input: \(error)")
    }
}

/// Positive-class scores of a network on `x`, with non-finite outputs (a diverged network)
/// replaced by 0 so that every downstream number is defined.
public func scores(of model: Sequential, _ x: Tensor, encoding: TargetEncoding) -> [[Float]] {
    let probs = predictProbabilities(model, x, batchSize: 64)
    return positiveScores(probs, encoding: encoding).map { $0.map { $0.isFinite ? $0 : 0 } }
}

/// Progress of a training run, for a live display.
public typealias TrainingProgress = @Sendable (_ title: String, _ done: Int, _ total: Int, _ detail: String) -> Void

/// Trains one network of a variant on the prepared data and saves its weights into `dir`.
/// A pure function of its inputs: the same variant, label and data give the same weights.
public func trainNetwork(_ variant: Variant, label: Int?, title: String, prep: DataPrep, dir: URL,
                         log: (String) -> Void, progress: TrainingProgress? = nil,
                         custom: ModelBuilder? = nil) throws -> NetworkResult {
    let cellStarted = Date()
    let model = try buildModel(variant, label: label, custom: custom)
    let train = prep.trainingSplit(policy: variant.blackPolicy, limit: variant.trainLimit, seed: variant.seed)
    guard train.count > 0, let labels = train.labels else {
        throw TrainingError("\(title): no training images left (black-image policy \(variant.blackPolicy.rawValue))")
    }
    let x = prep.inputs(train, variant: variant)
    let (y, encoding) = targets(labels, label: label)
    // Per-epoch monitoring (validation loss and F1, early stopping) uses the non-black
    // validation images: black ones carry random labels and are predicted by rule.
    let monitor = prep.monitor
    let validation: (Tensor, Tensor)? = monitor.count > 0
        ? (prep.inputs(monitor, variant: variant), targets(monitor.labels ?? [], label: label).0) : nil

    var tc = TrainingConfig(epochs: variant.epochs, seed: variant.seed &+ UInt64(label ?? 7))
    tc.batchSize = variant.batchSize
    tc.learningRate = variant.learningRate
    tc.optimizer = variant.optimizer
    tc.loss = variant.loss
    tc.classWeighting = variant.classWeighting
    if variant.callbacks {
        tc.earlyStopping = EarlyStopping(patience: 5, minDelta: 0.001, restoreBestWeights: true)
        tc.reduceLROnPlateau = ReduceLROnPlateau(patience: 0, factor: 0.2, minLR: 0.001)
    }
    let trainer = Trainer(model: model, config: tc, encoding: encoding)
    log("training \(title): \(train.count) images × up to \(variant.epochs) epochs, \(model.parameterCount) parameters")
    let started = Date()
    let size = variant.size, channels = variant.channels
    let transform: ((inout Tensor, inout SeededGenerator) -> Void)? = variant.augment
        ? { batch, rng in augmentBatch(&batch, size: size, channels: channels, rng: &rng) } : nil
    let history = trainer.fit(x: x, y: y, validation: validation, batchTransform: transform) { p in
        progress?(title, (p.epoch - 1) * p.batchesPerEpoch + p.batch, variant.epochs * p.batchesPerEpoch,
                  String(format: "epoch %d loss %.4f", p.epoch, p.runningLoss))
    }
    let seconds = Date().timeIntervalSince(started)
    for e in history.epochs {
        log(String(format: "  %@ epoch %d: loss %.4f val_loss %@ val_F1 %@", title, e.epoch, e.trainLoss,
                   e.valLoss.map { String(format: "%.4f", $0) } ?? "-",
                   e.valF1.map { String(format: "%.3f", $0) }.joined(separator: "/")))
    }
    if let m = history.divergenceMessage { log("warning: \(title): \(m)") }
    let valScores = scores(of: model, prep.inputs(prep.validation, variant: variant), encoding: encoding)
    let weights = "weights.safetensors"
    try Safetensors.save(model, to: dir.appendingPathComponent(weights),
                         metadata: ["architecture": variant.model.name, "variant": title,
                                    "label": label.map { "label\($0 + 1)" } ?? "joint"])
    let epochsRun = max(history.epochs.count, history.diverged ?? 0)
    return NetworkResult(label: label, history: history, valScores: valScores, trainImages: train.count, epochsRun: epochsRun,
                         parameterCount: model.parameterCount, seconds: seconds,
                         cellSeconds: Date().timeIntervalSince(cellStarted),
                         imagesPerSecond: seconds > 0 ? Double(epochsRun * train.count) / seconds : 0,
                         weightsFile: weights)
}
