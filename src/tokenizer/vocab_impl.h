/* tokenizer/vocab_impl.h - the lf_vocab structure shared by vocab.c (loading, special tokens),
 * tokenize.c (special-token partition + BPE), spm.c (SentencePiece) and detok.c. Not a public interface.
 *
 * Invariants after lf_vocab_build: token ids are 0..n_tokens-1 and tok.n == n_tokens (texts unique);
 * attr[] holds llama.cpp-style attribute bits after its load-time overrides; special[] lists the
 * CONTROL/USER_DEFINED/UNKNOWN tokens longest text first (ties: lower id first); piece[] caches every
 * token's bytes as llama_token_to_piece(special = true) gives them.
 */
#ifndef LF_TOKENIZER_VOCAB_IMPL_H
#define LF_TOKENIZER_VOCAB_IMPL_H

#include "tokenizer/pretok.h"
#include "tokenizer/strtab.h"
#include "tokenizer/vocab.h"

/* attribute bits (llama.cpp's llama_token_attr values) */
enum {
    LF_ATTR_UNDEFINED = 0,
    LF_ATTR_UNKNOWN = 1 << 0,
    LF_ATTR_UNUSED = 1 << 1,
    LF_ATTR_NORMAL = 1 << 2,
    LF_ATTR_CONTROL = 1 << 3,
    LF_ATTR_USER_DEFINED = 1 << 4,
    LF_ATTR_BYTE = 1 << 5,
};

/* special ids read from tokenizer.ggml.*_token_id keys */
enum lf_special {
    LF_SP_BOS, LF_SP_EOS, LF_SP_EOT, LF_SP_EOM, LF_SP_UNK, LF_SP_SEP, LF_SP_PAD, LF_SP_MASK,
    LF_SP_FIM_PRE, LF_SP_FIM_SUF, LF_SP_FIM_MID, LF_SP_FIM_PAD, LF_SP_FIM_REP, LF_SP_FIM_SEP,
    LF_SP_COUNT
};
#define LF_VOCAB_KEY_ABSENT INT64_MIN
/* lfmrt-specific GGUF key written by the HF converter: the tokenizer.json normalizer ("NFC"), if any */
#define LF_VOCAB_NORMALIZER_KEY "tokenizer.lfmrt.normalizer"

/* Everything lf_vocab_build needs, as views (nothing is kept after the call). */
typedef struct lf_vocab_spec {
    lf_str model;            /* tokenizer.ggml.model */
    lf_str pre;              /* tokenizer.ggml.pre; p == NULL when absent */
    size_t n_tokens;
    const lf_str *tokens;
    const int32_t *types;    /* NULL when tokenizer.ggml.token_type is absent */
    size_t n_merges;
    const lf_str *merges;
    int64_t ids[LF_SP_COUNT]; /* LF_VOCAB_KEY_ABSENT when the key is absent */
    int add_bos, add_eos;     /* -1 absent, else 0/1 */
    /* SentencePiece (model "llama") only */
    const float *scores;      /* [n_tokens] tokenizer.ggml.scores; NULL when absent (all 0) */
    int add_space_prefix;     /* tokenizer.ggml.add_space_prefix: -1 absent (llama.cpp: true), else 0/1 */
    bool nfc;                 /* tokenizer.lfmrt.normalizer == "NFC" (lfmrt's converter; llama.cpp ignores it) */
} lf_vocab_spec;

/* Sets every id to LF_VOCAB_KEY_ABSENT and add_bos/add_eos to -1; zeroes the rest. */
void lf_vocab_spec_init(lf_vocab_spec *s);

/* Builds a vocabulary from a spec (GGUF loading and tests both come through here). Errors as
 * lf_vocab_load. */
int lf_vocab_build(const lf_vocab_spec *spec, lf_vocab **out, lfmrt_err *e);

struct lf_vocab {
    int32_t n_tokens;
    lf_strtab tok;            /* token texts; string number == token id */
    int8_t *type;             /* [n_tokens] on-disk token type */
    uint8_t *attr;            /* [n_tokens] LF_ATTR_* bits */
    uint8_t *eog;             /* [n_tokens] 1 if end-of-generation */
    int32_t ids[LF_SP_COUNT]; /* -1 = none */
    bool add_bos, add_eos, ignore_merges;
    lf_pretok_kind pre;
    bool spm;                 /* SentencePiece vocabulary (spm.c) instead of byte-level BPE */
    bool nfc;                 /* apply Unicode NFC to each text fragment before encoding it (nfc.h) */
    bool add_space_prefix;    /* SPM: prefix U+2581 to text at the start or after a special token */
    float *score;             /* SPM: [n_tokens] merge scores, or NULL (all 0) */
    int32_t byte_tok[256];    /* SPM: token of raw byte b (<0xXX>, else the 1-byte token, else unk, else -1) */

    /* special-token partition */
    int32_t *special;         /* [n_special] ids, longest text first */
    size_t n_special;
    lf_strtab special_tab;    /* texts of special[]; string number == index into special[] */
    uint32_t *special_lens;   /* [n_special_lens] distinct text lengths, descending */
    size_t n_special_lens;
    uint8_t special_first[32];/* bitmap of the first bytes of special texts */

    /* BPE */
    lf_strtab sym;            /* every merge part and merge result */
    lf_pairmap ranks;         /* (left sym, right sym) -> (rank, result sym) */
    int32_t *sym_tok;         /* [sym.n] token id whose text is that symbol, or -1 */
    int32_t byte_sym[256];    /* symbol of the alphabet character of each raw byte, or -1 */
    int32_t single_tok[256];  /* token whose text is the single byte b (llama.cpp's byte fallback) */

    /* detokenization */
    char *piece;              /* all pieces back to back */
    uint64_t *piece_off;      /* [n_tokens + 1] */
};

#endif
