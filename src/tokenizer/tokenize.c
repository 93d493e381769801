/* tokenizer/tokenize.c - text to token ids, as llama.cpp's llama_tokenize(add_special = false) does for
 * BPE vocabularies:
 *  1. special-token partition: special tokens are taken longest text first (ties: lower id), each at its
 *     leftmost non-overlapping occurrences inside the text not yet claimed; without parse_special only
 *     USER_DEFINED tokens take part (CONTROL/UNKNOWN ones are skipped). llama.cpp strips spaces next to
 *     a special token only for LSTRIP/RSTRIP attributes it sets by model name (phi-3, jina-v2, modern-bert),
 *     none of which use the pre-tokenizers supported here, so no stripping happens;
 *  2. every remaining text fragment is decoded to code points (invalid bytes -> U+FFFD), split by the
 *     pre-tokenizer, and each piece is re-encoded to UTF-8 and mapped to the GPT-2 byte alphabet;
 *  3. a piece that is a token as a whole is emitted directly when ignore_merges is set; otherwise byte
 *     symbols are merged by rank (lowest rank first, leftmost first on ties) with a binary heap, and each
 *     final symbol is looked up; a symbol that is not a token falls back to the tokens whose text is one
 *     of its bytes (llama.cpp's fallback; bytes without such a token are dropped).
 * SentencePiece vocabularies (spm.c) share step 1; each text fragment is then encoded whole, with a
 * U+2581 prefix when add_space_prefix is set and the fragment starts the text or follows a special token.
 * Vocabularies converted from a tokenizer.json with an NFC normalizer (v->nfc) normalize each text fragment
 * to NFC first (nfc.h), as Hugging Face does after splitting off added tokens; text that passes the quick
 * check (ASCII, most text) is encoded in place.
 * All scratch memory belongs to one call, so concurrent calls on one vocabulary are safe.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tokenizer/nfc.h"
#include "tokenizer/spm.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

typedef struct symbol {
    uint32_t off, len; /* bytes of the encoded word; len 0 once merged into its left neighbour */
    int32_t sym;       /* interned symbol (-1: takes part in no merge) */
    int32_t prev, next;
} symbol;

typedef struct cand {
    int32_t rank, left, right, result;
    uint32_t size; /* left.len + right.len when pushed: a changed sum marks a stale candidate */
} cand;

typedef struct tk {
    const lf_vocab *v;
    int32_t *ids;
    size_t cap, n;
    uint32_t *cps, *ends, *scratch;
    uint16_t *fl;
    size_t cap_cp;
    char *word;
    symbol *syms;
    cand *heap;
    size_t cap_piece, n_heap;
} tk;

static void emit(tk *t, int32_t id) {
    if (t->n < t->cap) t->ids[t->n] = id;
    t->n++;
}

static bool grow(void **p, size_t need, size_t elem) {
    void *q = realloc(*p, need * elem);
    if (!q) return false;
    *p = q;
    return true;
}

/* ---- BPE ----------------------------------------------------------------------------------------- */

static bool cand_less(const cand *a, const cand *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->left < b->left);
}

static void heap_push(tk *t, cand c) {
    size_t i = t->n_heap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!cand_less(&c, &t->heap[p])) break;
        t->heap[i] = t->heap[p];
        i = p;
    }
    t->heap[i] = c;
}

static cand heap_pop(tk *t) {
    cand top = t->heap[0], last = t->heap[--t->n_heap];
    size_t i = 0, n = t->n_heap;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const cand *best = &last;
        if (l < n && cand_less(&t->heap[l], best)) { m = l; best = &t->heap[l]; }
        if (l + 1 < n && cand_less(&t->heap[l + 1], best)) m = l + 1;
        if (m == i) break;
        t->heap[i] = t->heap[m];
        i = m;
    }
    if (n) t->heap[i] = last;
    return top;
}

static void add_pair(tk *t, int32_t l, int32_t r) {
    if (l < 0 || r < 0) return;
    const symbol *a = &t->syms[l], *b = &t->syms[r];
    if (a->sym < 0 || b->sym < 0) return;
    int32_t rank, result;
    if (!lf_pairmap_get(&t->v->ranks, (uint32_t)a->sym, (uint32_t)b->sym, &rank, &result)) return;
    heap_push(t, (cand){rank, l, r, result, a->len + b->len});
}

static int ensure_piece(tk *t, size_t n_cp) {
    /* a code point is at most 4 bytes, a byte at most 2 alphabet bytes; at most 3 candidates per byte */
    size_t nb = n_cp * 4;
    if (nb <= t->cap_piece) return LFMRT_OK;
    size_t cap = nb < 64 ? 64 : nb;
    if (!grow((void **)&t->word, cap * 2, 1) || !grow((void **)&t->syms, cap, sizeof(symbol)) ||
        !grow((void **)&t->heap, cap * 3, sizeof(cand)))
        return LFMRT_E_NOMEM;
    t->cap_piece = cap;
    return LFMRT_OK;
}

