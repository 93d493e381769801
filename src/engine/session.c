/* engine/session.c - lfmrt_session: per-sequence state, batched prefill and decode. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mapfile.h"
#include "format/gguf.h"
#include "ops/attention.h"
#include "engine/engine.h"

lfmrt_session_params lfmrt_session_default_params(void) {
    lfmrt_session_params p;
    p.n_ctx = 4096;
    p.n_batch = 512;
    p.kv_type = LFMRT_KV_F16;
    return p;
}

int lfmrt_session_create(const lfmrt_model *m, const lfmrt_session_params *params, lfmrt_session **out,
                         lfmrt_err *err) {
    *out = NULL;
    lfmrt_session_params p = params ? *params : lfmrt_session_default_params();
    if (p.n_ctx < 1) return lf_err(err, LFMRT_E_INVALID, "n_ctx %d must be >= 1", p.n_ctx);
    if (m->core.hp.n_ctx_train > 0 && p.n_ctx > m->core.hp.n_ctx_train)
        return lf_err(err, LFMRT_E_INVALID, "n_ctx %d exceeds the model's training context %d", p.n_ctx,
                      m->core.hp.n_ctx_train);
    if (p.n_batch < 1) return lf_err(err, LFMRT_E_INVALID, "n_batch %d must be >= 1", p.n_batch);
    if (p.n_batch > p.n_ctx) p.n_batch = p.n_ctx;
    lfmrt_session *s = calloc(1, sizeof *s);
    if (!s) return lf_err(err, LFMRT_E_NOMEM, "out of memory");
    s->m = m;
    int rc = lf_pool_create(m->n_threads, &s->pool, err);
    if (rc) {
        free(s);
        return rc;
    }
    rc = lf_state_init(&s->st, &m->core, &m->kern, s->pool, p.n_ctx, p.n_batch, p.kv_type == LFMRT_KV_F16, err);
    if (rc) {
        lf_pool_destroy(s->pool);
        free(s);
        return rc;
    }
    *out = s;
    return LFMRT_OK;
}

void lfmrt_session_destroy(lfmrt_session *s) {
    if (!s) return;
    lf_state_deinit(&s->st);
    lf_pool_destroy(s->pool);
    free(s);
}

void lfmrt_session_reset(lfmrt_session *s) { lf_state_reset(&s->st); }

int lfmrt_session_pos(const lfmrt_session *s) { return s->st.pos; }

int lfmrt_session_prefill(lfmrt_session *s, const int32_t *tokens, int n, float *logits, float *all_logits,
                          lfmrt_err *err) {
    const lfmrt_model *m = s->m;
    const int V = m->core.hp.n_vocab;
    if (n < 1) return lf_err(err, LFMRT_E_INVALID, "prefill of %d tokens", n);
    if (s->st.pos + n > s->st.n_ctx)
        return lf_err(err, LFMRT_E_RANGE, "context full: %d tokens at position %d exceed n_ctx %d", n, s->st.pos,
                      s->st.n_ctx);
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= V)
            return lf_err(err, LFMRT_E_RANGE, "token %d (index %d) out of range [0, %d)", tokens[i], i, V);
    for (int done = 0; done < n;) {
        const int T = (n - done) < s->st.n_batch ? (n - done) : s->st.n_batch;
        const bool last = done + T == n;
        float *out = all_logits ? all_logits + (size_t)done * V : (last ? logits : NULL);
        int rc = m->arch->forward(&m->core, &s->st, tokens + done, T, out, all_logits != NULL, err);
        if (rc) return rc;
        s->st.pos += T;
        done += T;
        if (last && all_logits && logits) memcpy(logits, all_logits + (size_t)(n - 1) * V, (size_t)V * sizeof(float));
    }
    return LFMRT_OK;
}

int lfmrt_session_decode(lfmrt_session *s, int32_t token, float *logits, lfmrt_err *err) {
    return lfmrt_session_prefill(s, &token, 1, logits, NULL, err);
}

int lfmrt_batch_decode(lfmrt_session *const *sessions, const int32_t *tokens, int n, float *logits,
                       lfmrt_err *err) {
    if (!sessions || !tokens || !logits)
        return lf_err(err, LFMRT_E_INVALID, "batch decode: sessions, tokens and logits must be non-NULL");
    if (n < 1) return lf_err(err, LFMRT_E_INVALID, "batch decode of %d sequences (must be >= 1)", n);
    for (int i = 0; i < n; i++)
        if (!sessions[i]) return lf_err(err, LFMRT_E_INVALID, "batch decode: session %d is NULL", i);
    lfmrt_session *s0 = sessions[0];
    const lfmrt_model *m = s0->m;
    lf_fwd_state *st = &s0->st;
    const int V = m->core.hp.n_vocab;
    if (n > st->n_batch)
        return lf_err(err, LFMRT_E_RANGE,
                      "batch decode of %d sequences exceeds the first session's batch scratch (n_batch %d)", n,
                      st->n_batch);
    for (int i = 0; i < n; i++) {
        const lfmrt_session *s = sessions[i];
        if (s->m != m)
            return lf_err(err, LFMRT_E_INVALID, "batch decode: session %d belongs to a different model than session 0",
                          i);
        if (lf_pool_size(s->pool) != lf_pool_size(s0->pool))
            return lf_err(err, LFMRT_E_INVALID, "batch decode: session %d has %d threads, session 0 has %d", i,
                          lf_pool_size(s->pool), lf_pool_size(s0->pool));
        for (int j = 0; j < i; j++)
            if (sessions[j] == s)
                return lf_err(err, LFMRT_E_INVALID, "batch decode: session %d is the same session as %d", i, j);
        if (s->st.pos + 1 > s->st.n_ctx)
            return lf_err(err, LFMRT_E_RANGE, "batch decode: session %d: context full (position %d, n_ctx %d)", i,
                          s->st.pos, s->st.n_ctx);
        if (tokens[i] < 0 || tokens[i] >= V)
            return lf_err(err, LFMRT_E_RANGE, "batch decode: token %d (session %d) out of range [0, %d)", tokens[i], i,
                          V);
    }
    for (int i = 0; i < n; i++) st->rows[i] = &sessions[i]->st;
    st->n_rows = n;
    int rc = m->arch->forward(&m->core, st, tokens, n, logits, true, err);
    st->n_rows = 0;
    if (rc) return rc;
    for (int i = 0; i < n; i++) sessions[i]->st.pos++;
    return LFMRT_OK;
}

void lfmrt_session_memory(const lfmrt_session *s, lfmrt_memory_info *out) {
    memset(out, 0, sizeof *out);
    const lfmrt_model *m = s->m;
    const lf_hparams *hp = &m->core.hp;
    const lf_fwd_state *st = &s->st;
    size_t img = 0;
    const uint8_t *p = lf_gguf_bytes(m->g, &img);
    out->weights_mapped = img;
    out->weights_resident = lf_resident_bytes(p, img);
    out->weights_packed = lf_repack_bytes(m);
    out->kv_cache = lf_kv_bytes(&st->kv);
    out->conv_state = st->conv.buf ? (uint64_t)st->conv.n_layers * st->conv.n_embd * st->conv.n_keep * sizeof(float) : 0;
    /* the buffers lf_state_init allocates (models/blocks.c), from the same widths */
    const size_t T = (size_t)st->n_batch, H = (size_t)hp->n_embd, hd = (size_t)hp->head_dim;
    const size_t QW = (size_t)hp->n_head * hd, KVW = (size_t)(hp->n_head_kv_max > 1 ? hp->n_head_kv_max : 1) * hd;
    const size_t qw = QW > 3 * H ? QW : 3 * H, aw = QW > H ? QW : H;
    size_t floats = T * (3 * H + qw + 2 * KVW + aw + 2 * (size_t)hp->n_ff) + (size_t)hp->n_vocab;
    floats += (size_t)lf_pool_size(s->pool) * lf_attention_scratch_floats(st->n_ctx, hp->head_dim);
    out->scratch = floats * sizeof(float) + st->op.act_cap + 64 + T * sizeof(*st->rows);
}

uint64_t lfmrt_session_kv_read_bytes(const lfmrt_session *s, int n_pos) {
    const lf_kv *kv = &s->st.kv;
    const int n_swa = s->m->core.hp.n_swa;
    uint64_t b = 0;
    if (n_pos < 1) return 0;
    for (int l = 0; l < kv->n_layers; l++) {
        int n = n_pos < kv->cap[l] ? n_pos : kv->cap[l];
        /* a ring (capacity below the context) belongs to a sliding-window layer */
        if (kv->cap[l] < kv->n_ctx && n_swa > 0 && n > n_swa) n = n_swa;
        b += 2 * (uint64_t)n * kv->row_bytes; /* K and V */
    }
    return b;
}
