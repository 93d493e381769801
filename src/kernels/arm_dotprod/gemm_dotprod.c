/* kernels/arm_dotprod/gemm_dotprod.c - Q8_0 x Q8_0 and Q4_0 x Q8_0 gemms with sdot (prefill:
 * 4 rows x 4 tokens per tile, weights loaded once per tile; body in arm_neon/gemm_body.h).
 * Bit-identical per output to dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref. */
#include <arm_neon.h>

#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/arm_neon/neon_util.h"

/* Lanes whose sum is dot(w0|w1, a0|a1) over 32 int8 pairs (two sdot). */
static inline int32x4_t gemm_dot32(int8x16_t w0, int8x16_t w1, int8x16_t a0, int8x16_t a1) {
    return vdotq_s32(vdotq_s32(vdupq_n_s32(0), w0, a0), w1, a1);
}

#include "kernels/arm_neon/gemm_body.h"

void gemm_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    gemm_tiles(tile_q8_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    gemm_tiles(tile_q4_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
