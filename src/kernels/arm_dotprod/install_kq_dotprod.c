/* kernels/arm_dotprod/install_kq_dotprod.c - dotprod (sdot) entries for the K-quant weights (Q4_K, Q5_K,
 * Q6_K x Q8_K dot and gemv, arm_dotprod/qk_dotprod.c). Q8_K quantization keeps the NEON entry. */
#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/isa.h"

void lf_kernels_install_dotprod_kq(lf_kernels *k) {
    k->t[LF_DT_Q4_K].dot = dot_q4_k_q8_k_dotprod;
    k->t[LF_DT_Q4_K].gemv = gemv_q4_k_q8_k_dotprod;
    k->t[LF_DT_Q4_K].isa = "dotprod";
    k->t[LF_DT_Q5_K].dot = dot_q5_k_q8_k_dotprod;
    k->t[LF_DT_Q5_K].gemv = gemv_q5_k_q8_k_dotprod;
    k->t[LF_DT_Q5_K].isa = "dotprod";
    k->t[LF_DT_Q6_K].dot = dot_q6_k_q8_k_dotprod;
    k->t[LF_DT_Q6_K].gemv = gemv_q6_k_q8_k_dotprod;
    k->t[LF_DT_Q6_K].isa = "dotprod";
}
