/* kernels/arm_dotprod/q8_dotprod.c - Q8_0 x Q8_0 and Q4_0 x Q8_0 dot/gemv with sdot (vdotq_s32:
 * four int8 x int8 products summed into each int32 lane). Contracts: arm_dotprod/dotprod.h.
 *
 * Exactness: a block's 32 products go into one int32x4 (two sdot), reduced to one int32 per row,
 * then scaled with the reference's f32 operations in the reference's order (Q8_0: sumi*(dw*da);
 * Q4_0: sumi*dw*da), one row per lane, so results equal kernels/ref bit for bit. Same 4-row pass
 * layout as the NEON twin (arm_neon/q8_neon.c).
 */
#include <arm_neon.h>

#include "format/quant_blocks.h"
#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/arm_neon/neon_util.h"

/* ---- Q8_0 x Q8_0 ------------------------------------------------------------------------------ */

static float32x4_t pass_q8_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q8_0);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const int8x16_t a0 = vld1q_s8(a[b].qs), a1 = vld1q_s8(a[b].qs + 16);
        int32x4_t s[4];
        for (int k = 0; k < 4; k++) {
            const int8_t *q = (const int8_t *)(row[k] + (size_t)b * bs + 2);
            s[k] = vdotq_s32(vdotq_s32(vdupq_n_s32(0), vld1q_s8(q), a0), vld1q_s8(q + 16), a1);
        }
        const float32x4_t f = vcvtq_f32_s32(lf_neon_reduce4(s[0], s[1], s[2], s[3]));
        const float32x4_t d = vmulq_n_f32(lf_neon_scales4(row, (size_t)b * bs), lf_neon_h2f(a[b].d));
        acc = vaddq_f32(acc, vmulq_f32(f, d));
    }
    return acc;
}

void gemv_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                            const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        lf_neon_pass_rows(w, w_stride, r, nrows, row);
        lf_neon_store_rows(s, r, nrows, pass_q8_0(n / LF_QK, row, a));
    }
}

void dot_q8_0_q8_0_dotprod(int64_t n, float *s, const void *w, const void *a) {
    gemv_q8_0_q8_0_dotprod(n, 1, s, w, 0, a);
}

/* ---- Q4_0 x Q8_0 ------------------------------------------------------------------------------ */

static float32x4_t pass_q4_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q4_0);
    const uint8x16_t low4 = vdupq_n_u8(0x0F);
    const int8x16_t eight = vdupq_n_s8(8);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const int8x16_t a0 = vld1q_s8(a[b].qs), a1 = vld1q_s8(a[b].qs + 16);
        int32x4_t s[4];
        for (int k = 0; k < 4; k++) {
            const uint8x16_t q = vld1q_u8(row[k] + (size_t)b * bs + 2);
            const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, low4)), eight);
            const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
            s[k] = vdotq_s32(vdotq_s32(vdupq_n_s32(0), lo, a0), hi, a1);
        }
        const float32x4_t f = vcvtq_f32_s32(lf_neon_reduce4(s[0], s[1], s[2], s[3]));
        const float32x4_t p = vmulq_n_f32(vmulq_f32(f, lf_neon_scales4(row, (size_t)b * bs)),
                                          lf_neon_h2f(a[b].d));
        acc = vaddq_f32(acc, p);
    }
    return acc;
}

void gemv_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                            const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        lf_neon_pass_rows(w, w_stride, r, nrows, row);
        lf_neon_store_rows(s, r, nrows, pass_q4_0(n / LF_QK, row, a));
    }
}

void dot_q4_0_q8_0_dotprod(int64_t n, float *s, const void *w, const void *a) {
    gemv_q4_0_q8_0_dotprod(n, 1, s, w, 0, a);
}
