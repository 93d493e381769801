/* engine/repack.c - copying a model's matrices into the layout their kernels read fastest (kernels/pack.h,
 * x16: one row per vector lane), where the kernel table has a gemm for it, in a background thread.
 *
 * Why: the packed gemm needs no per-call transposition, so decode streams the weights with no
 * horizontal sums (the 4-row gemv was compute-bound at ~1.4x DRAM speed) and small batches (several
 * sequences) no longer pay a packing per call.
 *
 * Why in the background: the copy is a pass over all the weights (for LFM2-350M Q4_0, ~50 ms of two
 * cores, plus mapping in the new pages), which would otherwise add to the time to the first token.
 * Instead a thread at idle scheduling priority (SCHED_IDLE: it runs when a core would otherwise be idle,
 * so it never delays inference) packs one matrix after another; each matrix is published with a release
 * store of lf_mat.packed once complete, and lf_matmul reads that pointer once per call (acquire). Both
 * layouts give the same outputs bit for bit, so a forward pass does not care which one a matrix is in
 * at any moment. After a matrix is published its file pages are released (the mapping stays valid and
 * a late reader of the old layout faults them back in; the token embedding, which shares its rows with a
 * tied output head, reads single rows from it).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mapfile.h"
#include "engine/engine.h"
#include "kernels/pack.h"

enum { MAX_MATS = 2 + 9 * LF_MAX_LAYERS };

struct lf_repack {
    lf_mat *mat[MAX_MATS];
    size_t off[MAX_MATS];
    int n;
    uint8_t *buf;
    size_t bytes;
    pthread_t thread;
    int running; /* thread not joined yet */
    int stop;    /* atomic: close asks the thread to finish early */
};

static void add(lf_repack *j, const lf_kernels *k, lf_mat *w) {
    if (!w->data || w->packed || !k->t[w->type].gemm_packed || j->n >= MAX_MATS) return;
    if (!lf_pack_group_bytes(w->type, w->ne0) || w->ne1 < 1) return;
    for (int i = 0; i < j->n; i++)
        if (j->mat[i]->data == w->data) return; /* one tensor under two names: the second keeps the file layout */
    j->mat[j->n] = w;
    j->off[j->n] = j->bytes;
    j->bytes += lf_pack_bytes(w->type, w->ne0, w->ne1); /* a multiple of 64 */
    j->n++;
}

/* Work per system call, small: mapping pages in and releasing them hold the process's memory-map lock,
 * and a long hold would stall the inference threads' own allocations (measured: populating a whole
 * 70 MB matrix at once added ~45 ms to the first token of LFM2-350M Q8_0). */
#define CHUNK_GROUPS 64          /* groups packed (and their pages mapped in) per step, ~0.6-1.1 MB */
#define DROP_BYTES (1u << 20)    /* file pages released per call */

static void *packer(void *arg) {
    lf_repack *j = arg;
#if defined(SCHED_IDLE)
    const struct sched_param sp = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp); /* best effort: else normal priority */
#endif
    for (int i = 0; i < j->n && !__atomic_load_n(&j->stop, __ATOMIC_RELAXED); i++) {
        lf_mat *w = j->mat[i];
        const size_t gb = lf_pack_group_bytes(w->type, w->ne0);
        const int64_t ng = (w->ne1 + LF_PACK_ROWS - 1) / LF_PACK_ROWS;
        uint8_t *dst = j->buf + j->off[i];
        int64_t g = 0;
        for (; g < ng && !__atomic_load_n(&j->stop, __ATOMIC_RELAXED); g += CHUNK_GROUPS) {
            const int64_t g1 = g + CHUNK_GROUPS < ng ? g + CHUNK_GROUPS : ng;
            lf_anon_populate(dst + (size_t)g * gb, (size_t)(g1 - g) * gb);
            lf_pack_groups(w->type, w->ne0, w->ne1, w->data, w->row_bytes, dst, g, g1);
        }
        if (g < ng) break;
        w->group_bytes = gb;
        __atomic_store_n(&w->packed, dst, __ATOMIC_RELEASE);
        const size_t len = (size_t)w->ne1 * w->row_bytes;
        for (size_t o = 0; o < len; o += DROP_BYTES) lf_mapfile_drop(w->data + o, len - o < DROP_BYTES ? len - o : DROP_BYTES);
    }
    return NULL;
}

int lf_repack_start(lfmrt_model *m, lfmrt_err *err) {
    lf_repack *j = calloc(1, sizeof *j); /* ~55 KiB */
    if (!j) return lf_err(err, LFMRT_E_NOMEM, "out of memory");
    lf_model_core *c = &m->core;
    add(j, &m->kern, &c->output);
    for (int il = 0; il < c->hp.n_layer; il++) {
        lf_layer *L = &c->layers[il];
        lf_mat *mats[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->in_proj, &L->out_proj, &L->ffn_gate, &L->ffn_up,
                          &L->ffn_down};
        for (size_t i = 0; i < sizeof mats / sizeof *mats; i++) add(j, &m->kern, mats[i]);
    }
    if (j->n == 0) {
        free(j);
        return LFMRT_OK;
    }
    /* an optimisation, not a requirement: without the buffer or the thread the model keeps the file's
     * layout and works as with no_repack */
    j->buf = lf_anon_alloc(j->bytes);
    if (!j->buf || pthread_create(&j->thread, NULL, packer, j) != 0) {
        lf_anon_free(j->buf, j->bytes);
        free(j);
        return LFMRT_OK;
    }
    j->running = 1;
    m->repack = j;
    return LFMRT_OK;
}

void lf_repack_wait(lfmrt_model *m) {
    lf_repack *j = m->repack;
    if (!j || !j->running) return;
    pthread_join(j->thread, NULL);
    j->running = 0;
}

void lf_repack_stop(lfmrt_model *m) {
    lf_repack *j = m->repack;
    if (!j) return;
    __atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
    lf_repack_wait(m);
    lf_anon_free(j->buf, j->bytes);
    free(j);
    m->repack = NULL;
}

size_t lf_repack_bytes(const lfmrt_model *m) { return m->repack ? m->repack->bytes : 0; }
