import Parallel
import Dispatch
#if canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Which optimizer a training run uses.
public enum OptimizerKind: Codable, Sendable, Hashable {
    /// Adam with Keras's defaults (β1 0.9, β2 0.999, ε 1e-7).
    case adam
    /// Plain SGD when `momentum` is 0, otherwise Keras's (non-Nesterov) momentum SGD.
    case sgd(momentum: Double)

    /// A fresh optimizer of this kind with no state.
    public func make(learningRate: Double) -> Optimizer {
        switch self {
        case .adam: return Adam(learningRate: learningRate)
        case .sgd(let momentum): return SGD(learningRate: learningRate, momentum: momentum)
        }
    }
}

/// Updates parameters from their accumulated gradients. Only `trainable` parameters change;
/// per-parameter state (moments, velocities) is keyed by the parameter's identity, so one
/// optimizer serves one model for the whole run.
public protocol Optimizer: AnyObject {
    var learningRate: Double { get set }
    func step(_ parameters: [Parameter])
}

/// Adam as Keras implements it (`keras.optimizers.Adam`), with t the 1-based step count:
///
///     m ← m + (g − m)(1 − β1)          v ← v + (g² − v)(1 − β2)
///     lr_t = lr · sqrt(1 − β2^t) / (1 − β1^t)
///     p ← p − lr_t · m / (sqrt(v) + ε)
///
/// Moments are kept in Float32 as Keras does; lr_t is computed in Double.
public final class Adam: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    /// Number of `step` calls so far (Keras's `iterations`).
    public private(set) var iterations = 0
    private var moments: [ObjectIdentifier: (m: [Float], v: [Float])] = [:]

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func step(_ parameters: [Parameter]) {
        iterations += 1
        let t = Double(iterations)
        let lrT = Float(learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
        let a1 = Float(1 - beta1), a2 = Float(1 - beta2), eps = Float(epsilon)
        for p in parameters where p.trainable {
            precondition(p.grad.shape == p.value.shape,
                         "Adam: gradient of '\(p.name)' has shape \(p.grad.shape), value \(p.value.shape)")
            if p.value.count == 0 { continue }
            let key = ObjectIdentifier(p)
            var state = moments.removeValue(forKey: key)
                ?? (m: [Float](repeating: 0, count: p.value.count), v: [Float](repeating: 0, count: p.value.count))
            p.grad.data.withUnsafeBufferPointer { g in
                p.value.data.withUnsafeMutableBufferPointer { w in
                    state.m.withUnsafeMutableBufferPointer { m in
                        state.v.withUnsafeMutableBufferPointer { v in
                            let kernel = AdamKernel(g: g.baseAddress!, w: w.baseAddress!, m: m.baseAddress!,
                                                    v: v.baseAddress!, a1: a1, a2: a2, lrT: lrT, eps: eps)
                            optimizerParallelChunks(w.count) { kernel.run($0) }
                        }
                    }
                }
            }
            moments[key] = state
        }
    }
}

/// Stochastic gradient descent as Keras's `SGD(momentum:, nesterov: false)`:
///
///     momentum = 0:  p ← p − lr · g
///     otherwise:     v ← momentum · v − lr · g;   p ← p + v
public final class SGD: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    private var velocities: [ObjectIdentifier: [Float]] = [:]

    public init(learningRate: Double = 1e-2, momentum: Double = 0) {
        precondition(momentum >= 0 && momentum < 1, "SGD: momentum must be in [0, 1), got \(momentum)")
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func step(_ parameters: [Parameter]) {
        let lr = Float(learningRate), mu = Float(momentum)
        for p in parameters where p.trainable {
            precondition(p.grad.shape == p.value.shape,
                         "SGD: gradient of '\(p.name)' has shape \(p.grad.shape), value \(p.value.shape)")
            if p.value.count == 0 { continue }
            if momentum == 0 {
                p.grad.data.withUnsafeBufferPointer { g in
                    p.value.data.withUnsafeMutableBufferPointer { w in
                        let k = SGDKernel(g: g.baseAddress!, w: w.baseAddress!, v: nil, lr: lr, mu: 0)
                        optimizerParallelChunks(w.count) { k.run($0) }
                    }
                }
                continue
            }
            let key = ObjectIdentifier(p)
            var vel = velocities.removeValue(forKey: key) ?? [Float](repeating: 0, count: p.value.count)
            p.grad.data.withUnsafeBufferPointer { g in
                p.value.data.withUnsafeMutableBufferPointer { w in
                    vel.withUnsafeMutableBufferPointer { v in
                        let k = SGDKernel(g: g.baseAddress!, w: w.baseAddress!, v: v.baseAddress!, lr: lr, mu: mu)
                        optimizerParallelChunks(w.count) { k.run($0) }
                    }
                }
            }
            velocities[key] = vel
        }
    }
}

/// Adam's element-wise update over raw buffers, four lanes at a time (SSE `sqrtps` through
/// the Clang intrinsics on x86-64, where `SIMD.squareRoot()` would be split into scalar
/// `sqrtss`; the portable lane-wise square root elsewhere). Every lane does the same IEEE
/// operations in the same order as the scalar tail, so results do not depend on the split.
private struct AdamKernel: @unchecked Sendable {
    let g: UnsafePointer<Float>
    let w: UnsafeMutablePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let a1: Float, a2: Float, lrT: Float, eps: Float

    @inline(__always)
    private static func sqrt4(_ x: SIMD4<Float>) -> SIMD4<Float> {
        #if canImport(_Builtin_intrinsics.intel)
        return _mm_sqrt_ps(x)
        #else
        return x.squareRoot()
        #endif
    }

    func run(_ range: Range<Int>) {
        var i = range.lowerBound
        let a1v = SIMD4<Float>(repeating: a1), a2v = SIMD4<Float>(repeating: a2)
        let lrv = SIMD4<Float>(repeating: lrT), epsv = SIMD4<Float>(repeating: eps)
        while i + 4 <= range.upperBound {
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD4<Float>.self)
            var mv = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD4<Float>.self)
            var vv = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD4<Float>.self)
            var wv = UnsafeRawPointer(w + i).loadUnaligned(as: SIMD4<Float>.self)
            mv += (gv - mv) * a1v
            vv += (gv * gv - vv) * a2v
            wv -= lrv * mv / (Self.sqrt4(vv) + epsv)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mv, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vv, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(w + i).storeBytes(of: wv, as: SIMD4<Float>.self)
            i += 4
        }
        while i < range.upperBound {
            let gi = g[i]
            m[i] += (gi - m[i]) * a1
            v[i] += (gi * gi - v[i]) * a2
            w[i] -= lrT * m[i] / (v[i].squareRoot() + eps)
            i += 1
        }
    }
}

/// SGD's element-wise update: p −= lr·g, or with velocity v: v = μ·v − lr·g; p += v.
private struct SGDKernel: @unchecked Sendable {
    let g: UnsafePointer<Float>
    let w: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>?
    let lr: Float, mu: Float

    func run(_ range: Range<Int>) {
        if let v {
            for i in range {
                v[i] = mu * v[i] - lr * g[i]
                w[i] += v[i]
            }
        } else {
            for i in range { w[i] -= lr * g[i] }
        }
    }
}

/// Splits 0..<count into chunks of at least 2^18 elements, run concurrently (one per core at
/// most); small arrays run inline. Chunks are disjoint, so element-wise updates are race-free.
func optimizerParallelChunks(_ count: Int, _ body: (Range<Int>) -> Void) {
    parallelRanges(count, parts: Parallelism.cores, minimumLength: 1 << 18, body)
}
