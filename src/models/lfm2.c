/* models/lfm2.c - LFM2 (Liquid AI): hybrid of double-gated short-convolution blocks and GQA attention
 * blocks. MODEL-SPEC section 1: layer kinds from the per-layer head_count_kv array (0 = conv),
 * `token_embd_norm` is the FINAL norm, tied output head unless `output.weight` exists. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "models/model.h"

static int load_head_count_kv(lf_model_core *m, const lf_gguf *g, lfmrt_err *e) {
    lf_hparams *hp = &m->hp;
    const lf_gguf_kv *kv = lf_gguf_find_kv(g, "lfm2.attention.head_count_kv");
    if (!kv) return lf_err(e, LFMRT_E_NOTFOUND, "key 'lfm2.attention.head_count_kv' not found");
    if (kv->type == LF_GGUF_ARRAY) {
        if (kv->v.arr.n != (uint64_t)hp->n_layer)
            return lf_err(e, LFMRT_E_FORMAT, "key 'lfm2.attention.head_count_kv': expected %d elements (block_count), found %llu",
                          hp->n_layer, (unsigned long long)kv->v.arr.n);
        for (int il = 0; il < hp->n_layer; il++) {
            int64_t v;
            if (!lf_gguf_arr_int(kv, (uint64_t)il, &v) || v < 0 || v > hp->n_head)
                return lf_err(e, LFMRT_E_FORMAT, "key 'lfm2.attention.head_count_kv'[%d]: expected an integer in 0..%d",
                              il, hp->n_head);
            hp->n_head_kv[il] = (int)v;
        }
    } else {
        uint32_t v;
        int rc = lf_gguf_get_u32(g, "lfm2.attention.head_count_kv", &v, e);
        if (rc) return rc;
        if (v > (uint32_t)hp->n_head)
            return lf_err(e, LFMRT_E_FORMAT, "key 'lfm2.attention.head_count_kv' = %u exceeds head_count %d", v, hp->n_head);
        for (int il = 0; il < hp->n_layer; il++) hp->n_head_kv[il] = (int)v;
    }
    for (int il = 0; il < hp->n_layer; il++) {
        if (hp->n_head_kv[il] > 0 && hp->n_head % hp->n_head_kv[il] != 0)
            return lf_err(e, LFMRT_E_FORMAT, "layer %d: head_count %d is not a multiple of head_count_kv %d", il,
                          hp->n_head, hp->n_head_kv[il]);
        if (hp->n_head_kv[il] > hp->n_head_kv_max) hp->n_head_kv_max = hp->n_head_kv[il];
    }
    return LFMRT_OK;
}

static int lfm2_load(lf_model_core *m, const lf_gguf *g, lfmrt_err *e) {
    lf_hparams *hp = &m->hp;
    const char *a = "lfm2";
    uint32_t u;
    int rc;
    const uint32_t def_lc = 3, def_ctx = 128000, def_zero = 0;
    const float def_base = 1000000.0f, def_eps = 1e-5f;
    if ((rc = lf_load_u32(g, a, "block_count", &u, NULL, e))) return rc;
    if (u < 1 || u > LF_MAX_LAYERS) return lf_err(e, LFMRT_E_UNSUPPORTED, "lfm2.block_count %u out of range 1..%d", u, LF_MAX_LAYERS);
    hp->n_layer = (int)u;
    if ((rc = lf_load_u32(g, a, "embedding_length", &u, NULL, e))) return rc;
    hp->n_embd = (int)u;
    if ((rc = lf_load_u32(g, a, "feed_forward_length", &u, NULL, e))) return rc;
    hp->n_ff = (int)u;
    if ((rc = lf_load_u32(g, a, "attention.head_count", &u, NULL, e))) return rc;
    hp->n_head = (int)u;
    if ((rc = lf_load_u32(g, a, "context_length", &u, &def_ctx, e))) return rc;
    hp->n_ctx_train = (int)u;
    if ((rc = lf_load_u32(g, a, "shortconv.l_cache", &u, &def_lc, e))) return rc;
    if (u < 2 || u > 64) return lf_err(e, LFMRT_E_UNSUPPORTED, "lfm2.shortconv.l_cache %u out of range 2..64", u);
    hp->l_cache = (int)u;
    if ((rc = lf_load_f32(g, a, "attention.layer_norm_rms_epsilon", &hp->eps, &def_eps, e))) return rc;
    if ((rc = lf_load_f32(g, a, "rope.freq_base", &hp->rope_base, &def_base, e))) return rc;
    if ((rc = lf_load_u32(g, a, "attention.sliding_window", &u, &def_zero, e))) return rc;
    hp->n_swa = (int)u;
    if (hp->n_embd < 1 || hp->n_ff < 1 || hp->n_head < 1 || hp->n_embd % hp->n_head)
        return lf_err(e, LFMRT_E_FORMAT, "lfm2: embedding_length %d not divisible by head_count %d", hp->n_embd, hp->n_head);
    hp->head_dim = hp->n_embd / hp->n_head;
    if ((rc = lf_load_u32(g, a, "attention.key_length", &u, NULL, NULL)) == LFMRT_OK) hp->head_dim = (int)u;
    if (hp->head_dim % 2) return lf_err(e, LFMRT_E_FORMAT, "lfm2: head dim %d is odd", hp->head_dim);
    hp->n_rot = hp->head_dim;
    hp->f_attn_scale = 1.0f / sqrtf((float)hp->head_dim);
    hp->embd_scale = 1.0f;
    hp->rope_base_swa = hp->rope_base;
    if ((rc = load_head_count_kv(m, g, e))) return rc;
    for (int il = 0; il < hp->n_layer; il++) hp->swa_layer[il] = hp->n_swa > 0;

    const int64_t H = hp->n_embd, F = hp->n_ff, hd = hp->head_dim;
    const lf_gguf_tensor *te = lf_gguf_find_tensor(g, "token_embd.weight");
    if (!te) return lf_err(e, LFMRT_E_NOTFOUND, "tensor 'token_embd.weight' not found");
    if ((rc = lf_load_mat(g, "token_embd.weight", H, -1, &m->tok_embd, e))) return rc;
    hp->n_vocab = (int)m->tok_embd.ne1;
    if (lf_gguf_find_tensor(g, "output.weight")) {
        if ((rc = lf_load_mat(g, "output.weight", H, hp->n_vocab, &m->output, e))) return rc;
        m->tied = false;
    } else {
        m->output = m->tok_embd;
        m->tied = true;
    }
    if ((rc = lf_load_vec(g, "token_embd_norm.weight", H, &m->final_norm, e))) return rc;
    m->file_type = m->tok_embd.type;

    char name[128];
#define T_NAME(fmt) (snprintf(name, sizeof name, "blk.%d." fmt ".weight", il), name)
    for (int il = 0; il < hp->n_layer; il++) {
        lf_layer *L = &m->layers[il];
        if ((rc = lf_load_vec(g, T_NAME("attn_norm"), H, &L->attn_norm, e))) return rc;
        if ((rc = lf_load_vec(g, T_NAME("ffn_norm"), H, &L->ffn_norm, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("ffn_gate"), H, F, &L->ffn_gate, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("ffn_up"), H, F, &L->ffn_up, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("ffn_down"), F, H, &L->ffn_down, e))) return rc;
        const int nkv = hp->n_head_kv[il];
        if (nkv > 0) {
            L->kind = 'A';
            L->cache_index = m->n_kv_layers++;
            if ((rc = lf_load_mat(g, T_NAME("attn_q"), H, hp->n_head * hd, &L->wq, e))) return rc;
            if ((rc = lf_load_mat(g, T_NAME("attn_k"), H, nkv * hd, &L->wk, e))) return rc;
            if ((rc = lf_load_mat(g, T_NAME("attn_v"), H, nkv * hd, &L->wv, e))) return rc;
            if ((rc = lf_load_mat(g, T_NAME("attn_output"), hp->n_head * hd, H, &L->wo, e))) return rc;
            if ((rc = lf_load_vec(g, T_NAME("attn_q_norm"), hd, &L->q_norm, e))) return rc;
            if ((rc = lf_load_vec(g, T_NAME("attn_k_norm"), hd, &L->k_norm, e))) return rc;
            m->file_type = L->wq.type;
        } else {
            L->kind = 'C';
            L->cache_index = m->n_conv_layers++;
            const int64_t ne[2] = {hp->l_cache, H};
            const lf_gguf_tensor *t;
            if ((rc = lf_gguf_get_tensor(g, T_NAME("shortconv.conv"), 1u << 0, 2, ne, &t, e))) return rc;
            L->conv = t->data;
            if ((rc = lf_load_mat(g, T_NAME("shortconv.in_proj"), H, 3 * H, &L->in_proj, e))) return rc;
            if ((rc = lf_load_mat(g, T_NAME("shortconv.out_proj"), H, H, &L->out_proj, e))) return rc;
        }
    }
#undef T_NAME
    m->act = LF_ACT_SILU;
    return LFMRT_OK;
}

/* Short conv (MODEL-SPEC 1.5): bcx = in_proj u; g = B*x; conv over [state; g] with taps w[c][0..L-1]
 * (the last tap on the current token); y = C*conv; out_proj y. State keeps the last L-1 values of g. */
