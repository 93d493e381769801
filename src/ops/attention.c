/* ops/attention.c - attention over the KV cache; q.k dots, the softmax exp and the V accumulation use
 * the kernel table's vector kernels (kernels/vec.h, attention rows).
 *
 * Two ways to split the work, with identical results per output row (every row's scores, softmax and
 * weighted sum are the same operations on the same values in the same order either way):
 *  - single rows (a few queries, e.g. decode): an item is one query and a sub-group of the query heads
 *    that share a KV head (GQA; its size chosen so the threads stay busy); K and V are read as stored (f16
 *    rows widened on the fly) once per item for all its heads, through the multi-query kernels
 *    (scores_rows_*, wsum_rows_*: same bits as row by row; head by head where an ISA has no f16 ones).
 *  - groups (prompt batches): an item is a block of queries of one KV head, every query head that shares
 *    it (GQA) included, up to GROUP_ROWS rows; its keys and values are widened to f32 in chunks of
 *    positions (kept for the thread's next item of the same KV head, which extends them) and serve all
 *    the item's rows: the keys every row sees through the multi-query kernels
 *    (scores_rows_f32, wsum_rows_f32: each key or value vector loaded once for several rows, same bits as
 *    row by row), the few that only some rows see (the causal diagonal, a window's edge) row by row. */
#include "ops/attention.h"

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
    int qb;      /* groups: queries per item (0: single rows) */
    int n_items;
    int gs;      /* single rows: query heads per item (a divisor of n_head / n_head_kv) */
} attn_job;

#define GROUP_ROWS 16      /* rows (queries x heads of one KV head) per group item */
#define CHUNK_FLOATS 131072 /* widened keys or values per chunk (512 KiB): 512 positions at head dim 256 */

/* rows of score buffers a group item needs, bounded for very long contexts */
static int group_rows(int n_ctx) { return n_ctx <= 32768 ? GROUP_ROWS : 4; }

/* floats of one widened chunk (keys or values) */
static size_t chunk_floats(int head_dim) {
    return CHUNK_FLOATS > (size_t)16 * head_dim ? CHUNK_FLOATS : (size_t)16 * head_dim;
}

/* per thread: the score rows of a group item, then a widened chunk of keys and one of values */
size_t lf_attention_scratch_floats(int n_ctx, int head_dim) {
    return (size_t)group_rows(n_ctx) * (size_t)n_ctx + 2 * chunk_floats(head_dim) + 2 * (size_t)head_dim + 16;
}

static inline int key_start(const lf_attn_params *p, int pos) {
    return p->n_swa > 0 && pos - p->n_swa + 1 > 0 ? pos - p->n_swa + 1 : 0;
}

/* softmax of n scores in place, as ggml's soft_max: exp(s - max) with its vectorised expf, the sum in
 * double (8 interleaved partial sums, kernels/vec.h sum_f64), then scaled by 1/sum */
static void softmax_row(const attn_job *j, float *sc, int n) {
    const float mx = j->ak->max_f32(n, sc);
    /* blocks of 8: fixed-length inner loops that -O2's vectoriser takes (a loop of unknown length it
     * leaves scalar); the same operation per element either way */
    int k = 0;
    for (; k + 8 <= n; k += 8)
        for (int u = 0; u < 8; u++) sc[k + u] -= mx;
    for (; k < n; k++) sc[k] -= mx;
    j->vk->expf_ggml(n, sc, sc);
    const float inv = (float)(1.0 / j->ak->sum_f64(n, sc));
    for (k = 0; k + 8 <= n; k += 8)
        for (int u = 0; u < 8; u++) sc[k + u] *= inv;
    for (; k < n; k++) sc[k] *= inv;
}

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

/* Scores of nq queries (q[r] into sc[r]) against n cached keys from k (the KV head's first element). */
static void scores_rows(const attn_job *j, const void *k, int n, int nq, const float *const *q, float *const *sc) {
    const lf_attn_kernels *ak = j->ak;
    const int hd = j->p->head_dim;
    const int64_t stride = j->kv->hd; /* elements between positions of one head */
    const float scale = j->p->scale;
    if (!j->kv->f16) {
        if (nq > 1)
            ak->scores_rows_f32(hd, n, (const float *)k, stride, nq, q, scale, sc);
        else
            ak->scores_f32(hd, n, (const float *)k, stride, q[0], scale, sc[0]);
    } else if (nq > 1 && ak->scores_rows_f16)
        ak->scores_rows_f16(hd, n, (const uint16_t *)k, stride, nq, q, scale, sc);
    else
        for (int r = 0; r < nq; r++) ak->scores_f16(hd, n, (const uint16_t *)k, stride, q[r], scale, sc[r]);
}

