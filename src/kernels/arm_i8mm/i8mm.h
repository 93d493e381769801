/* kernels/arm_i8mm/i8mm.h - AArch64 kernels using the Armv8.6 int8 matrix-multiply instructions
 * (smmla; FEAT_I8MM: Cortex-A510/A710/X2 and later, Neoverse V1/N2, Apple M2 and later). This directory
 * is compiled with -march=armv8.2-a+dotprod+i8mm (CMakeLists.txt): call these only when lf_cpu_detect
 * reports i8mm (HWCAP2_I8MM) and dotprod; lf_kernels_init checks.
 * Contracts are the reference twins' (kernels/ref/ref.h): bit-identical per output to
 * dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref (exact integer block sums, then the reference's f32
 * operations in its order). Only the gemms live here; dots and gemvs keep their dotprod entries. */
#ifndef LF_KERNELS_I8MM_H
#define LF_KERNELS_I8MM_H

#include <stddef.h>
#include <stdint.h>

/* lf_gemm_fn (kernels/kernels.h): packed panels of 8 rows, 8 rows x 4 tokens per tile. */
void gemm_q8_0_q8_0_i8mm(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);
void gemm_q4_0_q8_0_i8mm(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride);

#endif
