/* format/gguf.h - GGUF v2/v3 reader (zero-copy views into caller bytes or a read-only mmap) and writer.
 *
 * Invariants after a successful parse: every string, array and tensor lies inside the buffer; counts,
 * lengths and sizes were checked for overflow; keys and tensor names are unique; every tensor has
 * 1..4 dims, each > 0, a known dtype whose block size divides ne0, an aligned offset, and data that lies
 * inside the data section without overlapping another tensor.
 * Strings are length-delimited views (not NUL-terminated) into the buffer.
 * Reference: GGUF spec (ggml docs/gguf.md); MODEL-SPEC section 4.
 */
#ifndef LF_FORMAT_GGUF_H
#define LF_FORMAT_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lfmrt/status.h"

/* On-disk value types (numbered explicitly). */
enum lf_gguf_type {
    LF_GGUF_U8 = 0,
    LF_GGUF_I8 = 1,
    LF_GGUF_U16 = 2,
    LF_GGUF_I16 = 3,
    LF_GGUF_U32 = 4,
    LF_GGUF_I32 = 5,
    LF_GGUF_F32 = 6,
    LF_GGUF_BOOL = 7,
    LF_GGUF_STRING = 8,
    LF_GGUF_ARRAY = 9,
    LF_GGUF_U64 = 10,
    LF_GGUF_I64 = 11,
    LF_GGUF_F64 = 12,
};

/* "U8", "STRING", ... ("?" for an unknown id). */
const char *lf_gguf_type_name(uint32_t type);

#define LF_GGUF_MAX_DIMS 4
#define LF_GGUF_DEFAULT_ALIGNMENT 32

typedef struct lf_str {
    const char *p; /* not NUL-terminated */
    uint64_t n;
} lf_str;

/* true if s equals the NUL-terminated c string */
bool lf_str_eq(lf_str s, const char *c);

typedef struct lf_gguf_kv {
    lf_str key;
    uint32_t type; /* enum lf_gguf_type */
    union {
        uint64_t u;   /* U8/U16/U32/U64 and BOOL (0/1) */
        int64_t i;    /* I8/I16/I32/I64 */
        double f;     /* F32/F64 */
        lf_str s;     /* STRING */
        struct {
            uint32_t type;       /* element type (never ARRAY: nested arrays are rejected) */
            uint64_t n;          /* element count */
            const uint8_t *data; /* first element; strings are u64 length + bytes, packed */
            uint64_t nbytes;     /* bytes spanned by all elements */
        } arr;
    } v;
} lf_gguf_kv;

typedef struct lf_gguf_tensor {
    lf_str name;
    uint32_t n_dims;
    int64_t ne[LF_GGUF_MAX_DIMS]; /* ne[0] fastest; dims beyond n_dims are 1 */
    uint32_t type;                /* ggml dtype id (format/dtype.h) */
    uint64_t offset;              /* relative to the data section */
    const void *data;             /* points into the buffer */
    uint64_t nbytes;
} lf_gguf_tensor;

typedef struct lf_gguf lf_gguf;

/* Parses a GGUF image held in data[0..size). The bytes are borrowed and must outlive the handle.
 * On success *out owns the index (free with lf_gguf_close). On failure returns LFMRT_E_FORMAT or
 * LFMRT_E_UNSUPPORTED (version) or LFMRT_E_NOMEM, with a message naming the byte offset and item. */
int lf_gguf_parse(const uint8_t *data, size_t size, lf_gguf **out, lfmrt_err *e);

/* Maps path read-only and parses it; the handle owns the mapping. */
int lf_gguf_open(const char *path, lf_gguf **out, lfmrt_err *e);

/* Releases the index (and mapping, if opened from a path). NULL is fine. */
void lf_gguf_close(lf_gguf *g);

uint32_t lf_gguf_version(const lf_gguf *g);
uint32_t lf_gguf_alignment(const lf_gguf *g);
uint64_t lf_gguf_data_offset(const lf_gguf *g); /* byte offset of the data section in the file */
const uint8_t *lf_gguf_bytes(const lf_gguf *g, size_t *size); /* the whole image */

size_t lf_gguf_n_kv(const lf_gguf *g);
const lf_gguf_kv *lf_gguf_kv_at(const lf_gguf *g, size_t i);
const lf_gguf_kv *lf_gguf_find_kv(const lf_gguf *g, const char *key); /* NULL if absent */

/* Typed getters. Return LFMRT_OK, LFMRT_E_NOTFOUND (absent; message names the key) or LFMRT_E_FORMAT
 * (wrong type or out of range for the target type; message names key, expected and found). Integer
 * getters accept any integer type whose value fits; float getters accept F32 and F64. */
int lf_gguf_get_u32(const lf_gguf *g, const char *key, uint32_t *out, lfmrt_err *e);
int lf_gguf_get_i64(const lf_gguf *g, const char *key, int64_t *out, lfmrt_err *e);
int lf_gguf_get_f32(const lf_gguf *g, const char *key, float *out, lfmrt_err *e);
int lf_gguf_get_bool(const lf_gguf *g, const char *key, bool *out, lfmrt_err *e);
int lf_gguf_get_str(const lf_gguf *g, const char *key, lf_str *out, lfmrt_err *e);
/* An array of the given element type (any integer type when want_type is LF_GGUF_I64). */
int lf_gguf_get_arr(const lf_gguf *g, const char *key, uint32_t want_type, const lf_gguf_kv **out,
                    lfmrt_err *e);

