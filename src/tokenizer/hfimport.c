/* tokenizer/hfimport.c - Hugging Face tokenizer directory -> vocabulary GGUF keys (see hfimport.h).
 * References (read for facts): llama.cpp conversion/base.py (get_vocab_base, _create_vocab_sentencepiece,
 * does_token_look_special), gguf-py/gguf/vocab.py (SpecialVocab), MODEL-SPEC 2.4 / 3.5. */
#include "tokenizer/hfimport.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define LF_HF_MAX_TOKENS (1u << 22) /* 4M ids: far above any real vocabulary */

typedef struct conv {
    lfmrt_err *e;
    json_t *tok, *cfg, *mcfg; /* tokenizer.json, tokenizer_config.json, config.json (NULL if absent) */
    size_t n;                 /* token count */
    const char **text;        /* [n] token texts (into JSON or owned[]) */
    size_t *len;
    char **owned;             /* [n] malloc'd texts, or NULL */
    int32_t *type;            /* [n] */
    float *score;             /* [n] (SPM layout only) */
    bool spm;
} conv;

static const char k_sp[] = "\xe2\x96\x81"; /* U+2581 */

/* Parses text[0..len) (NULL: absent -> NULL with *rc OK) as a JSON object named `name` in messages. */
static json_t *parse_json(const char *name, const char *text, size_t len, lfmrt_err *e, int *rc) {
    *rc = LFMRT_OK;
    if (!text) return NULL;
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_ALLOW_NUL, &je);
    if (!j) {
        *rc = lf_err(e, LFMRT_E_FORMAT, "hf import: %s: line %d, column %d: %s", name, je.line, je.column, je.text);
    } else if (!json_is_object(j)) {
        *rc = lf_err(e, LFMRT_E_FORMAT, "hf import: %s is not a JSON object", name);
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* "content" of a config entry that is a string or {"content": ...}; NULL otherwise. */
static const char *entry_content(json_t *entry) {
    if (json_is_string(entry)) return json_string_value(entry);
    if (json_is_object(entry)) {
        json_t *c = json_object_get(entry, "content");
        if (json_is_string(c)) return json_string_value(c);
    }
    return NULL;
}

static bool starts(const char *s, size_t n, const char *p) { return n >= strlen(p) && !memcmp(s, p, strlen(p)); }
static bool ends(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    return n >= k && !memcmp(s + n - k, p, k);
}

/* convert_hf_to_gguf's does_token_look_special */
static bool looks_special(const char *s, size_t n) {
    static const char *const exact[] = {"<pad>", "<mask>", "<2mass>", "[@BOS@]"};
    for (size_t i = 0; i < 4; i++)
        if (n == strlen(exact[i]) && !memcmp(s, exact[i], n)) return true;
    if (starts(s, n, "<|") && ends(s, n, "|>") && n >= 4) return true;
    if (starts(s, n, "<\xef\xbd\x9c") && ends(s, n, "\xef\xbd\x9c>") && n >= 8) return true;
    return starts(s, n, "<unused") && ends(s, n, ">");
}

static bool is_byte_token(const char *s, size_t n) {
    if (n != 6 || memcmp(s, "<0x", 3) || s[5] != '>') return false;
    for (int i = 3; i < 5; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) return false;
    return true;
}

/* Replaces U+2581 by ' ' (user-defined tokens are stored pre-normalized, as the converter does). */
static char *unescape_spaces(const char *s, size_t n, size_t *out_n) {
    char *o = malloc(n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n && !memcmp(s + i, k_sp, 3)) {
            o[k++] = ' ';
            i += 2;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = 0;
    *out_n = k;
    return o;
}

static int set_owned(conv *c, size_t id, char *s, size_t n) {
    if (!s) return lf_err(c->e, LFMRT_E_NOMEM, "hf import: out of memory");
    free(c->owned[id]);
    c->owned[id] = s;
    c->text[id] = s;
    c->len[id] = n;
    return LFMRT_OK;
}

/* Token count: every id of the vocabulary and the added tokens, and config.json's vocab_size. */
static int count_tokens(conv *c, json_t *vocab, json_t *added) {
    long long max = -1;
    const char *key;
    json_t *val;
    json_object_foreach(vocab, key, val) {
        if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) >= LF_HF_MAX_TOKENS)
            return lf_err(c->e, LFMRT_E_FORMAT, "hf import: model.vocab['%.40s'] is not an id below 2^24", key);
        if (json_integer_value(val) > max) max = json_integer_value(val);
    }
    size_t i;
    json_array_foreach(added, i, val) {
        json_t *id = json_object_get(val, "id");
        if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) >= LF_HF_MAX_TOKENS ||
            !json_is_string(json_object_get(val, "content")))
            return lf_err(c->e, LFMRT_E_FORMAT, "hf import: added_tokens[%zu] lacks a valid id or content", i);
        if (json_integer_value(id) > max) max = json_integer_value(id);
    }
    if (max < 0) return lf_err(c->e, LFMRT_E_FORMAT, "hf import: model.vocab is empty");
    c->n = (size_t)max + 1;
    json_t *vs = c->mcfg ? json_object_get(c->mcfg, "vocab_size") : NULL;
    if (!vs && c->mcfg && json_is_object(json_object_get(c->mcfg, "text_config")))
        vs = json_object_get(json_object_get(c->mcfg, "text_config"), "vocab_size");
    if (json_is_integer(vs) && json_integer_value(vs) > (long long)c->n && json_integer_value(vs) < LF_HF_MAX_TOKENS)
        c->n = (size_t)json_integer_value(vs);
    return LFMRT_OK;
}

