/* kernels/x86_avxvnni/avxvnni.h - AVX-VNNI (VEX-encoded vpdpbusd: Alder Lake, Sapphire Rapids, Zen 5 and
 * later) kernels, with AVX2 + FMA + F16C. Plain C declarations: callable from any translation unit, but
 * only on a CPU with those features (lf_kernels_init checks; tests check lf_cpu_detect first).
 * Contracts: the gemms are lf_gemm_fn (kernels/kernels.h) with gemm_side = 1 (each activation row carries
 * its lf_act_side entries), every output bit-identical to the _ref dot of its row and token; the
 * activation codes must lie in [-127, 127] (every Q8_0 quantizer's range: below 3 tokens they run the
 * AVX2 gemv, which needs it). */
#ifndef LF_KERNELS_AVXVNNI_H
#define LF_KERNELS_AVXVNNI_H

#include <stddef.h>
#include <stdint.h>

void gemm_q8_0_q8_0_avxvnni(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride);
void gemm_q4_0_q8_0_avxvnni(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride);

#endif
