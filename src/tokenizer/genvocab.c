/* tokenizer/genvocab.c - synthetic LFM2-layout byte-level BPE vocabularies for generated models (see
 * genvocab.h for the layout).
 *
 * Training is textbook BPE: the corpus is split with the lfm2 (llama3) pre-tokenizer, each piece becomes
 * a word of byte symbols with a count, and the most frequent adjacent pair (ties: lowest (left, right)
 * symbol numbers) is merged until no pair occurs twice or the budget is used. Two different pairs may
 * spell the same string; the second such merge adds no token. Filler merges then join two random existing
 * tokens (result <= 16 bytes, new text) until the vocabulary has exactly n_tokens entries.
 */
#include "tokenizer/genvocab.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tokenizer/pretok.h"
#include "tokenizer/strtab.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

const char lf_genvocab_chat_template[] =
    "{{bos_token}}{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n"
    "' + message['content'] + '<|im_end|>' + '\n"
    "'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n"
    "' }}{% endif %}";

static const char *const k_named[14] = {
    "<|pad|>",       "<|startoftext|>",     "<|endoftext|>",     "<|fim_pre|>",           "<|fim_mid|>",
    "<|fim_suf|>",   "<|im_start|>",        "<|im_end|>",        "<|tool_list_start|>",   "<|tool_list_end|>",
    "<|tool_call_start|>", "<|tool_call_end|>", "<|tool_response_start|>", "<|tool_response_end|>",
};
static const char *const k_high[6] = {"<|cot_start|>",  "<|cot_end|>",    "<|review_start|>",
                                      "<|review_end|>", "<|file_start|>", "<|file_end|>"};
#define HIGH_FIRST 64394
#define MAX_FILLER_LEN 16

typedef struct word {
    int32_t *sym;
    size_t len;
    int64_t count;
} word;

/* Work state: tab numbers every text (specials first, so no normal token can repeat one). */
typedef struct gen {
    lf_strtab tab;
    int32_t *normal;        /* tab numbers of the normal tokens, in id order */
    size_t n_normal, cap_normal;
    char **merges;
    size_t n_merges, cap_merges;
} gen;

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static int push_normal(gen *g, int32_t t) {
    if (g->n_normal == g->cap_normal) return LFMRT_E_NOMEM; /* sized up front */
    g->normal[g->n_normal++] = t;
    return LFMRT_OK;
}

/* Records merge "a b" and, unless it exists, the token a+b; *result receives its tab number. */
static int add_merge(gen *g, int32_t a, int32_t b, int32_t *result, bool *is_new) {
    size_t na, nb;
    const char *sa = lf_strtab_str(&g->tab, a, &na);
    const char *sb = lf_strtab_str(&g->tab, b, &nb);
    char *m = malloc(na + nb + 2);
    if (!m) return LFMRT_E_NOMEM;
    memcpy(m, sa, na);
    m[na] = ' ';
    /* sa may move when the table grows: copy b now, then intern the joined text */
    memcpy(m + na + 1, sb, nb);
    m[na + nb + 1] = 0;
    if (g->n_merges == g->cap_merges) {
        size_t cap = g->cap_merges ? g->cap_merges * 2 : 1024;
        char **q = realloc(g->merges, cap * sizeof *q);
        if (!q) {
            free(m);
            return LFMRT_E_NOMEM;
        }
        g->merges = q;
        g->cap_merges = cap;
    }
    char *joined = malloc(na + nb);
    if (!joined) {
        free(m);
        return LFMRT_E_NOMEM;
    }
    memcpy(joined, m, na);
    memcpy(joined + na, m + na + 1, nb);
    int rc = lf_strtab_intern(&g->tab, joined, na + nb, result, is_new);
    free(joined);
    if (rc == LFMRT_OK && *is_new) rc = push_normal(g, *result);
    if (rc != LFMRT_OK) {
        free(m);
        return rc;
    }
    g->merges[g->n_merges++] = m;
    return LFMRT_OK;
}

/* ---- training ------------------------------------------------------------------------------------ */

typedef struct pairs {
    uint64_t *key; /* UINT64_MAX empty */
    int64_t *count;
    size_t mask;
} pairs;

