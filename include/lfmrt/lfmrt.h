/* lfmrt/lfmrt.h - the public C API of liblfmrt: models, sessions, tokenization, sampling.
 *
 * Threading: an lfmrt_model is immutable after open and may be shared by any number of sessions on any
 * threads. An lfmrt_session and an lfmrt_sampler are used by one thread at a time.
 * Memory: every handle is created by a open or create call and released by the matching
 * close or destroy call, which accepts NULL. Sessions must be destroyed before their model is closed.
 * Errors: functions return LFMRT_OK or a negative LFMRT_E_* (lfmrt/status.h) and fill the lfmrt_err
 * given (may be NULL).
 */
#ifndef LFMRT_H
#define LFMRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lfmrt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LFMRT_VERSION "0.1.0"

typedef struct lfmrt_model lfmrt_model;
typedef struct lfmrt_session lfmrt_session;
typedef struct lfmrt_sampler lfmrt_sampler;

/* ------------------------------------------------------------------------------------------------ */
/* Models */

typedef struct lfmrt_model_params {
    int n_threads;     /* worker threads for sessions of this model; <= 0: physical cores */
    bool use_ref_kernels; /* force scalar reference kernels (testing) */
    bool no_repack;    /* keep every weight in the file's layout. By default the matrices whose type the
                        * CPU's kernels read faster repacked (Q4_0/Q8_0 with AVX-512 VNNI or dotprod) are
                        * copied into that layout by a background thread at idle priority, started at
                        * open, each used as soon as it is complete, and their file pages released: the
                        * results are the same bit for bit, whichever layout a matrix is in when used */
} lfmrt_model_params;

lfmrt_model_params lfmrt_model_default_params(void);

/* Maps the GGUF at path read-only, checks every tensor the architecture needs (name, dtype, shape), and
 * loads the vocabulary. */
int lfmrt_model_open(const char *path, const lfmrt_model_params *params, lfmrt_model **out,
                     lfmrt_err *err);
void lfmrt_model_close(lfmrt_model *m);
/* Blocks until the background repacking (see no_repack) is complete; returns at once when there is none.
 * Never needed for correctness; benchmarks call it so that they time the steady state. Call it from the
 * thread that owns the model, not concurrently with lfmrt_model_close. */
void lfmrt_model_finish_repack(lfmrt_model *m);

typedef struct lfmrt_model_info {
    const char *arch;      /* "lfm2", ... (owned by the model) */
    const char *name;      /* general.name or "" */
    int n_layers, n_embd, n_ff, n_head, n_head_kv, head_dim, n_vocab, n_ctx_train;
    int n_attn_layers;     /* layers with a KV cache */
    int64_t n_params;      /* elements in all tensors */
    uint64_t weight_bytes; /* bytes of all tensor data */
    uint32_t file_type;    /* dominant weight dtype id */
} lfmrt_model_info;

void lfmrt_model_get_info(const lfmrt_model *m, lfmrt_model_info *info);

/* Layer kind of layer il: 'A' attention, 'C' short convolution. */
char lfmrt_model_layer_kind(const lfmrt_model *m, int il);

/* ------------------------------------------------------------------------------------------------ */
/* Tokenizer (of a model) */

int32_t lfmrt_token_bos(const lfmrt_model *m);  /* -1 if none */
int32_t lfmrt_token_eos(const lfmrt_model *m);
bool lfmrt_token_is_eog(const lfmrt_model *m, int32_t id);
bool lfmrt_vocab_add_bos(const lfmrt_model *m);
int32_t lfmrt_vocab_size(const lfmrt_model *m);

/* Tokenizes text (no BOS added). Writes up to cap ids, *n_out = ids needed. LFMRT_E_RANGE if cap is too
 * small. parse_special: match special-token text such as "<|im_start|>". */
int lfmrt_tokenize(const lfmrt_model *m, const char *text, size_t len, bool parse_special, int32_t *ids,
                   size_t cap, size_t *n_out, lfmrt_err *err);

/* The bytes of one token (possibly a partial UTF-8 sequence). Returns the length (may exceed cap: then
 * call again), or -1 for a bad id. */
int lfmrt_token_to_piece(const lfmrt_model *m, int32_t id, bool special, char *buf, size_t cap);

/* Chat: renders messages with the model's chat template (LFM2 ChatML), ending with the assistant
 * generation prompt. Returns the length written (NUL-terminated) or needed; < 0 on error. */
typedef struct lfmrt_chat_msg {
    const char *role;    /* "system", "user", "assistant", "tool" */
    const char *content;
} lfmrt_chat_msg;
int lfmrt_chat_apply(const lfmrt_model *m, const lfmrt_chat_msg *msgs, size_t n, bool add_generation_prompt,
                     char *buf, size_t cap);

/* The same with flags. The template is chosen from the file's tokenizer.chat_template and architecture:
 * ChatML (LFM2), Qwen3 (ChatML with thinking rules: reasoning of earlier assistant turns stripped) or
 * Gemma3 (<start_of_turn>; system text folded into the first user turn; roles must alternate, else
 * LFMRT_E_INVALID). BOS text is never written (the tokenizer adds BOS). */
enum {
    LFMRT_CHAT_ADD_GENERATION_PROMPT = 1u << 0, /* end with the assistant's turn opening */
    LFMRT_CHAT_NO_THINKING = 1u << 1,           /* Qwen3: thinking off (empty <think></think> after it) */
};
int lfmrt_chat_apply_ex(const lfmrt_model *m, const lfmrt_chat_msg *msgs, size_t n, unsigned flags, char *buf,
                        size_t cap);
/* "chatml", "qwen3" or "gemma3": the built-in template lfmrt_chat_apply uses for m. */
const char *lfmrt_chat_template_name(const lfmrt_model *m);

