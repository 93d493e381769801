/* tokenizer/genvocab.h - a synthetic but valid byte-level BPE vocabulary for generated models
 * (lfmrt gen-model): LFM2's special tokens at their real ids, the 256 byte tokens, merges learned from
 * a built-in multilingual corpus, then deterministic filler merges up to the requested size. llama.cpp
 * loads it as `tokenizer.ggml.model = gpt2`, `tokenizer.ggml.pre = lfm2`. */
#ifndef LF_TOKENIZER_GENVOCAB_H
#define LF_TOKENIZER_GENVOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "format/gguf.h"
#include "lfmrt/status.h"

typedef struct lf_genvocab {
    size_t n_tokens;
    char **tokens;      /* n_tokens NUL-terminated strings in the GPT-2 byte-to-unicode alphabet */
    int32_t *types;     /* n_tokens enum lf_token_type values */
    size_t n_merges;
    char **merges;      /* "left right", lowest index = highest priority */
    int32_t bos, eos, pad; /* 1, 7, 0 for the LFM2 layout */
} lf_genvocab;

/* Builds a vocabulary of exactly n_tokens entries (1024 <= n_tokens <= 2^24). Deterministic for
 * (n_tokens, seed). LFM2 layout (tokenizer_config.json of LiquidAI/LFM2-1.2B): ids 0..13 the named
 * specials, then id i = <|reserved_{i-10}|> for 14 <= i < min(501, n_tokens/8) (so up to id 500 =
 * <|reserved_490|> as in the real file), and when n_tokens >= 65536 the specials <|cot_start|>,
 * <|cot_end|>, <|review_start|>, <|review_end|>, <|file_start|>, <|file_end|> at 64394..64399; all CONTROL.
 * Every other id is NORMAL: the 256 byte tokens first (in byte order), then one token per merge: merges
 * learned by BPE training on lf_genvocab_corpus (pre-tokenized as lfm2 does), then filler merges that
 * join two existing tokens (chosen with a PRNG seeded by `seed`). Every merge's parts and result are
 * tokens; no two tokens share a text. Returns LFMRT_OK or LFMRT_E_INVALID / LFMRT_E_NOMEM. */
int lf_genvocab_build(size_t n_tokens, uint64_t seed, lf_genvocab *out, lfmrt_err *e);
void lf_genvocab_free(lf_genvocab *gv); /* frees what build allocated; zeroes gv; NULL-safe */

/* The built-in training text (UTF-8, NUL-terminated) and the LFM2 chat template written by
 * lf_genvocab_write (the text of LiquidAI/LFM2's chat_template.jinja). */
extern const char lf_genvocab_corpus[];
extern const char lf_genvocab_chat_template[];

/* Writes the tokenizer.ggml.* keys (model gpt2, pre lfm2, tokens, token_type, merges, bos/eos/pad ids,
 * add_bos_token true, add_eos_token false) and the LFM2 chat template into w. */
int lf_genvocab_write(const lf_genvocab *gv, lf_gguf_writer *w, lfmrt_err *e);

#endif
