/* models/genmodel.h - writes llama.cpp-loadable GGUF files (architectures lfm2, qwen3, gemma3, llama)
 * with deterministic random weights at real dimensions (`lfmrt gen-model`), for tests, parity runs and
 * benchmarks without downloads.
 *
 * What an LFM2 file contains: every key of MODEL-SPEC 1.2 (per-layer lfm2.attention.head_count_kv as an
 * I32 array with 0 for conv layers), general.file_type in llama.cpp's LLAMA_FTYPE numbering, the
 * synthetic BPE vocabulary of tokenizer/genvocab.h, and the tensors of MODEL-SPEC 1.3: 2-D matrices (and
 * token_embd / output) in the chosen weight type; norms and shortconv.conv in F32; output.weight only
 * when untied.
 * Qwen3 / Gemma3 / LLaMA files: the keys of MODEL-SPEC 2 / 3 / 7 (<arch>.block_count, context_length,
 * embedding_length, feed_forward_length, attention.head_count, head_count_kv (scalar),
 * attention.key_length / value_length, rope.dimension_count, layer_norm_rms_epsilon, rope.freq_base;
 * Gemma3 also attention.sliding_window and, when the preset has one, final_logit_softcapping), the
 * tensors of models/model.h's lf_load_dense (Q/K norms for qwen3 and gemma3, post norms for gemma3),
 * and a vocabulary: Qwen3 the synthetic byte-level BPE with tokenizer.ggml.pre = qwen2; Gemma3 and
 * LLaMA a synthetic SentencePiece vocabulary (models/genvocab_spm.h) in each one's id layout.
 *
 * Weights are a pure function of (seed, tensor name, element index): a counter-based splitmix64 stream
 * per tensor, so any tensor can be regenerated alone and the same parameters give the same bytes.
 * Scales keep activations O(1) and next-token distributions peaked (see genmodel_weights.c).
 */
#ifndef LF_MODELS_GENMODEL_H
#define LF_MODELS_GENMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "format/gguf.h"
#include "lfmrt/status.h"

#define LF_GENMODEL_MAX_LAYERS 64

/* A named model shape. */
typedef struct lf_genmodel_preset {
    const char *arch;        /* "lfm2", "qwen3", "gemma3", "llama" */
    const char *name;        /* "tiny", "lfm2-350m", ... (what `preset` matches, case-insensitive) */
    const char *display;     /* "LFM2-350M", used in general.name */
    uint32_t n_embd;         /* H */
    uint32_t n_layer;
    uint32_t n_head;         /* query heads */
    uint32_t n_head_kv;      /* kv heads on attention layers */
    uint32_t n_ff;           /* F (already the adjusted feed_forward_length) */
    uint32_t n_vocab;        /* V */
    uint32_t n_ctx;          /* <arch>.context_length */
    uint32_t l_cache;        /* LFM2 shortconv kernel length (0 for other archs) */
    float rope_base;
    float norm_eps;
    const char *attn_layers; /* LFM2: default attention layer indices, "2,5,8,10,12,14"; else NULL */
    uint32_t head_dim;       /* 0: H / n_head; else attention.key_length (Qwen3, Gemma3: nh*hd may exceed H) */
    uint32_t n_swa;          /* Gemma3 attention.sliding_window (0: none) */
    float final_softcap;     /* Gemma3 final_logit_softcapping (0: key not written) */
} lf_genmodel_preset;

/* All presets, in a fixed order: LFM2's first (tiny first), then qwen3, gemma3, llama.
 * i >= lf_genmodel_n_presets() gives NULL. */
size_t lf_genmodel_n_presets(void);
const lf_genmodel_preset *lf_genmodel_preset_at(size_t i);
/* NULL if no LFM2 preset has that name (case-insensitive). */
const lf_genmodel_preset *lf_genmodel_find_preset(const char *name);
/* NULL if architecture `arch` (NULL = lfm2) has no preset of that name (case-insensitive). */
const lf_genmodel_preset *lf_genmodel_find_preset_arch(const char *arch, const char *name);
/* The head dim a preset implies. */
uint32_t lf_genmodel_head_dim(const lf_genmodel_preset *p);