/* Weighted sums of n cached values from v onto out[r] (weights w[r]) for nq queries. */
static void wsum_rows(const attn_job *j, const void *v, int n, int nq, const float *const *w, float *const *out) {
    const lf_attn_kernels *ak = j->ak;
    const int hd = j->p->head_dim;
    const int64_t stride = j->kv->hd;
    if (!j->kv->f16) {
        if (nq > 1)
            ak->wsum_rows_f32(hd, n, nq, w, (const float *)v, stride, out);
        else
            ak->wsum_f32(hd, n, w[0], (const float *)v, stride, out[0]);
    } else if (nq > 1 && ak->wsum_rows_f16)
        ak->wsum_rows_f16(hd, n, nq, w, (const uint16_t *)v, stride, out);
    else
        for (int r = 0; r < nq; r++) ak->wsum_f16(hd, n, w[r], (const uint16_t *)v, stride, out[r]);
}

/* Single-row item: query t, heads h0 .. h0 + gs - 1 (one KV head's); head r's scores at scratch + r * n_ctx. */
static void attn_one(const attn_job *j, int t, int h0, float *scratch) {
    const lf_attn_params *p = j->p;
    const int hd = p->head_dim, gs = j->gs, n_ctx = j->kv->n_ctx;
    const int qrow = p->n_head * hd;
    const int kvh = h0 / (p->n_head / p->n_head_kv);
    const int pos = j->pos0 + t;
    const int start = key_start(p, pos);
    const int n = pos - start + 1;
    const int qs = p->q_stride > 0 ? p->q_stride : qrow;
    /* q stays f32 even with an f16 cache: K and V are widened to f32, as ggml's tiled CPU flash
     * attention does for prompt batches (its single-row path rounds q to f16; we keep the more accurate
     * one for every batch size). */
    const float *q[GROUP_ROWS], *w[GROUP_ROWS];
    float *out[GROUP_ROWS], *sc[GROUP_ROWS];
    for (int r = 0; r < gs; r++) {
        q[r] = j->q + (size_t)t * qs + (size_t)(h0 + r) * hd;
        out[r] = j->out + (size_t)t * qrow + (size_t)(h0 + r) * hd;
    }
    int rs[2], rl[2];
    const int runs = kv_runs(j->kv, j->l, start, n, rs, rl);
    for (int i = 0, o = 0; i < runs; o += rl[i], i++) {
        for (int r = 0; r < gs; r++) sc[r] = scratch + (size_t)r * n_ctx + o;
        const void *kr = lf_kv_k(j->kv, j->l, rs[i], kvh);
        scores_rows(j, kr, rl[i], gs, q, sc);
    }
    for (int r = 0; r < gs; r++) {
        softmax_row(j, scratch + (size_t)r * n_ctx, n);
        memset(out[r], 0, (size_t)hd * sizeof(float));
    }
    for (int i = 0, o = 0; i < runs; o += rl[i], i++) { /* the second run continues the first's sums */
        for (int r = 0; r < gs; r++) w[r] = scratch + (size_t)r * n_ctx + o;
        const void *vr = lf_kv_v(j->kv, j->l, rs[i], kvh);
        wsum_rows(j, vr, rl[i], gs, w, out);
    }
}

/* Query heads per single-row item: the divisor of G (at most max_rows) that leaves the busiest thread the
 * fewest heads (items split evenly: ceil(items / nth) each), ties to the larger, which reads each KV row
 * once for more heads. E.g. 2 threads: Qwen3-0.6B (8 KV heads, G 2) 2, 8 items; Gemma3-270M (1, G 4) 2. */
static int sub_group(int G, int n_kv, int T, int nth, int max_rows) {
    int best = 1;
    long best_cost = -1;
    for (int gs = 1; gs <= G && gs <= max_rows; gs++) {
        if (G % gs) continue;
        const long items = (long)T * n_kv * (G / gs), cost = (items + nth - 1) / nth * gs;
        if (best_cost < 0 || cost <= best_cost) best = gs, best_cost = cost;
    }
    return best;
}