static size_t hash64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

static void pairs_add(pairs *p, uint64_t k, int64_t c) {
    size_t i = hash64(k) & p->mask;
    while (p->key[i] != UINT64_MAX && p->key[i] != k) i = (i + 1) & p->mask;
    if (p->key[i] == UINT64_MAX) {
        p->key[i] = k;
        p->count[i] = 0;
    }
    p->count[i] += c;
}

/* Splits the corpus into words of byte symbols (tab numbers of the byte tokens) with their counts. */
static int corpus_words(const int32_t byte_tok[256], word **out, size_t *n_out, size_t *n_syms) {
    const uint8_t *s = (const uint8_t *)lf_genvocab_corpus;
    size_t n = strlen(lf_genvocab_corpus), k = 0;
    uint32_t *cps = malloc(n * sizeof *cps), *ends = malloc(n * sizeof *ends);
    uint16_t *fl = malloc(n * sizeof *fl);
    lf_strtab seen;
    word *w = malloc(n * sizeof *w);
    int rc = LFMRT_E_NOMEM;
    size_t nw = 0, total = 0;
    if (!cps || !ends || !fl || !w || lf_strtab_init(&seen, 1024) != LFMRT_OK) goto done;
    for (size_t i = 0; i < n;) {
        size_t len;
        cps[k] = lf_utf8_decode(s + i, n - i, &len);
        fl[k] = lf_ucd_flags(cps[k]);
        k++;
        i += len;
    }
    size_t np = lf_pretok_split(LF_PRETOK_LLAMA3, cps, fl, k, ends, NULL);
    uint32_t start = 0;
    uint8_t buf[1024];
    for (size_t p = 0; p < np; p++) {
        size_t nb = 0;
        for (uint32_t c = start; c < ends[p] && nb + 4 <= sizeof buf; c++) nb += lf_utf8_encode(cps[c], buf + nb);
        start = ends[p];
        int32_t id;
        bool added;
        if (lf_strtab_intern(&seen, (const char *)buf, nb, &id, &added) != LFMRT_OK) goto done;
        if (!added) {
            w[id].count++;
            continue;
        }
        w[nw].sym = malloc(nb * sizeof(int32_t));
        if (!w[nw].sym) goto done;
        for (size_t j = 0; j < nb; j++) w[nw].sym[j] = byte_tok[buf[j]];
        w[nw].len = nb;
        w[nw].count = 1;
        total += nb;
        nw++;
    }
    rc = LFMRT_OK;
done:
    if (rc != LFMRT_OK && w)
        for (size_t i = 0; i < nw; i++) free(w[i].sym);
    if (rc != LFMRT_OK) {
        free(w);
        w = NULL;
        nw = 0;
    }
    lf_strtab_deinit(&seen);
    free(cps);
    free(ends);
    free(fl);
    *out = w;
    *n_out = nw;
    *n_syms = total;
    return rc;
}

