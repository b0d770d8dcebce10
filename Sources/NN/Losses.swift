#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The two losses of the study, as Keras names them.
public enum LossKind: String, Codable, Sendable {
    case binaryCrossEntropy, categoricalCrossEntropy
}

/// How a cross-entropy is computed when the head's activation is not the loss's natural
/// partner (softmax + BCE — the study's own combination — or sigmoid + CCE).
///
/// Measured with Keras 3.15 / TensorFlow 2.21 (the anchors' versions): `keras.activations.softmax`
/// and `sigmoid` cache their input as `_keras_logits`, and both cross-entropies use cached
/// logits whatever activation produced them, so softmax + BCE becomes
/// `sigmoid_cross_entropy_with_logits` of the *softmax's* logits (a Dense(2, softmax) head
/// with logits (0.4, −0.3), (1.1, 2.0), (0.2, 0.1) and one-hot targets (1,0), (1,0), (0,1) gives
/// 0.8206949 in `model.evaluate`, against 0.7962455 on probabilities). Standalone Keras 2.x
/// (whose TensorFlow backend recognised only a preceding `Sigmoid` op for BCE) computed the
/// mixed pairs on clipped probabilities; which version the study ran is not recorded.
public enum MixedLossSemantics: String, Codable, Sendable {
    /// Standalone Keras 2.x: the loss on the activation's probabilities, clipped to [1e-7, 1 − 1e-7].
    case clippedProbabilities
    /// Keras 3 (and later tf.keras): BCE is always sigmoid-BCE of the logits, CCE always
    /// softmax-CCE of the logits, whichever of sigmoid/softmax the head has.
    case cachedLogits
}

/// Cross-entropy losses computed from the model's last-layer *logits* (pre-activation
/// values, shape (B, units)) and that layer's `Activation`, returning the mean loss as Keras
/// reports it and dL/d(logits) for the layer's fused backward.
///
/// Notation: z logits, p = act(z) probabilities, y targets, w optional per-element weights
/// (all (B, U)), ε = 1e-7 (Keras's `epsilon()`), clip(p) = min(max(p, ε), 1 − ε).
///
/// - sigmoid + BCE, stable from logits (what Keras does when the output came from a
///   sigmoid): ℓ = max(z, 0) − z·y + log1p(exp(−|z|)), ∂ℓ/∂z = σ(z) − y.
/// - softmax + CCE, stable from logits via log-softmax: ℓ_i = −Σ_j y_ij·(z_ij − logsumexp(z_i)),
///   ∂ℓ_i/∂z_ik = q_ik·Σ_j y_ij − y_ik with q = softmax(z) (weights folded into y·w).
/// - With `MixedLossSemantics.cachedLogits`, softmax + BCE and sigmoid + CCE use the two
///   stable formulas above on the logits (Keras 3's behaviour).
/// - Every other pair (with the default `.clippedProbabilities`: softmax + BCE — the study's
///   own combination — and sigmoid + CCE; always: linear/relu outputs), on probabilities:
///   BCE ℓ = −(y·log clip(p) + (1 − y)·log(1 − clip(p)));
///   CCE first renormalises q = p / Σ_j p_j (as Keras does), then ℓ_i = −Σ_j y_ij·log clip(q_ij).
///   The gradient is the exact gradient of that expression: zero where the clip is active
///   (as `tf.clip_by_value`), through the renormalisation, then through the activation's
///   Jacobian (sigmoid p(1 − p); softmax p_k(g_k − Σ_j g_j p_j); relu 1[z > 0]; linear 1).
///
/// Reduction (Keras's `sum_over_batch_size`): BCE is the mean over units, then over the
/// batch: L = (1/B)·Σ_i (1/U)·Σ_j w_ij·ℓ_ij. CCE sums over classes then means over the batch:
/// L = (1/B)·Σ_i Σ_j w_ij·y_ij·(−log q_ij). With per-sample weights (Keras `class_weight`)
/// broadcast along the row, both equal Keras's weighted loss; the divisor is B, not Σw.
public enum Loss {
    /// Keras's fuzz factor `epsilon()`.
    public static let epsilon: Double = 1e-7

