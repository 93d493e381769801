/* models/llama.c - classic LLaMA (llama.cpp `llama` architecture, e.g. stories260K, TinyLlama):
 * pre-norm decoder, GQA without Q/K norms, interleaved ("norm", GPT-J style) RoPE over the first
 * rope.dimension_count dims, SiLU-gated FFN, `output_norm`, tied or separate `output`.
 * q.k scale: `llama.attention.scale` when present and nonzero, else 1/sqrt(head dim) (as llama.cpp).
 * RoPE frequency factors (`rope_freqs`, Llama 3.1+) and biases are rejected as unsupported. */
#include "base/err.h"
#include "models/model.h"

static int llama_load(lf_model_core *m, const lf_gguf *g, lfmrt_err *e) {
    int rc = lf_load_dense(m, g, "llama", 0, 2048, e);
    if (rc) return rc;
    m->hp.rope_type = LF_ROPE_NORM;
    float s = 0.0f;
    const float def = 0.0f;
    if ((rc = lf_load_f32(g, "llama", "attention.scale", &s, &def, e))) return rc;
    if (s != 0.0f) m->hp.f_attn_scale = s;
    return LFMRT_OK;
}

const lf_arch lf_arch_llama = {"llama", llama_load, lf_forward_prenorm};
