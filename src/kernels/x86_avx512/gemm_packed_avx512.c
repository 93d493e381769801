/* kernels/x86_avx512/gemm_packed_avx512.c - Q8_0 and Q4_0 gemm (and, with one token, the decode gemv)
 * over weights repacked at load into the x16 layout (kernels/pack.h), AVX-512 VNNI.
 *
 * The layout already has one row per 32-bit lane, so the loop is the inner tile of the in-call panel
 * gemm (gemm_avx512.c) without its packing: per block, the 16 row scales are one vcvtph2ps, the codes
 * are 4 (Q4_0, then nibbles split with two ands: low, and high kept x16) or 8 (Q8_0, already unsigned)
 * 64-byte loads, and per token 8 vpdpbusd (two chains of 4) with the token's 4 activation bytes broadcast
 * from memory leave each row's exact integer block sum in its lane; the accumulator starts at the block's -8*sum(a) or -128*sum(a) (the
 * lf_act_side entry), which removes the unsigned offset. The f32 steps are the reference's, in its
 * order (Q4_0: acc += ((float)sum * dw) * da; Q8_0: acc += (float)sum * (dw * da); blocks in order),
 * so each output equals the reference dot of the row bit for bit.
 *
 * Per group of 16 rows, tokens go 8 at a time (8 weight registers serve 8 tokens); a group's weights
 * (nb * 288 bytes for Q4_0) stay in L1/L2 while the token tiles pass over them. With one token (decode)
 * the pass is a single sequential stream per thread; the first token tile of each group prefetches PF
 * bytes ahead in it, into L2 (2-thread decode of LFM2-1.2B Q4_0 on a Xeon host: 38.9 tok/s against 36.5
 * with prefetches into L1 and 30.5 with none; distances of 4 to 16 KiB alike, 2 KiB slower).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/x86_avx512/avx512.h"
#include "kernels/x86_avx512/q8_block_tokens.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define TT 8       /* tokens per register tile */
#ifndef LF_PACKED_PF
#define LF_PACKED_PF 4096 /* software prefetch distance in the code stream, bytes (0: none) */
#endif
#define PF LF_PACKED_PF
#ifndef LF_PACKED_PF_HINT
#define LF_PACKED_PF_HINT _MM_HINT_T1 /* into L2: measured faster than L1 (T0) in 2-thread decode */
#endif

#define LF_UNROLL _Pragma("GCC unroll 8")

/* acc[j] = the whole row range of one group against token j, j < NT. */
static inline __attribute__((always_inline)) void group_tile(const uint8_t *sc, const uint8_t *codes, int64_t nb,
                                                             const uint8_t *const tq[TT],
                                                             const lf_act_side *const ts[TT], __m512 acc[TT],
                                                             const int NT, const int Q4, const int pf) {
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    const size_t cb = Q4 ? 256 : 512; /* code bytes per block */
    LF_UNROLL
    for (int j = 0; j < NT; j++) acc[j] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *c = codes + (size_t)b * cb;
        if (PF && pf) { /* the group's first token tile reads it from memory; later ones from cache */
            LF_UNROLL
            for (size_t l = 0; l < cb; l += 64) _mm_prefetch((const char *)(c + PF + l), LF_PACKED_PF_HINT);
        }
        const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(const void *)(sc + (size_t)b * 32)));
        __m512i wq[8];
        if (Q4) {
            LF_UNROLL
            for (int k = 0; k < 4; k++) {
                const __m512i v = _mm512_load_si512((const void *)(c + 64 * k));
                wq[k] = _mm512_and_si512(v, low4);
                wq[k + 4] = _mm512_andnot_si512(low4, v); /* 16 x the high nibble (HI16 below) */
            }
        } else {
            LF_UNROLL
            for (int k = 0; k < 8; k++) wq[k] = _mm512_load_si512((const void *)(c + 64 * k));
        }
        lf_q8_block_tokens(wq, dw, b, tq, ts, acc, NT, Q4, Q4);
    }
}

#define GROUP_CASES(Q4)                                                  \
    switch (nt) {                                                        \
    case 1: group_tile(sc, codes, nb, tq, ts, acc, 1, Q4, pf); break;        \
    case 2: group_tile(sc, codes, nb, tq, ts, acc, 2, Q4, pf); break;        \
    case 3: group_tile(sc, codes, nb, tq, ts, acc, 3, Q4, pf); break;        \
    case 4: group_tile(sc, codes, nb, tq, ts, acc, 4, Q4, pf); break;        \
    case 5: group_tile(sc, codes, nb, tq, ts, acc, 5, Q4, pf); break;        \
    case 6: group_tile(sc, codes, nb, tq, ts, acc, 6, Q4, pf); break;        \
    case 7: group_tile(sc, codes, nb, tq, ts, acc, 7, Q4, pf); break;        \
    default: group_tile(sc, codes, nb, tq, ts, acc, 8, Q4, pf); break;       \
    }

static void gemm_packed(const int Q4, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride,
                        const void *w, size_t w_stride, const void *a, size_t a_stride) {
    const int64_t nb = n / LF_QK;
    const size_t side_off = lf_act_side_offset(n);
    const size_t sc_bytes = ((size_t)nb * 32 + 63) & ~(size_t)63;
#if LF_PACKED_PF > 0
    { /* the first PF bytes of the call's rows: the loop prefetches PF ahead of where it reads */
        const size_t all = (size_t)((nrows + LF_PACK_ROWS - 1) / LF_PACK_ROWS) * w_stride;
        for (size_t o = 0; o < (all < PF ? all : PF); o += 64) _mm_prefetch((const char *)w + o, LF_PACKED_PF_HINT);
    }
#endif
    for (int64_t r0 = 0; r0 < nrows; r0 += LF_PACK_ROWS) {
        const int64_t nr = nrows - r0 < LF_PACK_ROWS ? nrows - r0 : LF_PACK_ROWS;
        const __mmask16 keep = (__mmask16)((1u << nr) - 1);
        const uint8_t *sc = (const uint8_t *)w + (size_t)(r0 / LF_PACK_ROWS) * w_stride;
        const uint8_t *codes = sc + sc_bytes;
        for (int64_t t1 = 0; t1 < ntok; t1 += TT) {
            const int nt = ntok - t1 < TT ? (int)(ntok - t1) : TT;
            const uint8_t *tq[TT];
            const lf_act_side *ts[TT];
            __m512 acc[TT];
            for (int j = 0; j < TT; j++) {
                const int jj = j < nt ? j : nt - 1;
                tq[j] = (const uint8_t *)a + (size_t)(t1 + jj) * a_stride;
                ts[j] = (const lf_act_side *)(const void *)(tq[j] + side_off);
            }
            const int pf = t1 == 0;
            if (Q4) {
                GROUP_CASES(1)
            } else {
                GROUP_CASES(0)
            }
            for (int j = 0; j < nt; j++) _mm512_mask_storeu_ps(s + (size_t)(t1 + j) * s_stride + r0, keep, acc[j]);
        }
    }
}

void gemm_packed_q8_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed(0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_packed_q4_0_q8_0_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                  size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed(1, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