static int fill_tokens(conv *c, json_t *model, json_t *vocab, json_t *added) {
    size_t n = c->n;
    c->text = calloc(n, sizeof *c->text);
    c->len = calloc(n, sizeof *c->len);
    c->owned = calloc(n, sizeof *c->owned);
    c->type = calloc(n, sizeof *c->type);
    if (c->spm) c->score = calloc(n, sizeof *c->score);
    if (!c->text || !c->len || !c->owned || !c->type || (c->spm && !c->score))
        return lf_err(c->e, LFMRT_E_NOMEM, "hf import: out of memory for %zu tokens", n);
    /* type 0 marks an id no token has claimed yet; those become [PAD<id>] at the end */
    const char *unk = entry_content(json_object_get(model, "unk_token"));
    const char *key;
    json_t *val;
    json_object_foreach(vocab, key, val) {
        size_t id = (size_t)json_integer_value(val);
        free(c->owned[id]);
        c->owned[id] = NULL;
        c->text[id] = key;
        c->len[id] = strlen(key);
        c->type[id] = 1; /* NORMAL */
        if (c->spm && is_byte_token(key, c->len[id])) c->type[id] = 6;
        if (c->spm && unk && !strcmp(unk, key)) c->type[id] = 2;
    }
    size_t i;
    json_array_foreach(added, i, val) {
        size_t id = (size_t)json_integer_value(json_object_get(val, "id"));
        json_t *content = json_object_get(val, "content");
        const char *s = json_string_value(content);
        size_t sl = json_string_length(content);
        if (json_is_true(json_object_get(val, "special")) || looks_special(s, sl)) {
            free(c->owned[id]);
            c->owned[id] = NULL;
            c->text[id] = s;
            c->len[id] = sl;
            c->type[id] = 3; /* CONTROL */
        } else {
            size_t on = 0;
            char *o = unescape_spaces(s, sl, &on);
            int rc = set_owned(c, id, o, on);
            if (rc) return rc;
            c->type[id] = 4; /* USER_DEFINED */
        }
        if (c->spm) c->score[id] = -1000.0f;
    }
    for (size_t id = 0; id < n; id++) {
        if (c->type[id] != 0) continue;
        char buf[32];
        int k = snprintf(buf, sizeof buf, "[PAD%zu]", id);
        int rc = set_owned(c, id, strdup(buf), (size_t)k);
        if (rc) return rc;
        c->type[id] = 5; /* UNUSED */
        if (c->spm) c->score[id] = -10000.0f;
    }
    return LFMRT_OK;
}

