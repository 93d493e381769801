/* kernels/kernels.c - the kernel table: scalar reference entries, then a dispatch cascade that
 * overrides entries with faster per-ISA routines the CPU supports (kernels/kernels.h).
 *
 * Invariants of a filled table, for every dtype id t < LF_DT_COUNT:
 *  - dot != NULL  <=> t is a computable weight type (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
 *    Q4_K, Q5_K, Q6_K); then gemv != NULL, to_f32 != NULL, and t[vec_dot_type].from_f32 != NULL,
 *    with vec_dot_type as MODEL-SPEC 6.1.
 *  - from_f32 != NULL for F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K and the activation types Q8_1, Q8_K.
 *  - to_f32 != NULL also for the activation types Q8_1 and Q8_K (used by tests and debugging).
 *  - where dot == NULL, vec_dot_type is t itself (meaningless) and isa is "none" unless the type
 *    has conversions ("ref").
 *  - gemm is NULL in the reference table; an ISA level may install one for a computable weight type
 *    (then matmul uses it for several tokens); its per-output result follows the type's dot contract.
 * Fast entries keep the reference contract; they may differ from ref only by float rounding order.
 */
#include "kernels/kernels.h"

#include <string.h>

#include "kernels/isa.h"
#include "kernels/ref/ref.h"
#include "kernels/vec.h"
#include "format/quant_blocks.h"

static void set(lf_kernels *k, uint32_t t, uint32_t vdt, lf_to_f32_fn to, lf_from_f32_fn from,
                lf_dot_fn dot, lf_gemv_fn gemv) {
    lf_type_kernels *e = &k->t[t];
    e->vec_dot_type = vdt;
    e->to_f32 = to;
    e->from_f32 = from;
    e->dot = dot;
    e->gemv = gemv;
    e->isa = "ref";
}

/* Attention-row entries an ISA level did not provide: the reference twins (the f16 _rows ones: see below). */
static void fill_vec_rows(lf_attn_kernels *v) {
    if (!v->scores_f16) v->scores_f16 = vec_scores_f16_ref;
    if (!v->scores_f32) v->scores_f32 = vec_scores_f32_ref;
    if (!v->wsum_f16) v->wsum_f16 = vec_wsum_f16_ref;
    if (!v->wsum_f32) v->wsum_f32 = vec_wsum_f32_ref;
    if (!v->widen_f16) v->widen_f16 = vec_widen_f16_ref;
    if (!v->scores_rows_f32) v->scores_rows_f32 = vec_scores_rows_f32_ref;
    if (!v->wsum_rows_f32) v->wsum_rows_f32 = vec_wsum_rows_f32_ref;
    /* the f16 multi-query entries must give the single-row entries' bits: the reference twins only over the
     * reference entries (lf_kernels_init_ref's, which a level may since have replaced without a twin: NULL) */
    if (v->scores_f16 == vec_scores_f16_ref) {
        if (!v->scores_rows_f16) v->scores_rows_f16 = vec_scores_rows_f16_ref;
    } else if (v->scores_rows_f16 == vec_scores_rows_f16_ref)
        v->scores_rows_f16 = NULL;
    if (v->wsum_f16 == vec_wsum_f16_ref) {
        if (!v->wsum_rows_f16) v->wsum_rows_f16 = vec_wsum_rows_f16_ref;
    } else if (v->wsum_rows_f16 == vec_wsum_rows_f16_ref)
        v->wsum_rows_f16 = NULL;
    if (!v->max_f32) v->max_f32 = vec_max_f32_ref;
    if (!v->sum_f64) v->sum_f64 = vec_sum_f64_ref;
}

