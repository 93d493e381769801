/* ops/matmul.c - threaded matrix x activations product through the kernel table.
 *
 * Plan: (1) the T activation rows are converted to the weight's vec_dot type (threads split rows);
 * (2) output rows are split across threads in blocks of 16; inside a block, every token is processed
 * while the block's weights are hot in cache, with the kernel's multi-row gemv -- or, when the dtype
 * has a gemm (several rows x several tokens per weight unpacking) and T > 1, with the gemm over chunks
 * of MM_TCHUNK tokens (outer loop, so a chunk's converted activations stay in L2 while every row
 * block of the thread's share passes over them). Either way each output is the same dot product.
 * A matrix repacked at load (lf_mat.packed) goes through the type's gemm_packed for every T, 1 included,
 * over whole 16-row groups: up to MM_TCHUNK tokens (decode, batched decode), threads claim row chunks from
 * an atomic counter (mm_claim_rows: the faster stream takes more); longer prompts go chunk by chunk of
 * tokens over each thread's fixed share. lf_matmul_n runs several packed matrices of the same input (q, k
 * and v; gate and up) as one such product: one conversion of x, one pass of the pool, one tail. */
#include "ops/ops.h"

#include <string.h>

#include "kernels/pack.h"
#include "lfmrt/status.h"

typedef struct {
    const lf_kernels *k;
    const lf_mat *W;
    const float *x;
    int64_t xs;
    float *y;
    int64_t ys;
    int T;
    uint8_t *act;
    size_t act_row;
    lf_from_f32_fn conv;
    lf_gemv_fn gemv;
    lf_gemm_fn gemm; /* NULL: gemv per token */
    int side;        /* gemm's activation rows carry lf_act_side entries */
    const uint8_t *packed; /* non-NULL: gemm is gemm_packed over these packed rows (W->packed) */
} mm_job;

static void mm_convert(void *ctx, int ith, int nth) {
    mm_job *j = ctx;
    long b, e;
    lf_pool_split(j->T, ith, nth, 1, &b, &e);
    for (long t = b; t < e; t++) {
        j->conv(j->x + t * j->xs, j->act + t * j->act_row, j->W->ne0);
        if (j->side) lf_act_side_fill(j->act + t * j->act_row, j->W->ne0);
    }
}

#define MM_BLOCK 16
#define MM_TCHUNK 64

static void mm_rows(void *ctx, int ith, int nth) {
    mm_job *j = ctx;
    long b, e;
    lf_pool_split((long)j->W->ne1, ith, nth, MM_BLOCK, &b, &e);
    if (j->packed) {
        if (e <= b) return;
        for (int t0 = 0; t0 < j->T; t0 += MM_TCHUNK) {
            const int nt = j->T - t0 < MM_TCHUNK ? j->T - t0 : MM_TCHUNK;
            j->gemm(j->W->ne0, e - b, nt, j->y + (int64_t)t0 * j->ys + b, (size_t)j->ys,
                    j->packed + (size_t)(b / LF_PACK_ROWS) * j->W->group_bytes, j->W->group_bytes,
                    j->act + (size_t)t0 * j->act_row, j->act_row);
        }
        return;
    }
    if (j->gemm && j->T > 1) {
        for (int t0 = 0; t0 < j->T; t0 += MM_TCHUNK) {
            const int nt = j->T - t0 < MM_TCHUNK ? j->T - t0 : MM_TCHUNK;
            for (long r0 = b; r0 < e; r0 += MM_BLOCK) {
                const long nr = (e - r0) < MM_BLOCK ? (e - r0) : MM_BLOCK;
                j->gemm(j->W->ne0, nr, nt, j->y + (int64_t)t0 * j->ys + r0, (size_t)j->ys,
                        j->W->data + (size_t)r0 * j->W->row_bytes, j->W->row_bytes,
                        j->act + (size_t)t0 * j->act_row, j->act_row);
            }
        }
        return;
    }
    float tmp[MM_BLOCK];
    for (long r0 = b; r0 < e; r0 += MM_BLOCK) {
        const long nr = (e - r0) < MM_BLOCK ? (e - r0) : MM_BLOCK;
        const uint8_t *w = j->W->data + (size_t)r0 * j->W->row_bytes;
        for (int t = 0; t < j->T; t++) {
            j->gemv(j->W->ne0, nr, tmp, w, j->W->row_bytes, j->act + (size_t)t * j->act_row);
            memcpy(j->y + t * j->ys + r0, tmp, (size_t)nr * sizeof(float));
        }
    }
}

