/* kernels/arm_dotprod/gemm_packed_dotprod.c - Q8_0 and Q4_0 gemm (one token: the decode gemv) over
 * weights repacked at load in the x16 layout (kernels/pack.h), with sdot by lane.
 *
 * The layout's 64-byte code vector k of a block holds bytes 4k..4k+3 of the group's 16 rows, row i in
 * 32-bit lane i, so its 16-byte quarter h is rows 4h..4h+3 exactly as the in-call panels of
 * gemm_dotprod.c arrange them: vdotq_laneq_s32(acc, quarter, act, k % 4) adds to lane i the exact sum of
 * row 4h+i's 4 codes times the token's codes 4k..4k+3, and after the block's 8 groups each lane holds
 * its row's exact int32 block sum with no horizontal reduction and no packing per call. Q4_0: the
 * nibbles (0..15) are split with and/shift, the sum starts at the block's -8 * sum(a) (the lf_act_side
 * entry), which makes it the reference's sum of (code - 8) * a; Q8_0 codes are stored + 128 and turned
 * back with one eor. f32 steps as the reference, in its order (Q4_0: ((float)sum * dw) * da; Q8_0:
 * (float)sum * (dw * da); blocks in order): bit-identical to dot_q4_0_q8_0_ref / dot_q8_0_q8_0_ref.
 *
 * A tile is 8 rows (half a group: 2 quarters) x up to 4 tokens: 8 int32 chains, 8 f32 accumulators and
 * the tokens' 8 activation vectors stay in the 32 registers. Speed on ARM is not measured here (the
 * test machine is x86; qemu checks correctness only).
 */
#include <arm_neon.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"

#define NT_MAX 4

static inline __attribute__((always_inline)) void half_tile(int q4, const uint8_t *sc, const uint8_t *codes,
                                                            int64_t nb, int half, const uint8_t *const tq[NT_MAX],
                                                            const lf_act_side *const ts[NT_MAX], float32x4_t acc[NT_MAX][2],
                                                            const int NT) {
    const size_t cb = q4 ? 256 : 512;
    const uint8x16_t low4 = vdupq_n_u8(0x0F), flip = vdupq_n_u8(0x80);
#pragma GCC unroll 4
    for (int t = 0; t < NT; t++) acc[t][0] = acc[t][1] = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *c = codes + (size_t)b * cb + 32 * (size_t)half;
        float32x4_t dw[2];
        for (int h = 0; h < 2; h++)
            dw[h] = vcvt_f32_f16(vreinterpret_f16_u8(vld1_u8(sc + (size_t)b * 32 + 16 * (size_t)half + 8 * (size_t)h)));
        int8x16_t av[NT_MAX][2];
        int32x4_t si[NT_MAX][2];
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++) {
            const lf_block_q8_0 *ab = (const lf_block_q8_0 *)(const void *)tq[t] + b;
            av[t][0] = vld1q_s8(ab->qs), av[t][1] = vld1q_s8(ab->qs + 16);
            si[t][0] = si[t][1] = vdupq_n_s32(q4 ? ts[t][b].neg8_sum : 0);
        }
        if (q4) {
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++)
#pragma GCC unroll 2
                for (int h = 0; h < 2; h++) {
                    const uint8x16_t v = vld1q_u8(c + 64 * k + 16 * h);
                    const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(v, low4)), hi = vreinterpretq_s8_u8(vshrq_n_u8(v, 4));
#pragma GCC unroll 4
                    for (int t = 0; t < NT; t++) {
                        switch (k) { /* the lane index must be a constant */
                        case 0: si[t][h] = vdotq_laneq_s32(vdotq_laneq_s32(si[t][h], lo, av[t][0], 0), hi, av[t][1], 0); break;
                        case 1: si[t][h] = vdotq_laneq_s32(vdotq_laneq_s32(si[t][h], lo, av[t][0], 1), hi, av[t][1], 1); break;
                        case 2: si[t][h] = vdotq_laneq_s32(vdotq_laneq_s32(si[t][h], lo, av[t][0], 2), hi, av[t][1], 2); break;
                        default: si[t][h] = vdotq_laneq_s32(vdotq_laneq_s32(si[t][h], lo, av[t][0], 3), hi, av[t][1], 3); break;
                        }
                    }
                }
        } else {
#pragma GCC unroll 8
            for (int k = 0; k < 8; k++)
#pragma GCC unroll 2
                for (int h = 0; h < 2; h++) {
                    const int8x16_t q = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(c + 64 * k + 16 * h), flip));
