/* kernels/x86_avx512/attn_rows_avx512.c - AVX-512 multi-query attention rows (contracts: kernels/vec.h,
 * scores_rows_f32 / wsum_rows_f32, scores_rows_f16 / wsum_rows_f16): several queries against the same key
 * or value rows, each key or value vector loaded once per tile of queries instead of once per query.
 * One body for both element types: f32 rows (prompt batches: keys widened into a chunk) and f16 rows
 * (decode: the query heads of a KV head read its cached rows straight from the KV cache), the f16 loads
 * widening exactly (vec_body.h), so per lane the operations are those of the single-row entries of the
 * same type (attn_avx512.c) and the bits equal them:
 * scores: every (query, key) dot keeps vec_body.h's two FMA chains (even 16-column blocks in one, odd in
 * the other, a masked tail into the first, then added); 16 keys' lanes go through reduce16x16 and the scale.
 * wsum: per value row and query the product rounded, then added (no FMA), rows in order.
 * The f16 forms prefetch rows PF_ROWS ahead, as attn_avx512.c does (they read the cache from memory). */
#include <immintrin.h>

#include "kernels/vec.h"
#include "kernels/x86_avx512/vec_body.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define PF_ROWS 16 /* rows ahead (4 KiB of 128-wide f16 rows) */
#define SQ 4       /* queries per score tile */
#define SKMAX 4    /* keys per score tile: 4 for up to 2 queries, 3 for 3-4 (accumulators in registers) */
#define WQ 4       /* queries per wsum tile */
#define WVMAX 8    /* column vectors per wsum tile: 8 (128 columns) for up to 2 queries, 4 for 3-4 */
#define ALWAYS_INLINE __attribute__((always_inline)) inline
#define UNROLL _Pragma("GCC unroll 16")
/* keeps a loaded vector in a register: without it GCC folds the load into every FMA that uses it */
#define KEEP(x) __asm__("" : "+v"(x))

/* always_inline: GCC (12, -O1 and up) takes a function whose only statements are prefetches for a const
 * one and deletes the calls it does not inline; these rows were never prefetched while this was plain
 * `static inline` (tests/build/prefetch_kept.sh checks the objects). Into L2: with the prefetches real,
 * T1 at 16 rows read f16 rows from DRAM about 10 % faster than T0 at 32 (decode-shaped harness, 2 threads,
 * noisy). */
static ALWAYS_INLINE void prefetch_row(const void *p, int64_t bytes) {
    for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch((const char *)p + o, _MM_HINT_T1);
}

/* element i of rows of f16 (F16) or f32, and 16 of them from there as f32 (exact) */
static ALWAYS_INLINE const void *el_at(const void *p, int64_t i, const int F16) {
    return F16 ? (const void *)((const uint16_t *)p + i) : (const void *)((const float *)p + i);
}
static ALWAYS_INLINE __m512 load_el(const void *p, int64_t i, const int F16) {
    return F16 ? load_h16((const uint16_t *)p + i) : _mm512_loadu_ps((const float *)p + i);
}
static ALWAYS_INLINE __m512 maskz_load_el(__mmask16 m, const void *p, int64_t i, const int F16) {
    return F16 ? maskz_load_h16(m, (const uint16_t *)p + i) : _mm512_maskz_loadu_ps(m, (const float *)p + i);
}

/* lanes[r * 16 + kk] = the unsummed lanes of dot(key kk, q[r]) for r < nq, kk < nk (both constants after
 * inlining, so the accumulators stay in registers). */
