/* format/gguf_get.c - lookups over a parsed GGUF index: accessors, typed getters with
 * "expected ... found ..." messages, array element access, tensor lookup with dtype/shape checks.
 * All lookups are read-only and thread-safe on a shared handle. Keys and names are found by binary
 * search over the sorted views built at parse time. */
#include <string.h>

#include "base/err.h"
#include "format/dtype.h"
#include "format/gguf.h"
#include "format/gguf_impl.h"

bool lf_str_eq(lf_str s, const char *c) {
    size_t n = strlen(c);
    return s.n == n && (n == 0 || memcmp(s.p, c, n) == 0);
}

const char *lf_gguf_type_name(uint32_t type) {
    static const char *const names[] = {"U8",  "I8",    "U16",   "I16", "U32", "I32", "F32",
                                        "BOOL", "STRING", "ARRAY", "U64", "I64", "F64"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

uint32_t lf_gguf_type_size(uint32_t type) {
    switch (type) {
    case LF_GGUF_U8:
    case LF_GGUF_I8:
    case LF_GGUF_BOOL: return 1;
    case LF_GGUF_U16:
    case LF_GGUF_I16: return 2;
    case LF_GGUF_U32:
    case LF_GGUF_I32:
    case LF_GGUF_F32: return 4;
    case LF_GGUF_U64:
    case LF_GGUF_I64:
    case LF_GGUF_F64: return 8;
    default: return 0;
    }
}

uint32_t lf_gguf_version(const lf_gguf *g) { return g->version; }
uint32_t lf_gguf_alignment(const lf_gguf *g) { return g->alignment; }
uint64_t lf_gguf_data_offset(const lf_gguf *g) { return g->data_offset; }

const uint8_t *lf_gguf_bytes(const lf_gguf *g, size_t *size) {
    if (size) *size = g->size;
    return g->data;
}

size_t lf_gguf_n_kv(const lf_gguf *g) { return g->n_kv; }
const lf_gguf_kv *lf_gguf_kv_at(const lf_gguf *g, size_t i) { return i < g->n_kv ? &g->kv[i] : NULL; }

const lf_gguf_kv *lf_gguf_find_kv(const lf_gguf *g, const char *key) {
    lf_str k = {key, strlen(key)};
    size_t lo = 0, hi = g->n_kv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = lf_gguf_str_cmp(g->kv_sorted[mid]->key, k);
        if (r == 0) return g->kv_sorted[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t lf_gguf_n_tensors(const lf_gguf *g) { return g->n_t; }
const lf_gguf_tensor *lf_gguf_tensor_at(const lf_gguf *g, size_t i) { return i < g->n_t ? &g->t[i] : NULL; }

const lf_gguf_tensor *lf_gguf_find_tensor(const lf_gguf *g, const char *name) {
    lf_str k = {name, strlen(name)};
    size_t lo = 0, hi = g->n_t;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = lf_gguf_str_cmp(g->t_sorted[mid]->name, k);
        if (r == 0) return g->t_sorted[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- typed getters --------------------------------------------------------------------------------- */

static bool is_int(uint32_t t) { return t <= LF_GGUF_I32 || t == LF_GGUF_U64 || t == LF_GGUF_I64; }
static bool is_signed(uint32_t t) {
    return t == LF_GGUF_I8 || t == LF_GGUF_I16 || t == LF_GGUF_I32 || t == LF_GGUF_I64;
}

static const lf_gguf_kv *need(const lf_gguf *g, const char *key, lfmrt_err *e) {
    const lf_gguf_kv *kv = lf_gguf_find_kv(g, key);
    if (!kv) lf_err(e, LFMRT_E_NOTFOUND, "key '%s' not found", key);
    return kv;
}

static int wrong_type(const char *key, const char *expected, const lf_gguf_kv *kv, lfmrt_err *e) {
    if (kv->type == LF_GGUF_ARRAY)
        return lf_err(e, LFMRT_E_FORMAT, "key '%s': expected %s, found array of %s", key, expected,
                      lf_gguf_type_name(kv->v.arr.type));
    return lf_err(e, LFMRT_E_FORMAT, "key '%s': expected %s, found %s", key, expected, lf_gguf_type_name(kv->type));
}

int lf_gguf_get_u32(const lf_gguf *g, const char *key, uint32_t *out, lfmrt_err *e) {
    const lf_gguf_kv *kv = need(g, key, e);
    if (!kv) return LFMRT_E_NOTFOUND;
    if (!is_int(kv->type)) return wrong_type(key, "an integer (U32)", kv, e);
    if (is_signed(kv->type) ? (kv->v.i < 0 || kv->v.i > (int64_t)UINT32_MAX) : kv->v.u > UINT32_MAX) {
        if (is_signed(kv->type))
            return lf_err(e, LFMRT_E_FORMAT, "key '%s': value %lld (%s) is out of range for U32", key,
                          (long long)kv->v.i, lf_gguf_type_name(kv->type));
        return lf_err(e, LFMRT_E_FORMAT, "key '%s': value %llu (%s) is out of range for U32", key,
                      (unsigned long long)kv->v.u, lf_gguf_type_name(kv->type));
    }
    *out = is_signed(kv->type) ? (uint32_t)kv->v.i : (uint32_t)kv->v.u;
    return LFMRT_OK;
}

int lf_gguf_get_i64(const lf_gguf *g, const char *key, int64_t *out, lfmrt_err *e) {
    const lf_gguf_kv *kv = need(g, key, e);
    if (!kv) return LFMRT_E_NOTFOUND;
    if (!is_int(kv->type)) return wrong_type(key, "an integer (I64)", kv, e);
    if (is_signed(kv->type)) {
        *out = kv->v.i;
        return LFMRT_OK;
    }
    if (kv->v.u > (uint64_t)INT64_MAX)
        return lf_err(e, LFMRT_E_FORMAT, "key '%s': value %llu (U64) is out of range for I64", key,
                      (unsigned long long)kv->v.u);
    *out = (int64_t)kv->v.u;
    return LFMRT_OK;
}

int lf_gguf_get_f32(const lf_gguf *g, const char *key, float *out, lfmrt_err *e) {
    const lf_gguf_kv *kv = need(g, key, e);
    if (!kv) return LFMRT_E_NOTFOUND;
    if (kv->type != LF_GGUF_F32 && kv->type != LF_GGUF_F64) return wrong_type(key, "F32 or F64", kv, e);
    *out = (float)kv->v.f;
    return LFMRT_OK;
}

int lf_gguf_get_bool(const lf_gguf *g, const char *key, bool *out, lfmrt_err *e) {
    const lf_gguf_kv *kv = need(g, key, e);
    if (!kv) return LFMRT_E_NOTFOUND;
    if (kv->type != LF_GGUF_BOOL) return wrong_type(key, "BOOL", kv, e);
    *out = kv->v.u != 0;
    return LFMRT_OK;
}

int lf_gguf_get_str(const lf_gguf *g, const char *key, lf_str *out, lfmrt_err *e) {
    const lf_gguf_kv *kv = need(g, key, e);
    if (!kv) return LFMRT_E_NOTFOUND;
    if (kv->type != LF_GGUF_STRING) return wrong_type(key, "STRING", kv, e);
    *out = kv->v.s;
    return LFMRT_OK;
}

int lf_gguf_get_arr(const lf_gguf *g, const char *key, uint32_t want_type, const lf_gguf_kv **out,
                    lfmrt_err *e) {
    const lf_gguf_kv *kv = need(g, key, e);
    if (!kv) return LFMRT_E_NOTFOUND;
    const char *want = want_type == LF_GGUF_I64 ? "integers" : lf_gguf_type_name(want_type);
    if (kv->type != LF_GGUF_ARRAY)
        return lf_err(e, LFMRT_E_FORMAT, "key '%s': expected array of %s, found %s", key, want,
                      lf_gguf_type_name(kv->type));
    bool ok = want_type == LF_GGUF_I64 ? is_int(kv->v.arr.type) : kv->v.arr.type == want_type;
    if (!ok)
        return lf_err(e, LFMRT_E_FORMAT, "key '%s': expected array of %s, found array of %s", key, want,
                      lf_gguf_type_name(kv->v.arr.type));
    *out = kv;
    return LFMRT_OK;
}

static uint64_t load_le(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

bool lf_gguf_arr_int(const lf_gguf_kv *kv, uint64_t i, int64_t *out) {
    if (kv->type != LF_GGUF_ARRAY || !is_int(kv->v.arr.type) || i >= kv->v.arr.n) return false;
    uint32_t sz = lf_gguf_type_size(kv->v.arr.type);
    uint64_t raw = load_le(kv->v.arr.data + i * sz, sz);
    switch (kv->v.arr.type) {
    case LF_GGUF_I8: *out = (int8_t)raw; return true;
    case LF_GGUF_I16: *out = (int16_t)raw; return true;
    case LF_GGUF_I32: *out = (int32_t)raw; return true;
    case LF_GGUF_I64: memcpy(out, &raw, 8); return true;
    case LF_GGUF_U64:
        if (raw > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)raw;
        return true;
    default: *out = (int64_t)raw; return true; /* U8/U16/U32 */
    }
}

bool lf_gguf_arr_float(const lf_gguf_kv *kv, uint64_t i, double *out) {
    if (kv->type != LF_GGUF_ARRAY || i >= kv->v.arr.n) return false;
    if (kv->v.arr.type == LF_GGUF_F32) {
        uint32_t b = (uint32_t)load_le(kv->v.arr.data + i * 4, 4);
        float f;
        memcpy(&f, &b, 4);
        *out = f;
        return true;
    }
    if (kv->v.arr.type == LF_GGUF_F64) {
        uint64_t b = load_le(kv->v.arr.data + i * 8, 8);
        memcpy(out, &b, 8);
        return true;
    }
    return false;
}

void lf_gguf_str_iter_init(lf_gguf_str_iter *it, const lf_gguf_kv *kv) {
    bool ok = kv->type == LF_GGUF_ARRAY && kv->v.arr.type == LF_GGUF_STRING;
    it->p = ok ? kv->v.arr.data : NULL;
    it->left = ok ? kv->v.arr.n : 0;
}

bool lf_gguf_str_iter_next(lf_gguf_str_iter *it, lf_str *out) {
    if (it->left == 0) return false;
    uint64_t n = load_le(it->p, 8);
    out->p = (const char *)(it->p + 8);
    out->n = n;
    it->p += 8 + n;
    it->left--;
    return true;
}

/* ---- tensor lookup with checks ------------------------------------------------------------------- */

static void fmt_dims(char *buf, size_t cap, uint32_t n, const int64_t *ne) {
    size_t k = (size_t)snprintf(buf, cap, "{");
    for (uint32_t d = 0; d < n && k < cap; d++)
        k += (size_t)snprintf(buf + k, cap - k, d ? ", %lld" : "%lld", (long long)ne[d]);
    if (k < cap) snprintf(buf + k, cap - k, "}");
}

int lf_gguf_get_tensor(const lf_gguf *g, const char *name, uint32_t type_mask, uint32_t n_dims,
                       const int64_t *ne, const lf_gguf_tensor **out, lfmrt_err *e) {
    const lf_gguf_tensor *t = lf_gguf_find_tensor(g, name);
    if (!t) return lf_err(e, LFMRT_E_NOTFOUND, "tensor '%s' not found", name);
    if (t->type >= 32 || !(type_mask & (1u << t->type))) {
        char want[160];
        size_t k = 0;
        want[0] = '\0';
        for (uint32_t d = 0; d < 32 && k < sizeof want; d++)
            if (type_mask & (1u << d))
                k += (size_t)snprintf(want + k, sizeof want - k, "%s%s", k ? " or " : "", lf_dtype_name(d));
        return lf_err(e, LFMRT_E_SHAPE, "tensor '%s': expected dtype %s, found %s", name, k ? want : "(none)",
                      lf_dtype_name(t->type));
    }
    /* compare over the larger rank, missing dims count as 1 (writers drop trailing 1s) */
    uint32_t n = n_dims > t->n_dims ? n_dims : t->n_dims;
    bool ok = n_dims <= LF_GGUF_MAX_DIMS;
    for (uint32_t d = 0; ok && d < n; d++) {
        int64_t want = d < n_dims ? ne[d] : 1;
        if (want != -1 && want != t->ne[d]) ok = false;
    }
    if (!ok) {
        char a[128], b[128];
        fmt_dims(a, sizeof a, n_dims <= LF_GGUF_MAX_DIMS ? n_dims : LF_GGUF_MAX_DIMS, ne);
        fmt_dims(b, sizeof b, t->n_dims, t->ne);
        return lf_err(e, LFMRT_E_SHAPE, "tensor '%s': expected shape %s, found %s", name, a, b);
    }
    *out = t;
    return LFMRT_OK;
}
