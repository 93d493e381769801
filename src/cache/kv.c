/* cache/kv.c - KV cache and conv state storage. */
#include "cache/kv.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ops/ops.h"

int lf_kv_init_caps(lf_kv *kv, int n_layers, const int *cap, int n_head, int hd, int f16, lfmrt_err *e) {
    memset(kv, 0, sizeof *kv);
    if (n_layers < 0 || n_head < 1 || hd < 1 || (long)n_head * hd > (1L << 24) || (n_layers > 0 && !cap))
        return lf_err(e, LFMRT_E_INVALID, "bad KV cache geometry (%d layers, %d heads of %d)", n_layers, n_head, hd);
    const int row = n_head * hd;
    kv->n_layers = n_layers;
    kv->row = row;
    kv->n_head = n_head;
    kv->hd = hd;
    kv->f16 = f16;
    kv->row_bytes = (size_t)row * (f16 ? 2 : 4);
    kv->n_ctx = 1;
    if (n_layers == 0) return LFMRT_OK;
    kv->cap = malloc((size_t)n_layers * sizeof *kv->cap);
    kv->off = malloc((size_t)n_layers * sizeof *kv->off);
    if (!kv->cap || !kv->off) {
        lf_kv_deinit(kv);
        return lf_err(e, LFMRT_E_NOMEM, "out of memory allocating the KV cache index");
    }
    size_t total = 0;
    for (int l = 0; l < n_layers; l++) {
        if (cap[l] < 1) {
            lf_kv_deinit(kv);
            return lf_err(e, LFMRT_E_INVALID, "KV cache layer %d: capacity %d must be >= 1", l, cap[l]);
        }
        kv->cap[l] = cap[l];
        kv->off[l] = total;
        total += 2 * (size_t)cap[l] * kv->row_bytes;
        if (cap[l] > kv->n_ctx) kv->n_ctx = cap[l];
    }
    kv->total = total;
    kv->buf = calloc(1, total);
    if (!kv->buf) {
        lf_kv_deinit(kv);
        return lf_err(e, LFMRT_E_NOMEM, "out of memory allocating %zu bytes of KV cache", total);
    }
    return LFMRT_OK;
}

int lf_kv_init(lf_kv *kv, int n_layers, int n_ctx, int n_head, int hd, int f16, lfmrt_err *e) {
    memset(kv, 0, sizeof *kv);
    if (n_layers < 0 || n_ctx < 1 || n_head < 1 || hd < 1) return lf_err(e, LFMRT_E_INVALID, "bad KV cache geometry");
    int *cap = malloc((size_t)(n_layers > 0 ? n_layers : 1) * sizeof *cap);
    if (!cap) return lf_err(e, LFMRT_E_NOMEM, "out of memory");
    for (int l = 0; l < n_layers; l++) cap[l] = n_ctx;
    int rc = lf_kv_init_caps(kv, n_layers, cap, n_head, hd, f16, e);
    free(cap);
    if (rc == LFMRT_OK) kv->n_ctx = n_ctx;
    return rc;
}

void lf_kv_deinit(lf_kv *kv) {
    free(kv->buf);
    free(kv->cap);
    free(kv->off);
    kv->buf = NULL;
    kv->cap = NULL;
    kv->off = NULL;
}

size_t lf_kv_bytes(const lf_kv *kv) { return kv->total; }

int lf_kv_swa_capacity(int n_ctx, int n_swa, int n_batch) {
    const long c = (long)n_swa + (long)n_batch - 1;
    return c < (long)n_ctx ? (int)c : n_ctx;
}

/* head h of row p % cap of layer l's K (v = 0) or V block */
static void *kv_at(const lf_kv *kv, int v, int l, int p, int h) {
    const size_t cap = (size_t)kv->cap[l], esz = kv->f16 ? 2 : 4;
    const size_t elem = ((size_t)h * cap + (size_t)(p % kv->cap[l])) * (size_t)kv->hd;
    return kv->buf + kv->off[l] + (v ? cap * kv->row_bytes : 0) + elem * esz;
}

void *lf_kv_k(const lf_kv *kv, int l, int p, int h) { return kv_at(kv, 0, l, p, h); }

void *lf_kv_v(const lf_kv *kv, int l, int p, int h) { return kv_at(kv, 1, l, p, h); }

void lf_kv_store(lf_kv *kv, int l, int p, const float *k, const float *v) {
    const size_t hb = (size_t)kv->hd * sizeof(float);
    for (int h = 0; h < kv->n_head; h++) {
        const float *kh = k + (size_t)h * kv->hd, *vh = v + (size_t)h * kv->hd;
        if (kv->f16) {
            lf_f32_to_f16_row(kv->hd, kh, lf_kv_k(kv, l, p, h));
            lf_f32_to_f16_row(kv->hd, vh, lf_kv_v(kv, l, p, h));
        } else {
            memcpy(lf_kv_k(kv, l, p, h), kh, hb);
            memcpy(lf_kv_v(kv, l, p, h), vh, hb);
        }
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
