#include "ckernels.h"

#if defined(__x86_64__) && defined(__linux__) && (defined(__clang__) || defined(__GNUC__))
#define NN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NN_CLONES
#endif

NN_CLONES
void nn_winograd_input_row(const float *const *src, int tiles_w, int channels, long plane, float *dst) {
    for (int t = 0; t < tiles_w; t++) {
        const float *const *s = src + t * 16;
        const float *restrict s0 = s[0], *restrict s1 = s[1], *restrict s2 = s[2], *restrict s3 = s[3];
        const float *restrict s4 = s[4], *restrict s5 = s[5], *restrict s6 = s[6], *restrict s7 = s[7];
        const float *restrict s8 = s[8], *restrict s9 = s[9], *restrict s10 = s[10], *restrict s11 = s[11];
        const float *restrict s12 = s[12], *restrict s13 = s[13], *restrict s14 = s[14], *restrict s15 = s[15];
        float *restrict o = dst + (long)t * channels;
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#endif
        for (int c = 0; c < channels; c++) {
            // columns: t = Bᵀ d (rows 0..3 of the tile are s0-3, s4-7, s8-11, s12-15)
            float a0 = s0[c] - s8[c], a1 = s1[c] - s9[c], a2 = s2[c] - s10[c], a3 = s3[c] - s11[c];
            float b0 = s4[c] + s8[c], b1 = s5[c] + s9[c], b2 = s6[c] + s10[c], b3 = s7[c] + s11[c];
            float e0 = s8[c] - s4[c], e1 = s9[c] - s5[c], e2 = s10[c] - s6[c], e3 = s11[c] - s7[c];
            float f0 = s4[c] - s12[c], f1 = s5[c] - s13[c], f2 = s6[c] - s14[c], f3 = s7[c] - s15[c];
            // rows: t B
            o[0 * plane + c] = a0 - a2; o[1 * plane + c] = a1 + a2; o[2 * plane + c] = a2 - a1; o[3 * plane + c] = a1 - a3;
            o[4 * plane + c] = b0 - b2; o[5 * plane + c] = b1 + b2; o[6 * plane + c] = b2 - b1; o[7 * plane + c] = b1 - b3;
            o[8 * plane + c] = e0 - e2; o[9 * plane + c] = e1 + e2; o[10 * plane + c] = e2 - e1; o[11 * plane + c] = e1 - e3;
            o[12 * plane + c] = f0 - f2; o[13 * plane + c] = f1 + f2; o[14 * plane + c] = f2 - f1; o[15 * plane + c] = f1 - f3;
        }
    }
}

NN_CLONES
void nn_winograd_output_row(const float *m, long plane, long ldm, int tiles_w, int channels,
                            float *const *out, const float *bias, int relu) {
    for (int t = 0; t < tiles_w; t++) {
        const float *restrict p = m + (long)t * ldm;
        float *restrict y00 = out[t * 4], *restrict y01 = out[t * 4 + 1];
        float *restrict y10 = out[t * 4 + 2], *restrict y11 = out[t * 4 + 3];
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#endif
        for (int c = 0; c < channels; c++) {
            float d[16];
            for (int k = 0; k < 16; k++) d[k] = p[k * plane + c];
            float t00 = d[0] + d[4] + d[8], t01 = d[1] + d[5] + d[9], t02 = d[2] + d[6] + d[10], t03 = d[3] + d[7] + d[11];
            float t10 = d[4] - d[8] - d[12], t11 = d[5] - d[9] - d[13], t12 = d[6] - d[10] - d[14], t13 = d[7] - d[11] - d[15];
            float bv = bias ? bias[c] : 0.0f;
            float o00 = t00 + t01 + t02 + bv, o01 = t01 - t02 - t03 + bv;
            float o10 = t10 + t11 + t12 + bv, o11 = t11 - t12 - t13 + bv;
            if (relu) {
                o00 = o00 > 0 ? o00 : 0; o01 = o01 > 0 ? o01 : 0;
                o10 = o10 > 0 ? o10 : 0; o11 = o11 > 0 ? o11 : 0;
            }
            y00[c] = o00; y01[c] = o01; y10[c] = o10; y11[c] = o11;
        }
    }
}

