/* tests/tokenizer/hfjson.h - test helper: reads a Hugging Face tokenizer.json (BPE model) into an
 * lf_vocab_spec the way llama.cpp's converter (convert_hf_to_gguf.py, get_vocab_base) lays the GGUF out:
 * ids without a token become "[PAD<id>]" (UNUSED); added tokens that are special or look special
 * ("<|...|>") are CONTROL, other added tokens USER_DEFINED; everything else NORMAL; merges "a b".
 * A small JSON reader (strings with escapes incl. surrogate pairs, numbers, nesting) that skips what it
 * does not need. Header-only, for tests and test tools; not library code. */
#ifndef LF_TEST_HFJSON_H
#define LF_TEST_HFJSON_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

typedef struct hj {
    const char *p, *end;
    bool bad;
} hj;

static void hj_ws(hj *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}
static bool hj_eat(hj *j, char c) {
    hj_ws(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return true;
    }
    return false;
}
static int hj_hex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}
/* Parses a string into out (malloc'd, NUL-terminated, *n bytes). */
static char *hj_str(hj *j, size_t *n) {
    hj_ws(j);
    if (j->p >= j->end || *j->p != '"') { j->bad = true; return NULL; }
    j->p++;
    size_t cap = 32, o = 0;
    char *s = malloc(cap);
    while (j->p < j->end && *j->p != '"') {
        if (o + 8 > cap) s = realloc(s, cap *= 2);
        char c = *j->p++;
        if (c != '\\') { s[o++] = c; continue; }
        if (j->p >= j->end) break;
        c = *j->p++;
        switch (c) {
        case 'n': s[o++] = '\n'; break;
        case 't': s[o++] = '\t'; break;
        case 'r': s[o++] = '\r'; break;
        case 'b': s[o++] = '\b'; break;
        case 'f': s[o++] = '\f'; break;
        case 'u': {
            if (j->end - j->p < 4) { j->bad = true; break; }
            uint32_t cp = (uint32_t)hj_hex4(j->p);
            j->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u') {
                int lo = hj_hex4(j->p + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (uint32_t)(lo - 0xDC00);
                    j->p += 6;
                }
            }
            o += lf_utf8_encode(cp, (uint8_t *)s + o);
            break;
        }
        default: s[o++] = c; break;
        }
    }
    if (j->p < j->end) j->p++; else j->bad = true;
    s[o] = 0;
    *n = o;
    return s;
}
static void hj_skip(hj *j);
static void hj_skip_container(hj *j, char close) {
    if (hj_eat(j, close)) return;
    do {
        if (close == '}') {
            size_t n;
            free(hj_str(j, &n));
            if (!hj_eat(j, ':')) { j->bad = true; return; }
        }
        hj_skip(j);
    } while (!j->bad && hj_eat(j, ','));
    if (!hj_eat(j, close)) j->bad = true;
}
static void hj_skip(hj *j) {
    hj_ws(j);
    if (j->p >= j->end) { j->bad = true; return; }
    char c = *j->p;
    if (c == '"') { size_t n; free(hj_str(j, &n)); return; }
    if (c == '{') { j->p++; hj_skip_container(j, '}'); return; }
    if (c == '[') { j->p++; hj_skip_container(j, ']'); return; }
    while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']' && *j->p != ' ' && *j->p != '\n') j->p++;
}
static long hj_long(hj *j) {
    hj_ws(j);
    char *e;
    long v = strtol(j->p, &e, 10);
    if (e == j->p) j->bad = true;
    j->p = e;
    return v;
}
static bool hj_bool(hj *j) {
    hj_ws(j);
    bool t = j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0;
    hj_skip(j);
    return t;
}

typedef struct hf_entry { char *s; size_t n; long id; int type; } hf_entry;

