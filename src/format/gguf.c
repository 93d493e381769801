/* format/gguf.c - GGUF v2/v3 parser: builds a zero-copy index (KVs, tensor table) over caller bytes
 * or a read-only mmap.
 *
 * Every count, length, offset and size read from the image is checked against the bytes that remain
 * and for integer overflow before it is used; counts are bounded by the bytes left (each KV needs at
 * least 13 bytes, each tensor info 32) before anything is allocated. Every failure names the byte
 * offset and the key or tensor involved. The parser never reads outside [data, data + size).
 * Reference: GGUF spec (ggml docs/gguf.md); MODEL-SPEC section 4.
 */
#include "format/gguf.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "format/dtype.h"
#include "format/gguf_impl.h"

#define GGUF_MAGIC_LEN 4
#define GGUF_HEADER_SIZE 24 /* magic, version u32, tensor count u64, kv count u64 */
#define GGUF_MIN_KV_SIZE 13 /* key length u64 + empty key + type u32 + 1-byte value */
#define GGUF_MIN_TENSOR_SIZE 32 /* name length u64 + n_dims u32 + one dim u64 + type u32 + offset u64 */

/* ---- little-endian cursor ------------------------------------------------------------------------ */

typedef struct cursor {
    const uint8_t *d;
    size_t size;
    size_t pos;
    lfmrt_err *e;
} cursor;

static size_t cur_left(const cursor *c) { return c->size - c->pos; }

