import NN
import StudyData

/// One trained model of the study: an architecture, its head and every training choice.
/// A `.perLabel` variant is three networks (one per label, as the study trained them);
/// a `.joint` variant is one network with three sigmoid outputs.
public struct Variant: Codable, Hashable, Sendable {
    /// The network: one of the study's eight, or a user's model (encoded whole, so that the
    /// training cells' keys change when its file does).
    public var model: ModelRef
    public var head: Head
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var optimizer: OptimizerKind
    public var loss: LossKind
    public var augment: Bool
    public var blackPolicy: BlackPolicy
    /// Input channels fed to the network (1 or 3).
    public var channels: Int
    public var size: Int
    /// Training images (a seeded subset after the black-image policy); nil = all.
    public var trainLimit: Int?
    public var callbacks: Bool
    public var classWeighting: Bool
    public var seed: UInt64

    /// The study architecture, nil for a user's model.
    public var architecture: Architecture? { model.studyArchitecture }

    /// Encoded under the key `architecture` (a study model encodes as its name, as before
    /// user models existed, so the eight models' cache keys did not change).
    enum CodingKeys: String, CodingKey {
        case model = "architecture"
        case head, epochs, batchSize, learningRate, optimizer, loss, augment, blackPolicy, channels, size, trainLimit,
             callbacks, classWeighting, seed
    }

    public init(architecture: Architecture, head: Head, epochs: Int, batchSize: Int, learningRate: Double,
                optimizer: OptimizerKind, loss: LossKind, augment: Bool, blackPolicy: BlackPolicy, channels: Int,
                size: Int, trainLimit: Int?, callbacks: Bool, classWeighting: Bool, seed: UInt64) {
        self.init(model: .study(architecture), head: head, epochs: epochs, batchSize: batchSize, learningRate: learningRate,
                  optimizer: optimizer, loss: loss, augment: augment, blackPolicy: blackPolicy, channels: channels,
                  size: size, trainLimit: trainLimit, callbacks: callbacks, classWeighting: classWeighting, seed: seed)
    }

    public init(model: ModelRef, head: Head, epochs: Int, batchSize: Int, learningRate: Double,
                optimizer: OptimizerKind, loss: LossKind, augment: Bool, blackPolicy: BlackPolicy, channels: Int,
                size: Int, trainLimit: Int?, callbacks: Bool, classWeighting: Bool, seed: UInt64) {
        self.model = model; self.head = head; self.epochs = epochs; self.batchSize = batchSize
        self.learningRate = learningRate; self.optimizer = optimizer; self.loss = loss; self.augment = augment
        self.blackPolicy = blackPolicy; self.channels = channels; self.size = size; self.trainLimit = trainLimit
        self.callbacks = callbacks; self.classWeighting = classWeighting; self.seed = seed
    }

    /// The study's channel count for an architecture: three identical channels for the
    /// CNNs other than conv1, one for the rest.
    public static func studyChannels(_ a: Architecture) -> Int {
        switch a {
        case .conv2, .conv3, .conv4, .conv5: return 3
        default: return 1
        }
    }

    /// A short, stable, file-name-safe name: `conv2-joint`, `conv2-joint-lr0.01`, `conv2-perlabel-sgd` …
    /// Only what differs from `base` is spelled out; the seed is added when it differs.
    public func name(relativeTo base: Variant?) -> String {
        var parts = [model.name, head == .joint ? "joint" : "perlabel"]
        guard let b = base else { return parts.joined(separator: "-") }
        if epochs != b.epochs { parts.append("e\(epochs)") }
        if batchSize != b.batchSize { parts.append("bs\(batchSize)") }
        if learningRate != b.learningRate { parts.append("lr\(Variant.format(learningRate))") }
        if optimizer != b.optimizer {
            switch optimizer {
            case .adam: parts.append("adam")
            case .sgd(let m): parts.append(m > 0 ? "sgd-m\(Variant.format(m))" : "sgd")
            }
        }
        if loss != b.loss { parts.append(loss == .categoricalCrossEntropy ? "cce" : "bce") }
        if augment != b.augment { parts.append(augment ? "aug" : "noaug") }
        if blackPolicy != b.blackPolicy { parts.append("black-\(blackPolicy.rawValue)") }
        if channels != b.channels { parts.append("\(channels)ch") }
        if size != b.size { parts.append("\(size)px") }
        if trainLimit != b.trainLimit { parts.append("n\(trainLimit.map(String.init) ?? "all")") }
        if callbacks != b.callbacks { parts.append(callbacks ? "callbacks" : "nocallbacks") }
        if classWeighting != b.classWeighting { parts.append(classWeighting ? "cw" : "nocw") }
        if seed != b.seed { parts.append("s\(seed)") }
        return parts.joined(separator: "-")
    }

