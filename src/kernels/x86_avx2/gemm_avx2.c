/* kernels/x86_avx2/gemm_avx2.c - AVX2 prefill gemms (8 rows x 4 tokens register tiles over packed
 * panels) for Q8_0 and Q4_0 weights with Q8_0 activations (contracts: x86_avx2/avx2.h; packing, loop
 * nest and exactness argument: x86_avx2/gemm_pack.h).
 *
 * Without VNNI the int8 products go through vpmaddubsw (u8 x s8 -> saturating int16 pairs) or
 * vpmaddwd (int16 x int16 -> int32 pairs). Both are kept exact:
 *  - Q8_0 (i16 layout): codes sign-extended to int16 pairs on both sides and vpmaddwd: exact for every
 *    int8 code (a pair is at most 2 * 128 * 128 = 32768 in magnitude), 16 vpmaddwd + 16 vpaddd a block.
 *    (vpmaddubsw of two full int8 ranges could saturate and would need a sign fix per product.)
 *  - Q4_0 (u8 layout, activation side entries): vpmaddubsw(codes 0..15, a): a pair is at most
 *    2 * 15 * 128 = 3840 in magnitude, so the 8 groups of a block sum in int16 without saturation or
 *    wrap (|sum| <= 30720); one vpmaddwd by ones widens the block to int32 and the side entry's
 *    -8 * sum(a) removes the codes' offset.
 * ggml's mul_sum_i8_pairs (abs/sign trick) is the usual alternative; it costs a vpsignb per product
 * here, since the sign would depend on both operands.
 */
#include <immintrin.h>

#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avx2/gemm_pack.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* gcc 12 -O2 keeps every accumulator in registers with these unroll factors (full unrolling spills
 * them to the stack); clang does either way. */
#define LF_UNROLL_Q8 _Pragma("GCC unroll 2")
#define LF_UNROLL_Q4 _Pragma("GCC unroll 2")

/* Q8_0: acc += (float)sum * (dw * da). */
static void tile_q8_0_i16(const gq_panel *P, const gq_acts *A, const int tok[GQ_NT], int nbc, __m256 acc[GQ_NT]) {
    const int32_t *q0 = A->q[tok[0]], *q1 = A->q[tok[1]], *q2 = A->q[tok[2]], *q3 = A->q[tok[3]];
    __m256 f0 = acc[0], f1 = acc[1], f2 = acc[2], f3 = acc[3];
    for (int b = 0; b < nbc; b++) {
        const __m256i *w = &P->w[b * 16];
        const int o = b * 16;
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        LF_UNROLL_Q8
        for (int g = 0; g < 16; g++) {
            const __m256i wv = _mm256_load_si256(w + g);
            s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(wv, _mm256_set1_epi32(q0[o + g])));
            s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(wv, _mm256_set1_epi32(q1[o + g])));
            s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(wv, _mm256_set1_epi32(q2[o + g])));
            s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(wv, _mm256_set1_epi32(q3[o + g])));
        }
        const __m256 ws = P->ws[b];
        f0 = _mm256_add_ps(f0, _mm256_mul_ps(_mm256_cvtepi32_ps(s0), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[0]][b]))));
        f1 = _mm256_add_ps(f1, _mm256_mul_ps(_mm256_cvtepi32_ps(s1), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[1]][b]))));
        f2 = _mm256_add_ps(f2, _mm256_mul_ps(_mm256_cvtepi32_ps(s2), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[2]][b]))));
        f3 = _mm256_add_ps(f3, _mm256_mul_ps(_mm256_cvtepi32_ps(s3), _mm256_mul_ps(ws, _mm256_set1_ps(A->d[tok[3]][b]))));
    }
    acc[0] = f0, acc[1] = f1, acc[2] = f2, acc[3] = f3;
}

/* Q4_0: acc += ((float)sum * dw) * da; sum = (codes . a) - 8 * sum(a), the second term from the side. */
static void tile_q4_0_u8(const gq_panel *P, const uint8_t *const tq[GQ_NT], size_t side_off, int64_t b0, int nbc,
                         __m256 acc[GQ_NT]) {
    const size_t bs = sizeof(lf_block_q8_0);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 f0 = acc[0], f1 = acc[1], f2 = acc[2], f3 = acc[3];
    for (int b = 0; b < nbc; b++) {
        const int64_t ab = b0 + b;
        const uint8_t *q0 = tq[0] + (size_t)ab * bs + 2, *q1 = tq[1] + (size_t)ab * bs + 2;
        const uint8_t *q2 = tq[2] + (size_t)ab * bs + 2, *q3 = tq[3] + (size_t)ab * bs + 2;
        const __m256i *w = &P->w[b * 8];
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        LF_UNROLL_Q4
        for (int g = 0; g < 8; g++) {
            const __m256i wv = _mm256_load_si256(w + g);
            s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(wv, _mm256_set1_epi32(gq_load_i32(q0 + 4 * g))));
            s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(wv, _mm256_set1_epi32(gq_load_i32(q1 + 4 * g))));
            s2 = _mm256_add_epi16(s2, _mm256_maddubs_epi16(wv, _mm256_set1_epi32(gq_load_i32(q2 + 4 * g))));
            s3 = _mm256_add_epi16(s3, _mm256_maddubs_epi16(wv, _mm256_set1_epi32(gq_load_i32(q3 + 4 * g))));
        }
        const uint8_t *d0 = gq_side(tq[0], side_off, ab), *d1 = gq_side(tq[1], side_off, ab);
        const uint8_t *d2 = gq_side(tq[2], side_off, ab), *d3 = gq_side(tq[3], side_off, ab);
        const __m256 ws = P->ws[b];
        const __m256 c0 = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(s0, ones), _mm256_set1_epi32(gq_load_i32(d0 + 4))));
        const __m256 c1 = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(s1, ones), _mm256_set1_epi32(gq_load_i32(d1 + 4))));
        const __m256 c2 = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(s2, ones), _mm256_set1_epi32(gq_load_i32(d2 + 4))));
        const __m256 c3 = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(s3, ones), _mm256_set1_epi32(gq_load_i32(d3 + 4))));
        f0 = _mm256_add_ps(f0, _mm256_mul_ps(_mm256_mul_ps(c0, ws), _mm256_set1_ps(gq_load_f32(d0 + 8))));
        f1 = _mm256_add_ps(f1, _mm256_mul_ps(_mm256_mul_ps(c1, ws), _mm256_set1_ps(gq_load_f32(d1 + 8))));
        f2 = _mm256_add_ps(f2, _mm256_mul_ps(_mm256_mul_ps(c2, ws), _mm256_set1_ps(gq_load_f32(d2 + 8))));
        f3 = _mm256_add_ps(f3, _mm256_mul_ps(_mm256_mul_ps(c3, ws), _mm256_set1_ps(gq_load_f32(d3 + 8))));
    }
    acc[0] = f0, acc[1] = f1, acc[2] = f2, acc[3] = f3;
}

void gemm_q8_0_q8_0_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    gq_gemm(GQ_KC_I16, gq_pack_q8_0_i16, gq_prep_i16, tile_q8_0_i16, n, nrows, ntok, s, s_stride, w, w_stride, a,
            a_stride);
}

void gemm_q4_0_q8_0_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    gq_gemm_side(gq_pack_q4_0_u8, tile_q4_0_u8, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