static bool hf_looks_special(const char *s, size_t n) {
    if (n >= 4 && memcmp(s, "<|", 2) == 0 && memcmp(s + n - 2, "|>", 2) == 0) return true;
    if (n >= 8 && memcmp(s, "<\xef\xbd\x9c", 4) == 0 && memcmp(s + n - 4, "\xef\xbd\x9c>", 4) == 0) return true;
    if (n >= 8 && memcmp(s, "<unused", 7) == 0 && s[n - 1] == '>') return true;
    return (n == 5 && !memcmp(s, "<pad>", 5)) || (n == 6 && !memcmp(s, "<mask>", 6)) ||
           (n == 7 && !memcmp(s, "<2mass>", 7)) || (n == 7 && !memcmp(s, "[@BOS@]", 7));
}

/* Loads path into *spec; the strings live in *keep (free with hf_free). vocab_size 0: max id + 1.
 * Returns 0 or -1 (message on stderr). */
typedef struct hf_keep {
    hf_entry *e;
    size_t n_e;
    lf_str *tokens;
    int32_t *types;
    lf_str *merges;
    char **merge_s;
    size_t n_merges;
    char **pads;
    size_t n_pads;
} hf_keep;

static void hf_free(hf_keep *k) {
    for (size_t i = 0; i < k->n_e; i++) free(k->e[i].s);
    for (size_t i = 0; i < k->n_merges; i++) free(k->merge_s[i]);
    for (size_t i = 0; i < k->n_pads; i++) free(k->pads[i]);
    free(k->e);
    free(k->tokens);
    free(k->types);
    free(k->merges);
    free(k->merge_s);
    free(k->pads);
    memset(k, 0, sizeof *k);
}

