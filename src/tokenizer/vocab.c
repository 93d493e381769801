/* tokenizer/vocab.c - builds a BPE or SentencePiece vocabulary from GGUF tokenizer keys the way llama.cpp's
 * llama_vocab::load does: pre-tokenizer choice and its defaults, special ids with their defaults and
 * range checks, the text-based auto-detection of EOT/EOM/FIM tokens, the end-of-generation set, the
 * attribute overrides that come with them, the special-token cache, merge ranks and the piece cache.
 *
 * Deliberate difference: llama.cpp walks an unordered_map for the auto-detection, so when several
 * candidate texts exist (e.g. both <|im_end|> and <|endoftext|> for EOT) its pick depends on hashing;
 * here the lowest id wins. EOG membership does not depend on that pick.
 * Reference: llama.cpp src/llama-vocab.cpp (llama_vocab::impl::load), MODEL-SPEC 1.7 / 2.4 / 4.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

/* ---- pre-tokenizer names (llama.cpp's table, restricted to the splitters implemented) ------------ */

typedef struct pre_def {
    const char *name;
    lf_pretok_kind kind;
    bool ignore_merges;
    bool add_bos;
} pre_def;

static const pre_def k_pre[] = {
    {"default", LF_PRETOK_DEFAULT, false, false},
    {"llama3", LF_PRETOK_LLAMA3, true, true},
    {"llama-v3", LF_PRETOK_LLAMA3, true, true},
    {"llama-bpe", LF_PRETOK_LLAMA3, true, true},
    {"falcon3", LF_PRETOK_LLAMA3, true, true},
    {"falcon-h1", LF_PRETOK_LLAMA3, true, true},
    {"pixtral", LF_PRETOK_LLAMA3, true, true},
    {"midm-2.0", LF_PRETOK_LLAMA3, true, true},
    {"lfm2", LF_PRETOK_LLAMA3, true, true},
    {"dbrx", LF_PRETOK_LLAMA3, false, false},
    {"smaug-bpe", LF_PRETOK_LLAMA3, false, false},
    {"gpt-2", LF_PRETOK_GPT2, false, false},
    {"phi-2", LF_PRETOK_GPT2, false, false},
    {"gigachat", LF_PRETOK_GPT2, false, false},
    {"a.x-4.0", LF_PRETOK_GPT2, false, false},
    {"mellum", LF_PRETOK_GPT2, false, false},
    {"exaone4", LF_PRETOK_GPT2, false, false},
    {"mpt", LF_PRETOK_GPT2, false, false},
    {"olmo", LF_PRETOK_GPT2, false, false},
    {"jais", LF_PRETOK_GPT2, false, false},
    {"trillion", LF_PRETOK_GPT2, false, false},
    {"granite-docling", LF_PRETOK_GPT2, false, false},
    {"qwen2", LF_PRETOK_QWEN2, false, false},
    {"deepseek-r1-qwen", LF_PRETOK_QWEN2, false, false},
    {"kormo", LF_PRETOK_QWEN2, false, false},
    {"f2llmv2", LF_PRETOK_QWEN2, false, false},
    {"megrez", LF_PRETOK_QWEN2, false, false},
    {"stablelm2", LF_PRETOK_QWEN2, false, false},
    {"hunyuan", LF_PRETOK_QWEN2, false, false},
    {"solar-open", LF_PRETOK_QWEN2, false, false},
};

static bool str_is(lf_str s, const char *c) { return s.p && strlen(c) == s.n && memcmp(s.p, c, s.n) == 0; }

/* ---- token texts llama.cpp recognises ---------------------------------------------------------- */

static const char *const k_eot_texts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
    "_<EOT>", "[EOT]", "<\xef\xbd\x9c" "end\xe2\x96\x81of\xe2\x96\x81sentence\xef\xbd\x9c>", "<end_of_utterance>", NULL};
static const char *const k_eom_texts[] = {"<|eom_id|>", NULL};
static const char *const k_fim_pre_texts[] = {
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xef\xbd\x9c" "fim\xe2\x96\x81" "begin\xef\xbd\x9c>", "<PRE>",
    "\xe2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>", NULL};
static const char *const k_fim_suf_texts[] = {
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xef\xbd\x9c" "fim\xe2\x96\x81hole\xef\xbd\x9c>", "<SUF>",
    "\xe2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>", NULL};
