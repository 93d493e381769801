/* kernels/x86_avx2/gemm_avx2.c - AVX2 prefill gemms (8 rows x 4 tokens register tiles over packed
 * panels) for Q8_0 and Q4_0 weights with Q8_0 activations carrying side entries (gemm_side = 1;
 * contracts: x86_avx2/avx2.h; packing, loop nest and exactness argument: x86_avx2/gemm_pack.h).
 *
 * Without VNNI the int8 products go through vpmaddubsw (u8 x s8 -> saturating int16 pairs), kept exact
 * by keeping the unsigned side small, so that the 8 groups of a block also sum in int16 without
 * saturation or wrap, and one vpmaddwd per block widens to int32:
 *  - Q4_0: codes 0..15 x a: a pair is at most 2 * 15 * 128 = 3840 in magnitude, a block's 8 groups
 *    30720; the side entry's -8 * sum(a) removes the codes' offset.
 *  - Q8_0: w + 128 split into nibbles h, l (0..15): two vpmaddubsw per group with the same bounds, then
 *    16 * (h . a) + (l . a) by vpmaddwd with 16 and 1, and the side's -128 * sum(a). 16 vpmaddubsw per
 *    block and token. Measured against the alternatives (bench/gemm_x86_bench, 16-row calls, 64 tokens):
 *    int16 codes with vpmaddwd (16 a block, exact, but the activations must be widened per call: that
 *    copy cost a quarter of the time) was 20% slower; ggml's abs/sign trick (mul_sum_i8_pairs) costs a
 *    vpsignb per product here, since the sign depends on both operands.
 */
#include <immintrin.h>

#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avx2/gemm_pack.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Group loops unrolled by 2: with full unrolling gcc 12 -O2 spills the integer accumulators (the Q8_0
 * tile's 8 int16 and 4 f32 accumulators leave no spare ymm anyway: its f32 sums go through the stack
 * once per block, measured harmless). */
#define LF_UNROLL _Pragma("GCC unroll 2")

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
        LF_UNROLL
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

/* Q8_0: per block 16 ymm, g < 8 the high nibbles of (w + 128) of dword group g, 8 + g the low nibbles;
 * sum = 16 * (hi . a) + (lo . a) - 128 * sum(a), the last term from the side entry;
 * acc += (float)sum * (dw * da). */
static void pack_q8_0_split(gq_panel *P, const uint8_t *const rows[GQ_PR], int64_t b0, int nbc) {
    const size_t bs = sizeof(lf_block_q8_0);
    const __m256i bias = _mm256_set1_epi8((char)0x80), low4 = _mm256_set1_epi8(0x0F);
    for (int b = 0; b < nbc; b++) {
        const uint8_t *blk[GQ_PR];
        __m256i v[GQ_PR], h[GQ_PR];
        for (int i = 0; i < GQ_PR; i++) {
            blk[i] = rows[i] + (size_t)(b0 + b) * bs;
            v[i] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(blk[i] + 2)), bias);
            h[i] = _mm256_and_si256(_mm256_srli_epi16(v[i], 4), low4);
            v[i] = _mm256_and_si256(v[i], low4);
        }
        gq_transpose8(h);
        gq_transpose8(v);
        for (int g = 0; g < 8; g++) {
            P->w[b * 16 + g] = h[g];
            P->w[b * 16 + 8 + g] = v[g];
        }
        P->ws[b] = gq_scales8(blk);
    }
}

