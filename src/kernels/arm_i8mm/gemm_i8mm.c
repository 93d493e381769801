/* kernels/arm_i8mm/gemm_i8mm.c - Q8_0 x Q8_0 and Q4_0 x Q8_0 gemms with smmla (vmmlaq_s32, FEAT_I8MM;
 * prefill; packed-panel driver in arm_neon/gemm_panel.h). Bit-identical per output to
 * dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref.
 *
 * smmla multiplies a 2x8 int8 matrix by the transpose of another into a 2x2 int32 tile:
 * vmmlaq_s32(acc, P, A) lane 2i+j += sum_k P[8i+k] * A[8j+k]. Panel layout (per block b, 256 bytes):
 * vector (p, k) at q[b] + (4p + k) * 16 = [row 2p bytes 8k..8k+7 | row 2p+1 bytes 8k..8k+7]
 * (rows paired once per chunk with zip1/zip2 on 64-bit lanes); row scales d[b][4p..4p+3] =
 * [dw(2p), dw(2p), dw(2p+1), dw(2p+1)]. Activations are paired the same way per token pair (2j, 2j+1),
 * so after the 4 groups k a lane holds one (row, token) exact int32 block sum, lanes
 * [r2p t2j, r2p t2j+1, r2p+1 t2j, r2p+1 t2j+1]; the token-pair scale vector is
 * [da(2j), da(2j+1), da(2j), da(2j+1)], and each lane gets the reference's f32 expression.
 * Accumulators are converted to and from the driver's acc[token][row] with zip/uzp once per chunk.
 *
 * Instruction count (gcc 12 -O2, objdump of the block loop): per block and 8 x 4 tile (32 outputs)
 * 127 instructions - 32 smmla (each 2x2 outputs x 8 codes), 32 f32 (8 scvtf, 16 fmul, 8 fadd), 8 zips
 * pairing the activations, 8 for the token scales, 12 movs, 26 loads, no spills: 4.0 instructions and
 * about 2.9 SIMD-pipe operations per output and block, against 5.0 / 3.6 for the sdot-by-lane gemm
 * (arm_dotprod/gemm_dotprod.c) and 11 / 5.6 for the former 4 x 4 sdot tile. */
#include <arm_neon.h>

#include "kernels/arm_i8mm/i8mm.h"
#include "kernels/arm_neon/gemm_panel.h"

static inline int8x16_t zip1_64(int8x16_t a, int8x16_t b) {
    return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}

static inline int8x16_t zip2_64(int8x16_t a, int8x16_t b) {
    return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}

static inline void pack(int q4, lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb) {
    const size_t bs = q4 ? sizeof(lf_block_q4_0) : sizeof(lf_block_q8_0);
    for (int b = 0; b < kb; b++) {
        const size_t off = (size_t)(b0 + b) * bs;
        int8_t *q = p->q[b];
        for (int pr = 0; pr < LF_PANEL_ROWS / 2; pr++) {
            int8x16_t lo_e, hi_e, lo_o, hi_o;
            lf_panel_codes(q4, row[2 * pr] + off + 2, &lo_e, &hi_e);
            lf_panel_codes(q4, row[2 * pr + 1] + off + 2, &lo_o, &hi_o);
            vst1q_s8(q + (4 * pr + 0) * 16, zip1_64(lo_e, lo_o));
            vst1q_s8(q + (4 * pr + 1) * 16, zip2_64(lo_e, lo_o));
            vst1q_s8(q + (4 * pr + 2) * 16, zip1_64(hi_e, hi_o));
            vst1q_s8(q + (4 * pr + 3) * 16, zip2_64(hi_e, hi_o));
        }
        for (int h = 0; h < 2; h++) {
            const float32x4_t v = lf_neon_scales4(row + 4 * h, off);
            vst1q_f32(p->d[b] + 8 * h, vzip1q_f32(v, v));
            vst1q_f32(p->d[b] + 8 * h + 4, vzip2q_f32(v, v));
        }
    }
}

static void pack_q8_0(lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb) {
    pack(0, p, row, b0, kb);
}

static void pack_q4_0(lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb) {
    pack(1, p, row, b0, kb);
}

enum { NP = LF_PANEL_ROWS / 2, NJ = LF_PANEL_NT / 2 }; /* row pairs, token pairs */

