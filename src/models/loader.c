/* models/loader.c - tensor and key lookup helpers shared by the architecture files, and the
 * hyper-parameter / tensor loader of the dense pre-norm decoders (Qwen3, LLaMA, Gemma3). */
#include <math.h>
#include <stdio.h>

#include "base/err.h"
#include "format/dtype.h"
#include "models/model.h"

#define LF_WEIGHT_TYPES                                                                                  \
    ((1u << LF_DT_F32) | (1u << LF_DT_F16) | (1u << LF_DT_BF16) | (1u << LF_DT_Q8_0) | (1u << LF_DT_Q4_0) | \
     (1u << LF_DT_Q4_1) | (1u << LF_DT_Q5_0) | (1u << LF_DT_Q5_1) | (1u << LF_DT_Q4_K) | (1u << LF_DT_Q5_K) | \
     (1u << LF_DT_Q6_K))

int lf_load_mat(const lf_gguf *g, const char *name, int64_t ne0, int64_t ne1, lf_mat *out, lfmrt_err *e) {
    const int64_t ne[2] = {ne0, ne1};
    const lf_gguf_tensor *t;
    int rc = lf_gguf_get_tensor(g, name, LF_WEIGHT_TYPES, 2, ne, &t, e);
    if (rc) return rc;
    size_t rb;
    if (!lf_dtype_row_size(t->type, t->ne[0], &rb))
        return lf_err(e, LFMRT_E_SHAPE, "tensor '%s': row of %lld not a whole number of %s blocks", name,
                      (long long)t->ne[0], lf_dtype_name(t->type));
    out->data = t->data;
    out->type = t->type;
    out->ne0 = t->ne[0];
    out->ne1 = t->ne[1];
    out->row_bytes = rb;
    return LFMRT_OK;
}

int lf_load_vec(const lf_gguf *g, const char *name, int64_t n, const float **out, lfmrt_err *e) {
    const int64_t ne[1] = {n};
    const lf_gguf_tensor *t;
    int rc = lf_gguf_get_tensor(g, name, 1u << LF_DT_F32, 1, ne, &t, e);
    if (rc) return rc;
    *out = t->data;
    return LFMRT_OK;
}

int lf_load_u32(const lf_gguf *g, const char *arch, const char *suffix, uint32_t *out, const uint32_t *def,
                lfmrt_err *e) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int rc = lf_gguf_get_u32(g, key, out, e);
    if (rc == LFMRT_E_NOTFOUND && def) {
        *out = *def;
        return LFMRT_OK;
    }
    return rc;
}

int lf_load_f32(const lf_gguf *g, const char *arch, const char *suffix, float *out, const float *def,
                lfmrt_err *e) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int rc = lf_gguf_get_f32(g, key, out, e);
    if (rc == LFMRT_E_NOTFOUND && def) {
        *out = *def;
        return LFMRT_OK;
    }
    return rc;
}

/* head_count_kv: scalar, or one value per layer; each must divide head_count. Absent: head_count. */
static int load_head_count_kv(lf_model_core *m, const lf_gguf *g, const char *arch, lfmrt_err *e) {
    lf_hparams *hp = &m->hp;
    char key[160];
    snprintf(key, sizeof key, "%s.attention.head_count_kv", arch);
    const lf_gguf_kv *kv = lf_gguf_find_kv(g, key);
    if (kv && kv->type == LF_GGUF_ARRAY) {
        if (kv->v.arr.n != (uint64_t)hp->n_layer)
            return lf_err(e, LFMRT_E_FORMAT, "key '%s': expected %d elements (block_count), found %llu", key,
                          hp->n_layer, (unsigned long long)kv->v.arr.n);
        for (int il = 0; il < hp->n_layer; il++) {
            int64_t v;
            if (!lf_gguf_arr_int(kv, (uint64_t)il, &v) || v < 1 || v > hp->n_head)
                return lf_err(e, LFMRT_E_FORMAT, "key '%s'[%d]: expected an integer in 1..%d", key, il, hp->n_head);
            hp->n_head_kv[il] = (int)v;
        }
    } else {
        uint32_t v = (uint32_t)hp->n_head;
        if (kv) {
            int rc = lf_gguf_get_u32(g, key, &v, e);
            if (rc) return rc;
        }
        if (v < 1 || v > (uint32_t)hp->n_head)
            return lf_err(e, LFMRT_E_FORMAT, "key '%s' = %u: expected 1..head_count (%d)", key, v, hp->n_head);
        for (int il = 0; il < hp->n_layer; il++) hp->n_head_kv[il] = (int)v;
    }
    for (int il = 0; il < hp->n_layer; il++) {
        if (hp->n_head % hp->n_head_kv[il] != 0)
            return lf_err(e, LFMRT_E_FORMAT, "layer %d: head_count %d is not a multiple of head_count_kv %d", il,
                          hp->n_head, hp->n_head_kv[il]);
        if (hp->n_head_kv[il] > hp->n_head_kv_max) hp->n_head_kv_max = hp->n_head_kv[il];
    }
    return LFMRT_OK;
}

