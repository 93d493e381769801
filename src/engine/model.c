/* engine/model.c - lfmrt_model: open a GGUF, pick the architecture, check tensors, load the vocab. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "engine/engine.h"

lfmrt_model_params lfmrt_model_default_params(void) {
    lfmrt_model_params p = {0};
    p.n_threads = 0;
    p.use_ref_kernels = false;
    p.no_repack = false;
    return p;
}

int lfmrt_model_open(const char *path, const lfmrt_model_params *params, lfmrt_model **out, lfmrt_err *err) {
    *out = NULL;
    lfmrt_model_params p = params ? *params : lfmrt_model_default_params();
    lfmrt_model *m = calloc(1, sizeof *m);
    if (!m) return lf_err(err, LFMRT_E_NOMEM, "out of memory");
    int rc = lf_gguf_open(path, &m->g, err);
    if (rc) {
        free(m);
        return rc;
    }
    lf_str arch;
    if ((rc = lf_gguf_get_str(m->g, "general.architecture", &arch, err))) goto fail;
    m->arch = lf_arch_find(arch.p, (size_t)arch.n);
    if (!m->arch) {
        rc = lf_err(err, LFMRT_E_UNSUPPORTED, "%s: architecture '%.*s' is not supported (supported: %s)", path,
                    (int)(arch.n > 64 ? 64 : arch.n), arch.p, lf_arch_names());
        goto fail;
    }
    snprintf(m->core.arch, sizeof m->core.arch, "%s", m->arch->name);
    if (p.use_ref_kernels)
        lf_kernels_init_ref(&m->kern);
    else
        lf_kernels_init(&m->kern, lf_cpu_detect());
    if ((rc = m->arch->load(&m->core, m->g, err))) goto fail;
    if ((rc = lf_vocab_load(m->g, &m->vocab, err))) goto fail;
    if (lf_vocab_n_tokens(m->vocab) < m->core.hp.n_vocab) {
        /* llama.cpp accepts a token list at least as long as the embedding rows; fewer is an error */
        rc = lf_err(err, LFMRT_E_FORMAT, "%s: vocabulary has %d tokens but token_embd has %d rows", path,
                    lf_vocab_n_tokens(m->vocab), m->core.hp.n_vocab);
        goto fail;
    }
    lf_str name;
    if (lf_gguf_get_str(m->g, "general.name", &name, NULL) == LFMRT_OK)
        snprintf(m->name, sizeof m->name, "%.*s", (int)(name.n > 255 ? 255 : name.n), name.p);
    for (size_t i = 0; i < lf_gguf_n_tensors(m->g); i++) {
        const lf_gguf_tensor *t = lf_gguf_tensor_at(m->g, i);
        m->n_params += t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
        m->weight_bytes += t->nbytes;
    }
    m->n_threads = p.n_threads > 0 ? p.n_threads : lf_cpu_physical_cores();
    if (!p.no_repack && (rc = lf_repack_start(m, err))) goto fail;
    *out = m;
    return LFMRT_OK;
fail:
    lfmrt_model_close(m);
    return rc;
}

void lfmrt_model_close(lfmrt_model *m) {
    if (!m) return;
    lf_vocab_destroy(m->vocab);
    lf_repack_stop(m);
    lf_gguf_close(m->g);
    free(m);
}

void lfmrt_model_finish_repack(lfmrt_model *m) { lf_repack_wait(m); }

void lfmrt_model_get_info(const lfmrt_model *m, lfmrt_model_info *info) {
    const lf_hparams *hp = &m->core.hp;
    memset(info, 0, sizeof *info);
    info->arch = m->core.arch;
    info->name = m->name;
    info->n_layers = hp->n_layer;
    info->n_embd = hp->n_embd;
    info->n_ff = hp->n_ff;
    info->n_head = hp->n_head;
    info->n_head_kv = hp->n_head_kv_max;
    info->head_dim = hp->head_dim;
    info->n_vocab = hp->n_vocab;
    info->n_ctx_train = hp->n_ctx_train;
    info->n_attn_layers = m->core.n_kv_layers;
    info->n_params = m->n_params;
    info->weight_bytes = m->weight_bytes;
    info->file_type = m->core.file_type;
}

char lfmrt_model_layer_kind(const lfmrt_model *m, int il) {
    if (il < 0 || il >= m->core.hp.n_layer) return '?';
    return m->core.layers[il].kind;
}

int32_t lfmrt_token_bos(const lfmrt_model *m) { return lf_vocab_bos(m->vocab); }
int32_t lfmrt_token_eos(const lfmrt_model *m) { return lf_vocab_eos(m->vocab); }
bool lfmrt_token_is_eog(const lfmrt_model *m, int32_t id) { return lf_vocab_is_eog(m->vocab, id); }
bool lfmrt_vocab_add_bos(const lfmrt_model *m) { return lf_vocab_add_bos(m->vocab); }
int32_t lfmrt_vocab_size(const lfmrt_model *m) { return m->core.hp.n_vocab; }

int lfmrt_tokenize(const lfmrt_model *m, const char *text, size_t len, bool parse_special, int32_t *ids,
                   size_t cap, size_t *n_out, lfmrt_err *err) {
    return lf_vocab_tokenize(m->vocab, text, len, parse_special, ids, cap, n_out, err);
}

int lfmrt_token_to_piece(const lfmrt_model *m, int32_t id, bool special, char *buf, size_t cap) {
    return lf_vocab_token_bytes(m->vocab, id, special, buf, cap);
}