static ALWAYS_INLINE void score_tile(int64_t hd, const void *k, int64_t k_stride, const float *const *q, int nq,
                                     int nk, __m512 *lanes, const int F16) {
    __m512 a0[SQ][SKMAX], a1[SQ][SKMAX];
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int kk = 0; kk < nk; kk++) a0[r][kk] = a1[r][kk] = _mm512_setzero_ps();
    int64_t d = 0;
    for (; d + 32 <= hd; d += 32) {
        __m512 kv[SKMAX];
        UNROLL for (int kk = 0; kk < nk; kk++) kv[kk] = load_el(k, kk * k_stride + d, F16);
        UNROLL for (int r = 0; r < nq; r++) {
            __m512 qv = _mm512_loadu_ps(q[r] + d);
            KEEP(qv);
            UNROLL for (int kk = 0; kk < nk; kk++) a0[r][kk] = _mm512_fmadd_ps(kv[kk], qv, a0[r][kk]);
        }
        UNROLL for (int kk = 0; kk < nk; kk++) kv[kk] = load_el(k, kk * k_stride + d + 16, F16);
        UNROLL for (int r = 0; r < nq; r++) {
            __m512 qv = _mm512_loadu_ps(q[r] + d + 16);
            KEEP(qv);
            UNROLL for (int kk = 0; kk < nk; kk++) a1[r][kk] = _mm512_fmadd_ps(kv[kk], qv, a1[r][kk]);
        }
    }
    for (; d < hd; d += 16) { /* as dot_f16_f32_lanes' tail: masked blocks into the first chain */
        const __mmask16 m = tail_mask(hd - d);
        __m512 kv[SKMAX];
        UNROLL for (int kk = 0; kk < nk; kk++) kv[kk] = maskz_load_el(m, k, kk * k_stride + d, F16);
        UNROLL for (int r = 0; r < nq; r++) {
            const __m512 qv = _mm512_maskz_loadu_ps(m, q[r] + d);
            UNROLL for (int kk = 0; kk < nk; kk++) a0[r][kk] = _mm512_fmadd_ps(kv[kk], qv, a0[r][kk]);
        }
    }
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int kk = 0; kk < nk; kk++) lanes[r * 16 + kk] = _mm512_add_ps(a0[r][kk], a1[r][kk]);
}

/* Queries q[0..nq) (nq <= SQ) against keys [i, i + nb), nb <= 16: out[r][i..i+nb). */
static ALWAYS_INLINE void score_block(int64_t hd, const void *k, int64_t k_stride, const float *const *q, int nq,
                                      int64_t i, int nb, float scale, float *const *out, const int F16) {
    const int sk = nq <= 2 ? 4 : 3;
    __m512 lanes[SQ * 16];
    int kk = 0;
    for (; kk + sk <= nb; kk += sk)
        score_tile(hd, el_at(k, (i + kk) * k_stride, F16), k_stride, q, nq, sk, lanes + kk, F16);
    for (; kk < nb; kk++) score_tile(hd, el_at(k, (i + kk) * k_stride, F16), k_stride, q, nq, 1, lanes + kk, F16);
    const __mmask16 m = tail_mask(nb);
    const __m512 vs = _mm512_set1_ps(scale);
    for (int r = 0; r < nq; r++) {
        for (int z = nb; z < 16; z++) lanes[r * 16 + z] = _mm512_setzero_ps(); /* unused keys of a tail */
        _mm512_mask_storeu_ps(out[r] + i, m, _mm512_mul_ps(reduce16x16(lanes + r * 16), vs));
    }
}

/* Keys outer (a 16-key block stays in L1 while every query tile uses it), query tiles inner. */
static ALWAYS_INLINE void scores_rows(int64_t hd, int64_t n, const void *k, int64_t k_stride, int nq,
                                      const float *const *q, float scale, float *const *out, const int F16) {
    for (int64_t i = 0; i < n; i += 16) {
        const int nb = n - i < 16 ? (int)(n - i) : 16;
        if (F16)
            for (int r = 0; r < 16 && i + PF_ROWS + r < n; r++)
                prefetch_row(el_at(k, (i + PF_ROWS + r) * k_stride, F16), hd * 2);
        int r = 0;
        for (; r + SQ <= nq; r += SQ) score_block(hd, k, k_stride, q + r, SQ, i, nb, scale, out + r, F16);
        switch (nq - r) {
        case 3: score_block(hd, k, k_stride, q + r, 3, i, nb, scale, out + r, F16); break;
        case 2: score_block(hd, k, k_stride, q + r, 2, i, nb, scale, out + r, F16); break;
        case 1: score_block(hd, k, k_stride, q + r, 1, i, nb, scale, out + r, F16); break;
        default: break;
        }
    }
}

/* Columns [c0, c0 + 16 * nv) of out[r] (r < nq) += w[r][i] * value row i, rows in order; the last vector
 * masked by mlast. Prefetches the tile's columns of the row PF_ROWS ahead. */