static const char *const k_fim_mid_texts[] = {
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xef\xbd\x9c" "fim\xe2\x96\x81" "end\xef\xbd\x9c>", "<MID>",
    "\xe2\x96\x81<MID>", "<|code_middle|>", "<|middle|>", NULL};
static const char *const k_fim_pad_texts[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", NULL};
static const char *const k_fim_rep_texts[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
                                              "<reponame>", NULL};
static const char *const k_fim_sep_texts[] = {"<|file_sep|>", NULL};
static const char *const k_eog_texts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xef\xbd\x9c" "end\xe2\x96\x81of\xe2\x96\x81sentence\xef\xbd\x9c>", "[e~[", NULL};
static const char *const k_force_user_texts[] = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>", NULL};

static int32_t find_c(const lf_vocab *v, const char *c) { return lf_strtab_find(&v->tok, c, strlen(c)); }

/* ---- public accessors ---------------------------------------------------------------------------- */

int32_t lf_vocab_n_tokens(const lf_vocab *v) { return v->n_tokens; }
int32_t lf_vocab_bos(const lf_vocab *v) { return v->ids[LF_SP_BOS]; }
int32_t lf_vocab_eos(const lf_vocab *v) { return v->ids[LF_SP_EOS]; }
bool lf_vocab_add_bos(const lf_vocab *v) { return v->add_bos; }
bool lf_vocab_is_eog(const lf_vocab *v, int32_t id) { return id >= 0 && id < v->n_tokens && v->eog[id]; }
int lf_vocab_token_type(const lf_vocab *v, int32_t id) {
    return id >= 0 && id < v->n_tokens ? v->type[id] : -1;
}
const char *lf_vocab_token_text(const lf_vocab *v, int32_t id, size_t *len) {
    if (id < 0 || id >= v->n_tokens) return NULL;
    return lf_strtab_str(&v->tok, id, len);
}
int32_t lf_vocab_find(const lf_vocab *v, const char *text, size_t len) { return lf_strtab_find(&v->tok, text, len); }

void lf_vocab_destroy(lf_vocab *v) {
    if (!v) return;
    lf_strtab_deinit(&v->tok);
    lf_strtab_deinit(&v->special_tab);
    lf_strtab_deinit(&v->sym);
    lf_pairmap_deinit(&v->ranks);
    free(v->type);
    free(v->attr);
    free(v->eog);
    free(v->special);
    free(v->special_lens);
    free(v->sym_tok);
    free(v->piece);
    free(v->piece_off);
    free(v->score);
    free(v);
}

void lf_vocab_spec_init(lf_vocab_spec *s) {
    memset(s, 0, sizeof *s);
    for (int i = 0; i < LF_SP_COUNT; i++) s->ids[i] = LF_VOCAB_KEY_ABSENT;
    s->add_bos = s->add_eos = -1;
    s->add_space_prefix = -1;
}

bool lf_vocab_is_spm(const lf_vocab *v) { return v->spm; }
bool lf_vocab_add_space_prefix(const lf_vocab *v) { return v->add_space_prefix; }

/* ---- building ------------------------------------------------------------------------------------ */

static uint8_t attr_of_type(int32_t t) {
    switch (t) {
    case LF_TOKT_NORMAL: return LF_ATTR_NORMAL;
    case LF_TOKT_UNKNOWN: return LF_ATTR_UNKNOWN;
    case LF_TOKT_CONTROL: return LF_ATTR_CONTROL;
    case LF_TOKT_USER_DEFINED: return LF_ATTR_USER_DEFINED;
    case LF_TOKT_UNUSED: return LF_ATTR_UNUSED;
    case LF_TOKT_BYTE: return LF_ATTR_BYTE;
    default: return LF_ATTR_UNDEFINED;
    }
}

static int load_tokens(lf_vocab *v, const lf_vocab_spec *s, lfmrt_err *e) {
    int32_t n = v->n_tokens;
    v->type = malloc((size_t)n);
    v->attr = malloc((size_t)n);
    v->eog = calloc((size_t)n, 1);
    if (!v->type || !v->attr || !v->eog || lf_strtab_init(&v->tok, (size_t)n) != LFMRT_OK)
        return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory for %d tokens", n);
    for (int32_t i = 0; i < n; i++) {
        char empty[32];
        const char *p = s->tokens[i].p;
        size_t len = (size_t)s->tokens[i].n;
        if (len == 0) { /* llama.cpp renames empty tokens */
            len = (size_t)snprintf(empty, sizeof empty, "[EMPTY_%d]", i);
            p = empty;
        }
        int32_t id;
        bool added;
        int rc = lf_strtab_intern(&v->tok, p, len, &id, &added);
        if (rc != LFMRT_OK) return lf_err(e, rc, "vocab: cannot store token %d", i);
        if (!added)
            return lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.tokens: token %d repeats the text of token %d", i, id);
        int32_t t = s->types ? s->types[i] : LF_TOKT_NORMAL;
        v->type[i] = (int8_t)(t >= -128 && t <= 127 ? t : 0);
        v->attr[i] = s->types ? attr_of_type(t) : LF_ATTR_NORMAL;
    }
    return LFMRT_OK;
}

static void set_special_ids(lf_vocab *v, const lf_vocab_spec *s) {
    for (int i = 0; i < LF_SP_COUNT; i++) v->ids[i] = -1;
    if (v->spm) { /* llama.cpp's defaults for llama (SPM) vocabularies */
        v->ids[LF_SP_BOS] = 1;
        v->ids[LF_SP_EOS] = 2;
        v->ids[LF_SP_UNK] = 0;
    } else { /* ... and for gpt2-type vocabularies */
        v->ids[LF_SP_BOS] = 11;
        v->ids[LF_SP_EOS] = 11;
    }
    for (int i = 0; i < LF_SP_COUNT; i++) {
        if (v->ids[i] >= v->n_tokens) v->ids[i] = -1;
        int64_t k = s->ids[i];
        if (k != LF_VOCAB_KEY_ABSENT && k >= 0 && k < v->n_tokens) v->ids[i] = (int32_t)k;
        /* out-of-range key values keep the default, as llama.cpp does */
    }
}

static void mark_control(lf_vocab *v, int32_t id) { v->attr[id] |= LF_ATTR_CONTROL; }

static void autodetect(lf_vocab *v) {
    static const struct { int sp; const char *const *texts; } k[] = {
        {LF_SP_EOT, k_eot_texts},         {LF_SP_EOM, k_eom_texts},         {LF_SP_FIM_PRE, k_fim_pre_texts},
        {LF_SP_FIM_SUF, k_fim_suf_texts}, {LF_SP_FIM_MID, k_fim_mid_texts}, {LF_SP_FIM_PAD, k_fim_pad_texts},
        {LF_SP_FIM_REP, k_fim_rep_texts}, {LF_SP_FIM_SEP, k_fim_sep_texts},
    };
    /* llama.cpp scans the tokens in id order and takes the first whose text is in the list: the lowest id
     * among the list's texts (token texts are unique, so each text names at most one id) */
    for (size_t j = 0; j < sizeof k / sizeof k[0]; j++) {
        if (v->ids[k[j].sp] != -1) continue;
        int32_t best = -1;
        for (const char *const *t = k[j].texts; *t; t++) {
            const int32_t id = find_c(v, *t);
            if (id >= 0 && (best < 0 || id < best)) best = id;
        }
        if (best >= 0) {
            v->ids[k[j].sp] = best;
            mark_control(v, best);
        }
    }
    /* control tokens named "unused..." are unused */
    for (int32_t id = 0; id < v->n_tokens; id++) {
        if (!(v->attr[id] & LF_ATTR_CONTROL)) continue;
        if (strstr(lf_strtab_str(&v->tok, id, NULL), "unused")) v->attr[id] |= LF_ATTR_UNUSED;
    }
}

static void build_eog(lf_vocab *v) {
    const int from_fim[] = {LF_SP_FIM_PAD, LF_SP_FIM_REP, LF_SP_FIM_SEP};
    for (size_t i = 0; i < 3; i++)
        if (v->ids[from_fim[i]] >= 0) v->eog[v->ids[from_fim[i]]] = 1;
    for (const char *const *p = k_eog_texts; *p; p++) { /* a lookup per text, not a scan per token */
        const int32_t id = find_c(v, *p);
        if (id >= 0) {
            v->eog[id] = 1;
            mark_control(v, id);
        }
    }
    for (const char *const *p = k_force_user_texts; *p; p++) {
        int32_t id = find_c(v, *p);
        if (id >= 0) v->attr[id] = LF_ATTR_USER_DEFINED;
    }
    const int always[] = {LF_SP_EOS, LF_SP_EOT, LF_SP_EOM};
    for (size_t i = 0; i < 3; i++)
        if (v->ids[always[i]] >= 0) v->eog[v->ids[always[i]]] = 1;

    /* o200k_harmony / solar-open: <|end|> is not EOG when <|return|>+<|call|> or <|calls|>+<|flush|> are */
    int32_t ret = find_c(v, "<|return|>"), call = find_c(v, "<|call|>"), calls = find_c(v, "<|calls|>");
    int32_t flush = find_c(v, "<|flush|>"), end = find_c(v, "<|end|>");
    bool has_return = ret >= 0 && v->eog[ret];
    bool has_call = (call >= 0 && v->eog[call]) || (calls >= 0 && v->eog[calls]);
    bool has_flush = flush >= 0 && v->eog[flush];
    if (end >= 0 && v->eog[end] && has_call && (has_return || has_flush)) {
        v->eog[end] = 0;
        v->attr[end] = LF_ATTR_USER_DEFINED;
    }
    /* gemma4 / paddleocr: </s> is not EOG next to <|tool_response> */
    int32_t tr = find_c(v, "<|tool_response>"), s = find_c(v, "</s>");
    if (tr >= 0 && v->eog[tr] && s >= 0 && v->eog[s]) {
        v->eog[s] = 0;
        v->attr[s] = LF_ATTR_NORMAL;
    }
}

typedef struct special_key {
    uint32_t len;
    int32_t id;
} special_key;

static int cmp_special(const void *a, const void *b) {
    const special_key *x = a, *y = b;
    if (x->len != y->len) return x->len > y->len ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_u32_desc(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x < y) - (x > y);
}

static int build_special_cache(lf_vocab *v, lfmrt_err *e) {
    size_t n = 0;
    for (int32_t id = 0; id < v->n_tokens; id++)
        if (v->attr[id] & (LF_ATTR_CONTROL | LF_ATTR_USER_DEFINED | LF_ATTR_UNKNOWN)) n++;
    special_key *keys = malloc((n ? n : 1) * sizeof *keys);
    v->special = malloc((n ? n : 1) * sizeof *v->special);
    v->special_lens = malloc((n ? n : 1) * sizeof *v->special_lens);
    if (!keys || !v->special || !v->special_lens || lf_strtab_init(&v->special_tab, n) != LFMRT_OK) {
        free(keys);
        return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory for special tokens");
    }
    size_t k = 0;
    for (int32_t id = 0; id < v->n_tokens; id++)
        if (v->attr[id] & (LF_ATTR_CONTROL | LF_ATTR_USER_DEFINED | LF_ATTR_UNKNOWN))
            keys[k++] = (special_key){v->tok.len[id], id};
    qsort(keys, n, sizeof *keys, cmp_special);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *t = lf_strtab_str(&v->tok, keys[i].id, &len);
        int32_t sid;
        if (lf_strtab_intern(&v->special_tab, t, len, &sid, NULL) != LFMRT_OK) {
            free(keys);
            return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory for special tokens");
        }
        v->special[i] = keys[i].id;
        v->special_first[(uint8_t)t[0] >> 3] |= (uint8_t)(1u << ((uint8_t)t[0] & 7));
        if (v->n_special_lens == 0 || v->special_lens[v->n_special_lens - 1] != len)
            v->special_lens[v->n_special_lens++] = (uint32_t)len;
    }
    v->n_special = n;
    qsort(v->special_lens, v->n_special_lens, sizeof *v->special_lens, cmp_u32_desc);
    free(keys);
    return LFMRT_OK;
}

/* Merge i is "left right", split at the first space after the first byte (a merge without one can never
 * apply). Ranks go into a map keyed by interned symbols; the first occurrence of a pair wins. */
static int load_merges(lf_vocab *v, const lf_vocab_spec *s, lfmrt_err *e) {
    if (lf_strtab_init(&v->sym, s->n_merges * 2 + 512) != LFMRT_OK ||
        lf_pairmap_init(&v->ranks, s->n_merges + 16) != LFMRT_OK)
        return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory for %zu merges", s->n_merges);
    char *buf = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < s->n_merges; i++) {
        const char *m = s->merges[i].p;
        size_t n = (size_t)s->merges[i].n;
        const char *sp = n > 1 ? memchr(m + 1, ' ', n - 1) : NULL;
        if (!sp) continue;
        size_t nl = (size_t)(sp - m), nr = n - nl - 1;
        if (nl + nr > cap) {
            cap = (nl + nr) * 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
            }
            buf = b;
        }
        memcpy(buf, m, nl);
        memcpy(buf + nl, sp + 1, nr);
        int32_t a, b, ab;
        if (lf_strtab_intern(&v->sym, m, nl, &a, NULL) != LFMRT_OK ||
            lf_strtab_intern(&v->sym, sp + 1, nr, &b, NULL) != LFMRT_OK ||
            lf_strtab_intern(&v->sym, buf, nl + nr, &ab, NULL) != LFMRT_OK ||
            lf_pairmap_put(&v->ranks, (uint32_t)a, (uint32_t)b, (int32_t)(i > INT32_MAX ? INT32_MAX : i), ab) !=
                LFMRT_OK) {
            free(buf);
            return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory at merge %zu", i);
        }
    }
    free(buf);
    v->sym_tok = malloc((v->sym.n ? v->sym.n : 1) * sizeof *v->sym_tok);
    if (!v->sym_tok) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
    for (size_t i = 0; i < v->sym.n; i++) {
        size_t n;
        const char *t = lf_strtab_str(&v->sym, (int32_t)i, &n);
        v->sym_tok[i] = lf_strtab_find(&v->tok, t, n);
    }
    for (int b = 0; b < 256; b++) {
        uint8_t u[4];
        size_t n = lf_utf8_encode(lf_byte_to_cp((uint8_t)b), u);
        v->byte_sym[b] = lf_strtab_find(&v->sym, (const char *)u, n);
        char c = (char)b;
        v->single_tok[b] = lf_strtab_find(&v->tok, &c, 1);
    }
    return LFMRT_OK;
}

