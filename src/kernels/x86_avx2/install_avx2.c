/* kernels/x86_avx2/install_avx2.c - the AVX2 entries of the kernel table (Haswell, Zen 1 and later:
 * AVX2 + FMA + F16C). Replaces Q8_0 quantization, the F16, Q8_0 and Q4_0 dot/gemv and the Q8_0 and
 * Q4_0 prefill gemms; everything else stays reference. */
#include "kernels/isa.h"
#include "kernels/x86_avx2/avx2.h"
#include "kernels/vec.h"

void lf_kernels_install_avx2(lf_kernels *k) {
    k->t[LF_DT_Q8_0].from_f32 = quantize_row_q8_0_avx2;
    k->t[LF_DT_Q8_0].dot = dot_q8_0_q8_0_avx2;
    k->t[LF_DT_Q8_0].gemv = gemv_q8_0_q8_0_avx2;
    k->t[LF_DT_Q8_0].gemm = gemm_q8_0_q8_0_avx2;
    k->t[LF_DT_Q8_0].gemm_side = 1; /* activation rows with lf_act_side entries */
    k->t[LF_DT_Q8_0].isa = "avx2";
    k->t[LF_DT_Q4_0].dot = dot_q4_0_q8_0_avx2;
    k->t[LF_DT_Q4_0].gemv = gemv_q4_0_q8_0_avx2;
    k->t[LF_DT_Q4_0].gemm = gemm_q4_0_q8_0_avx2;
    k->t[LF_DT_Q4_0].gemm_side = 1;
    k->t[LF_DT_Q4_0].isa = "avx2";
    k->t[LF_DT_F16].dot = dot_f16_f16_avx2;
    k->t[LF_DT_F16].gemv = gemv_f16_f16_avx2;
    k->t[LF_DT_F16].isa = "avx2";
    k->vec = (lf_vec_kernels){vec_dot_f32_avx2,   vec_dot_f16_f32_avx2, vec_axpy_f32_avx2, vec_axpy_f16_avx2,
                              vec_expf_ggml_avx2, vec_swiglu_avx2, vec_geglu_avx2, vec_rmsnorm_avx2,      "avx2"};
}
