/* kernels/x86_avx512/gemm_packed_k_avx512.c - Q4_K, Q5_K and Q6_K x Q8_K gemms (and, with one token, the
 * decode gemvs) over weights repacked at load into their x16 layouts (kernels/pack.h), AVX-512 VNNI.
 * Q4_K below (Q5_K: the same with its fifth bits, group_tile_45); Q6_K at group_tile6.
 *
 * One row per 32-bit lane, so nothing is reduced across lanes. Per 256-element block and tile of up to
 * 8 tokens: the codes of each 32-byte chunk (8 vectors) are split into low and high nibbles once; per
 * token, each half sub-block (16 elements: |sum| <= 16 * 15 * 128, so it fits in 16 bits) is 4 vpdpbusd
 * with the token's 4 activation bytes broadcast, and one vpdpwssd multiplies it by the row's sub-block
 * scale (low 16 bits of the lane, high 0) into the block's integer sum. The mins term is 4 vpdpwssd of
 * each row's (min 2p, min 2p+1) pair against the token's (sum of sub-block 2p, of 2p+1) pair, from the
 * Q8_K bsums. Then acc += (d * da) * sum, acc -= (dmin * da) * mins (two fmas per block, f32).
 * Every integer sum is exact; the f32 steps differ from the reference dot in order only (the reference
 * sums 8 lanes per block; here one lane per row, block after block): the contract is the K-quant one,
 * |fast - ref| <= 1e-5 * sum of |terms| (tests/kernels/test_gemm_packed_k.c).
 *
 * Per 16-row group, tokens go 8 at a time; the group's weights (nb * 2368 bytes) stay in L1/L2 while
 * the token tiles pass over them. With one token (decode) the first tile prefetches LF_KPF_BLOCKS blocks
 * ahead into L2, each block's lines spread over its 8 inner steps: issued as one burst at the block's
 * start (37 to 53 lines), the prefetches stalled the loads behind them, and decode read Q6_K at 75 tok/s
 * (LFM2-350M, 2 threads) against 82 spread and 89 spread 5 blocks ahead (4 KiB: 82; Q4_K +5 %).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/x86_avx512/avx512.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define TT 8 /* tokens per register tile */
#ifndef LF_KPF_BLOCKS
#define LF_KPF_BLOCKS 5 /* prefetch distance in blocks of 16 rows (Q4_K 11.6 KiB, Q6_K 16.6 KiB) */
#endif
#define LF_UNROLL _Pragma("GCC unroll 8")

/* Prefetch part `step` of `steps` of the block LF_KPF_BLOCKS blocks after o (kb bytes each): a block's
 * lines spread over its inner steps instead of one burst at its start */
static inline __attribute__((always_inline)) void pf_part(const uint8_t *o, int kb, int step, int steps) {
    const int l0 = (kb / 64 * step / steps) * 64, l1 = (kb / 64 * (step + 1) / steps) * 64;
    for (int l = l0; l < l1; l += 64) _mm_prefetch((const char *)(o + LF_KPF_BLOCKS * kb + l), _MM_HINT_T1);
}

static inline int32_t load_i32(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The 4 (sub-block 2p, 2p+1) sums of a Q8_K block's activations as 16-bit pairs in 32-bit words:
 * out[p] = (bs[2p] & 0xffff) | bs[2p+1] << 16, with bs[j] = bsums[2j] + bsums[2j+1] (|bs| <= 4096). */
static inline __attribute__((always_inline)) void min_pairs(const lf_block_q8_k *a, __m512i out[4]) {
    const __m256i bsp = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)a->bsums),
                                          _mm256_set1_epi16(1)); /* 8 x i32: bs[0..7] */
    const __m256i pk = _mm256_packs_epi32(bsp, bsp);             /* i16: bs0..3 bs0..3 | bs4..7 bs4..7 */
    const __m512i z = _mm512_castsi256_si512(pk);
    out[0] = _mm512_permutexvar_epi32(_mm512_set1_epi32(0), z);
    out[1] = _mm512_permutexvar_epi32(_mm512_set1_epi32(1), z);
    out[2] = _mm512_permutexvar_epi32(_mm512_set1_epi32(4), z);
    out[3] = _mm512_permutexvar_epi32(_mm512_set1_epi32(5), z);
}

