/* kernels/x86_avx2/gemm_pack.h - the shared body of the x86 "packed panel" gemms of the Q8_0
 * activation family (Q8_0 and Q4_0 weights): panel packing and the loop nest. Included by
 * x86_avx2/gemm_avx2.c and x86_avxvnni/gemm_avxvnni.c, each compiled with its own ISA flags (every
 * function here is static, so each translation unit gets its own copy).
 *
 * Design (GotoBLAS-style packing inside the call: no load-time repack, no extra memory):
 *  - a panel of GQ_PR = 8 weight rows, for a K chunk of kc blocks, is copied-transposed into a stack
 *    buffer so that one ymm holds, for the 8 rows, the same 4 consecutive codes k..k+3 of each row
 *    (32-bit lane i = row i), made unsigned (Q8_0: w + 128, i.e. w ^ 0x80; Q4_0: the codes 0..15;
 *    AVX2's Q8_0 further splits w + 128 into its two nibbles, gemm_avx2.c). The token's matching 4
 *    activation bytes, broadcast straight from the activation row (vpbroadcastd), against that register
 *    give the 8 rows' products in their own lanes (vpmaddubsw / vpdpbusd, u8 x s8): each row's exact
 *    int32 block sum ends up in its lane, with no horizontal reduction.
 *  - the weights' offset adds 128 * sum(a) (Q8_0) or 8 * sum(a) (Q4_0) per (token, block); it is
 *    removed with the activation side entries (lf_act_side, kernels/kernels.h: -128 * sum, -8 * sum and
 *    the f32 scale per block, written by the caller once per token row: these entries have
 *    gemm_side = 1), so nothing about the activations is recomputed per call.
 *  - per (row lane, token), the block sums are scaled exactly as kernels/ref/q32_ref.c does (Q8_0:
 *    acc += (float)sum * (dw * da); Q4_0: acc += ((float)sum * dw) * da; blocks in order; the TUs set
 *    FP_CONTRACT OFF and gcc's ISO C mode does not contract), so each output is bit-identical to the
 *    reference dot.
 *  - loop nest: K chunks -> 8-row panels (packed once per call and chunk) -> tiles of GQ_NT tokens.
 *    The f32 accumulators of a (panel, token) live in registers during a chunk and in the output between
 *    chunks (a stored f32 reloads exactly), so block order and results are unchanged.
 *  - tails: rows past nrows repeat the last row, tokens past ntok repeat the last token; they are
 *    computed and never stored (outputs outside nrows x ntok are not touched).
 * Stack use per call: the 9 KiB panel; no allocation.
 */
#ifndef LF_KERNELS_X86_GEMM_PACK_H
#define LF_KERNELS_X86_GEMM_PACK_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/kernels.h"

#define GQ_PR 8    /* weight rows per panel (one per ymm lane) */
#define GQ_NT 4    /* tokens per register tile */
#define GQ_KC 32   /* blocks per chunk at 8 ymm a block (8 KiB of codes: L1-resident) */

/* A packed panel chunk: w[b * ymm per block + g] (lane i = row i), ws[b] = the 8 row scales as f32. */
typedef struct gq_panel {
    __m256i w[GQ_KC * 8];
    __m256 ws[GQ_KC];
} gq_panel;

static inline uint16_t gq_load_u16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return h;
}

static inline int32_t gq_load_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline float gq_load_f32(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

/* 8x8 transpose of dwords: r[i] lane j -> r[j] lane i. */
static inline void gq_transpose8(__m256i r[8]) {
    const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/* The f16 scales at the start of 8 blocks (one per row) as 8 f32 (F16C: exact, as lf_fp16_to_f32). */
static inline __m256 gq_scales8(const uint8_t *const blk[GQ_PR]) {
    return _mm256_cvtph_ps(_mm_setr_epi16((short)gq_load_u16(blk[0]), (short)gq_load_u16(blk[1]),
                                          (short)gq_load_u16(blk[2]), (short)gq_load_u16(blk[3]),
                                          (short)gq_load_u16(blk[4]), (short)gq_load_u16(blk[5]),
                                          (short)gq_load_u16(blk[6]), (short)gq_load_u16(blk[7])));
}

/* ---- panel packing: rows[i] points at row i of the panel, blocks [b0, b0 + nbc) ---------------- */

static inline void gq_pack_q8_0_u8(gq_panel *P, const uint8_t *const rows[GQ_PR], int64_t b0, int nbc) {
    const size_t bs = sizeof(lf_block_q8_0);
    const __m256i bias = _mm256_set1_epi8((char)0x80);
    for (int b = 0; b < nbc; b++) {
        const uint8_t *blk[GQ_PR];
        __m256i v[GQ_PR];
        for (int i = 0; i < GQ_PR; i++) {
            blk[i] = rows[i] + (size_t)(b0 + b) * bs;
            v[i] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(blk[i] + 2)), bias);
        }
        gq_transpose8(v);
        for (int g = 0; g < 8; g++) P->w[b * 8 + g] = v[g];
        P->ws[b] = gq_scales8(blk);
    }
}

