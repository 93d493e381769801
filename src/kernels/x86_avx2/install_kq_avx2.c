/* kernels/x86_avx2/install_kq_avx2.c - AVX2 entries for the K-quant weights (Q4_K, Q5_K, Q6_K x Q8_K)
 * and their activation type Q8_K (x86_avx2/qk_avx2.c); Q4_K and Q6_K also get the prefill gemm. */
#include "kernels/isa.h"
#include "kernels/x86_avx2/avx2.h"

void lf_kernels_install_avx2_kq(lf_kernels *k) {
    k->t[LF_DT_Q8_K].from_f32 = quantize_row_q8_k_avx2;
    k->t[LF_DT_Q8_K].isa = "avx2";
    k->t[LF_DT_Q4_K].dot = dot_q4_k_q8_k_avx2;
    k->t[LF_DT_Q4_K].gemv = gemv_q4_k_q8_k_avx2;
    k->t[LF_DT_Q4_K].gemm = gemm_q4_k_q8_k_avx2;
    k->t[LF_DT_Q4_K].isa = "avx2";
    k->t[LF_DT_Q5_K].dot = dot_q5_k_q8_k_avx2;
    k->t[LF_DT_Q5_K].gemv = gemv_q5_k_q8_k_avx2;
    k->t[LF_DT_Q5_K].isa = "avx2";
    k->t[LF_DT_Q6_K].dot = dot_q6_k_q8_k_avx2;
    k->t[LF_DT_Q6_K].gemv = gemv_q6_k_q8_k_avx2;
    k->t[LF_DT_Q6_K].gemm = gemm_q6_k_q8_k_avx2;
    k->t[LF_DT_Q6_K].isa = "avx2";
}
