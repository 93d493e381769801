/* cache/kv.h - per-sequence state: the KV cache of attention layers and the conv state of LFM2
 * short-conv layers. All memory is allocated at init; storing never allocates.
 *
 * KV layout: each attention layer l has a capacity cap[l] (rows); K and V are each head-major,
 * [n_head][cap[l]][head_dim] (ne = {head_dim, cap[l], n_head}), stored as f16 (llama.cpp's default) or
 * f32: one head's keys are one contiguous run of positions, which decode attention streams (a
 * position-major row of all heads made every head's read a strided one). Position p lives in row
 * p % cap[l] of every head. A full layer has cap = n_ctx (row p = position p); a sliding-window
 * layer (Gemma3) keeps a ring of cap = min(n_ctx, n_swa + n_batch - 1) rows: memory O(window), and a
 * batch of n_batch queries still finds, for each query, the n_swa newest keys it may see (the oldest key
 * the first query of a batch needs is n_swa - 1 positions before it, the newest stored one n_batch - 1
 * after it). Rewinding a sequence (storing a position below one already stored) keeps a ring layer
 * correct only when it goes back by at most n_batch positions; otherwise reset and prefill again.
 * Conv state per conv layer: [H][L-1] f32 (ne = {L-1, H}), element (L-1)*c + j, j = L-2 newest.
 */
#ifndef LF_CACHE_KV_H
#define LF_CACHE_KV_H

#include <stddef.h>
#include <stdint.h>

#include "lfmrt/status.h"

typedef struct lf_kv {
    int n_layers;  /* attention layers with a cache */
    int n_ctx;     /* largest capacity of any layer (positions) */
    int row;       /* elements per position per K (and V): n_head * hd */
    int n_head;    /* KV heads */
    int hd;        /* elements per head: consecutive positions of one head are hd elements apart */
    int f16;       /* 1: f16 storage, 0: f32 */
    size_t row_bytes;
    int *cap;      /* [n_layers] rows per layer (owned) */
    size_t *off;   /* [n_layers] byte offset of layer l's K block; V follows at off + cap * row_bytes */
    size_t total;  /* bytes of buf */
    uint8_t *buf;
} lf_kv;

/* Every layer with capacity n_ctx, n_head heads of hd elements. Returns LFMRT_OK, LFMRT_E_INVALID (bad
 * geometry), LFMRT_E_NOMEM. */
int lf_kv_init(lf_kv *kv, int n_layers, int n_ctx, int n_head, int hd, int f16, lfmrt_err *e);
/* Layer l with capacity cap[l] >= 1 (copied). Same returns as lf_kv_init. */
int lf_kv_init_caps(lf_kv *kv, int n_layers, const int *cap, int n_head, int hd, int f16, lfmrt_err *e);
void lf_kv_deinit(lf_kv *kv); /* frees; kv may be zeroed or already deinit'ed */
size_t lf_kv_bytes(const lf_kv *kv);
/* The ring capacity a sliding-window layer needs: min(n_ctx, n_swa + n_batch - 1). */
int lf_kv_swa_capacity(int n_ctx, int n_swa, int n_batch);
/* Pointers to head h of the K / V row of layer l holding position p (row p % cap[l]); the next
 * position's (until the ring wraps) is kv->hd elements further. The caller guarantees that position p is
 * still held, i.e. no position >= p + cap[l] has been stored since. */
void *lf_kv_k(const lf_kv *kv, int l, int p, int h);
void *lf_kv_v(const lf_kv *kv, int l, int p, int h);
/* Stores f32 k and v rows (row elements each: head after head) at position p of layer l, converting to
 * the storage type. */
void lf_kv_store(lf_kv *kv, int l, int p, const float *k, const float *v);

typedef struct lf_convstate {
    int n_layers, n_embd, n_keep; /* n_keep = L - 1 */
    float *buf;                    /* n_layers * n_embd * n_keep */
} lf_convstate;

int lf_convstate_init(lf_convstate *cs, int n_layers, int n_embd, int n_keep, lfmrt_err *e);
void lf_convstate_deinit(lf_convstate *cs);
void lf_convstate_clear(lf_convstate *cs);
float *lf_convstate_layer(const lf_convstate *cs, int l);

#endif
