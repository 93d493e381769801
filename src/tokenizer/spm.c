/* tokenizer/spm.c - SentencePiece encoding of one text fragment, equal to llama.cpp's
 * llm_tokenizer_spm_session::tokenize (src/llama-vocab.cpp):
 *  - symbols are UTF-8 characters, their length taken from the lead byte alone (a stray continuation
 *    byte is a 1-byte symbol; a truncated character at the end is cut to what is left);
 *  - every adjacent pair whose concatenated text is a token (any type) is a candidate with that token's
 *    score; the best candidate (highest score, then smallest left index) is merged, stale candidates
 *    (a side already merged or grown) are skipped, and the new neighbours become candidates;
 *  - a final symbol that is a token is emitted; otherwise (only single characters can be: merged symbols
 *    are always tokens, so llama.cpp's rev_merge re-segmentation never splits anything) each of its bytes
 *    is emitted as its byte token.
 * Whitespace escaping (' ' -> U+2581) and the space prefix are done here too; special-token
 * partitioning happens before (tokenize.c).
 */
#include "tokenizer/spm.h"

#include <stdlib.h>
#include <string.h>

#include "lfmrt/status.h"
#include "tokenizer/vocab_impl.h"

struct lf_spm_sym {
    uint32_t off, n; /* bytes of the symbol in w->text; n == 0 once merged into its left neighbour */
    int32_t prev, next;
};

struct lf_spm_bigram {
    float score;
    int32_t left, right;
    uint32_t size; /* byte length when pushed: a different current sum marks a stale candidate */
};

void lf_spm_work_free(lf_spm_work *w) {
    free(w->text);
    free(w->syms);
    free(w->heap);
    memset(w, 0, sizeof *w);
}

static int reserve(lf_spm_work *w, size_t nbytes) {
    if (nbytes <= w->cap) return LFMRT_OK;
    size_t cap = nbytes < 64 ? 64 : nbytes;
    char *t = realloc(w->text, cap);
    if (!t) return LFMRT_E_NOMEM;
    w->text = t;
    struct lf_spm_sym *s = realloc(w->syms, cap * sizeof *s);
    if (!s) return LFMRT_E_NOMEM;
    w->syms = s;
    struct lf_spm_bigram *h = realloc(w->heap, cap * 3 * sizeof *h);
    if (!h) return LFMRT_E_NOMEM;
    w->heap = h;
    w->cap = cap;
    return LFMRT_OK;
}

/* a before b in the queue: llama.cpp's comparator reversed (priority_queue pops the "largest") */
static bool better(const struct lf_spm_bigram *a, const struct lf_spm_bigram *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void push(lf_spm_work *w, struct lf_spm_bigram c) {
    size_t i = w->n_heap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(&c, &w->heap[p])) break;
        w->heap[i] = w->heap[p];
        i = p;
    }
    w->heap[i] = c;
}

static struct lf_spm_bigram pop(lf_spm_work *w) {
    struct lf_spm_bigram top = w->heap[0], last = w->heap[--w->n_heap];
    size_t i = 0, n = w->n_heap;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const struct lf_spm_bigram *best = &last;
        if (l < n && better(&w->heap[l], best)) {
            m = l;
            best = &w->heap[l];
        }
        if (l + 1 < n && better(&w->heap[l + 1], best)) m = l + 1;
        if (m == i) break;
        w->heap[i] = w->heap[m];
        i = m;
    }
    if (n) w->heap[i] = last;
    return top;
}

static void try_bigram(const lf_vocab *v, lf_spm_work *w, int32_t l, int32_t r) {
    if (l < 0 || r < 0) return;
    const struct lf_spm_sym *a = &w->syms[l], *b = &w->syms[r];
    uint32_t size = a->n + b->n;
    int32_t id = lf_strtab_find(&v->tok, w->text + a->off, size);
    if (id < 0) return;
    push(w, (struct lf_spm_bigram){v->score ? v->score[id] : 0.0f, l, r, size});
}

static void emit(int32_t *ids, size_t cap, size_t *n, int32_t id) {
    if (*n < cap) ids[*n] = id;
    (*n)++;
}

int lf_spm_encode(const lf_vocab *v, lf_spm_work *w, const uint8_t *s, size_t n, bool space_prefix, int32_t *ids,
                  size_t cap, size_t *n_ids) {
    static const char k_sp[3] = {(char)0xE2, (char)0x96, (char)0x81};
    if (n > (SIZE_MAX - 3) / 3 || n > 0x40000000u) return LFMRT_E_NOMEM;
    if (reserve(w, 3 * n + 3) != LFMRT_OK) return LFMRT_E_NOMEM;
    size_t len = 0;
    if (space_prefix) {
        memcpy(w->text, k_sp, 3);
        len = 3;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ') {
            memcpy(w->text + len, k_sp, 3);
            len += 3;
        } else {
            w->text[len++] = (char)s[i];
        }
    }
    if (len == 0) return LFMRT_OK;
    static const uint8_t k_len[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    int32_t ns = 0;
    for (size_t off = 0; off < len;) {
        size_t cl = k_len[(uint8_t)w->text[off] >> 4];
        if (cl > len - off) cl = len - off;
        w->syms[ns] = (struct lf_spm_sym){(uint32_t)off, (uint32_t)cl, ns - 1, ns + 1};
        off += cl;
        ns++;
    }
    w->syms[ns - 1].next = -1;
    w->n_heap = 0;
    for (int32_t i = 1; i < ns; i++) try_bigram(v, w, i - 1, i);
    while (w->n_heap) {
        struct lf_spm_bigram b = pop(w);
        struct lf_spm_sym *l = &w->syms[b.left], *r = &w->syms[b.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != b.size) continue;
        l->n += r->n;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0) w->syms[r->next].prev = b.left;
        try_bigram(v, w, l->prev, b.left);
        try_bigram(v, w, b.left, l->next);
    }
    for (int32_t i = 0; i >= 0; i = w->syms[i].next) {
        const struct lf_spm_sym *sy = &w->syms[i];
        int32_t id = lf_strtab_find(&v->tok, w->text + sy->off, sy->n);
        if (id >= 0) {
            emit(ids, cap, n_ids, id);
            continue;
        }
        for (uint32_t j = 0; j < sy->n; j++) {
            int32_t b = v->byte_tok[(uint8_t)w->text[sy->off + j]];
            if (b >= 0) emit(ids, cap, n_ids, b);
        }
    }
    return LFMRT_OK;
}
