/* models/model.h - what every architecture file fills in (hyper-parameters, weight views checked for
 * dtype and shape) and the per-sequence forward state it runs on.
 *
 * Weight views point into the read-only GGUF mapping (zero copy). Shapes in GGUF ne order.
 */
#ifndef LF_MODELS_MODEL_H
#define LF_MODELS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/pool.h"
#include "cache/kv.h"
#include "format/gguf.h"
#include "kernels/kernels.h"
#include "ops/ops.h"

#define LF_MAX_LAYERS 256

enum { LF_ROPE_NEOX = 0, LF_ROPE_NORM = 1 };

typedef struct lf_hparams {
    int n_layer, n_embd, n_ff, n_head, head_dim, n_vocab, n_ctx_train;
    int n_head_kv[LF_MAX_LAYERS]; /* per layer; 0 = LFM2 short-conv layer */
    int n_head_kv_max;
    int n_rot;
    int rope_type;                /* LF_ROPE_NEOX (LFM2, Qwen3, Gemma3) or LF_ROPE_NORM (LLaMA) */
    int l_cache;                  /* LFM2 conv kernel length (3) */
    float eps, rope_base, rope_base_swa;
    int n_swa;                    /* sliding window (0 = none) */
    bool swa_layer[LF_MAX_LAYERS];
    float f_attn_scale;           /* q.k scale inside attention */
    float q_scale;                /* 0: none; else q *= q_scale after RoPE (Gemma3: 1/sqrt(hd), with
                                   * f_attn_scale 1, as llama.cpp does) */
    float embd_scale;             /* Gemma3: sqrt(H); else 1 */
    float final_softcap;          /* 0 = none */
} lf_hparams;

typedef struct lf_layer {
    char kind;            /* 'A' attention, 'C' short conv */
    int cache_index;      /* index into the KV cache (A) or conv state (C) */
    const float *attn_norm;   /* {H} */
    const float *ffn_norm;    /* {H} */
    const float *q_norm, *k_norm; /* {hd} or NULL */
    const float *post_attn_norm, *post_ffw_norm; /* Gemma3 */
    lf_mat wq;            /* {H, nh*hd} */
    lf_mat wk, wv;        /* {H, nkv*hd} */
    lf_mat wo;            /* {nh*hd, H} */
    lf_mat in_proj;       /* {H, 3H} (C) */
    const float *conv;    /* {L, H} (C) */
    lf_mat out_proj;      /* {H, H} (C) */
    lf_mat ffn_gate, ffn_up; /* {H, F} */
    lf_mat ffn_down;      /* {F, H} */
} lf_layer;

typedef enum { LF_ACT_SILU = 0, LF_ACT_GELU = 1 } lf_act;

typedef struct lf_model_core {
    char arch[32];
    lf_hparams hp;
    lf_mat tok_embd;      /* {H, V} */
    lf_mat output;        /* {H, V}: token_embd when tied */
    bool tied;
    const float *final_norm; /* {H} */
    lf_layer layers[LF_MAX_LAYERS];
    int n_kv_layers, n_conv_layers;
    lf_act act;
    uint32_t file_type;   /* dtype of most weights */
} lf_model_core;

/* Per-sequence state and scratch, sized at creation for n_ctx positions and n_batch tokens per chunk. */
typedef struct lf_fwd_state {
    int n_ctx, n_batch, pos;
    lf_kv kv;
    lf_convstate conv;
    lf_opctx op;
    /* scratch, each [n_batch][width] */
    float *x;     /* [T][H] residual stream */
    float *xn;    /* [T][H] normed input */
    float *q;     /* [T][max(nh*hd, 3H)] q or bcx */
    float *k, *v; /* [T][nkv*hd] */
    float *att;   /* [T][max(nh*hd, H)] attention / conv output */
    float *o;     /* [T][H] block output */
    float *gate, *up; /* [T][F] */
    float *attn_scratch; /* threads * lf_attention_scratch_floats */
    float *tmp_logits;   /* [V] when the caller passes no logits buffer */
    /* Batched decode of several sequences (lfmrt_batch_decode): when n_rows > 0, the T == n_rows tokens
     * of a forward chunk belong to different sequences: token t is at position rows[t]->pos of sequence
     * rows[t] and its stateful steps (RoPE position, KV store, attention, short-conv state) use that
     * state; everything else (weights, scratch, act buffer, pool) is this state's. rows[0] is this state.
     * rows has n_batch entries, allocated at init. */
    struct lf_fwd_state **rows;
    int n_rows;
} lf_fwd_state;

