/* kernels/arm_dotprod/install_dotprod.c - the dotprod entries of the kernel table (Armv8.2
 * FEAT_DotProd: Cortex-A55/A76, Apple M1, Neoverse N1 and later). Installed after the NEON level:
 * replaces the Q8_0 and Q4_0 dot/gemv/gemm and adds their gemm over load-time packed weights; Q8_0
 * quantization and F16 keep their NEON entries. */
#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/isa.h"

void lf_kernels_install_dotprod(lf_kernels *k) {
    k->t[LF_DT_Q8_0].dot = dot_q8_0_q8_0_dotprod;
    k->t[LF_DT_Q8_0].gemv = gemv_q8_0_q8_0_dotprod;
    k->t[LF_DT_Q8_0].gemm = gemm_q8_0_q8_0_dotprod;
    k->t[LF_DT_Q8_0].gemm_packed = gemm_packed_q8_0_q8_0_dotprod;
    k->t[LF_DT_Q8_0].isa = "dotprod";
    k->t[LF_DT_Q4_0].dot = dot_q4_0_q8_0_dotprod;
    k->t[LF_DT_Q4_0].gemv = gemv_q4_0_q8_0_dotprod;
    k->t[LF_DT_Q4_0].gemm = gemm_q4_0_q8_0_dotprod;
    k->t[LF_DT_Q4_0].gemm_packed = gemm_packed_q4_0_q8_0_dotprod;
    k->t[LF_DT_Q4_0].isa = "dotprod";
}
