/* engine/chat.c - chat templates, rendered in C to the exact strings the models' Jinja templates give
 * (data/lfm2/chat_template.jinja, data/templates/Qwen-Qwen3-0.6B.jinja, Gemma3's tokenizer_config.json),
 * without tools:
 *  - ChatML (LFM2, MODEL-SPEC 1.7): `<|im_start|>{role}\n{content}<|im_end|>\n` per message, generation
 *    prompt `<|im_start|>assistant\n`;
 *  - Qwen3 (2.4): ChatML; an assistant turn keeps its reasoning (`<think>\n{r}\n</think>\n\n{content}`)
 *    only after the last real user query (and then only when it has reasoning or is the last message);
 *    earlier turns keep only the text after their last `</think>` (left-stripped of newlines); tool
 *    results are `<tool_response>` blocks inside user turns; with LFMRT_CHAT_NO_THINKING the generation
 *    prompt is followed by `<think>\n\n</think>\n\n`;
 *  - Gemma3 (3.5): a leading system message's text + "\n\n" opens the first turn; turns
 *    `<start_of_turn>{role}\n{content trimmed}<end_of_turn>\n` with `assistant` written `model`;
 *    generation prompt `<start_of_turn>model\n`.
 * The templates' `{{ bos_token }}` is written only when the tokenizer does not add BOS itself
 * (add_bos_token false): for LFM2 and Gemma3 it does, so writing it would double it. Jinja's trim is
 * approximated by stripping ASCII whitespace.
 */
#include "engine/chat.h"

#include <string.h>

#include "engine/engine.h"

typedef struct sbuf {
    char *buf;
    size_t cap, len;
} sbuf;

static void putn(sbuf *b, const char *s, size_t n) {
    if (b->len < b->cap && n) memcpy(b->buf + b->len, s, n < b->cap - b->len ? n : b->cap - b->len);
    b->len += n;
}
static void put(sbuf *b, const char *s) { putn(b, s, strlen(s)); }

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* s[*a..*z) with characters in set removed from the left (l) and/or right (r) */
static void strip(const char *s, size_t *a, size_t *z, bool l, bool r, bool nl_only) {
    while (l && *a < *z && (nl_only ? s[*a] == '\n' : is_ws(s[*a]))) (*a)++;
    while (r && *z > *a && (nl_only ? s[*z - 1] == '\n' : is_ws(s[*z - 1]))) (*z)--;
}

static const char *find_last(const char *s, size_t n, const char *pat) {
    size_t k = strlen(pat);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
        if (!memcmp(s + i, pat, k)) return s + i;
    return NULL;
}
static const char *find_first(const char *s, size_t n, const char *pat) {
    size_t k = strlen(pat);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, pat, k)) return s + i;
    return NULL;
}

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }
static bool ends(const char *s, const char *p) {
    size_t n = strlen(s), k = strlen(p);
    return n >= k && !memcmp(s + n - k, p, k);
}

static void render_chatml(sbuf *b, const lfmrt_chat_msg *m, size_t n, unsigned flags) {
    for (size_t i = 0; i < n; i++) {
        put(b, "<|im_start|>");
        put(b, m[i].role);
        put(b, "\n");
        put(b, m[i].content);
        put(b, "<|im_end|>\n");
    }
    if (flags & LFMRT_CHAT_ADD_GENERATION_PROMPT) put(b, "<|im_start|>assistant\n");
}

