/* kernels/x86_avx512/gemm_avx512.c - prefill gemms (several rows x several tokens) for Q8_0 and Q4_0
 * weights with AVX-512 VNNI, on packed panels (contract: lf_gemm_fn in kernels/kernels.h, with gemm_side:
 * the activation rows carry lf_act_side entries).
 *
 * Panels, as GotoBLAS packs them, inside the call (no load-time repack, no extra resident memory): 16
 * weight rows are copied, KB blocks at a time, into a stack buffer where one zmm holds the same 4
 * consecutive codes k..k+3 of the 16 rows (32-bit lane i = row i); Q8_0 codes are made unsigned (+128),
 * Q4_0 nibbles are spread to bytes; the 16 row scales are widened to f32. Then, for a block and a token,
 * 8 vpdpbusd of those registers with the token's 4 activation bytes broadcast from memory leave each
 * row's exact integer block sum in its own lane (the accumulator starts at the block's -128*sum(a) or
 * -8*sum(a), which removes the unsigned offset): no horizontal reduction at all. The per-lane f32
 * operations are the reference's, in its order (Q8_0: acc += (float)sum * (dw * da); Q4_0:
 * acc += ((float)sum * dw) * da, blocks in order), so every output equals kernels/ref bit for bit.
 *
 * Cost per 16 rows x 1 token x 1 block (512 multiply-adds): 8 vpdpbusd + 4 f32 ops; the packing
 * (9 gathers per 16 rows x block) is shared by every token of the call (matmul passes up to 64). A tile
 * is 16 rows x 8 tokens: 8 weight registers reused by 8 tokens, 8 f32 accumulators.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "kernels/x86_avx512/avx512.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define PR 16 /* rows per panel, one per 32-bit lane */
#define KB 32 /* blocks per packed chunk: 32 x 576 bytes = 18 KiB, L1-resident */
#define TT 8  /* tokens per register tile */
#define TC 64 /* tokens per accumulator chunk */

#define LF_UNROLL _Pragma("GCC unroll 8")

typedef struct panel {
    __m512i q[KB][8]; /* [block][4-code group]: lane i = row i */
    __m512 d[KB];     /* row scales, f32 */
} panel;

static inline int32_t load_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Lane i: byte offset of panel row i (rows past nr repeat the last one: computed, never stored). */
static inline __m512i row_offsets(int64_t nr, size_t w_stride) {
    int32_t off[PR];
    for (int i = 0; i < PR; i++) off[i] = (int32_t)((size_t)(i < nr ? i : nr - 1) * w_stride);
    return _mm512_loadu_si512(off);
}

static inline __m512 gather_scales(const uint8_t *base, __m512i vidx) {
    const __m512i dw = _mm512_i32gather_epi32(vidx, (const void *)base, 1); /* d | qs[0..1] */
    return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dw));
}

static void pack_q8_0(const uint8_t *w, __m512i vidx, int64_t b0, int nkb, panel *p) {
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    for (int kb = 0; kb < nkb; kb++) {
        const uint8_t *base = w + (size_t)(b0 + kb) * sizeof(lf_block_q8_0);
        p->d[kb] = gather_scales(base, vidx);
        LF_UNROLL
        for (int g = 0; g < 8; g++)
            p->q[kb][g] = _mm512_xor_si512(_mm512_i32gather_epi32(vidx, (const void *)(base + 2 + 4 * g), 1), bias);
    }
}

static void pack_q4_0(const uint8_t *w, __m512i vidx, int64_t b0, int nkb, panel *p) {
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    for (int kb = 0; kb < nkb; kb++) {
        const uint8_t *base = w + (size_t)(b0 + kb) * sizeof(lf_block_q4_0);
        p->d[kb] = gather_scales(base, vidx);
        LF_UNROLL
        for (int g = 0; g < 4; g++) {
            /* qs[4g..4g+3]: low nibbles are elements 4g.., high nibbles elements 16+4g.. */
            const __m512i v = _mm512_i32gather_epi32(vidx, (const void *)(base + 2 + 4 * g), 1);
            p->q[kb][g] = _mm512_and_si512(v, low4);
            p->q[kb][g + 4] = _mm512_and_si512(_mm512_srli_epi32(v, 4), low4);
        }
    }
}

