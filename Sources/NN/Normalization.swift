/// Batch normalisation over the last axis (Keras `BatchNormalization`, axis −1).
///
/// Parameters (Keras order): gamma (C) = 1 and beta (C) = 0, trainable; moving_mean (C) = 0
/// and moving_variance (C) = 1, non-trainable (counted in the parameter total, as Keras does).
/// - training: μ, σ² = mean and biased variance over all other axes (N = count / C rows);
///   x̂ = (x − μ)/√(σ² + ε); y = γ·x̂ + β; moving ← momentum·moving + (1 − momentum)·batch.
///   Backward: dγ += Σ dy·x̂, dβ += Σ dy, dx = γ/(N√(σ²+ε)) · (N·dy − Σdy − x̂·Σ(dy·x̂)).
/// - inference: the same with the moving statistics, dx = dy·γ/√(σ_m² + ε).
public final class BatchNormalization: Layer {
    public var name: String
    public var typeName: String { "BatchNormalization" }
    public let momentum: Double
    public let epsilon: Double
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    public private(set) var movingMean: Parameter?
    public private(set) var movingVariance: Parameter?
    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }

    private var channels = 0
    private var xhat: [Float] = []
    private var invStd: [Float] = []
    private var lastMode: Mode = .inference

    public init(momentum: Double = 0.99, epsilon: Double = 1e-3, name: String = "") {
        precondition(momentum >= 0 && momentum <= 1, "BatchNormalization: momentum must be in [0, 1], got \(momentum)")
        precondition(epsilon > 0, "BatchNormalization: epsilon must be positive, got \(epsilon)")
        self.momentum = momentum; self.epsilon = epsilon; self.name = name
    }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard let c = inputShape.last, c > 0, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "(…, channels) with channels > 0")
        }
        channels = c
        gamma = Parameter(name: "gamma", value: Tensor(repeating: 1, shape: [c]))
        beta = Parameter(name: "beta", value: Tensor(zeros: [c]))
        movingMean = Parameter(name: "moving_mean", value: Tensor(zeros: [c]), trainable: false)
        movingVariance = Parameter(name: "moving_variance", value: Tensor(repeating: 1, shape: [c]), trainable: false)
        return inputShape
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard let gamma, let beta, let movingMean, let movingVariance else {
            preconditionFailure("BatchNormalization '\(name)': forward before build")
        }
        precondition(x.shape.count >= 2 && x.shape.last == channels,
                     "BatchNormalization '\(name)': expects (batch, …, \(channels)), got \(x.shape)")
        let c = channels, rows = x.count / c
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        if mode == .training {
            x.withPointer { xp in
                for r in 0..<rows { let row = xp + r * c; for j in 0..<c { mean[j] += Double(row[j]) } }
                for j in 0..<c { mean[j] /= Double(rows) }
                for r in 0..<rows {
                    let row = xp + r * c
                    for j in 0..<c { let d = Double(row[j]) - mean[j]; variance[j] += d * d }
                }
                for j in 0..<c { variance[j] /= Double(rows) }
            }
            let m = Float(momentum), m1 = Float(1 - momentum)
            for j in 0..<c {
                movingMean.value.data[j] = m * movingMean.value.data[j] + m1 * Float(mean[j])
                movingVariance.value.data[j] = m * movingVariance.value.data[j] + m1 * Float(variance[j])
            }
        } else {
            for j in 0..<c { mean[j] = Double(movingMean.value.data[j]); variance[j] = Double(movingVariance.value.data[j]) }
        }
        let inv = (0..<c).map { Float(1 / (variance[$0] + epsilon).squareRoot()) }
        let mu = mean.map { Float($0) }
        var xh = [Float](repeating: 0, count: x.count)
        let y = makeTensor(shape: x.shape) { yp in
            x.withPointer { xp in xh.withUnsafeMutableBufferPointer { hb in
                gamma.value.withPointer { gp in beta.value.withPointer { bp in
                    inv.withUnsafeBufferPointer { ip in mu.withUnsafeBufferPointer { mp in
                        let h = hb.baseAddress!
                        for r in 0..<rows {
                            let o = r * c
                            for j in 0..<c {
                                let v = (xp[o + j] - mp[j]) * ip[j]
                                h[o + j] = v
                                yp[o + j] = gp[j] * v + bp[j]
                            }
                        }
                    } }
                } }
            } }
        }
        xhat = xh
        invStd = inv
        lastMode = mode
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let gamma, let beta, !xhat.isEmpty else { preconditionFailure("BatchNormalization '\(name)': backward before forward") }
        precondition(dy.count == xhat.count, "BatchNormalization '\(name)': gradient has \(dy.count) values, input \(xhat.count)")
        let c = channels, rows = dy.count / c
        var sumDy = [Double](repeating: 0, count: c), sumDyXhat = [Double](repeating: 0, count: c)
        dy.withPointer { dp in xhat.withUnsafeBufferPointer { h in
            for r in 0..<rows {
                let o = r * c
                for j in 0..<c { let d = Double(dp[o + j]); sumDy[j] += d; sumDyXhat[j] += d * Double(h[o + j]) }
            }
        } }
        for j in 0..<c {
            gamma.grad.data[j] += Float(sumDyXhat[j])
            beta.grad.data[j] += Float(sumDy[j])
        }
        let training = lastMode == .training
        let n = Double(rows)
        let scale = (0..<c).map { Float(Double(gamma.value.data[$0]) * Double(invStd[$0])) }
        let meanDy = sumDy.map { Float($0 / n) }, meanDyXhat = sumDyXhat.map { Float($0 / n) }
        return makeTensor(shape: dy.shape) { dxp in
            dy.withPointer { dp in xhat.withUnsafeBufferPointer { h in
                scale.withUnsafeBufferPointer { s in meanDy.withUnsafeBufferPointer { md in meanDyXhat.withUnsafeBufferPointer { mh in
                    for r in 0..<rows {
                        let o = r * c
                        if training {
                            for j in 0..<c { dxp[o + j] = s[j] * (dp[o + j] - md[j] - h[o + j] * mh[j]) }
                        } else {
                            for j in 0..<c { dxp[o + j] = s[j] * dp[o + j] }
                        }
                    }
                } } }
            } }
        }
    }
}
