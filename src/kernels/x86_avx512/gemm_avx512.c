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
 * Cost per 16 rows x 1 token x 1 block (512 multiply-adds): 8 vpdpbusd + 4 f32 ops; the packing (a
 * 16 x 8 dword transpose in 24 vpermt2d for Q8_0, 16 x 4 in 8 for Q4_0; gathers measured 5x slower on
 * a CPU with the Gather Data Sampling microcode fix) is shared by every token of the call (matmul
 * passes up to 64; from 2 tokens on the panels beat a gemv per token, so batched decode of several
 * sequences uses them too). A tile is 16 rows x 8 tokens: 8 weight registers reused by 8 tokens, 8 f32
 * accumulators.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "kernels/x86_avx512/avx512.h"
#include "kernels/x86_avx512/q8_block_tokens.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define PR 16 /* rows per panel, one per 32-bit lane */
#define KB 32 /* blocks per packed chunk: 32 x 576 bytes = 18 KiB, L1-resident */
#define TT 8  /* tokens per register tile */
#define TC 64 /* tokens per accumulator chunk */
#define PACK_PF 8192 /* software prefetch distance of the packing, bytes */


#define LF_UNROLL _Pragma("GCC unroll 8")

typedef struct panel {
    __m512i q[KB][8]; /* [block][4-code group]: lane i = row i */
    __m512 d[KB];     /* row scales, f32 */
} panel;

/* Transposition permutes (vpermt2d indices; bit 4 picks the second source), built once per call. */
typedef struct perms {
    __m512i q8[3][4]; /* Q8_0: stage, variant */
    __m512i q4[2][2]; /* Q4_0: stage, variant */
} perms;

static void make_perms(perms *P) {
    int32_t ix[16];
    /* Q8_0, 16 rows x 8 dwords. z_i = [row 2i dwords 0..7 | row 2i+1 dwords 0..7].
     * stage 0 (variant h): A[4gl + rl] = M[4p + rl][4h + gl] from z_2p, z_2p+1
     * stage 1 (variant k): C[8gk + r8] = M[8s + r8][2k + gk] from A_2s,h, A_2s+1,h
     * stage 2 (variant gk): out[r] = M[r][4h + 2k + gk] from C_0,h,k, C_1,h,k */
    for (int h = 0; h < 2; h++) {
        for (int gl = 0; gl < 4; gl++)
            for (int rl = 0; rl < 4; rl++) ix[4 * gl + rl] = (rl / 2) * 16 + (rl % 2) * 8 + 4 * h + gl;
        P->q8[0][h] = _mm512_loadu_si512(ix);
    }
    for (int k = 0; k < 2; k++) {
        for (int gk = 0; gk < 2; gk++)
            for (int r8 = 0; r8 < 8; r8++) ix[8 * gk + r8] = (r8 / 4) * 16 + 4 * (2 * k + gk) + r8 % 4;
        P->q8[1][k] = _mm512_loadu_si512(ix);
    }
    for (int gk = 0; gk < 2; gk++) {
        for (int r = 0; r < 16; r++) ix[r] = (r / 8) * 16 + 8 * gk + r % 8;
        P->q8[2][gk] = _mm512_loadu_si512(ix);
    }
    /* Q4_0, 16 rows x 4 dwords. z_i = rows 4i..4i+3, 4 dwords each.
     * stage 0 (variant k): D[8dk + r8] = M[8j + r8][2k + dk] from z_2j, z_2j+1
     * stage 1 (variant dk): out[r] = M[r][2k + dk] from D_0,k, D_1,k */
    for (int k = 0; k < 2; k++) {
        for (int dk = 0; dk < 2; dk++)
            for (int r8 = 0; r8 < 8; r8++) ix[8 * dk + r8] = (r8 / 4) * 16 + 4 * (r8 % 4) + 2 * k + dk;
        P->q4[0][k] = _mm512_loadu_si512(ix);
    }
    for (int dk = 0; dk < 2; dk++) {
        for (int r = 0; r < 16; r++) ix[r] = (r / 8) * 16 + 8 * dk + r % 8;
        P->q4[1][dk] = _mm512_loadu_si512(ix);
    }
}

/* The panel rows' f16 scales of blocks b0..b0+nkb (block size bs), widened: copied row by row into a
 * [block][row] table first (plain moves, no gathers: those are slow where the Gather Data Sampling fix is
 * in microcode), then one load and conversion per block. */
static void pack_scales(const uint8_t *const r[PR], int64_t b0, int nkb, size_t bs, panel *p) {
    _Alignas(32) uint16_t d[KB][PR];
    for (int i = 0; i < PR; i++) {
        const uint8_t *src = r[i] + (size_t)b0 * bs;
        for (int kb = 0; kb < nkb; kb++) {
            /* this walk is the first touch of the weights: prefetch PACK_PF ahead (for rows stored one after
             * another that is the next panels, for long rows further along the same row), or with few
             * tokens (batched decode) the call waits on DRAM latency */
            if (!(kb & 1)) _mm_prefetch((const char *)(src + (size_t)kb * bs + PACK_PF), _MM_HINT_T0);
            memcpy(&d[kb][i], src + (size_t)kb * bs, 2);
        }
    }
    for (int kb = 0; kb < nkb; kb++) p->d[kb] = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)d[kb]));
}

