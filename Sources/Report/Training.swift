import Foundation
import NN
import StudyData

/// What one trained network leaves behind: its history, its validation scores and its weights.
public struct NetworkResult: Codable, Sendable {
    /// The label this network learns (0, 1, 2), or nil for a joint network (all three).
    public var label: Int?
    public var history: TrainingHistory
    /// Positive-class scores on the validation split, one array per label it predicts.
    public var valScores: [[Float]]
    public var trainImages: Int
    public var parameterCount: Int
    public var seconds: Double
    /// File name of the safetensors weights inside the cell's folder.
    public var weightsFile: String
}

/// Every network of one variant, trained.
public struct VariantResult: Codable, Sendable {
    public var name: String
    public var variant: Variant
    public var parameterCount: Int
    public var networks: [NetworkResult]
    /// Cache folders of the networks (for weights), in `networks` order.
    public var cellDirectories: [String]
    /// Cache keys of the networks' training cells: what downstream cells depend on.
    public var keys: [CellKey]

    /// Validation scores per label (0, 1, 2), assembled from the networks.
    public var valScores: [[Float]] {
        var out = [[Float]](repeating: [], count: 3)
        for n in networks {
            if let l = n.label { out[l] = n.valScores[0] } else { for l in 0..<3 { out[l] = n.valScores[l] } }
        }
        return out
    }

    public var seconds: Double { networks.reduce(0) { $0 + $1.seconds } }
    public var diverged: [String] {
        networks.compactMap { n in n.history.divergenceMessage.map { m in n.label.map { "label\($0 + 1): \(m)" } ?? m } }
    }
}

/// Turns dataset splits into network inputs and targets for a variant.
final class DataPrep: @unchecked Sendable {
    let dataset: Dataset

    /// The validation images scored in this run: all of them, or a seeded random subset of
    /// `valLimit` (in split order) in the quick profile.
    let validation: Split
    /// Identifies the scored validation subset in cache keys.
    var validationKey: String { validation.count == dataset.val.count ? "all" : "\(validation.count):\(validation.ids.first ?? "")…\(validation.ids.last ?? "")" }
    /// The scored validation images that are not entirely black.
    let nonBlackValidation: Split
    /// Whether each scored validation image is entirely black, in `validation` order.
    let validationBlack: [Bool]

    init(dataset: Dataset, valLimit: Int?, seed: UInt64) {
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
    }

    /// Training examples: the train split under the black-image policy (the kept black image
    /// of `.keepOne` is relabelled 0,0,0), then a seeded random subset of `limit` images.
    func trainingSplit(policy: BlackPolicy, limit: Int?, seed: UInt64) -> Split {
        let split = policy.apply(to: dataset.train)
        guard let limit, limit < split.count else { return split }
        var rng = SeededGenerator(seed: seed, stream: "train-subset")
        return split.subset(rng.permutation(split.count).prefix(limit).sorted())
    }

    /// Network input for the given images: float32 in [0, 1], NHWC with the variant's channels
    /// and size, reshaped to what the architecture reads (rows for the LSTM, a flat vector for
    /// the fully connected nets).
    func inputs(_ split: Split, variant: Variant) -> Tensor {
        let pre = Preprocessing(channels: variant.effectiveChannels, size: variant.size)
        let (values, shape) = floats(split, indices: nil, preprocessing: pre)
        let n = shape[0]
        let target = variant.architecture.inputShape(channels: variant.effectiveChannels, size: variant.size)
        return Tensor(shape: [n] + target, data: values)
    }
}

