/* kernels/arm_neon/install_float_neon.c - NEON entries for float weights (F16, BF16), installed after
 * lf_kernels_install_neon (which set the F16 dot/gemv, from the same body as this gemm):
 *   F16:  f32 -> f16 conversion, prefill gemm (f16_neon.c).
 *   BF16: f32 -> bf16 conversion, dot, gemv, gemm (bf16_neon.c). */
#include "kernels/arm_neon/neon.h"
#include "kernels/isa.h"

void lf_kernels_install_neon_float(lf_kernels *k) {
    k->t[LF_DT_F16].from_f32 = quantize_row_f16_neon;
    k->t[LF_DT_F16].gemm = gemm_f16_f16_neon;
    k->t[LF_DT_BF16].from_f32 = quantize_row_bf16_neon;
    k->t[LF_DT_BF16].dot = dot_bf16_bf16_neon;
    k->t[LF_DT_BF16].gemv = gemv_bf16_bf16_neon;
    k->t[LF_DT_BF16].gemm = gemm_bf16_bf16_neon;
    k->t[LF_DT_BF16].isa = "neon";
}
