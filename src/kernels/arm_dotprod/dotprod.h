/* kernels/arm_dotprod/dotprod.h - AArch64 kernels using the Armv8.2 dot-product instructions
 * (sdot; FEAT_DotProd: Cortex-A55/A76 and later, Apple M1, Neoverse N1). This directory is compiled
 * with -march=armv8.2-a+dotprod+fp16 (CMakeLists.txt): call these only when lf_cpu_detect reports
 * dotprod (HWCAP_ASIMDDP); lf_kernels_init checks.
 * Contracts are the reference twins' (kernels/ref/ref.h): the Q8_0/Q4_0 dots and gemvs give results
 * bit-identical to their _ref twins (exact integer block sums, then the reference's f32 operations
 * in its order). Q8_0 quantization and F16 stay with the NEON entries (arm_neon/neon.h). */
#ifndef LF_KERNELS_DOTPROD_H
#define LF_KERNELS_DOTPROD_H

#include <stddef.h>
#include <stdint.h>

void dot_q8_0_q8_0_dotprod(int64_t n, float *s, const void *w, const void *a);
void gemv_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                            const void *a);
void dot_q4_0_q8_0_dotprod(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                            const void *a);
/* lf_gemm_fn (kernels/kernels.h): 4 rows x 4 tokens per tile, bit-identical per output to
 * dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref. */
void gemm_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride);
void gemm_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride);

/* lf_type_kernels.gemm_packed: weights in the x16 layout (kernels/pack.h), 8 rows x up to 4 tokens per
 * tile, bit-identical per output to dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref (gemm_packed_dotprod.c). */
void gemm_packed_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                   size_t w_stride, const void *a, size_t a_stride);
void gemm_packed_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                   size_t w_stride, const void *a, size_t a_stride);

/* K-quants (arm_dotprod/qk_dotprod.c, body in arm_neon/qk_body.h, sdot): Q4_K/Q5_K/Q6_K x Q8_K dots and
 * 4-row gemvs; f32 summation order differs from ref (tolerance in tests/kernels/test_kquant.c). */
void dot_q4_k_q8_k_dotprod(int64_t n, float *s, const void *w, const void *a);
void gemv_q4_k_q8_k_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q5_k_q8_k_dotprod(int64_t n, float *s, const void *w, const void *a);
void gemv_q5_k_q8_k_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);
void dot_q6_k_q8_k_dotprod(int64_t n, float *s, const void *w, const void *a);
void gemv_q6_k_q8_k_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a);

#endif
