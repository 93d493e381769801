/* kernels/arm_dotprod/qk_dotprod.c - K-quant dots and 4-row gemvs (Q4_K, Q5_K, Q6_K x Q8_K) with the
 * Armv8.2 sdot instruction: the body of arm_neon/qk_body.h with one sdot per 16 code/activation
 * pairs (4 products per int32 lane). Exact integer sums, f32 order different from the reference
 * (tests/kernels/test_kquant.c's tolerance). Q8_K quantization keeps the NEON entry. */
#include <arm_neon.h>

#include "kernels/arm_dotprod/dotprod.h"

#define KQ_NAME(x) x##_dotprod
#define KQ_DOT32(q0, a0, q1, a1) vdotq_s32(vdotq_s32(vdupq_n_s32(0), q0, a0), q1, a1)
#define KQ_DOT16(q, a) vdotq_s32(vdupq_n_s32(0), q, a)
#include "kernels/arm_neon/qk_body.h"