/* Merge i as "left right" (text) with its parts; returns false for a malformed entry. */
static bool merge_parts(json_t *m, const char **a, size_t *na, const char **b, size_t *nb) {
    if (json_is_array(m) && json_array_size(m) == 2 && json_is_string(json_array_get(m, 0)) &&
        json_is_string(json_array_get(m, 1))) {
        *a = json_string_value(json_array_get(m, 0));
        *na = json_string_length(json_array_get(m, 0));
        *b = json_string_value(json_array_get(m, 1));
        *nb = json_string_length(json_array_get(m, 1));
        return true;
    }
    if (!json_is_string(m)) return false;
    const char *s = json_string_value(m);
    size_t n = json_string_length(m);
    const char *sp = n > 1 ? memchr(s + 1, ' ', n - 1) : NULL;
    if (!sp) return false;
    *a = s;
    *na = (size_t)(sp - s);
    *b = sp + 1;
    *nb = n - *na - 1;
    return true;
}

/* SPM layout: score(t) = -(rank of the first merge producing t) - 1; merge results found by text. */
static int spm_scores(conv *c, json_t *vocab, json_t *merges) {
    size_t nm = json_array_size(merges);
    float floor_score = -(float)nm - 2.0f;
    for (size_t id = 0; id < c->n; id++)
        if (c->type[id] == 1) c->score[id] = floor_score;
    char *buf = NULL;
    size_t cap = 0;
    for (size_t r = 0; r < nm; r++) {
        const char *a, *b;
        size_t na, nb;
        if (!merge_parts(json_array_get(merges, r), &a, &na, &b, &nb)) {
            free(buf);
            return lf_err(c->e, LFMRT_E_FORMAT, "hf import: model.merges[%zu] is not a pair", r);
        }
        if (na + nb + 1 > cap) {
            cap = (na + nb + 1) * 2;
            char *q = realloc(buf, cap);
            if (!q) {
                free(buf);
                return lf_err(c->e, LFMRT_E_NOMEM, "hf import: out of memory");
            }
            buf = q;
        }
        memcpy(buf, a, na);
        memcpy(buf + na, b, nb);
        buf[na + nb] = 0;
        json_t *id = json_object_get(vocab, buf);
        if (!json_is_integer(id)) continue;
        size_t t = (size_t)json_integer_value(id);
        if (c->type[t] == 1 && c->score[t] == floor_score) c->score[t] = -(float)r - 1.0f;
    }
    free(buf);
    return LFMRT_OK;
}

/* Byte-level layout: merges as "a b" with ' ' inside a part written U+0120 (gguf-py). */
static int write_merges(conv *c, json_t *merges, lf_gguf_writer *w) {
    size_t nm = json_array_size(merges);
    size_t total = 0;
    for (size_t r = 0; r < nm; r++) {
        const char *a, *b;
        size_t na, nb;
        if (!merge_parts(json_array_get(merges, r), &a, &na, &b, &nb))
            return lf_err(c->e, LFMRT_E_FORMAT, "hf import: model.merges[%zu] is not a pair", r);
        total += 2 * (na + nb) + 1;
    }
    char *pool = malloc(total ? total : 1);
    const char **strs = malloc((nm ? nm : 1) * sizeof *strs);
    size_t *lens = malloc((nm ? nm : 1) * sizeof *lens);
    if (!pool || !strs || !lens) {
        free(pool);
        free(strs);
        free(lens);
        return lf_err(c->e, LFMRT_E_NOMEM, "hf import: out of memory for %zu merges", nm);
    }
    size_t o = 0;
    for (size_t r = 0; r < nm; r++) {
        const char *a, *b;
        size_t na, nb;
        json_t *m = json_array_get(merges, r);
        merge_parts(m, &a, &na, &b, &nb);
        strs[r] = pool + o;
        bool arr = json_is_array(m);
        for (int part = 0; part < 2; part++) {
            const char *p = part ? b : a;
            size_t pn = part ? nb : na;
            for (size_t k = 0; k < pn; k++) {
                if (arr && p[k] == ' ') {
                    pool[o++] = (char)0xC4;
                    pool[o++] = (char)0xA0;
                } else {
                    pool[o++] = p[k];
                }
            }
            if (!part) pool[o++] = ' ';
        }
        lens[r] = (size_t)(pool + o - strs[r]);
    }
    int rc = lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.merges", strs, lens, nm);
    free(pool);
    free(strs);
    free(lens);
    return rc ? lf_err(c->e, rc, "hf import: cannot store %zu merges", nm) : LFMRT_OK;
}