/* Widens positions [c0, c0 + cn) of KV head kvh (K or V of layer l) into dst, hd floats per position. */
static void widen_chunk(const attn_job *j, int v, int kvh, int c0, int cn, float *dst) {
    const int hd = j->p->head_dim;
    for (int c = 0; c < cn; c++) {
        const void *row = v ? lf_kv_v(j->kv, j->l, c0 + c, kvh) : lf_kv_k(j->kv, j->l, c0 + c, kvh);
        if (j->kv->f16)
            j->ak->widen_f16(hd, (const uint16_t *)row, dst + (size_t)c * hd);
        else
            memcpy(dst + (size_t)c * hd, row, (size_t)hd * sizeof(float));
    }
}

/* Widened keys (or values) of one KV head, kept across the group items a thread runs in one call: its
 * items come in ascending query blocks of a KV head, whose key ranges extend each other, so each position
 * is widened once per thread and KV head instead of once per item. */
typedef struct {
    int kvh, lo, hi; /* positions [lo, hi] of KV head kvh are at buf (kvh -1: none) */
    float *buf;
} widened;

/* Positions [c0, c0 + cn) of KV head kvh widened (at most cmax rows): extends w when it holds kvh from at
 * most c0 on and everything fits, else starts it over at c0. Returns the row of position c0. */
static const float *widen_range(const attn_job *j, int v, int kvh, int c0, int cn, int cmax, widened *w) {
    const int hd = j->p->head_dim, c1 = c0 + cn - 1;
    if (w->kvh != kvh || c0 < w->lo || c0 > w->hi + 1 || c1 - w->lo + 1 > cmax) {
        w->kvh = kvh;
        w->lo = c0;
        w->hi = c0 - 1;
    }
    if (c1 > w->hi) {
        widen_chunk(j, v, kvh, w->hi + 1, c1 - w->hi, w->buf + (size_t)(w->hi + 1 - w->lo) * hd);
        w->hi = c1;
    }
    return w->buf + (size_t)(c0 - w->lo) * hd;
}

/* Keys [k0, k1] of chunk rows (position c0 at src) for one row: its scores (v = 0) or its weighted sum. */
static void row_range(const attn_job *j, int v, int k0, int k1, int c0, const float *src, const float *q, float *sc,
                      float *out) {
    const int hd = j->p->head_dim;
    if (k1 < k0) return;
    if (!v)
        j->ak->scores_f32(hd, k1 - k0 + 1, src + (size_t)(k0 - c0) * hd, hd, q, j->p->scale, sc);
    else
        j->ak->wsum_f32(hd, k1 - k0 + 1, sc, src + (size_t)(k0 - c0) * hd, hd, out);
}

