/* kernels/x86_avxvnni/gemm_avxvnni.c - AVX-VNNI prefill gemms for Q8_0 and Q4_0 weights with Q8_0
 * activations: the packed-panel design of x86_avx2/gemm_pack.h (u8 layout: Q8_0 codes + 128, Q4_0
 * codes 0..15), with vpdpbusd (u8 x s8, 4 products summed into int32, no intermediate saturation): 8
 * vpdpbusd per block and token, the accumulator starting at the activation side entry's -128 * sum(a)
 * (Q8_0) or -8 * sum(a) (Q4_0), which removes the weights' offset. Integer sums are exact, so the f32
 * scaling in the reference's order makes every output bit-identical to the _ref dot (contracts:
 * x86_avxvnni/avxvnni.h). Built with -mavxvnni (CMakeLists.txt) and installed only when CPUID reports
 * AVX-VNNI.
 */
#include <immintrin.h>

#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avx2/gemm_pack.h"
#include "kernels/x86_avxvnni/avxvnni.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define LF_UNROLL _Pragma("GCC unroll 2")

/* Blocks [b0, b0 + nbc) for 4 tokens: per block s_j = side_j[corr] + sum_g dpbusd(w[g], a_j[g]) (exact
 * int32), then acc_j += SCALE(s_j); corr is the side entry's byte offset (0: -128 * sum, 4: -8 * sum). */
#define VNNI_TILE(corr, SCALE)                                                                          \
    const size_t bs = sizeof(lf_block_q8_0);                                                            \
    __m256 f0 = acc[0], f1 = acc[1], f2 = acc[2], f3 = acc[3];                                          \
    for (int b = 0; b < nbc; b++) {                                                                     \
        const int64_t ab = b0 + b;                                                                      \
        const uint8_t *q0 = tq[0] + (size_t)ab * bs + 2, *q1 = tq[1] + (size_t)ab * bs + 2;             \
        const uint8_t *q2 = tq[2] + (size_t)ab * bs + 2, *q3 = tq[3] + (size_t)ab * bs + 2;             \
        const uint8_t *d0 = gq_side(tq[0], side_off, ab), *d1 = gq_side(tq[1], side_off, ab);           \
        const uint8_t *d2 = gq_side(tq[2], side_off, ab), *d3 = gq_side(tq[3], side_off, ab);           \
        const __m256i *w = &P->w[b * 8];                                                                \
        __m256i s0 = _mm256_set1_epi32(gq_load_i32(d0 + (corr))), s1 = _mm256_set1_epi32(gq_load_i32(d1 + (corr))); \
        __m256i s2 = _mm256_set1_epi32(gq_load_i32(d2 + (corr))), s3 = _mm256_set1_epi32(gq_load_i32(d3 + (corr))); \
        LF_UNROLL                                                                                       \
        for (int g = 0; g < 8; g++) {                                                                   \
            const __m256i wv = _mm256_load_si256(w + g);                                                \
            s0 = _mm256_dpbusd_avx_epi32(s0, wv, _mm256_set1_epi32(gq_load_i32(q0 + 4 * g)));           \
            s1 = _mm256_dpbusd_avx_epi32(s1, wv, _mm256_set1_epi32(gq_load_i32(q1 + 4 * g)));           \
            s2 = _mm256_dpbusd_avx_epi32(s2, wv, _mm256_set1_epi32(gq_load_i32(q2 + 4 * g)));           \
            s3 = _mm256_dpbusd_avx_epi32(s3, wv, _mm256_set1_epi32(gq_load_i32(q3 + 4 * g)));           \
        }                                                                                               \
        const __m256 ws = P->ws[b];                                                                     \
        f0 = _mm256_add_ps(f0, SCALE(s0, d0));                                                          \
        f1 = _mm256_add_ps(f1, SCALE(s1, d1));                                                          \
        f2 = _mm256_add_ps(f2, SCALE(s2, d2));                                                          \
        f3 = _mm256_add_ps(f3, SCALE(s3, d3));                                                          \
    }                                                                                                   \
    acc[0] = f0, acc[1] = f1, acc[2] = f2, acc[3] = f3

/* Q8_0: (float)sum * (dw * da). Q4_0: ((float)sum * dw) * da. */
#define SCALE_Q8_0(s, d) _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(ws, _mm256_set1_ps(gq_load_f32((d) + 8))))
#define SCALE_Q4_0(s, d) _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s), ws), _mm256_set1_ps(gq_load_f32((d) + 8)))

static void tile_q8_0_vnni(const gq_panel *P, const uint8_t *const tq[GQ_NT], size_t side_off, int64_t b0, int nbc,
                           __m256 acc[GQ_NT]) {
    VNNI_TILE(0, SCALE_Q8_0);
}

static void tile_q4_0_vnni(const gq_panel *P, const uint8_t *const tq[GQ_NT], size_t side_off, int64_t b0, int nbc,
                           __m256 acc[GQ_NT]) {
    VNNI_TILE(4, SCALE_Q4_0);
}

/* Below 3 tokens the panel packing is not repaid: the AVX2 gemv once per token is faster
 * (bench/gemm_x86_bench -t 2: gemm/gemv x0.83 Q8_0, x0.98 Q4_0; -t 3: x1.16, x1.45). */
#define GEMM_MIN_TOK 3

void gemm_q8_0_q8_0_avxvnni(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    if (ntok < GEMM_MIN_TOK) {
        for (int64_t t = 0; t < ntok; t++)
            gemv_q8_0_q8_0_avx2(n, nrows, s + (size_t)t * s_stride, w, w_stride, (const uint8_t *)a + (size_t)t * a_stride);
        return;
    }
    gq_gemm_side(GQ_KC, gq_pack_q8_0_u8, tile_q8_0_vnni, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_avxvnni(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    if (ntok < GEMM_MIN_TOK) {
        for (int64_t t = 0; t < ntok; t++)
            gemv_q4_0_q8_0_avx2(n, nrows, s + (size_t)t * s_stride, w, w_stride, (const uint8_t *)a + (size_t)t * a_stride);
        return;
    }
    gq_gemm_side(GQ_KC, gq_pack_q4_0_u8, tile_q4_0_vnni, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