/* tokenizer.ggml.pre from the byte-level pre-tokenizer (the regexes llama.cpp's converter hashes to). */
static const char *detect_pre(json_t *pt) {
    static const char *const k_qwen2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
                                       "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static const char *const k_llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
                                        "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    if (!json_is_object(pt)) return NULL;
    const char *type = json_string_value(json_object_get(pt, "type"));
    if (!type) return NULL;
    if (!strcmp(type, "Sequence")) {
        json_t *list = json_object_get(pt, "pretokenizers"), *x;
        size_t i;
        const char *found = NULL;
        json_array_foreach(list, i, x) {
            const char *p = detect_pre(x);
            if (p && (!found || !strcmp(found, "gpt-2"))) found = p;
        }
        return found;
    }
    if (!strcmp(type, "Split")) {
        const char *re = json_string_value(json_object_get(json_object_get(pt, "pattern"), "Regex"));
        if (re && !strcmp(re, k_qwen2)) return "qwen2";
        if (re && !strcmp(re, k_llama3)) return "llama-bpe";
        return NULL;
    }
    if (!strcmp(type, "ByteLevel") && json_is_true(json_object_get(pt, "use_regex"))) return "gpt-2";
    return NULL;
}

/* The first added token whose content is s (SpecialVocab's lookup); -1 if none. */
static long long added_id(json_t *added, const char *s) {
    size_t i;
    json_t *x;
    if (!s) return -1;
    json_array_foreach(added, i, x) {
        const char *cs = json_string_value(json_object_get(x, "content"));
        if (cs && !strcmp(cs, s)) return json_integer_value(json_object_get(x, "id"));
    }
    return -1;
}

static int write_specials(conv *c, json_t *added, lf_gguf_writer *w) {
    static const char *const typ[] = {"bos", "eos", "unk", "sep", "pad", "mask"};
    long long ids[6];
    for (int t = 0; t < 6; t++) {
        char k[32];
        snprintf(k, sizeof k, "%s_token", typ[t]);
        ids[t] = c->cfg ? added_id(added, entry_content(json_object_get(c->cfg, k))) : -1;
        snprintf(k, sizeof k, "%s_token_id", typ[t]);
        json_t *cid = c->mcfg ? json_object_get(c->mcfg, k) : NULL;
        if (ids[t] < 0 && json_is_integer(cid) && json_integer_value(cid) >= 0) ids[t] = json_integer_value(cid);
        if (ids[t] >= (long long)c->n) ids[t] = -1;
    }
    long long eot = -1;
    long long eos_tok = added_id(added, "<eos>");
    if (ids[1] >= 0 && eos_tok >= 0 && ids[1] != eos_tok && c->len[ids[1]] == 13 &&
        !memcmp(c->text[ids[1]], "<end_of_turn>", 13)) {
        eot = ids[1];
        ids[1] = eos_tok;
    }
    int rc = LFMRT_OK;
    for (int t = 0; t < 6 && rc == LFMRT_OK; t++) {
        if (ids[t] < 0) continue;
        static const char *const key[] = {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                                          "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.seperator_token_id",
                                          "tokenizer.ggml.padding_token_id", "tokenizer.ggml.mask_token_id"};
        rc = lf_gguf_writer_set_u32(w, key[t], (uint32_t)ids[t]);
    }
    if (rc == LFMRT_OK && eot >= 0) rc = lf_gguf_writer_set_u32(w, "tokenizer.ggml.eot_token_id", (uint32_t)eot);
    /* add_bos / add_eos: the config's flags, else what the TemplateProcessing post-processor adds */
    int add_bos = -1, add_eos = -1;
    if (c->cfg && json_is_boolean(json_object_get(c->cfg, "add_bos_token")))
        add_bos = json_is_true(json_object_get(c->cfg, "add_bos_token"));
    if (c->cfg && json_is_boolean(json_object_get(c->cfg, "add_eos_token")))
        add_eos = json_is_true(json_object_get(c->cfg, "add_eos_token"));
    json_t *pp = json_object_get(c->tok, "post_processor");
    const char *ppt = json_string_value(json_object_get(pp, "type"));
    if (ppt && !strcmp(ppt, "TemplateProcessing")) {
        json_t *single = json_object_get(pp, "single");
        size_t ns = json_array_size(single);
        if (ns > 1) {
            const char *first = json_string_value(json_object_get(json_object_get(json_array_get(single, 0), "SpecialToken"), "id"));
            const char *last = json_string_value(json_object_get(json_object_get(json_array_get(single, ns - 1), "SpecialToken"), "id"));
            if (add_bos < 0 && first) add_bos = ids[0] >= 0 && added_id(added, first) == ids[0];
            if (add_eos < 0 && last) add_eos = ids[1] >= 0 && added_id(added, last) == ids[1];
        }
    }
    if (rc == LFMRT_OK && add_bos >= 0) rc = lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", add_bos);
    if (rc == LFMRT_OK && add_eos >= 0) rc = lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", add_eos);
    return rc ? lf_err(c->e, rc, "hf import: cannot store the special token ids") : LFMRT_OK;
}

