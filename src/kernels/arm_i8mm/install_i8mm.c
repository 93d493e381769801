/* kernels/arm_i8mm/install_i8mm.c - the i8mm entries of the kernel table (Armv8.6 FEAT_I8MM).
 * Installed after the dotprod level: replaces the Q8_0 and Q4_0 gemms (prefill); their dots and gemvs
 * (decode: one token, smmla's second column would be wasted) keep the dotprod entries. */
#include "kernels/arm_i8mm/i8mm.h"
#include "kernels/isa.h"

void lf_kernels_install_i8mm(lf_kernels *k) {
    k->t[LF_DT_Q8_0].gemm = gemm_q8_0_q8_0_i8mm;
    k->t[LF_DT_Q8_0].isa = "i8mm";
    k->t[LF_DT_Q4_0].gemm = gemm_q4_0_q8_0_i8mm;
    k->t[LF_DT_Q4_0].isa = "i8mm";
}
