/* engine/chat.h - built-in chat templates (no Jinja): the kind is chosen from the architecture and the
 * template text in the file (tokenizer.chat_template), then rendered in C. Internal to src/engine;
 * tests call lf_chat_render directly. */
#ifndef LF_ENGINE_CHAT_H
#define LF_ENGINE_CHAT_H

#include <stddef.h>

#include "lfmrt/lfmrt.h"

typedef enum lf_chat_kind {
    LF_CHAT_CHATML = 0, /* LFM2 and any other ChatML template (MODEL-SPEC 1.7) */
    LF_CHAT_QWEN3 = 1,  /* ChatML with Qwen3's thinking rules (MODEL-SPEC 2.4) */
    LF_CHAT_GEMMA3 = 2, /* <start_of_turn>/<end_of_turn>, system folded into the first turn (3.5) */
} lf_chat_kind;

/* The template kind: from the template text when it names one (<start_of_turn> -> Gemma3; <|im_start|>
 * with <think> / enable_thinking -> Qwen3; <|im_start|> -> ChatML), else from the architecture ("gemma3",
 * "gemma2", "gemma" -> Gemma3; "qwen3" -> Qwen3), else ChatML. tmpl may be NULL; arch may be NULL. */
lf_chat_kind lf_chat_detect(const char *arch, const char *tmpl, size_t tmpl_len);
const char *lf_chat_kind_name(lf_chat_kind k); /* "chatml", "qwen3", "gemma3" */

/* Renders msgs with kind k and flags (LFMRT_CHAT_*), starting with bos_text when it is non-NULL.
 * Writes at most cap bytes including a NUL (buf may be NULL when cap is 0); returns the full length
 * without the NUL, or LFMRT_E_INVALID (a NULL role or content; Gemma3: roles that do not alternate
 * user/assistant after the optional system message, as its template raises), LFMRT_E_RANGE (over 2 GiB).
 * lfmrt_chat_apply passes bos_text only when the template writes bos_token and the tokenizer does not
 * add BOS itself, so BOS is never doubled. */
int lf_chat_render(lf_chat_kind k, const lfmrt_chat_msg *msgs, size_t n, unsigned flags, const char *bos_text,
                   char *buf, size_t cap);

#endif