/* acc[j] = rows of one group against token j (j < NT), blocks 0..nb; Q4_K, or Q5_K (FIVE: the fifth bit
 * of each code from qh, moved to bit 4; codes 0..31 make a half sub-block's sum too large for 16 bits,
 * so the two halves are added and multiplied by the scale with vpmulld). */
static inline __attribute__((always_inline)) void group_tile_45(const uint8_t *grp, int64_t nb,
                                                                const lf_block_q8_k *const tq[TT], __m512 acc[TT],
                                                                const int NT, const int pf, const int FIVE) {
    const __m512i low4 = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10), z = _mm512_setzero_si512();
    const int KB = FIVE ? LF_PACK_K5_BLOCK : LF_PACK_K4_BLOCK;
    LF_UNROLL
    for (int j = 0; j < NT; j++) acc[j] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *o = grp + (size_t)b * (size_t)KB;

        __m512i is[TT];
        LF_UNROLL
        for (int j = 0; j < NT; j++) is[j] = z;
        LF_UNROLL
        for (int c = 0; c < 4; c++) {
            const uint8_t *cv = o + 320 + 512 * c;
            LF_UNROLL
            for (int h = 0; h < 2; h++) { /* h 0: low nibbles (sub-block 2c), 1: high (2c+1) */
                if (pf) pf_part(o, KB, 2 * c + h, 8);
                __m512i w[8];
                LF_UNROLL
                for (int k = 0; k < 8; k++) {
                    const __m512i v = _mm512_load_si512((const void *)(cv + 64 * k));
                    w[k] = h ? _mm512_and_si512(_mm512_srli_epi16(v, 4), low4) : _mm512_and_si512(v, low4);
                    if (FIVE) { /* bit 2c + h of each qh byte to bit 4 */
                        const __m512i q = _mm512_load_si512((const void *)(o + LF_PACK_K4_BLOCK + 64 * k));
                        const int sh = 4 - (2 * c + h); /* left shift if > 0, right if < 0 */
                        const __m512i t = sh > 0 ? _mm512_slli_epi16(q, sh > 0 ? sh : 0)
                                          : sh < 0 ? _mm512_srli_epi16(q, sh < 0 ? -sh : 0)
                                                   : q;
                        w[k] = _mm512_or_si512(w[k], _mm512_and_si512(t, b4));
                    }
                }
                const __m512i sc = _mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)(const void *)(o + 64 + 16 * (2 * c + h))));
                const int e0 = 64 * c + 32 * h; /* first element of the sub-block */
                LF_UNROLL
                for (int j = 0; j < NT; j++) {
                    const int8_t *aq = tq[j][b].qs + e0;
                    __m512i s0 = z, s1 = z;
                    LF_UNROLL
                    for (int k = 0; k < 4; k++) {
                        s0 = _mm512_dpbusd_epi32(s0, w[k], _mm512_set1_epi32(load_i32(aq + 4 * k)));
                        s1 = _mm512_dpbusd_epi32(s1, w[k + 4], _mm512_set1_epi32(load_i32(aq + 16 + 4 * k)));
                    }
                    if (FIVE)
                        is[j] = _mm512_add_epi32(is[j], _mm512_mullo_epi32(_mm512_add_epi32(s0, s1), sc));
                    else
                        is[j] = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(is[j], s0, sc), s1, sc);
                }
            }
        }
        __m512i mn[4];
        LF_UNROLL
        for (int p = 0; p < 4; p++) mn[p] = _mm512_cvtepu8_epi16(_mm256_load_si256((const __m256i *)(const void *)(o + 192 + 32 * p)));
        const __m512 dv = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(const void *)o));
        const __m512 mv = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(const void *)(o + 32)));
        LF_UNROLL
        for (int j = 0; j < NT; j++) {
            __m512i bp[4];
            min_pairs(&tq[j][b], bp);
            __m512i ms = _mm512_dpwssd_epi32(z, mn[0], bp[0]);
            ms = _mm512_dpwssd_epi32(ms, mn[1], bp[1]);
            ms = _mm512_dpwssd_epi32(ms, mn[2], bp[2]);
            ms = _mm512_dpwssd_epi32(ms, mn[3], bp[3]);
            const __m512 da = _mm512_set1_ps(tq[j][b].d);
            acc[j] = _mm512_fmadd_ps(_mm512_mul_ps(dv, da), _mm512_cvtepi32_ps(is[j]), acc[j]);
            acc[j] = _mm512_fnmadd_ps(_mm512_mul_ps(mv, da), _mm512_cvtepi32_ps(ms), acc[j]);
        }
    }
}