    /// Mean loss and dL/d(logits).
    /// - Parameters:
    ///   - logits: (B, U) pre-activation outputs of the last layer.
    ///   - activation: that layer's activation (softmax acts on the last axis).
    ///   - targets: (B, U) targets: 0/1 per unit for BCE, one-hot rows for CCE.
    ///   - weights: optional (B, U) per-element weights (see the type's documentation).
    ///   - mixed: how softmax + BCE and sigmoid + CCE are computed.
    public static func compute(_ kind: LossKind, logits: Tensor, activation: Activation,
                               targets: Tensor, weights: Tensor? = nil,
                               mixed: MixedLossSemantics = .clippedProbabilities) -> (loss: Double, gradient: Tensor) {
        precondition(logits.shape.count == 2, "Loss: logits must be (batch, units), got \(logits.shape)")
        precondition(targets.shape == logits.shape,
                     "Loss: targets \(targets.shape) must match logits \(logits.shape)")
        if let w = weights {
            precondition(w.shape == logits.shape, "Loss: weights \(w.shape) must match logits \(logits.shape)")
        }
        switch (kind, activation) {
        case (.binaryCrossEntropy, .sigmoid):
            return sigmoidBCE(logits, targets, weights)
        case (.categoricalCrossEntropy, .softmax):
            return softmaxCCE(logits, targets, weights)
        case (.binaryCrossEntropy, .softmax) where mixed == .cachedLogits:
            return sigmoidBCE(logits, targets, weights)
        case (.categoricalCrossEntropy, .sigmoid) where mixed == .cachedLogits:
            return softmaxCCE(logits, targets, weights)
        default:
            return fromProbabilities(kind, logits, activation, targets, weights)
        }
    }

    /// Applies `activation` to (B, U) logits (softmax row-wise, max-subtracted).
    public static func activate(_ z: Tensor, _ activation: Activation) -> Tensor {
        var out = z
        let u = z.shape.last ?? 1
        let rows = u == 0 ? 0 : z.count / u
        out.data.withUnsafeMutableBufferPointer { p in
            switch activation {
            case .linear: break
            case .relu: for i in p.indices { p[i] = max(p[i], 0) }
            case .sigmoid: for i in p.indices { p[i] = Float(sigmoid(Double(p[i]))) }
            case .softmax:
                for r in 0..<rows {
                    let base = r * u
                    var m = -Double.infinity
                    for j in 0..<u { m = max(m, Double(p[base + j])) }
                    var s = 0.0
                    var e = [Double](repeating: 0, count: u)
                    for j in 0..<u { e[j] = exp(Double(p[base + j]) - m); s += e[j] }
                    for j in 0..<u { p[base + j] = Float(e[j] / s) }
                }
            }
        }
        return out
    }

