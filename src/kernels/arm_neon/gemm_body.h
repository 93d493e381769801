/* kernels/arm_neon/gemm_body.h - the shared body of the AArch64 Q8_0/Q4_0 gemms (lf_gemm_fn,
 * kernels/kernels.h): 4 weight rows x up to 4 tokens per tile, each weight block loaded (Q4_0:
 * unpacked) once for the tile's tokens. Included by arm_neon/gemm_neon.c (the dotprod and i8mm gemms use
 * the packed panels of arm_neon/gemm_panel.h instead), which first defines
 *     static inline int32x4_t gemm_dot32(int8x16_t w0, int8x16_t w1, int8x16_t a0, int8x16_t a1);
 * returning lanes whose sum is the exact int32 dot of the 32 code pairs, and includes neon_util.h.
 *
 * Exactness: each (row, token) output is the reference dot's sequence of f32 operations - per block
 * the exact integer sum, converted, times (dw*da) for Q8_0 or times dw then da for Q4_0, added in
 * block order - one row per lane, so outputs equal dot_*_ref bit for bit (as the gemvs). */
#ifndef LF_KERNELS_GEMM_BODY_H
#define LF_KERNELS_GEMM_BODY_H

#include <arm_neon.h>

#include "format/quant_blocks.h"

#define GEMM_NT 4 /* tokens per tile */

/* One tile: rows row[0..3] x tokens a_tok[0..nt) (nt <= GEMM_NT); acc[t] lane k = output (k, t). */
static void tile_q8_0(int64_t nb, const uint8_t *const row[4], int nt, const uint8_t *const a_tok[GEMM_NT],
                      float32x4_t acc[GEMM_NT]) {
    const size_t bs = sizeof(lf_block_q8_0);
    for (int t = 0; t < GEMM_NT; t++) acc[t] = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        int8x16_t w[4][2];
        for (int k = 0; k < 4; k++) {
            const int8_t *q = (const int8_t *)(row[k] + (size_t)b * bs + 2);
            w[k][0] = vld1q_s8(q), w[k][1] = vld1q_s8(q + 16);
        }
        const float32x4_t dw = lf_neon_scales4(row, (size_t)b * bs);
        for (int t = 0; t < nt; t++) {
            const lf_block_q8_0 *a = (const lf_block_q8_0 *)a_tok[t] + b;
            const int8x16_t a0 = vld1q_s8(a->qs), a1 = vld1q_s8(a->qs + 16);
            const int32x4_t s = lf_neon_reduce4(gemm_dot32(w[0][0], w[0][1], a0, a1), gemm_dot32(w[1][0], w[1][1], a0, a1),
                                                gemm_dot32(w[2][0], w[2][1], a0, a1), gemm_dot32(w[3][0], w[3][1], a0, a1));
            /* reference: sumi * (dw * da) */
            acc[t] = vaddq_f32(acc[t], vmulq_f32(vcvtq_f32_s32(s), vmulq_n_f32(dw, lf_neon_h2f(a->d))));
        }
    }
}

static void tile_q4_0(int64_t nb, const uint8_t *const row[4], int nt, const uint8_t *const a_tok[GEMM_NT],
                      float32x4_t acc[GEMM_NT]) {
    const size_t bs = sizeof(lf_block_q4_0);
    const uint8x16_t low4 = vdupq_n_u8(0x0F);
    const int8x16_t eight = vdupq_n_s8(8);
    for (int t = 0; t < GEMM_NT; t++) acc[t] = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        int8x16_t w[4][2];
        for (int k = 0; k < 4; k++) {
            const uint8x16_t q = vld1q_u8(row[k] + (size_t)b * bs + 2);
            w[k][0] = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, low4)), eight);
            w[k][1] = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
        }
        const float32x4_t dw = lf_neon_scales4(row, (size_t)b * bs);
        for (int t = 0; t < nt; t++) {
            const lf_block_q8_0 *a = (const lf_block_q8_0 *)a_tok[t] + b;
            const int8x16_t a0 = vld1q_s8(a->qs), a1 = vld1q_s8(a->qs + 16);
            const int32x4_t s = lf_neon_reduce4(gemm_dot32(w[0][0], w[0][1], a0, a1), gemm_dot32(w[1][0], w[1][1], a0, a1),
                                                gemm_dot32(w[2][0], w[2][1], a0, a1), gemm_dot32(w[3][0], w[3][1], a0, a1));
            /* reference: sumi * dw * da, left to right */
            acc[t] = vaddq_f32(acc[t], vmulq_n_f32(vmulq_f32(vcvtq_f32_s32(s), dw), lf_neon_h2f(a->d)));
        }
    }
}

typedef void (*gemm_tile_fn)(int64_t nb, const uint8_t *const row[4], int nt, const uint8_t *const a_tok[GEMM_NT],
                             float32x4_t acc[GEMM_NT]);

/* Tiles over nrows x ntok; writes exactly s[t * s_stride + r] for r < nrows, t < ntok. */
static void gemm_tiles(gemm_tile_fn tile, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride,
                       const void *w, size_t w_stride, const void *a, size_t a_stride) {
    const uint8_t *row[4], *a_tok[GEMM_NT];
    float32x4_t acc[GEMM_NT];
    for (int64_t t0 = 0; t0 < ntok; t0 += GEMM_NT) {
        const int nt = ntok - t0 < GEMM_NT ? (int)(ntok - t0) : GEMM_NT;
        for (int t = 0; t < GEMM_NT; t++)
            a_tok[t] = (const uint8_t *)a + (size_t)(t0 + (t < nt ? t : nt - 1)) * a_stride;
        for (int64_t r = 0; r < nrows; r += 4) {
            lf_neon_pass_rows(w, w_stride, r, nrows, row);
            tile(n / LF_QK, row, nt, a_tok, acc);
            for (int t = 0; t < nt; t++) lf_neon_store_rows(s + (size_t)(t0 + t) * s_stride, r, nrows, acc[t]);
        }
    }
}

#endif
