/* models/blocks.c - forward-pass pieces shared by the architectures: state, embedding, attention,
 * gated FFN, output head. MODEL-SPEC sections 0.1-0.5. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ops/attention.h"
#include "models/model.h"

#define LF_SEQS_MAX 16 /* sequences per batched attention pass */

static int imax(int a, int b) { return a > b ? a : b; }

static size_t act_need(const lf_kernels *k, const lf_mat *w, int T, size_t cur) {
    if (!w->data) return cur;
    size_t n = lf_matmul_act_bound(k, w->type, w->ne0, T);
    return n > cur ? n : cur;
}

int lf_state_init(lf_fwd_state *st, const lf_model_core *m, const lf_kernels *k, lf_pool *pool, int n_ctx,
                  int n_batch, bool kv_f16, lfmrt_err *e) {
    memset(st, 0, sizeof *st);
    const lf_hparams *hp = &m->hp;
    st->n_ctx = n_ctx;
    st->n_batch = n_batch;
    /* sliding-window layers keep a ring of the window (plus a batch), full layers n_ctx rows */
    int caps[LF_MAX_LAYERS];
    for (int il = 0; il < hp->n_layer; il++) {
        const lf_layer *L = &m->layers[il];
        if (L->kind != 'A') continue;
        caps[L->cache_index] =
            hp->swa_layer[il] && hp->n_swa > 0 ? lf_kv_swa_capacity(n_ctx, hp->n_swa, n_batch) : n_ctx;
    }
    int rc = lf_kv_init_caps(&st->kv, m->n_kv_layers, caps, imax(1, hp->n_head_kv_max), imax(1, hp->head_dim), kv_f16, e);
    if (rc) return rc;
    rc = lf_convstate_init(&st->conv, m->n_conv_layers, hp->n_embd, imax(hp->l_cache - 1, 1), e);
    if (rc) {
        lf_state_deinit(st);
        return rc;
    }
    const size_t T = (size_t)n_batch, H = (size_t)hp->n_embd;
    const size_t QW = (size_t)hp->n_head * hp->head_dim, KVW = (size_t)imax(1, hp->n_head_kv_max) * hp->head_dim;
    const size_t qw = QW > 3 * H ? QW : 3 * H, aw = QW > H ? QW : H;
    size_t act = 0;
    act = act_need(k, &m->output, 1, act);
    act = act_need(k, &m->output, n_batch, act);
    for (int il = 0; il < hp->n_layer; il++) {
        const lf_layer *L = &m->layers[il];
        const lf_mat *ms[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->in_proj, &L->out_proj,
                              &L->ffn_gate, &L->ffn_up, &L->ffn_down};
        for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) act = act_need(k, ms[i], n_batch, act);
    }
    const int nth = lf_pool_size(pool);
    const size_t attn = (size_t)nth * lf_attention_scratch_floats(n_ctx, hp->head_dim);
    st->x = malloc(T * H * sizeof(float));
    st->xn = malloc(T * H * sizeof(float));
    st->q = malloc(T * qw * sizeof(float));
    st->k = malloc(T * KVW * sizeof(float));
    st->v = malloc(T * KVW * sizeof(float));
    st->att = malloc(T * aw * sizeof(float));
    st->o = malloc(T * H * sizeof(float));
    st->gate = malloc(T * (size_t)hp->n_ff * sizeof(float));
    st->up = malloc(T * (size_t)hp->n_ff * sizeof(float));
    st->attn_scratch = malloc(attn * sizeof(float));
    st->tmp_logits = malloc((size_t)hp->n_vocab * sizeof(float));
    st->rows = malloc(T * sizeof *st->rows);
    st->op.k = k;
    st->op.pool = pool;
    st->op.act = malloc(act + 64);
    st->op.act_cap = act;
    if (!st->x || !st->xn || !st->q || !st->k || !st->v || !st->att || !st->o || !st->gate || !st->up ||
        !st->attn_scratch || !st->tmp_logits || !st->rows || !st->op.act) {
        lf_state_deinit(st);
        return lf_err(e, LFMRT_E_NOMEM, "out of memory allocating session scratch (n_batch %d)", n_batch);
    }
    return LFMRT_OK;
}

void lf_state_deinit(lf_fwd_state *st) {
    lf_kv_deinit(&st->kv);
    lf_convstate_deinit(&st->conv);
    free(st->x);
    free(st->xn);
    free(st->q);
    free(st->k);
    free(st->v);
    free(st->att);
    free(st->o);
    free(st->gate);
    free(st->up);
    free(st->attn_scratch);
    free(st->tmp_logits);
    free(st->rows);
    free(st->op.act);
    memset(st, 0, sizeof *st);
}

void lf_state_reset(lf_fwd_state *st) {
    st->pos = 0;
    lf_convstate_clear(&st->conv);
}