/* Group item: queries t0..t0+nt-1 x the G query heads of KV head kvh. */
static void attn_group(const attn_job *j, int kvh, int t0, int nt, float *scratch, widened wd[2]) {
    const lf_attn_params *p = j->p;
    const int hd = p->head_dim, G = p->n_head / p->n_head_kv, R = nt * G;
    const int qrow = p->n_head * hd, qs = p->q_stride > 0 ? p->q_stride : qrow;
    const int n_ctx = j->kv->n_ctx;
    const int cmax = (int)(chunk_floats(hd) / (size_t)hd);
    const int kmin = key_start(p, j->pos0 + t0), kmax = j->pos0 + t0 + nt - 1;
    /* row r = (token t0 + r / G, head kvh * G + r % G); its scores at scratch + r * n_ctx */
    const float *q[GROUP_ROWS], *w[GROUP_ROWS];
    float *out[GROUP_ROWS], *sc[GROUP_ROWS];
    int start[GROUP_ROWS], k0[GROUP_ROWS], k1[GROUP_ROWS];
    for (int r = 0; r < R; r++) {
        const int t = t0 + r / G, h = kvh * G + r % G;
        start[r] = key_start(p, j->pos0 + t);
        q[r] = j->q + (size_t)t * qs + (size_t)h * hd;
        out[r] = j->out + (size_t)t * qrow + (size_t)h * hd;
    }
    for (int v = 0; v < 2; v++) {
        if (v) /* softmax of every row between the two passes; outputs zeroed for the sums */
            for (int r = 0; r < R; r++) {
                const int pos = j->pos0 + t0 + r / G;
                softmax_row(j, scratch + (size_t)r * n_ctx, pos - start[r] + 1);
                memset(out[r], 0, (size_t)hd * sizeof(float));
            }
        for (int c0 = kmin; c0 <= kmax; c0 += cmax) {
            const int cn = kmax - c0 + 1 < cmax ? kmax - c0 + 1 : cmax;
            const float *chunk = widen_range(j, v, kvh, c0, cn, cmax, &wd[v]);
            /* each row's keys in the chunk, [k0, k1]; the range common to all rows, [kc0, kc1], goes through
             * the multi-query kernels (same bits as per row), the rest of each row before and after it per
             * row, so every row's weighted sum still runs over its keys in order */
            int kc0 = c0, kc1 = c0 + cn - 1;
            for (int r = 0; r < R; r++) {
                const int pos = j->pos0 + t0 + r / G;
                k0[r] = c0 > start[r] ? c0 : start[r];
                k1[r] = c0 + cn - 1 < pos ? c0 + cn - 1 : pos;
                if (k0[r] > kc0) kc0 = k0[r];
                if (k1[r] < kc1) kc1 = k1[r];
            }
            const int common = kc0 <= kc1; /* else all per row */
            for (int r = 0; r < R; r++) {
                float *s = scratch + (size_t)r * n_ctx + (k0[r] - start[r]);
                row_range(j, v, k0[r], common && k1[r] >= kc0 ? kc0 - 1 : k1[r], c0, chunk, q[r], s, out[r]);
                w[r] = sc[r] = s + (common ? kc0 - k0[r] : 0);
            }
            if (!common) continue;
            const float *src = chunk + (size_t)(kc0 - c0) * hd;
            if (!v)
                j->ak->scores_rows_f32(hd, kc1 - kc0 + 1, src, hd, R, q, p->scale, sc);
            else
                j->ak->wsum_rows_f32(hd, kc1 - kc0 + 1, R, w, src, hd, out);
            for (int r = 0; r < R; r++) {
                const int a = kc1 + 1 > k0[r] ? kc1 + 1 : k0[r];
                row_range(j, v, a, k1[r], c0, chunk, q[r], scratch + (size_t)r * n_ctx + (a - start[r]), out[r]);
            }
        }
    }
}

/* Work of group item u, in row-keys: its rows times the keys of its last query (causal: later query
 * blocks see more keys), plus a fixed part for the widening and the per-item setup. */
static long item_cost(const attn_job *j, long u) {
    const int nblk = (j->T + j->qb - 1) / j->qb, t0 = (int)(u % nblk) * j->qb;
    const int nt = j->T - t0 < j->qb ? j->T - t0 : j->qb, last = j->pos0 + t0 + nt - 1;
    return (long)nt * (j->p->n_head / j->p->n_head_kv) * (last - key_start(j->p, last) + 1 + 16);
}

/* Items [b, e) of thread ith: contiguous (a thread's items of one KV head in ascending query blocks, as the
 * widened keys want), cut where the running cost crosses ith / nth and (ith + 1) / nth of the total, so
 * threads get about equal work even when one KV head's blocks are all there is (MQA). */
static void split_items(const attn_job *j, int ith, int nth, long *b, long *e) {
    long total = 0;
    for (long u = 0; u < j->n_items; u++) total += item_cost(j, u);
    *b = *e = j->n_items;
    long run = 0;
    for (long u = 0; u < j->n_items; u++) {
        if (*b == j->n_items && run * nth >= total * ith) *b = u;
        if (run * nth >= total * (ith + 1)) {
            *e = u;
            break;
        }
        run += item_cost(j, u);
    }
    if (*b > *e) *b = *e;
}

static void attn_group_worker(void *ctx, int ith, int nth) {
    const attn_job *j = ctx;
    long b, e;
    split_items(j, ith, nth, &b, &e);
    float *scratch = j->scratch + (size_t)ith * j->per_thread;
    float *bufs = scratch + (size_t)group_rows(j->kv->n_ctx) * j->kv->n_ctx;
    widened wd[2] = {{-1, 0, -1, bufs}, {-1, 0, -1, bufs + chunk_floats(j->p->head_dim)}};
    const int nblk = (j->T + j->qb - 1) / j->qb;
    for (long u = b; u < e; u++) { /* in order: a KV head's query blocks ascending */
        const int kvh = (int)(u / nblk), t0 = (int)(u % nblk) * j->qb;
        attn_group(j, kvh, t0, j->T - t0 < j->qb ? j->T - t0 : j->qb, scratch, wd);
    }
}