/* ------------------------------------------------------------------------------------------------ */
/* Sessions: one sequence's state (KV cache for attention layers, conv state for LFM2 conv layers) */

typedef enum lfmrt_kv_type { LFMRT_KV_F16 = 0, LFMRT_KV_F32 = 1 } lfmrt_kv_type;

typedef struct lfmrt_session_params {
    int n_ctx;              /* max tokens in the sequence (default 4096; <= n_ctx_train) */
    int n_batch;            /* max tokens per prefill chunk (default 512) */
    lfmrt_kv_type kv_type;  /* default F16, as llama.cpp */
} lfmrt_session_params;

lfmrt_session_params lfmrt_session_default_params(void);

/* Allocates all state and scratch for the sequence: prefill and decode allocate nothing. */
int lfmrt_session_create(const lfmrt_model *m, const lfmrt_session_params *p, lfmrt_session **out,
                         lfmrt_err *err);
void lfmrt_session_destroy(lfmrt_session *s);

/* Clears the sequence (position 0, zero conv state). */
void lfmrt_session_reset(lfmrt_session *s);
int lfmrt_session_pos(const lfmrt_session *s); /* tokens processed so far */

/* Processes n tokens at the current position (in chunks of n_batch). If logits is non-NULL it receives
 * the logits of the LAST token (n_vocab floats); if all_logits is non-NULL it receives n * n_vocab
 * floats, row i the logits after token i. LFMRT_E_RANGE if the context would overflow or an id is out of
 * range (state unchanged). */
int lfmrt_session_prefill(lfmrt_session *s, const int32_t *tokens, int n, float *logits, float *all_logits,
                          lfmrt_err *err);

/* One token: equivalent to prefill of 1 token. */
int lfmrt_session_decode(lfmrt_session *s, int32_t token, float *logits, lfmrt_err *err);

/* Batched decode: advances n sessions of the same model by one token each in one forward pass (the
 * weights are read once for all of them). tokens[i] goes to sessions[i]; logits receives n * n_vocab
 * floats, row i the logits of session i. Each session's position, KV cache and conv state advance
 * exactly as lfmrt_session_decode would (quantized weights: the same logits bit for bit; F32/F16 up to
 * summation order). Uses the first session's scratch and thread pool: n must be <= its n_batch.
 * Errors (no session changed): LFMRT_E_INVALID for n < 1, a NULL argument, sessions of different
 * models or the same session twice; LFMRT_E_RANGE for n above sessions[0]'s n_batch, a session at its
 * context limit or a token id out of range. Allocates nothing. Not thread-safe with other calls on any
 * of the sessions. */
int lfmrt_batch_decode(lfmrt_session *const *sessions, const int32_t *tokens, int n, float *logits,
                       lfmrt_err *err);

/* Memory a session holds, in bytes. weights_mapped: the model's whole GGUF image (mapped read-only,
 * shared by every session of the model); weights_resident: how much of that image is in memory now
 * (mincore: the file's pages in the page cache, whether or not this process maps them; 0 where the OS
 * cannot tell); weights_packed: the buffer of the model's repacked weights (anonymous memory, shared
 * by every session; the file pages of each copied matrix are released); kv_cache: the KV cache as allocated for n_ctx (attention
 * layers; sliding-window layers their ring); conv_state: LFM2 short-conv state; scratch: the per-batch
 * activation buffers, attention scratch and logits buffer allocated at session creation. Allocated
 * sizes, not touched pages. Never fails; reads no state that prefill or decode change. */
typedef struct lfmrt_memory_info {
    uint64_t weights_mapped, weights_resident, weights_packed, kv_cache, conv_state, scratch;
} lfmrt_memory_info;
void lfmrt_session_memory(const lfmrt_session *s, lfmrt_memory_info *out);

/* Bytes of K and V one decode step of this session reads when n_pos positions are cached: every
 * attention layer's keys and values of the positions it attends to (a sliding-window layer at most its
 * window), in the cache's storage type. Decode streams these on top of the weights; benchmarks add them
 * to the bytes moved per token. 0 for n_pos < 1. */
uint64_t lfmrt_session_kv_read_bytes(const lfmrt_session *s, int n_pos);

/* ------------------------------------------------------------------------------------------------ */
/* Sampling */

typedef struct lfmrt_sampler_params {
    float temperature;    /* <= 0: greedy */
    int top_k;            /* <= 0: off */
    float top_p;          /* >= 1: off */
    float min_p;          /* <= 0: off */
    float repeat_penalty; /* 1: off */
    int repeat_last_n;    /* window for the penalty (default 64) */
    uint64_t seed;
} lfmrt_sampler_params;

/* Neutral params: temperature 0.8, top_k 40, top_p 0.95, min_p 0.05, repeat 1.0 (llama.cpp's). */
lfmrt_sampler_params lfmrt_sampler_default_params(void);
/* The model's recommended defaults (LFM2: temperature 0.3, min_p 0.15, repeat_penalty 1.05). */
lfmrt_sampler_params lfmrt_model_sampler_defaults(const lfmrt_model *m);

int lfmrt_sampler_create(const lfmrt_sampler_params *p, int32_t n_vocab, lfmrt_sampler **out, lfmrt_err *err);
void lfmrt_sampler_destroy(lfmrt_sampler *s);
/* Picks the next token from logits (n_vocab floats; modified in place). Records it in the penalty
 * history. Deterministic for a seed. */
int32_t lfmrt_sampler_sample(lfmrt_sampler *s, float *logits);
/* Adds a token to the penalty history without sampling (prompt tokens). */
void lfmrt_sampler_accept(lfmrt_sampler *s, int32_t token);
void lfmrt_sampler_reset(lfmrt_sampler *s);

#ifdef __cplusplus
}
#endif
#endif