static inline __attribute__((always_inline)) void group_tile(const uint8_t *grp, int64_t nb,
                                                             const lf_block_q8_k *const tq[TT], __m512 acc[TT],
                                                             const int NT, const int pf) {
    group_tile_45(grp, nb, tq, acc, NT, pf, 0);
}

static inline __attribute__((always_inline)) void group_tile5(const uint8_t *grp, int64_t nb,
                                                              const lf_block_q8_k *const tq[TT], __m512 acc[TT],
                                                              const int NT, const int pf) {
    group_tile_45(grp, nb, tq, acc, NT, pf, 1);
}

/* Q6_K: acc[j] = rows of one group against token j (j < NT). Per half h, pair of sub-blocks m and
 * quarter: the 6-bit codes of 4 elements per lane from ql nibbles and qh bit pairs (and/shift/or), 4
 * vpdpbusd per sub-block of 16 (|sum| <= 16 * 63 * 128: too large for 16 bits, so vpmulld by the
 * sign-extended scale), then the -32 offset as 32 * sum(scale * bsum), 8 vpdpwssd of the scale pairs
 * against the Q8_K bsums pairs. acc += (d * da) * sum. */
static inline __attribute__((always_inline)) void group_tile6(const uint8_t *grp, int64_t nb,
                                                              const lf_block_q8_k *const tq[TT], __m512 acc[TT],
                                                              const int NT, const int pf) {
    const __m512i low4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30), z = _mm512_setzero_si512();
    LF_UNROLL
    for (int j = 0; j < NT; j++) acc[j] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *o = grp + (size_t)b * LF_PACK_K6_BLOCK;

        __m512i is[TT];
        LF_UNROLL
        for (int j = 0; j < NT; j++) { /* the offset: -32 * sum over sub-blocks of scale * bsum */
            __m512i c = z;
            LF_UNROLL
            for (int p = 0; p < 8; p++)
                c = _mm512_dpwssd_epi32(c, _mm512_cvtepi8_epi16(_mm256_load_si256((const __m256i *)(const void *)(o + 64 + 32 * p))),
                                        _mm512_set1_epi32(load_i32(tq[j][b].bsums + 2 * p)));
            is[j] = _mm512_sub_epi32(z, _mm512_slli_epi32(c, 5));
        }
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = o + 320 + 1024 * h, *qh = o + 2368 + 512 * h;
            for (int q = 0; q < 4; q++) { /* quarter: elements 128h + 32q .. +31, sub-blocks 8h + 2q + m */
                if (pf) pf_part(o, LF_PACK_K6_BLOCK, 4 * h + q, 8);
                const __m512i sp = _mm512_cvtepi8_epi16(_mm256_load_si256((const __m256i *)(const void *)(o + 64 + 32 * (4 * h + q))));
                for (int m = 0; m < 2; m++) {
                    const __m512i sc = m ? _mm512_srai_epi32(sp, 16) : _mm512_srai_epi32(_mm512_slli_epi32(sp, 16), 16);
                    __m512i w[4];
                    LF_UNROLL
                    for (int kk = 0; kk < 4; kk++) {
                        const int k = 4 * m + kk;
                        const __m512i a = _mm512_load_si512((const void *)(ql + 64 * (k + (q & 1) * 8)));
                        const __m512i hb = _mm512_load_si512((const void *)(qh + 64 * k));
                        const __m512i lo = q < 2 ? _mm512_and_si512(a, low4) : _mm512_and_si512(_mm512_srli_epi16(a, 4), low4);
                        const __m512i hi = q == 0 ? _mm512_slli_epi16(hb, 4)
                                           : q == 1 ? _mm512_slli_epi16(hb, 2)
                                           : q == 2 ? hb
                                                    : _mm512_srli_epi16(hb, 2);
                        w[kk] = _mm512_or_si512(lo, _mm512_and_si512(hi, m30));
                    }
                    const int e0 = 128 * h + 32 * q + 16 * m; /* first element of the sub-block */
                    LF_UNROLL
                    for (int j = 0; j < NT; j++) {
                        const int8_t *aq = tq[j][b].qs + e0;
                        __m512i s0 = _mm512_dpbusd_epi32(z, w[0], _mm512_set1_epi32(load_i32(aq)));
                        __m512i s1 = _mm512_dpbusd_epi32(z, w[1], _mm512_set1_epi32(load_i32(aq + 4)));
                        s0 = _mm512_dpbusd_epi32(s0, w[2], _mm512_set1_epi32(load_i32(aq + 8)));
                        s1 = _mm512_dpbusd_epi32(s1, w[3], _mm512_set1_epi32(load_i32(aq + 12)));
                        is[j] = _mm512_add_epi32(is[j], _mm512_mullo_epi32(_mm512_add_epi32(s0, s1), sc));
                    }
                }
            }
        }
        const __m512 dv = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(const void *)o));
        LF_UNROLL
        for (int j = 0; j < NT; j++)
            acc[j] = _mm512_fmadd_ps(_mm512_mul_ps(dv, _mm512_set1_ps(tq[j][b].d)), _mm512_cvtepi32_ps(is[j]), acc[j]);
    }
}

