import Parallel
import Foundation

/// Long short-term memory layer with Keras's semantics (`LSTM`, default activations).
///
/// Input (B, T, F) → (B, T, units) when `returnSequences`, else (B, units) (the last step).
/// Weights (Keras order and layout): `kernel` (F, 4u), `recurrent_kernel` (u, 4u), `bias`
/// (4u), each split into gates in the order i, f, c, o. Per step, with z = xₜ·W + hₜ₋₁·U + b:
/// i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o); cₜ = f·cₜ₋₁ + i·g; hₜ = o·tanh(cₜ);
/// h₋₁ = c₋₁ = 0. Initialisers: Glorot-uniform kernel (fanIn F, fanOut 4u), orthogonal
/// recurrent kernel, bias zeros except the forget block = 1 (`unit_forget_bias`).
///
/// The input projection of all time steps is one `sgemm`; each step adds hₜ₋₁·U with
/// one more. Backward is full backpropagation through time; its weight gradients (dW, dU,
/// db) are each one product over all steps once the recurrence has run.
public final class LSTM: InputGradientSkippable {
    public var name: String
    public var typeName: String { "LSTM" }
    public let units: Int
    public let returnSequences: Bool
    /// When false, `backward` skips dL/d(input) and returns zeros (for a model's first layer).
    public var computesInputGradient = true

    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?
    public var parameters: [Parameter] { [kernel, recurrentKernel, bias].compactMap { $0 } }

    private var features = 0
    private var steps = 0
    private var input: Tensor?
    /// Activated gates (B·T, 4u) in i, f, g, o blocks; cell states, tanh of them and hidden
    /// states (B·T, u). Row b·T + t.
    private var gates: [Float] = []
    private var cells: [Float] = []
    private var cellTanh: [Float] = []
    private var hidden: [Float] = []
    /// `hidden` with each sequence's last state zeroed, for dU (reused from step to step).
    private var hiddenBefore: [Float] = []