size_t lf_matmul_act_bound(const lf_kernels *k, uint32_t w, int64_t n, int T) {
    const size_t plain = lf_kernels_act_size(k, w, n), g = lf_kernels_gemm_act_size(k, w, n);
    size_t row = T > 1 && g > plain ? g : plain;
    if (plain && k->t[w].gemm_packed && lf_act_side_row_size(n) > row) row = lf_act_side_row_size(n);
    return row * (size_t)T;
}

/* Packed products of one token chunk (decode, batched decode): the output rows of every matrix of the
 * call, as one sequence of 16-row groups (matrix after matrix), are claimed by the threads from an
 * atomic counter, guided: a claim takes 1/(2 nth) of the groups left (so the last claims are small and
 * the threads finish together), at least about 32 KiB of weights, and never crosses into the next
 * matrix. A thread that streams faster (the other one busy with a page walk, or descheduled) takes more
 * instead of waiting at the barrier. */
typedef struct {
    int n, T, nth;
    const lf_mat *W[LF_MATMUL_MAX];
    const uint8_t *pk[LF_MATMUL_MAX];
    float *y[LF_MATMUL_MAX];
    int64_t ys[LF_MATMUL_MAX];
    long g_end[LF_MATMUL_MAX]; /* groups of matrices 0..i together */
    long min_claim;            /* groups */
    lf_gemm_fn gemm;
    const uint8_t *act;
    size_t act_row;
    long next; /* atomic: first unclaimed group */
} mm_claims;

