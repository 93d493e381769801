/* kernels/arm_neon/neon.h - AArch64 Advanced SIMD (NEON, armv8-a baseline) kernels. Plain C
 * declarations: callable from any translation unit of an aarch64 build (NEON is architectural
 * there; lf_kernels_init still checks HWCAP_ASIMD).
 * Contracts are the reference twins' (kernels/ref/ref.h, kernels/kernels.h) with these notes:
 *  - quantize_row_q8_0_neon and the Q8_0/Q4_0 dots and gemvs give results bit-identical to their
 *    _ref twins for finite inputs (exact integer block sums, then the reference's f32 operations in
 *    the reference's order; fcvtns rounds to nearest even, as the reference's rintf).
 *  - the F16 dot/gemv accumulate f32 products in f32 lanes (fused multiply-add, as ggml's NEON
 *    path), so they differ from the double-accumulating reference by float rounding (see the float
 *    weights block below). */
#ifndef LF_KERNELS_NEON_H
#define LF_KERNELS_NEON_H

#include <stddef.h>
#include <stdint.h>

void quantize_row_q8_0_neon(const float *x, void *y, int64_t n);
void dot_q8_0_q8_0_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_q8_0_q8_0_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a);
void dot_q4_0_q8_0_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_0_q8_0_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a);
/* lf_gemm_fn (kernels/kernels.h): 4 rows x 4 tokens per tile, bit-identical per output to
 * dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref. */
void gemm_q8_0_q8_0_neon(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);
void gemm_q4_0_q8_0_neon(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);
void dot_f16_f16_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_f16_f16_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                       const void *a);

/* f32 vector kernels (arm_neon/vec_neon.c), contracts in kernels/vec.h: expf_ggml, swiglu and the
 * axpys bit-identical to the _ref twins; the dots within f32 summation order (16 lanes, FMA). */
float vec_dot_f32_neon(int64_t n, const float *x, const float *y);
float vec_dot_f16_f32_neon(int64_t n, const uint16_t *x, const float *y);
void vec_axpy_f32_neon(int64_t n, float a, const float *x, float *y);
void vec_axpy_f16_neon(int64_t n, float a, const uint16_t *x, float *y);
void vec_expf_ggml_neon(int64_t n, const float *x, float *y);
void vec_swiglu_neon(int64_t n, float *g, const float *u);
/* attention rows (lf_attn_kernels): scores bit-identical to the NEON dots row by row, wsum to an
 * axpy per row; the _rows forms to these entries query by query */
void vec_scores_f16_neon(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                         float *out);
void vec_scores_f32_neon(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                         float *out);
void vec_wsum_f16_neon(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out);
void vec_wsum_f32_neon(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out);
void vec_scores_rows_f32_neon(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq, const float *const *q,
                              float scale, float *const *out);
void vec_wsum_rows_f32_neon(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                            float *const *out);
/* the f16 multi-query entries (attn_rows_f16_neon.c): per query the bits of vec_scores_f16_neon /
 * vec_wsum_f16_neon, each f16 row loaded and widened once for up to 4 queries */
void vec_scores_rows_f16_neon(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                              const float *const *q, float scale, float *const *out);
void vec_wsum_rows_f16_neon(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v,
                            int64_t v_stride, float *const *out);

/* K-quants (arm_neon/qk_neon.c, body in arm_neon/qk_body.h): quantize_row_q8_k bit-identical to ref; the
 * Q4_K/Q5_K/Q6_K x Q8_K dots and 4-row gemvs differ from ref by f32 summation order only. */
void quantize_row_q8_k_neon(const float *x, void *y, int64_t n);
void dot_q4_k_q8_k_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_k_q8_k_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q5_k_q8_k_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_q5_k_q8_k_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q6_k_q8_k_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_q6_k_q8_k_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);

/* Float weights (floatk; f16_neon.c, bf16_neon.c, body arm_neon/gemm_float_neon.h). quantize_row_f16/
 * bf16: bit-identical to the _ref twins for every input (NaN included). F16/BF16 dot, gemv, gemm: f32
 * lanes (4 per accumulator) with fused multiply-add, within the f32-accumulation bound of the
 * reference dot (tests/kernels/test_float_kernels.c); per type, dot, gemv and gemm are bit-identical
 * to each other (prefill = decode). gemm_*: lf_gemm_fn, 2 rows x 8 tokens per register tile. */
void quantize_row_f16_neon(const float *x, void *y, int64_t n);
void gemm_f16_f16_neon(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                       size_t w_stride, const void *a, size_t a_stride);
void quantize_row_bf16_neon(const float *x, void *y, int64_t n);
void dot_bf16_bf16_neon(int64_t n, float *s, const void *w, const void *a);
void gemv_bf16_bf16_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void gemm_bf16_bf16_neon(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);

#endif
