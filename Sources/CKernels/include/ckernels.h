#ifndef NN_CKERNELS_H
#define NN_CKERNELS_H

// Element-wise Winograd F(2×2, 3×3) and F(4×4, 3×3) transforms for one row of tiles (see
// Sources/NN/Winograd.swift for the maths and the layouts). Written in C so that the compiler
// can emit AVX2/AVX-512 versions chosen at run time (the Swift code targets baseline x86-64).

/// Bᵀ d B for `tiles_w` tiles of one tile row. `src[t*16 + k]` points at the C channels of
/// input position k (row-major in the 4×4 tile) of tile t (a zero row for positions outside
/// the image); output k of tile t goes to dst + k*plane + t*C.
void nn_winograd_input_row(const float *const *src, int tiles_w, int channels, long plane, float *dst);

/// Aᵀ m A for `tiles_w` tiles of one tile row: input k of tile t at m + k*plane + t*ldm
/// (channels contiguous); output (a, b) of tile t goes to out[t*4 + a*2 + b] (for positions
/// outside the output, a scratch row of `channels` floats), plus `bias` (may be NULL), then max(·, 0) when relu is non-zero.
void nn_winograd_output_row(const float *m, long plane, long ldm, int tiles_w, int channels,
                            float *const *out, const float *bias, int relu);

/// A dY Aᵀ for `tiles_w` tiles of one tile row: dY (a, b) of tile t at dy[t*4 + a*2 + b]
/// (for positions outside
/// the output, a row of zeros); output k of tile t to dst + k*plane + t*C.
void nn_winograd_gradient_row(const float *const *dy, int tiles_w, int channels, long plane, float *dst);

/// Winograd F(4×4, 3×3), the same three transforms for 6×6 tiles: `src[t*36 + k]` (input
/// position k, row-major in the 6×6 tile) → dst + k*plane + t*C, k < 36.
void nn_winograd4_input_row(const float *const *src, int tiles_w, int channels, long plane, float *dst);

/// Aᵀ m A for 6×6 products m (input k of tile t at m + k*plane + t*ldm); output (a, b) of tile
/// t goes to out[t*16 + a*4 + b], plus `bias` (may be NULL), then max(·, 0) when relu is non-zero.
void nn_winograd4_output_row(const float *m, long plane, long ldm, int tiles_w, int channels,
                             float *const *out, const float *bias, int relu);

/// A dY Aᵀ for 4×4 blocks of dY: (a, b) of tile t at dy[t*16 + a*4 + b] → dst + k*plane + t*C, k < 36.
void nn_winograd4_gradient_row(const float *const *dy, int tiles_w, int channels, long plane, float *dst);

/// Direct convolution of images [n0, n1) of a zero-padded NHWC batch xp (n, hp, wp, c) with a
/// kernel w (kh, kw, c, fp) whose filters are zero-padded to fp (a multiple of 16):
/// out (n, out_h, out_w, f) = act(bias + Σ x · w), relu when non-zero; bias may be NULL.
void nn_direct_conv_forward(const float *xp, int hp, int wp, int c, int kh, int kw, int sh, int sw,
                            const float *w, int fp, int f, const float *bias, int relu,
                            int out_h, int out_w, int n0, int n1, float *out);

/// dw (kh, kw, c, fp) += Σ over images [n0, n1) and their output pixels of the pixel's window
/// of xp times dz (n, out_h, out_w, f); dz holds dz_count floats in all. The padded columns
/// of dw (f ..< fp) receive meaningless sums and must be ignored.
void nn_direct_conv_weight_grad(const float *xp, int hp, int wp, int c, int kh, int kw, int sh, int sw,
                                const float *dz, int f, int out_h, int out_w, int n0, int n1,
                                long dz_count, float *dw, int fp);

/// Max pool of a band of convolution rows s (rows·kh rows of conv_w pixels × f channels) with
/// disjoint kh × kw windows: y (rows, out_w, f) = each window's maximum, win (rows, out_w, f) =
/// the window position (ki·kw + kj) of its first maximum in row-major order. s must be
/// readable for 15 floats past its last pixel.
void nn_pool_band(const float *s, int conv_w, int rows, int out_w, int kh, int kw, int f,
                  float *y, unsigned char *win);

/// The adjoint of `nn_pool_band` (and of a ReLU before it when relu is non-zero: a window
/// whose maximum y is not positive passes no gradient): s (rows·kh, conv_w, f) = dy (rows,
/// out_w, f) at each window's winner, zero everywhere else; db (f) += the gradients passed.
void nn_pool_band_scatter(const float *dy, const float *y, const unsigned char *win, int rows, int out_w,
                          int kh, int kw, int f, int conv_w, int relu, float *s, float *db);

#endif
