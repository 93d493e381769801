/* format/gguf_impl.h - private layout of the parsed GGUF index, shared by gguf.c (parser) and
 * gguf_get.c (lookups, typed getters). Not for use outside src/format/gguf*.c.
 *
 * Invariants: kv[0..n_kv) and t[0..n_t) are in file order; kv_sorted / t_sorted hold the same
 * pointers sorted by key / name (bytewise, shorter first on a common prefix) for binary search.
 */
#ifndef LF_FORMAT_GGUF_IMPL_H
#define LF_FORMAT_GGUF_IMPL_H

#include "base/mapfile.h"
#include "format/gguf.h"

struct lf_gguf {
    const uint8_t *data; /* the whole image [0, size) (borrowed, or the mapping below) */
    size_t size;
    lf_mapfile map; /* owned mapping when opened from a path; zeroed otherwise */
    uint32_t version;
    uint32_t alignment;
    uint64_t data_offset; /* start of the data section */
    lf_gguf_kv *kv;
    size_t n_kv;
    const lf_gguf_kv **kv_sorted;
    lf_gguf_tensor *t;
    size_t n_t;
    const lf_gguf_tensor **t_sorted;
};

/* Bytewise order of two views (memcmp, then length). */
int lf_gguf_str_cmp(lf_str a, lf_str b);

/* Bytes per array element for fixed-size value types; 0 for STRING/ARRAY/unknown. */
uint32_t lf_gguf_type_size(uint32_t type);

#endif
