/* kernels/arm_neon/neon_util.h - small inline helpers shared by the NEON and dotprod translation
 * units (private to kernels/arm_*): 4-row pass setup, f16 scale loads, 4-lane stores.
 * Uses only armv8-a Advanced SIMD, so it compiles under both units' flags. */
#ifndef LF_KERNELS_NEON_UTIL_H
#define LF_KERNELS_NEON_UTIL_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Rows r..r+3 of w; rows past nrows repeat the last one (their results are never stored). */
static inline void lf_neon_pass_rows(const uint8_t *w, size_t stride, int64_t r, int64_t nrows,
                                     const uint8_t *out[4]) {
    for (int k = 0; k < 4; k++) out[k] = w + (size_t)(r + k < nrows ? r + k : nrows - 1) * stride;
}

/* The f16 at byte offset `off` of each of 4 rows, widened to f32 (exact: fcvtl). Rows are only
 * 2-byte aligned, hence memcpy. */
static inline float32x4_t lf_neon_scales4(const uint8_t *const r[4], size_t off) {
    uint16_t h[4];
    for (int k = 0; k < 4; k++) memcpy(&h[k], r[k] + off, 2);
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h)));
}

/* One f16 widened to f32 (exact). */
static inline float lf_neon_h2f(uint16_t h) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

static inline void lf_neon_store_rows(float *s, int64_t r, int64_t nrows, float32x4_t acc) {
    float t[4];
    vst1q_f32(t, acc);
    for (int k = 0; k < 4 && r + k < nrows; k++) s[r + k] = t[k];
}

/* [sum(a0), sum(a1), sum(a2), sum(a3)] */
static inline int32x4_t lf_neon_reduce4(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3) {
    return vpaddq_s32(vpaddq_s32(a0, a1), vpaddq_s32(a2, a3));
}

#endif
