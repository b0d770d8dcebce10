/// One row of a Keras-like model summary. Shapes exclude the batch axis.
public struct LayerSummary: Codable, Equatable, Sendable {
    public let name: String
    public let type: String
    public let input: [Int]
    public let output: [Int]
    public let params: Int
}

/// A stack of layers applied in order, built for a fixed input shape (batch axis excluded).
///
/// Building names every layer as Keras would within one model (`conv2d_1`, `conv2d_2`,
/// `max_pooling2d_1`, …), runs shape inference and creates the weights, so the model knows
/// every layer's input and output shape and parameter count before any data runs. An
/// inconsistent layer list throws a `ShapeError` naming the layer and both shapes.
public final class Sequential {
    public let name: String
    public let inputShape: [Int]
    public let layers: [Layer]
    public private(set) var summary: [LayerSummary] = []

    public init(name: String, inputShape: [Int], layers: [Layer], seed: UInt64) throws(ShapeError) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
        var rng = SeededGenerator(seed: seed, stream: "init/\(name)")
        var counters: [String: Int] = [:]
        var shape = inputShape
        for layer in layers {
            let base = Sequential.snakeCase(layer.typeName)
            counters[base, default: 0] += 1
            if layer.name.isEmpty { layer.name = "\(base)_\(counters[base]!)" }
            let out = try layer.build(inputShape: shape, rng: &rng)
            summary.append(LayerSummary(name: layer.name, type: layer.typeName, input: shape,
                                        output: out, params: layer.parameterCount))
            shape = out
        }
        (layers.first as? any InputGradientSkippable)?.computesInputGradient = computesInputGradient
    }

    /// Whether `backward` computes dL/d(model input). Off by default: training never uses it,
    /// and the first layer then skips that product (for conv1 a sixth of a step). When off,
    /// `backward` returns zeros of the input's shape; turn it on for input gradients.
    public var computesInputGradient = false {
        didSet { (layers.first as? any InputGradientSkippable)?.computesInputGradient = computesInputGradient }
    }

    /// Output shape of the whole model (batch axis excluded).
    public var outputShape: [Int] { summary.last?.output ?? inputShape }
    /// Total number of weights, trainable and not.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    /// All parameters, layer by layer, in Keras's storage order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// The first convolution and the max pool after it as one pass (`ConvPoolFusion`), when
    /// they can run so: conv1's, conv2's and conv4's first two layers.
    private(set) lazy var fusion: ConvPoolFusion? = {
        guard layers.count > 2, let conv = layers[0] as? Conv2D, let pool = layers[1] as? MaxPool2D else { return nil }
        return ConvPoolFusion(conv: conv, pool: pool)
    }()
    /// Whether the last forward ran the first two layers fused (backward follows it).
    private(set) var lastForwardFused = false

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        precondition(Array(x.shape.dropFirst()) == inputShape,
                     "model '\(name)' expects input (batch, \(inputShape)), got \(x.shape)")
        var h = x
        var rest = layers[...]
        // Fused only when no one wants dL/d(input), which the fused backward does not compute.
        lastForwardFused = false
        if !computesInputGradient, let fusion, !fusion.conv.emitsLogits {
            h = fusion.forward(x, mode: mode)
            rest = layers.dropFirst(2)
            lastForwardFused = true
        }
        for layer in rest { h = layer.forward(h, mode: mode) }
        return h
    }

    /// Backpropagates dL/d(output); parameter gradients accumulate (call `zeroGrad` first).
    /// Returns dL/d(input) when `computesInputGradient` is on; when off, a first layer that
    /// can skip that product (Conv2D, Dense, LSTM) does, and zeros come back.
    @discardableResult
    public func backward(_ dy: Tensor) -> Tensor {
        var g = dy
        for layer in layers.dropFirst(lastForwardFused ? 2 : 0).reversed() { g = layer.backward(g) }
        if lastForwardFused, let fusion {
            fusion.backward(g)
            return Tensor(zeros: [g.batch] + inputShape)
        }
        return g
    }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Keras's snake-case of a class name: `MaxPooling2D` → `max_pooling2d`, `LSTM` → `lstm`.
    static func snakeCase(_ s: String) -> String {
        var out = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || (prev.isUppercase && nextIsLower) { out.append("_") }
            }
            out.append(Character(c.lowercased()))
        }
        return out
    }
}
