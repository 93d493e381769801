/* models/genvocab_spm.h - a synthetic but valid SentencePiece vocabulary (`tokenizer.ggml.model =
 * llama`) for generated Gemma3 and LLaMA models: special tokens, the 256 byte-fallback tokens <0xXX>,
 * then pieces with scores. llama.cpp loads it (it needs the byte tokens, e.g. <0x0A> for its linefeed id).
 *
 * Layouts:
 *  - LF_GENSPM_GEMMA (Gemma3's real ids): 0 <pad>, 1 <eos>, 2 <bos>, 3 <unk>, 4..104 <unused{i-4}>,
 *    105 <start_of_turn>, 106 <end_of_turn> (CONTROL; <unk> UNKNOWN), then bytes; add_space_prefix false.
 *  - LF_GENSPM_LLAMA (llama2.c / LLaMA 1-2 ids): 0 <unk>, 1 <s>, 2 </s>, then bytes; add_space_prefix true.
 * Pieces (NORMAL), in order of decreasing score (score of the k-th piece = -k): every UTF-8 character of
 * the built-in corpus (tokenizer/genvocab.h; spaces as U+2581 "▁"; "\n" only in the Gemma layout), then
 * "▁word" prefixes of the corpus words (each piece is a shorter piece plus one character, so SPM's
 * pairwise merges can reach it), then filler pieces (a deterministic PRNG extends existing pieces by one
 * lowercase letter) up to the requested size. No two tokens share a text. Deterministic for
 * (n_tokens, layout). */
#ifndef LF_MODELS_GENVOCAB_SPM_H
#define LF_MODELS_GENVOCAB_SPM_H

#include <stddef.h>
#include <stdint.h>

#include "format/gguf.h"
#include "lfmrt/status.h"

typedef enum lf_genspm_layout { LF_GENSPM_GEMMA = 0, LF_GENSPM_LLAMA = 1 } lf_genspm_layout;

typedef struct lf_genspm {
    size_t n_tokens;
    const char **tokens; /* [n_tokens] NUL-terminated UTF-8, pointing into text */
    float *scores;       /* [n_tokens] */
    int32_t *types;      /* [n_tokens] tokenizer.ggml.token_type values */
    char *text;          /* owns the token strings */
    int32_t bos, eos, unk, pad; /* pad -1 when the layout has none */
    lf_genspm_layout layout;
} lf_genspm;

/* Builds exactly n_tokens entries (1024 <= n_tokens <= 2^20). Returns LFMRT_OK, LFMRT_E_INVALID (size,
 * layout) or LFMRT_E_NOMEM; on error *out is zeroed. Free with lf_genspm_free. */
int lf_genspm_build(size_t n_tokens, lf_genspm_layout layout, lf_genspm *out, lfmrt_err *e);
void lf_genspm_free(lf_genspm *v); /* NULL-safe; zeroes *v */

/* Writes tokenizer.ggml.{model=llama, pre=default, tokens, scores, token_type, bos/eos/unknown(/padding)
 * _token_id, add_bos_token true, add_eos_token false, add_space_prefix} into w. */
int lf_genspm_write(const lf_genspm *v, lf_gguf_writer *w, lfmrt_err *e);

#endif