#pragma GCC unroll 4
                    for (int t = 0; t < NT; t++) {
                        switch (k) {
                        case 0: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][0], 0); break;
                        case 1: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][0], 1); break;
                        case 2: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][0], 2); break;
                        case 3: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][0], 3); break;
                        case 4: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][1], 0); break;
                        case 5: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][1], 1); break;
                        case 6: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][1], 2); break;
                        default: si[t][h] = vdotq_laneq_s32(si[t][h], q, av[t][1], 3); break;
                        }
                    }
                }
        }
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++) {
            const float da = ts[t][b].d;
#pragma GCC unroll 2
            for (int h = 0; h < 2; h++) {
                const float32x4_t f = vcvtq_f32_s32(si[t][h]);
                if (q4) /* reference: sumi * dw * da, left to right */
                    acc[t][h] = vaddq_f32(acc[t][h], vmulq_n_f32(vmulq_f32(f, dw[h]), da));
                else /* reference: sumi * (dw * da) */
                    acc[t][h] = vaddq_f32(acc[t][h], vmulq_f32(f, vmulq_n_f32(dw[h], da)));
            }
        }
    }
}

static void gemm_packed(int q4, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                        size_t w_stride, const void *a, size_t a_stride) {
    const int64_t nb = n / LF_QK;
    const size_t side_off = lf_act_side_offset(n), sc_bytes = ((size_t)nb * 32 + 63) & ~(size_t)63;
    for (int64_t r0 = 0; r0 < nrows; r0 += LF_PACK_ROWS) {
        const uint8_t *sc = (const uint8_t *)w + (size_t)(r0 / LF_PACK_ROWS) * w_stride, *codes = sc + sc_bytes;
        for (int half = 0; half < 2; half++) {
            const int64_t rh = r0 + 8 * half;
            if (rh >= nrows) break;
            for (int64_t t0 = 0; t0 < ntok; t0 += NT_MAX) {
                const int nt = ntok - t0 < NT_MAX ? (int)(ntok - t0) : NT_MAX;
                const uint8_t *tq[NT_MAX];
                const lf_act_side *ts[NT_MAX];
                for (int t = 0; t < NT_MAX; t++) {
                    tq[t] = (const uint8_t *)a + (size_t)(t0 + (t < nt ? t : nt - 1)) * a_stride;
                    ts[t] = (const lf_act_side *)(const void *)(tq[t] + side_off);
                }
                float32x4_t acc[NT_MAX][2];
                switch (nt) {
                case 1: half_tile(q4, sc, codes, nb, half, tq, ts, acc, 1); break;
                case 2: half_tile(q4, sc, codes, nb, half, tq, ts, acc, 2); break;
                case 3: half_tile(q4, sc, codes, nb, half, tq, ts, acc, 3); break;
                default: half_tile(q4, sc, codes, nb, half, tq, ts, acc, 4); break;
                }
                for (int t = 0; t < nt; t++) {
                    float o[8];
                    vst1q_f32(o, acc[t][0]);
                    vst1q_f32(o + 4, acc[t][1]);
                    const int64_t keep = nrows - rh < 8 ? nrows - rh : 8;
                    memcpy(s + (size_t)(t0 + t) * s_stride + (size_t)rh, o, sizeof(float) * (size_t)keep);
                }
            }
        }
    }
}

void gemm_packed_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                   size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed(0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_packed_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                                   size_t w_stride, const void *a, size_t a_stride) {
    gemm_packed(1, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
