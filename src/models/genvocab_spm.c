/* models/genvocab_spm.c - synthetic SentencePiece vocabularies for gen-model (see genvocab_spm.h). */
#include "models/genvocab_spm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tokenizer/genvocab.h"
#include "tokenizer/vocab.h"

#define MAX_PIECE 24 /* bytes of a piece (filler pieces stop growing before this) */

typedef struct builder {
    lf_genspm *v;
    size_t n, cap_text, used_text;
    size_t *off;      /* [n_tokens] offsets into text (pointers are fixed up at the end) */
    uint32_t *set;    /* open-addressing hash set of token indices + 1 */
    size_t set_mask;
    int64_t n_pieces; /* pieces so far (for scores) */
} builder;

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

static bool contains(const builder *b, const char *s, size_t n, size_t *slot) {
    size_t i = (size_t)fnv(s, n) & b->set_mask;
    for (;; i = (i + 1) & b->set_mask) {
        if (!b->set[i]) {
            *slot = i;
            return false;
        }
        const char *t = b->v->text + b->off[b->set[i] - 1];
        if (strlen(t) == n && !memcmp(t, s, n)) return true;
    }
}

/* Adds token s[0..n) unless present or full; returns 1 added, 0 skipped, <0 status. */
static int add(builder *b, const char *s, size_t n, int32_t type, float score) {
    if (b->n >= b->v->n_tokens) return 0;
    size_t slot;
    if (contains(b, s, n, &slot)) return 0;
    if (b->used_text + n + 1 > b->cap_text) {
        size_t nc = b->cap_text * 2 + n + 1;
        char *t = realloc(b->v->text, nc);
        if (!t) return LFMRT_E_NOMEM;
        b->v->text = t;
        b->cap_text = nc;
    }
    memcpy(b->v->text + b->used_text, s, n);
    b->v->text[b->used_text + n] = '\0';
    b->off[b->n] = b->used_text;
    b->used_text += n + 1;
    b->v->types[b->n] = type;
    b->v->scores[b->n] = score;
    b->set[slot] = (uint32_t)(b->n + 1);
    b->n++;
    return 1;
}

static int add_piece(builder *b, const char *s, size_t n) {
    int r = add(b, s, n, LF_TOKT_NORMAL, -(float)b->n_pieces);
    if (r == 1) b->n_pieces++;
    return r < 0 ? r : 0;
}

static size_t utf8_len(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0) return 2;
    if ((c & 0xf0) == 0xe0) return 3;
    if ((c & 0xf8) == 0xf0) return 4;
    return 1;
}

static const char SP[] = "\xe2\x96\x81"; /* U+2581 */

/* Single characters of the corpus, then "▁word" prefixes. */
static int add_corpus(builder *b) {
    const char *c = lf_genvocab_corpus;
    const size_t len = strlen(c);
    int rc;
    if ((rc = add_piece(b, SP, 3))) return rc;
    for (size_t i = 0; i < len;) {
        const size_t k = utf8_len((unsigned char)c[i]);
        if (i + k > len) break;
        if (c[i] == ' ') {
            /* U+2581 added above */
        } else if ((unsigned char)c[i] < 0x20) {
            if (c[i] == '\n' && b->v->layout == LF_GENSPM_GEMMA && (rc = add_piece(b, "\n", 1))) return rc;
        } else if ((rc = add_piece(b, c + i, k))) {
            return rc;
        }
        i += k;
    }
    char buf[MAX_PIECE + 8];
    for (size_t i = 0; i < len;) {
        while (i < len && (unsigned char)c[i] <= ' ') i++;
        size_t j = i;
        while (j < len && (unsigned char)c[j] > ' ') j++;
        /* "▁" + word[0..p) for each character boundary p >= 1 */
        memcpy(buf, SP, 3);
        size_t bl = 3;
        for (size_t p = i; p < j;) {
            const size_t k = utf8_len((unsigned char)c[p]);
            if (p + k > j || bl + k > MAX_PIECE) break;
            memcpy(buf + bl, c + p, k);
            bl += k;
            p += k;
            if ((rc = add_piece(b, buf, bl))) return rc;
        }
        i = j;
    }
    return LFMRT_OK;
}

