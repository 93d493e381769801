/* convert/llama2c.h - import of karpathy/llama2.c checkpoints (model .bin + tokenizer .bin) as a GGUF
 * `llama` model that llama.cpp and lfmrt load.
 *
 * llama2.c checkpoints (karpathy/llama2.c export.py), all little-endian, matrices row-major [out][in]:
 *   legacy (version 0, what run.c reads; e.g. tinyllamas stories*.bin):
 *     header 7 x int32 { dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len };
 *     vocab_size < 0 means "separate classifier" (|vocab_size| is the vocabulary size); then float32
 *     token_embedding [vocab][dim], rms_att [L][dim], wq [L][dim][dim], wk [L][kv_dim][dim],
 *     wv [L][kv_dim][dim], wo [L][dim][dim], rms_ffn [L][dim], w1 [L][hidden][dim],
 *     w2 [L][dim][hidden], w3 [L][hidden][dim], rms_final [dim],
 *     freq_cis_real [seq][head_size/2], freq_cis_imag [seq][head_size/2] (unused, skipped),
 *     wcls [vocab][dim] only when not shared.
 *   version 1 (fp32) and 2 (int8 groups, what runq.c reads): a 256-byte header { uint32 magic "ak42"
 *     0x616b3432, int32 version, the 7 int32 fields (vocab_size positive), uint8 shared_classifier,
 *     version 2: int32 group_size (at byte 37), zero padding }; then float32 rms_att [L][dim],
 *     rms_ffn [L][dim], rms_final [dim]; then token_embedding, wq[0..L), wk[..], wv[..], wo[..],
 *     w1[..], w2[..], w3[..], and wcls when not shared: version 1 as float32, version 2 each matrix as
 *     its int8 values followed by one float32 scale per group_size consecutive values (dequantized
 *     here to F32 exactly as runq.c does: q * scale).
 *   kv_dim = dim / n_heads * n_kv_heads. The file must hold exactly these bytes.
 * llama2.c tokenizer .bin: uint32 max_token_length, then per token { float32 score, int32 len,
 *   len bytes }; pieces use ' ' for SentencePiece's U+2581, byte pieces are "<0xXX>". Exactly
 *   vocab_size entries, nothing after.
 *
 * GGUF written (all tensors F32; row-major [out][in] is ggml ne {in, out}, so fp32 data is copied as is):
 *   general.architecture "llama"; llama.{context_length, embedding_length, block_count,
 *   feed_forward_length, attention.head_count, attention.head_count_kv,
 *   attention.layer_norm_rms_epsilon 1e-5, rope.dimension_count = head_size, rope.freq_base 10000,
 *   vocab_size}; an SPM vocabulary (tokenizer.ggml.model "llama"; ' ' escaped to U+2581; ids 0/1/2
 *   are "<unk>" UNKNOWN, "<s>" CONTROL, "</s>" CONTROL; "<0xXX>" BYTE; empty pieces CONTROL; bos 1,
 *   eos 2, unk 0, add_bos true, add_eos false, add_space_prefix true), and the tensors token_embd,
 *   blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate (w1), ffn_down (w2),
 *   ffn_up (w3)}, output_norm, and output only when the classifier is not shared (llama.cpp then
 *   uses token_embd).
 * Q and K are NOT permuted: llama2.c rotates adjacent pairs (2i, 2i+1) of each head by
 * pos * 10000^(-2i/head_size), which is exactly ggml's NORM RoPE that llama.cpp uses for LLM_ARCH_LLAMA
 * (the HF converter permutes only because HF checkpoints rotate halves). Proven by the stories260K
 * goldens (tests/convert/test_stories260k.c) and llama.cpp parity (tests/parity group `stories`).
 * Facts from llama.cpp examples/convert-llama2c-to-ggml and src/llama-vocab.cpp; llama2.c run.c, runq.c
 * and export.py.
 */
#ifndef LF_CONVERT_LLAMA2C_H
#define LF_CONVERT_LLAMA2C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lfmrt/status.h"

#define LF_LLAMA2C_HEADER_BYTES 28     /* legacy header */
#define LF_LLAMA2C_HEADER_V1_BYTES 256 /* versions 1 and 2 */
#define LF_LLAMA2C_MAGIC 0x616b3432u   /* "ak42" as a little-endian uint32 */

typedef struct lf_llama2c_config {
    int32_t version;      /* 0 legacy, 1 fp32, 2 int8 groups */
    int32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
    bool shared;          /* classifier is the token embedding */
    int32_t group_size;   /* version 2: values per float32 scale; else 0 */
    int32_t head_size;    /* dim / n_heads */
    int32_t kv_dim;       /* head_size * n_kv_heads */
    uint32_t header_bytes; /* 28 (legacy) or 256 */
    uint64_t data_bytes;  /* bytes after the header that the file must hold */
} lf_llama2c_config;

/* Reads and validates the header of a checkpoint image data[0..size) (any version) and checks that size
 * is exactly the header plus the weights it implies. Errors: LFMRT_E_FORMAT (short file, non-positive or
 * inconsistent dimensions, bad flag or group size, size mismatch: the message says expected and found
 * bytes), LFMRT_E_UNSUPPORTED (an "ak42" file of another version). */
int lf_llama2c_parse_config(const uint8_t *data, size_t size, lf_llama2c_config *c, lfmrt_err *e);

/* A parsed llama2.c tokenizer: views into the caller's bytes. */
typedef struct lf_llama2c_vocab {
    int32_t n;              /* entries */
    uint32_t max_len;       /* header max_token_length */
    const uint8_t **piece;  /* [n] piece bytes (not NUL-terminated) */
    uint32_t *len;          /* [n] */
    float *score;           /* [n] */
} lf_llama2c_vocab;

/* Parses a tokenizer image data[0..size) holding exactly n_vocab entries (n_vocab > 0). The bytes are
 * borrowed and must outlive v; free the arrays with lf_llama2c_vocab_free. Errors: LFMRT_E_FORMAT
 * (truncated entry, negative or over-long length, non-finite score, trailing bytes: the message names
 * the entry and byte offset), LFMRT_E_NOMEM. */
int lf_llama2c_parse_vocab(const uint8_t *data, size_t size, int32_t n_vocab, lf_llama2c_vocab *v,
                           lfmrt_err *e);
void lf_llama2c_vocab_free(lf_llama2c_vocab *v);

/* Converts a llama2.c checkpoint and its tokenizer into a GGUF `llama` model at out_gguf (see the file
 * header for what is written). general.name is the checkpoint's file name without ".bin".
 * Errors: LFMRT_E_INVALID (NULL path, output is an input file), LFMRT_E_IO (cannot read an input, cannot write the output; a
 * partly written output is removed), LFMRT_E_FORMAT (malformed or mismatched inputs; the message names
 * the file), LFMRT_E_NOMEM. Reads the inputs through read-only mappings; peak extra memory is one
 * tensor. Thread-safe (no shared state). */
int lf_llama2c_convert(const char *model_bin, const char *tok_bin, const char *out_gguf, lfmrt_err *e);

#endif
