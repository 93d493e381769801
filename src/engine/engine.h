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
};

struct lfmrt_session {
    const lfmrt_model *m;
    lf_pool *pool;
    lf_fwd_state st;
};

#endif
