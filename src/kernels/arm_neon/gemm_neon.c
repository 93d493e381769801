/* kernels/arm_neon/gemm_neon.c - Q8_0 x Q8_0 and Q4_0 x Q8_0 gemms on the armv8-a baseline
 * (smull + sadalp; prefill: 4 rows x 4 tokens per tile, body in arm_neon/gemm_body.h).
 * Bit-identical per output to dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref. */
#include <arm_neon.h>

#include "kernels/arm_neon/neon.h"
#include "kernels/arm_neon/neon_util.h"

/* Lanes whose sum is dot(w0|w1, a0|a1) over 32 int8 pairs: products fit int16 (|p| <= 16384). */
static inline int32x4_t gemm_dot32(int8x16_t w0, int8x16_t w1, int8x16_t a0, int8x16_t a1) {
    int32x4_t acc = vpaddlq_s16(vmull_s8(vget_low_s8(w0), vget_low_s8(a0)));
    acc = vpadalq_s16(acc, vmull_high_s8(w0, a0));
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(w1), vget_low_s8(a1)));
    return vpadalq_s16(acc, vmull_high_s8(w1, a1));
}

#include "kernels/arm_neon/gemm_body.h"

void gemm_q8_0_q8_0_neon(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    gemm_tiles(tile_q8_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_neon(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    gemm_tiles(tile_q4_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
