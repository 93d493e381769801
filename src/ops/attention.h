/* ops/attention.h - causal (optionally sliding-window) grouped-query attention over the KV cache. */
#ifndef LF_OPS_ATTENTION_H
#define LF_OPS_ATTENTION_H

#include "cache/kv.h"
#include "ops/ops.h"

typedef struct lf_attn_params {
    int n_head, n_head_kv, head_dim;
    float scale; /* multiplies q.k */
    int n_swa;   /* > 0: query at p sees keys p - n_swa < p0 <= p */
    int q_stride; /* floats between query rows of q; 0: n_head * head_dim */
} lf_attn_params;

/* Floats of scratch each thread needs (n_ctx scores + accumulators). */
size_t lf_attention_scratch_floats(int n_ctx, int head_dim);

/* For t < T (query position pos0 + t): out[t] = concat over heads h of softmax(scale * q_h . K) . V
 * with kv head h / (n_head / n_head_kv), keys from layer l of kv at positions visible to the query
 * (the caller has stored K/V for positions <= pos0 + T - 1). q and out are [T][n_head * head_dim].
 * With an f16 cache, K and V are widened to f32 and all math is f32. scratch holds
 * lf_pool_size(pool) * lf_attention_scratch_floats(kv->n_ctx, head_dim) floats. */
void lf_attention(lf_opctx *ctx, const lf_kv *kv, int l, const lf_attn_params *p, const float *q, float *out,
                  int T, int pos0, float *scratch);

/* Batched decode: for s < S, lf_attention of one query (q + s * q_stride, into out + s * out_stride) at
 * position pos[s] against layer l of kv[s], with that sequence's scratch[s] (sized for this pool), all
 * in one pass of the pool; the same results as S calls. */
void lf_attention_seqs(lf_opctx *ctx, int S, const lf_kv *const *kv, int l, const lf_attn_params *p, const float *q,
                       int64_t q_stride, float *out, int64_t out_stride, const int *pos, float *const *scratch);

#endif
