/* kernels/x86_avx512/bf16_avx512.c - AVX-512 BF16 kernels (contracts: x86_avx512/avx512.h): f32 -> bf16
 * conversion, BF16 x BF16 dot, 4-row gemv and the prefill gemm, in two kinds:
 *
 *  - _avx512 (F, BW): a bf16 is the high half of an f32, so 32 bf16 in a zmm give two exact f32
 *    vectors with one instruction each: x << 16 (even elements) and x & 0xffff0000 (odd elements),
 *    no shuffle. Weights and activations are split alike, so lane products pair up; FMA in f32 lanes.
 *  - _avx512bf16 (AVX512_BF16, Cooper Lake, Sapphire Rapids, Zen 4): vdpbf16ps multiplies 32 bf16
 *    pairs and adds each two neighbours' exact products into one f32 lane (as ggml_vec_dot_bf16 and
 *    llama.cpp's tinyBLAS do), so nothing is widened at all. It rounds to nearest even and flushes
 *    subnormal inputs and results to zero (Intel SDM, VDPBF16PS), which only moves sums of products
 *    below 2^-126.
 *
 * In each kind, gemv, dot and gemm perform per output the same operations in the same order
 * (x86_avx512/gemm_float_avx512.h), so they are bit-identical to each other.
 *
 * quantize_row_bf16_avx512 computes ggml's rounding (lf_f32_to_bf16: + 0x7fff + lsb, NaN -> quiet) in
 * integer lanes, bit-identical to the reference for every input; it deliberately does not use
 * vcvtneps2bf16, which flushes subnormal inputs.
 */
#include <immintrin.h>

#include "kernels/x86_avx512/avx512.h"

static inline __mmask32 mask32(int64_t left) {
    return left >= 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << left) - 1);
}

static inline __mmask16 mask16(int64_t left) {
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

void quantize_row_bf16_avx512(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    const __m512i abs = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
    const __m512i one = _mm512_set1_epi32(1), half = _mm512_set1_epi32(0x7fff), quiet = _mm512_set1_epi32(64);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = mask16(n - i);
        const __m512i u = _mm512_maskz_loadu_epi32(m, x + i);
        const __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(u, abs), inf);
        const __m512i hi = _mm512_srli_epi32(u, 16);
        const __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(half, _mm512_and_si512(hi, one))), 16);
        const __m512i v = _mm512_mask_or_epi32(r, nan, hi, quiet);
        _mm256_mask_storeu_epi16(h + i, m, _mm512_cvtepi32_epi16(v));
    }
}

/* ---- widening kind ---- */

static inline void bf16_split(__m512i x, __m512 *lo, __m512 *hi) {
    *lo = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
    *hi = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32((int)0xffff0000u)));
}

static inline void bf16_load32(const uint16_t *p, __m512 *lo, __m512 *hi) {
    bf16_split(_mm512_loadu_si512((const void *)p), lo, hi);
}

static inline void bf16_load32_tail(const uint16_t *p, int m, __m512 *lo, __m512 *hi) {
    bf16_split(_mm512_maskz_loadu_epi16(mask32(m), p), lo, hi);
}

#define FG_NAME gemm_bf16_bf16_avx512
#define FG_GEMV gemv_bf16_bf16_avx512
#define FG_LOAD32 bf16_load32
#define FG_LOAD32_TAIL bf16_load32_tail
#include "kernels/x86_avx512/gemm_float_avx512.h"

void dot_bf16_bf16_avx512(int64_t n, float *s, const void *w, const void *a) {
    gemv_bf16_bf16_avx512(n, 1, s, w, 0, a);
}

/* ---- AVX512_BF16 kind ---- */

static inline __m512bh load_bh(const uint16_t *p) { return (__m512bh)_mm512_loadu_si512((const void *)p); }
static inline __m512bh load_bh_tail(const uint16_t *p, int64_t left) {
    return (__m512bh)_mm512_maskz_loadu_epi16(mask32(left), p);
}

