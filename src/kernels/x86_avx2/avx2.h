/* kernels/x86_avx2/avx2.h - AVX2 (with FMA, F16C) kernels. Plain C
 * declarations: callable from any translation unit, but only on a CPU with those features
 * (lf_kernels_init checks; tests check lf_cpu_detect first).
 * Contracts are the reference twins' (kernels/ref/ref.h, kernels/kernels.h) with these notes:
 *  - quantize_row_q8_0_avx2 and the Q8_0/Q4_0 dots and gemvs give results bit-identical to their
 *    _ref twins for finite inputs (integer block sums, then the same f32 operations in the same
 *    order); the activation codes must lie in [-127, 127], which every Q8_0 quantizer produces.
 *  - the F16 dot/gemv accumulate f32 products in f32 lanes (as ggml's SIMD path does), so they
 *    differ from the double-accumulating reference by float rounding only. */
#ifndef LF_KERNELS_AVX2_H
#define LF_KERNELS_AVX2_H

#include <stddef.h>
#include <stdint.h>

void quantize_row_q8_0_avx2(const float *x, void *y, int64_t n);
void dot_q8_0_q8_0_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_q8_0_q8_0_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a);
void dot_q4_0_q8_0_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_0_q8_0_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a);
void dot_f16_f16_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_f16_f16_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a);

/* Prefill gemms (lf_gemm_fn, kernels/kernels.h; x86_avx2/gemm_avx2.c): every output bit-identical
 * to the _ref dot of its row and token (activation codes in [-127, 127], as for the dots: few-token
 * calls run the gemv). Both are gemm_side = 1 entries: each activation row carries its lf_act_side
 * entries. */
void gemm_q8_0_q8_0_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);
void gemm_q4_0_q8_0_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);

/* K-quants (x86_avx2/qk_avx2.c): quantize_row_q8_k bit-identical to ref; the Q4_K/Q5_K/Q6_K x Q8_K dots
 * and gemvs (4 rows per pass) differ from ref by f32 summation order only (bound in qk_avx2.c). */
void quantize_row_q8_k_avx2(const float *x, void *y, int64_t n);
void dot_q4_k_q8_k_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_k_q8_k_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q5_k_q8_k_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_q5_k_q8_k_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q6_k_q8_k_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_q6_k_q8_k_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
/* lf_gemm_fn (prefill, x86_avx2/qk_avx2.c): 1 row x 4 tokens per tile, bit-identical per output to the
 * Q4_K / Q6_K gemv and dot above. */
void gemm_q4_k_q8_k_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);
void gemm_q6_k_q8_k_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);

/* Float weights (floatk; f16_avx2.c, bf16_avx2.c). quantize_row_f16/bf16: bit-identical to the _ref
 * twins for every input (NaN included). F16 gemm, BF16 dot/gemv/gemm: f32 lanes with FMA, within the
 * f32-accumulation bound of the reference dot (tests/kernels/test_float_kernels.c); per type, the
 * AVX2 dot, gemv and gemm are bit-identical to each other (prefill = decode). */
void quantize_row_f16_avx2(const float *x, void *y, int64_t n);
void gemm_f16_f16_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                       size_t w_stride, const void *a, size_t a_stride);
void quantize_row_bf16_avx2(const float *x, void *y, int64_t n);
void dot_bf16_bf16_avx2(int64_t n, float *s, const void *w, const void *a);
void gemv_bf16_bf16_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void gemm_bf16_bf16_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);

#endif
