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

/* Builds a vocabulary of exactly n_tokens entries (n_tokens >= 1024). Deterministic for (n_tokens, seed).
 * LFM2 layout: ids 0..13 the named specials, <|reserved_N|> up to id 499 (fewer for small vocabularies:
 * reserved ids stop at min(500, n_tokens/8)), and when n_tokens >= 65536 the specials
 * <|cot_start|>.. at 64394..64399. Returns LFMRT_OK or LFMRT_E_INVALID / LFMRT_E_NOMEM. */
int lf_genvocab_build(size_t n_tokens, uint64_t seed, lf_genvocab *out, lfmrt_err *e);
void lf_genvocab_free(lf_genvocab *gv);

/* Writes the tokenizer.ggml.* keys (model gpt2, pre lfm2, tokens, token_type, merges, bos/eos/pad ids,
 * add_bos_token true, add_eos_token false) and the LFM2 chat template into w. */
int lf_genvocab_write(const lf_genvocab *gv, lf_gguf_writer *w, lfmrt_err *e);

#endif
