/* kernels/arm_neon/install_kq_neon.c - NEON entries for the K-quant weights (Q4_K, Q5_K, Q6_K x Q8_K
 * dot and gemv) and their activation type Q8_K (arm_neon/qk_neon.c). No gemm: matmul runs the gemv
 * per token. */
#include "kernels/arm_neon/neon.h"
#include "kernels/isa.h"

void lf_kernels_install_neon_kq(lf_kernels *k) {
    k->t[LF_DT_Q8_K].from_f32 = quantize_row_q8_k_neon;
    k->t[LF_DT_Q8_K].isa = "neon";
    k->t[LF_DT_Q4_K].dot = dot_q4_k_q8_k_neon;
    k->t[LF_DT_Q4_K].gemv = gemv_q4_k_q8_k_neon;
    k->t[LF_DT_Q4_K].isa = "neon";
    k->t[LF_DT_Q5_K].dot = dot_q5_k_q8_k_neon;
    k->t[LF_DT_Q5_K].gemv = gemv_q5_k_q8_k_neon;
    k->t[LF_DT_Q5_K].isa = "neon";
    k->t[LF_DT_Q6_K].dot = dot_q6_k_q8_k_neon;
    k->t[LF_DT_Q6_K].gemv = gemv_q6_k_q8_k_neon;
    k->t[LF_DT_Q6_K].isa = "neon";
}