static void pack_q8_0(const uint8_t *const r[PR], const perms *P, int64_t b0, int nkb, panel *p) {
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    pack_scales(r, b0, nkb, sizeof(lf_block_q8_0), p);
    for (int kb = 0; kb < nkb; kb++) {
        const size_t off = (size_t)(b0 + kb) * sizeof(lf_block_q8_0);
        __m512i z[8], A[4][2], C[2][2][2];
        LF_UNROLL
        for (int i = 0; i < 8; i++)
            z[i] = _mm512_mask_broadcast_i64x4(
                _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(r[2 * i] + off + 2))), (__mmask8)0xF0,
                _mm256_loadu_si256((const __m256i *)(r[2 * i + 1] + off + 2)));
        LF_UNROLL
        for (int q = 0; q < 4; q++)
            for (int h = 0; h < 2; h++) A[q][h] = _mm512_permutex2var_epi32(z[2 * q], P->q8[0][h], z[2 * q + 1]);
        LF_UNROLL
        for (int s2 = 0; s2 < 2; s2++)
            for (int h = 0; h < 2; h++)
                for (int k = 0; k < 2; k++)
                    C[s2][h][k] = _mm512_permutex2var_epi32(A[2 * s2][h], P->q8[1][k], A[2 * s2 + 1][h]);
        LF_UNROLL
        for (int h = 0; h < 2; h++)
            for (int k = 0; k < 2; k++)
                for (int gk = 0; gk < 2; gk++)
                    p->q[kb][4 * h + 2 * k + gk] =
                        _mm512_xor_si512(_mm512_permutex2var_epi32(C[0][h][k], P->q8[2][gk], C[1][h][k]), bias);
    }
}

static void pack_q4_0(const uint8_t *const r[PR], const perms *P, int64_t b0, int nkb, panel *p) {
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    pack_scales(r, b0, nkb, sizeof(lf_block_q4_0), p);
    for (int kb = 0; kb < nkb; kb++) {
        const size_t off = (size_t)(b0 + kb) * sizeof(lf_block_q4_0);
        __m512i z[4], D[2][2];
        LF_UNROLL
        for (int i = 0; i < 4; i++) {
            __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(r[4 * i] + off + 2)));
            v = _mm512_mask_broadcast_i32x4(v, (__mmask16)0x00F0, _mm_loadu_si128((const __m128i *)(r[4 * i + 1] + off + 2)));
            v = _mm512_mask_broadcast_i32x4(v, (__mmask16)0x0F00, _mm_loadu_si128((const __m128i *)(r[4 * i + 2] + off + 2)));
            z[i] = _mm512_mask_broadcast_i32x4(v, (__mmask16)0xF000, _mm_loadu_si128((const __m128i *)(r[4 * i + 3] + off + 2)));
        }
        LF_UNROLL
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++) D[j][k] = _mm512_permutex2var_epi32(z[2 * j], P->q4[0][k], z[2 * j + 1]);
        LF_UNROLL
        for (int k = 0; k < 2; k++)
            for (int dk = 0; dk < 2; dk++) {
                /* qs[4g..4g+3] of every row, g = 2k + dk: low nibbles are elements 4g.., high 16+4g.. */
                const __m512i v = _mm512_permutex2var_epi32(D[0][k], P->q4[1][dk], D[1][k]);
                p->q[kb][2 * k + dk] = _mm512_and_si512(v, low4);
                p->q[kb][2 * k + dk + 4] = _mm512_and_si512(_mm512_srli_epi32(v, 4), low4);
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
        lf_q8_block_tokens(wq, dw, b, tq, ts, acc, NT, Q4, 0);
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
    perms P;
    make_perms(&P);
    const size_t side_off = lf_act_side_offset(n);
    panel pbuf;
    panel *p = &pbuf;
    _Alignas(64) float accbuf[TC][PR];
    for (int64_t r0 = 0; r0 < nrows; r0 += PR) {
        const int64_t nr = nrows - r0 < PR ? nrows - r0 : PR;
        const __mmask16 keep = (__mmask16)((1u << nr) - 1);
        const uint8_t *rp[PR]; /* rows past nr repeat the last one (computed, never stored) */
        for (int i = 0; i < PR; i++) rp[i] = (const uint8_t *)w + (size_t)(r0 + (i < nr ? i : nr - 1)) * w_stride;
        for (int64_t t0 = 0; t0 < ntok; t0 += TC) {
            const int64_t ntc = ntok - t0 < TC ? ntok - t0 : TC;
            for (int64_t b0 = 0; b0 < nb; b0 += KB) {
                const int nkb = nb - b0 < KB ? (int)(nb - b0) : KB;
                if (Q4)
                    pack_q4_0(rp, &P, b0, nkb, p);
                else
                    pack_q8_0(rp, &P, b0, nkb, p);
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
