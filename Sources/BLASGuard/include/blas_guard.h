#ifndef BLAS_GUARD_H
#define BLAS_GUARD_H

/// Result of checking OpenBLAS's single-precision products against a naive double sum.
typedef struct {
    /// Number of products checked and number whose error exceeded the tolerance.
    int checked;
    int failed;
    /// Largest error over all entries of all products, relative to Σ|a·b| (+|β·c|) of the entry.
    double worst_relative_error;
    /// The first failing product, e.g. "transA=1 transB=0 m=37 n=29 k=53 beta=1", or "".
    char first_failure[96];
} blas_guard_result;

/// Checks a fixed set of `cblas_sgemm` products (all four transpositions, β 0 and 1, sizes
/// from 1 to a few hundred that reach both OpenBLAS's small-matrix and its blocked kernels)
/// against a naive double-precision sum. Tolerance: relative error 1e-5 per entry. Takes a
/// few milliseconds.
blas_guard_result blas_guard_check(void);

/// What the start-up guard did: 0 not run (never on non-x86-64), 1 checked and correct,
/// 2 checked and wrong with OPENBLAS_CORETYPE set by the environment (left alone, warned),
/// 3 the process was restarted with OPENBLAS_CORETYPE set to the fallback and this is the
/// restarted process.
int blas_guard_status(void);

#endif