static uint64_t next_rand(uint64_t *s) {
    uint64_t x = (*s += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

int lf_genspm_build(size_t n_tokens, lf_genspm_layout layout, lf_genspm *out, lfmrt_err *e) {
    memset(out, 0, sizeof *out);
    if (n_tokens < 1024 || n_tokens > (1u << 20))
        return lf_err(e, LFMRT_E_INVALID, "genvocab_spm: n_tokens %zu outside 1024..1048576", n_tokens);
    if (layout != LF_GENSPM_GEMMA && layout != LF_GENSPM_LLAMA)
        return lf_err(e, LFMRT_E_INVALID, "genvocab_spm: unknown layout %d", (int)layout);
    builder b;
    memset(&b, 0, sizeof b);
    b.v = out;
    out->n_tokens = n_tokens;
    out->layout = layout;
    size_t sz = 1;
    while (sz < 2 * n_tokens) sz <<= 1;
    b.set_mask = sz - 1;
    b.cap_text = n_tokens * 8;
    out->tokens = malloc(n_tokens * sizeof *out->tokens);
    out->scores = malloc(n_tokens * sizeof *out->scores);
    out->types = malloc(n_tokens * sizeof *out->types);
    out->text = malloc(b.cap_text);
    b.off = malloc(n_tokens * sizeof *b.off);
    b.set = calloc(sz, sizeof *b.set);
    int rc = LFMRT_OK;
    if (!out->tokens || !out->scores || !out->types || !out->text || !b.off || !b.set) {
        rc = LFMRT_E_NOMEM;
        goto done;
    }
    char buf[MAX_PIECE + 8];
    if (layout == LF_GENSPM_GEMMA) {
        static const char *const sp[] = {"<pad>", "<eos>", "<bos>", "<unk>"};
        for (int i = 0; i < 4; i++) add(&b, sp[i], strlen(sp[i]), i == 3 ? LF_TOKT_UNKNOWN : LF_TOKT_CONTROL, 0.0f);
        for (int i = 4; i < 105; i++) {
            int n = snprintf(buf, sizeof buf, "<unused%d>", i - 4);
            add(&b, buf, (size_t)n, LF_TOKT_CONTROL, 0.0f);
        }
        add(&b, "<start_of_turn>", 15, LF_TOKT_CONTROL, 0.0f);
        add(&b, "<end_of_turn>", 13, LF_TOKT_CONTROL, 0.0f);
        /* (the text buffer holds n_tokens * 8 >= 8192 bytes: these and the byte tokens never realloc) */
        out->pad = 0, out->eos = 1, out->bos = 2, out->unk = 3;
    } else {
        add(&b, "<unk>", 5, LF_TOKT_UNKNOWN, 0.0f);
        add(&b, "<s>", 3, LF_TOKT_CONTROL, 0.0f);
        add(&b, "</s>", 4, LF_TOKT_CONTROL, 0.0f);
        out->unk = 0, out->bos = 1, out->eos = 2, out->pad = -1;
    }
    for (int i = 0; i < 256; i++) {
        int n = snprintf(buf, sizeof buf, "<0x%02X>", i);
        add(&b, buf, (size_t)n, LF_TOKT_BYTE, 0.0f);
    }
    if ((rc = add_corpus(&b))) goto done;
    /* filler: extend a random existing piece by one lowercase letter */
    const size_t first_piece = b.n - (size_t)b.n_pieces;
    uint64_t st = 0x5eedull + (uint64_t)layout;
    for (uint64_t tries = 0; b.n < n_tokens; tries++) {
        if (tries > 64 * (uint64_t)n_tokens) {
            rc = lf_err(e, LFMRT_E_INVALID, "genvocab_spm: could not find %zu distinct pieces", n_tokens);
            goto done;
        }
        const size_t base = first_piece + (size_t)(next_rand(&st) % (uint64_t)(b.n - first_piece));
        const char *s = out->text + b.off[base];
        const size_t n = strlen(s);
        if (n + 1 > MAX_PIECE || s[0] == '\n') continue;
        memcpy(buf, s, n);
        buf[n] = (char)('a' + next_rand(&st) % 26);
        if ((rc = add_piece(&b, buf, n + 1))) goto done;
    }
    for (size_t i = 0; i < n_tokens; i++) out->tokens[i] = out->text + b.off[i];
done:
    free(b.off);
    free(b.set);
    if (rc) {
        lf_genspm_free(out);
        if (rc == LFMRT_E_NOMEM) return lf_err(e, rc, "genvocab_spm: out of memory");
        return rc;
    }
    return LFMRT_OK;
}

void lf_genspm_free(lf_genspm *v) {
    if (!v) return;
    free(v->tokens);
    free(v->scores);
    free(v->types);
    free(v->text);
    memset(v, 0, sizeof *v);
}

#define W(call, key)                                                                                              \
    do {                                                                                                          \
        int rc_ = (call);                                                                                         \
        if (rc_) return lf_err(e, rc_, "genvocab_spm: cannot set key '%s' (%s)", key, lfmrt_status_name(rc_));    \
    } while (0)

int lf_genspm_write(const lf_genspm *v, lf_gguf_writer *w, lfmrt_err *e) {
    W(lf_gguf_writer_set_str(w, "tokenizer.ggml.model", "llama"), "tokenizer.ggml.model");
    W(lf_gguf_writer_set_str(w, "tokenizer.ggml.pre", "default"), "tokenizer.ggml.pre");
    W(lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", v->tokens, NULL, v->n_tokens), "tokenizer.ggml.tokens");
    W(lf_gguf_writer_set_arr_f32(w, "tokenizer.ggml.scores", v->scores, v->n_tokens), "tokenizer.ggml.scores");
    W(lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", v->types, v->n_tokens), "tokenizer.ggml.token_type");
    W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)v->bos), "tokenizer.ggml.bos_token_id");
    W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)v->eos), "tokenizer.ggml.eos_token_id");
    W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.unknown_token_id", (uint32_t)v->unk), "tokenizer.ggml.unknown_token_id");
    if (v->pad >= 0)
        W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.padding_token_id", (uint32_t)v->pad),
          "tokenizer.ggml.padding_token_id");
    W(lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", true), "tokenizer.ggml.add_bos_token");
    W(lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", false), "tokenizer.ggml.add_eos_token");
    W(lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_space_prefix", v->layout == LF_GENSPM_LLAMA),
      "tokenizer.ggml.add_space_prefix");
    return LFMRT_OK;
}