static int learn(gen *g, const int32_t byte_tok[256], size_t budget) {
    word *w;
    size_t nw, total;
    int rc = corpus_words(byte_tok, &w, &nw, &total);
    if (rc != LFMRT_OK) return rc;
    size_t slots = 16;
    while (slots < total * 2) slots <<= 1;
    pairs p = {malloc(slots * sizeof(uint64_t)), malloc(slots * sizeof(int64_t)), slots - 1};
    if (!p.key || !p.count) rc = LFMRT_E_NOMEM;
    size_t added_tokens = 0;
    while (rc == LFMRT_OK && added_tokens < budget) {
        memset(p.key, 0xFF, slots * sizeof(uint64_t));
        for (size_t i = 0; i < nw; i++)
            for (size_t j = 0; j + 1 < w[i].len; j++)
                pairs_add(&p, (uint64_t)(uint32_t)w[i].sym[j] << 32 | (uint32_t)w[i].sym[j + 1], w[i].count);
        uint64_t best = UINT64_MAX; /* most frequent pair seen at least twice; ties: smallest key */
        int64_t best_n = 1;
        for (size_t i = 0; i < slots; i++) {
            if (p.key[i] == UINT64_MAX || p.count[i] < best_n) continue;
            if (p.count[i] > best_n || p.key[i] < best) {
                best = p.key[i];
                best_n = p.count[i];
            }
        }
        if (best_n < 2) best = UINT64_MAX;
        if (best == UINT64_MAX) break;
        int32_t a = (int32_t)(best >> 32), b = (int32_t)(best & 0xFFFFFFFFu), c;
        bool is_new;
        rc = add_merge(g, a, b, &c, &is_new);
        if (rc != LFMRT_OK) break;
        if (is_new) added_tokens++;
        for (size_t i = 0; i < nw; i++) {
            size_t o = 0;
            for (size_t j = 0; j < w[i].len;) {
                if (j + 1 < w[i].len && w[i].sym[j] == a && w[i].sym[j + 1] == b) {
                    w[i].sym[o++] = c;
                    j += 2;
                } else {
                    w[i].sym[o++] = w[i].sym[j++];
                }
            }
            w[i].len = o;
        }
    }
    for (size_t i = 0; i < nw; i++) free(w[i].sym);
    free(w);
    free(p.key);
    free(p.count);
    return rc;
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int fill(gen *g, size_t want, uint64_t seed, lfmrt_err *e) {
    uint64_t s = seed ^ 0x6c666d72745f7663ull; /* "lfmrt_vc" */
    size_t tries = 0, limit = (want - g->n_normal + 1) * 1000;
    while (g->n_normal < want) {
        if (++tries > limit) return lf_err(e, LFMRT_E_INVALID, "genvocab: cannot find new filler merges");
        int32_t a = g->normal[splitmix(&s) % g->n_normal];
        int32_t b = g->normal[splitmix(&s) % g->n_normal];
        size_t na = g->tab.len[a], nb = g->tab.len[b];
        if (na + nb > MAX_FILLER_LEN) continue;
        char buf[MAX_FILLER_LEN];
        memcpy(buf, lf_strtab_str(&g->tab, a, NULL), na);
        memcpy(buf + na, lf_strtab_str(&g->tab, b, NULL), nb);
        if (lf_strtab_find(&g->tab, buf, na + nb) >= 0) continue;
        int32_t c;
        bool is_new;
        int rc = add_merge(g, a, b, &c, &is_new);
        if (rc != LFMRT_OK) return lf_err(e, rc, "genvocab: out of memory");
    }
    return LFMRT_OK;
}

/* ---- public -------------------------------------------------------------------------------------- */

void lf_genvocab_free(lf_genvocab *gv) {
    if (!gv) return;
    for (size_t i = 0; gv->tokens && i < gv->n_tokens; i++) free(gv->tokens[i]);
    for (size_t i = 0; gv->merges && i < gv->n_merges; i++) free(gv->merges[i]);
    free(gv->tokens);
    free(gv->merges);
    free(gv->types);
    memset(gv, 0, sizeof *gv);
}

static bool high_special(size_t n_tokens, size_t id) {
    return n_tokens >= 65536 && id >= HIGH_FIRST && id < HIGH_FIRST + 6;
}

int lf_genvocab_build(size_t n_tokens, uint64_t seed, lf_genvocab *out, lfmrt_err *e) {
    memset(out, 0, sizeof *out);
    if (n_tokens < 1024 || n_tokens > (1u << 24))
        return lf_err(e, LFMRT_E_INVALID, "genvocab: n_tokens %zu outside 1024..16777216", n_tokens);
    size_t reserved_end = n_tokens / 8 < 501 ? n_tokens / 8 : 501;
    size_t n_special = reserved_end + (n_tokens >= 65536 ? 6 : 0);
    size_t n_normal = n_tokens - n_special;
    gen g = {0};
    g.cap_normal = n_normal;
    g.normal = malloc(n_normal * sizeof *g.normal);
    int rc = g.normal ? lf_strtab_init(&g.tab, n_tokens + 64) : LFMRT_E_NOMEM;
    out->tokens = calloc(n_tokens, sizeof *out->tokens);
    out->types = malloc(n_tokens * sizeof *out->types);
    if (!out->tokens || !out->types) rc = LFMRT_E_NOMEM;
    out->n_tokens = n_tokens;

    /* special texts first */
    char name[32];
    for (size_t id = 0; rc == LFMRT_OK && id < n_tokens; id++) {
        const char *t = NULL;
        if (id < 14) t = k_named[id];
        else if (id < reserved_end) {
            snprintf(name, sizeof name, "<|reserved_%zu|>", id - 10);
            t = name;
        } else if (high_special(n_tokens, id)) t = k_high[id - HIGH_FIRST];
        if (!t) continue;
        int32_t k;
        rc = lf_strtab_intern(&g.tab, t, strlen(t), &k, NULL);
        if (rc == LFMRT_OK && !(out->tokens[id] = dup_n(t, strlen(t)))) rc = LFMRT_E_NOMEM;
        out->types[id] = LF_TOKT_CONTROL;
    }
    /* the 256 byte tokens */
    int32_t byte_tok[256];
    for (int b = 0; rc == LFMRT_OK && b < 256; b++) {
        uint8_t u[4];
        size_t nu = lf_utf8_encode(lf_byte_to_cp((uint8_t)b), u);
        rc = lf_strtab_intern(&g.tab, (const char *)u, nu, &byte_tok[b], NULL);
        if (rc == LFMRT_OK) rc = push_normal(&g, byte_tok[b]);
    }
    if (rc == LFMRT_OK) rc = learn(&g, byte_tok, n_normal - 256);
    if (rc != LFMRT_OK) lf_err(e, rc, "genvocab: out of memory");
    if (rc == LFMRT_OK) rc = fill(&g, n_normal, seed, e);
    /* normal tokens take the remaining ids in order */
    size_t k = 0;
    for (size_t id = 0; rc == LFMRT_OK && id < n_tokens; id++) {
        if (out->tokens[id]) continue;
        size_t len;
        const char *t = lf_strtab_str(&g.tab, g.normal[k++], &len);
        if (!(out->tokens[id] = dup_n(t, len))) rc = lf_err(e, LFMRT_E_NOMEM, "genvocab: out of memory");
        out->types[id] = LF_TOKT_NORMAL;
    }
    out->merges = g.merges;
    out->n_merges = g.n_merges;
    g.merges = NULL;
    lf_strtab_deinit(&g.tab);
    free(g.normal);
    out->bos = 1;
    out->eos = 7;
    out->pad = 0;
    if (rc != LFMRT_OK) {
        lf_genvocab_free(out);
        return rc;
    }
    return LFMRT_OK;
}

#define W(call, key)                                                                                          \
    do {                                                                                                      \
        int rc_ = (call);                                                                                     \
        if (rc_ != LFMRT_OK) return lf_err(e, rc_, "genvocab: cannot write %s (%s)", key, lfmrt_status_name(rc_)); \
    } while (0)

int lf_genvocab_write(const lf_genvocab *gv, lf_gguf_writer *w, lfmrt_err *e) {
    W(lf_gguf_writer_set_str(w, "tokenizer.ggml.model", "gpt2"), "tokenizer.ggml.model");
    W(lf_gguf_writer_set_str(w, "tokenizer.ggml.pre", "lfm2"), "tokenizer.ggml.pre");
    W(lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)gv->tokens, NULL, gv->n_tokens),
      "tokenizer.ggml.tokens");
    W(lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", gv->types, gv->n_tokens),
      "tokenizer.ggml.token_type");
    W(lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.merges", (const char *const *)gv->merges, NULL, gv->n_merges),
      "tokenizer.ggml.merges");
    W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)gv->bos), "tokenizer.ggml.bos_token_id");
    W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)gv->eos), "tokenizer.ggml.eos_token_id");
    W(lf_gguf_writer_set_u32(w, "tokenizer.ggml.padding_token_id", (uint32_t)gv->pad),
      "tokenizer.ggml.padding_token_id");
    W(lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", true), "tokenizer.ggml.add_bos_token");
    W(lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", false), "tokenizer.ggml.add_eos_token");
    W(lf_gguf_writer_set_str(w, "tokenizer.chat_template", lf_genvocab_chat_template), "tokenizer.chat_template");
    return LFMRT_OK;
}
