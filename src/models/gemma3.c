/* models/gemma3.c - Gemma3 text (MODEL-SPEC section 3) as llama.cpp runs it:
 *  - embedding times sqrtf(H) in f32;
 *  - sandwich norms: h += norm(attn(norm(h))) * post_attention_norm; h += norm(ffn(norm(h))) * post_ffw_norm,
 *    every norm weight used as stored (the converter already baked in Gemma's 1 + w);
 *  - per-head Q/K RMSNorm, NEOX RoPE, then q *= 1/sqrt(hd) and attention with scale 1 (llama.cpp's order);
 *  - sliding-window attention: with gemma3.attention.sliding_window = W > 0, layer il is sliding iff
 *    il % P < P - 1 (P = gemma3.attention.sliding_window_pattern, default 6, llama.cpp's set_swa_pattern:
 *    P = 0 makes every layer sliding, P = 1 none);
 *    sliding layers see the W newest keys and use RoPE base gemma3.rope.freq_base_swa (default 10000),
 *    global layers rope.freq_base; their KV cache is a ring of O(W) rows (cache/kv.h);
 *  - GELU-tanh gated FFN with ggml's CPU f16-table semantics (ops.h lf_geglu); MQA allowed (nkv = 1);
 *  - optional final logit soft-capping gemma3.final_logit_softcapping: c * tanh(logits / c). */
#include <math.h>
#include <string.h>

#include "base/err.h"
#include "models/model.h"

static int gemma3_load(lf_model_core *m, const lf_gguf *g, lfmrt_err *e) {
    const char *a = "gemma3";
    lf_hparams *hp = &m->hp;
    int rc = lf_load_dense(m, g, a, LF_DENSE_QK_NORM | LF_DENSE_POST_NORMS, 131072, e);
    if (rc) return rc;
    if (hp->n_rot != hp->head_dim)
        return lf_err(e, LFMRT_E_UNSUPPORTED, "gemma3: rope.dimension_count %d differs from the head dim %d", hp->n_rot,
                      hp->head_dim);
    const uint32_t zero = 0, def_pattern = 6;
    const float def_swa_base = 10000.0f, def_cap = 0.0f;
    uint32_t swa, pattern;
    if ((rc = lf_load_u32(g, a, "attention.sliding_window", &swa, &zero, e))) return rc;
    if (swa > (1u << 30)) return lf_err(e, LFMRT_E_FORMAT, "gemma3.attention.sliding_window %u out of range", swa);
    hp->n_swa = (int)swa;
    if (swa > 0) {
        if ((rc = lf_load_u32(g, a, "attention.sliding_window_pattern", &pattern, &def_pattern, e))) return rc;
        if ((rc = lf_load_f32(g, a, "rope.freq_base_swa", &hp->rope_base_swa, &def_swa_base, e))) return rc;
        for (int il = 0; il < hp->n_layer; il++)
            hp->swa_layer[il] = pattern == 0 || (uint32_t)il % pattern < pattern - 1;
    }
    if ((rc = lf_load_f32(g, a, "final_logit_softcapping", &hp->final_softcap, &def_cap, e))) return rc;
    if (!(hp->final_softcap >= 0.0f) || !isfinite(hp->final_softcap))
        return lf_err(e, LFMRT_E_FORMAT, "gemma3.final_logit_softcapping %g must be >= 0", (double)hp->final_softcap);
    hp->embd_scale = sqrtf((float)hp->n_embd);
    /* llama.cpp: 27B (62 layers) scales by 1/sqrt(H / nh), every other size by 1/sqrt(hd) */
    hp->q_scale = hp->n_layer == 62 ? 1.0f / sqrtf((float)(hp->n_embd / hp->n_head)) : 1.0f / sqrtf((float)hp->head_dim);
    hp->f_attn_scale = 1.0f;
    m->act = LF_ACT_GELU;
    return LFMRT_OK;
}

static int gemma3_forward(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, float *logits,
                          bool all, lfmrt_err *e) {
    const int H = m->hp.n_embd;
    const float eps = m->hp.eps;
    int rc = lf_block_embed(m, st, tokens, T, e);
    if (rc) return rc;
    for (int il = 0; il < m->hp.n_layer; il++) {
        const lf_layer *L = &m->layers[il];
        lf_rmsnorm_rows(st->op.pool, st->xn, H, st->x, H, L->attn_norm, H, eps, T);
        if ((rc = lf_block_attention(m, st, il, T, e))) return rc;
        lf_rmsnorm_rows(st->op.pool, st->o, H, st->o, H, L->post_attn_norm, H, eps, T);
        lf_add(st->x, st->o, (size_t)T * H);
        lf_rmsnorm_rows(st->op.pool, st->xn, H, st->x, H, L->ffn_norm, H, eps, T);
        if ((rc = lf_block_ffn(m, st, il, T, e))) return rc;
        lf_rmsnorm_rows(st->op.pool, st->o, H, st->o, H, L->post_ffw_norm, H, eps, T);
        lf_add(st->x, st->o, (size_t)T * H);
    }
    return lf_block_output(m, st, T, logits, all, e);
}

const lf_arch lf_arch_gemma3 = {"gemma3", gemma3_load, gemma3_forward};
