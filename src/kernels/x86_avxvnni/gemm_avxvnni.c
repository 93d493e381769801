/* kernels/x86_avxvnni/gemm_avxvnni.c - AVX-VNNI prefill gemms for Q8_0 and Q4_0 weights with Q8_0
 * activations: the packed-panel design of x86_avx2/gemm_pack.h (u8s8 layout for both types), with
 * vpdpbusd (u8 x s8, 4 products summed into int32, no intermediate saturation) in place of AVX2's
 * vpmaddubsw/vpmaddwd pairs: 8 vpdpbusd per block and token, the accumulator starting at the packed
 * bias correction -128 * sum(codes). Integer sums are exact, so the f32 scaling in the reference's
 * order makes every output bit-identical to the _ref dot (contracts: x86_avxvnni/avxvnni.h).
 * Built with -mavxvnni (CMakeLists.txt) and installed only when CPUID reports AVX-VNNI.
 */
#include <immintrin.h>

#include "kernels/x86_avx2/gemm_pack.h"
#include "kernels/x86_avxvnni/avxvnni.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define LF_UNROLL _Pragma("GCC unroll 2")

/* Block sums of 4 tokens for block b: s_j = corr + sum_g dpbusd(a'_j[g], w[g]). */
#define VNNI_BLOCK_SUMS(P, b, q0, q1, q2, q3, s0, s1, s2, s3)                                          \
    do {                                                                                               \
        const __m256i *w_ = &(P)->w[(b) * 8];                                                          \
        const int o_ = (b) * 8;                                                                        \
        s0 = s1 = s2 = s3 = (P)->corr[b];                                                              \
        LF_UNROLL                                                                                      \
        for (int g = 0; g < 8; g++) {                                                                  \
            const __m256i wv = _mm256_load_si256(w_ + g);                                              \
            s0 = _mm256_dpbusd_avx_epi32(s0, _mm256_set1_epi32(q0[o_ + g]), wv);                       \
            s1 = _mm256_dpbusd_avx_epi32(s1, _mm256_set1_epi32(q1[o_ + g]), wv);                       \
            s2 = _mm256_dpbusd_avx_epi32(s2, _mm256_set1_epi32(q2[o_ + g]), wv);                       \
            s3 = _mm256_dpbusd_avx_epi32(s3, _mm256_set1_epi32(q3[o_ + g]), wv);                       \
        }                                                                                              \
    } while (0)

/* Q8_0: acc += (float)sum * (dw * da). */
static void tile_q8_0_vnni(const gq_panel *P, const gq_acts *A, const int tok[GQ_NT], int nbc, __m256 acc[GQ_NT]) {
    const int32_t *q0 = A->q[tok[0]], *q1 = A->q[tok[1]], *q2 = A->q[tok[2]], *q3 = A->q[tok[3]];
    __m256 f0 = acc[0], f1 = acc[1], f2 = acc[2], f3 = acc[3];
    for (int b = 0; b < nbc; b++) {
        __m256i s0, s1, s2, s3;
        VNNI_BLOCK_SUMS(P, b, q0, q1, q2, q3, s0, s1, s2, s3);
        const __m256 ws = P->ws[b];
        f0 = _mm256_add_ps(f0, _mm256_mul_ps(_mm256_cvtepi32_ps(s0), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[0]][b]))));
        f1 = _mm256_add_ps(f1, _mm256_mul_ps(_mm256_cvtepi32_ps(s1), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[1]][b]))));
        f2 = _mm256_add_ps(f2, _mm256_mul_ps(_mm256_cvtepi32_ps(s2), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[2]][b]))));
        f3 = _mm256_add_ps(f3, _mm256_mul_ps(_mm256_cvtepi32_ps(s3), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[3]][b]))));
    }
    acc[0] = f0, acc[1] = f1, acc[2] = f2, acc[3] = f3;
}

/* Q4_0: acc += ((float)sum * dw) * da. */
static void tile_q4_0_vnni(const gq_panel *P, const gq_acts *A, const int tok[GQ_NT], int nbc, __m256 acc[GQ_NT]) {
    const int32_t *q0 = A->q[tok[0]], *q1 = A->q[tok[1]], *q2 = A->q[tok[2]], *q3 = A->q[tok[3]];
    __m256 f0 = acc[0], f1 = acc[1], f2 = acc[2], f3 = acc[3];
    for (int b = 0; b < nbc; b++) {
        __m256i s0, s1, s2, s3;
        VNNI_BLOCK_SUMS(P, b, q0, q1, q2, q3, s0, s1, s2, s3);
        const __m256 ws = P->ws[b];
        f0 = _mm256_add_ps(f0, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s0), ws), _mm256_set1_ps(A->d[tok[0]][b])));
        f1 = _mm256_add_ps(f1, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s1), ws), _mm256_set1_ps(A->d[tok[1]][b])));
        f2 = _mm256_add_ps(f2, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s2), ws), _mm256_set1_ps(A->d[tok[2]][b])));
        f3 = _mm256_add_ps(f3, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s3), ws), _mm256_set1_ps(A->d[tok[3]][b])));
    }
    acc[0] = f0, acc[1] = f1, acc[2] = f2, acc[3] = f3;
}

void gemm_q8_0_q8_0_avxvnni(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    gq_gemm(GQ_KC_U8, gq_pack_q8_0_u8s8, gq_prep_u8, tile_q8_0_vnni, n, nrows, ntok, s, s_stride, w, w_stride, a,
            a_stride);
}

void gemm_q4_0_q8_0_avxvnni(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    gq_gemm(GQ_KC_U8, gq_pack_q4_0_u8s8, gq_prep_u8, tile_q4_0_vnni, n, nrows, ntok, s, s_stride, w, w_stride, a,
            a_stride);
}