    public init(units: Int, returnSequences: Bool = false, name: String = "") {
        precondition(units > 0, "LSTM: units must be positive, got \(units)")
        self.units = units; self.returnSequences = returnSequences; self.name = name
    }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard inputShape.count == 2, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "(time steps, features)")
        }
        steps = inputShape[0]; features = inputShape[1]
        let u = units
        kernel = Parameter(name: "kernel", value: glorotUniform(shape: [features, 4 * u], fanIn: features, fanOut: 4 * u, rng: &rng))
        recurrentKernel = Parameter(name: "recurrent_kernel", value: orthogonal(rows: u, cols: 4 * u, rng: &rng))
        var b = Tensor(zeros: [4 * u])
        for j in u..<(2 * u) { b.data[j] = 1 }
        bias = Parameter(name: "bias", value: b)
        return returnSequences ? [steps, u] : [u]
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard let kernel, let recurrentKernel, let bias else { preconditionFailure("LSTM '\(name)': forward before build") }
        precondition(x.shape.count == 3 && x.shape[1] == steps && x.shape[2] == features,
                     "LSTM '\(name)': expects (batch, \(steps), \(features)), got \(x.shape)")
        let batch = x.batch, t = steps, u = units, g4 = 4 * u, f = features
        var gz = [Float](repeating: 0, count: batch * t * g4)
        var cs = [Float](repeating: 0, count: batch * t * u)
        var ct = [Float](repeating: 0, count: batch * t * u)
        var hs = [Float](repeating: 0, count: batch * t * u)
        x.withPointer { xp in kernel.value.withPointer { wp in recurrentKernel.value.withPointer { up in bias.value.withPointer { bp in
        gz.withUnsafeMutableBufferPointer { gb in cs.withUnsafeMutableBufferPointer { cb in
        ct.withUnsafeMutableBufferPointer { tb in hs.withUnsafeMutableBufferPointer { hb in
            let gp = gb.baseAddress!, cp = cb.baseAddress!, tp = tb.baseAddress!, hp = hb.baseAddress!
            for r in 0..<(batch * t) { (gp + r * g4).update(from: bp, count: g4) }
            // Z (B·T × 4u) = X (B·T × F) · W (F × 4u) + b
            parallelSgemm(transA: false, transB: false, m: batch * t, n: g4, k: f, alpha: 1, a: xp, lda: f, b: wp, ldb: g4,
                  beta: 1, c: gp, ldc: g4)
            // The recurrence is independent per batch row: each part runs the whole sequence
            // for its rows (one dispatch per layer instead of one per step).
            let parts = recurrenceParts(batch)
            parallelFor(parts) { part in
                let b0 = batch * part / parts, b1 = batch * (part + 1) / parts
                for s in 0..<t {
                    if s > 0 {
                        // Zₛ (rows × 4u) += hₛ₋₁ (rows × u) · U (u × 4u); rows b·T + s, stride T·4u
                        sgemm(transA: false, transB: false, m: b1 - b0, n: g4, k: u, alpha: 1,
                              a: hp + (b0 * t + s - 1) * u, lda: t * u, b: up, ldb: g4, beta: 1,
                              c: gp + (b0 * t + s) * g4, ldc: t * g4)
                    }
                    for b in b0..<b1 {
                        let o = (b * t + s) * u
                        lstmCellForward(z: gp + (b * t + s) * g4, cPrev: s > 0 ? UnsafePointer(cp + o - u) : nil,
                                        c: cp + o, tanhC: tp + o, h: hp + o, units: u)
                    }
                }
            }
        } } } }
        } } } }
        input = x
        gates = gz; cells = cs; cellTanh = ct; hidden = hs
        if returnSequences { return Tensor(shape: [batch, t, u], data: hs) }
        return makeTensor(shape: [batch, u]) { yp in
            hs.withUnsafeBufferPointer { h in
                for b in 0..<batch { (yp + b * u).update(from: h.baseAddress! + (b * t + t - 1) * u, count: u) }
            }
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input, let kernel, let recurrentKernel, let bias else {
            preconditionFailure("LSTM '\(name)': backward before forward")
        }
        let batch = x.batch, t = steps, u = units, g4 = 4 * u, f = features
        let expected = returnSequences ? [batch, t, u] : [batch, u]
        precondition(dy.shape == expected, "LSTM '\(name)': gradient shape \(dy.shape) ≠ output shape \(expected)")
        var dz = [Float](repeating: 0, count: batch * t * g4)
        var dh = [Float](repeating: 0, count: batch * u)
        var dc = [Float](repeating: 0, count: batch * u)
        dy.withPointer { dyp in recurrentKernel.value.withPointer { up in recurrentKernel.withGrad { dup in
        gates.withUnsafeBufferPointer { gb in cells.withUnsafeBufferPointer { cb in cellTanh.withUnsafeBufferPointer { tb in
        hidden.withUnsafeBufferPointer { hb in dz.withUnsafeMutableBufferPointer { zb in
        dh.withUnsafeMutableBufferPointer { dhb in dc.withUnsafeMutableBufferPointer { dcb in
            let gp = gb.baseAddress!, cp = cb.baseAddress!, tp = tb.baseAddress!, hp = hb.baseAddress!
            let zp = zb.baseAddress!, dhp = dhb.baseAddress!, dcp = dcb.baseAddress!
            // Each part backpropagates its own rows through time; dU waits for the end, where
            // it is one product over all rows and steps instead of one thin product (k = the
            // part's rows) per step.
            let parts = recurrenceParts(batch)
            let zeroRow = [Float](repeating: 0, count: u)
            zeroRow.withUnsafeBufferPointer { zr in
                let zp0 = zr.baseAddress!
                parallelFor(parts) { part in
                    let b0 = batch * part / parts, b1 = batch * (part + 1) / parts
                    for s in stride(from: t - 1, through: 0, by: -1) {
                        for b in b0..<b1 {
                            let r = b * t + s, o = r * u
                            let dOut = returnSequences ? dyp + o : (s == t - 1 ? dyp + b * u : zp0)
                            lstmCellBackward(gates: gp + r * g4, tanhC: tp + o, cPrev: s > 0 ? cp + o - u : zp0,
                                             dh: dhp + b * u, dOut: dOut, dc: dcp + b * u, dz: zp + r * g4, units: u)
                        }
                        if s > 0 {
                            // dhₛ₋₁ (rows × u) = dZₛ (rows × 4u) · Uᵀ
                            sgemm(transA: false, transB: true, m: b1 - b0, n: u, k: g4, alpha: 1,
                                  a: zp + (b0 * t + s) * g4, lda: t * g4, b: up, ldb: g4, beta: 0,
                                  c: dhp + b0 * u, ldc: u)
                        }
                    }
                }
            }
            // dU (u × 4u) += Σ_{b, s ≥ 1} hᵀ_{b, s−1} · dZ_{b, s}. Row r of H pairs with row r + 1
            // of dZ (rows b·T + s); with each sequence's last hidden state zeroed in a copy of H,
            // the pairs that cross from one sequence to the next add nothing, and the sum is one
            // product with k = B·T − 1.
            if hiddenBefore.count != hb.count { hiddenBefore = [Float](repeating: 0, count: hb.count) }
            hiddenBefore.withUnsafeMutableBufferPointer { pb in
                pb.baseAddress!.update(from: hb.baseAddress!, count: hb.count)
                for b in 0..<batch { (pb.baseAddress! + (b * t + t - 1) * u).update(repeating: 0, count: u) }
            }
            if batch * t > 1 { hiddenBefore.withUnsafeBufferPointer { pb in
                parallelSgemm(transA: true, transB: false, m: u, n: g4, k: batch * t - 1, alpha: 1,
                              a: pb.baseAddress!, lda: u, b: zp + g4, ldb: g4, beta: 1, c: dup, ldc: g4)
            } }
        } } } }
        } } }
        } } }
        return dz.withUnsafeBufferPointer { zb in
            let zp = zb.baseAddress!
            bias.withGrad { addColumnSums(zp, rows: batch * t, cols: g4, into: $0) }
            x.withPointer { xp in kernel.withGrad { dwp in
                // dW (F × 4u) += Xᵀ · dZ
                parallelSgemm(transA: true, transB: false, m: f, n: g4, k: batch * t, alpha: 1, a: xp, lda: f, b: zp, ldb: g4,
                      beta: 1, c: dwp, ldc: g4)
            } }
            guard computesInputGradient else { return Tensor(zeros: x.shape) }
            return makeTensor(shape: x.shape) { dxp in
                kernel.value.withPointer { wp in
                    // dX (B·T × F) = dZ · Wᵀ
                    parallelSgemm(transA: false, transB: true, m: batch * t, n: f, k: g4, alpha: 1, a: zp, lda: g4, b: wp, ldb: g4,
                          beta: 0, c: dxp, ldc: f)
                }
            }
        }
    }
}

/// Number of batch slices an LSTM runs its recurrence in, in parallel (1 when OpenBLAS
/// threads each product itself).
func recurrenceParts(_ batch: Int) -> Int { splitsProducts ? max(1, min(productParts, batch)) : 1 }