static void mm_claim_rows(void *ctx, int ith, int nth) {
    mm_claims *c = ctx;
    (void)ith;
    (void)nth;
    const long total = c->g_end[c->n - 1];
    long g0 = __atomic_load_n(&c->next, __ATOMIC_RELAXED);
    for (;;) {
        if (g0 >= total) return;
        int i = 0;
        while (c->g_end[i] <= g0) i++;
        long size = c->nth == 1 ? total - g0 : (total - g0) / (2L * c->nth);
        if (size < c->min_claim) size = c->min_claim;
        const long g1 = g0 + size < c->g_end[i] ? g0 + size : c->g_end[i];
        if (!__atomic_compare_exchange_n(&c->next, &g0, g1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            continue; /* g0 now holds the counter's value */
        const lf_mat *W = c->W[i];
        const long gs = i ? c->g_end[i - 1] : 0;
        const long r0 = (g0 - gs) * LF_PACK_ROWS, r1e = (g1 - gs) * LF_PACK_ROWS;
        const long r1 = r1e < W->ne1 ? r1e : W->ne1;
        c->gemm(W->ne0, r1 - r0, c->T, c->y[i] + r0, (size_t)c->ys[i], c->pk[i] + (size_t)(g0 - gs) * W->group_bytes,
                W->group_bytes, c->act, c->act_row);
        g0 = __atomic_load_n(&c->next, __ATOMIC_RELAXED);
    }
}

/* Whether W[0..n) can share one conversion of x and one claimed product: same type, width and packed
 * state (pk: the acquire-loaded layouts), packed, at most MM_TCHUNK tokens. Activation rows carry
 * lf_act_side entries for a Q8_0 vec_dot type, else they are plain rows of it (Q8_K for Q4_K). */
static int claimable(const lf_opctx *ctx, const lf_mat *const *W, const uint8_t *const *pk, int n, int T) {
    const lf_type_kernels *tk = &ctx->k->t[W[0]->type];
    if (T > MM_TCHUNK || !tk->gemm_packed) return 0;
    for (int i = 0; i < n; i++)
        if (!pk[i] || W[i]->type != W[0]->type || W[i]->ne0 != W[0]->ne0) return 0;
    return 1;
}

static int matmul_claimed(lf_opctx *ctx, const lf_mat *const *W, const uint8_t *const *pk, int n, const float *x,
                          int64_t x_stride, float *const *y, const int64_t *y_stride, int T) {
    const lf_type_kernels *tk = &ctx->k->t[W[0]->type];
    const lf_type_kernels *ak = &ctx->k->t[tk->vec_dot_type];
    const int side = tk->vec_dot_type == LF_DT_Q8_0;
    const size_t act_row = side ? lf_act_side_row_size(W[0]->ne0) : lf_kernels_act_size(ctx->k, W[0]->type, W[0]->ne0);
    if (act_row * (size_t)T > ctx->act_cap) return LFMRT_E_RANGE;
    mm_job cj = {ctx->k, W[0], x, x_stride, NULL, 0, T, ctx->act, act_row, ak->from_f32, tk->gemv, tk->gemm_packed, side,
                 pk[0]};
    lf_pool_run(T > 1 ? ctx->pool : NULL, mm_convert, &cj);
    mm_claims c = {.n = n, .T = T, .nth = lf_pool_size(ctx->pool), .gemm = tk->gemm_packed, .act = ctx->act,
                   .act_row = act_row};
    long g = 0;
    for (int i = 0; i < n; i++) {
        c.W[i] = W[i];
        c.pk[i] = pk[i];
        c.y[i] = y[i];
        c.ys[i] = y_stride[i];
        g += (W[i]->ne1 + LF_PACK_ROWS - 1) / LF_PACK_ROWS;
        c.g_end[i] = g;
    }
    c.min_claim = (long)(32768 / (W[0]->group_bytes ? W[0]->group_bytes : 1));
    if (c.min_claim < 1) c.min_claim = 1;
    lf_pool_run(ctx->pool, mm_claim_rows, &c);
    return LFMRT_OK;
}

int lf_matmul(lf_opctx *ctx, const lf_mat *W, const float *x, int64_t x_stride, float *y, int64_t y_stride,
              int T) {
    const lf_type_kernels *tk = &ctx->k->t[W->type];
    const lf_type_kernels *ak = &ctx->k->t[tk->vec_dot_type];
    if (!tk->gemv || !ak->from_f32) return LFMRT_E_INVALID;
    /* published by the background repack (engine/repack.c) with a release store; read once per call so
     * every thread of this product uses the same layout */
    const uint8_t *pk = __atomic_load_n(&W->packed, __ATOMIC_ACQUIRE);
    if (claimable(ctx, &W, &pk, 1, T)) return matmul_claimed(ctx, &W, &pk, 1, x, x_stride, &y, &y_stride, T);
    const int packed = pk && tk->gemm_packed;
    const int packed_side = packed && tk->vec_dot_type == LF_DT_Q8_0; /* else plain rows (Q8_K) */
    const int use_gemm = !packed && tk->gemm && T > 1;
    const size_t act_row = packed_side ? lf_act_side_row_size(W->ne0)
                           : use_gemm  ? lf_kernels_gemm_act_size(ctx->k, W->type, W->ne0)
                                       : lf_kernels_act_size(ctx->k, W->type, W->ne0);
    if (act_row * (size_t)T > ctx->act_cap) return LFMRT_E_RANGE;
    mm_job j = {ctx->k, W, x, x_stride, y, y_stride, T, ctx->act, act_row, ak->from_f32, tk->gemv,
                packed ? tk->gemm_packed : use_gemm ? tk->gemm : NULL, packed_side || (use_gemm && tk->gemm_side),
                packed ? pk : NULL};
    lf_pool_run(T > 1 ? ctx->pool : NULL, mm_convert, &j);
    lf_pool_run(ctx->pool, mm_rows, &j);
    return LFMRT_OK;
}

int lf_matmul_n(lf_opctx *ctx, int n, const lf_mat *const *W, const float *x, int64_t x_stride, float *const *y,
                const int64_t *y_stride, int T) {
    if (n < 1 || n > LF_MATMUL_MAX) return LFMRT_E_INVALID;
    const uint8_t *pk[LF_MATMUL_MAX];
    for (int i = 0; i < n; i++) pk[i] = __atomic_load_n(&W[i]->packed, __ATOMIC_ACQUIRE);
    if (n > 1 && claimable(ctx, W, pk, n, T)) return matmul_claimed(ctx, W, pk, n, x, x_stride, y, y_stride, T);
    for (int i = 0; i < n; i++) {
        const int rc = lf_matmul(ctx, W[i], x, x_stride, y[i], y_stride[i], T);
        if (rc) return rc;
    }
    return LFMRT_OK;
}

int lf_mat_get_row(const lf_kernels *k, const lf_mat *W, int64_t row, float *out) {
    if (row < 0 || row >= W->ne1) return LFMRT_E_RANGE;
    const lf_type_kernels *tk = &k->t[W->type];
    if (!tk->to_f32) return LFMRT_E_INVALID;
    tk->to_f32(W->data + (size_t)row * W->row_bytes, out, W->ne0);
    return LFMRT_OK;
}
