/* kernels/arm_neon/bf16_neon.c - NEON BF16 kernels (contracts: arm_neon/neon.h): f32 -> bf16
 * conversion, BF16 x BF16 dot, gemv and the prefill gemm.
 *
 * A bf16 is the high half of an f32: shll #16 widens 4 of them exactly (armv8-a baseline; FEAT_BF16's
 * bfdot/bfmmla are not assumed), then fused multiply-add in f32 lanes. gemv and gemm are the shared
 * body arm_neon/gemm_float_neon.h: per output the same operations in the same order, so dot, gemv and
 * gemm are bit-identical. quantize_row_bf16_neon computes ggml's rounding (lf_f32_to_bf16: + 0x7fff +
 * lsb, NaN -> quiet) in integer lanes, bit-identical to the reference for every input.
 */
#include <arm_neon.h>
#include <string.h>

#include "kernels/arm_neon/neon.h"

static inline uint16x4_t bf16_from_4(uint32x4_t u) {
    const uint32x4_t nan = vcgtq_u32(vandq_u32(u, vdupq_n_u32(0x7fffffffu)), vdupq_n_u32(0x7f800000u));
    const uint32x4_t hi = vshrq_n_u32(u, 16);
    const uint32x4_t r = vshrq_n_u32(vaddq_u32(u, vaddq_u32(vdupq_n_u32(0x7fff), vandq_u32(hi, vdupq_n_u32(1)))), 16);
    return vmovn_u32(vbslq_u32(nan, vorrq_u32(hi, vdupq_n_u32(64)), r));
}

void quantize_row_bf16_neon(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(h + i, bf16_from_4(vreinterpretq_u32_f32(vld1q_f32(x + i))));
    if (i < n) {
        float in[4] = {0};
        uint16_t o[4];
        memcpy(in, x + i, (size_t)(n - i) * sizeof(float));
        vst1_u16(o, bf16_from_4(vreinterpretq_u32_f32(vld1q_f32(in))));
        memcpy(h + i, o, (size_t)(n - i) * sizeof(uint16_t));
    }
}

static inline void bf16_load8(const uint16_t *p, float32x4_t *lo, float32x4_t *hi) {
    const uint16x8_t h = vld1q_u16(p);
    *lo = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
    *hi = vreinterpretq_f32_u32(vshll_high_n_u16(h, 16));
}

static inline void bf16_load8_tail(const uint16_t *p, int m, float32x4_t *lo, float32x4_t *hi) {
    uint16_t buf[8] = {0};
    memcpy(buf, p, (size_t)m * sizeof(uint16_t));
    bf16_load8(buf, lo, hi);
}

#define FG_NAME gemm_bf16_bf16_neon
#define FG_GEMV gemv_bf16_bf16_neon
#define FG_LOAD8 bf16_load8
#define FG_LOAD8_TAIL bf16_load8_tail
#include "kernels/arm_neon/gemm_float_neon.h"

void dot_bf16_bf16_neon(int64_t n, float *s, const void *w, const void *a) {
    gemv_bf16_bf16_neon(n, 1, s, w, 0, a);
}