/* Encodes piece cps[0..n) to the byte alphabet and BPE-encodes it. */
static int bpe_piece(tk *t, const uint32_t *cps, size_t n) {
    const lf_vocab *v = t->v;
    if (ensure_piece(t, n) != LFMRT_OK) return LFMRT_E_NOMEM;
    size_t wl = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t u[4];
        size_t nu = lf_utf8_encode(cps[i], u);
        for (size_t j = 0; j < nu; j++) {
            uint8_t a[4];
            size_t na = lf_utf8_encode(lf_byte_to_cp(u[j]), a);
            t->syms[ns] = (symbol){(uint32_t)wl, (uint32_t)na, v->byte_sym[u[j]], (int32_t)ns - 1, (int32_t)ns + 1};
            memcpy(t->word + wl, a, na);
            wl += na;
            ns++;
        }
    }
    if (ns == 0) return LFMRT_OK;
    t->syms[ns - 1].next = -1;
    if (v->ignore_merges) {
        int32_t id = lf_strtab_find(&v->tok, t->word, wl);
        if (id >= 0) {
            emit(t, id);
            return LFMRT_OK;
        }
    }
    t->n_heap = 0;
    for (size_t i = 1; i < ns; i++) add_pair(t, (int32_t)i - 1, (int32_t)i);
    while (t->n_heap) {
        cand c = heap_pop(t);
        symbol *l = &t->syms[c.left], *r = &t->syms[c.right];
        if (l->len == 0 || r->len == 0 || l->len + r->len != c.size) continue;
        l->len += r->len;
        l->sym = c.result;
        r->len = 0;
        l->next = r->next;
        if (r->next >= 0) t->syms[r->next].prev = c.left;
        add_pair(t, l->prev, c.left);
        add_pair(t, c.left, l->next);
    }
    for (int32_t i = 0; i >= 0; i = t->syms[i].next) {
        const symbol *s = &t->syms[i];
        int32_t id = s->sym >= 0 ? v->sym_tok[s->sym] : lf_strtab_find(&v->tok, t->word + s->off, s->len);
        if (id >= 0) {
            emit(t, id);
            continue;
        }
        for (uint32_t j = 0; j < s->len; j++) {
            int32_t b = v->single_tok[(uint8_t)t->word[s->off + j]];
            if (b >= 0) emit(t, b);
        }
    }
    return LFMRT_OK;
}

/* Code point scratch for fragments of up to n bytes (NFC may lengthen a fragment). */
static int ensure_cp(tk *t, size_t n) {
    if (n <= t->cap_cp) return LFMRT_OK;
    if (!grow((void **)&t->cps, n, sizeof *t->cps) || !grow((void **)&t->ends, n, sizeof *t->ends) ||
        !grow((void **)&t->scratch, n, sizeof *t->scratch) || !grow((void **)&t->fl, n, sizeof *t->fl))
        return LFMRT_E_NOMEM;
    t->cap_cp = n;
    return LFMRT_OK;
}

/* Pre-tokenizes and encodes one fragment of ordinary text. */
static int encode_text(tk *t, const uint8_t *s, size_t n) {
    if (n == 0) return LFMRT_OK;
    if (ensure_cp(t, n) != LFMRT_OK) return LFMRT_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = lf_utf8_decode(s + i, n - i, &len);
        t->cps[k] = cp;
        t->fl[k] = lf_ucd_flags(cp);
        k++;
        i += len;
    }
    size_t np = lf_pretok_split(t->v->pre, t->cps, t->fl, k, t->ends, t->scratch);
    uint32_t start = 0;
    for (size_t i = 0; i < np; i++) {
        int rc = bpe_piece(t, t->cps + start, t->ends[i] - start);
        if (rc != LFMRT_OK) return rc;
        start = t->ends[i];
    }
    return LFMRT_OK;
}

/* ---- special-token partition --------------------------------------------------------------------- */

typedef struct occ {
    uint32_t rank; /* index into v->special */
    uint32_t pos;
} occ;