/* rr rows against one token: out[m], with the dp gemm's operations in its order (one accumulator per
 * row, 32 pairs per step, the same tail and reduce4 tree), so gemv, dot and gemm are bit-identical. */
static inline __attribute__((always_inline)) void bh_rows(const int rr, int64_t n, const uint16_t *const *row,
                                                          const uint16_t *x, float *out) {
    __m512 acc[8];
    FG_UNROLL
    for (int m = 0; m < rr; m++) acc[m] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        FG_UNROLL
        for (int m = 0; m < rr; m++) _mm_prefetch((const char *)(row[m] + i) + FG_PF, _MM_HINT_T0);
        const __m512bh av = load_bh(x + i);
        FG_UNROLL
        for (int m = 0; m < rr; m++) acc[m] = _mm512_dpbf16_ps(acc[m], load_bh(row[m] + i), av);
    }
    if (i < n) {
        const __m512bh av = load_bh_tail(x + i, n - i);
        FG_UNROLL
        for (int m = 0; m < rr; m++) acc[m] = _mm512_dpbf16_ps(acc[m], load_bh_tail(row[m] + i, n - i), av);
    }
    FG_UNROLL
    for (int j = 0; j < rr; j += 4) {
        const __m512 z = _mm512_setzero_ps();
        _mm_storeu_ps(out + j, fg_reduce4(acc[j], j + 1 < rr ? acc[j + 1] : z, j + 2 < rr ? acc[j + 2] : z,
                                          j + 3 < rr ? acc[j + 3] : z));
    }
}

void gemv_bf16_bf16_avx512bf16(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                               const void *a) {
    FG_GEMV_DRIVE(bh_rows);
}

void dot_bf16_bf16_avx512bf16(int64_t n, float *s, const void *w, const void *a) {
    gemv_bf16_bf16_avx512bf16(n, 1, s, w, 0, a);
}

#ifndef BH_RM      /* (overridable for tuning builds only) */
#define BH_RM 4    /* rows per register tile */
#define BH_RN 6    /* tokens per register tile: 24 accumulators + 4 weight registers */
#define BH_KB 1024 /* K elements per block: 16 rows x 2 KiB + BH_RN x 2 KiB stay in L1 */
#endif
#define BH_NT ((16 + BH_RM - 1) / BH_RM) /* row tiles per chunk */
#define BH_CH (BH_RM * BH_NT)

/* One BH_RM x rn tile over kb elements from row[m], tok[t] (already at the K block): first: start from
 * 0, else from sp; last: reduce into out[t * BH_RM + m], else park the accumulators in sp. */
static inline __attribute__((always_inline)) void bh_tile(const int rn, int64_t kb, const uint16_t *const *row,
                                                          const uint16_t *const *tok, __m512 *sp, int first,
                                                          int last, float *out) {
    __m512 acc[BH_RM][BH_RN];
    FG_UNROLL
    for (int m = 0; m < BH_RM; m++) {
        FG_UNROLL
        for (int t = 0; t < rn; t++) acc[m][t] = first ? _mm512_setzero_ps() : sp[m * BH_RN + t];
    }
    int64_t i = 0;
    for (; i + 32 <= kb; i += 32) {
        __m512bh wv[BH_RM];
        FG_UNROLL
        for (int m = 0; m < BH_RM; m++) wv[m] = load_bh(row[m] + i);
        FG_UNROLL
        for (int t = 0; t < rn; t++) {
            const __m512bh av = load_bh(tok[t] + i);
            FG_UNROLL
            for (int m = 0; m < BH_RM; m++) acc[m][t] = _mm512_dpbf16_ps(acc[m][t], wv[m], av);
        }
    }
    if (i < kb) {
        __m512bh wv[BH_RM];
        FG_UNROLL
        for (int m = 0; m < BH_RM; m++) wv[m] = load_bh_tail(row[m] + i, kb - i);
        FG_UNROLL
        for (int t = 0; t < rn; t++) {
            const __m512bh av = load_bh_tail(tok[t] + i, kb - i);
            FG_UNROLL
            for (int m = 0; m < BH_RM; m++) acc[m][t] = _mm512_dpbf16_ps(acc[m][t], wv[m], av);
        }
    }
    if (!last) {
        FG_UNROLL
        for (int m = 0; m < BH_RM; m++) {
            FG_UNROLL
            for (int t = 0; t < rn; t++) sp[m * BH_RN + t] = acc[m][t];
        }
        return;
    }
    FG_UNROLL
    for (int j = 0; j < rn * BH_RM; j += 4) {
        const __m512 z = _mm512_setzero_ps();
        const __m512 v0 = acc[j % BH_RM][j / BH_RM];
        const __m512 v1 = j + 1 < rn * BH_RM ? acc[(j + 1) % BH_RM][(j + 1) / BH_RM] : z;
        const __m512 v2 = j + 2 < rn * BH_RM ? acc[(j + 2) % BH_RM][(j + 2) / BH_RM] : z;
        const __m512 v3 = j + 3 < rn * BH_RM ? acc[(j + 3) % BH_RM][(j + 3) / BH_RM] : z;
        _mm_storeu_ps(out + j, fg_reduce4(v0, v1, v2, v3));
    }
}

