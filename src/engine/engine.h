/* engine/engine.h - the structs behind the public handles (internal to src/engine). */
#ifndef LF_ENGINE_H
#define LF_ENGINE_H

#include "lfmrt/lfmrt.h"
#include "models/model.h"
#include "tokenizer/vocab.h"

struct lfmrt_model {
    lf_gguf *g;          /* owns the read-only mapping; weights point into it */
    lf_vocab *vocab;
    lf_kernels kern;
    const lf_arch *arch;
    lf_model_core core;
    int n_threads;
    char name[256];
    int64_t n_params;
    uint64_t weight_bytes;
    struct lf_repack *repack; /* background weight repacking (engine/repack.c), or NULL */
};

struct lfmrt_session {
    const lfmrt_model *m;
    lf_pool *pool;
    lf_fwd_state st;
};

/* Background repacking (engine/repack.c): starts a thread that copies every matrix of m->core whose type
 * the kernels read in the x16 layout (kernels/pack.h) and publishes each copy in its lf_mat.packed.
 * LFMRT_E_NOMEM only if its small work list cannot be allocated; without the copy buffer or the thread the
 * model is left unchanged (file layout), and LFMRT_OK returned. wait joins the
 * thread (all copies published); stop asks it to finish early, joins it and frees the copies (model
 * close, after every session is gone); bytes: the size of the copies (0 if none). */
typedef struct lf_repack lf_repack;
int lf_repack_start(struct lfmrt_model *m, lfmrt_err *err);
void lf_repack_wait(struct lfmrt_model *m);
void lf_repack_stop(struct lfmrt_model *m);
size_t lf_repack_bytes(const struct lfmrt_model *m);

#endif