int lf_block_embed(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, lfmrt_err *e) {
    const int H = m->hp.n_embd;
    for (int t = 0; t < T; t++) {
        float *x = st->x + (size_t)t * H;
        if (lf_mat_get_row(st->op.k, &m->tok_embd, tokens[t], x))
            return lf_err(e, LFMRT_E_RANGE, "token id %d out of range [0, %lld)", tokens[t],
                          (long long)m->tok_embd.ne1);
        if (m->hp.embd_scale != 1.0f)
            for (int i = 0; i < H; i++) x[i] *= m->hp.embd_scale;
    }
    return LFMRT_OK;
}

static int mm(lf_fwd_state *st, const lf_mat *w, const float *x, int64_t xs, float *y, int64_t ys, int T,
              const char *what, int il, lfmrt_err *e) {
    int rc = lf_matmul(&st->op, w, x, xs, y, ys, T);
    if (rc) return lf_err(e, rc, "layer %d: %s: matmul failed (%s)", il, what, lfmrt_status_name(rc));
    return LFMRT_OK;
}

/* W[i] x (rows of st->xn, xs apart) into y[i], i < n: lf_matmul_n */
static int mm_n(lf_fwd_state *st, int n, const lf_mat *const *W, int64_t xs, float *const *y, const int64_t *ys,
                int T, const char *what, int il, lfmrt_err *e) {
    int rc = lf_matmul_n(&st->op, n, W, st->xn, xs, y, ys, T);
    if (rc) return lf_err(e, rc, "layer %d: %s: matmul failed (%s)", il, what, lfmrt_status_name(rc));
    return LFMRT_OK;
}

/* Per token before attention: QK-norm, RoPE at the row's position, the query scale, then K and V stored
 * in the row's cache (distinct positions or sessions per row: rows run on any thread). */
typedef struct {
    const lf_model_core *m;
    lf_fwd_state *st;
    const lf_layer *L;
    int T, qs;
    float base;
} attn_prep_job;

static void attn_prep_rows(void *ctx, int ith, int nth) {
    const attn_prep_job *j = ctx;
    const lf_hparams *hp = &j->m->hp;
    const lf_layer *L = j->L;
    const int hd = hp->head_dim, nh = hp->n_head, nkv = hp->n_head_kv[L - j->m->layers];
    const int QW = nh * hd, KW = nkv * hd;
    const float qscale = hp->q_scale; /* a local: q stores cannot change it, so the loop needs no reload */
    long b, e;
    lf_pool_split(j->T, ith, nth, 1, &b, &e);
    /* per-head norms, each head a row of hd floats: with 8 tokens or more, head h of every token of this
     * range in one call (rows a token stride apart: the kernel's row lanes stay full), else the heads of
     * one token per call (rows hd apart); every row's result is the same either way */
    const int nb = (int)(e - b), by_head = nb >= 8;
    if (by_head)
        for (int h = 0; h < nh + nkv; h++) {
            const float *w = h < nh ? L->q_norm : L->k_norm;
            float *r0 = h < nh ? j->st->q + (size_t)b * j->qs + (size_t)h * hd
                               : j->st->k + (size_t)b * KW + (size_t)(h - nh) * hd;
            if (w) lf_rmsnorm_rows(NULL, r0, h < nh ? j->qs : KW, r0, h < nh ? j->qs : KW, w, hd, hp->eps, nb);
        }
    for (long t = b; t < e; t++) {
        float *q = j->st->q + (size_t)t * j->qs, *k = j->st->k + (size_t)t * KW, *v = j->st->v + (size_t)t * KW;
        const int pos = lf_row_pos(j->st, (int)t);
        if (!by_head && L->q_norm) lf_rmsnorm_rows(NULL, q, hd, q, hd, L->q_norm, hd, hp->eps, nh);
        if (!by_head && L->k_norm) lf_rmsnorm_rows(NULL, k, hd, k, hd, L->k_norm, hd, hp->eps, nkv);
        lf_rope_qk(hp->rope_type == LF_ROPE_NORM, q, nh, k, nkv, hd, hp->n_rot, pos, j->base);
        if (qscale != 0.0f)
            for (int i = 0; i < QW; i++) q[i] *= qscale;
        lf_kv_store(&lf_row_state(j->st, (int)t)->kv, L->cache_index, pos, k, v);
    }
}

