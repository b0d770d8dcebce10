import Foundation
import BLASGuard
import CBLAS

// The only file that talks to OpenBLAS. Everything is row-major.

/// Row-major single-precision matrix product `C = alpha · op(A) · op(B) + beta · C`,
/// where `op(A)` is m×k, `op(B)` is k×n and `C` is m×n; `lda`, `ldb`, `ldc` are the row
/// strides (in elements) of A, B and C as stored (before any transposition).
@inline(__always)
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Sets the number of threads OpenBLAS uses for every later call (1 gives the most
/// repeatable timings; results are identical for a fixed thread count).
public func setBLASThreads(_ n: Int) {
    precondition(n >= 1, "setBLASThreads: need at least one thread, got \(n)")
    openblas_set_num_threads(Int32(n))
}

/// The number of threads OpenBLAS currently uses.
public var blasThreads: Int { Int(openblas_get_num_threads()) }

/// Adds the column sums of the row-major `rows`×`cols` matrix `a` into `sums` (length
/// `cols`): `sums[j] += Σ_i a[i·cols + j]`. Used for bias gradients.
public func addColumnSums(_ a: UnsafePointer<Float>, rows: Int, cols: Int, into sums: UnsafeMutablePointer<Float>) {
    if rows == 0 || cols == 0 { return }
    let ones = [Float](repeating: 1, count: rows)
    ones.withUnsafeBufferPointer { o in
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(cols), 1, a, Int32(cols),
                    o.baseAddress!, 1, 1, sums, 1)
    }
}

/// The OpenBLAS build in use (`openblas_get_config`), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH … Haswell MAX_THREADS=64".
public func blasVersion() -> String {
    guard let c = openblas_get_config() else { return "unknown" }
    return String(cString: c).trimmingCharacters(in: .whitespaces) + " (core " + String(cString: openblas_get_corename()) + ")"
}

/// OpenBLAS's kernel choice, checked (see docs/benchmarks.md, "OpenBLAS kernels").
public enum BLASKernels {
    /// The outcome of comparing a fixed set of `cblas_sgemm` products (all transpositions,
    /// β 0 and 1, sizes 1…150 reaching the small-matrix and the blocked kernels) with a naive
    /// double-precision sum, entry by entry, relative to Σ|aᵢ·bᵢ|.
    public struct CheckResult: Sendable, CustomStringConvertible {
        public let checked: Int
        public let failed: Int
        public let worstRelativeError: Double
        /// The first product that failed, or nil.
        public let firstFailure: String?
        public var passed: Bool { failed == 0 }
        public var description: String {
            passed ? String(format: "%d products correct (worst relative error %.1e)", checked, worstRelativeError)
                : String(format: "%d of %d products WRONG (first: %@; worst relative error %.1e)", failed, checked,
                         firstFailure ?? "?", worstRelativeError)
        }
    }

    /// Runs the check now, with the kernels in use (a few milliseconds).
    public static func selfCheck() -> CheckResult {
        var r = blas_guard_check()
        let first = withUnsafeBytes(of: &r.first_failure) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return CheckResult(checked: Int(r.checked), failed: Int(r.failed), worstRelativeError: r.worst_relative_error,
                           firstFailure: first.isEmpty ? nil : first)
    }

    /// What the start-up guard (run before `main` on x86-64 Linux) did, in words.
    public static var startupGuardSummary: String {
        switch blas_guard_status() {
        case 1: "start-up check passed, OpenBLAS's kernels kept"
        case 2: "start-up check FAILED under the environment's OPENBLAS_CORETYPE (left alone)"
        case 3: "start-up check failed with OpenBLAS's own choice; restarted with OPENBLAS_CORETYPE=Haswell"
        default: "start-up check not run on this platform"
        }
    }
}