/* acc[j] += the blocks b0..b0+nkb of the panel against token j, for j < NT. */
static inline __attribute__((always_inline)) void tile(const panel *p, int nkb, int64_t b0,
                                                       const uint8_t *const tq[TT], const lf_act_side *const ts[TT],
                                                       __m512 acc[TT], const int NT, const int Q4) {
    for (int kb = 0; kb < nkb; kb++) {
        const int64_t b = b0 + kb;
        __m512i wq[8];
        LF_UNROLL
        for (int g = 0; g < 8; g++) wq[g] = p->q[kb][g];
        const __m512 dw = p->d[kb];
        LF_UNROLL
        for (int j = 0; j < NT; j++) {
            const uint8_t *aq = tq[j] + (size_t)b * sizeof(lf_block_q8_0) + 2;
            const lf_act_side *sd = &ts[j][b];
            __m512i s = _mm512_set1_epi32(Q4 ? sd->neg8_sum : sd->neg128_sum);
            LF_UNROLL
            for (int g = 0; g < 8; g++) s = _mm512_dpbusd_epi32(s, wq[g], _mm512_set1_epi32(load_i32(aq + 4 * g)));
            const __m512 f = _mm512_cvtepi32_ps(s);
            const __m512 da = _mm512_set1_ps(sd->d);
            const __m512 prod = Q4 ? _mm512_mul_ps(_mm512_mul_ps(f, dw), da) : _mm512_mul_ps(f, _mm512_mul_ps(dw, da));
            acc[j] = _mm512_add_ps(acc[j], prod);
        }
    }
}

#define TILE_CASES(Q4)                                                  \
    switch (nt) {                                                       \
    case 1: tile(p, nkb, b0, tq, ts, acc, 1, Q4); break;                \
    case 2: tile(p, nkb, b0, tq, ts, acc, 2, Q4); break;                \
    case 3: tile(p, nkb, b0, tq, ts, acc, 3, Q4); break;                \
    case 4: tile(p, nkb, b0, tq, ts, acc, 4, Q4); break;                \
    case 5: tile(p, nkb, b0, tq, ts, acc, 5, Q4); break;                \
    case 6: tile(p, nkb, b0, tq, ts, acc, 6, Q4); break;                \
    case 7: tile(p, nkb, b0, tq, ts, acc, 7, Q4); break;                \
    default: tile(p, nkb, b0, tq, ts, acc, 8, Q4); break;               \
    }

static void gemm_panels(const int Q4, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride,
                        const void *w, size_t w_stride, const void *a, size_t a_stride) {
    const int64_t nb = n / LF_QK;
    if ((size_t)PR * w_stride > INT32_MAX) { /* gather offsets are 32-bit: per-token gemv instead */
        for (int64_t t = 0; t < ntok; t++)
            (Q4 ? gemv_q4_0_q8_0_avx512 : gemv_q8_0_q8_0_avx512)(n, nrows, s + (size_t)t * s_stride, w, w_stride,
                                                                 (const uint8_t *)a + (size_t)t * a_stride);
        return;
    }
    const size_t side_off = lf_act_side_offset(n);
    panel pbuf;
    panel *p = &pbuf;
    _Alignas(64) float accbuf[TC][PR];
    for (int64_t r0 = 0; r0 < nrows; r0 += PR) {
        const int64_t nr = nrows - r0 < PR ? nrows - r0 : PR;
        const __mmask16 keep = (__mmask16)((1u << nr) - 1);
        const __m512i vidx = row_offsets(nr, w_stride);
        const uint8_t *wr = (const uint8_t *)w + (size_t)r0 * w_stride;
        for (int64_t t0 = 0; t0 < ntok; t0 += TC) {
            const int64_t ntc = ntok - t0 < TC ? ntok - t0 : TC;
            for (int64_t b0 = 0; b0 < nb; b0 += KB) {
                const int nkb = nb - b0 < KB ? (int)(nb - b0) : KB;
                if (Q4)
                    pack_q4_0(wr, vidx, b0, nkb, p);
                else
                    pack_q8_0(wr, vidx, b0, nkb, p);
                const int first = b0 == 0, last = b0 + nkb == nb;
                for (int64_t t1 = 0; t1 < ntc; t1 += TT) {
                    const int nt = ntc - t1 < TT ? (int)(ntc - t1) : TT;
                    const uint8_t *tq[TT];
                    const lf_act_side *ts[TT];
                    __m512 acc[TT];
                    for (int j = 0; j < TT; j++) {
                        const int jj = j < nt ? j : nt - 1;
                        tq[j] = (const uint8_t *)a + (size_t)(t0 + t1 + jj) * a_stride;
                        ts[j] = (const lf_act_side *)(const void *)(tq[j] + side_off);
                        acc[j] = first ? _mm512_setzero_ps() : _mm512_load_ps(accbuf[t1 + jj]);
                    }
                    if (Q4) {
                        TILE_CASES(1)
                    } else {
                        TILE_CASES(0)
                    }
                    for (int j = 0; j < nt; j++) {
                        if (last)
                            _mm512_mask_storeu_ps(s + (size_t)(t0 + t1 + j) * s_stride + r0, keep, acc[j]);
                        else
                            _mm512_store_ps(accbuf[t1 + j], acc[j]);
                    }
                }
            }
        }
    }
}

void gemm_q8_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride) {
    gemm_panels(0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride) {
    gemm_panels(1, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
