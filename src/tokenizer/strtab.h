/* tokenizer/strtab.h - string interning table and integer-pair map used by the vocabulary.
 *
 * lf_strtab stores byte strings (any bytes, NUL allowed) in one pool and numbers them 0, 1, 2, ... in
 * insertion order; a hash index (open addressing, load <= 1/2) finds a string's number in O(len).
 * lf_pairmap maps a pair of 32-bit numbers to two int32 values (BPE: (left, right) -> (rank, result)).
 * Both are plain values owned by the caller: init/deinit, no global state; lookups on a table that is no
 * longer modified are thread-safe.
 */
#ifndef LF_TOKENIZER_STRTAB_H
#define LF_TOKENIZER_STRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lf_strtab {
    char *bytes;      /* [nbytes] every string back to back, each followed by a NUL */
    size_t nbytes, cap_bytes;
    uint64_t *off;    /* [n] start of string i in bytes */
    uint32_t *len;    /* [n] length of string i */
    size_t n, cap;
    uint32_t *slot;   /* [mask + 1] 0 = empty, else string number + 1 */
    uint32_t *shash;  /* [mask + 1] hash of the string in that slot */
    size_t mask;
} lf_strtab;

/* Prepares an empty table sized for about `expect` strings. LFMRT_OK or LFMRT_E_NOMEM. */
int lf_strtab_init(lf_strtab *t, size_t expect);
void lf_strtab_deinit(lf_strtab *t); /* zeroed or initialised tables; frees everything */

uint32_t lf_strtab_hash(const char *s, size_t n);
/* Number of string s[0..n), or -1 if absent. */
int32_t lf_strtab_find(const lf_strtab *t, const char *s, size_t n);
int32_t lf_strtab_find_h(const lf_strtab *t, const char *s, size_t n, uint32_t h); /* h = lf_strtab_hash */
/* Adds s[0..n) unless present; *id receives its number, *added whether it was new (added may be NULL).
 * LFMRT_OK, LFMRT_E_NOMEM, or LFMRT_E_RANGE past 2^31 strings / 2^32-byte strings. */
int lf_strtab_intern(lf_strtab *t, const char *s, size_t n, int32_t *id, bool *added);
/* String i (NUL-terminated; it may also contain NULs: use *len). i must be < t->n. */
static inline const char *lf_strtab_str(const lf_strtab *t, int32_t i, size_t *len) {
    if (len) *len = t->len[i];
    return t->bytes + t->off[i];
}

typedef struct lf_pairmap {
    uint64_t *key;  /* [mask + 1] (a << 32 | b), UINT64_MAX = empty */
    int32_t *v0, *v1;
    size_t n, mask;
} lf_pairmap;

int lf_pairmap_init(lf_pairmap *m, size_t expect);
void lf_pairmap_deinit(lf_pairmap *m);
/* Inserts (a, b) -> (v0, v1) unless (a, b) is present (the first insertion wins, as llama.cpp's
 * bpe_ranks.emplace does). a and b must not both be 0xFFFFFFFF. LFMRT_OK or LFMRT_E_NOMEM. */
int lf_pairmap_put(lf_pairmap *m, uint32_t a, uint32_t b, int32_t v0, int32_t v1);
/* true and the values if present. */
bool lf_pairmap_get(const lf_pairmap *m, uint32_t a, uint32_t b, int32_t *v0, int32_t *v1);

#endif
