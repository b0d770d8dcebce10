/// Fully connected layer on the last axis (Keras `Dense`).
///
/// Input (…, in) → (…, units): y = act(x · kernel + bias) with `kernel` (in, units),
/// Glorot-uniform (fanIn = in, fanOut = units), and `bias` (units), zeros. All leading
/// axes are rows of one `sgemm`. Backward: dW += xᵀ·dZ, db += Σ_rows dZ, dx = dZ·Wᵀ.
public final class Dense: FusedActivationLayer, InputGradientSkippable {
    public var name: String
    public var typeName: String { "Dense" }
    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public var emitsLogits = false
    /// When false, `backward` skips dL/d(input) and returns zeros (for a model's first layer).
    public var computesInputGradient = true

    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    private var inputFeatures = 0
    private var input: Tensor?
    private var output: Tensor?

    public init(units: Int, activation: Activation = .linear, useBias: Bool = true, name: String = "") {
        precondition(units > 0, "Dense: units must be positive, got \(units)")
        self.units = units; self.activation = activation; self.useBias = useBias; self.name = name
    }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard let last = inputShape.last, last > 0, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "(…, features) with features > 0")
        }
        inputFeatures = last
        kernel = Parameter(name: "kernel", value: glorotUniform(shape: [last, units], fanIn: last, fanOut: units, rng: &rng))
        bias = useBias ? Parameter(name: "bias", value: Tensor(zeros: [units])) : nil
        return Array(inputShape.dropLast()) + [units]
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard let kernel else { preconditionFailure("Dense '\(name)': forward before build") }
        precondition(x.shape.count >= 2 && x.shape.last == inputFeatures,
                     "Dense '\(name)': expects (batch, …, \(inputFeatures)), got \(x.shape)")
        let rows = x.count / inputFeatures, u = units, k = inputFeatures
        let y = makeTensor(shape: Array(x.shape.dropLast()) + [u]) { yp in
            x.withPointer { xp in kernel.value.withPointer { wp in
                parallelSgemm(transA: false, transB: false, m: rows, n: u, k: k, alpha: 1, a: xp, lda: k, b: wp, ldb: u,
                      beta: 0, c: yp, ldc: u)
            } }
            let act: Activation? = emitsLogits ? nil : activation
            if let b = bias?.value {
                b.withPointer { addBiasAndActivate(act, yp, bias: $0, rows: rows, cols: u) }
            } else {
                addBiasAndActivate(act, yp, bias: nil, rows: rows, cols: u)
            }
        }
        input = x
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input, let y = output, let kernel else { preconditionFailure("Dense '\(name)': backward before forward") }
        precondition(dy.shape == y.shape, "Dense '\(name)': gradient shape \(dy.shape) ≠ output shape \(y.shape)")
        let rows = x.count / inputFeatures, u = units, k = inputFeatures
        let act: Activation? = emitsLogits || activation == .linear ? nil : activation
        var dz = dy
        if act != nil || bias != nil {
            dz = makeTensor(shape: dy.shape) { dzp in
                y.withPointer { yp in dy.withPointer { dyp in
                    if let bias {
                        bias.withGrad { activationBackwardAndBiasSums(act, y: yp, dy: dyp, dz: dzp, rows: rows, cols: u, biasGrad: $0) }
                    } else {
                        activationBackwardAndBiasSums(act, y: yp, dy: dyp, dz: dzp, rows: rows, cols: u, biasGrad: nil)
                    }
                } }
            }
        }
        return dz.withPointer { dzp in
            x.withPointer { xp in kernel.withGrad { dwp in
                parallelSgemm(transA: true, transB: false, m: k, n: u, k: rows, alpha: 1, a: xp, lda: k, b: dzp, ldb: u,
                      beta: 1, c: dwp, ldc: u)
            } }
            guard computesInputGradient else { return Tensor(zeros: x.shape) }
            return makeTensor(shape: x.shape) { dxp in
                kernel.value.withPointer { wp in
                    parallelSgemm(transA: false, transB: true, m: rows, n: k, k: u, alpha: 1, a: dzp, lda: u, b: wp, ldb: u,
                          beta: 0, c: dxp, ldc: k)
                }
            }
        }
    }
}

/// An element-wise activation as its own layer (Keras `Activation`); softmax on the last axis.
public final class ActivationLayer: Layer {
    public var name: String
    public var typeName: String { "Activation" }
    public let activation: Activation
    public var parameters: [Parameter] { [] }
    private var output: Tensor?

    public init(_ activation: Activation, name: String = "") { self.activation = activation; self.name = name }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "at least one non-empty axis")
        }
        return inputShape
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var y = x
        let cols = x.shape.last ?? 1
        y.data.withUnsafeMutableBufferPointer { applyActivation(activation, $0.baseAddress!, rows: x.count / cols, cols: cols) }
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("Activation '\(name)': backward before forward") }
        precondition(dy.shape == y.shape, "Activation '\(name)': gradient shape \(dy.shape) ≠ output shape \(y.shape)")
        let cols = y.shape.last ?? 1
        return makeTensor(shape: dy.shape) { dxp in
            y.withPointer { yp in dy.withPointer { dyp in
                activationBackward(activation, y: yp, dy: dyp, dz: dxp, rows: y.count / cols, cols: cols)
            } }
        }
    }
}
