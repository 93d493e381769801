/* kernels/arm_neon/f16_neon.c - NEON F16 kernels (contracts: arm_neon/neon.h): f32 -> f16 conversion,
 * F16 x F16 dot, gemv and the prefill gemm.
 *
 * Halves are widened with fcvtl/fcvtl2 (exact; armv8-a baseline, no FP16 arithmetic needed); the exact
 * f32 products are accumulated with fused multiply-add (as ggml's NEON path without FP16 arithmetic).
 * gemv and gemm are the shared body arm_neon/gemm_float_neon.h: per output the same operations in the
 * same order, so dot, gemv and gemm are bit-identical. Tails (n not a multiple of 8) go through a zeroed
 * stack copy.
 * from_f32: fcvtn rounds to nearest even (FPCR default) like lf_f32_to_fp16, which only differs for NaN
 * (the hardware keeps payload bits): NaN lanes become sign | 0x7e00, bit-identical to the reference.
 */
#include <arm_neon.h>
#include <string.h>

#include "kernels/arm_neon/neon.h"

static inline uint16x4_t f16_from_4(float32x4_t v) {
    const uint16x4_t c = vreinterpret_u16_f16(vcvt_f16_f32(v));
    const uint16x4_t nan = vmovn_u32(vmvnq_u32(vceqq_f32(v, v)));
    const uint16x4_t sign = vshrn_n_u32(vandq_u32(vreinterpretq_u32_f32(v), vdupq_n_u32(0x80000000u)), 16);
    return vbsl_u16(nan, vorr_u16(sign, vdup_n_u16(0x7e00)), c);
}

void quantize_row_f16_neon(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(h + i, f16_from_4(vld1q_f32(x + i)));
    if (i < n) {
        float in[4] = {0};
        uint16_t o[4];
        memcpy(in, x + i, (size_t)(n - i) * sizeof(float));
        vst1_u16(o, f16_from_4(vld1q_f32(in)));
        memcpy(h + i, o, (size_t)(n - i) * sizeof(uint16_t));
    }
}

static inline void f16_load8(const uint16_t *p, float32x4_t *lo, float32x4_t *hi) {
    const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(p));
    *lo = vcvt_f32_f16(vget_low_f16(h));
    *hi = vcvt_high_f32_f16(h);
}

static inline void f16_load8_tail(const uint16_t *p, int m, float32x4_t *lo, float32x4_t *hi) {
    uint16_t buf[8] = {0};
    memcpy(buf, p, (size_t)m * sizeof(uint16_t));
    f16_load8(buf, lo, hi);
}

#define FG_NAME gemm_f16_f16_neon
#define FG_GEMV gemv_f16_f16_neon
#define FG_LOAD8 f16_load8
#define FG_LOAD8_TAIL f16_load8_tail
#include "kernels/arm_neon/gemm_float_neon.h"

void dot_f16_f16_neon(int64_t n, float *s, const void *w, const void *a) {
    gemv_f16_f16_neon(n, 1, s, w, 0, a);
}
