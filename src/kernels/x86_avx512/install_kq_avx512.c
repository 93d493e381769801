/* kernels/x86_avx512/install_kq_avx512.c - AVX-512 VNNI entries for the K-quant weights (Q4_K, Q5_K,
 * Q6_K x Q8_K dot and gemv, x86_avx512/qk_avx512.c). Q8_K quantization keeps the AVX2 entry (already
 * bit-identical to ref). Q4_K and Q6_K also get the prefill gemm (gemm_side 0: plain Q8_K rows); Q4_K, Q5_K
 * and Q6_K the gemm over their load-time x16 layouts (kernels/pack.h, x86_avx512/gemm_packed_k_avx512.c). */
#include "kernels/isa.h"
#include "kernels/x86_avx512/avx512.h"

void lf_kernels_install_avx512_kq(lf_kernels *k) {
    k->t[LF_DT_Q4_K].dot = dot_q4_k_q8_k_avx512;
    k->t[LF_DT_Q4_K].gemv = gemv_q4_k_q8_k_avx512;
    k->t[LF_DT_Q4_K].gemm = gemm_q4_k_q8_k_avx512;
    k->t[LF_DT_Q4_K].gemm_packed = gemm_packed_q4_k_q8_k_avx512;
    k->t[LF_DT_Q4_K].isa = "avx512";
    k->t[LF_DT_Q5_K].dot = dot_q5_k_q8_k_avx512;
    k->t[LF_DT_Q5_K].gemv = gemv_q5_k_q8_k_avx512;
    k->t[LF_DT_Q5_K].gemm_packed = gemm_packed_q5_k_q8_k_avx512;
    k->t[LF_DT_Q5_K].isa = "avx512";
    k->t[LF_DT_Q6_K].dot = dot_q6_k_q8_k_avx512;
    k->t[LF_DT_Q6_K].gemv = gemv_q6_k_q8_k_avx512;
    k->t[LF_DT_Q6_K].gemm = gemm_q6_k_q8_k_avx512;
    k->t[LF_DT_Q6_K].gemm_packed = gemm_packed_q6_k_q8_k_avx512;
    k->t[LF_DT_Q6_K].isa = "avx512";
}