/* Element i of an integer array as int64 (any integer element type); false if not integer/out of range. */
bool lf_gguf_arr_int(const lf_gguf_kv *kv, uint64_t i, int64_t *out);
/* Element i of an F32/F64 array. */
bool lf_gguf_arr_float(const lf_gguf_kv *kv, uint64_t i, double *out);

/* Sequential reader over a string array (validated at parse time, so next() cannot fail before n). */
typedef struct lf_gguf_str_iter {
    const uint8_t *p;
    uint64_t left;
} lf_gguf_str_iter;
void lf_gguf_str_iter_init(lf_gguf_str_iter *it, const lf_gguf_kv *kv);
bool lf_gguf_str_iter_next(lf_gguf_str_iter *it, lf_str *out);

size_t lf_gguf_n_tensors(const lf_gguf *g);
const lf_gguf_tensor *lf_gguf_tensor_at(const lf_gguf *g, size_t i);
const lf_gguf_tensor *lf_gguf_find_tensor(const lf_gguf *g, const char *name); /* NULL if absent */

/* Looks up a tensor the model expects. type_mask has bit (1u << dtype) set for each acceptable dtype
 * (dtype ids < 32; BF16 = 30). ne lists n_dims expected dims (ne[0] first); a dim of -1 matches any.
 * Errors: LFMRT_E_NOTFOUND ("tensor 'blk.3.attn_q.weight' not found"), LFMRT_E_SHAPE ("tensor 'x':
 * expected shape {1024, 512}, found {1024, 256}" / "expected dtype F32, found Q4_0"). */
int lf_gguf_get_tensor(const lf_gguf *g, const char *name, uint32_t type_mask, uint32_t n_dims,
                       const int64_t *ne, const lf_gguf_tensor **out, lfmrt_err *e);

/* ------------------------------------------------------------------------------------------------ */
/* Writer: collects KVs and tensor descriptions, then streams the file; tensor bytes are produced by a
 * callback one tensor at a time, so multi-GB files never sit in memory. */

typedef struct lf_gguf_writer lf_gguf_writer;

/* Fills dst[0..nbytes) with the tensor's data. Returns LFMRT_OK or an error code (kept in e). */
typedef int (*lf_gguf_fill_fn)(void *user, const char *name, uint32_t type, const int64_t *ne,
                               void *dst, uint64_t nbytes, lfmrt_err *e);
/* Progress: bytes written so far, total bytes. */
typedef void (*lf_gguf_progress_fn)(void *user, uint64_t done, uint64_t total);

lf_gguf_writer *lf_gguf_writer_create(void); /* NULL on OOM */
void lf_gguf_writer_destroy(lf_gguf_writer *w);
/* All add functions copy their inputs. Return LFMRT_OK, LFMRT_E_NOMEM or LFMRT_E_INVALID (duplicate). */
int lf_gguf_writer_set_u32(lf_gguf_writer *w, const char *key, uint32_t v);
int lf_gguf_writer_set_i32(lf_gguf_writer *w, const char *key, int32_t v);
int lf_gguf_writer_set_f32(lf_gguf_writer *w, const char *key, float v);
int lf_gguf_writer_set_bool(lf_gguf_writer *w, const char *key, bool v);
int lf_gguf_writer_set_str(lf_gguf_writer *w, const char *key, const char *v);
int lf_gguf_writer_set_arr_i32(lf_gguf_writer *w, const char *key, const int32_t *v, size_t n);
int lf_gguf_writer_set_arr_f32(lf_gguf_writer *w, const char *key, const float *v, size_t n);
/* strs[i] are NUL-terminated (lens NULL) or have lens[i] bytes. */
int lf_gguf_writer_set_arr_str(lf_gguf_writer *w, const char *key, const char *const *strs,
                               const size_t *lens, size_t n);
/* Any integer scalar type (U8..I64); LFMRT_E_INVALID if v does not fit the type. */
int lf_gguf_writer_set_int(lf_gguf_writer *w, const char *key, uint32_t type, int64_t v);
int lf_gguf_writer_set_u64(lf_gguf_writer *w, const char *key, uint64_t v);
int lf_gguf_writer_set_f64(lf_gguf_writer *w, const char *key, double v);
/* Array of a fixed-size element type (not STRING/ARRAY); v holds n host-order (little-endian)
 * elements of lf_gguf_type_size(elem_type) bytes each; BOOL elements are bytes 0/1. */
int lf_gguf_writer_set_arr(lf_gguf_writer *w, const char *key, uint32_t elem_type, const void *v, size_t n);
/* Tensor: n_dims 1..4, every ne > 0, a known dtype whose block size divides ne[0]; else E_INVALID. */
int lf_gguf_writer_add_tensor(lf_gguf_writer *w, const char *name, uint32_t type, uint32_t n_dims,
                              const int64_t *ne);
/* Writes version-3 GGUF to path (alignment 32). fill is called once per tensor in add order, into a
 * buffer of exactly that tensor's size (so peak memory is the largest tensor). Progress is reported
 * after the header and after each tensor. Errors: LFMRT_E_IO (cannot open, short write, disk full:
 * the message names the path, the byte offset and the OS error; a partly written regular file is
 * removed), LFMRT_E_NOMEM, or the fill callback's own status and message. */
int lf_gguf_writer_write(lf_gguf_writer *w, const char *path, lf_gguf_fill_fn fill, void *fill_user,
                         lf_gguf_progress_fn progress, void *progress_user, lfmrt_err *e);

#endif