static void render_qwen3(sbuf *b, const lfmrt_chat_msg *m, size_t n, unsigned flags) {
    if (n && !strcmp(m[0].role, "system")) {
        put(b, "<|im_start|>system\n");
        put(b, m[0].content);
        put(b, "<|im_end|>\n");
    }
    /* the last user message that is not a wrapped tool response */
    size_t last_query = n ? n - 1 : 0;
    for (size_t k = n; k-- > 0;) {
        if (!strcmp(m[k].role, "user") &&
            !(starts(m[k].content, "<tool_response>") && ends(m[k].content, "</tool_response>"))) {
            last_query = k;
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char *role = m[i].role, *c = m[i].content;
        if (!strcmp(role, "user") || (!strcmp(role, "system") && i > 0)) {
            put(b, "<|im_start|>");
            put(b, role);
            put(b, "\n");
            put(b, c);
            put(b, "<|im_end|>\n");
        } else if (!strcmp(role, "assistant")) {
            size_t len = strlen(c), ca = 0, cz = len, ra = 0, rz = 0;
            const char *end_think = find_last(c, len, "</think>");
            if (end_think) {
                ca = (size_t)(end_think - c) + 8; /* content: after the last </think>, lstrip('\n') */
                strip(c, &ca, &cz, true, false, true);
                /* reasoning: before the first </think>, rstrip('\n'), after the last <think>, lstrip('\n') */
                const char *first_end = find_first(c, len, "</think>");
                rz = (size_t)(first_end - c);
                strip(c, &ra, &rz, false, true, true);
                const char *open = find_last(c, rz, "<think>");
                if (open) ra = (size_t)(open - c) + 7;
                strip(c, &ra, &rz, true, false, true);
            }
            bool has_reasoning = rz > ra;
            put(b, "<|im_start|>assistant\n");
            if (i > last_query && (i == n - 1 || has_reasoning)) {
                strip(c, &ra, &rz, true, true, true);
                size_t a2 = ca, z2 = cz;
                strip(c, &a2, &z2, true, false, true);
                put(b, "<think>\n");
                putn(b, c + ra, rz - ra);
                put(b, "\n</think>\n\n");
                putn(b, c + a2, z2 - a2);
            } else {
                putn(b, c + ca, cz - ca);
            }
            put(b, "<|im_end|>\n");
        } else if (!strcmp(role, "tool")) {
            if (i == 0 || strcmp(m[i - 1].role, "tool")) put(b, "<|im_start|>user");
            put(b, "\n<tool_response>\n");
            put(b, c);
            put(b, "\n</tool_response>");
            if (i == n - 1 || strcmp(m[i + 1].role, "tool")) put(b, "<|im_end|>\n");
        }
        /* a leading system message was written above; other roles render nothing, as in the template */
    }
    if (flags & LFMRT_CHAT_ADD_GENERATION_PROMPT) {
        put(b, "<|im_start|>assistant\n");
        if (flags & LFMRT_CHAT_NO_THINKING) put(b, "<think>\n\n</think>\n\n");
    }
}

static int render_gemma3(sbuf *b, const lfmrt_chat_msg *m, size_t n, unsigned flags) {
    const char *prefix = NULL;
    size_t first = 0;
    if (n && !strcmp(m[0].role, "system")) {
        prefix = m[0].content;
        first = 1;
    }
    for (size_t i = first; i < n; i++) {
        bool user = !strcmp(m[i].role, "user");
        if (user != ((i - first) % 2 == 0)) return LFMRT_E_INVALID; /* roles must alternate */
        put(b, "<start_of_turn>");
        put(b, !strcmp(m[i].role, "assistant") ? "model" : m[i].role);
        put(b, "\n");
        if (i == first && prefix) {
            put(b, prefix);
            put(b, "\n\n");
        }
        size_t a = 0, z = strlen(m[i].content);
        strip(m[i].content, &a, &z, true, true, false);
        putn(b, m[i].content + a, z - a);
        put(b, "<end_of_turn>\n");
    }
    if (flags & LFMRT_CHAT_ADD_GENERATION_PROMPT) put(b, "<start_of_turn>model\n");
    return LFMRT_OK;
}

int lf_chat_render(lf_chat_kind k, const lfmrt_chat_msg *msgs, size_t n, unsigned flags, const char *bos_text,
                   char *buf, size_t cap) {
    if ((!msgs && n) || (!buf && cap)) return LFMRT_E_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!msgs[i].role || !msgs[i].content) return LFMRT_E_INVALID;
    sbuf b = {buf, cap, 0};
    int rc = LFMRT_OK;
    if (bos_text) put(&b, bos_text);
    switch (k) {
    case LF_CHAT_QWEN3: render_qwen3(&b, msgs, n, flags); break;
    case LF_CHAT_GEMMA3: rc = render_gemma3(&b, msgs, n, flags); break;
    default: render_chatml(&b, msgs, n, flags); break;
    }
    if (rc != LFMRT_OK) return rc;
    if (cap > 0) buf[b.len < cap ? b.len : cap - 1] = '\0';
    return b.len > (size_t)0x7fffffff ? LFMRT_E_RANGE : (int)b.len;
}