static uint64_t load_le(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Reads an n-byte little-endian unsigned; `what` names the field for the truncation message. */
static int cur_uint(cursor *c, unsigned n, uint64_t *out, const char *what, const char *ctx) {
    *out = 0;
    if (cur_left(c) < n)
        return lf_err(c->e, LFMRT_E_FORMAT,
                      "truncated file: %s%s%s at byte %zu needs %u bytes, only %zu remain (file size %zu)",
                      what, ctx[0] ? " of " : "", ctx, c->pos, n, cur_left(c), c->size);
    *out = load_le(c->d + c->pos, n);
    c->pos += n;
    return LFMRT_OK;
}

/* Reads a GGUF string (u64 length + bytes). `what` says which string ("key", "tensor name", ...),
 * ctx names the owning key or tensor ("" if none yet). */
static int cur_str(cursor *c, lf_str *out, const char *what, const char *ctx) {
    size_t at = c->pos;
    uint64_t n;
    out->p = NULL;
    out->n = 0;
    if (cur_left(c) < 8)
        return lf_err(c->e, LFMRT_E_FORMAT,
                      "truncated string: length of %s%s%s at byte %zu needs 8 bytes, only %zu remain",
                      what, ctx[0] ? " of " : "", ctx, at, cur_left(c));
    n = load_le(c->d + c->pos, 8);
    c->pos += 8;
    if (n > cur_left(c))
        return lf_err(c->e, LFMRT_E_FORMAT,
                      "oversized string: %s%s%s at byte %zu declares %llu bytes but only %zu remain",
                      what, ctx[0] ? " of " : "", ctx, at, (unsigned long long)n, cur_left(c));
    out->p = (const char *)(c->d + c->pos);
    out->n = n;
    c->pos += (size_t)n;
    return LFMRT_OK;
}

/* Copies a view into a NUL-terminated buffer for messages, truncated with "..." if long. */
static const char *show(lf_str s, char *buf, size_t cap) {
    size_t n = s.n < cap - 1 ? (size_t)s.n : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        buf[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    buf[n] = '\0';
    if (s.n > cap - 1 && cap > 4) memcpy(buf + cap - 4, "...", 4);
    return buf;
}

/* ---- key/value section --------------------------------------------------------------------------- */

/* Reads one scalar of fixed-size type t into kv->v. */
static int read_scalar(cursor *c, uint32_t t, lf_gguf_kv *kv, const char *key) {
    size_t at = c->pos;
    uint32_t sz = lf_gguf_type_size(t);
    uint64_t raw;
    int rc = cur_uint(c, sz, &raw, "value", key);
    if (rc) return rc;
    switch (t) {
    case LF_GGUF_U8:
    case LF_GGUF_U16:
    case LF_GGUF_U32:
    case LF_GGUF_U64: kv->v.u = raw; break;
    case LF_GGUF_I8: kv->v.i = (int8_t)raw; break;
    case LF_GGUF_I16: kv->v.i = (int16_t)raw; break;
    case LF_GGUF_I32: kv->v.i = (int32_t)raw; break;
    case LF_GGUF_I64: memcpy(&kv->v.i, &raw, 8); break;
    case LF_GGUF_F32: {
        uint32_t b = (uint32_t)raw;
        float f;
        memcpy(&f, &b, 4);
        kv->v.f = f;
        break;
    }
    case LF_GGUF_F64: memcpy(&kv->v.f, &raw, 8); break;
    case LF_GGUF_BOOL:
        if (raw > 1)
            return lf_err(c->e, LFMRT_E_FORMAT, "key '%s' at byte %zu: bool value %llu is not 0 or 1", key,
                          at, (unsigned long long)raw);
        kv->v.u = raw;
        break;
    default: break;
    }
    return LFMRT_OK;
}

static int read_array(cursor *c, lf_gguf_kv *kv, const char *key) {
    size_t at = c->pos;
    uint64_t et, n;
    int rc = cur_uint(c, 4, &et, "array element type", key);
    if (rc) return rc;
    if (et == LF_GGUF_ARRAY)
        return lf_err(c->e, LFMRT_E_FORMAT, "key '%s' at byte %zu: nested arrays are not supported", key, at);
    if (et > LF_GGUF_F64)
        return lf_err(c->e, LFMRT_E_FORMAT, "key '%s' at byte %zu: unknown array element type %llu", key, at,
                      (unsigned long long)et);
    size_t at_n = c->pos;
    rc = cur_uint(c, 8, &n, "array length", key);
    if (rc) return rc;
    uint32_t esz = lf_gguf_type_size((uint32_t)et);
    uint64_t min_el = et == LF_GGUF_STRING ? 8 : esz;
    if (n > cur_left(c) / min_el)
        return lf_err(c->e, LFMRT_E_FORMAT,
                      "key '%s': array length %llu at byte %zu is impossible: %zu bytes remain, each %s "
                      "element needs at least %llu",
                      key, (unsigned long long)n, at_n, cur_left(c), lf_gguf_type_name((uint32_t)et),
                      (unsigned long long)min_el);
    kv->v.arr.type = (uint32_t)et;
    kv->v.arr.n = n;
    kv->v.arr.data = c->d + c->pos;
    if (et != LF_GGUF_STRING) {
        kv->v.arr.nbytes = n * esz;
        c->pos += (size_t)(n * esz);
        return LFMRT_OK;
    }
    size_t start = c->pos;
    for (uint64_t i = 0; i < n; i++) {
        lf_str s;
        char what[48];
        snprintf(what, sizeof what, "array element %llu", (unsigned long long)i);
        rc = cur_str(c, &s, what, key);
        if (rc) return rc;
    }
    kv->v.arr.nbytes = c->pos - start;
    return LFMRT_OK;
}

static int read_kv(cursor *c, lf_gguf_kv *kv, uint64_t index) {
    size_t at = c->pos;
    char kb[128];
    char idx[40];
    snprintf(idx, sizeof idx, "KV #%llu", (unsigned long long)index);
    int rc = cur_str(c, &kv->key, "key", idx);
    if (rc) return rc;
    if (kv->key.n == 0) return lf_err(c->e, LFMRT_E_FORMAT, "%s at byte %zu has an empty key", idx, at);
    const char *key = show(kv->key, kb, sizeof kb);
    size_t at_t = c->pos;
    uint64_t t;
    rc = cur_uint(c, 4, &t, "value type", key);
    if (rc) return rc;
    if (t > LF_GGUF_F64)
        return lf_err(c->e, LFMRT_E_FORMAT, "key '%s': unknown value type %llu at byte %zu", key,
                      (unsigned long long)t, at_t);
    kv->type = (uint32_t)t;
    if (t == LF_GGUF_STRING) return cur_str(c, &kv->v.s, "string value", key);
    if (t == LF_GGUF_ARRAY) return read_array(c, kv, key);
    return read_scalar(c, (uint32_t)t, kv, key);
}

/* ---- sorting and duplicate detection ------------------------------------------------------------- */

int lf_gguf_str_cmp(lf_str a, lf_str b) {
    uint64_t n = a.n < b.n ? a.n : b.n;
    int r = n ? memcmp(a.p, b.p, (size_t)n) : 0;
    if (r) return r;
    return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

/* Byte offset of the length field of a string view into the image. */
static size_t str_at(const lf_gguf *g, lf_str s) { return (size_t)((const uint8_t *)s.p - g->data) - 8; }

static int cmp_kv(const void *a, const void *b) {
    const lf_gguf_kv *x = *(const lf_gguf_kv *const *)a, *y = *(const lf_gguf_kv *const *)b;
    int r = lf_gguf_str_cmp(x->key, y->key);
    return r ? r : (x < y ? -1 : x > y);
}

static int cmp_tensor_name(const void *a, const void *b) {
    const lf_gguf_tensor *x = *(const lf_gguf_tensor *const *)a, *y = *(const lf_gguf_tensor *const *)b;
    int r = lf_gguf_str_cmp(x->name, y->name);
    return r ? r : (x < y ? -1 : x > y);
}

static int cmp_tensor_offset(const void *a, const void *b) {
    const lf_gguf_tensor *x = *(const lf_gguf_tensor *const *)a, *y = *(const lf_gguf_tensor *const *)b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int index_kvs(lf_gguf *g, lfmrt_err *e) {
    if (g->n_kv == 0) return LFMRT_OK;
    g->kv_sorted = malloc(g->n_kv * sizeof *g->kv_sorted);
    if (!g->kv_sorted) return lf_err(e, LFMRT_E_NOMEM, "out of memory indexing %zu GGUF keys", g->n_kv);
    for (size_t i = 0; i < g->n_kv; i++) g->kv_sorted[i] = &g->kv[i];
    qsort(g->kv_sorted, g->n_kv, sizeof *g->kv_sorted, cmp_kv);
    for (size_t i = 1; i < g->n_kv; i++) {
        const lf_gguf_kv *a = g->kv_sorted[i - 1], *b = g->kv_sorted[i];
        if (lf_gguf_str_cmp(a->key, b->key) == 0) {
            char kb[128];
            if (a > b) { /* report in file order */
                const lf_gguf_kv *tmp = a;
                a = b;
                b = tmp;
            }
            return lf_err(e, LFMRT_E_FORMAT, "duplicate key '%s' (KV #%zu at byte %zu and KV #%zu at byte %zu)",
                          show(a->key, kb, sizeof kb), (size_t)(a - g->kv), str_at(g, a->key),
                          (size_t)(b - g->kv), str_at(g, b->key));
        }
    }
    return LFMRT_OK;
}

/* general.alignment: optional; when present a U32 that is a nonzero power of two. */
static int read_alignment(lf_gguf *g, lfmrt_err *e) {
    g->alignment = LF_GGUF_DEFAULT_ALIGNMENT;
    const lf_gguf_kv *kv = lf_gguf_find_kv(g, "general.alignment");
    if (!kv) return LFMRT_OK;
    if (kv->type != LF_GGUF_U32)
        return lf_err(e, LFMRT_E_FORMAT, "bad alignment: key 'general.alignment' at byte %zu must be U32, found %s",
                      str_at(g, kv->key), lf_gguf_type_name(kv->type));
    if (kv->v.u == 0 || (kv->v.u & (kv->v.u - 1)) != 0)
        return lf_err(e, LFMRT_E_FORMAT,
                      "bad alignment: 'general.alignment' = %llu (key at byte %zu) is not a nonzero power of two",
                      (unsigned long long)kv->v.u, str_at(g, kv->key));
    g->alignment = (uint32_t)kv->v.u;
    return LFMRT_OK;
}

/* ---- tensor table -------------------------------------------------------------------------------- */

static int read_tensor_info(cursor *c, lf_gguf_tensor *t, uint32_t alignment, uint64_t index) {
    char idx[40], nb[128];
    snprintf(idx, sizeof idx, "tensor #%llu", (unsigned long long)index);
    size_t at = c->pos;
    int rc = cur_str(c, &t->name, "name", idx);
    if (rc) return rc;
    if (t->name.n == 0) return lf_err(c->e, LFMRT_E_FORMAT, "%s at byte %zu has an empty name", idx, at);
    const char *name = show(t->name, nb, sizeof nb);
    char ctx[160];
    snprintf(ctx, sizeof ctx, "tensor '%s'", name);
    size_t at_nd = c->pos;
    uint64_t v;
    rc = cur_uint(c, 4, &v, "n_dims", ctx);
    if (rc) return rc;
    if (v == 0 || v > LF_GGUF_MAX_DIMS)
        return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s': n_dims %llu at byte %zu is not in 1..%d", name,
                      (unsigned long long)v, at_nd, LF_GGUF_MAX_DIMS);
    t->n_dims = (uint32_t)v;
    for (int d = 0; d < LF_GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    uint64_t nel = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
        size_t at_d = c->pos;
        rc = cur_uint(c, 8, &v, "dimension", ctx);
        if (rc) return rc;
        if (v == 0)
            return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s': dimension %u at byte %zu is zero", name, d, at_d);
        if (v > (uint64_t)INT64_MAX)
            return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s': dimension %u at byte %zu is negative (%lld)", name,
                          d, at_d, (long long)(int64_t)v);
        if (nel > (uint64_t)INT64_MAX / v)
            return lf_err(c->e, LFMRT_E_FORMAT,
                          "tensor '%s': element count overflows at dimension %u (byte %zu, ne=%llu)", name, d,
                          at_d, (unsigned long long)v);
        nel *= v;
        t->ne[d] = (int64_t)v;
    }
    size_t at_ty = c->pos;
    rc = cur_uint(c, 4, &v, "dtype", ctx);
    if (rc) return rc;
    const lf_dtype_info *di = v <= UINT32_MAX ? lf_dtype_get((uint32_t)v) : NULL;
    if (!di)
        return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s': unknown dtype %llu at byte %zu", name,
                      (unsigned long long)v, at_ty);
    t->type = (uint32_t)v;
    if (t->ne[0] % di->blck != 0)
        return lf_err(c->e, LFMRT_E_FORMAT,
                      "tensor '%s' (info at byte %zu): ne0 = %lld is not a multiple of the %s block size %u", name,
                      at, (long long)t->ne[0], di->name, di->blck);
    /* bytes = ne0/blck * type_size * ne1 * ne2 * ne3, overflow-checked */
    uint64_t nblocks = (uint64_t)(t->ne[0] / di->blck);
    if (nblocks > UINT64_MAX / di->type_size)
        return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s' (info at byte %zu): byte size overflows", name, at);
    uint64_t nbytes = nblocks * di->type_size;
    for (int d = 1; d < LF_GGUF_MAX_DIMS; d++) {
        if (nbytes > UINT64_MAX / (uint64_t)t->ne[d])
            return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s' (info at byte %zu): byte size overflows", name, at);
        nbytes *= (uint64_t)t->ne[d];
    }
    t->nbytes = nbytes;
    size_t at_off = c->pos;
    rc = cur_uint(c, 8, &t->offset, "data offset", ctx);
    if (rc) return rc;
    if (t->offset % alignment != 0)
        return lf_err(c->e, LFMRT_E_FORMAT, "tensor '%s': misaligned data offset %llu at byte %zu (alignment %u)",
                      name, (unsigned long long)t->offset, at_off, alignment);
    return LFMRT_OK;
}

/* Places every tensor inside the data section and rejects duplicates and overlaps. */
static int check_tensors(lf_gguf *g, lfmrt_err *e) {
    char nb[128], nb2[128];
    uint64_t avail = g->size - g->data_offset;
    for (size_t i = 0; i < g->n_t; i++) {
        lf_gguf_tensor *t = &g->t[i];
        if (t->offset > avail || t->nbytes > avail - t->offset)
            return lf_err(e, LFMRT_E_FORMAT,
                          "tensor '%s': data out of bounds: offset %llu + %llu bytes exceeds the %llu-byte data "
                          "section (file size %zu, data starts at byte %llu)",
                          show(t->name, nb, sizeof nb), (unsigned long long)t->offset,
                          (unsigned long long)t->nbytes, (unsigned long long)avail, g->size,
                          (unsigned long long)g->data_offset);
        t->data = g->data + g->data_offset + t->offset;
    }
    if (g->n_t == 0) return LFMRT_OK;
    g->t_sorted = malloc(g->n_t * sizeof *g->t_sorted);
    if (!g->t_sorted) return lf_err(e, LFMRT_E_NOMEM, "out of memory indexing %zu tensors", g->n_t);
    for (size_t i = 0; i < g->n_t; i++) g->t_sorted[i] = &g->t[i];
    qsort(g->t_sorted, g->n_t, sizeof *g->t_sorted, cmp_tensor_name);
    for (size_t i = 1; i < g->n_t; i++) {
        const lf_gguf_tensor *a = g->t_sorted[i - 1], *b = g->t_sorted[i];
        if (lf_gguf_str_cmp(a->name, b->name) == 0)
            return lf_err(e, LFMRT_E_FORMAT,
                          "duplicate tensor name '%s' (tensor #%zu at byte %zu and tensor #%zu at byte %zu)",
                          show(a->name, nb, sizeof nb), (size_t)(a - g->t), str_at(g, a->name),
                          (size_t)(b - g->t), str_at(g, b->name));
    }
    /* overlap check on a copy ordered by offset; then restore name order */
    qsort(g->t_sorted, g->n_t, sizeof *g->t_sorted, cmp_tensor_offset);
    for (size_t i = 1; i < g->n_t; i++) {
        const lf_gguf_tensor *a = g->t_sorted[i - 1], *b = g->t_sorted[i];
        if (b->offset < a->offset + a->nbytes)
            return lf_err(e, LFMRT_E_FORMAT,
                          "tensors overlap: '%s' [%llu, %llu) and '%s' [%llu, %llu) in the data section",
                          show(a->name, nb, sizeof nb), (unsigned long long)a->offset,
                          (unsigned long long)(a->offset + a->nbytes), show(b->name, nb2, sizeof nb2),
                          (unsigned long long)b->offset, (unsigned long long)(b->offset + b->nbytes));
    }
    qsort(g->t_sorted, g->n_t, sizeof *g->t_sorted, cmp_tensor_name);
    return LFMRT_OK;
}

/* ---- header and top level ------------------------------------------------------------------------ */

static int read_header(cursor *c, uint64_t *n_t, uint64_t *n_kv, uint32_t *version) {
    lfmrt_err *e = c->e;
    if (c->size < GGUF_MAGIC_LEN || memcmp(c->d, "GGUF", GGUF_MAGIC_LEN) != 0) {
        if (c->size < GGUF_MAGIC_LEN)
            return lf_err(e, LFMRT_E_FORMAT, "truncated file: %zu bytes, too short for the GGUF magic", c->size);
        char shown[5];
        for (int i = 0; i < 4; i++) shown[i] = (c->d[i] >= 0x20 && c->d[i] < 0x7f) ? (char)c->d[i] : '?';
        shown[4] = '\0';
        return lf_err(e, LFMRT_E_FORMAT,
                      "bad magic at byte 0: expected 'GGUF' (47 47 55 46), found '%s' (%02x %02x %02x %02x)",
                      shown, c->d[0], c->d[1], c->d[2], c->d[3]);
    }
    c->pos = GGUF_MAGIC_LEN;
    uint64_t v;
    int rc = cur_uint(c, 4, &v, "version", "header");
    if (rc) return rc;
    if (v != 2 && v != 3) {
        if (v == 1)
            return lf_err(e, LFMRT_E_UNSUPPORTED,
                          "GGUF version 1 at byte 4 is not supported (only versions 2 and 3; re-convert the model)");
        if ((v & 0xffff) == 0 && (v >> 16) != 0)
            return lf_err(e, LFMRT_E_UNSUPPORTED,
                          "GGUF version field at byte 4 reads 0x%08llx: a big-endian file, not supported",
                          (unsigned long long)v);
        return lf_err(e, LFMRT_E_UNSUPPORTED, "GGUF version %llu at byte 4 is not supported (only 2 and 3)",
                      (unsigned long long)v);
    }
    *version = (uint32_t)v;
    if ((rc = cur_uint(c, 8, n_t, "tensor count", "header"))) return rc;
    if ((rc = cur_uint(c, 8, n_kv, "KV count", "header"))) return rc;
    size_t left = cur_left(c);
    if (*n_kv > left / GGUF_MIN_KV_SIZE)
        return lf_err(e, LFMRT_E_FORMAT,
                      "absurd KV count %llu at byte 16: only %zu bytes follow the header and each KV takes at "
                      "least %d",
                      (unsigned long long)*n_kv, left, GGUF_MIN_KV_SIZE);
    if (*n_t > left / GGUF_MIN_TENSOR_SIZE ||
        *n_t * GGUF_MIN_TENSOR_SIZE > left - *n_kv * GGUF_MIN_KV_SIZE)
        return lf_err(e, LFMRT_E_FORMAT,
                      "absurd tensor count %llu at byte 8: only %zu bytes follow the header and each tensor "
                      "info takes at least %d",
                      (unsigned long long)*n_t, left, GGUF_MIN_TENSOR_SIZE);
    return LFMRT_OK;
}

static int parse_into(lf_gguf *g, lfmrt_err *e) {
    cursor c = {g->data, g->size, 0, e};
    uint64_t n_t = 0, n_kv = 0;
    int rc = read_header(&c, &n_t, &n_kv, &g->version);
    if (rc) return rc;
    if (n_kv) {
        g->kv = calloc((size_t)n_kv, sizeof *g->kv);
        if (!g->kv) return lf_err(e, LFMRT_E_NOMEM, "out of memory for %llu GGUF keys", (unsigned long long)n_kv);
    }
    for (uint64_t i = 0; i < n_kv; i++) {
        if ((rc = read_kv(&c, &g->kv[i], i))) return rc;
        g->n_kv = (size_t)i + 1;
    }
    if ((rc = index_kvs(g, e))) return rc;
    if ((rc = read_alignment(g, e))) return rc;
    if (n_t > cur_left(&c) / GGUF_MIN_TENSOR_SIZE)
        return lf_err(e, LFMRT_E_FORMAT,
                      "absurd tensor count %llu at byte 8: only %zu bytes remain after the metadata at byte %zu",
                      (unsigned long long)n_t, cur_left(&c), c.pos);
    if (n_t) {
        g->t = calloc((size_t)n_t, sizeof *g->t);
        if (!g->t) return lf_err(e, LFMRT_E_NOMEM, "out of memory for %llu tensor infos", (unsigned long long)n_t);
    }
    for (uint64_t i = 0; i < n_t; i++) {
        if ((rc = read_tensor_info(&c, &g->t[i], g->alignment, i))) return rc;
        g->n_t = (size_t)i + 1;
    }
    /* data section: next multiple of the alignment (a file with no tensors may omit the padding) */
    uint64_t pad = (g->alignment - c.pos % g->alignment) % g->alignment;
    if (pad > cur_left(&c)) {
        if (g->n_t)
            return lf_err(e, LFMRT_E_FORMAT,
                          "truncated file: data section should start at byte %llu but the file has %zu bytes",
                          (unsigned long long)(c.pos + pad), g->size);
        pad = cur_left(&c);
    }
    g->data_offset = c.pos + pad;
    return check_tensors(g, e);
}

int lf_gguf_parse(const uint8_t *data, size_t size, lf_gguf **out, lfmrt_err *e) {
    *out = NULL;
    if (!data && size) return lf_err(e, LFMRT_E_INVALID, "lf_gguf_parse: NULL data with size %zu", size);
    lf_gguf *g = calloc(1, sizeof *g);
    if (!g) return lf_err(e, LFMRT_E_NOMEM, "out of memory for the GGUF index");
    g->data = data;
    g->size = size;
    int rc = parse_into(g, e);
    if (rc) {
        lf_gguf_close(g);
        return rc;
    }
    *out = g;
    return LFMRT_OK;
}

int lf_gguf_open(const char *path, lf_gguf **out, lfmrt_err *e) {
    *out = NULL;
    lf_mapfile m;
    int rc = lf_mapfile_open(path, &m, e);
    if (rc) return rc;
    lf_gguf *g = NULL;
    rc = lf_gguf_parse(m.data, m.size, &g, e);
    if (rc) {
        /* prefix the path so the caller knows which file */
        if (e) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            lf_err(e, rc, "%s: %s", path, msg);
        }
        lf_mapfile_close(&m);
        return rc;
    }
    g->map = m;
    *out = g;
    return LFMRT_OK;
}

void lf_gguf_close(lf_gguf *g) {
    if (!g) return;
    free(g->kv);
    free(g->kv_sorted);
    free(g->t);
    free(g->t_sorted);
    lf_mapfile_close(&g->map);
    free(g);
}
