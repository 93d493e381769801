/* kernels/x86_avx512/attn_rows_avx512.c - AVX-512 multi-query attention rows (contracts: kernels/vec.h,
 * scores_rows_f32 / wsum_rows_f32): several queries against the same widened key or value rows, so each
 * key or value vector is loaded once per tile of queries instead of once per query.
 *
 * scores: a tile of up to SQ queries x SK keys keeps both FMA chains of every (query, key) dot in
 * registers (the chains of vec_body.h's dot_f32_lanes: even 16-column blocks in one, odd in the other,
 * added at the end); 16 keys' lanes then go through the same batched tree (reduce16x16) and the scale, so
 * every score equals vec_scores_f32_avx512's (and the single-row dot's) bit for bit.
 * wsum: a tile of up to WQ queries x WV column vectors of accumulators; per value row and query the
 * product rounded, then added (no FMA), rows in order, as vec_wsum_f32_avx512 and axpy (same bits). */
#include <immintrin.h>

#include "kernels/vec.h"
#include "kernels/x86_avx512/vec_body.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define SQ 4  /* queries per score tile */
#define SK 3  /* keys per score tile */
#define WQ 4  /* queries per wsum tile */
#define WV 4  /* column vectors per wsum tile (64 columns) */
#define ALWAYS_INLINE __attribute__((always_inline)) inline
#define UNROLL _Pragma("GCC unroll 16")
/* keeps a loaded vector in a register: without it GCC folds the load into every FMA that uses it */
#define KEEP(x) __asm__("" : "+v"(x))

/* lanes[r * 16 + kk] = the unsummed lanes of dot(key kk, q[r]) for r < nq, kk < nk (both constants
 * after inlining, so the accumulators stay in registers). */
static ALWAYS_INLINE void score_tile(int64_t hd, const float *k, int64_t k_stride, const float *const *q, int nq,
                                     int nk, __m512 *lanes) {
    __m512 a0[SQ][SK], a1[SQ][SK];
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int kk = 0; kk < nk; kk++) a0[r][kk] = a1[r][kk] = _mm512_setzero_ps();
    int64_t d = 0;
    for (; d + 32 <= hd; d += 32) {
        __m512 kv[SK];
        UNROLL for (int kk = 0; kk < nk; kk++) kv[kk] = _mm512_loadu_ps(k + kk * k_stride + d);
        UNROLL for (int r = 0; r < nq; r++) {
            __m512 qv = _mm512_loadu_ps(q[r] + d);
            KEEP(qv);
            UNROLL for (int kk = 0; kk < nk; kk++) a0[r][kk] = _mm512_fmadd_ps(kv[kk], qv, a0[r][kk]);
        }
        UNROLL for (int kk = 0; kk < nk; kk++) kv[kk] = _mm512_loadu_ps(k + kk * k_stride + d + 16);
        UNROLL for (int r = 0; r < nq; r++) {
            __m512 qv = _mm512_loadu_ps(q[r] + d + 16);
            KEEP(qv);
            UNROLL for (int kk = 0; kk < nk; kk++) a1[r][kk] = _mm512_fmadd_ps(kv[kk], qv, a1[r][kk]);
        }
    }
    for (; d < hd; d += 16) { /* as dot_f32_lanes' tail: masked blocks into the first chain */
        const __mmask16 m = tail_mask(hd - d);
        __m512 kv[SK];
        UNROLL for (int kk = 0; kk < nk; kk++) kv[kk] = _mm512_maskz_loadu_ps(m, k + kk * k_stride + d);
        UNROLL for (int r = 0; r < nq; r++) {
            const __m512 qv = _mm512_maskz_loadu_ps(m, q[r] + d);
            UNROLL for (int kk = 0; kk < nk; kk++) a0[r][kk] = _mm512_fmadd_ps(kv[kk], qv, a0[r][kk]);
        }
    }
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int kk = 0; kk < nk; kk++) lanes[r * 16 + kk] = _mm512_add_ps(a0[r][kk], a1[r][kk]);
}