static int cmp_occ(const void *a, const void *b) {
    const occ *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_pos(const void *a, const void *b) {
    const occ *x = a, *y = b;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Finds the special tokens the partition takes; *out (malloc'd, sorted by position) lists them with
 * rank = index into v->special. */
static int partition(const lf_vocab *v, const uint8_t *s, size_t n, bool parse_special, occ **out, size_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (v->n_special == 0 || n == 0) return LFMRT_OK;
    occ *all = NULL;
    size_t n_all = 0, cap_all = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(v->special_first[s[i] >> 3] & (1u << (s[i] & 7)))) continue;
        for (size_t j = 0; j < v->n_special_lens; j++) {
            size_t L = v->special_lens[j];
            if (L > n - i) continue;
            int32_t r = lf_strtab_find(&v->special_tab, (const char *)s + i, L);
            if (r < 0) continue;
            if (!parse_special && (v->attr[v->special[r]] & (LF_ATTR_CONTROL | LF_ATTR_UNKNOWN))) continue;
            if (n_all == cap_all) {
                cap_all = cap_all ? cap_all * 2 : 64;
                occ *a = realloc(all, cap_all * sizeof *a);
                if (!a) {
                    free(all);
                    return LFMRT_E_NOMEM;
                }
                all = a;
            }
            all[n_all++] = (occ){(uint32_t)r, (uint32_t)i};
        }
    }
    if (n_all == 0) return LFMRT_OK;
    uint8_t *used = calloc(n, 1);
    if (!used) {
        free(all);
        return LFMRT_E_NOMEM;
    }
    qsort(all, n_all, sizeof *all, cmp_occ);
    /* Taken regions so far are at least as long as the current token, so a window overlaps one iff one
     * of its end bytes is already used. */
    size_t taken = 0, last_end = 0;
    for (size_t i = 0; i < n_all; i++) {
        if (i == 0 || all[i].rank != all[i - 1].rank) last_end = 0;
        size_t L = v->tok.len[v->special[all[i].rank]], p = all[i].pos;
        if (p < last_end || used[p] || used[p + L - 1]) continue;
        memset(used + p, 1, L);
        last_end = p + L;
        all[taken++] = all[i];
    }
    free(used);
    qsort(all, taken, sizeof *all, cmp_pos);
    *out = all;
    *n_out = taken;
    return LFMRT_OK;
}

int lf_vocab_tokenize(const lf_vocab *v, const char *text, size_t len, bool parse_special, int32_t *ids,
                      size_t cap, size_t *n_out, lfmrt_err *e) {
    *n_out = 0;
    if (!v || (!text && len) || (!ids && cap)) return lf_err(e, LFMRT_E_INVALID, "tokenize: bad arguments");
    const uint8_t *s = (const uint8_t *)text;
    tk t = {.v = v, .ids = ids, .cap = cap};
    occ *sp = NULL;
    size_t n_sp = 0;
    int rc = partition(v, s, len, parse_special, &sp, &n_sp);
    /* scratch sized for the longest text fragment (code points <= bytes) */
    size_t longest = 0, at = 0;
    for (size_t i = 0; i <= n_sp && rc == LFMRT_OK; i++) {
        size_t end = i < n_sp ? sp[i].pos : len;
        if (end - at > longest) longest = end - at;
        if (i < n_sp) at = sp[i].pos + v->tok.len[v->special[sp[i].rank]];
    }
    if (rc == LFMRT_OK && longest && !v->spm) rc = ensure_cp(&t, longest);
    at = 0;
    lf_spm_work spw = {0};
    lf_nfc_work nfw = {0};
    bool prev_special = true; /* SPM: the space prefix goes before the first text and after every special */
    for (size_t i = 0; i <= n_sp && rc == LFMRT_OK; i++) {
        size_t end = i < n_sp ? sp[i].pos : len;
        const uint8_t *frag = s + at;
        size_t n_frag = end - at;
        if (v->nfc && n_frag) rc = lf_nfc(s + at, end - at, &nfw, &frag, &n_frag);
        if (rc != LFMRT_OK) break;
        if (!v->spm) rc = encode_text(&t, frag, n_frag);
        else if (n_frag) {
            rc = lf_spm_encode(v, &spw, frag, n_frag, v->add_space_prefix && prev_special, t.ids, t.cap, &t.n);
            prev_special = false;
        }
        if (i < n_sp) prev_special = true;
        if (i < n_sp && rc == LFMRT_OK) {
            int32_t id = v->special[sp[i].rank];
            emit(&t, id);
            at = sp[i].pos + v->tok.len[id];
        }
    }
    free(sp);
    lf_spm_work_free(&spw);
    lf_nfc_work_free(&nfw);
    free(t.cps);
    free(t.ends);
    free(t.scratch);
    free(t.fl);
    free(t.word);
    free(t.syms);
    free(t.heap);
    if (rc != LFMRT_OK) return lf_err(e, rc, "tokenize: out of memory (%zu bytes of text)", len);
    *n_out = t.n;
    if (t.n > cap) return lf_err(e, LFMRT_E_RANGE, "tokenize: %zu tokens do not fit in %zu", t.n, cap);
    return LFMRT_OK;
}