/* Bytes of one token as llama_token_to_piece(special = true) gives them (n == NULL: measure only). */
static size_t piece_of(const lf_vocab *v, int32_t id, char *out) {
    size_t n;
    const char *t = lf_strtab_str(&v->tok, id, &n);
    uint8_t a = v->attr[id];
    if (a & (LF_ATTR_UNKNOWN | LF_ATTR_CONTROL | LF_ATTR_USER_DEFINED)) {
        if (out) memcpy(out, t, n);
        return n;
    }
    if ((a & LF_ATTR_NORMAL) && v->spm) { /* U+2581 back to ' ' */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (i + 2 < n && (uint8_t)t[i] == 0xE2 && (uint8_t)t[i + 1] == 0x96 && (uint8_t)t[i + 2] == 0x81) {
                if (out) out[k] = ' ';
                k++;
                i += 2;
                continue;
            }
            if (out) out[k] = t[i];
            k++;
        }
        return k;
    }
    if (a & LF_ATTR_NORMAL) { /* GPT-2 alphabet back to bytes */
        size_t k = 0, i = 0;
        while (i < n) {
            size_t len;
            uint32_t cp = lf_utf8_decode((const uint8_t *)t + i, n - i, &len);
            i += len;
            int b = lf_cp_to_byte(cp);
            if (b >= 0) {
                if (out) out[k] = (char)b;
                k++;
                continue;
            }
            /* llama.cpp writes "[UNK_BYTE_0x<utf8 hex><whole token text>]" for characters outside */
            uint8_t u[4];
            size_t nu = lf_utf8_encode(cp, u);
            char tmp[24];
            int m = snprintf(tmp, sizeof tmp, "[UNK_BYTE_0x");
            for (size_t j = 0; j < nu; j++) m += snprintf(tmp + m, sizeof tmp - (size_t)m, "%02x", u[j]);
            if (out) {
                memcpy(out + k, tmp, (size_t)m);
                memcpy(out + k + (size_t)m, t, n);
                out[k + (size_t)m + n] = ']';
            }
            k += (size_t)m + n + 1;
        }
        return k;
    }
    if (a & LF_ATTR_BYTE) { /* "<0xXX>": hex digits at offset 3 */
        unsigned val = 0;
        for (size_t i = 3; i < 5 && i < n; i++) {
            char c = t[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) break;
            val = val * 16 + (unsigned)d;
        }
        if (out) out[0] = (char)val;
        return 1;
    }
    return 0; /* UNUSED / UNDEFINED */
}

