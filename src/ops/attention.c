/* ops/attention.c - attention over the KV cache (threads split query x head pairs); q.k dots, the
 * softmax exp and the V accumulation use the kernel table's vector kernels (kernels/vec.h). */
#include "ops/attention.h"

#include <math.h>
#include <string.h>

#include "format/dtype.h"

typedef struct {
    const lf_vec_kernels *vk;
    const lf_attn_kernels *ak;
    const lf_kv *kv;
    int l;
    const lf_attn_params *p;
    const float *q;
    float *out;
    int T, pos0;
    float *scratch;
    size_t per_thread;
} attn_job;

size_t lf_attention_scratch_floats(int n_ctx, int head_dim) { return (size_t)n_ctx + 2 * (size_t)head_dim + 16; }

/* Keys/values of positions [start, start + n) of layer l: at most two runs of consecutive ring rows. */
static int kv_runs(const lf_kv *kv, int l, int start, int n, int run_start[2], int run_len[2]) {
    const int cap = kv->cap[l], r0 = start % cap;
    run_start[0] = start;
    run_len[0] = n < cap - r0 ? n : cap - r0;
    if (run_len[0] == n) return 1;
    run_start[1] = start + run_len[0];
    run_len[1] = n - run_len[0];
    return 2;
}

static void attn_one(const attn_job *j, int t, int h, float *sc) {
    const lf_attn_params *p = j->p;
    const int hd = p->head_dim;
    const int qrow = p->n_head * hd;
    const int kvh = h / (p->n_head / p->n_head_kv);
    const int pos = j->pos0 + t;
    int start = 0;
    if (p->n_swa > 0 && pos - p->n_swa + 1 > 0) start = pos - p->n_swa + 1;
    const int n = pos - start + 1;
    const int qs = p->q_stride > 0 ? p->q_stride : qrow;
    const float *q = j->q + (size_t)t * qs + (size_t)h * hd;
    /* q stays f32 even with an f16 cache: K and V are widened to f32, as ggml's tiled CPU flash
     * attention does for prompt batches (its single-row path rounds q to f16; we keep the more accurate
     * one for every batch size). */
    const lf_vec_kernels *vk = j->vk;
    const int f16 = j->kv->f16;
    const int64_t stride = j->kv->row; /* elements between positions */
    int rs[2], rl[2];
    const int runs = kv_runs(j->kv, j->l, start, n, rs, rl);
    for (int r = 0, o = 0; r < runs; o += rl[r], r++) {
        const void *kr = lf_kv_k(j->kv, j->l, rs[r]);
        if (f16)
            j->ak->scores_f16(hd, rl[r], (const uint16_t *)kr + (size_t)kvh * hd, stride, q, p->scale, sc + o);
        else
            j->ak->scores_f32(hd, rl[r], (const float *)kr + (size_t)kvh * hd, stride, q, p->scale, sc + o);
    }
    float mx = -INFINITY;
    for (int k = 0; k < n; k++)
        if (sc[k] > mx) mx = sc[k];
    /* softmax as ggml's soft_max: exp(s - max) with its vectorised expf, the sum in double */
    for (int k = 0; k < n; k++) sc[k] -= mx;
    vk->expf_ggml(n, sc, sc);
    double sum = 0.0;
    for (int k = 0; k < n; k++) sum += sc[k];
    const float inv = (float)(1.0 / sum);
    for (int k = 0; k < n; k++) sc[k] *= inv;
    float *out = j->out + (size_t)t * qrow + (size_t)h * hd;
    memset(out, 0, (size_t)hd * sizeof(float));
    for (int r = 0, o = 0; r < runs; o += rl[r], r++) { /* the second run continues the first's sum */
        const void *vr = lf_kv_v(j->kv, j->l, rs[r]);
        if (f16)
            j->ak->wsum_f16(hd, rl[r], sc + o, (const uint16_t *)vr + (size_t)kvh * hd, stride, out);
        else
            j->ak->wsum_f32(hd, rl[r], sc + o, (const float *)vr + (size_t)kvh * hd, stride, out);
    }
}

static void attn_worker(void *ctx, int ith, int nth) {
    const attn_job *j = ctx;
    long b, e;
    lf_pool_split((long)j->T * j->p->n_head, ith, nth, 1, &b, &e);
    float *sc = j->scratch + (size_t)ith * j->per_thread;
    for (long u = b; u < e; u++) attn_one(j, (int)(u / j->p->n_head), (int)(u % j->p->n_head), sc);
}

void lf_attention(lf_opctx *ctx, const lf_kv *kv, int l, const lf_attn_params *p, const float *q, float *out,
                  int T, int pos0, float *scratch) {
    attn_job j = {ctx->k ? &ctx->k->vec : lf_vec_best(), ctx->k ? &ctx->k->attn : lf_attn_best(), kv, l, p, q, out, T, pos0, scratch, lf_attention_scratch_floats(kv->n_ctx, p->head_dim)};
    lf_pool_run(ctx->pool, attn_worker, &j);
}
