/* kernels/arm_neon/f16_neon.c - NEON F16 x F16 dot and 4-row gemv (contracts: arm_neon/neon.h).
 * Halves are widened with fcvtl (exact; armv8-a baseline, no FP16 arithmetic needed); the exact f32
 * products are accumulated with fused multiply-add in four float32x4 per row (16 lanes, as the AVX2
 * twin's two ymm), reduced, and the tail (n not a multiple of 16) is added in scalar f32. */
#include <arm_neon.h>

#include "format/dtype.h"
#include "kernels/arm_neon/neon.h"

static inline float32x4_t load_lo(const uint16_t *p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}

void gemv_f16_f16_neon(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                       const void *a) {
    const uint16_t *x = a;
    for (int64_t r = 0; r < nrows; r += 4) {
        const uint16_t *row[4];
        for (int k = 0; k < 4; k++)
            row[k] = (const uint16_t *)((const uint8_t *)w +
                                        (size_t)(r + k < nrows ? r + k : nrows - 1) * w_stride);
        float32x4_t acc[4][4];
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 4; j++) acc[k][j] = vdupq_n_f32(0.0f);
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            float32x4_t av[4];
            for (int j = 0; j < 4; j++) av[j] = load_lo(x + i + 4 * j);
            for (int k = 0; k < 4; k++)
                for (int j = 0; j < 4; j++) acc[k][j] = vfmaq_f32(acc[k][j], load_lo(row[k] + i + 4 * j), av[j]);
        }
        for (int k = 0; k < 4 && r + k < nrows; k++) {
            const float32x4_t t = vaddq_f32(vaddq_f32(acc[k][0], acc[k][1]), vaddq_f32(acc[k][2], acc[k][3]));
            float sum = vaddvq_f32(t);
            for (int64_t j = i; j < n; j++) sum += lf_fp16_to_f32(row[k][j]) * lf_fp16_to_f32(x[j]);
            s[r + k] = sum;
        }
    }
}

void dot_f16_f16_neon(int64_t n, float *s, const void *w, const void *a) {
    gemv_f16_f16_neon(n, 1, s, w, 0, a);
}
