/* models/loader.c - tensor and key lookup helpers shared by the architecture files. */
#include <stdio.h>

#include "base/err.h"
#include "format/dtype.h"
#include "models/model.h"

#define LF_WEIGHT_TYPES                                                                                  \
    ((1u << LF_DT_F32) | (1u << LF_DT_F16) | (1u << LF_DT_BF16) | (1u << LF_DT_Q8_0) | (1u << LF_DT_Q4_0) | \
     (1u << LF_DT_Q4_1) | (1u << LF_DT_Q5_0) | (1u << LF_DT_Q5_1) | (1u << LF_DT_Q4_K) | (1u << LF_DT_Q5_K) | \
     (1u << LF_DT_Q6_K))

int lf_load_mat(const lf_gguf *g, const char *name, int64_t ne0, int64_t ne1, lf_mat *out, lfmrt_err *e) {
    const int64_t ne[2] = {ne0, ne1};
    const lf_gguf_tensor *t;
    int rc = lf_gguf_get_tensor(g, name, LF_WEIGHT_TYPES, 2, ne, &t, e);
    if (rc) return rc;
    size_t rb;
    if (!lf_dtype_row_size(t->type, t->ne[0], &rb))
        return lf_err(e, LFMRT_E_SHAPE, "tensor '%s': row of %lld not a whole number of %s blocks", name,
                      (long long)t->ne[0], lf_dtype_name(t->type));
    out->data = t->data;
    out->type = t->type;
    out->ne0 = t->ne[0];
    out->ne1 = t->ne[1];
    out->row_bytes = rb;
    return LFMRT_OK;
}

int lf_load_vec(const lf_gguf *g, const char *name, int64_t n, const float **out, lfmrt_err *e) {
    const int64_t ne[1] = {n};
    const lf_gguf_tensor *t;
    int rc = lf_gguf_get_tensor(g, name, 1u << LF_DT_F32, 1, ne, &t, e);
    if (rc) return rc;
    *out = t->data;
    return LFMRT_OK;
}

int lf_load_u32(const lf_gguf *g, const char *arch, const char *suffix, uint32_t *out, const uint32_t *def,
                lfmrt_err *e) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int rc = lf_gguf_get_u32(g, key, out, e);
    if (rc == LFMRT_E_NOTFOUND && def) {
        *out = *def;
        return LFMRT_OK;
    }
    return rc;
}

int lf_load_f32(const lf_gguf *g, const char *arch, const char *suffix, float *out, const float *def,
                lfmrt_err *e) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int rc = lf_gguf_get_f32(g, key, out, e);
    if (rc == LFMRT_E_NOTFOUND && def) {
        *out = *def;
        return LFMRT_OK;
    }
    return rc;
}
