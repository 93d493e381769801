/* tokenizer/spm.h - SentencePiece (`tokenizer.ggml.model = llama`) encoding of one ordinary-text
 * fragment, as llama.cpp's llm_tokenizer_spm_session does it (see spm.c). Internal to src/tokenizer. */
#ifndef LF_TOKENIZER_SPM_H
#define LF_TOKENIZER_SPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokenizer/vocab.h"

/* Scratch memory reused across the fragments of one tokenize call (zero-initialise; free with
 * lf_spm_work_free). */
typedef struct lf_spm_work {
    char *text;                /* escaped fragment */
    struct lf_spm_sym *syms;
    struct lf_spm_bigram *heap;
    size_t cap, n_heap;        /* cap: bytes of text / symbols; heap holds 3 * cap */
} lf_spm_work;
void lf_spm_work_free(lf_spm_work *w);

/* Encodes s[0..n): prefixes U+2581 when space_prefix, replaces every ' ' by U+2581, splits into UTF-8
 * characters, merges the adjacent pair whose concatenation is the token of highest score (ties: leftmost)
 * until none is left, and emits each final symbol's token, or its bytes' byte tokens (<0xXX>; see
 * vocab.c's byte_tok) when it is not a token. Ids go to ids[*n_ids..] while below cap; *n_ids counts them
 * all. Returns LFMRT_OK or LFMRT_E_NOMEM. */
int lf_spm_encode(const lf_vocab *v, lf_spm_work *w, const uint8_t *s, size_t n, bool space_prefix, int32_t *ids,
                  size_t cap, size_t *n_ids);

#endif
