/* ops/attention.c - attention over the KV cache (threads split query x head pairs); q.k dots, the
 * softmax exp and the V accumulation use the kernel table's vector kernels (kernels/vec.h). */
#include "ops/attention.h"

#include <math.h>
#include <string.h>

#include "format/dtype.h"

typedef struct {
    const lf_vec_kernels *vk;
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
    const float *qr = q;
    float *acc = sc + j->kv->n_ctx;
    const lf_vec_kernels *vk = j->vk;
    const int f16 = j->kv->f16;
    float mx = -INFINITY;
    for (int k = 0; k < n; k++) {
        const void *kr = lf_kv_k(j->kv, j->l, start + k);
        const float s = (f16 ? vk->dot_f16_f32(hd, (const uint16_t *)kr + (size_t)kvh * hd, qr)
                             : vk->dot_f32(hd, (const float *)kr + (size_t)kvh * hd, qr)) *
                        p->scale;
        sc[k] = s;
        if (s > mx) mx = s;
    }
    /* softmax as ggml's soft_max: exp(s - max) with its vectorised expf, the sum in double */
    for (int k = 0; k < n; k++) sc[k] -= mx;
    vk->expf_ggml(n, sc, sc);
    double sum = 0.0;
    for (int k = 0; k < n; k++) sum += sc[k];
    const float inv = (float)(1.0 / sum);
    memset(acc, 0, (size_t)hd * sizeof(float));
    for (int k = 0; k < n; k++) {
        const float w = sc[k] * inv;
        const void *vr = lf_kv_v(j->kv, j->l, start + k);
        if (f16)
            vk->axpy_f16(hd, w, (const uint16_t *)vr + (size_t)kvh * hd, acc);
        else
            vk->axpy_f32(hd, w, (const float *)vr + (size_t)kvh * hd, acc);
    }
    memcpy(j->out + (size_t)t * qrow + (size_t)h * hd, acc, (size_t)hd * sizeof(float));
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
    attn_job j = {ctx->k ? &ctx->k->vec : lf_vec_best(), kv, l, p, q, out, T, pos0, scratch, lf_attention_scratch_floats(kv->n_ctx, p->head_dim)};
    lf_pool_run(ctx->pool, attn_worker, &j);
}
