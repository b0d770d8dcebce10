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