NN_CLONES
void nn_winograd_gradient_row(const float *const *dy, int tiles_w, int channels, long plane, float *dst) {
    for (int t = 0; t < tiles_w; t++) {
        const float *r00 = dy[t * 4], *r01 = dy[t * 4 + 1], *r10 = dy[t * 4 + 2], *r11 = dy[t * 4 + 3];
        float *o = dst + (long)t * channels;
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#endif
        for (int c = 0; c < channels; c++) {
            float y00 = r00[c], y01 = r01[c], y10 = r10[c], y11 = r11[c];
            // t = A dY (4 × 2): rows (y0·), (y0· + y1·), (y0· − y1·), (−y1·); then t Aᵀ.
            float p0[4] = {y00, y00 + y10, y00 - y10, -y10};
            float p1[4] = {y01, y01 + y11, y01 - y11, -y11};
            for (int i = 0; i < 4; i++) {
                o[(i * 4 + 0) * plane + c] = p0[i];
                o[(i * 4 + 1) * plane + c] = p0[i] + p1[i];
                o[(i * 4 + 2) * plane + c] = p0[i] - p1[i];
                o[(i * 4 + 3) * plane + c] = -p1[i];
            }
        }
    }
}

// MARK: - Winograd F(4×4, 3×3)
//
// The same three transforms for 6×6 input tiles and 4×4 output blocks (interpolation points
// 0, ±1, ±2, ∞; Lavin & Gray 2016). Each is a 1-D transform applied to the columns of the
// tile and then to the rows of the result, written once as an inline helper on 6 (or 4)
// scalars so that the loop over channels vectorises (the loops over tile positions are
// unrolled in full first, so the tile lives in registers).

#if defined(__clang__)
#define NN_UNROLL _Pragma("clang loop unroll(full)")
#else
#define NN_UNROLL
#endif