static int build_pieces(lf_vocab *v, lfmrt_err *e) {
    v->piece_off = malloc(((size_t)v->n_tokens + 1) * sizeof *v->piece_off);
    if (!v->piece_off) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
    /* one pass: before each token the buffer has room for the longest piece a text of n bytes can give (n
     * code points, each at most "[UNK_BYTE_0x" + 8 hex digits + the text + "]") */
    size_t cap = (size_t)v->tok.nbytes + 4096, total = 0;
    v->piece = malloc(cap);
    if (!v->piece) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
    for (int32_t id = 0; id < v->n_tokens; id++) {
        const size_t n = v->tok.len[id], need = n * (n + 21) + 1;
        if (cap - total < need) {
            size_t c = cap * 2;
            while (c - total < need) c *= 2;
            char *p = realloc(v->piece, c);
            if (!p) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
            v->piece = p;
            cap = c;
        }
        v->piece_off[id] = total;
        total += piece_of(v, id, v->piece + total);
    }
    v->piece_off[v->n_tokens] = total;
    return LFMRT_OK;
}

/* SPM: scores and the byte fallback table (llama.cpp's byte_to_token: "<0xXX>", else the token whose text
 * is that single byte; where llama.cpp would throw, the unknown token, else nothing). */
static int load_spm(lf_vocab *v, const lf_vocab_spec *s, lfmrt_err *e) {
    if (s->scores) {
        v->score = malloc((size_t)v->n_tokens * sizeof *v->score);
        if (!v->score) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
        memcpy(v->score, s->scores, (size_t)v->n_tokens * sizeof *v->score);
    }
    for (int b = 0; b < 256; b++) {
        char hex[8], c = (char)b;
        snprintf(hex, sizeof hex, "<0x%02X>", b);
        int32_t id = find_c(v, hex);
        if (id < 0) id = lf_strtab_find(&v->tok, &c, 1);
        if (id < 0) id = v->ids[LF_SP_UNK];
        v->byte_tok[b] = id;
    }
    return LFMRT_OK;
}

