/* kernels/arm_neon/install_neon.c - the NEON entries of the kernel table (every AArch64 core:
 * Cortex-A53 and later). Replaces Q8_0 quantization, the F16, Q8_0 and Q4_0 dot/gemv and the Q8_0, Q4_0 gemm;
 * everything else stays reference. */
#include "kernels/arm_neon/neon.h"
#include "kernels/isa.h"

void lf_kernels_install_neon(lf_kernels *k) {
    k->t[LF_DT_Q8_0].from_f32 = quantize_row_q8_0_neon;
    k->t[LF_DT_Q8_0].dot = dot_q8_0_q8_0_neon;
    k->t[LF_DT_Q8_0].gemv = gemv_q8_0_q8_0_neon;
    k->t[LF_DT_Q8_0].gemm = gemm_q8_0_q8_0_neon;
    k->t[LF_DT_Q8_0].isa = "neon";
    k->t[LF_DT_Q4_0].dot = dot_q4_0_q8_0_neon;
    k->t[LF_DT_Q4_0].gemv = gemv_q4_0_q8_0_neon;
    k->t[LF_DT_Q4_0].gemm = gemm_q4_0_q8_0_neon;
    k->t[LF_DT_Q4_0].isa = "neon";
    k->t[LF_DT_F16].dot = dot_f16_f16_neon;
    k->t[LF_DT_F16].gemv = gemv_f16_f16_neon;
    k->t[LF_DT_F16].isa = "neon";
}
