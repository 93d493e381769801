/* kernels/arm_neon/q8_neon.c - NEON (armv8-a baseline) kernels of the Q8_0 activation family:
 * quantize_row_q8_0, Q8_0 x Q8_0 and Q4_0 x Q8_0 dot/gemv (contracts: arm_neon/neon.h).
 *
 * Exactness: every (row, block) integer sum is formed exactly (smull: int8 x int8 -> int16, at most
 * 128*128 = 16384 in magnitude; sadalp: pairwise into int32) and reduced to one int32 per row, then
 * scaled with the reference's f32 operations in the reference's order, one row per lane, so results
 * equal kernels/ref bit for bit (the build is ISO C, so no multiply-add is contracted).
 * Gemvs take 4 rows per pass so the activation block is loaded once for 4 rows (ggml's layout).
 */
#include <arm_neon.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/arm_neon/neon.h"
#include "kernels/arm_neon/neon_util.h"

/* ---- quantize_row_q8_0 ------------------------------------------------------------------------ */

/* amax, d = amax/127 (stored as f16), id = 127/amax and codes rint(x*id) as the reference; fcvtns
 * rounds to nearest even and the narrowing steps saturate, so the codes match lf_ref_rint_i8. */
void quantize_row_q8_0_neon(const float *x, void *y, int64_t n) {
    lf_block_q8_0 *b = y;
    for (int64_t i = 0; i < n / LF_QK; i++, x += LF_QK) {
        float32x4_t v[8];
        for (int k = 0; k < 8; k++) v[k] = vld1q_f32(x + 4 * k);
        float32x4_t m = vabsq_f32(v[0]);
        for (int k = 1; k < 8; k++) m = vmaxq_f32(m, vabsq_f32(v[k]));
        const float amax = vmaxvq_f32(m);
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        b[i].d = lf_f32_to_fp16(d);
        int16x8_t h[4];
        for (int k = 0; k < 4; k++) {
            const int32x4_t q0 = vcvtnq_s32_f32(vmulq_n_f32(v[2 * k], id));
            const int32x4_t q1 = vcvtnq_s32_f32(vmulq_n_f32(v[2 * k + 1], id));
            h[k] = vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1));
        }
        vst1q_s8(b[i].qs, vcombine_s8(vqmovn_s16(h[0]), vqmovn_s16(h[1])));
        vst1q_s8(b[i].qs + 16, vcombine_s8(vqmovn_s16(h[2]), vqmovn_s16(h[3])));
    }
}

/* ---- integer block sums ----------------------------------------------------------------------- */

/* Lanes whose sum is dot(w0|w1, a0|a1) over 32 int8 pairs. */
static inline int32x4_t dot32_s8(int8x16_t w0, int8x16_t w1, int8x16_t a0, int8x16_t a1) {
    int32x4_t acc = vpaddlq_s16(vmull_s8(vget_low_s8(w0), vget_low_s8(a0)));
    acc = vpadalq_s16(acc, vmull_high_s8(w0, a0));
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(w1), vget_low_s8(a1)));
    return vpadalq_s16(acc, vmull_high_s8(w1, a1));
}

/* ---- Q8_0 x Q8_0 ------------------------------------------------------------------------------ */

static float32x4_t pass_q8_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q8_0);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const int8x16_t a0 = vld1q_s8(a[b].qs), a1 = vld1q_s8(a[b].qs + 16);
        int32x4_t s[4];
        for (int k = 0; k < 4; k++) {
            const int8_t *q = (const int8_t *)(row[k] + (size_t)b * bs + 2);
            s[k] = dot32_s8(vld1q_s8(q), vld1q_s8(q + 16), a0, a1);
        }
        const float32x4_t f = vcvtq_f32_s32(lf_neon_reduce4(s[0], s[1], s[2], s[3]));
        /* reference: sumi * (dw * da) */
        const float32x4_t d = vmulq_n_f32(lf_neon_scales4(row, (size_t)b * bs), lf_neon_h2f(a[b].d));
        acc = vaddq_f32(acc, vmulq_f32(f, d));
    }
    return acc;
}

void gemv_q8_0_q8_0_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        lf_neon_pass_rows(w, w_stride, r, nrows, row);
        lf_neon_store_rows(s, r, nrows, pass_q8_0(n / LF_QK, row, a));
    }
}

void dot_q8_0_q8_0_neon(int64_t n, float *s, const void *w, const void *a) {
    gemv_q8_0_q8_0_neon(n, 1, s, w, 0, a);
}

/* ---- Q4_0 x Q8_0 ------------------------------------------------------------------------------ */

/* Low nibbles (elements 0..15) and high nibbles (16..31) of a Q4_0 block as int8 codes - 8. */
static inline void unpack_q4_0(const uint8_t *qs, int8x16_t *lo, int8x16_t *hi) {
    const uint8x16_t q = vld1q_u8(qs);
    const int8x16_t eight = vdupq_n_s8(8);
    *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), eight);
    *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
}

static float32x4_t pass_q4_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q4_0);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const int8x16_t a0 = vld1q_s8(a[b].qs), a1 = vld1q_s8(a[b].qs + 16);
        int32x4_t s[4];
        for (int k = 0; k < 4; k++) {
            int8x16_t lo, hi;
            unpack_q4_0(row[k] + (size_t)b * bs + 2, &lo, &hi);
            s[k] = dot32_s8(lo, hi, a0, a1);
        }
        const float32x4_t f = vcvtq_f32_s32(lf_neon_reduce4(s[0], s[1], s[2], s[3]));
        /* reference: sumi * dw * da, left to right */
        const float32x4_t p = vmulq_n_f32(vmulq_f32(f, lf_neon_scales4(row, (size_t)b * bs)),
                                          lf_neon_h2f(a[b].d));
        acc = vaddq_f32(acc, p);
    }
    return acc;
}

void gemv_q4_0_q8_0_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        lf_neon_pass_rows(w, w_stride, r, nrows, row);
        lf_neon_store_rows(s, r, nrows, pass_q4_0(n / LF_QK, row, a));
    }
}

void dot_q4_0_q8_0_neon(int64_t n, float *s, const void *w, const void *a) {
    gemv_q4_0_q8_0_neon(n, 1, s, w, 0, a);
}