/* add_space_prefix: true when a normalizer prepends U+2581 (Llama 2 HF) or a Metaspace pre-tokenizer adds
 * it (prepend_scheme "first"/"always", or the older add_prefix_space true), else false (Gemma). x is a
 * normalizer or a pre-tokenizer (both nest in "Sequence"). */
static bool prepends_space(json_t *x) {
    const char *t = json_string_value(json_object_get(x, "type"));
    if (!t) return false;
    if (!strcmp(t, "Prepend")) return true;
    if (!strcmp(t, "Metaspace")) {
        const char *scheme = json_string_value(json_object_get(x, "prepend_scheme"));
        if (scheme) return strcmp(scheme, "never") != 0;
        return json_is_true(json_object_get(x, "add_prefix_space"));
    }
    if (!strcmp(t, "Sequence")) {
        size_t i;
        json_t *y;
        json_t *list = json_object_get(x, "normalizers");
        if (!list) list = json_object_get(x, "pretokenizers");
        json_array_foreach(list, i, y) if (prepends_space(y)) return true;
    }
    return false;
}

/* The Unicode normalization form a normalizer applies (directly or inside a "Sequence"): "NFC", "NFD",
 * "NFKC", "NFKD", or NULL for none (other normalizers, e.g. Gemma's Replace ' ' -> U+2581, are not forms). */
static const char *unicode_form(json_t *x) {
    const char *t = json_string_value(json_object_get(x, "type"));
    if (!t) return NULL;
    if (!strcmp(t, "NFC") || !strcmp(t, "NFD") || !strcmp(t, "NFKC") || !strcmp(t, "NFKD")) return t;
    if (!strcmp(t, "Sequence")) {
        size_t i;
        json_t *y;
        json_array_foreach(json_object_get(x, "normalizers"), i, y) {
            const char *f = unicode_form(y);
            if (f) return f;
        }
    }
    return NULL;
}

static void guess_arch(conv *c, const char *tmpl, char *out, size_t cap) {
    const char *mt = c->mcfg ? json_string_value(json_object_get(c->mcfg, "model_type")) : NULL;
    const char *cls = c->cfg ? json_string_value(json_object_get(c->cfg, "tokenizer_class")) : NULL;
    const char *a = "llama";
    if (mt) a = mt;
    else if (cls && !strncmp(cls, "Qwen2Tokenizer", 14)) a = tmpl && strstr(tmpl, "<think>") ? "qwen3" : "qwen2";
    else if (cls && !strncmp(cls, "GemmaTokenizer", 14)) a = "gemma3";
    else if (tmpl && strstr(tmpl, "<|im_start|>") && strstr(tmpl, "<think>")) a = "qwen3";
    else if (tmpl && strstr(tmpl, "<start_of_turn>")) a = "gemma3";
    snprintf(out, cap, "%s", a);
    size_t n = strlen(out);
    if (n > 5 && !strcmp(out + n - 5, "_text")) out[n - 5] = 0; /* gemma3_text -> gemma3 */
}