/* Q4_0: element j < 16 is the low nibble of qs[j], j + 16 the high one; packed as the codes 0..15. */
static inline void gq_pack_q4_0_u8(gq_panel *P, const uint8_t *const rows[GQ_PR], int64_t b0, int nbc) {
    const size_t bs = sizeof(lf_block_q4_0);
    const __m128i low4 = _mm_set1_epi8(0x0F);
    for (int b = 0; b < nbc; b++) {
        const uint8_t *blk[GQ_PR];
        __m256i v[GQ_PR];
        for (int i = 0; i < GQ_PR; i++) {
            blk[i] = rows[i] + (size_t)(b0 + b) * bs;
            const __m128i q = _mm_loadu_si128((const __m128i *)(blk[i] + 2));
            v[i] = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), low4), _mm_and_si128(q, low4));
        }
        gq_transpose8(v);
        for (int g = 0; g < 8; g++) P->w[b * 8 + g] = v[g];
        P->ws[b] = gq_scales8(blk);
    }
}

/* ---- the loop nest ----------------------------------------------------------------------------- */

typedef void (*gq_pack_fn)(gq_panel *P, const uint8_t *const rows[GQ_PR], int64_t b0, int nbc);
static inline __m256 gq_load_out(const float *p, int nr) {
    if (nr == GQ_PR) return _mm256_loadu_ps(p);
    float t[GQ_PR] = {0};
    memcpy(t, p, sizeof(float) * (size_t)nr);
    return _mm256_loadu_ps(t);
}

static inline void gq_store_out(float *p, int nr, __m256 v) {
    if (nr == GQ_PR) {
        _mm256_storeu_ps(p, v);
        return;
    }
    float t[GQ_PR];
    _mm256_storeu_ps(t, v);
    memcpy(p, t, sizeof(float) * (size_t)nr);
}

/* Adds blocks [b0, b0 + nbc) of the panel chunk for the Q8_0 activation rows tq[j] (their side entries
 * at byte offset side_off) to acc[j], j < GQ_NT. */
typedef void (*gq_side_tile_fn)(const gq_panel *P, const uint8_t *const tq[GQ_NT], size_t side_off, int64_t b0,
                                int nbc, __m256 acc[GQ_NT]);

/* Block b's side entry of the activation row q (bytes: 0 -128 * sum, 4 -8 * sum, 8 f32 d; read with memcpy:
 * the rows need not be 4-byte aligned). */
static inline const uint8_t *gq_side(const uint8_t *q, size_t side_off, int64_t b) {
    return q + side_off + (size_t)b * sizeof(lf_act_side);
}

/* The lf_gemm_fn contract with gemm_side = 1 (activation rows carry lf_act_side entries), kc blocks
 * per chunk (kc * ymm per block <= GQ_KC * 8). */
static inline void gq_gemm_side(int kc, gq_pack_fn pack, gq_side_tile_fn tile, int64_t n, int64_t nrows, int64_t ntok,
                                float *s, size_t s_stride, const void *w, size_t w_stride, const void *a,
                                size_t a_stride) {
    const int64_t nb = n / LF_QK;
    if (nrows <= 0 || ntok <= 0) return;
    if (nb <= 0) {
        for (int64_t t = 0; t < ntok; t++)
            for (int64_t r = 0; r < nrows; r++) s[(size_t)t * s_stride + (size_t)r] = 0.0f;
        return;
    }
    const size_t side_off = lf_act_side_offset(n);
    gq_panel P;
    const uint8_t *wb = w, *ab = a;
    for (int64_t b0 = 0; b0 < nb; b0 += kc) {
        const int nbc = (int)(nb - b0 < kc ? nb - b0 : kc);
        for (int64_t r0 = 0; r0 < nrows; r0 += GQ_PR) {
            const int nr = (int)(nrows - r0 < GQ_PR ? nrows - r0 : GQ_PR);
            const uint8_t *rows[GQ_PR];
            for (int i = 0; i < GQ_PR; i++) rows[i] = wb + (size_t)(r0 + (i < nr ? i : nr - 1)) * w_stride;
            pack(&P, rows, b0, nbc);
            for (int64_t j0 = 0; j0 < ntok; j0 += GQ_NT) {
                const uint8_t *tq[GQ_NT];
                __m256 acc[GQ_NT];
                for (int j = 0; j < GQ_NT; j++) {
                    const int live = j0 + j < ntok;
                    tq[j] = ab + (size_t)(live ? j0 + j : ntok - 1) * a_stride;
                    acc[j] = live && b0 > 0 ? gq_load_out(s + (size_t)(j0 + j) * s_stride + (size_t)r0, nr)
                                            : _mm256_setzero_ps();
                }
                tile(&P, tq, side_off, b0, nbc, acc);
                for (int j = 0; j < GQ_NT && j0 + j < ntok; j++)
                    gq_store_out(s + (size_t)(j0 + j) * s_stride + (size_t)r0, nr, acc[j]);
            }
        }
    }
}

#endif