/// r = Bᵀ d for one column d of 6, Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0],
/// [0, 4, −4, −1, 1, 0], [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]].
static inline __attribute__((always_inline)) void nn_wino4_bt(const float d[6], float r[6]) {
    float p = d[4] - 4.0f * d[2], q = 4.0f * d[1] - d[3];
    float s = d[4] - d[2], u = 2.0f * (d[1] - d[3]);
    r[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
    r[1] = p - q;
    r[2] = p + q;
    r[3] = s - u;
    r[4] = s + u;
    r[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}

/// r = Aᵀ m for one column m of 6, Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0],
/// [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]].
static inline __attribute__((always_inline)) void nn_wino4_at(const float m[6], float r[4]) {
    float a = m[1] + m[2], b = m[1] - m[2], c = m[3] + m[4], d = m[3] - m[4];
    r[0] = m[0] + a + c;
    r[1] = b + 2.0f * d;
    r[2] = a + 4.0f * c;
    r[3] = b + 8.0f * d + m[5];
}

/// r = A y for one column y of 4 (A = (Aᵀ)ᵀ, 6 × 4).
static inline __attribute__((always_inline)) void nn_wino4_a(const float y[4], float r[6]) {
    float e = y[0] + y[2], o = y[1] + y[3], e4 = y[0] + 4.0f * y[2], o8 = 2.0f * y[1] + 8.0f * y[3];
    r[0] = y[0];
    r[1] = e + o;
    r[2] = e - o;
    r[3] = e4 + o8;
    r[4] = e4 - o8;
    r[5] = y[3];
}

NN_CLONES
void nn_winograd4_input_row(const float *const *src, int tiles_w, int channels, long plane, float *dst) {
    for (int t = 0; t < tiles_w; t++) {
        const float *const *s = src + t * 36;
        float *restrict o = dst + (long)t * channels;
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#endif
        for (int c = 0; c < channels; c++) {
            float d[36], col[6], r[6], tb[36];
            NN_UNROLL
            for (int k = 0; k < 36; k++) d[k] = s[k][c];
            // tb = Bᵀ d, column by column
            NN_UNROLL
            for (int j = 0; j < 6; j++) {
                NN_UNROLL
                for (int i = 0; i < 6; i++) col[i] = d[i * 6 + j];
                nn_wino4_bt(col, r);
                NN_UNROLL
                for (int i = 0; i < 6; i++) tb[i * 6 + j] = r[i];
            }
            // (Bᵀ d) B, row by row: row i of tb B is Bᵀ applied to row i of tb
            NN_UNROLL
            for (int i = 0; i < 6; i++) {
                nn_wino4_bt(tb + i * 6, r);
                NN_UNROLL
                for (int j = 0; j < 6; j++) o[(i * 6 + j) * plane + c] = r[j];
            }
        }
    }
}

NN_CLONES
void nn_winograd4_output_row(const float *m, long plane, long ldm, int tiles_w, int channels,
                             float *const *out, const float *bias, int relu) {
    for (int t = 0; t < tiles_w; t++) {
        const float *restrict p = m + (long)t * ldm;
        float *const *y = out + t * 16;
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#endif
        for (int c = 0; c < channels; c++) {
            float d[36], col[6], r[4], ta[24];
            NN_UNROLL
            for (int k = 0; k < 36; k++) d[k] = p[k * plane + c];
            // ta = Aᵀ m (4 × 6), column by column
            NN_UNROLL
            for (int j = 0; j < 6; j++) {
                NN_UNROLL
                for (int i = 0; i < 6; i++) col[i] = d[i * 6 + j];
                nn_wino4_at(col, r);
                NN_UNROLL
                for (int i = 0; i < 4; i++) ta[i * 6 + j] = r[i];
            }
            float bv = bias ? bias[c] : 0.0f;
            // (Aᵀ m) A, row by row
            NN_UNROLL
            for (int i = 0; i < 4; i++) {
                nn_wino4_at(ta + i * 6, r);
                NN_UNROLL
                for (int j = 0; j < 4; j++) {
                    float v = r[j] + bv;
                    if (relu) v = v > 0 ? v : 0;
                    y[i * 4 + j][c] = v;
                }
            }
        }
    }
}

NN_CLONES
void nn_winograd4_gradient_row(const float *const *dy, int tiles_w, int channels, long plane, float *dst) {
    for (int t = 0; t < tiles_w; t++) {
        const float *const *s = dy + t * 16;
        float *restrict o = dst + (long)t * channels;
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#endif
        for (int c = 0; c < channels; c++) {
            float d[16], col[4], r[6], ta[24];
            NN_UNROLL
            for (int k = 0; k < 16; k++) d[k] = s[k][c];
            // ta = A dY (6 × 4), column by column
            NN_UNROLL
            for (int j = 0; j < 4; j++) {
                NN_UNROLL
                for (int i = 0; i < 4; i++) col[i] = d[i * 4 + j];
                nn_wino4_a(col, r);
                NN_UNROLL
                for (int i = 0; i < 6; i++) ta[i * 4 + j] = r[i];
            }
            // (A dY) Aᵀ, row by row: row i of ta Aᵀ is A applied to row i of ta
            NN_UNROLL
            for (int i = 0; i < 6; i++) {
                nn_wino4_a(ta + i * 4, r);
                NN_UNROLL
                for (int j = 0; j < 6; j++) o[(i * 6 + j) * plane + c] = r[j];
            }
        }
    }
}

// MARK: - Direct convolution for narrow patches (few input channels)
//
// A convolution whose patch (kh·kw·C) is short — a network's first layer on 1- or
// 3-channel images — is a thin matrix product that OpenBLAS runs far below peak, after an
// im2col pass that writes the patch matrix out in full. These kernels compute the same
// sums straight from a zero-padded input: one output row at a time, 4 output pixels × 32
// filters of accumulators in registers, filters in vectors of 16.
//
// Layouts (all row-major, NHWC): xp is the padded batch [n][hp][wp][c]; w is the kernel
// [kh][kw][c][fp] with filters padded with zeros to fp (a multiple of 16); out and dz are
// [n][out_h][out_w][f].

typedef float nn_v16 __attribute__((vector_size(64), aligned(4)));
typedef int nn_vi16 __attribute__((vector_size(64), aligned(4)));

static inline __attribute__((always_inline)) nn_v16 nn_load16(const float *p) {
    nn_v16 v; __builtin_memcpy(&v, p, sizeof v); return v;
}
static inline __attribute__((always_inline)) void nn_store16(float *p, nn_v16 v) {
    __builtin_memcpy(p, &v, sizeof v);
}
static inline __attribute__((always_inline)) nn_v16 nn_splat(float s) {
    return (nn_v16){s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s};
}
/// Loads `count` ≤ 16 floats, zeros after.
static inline __attribute__((always_inline)) nn_v16 nn_load_part(const float *p, int count) {
    if (count >= 16) return nn_load16(p);
    float t[16] = {0};
    for (int q = 0; q < count; q++) t[q] = p[q];
    return nn_load16(t);
}
/// Stores the first `count` ≤ 16 lanes.
static inline __attribute__((always_inline)) void nn_store_part(float *p, nn_v16 v, int count) {
    if (count >= 16) { nn_store16(p, v); return; }
    float t[16];
    nn_store16(t, v);
    for (int q = 0; q < count; q++) p[q] = t[q];
}

/// R output pixels × NB vectors of 16 filters starting at filter fb.
static inline __attribute__((always_inline)) void
nn_direct_block(const float *const *rows, int kh, int row_len, long wp_stride, const float *w, int fp,
                int fb, int nb, int r_count, const float *bias, int relu, int f, float *const *outs) {
    nn_v16 acc[4][2];
    for (int r = 0; r < 4; r++) for (int v = 0; v < 2; v++) acc[r][v] = nn_splat(0);
    for (int ky = 0; ky < kh; ky++) {
        const float *wk = w + (long)ky * row_len * fp + fb;
        const float *x0 = rows[0] + ky * wp_stride, *x1 = rows[1] + ky * wp_stride;
        const float *x2 = rows[2] + ky * wp_stride, *x3 = rows[3] + ky * wp_stride;
        for (int j = 0; j < row_len; j++) {
            nn_v16 w0 = nn_load16(wk + (long)j * fp);
            nn_v16 w1 = nb > 1 ? nn_load16(wk + (long)j * fp + 16) : nn_splat(0);
            nn_v16 a0 = nn_splat(x0[j]), a1 = nn_splat(x1[j]), a2 = nn_splat(x2[j]), a3 = nn_splat(x3[j]);
            acc[0][0] += a0 * w0; acc[1][0] += a1 * w0; acc[2][0] += a2 * w0; acc[3][0] += a3 * w0;
            if (nb > 1) { acc[0][1] += a0 * w1; acc[1][1] += a1 * w1; acc[2][1] += a2 * w1; acc[3][1] += a3 * w1; }
        }
    }
    for (int v = 0; v < nb; v++) {
        int f0 = fb + 16 * v, count = f - f0;
        if (count <= 0) break;
        nn_v16 b = bias ? nn_load_part(bias + f0, count) : nn_splat(0);
        for (int r = 0; r < r_count; r++) {
            nn_v16 o = acc[r][v] + b;
            if (relu) o = (nn_v16)((nn_vi16)o & (o > nn_splat(0)));  // max(o, 0) (NaN → 0, as in the Winograd output transform)
            nn_store_part(outs[r] + f0, o, count);
        }
    }
}

NN_CLONES
void nn_direct_conv_forward(const float *xp, int hp, int wp, int c, int kh, int kw, int sh, int sw,
                            const float *w, int fp, int f, const float *bias, int relu,
                            int out_h, int out_w, int n0, int n1, float *out) {
    const int row_len = kw * c;
    const long wp_stride = (long)wp * c;
    for (int n = n0; n < n1; n++) {
        const float *img = xp + (long)n * hp * wp_stride;
        float *o_img = out + (long)n * out_h * out_w * f;
        for (int oy = 0; oy < out_h; oy++) {
            const float *row = img + (long)oy * sh * wp_stride;
            for (int ox = 0; ox < out_w; ox += 4) {
                int r_count = out_w - ox < 4 ? out_w - ox : 4;
                const float *rows[4];
                float *outs[4];
                for (int r = 0; r < 4; r++) {
                    int q = r < r_count ? ox + r : ox;  // a tail block recomputes pixel ox, never stored
                    rows[r] = row + (long)q * sw * c;
                    outs[r] = o_img + ((long)oy * out_w + q) * f;
                }
                for (int fb = 0; fb < fp; fb += 32) {
                    if (fp - fb >= 32)
                        nn_direct_block(rows, kh, row_len, wp_stride, w, fp, fb, 2, r_count, bias, relu, f, outs);
                    else
                        nn_direct_block(rows, kh, row_len, wp_stride, w, fp, fb, 1, r_count, bias, relu, f, outs);
                }
            }
        }
    }
}

/// dw[q][..] += Σ over one output row's pixels of x[pixel's window + off[q]] · d[pixel][..]
/// for q < KN (a compile-time constant ≤ 12 after inlining), NB vectors of 16 filters, the
/// sums kept in registers over the row. `d` must be readable for 16·NB floats at every pixel.
static inline __attribute__((always_inline)) void
nn_direct_wgrad_row(const float *xrow, long step, const long *off, const int KN, const int NB,
                    const float *d, int f, int out_w, float *dw, int fp) {
    nn_v16 acc[12][2];
    for (int q = 0; q < KN; q++) {
        acc[q][0] = nn_load16(dw + (long)q * fp);
        acc[q][1] = NB > 1 ? nn_load16(dw + (long)q * fp + 16) : nn_splat(0);
    }
    for (int ox = 0; ox < out_w; ox++, xrow += step, d += f) {
        nn_v16 d0 = nn_load16(d), d1 = NB > 1 ? nn_load16(d + 16) : nn_splat(0);
        for (int q = 0; q < KN; q++) {
            nn_v16 a = nn_splat(xrow[off[q]]);
            acc[q][0] += a * d0;
            if (NB > 1) acc[q][1] += a * d1;
        }
    }
    for (int q = 0; q < KN; q++) {
        nn_store16(dw + (long)q * fp, acc[q][0]);
        if (NB > 1) nn_store16(dw + (long)q * fp + 16, acc[q][1]);
    }
}

#define NN_WGRAD_CASE(K) case K: \
    if (nb > 1) nn_direct_wgrad_row(xrow, step, off, K, 2, d, f, out_w, dw, fp); \
    else nn_direct_wgrad_row(xrow, step, off, K, 1, d, f, out_w, dw, fp); \
    break;

static inline __attribute__((always_inline)) void
nn_direct_wgrad_dispatch(const float *xrow, long step, const long *off, int kn, int nb,
                         const float *d, int f, int out_w, float *dw, int fp) {
    switch (kn) {
        NN_WGRAD_CASE(1) NN_WGRAD_CASE(2) NN_WGRAD_CASE(3) NN_WGRAD_CASE(4) NN_WGRAD_CASE(5) NN_WGRAD_CASE(6)
        NN_WGRAD_CASE(7) NN_WGRAD_CASE(8) NN_WGRAD_CASE(9) NN_WGRAD_CASE(10) NN_WGRAD_CASE(11) NN_WGRAD_CASE(12)
        default: break;
    }
}

NN_CLONES
void nn_direct_conv_weight_grad(const float *xp, int hp, int wp, int c, int kh, int kw, int sh, int sw,
                                const float *dz, int f, int out_h, int out_w, int n0, int n1,
                                long dz_count, float *dw, int fp) {
    const int row_len = kw * c, k_total = kh * row_len;
    // Patch values in blocks of at most 12, as even as possible (75 → 7 × 11 or 10; 9 → 9).
    const int k_blocks = (k_total + 11) / 12;
    const long wp_stride = (long)wp * c, step = (long)sw * c;
    const float *dz_end = dz + dz_count;
    float tail[32];
    for (int n = n0; n < n1; n++) {
        const float *img = xp + (long)n * hp * wp_stride;
        const float *d_img = dz + (long)n * out_h * out_w * f;
        for (int oy = 0; oy < out_h; oy++) {
            const float *xrow = img + (long)oy * sh * wp_stride;
            const float *dr = d_img + (long)oy * out_w * f;
            for (int kb = 0; kb < k_blocks; kb++) {
                int k0 = k_total * kb / k_blocks, kn = k_total * (kb + 1) / k_blocks - k0;
                long off[12];
                for (int q = 0; q < 12; q++) {
                    int k = k0 + (q < kn ? q : 0);
                    off[q] = (long)(k / row_len) * wp_stride + k % row_len;
                }
                for (int fb = 0; fb < fp; fb += 32) {
                    int nb = fp - fb >= 32 ? 2 : 1;
                    float *dwb = dw + (long)k0 * fp + fb;
                    const float *d = dr + fb;
                    // Lanes past f sum the next pixel's values into dw's padded columns; a
                    // read past the buffer's end (its last pixel) goes through a copy.
                    int fast = out_w;
                    if (d + (long)(out_w - 1) * f + 16 * nb > dz_end) fast = out_w - 1;
                    nn_direct_wgrad_dispatch(xrow, step, off, kn, nb, d, f, fast, dwb, fp);
                    if (fast < out_w) {
                        const float *last = d + (long)fast * f;
                        long avail = dz_end - last;
                        for (int q = 0; q < 32; q++) tail[q] = q < avail ? last[q] : 0;
                        nn_direct_wgrad_dispatch(xrow + fast * step, step, off, kn, nb, tail, f, 1, dwb, fp);
                    }
                }
            }
        }
    }
}

/// One kh × kw window's maximum over n ≤ 16 channels and the position of its first maximum:
/// the running maximum and position kept in registers (a later position wins only when
/// strictly greater), stored once the window is done.
static inline __attribute__((always_inline)) void
nn_pool_window16(const float *origin, long row_step, int kh, int kw, int f, int n, float *yo, unsigned char *wo) {
    // Full 16-lane loads even for a last block of n < 16 channels: the lanes past n read the
    // next pixel's values (or the band's slack) and are never stored.
    nn_v16 m = nn_load16(origin);
    nn_vi16 at = {0};
    for (int ki = 0; ki < kh; ki++) {
        for (int kj = ki == 0 ? 1 : 0; kj < kw; kj++) {
            nn_v16 v = nn_load16(origin + ki * row_step + (long)kj * f);
            nn_vi16 better = v > m;
            const int idx = ki * kw + kj;
            m = (nn_v16)(((nn_vi16)v & better) | ((nn_vi16)m & ~better));
            at = (at & ~better) | ((nn_vi16){idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx} & better);
        }
    }
    nn_store_part(yo, m, n);
    for (int q = 0; q < n; q++) wo[q] = (unsigned char)at[q];
}

NN_CLONES
void nn_pool_band(const float *s, int conv_w, int rows, int out_w, int kh, int kw, int f,
                  float *y, unsigned char *win) {
    for (int pr = 0; pr < rows; pr++) {
        for (int pc = 0; pc < out_w; pc++) {
            float *yo = y + ((long)pr * out_w + pc) * f;
            unsigned char *wo = win + ((long)pr * out_w + pc) * f;
            const float *origin = s + ((long)pr * kh * conv_w + (long)pc * kw) * f;
            for (int c0 = 0; c0 < f; c0 += 16)
                nn_pool_window16(origin + c0, (long)conv_w * f, kh, kw, f, f - c0 < 16 ? f - c0 : 16, yo + c0, wo + c0);
        }
    }
}

/// One window's gradient over n ≤ 16 channels: dy (zero where a ReLU's maximum y is not
/// positive) stored at the window's winner, zeros at its other positions; db += dy.
static inline __attribute__((always_inline)) void
nn_unpool_window16(const float *dy, const float *y, const unsigned char *wo, int relu, float *origin, long row_step,
                   int kh, int kw, int f, int n, float *db) {
    nn_v16 d = nn_load_part(dy, n);
    if (relu) d = (nn_v16)((nn_vi16)d & (nn_load_part(y, n) > nn_splat(0)));
    nn_vi16 at;
    for (int q = 0; q < 16; q++) at[q] = q < n ? wo[q] : -1;
    nn_store_part(db, nn_load_part(db, n) + d, n);
    for (int ki = 0; ki < kh; ki++) {
        for (int kj = 0; kj < kw; kj++) {
            const int idx = ki * kw + kj;
            nn_vi16 hit = at == (nn_vi16){idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx, idx};
            nn_store_part(origin + ki * row_step + (long)kj * f, (nn_v16)((nn_vi16)d & hit), n);
        }
    }
}

NN_CLONES
void nn_pool_band_scatter(const float *dy, const float *y, const unsigned char *win, int rows, int out_w,
                          int kh, int kw, int f, int conv_w, int relu, float *s, float *db) {
    for (int pr = 0; pr < rows; pr++) {
        for (int pc = 0; pc < out_w; pc++) {
            long i = ((long)pr * out_w + pc) * f;
            float *origin = s + ((long)pr * kh * conv_w + (long)pc * kw) * f;
            for (int c0 = 0; c0 < f; c0 += 16)
                nn_unpool_window16(dy + i + c0, y + i + c0, win + i + c0, relu, origin + c0, (long)conv_w * f, kh, kw, f,
                                   f - c0 < 16 ? f - c0 : 16, db + c0);
        }
        // The columns no window covers.
        for (int r = 0; r < kh; r++) {
            float *row = s + ((long)pr * kh + r) * conv_w * f;
            for (long q = (long)out_w * kw * f; q < (long)conv_w * f; q++) row[q] = 0;
        }
    }
}