static ALWAYS_INLINE void wsum_tile(int64_t n, const float *const *w, const void *v, int64_t v_stride, int nq, int nv,
                                    __mmask16 mlast, int64_t c0, float *const *out, const int F16) {
    __m512 acc[WQ][WVMAX];
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int j = 0; j < nv; j++)
            acc[r][j] = _mm512_maskz_loadu_ps(j == nv - 1 ? mlast : 0xffff, out[r] + c0 + 16 * j);
    for (int64_t i = 0; i < n; i++) {
        const int64_t row = i * v_stride + c0;
        if (F16 && i + PF_ROWS < n) prefetch_row(el_at(v, row + PF_ROWS * v_stride, F16), 16 * nv * 2);
        __m512 vv[WVMAX];
        UNROLL for (int j = 0; j < nv; j++) vv[j] = maskz_load_el(j == nv - 1 ? mlast : 0xffff, v, row + 16 * j, F16);
        UNROLL for (int r = 0; r < nq; r++) {
            const __m512 wr = _mm512_set1_ps(w[r][i]);
            UNROLL for (int j = 0; j < nv; j++) acc[r][j] = _mm512_add_ps(acc[r][j], _mm512_mul_ps(wr, vv[j]));
        }
    }
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int j = 0; j < nv; j++)
            _mm512_mask_storeu_ps(out[r] + c0 + 16 * j, j == nv - 1 ? mlast : 0xffff, acc[r][j]);
}

/* One query tile (nq constant): full passes of wv vectors, then the remaining columns (masked), one tile
 * per possible vector count so that every count stays a constant. */
static ALWAYS_INLINE void wsum_queries(int64_t hd, int64_t n, const float *const *w, const void *v, int64_t v_stride,
                                       int nq, float *const *out, const int F16) {
    const int wv = nq <= 2 ? 8 : 4;
    int64_t c0 = 0;
    for (; c0 + 16 * wv <= hd; c0 += 16 * wv) wsum_tile(n, w, v, v_stride, nq, wv, 0xffff, c0, out, F16);
    if (c0 >= hd) return;
    const int64_t left = hd - c0;
    const __mmask16 ml = tail_mask(left - 16 * ((left + 15) / 16 - 1));
    switch ((left + 15) / 16) {
    case 7: wsum_tile(n, w, v, v_stride, nq, 7, ml, c0, out, F16); break;
    case 6: wsum_tile(n, w, v, v_stride, nq, 6, ml, c0, out, F16); break;
    case 5: wsum_tile(n, w, v, v_stride, nq, 5, ml, c0, out, F16); break;
    case 4: wsum_tile(n, w, v, v_stride, nq, 4, ml, c0, out, F16); break;
    case 3: wsum_tile(n, w, v, v_stride, nq, 3, ml, c0, out, F16); break;
    case 2: wsum_tile(n, w, v, v_stride, nq, 2, ml, c0, out, F16); break;
    default: wsum_tile(n, w, v, v_stride, nq, 1, ml, c0, out, F16); break;
    }
}

static ALWAYS_INLINE void wsum_rows(int64_t hd, int64_t n, int nq, const float *const *w, const void *v,
                                    int64_t v_stride, float *const *out, const int F16) {
    int r = 0;
    for (; r + WQ <= nq; r += WQ) wsum_queries(hd, n, w + r, v, v_stride, WQ, out + r, F16);
    switch (nq - r) {
    case 3: wsum_queries(hd, n, w + r, v, v_stride, 3, out + r, F16); break;
    case 2: wsum_queries(hd, n, w + r, v, v_stride, 2, out + r, F16); break;
    case 1: wsum_queries(hd, n, w + r, v, v_stride, 1, out + r, F16); break;
    default: break;
    }
}

void vec_scores_rows_f32_avx512(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq,
                                const float *const *q, float scale, float *const *out) {
    scores_rows(hd, n, k, k_stride, nq, q, scale, out, 0);
}

void vec_scores_rows_f16_avx512(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                                const float *const *q, float scale, float *const *out) {
    scores_rows(hd, n, k, k_stride, nq, q, scale, out, 1);
}

void vec_wsum_rows_f32_avx512(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                              float *const *out) {
    wsum_rows(hd, n, nq, w, v, v_stride, out, 0);
}

void vec_wsum_rows_f16_avx512(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v,
                              int64_t v_stride, float *const *out) {
    wsum_rows(hd, n, nq, w, v, v_stride, out, 1);
}
