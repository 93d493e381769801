/* kernels/x86_avx2/install_float_avx2.c - AVX2 entries for float weights (F16, BF16), installed after
 * lf_kernels_install_avx2 (which set the F16 dot/gemv):
 *   F16:  f32 -> f16 conversion, prefill gemm (f16_avx2.c).
 *   BF16: f32 -> bf16 conversion, dot, gemv, gemm (bf16_avx2.c). */
#include "kernels/isa.h"
#include "kernels/x86_avx2/avx2.h"

void lf_kernels_install_avx2_float(lf_kernels *k) {
    k->t[LF_DT_F16].from_f32 = quantize_row_f16_avx2;
    k->t[LF_DT_F16].gemm = gemm_f16_f16_avx2;
    k->t[LF_DT_BF16].from_f32 = quantize_row_bf16_avx2;
    k->t[LF_DT_BF16].dot = dot_bf16_bf16_avx2;
    k->t[LF_DT_BF16].gemv = gemv_bf16_bf16_avx2;
    k->t[LF_DT_BF16].gemm = gemm_bf16_bf16_avx2;
    k->t[LF_DT_BF16].isa = "avx2";
}