int lf_block_attention(const lf_model_core *m, lf_fwd_state *st, int il, int T, lfmrt_err *e) {
    const lf_hparams *hp = &m->hp;
    const lf_layer *L = &m->layers[il];
    const int H = hp->n_embd, hd = hp->head_dim, nh = hp->n_head, nkv = hp->n_head_kv[il];
    const int QW = nh * hd, KW = nkv * hd;
    const int qs = QW > 3 * H ? QW : 3 * H;
    int rc;
    {
        const lf_mat *W[3] = {&L->wq, &L->wk, &L->wv};
        float *y[3] = {st->q, st->k, st->v};
        const int64_t ys[3] = {qs, KW, KW};
        if ((rc = mm_n(st, 3, W, H, y, ys, T, "attn_q/k/v", il, e))) return rc;
    }
    attn_prep_job pj = {m, st, L, T, qs, hp->swa_layer[il] ? hp->rope_base_swa : hp->rope_base};
    lf_pool_run(T >= 4 ? st->op.pool : NULL, attn_prep_rows, &pj);
    lf_attn_params ap = {nh, nkv, hd, hp->f_attn_scale, hp->swa_layer[il] ? hp->n_swa : 0, qs};
    if (st->n_rows == 0) {
        lf_attention(&st->op, &st->kv, L->cache_index, &ap, st->q, st->att, T, st->pos, st->attn_scratch);
    } else {
        /* one query per sequence, each against its own cache, with this state's pool (every session of
         * a model has a pool of the same size, so each row's attention scratch fits it) */
        const lf_kv *kvs[LF_SEQS_MAX];
        int pos[LF_SEQS_MAX];
        float *scr[LF_SEQS_MAX];
        for (int t0 = 0; t0 < T; t0 += LF_SEQS_MAX) {
            const int n = T - t0 < LF_SEQS_MAX ? T - t0 : LF_SEQS_MAX;
            for (int s = 0; s < n; s++) {
                const lf_fwd_state *rs = st->rows[t0 + s];
                kvs[s] = &rs->kv;
                pos[s] = rs->pos;
                scr[s] = rs->attn_scratch;
            }
            lf_attention_seqs(&st->op, n, kvs, L->cache_index, &ap, st->q + (size_t)t0 * qs, qs,
                              st->att + (size_t)t0 * QW, QW, pos, scr);
        }
    }
    return mm(st, &L->wo, st->att, QW, st->o, H, T, "attn_output", il, e);
}

int lf_block_ffn(const lf_model_core *m, lf_fwd_state *st, int il, int T, lfmrt_err *e) {
    const lf_layer *L = &m->layers[il];
    const int H = m->hp.n_embd, F = m->hp.n_ff;
    int rc;
    {
        const lf_mat *W[2] = {&L->ffn_gate, &L->ffn_up};
        float *y[2] = {st->gate, st->up};
        const int64_t ys[2] = {F, F};
        if ((rc = mm_n(st, 2, W, H, y, ys, T, "ffn_gate/up", il, e))) return rc;
    }
    lf_glu_rows(st->op.pool, m->act == LF_ACT_GELU, st->gate, st->up, F, F, T);
    return mm(st, &L->ffn_down, st->gate, F, st->o, H, T, "ffn_down", il, e);
}

int lf_forward_prenorm(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, float *logits,
                       bool all, lfmrt_err *e) {
    const int H = m->hp.n_embd;
    int rc = lf_block_embed(m, st, tokens, T, e);
    if (rc) return rc;
    for (int il = 0; il < m->hp.n_layer; il++) {
        const lf_layer *L = &m->layers[il];
        lf_rmsnorm_rows(st->op.pool, st->xn, H, st->x, H, L->attn_norm, H, m->hp.eps, T);
        if ((rc = lf_block_attention(m, st, il, T, e))) return rc;
        lf_add(st->x, st->o, (size_t)T * H);
        lf_rmsnorm_rows(st->op.pool, st->xn, H, st->x, H, L->ffn_norm, H, m->hp.eps, T);
        if ((rc = lf_block_ffn(m, st, il, T, e))) return rc;
        lf_add(st->x, st->o, (size_t)T * H);
    }
    return lf_block_output(m, st, T, logits, all, e);
}

int lf_block_output(const lf_model_core *m, lf_fwd_state *st, int T, float *logits, bool all, lfmrt_err *e) {
    const int H = m->hp.n_embd, V = m->hp.n_vocab;
    const int t0 = all ? 0 : T - 1, n = all ? T : 1;
    for (int t = t0; t < T; t++)
        lf_rmsnorm(st->xn + (size_t)(t - t0) * H, st->x + (size_t)t * H, m->final_norm, H, m->hp.eps);
    float *out = logits ? logits : st->tmp_logits;
    int rc = mm(st, &m->output, st->xn, H, out, V, n, "output", -1, e);
    if (rc) return rc;
    if (m->hp.final_softcap > 0.0f) {
        const float c = m->hp.final_softcap;
        for (size_t i = 0; i < (size_t)n * V; i++) out[i] = c * tanhf(out[i] / c);
    }
    return LFMRT_OK;
}
