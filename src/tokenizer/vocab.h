/* tokenizer/vocab.h - vocabularies read from GGUF (tokenizer.ggml.*), tokenization and detokenization.
 *
 * Supported: byte-level BPE (`tokenizer.ggml.model = gpt2`) with the pre-tokenizers named by
 * `tokenizer.ggml.pre`: lfm2 (llama3 regex, ignore_merges), llama-bpe/llama3, qwen2, gpt-2/default; and
 * SentencePiece (`llama`: score-driven merges, byte fallback <0xXX>, add_space_prefix, U+2581 for spaces).
 * Results equal llama.cpp's llama_tokenize / llama_detokenize.
 */
#ifndef LF_TOKENIZER_VOCAB_H
#define LF_TOKENIZER_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/gguf.h"
#include "lfmrt/status.h"

/* token types (tokenizer.ggml.token_type), on-disk values */
enum lf_token_type {
    LF_TOKT_UNDEFINED = 0,
    LF_TOKT_NORMAL = 1,
    LF_TOKT_UNKNOWN = 2,
    LF_TOKT_CONTROL = 3,
    LF_TOKT_USER_DEFINED = 4,
    LF_TOKT_UNUSED = 5,
    LF_TOKT_BYTE = 6,
};

typedef struct lf_vocab lf_vocab;

/* Builds a vocabulary from g's tokenizer keys (copies everything it keeps: g may be closed after).
 * Errors: LFMRT_E_NOTFOUND (no tokenizer.ggml.tokens), LFMRT_E_UNSUPPORTED (model/pre not supported,
 * message names it), LFMRT_E_FORMAT (inconsistent arrays, bad merge line with its index). */
int lf_vocab_load(const lf_gguf *g, lf_vocab **out, lfmrt_err *e);
void lf_vocab_destroy(lf_vocab *v);

int32_t lf_vocab_n_tokens(const lf_vocab *v);
int32_t lf_vocab_bos(const lf_vocab *v);    /* -1 if none */
int32_t lf_vocab_eos(const lf_vocab *v);    /* -1 if none */
bool lf_vocab_add_bos(const lf_vocab *v);   /* tokenizer.ggml.add_bos_token (llama.cpp default if absent) */
bool lf_vocab_is_spm(const lf_vocab *v);    /* SentencePiece (tokenizer.ggml.model = llama) */
bool lf_vocab_add_space_prefix(const lf_vocab *v); /* SPM: tokenizer.ggml.add_space_prefix (default true) */
bool lf_vocab_is_eog(const lf_vocab *v, int32_t id); /* end-of-generation set, as llama.cpp builds it */
int lf_vocab_token_type(const lf_vocab *v, int32_t id);
/* Raw vocab text of a token (BPE byte-alphabet form); NULL if id out of range. */
const char *lf_vocab_token_text(const lf_vocab *v, int32_t id, size_t *len);
/* Finds a token by its exact vocab text; -1 if absent. */
int32_t lf_vocab_find(const lf_vocab *v, const char *text, size_t len);

/* Tokenizes text[0..len) into ids (no BOS is added here). With parse_special, text of CONTROL and
 * USER_DEFINED tokens is matched and emitted as those tokens (longest match first); without it such text
 * is tokenized as ordinary text (user-defined tokens are still matched, as llama.cpp does).
 * Writes at most cap ids; *n_out receives the total needed. Returns LFMRT_OK, or LFMRT_E_RANGE if cap
 * was too small (ids holds the first cap), LFMRT_E_NOMEM. Thread-safe for concurrent calls on one v. */
int lf_vocab_tokenize(const lf_vocab *v, const char *text, size_t len, bool parse_special, int32_t *ids,
                      size_t cap, size_t *n_out, lfmrt_err *e);

/* Bytes a token decodes to (BPE byte alphabet mapped back to raw bytes; SPM: U+2581 as ' ', <0xXX> as
 * that byte; control tokens give their text only if `special`). Writes at most cap bytes (buf may be NULL when cap is 0, to measure); returns the
 * full length (call again with a bigger buffer if it exceeds cap), or -1 for a bad id. Equals llama.cpp's
 * llama_token_to_piece(lstrip = 0). */
int lf_vocab_token_bytes(const lf_vocab *v, int32_t id, bool special, char *buf, size_t cap);

/* Whole-sequence detokenization as llama.cpp's llama_detokenize(remove_special, unparse_special) without
 * its clean-up pass (off for the vocabularies supported): with remove_special a leading BOS (when the
 * vocabulary adds one) and a trailing EOS (when it adds one) are dropped; with add_space_prefix the first
 * token's leading space is dropped unless a BOS was dropped before it (llama.cpp's rule); control tokens
 * give their text only with unparse_special. Writes at most cap bytes (no NUL); returns the full length,
 * or -1 for a bad id. */
int lf_vocab_detokenize(const lf_vocab *v, const int32_t *ids, size_t n, bool remove_special, bool unparse_special,
                        char *buf, size_t cap);

/* Streaming detokenizer: feed ids one at a time; it emits only complete UTF-8 sequences and holds back
 * a partial character until the next token completes it (or flush emits it as U+FFFD replacement). */
typedef struct lf_detok {
    char pending[8];
    size_t n_pending;
} lf_detok;
void lf_detok_init(lf_detok *d);
/* Appends the text of `id` to out (cap bytes); returns bytes written (>= 0) or -1 if cap too small or bad id. */
int lf_detok_push(lf_detok *d, const lf_vocab *v, int32_t id, bool special, char *out, size_t cap);
/* Emits whatever is pending (invalid leftovers as U+FFFD). */
int lf_detok_flush(lf_detok *d, char *out, size_t cap);

#endif