void lf_kernels_init_ref(lf_kernels *k) {
    memset(k, 0, sizeof *k);
    for (uint32_t t = 0; t < LF_DT_COUNT; t++) {
        k->t[t].vec_dot_type = t;
        k->t[t].isa = "none";
    }
    /* weight types: vec_dot_type, to_f32, from_f32, dot, gemv */
    set(k, LF_DT_F32, LF_DT_F32, dequant_row_f32_ref, quantize_row_f32_ref, dot_f32_f32_ref,
        gemv_f32_f32_ref);
    set(k, LF_DT_F16, LF_DT_F16, dequant_row_f16_ref, quantize_row_f16_ref, dot_f16_f16_ref,
        gemv_f16_f16_ref);
    set(k, LF_DT_BF16, LF_DT_BF16, dequant_row_bf16_ref, quantize_row_bf16_ref, dot_bf16_bf16_ref,
        gemv_bf16_bf16_ref);
    set(k, LF_DT_Q8_0, LF_DT_Q8_0, dequant_row_q8_0_ref, quantize_row_q8_0_ref, dot_q8_0_q8_0_ref,
        gemv_q8_0_q8_0_ref);
    set(k, LF_DT_Q4_0, LF_DT_Q8_0, dequant_row_q4_0_ref, quantize_row_q4_0_ref, dot_q4_0_q8_0_ref,
        gemv_q4_0_q8_0_ref);
    set(k, LF_DT_Q5_0, LF_DT_Q8_0, dequant_row_q5_0_ref, NULL, dot_q5_0_q8_0_ref, gemv_q5_0_q8_0_ref);
    set(k, LF_DT_Q4_1, LF_DT_Q8_1, dequant_row_q4_1_ref, NULL, dot_q4_1_q8_1_ref, gemv_q4_1_q8_1_ref);
    set(k, LF_DT_Q5_1, LF_DT_Q8_1, dequant_row_q5_1_ref, NULL, dot_q5_1_q8_1_ref, gemv_q5_1_q8_1_ref);
    set(k, LF_DT_Q4_K, LF_DT_Q8_K, dequant_row_q4_k_ref, quantize_row_q4_k_ref, dot_q4_k_q8_k_ref, gemv_q4_k_q8_k_ref);
    set(k, LF_DT_Q5_K, LF_DT_Q8_K, dequant_row_q5_k_ref, quantize_row_q5_k_ref, dot_q5_k_q8_k_ref, gemv_q5_k_q8_k_ref);
    set(k, LF_DT_Q6_K, LF_DT_Q8_K, dequant_row_q6_k_ref, quantize_row_q6_k_ref, dot_q6_k_q8_k_ref, gemv_q6_k_q8_k_ref);
    /* activation-only types: conversions, no dot */
    set(k, LF_DT_Q8_1, LF_DT_Q8_1, dequant_row_q8_1_ref, quantize_row_q8_1_ref, NULL, NULL);
    set(k, LF_DT_Q8_K, LF_DT_Q8_K, dequant_row_q8_k_ref, quantize_row_q8_k_ref, NULL, NULL);
    k->vec = (lf_vec_kernels){vec_dot_f32_ref,   vec_dot_f16_f32_ref, vec_axpy_f32_ref, vec_axpy_f16_ref,
                              vec_expf_ggml_ref, vec_swiglu_ref, vec_geglu_ref, vec_rmsnorm_ref,      "ref"};
    fill_vec_rows(&k->attn);
}

/* Dispatch cascade, oldest ISA first so each later level overrides what it does better:
 *   x86-64:  AVX2 + FMA + F16C (Haswell 2013, Zen 1 2017)
 *            -> AVX-512 F/BW/VL + VNNI (Ice Lake 2019, Zen 4 2022)
 *   aarch64: NEON (every core) -> dotprod (Cortex-A76/A55r1, Apple M1) -> i8mm (Cortex-A510/A710, Apple M2)
 * Each install function replaces only the entries it implements; everything else stays ref. */
void lf_kernels_init(lf_kernels *k, lf_cpu_features cpu) {
    lf_kernels_init_ref(k);
    k->cpu = cpu;
#if defined(LFMRT_HAVE_X86)
    if (cpu.avx2 && cpu.fma && cpu.f16c) {
        lf_kernels_install_avx2(k);
        lf_kernels_install_avx2_kq(k);
        lf_kernels_install_avx2_float(k);
    }
    if (cpu.avx2 && cpu.fma && cpu.f16c && cpu.avxvnni) lf_kernels_install_avxvnni(k); /* Alder Lake and later */
    if (cpu.avx512f && cpu.avx512bw && cpu.avx512vl && cpu.avx512vnni && cpu.f16c && cpu.fma) {
        lf_kernels_install_avx512(k);
        lf_kernels_install_avx512_kq(k);
        lf_kernels_install_avx512_float(k);
    }
#endif
#if defined(LFMRT_HAVE_ARM)
    if (cpu.neon) {
        lf_kernels_install_neon(k);
        lf_kernels_install_neon_kq(k);
        lf_kernels_install_neon_float(k);
        lf_kernels_install_neon_vec(k);
    }
    if (cpu.neon && cpu.dotprod) {
        lf_kernels_install_dotprod(k);
        lf_kernels_install_dotprod_kq(k);
    }
    if (cpu.neon && cpu.dotprod && cpu.i8mm) lf_kernels_install_i8mm(k); /* Cortex-A510/A710, Apple M2 */
#endif
    fill_vec_rows(&k->attn);
}

size_t lf_kernels_act_size(const lf_kernels *k, uint32_t w, int64_t n) {
    if (w >= LF_DT_COUNT || !k->t[w].dot || n < 0) return 0;
    size_t sz = 0;
    if (!lf_dtype_row_size(k->t[w].vec_dot_type, n, &sz)) return 0;
    return sz;
}

size_t lf_kernels_gemm_act_size(const lf_kernels *k, uint32_t w, int64_t n) {
    const size_t plain = lf_kernels_act_size(k, w, n);
    if (!plain || !k->t[w].gemm || !k->t[w].gemm_side) return plain;
    return lf_act_side_row_size(n);
}

size_t lf_act_side_offset(int64_t n) { return ((size_t)(n / 32) * sizeof(lf_block_q8_0) + 15) & ~(size_t)15; }

size_t lf_act_side_row_size(int64_t n) {
    return (lf_act_side_offset(n) + (size_t)(n / 32) * sizeof(lf_act_side) + 63) & ~(size_t)63;
}

void lf_act_side_fill(void *row, int64_t n) {
    const lf_block_q8_0 *b = row;
    lf_act_side *side = (lf_act_side *)((uint8_t *)row + lf_act_side_offset(n));
    for (int64_t i = 0; i < n / 32; i++) {
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) sum += b[i].qs[j];
        side[i].neg128_sum = -128 * sum;
        side[i].neg8_sum = -8 * sum;
        side[i].d = lf_fp16_to_f32(b[i].d);
    }
}