static void attn_worker(void *ctx, int ith, int nth) {
    const attn_job *j = ctx;
    const int per_t = j->p->n_head / j->gs; /* items per query */
    long b, e;
    lf_pool_split((long)j->T * per_t, ith, nth, 1, &b, &e);
    float *sc = j->scratch + (size_t)ith * j->per_thread;
    for (long u = b; u < e; u++) attn_one(j, (int)(u / per_t), (int)(u % per_t) * j->gs, sc);
}

/* Batched decode: one query per sequence, each against its own cache; items (sequence, sub-group of
 * heads) over all sequences in one pass of the pool. */
typedef struct {
    const attn_job *jobs; /* per sequence, T = 1 */
    int S, per_s;         /* sequences, items per sequence */
} attn_seqs_job;

static void attn_seqs_worker(void *ctx, int ith, int nth) {
    const attn_seqs_job *a = ctx;
    long b, e;
    lf_pool_split((long)a->S * a->per_s, ith, nth, 1, &b, &e);
    for (long u = b; u < e; u++) {
        const attn_job *j = &a->jobs[u / a->per_s];
        attn_one(j, 0, (int)(u % a->per_s) * j->gs, j->scratch + (size_t)ith * j->per_thread);
    }
}

#define SEQS_STACK 16 /* sequences whose jobs live on the stack; more go through lf_attention one by one */

void lf_attention_seqs(lf_opctx *ctx, int S, const lf_kv *const *kv, int l, const lf_attn_params *p, const float *q,
                       int64_t q_stride, float *out, int64_t out_stride, const int *pos, float *const *scratch) {
    if (S > SEQS_STACK) {
        for (int s = 0; s < S; s++)
            lf_attention(ctx, kv[s], l, p, q + (size_t)s * q_stride, out + (size_t)s * out_stride, 1, pos[s], scratch[s]);
        return;
    }
    attn_job jobs[SEQS_STACK];
    const int G = p->n_head / p->n_head_kv;
    int rows = GROUP_ROWS;
    for (int s = 0; s < S; s++)
        if (group_rows(kv[s]->n_ctx) < rows) rows = group_rows(kv[s]->n_ctx);
    const int gs = sub_group(G, p->n_head_kv, S, lf_pool_size(ctx->pool), rows);
    for (int s = 0; s < S; s++)
        jobs[s] = (attn_job){ctx->k ? &ctx->k->vec : lf_vec_best(), ctx->k ? &ctx->k->attn : lf_attn_best(), kv[s], l, p,
                             q + (size_t)s * q_stride, out + (size_t)s * out_stride, 1, pos[s], scratch[s],
                             lf_attention_scratch_floats(kv[s]->n_ctx, p->head_dim), 0, 0, gs};
    attn_seqs_job a = {jobs, S, p->n_head / gs};
    lf_pool_run(ctx->pool, attn_seqs_worker, &a);
}

void lf_attention(lf_opctx *ctx, const lf_kv *kv, int l, const lf_attn_params *p, const float *q, float *out,
                  int T, int pos0, float *scratch) {
    attn_job j = {ctx->k ? &ctx->k->vec : lf_vec_best(), ctx->k ? &ctx->k->attn : lf_attn_best(), kv, l, p, q, out, T, pos0, scratch, lf_attention_scratch_floats(kv->n_ctx, p->head_dim), 0, 0, 1};
    const int G = p->n_head / p->n_head_kv;
    const int qb = group_rows(kv->n_ctx) / G;
    if (T >= 4 && qb >= 1) { /* prompt batches: groups (a query block per item, all its heads) */
        j.qb = qb;
        j.n_items = p->n_head_kv * ((T + qb - 1) / qb);
        lf_pool_run(ctx->pool, attn_group_worker, &j);
        return;
    }
    j.gs = sub_group(G, p->n_head_kv, T, lf_pool_size(ctx->pool), group_rows(kv->n_ctx));
    lf_pool_run(ctx->pool, attn_worker, &j);
}
