/* kernels/arm_neon/gemm_panel.h - the packed-panel driver of the AArch64 Q8_0/Q4_0 prefill gemms
 * (lf_gemm_fn, kernels/kernels.h) shared by arm_dotprod/gemm_dotprod.c (sdot by lane) and
 * arm_i8mm/gemm_i8mm.c (smmla). Private to kernels/arm_*; uses only armv8-a Advanced SIMD itself.
 *
 * Loop order, per call (ops/matmul.c calls with <= 16 rows x <= 64 tokens):
 *   for each panel of 8 weight rows
 *     for each K chunk of LF_PANEL_KC blocks
 *       pack: copy the chunk's 8 x KC blocks, Q4_0 unpacked to int8 codes, into the on-stack panel
 *             in the ISA's register layout (the `pack` callback), with the f32 row scales;
 *       for each tile of 4 tokens: the `tile` callback runs the chunk's blocks in block order.
 * The panel (9 KiB) stays in L1 while every token passes over it; the weights are read once.
 *
 * Exactness: an output's f32 accumulator is carried from chunk to chunk in s itself (a store and a
 * load of an f32 are exact), starting at +0.0f like the reference's sumf, and each block adds the
 * reference's f32 expression (kernels/ref/q32_ref.c) for that (row, token): outputs equal
 * dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref bit for bit. Rows past nrows repeat the last row and tokens
 * past ntok repeat the last token: computed, never stored. Only s[t * s_stride + r] for r < nrows,
 * t < ntok is written. No allocation (the panel is a local). */
#ifndef LF_KERNELS_GEMM_PANEL_H
#define LF_KERNELS_GEMM_PANEL_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/arm_neon/neon_util.h"

#define LF_PANEL_ROWS 8 /* weight rows per panel */
#define LF_PANEL_KC 32  /* blocks per K chunk */
#define LF_PANEL_NT 4   /* tokens per tile */

/* One K chunk of 8 rows, in the layout of the ISA that packed it:
 *   q[b]: the 8 rows' 32 int8 codes of block b (256 bytes, ISA-specific order);
 *   d[b]: f32 row scales of block b (ISA-specific order, up to 16 floats). */
typedef struct lf_gemm_panel {
    _Alignas(16) int8_t q[LF_PANEL_KC][LF_PANEL_ROWS * LF_QK];
    _Alignas(16) float d[LF_PANEL_KC][16];
} lf_gemm_panel;

/* Packs blocks b0 .. b0+kb-1 of row[0..7] (kb <= LF_PANEL_KC). */
typedef void (*lf_panel_pack_fn)(lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb);
/* Adds blocks 0..kb-1 of the panel times the Q8_0 activation blocks a_tok[t][0..kb) to acc[t][r]
 * (token t < 4, panel row r < 8), block by block in order, with the reference's f32 operations. */
typedef void (*lf_panel_tile_fn)(const lf_gemm_panel *p, int kb, const uint8_t *const a_tok[LF_PANEL_NT],
                                 float acc[LF_PANEL_NT][LF_PANEL_ROWS]);

/* Low (elements 0..15) and high (16..31) int8 codes of the Q8_0 (q4 == 0) or Q4_0 (q4 == 1) block
 * whose codes start at qs. */
static inline void lf_panel_codes(int q4, const uint8_t *qs, int8x16_t *lo, int8x16_t *hi) {
    if (q4) {
        const uint8x16_t q = vld1q_u8(qs);
        const int8x16_t eight = vdupq_n_s8(8);
        *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), eight);
        *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
    } else {
        *lo = vld1q_s8((const int8_t *)qs);
        *hi = vld1q_s8((const int8_t *)qs + 16);
    }
}

static inline void lf_panel_run(lf_panel_pack_fn pack, lf_panel_tile_fn tile, int64_t n, int64_t nrows,
                                int64_t ntok, float *s, size_t s_stride, const void *w, size_t w_stride,
                                const void *a, size_t a_stride) {
    lf_gemm_panel p;
    const int64_t nb = n / LF_QK;
    const uint8_t *w8 = w, *a8 = a;
    if (nb == 0) { /* empty dot: +0.0f, as the reference */
        for (int64_t t = 0; t < ntok; t++) memset(s + (size_t)t * s_stride, 0, sizeof(float) * (size_t)nrows);
        return;
    }
    for (int64_t r0 = 0; r0 < nrows; r0 += LF_PANEL_ROWS) {
        const uint8_t *row[LF_PANEL_ROWS];
        lf_neon_pass_rows(w8, w_stride, r0, nrows, row);
        lf_neon_pass_rows(w8, w_stride, r0 + 4, nrows, row + 4);
        const int nr = nrows - r0 < LF_PANEL_ROWS ? (int)(nrows - r0) : LF_PANEL_ROWS;
        for (int64_t b0 = 0; b0 < nb; b0 += LF_PANEL_KC) {
            const int kb = nb - b0 < LF_PANEL_KC ? (int)(nb - b0) : LF_PANEL_KC;
            pack(&p, row, b0, kb);
            for (int64_t t0 = 0; t0 < ntok; t0 += LF_PANEL_NT) {
                const int nt = ntok - t0 < LF_PANEL_NT ? (int)(ntok - t0) : LF_PANEL_NT;
                const uint8_t *a_tok[LF_PANEL_NT];
                float acc[LF_PANEL_NT][LF_PANEL_ROWS];
                memset(acc, 0, sizeof acc);
                for (int t = 0; t < LF_PANEL_NT; t++) {
                    const int64_t tt = t0 + (t < nt ? t : nt - 1);
                    a_tok[t] = a8 + (size_t)tt * a_stride + (size_t)b0 * sizeof(lf_block_q8_0);
                    if (b0 > 0 && t < nt) memcpy(acc[t], s + (size_t)tt * s_stride + r0, sizeof(float) * (size_t)nr);
                }
                tile(&p, kb, a_tok, acc);
                for (int t = 0; t < nt; t++)
                    memcpy(s + (size_t)(t0 + t) * s_stride + r0, acc[t], sizeof(float) * (size_t)nr);
            }
        }
    }
}

#endif
