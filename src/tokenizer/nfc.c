/* tokenizer/nfc.c - Unicode NFC (see nfc.h). */
#include "tokenizer/nfc.h"

#include <stdlib.h>

#include "base/err.h"
#include "tokenizer/unicode.h"

#define RAW 0x80000000u /* an invalid byte kept as is: a starter that composes with nothing */

/* Hangul syllables (Unicode ch. 3.12) */
enum { S_BASE = 0xAC00, L_BASE = 0x1100, V_BASE = 0x1161, T_BASE = 0x11A7, L_N = 19, V_N = 21, T_N = 28,
       N_N = V_N * T_N, S_N = L_N * N_N };

void lf_nfc_work_free(lf_nfc_work *w) {
    if (!w) return;
    free(w->cp);
    free(w->out);
    *w = (lf_nfc_work){0};
}

uint8_t lf_nfc_ccc_of(uint32_t cp) {
    size_t lo = 0, hi = lf_nfc_ccc_n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (cp < lf_nfc_ccc[m].lo) hi = m;
        else if (cp > lf_nfc_ccc[m].hi) lo = m + 1;
        else return (uint8_t)lf_nfc_ccc[m].ccc;
    }
    return 0;
}

static bool unsafe(uint32_t cp) {
    size_t lo = 0, hi = lf_nfc_unsafe_n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (cp < lf_nfc_unsafe[m].lo) hi = m;
        else if (cp > lf_nfc_unsafe[m].hi) lo = m + 1;
        else return true;
    }
    return false;
}

static const lf_nfc_triple *find_decomp(uint32_t cp) {
    size_t lo = 0, hi = lf_nfc_decomp_n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (cp < lf_nfc_decomp[m].cp) hi = m;
        else if (cp > lf_nfc_decomp[m].cp) lo = m + 1;
        else return &lf_nfc_decomp[m];
    }
    return NULL;
}

/* The primary composite of a + b, or 0. */
static uint32_t compose(uint32_t a, uint32_t b) {
    if (a - L_BASE < L_N && b - V_BASE < V_N) return S_BASE + ((a - L_BASE) * V_N + (b - V_BASE)) * T_N;
    if (a - S_BASE < S_N && (a - S_BASE) % T_N == 0 && b - T_BASE - 1 < T_N - 1) return a + (b - T_BASE);
    size_t lo = 0, hi = lf_nfc_comp_n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        const lf_nfc_triple *d = &lf_nfc_decomp[lf_nfc_comp[m]];
        if (a < d->a || (a == d->a && b < d->b)) hi = m;
        else if (a > d->a || b > d->b) lo = m + 1;
        else return d->cp;
    }
    return 0;
}

/* Appends the full canonical decomposition of cp at o[*k]; writes at most 4 code points (the longest
 * canonical decomposition, checked by the test against the whole table). */
static void decompose(uint32_t cp, uint32_t *o, size_t *k) {
    if (cp - S_BASE < S_N) {
        uint32_t s = cp - S_BASE;
        o[(*k)++] = L_BASE + s / N_N;
        o[(*k)++] = V_BASE + (s % N_N) / T_N;
        if (s % T_N) o[(*k)++] = T_BASE + s % T_N;
        return;
    }
    const lf_nfc_triple *d = find_decomp(cp);
    if (!d) {
        o[(*k)++] = cp;
        return;
    }
    decompose(d->a, o, k);
    if (d->b) decompose(d->b, o, k);
}

/* Decodes one code point at s[0..n); *len bytes. Returns RAW | byte for bytes that are not well-formed
 * UTF-8 (they are kept unchanged). */
static uint32_t next_cp(const uint8_t *s, size_t n, size_t *len) {
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    uint32_t cp = lf_utf8_decode(s, n, len);
    if (*len == 1 || !lf_utf8_valid(s, *len)) {
        *len = 1;
        return RAW | s[0];
    }
    return cp;
}

bool lf_nfc_quick_check(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        if (s[i] < 0xCC) { /* below U+0300 (and continuation bytes): nothing is unsafe there */
            i++;
            continue;
        }
        size_t len;
        uint32_t cp = next_cp(s + i, n - i, &len);
        if (!(cp & RAW) && unsafe(cp)) return false;
        i += len;
    }
    return true;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    if (need > SIZE_MAX / elem) return false;
    void *q = realloc(*p, need * elem);
    if (!q) return false;
    *p = q;
    *cap = need;
    return true;
}

int lf_nfc(const uint8_t *s, size_t n, lf_nfc_work *w, const uint8_t **out, size_t *out_n) {
    *out = s;
    *out_n = n;
    if (lf_nfc_quick_check(s, n)) return LFMRT_OK;
    /* decomposition: at most 4 code points per code point, hence per byte */
    if (n > SIZE_MAX / 16 || !grow((void **)&w->cp, &w->cap_cp, 4 * n, sizeof *w->cp)) return LFMRT_E_NOMEM;
    uint32_t *c = w->cp;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = next_cp(s + i, n - i, &len);
        if (cp & RAW) c[k++] = cp;
        else decompose(cp, c, &k);
        i += len;
    }
    /* canonical ordering: stable insertion sort by combining class inside runs of nonstarters */
    for (size_t i = 1; i < k; i++) {
        uint8_t cc = (c[i] & RAW) ? 0 : lf_nfc_ccc_of(c[i]);
        if (cc == 0) continue;
        uint32_t x = c[i];
        size_t j = i;
        while (j > 0 && !(c[j - 1] & RAW) && lf_nfc_ccc_of(c[j - 1]) > cc) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
    /* canonical composition: each character composes with the last starter unless blocked */
    size_t m = 0, starter = SIZE_MAX;
    uint8_t last_cc = 0;
    for (size_t i = 0; i < k; i++) {
        uint32_t x = c[i];
        uint8_t cc = (x & RAW) ? 0 : lf_nfc_ccc_of(x);
        if (starter != SIZE_MAX && !(x & RAW) && !(c[starter] & RAW) &&
            (m == starter + 1 || (last_cc != 0 && last_cc < cc))) {
            uint32_t p = compose(c[starter], x);
            if (p) {
                c[starter] = p;
                continue;
            }
        }
        if (cc == 0) starter = m;
        last_cc = cc;
        c[m++] = x;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < m; i++) bytes += (c[i] & RAW) ? 1 : lf_utf8_len(c[i]);
    if (!grow((void **)&w->out, &w->cap_out, bytes ? bytes : 1, 1)) return LFMRT_E_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < m; i++) {
        if (c[i] & RAW) w->out[o++] = (uint8_t)(c[i] & 0xFF);
        else o += lf_utf8_encode(c[i], w->out + o);
    }
    *out = w->out;
    *out_n = o;
    return LFMRT_OK;
}
