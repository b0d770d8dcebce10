/// Element-wise activations as Keras names them. `softmax` acts on the last axis.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case linear, relu, sigmoid, softmax
}

/// A layer that ends in a fused activation which a loss may absorb, so that
/// sigmoid/softmax + cross-entropy are computed stably from logits.
///
/// When `emitsLogits` is true the layer's forward returns its pre-activation values and
/// its backward expects dL/d(pre-activation). Training sets it on the model's last layer;
/// inference leaves it false, so `forward` returns probabilities as Keras's `predict` does.
public protocol FusedActivationLayer: Layer {
    var activation: Activation { get }
    var emitsLogits: Bool { get set }
}
