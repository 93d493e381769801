/* format/gguf_write.c - GGUF v3 writer. KVs are serialized to their on-disk bytes when added; tensor
 * descriptions are collected; lf_gguf_writer_write then streams header, KVs, tensor infos, padding and
 * each tensor's bytes (produced by a callback into one reused buffer) to the file.
 *
 * Layout written: magic, version 3, counts, KVs in add order, tensor infos in add order, zero padding
 * to a multiple of 32, tensors in add order each at an offset that is a multiple of 32 (zero padding
 * between them). The writer never writes general.alignment (32 is the default).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "format/dtype.h"
#include "format/gguf.h"
#include "format/gguf_impl.h"

#define W_ALIGN LF_GGUF_DEFAULT_ALIGNMENT

typedef struct wkv {
    char *key;
    uint32_t type;
    uint8_t *val; /* on-disk bytes of the value (after the type field) */
    size_t nval;
} wkv;

typedef struct wtensor {
    char *name;
    uint32_t type;
    uint32_t n_dims;
    int64_t ne[LF_GGUF_MAX_DIMS];
    uint64_t nbytes;
    uint64_t offset;
} wtensor;

struct lf_gguf_writer {
    wkv *kv;
    size_t n_kv, cap_kv;
    wtensor *t;
    size_t n_t, cap_t;
};

lf_gguf_writer *lf_gguf_writer_create(void) { return calloc(1, sizeof(lf_gguf_writer)); }

void lf_gguf_writer_destroy(lf_gguf_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n_kv; i++) {
        free(w->kv[i].key);
        free(w->kv[i].val);
    }
    for (size_t i = 0; i < w->n_t; i++) free(w->t[i].name);
    free(w->kv);
    free(w->t);
    free(w);
}

/* ---- value serialization ------------------------------------------------------------------------- */