typedef struct lf_genmodel_params {
    const char *arch;        /* "lfm2" (NULL), "qwen3", "gemma3" or "llama" */
    const char *preset;      /* a preset name (NULL = "tiny") */
    uint32_t wtype;          /* LF_DT_F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K or Q6_K (K-quants need every
                              * quantized row length to be a multiple of 256) */
    int mix;                 /* LF_GENMODEL_MIX_NONE (every matrix in wtype) or LF_GENMODEL_MIX_Q4_K_M
                              * (wtype must be Q4_K): llama.cpp's Q4_K_M choice per tensor */
    uint64_t seed;           /* weights and vocabulary are a function of it */
    int tied;                /* nonzero: no output.weight (the default); 0: write an untied output.weight */
    const char *attn_layers; /* LFM2 only: NULL = the preset's; else comma-separated layer indices
                              * ("1,3"), or "" / "none" for an all-conv model. Must be NULL for other
                              * architectures (every layer is attention) */
    float logit_gain;        /* overall gain of the final norm weights (<= 0: 1): the spread of the logits.
                              * 1 gives peaked next-token distributions; small values (0.02) give flat
                              * ones whose log-probs stay comparable under Q8_0 activation noise */
} lf_genmodel_params;

/* Per-tensor type mixes (lf_genmodel_params.mix). Q4_K_M follows llama.cpp's llama_tensor_get_type for
 * LLAMA_FTYPE_MOSTLY_Q4_K_M on these architectures: Q6_K for output.weight (or the tied token_embd when
 * there is none), for attn_v of the attention layers i (counted over attn_v tensors only, n of them)
 * where use_more_bits(i, n), and for ffn_down of layer i where use_more_bits(i, n_layer); Q4_K for every
 * other matrix; use_more_bits(i, n) = i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2. Norms stay F32. */
enum { LF_GENMODEL_MIX_NONE = 0, LF_GENMODEL_MIX_Q4_K_M = 1 };

/* arch "lfm2", preset "tiny", wtype F32, mix none, seed 0, tied. */
void lf_genmodel_default_params(lf_genmodel_params *p);

/* The per-layer kv-head counts the parameters imply: out[l] = n_head_kv for attention layers, 0 for
 * conv layers; *n_layer receives the count. Validates the architecture, the preset (of that
 * architecture) and attn_layers (indices in range, no duplicates). Returns LFMRT_OK or LFMRT_E_INVALID
 * with a message. */
int lf_genmodel_layout(const lf_genmodel_params *p, const lf_genmodel_preset **preset,
                       int32_t out[LF_GENMODEL_MAX_LAYERS], uint32_t *n_layer, lfmrt_err *e);

/* llama.cpp's general.file_type (LLAMA_FTYPE_*) for a weight dtype: F32 0, F16 1, Q4_0 2, Q8_0 7,
 * Q4_K 14 (MOSTLY_Q4_K_S), Q5_K 16 (MOSTLY_Q5_K_S), Q6_K 18, BF16 32; -1 for a type gen-model does not
 * write. A Q4_K_M mix writes 15. */
int lf_genmodel_file_type(uint32_t wtype);

/* Writes the model to path (GGUF v3). Deterministic: the same params give byte-identical files.
 * progress (may be NULL) gets (bytes written, total bytes) after the header and each tensor.
 * Peak memory is about the largest tensor (token_embd). Errors: LFMRT_E_INVALID (unknown arch,
 * preset or weight type, bad attn_layers; message says which and lists what is accepted),
 * LFMRT_E_IO (path), LFMRT_E_NOMEM, or the vocabulary builder's status. */
int lf_genmodel_write(const lf_genmodel_params *p, const char *path, lf_gguf_progress_fn progress, void *user,
                      lfmrt_err *e);

/* ---- weights (genmodel_weights.c) ------------------------------------------------------------------ */

/* How a tensor's values are drawn. */
typedef enum lf_genmodel_init {
    LF_GENINIT_NORMAL,  /* approximately N(0, scale^2) (Irwin-Hall of 4 uniforms) */
    LF_GENINIT_NORM,    /* 1 + scale * N(0, 1): RMSNorm weights near 1 */
    LF_GENINIT_UNIFORM, /* U(-scale, scale) */
    LF_GENINIT_GAIN,    /* scale * (1 + 0.05 * N(0, 1)): a norm weight with an overall gain */
} lf_genmodel_init;

/* Fills x[0..n) with values i0 .. i0+n-1 of the stream for (seed, name). Pure function. */
void lf_genmodel_values(uint64_t seed, const char *name, lf_genmodel_init init, float scale, uint64_t i0,
                        float *x, size_t n);

#endif
