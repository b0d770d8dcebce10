/// One layer of a `Sequential` model: a forward/backward pair.
///
/// - `outputShape(for:)` gives the output shape for an input shape, both without the batch
///   axis, before any data runs (as Keras does); it throws `ShapeError` for inputs the
///   layer cannot take, and it is where a layer creates its weights (`build`).
/// - `forward` saves what `backward` needs; `backward` takes dL/d(output), *adds* into the
///   parameters' gradients and returns dL/d(input).
public protocol Layer: AnyObject {
    /// Keras-style instance name, e.g. `conv2d_1`.
    var name: String { get set }
    /// The Keras class name, e.g. `Conv2D`, `MaxPooling2D`, `BatchNormalization`.
    var typeName: String { get }
    /// Weights in Keras's storage order; empty before `build(inputShape:)`.
    var parameters: [Parameter] { get }
    /// Checks the input shape, creates the weights (drawn from `rng`) and returns the output shape.
    func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int]
    func forward(_ x: Tensor, mode: Mode) -> Tensor
    func backward(_ dy: Tensor) -> Tensor
}

@_exported import SeededRandom

extension Layer {
    /// Number of scalar weights (trainable and not), as Keras's `count_params`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// A layer whose backward can skip dL/d(input) — a model's first layer never needs it
/// (no one backpropagates into the data), and for a wide first convolution it is a large
/// part of the step. When `computesInputGradient` is false, `backward` still adds the
/// parameter gradients but returns zeros of the input's shape.
public protocol InputGradientSkippable: Layer {
    var computesInputGradient: Bool { get set }
}
