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
    public var optimizer: String          // "adam" or "sgd"
    public var momentum: Double           // SGD only
    public var loss: LossKind
    public var augment: Bool
    public var blackPolicy: BlackPolicy
    /// Input channels (1 or 3); 0 = the architecture's own (conv1 and lstm1/fc 1, other CNNs 3).
    public var channels: Int
    public var size: Int
    public var trainLimit: Int?
    public var callbacks: Bool
    public var classWeighting: Bool
    public var seed: UInt64

    /// The channels actually fed to the network.
    public var effectiveChannels: Int {
        if channels != 0 { return channels }
        switch architecture {
        case .conv2, .conv3, .conv4, .conv5: return 3
        default: return 1
        }
    }

    public var optimizerKind: OptimizerKind { optimizer == "sgd" ? .sgd(momentum: momentum) : .adam }

    /// A short, stable, file-name-safe name: `conv2-joint`, `conv2-joint-lr0.01`, `conv2-label-sgd` …
    /// Only what differs from the study's defaults is spelled out.
    public func name(relativeTo base: Variant?) -> String {
        var parts = [architecture.rawValue, head == .joint ? "joint" : "perlabel"]
        guard let b = base else { return parts.joined(separator: "-") }
        if epochs != b.epochs { parts.append("e\(epochs)") }
        if learningRate != b.learningRate { parts.append("lr\(Variant.format(learningRate))") }
        if optimizer != b.optimizer || momentum != b.momentum {
            parts.append(optimizer + (optimizer == "sgd" && momentum > 0 ? "-m\(Variant.format(momentum))" : ""))
        }
        if loss != b.loss { parts.append(loss == .categoricalCrossEntropy ? "cce" : "bce") }
        if augment != b.augment { parts.append(augment ? "aug" : "noaug") }
        if blackPolicy != b.blackPolicy { parts.append("black-\(blackPolicy.rawValue)") }
        if effectiveChannels != b.effectiveChannels { parts.append("\(effectiveChannels)ch") }
        if size != b.size { parts.append("\(size)px") }
        if callbacks != b.callbacks { parts.append(callbacks ? "callbacks" : "nocallbacks") }
        return parts.joined(separator: "-")
    }

    static func format(_ x: Double) -> String {
        var s = String(format: "%g", x)
        if s.hasPrefix("0.") { s = String(s) }
        return s
    }

    /// The networks this variant trains: label index per network (nil = joint, all three).
    public var networks: [Int?] { head == .joint ? [nil] : [0, 1, 2] }
}