static bool has(const char *s, size_t n, const char *pat) { return s && find_first(s, n, pat) != NULL; }

lf_chat_kind lf_chat_detect(const char *arch, const char *tmpl, size_t tn) {
    if (has(tmpl, tn, "<start_of_turn>")) return LF_CHAT_GEMMA3;
    if (has(tmpl, tn, "<|im_start|>")) {
        if (has(tmpl, tn, "<think>") && has(tmpl, tn, "enable_thinking")) return LF_CHAT_QWEN3;
        if (has(tmpl, tn, "reasoning_content") && has(tmpl, tn, "<tool_response>")) return LF_CHAT_QWEN3;
        return LF_CHAT_CHATML;
    }
    if (arch && (!strcmp(arch, "gemma3") || !strcmp(arch, "gemma2") || !strcmp(arch, "gemma"))) return LF_CHAT_GEMMA3;
    if (arch && !strcmp(arch, "qwen3")) return LF_CHAT_QWEN3;
    return LF_CHAT_CHATML;
}

const char *lf_chat_kind_name(lf_chat_kind k) {
    return k == LF_CHAT_QWEN3 ? "qwen3" : k == LF_CHAT_GEMMA3 ? "gemma3" : "chatml";
}

/* The model's template kind, and the BOS text to write (NULL unless the template writes bos_token - the
 * file's template, or LFM2's and Gemma3's built-in ones - and the tokenizer does not add BOS). */
static lf_chat_kind model_kind(const lfmrt_model *m, const char **bos_text, char *bos_buf, size_t bos_cap) {
    if (bos_text) *bos_text = NULL;
    if (!m) return LF_CHAT_CHATML;
    lf_str t = {NULL, 0};
    if (m->g && lf_gguf_find_kv(m->g, "tokenizer.chat_template"))
        (void)lf_gguf_get_str(m->g, "tokenizer.chat_template", &t, NULL);
    lf_chat_kind k = lf_chat_detect(m->arch ? m->arch->name : NULL, t.p, (size_t)t.n);
    bool tmpl_bos = t.p ? has(t.p, (size_t)t.n, "bos_token") : k != LF_CHAT_QWEN3;
    if (bos_text && m->vocab && tmpl_bos && !lf_vocab_add_bos(m->vocab) && lf_vocab_bos(m->vocab) >= 0) {
        size_t len;
        const char *txt = lf_vocab_token_text(m->vocab, lf_vocab_bos(m->vocab), &len);
        if (txt && len < bos_cap) {
            memcpy(bos_buf, txt, len);
            bos_buf[len] = 0;
            *bos_text = bos_buf;
        }
    }
    return k;
}

int lfmrt_chat_apply_ex(const lfmrt_model *m, const lfmrt_chat_msg *msgs, size_t n, unsigned flags, char *buf,
                        size_t cap) {
    char bos_buf[256];
    const char *bos = NULL;
    lf_chat_kind k = model_kind(m, &bos, bos_buf, sizeof bos_buf);
    return lf_chat_render(k, msgs, n, flags, bos, buf, cap);
}

int lfmrt_chat_apply(const lfmrt_model *m, const lfmrt_chat_msg *msgs, size_t n, bool add_generation_prompt,
                     char *buf, size_t cap) {
    return lfmrt_chat_apply_ex(m, msgs, n, add_generation_prompt ? LFMRT_CHAT_ADD_GENERATION_PROMPT : 0u, buf, cap);
}

const char *lfmrt_chat_template_name(const lfmrt_model *m) { return lf_chat_kind_name(model_kind(m, NULL, NULL, 0)); }
