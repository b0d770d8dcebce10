import NN
import StudyData

/// One trained model of the study: an architecture, its head and every training choice.
/// A `.perLabel` variant is three networks (one per label, as the study trained them);
/// a `.joint` variant is one network with three sigmoid outputs.
public struct Variant: Codable, Hashable, Sendable {
    public var architecture: Architecture
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

    public init(architecture: Architecture, head: Head, epochs: Int, batchSize: Int, learningRate: Double,
                optimizer: OptimizerKind, loss: LossKind, augment: Bool, blackPolicy: BlackPolicy, channels: Int,
                size: Int, trainLimit: Int?, callbacks: Bool, classWeighting: Bool, seed: UInt64) {
        self.architecture = architecture; self.head = head; self.epochs = epochs; self.batchSize = batchSize
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
        var parts = [architecture.rawValue, head == .joint ? "joint" : "perlabel"]
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