void gemm_bf16_bf16_avx512bf16(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride,
                               const void *w, size_t w_stride, const void *a, size_t a_stride) {
    const uint8_t *wb = w, *ab = a;
    __m512 spill[BH_NT][BH_RM * BH_RN];
    float out[BH_RM * BH_RN + 4];
    for (int64_t r0 = 0; r0 < nrows; r0 += BH_CH) {
        const int64_t nrc = nrows - r0 < BH_CH ? nrows - r0 : BH_CH;
        for (int64_t t0 = 0; t0 < ntok; t0 += BH_RN) {
            const int rn = ntok - t0 < BH_RN ? (int)(ntok - t0) : BH_RN;
            for (int64_t k0 = 0; k0 < n; k0 += BH_KB) {
                const int64_t kb = n - k0 < BH_KB ? n - k0 : BH_KB;
                const int first = k0 == 0, last = k0 + kb >= n;
                const uint16_t *tok[BH_RN];
                for (int t = 0; t < BH_RN; t++)
                    tok[t] = (const uint16_t *)(ab + (size_t)(t0 + (t < rn ? t : rn - 1)) * a_stride) + k0;
                for (int rt = 0; rt * BH_RM < nrc; rt++) {
                    const uint16_t *row[BH_RM];
                    for (int m = 0; m < BH_RM; m++) {
                        const int64_t rr = rt * BH_RM + m < nrc ? rt * BH_RM + m : nrc - 1; /* computed, not stored */
                        row[m] = (const uint16_t *)(wb + (size_t)(r0 + rr) * w_stride) + k0;
                    }
                    switch (rn) {
#define BH_CASE(R) \
    case R: bh_tile(R, kb, row, tok, spill[rt], first, last, out); break;
                        BH_CASE(1) BH_CASE(2) BH_CASE(3)
#if BH_RN >= 4
                        BH_CASE(4)
#endif
#if BH_RN >= 5
                        BH_CASE(5)
#endif
#if BH_RN >= 6
                        BH_CASE(6)
#endif
#if BH_RN >= 7
                        BH_CASE(7)
#endif
#if BH_RN >= 8
                        BH_CASE(8)
#endif
#if BH_RN >= 10
                        BH_CASE(9) BH_CASE(10)
#endif
#if BH_RN >= 12
                        BH_CASE(11) BH_CASE(12)
#endif
#undef BH_CASE
                    default: break;
                    }
                    if (!last) continue;
                    for (int t = 0; t < rn; t++)
                        for (int m = 0; m < BH_RM && rt * BH_RM + m < nrc; m++)
                            s[(size_t)(t0 + t) * s_stride + (size_t)(r0 + rt * BH_RM + m)] = out[t * BH_RM + m];
                }
            }
        }
    }
}
