/* tokenizer/hfimport.h - import of a Hugging Face tokenizer directory (tokenizer.json, and
 * tokenizer_config.json / config.json when present) into vocabulary GGUF keys, laid out as llama.cpp's
 * converter (convert_hf_to_gguf.py + gguf-py SpecialVocab) writes them, so that lf_vocab_load (and
 * llama.cpp) tokenize with it exactly as the HF tokenizer does.
 *
 * Two layouts, chosen from tokenizer.json's BPE model:
 *  - byte-level BPE (no byte_fallback; Qwen2/Qwen3, Llama 3, GPT-2): `tokenizer.ggml.model gpt2`, `pre`
 *    recognised from the pre-tokenizer regex (qwen2, llama-bpe, gpt-2), merges "a b" (spaces inside
 *    parts written as U+0120, as gguf-py does);
 *  - byte-fallback BPE over U+2581 text (Gemma, Llama 2 HF): written as a SentencePiece vocabulary
 *    (`tokenizer.ggml.model llama`, `pre default`) with scores that make llama.cpp's score-ordered
 *    merging replay the BPE merge order: score(t) = -(rank of the first merge producing t) - 1; tokens no
 *    merge produces score below every merge; <0xXX> tokens are BYTE; add_space_prefix from the
 *    normalizer (a Prepend of U+2581) or a Metaspace pre-tokenizer that prepends, false for Gemma.
 * Both: ids without a token become "[PAD<id>]" (UNUSED), up to config.json's vocab_size when larger;
 * added tokens are CONTROL when special or when they look special (<|...|>, <unused..>, <pad>, <mask>),
 * else USER_DEFINED with U+2581 written as ' '; bos/eos/unk/pad ids from tokenizer_config.json's *_token
 * (matched against added tokens), then config.json's *_token_id; add_bos/add_eos from the config (else
 * from the TemplateProcessing post-processor); tokenizer.chat_template from tokenizer_config.json (or
 * chat_template.jinja). Gemma-style configs whose eos_token is "<end_of_turn>" while an "<eos>" token
 * exists get eos = <eos> and eot = <end_of_turn>, as the published Gemma GGUFs carry them.
 */
#ifndef LF_TOKENIZER_HFIMPORT_H
#define LF_TOKENIZER_HFIMPORT_H

#include <stddef.h>

#include "format/gguf.h"
#include "lfmrt/status.h"

typedef struct lf_hf_opts {
    const char *pre;  /* override tokenizer.ggml.pre (byte-level BPE only); NULL: detect */
} lf_hf_opts;

typedef struct lf_hf_info {
    char model[16];   /* "gpt2" or "llama" */
    char pre[32];
    char arch[32];    /* model family guessed from config.json / tokenizer_config.json: "qwen3",
                       * "qwen2", "gemma3", "llama" */
    size_t n_tokens, n_merges, n_added;
    int has_chat_template;
} lf_hf_info;

/* The files of a tokenizer directory, as bytes (not NUL-terminated). tokenizer_json is required; the
 * others are NULL when absent. */
typedef struct lf_hf_files {
    const char *tokenizer_json;
    size_t tokenizer_json_len;
    const char *tokenizer_config; /* tokenizer_config.json */
    size_t tokenizer_config_len;
    const char *config;           /* config.json */
    size_t config_len;
    const char *chat_template;    /* chat_template.jinja (used when tokenizer_config has none) */
    size_t chat_template_len;
} lf_hf_files;

/* Converts the given files (parse entry: no file access; the fuzz target's way in) and adds every
 * tokenizer.* key to w. info may be NULL. Errors as lf_hf_import, minus LFMRT_E_IO; JSON errors name
 * the file, line and column. Nothing of f is kept. */
int lf_hf_import_parse(const lf_hf_files *f, const lf_hf_opts *opts, lf_gguf_writer *w, lf_hf_info *info,
                       lfmrt_err *e);

/* Reads the tokenizer in directory dir and adds every tokenizer.* key to w (nothing else). info may be
 * NULL. Errors: LFMRT_E_IO (missing/unreadable file: names it), LFMRT_E_FORMAT (bad JSON with line and
 * column, or a bad field: names it), LFMRT_E_UNSUPPORTED (not a BPE model, or a pre-tokenizer that is not
 * recognised), LFMRT_E_NOMEM. */
int lf_hf_import(const char *dir, const lf_hf_opts *opts, lf_gguf_writer *w, lf_hf_info *info, lfmrt_err *e);

#endif