static int lfm2_shortconv(const lf_model_core *m, lf_fwd_state *st, int il, int T, lfmrt_err *e) {
    const lf_layer *L = &m->layers[il];
    const int H = m->hp.n_embd, K = m->hp.l_cache;
    const int qs = m->hp.n_head * m->hp.head_dim > 3 * H ? m->hp.n_head * m->hp.head_dim : 3 * H;
    int rc = lf_matmul(&st->op, &L->in_proj, st->xn, H, st->q, qs, T);
    if (rc) return lf_err(e, rc, "layer %d: shortconv.in_proj: matmul failed", il);
    if (st->n_rows == 0)
        lf_shortconv(st->att, H, st->q, qs, lf_convstate_layer(&st->conv, L->cache_index), L->conv, H, K, T);
    else /* batched sequences: each token advances its own sequence's conv state */
        for (int t = 0; t < T; t++)
            lf_shortconv(st->att + (size_t)t * H, H, st->q + (size_t)t * qs, qs,
                         lf_convstate_layer(&st->rows[t]->conv, L->cache_index), L->conv, H, K, 1);
    rc = lf_matmul(&st->op, &L->out_proj, st->att, H, st->o, H, T);
    if (rc) return lf_err(e, rc, "layer %d: shortconv.out_proj: matmul failed", il);
    return LFMRT_OK;
}

static int lfm2_forward(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, float *logits,
                        bool all, lfmrt_err *e) {
    const int H = m->hp.n_embd;
    int rc = lf_block_embed(m, st, tokens, T, e);
    if (rc) return rc;
    for (int il = 0; il < m->hp.n_layer; il++) {
        const lf_layer *L = &m->layers[il];
        lf_rmsnorm_rows(st->op.pool, st->xn, H, st->x, H, L->attn_norm, H, m->hp.eps, T);
        rc = L->kind == 'A' ? lf_block_attention(m, st, il, T, e) : lfm2_shortconv(m, st, il, T, e);
        if (rc) return rc;
        lf_add(st->x, st->o, (size_t)T * H);
        lf_rmsnorm_rows(st->op.pool, st->xn, H, st->x, H, L->ffn_norm, H, m->hp.eps, T);
        if ((rc = lf_block_ffn(m, st, il, T, e))) return rc;
        lf_add(st->x, st->o, (size_t)T * H);
    }
    return lf_block_output(m, st, T, logits, all, e);
}

const lf_arch lf_arch_lfm2 = {"lfm2", lfm2_load, lfm2_forward};