static int hf_load(const char *path, size_t vocab_size, lf_vocab_spec *spec, hf_keep *k) {
    memset(k, 0, sizeof *k);
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return -1; }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)sz + 1);
    if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) { fclose(f); free(buf); return -1; }
    fclose(f);
    hj j = {buf, buf + sz, false};
    size_t cap_e = 1 << 18, cap_m = 1 << 18;
    k->e = malloc(cap_e * sizeof *k->e);
    k->merge_s = malloc(cap_m * sizeof *k->merge_s);
    if (!hj_eat(&j, '{')) j.bad = true;
    do {
        size_t n;
        char *key = hj_str(&j, &n);
        if (!key || !hj_eat(&j, ':')) { free(key); j.bad = true; break; }
        if (!strcmp(key, "added_tokens")) {
            if (!hj_eat(&j, '[')) j.bad = true;
            while (!j.bad && !hj_eat(&j, ']')) {
                hf_entry en = {NULL, 0, -1, LF_TOKT_USER_DEFINED};
                bool special = false;
                if (!hj_eat(&j, '{')) { j.bad = true; break; }
                do {
                    char *f2 = hj_str(&j, &n);
                    if (!f2 || !hj_eat(&j, ':')) { free(f2); j.bad = true; break; }
                    if (!strcmp(f2, "id")) en.id = hj_long(&j);
                    else if (!strcmp(f2, "content")) en.s = hj_str(&j, &en.n);
                    else if (!strcmp(f2, "special")) special = hj_bool(&j);
                    else hj_skip(&j);
                    free(f2);
                } while (!j.bad && hj_eat(&j, ','));
                if (!hj_eat(&j, '}')) j.bad = true;
                en.type = special || (en.s && hf_looks_special(en.s, en.n)) ? LF_TOKT_CONTROL : LF_TOKT_USER_DEFINED;
                if (k->n_e == cap_e) k->e = realloc(k->e, (cap_e *= 2) * sizeof *k->e);
                k->e[k->n_e++] = en;
                hj_eat(&j, ',');
            }
        } else if (!strcmp(key, "model")) {
            if (!hj_eat(&j, '{')) j.bad = true;
            do {
                char *f2 = hj_str(&j, &n);
                if (!f2 || !hj_eat(&j, ':')) { free(f2); j.bad = true; break; }
                if (!strcmp(f2, "vocab")) {
                    if (!hj_eat(&j, '{')) j.bad = true;
                    if (!hj_eat(&j, '}')) do {
                        hf_entry en = {NULL, 0, -1, LF_TOKT_NORMAL};
                        en.s = hj_str(&j, &en.n);
                        if (!hj_eat(&j, ':')) j.bad = true;
                        en.id = hj_long(&j);
                        if (k->n_e == cap_e) k->e = realloc(k->e, (cap_e *= 2) * sizeof *k->e);
                        k->e[k->n_e++] = en;
                    } while (!j.bad && hj_eat(&j, ','));
                    if (!j.bad && !hj_eat(&j, '}')) j.bad = true;
                } else if (!strcmp(f2, "merges")) {
                    if (!hj_eat(&j, '[')) j.bad = true;
                    if (!hj_eat(&j, ']')) do {
                        char *m;
                        if (hj_eat(&j, '[')) {
                            size_t na, nb;
                            char *a = hj_str(&j, &na);
                            hj_eat(&j, ',');
                            char *b = hj_str(&j, &nb);
                            if (!hj_eat(&j, ']')) j.bad = true;
                            m = malloc(na + nb + 2);
                            memcpy(m, a, na);
                            m[na] = ' ';
                            memcpy(m + na + 1, b, nb + 1);
                            free(a);
                            free(b);
                        } else {
                            m = hj_str(&j, &n);
                        }
                        if (k->n_merges == cap_m) k->merge_s = realloc(k->merge_s, (cap_m *= 2) * sizeof *k->merge_s);
                        k->merge_s[k->n_merges++] = m;
                    } while (!j.bad && hj_eat(&j, ','));
                    if (!j.bad && !hj_eat(&j, ']')) j.bad = true;
                } else {
                    hj_skip(&j);
                }
                free(f2);
            } while (!j.bad && hj_eat(&j, ','));
            if (!hj_eat(&j, '}')) j.bad = true;
        } else {
            hj_skip(&j);
        }
        free(key);
    } while (!j.bad && hj_eat(&j, ','));
    free(buf);
    if (j.bad) { fprintf(stderr, "%s: JSON not understood\n", path); hf_free(k); return -1; }
    long max_id = -1;
    for (size_t i = 0; i < k->n_e; i++) if (k->e[i].id > max_id) max_id = k->e[i].id;
    size_t n_tok = vocab_size ? vocab_size : (size_t)max_id + 1;
    k->tokens = calloc(n_tok, sizeof *k->tokens);
    k->types = calloc(n_tok, sizeof *k->types);
    k->pads = calloc(n_tok, sizeof *k->pads);
    /* vocab entries first, added tokens override (they come first in the file, so apply them last) */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < k->n_e; i++) {
            bool added = k->e[i].type != LF_TOKT_NORMAL;
            if ((pass == 0) == added || k->e[i].id < 0 || (size_t)k->e[i].id >= n_tok) continue;
            k->tokens[k->e[i].id] = (lf_str){k->e[i].s, k->e[i].n};
            k->types[k->e[i].id] = k->e[i].type;
        }
    for (size_t i = 0; i < n_tok; i++) {
        if (k->tokens[i].p) continue;
        char name[32];
        int n = snprintf(name, sizeof name, "[PAD%zu]", i);
        k->pads[k->n_pads] = malloc((size_t)n + 1);
        memcpy(k->pads[k->n_pads], name, (size_t)n + 1);
        k->tokens[i] = (lf_str){k->pads[k->n_pads++], (uint64_t)n};
        k->types[i] = LF_TOKT_UNUSED;
    }
    k->merges = malloc((k->n_merges ? k->n_merges : 1) * sizeof *k->merges);
    for (size_t i = 0; i < k->n_merges; i++) k->merges[i] = (lf_str){k->merge_s[i], strlen(k->merge_s[i])};
    spec->model = (lf_str){"gpt2", 4};
    spec->n_tokens = n_tok;
    spec->tokens = k->tokens;
    spec->types = k->types;
    spec->n_merges = k->n_merges;
    spec->merges = k->merges;
    return 0;
}

#endif
