/* kernels/x86_avx512/avx512.h - AVX-512 (F, BW, VL, VNNI; with FMA, F16C) kernels. Plain C
 * declarations: callable from any translation unit, but only on a CPU with those features
 * (lf_kernels_init checks; tests check lf_cpu_detect first).
 * Contracts are the reference twins' (kernels/ref/ref.h, kernels/kernels.h) with these notes:
 *  - quantize_row_q8_0_avx512 and the Q8_0/Q4_0 dots and gemvs give results bit-identical to their
 *    _ref twins for finite inputs (integer block sums, then the same f32 operations in the same
 *    order); the activation codes must lie in [-127, 127], which every Q8_0 quantizer produces.
 *  - the F16 dot/gemv accumulate f32 products in f32 lanes (as ggml's SIMD path does), so they
 *    differ from the double-accumulating reference by float rounding only. */
#ifndef LF_KERNELS_AVX512_H
#define LF_KERNELS_AVX512_H

#include <stddef.h>
#include <stdint.h>

void quantize_row_q8_0_avx512(const float *x, void *y, int64_t n);
void dot_q8_0_q8_0_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_q8_0_q8_0_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a);
void dot_q4_0_q8_0_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_0_q8_0_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a);
/* lf_gemm_fn (kernels/kernels.h) with gemm_side (activation rows carry lf_act_side entries): packed
 * 16-row panels x 8-token tiles (gemm_avx512.c), bit-identical per output to dot_q8_0_q8_0_ref /
 * dot_q4_0_q8_0_ref. */
void gemm_q8_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride);
void gemm_q4_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride);
/* lf_type_kernels.gemm_packed: weights in the x16 layout (kernels/pack.h), 16 rows x up to 8 tokens per
 * tile, bit-identical per output to dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref (gemm_packed_avx512.c). */
void gemm_packed_q8_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride);
void gemm_packed_q4_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride);
/* Q4_K, Q5_K and Q6_K in their x16 layouts (kernels/pack.h), plain Q8_K activation rows; within the K-quant tolerance of
 * dot_q4_k_q8_k_ref (gemm_packed_k_avx512.c). */
void gemm_packed_q4_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride);
void gemm_packed_q5_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride);
void gemm_packed_q6_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride);
void dot_f16_f16_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_f16_f16_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a);

/* Float weights (floatk; f16_avx512.c, bf16_avx512.c). quantize_row_f16/bf16: bit-identical to the
 * _ref twins for every input (NaN included). F16 gemm, BF16 dot/gemv/gemm: f32 lanes with FMA, within
 * the f32-accumulation bound of the reference dot (tests/kernels/test_float_kernels.c); per type and
 * kind, dot, gemv and gemm are bit-identical to each other (prefill = decode). The _avx512bf16
 * entries need AVX512_BF16 too (lf_cpu_features.avx512bf16): vdpbf16ps, which flushes subnormal inputs
 * and results to zero (an absolute error below 2^-126 per product). */
void quantize_row_f16_avx512(const float *x, void *y, int64_t n);
void gemm_f16_f16_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);
void quantize_row_bf16_avx512(const float *x, void *y, int64_t n);
void dot_bf16_bf16_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_bf16_bf16_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void gemm_bf16_bf16_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride);
void dot_bf16_bf16_avx512bf16(int64_t n, float *s, const void *w, const void *a);
void gemv_bf16_bf16_avx512bf16(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                               const void *a);
void gemm_bf16_bf16_avx512bf16(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride,
                               const void *w, size_t w_stride, const void *a, size_t a_stride);

/* K-quants (x86_avx512/qk_avx512.c): Q4_K/Q5_K/Q6_K x Q8_K dots and gemvs (4 rows per pass, VNNI); exact
 * integer block sums, f32 summation order differs from ref (bound in qk_avx512.c). */
void dot_q4_k_q8_k_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_k_q8_k_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q5_k_q8_k_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_q5_k_q8_k_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q6_k_q8_k_avx512(int64_t n, float *s, const void *w, const void *a);
void gemv_q6_k_q8_k_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
/* lf_gemm_fn (prefill): 1 row x 8 tokens per tile, bit-identical per output to the gemv/dot above. */
void gemm_q4_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride);
void gemm_q6_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride);

#endif