int lf_vocab_build(const lf_vocab_spec *s, lf_vocab **out, lfmrt_err *e) {
    *out = NULL;
    bool spm = str_is(s->model, "llama");
    if (!str_is(s->model, "gpt2") && !spm) {
        return lf_err(e, LFMRT_E_UNSUPPORTED,
                      "tokenizer.ggml.model '%.*s' is not supported (only 'gpt2' BPE and 'llama' SentencePiece)",
                      (int)(s->model.n > 64 ? 64 : s->model.n), s->model.p ? s->model.p : "");
    }
    if (s->n_tokens == 0 || s->n_tokens > INT32_MAX)
        return lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.tokens: bad token count %zu", s->n_tokens);
    const pre_def *pre = &k_pre[0]; /* absent pre -> "default", as llama.cpp does (with a warning) */
    if (s->pre.p && s->pre.n && !spm) { /* SPM ignores the pre-tokenizer, as llama.cpp does */
        pre = NULL;
        for (size_t i = 0; i < sizeof k_pre / sizeof k_pre[0]; i++)
            if (str_is(s->pre, k_pre[i].name)) pre = &k_pre[i];
        if (!pre)
            return lf_err(e, LFMRT_E_UNSUPPORTED, "tokenizer.ggml.pre '%.*s' is not supported",
                          (int)(s->pre.n > 64 ? 64 : s->pre.n), s->pre.p);
    }
    lf_vocab *v = calloc(1, sizeof *v);
    if (!v) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
    v->n_tokens = (int32_t)s->n_tokens;
    v->pre = pre->kind;
    v->ignore_merges = pre->ignore_merges;
    v->add_bos = pre->add_bos;
    v->add_eos = false;
    v->spm = spm;
    v->nfc = s->nfc;
    if (spm) { /* llama.cpp's SPM defaults */
        v->add_bos = true;
        v->ignore_merges = false;
        v->add_space_prefix = s->add_space_prefix != 0;
    }
    int rc = load_tokens(v, s, e);
    if (rc == LFMRT_OK) {
        set_special_ids(v, s);
        if (s->add_bos >= 0) v->add_bos = s->add_bos != 0;
        if (s->add_eos >= 0) v->add_eos = s->add_eos != 0;
        autodetect(v);
        build_eog(v);
        rc = build_special_cache(v, e);
    }
    if (rc == LFMRT_OK) rc = spm ? load_spm(v, s, e) : load_merges(v, s, e);
    if (rc == LFMRT_OK) rc = build_pieces(v, e);
    if (rc != LFMRT_OK) {
        lf_vocab_destroy(v);
        return rc;
    }
    *out = v;
    return LFMRT_OK;
}

