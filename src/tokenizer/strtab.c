/* tokenizer/strtab.c - string interning table and pair map (see strtab.h). */
#include "tokenizer/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "lfmrt/status.h"

static size_t pow2_at_least(size_t n) {
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
}

uint32_t lf_strtab_hash(const char *s, size_t n) {
    /* FNV-1a (64-bit), folded to 32 bits */
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 0x100000001b3ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

int lf_strtab_init(lf_strtab *t, size_t expect) {
    memset(t, 0, sizeof *t);
    t->cap = expect < 16 ? 16 : expect;
    t->cap_bytes = t->cap * 8;
    size_t slots = pow2_at_least(t->cap * 2);
    t->off = malloc(t->cap * sizeof *t->off);
    t->len = malloc(t->cap * sizeof *t->len);
    t->bytes = malloc(t->cap_bytes);
    t->slot = calloc(slots, sizeof *t->slot);
    t->shash = malloc(slots * sizeof *t->shash);
    t->mask = slots - 1;
    if (!t->off || !t->len || !t->bytes || !t->slot || !t->shash) {
        lf_strtab_deinit(t);
        return LFMRT_E_NOMEM;
    }
    return LFMRT_OK;
}

void lf_strtab_deinit(lf_strtab *t) {
    free(t->bytes);
    free(t->off);
    free(t->len);
    free(t->slot);
    free(t->shash);
    memset(t, 0, sizeof *t);
}

int32_t lf_strtab_find_h(const lf_strtab *t, const char *s, size_t n, uint32_t h) {
    if (!t->slot) return -1;
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        uint32_t v = t->slot[i];
        if (v == 0) return -1;
        if (t->shash[i] == h && t->len[v - 1] == n && memcmp(t->bytes + t->off[v - 1], s, n) == 0)
            return (int32_t)(v - 1);
    }
}

int32_t lf_strtab_find(const lf_strtab *t, const char *s, size_t n) {
    return lf_strtab_find_h(t, s, n, lf_strtab_hash(s, n));
}

static void place(uint32_t *slot, uint32_t *shash, size_t mask, uint32_t v, uint32_t h) {
    size_t i = h & mask;
    while (slot[i]) i = (i + 1) & mask;
    slot[i] = v;
    shash[i] = h;
}

static int grow_index(lf_strtab *t) {
    size_t slots = (t->mask + 1) * 2;
    uint32_t *slot = calloc(slots, sizeof *slot);
    uint32_t *shash = malloc(slots * sizeof *shash);
    if (!slot || !shash) {
        free(slot);
        free(shash);
        return LFMRT_E_NOMEM;
    }
    for (size_t i = 0; i <= t->mask; i++)
        if (t->slot[i]) place(slot, shash, slots - 1, t->slot[i], t->shash[i]);
    free(t->slot);
    free(t->shash);
    t->slot = slot;
    t->shash = shash;
    t->mask = slots - 1;
    return LFMRT_OK;
}

int lf_strtab_intern(lf_strtab *t, const char *s, size_t n, int32_t *id, bool *added) {
    uint32_t h = lf_strtab_hash(s, n);
    int32_t found = lf_strtab_find_h(t, s, n, h);
    if (added) *added = found < 0;
    if (found >= 0) {
        *id = found;
        return LFMRT_OK;
    }
    if (t->n >= 0x7FFFFFFEu || n > 0xFFFFFFFEu) return LFMRT_E_RANGE;
    if (t->n == t->cap) {
        size_t cap = t->cap * 2;
        uint64_t *off = realloc(t->off, cap * sizeof *off);
        if (!off) return LFMRT_E_NOMEM;
        t->off = off;
        uint32_t *len = realloc(t->len, cap * sizeof *len);
        if (!len) return LFMRT_E_NOMEM;
        t->len = len;
        t->cap = cap;
    }
    if (t->cap_bytes - t->nbytes < n + 1) {
        size_t cb = t->cap_bytes * 2;
        while (cb - t->nbytes < n + 1) cb *= 2;
        char *b = realloc(t->bytes, cb);
        if (!b) return LFMRT_E_NOMEM;
        t->bytes = b;
        t->cap_bytes = cb;
    }
    if ((t->n + 1) * 2 > t->mask + 1 && grow_index(t) != LFMRT_OK) return LFMRT_E_NOMEM;
    memcpy(t->bytes + t->nbytes, s, n);
    t->bytes[t->nbytes + n] = '\0';
    t->off[t->n] = t->nbytes;
    t->len[t->n] = (uint32_t)n;
    t->nbytes += n + 1;
    place(t->slot, t->shash, t->mask, (uint32_t)(t->n + 1), h);
    *id = (int32_t)t->n++;
    return LFMRT_OK;
}

/* ------------------------------------------------------------------------------------------------ */

static uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t)a << 32 | b; }
static size_t pair_hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

int lf_pairmap_init(lf_pairmap *m, size_t expect) {
    memset(m, 0, sizeof *m);
    size_t slots = pow2_at_least(expect * 2);
    m->key = malloc(slots * sizeof *m->key);
    m->v0 = malloc(slots * sizeof *m->v0);
    m->v1 = malloc(slots * sizeof *m->v1);
    if (!m->key || !m->v0 || !m->v1) {
        lf_pairmap_deinit(m);
        return LFMRT_E_NOMEM;
    }
    memset(m->key, 0xFF, slots * sizeof *m->key);
    m->mask = slots - 1;
    return LFMRT_OK;
}

void lf_pairmap_deinit(lf_pairmap *m) {
    free(m->key);
    free(m->v0);
    free(m->v1);
    memset(m, 0, sizeof *m);
}

static int pairmap_grow(lf_pairmap *m) {
    lf_pairmap g;
    if (lf_pairmap_init(&g, m->mask + 1) != LFMRT_OK) return LFMRT_E_NOMEM;
    for (size_t i = 0; i <= m->mask; i++) {
        if (m->key[i] == UINT64_MAX) continue;
        size_t j = pair_hash(m->key[i]) & g.mask;
        while (g.key[j] != UINT64_MAX) j = (j + 1) & g.mask;
        g.key[j] = m->key[i];
        g.v0[j] = m->v0[i];
        g.v1[j] = m->v1[i];
    }
    g.n = m->n;
    lf_pairmap_deinit(m);
    *m = g;
    return LFMRT_OK;
}

int lf_pairmap_put(lf_pairmap *m, uint32_t a, uint32_t b, int32_t v0, int32_t v1) {
    if ((m->n + 1) * 2 > m->mask + 1 && pairmap_grow(m) != LFMRT_OK) return LFMRT_E_NOMEM;
    uint64_t k = pair_key(a, b);
    size_t i = pair_hash(k) & m->mask;
    while (m->key[i] != UINT64_MAX) {
        if (m->key[i] == k) return LFMRT_OK;
        i = (i + 1) & m->mask;
    }
    m->key[i] = k;
    m->v0[i] = v0;
    m->v1[i] = v1;
    m->n++;
    return LFMRT_OK;
}

bool lf_pairmap_get(const lf_pairmap *m, uint32_t a, uint32_t b, int32_t *v0, int32_t *v1) {
    if (!m->key) return false;
    uint64_t k = pair_key(a, b);
    for (size_t i = pair_hash(k) & m->mask; m->key[i] != UINT64_MAX; i = (i + 1) & m->mask) {
        if (m->key[i] == k) {
            *v0 = m->v0[i];
            *v1 = m->v1[i];
            return true;
        }
    }
    return false;
}