static int convert(conv *c, const lf_hf_files *f, const lf_hf_opts *opts, lf_gguf_writer *w, lf_hf_info *info) {
    json_t *model = json_object_get(c->tok, "model");
    const char *mtype = json_string_value(json_object_get(model, "type"));
    if (!mtype || strcmp(mtype, "BPE"))
        return lf_err(c->e, LFMRT_E_UNSUPPORTED, "hf import: tokenizer.json model type '%s' is not supported (BPE only)",
                      mtype ? mtype : "?");
    json_t *vocab = json_object_get(model, "vocab"), *merges = json_object_get(model, "merges");
    json_t *added = json_object_get(c->tok, "added_tokens");
    if (!json_is_object(vocab) || !json_is_array(merges))
        return lf_err(c->e, LFMRT_E_FORMAT, "hf import: tokenizer.json lacks model.vocab or model.merges");
    if (!added) added = json_array();
    else json_incref(added);
    c->spm = json_is_true(json_object_get(model, "byte_fallback"));
    int rc = count_tokens(c, vocab, added);
    if (rc == LFMRT_OK) rc = fill_tokens(c, model, vocab, added);
    if (rc == LFMRT_OK && c->spm) rc = spm_scores(c, vocab, merges);
    const char *pre = "default";
    if (rc == LFMRT_OK && !c->spm) {
        pre = opts && opts->pre ? opts->pre : detect_pre(json_object_get(c->tok, "pre_tokenizer"));
        if (!pre) rc = lf_err(c->e, LFMRT_E_UNSUPPORTED,
                              "hf import: the pre-tokenizer of tokenizer.json is not one llama.cpp names "
                              "(qwen2, llama-bpe, gpt-2); give it explicitly");
    }
    /* HF's NFC normalizer is recorded in an lfmrt key (llama.cpp ignores it and does not normalize); other
     * Unicode forms are refused rather than silently tokenizing differently from Hugging Face */
    const char *form = unicode_form(json_object_get(c->tok, "normalizer"));
    if (rc == LFMRT_OK && form && strcmp(form, "NFC"))
        rc = lf_err(c->e, LFMRT_E_UNSUPPORTED, "hf import: tokenizer.json normalizer %s is not supported (only NFC)",
                    form);
    int wr = LFMRT_OK;
    if (rc == LFMRT_OK) {
        wr = lf_gguf_writer_set_str(w, "tokenizer.ggml.model", c->spm ? "llama" : "gpt2");
        if (!wr) wr = lf_gguf_writer_set_str(w, "tokenizer.ggml.pre", pre);
        if (!wr) wr = lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", c->text, c->len, c->n);
        if (!wr && c->spm) wr = lf_gguf_writer_set_arr_f32(w, "tokenizer.ggml.scores", c->score, c->n);
        if (!wr) wr = lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", c->type, c->n);
        if (!wr && form) wr = lf_gguf_writer_set_str(w, "tokenizer.lfmrt.normalizer", form);
        if (!wr && c->spm)
            wr = lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_space_prefix",
                                         prepends_space(json_object_get(c->tok, "normalizer")) ||
                                             prepends_space(json_object_get(c->tok, "pre_tokenizer")));
        if (wr) rc = lf_err(c->e, wr, "hf import: cannot store the token list (%zu tokens)", c->n);
    }
    if (rc == LFMRT_OK && !c->spm) rc = write_merges(c, merges, w);
    if (rc == LFMRT_OK) rc = write_specials(c, added, w);
    /* chat template: tokenizer_config.json's, else chat_template.jinja */
    const char *tmpl = NULL;
    char *tmpl_owned = NULL;
    if (rc == LFMRT_OK) {
        json_t *ct = c->cfg ? json_object_get(c->cfg, "chat_template") : NULL;
        if (json_is_string(ct)) tmpl = json_string_value(ct);
        else if (json_is_array(ct)) { /* [{"name": "default", "template": ...}, ...] */
            size_t i;
            json_t *x;
            json_array_foreach(ct, i, x) {
                const char *nm = json_string_value(json_object_get(x, "name"));
                if (nm && !strcmp(nm, "default")) tmpl = json_string_value(json_object_get(x, "template"));
            }
        }
        if (!tmpl && f->chat_template) { /* chat_template.jinja */
            tmpl = tmpl_owned = malloc(f->chat_template_len + 1);
            if (!tmpl_owned) rc = lf_err(c->e, LFMRT_E_NOMEM, "hf import: out of memory");
            else {
                memcpy(tmpl_owned, f->chat_template, f->chat_template_len);
                tmpl_owned[f->chat_template_len] = 0;
            }
        }
        if (tmpl && lf_gguf_writer_set_str(w, "tokenizer.chat_template", tmpl))
            rc = lf_err(c->e, LFMRT_E_NOMEM, "hf import: cannot store the chat template");
    }
    if (rc == LFMRT_OK && info) {
        memset(info, 0, sizeof *info);
        snprintf(info->model, sizeof info->model, "%s", c->spm ? "llama" : "gpt2");
        snprintf(info->pre, sizeof info->pre, "%s", pre);
        guess_arch(c, tmpl, info->arch, sizeof info->arch);
        info->n_tokens = c->n;
        info->n_merges = json_array_size(merges);
        info->n_added = json_array_size(added);
        info->has_chat_template = tmpl != NULL;
    }
    free(tmpl_owned);
    json_decref(added);
    return rc;
}