/* ---- GGUF ---------------------------------------------------------------------------------------- */

static const struct {
    int sp;
    const char *key;
} k_id_keys[] = {
    {LF_SP_BOS, "tokenizer.ggml.bos_token_id"},         {LF_SP_EOS, "tokenizer.ggml.eos_token_id"},
    {LF_SP_EOT, "tokenizer.ggml.eot_token_id"},         {LF_SP_EOM, "tokenizer.ggml.eom_token_id"},
    {LF_SP_UNK, "tokenizer.ggml.unknown_token_id"},     {LF_SP_SEP, "tokenizer.ggml.seperator_token_id"},
    {LF_SP_PAD, "tokenizer.ggml.padding_token_id"},     {LF_SP_MASK, "tokenizer.ggml.mask_token_id"},
    {LF_SP_FIM_PRE, "tokenizer.ggml.fim_pre_token_id"}, {LF_SP_FIM_SUF, "tokenizer.ggml.fim_suf_token_id"},
    {LF_SP_FIM_MID, "tokenizer.ggml.fim_mid_token_id"}, {LF_SP_FIM_PAD, "tokenizer.ggml.fim_pad_token_id"},
    {LF_SP_FIM_REP, "tokenizer.ggml.fim_rep_token_id"}, {LF_SP_FIM_SEP, "tokenizer.ggml.fim_sep_token_id"},
    /* deprecated spellings, read after (and so overriding) the fim_* keys, as llama.cpp does */
    {LF_SP_FIM_PRE, "tokenizer.ggml.prefix_token_id"},  {LF_SP_FIM_SUF, "tokenizer.ggml.suffix_token_id"},
    {LF_SP_FIM_MID, "tokenizer.ggml.middle_token_id"},
};