    @inline(__always)
    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : { let e = exp(z); return e / (1 + e) }()
    }

    private static func sigmoidBCE(_ z: Tensor, _ y: Tensor, _ w: Tensor?) -> (loss: Double, gradient: Tensor) {
        let b = z.shape[0], u = z.shape[1]
        let scale = 1.0 / Double(b * u)
        var grad = Tensor(zeros: z.shape)
        var total = 0.0
        z.data.withUnsafeBufferPointer { zp in
            y.data.withUnsafeBufferPointer { yp in
                grad.data.withUnsafeMutableBufferPointer { gp in
                    for i in 0..<zp.count {
                        let zi = Double(zp[i]), yi = Double(yp[i])
                        let wi = w.map { Double($0.data[i]) } ?? 1
                        let l = max(zi, 0) - zi * yi + log1p(exp(-abs(zi)))
                        total += wi * l
                        gp[i] = Float(wi * (sigmoid(zi) - yi) * scale)
                    }
                }
            }
        }
        return (total * scale, grad)
    }

    private static func softmaxCCE(_ z: Tensor, _ y: Tensor, _ w: Tensor?) -> (loss: Double, gradient: Tensor) {
        let b = z.shape[0], u = z.shape[1]
        var grad = Tensor(zeros: z.shape)
        var total = 0.0
        var logq = [Double](repeating: 0, count: u)
        for r in 0..<b {
            let base = r * u
            var m = -Double.infinity
            for j in 0..<u { m = max(m, Double(z.data[base + j])) }
            var s = 0.0
            for j in 0..<u { s += exp(Double(z.data[base + j]) - m) }
            let lse = m + log(s)
            var wy = 0.0  // Σ_j w_ij·y_ij
            for j in 0..<u {
                logq[j] = Double(z.data[base + j]) - lse
                let t = Double(y.data[base + j]) * (w.map { Double($0.data[base + j]) } ?? 1)
                wy += t
                total -= t * logq[j]
            }
            for j in 0..<u {
                let t = Double(y.data[base + j]) * (w.map { Double($0.data[base + j]) } ?? 1)
                grad.data[base + j] = Float((exp(logq[j]) * wy - t) / Double(b))
            }
        }
        return (total / Double(b), grad)
    }

    private static func fromProbabilities(_ kind: LossKind, _ z: Tensor, _ activation: Activation,
                                          _ y: Tensor, _ w: Tensor?) -> (loss: Double, gradient: Tensor) {
        let b = z.shape[0], u = z.shape[1]
        let lo = epsilon, hi = 1 - epsilon
        let p = activate(z, activation)
        var dp = [Double](repeating: 0, count: z.count)   // dL/dp
        var total = 0.0
        switch kind {
        case .binaryCrossEntropy:
            let scale = 1.0 / Double(b * u)
            for i in 0..<z.count {
                let pi = Double(p.data[i]), yi = Double(y.data[i])
                let wi = w.map { Double($0.data[i]) } ?? 1
                let c = min(max(pi, lo), hi)
                total -= wi * (yi * log(c) + (1 - yi) * log(1 - c))
                if pi >= lo && pi <= hi { dp[i] = wi * scale * (-yi / c + (1 - yi) / (1 - c)) }
            }
            total *= scale
        case .categoricalCrossEntropy:
            var g = [Double](repeating: 0, count: u)
            for r in 0..<b {
                let base = r * u
                var s = 0.0
                for j in 0..<u { s += Double(p.data[base + j]) }
                var gq = 0.0   // Σ_k g_k q_k
                for j in 0..<u {
                    let q = Double(p.data[base + j]) / s
                    let t = Double(y.data[base + j]) * (w.map { Double($0.data[base + j]) } ?? 1)
                    let c = min(max(q, lo), hi)
                    total -= t * log(c)
                    g[j] = (q >= lo && q <= hi) ? -t / c / Double(b) : 0
                    gq += g[j] * q
                }
                for j in 0..<u { dp[base + j] = (g[j] - gq) / s }
            }
            total /= Double(b)
        }
        // Back through the activation.
        var grad = Tensor(zeros: z.shape)
        switch activation {
        case .linear:
            for i in 0..<z.count { grad.data[i] = Float(dp[i]) }
        case .relu:
            for i in 0..<z.count { grad.data[i] = z.data[i] > 0 ? Float(dp[i]) : 0 }
        case .sigmoid:
            for i in 0..<z.count {
                let pi = Double(p.data[i])
                grad.data[i] = Float(dp[i] * pi * (1 - pi))
            }
        case .softmax:
            for r in 0..<b {
                let base = r * u
                var dot = 0.0
                for j in 0..<u { dot += dp[base + j] * Double(p.data[base + j]) }
                for j in 0..<u {
                    grad.data[base + j] = Float(Double(p.data[base + j]) * (dp[base + j] - dot))
                }
            }
        }
        return (total, grad)
    }
}
