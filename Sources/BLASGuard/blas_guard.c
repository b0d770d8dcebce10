// Start-up guard for OpenBLAS's kernel choice (see docs/benchmarks.md, "OpenBLAS kernels").
//
// OpenBLAS (DYNAMIC_ARCH) picks its kernels from the CPU when the library loads, and some
// builds pick kernels that compute wrong products on cores newer than they know. Before
// `main`, this checks a few products against a naive sum. When they are right, the picked
// kernels stay (on AVX-512 cores they are the fastest). When they are wrong and the
// environment did not choose a core (OPENBLAS_CORETYPE unset), the process restarts itself
// with OPENBLAS_CORETYPE=Haswell (AVX2 kernels, correct everywhere they run); an
// OPENBLAS_CORETYPE set by the environment is never overridden, only warned about.

#include "blas_guard.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <unistd.h>
#endif

static float guard_value(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f - 0.5f;
}

static double guard_one(int ta, int tb, int m, int n, int k, float beta, int *ok) {
    unsigned s = (unsigned)(m * 7 + n * 13 + k * 17 + ta * 3 + tb * 5);
    int lda = ta ? m + 1 : k + 2, ldb = tb ? k + 3 : n + 1, ldc = n + 2;
    int arows = ta ? k : m, brows = tb ? n : k;
    float *a = malloc(sizeof(float) * (size_t)(arows * lda));
    float *b = malloc(sizeof(float) * (size_t)(brows * ldb));
    float *c = malloc(sizeof(float) * (size_t)(m * ldc));
    float *c0 = malloc(sizeof(float) * (size_t)(m * ldc));
    if (!a || !b || !c || !c0) { free(a); free(b); free(c); free(c0); *ok = 1; return 0; }
    for (int i = 0; i < arows * lda; i++) a[i] = guard_value(&s);
    for (int i = 0; i < brows * ldb; i++) b[i] = guard_value(&s);
    for (int i = 0; i < m * ldc; i++) c0[i] = c[i] = guard_value(&s);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
    double worst = 0;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double acc = beta * c0[i * ldc + j], mag = fabs(acc);
            for (int p = 0; p < k; p++) {
                double x = ta ? a[p * lda + i] : a[i * lda + p];
                double y = tb ? b[j * ldb + p] : b[p * ldb + j];
                acc += x * y;
                mag += fabs(x * y);
            }
            double e = fabs((double)c[i * ldc + j] - acc) / (mag + 1e-30);
            if (!(e <= worst)) worst = e;   // NaN counts as worst
        }
        // Entries outside the product (the row padding) must be untouched.
        for (int j = n; j < ldc; j++) if (c[i * ldc + j] != c0[i * ldc + j]) worst = INFINITY;
    }
    free(a); free(b); free(c); free(c0);
    *ok = worst <= 1e-5;
    return worst;
}

blas_guard_result blas_guard_check(void) {
    static const int sizes[][3] = {
        {1, 1, 1}, {2, 3, 4}, {7, 5, 3}, {16, 16, 16}, {31, 17, 9}, {37, 29, 53},
        {64, 2, 96}, {2, 64, 96}, {100, 25, 75}, {96, 75, 150}, {75, 50, 96}, {33, 129, 65},
    };
    blas_guard_result r;
    memset(&r, 0, sizeof r);
    for (int t = 0; t < 4; t++) {
        for (size_t q = 0; q < sizeof sizes / sizeof sizes[0]; q++) {
            for (int bb = 0; bb < 2; bb++) {
                int ok = 1;
                double e = guard_one(t & 1, t >> 1, sizes[q][0], sizes[q][1], sizes[q][2], bb ? 1.0f : 0.0f, &ok);
                r.checked++;
                if (!(e <= r.worst_relative_error)) r.worst_relative_error = e;
                if (!ok) {
                    if (r.failed == 0)
                        snprintf(r.first_failure, sizeof r.first_failure, "transA=%d transB=%d m=%d n=%d k=%d beta=%d",
                                 t & 1, t >> 1, sizes[q][0], sizes[q][1], sizes[q][2], bb);
                    r.failed++;
                }
            }
        }
    }
    return r;
}

static int guard_status = 0;

int blas_guard_status(void) { return guard_status; }

#if defined(__linux__) && defined(__x86_64__)
#define GUARD_FALLBACK_CORE "Haswell"
#define GUARD_MARK "NN_BLAS_GUARD_RESTARTED"

__attribute__((constructor))
static void blas_guard_at_start(int argc, char **argv, char **envp) {
    (void)argc; (void)envp;
    if (getenv("NN_BLAS_GUARD") && strcmp(getenv("NN_BLAS_GUARD"), "0") == 0) return;
    blas_guard_result r = blas_guard_check();
    const char *set = getenv("OPENBLAS_CORETYPE");
    if (r.failed == 0) {
        guard_status = getenv(GUARD_MARK) ? 3 : 1;
        return;
    }
    if (set && set[0]) {
        guard_status = 2;
        fprintf(stderr, "warning: OpenBLAS kernels (OPENBLAS_CORETYPE=%s) give wrong products (%s, relative error %.2g); "
                        "results will be wrong — unset OPENBLAS_CORETYPE or set another core\n",
                set, r.first_failure, r.worst_relative_error);
        return;
    }
    fprintf(stderr, "note: OpenBLAS's own kernel choice gives wrong products (%s); restarting with OPENBLAS_CORETYPE=%s\n",
            r.first_failure, GUARD_FALLBACK_CORE);
    setenv("OPENBLAS_CORETYPE", GUARD_FALLBACK_CORE, 1);
    setenv(GUARD_MARK, "1", 1);
    execv("/proc/self/exe", argv);
    // exec failed: carry on with the wrong kernels, loudly.
    fprintf(stderr, "warning: could not restart with OPENBLAS_CORETYPE=%s; products may be wrong\n", GUARD_FALLBACK_CORE);
    guard_status = 2;
}
#endif