/* The state whose stateful parts token t of a chunk uses, and its position. */
static inline struct lf_fwd_state *lf_row_state(struct lf_fwd_state *st, int t) {
    return st->n_rows > 0 ? st->rows[t] : st;
}
static inline int lf_row_pos(const struct lf_fwd_state *st, int t) {
    return st->n_rows > 0 ? st->rows[t]->pos : st->pos + t;
}

/* Architecture entry: fill `m` from the GGUF (all tensors checked), and run a forward chunk. */
typedef struct lf_arch {
    const char *name;
    int (*load)(lf_model_core *m, const lf_gguf *g, lfmrt_err *e);
    /* Processes tokens[0..T) at st->pos (T <= n_batch). Writes logits for token t to
     * logits + t * n_vocab when all is true, else only the last token's to logits (if non-NULL). */
    int (*forward)(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, float *logits,
                   bool all, lfmrt_err *e);
} lf_arch;

/* Registry: the architecture for general.architecture, or NULL. */
const lf_arch *lf_arch_find(const char *name, size_t len);
/* Comma-separated list of supported architectures (for messages). */
const char *lf_arch_names(void);

/* Shared loader helpers (models/loader.c). */
/* Matrix tensor `name` with ne = {ne0, ne1}, dtype any computable 2-D weight type. */
int lf_load_mat(const lf_gguf *g, const char *name, int64_t ne0, int64_t ne1, lf_mat *out, lfmrt_err *e);
/* F32 vector {n}. */
int lf_load_vec(const lf_gguf *g, const char *name, int64_t n, const float **out, lfmrt_err *e);
/* Key "<arch>.<suffix>" as u32/f32, required or with a default. */
int lf_load_u32(const lf_gguf *g, const char *arch, const char *suffix, uint32_t *out, const uint32_t *def,
                lfmrt_err *e);
int lf_load_f32(const lf_gguf *g, const char *arch, const char *suffix, float *out, const float *def,
                lfmrt_err *e);

/* Hyper-parameters and tensors of a dense pre-norm decoder (Qwen3, LLaMA, Gemma3): keys
 * <arch>.block_count, embedding_length, feed_forward_length, attention.head_count, head_count_kv (scalar
 * or per-layer array; default head_count), attention.key_length (default H / nh),
 * attention.layer_norm_rms_epsilon (required), rope.freq_base (default 10000), rope.dimension_count
 * (default head dim), context_length (default `def_ctx`); RoPE scaling (rope.scaling.type other than
 * "none" with a factor other than 0 or 1) is rejected as unsupported; tensors token_embd, output_norm, output
 * (absent: tied), per layer attn_norm, attn_q/k/v/output, ffn_norm, ffn_gate/up/down, plus
 * attn_q_norm/attn_k_norm with LF_DENSE_QK_NORM and post_attention_norm/post_ffw_norm with
 * LF_DENSE_POST_NORMS. Sets kind 'A' on every layer, act SiLU, embd_scale 1, f_attn_scale 1/sqrt(hd),
 * rope NEOX, no sliding window; the caller adjusts. Biases are rejected (LFMRT_E_UNSUPPORTED). */
enum { LF_DENSE_QK_NORM = 1u << 0, LF_DENSE_POST_NORMS = 1u << 1 };
int lf_load_dense(lf_model_core *m, const lf_gguf *g, const char *arch, unsigned flags, uint32_t def_ctx,
                  lfmrt_err *e);

/* Shared forward blocks (models/blocks.c). */
int lf_state_init(lf_fwd_state *st, const lf_model_core *m, const lf_kernels *k, lf_pool *pool, int n_ctx,
                  int n_batch, bool kv_f16, lfmrt_err *e);
void lf_state_deinit(lf_fwd_state *st);
void lf_state_reset(lf_fwd_state *st);
/* Embedding lookup for T tokens into st->x (times hp.embd_scale). */
int lf_block_embed(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, lfmrt_err *e);
/* Attention of layer il on st->xn -> st->o (QK-norm when present, RoPE of hp.rope_type, q_scale, KV
 * store, attention, Wo). */
int lf_block_attention(const lf_model_core *m, lf_fwd_state *st, int il, int T, lfmrt_err *e);
/* Gated FFN on st->xn -> st->o. */
int lf_block_ffn(const lf_model_core *m, lf_fwd_state *st, int il, int T, lfmrt_err *e);
/* A whole forward chunk of a plain pre-norm decoder (Qwen3, LLaMA): x += attn(norm(x)); x += ffn(norm(x)). */
int lf_forward_prenorm(const lf_model_core *m, lf_fwd_state *st, const int32_t *tokens, int T, float *logits,
                       bool all, lfmrt_err *e);
/* Final norm + output head for the last token (or all tokens) into logits. */
int lf_block_output(const lf_model_core *m, lf_fwd_state *st, int T, float *logits, bool all, lfmrt_err *e);

#endif