/// Targets for a network: one-hot (N, 2) for a per-label network, (N, 3) for a joint one.
func targets(_ labels: [[UInt8]], label: Int?) -> (Tensor, TargetEncoding) {
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

extension Study {
    /// Trains (or loads from the cache) every network of a variant.
    func train(_ variant: Variant, name: String) throws -> VariantResult {
        var networks: [NetworkResult] = []
        var dirs: [String] = []
        var keys: [CellKey] = []
        var params = 0
        for label in variant.networks {
            let key = try CellKey(cell: "train/\(name)" + (label.map { "/label\($0 + 1)" } ?? ""), version: 3,
                                  parameters: TrainParams(variant: variant, label: label, validationIds: prep.validationKey), inputs: [dataKey])
            let result = try cache.value(key, NetworkResult.self) { dir in
                try trainNetwork(variant, label: label, name: name, dir: dir)
            }
            networks.append(result)
            dirs.append(cache.directory(for: key).path)
            keys.append(key)
            params = result.parameterCount
        }
        return VariantResult(name: name, variant: variant, parameterCount: params, networks: networks, cellDirectories: dirs, keys: keys)
    }

    struct TrainParams: Codable { var variant: Variant; var label: Int?; var validationIds: String }

    func model(for variant: Variant, label: Int?) throws -> Sequential {
        let shape = variant.architecture.inputShape(channels: variant.effectiveChannels, size: variant.size)
        do {
            return try variant.architecture.build(head: label == nil ? .joint : .perLabel, inputShape: shape,
                                                  seed: variant.seed &+ UInt64(label ?? 7))
        } catch {
            throw ReportError("\(variant.architecture.rawValue) cannot take \(variant.size)×\(variant.size)×\(variant.effectiveChannels) input: \(error)")
        }
    }

    private func trainNetwork(_ variant: Variant, label: Int?, name: String, dir: URL) throws -> NetworkResult {
        let model = try self.model(for: variant, label: label)
        let train = prep.trainingSplit(policy: variant.blackPolicy, limit: variant.trainLimit, seed: variant.seed)
        let x = prep.inputs(train, variant: variant)
        let (y, encoding) = targets(train.labels ?? [], label: label)
        // Per-epoch monitoring (validation loss and F1, early stopping) uses the non-black
        // validation images: black ones carry random labels and are predicted by rule.
        let monitor = prep.nonBlackValidation
        let (monitorY, _) = targets(monitor.labels ?? [], label: label)
        let monitorX = prep.inputs(monitor, variant: variant)

        var tc = TrainingConfig(epochs: variant.epochs, seed: variant.seed &+ UInt64(label ?? 7))
        tc.batchSize = variant.batchSize
        tc.learningRate = variant.learningRate
        tc.optimizer = variant.optimizerKind
        tc.loss = variant.loss
        tc.classWeighting = variant.classWeighting
        if variant.callbacks {
            tc.earlyStopping = EarlyStopping(patience: 5, minDelta: 0.001, restoreBestWeights: true)
            tc.reduceLROnPlateau = ReduceLROnPlateau(patience: 0, factor: 0.2, minLR: 0.001)
        }
        let trainer = Trainer(model: model, config: tc, encoding: encoding)
        let title = name + (label.map { " label\($0 + 1)" } ?? "")
        log.info("training \(title): \(train.count) images × \(variant.epochs) epochs, \(model.parameterCount) parameters")
        let started = Date()
        let size = variant.size, channels = variant.effectiveChannels
        let transform: ((inout Tensor, inout SeededGenerator) -> Void)? = variant.augment
            ? { batch, rng in augmentBatch(&batch, size: size, channels: channels, rng: &rng) } : nil
        let history = trainer.fit(x: x, y: y, validation: (monitorX, monitorY), batchTransform: transform) { p in
            self.log.progress(title, done: (p.epoch - 1) * p.batchesPerEpoch + p.batch, total: variant.epochs * p.batchesPerEpoch,
                              started: started, detail: String(format: "epoch %d loss %.4f", p.epoch, p.runningLoss))
        }
        for e in history.epochs {
            log.info(String(format: "  %@ epoch %d: loss %.4f val_loss %@ val_F1 %@", title, e.epoch, e.trainLoss,
                            e.valLoss.map { String(format: "%.4f", $0) } ?? "-",
                            e.valF1.map { String(format: "%.3f", $0) }.joined(separator: "/")))
        }
        if let m = history.divergenceMessage { log.warning("\(title): \(m)") }
        let probs = predictProbabilities(model, prep.inputs(prep.validation, variant: variant), batchSize: 64)
        let scores = positiveScores(probs, encoding: encoding)
        let weights = "weights.safetensors"
        try Safetensors.save(model, to: dir.appendingPathComponent(weights),
                             metadata: ["architecture": variant.architecture.rawValue, "variant": name,
                                        "label": label.map { "label\($0 + 1)" } ?? "joint"])
        return NetworkResult(label: label, history: history, valScores: scores, trainImages: train.count, parameterCount: model.parameterCount,
                             seconds: Date().timeIntervalSince(started), weightsFile: weights)
    }
}
