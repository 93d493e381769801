/* cache/kv.h - per-sequence state: the KV cache of attention layers and the conv state of LFM2
 * short-conv layers. All memory is allocated at init; storing never allocates.
 *
 * KV layout per attention layer: K and V each [n_ctx][row] with row = n_head_kv * head_dim elements
 * (ne = {row, n_ctx}), stored as f16 (llama.cpp's default) or f32. Position p occupies row p.
 * Conv state per conv layer: [H][L-1] f32 (ne = {L-1, H}), element (L-1)*c + j, j = L-2 newest.
 */
#ifndef LF_CACHE_KV_H
#define LF_CACHE_KV_H

#include <stddef.h>
#include <stdint.h>

#include "lfmrt/status.h"

typedef struct lf_kv {
    int n_layers;  /* attention layers with a cache */
    int n_ctx;     /* positions */
    int row;       /* elements per position per K (and V) */
    int f16;       /* 1: f16 storage, 0: f32 */
    size_t row_bytes;
    uint8_t *buf;  /* n_layers * 2 * n_ctx * row_bytes */
} lf_kv;

int lf_kv_init(lf_kv *kv, int n_layers, int n_ctx, int row, int f16, lfmrt_err *e);
void lf_kv_deinit(lf_kv *kv);
size_t lf_kv_bytes(const lf_kv *kv);
/* Pointers to the K / V row of layer l at position p. */
void *lf_kv_k(const lf_kv *kv, int l, int p);
void *lf_kv_v(const lf_kv *kv, int l, int p);
/* Stores f32 k and v rows (row elements each) at position p of layer l, converting to the storage type. */
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
