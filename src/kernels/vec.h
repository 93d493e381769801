/* kernels/vec.h - f32 vector kernels for attention and activations (the `vec` part of the kernel
 * table, kernels/kernels.h): their scalar reference twins (kernels/ref/vec_ref.c) and the per-ISA
 * versions. The ISA functions are plain C declarations, callable only on a CPU with the features
 * (lf_kernels_init checks; tests check lf_cpu_detect first).
 *
 * Contracts (the _ref twins define the result):
 *  - dot_f32 / dot_f16_f32: sum of x[i] * y[i] (f16 x widened exactly); SIMD versions accumulate in
 *    f32 lanes (with FMA), so they differ from the sequential reference by summation order only.
 *  - axpy_f32 / axpy_f16: y[i] += a * x[i], product rounded to f32 then added (no FMA): every version
 *    is bit-identical to the reference.
 *  - expf_ggml: y[i] = lf_expf_ggml(x[i]) (ops/ops.h; the exact operation sequence is in expf_ggml_ref),
 *    bit-identical in every version for every input (NaN in, NaN out). y may alias x.
 *  - swiglu: g[i] = g[i] / (1 + lf_expf_ggml(-g[i])) * u[i], bit-identical in every version.
 *  - geglu: g[i] = a * u[i] with a = 0 for g[i] <= -10, g[i] for g[i] >= 10, else tab[f16(g[i])] widened
 *    (ggml's GGML_GELU_FP16 lookup; tab holds 65536 f16 entries, one per f16 code; f16() is lf_f32_to_fp16:
 *    round to nearest even, NaN to sign | 0x7e00), bit-identical in every version for every input.
 *  - rmsnorm: for each of `rows` rows (x rows x_stride floats apart, y rows y_stride): sum = the squares
 *    x[i] * x[i] rounded to f32, added in double in order i = 0..n-1 (ggml's rms_norm); mean = (float)(sum / n);
 *    scale = 1 / sqrtf(mean + eps); y[i] = (x[i] * scale) * w[i] (w NULL: x[i] * scale). Bit-identical in
 *    every version (the SIMD versions keep each row's sum sequential, one row per lane). y may alias x
 *    (y_stride == x_stride then).
 *  - scores_f16 / scores_f32: out[i] = dot(row i, q) * scale, the dot computed exactly as the same ISA's
 *    dot_f16_f32 / dot_f32 computes it (bit-identical to calling it row by row).
 *  - wsum_f16 / wsum_f32: out += w[i] * row i for i in order, as axpy (bit-identical to an axpy per
 *    row in every version).
 *  - scores_rows_f32 / wsum_rows_f32: nq queries over the same rows: for r < nq, exactly scores_f32 of
 *    q[r] into out[r] / wsum_f32 of w[r] onto out[r], as the same ISA computes them (bit-identical); the
 *    point is that fast versions load each key or value vector once for several queries.
 *  - scores_rows_f16 / wsum_rows_f16: the same over f16 rows: for r < nq, exactly scores_f16 of q[r] into
 *    out[r] / wsum_f16 of w[r] onto out[r], as the same ISA computes them (bit-identical); each f16 key or
 *    value vector is loaded and widened once for several queries (decode's query heads sharing a KV head).
 *  - max_f32: the largest of x[0..n), NaNs ignored (-inf when there is none), plus 0.0f (a zero maximum
 *    is +0), bit-identical in every version.
 *  - sum_f64: the sum of x[0..n) in double as 8 partial sums, partial j adding x[j], x[j + 8], ... in
 *    order, then ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)); bit-identical in every version. */
#ifndef LF_KERNELS_VEC_H
#define LF_KERNELS_VEC_H

#include <stdint.h>

float expf_ggml_ref(float x);

float vec_dot_f32_ref(int64_t n, const float *x, const float *y);
float vec_dot_f16_f32_ref(int64_t n, const uint16_t *x, const float *y);
void vec_axpy_f32_ref(int64_t n, float a, const float *x, float *y);
void vec_axpy_f16_ref(int64_t n, float a, const uint16_t *x, float *y);
void vec_expf_ggml_ref(int64_t n, const float *x, float *y);
void vec_swiglu_ref(int64_t n, float *g, const float *u);
void vec_geglu_ref(int64_t n, float *g, const float *u, const uint16_t *tab);
void vec_rmsnorm_ref(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                     const float *w, float eps);
void vec_scores_f16_ref(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                        float *out);
void vec_scores_f32_ref(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                        float *out);
void vec_wsum_f16_ref(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out);
void vec_wsum_f32_ref(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out);
void vec_widen_f16_ref(int64_t n, const uint16_t *x, float *y);
float vec_max_f32_ref(int64_t n, const float *x);
double vec_sum_f64_ref(int64_t n, const float *x);
void vec_scores_rows_f32_ref(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq, const float *const *q,
                             float scale, float *const *out);
void vec_wsum_rows_f32_ref(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                           float *const *out);
void vec_scores_rows_f16_ref(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                             const float *const *q, float scale, float *const *out);
void vec_wsum_rows_f16_ref(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v, int64_t v_stride,
                           float *const *out);

#if defined(LFMRT_HAVE_X86)
float vec_dot_f32_avx2(int64_t n, const float *x, const float *y);
float vec_dot_f16_f32_avx2(int64_t n, const uint16_t *x, const float *y);
void vec_axpy_f32_avx2(int64_t n, float a, const float *x, float *y);
void vec_axpy_f16_avx2(int64_t n, float a, const uint16_t *x, float *y);
void vec_expf_ggml_avx2(int64_t n, const float *x, float *y);
void vec_swiglu_avx2(int64_t n, float *g, const float *u);
void vec_geglu_avx2(int64_t n, float *g, const float *u, const uint16_t *tab);
void vec_rmsnorm_avx2(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                      const float *w, float eps);

float vec_dot_f32_avx512(int64_t n, const float *x, const float *y);
float vec_dot_f16_f32_avx512(int64_t n, const uint16_t *x, const float *y);
void vec_axpy_f32_avx512(int64_t n, float a, const float *x, float *y);
void vec_axpy_f16_avx512(int64_t n, float a, const uint16_t *x, float *y);
void vec_expf_ggml_avx512(int64_t n, const float *x, float *y);
void vec_swiglu_avx512(int64_t n, float *g, const float *u);
void vec_geglu_avx512(int64_t n, float *g, const float *u, const uint16_t *tab);
void vec_rmsnorm_avx512(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                        const float *w, float eps);
void vec_scores_f16_avx512(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                           float *out);
void vec_scores_f32_avx512(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                           float *out);
void vec_wsum_f16_avx512(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out);
void vec_wsum_f32_avx512(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out);
void vec_widen_f16_avx512(int64_t n, const uint16_t *x, float *y);
float vec_max_f32_avx512(int64_t n, const float *x);
double vec_sum_f64_avx512(int64_t n, const float *x);
void vec_scores_rows_f32_avx512(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq,
                                const float *const *q, float scale, float *const *out);
void vec_wsum_rows_f32_avx512(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                              float *const *out);
void vec_scores_rows_f16_avx512(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                                const float *const *q, float scale, float *const *out);
void vec_wsum_rows_f16_avx512(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v,
                              int64_t v_stride, float *const *out);
#endif

#endif
