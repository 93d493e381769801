/* kernels/arm_neon/install_vec_neon.c - NEON vector kernels (attention q.k and V accumulation, softmax
 * exp, SwiGLU; arm_neon/vec_neon.c) and the attention rows (scores, weighted sums) built on them, on every
 * AArch64 core. Sets its entries one by one: entries it does not implement keep what earlier levels set. */
#include "kernels/arm_neon/neon.h"
#include "kernels/isa.h"

void lf_kernels_install_neon_vec(lf_kernels *k) {
    k->vec.dot_f32 = vec_dot_f32_neon;
    k->vec.dot_f16_f32 = vec_dot_f16_f32_neon;
    k->vec.axpy_f32 = vec_axpy_f32_neon;
    k->vec.axpy_f16 = vec_axpy_f16_neon;
    k->vec.expf_ggml = vec_expf_ggml_neon;
    k->vec.swiglu = vec_swiglu_neon;
    k->vec.isa = "neon";
    /* attention rows: must compute what this table's dots and axpys compute */
    k->attn.scores_f16 = vec_scores_f16_neon;
    k->attn.scores_f32 = vec_scores_f32_neon;
    k->attn.wsum_f16 = vec_wsum_f16_neon;
    k->attn.wsum_f32 = vec_wsum_f32_neon;
    k->attn.scores_rows_f32 = vec_scores_rows_f32_neon;
    k->attn.wsum_rows_f32 = vec_wsum_rows_f32_neon;
    k->attn.scores_rows_f16 = vec_scores_rows_f16_neon;
    k->attn.wsum_rows_f16 = vec_wsum_rows_f16_neon;
}
