/* kernels/x86_avxvnni/install_avxvnni.c - the AVX-VNNI entries of the kernel table (after AVX2, before
 * AVX-512, which overrides them where present): the Q8_0 and Q4_0 prefill gemms. */
#include "kernels/isa.h"
#include "kernels/x86_avxvnni/avxvnni.h"

void lf_kernels_install_avxvnni(lf_kernels *k) {
    k->t[LF_DT_Q8_0].gemm = gemm_q8_0_q8_0_avxvnni;
    k->t[LF_DT_Q8_0].gemm_side = 1; /* activation rows with lf_act_side entries */
    k->t[LF_DT_Q4_0].gemm = gemm_q4_0_q8_0_avxvnni;
    k->t[LF_DT_Q4_0].gemm_side = 1;
}
