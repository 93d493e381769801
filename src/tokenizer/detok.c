/* tokenizer/detok.c - token ids back to bytes, and a streaming detokenizer that only ever emits
 * well-formed UTF-8.
 *
 * Token bytes are those of llama_token_to_piece(lstrip = 0): NORMAL tokens map the GPT-2 alphabet back to
 * raw bytes; CONTROL/USER_DEFINED/UNKNOWN tokens give their text (CONTROL and UNKNOWN only when
 * `special`); UNUSED/UNDEFINED tokens give nothing. The streaming detokenizer holds back a trailing
 * prefix of a character that later bytes may still complete, and replaces every ill-formed subsequence
 * (Unicode's "maximal subpart" rule, as WHATWG decoders do) by U+FFFD.
 */
#include <string.h>

#include "tokenizer/vocab_impl.h"

static const char k_fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};

static const char *piece(const lf_vocab *v, int32_t id, bool special, size_t *n) {
    if (!special && (v->attr[id] & (LF_ATTR_UNKNOWN | LF_ATTR_CONTROL))) {
        *n = 0;
        return "";
    }
    *n = (size_t)(v->piece_off[id + 1] - v->piece_off[id]);
    return v->piece + v->piece_off[id];
}

int lf_vocab_detokenize(const lf_vocab *v, const int32_t *ids, size_t n, bool remove_special, bool unparse_special,
                        char *buf, size_t cap) {
    if (!v || (!ids && n)) return -1;
    bool strip = v->add_space_prefix;
    if (remove_special && v->add_bos && n > 0 && ids[0] == v->ids[LF_SP_BOS]) {
        strip = false;
        ids++;
        n--;
    }
    if (remove_special && v->add_eos && n > 0 && ids[n - 1] == v->ids[LF_SP_EOS]) n--;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= v->n_tokens) return -1;
        size_t len;
        const char *p = piece(v, ids[i], unparse_special, &len);
        if (strip && len && p[0] == ' ') {
            p++;
            len--;
        }
        strip = false;
        if (buf && total < cap) memcpy(buf + total, p, len < cap - total ? len : cap - total);
        total += len;
        if (total > 0x7FFFFFFF) return -1;
    }
    return (int)total;
}

int lf_vocab_token_bytes(const lf_vocab *v, int32_t id, bool special, char *buf, size_t cap) {
    if (!v || id < 0 || id >= v->n_tokens) return -1;
    size_t n;
    const char *p = piece(v, id, special, &n);
    if (n > 0x7FFFFFFF) return -1;
    if (buf) memcpy(buf, p, n < cap ? n : cap);
    return (int)n;
}

/* The bytes a ++ b, read without copying them together. */
typedef struct two {
    const uint8_t *a, *b;
    size_t na, n;
} two;
static uint8_t at(const two *t, size_t i) { return i < t->na ? t->a[i] : t->b[i - t->na]; }

/* Classifies the sequence starting at i: > 0 a well-formed character of that many bytes; 0 a prefix that
 * the end of the input cuts short (every byte so far valid); < 0 an ill-formed subpart of -r bytes. */
static int classify(const two *t, size_t i) {
    uint8_t b = at(t, i);
    if (b < 0x80) return 1;
    int need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) need = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else {
        return -1;
    }
    for (int k = 1; k < need; k++) {
        if (i + (size_t)k >= t->n) return 0;
        uint8_t c = at(t, i + (size_t)k);
        if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return -k;
    }
    return need;
}

/* Converts t into out (NULL: count only). Unless final, a cut-short tail is left unconsumed: *keep
 * receives where it starts (t->n when there is none). Returns the output length. */
static size_t sanitize(const two *t, bool final, char *out, size_t *keep) {
    size_t i = 0, o = 0;
    *keep = t->n;
    while (i < t->n) {
        int r = classify(t, i);
        if (r > 0) {
            if (out)
                for (int k = 0; k < r; k++) out[o + (size_t)k] = (char)at(t, i + (size_t)k);
            o += (size_t)r;
            i += (size_t)r;
        } else if (r == 0 && !final) {
            *keep = i;
            break;
        } else {
            if (out) memcpy(out + o, k_fffd, 3);
            o += 3;
            i += r == 0 ? t->n - i : (size_t)-r;
        }
    }
    return o;
}

void lf_detok_init(lf_detok *d) { memset(d, 0, sizeof *d); }

static int run(lf_detok *d, const uint8_t *p, size_t n, bool final, char *out, size_t cap) {
    two t = {(const uint8_t *)d->pending, p, d->n_pending, d->n_pending + n};
    size_t keep;
    size_t need = sanitize(&t, final, NULL, &keep);
    if (need > cap || need > 0x7FFFFFFF) return -1;
    sanitize(&t, final, out, &keep);
    uint8_t tail[sizeof d->pending];
    size_t nt = t.n - keep; /* at most 3 bytes: a cut-short character */
    for (size_t k = 0; k < nt; k++) tail[k] = at(&t, keep + k);
    memcpy(d->pending, tail, nt);
    d->n_pending = nt;
    return (int)need;
}

int lf_detok_push(lf_detok *d, const lf_vocab *v, int32_t id, bool special, char *out, size_t cap) {
    if (!d || !v || id < 0 || id >= v->n_tokens) return -1;
    size_t n;
    const char *p = piece(v, id, special, &n);
    return run(d, (const uint8_t *)p, n, false, out, cap);
}

int lf_detok_flush(lf_detok *d, char *out, size_t cap) {
    if (!d) return -1;
    return run(d, NULL, 0, true, out, cap);
}