static int load_dense_hparams(lf_model_core *m, const lf_gguf *g, const char *a, uint32_t def_ctx, lfmrt_err *e) {
    lf_hparams *hp = &m->hp;
    uint32_t u;
    int rc;
    const float def_base = 10000.0f;
    if ((rc = lf_load_u32(g, a, "block_count", &u, NULL, e))) return rc;
    if (u < 1 || u > LF_MAX_LAYERS)
        return lf_err(e, LFMRT_E_UNSUPPORTED, "%s.block_count %u out of range 1..%d", a, u, LF_MAX_LAYERS);
    hp->n_layer = (int)u;
    if ((rc = lf_load_u32(g, a, "embedding_length", &u, NULL, e))) return rc;
    hp->n_embd = (int)u;
    if ((rc = lf_load_u32(g, a, "feed_forward_length", &u, NULL, e))) return rc;
    hp->n_ff = (int)u;
    if ((rc = lf_load_u32(g, a, "attention.head_count", &u, NULL, e))) return rc;
    hp->n_head = (int)u;
    if (hp->n_embd < 1 || hp->n_embd > (1 << 20) || hp->n_ff < 1 || hp->n_ff > (1 << 22) || hp->n_head < 1 ||
        hp->n_head > 1024)
        return lf_err(e, LFMRT_E_FORMAT, "%s: embedding_length %d, feed_forward_length %d, head_count %d out of range",
                      a, hp->n_embd, hp->n_ff, hp->n_head);
    if ((rc = lf_load_u32(g, a, "context_length", &u, &def_ctx, e))) return rc;
    hp->n_ctx_train = (int)(u > (1u << 30) ? (1u << 30) : u);
    if ((rc = lf_load_f32(g, a, "attention.layer_norm_rms_epsilon", &hp->eps, NULL, e))) return rc;
    if ((rc = lf_load_f32(g, a, "rope.freq_base", &hp->rope_base, &def_base, e))) return rc;
    u = hp->n_embd % hp->n_head ? 0 : (uint32_t)(hp->n_embd / hp->n_head);
    if ((rc = lf_load_u32(g, a, "attention.key_length", &u, &u, e))) return rc;
    if (u < 2 || u > 4096 || u % 2)
        return lf_err(e, LFMRT_E_FORMAT, "%s: head dim %u (attention.key_length, or embedding_length / head_count) "
                      "must be even and in 2..4096", a, u);
    hp->head_dim = (int)u;
    uint32_t vl = u;
    if ((rc = lf_load_u32(g, a, "attention.value_length", &vl, &u, e))) return rc;
    if (vl != u)
        return lf_err(e, LFMRT_E_UNSUPPORTED, "%s: attention.value_length %u differs from key_length %u", a, vl, u);
    if ((rc = lf_load_u32(g, a, "rope.dimension_count", &u, &u, e))) return rc;
    if (u < 2 || u % 2 || (int)u > hp->head_dim)
        return lf_err(e, LFMRT_E_FORMAT, "%s.rope.dimension_count %u: must be even and at most the head dim %d", a, u,
                      hp->head_dim);
    hp->n_rot = (int)u;
    /* RoPE scaling (linear x8 on Gemma3 4B+ global layers, YaRN, ...) is not implemented: refuse it
     * rather than compute something else than llama.cpp. As in llama.cpp, the type defaults to
     * "linear" and rope.scaling.factor (0 or 1: none) sets it; type "none" disables it. */
    char key[160];
    snprintf(key, sizeof key, "%s.rope.scaling.type", a);
    lf_str st = {"linear", 6};
    (void)lf_gguf_get_str(g, key, &st, NULL);
    float factor = 0.0f;
    const float def_factor = 0.0f;
    if ((rc = lf_load_f32(g, a, "rope.scaling.factor", &factor, &def_factor, e))) return rc;
    if (!lf_str_eq(st, "none") && factor != 0.0f && factor != 1.0f)
        return lf_err(e, LFMRT_E_UNSUPPORTED, "%s: RoPE scaling '%.*s' (factor %g) is not supported", a,
                      (int)(st.n > 32 ? 32 : st.n), st.p, (double)factor);
    hp->f_attn_scale = 1.0f / sqrtf((float)hp->head_dim);
    hp->embd_scale = 1.0f;
    hp->rope_base_swa = hp->rope_base;
    hp->rope_type = LF_ROPE_NEOX;
    return load_head_count_kv(m, g, a, e);
}

