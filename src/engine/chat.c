/* engine/chat.c - chat templates. LFM2 (MODEL-SPEC 1.7): ChatML turns
 * `<|im_start|>{role}\n{content}<|im_end|>\n`, generation prompt `<|im_start|>assistant\n`; the BOS
 * token comes from tokenization (add_bos_token), so its text is never emitted here. */
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"

typedef struct {
    char *buf;
    size_t cap, len;
} sbuf;

static void put(sbuf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n < b->cap) memcpy(b->buf + b->len, s, n);
    b->len += n;
}

int lfmrt_chat_apply(const lfmrt_model *m, const lfmrt_chat_msg *msgs, size_t n, bool add_generation_prompt,
                     char *buf, size_t cap) {
    (void)m;
    sbuf b = {buf, cap, 0};
    for (size_t i = 0; i < n; i++) {
        if (!msgs[i].role || !msgs[i].content) return LFMRT_E_INVALID;
        put(&b, "<|im_start|>");
        put(&b, msgs[i].role);
        put(&b, "\n");
        put(&b, msgs[i].content);
        put(&b, "<|im_end|>\n");
    }
    if (add_generation_prompt) put(&b, "<|im_start|>assistant\n");
    if (cap > 0) buf[b.len < cap ? b.len : cap - 1] = '\0';
    return b.len > (size_t)0x7fffffff ? LFMRT_E_RANGE : (int)b.len;
}
