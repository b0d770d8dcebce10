import NN

/// The worst disagreement between an analytic and a central-difference gradient.
public struct GradientDiscrepancy: CustomStringConvertible, Sendable {
    /// "input" or the parameter's name.
    public let quantity: String
    public let index: Int
    public let analytic: Double
    public let numeric: Double
    /// |analytic − numeric| / (absoluteTolerance + |numeric|), the figure compared against 1.
    public let score: Double
    public var description: String {
        "\(quantity)[\(index)]: analytic \(analytic), numeric \(numeric) (score \(score))"
    }
}

/// Central finite-difference check of a layer's backward pass.
///
/// The scalar loss is L = Σᵢ wᵢ·yᵢ with y = layer.forward(x, mode) and fixed random weights
/// w ∈ [−1, 1] (so dL/dy = w, accumulated in Double). For up to `samples` coordinates of the
/// input and of every parameter, the numeric derivative (L(θ + ε) − L(θ − ε)) / (θ₊ − θ₋)
/// is compared with what `backward(w)` produced. Returns the worst coordinate per quantity,
/// scored |a − n| / (atol + rtol·|n|) — a score ≤ 1 passes.
///
/// `beforeEachForward` runs before every forward after the first (e.g. to freeze a dropout mask).
public func gradientCheck(layer: Layer, input: Tensor, mode: Mode, epsilon: Float = 1e-3,
                          samples: Int = 40, relativeTolerance: Double = 1e-2, absoluteTolerance: Double = 1e-4,
                          seed: UInt64 = 1, beforeEachForward: () -> Void = {}) -> [GradientDiscrepancy] {
    var rng = SeededGenerator(seed: seed, stream: "gradient-check")
    let y0 = layer.forward(input, mode: mode)
    let w = (0..<y0.count).map { _ in Float(rng.uniform(-1, 1)) }
    for p in layer.parameters { p.zeroGrad() }
    let dx = layer.backward(Tensor(shape: y0.shape, data: w))
    let analyticParams = layer.parameters.map { $0.grad.data }

    var currentInput = input
    func loss() -> Double {
        beforeEachForward()
        let y = layer.forward(currentInput, mode: mode)
        var s = 0.0
        for i in y.data.indices { s += Double(w[i]) * Double(y.data[i]) }
        return s
    }

    func pick(_ n: Int) -> [Int] {
        if n <= samples { return Array(0..<n) }
        return (0..<samples).map { _ in rng.int(below: n) }
    }
    func score(_ a: Double, _ n: Double) -> Double { abs(a - n) / (absoluteTolerance + relativeTolerance * abs(n)) }

    var report: [GradientDiscrepancy] = []
    // Input.
    var worst: GradientDiscrepancy?
    for i in pick(input.count) {
        let v = input.data[i]
        currentInput.data[i] = v + epsilon; let up = loss(); let hi = currentInput.data[i]
        currentInput.data[i] = v - epsilon; let down = loss(); let lo = currentInput.data[i]
        currentInput.data[i] = v
        let numeric = (up - down) / (Double(hi) - Double(lo))
        let d = GradientDiscrepancy(quantity: "input", index: i, analytic: Double(dx.data[i]), numeric: numeric,
                                    score: score(Double(dx.data[i]), numeric))
        if worst == nil || d.score > worst!.score { worst = d }
    }
    if let worst { report.append(worst) }
    // Parameters (trainable and not: a non-trainable one simply has a zero gradient if unused).
    for (k, p) in layer.parameters.enumerated() where p.trainable {
        var worst: GradientDiscrepancy?
        for i in pick(p.value.count) {
            let v = p.value.data[i]
            p.value.data[i] = v + epsilon; let up = loss(); let hi = p.value.data[i]
            p.value.data[i] = v - epsilon; let down = loss(); let lo = p.value.data[i]
            p.value.data[i] = v
            let numeric = (up - down) / (Double(hi) - Double(lo))
            let a = Double(analyticParams[k][i])
            let d = GradientDiscrepancy(quantity: p.name, index: i, analytic: a, numeric: numeric, score: score(a, numeric))
            if worst == nil || d.score > worst!.score { worst = d }
        }
        if let worst { report.append(worst) }
    }
    return report
}

/// A tensor of uniform values in [low, high) from a seeded generator.
public func randomTensor(_ shape: [Int], seed: UInt64, low: Double = -1, high: Double = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed, stream: "random-tensor")
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(low, high)) })
}

/// A tensor whose values are a random permutation of evenly spaced numbers (spacing
/// `spacing`), so no two are within a finite-difference step of each other (max-pool ties).
public func separatedTensor(_ shape: [Int], seed: UInt64, spacing: Float = 0.05) -> Tensor {
    var rng = SeededGenerator(seed: seed, stream: "separated-tensor")
    let n = shape.reduce(1, *)
    let order = rng.permutation(n)
    return Tensor(shape: shape, data: order.map { Float($0 - n / 2) * spacing })
}

/// Builds `layer` alone for `inputShape` (batch axis excluded) with weights from `seed`.
@discardableResult
public func buildAlone(_ layer: Layer, inputShape: [Int], seed: UInt64 = 3) throws -> [Int] {
    var rng = SeededGenerator(seed: seed)
    if layer.name.isEmpty { layer.name = layer.typeName.lowercased() }
    return try layer.build(inputShape: inputShape, rng: &rng)
}
