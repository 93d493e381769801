/* kernels/x86_avx512/install_avx512.c - the AVX-512 entries of the kernel table (Ice Lake, Zen 4
 * and later: F, BW, VL, VNNI). Replaces Q8_0 quantization, the F16, Q8_0 and Q4_0 dot/gemv, the Q8_0
 * and Q4_0 gemms (in-call panels, and over weights packed at load), the vector kernels and the attention
 * rows; everything else keeps whatever the earlier cascade levels installed. */
#include "kernels/isa.h"
#include "kernels/x86_avx512/avx512.h"
#include "kernels/vec.h"

void lf_kernels_install_avx512(lf_kernels *k) {
    k->t[LF_DT_Q8_0].from_f32 = quantize_row_q8_0_avx512;
    k->t[LF_DT_Q8_0].dot = dot_q8_0_q8_0_avx512;
    k->t[LF_DT_Q8_0].gemv = gemv_q8_0_q8_0_avx512;
    k->t[LF_DT_Q8_0].gemm = gemm_q8_0_q8_0_avx512;
    k->t[LF_DT_Q8_0].gemm_side = 1;
    k->t[LF_DT_Q8_0].gemm_packed = gemm_packed_q8_0_q8_0_avx512;
    k->t[LF_DT_Q8_0].isa = "avx512";
    k->t[LF_DT_Q4_0].dot = dot_q4_0_q8_0_avx512;
    k->t[LF_DT_Q4_0].gemv = gemv_q4_0_q8_0_avx512;
    k->t[LF_DT_Q4_0].gemm = gemm_q4_0_q8_0_avx512;
    k->t[LF_DT_Q4_0].gemm_side = 1;
    k->t[LF_DT_Q4_0].gemm_packed = gemm_packed_q4_0_q8_0_avx512;
    k->t[LF_DT_Q4_0].isa = "avx512";
    k->t[LF_DT_F16].dot = dot_f16_f16_avx512;
    k->t[LF_DT_F16].gemv = gemv_f16_f16_avx512;
    k->t[LF_DT_F16].isa = "avx512";
    k->vec = (lf_vec_kernels){vec_dot_f32_avx512,   vec_dot_f16_f32_avx512, vec_axpy_f32_avx512, vec_axpy_f16_avx512,
                              vec_expf_ggml_avx512, vec_swiglu_avx512, vec_geglu_avx512, vec_rmsnorm_avx512,      "avx512"};
    k->attn.scores_f16 = vec_scores_f16_avx512;
    k->attn.scores_f32 = vec_scores_f32_avx512;
    k->attn.wsum_f16 = vec_wsum_f16_avx512;
    k->attn.wsum_f32 = vec_wsum_f32_avx512;
    k->attn.widen_f16 = vec_widen_f16_avx512;
    k->attn.scores_rows_f32 = vec_scores_rows_f32_avx512;
    k->attn.wsum_rows_f32 = vec_wsum_rows_f32_avx512;
    k->attn.scores_rows_f16 = vec_scores_rows_f16_avx512;
    k->attn.wsum_rows_f16 = vec_wsum_rows_f16_avx512;
    k->attn.max_f32 = vec_max_f32_avx512;
    k->attn.sum_f64 = vec_sum_f64_avx512;
}