static void tile_q8_0_split(const gq_panel *P, const uint8_t *const tq[GQ_NT], size_t side_off, int64_t b0, int nbc,
                            __m256 acc[GQ_NT]) {
    const size_t bs = sizeof(lf_block_q8_0);
    const __m256i ones = _mm256_set1_epi16(1), sixteen = _mm256_set1_epi16(16);
    __m256 f0 = acc[0], f1 = acc[1], f2 = acc[2], f3 = acc[3];
    for (int b = 0; b < nbc; b++) {
        const int64_t ab = b0 + b;
        const uint8_t *q0 = tq[0] + (size_t)ab * bs + 2, *q1 = tq[1] + (size_t)ab * bs + 2;
        const uint8_t *q2 = tq[2] + (size_t)ab * bs + 2, *q3 = tq[3] + (size_t)ab * bs + 2;
        const __m256i *w = &P->w[b * 16];
        __m256i h0 = _mm256_setzero_si256(), h1 = h0, h2 = h0, h3 = h0, l0 = h0, l1 = h0, l2 = h0, l3 = h0;
        LF_UNROLL
        for (int g = 0; g < 8; g++) {
            const __m256i wh = _mm256_load_si256(w + g), wl = _mm256_load_si256(w + 8 + g);
            __m256i av = _mm256_set1_epi32(gq_load_i32(q0 + 4 * g));
            h0 = _mm256_add_epi16(h0, _mm256_maddubs_epi16(wh, av));
            l0 = _mm256_add_epi16(l0, _mm256_maddubs_epi16(wl, av));
            av = _mm256_set1_epi32(gq_load_i32(q1 + 4 * g));
            h1 = _mm256_add_epi16(h1, _mm256_maddubs_epi16(wh, av));
            l1 = _mm256_add_epi16(l1, _mm256_maddubs_epi16(wl, av));
            av = _mm256_set1_epi32(gq_load_i32(q2 + 4 * g));
            h2 = _mm256_add_epi16(h2, _mm256_maddubs_epi16(wh, av));
            l2 = _mm256_add_epi16(l2, _mm256_maddubs_epi16(wl, av));
            av = _mm256_set1_epi32(gq_load_i32(q3 + 4 * g));
            h3 = _mm256_add_epi16(h3, _mm256_maddubs_epi16(wh, av));
            l3 = _mm256_add_epi16(l3, _mm256_maddubs_epi16(wl, av));
        }
        const uint8_t *d0 = gq_side(tq[0], side_off, ab), *d1 = gq_side(tq[1], side_off, ab);
        const uint8_t *d2 = gq_side(tq[2], side_off, ab), *d3 = gq_side(tq[3], side_off, ab);
        const __m256 ws = P->ws[b];
#define SPLIT_SUM(h, l, d)                                                                                  \
    _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(h, sixteen), _mm256_madd_epi16(l, ones)), \
                                        _mm256_set1_epi32(gq_load_i32(d))))
        f0 = _mm256_add_ps(f0, _mm256_mul_ps(SPLIT_SUM(h0, l0, d0), _mm256_mul_ps(ws, _mm256_set1_ps(gq_load_f32(d0 + 8)))));
        f1 = _mm256_add_ps(f1, _mm256_mul_ps(SPLIT_SUM(h1, l1, d1), _mm256_mul_ps(ws, _mm256_set1_ps(gq_load_f32(d1 + 8)))));
        f2 = _mm256_add_ps(f2, _mm256_mul_ps(SPLIT_SUM(h2, l2, d2), _mm256_mul_ps(ws, _mm256_set1_ps(gq_load_f32(d2 + 8)))));
        f3 = _mm256_add_ps(f3, _mm256_mul_ps(SPLIT_SUM(h3, l3, d3), _mm256_mul_ps(ws, _mm256_set1_ps(gq_load_f32(d3 + 8)))));
#undef SPLIT_SUM
    }
    acc[0] = f0, acc[1] = f1, acc[2] = f2, acc[3] = f3;
}

/* Below these token counts the panel packing is not repaid: the gemv once per token is faster
 * (bench/gemm_x86_bench -t T, 16-row calls: Q8_0 gemm/gemv x0.49 at 2 tokens, x0.93 at 6, x1.24 at 8;
 * Q4_0 x0.92 at 2, x1.36 at 3). Same results either way (both equal the reference dot). */
#define GEMM_MIN_TOK_Q8_0 8
#define GEMM_MIN_TOK_Q4_0 3

void gemm_q8_0_q8_0_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    if (ntok < GEMM_MIN_TOK_Q8_0) {
        for (int64_t t = 0; t < ntok; t++)
            gemv_q8_0_q8_0_avx2(n, nrows, s + (size_t)t * s_stride, w, w_stride, (const uint8_t *)a + (size_t)t * a_stride);
        return;
    }
    gq_gemm_side(GQ_KC / 2, pack_q8_0_split, tile_q8_0_split, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    if (ntok < GEMM_MIN_TOK_Q4_0) {
        for (int64_t t = 0; t < ntok; t++)
            gemv_q4_0_q8_0_avx2(n, nrows, s + (size_t)t * s_stride, w, w_stride, (const uint8_t *)a + (size_t)t * a_stride);
        return;
    }
    gq_gemm_side(GQ_KC, gq_pack_q4_0_u8, tile_q4_0_u8, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