    public static func format(_ x: Double) -> String { String(format: "%g", x) }

    /// The networks this variant trains: label index per network (nil = joint, all three).
    public var networks: [Int?] { head == .joint ? [nil] : [0, 1, 2] }

    /// The same variant with another seed.
    public func seeded(_ s: UInt64) -> Variant { var v = self; v.seed = s; return v }
}


/// A user's Sequential model (a ModelSpec file) as training sees it: its name, label and
/// input shape, and the whole spec as canonical JSON. Training does not read the spec
/// itself (that would tie every training cell's code fingerprint to the spec reader and
/// the drawing code); the caller passes a `ModelBuilder` that does.
public struct CustomModel: Codable, Hashable, Sendable {
    /// File-name safe (letters, digits, `.`, `_`, `-`) and none of the study's names.
    public var name: String
    public var label: String?
    /// The input shape the file declares (batch axis excluded).
    public var inputShape: [Int]
    /// The spec in canonical JSON (sorted keys, every option written): part of the key.
    public var spec: String

    public init(name: String, label: String?, inputShape: [Int], spec: String) {
        self.name = name; self.label = label; self.inputShape = inputShape; self.spec = spec
    }
}

/// Which network a variant trains: one of the study's eight or a user's model.
public enum ModelRef: Hashable, Sendable, Codable {
    case study(Architecture)
    case custom(CustomModel)

    public var name: String {
        switch self {
        case .study(let a): a.rawValue
        case .custom(let c): c.name
        }
    }

    /// The study's label ("1.b"), a user model's own label, or "" without one.
    public var label: String {
        switch self {
        case .study(let a): a.studyLabel
        case .custom(let c): c.label ?? ""
        }
    }

    public var studyArchitecture: Architecture? { if case .study(let a) = self { a } else { nil } }
    public var custom: CustomModel? { if case .custom(let c) = self { c } else { nil } }
    public var isCustom: Bool { custom != nil }

    /// How images are fed: a user's model by the rank of its input, (H, W, C) convolutional,
    /// (rows, values) recurrent, a flat vector fully connected.
    public var kind: Architecture.Kind {
        switch self {
        case .study(let a): return a.kind
        case .custom(let c):
            switch c.inputShape.count {
            case 3: return .convolutional
            case 2: return .recurrent
            default: return .fullyConnected
            }
        }
    }

    /// Channels the study feeds: the study's choice for its eight; a user's convolutional
    /// model its declared channel count, a recurrent or fully connected one 1.
    public var studyChannels: Int {
        switch self {
        case .study(let a): return Variant.studyChannels(a)
        case .custom(let c): return c.inputShape.count == 3 ? c.inputShape[2] : 1
        }
    }

    /// The input shape for size×size images with `channels` channels, by `kind` (the rule
    /// of `Architecture.inputShape(channels:size:)`).
    public func inputShape(channels: Int, size: Int) -> [Int] {
        precondition(channels > 0 && size > 0, "ModelRef.inputShape: channels and size must be positive")
        switch kind {
        case .convolutional: return [size, size, channels]
        case .recurrent: return [size, size * channels]
        case .fullyConnected: return [size * size * channels]
        }
    }

    /// A study model encodes as its name (`"conv2"`), a user's as its fields.
    public init(from decoder: Decoder) throws {
        if let s = try? decoder.singleValueContainer(), let name = try? s.decode(String.self) {
            guard let a = Architecture(rawValue: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown architecture \(name)"))
            }
            self = .study(a)
        } else {
            self = .custom(try CustomModel(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .study(let a): var c = encoder.singleValueContainer(); try c.encode(a.rawValue)
        case .custom(let m): try m.encode(to: encoder)
        }
    }
}