int lf_hf_import_parse(const lf_hf_files *f, const lf_hf_opts *opts, lf_gguf_writer *w, lf_hf_info *info,
                       lfmrt_err *e) {
    if (!f || !f->tokenizer_json || !w) return lf_err(e, LFMRT_E_INVALID, "hf import: bad arguments");
    conv c = {.e = e};
    int rc;
    c.tok = parse_json("tokenizer.json", f->tokenizer_json, f->tokenizer_json_len, e, &rc);
    if (rc == LFMRT_OK) c.cfg = parse_json("tokenizer_config.json", f->tokenizer_config, f->tokenizer_config_len, e, &rc);
    if (rc == LFMRT_OK) c.mcfg = parse_json("config.json", f->config, f->config_len, e, &rc);
    if (rc == LFMRT_OK) rc = convert(&c, f, opts, w, info);
    if (c.owned)
        for (size_t i = 0; i < c.n; i++) free(c.owned[i]);
    free(c.owned);
    free(c.text);
    free(c.len);
    free(c.type);
    free(c.score);
    json_decref(c.tok);
    json_decref(c.cfg);
    json_decref(c.mcfg);
    return rc;
}

/* Reads dir/name whole into *out (malloc'd; NULL and LFMRT_OK when absent and not required). */
static int read_file(const char *dir, const char *name, bool required, char **out, size_t *len, lfmrt_err *e) {
    char path[4096];
    *out = NULL;
    *len = 0;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return lf_err(e, LFMRT_E_INVALID, "hf import: directory path too long");
    FILE *fp = fopen(path, "rb");
    if (!fp) return required ? lf_err(e, LFMRT_E_IO, "hf import: cannot open %s", path) : LFMRT_OK;
    char *s = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            char *q = realloc(s, cap);
            if (!q) {
                free(s);
                fclose(fp);
                return lf_err(e, LFMRT_E_NOMEM, "hf import: out of memory reading %s", path);
            }
            s = q;
        }
        size_t k = fread(s + n, 1, cap - n, fp);
        n += k;
        if (k == 0) break;
    }
    bool bad = ferror(fp) != 0;
    fclose(fp);
    if (bad) {
        free(s);
        return lf_err(e, LFMRT_E_IO, "hf import: cannot read %s", path);
    }
    *out = s;
    *len = n;
    return LFMRT_OK;
}

int lf_hf_import(const char *dir, const lf_hf_opts *opts, lf_gguf_writer *w, lf_hf_info *info, lfmrt_err *e) {
    if (!dir || !w) return lf_err(e, LFMRT_E_INVALID, "hf import: bad arguments");
    static const char *const names[4] = {"tokenizer.json", "tokenizer_config.json", "config.json",
                                         "chat_template.jinja"};
    char *buf[4] = {NULL, NULL, NULL, NULL};
    size_t len[4] = {0, 0, 0, 0};
    int rc = LFMRT_OK;
    for (int i = 0; i < 4 && rc == LFMRT_OK; i++) rc = read_file(dir, names[i], i == 0, &buf[i], &len[i], e);
    if (rc == LFMRT_OK) {
        lf_hf_files f = {buf[0], len[0], buf[1], len[1], buf[2], len[2], buf[3], len[3]};
        rc = lf_hf_import_parse(&f, opts, w, info, e);
    }
    for (int i = 0; i < 4; i++) free(buf[i]);
    return rc;
}