/* Queries q[0..nq) (nq <= SQ) against keys [i, i + nb), nb <= 16: out[r][i..i+nb). */
static ALWAYS_INLINE void score_block(int64_t hd, const float *k, int64_t k_stride, const float *const *q, int nq,
                                      int64_t i, int nb, float scale, float *const *out) {
    __m512 lanes[SQ * 16];
    int kk = 0;
    for (; kk + SK <= nb; kk += SK) score_tile(hd, k + (i + kk) * k_stride, k_stride, q, nq, SK, lanes + kk);
    for (; kk < nb; kk++) score_tile(hd, k + (i + kk) * k_stride, k_stride, q, nq, 1, lanes + kk);
    const __mmask16 m = tail_mask(nb);
    const __m512 vs = _mm512_set1_ps(scale);
    for (int r = 0; r < nq; r++) {
        for (int z = nb; z < 16; z++) lanes[r * 16 + z] = _mm512_setzero_ps(); /* unused keys of a tail */
        _mm512_mask_storeu_ps(out[r] + i, m, _mm512_mul_ps(reduce16x16(lanes + r * 16), vs));
    }
}

/* Keys outer (a 16-key block stays in L1 while every query tile uses it), query tiles inner. */
void vec_scores_rows_f32_avx512(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq,
                                const float *const *q, float scale, float *const *out) {
    for (int64_t i = 0; i < n; i += 16) {
        const int nb = n - i < 16 ? (int)(n - i) : 16;
        int r = 0;
        for (; r + SQ <= nq; r += SQ) score_block(hd, k, k_stride, q + r, SQ, i, nb, scale, out + r);
        switch (nq - r) {
        case 3: score_block(hd, k, k_stride, q + r, 3, i, nb, scale, out + r); break;
        case 2: score_block(hd, k, k_stride, q + r, 2, i, nb, scale, out + r); break;
        case 1: score_block(hd, k, k_stride, q + r, 1, i, nb, scale, out + r); break;
        default: break;
        }
    }
}

/* Columns [c0, c0 + 16 * nv) of out[r] (r < nq) += w[r][i] * value row i, rows in order; the last
 * vector masked by mlast. */
static ALWAYS_INLINE void wsum_tile(int64_t n, const float *const *w, const float *v, int64_t v_stride, int nq,
                                    int nv, __mmask16 mlast, int64_t c0, float *const *out) {
    __m512 acc[WQ][WV];
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int j = 0; j < WV; j++)
            acc[r][j] = j < nv ? _mm512_maskz_loadu_ps(j == nv - 1 ? mlast : 0xffff, out[r] + c0 + 16 * j)
                               : _mm512_setzero_ps(); /* (unused vectors: zeros, never stored) */
    for (int64_t i = 0; i < n; i++) {
        const float *row = v + i * v_stride + c0;
        __m512 vv[WV];
        UNROLL for (int j = 0; j < WV; j++)
            vv[j] = j < nv ? _mm512_maskz_loadu_ps(j == nv - 1 ? mlast : 0xffff, row + 16 * j) : _mm512_setzero_ps();
        UNROLL for (int r = 0; r < nq; r++) {
            const __m512 wr = _mm512_set1_ps(w[r][i]);
            UNROLL for (int j = 0; j < WV; j++)
                if (j < nv) acc[r][j] = _mm512_add_ps(acc[r][j], _mm512_mul_ps(wr, vv[j]));
        }
    }
    UNROLL for (int r = 0; r < nq; r++)
        UNROLL for (int j = 0; j < WV; j++)
            if (j < nv) _mm512_mask_storeu_ps(out[r] + c0 + 16 * j, j == nv - 1 ? mlast : 0xffff, acc[r][j]);
}

/* One query tile (nq constant): full 64-column passes, then the remaining columns (masked). */
static ALWAYS_INLINE void wsum_queries(int64_t hd, int64_t n, const float *const *w, const float *v, int64_t v_stride,
                                       int nq, float *const *out) {
    int64_t c0 = 0;
    for (; c0 + 16 * WV <= hd; c0 += 16 * WV) wsum_tile(n, w, v, v_stride, nq, WV, 0xffff, c0, out);
    if (c0 < hd) {
        const int64_t left = hd - c0;
        const int nv = (int)((left + 15) / 16);
        wsum_tile(n, w, v, v_stride, nq, nv, tail_mask(left - 16 * (nv - 1)), c0, out);
    }
}

void vec_wsum_rows_f32_avx512(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                              float *const *out) {
    int r = 0;
    for (; r + WQ <= nq; r += WQ) wsum_queries(hd, n, w + r, v, v_stride, WQ, out + r);
    switch (nq - r) {
    case 3: wsum_queries(hd, n, w + r, v, v_stride, 3, out + r); break;
    case 2: wsum_queries(hd, n, w + r, v, v_stride, 2, out + r); break;
    case 1: wsum_queries(hd, n, w + r, v, v_stride, 1, out + r); break;
    default: break;
    }
}
