/* cache/kv.c - KV cache and conv state storage. */
#include "cache/kv.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "format/dtype.h"

int lf_kv_init(lf_kv *kv, int n_layers, int n_ctx, int row, int f16, lfmrt_err *e) {
    memset(kv, 0, sizeof *kv);
    if (n_layers < 0 || n_ctx < 1 || row < 1) return lf_err(e, LFMRT_E_INVALID, "bad KV cache geometry");
    kv->n_layers = n_layers;
    kv->n_ctx = n_ctx;
    kv->row = row;
    kv->f16 = f16;
    kv->row_bytes = (size_t)row * (f16 ? 2 : 4);
    size_t total = (size_t)n_layers * 2 * (size_t)n_ctx * kv->row_bytes;
    if (total == 0) return LFMRT_OK;
    kv->buf = calloc(1, total);
    if (!kv->buf) return lf_err(e, LFMRT_E_NOMEM, "out of memory allocating %zu bytes of KV cache", total);
    return LFMRT_OK;
}

void lf_kv_deinit(lf_kv *kv) {
    free(kv->buf);
    kv->buf = NULL;
}

size_t lf_kv_bytes(const lf_kv *kv) { return (size_t)kv->n_layers * 2 * (size_t)kv->n_ctx * kv->row_bytes; }

void *lf_kv_k(const lf_kv *kv, int l, int p) {
    return kv->buf + ((size_t)l * 2 * kv->n_ctx + (size_t)p) * kv->row_bytes;
}

void *lf_kv_v(const lf_kv *kv, int l, int p) {
    return kv->buf + (((size_t)l * 2 + 1) * kv->n_ctx + (size_t)p) * kv->row_bytes;
}

void lf_kv_store(lf_kv *kv, int l, int p, const float *k, const float *v) {
    if (kv->f16) {
        uint16_t *kd = lf_kv_k(kv, l, p), *vd = lf_kv_v(kv, l, p);
        for (int i = 0; i < kv->row; i++) {
            kd[i] = lf_f32_to_fp16(k[i]);
            vd[i] = lf_f32_to_fp16(v[i]);
        }
    } else {
        memcpy(lf_kv_k(kv, l, p), k, kv->row_bytes);
        memcpy(lf_kv_v(kv, l, p), v, kv->row_bytes);
    }
}

int lf_convstate_init(lf_convstate *cs, int n_layers, int n_embd, int n_keep, lfmrt_err *e) {
    memset(cs, 0, sizeof *cs);
    cs->n_layers = n_layers;
    cs->n_embd = n_embd;
    cs->n_keep = n_keep;
    size_t n = (size_t)n_layers * n_embd * n_keep;
    if (n == 0) return LFMRT_OK;
    cs->buf = calloc(n, sizeof(float));
    if (!cs->buf) return lf_err(e, LFMRT_E_NOMEM, "out of memory allocating conv state");
    return LFMRT_OK;
}

void lf_convstate_deinit(lf_convstate *cs) {
    free(cs->buf);
    cs->buf = NULL;
}

void lf_convstate_clear(lf_convstate *cs) {
    if (cs->buf) memset(cs->buf, 0, (size_t)cs->n_layers * cs->n_embd * cs->n_keep * sizeof(float));
}

float *lf_convstate_layer(const lf_convstate *cs, int l) {
    return cs->buf + (size_t)l * cs->n_embd * cs->n_keep;
}