static void put_le(uint8_t *p, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Takes ownership of val (freed on failure). */
static int add_kv(lf_gguf_writer *w, const char *key, uint32_t type, uint8_t *val, size_t nval) {
    if (!w || !key || !*key) {
        free(val);
        return LFMRT_E_INVALID;
    }
    for (size_t i = 0; i < w->n_kv; i++)
        if (strcmp(w->kv[i].key, key) == 0) {
            free(val);
            return LFMRT_E_INVALID;
        }
    if (w->n_kv == w->cap_kv) {
        size_t cap = w->cap_kv ? w->cap_kv * 2 : 16;
        wkv *n = realloc(w->kv, cap * sizeof *n);
        if (!n) {
            free(val);
            return LFMRT_E_NOMEM;
        }
        w->kv = n;
        w->cap_kv = cap;
    }
    char *k = strdup(key);
    if (!k) {
        free(val);
        return LFMRT_E_NOMEM;
    }
    w->kv[w->n_kv++] = (wkv){k, type, val, nval};
    return LFMRT_OK;
}

static int add_scalar(lf_gguf_writer *w, const char *key, uint32_t type, uint64_t bits) {
    uint32_t sz = lf_gguf_type_size(type);
    uint8_t *v = malloc(sz);
    if (!v) return LFMRT_E_NOMEM;
    put_le(v, bits, sz);
    return add_kv(w, key, type, v, sz);
}

int lf_gguf_writer_set_int(lf_gguf_writer *w, const char *key, uint32_t type, int64_t v) {
    int64_t lo, hi;
    switch (type) {
    case LF_GGUF_U8: lo = 0, hi = UINT8_MAX; break;
    case LF_GGUF_I8: lo = INT8_MIN, hi = INT8_MAX; break;
    case LF_GGUF_U16: lo = 0, hi = UINT16_MAX; break;
    case LF_GGUF_I16: lo = INT16_MIN, hi = INT16_MAX; break;
    case LF_GGUF_U32: lo = 0, hi = UINT32_MAX; break;
    case LF_GGUF_I32: lo = INT32_MIN, hi = INT32_MAX; break;
    case LF_GGUF_U64: lo = 0, hi = INT64_MAX; break;
    case LF_GGUF_I64: lo = INT64_MIN, hi = INT64_MAX; break;
    default: return LFMRT_E_INVALID;
    }
    if (v < lo || v > hi) return LFMRT_E_INVALID;
    return add_scalar(w, key, type, (uint64_t)v);
}

int lf_gguf_writer_set_u32(lf_gguf_writer *w, const char *key, uint32_t v) {
    return add_scalar(w, key, LF_GGUF_U32, v);
}
int lf_gguf_writer_set_i32(lf_gguf_writer *w, const char *key, int32_t v) {
    return add_scalar(w, key, LF_GGUF_I32, (uint64_t)(uint32_t)v);
}
int lf_gguf_writer_set_u64(lf_gguf_writer *w, const char *key, uint64_t v) {
    return add_scalar(w, key, LF_GGUF_U64, v);
}
int lf_gguf_writer_set_f32(lf_gguf_writer *w, const char *key, float v) {
    uint32_t b;
    memcpy(&b, &v, 4);
    return add_scalar(w, key, LF_GGUF_F32, b);
}
int lf_gguf_writer_set_f64(lf_gguf_writer *w, const char *key, double v) {
    uint64_t b;
    memcpy(&b, &v, 8);
    return add_scalar(w, key, LF_GGUF_F64, b);
}
int lf_gguf_writer_set_bool(lf_gguf_writer *w, const char *key, bool v) {
    return add_scalar(w, key, LF_GGUF_BOOL, v ? 1 : 0);
}

int lf_gguf_writer_set_str(lf_gguf_writer *w, const char *key, const char *v) {
    if (!v) return LFMRT_E_INVALID;
    size_t n = strlen(v);
    uint8_t *b = malloc(8 + n);
    if (!b) return LFMRT_E_NOMEM;
    put_le(b, n, 8);
    memcpy(b + 8, v, n);
    return add_kv(w, key, LF_GGUF_STRING, b, 8 + n);
}

int lf_gguf_writer_set_arr(lf_gguf_writer *w, const char *key, uint32_t elem_type, const void *v, size_t n) {
    uint32_t sz = lf_gguf_type_size(elem_type);
    if (sz == 0 || (n && !v) || n > (SIZE_MAX - 12) / sz) return LFMRT_E_INVALID;
    uint8_t *b = malloc(12 + n * sz);
    if (!b) return LFMRT_E_NOMEM;
    put_le(b, elem_type, 4);
    put_le(b + 4, n, 8);
    const uint8_t *src = v;
    for (size_t i = 0; i < n; i++) { /* host -> little-endian, element by element */
        uint64_t x = 0;
        memcpy(&x, src + i * sz, sz); /* little-endian host: the low bytes */
        put_le(b + 12 + i * sz, x, sz);
    }
    if (elem_type == LF_GGUF_BOOL)
        for (size_t i = 0; i < n; i++) b[12 + i] = b[12 + i] ? 1 : 0;
    return add_kv(w, key, LF_GGUF_ARRAY, b, 12 + n * sz);
}

int lf_gguf_writer_set_arr_i32(lf_gguf_writer *w, const char *key, const int32_t *v, size_t n) {
    return lf_gguf_writer_set_arr(w, key, LF_GGUF_I32, v, n);
}
int lf_gguf_writer_set_arr_f32(lf_gguf_writer *w, const char *key, const float *v, size_t n) {
    return lf_gguf_writer_set_arr(w, key, LF_GGUF_F32, v, n);
}

int lf_gguf_writer_set_arr_str(lf_gguf_writer *w, const char *key, const char *const *strs, const size_t *lens,
                               size_t n) {
    if (n && !strs) return LFMRT_E_INVALID;
    size_t total = 12;
    for (size_t i = 0; i < n; i++) {
        if (!strs[i]) return LFMRT_E_INVALID;
        size_t l = lens ? lens[i] : strlen(strs[i]);
        if (l > SIZE_MAX - total - 8) return LFMRT_E_INVALID;
        total += 8 + l;
    }
    uint8_t *b = malloc(total);
    if (!b) return LFMRT_E_NOMEM;
    put_le(b, LF_GGUF_STRING, 4);
    put_le(b + 4, n, 8);
    size_t k = 12;
    for (size_t i = 0; i < n; i++) {
        size_t l = lens ? lens[i] : strlen(strs[i]);
        put_le(b + k, l, 8);
        if (l) memcpy(b + k + 8, strs[i], l);
        k += 8 + l;
    }
    return add_kv(w, key, LF_GGUF_ARRAY, b, total);
}

int lf_gguf_writer_add_tensor(lf_gguf_writer *w, const char *name, uint32_t type, uint32_t n_dims,
                              const int64_t *ne) {
    if (!w || !name || !*name || n_dims == 0 || n_dims > LF_GGUF_MAX_DIMS || !ne) return LFMRT_E_INVALID;
    size_t row;
    if (ne[0] <= 0 || !lf_dtype_row_size(type, ne[0], &row)) return LFMRT_E_INVALID;
    uint64_t nbytes = row;
    for (uint32_t d = 1; d < n_dims; d++) {
        if (ne[d] <= 0 || nbytes > UINT64_MAX / 2 / (uint64_t)ne[d]) return LFMRT_E_INVALID;
        nbytes *= (uint64_t)ne[d];
    }
    for (size_t i = 0; i < w->n_t; i++)
        if (strcmp(w->t[i].name, name) == 0) return LFMRT_E_INVALID;
    if (w->n_t == w->cap_t) {
        size_t cap = w->cap_t ? w->cap_t * 2 : 64;
        wtensor *n = realloc(w->t, cap * sizeof *n);
        if (!n) return LFMRT_E_NOMEM;
        w->t = n;
        w->cap_t = cap;
    }
    char *nm = strdup(name);
    if (!nm) return LFMRT_E_NOMEM;
    wtensor *t = &w->t[w->n_t++];
    memset(t, 0, sizeof *t);
    t->name = nm;
    t->type = type;
    t->n_dims = n_dims;
    for (int d = 0; d < LF_GGUF_MAX_DIMS; d++) t->ne[d] = (uint32_t)d < n_dims ? ne[d] : 1;
    t->nbytes = nbytes;
    return LFMRT_OK;
}

/* ---- streaming out ------------------------------------------------------------------------------- */

typedef struct wout {
    FILE *f;
    const char *path;
    uint64_t pos;
    lfmrt_err *e;
} wout;

static int out_bytes(wout *o, const void *p, size_t n) {
    if (n && fwrite(p, 1, n, o->f) != n)
        return lf_err(o->e, LFMRT_E_IO, "%s: write failed at byte %llu: %s", o->path, (unsigned long long)o->pos,
                      strerror(errno));
    o->pos += n;
    return LFMRT_OK;
}

static int out_le(wout *o, uint64_t v, unsigned n) {
    uint8_t b[8];
    put_le(b, v, n);
    return out_bytes(o, b, n);
}

static int out_zeros(wout *o, uint64_t n) {
    static const uint8_t z[W_ALIGN];
    while (n) {
        size_t k = n < sizeof z ? (size_t)n : sizeof z;
        int rc = out_bytes(o, z, k);
        if (rc) return rc;
        n -= k;
    }
    return LFMRT_OK;
}

static uint64_t align_up(uint64_t x) { return (x + W_ALIGN - 1) / W_ALIGN * W_ALIGN; }

static int write_header(wout *o, const lf_gguf_writer *w) {
    int rc;
    if ((rc = out_bytes(o, "GGUF", 4)) || (rc = out_le(o, 3, 4)) || (rc = out_le(o, w->n_t, 8)) ||
        (rc = out_le(o, w->n_kv, 8)))
        return rc;
    for (size_t i = 0; i < w->n_kv; i++) {
        const wkv *kv = &w->kv[i];
        size_t kl = strlen(kv->key);
        if ((rc = out_le(o, kl, 8)) || (rc = out_bytes(o, kv->key, kl)) || (rc = out_le(o, kv->type, 4)) ||
            (rc = out_bytes(o, kv->val, kv->nval)))
            return rc;
    }
    for (size_t i = 0; i < w->n_t; i++) {
        const wtensor *t = &w->t[i];
        size_t nl = strlen(t->name);
        if ((rc = out_le(o, nl, 8)) || (rc = out_bytes(o, t->name, nl)) || (rc = out_le(o, t->n_dims, 4)))
            return rc;
        for (uint32_t d = 0; d < t->n_dims; d++)
            if ((rc = out_le(o, (uint64_t)t->ne[d], 8))) return rc;
        if ((rc = out_le(o, t->type, 4)) || (rc = out_le(o, t->offset, 8))) return rc;
    }
    return out_zeros(o, align_up(o->pos) - o->pos);
}

static int write_all(wout *o, lf_gguf_writer *w, lf_gguf_fill_fn fill, void *fill_user,
                     lf_gguf_progress_fn progress, void *progress_user) {
    /* offsets and totals first */
    uint64_t meta = 24, off = 0, maxb = 0;
    for (size_t i = 0; i < w->n_kv; i++) meta += 8 + strlen(w->kv[i].key) + 4 + w->kv[i].nval;
    for (size_t i = 0; i < w->n_t; i++) {
        wtensor *t = &w->t[i];
        meta += 8 + strlen(t->name) + 4 + 8ull * t->n_dims + 4 + 8;
        t->offset = off;
        off = align_up(off + t->nbytes);
        if (t->nbytes > maxb) maxb = t->nbytes;
    }
    uint64_t total = align_up(meta) + (w->n_t ? w->t[w->n_t - 1].offset + w->t[w->n_t - 1].nbytes : 0);
    if (maxb > SIZE_MAX) return lf_err(o->e, LFMRT_E_NOMEM, "tensor of %llu bytes does not fit in memory",
                                       (unsigned long long)maxb);
    int rc = write_header(o, w);
    if (rc) return rc;
    if (progress) progress(progress_user, o->pos, total);
    uint8_t *buf = maxb ? malloc((size_t)maxb) : NULL;
    if (maxb && !buf)
        return lf_err(o->e, LFMRT_E_NOMEM, "out of memory for a %llu-byte tensor buffer", (unsigned long long)maxb);
    uint64_t data0 = o->pos;
    for (size_t i = 0; i < w->n_t && rc == LFMRT_OK; i++) {
        const wtensor *t = &w->t[i];
        rc = out_zeros(o, data0 + t->offset - o->pos);
        if (rc) break;
        rc = fill(fill_user, t->name, t->type, t->ne, buf, t->nbytes, o->e);
        if (rc) {
            if (o->e && o->e->code != rc) lf_err(o->e, rc, "tensor '%s': fill callback failed (%s)", t->name,
                                                 lfmrt_status_name(rc));
            break;
        }
        rc = out_bytes(o, buf, (size_t)t->nbytes);
        if (rc == LFMRT_OK && progress) progress(progress_user, o->pos, total);
    }
    free(buf);
    return rc;
}

int lf_gguf_writer_write(lf_gguf_writer *w, const char *path, lf_gguf_fill_fn fill, void *fill_user,
                         lf_gguf_progress_fn progress, void *progress_user, lfmrt_err *e) {
    if (!w || !path) return lf_err(e, LFMRT_E_INVALID, "lf_gguf_writer_write: NULL writer or path");
    lf_err_clear(e);
    if (w->n_t && !fill) return lf_err(e, LFMRT_E_INVALID, "%s: %zu tensors added but no fill callback", path, w->n_t);
    FILE *f = fopen(path, "wb");
    if (!f) return lf_err(e, LFMRT_E_IO, "%s: cannot open for writing: %s", path, strerror(errno));
    struct stat st;
    bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    wout o = {f, path, 0, e};
    int rc = write_all(&o, w, fill, fill_user, progress, progress_user);
    if (rc == LFMRT_OK && fflush(f) != 0)
        rc = lf_err(e, LFMRT_E_IO, "%s: write failed near byte %llu: %s", path, (unsigned long long)o.pos,
                    strerror(errno));
    if (fclose(f) != 0 && rc == LFMRT_OK)
        rc = lf_err(e, LFMRT_E_IO, "%s: close failed: %s", path, strerror(errno));
    if (rc != LFMRT_OK && regular) unlink(path);
    return rc;
}
