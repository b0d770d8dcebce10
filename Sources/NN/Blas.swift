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