int lf_load_dense(lf_model_core *m, const lf_gguf *g, const char *a, unsigned flags, uint32_t def_ctx,
                  lfmrt_err *e) {
    lf_hparams *hp = &m->hp;
    int rc = load_dense_hparams(m, g, a, def_ctx, e);
    if (rc) return rc;
    const int64_t H = hp->n_embd, F = hp->n_ff, hd = hp->head_dim, QW = (int64_t)hp->n_head * hd;
    if (!lf_gguf_find_tensor(g, "token_embd.weight"))
        return lf_err(e, LFMRT_E_NOTFOUND, "tensor 'token_embd.weight' not found");
    if ((rc = lf_load_mat(g, "token_embd.weight", H, -1, &m->tok_embd, e))) return rc;
    if (m->tok_embd.ne1 < 1 || m->tok_embd.ne1 > (1 << 24))
        return lf_err(e, LFMRT_E_SHAPE, "tensor 'token_embd.weight': %lld rows (vocabulary) out of range",
                      (long long)m->tok_embd.ne1);
    hp->n_vocab = (int)m->tok_embd.ne1;
    if (lf_gguf_find_tensor(g, "output.weight")) {
        if ((rc = lf_load_mat(g, "output.weight", H, hp->n_vocab, &m->output, e))) return rc;
        m->tied = false;
    } else {
        m->output = m->tok_embd;
        m->tied = true;
    }
    if ((rc = lf_load_vec(g, "output_norm.weight", H, &m->final_norm, e))) return rc;
    if (lf_gguf_find_tensor(g, "rope_freqs.weight"))
        return lf_err(e, LFMRT_E_UNSUPPORTED, "tensor 'rope_freqs.weight': RoPE frequency factors are not supported");
    m->file_type = m->tok_embd.type;

    char name[128];
#define T_NAME(fmt) (snprintf(name, sizeof name, "blk.%d." fmt, il), name)
    for (int il = 0; il < hp->n_layer; il++) {
        lf_layer *L = &m->layers[il];
        const int64_t KW = (int64_t)hp->n_head_kv[il] * hd;
        static const char *const biases[] = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up",
                                             "ffn_down"};
        for (size_t b = 0; b < sizeof biases / sizeof biases[0]; b++) {
            snprintf(name, sizeof name, "blk.%d.%s.bias", il, biases[b]);
            if (lf_gguf_find_tensor(g, name))
                return lf_err(e, LFMRT_E_UNSUPPORTED, "tensor '%s': biases are not supported for %s", name, a);
        }
        L->kind = 'A';
        L->cache_index = m->n_kv_layers++;
        if ((rc = lf_load_vec(g, T_NAME("attn_norm.weight"), H, &L->attn_norm, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("attn_q.weight"), H, QW, &L->wq, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("attn_k.weight"), H, KW, &L->wk, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("attn_v.weight"), H, KW, &L->wv, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("attn_output.weight"), QW, H, &L->wo, e))) return rc;
        if (flags & LF_DENSE_QK_NORM) {
            if ((rc = lf_load_vec(g, T_NAME("attn_q_norm.weight"), hd, &L->q_norm, e))) return rc;
            if ((rc = lf_load_vec(g, T_NAME("attn_k_norm.weight"), hd, &L->k_norm, e))) return rc;
        }
        if (flags & LF_DENSE_POST_NORMS) {
            if ((rc = lf_load_vec(g, T_NAME("post_attention_norm.weight"), H, &L->post_attn_norm, e))) return rc;
            if ((rc = lf_load_vec(g, T_NAME("post_ffw_norm.weight"), H, &L->post_ffw_norm, e))) return rc;
        }
        if ((rc = lf_load_vec(g, T_NAME("ffn_norm.weight"), H, &L->ffn_norm, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("ffn_gate.weight"), H, F, &L->ffn_gate, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("ffn_up.weight"), H, F, &L->ffn_up, e))) return rc;
        if ((rc = lf_load_mat(g, T_NAME("ffn_down.weight"), F, H, &L->ffn_down, e))) return rc;
        m->file_type = L->wq.type;
    }
#undef T_NAME
    m->act = LF_ACT_SILU;
    return LFMRT_OK;
}
