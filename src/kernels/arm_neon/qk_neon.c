/* kernels/arm_neon/qk_neon.c - NEON (armv8-a baseline) K-quant kernels: quantize_row_q8_k
 * (bit-identical to ref: the same product iscale*x, fcvtns rounds to nearest even as
 * lf_ref_nearest_int, saturating narrows clamp as the reference) and the Q4_K/Q5_K/Q6_K x Q8_K dots
 * and 4-row gemvs of arm_neon/qk_body.h with smull/smlal products: two (Q6_K) or four (Q4_K/Q5_K)
 * products per 16-bit lane (at most 4*31*128 < 2^15), widened pairwise into int32. */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/arm_neon/neon.h"

static inline int32x4_t kq_dot32_neon(int8x16_t q0, int8x16_t a0, int8x16_t q1, int8x16_t a1) {
    int16x8_t p = vmull_s8(vget_low_s8(q0), vget_low_s8(a0));
    p = vmlal_high_s8(p, q0, a0);
    p = vmlal_s8(p, vget_low_s8(q1), vget_low_s8(a1));
    p = vmlal_high_s8(p, q1, a1);
    return vpaddlq_s16(p);
}

static inline int32x4_t kq_dot16_neon(int8x16_t q, int8x16_t a) {
    return vpaddlq_s16(vmlal_high_s8(vmull_s8(vget_low_s8(q), vget_low_s8(a)), q, a));
}

#define KQ_NAME(x) x##_neon
#define KQ_DOT32(q0, a0, q1, a1) kq_dot32_neon(q0, a0, q1, a1)
#define KQ_DOT16(q, a) kq_dot16_neon(q, a)
#include "kernels/arm_neon/qk_body.h"

void quantize_row_q8_k_neon(const float *x, void *y, int64_t n) {
    lf_block_q8_k *b = y;
    for (int64_t i = 0; i < n / LF_QK_K; i++, x += LF_QK_K) {
        float32x4_t m = vdupq_n_f32(0.0f);
        for (int j = 0; j < LF_QK_K; j += 4) m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + j)));
        const float amax = vmaxvq_f32(m);
        if (!(amax > 0.0f)) {
            memset(&b[i], 0, sizeof b[i]);
            continue;
        }
        float max = amax;
        for (int j = 0; j < LF_QK_K; j++) /* the first element of largest magnitude, with its sign */
            if (fabsf(x[j]) == amax) {
                max = x[j];
                break;
            }
        const float iscale = -127.0f / max;
        for (int j = 0; j < LF_QK_K; j += 16) {
            int32x4_t q[4];
            for (int u = 0; u < 4; u++) q[u] = vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + j + 4 * u), iscale));
            const int16x8_t h0 = vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]));
            const int16x8_t h1 = vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]));
            const int8x16_t v = vcombine_s8(vqmovn_s16(h0), vqmovn_s16(h1));
            vst1q_s8(b[i].qs + j, v);
            b[i].bsums[j / 16] = (int16_t)vaddlvq_s8(v);
        }
        b[i].d = 1.0f / iscale;
    }
}
