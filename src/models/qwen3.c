/* models/qwen3.c - Qwen3 dense (MODEL-SPEC section 2): pre-norm decoder, GQA with per-head Q/K RMSNorm,
 * NEOX RoPE, SiLU-gated FFN, `output_norm`, tied or separate `output`. The head dim comes from
 * `qwen3.attention.key_length` (Q width nh*hd may exceed H, e.g. 2048 for Qwen3-0.6B's H 1024). */
#include "base/err.h"
#include "models/model.h"

static int qwen3_load(lf_model_core *m, const lf_gguf *g, lfmrt_err *e) {
    int rc = lf_load_dense(m, g, "qwen3", LF_DENSE_QK_NORM, 40960, e);
    if (rc) return rc;
    if (m->hp.n_rot != m->hp.head_dim)
        return lf_err(e, LFMRT_E_UNSUPPORTED, "qwen3: rope.dimension_count %d differs from the head dim %d",
                      m->hp.n_rot, m->hp.head_dim);
    return LFMRT_OK;
}

const lf_arch lf_arch_qwen3 = {"qwen3", qwen3_load, lf_forward_prenorm};