static inline __attribute__((always_inline)) void tile(int q4, const lf_gemm_panel *p, int kb,
                                                       const uint8_t *const a_tok[LF_PANEL_NT], float acc_io[LF_PANEL_NT][LF_PANEL_ROWS]) {
    float32x4_t acc[NP][NJ];
#pragma GCC unroll 2
    for (int j = 0; j < NJ; j++)
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            const float32x4_t e = vld1q_f32(acc_io[2 * j] + 4 * h), o = vld1q_f32(acc_io[2 * j + 1] + 4 * h);
            acc[2 * h][j] = vzip1q_f32(e, o);
            acc[2 * h + 1][j] = vzip2q_f32(e, o);
        }
    for (int b = 0; b < kb; b++) {
        int8x16_t av[NJ][4];
        float32x4_t da[NJ];
#pragma GCC unroll 2
        for (int j = 0; j < NJ; j++) {
            const lf_block_q8_0 *x = (const lf_block_q8_0 *)a_tok[2 * j] + b;
            const lf_block_q8_0 *y = (const lf_block_q8_0 *)a_tok[2 * j + 1] + b;
            const int8x16_t x0 = vld1q_s8(x->qs), x1 = vld1q_s8(x->qs + 16);
            const int8x16_t y0 = vld1q_s8(y->qs), y1 = vld1q_s8(y->qs + 16);
            av[j][0] = zip1_64(x0, y0), av[j][1] = zip2_64(x0, y0);
            av[j][2] = zip1_64(x1, y1), av[j][3] = zip2_64(x1, y1);
            const float32x2_t d2 = vset_lane_f32(lf_neon_h2f(y->d), vdup_n_f32(lf_neon_h2f(x->d)), 1);
            da[j] = vcombine_f32(d2, d2);
        }
        const int8_t *pq = p->q[b];
        int32x4_t si[NP][NJ];
#pragma GCC unroll 4
        for (int pr = 0; pr < NP; pr++) {
#pragma GCC unroll 2
            for (int j = 0; j < NJ; j++) si[pr][j] = vdupq_n_s32(0);
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) {
                const int8x16_t w = vld1q_s8(pq + (4 * pr + k) * 16);
#pragma GCC unroll 2
                for (int j = 0; j < NJ; j++) si[pr][j] = vmmlaq_s32(si[pr][j], w, av[j][k]);
            }
        }
#pragma GCC unroll 4
        for (int pr = 0; pr < NP; pr++) {
            const float32x4_t dw = vld1q_f32(p->d[b] + 4 * pr);
#pragma GCC unroll 2
            for (int j = 0; j < NJ; j++) {
                const float32x4_t f = vcvtq_f32_s32(si[pr][j]);
                if (q4) /* reference: sumi * dw * da, left to right */
                    acc[pr][j] = vaddq_f32(acc[pr][j], vmulq_f32(vmulq_f32(f, dw), da[j]));
                else /* reference: sumi * (dw * da) */
                    acc[pr][j] = vaddq_f32(acc[pr][j], vmulq_f32(f, vmulq_f32(dw, da[j])));
            }
        }
    }
#pragma GCC unroll 2
    for (int j = 0; j < NJ; j++)
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            vst1q_f32(acc_io[2 * j] + 4 * h, vuzp1q_f32(acc[2 * h][j], acc[2 * h + 1][j]));
            vst1q_f32(acc_io[2 * j + 1] + 4 * h, vuzp2q_f32(acc[2 * h][j], acc[2 * h + 1][j]));
        }
}

static void tile_q8_0(const lf_gemm_panel *p, int kb, const uint8_t *const a_tok[LF_PANEL_NT],
                      float acc[LF_PANEL_NT][LF_PANEL_ROWS]) {
    tile(0, p, kb, a_tok, acc);
}

static void tile_q4_0(const lf_gemm_panel *p, int kb, const uint8_t *const a_tok[LF_PANEL_NT],
                      float acc[LF_PANEL_NT][LF_PANEL_ROWS]) {
    tile(1, p, kb, a_tok, acc);
}

void gemm_q8_0_q8_0_i8mm(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    lf_panel_run(pack_q8_0, tile_q8_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_i8mm(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    lf_panel_run(pack_q4_0, tile_q4_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