/* Reads a string array into views; *out is malloc'd (NULL and n 0 when the array is empty). */
static int read_str_array(const lf_gguf_kv *kv, lf_str **out, size_t *n, lfmrt_err *e) {
    *out = NULL;
    *n = (size_t)kv->v.arr.n;
    if (kv->v.arr.n == 0) return LFMRT_OK;
    if (kv->v.arr.n > SIZE_MAX / sizeof(lf_str)) return lf_err(e, LFMRT_E_FORMAT, "string array too long");
    lf_str *a = malloc((size_t)kv->v.arr.n * sizeof *a);
    if (!a) return lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
    lf_gguf_str_iter it;
    lf_gguf_str_iter_init(&it, kv);
    for (size_t i = 0; i < *n; i++) {
        if (!lf_gguf_str_iter_next(&it, &a[i])) {
            free(a);
            return lf_err(e, LFMRT_E_FORMAT, "%.*s: string %zu unreadable", (int)kv->key.n, kv->key.p, i);
        }
    }
    *out = a;
    return LFMRT_OK;
}

int lf_vocab_load(const lf_gguf *g, lf_vocab **out, lfmrt_err *e) {
    *out = NULL;
    lf_vocab_spec s;
    lf_vocab_spec_init(&s);
    const lf_gguf_kv *toks = NULL, *merges = NULL, *types = NULL;
    lf_str *tok_views = NULL, *merge_views = NULL;
    int32_t *type_vals = NULL;
    int rc = lf_gguf_get_str(g, "tokenizer.ggml.model", &s.model, e);
    if (rc != LFMRT_OK) return rc;
    if (lf_gguf_find_kv(g, "tokenizer.ggml.pre")) {
        rc = lf_gguf_get_str(g, "tokenizer.ggml.pre", &s.pre, e);
        if (rc != LFMRT_OK) return rc;
    }
    rc = lf_gguf_get_arr(g, "tokenizer.ggml.tokens", LF_GGUF_STRING, &toks, e);
    if (rc != LFMRT_OK) return rc;
    bool spm = str_is(s.model, "llama");
    if (!str_is(s.model, "gpt2") && !spm) return lf_vocab_build(&s, out, e); /* reports the unsupported model */
    if (!spm || lf_gguf_find_kv(g, "tokenizer.ggml.merges")) {
        rc = lf_gguf_get_arr(g, "tokenizer.ggml.merges", LF_GGUF_STRING, &merges, e);
        if (rc != LFMRT_OK) return rc;
    }
    const lf_gguf_kv *scores = NULL;
    if (spm && lf_gguf_find_kv(g, "tokenizer.ggml.scores")) {
        rc = lf_gguf_get_arr(g, "tokenizer.ggml.scores", LF_GGUF_F32, &scores, e);
        if (rc != LFMRT_OK) return rc;
        if (scores->v.arr.n < toks->v.arr.n)
            return lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.scores has %llu entries for %llu tokens",
                          (unsigned long long)scores->v.arr.n, (unsigned long long)toks->v.arr.n);
    }
    if (lf_gguf_find_kv(g, "tokenizer.ggml.token_type")) {
        rc = lf_gguf_get_arr(g, "tokenizer.ggml.token_type", LF_GGUF_I64, &types, e);
        if (rc != LFMRT_OK) return rc;
        if (types->v.arr.n < toks->v.arr.n)
            return lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.token_type has %llu entries for %llu tokens",
                          (unsigned long long)types->v.arr.n, (unsigned long long)toks->v.arr.n);
    }
    if (toks->v.arr.n == 0 || toks->v.arr.n > INT32_MAX)
        return lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.tokens: bad token count %llu",
                      (unsigned long long)toks->v.arr.n);
    for (size_t i = 0; i < sizeof k_id_keys / sizeof k_id_keys[0]; i++) {
        int64_t id;
        if (!lf_gguf_find_kv(g, k_id_keys[i].key)) continue;
        rc = lf_gguf_get_i64(g, k_id_keys[i].key, &id, e);
        if (rc != LFMRT_OK) return rc;
        s.ids[k_id_keys[i].sp] = id;
    }
    bool b;
    if (lf_gguf_find_kv(g, "tokenizer.ggml.add_bos_token")) {
        rc = lf_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &b, e);
        if (rc != LFMRT_OK) return rc;
        s.add_bos = b;
    }
    if (lf_gguf_find_kv(g, "tokenizer.ggml.add_eos_token")) {
        rc = lf_gguf_get_bool(g, "tokenizer.ggml.add_eos_token", &b, e);
        if (rc != LFMRT_OK) return rc;
        s.add_eos = b;
    }
    if (lf_gguf_find_kv(g, "tokenizer.ggml.add_space_prefix")) {
        rc = lf_gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &b, e);
        if (rc != LFMRT_OK) return rc;
        s.add_space_prefix = b;
    }
    if (lf_gguf_find_kv(g, LF_VOCAB_NORMALIZER_KEY)) { /* lfmrt's converter: the HF normalizer to apply */
        lf_str norm;
        rc = lf_gguf_get_str(g, LF_VOCAB_NORMALIZER_KEY, &norm, e);
        if (rc != LFMRT_OK) return rc;
        if (str_is(norm, "NFC")) s.nfc = true;
        else if (norm.n)
            return lf_err(e, LFMRT_E_UNSUPPORTED, "%s '%.*s' is not supported (only NFC)", LF_VOCAB_NORMALIZER_KEY,
                          (int)(norm.n > 64 ? 64 : norm.n), norm.p);
    }
    float *score_vals = NULL;
    rc = read_str_array(toks, &tok_views, &s.n_tokens, e);
    if (rc == LFMRT_OK && merges) rc = read_str_array(merges, &merge_views, &s.n_merges, e);
    if (rc == LFMRT_OK && scores) {
        score_vals = malloc(s.n_tokens * sizeof *score_vals);
        if (!score_vals) rc = lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
        for (size_t i = 0; rc == LFMRT_OK && i < s.n_tokens; i++) {
            double d;
            if (!lf_gguf_arr_float(scores, i, &d)) rc = lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.scores[%zu] unreadable", i);
            else score_vals[i] = (float)d;
        }
        s.scores = score_vals;
    }
    if (rc == LFMRT_OK && types) {
        type_vals = malloc(s.n_tokens * sizeof *type_vals);
        if (!type_vals) rc = lf_err(e, LFMRT_E_NOMEM, "vocab: out of memory");
        for (size_t i = 0; rc == LFMRT_OK && i < s.n_tokens; i++) {
            int64_t t;
            if (!lf_gguf_arr_int(types, i, &t)) {
                rc = lf_err(e, LFMRT_E_FORMAT, "tokenizer.ggml.token_type[%zu] unreadable", i);
                break;
            }
            type_vals[i] = t < INT32_MIN || t > INT32_MAX ? 0 : (int32_t)t;
        }
    }
    if (rc == LFMRT_OK) {
        s.tokens = tok_views;
        s.merges = merge_views;
        s.types = type_vals;
        rc = lf_vocab_build(&s, out, e);
    }
    free(tok_views);
    free(merge_views);
    free(type_vals);
    free(score_vals);
    return rc;
}