#define TILE_CASES(FN)                                  \
    switch (nt) {                                       \
    case 1: FN(grp, nb, tq, acc, 1, pf); break;         \
    case 2: FN(grp, nb, tq, acc, 2, pf); break;         \
    case 3: FN(grp, nb, tq, acc, 3, pf); break;         \
    case 4: FN(grp, nb, tq, acc, 4, pf); break;         \
    case 5: FN(grp, nb, tq, acc, 5, pf); break;         \
    case 6: FN(grp, nb, tq, acc, 6, pf); break;         \
    case 7: FN(grp, nb, tq, acc, 7, pf); break;         \
    default: FN(grp, nb, tq, acc, 8, pf); break;        \
    }

static void gemm_packed_k(const int kind, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride,
                          const void *w, size_t w_stride, const void *a, size_t a_stride) {
    const int64_t nb = n / LF_QK_K;
    { /* the first blocks of the call's rows: the loop prefetches LF_KPF_BLOCKS blocks ahead of where it reads */
        const size_t all = (size_t)((nrows + LF_PACK_ROWS - 1) / LF_PACK_ROWS) * w_stride;
        const size_t pf = (size_t)LF_KPF_BLOCKS * (w_stride / (size_t)(n / LF_QK_K));
        for (size_t o = 0; o < (all < pf ? all : pf); o += 64) _mm_prefetch((const char *)w + o, _MM_HINT_T1);
    }
    for (int64_t r0 = 0; r0 < nrows; r0 += LF_PACK_ROWS) {
        const int64_t nr = nrows - r0 < LF_PACK_ROWS ? nrows - r0 : LF_PACK_ROWS;
        const __mmask16 keep = (__mmask16)((1u << nr) - 1);
        const uint8_t *grp = (const uint8_t *)w + (size_t)(r0 / LF_PACK_ROWS) * w_stride;
        for (int64_t t1 = 0; t1 < ntok; t1 += TT) {
            const int nt = ntok - t1 < TT ? (int)(ntok - t1) : TT;
            const lf_block_q8_k *tq[TT];
            for (int j = 0; j < TT; j++)
                tq[j] = (const lf_block_q8_k *)(const void *)((const uint8_t *)a + (size_t)(t1 + (j < nt ? j : nt - 1)) * a_stride);
            __m512 acc[TT];
            const int pf = t1 == 0;
            if (kind == 6) {
                TILE_CASES(group_tile6)
            } else if (kind == 5) {
                TILE_CASES(group_tile5)
            } else {
                TILE_CASES(group_tile)
            }
            for (int j = 0; j < nt; j++) _mm512_mask_storeu_ps(s + (size_t)(t1 + j) * s_stride + r0, keep, acc[j]);
        }
    }
}

void gemm_packed_q4_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed_k(4, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_packed_q5_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed_k(5, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_packed_q6_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed_k(6, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
