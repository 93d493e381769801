/* tests/models/model_fixture.h - helpers shared by the per-architecture model tests: generate a tiny
 * model (gen-model), load it through the architecture registry (no vocabulary needed), run forward
 * chunks, and patch a file's header bytes to make malformed variants. Header-only (static functions). */
#ifndef LF_TESTS_MODEL_FIXTURE_H
#define LF_TESTS_MODEL_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/dtype.h"
#include "format/gguf.h"
#include "kernels/kernels.h"
#include "models/genmodel.h"
#include "models/model.h"
#include "testutil.h"

typedef struct fx_model {
    lf_gguf *g;
    lf_model_core core;
    const lf_arch *arch;
    lf_kernels k;
} fx_model;

static char fx_path_buf[4096];

/* Generates arch/preset tiny with weight type wt (untied when !tied) into the test tmp dir. */
static const char *fx_gen(const char *arch, uint32_t wt, int tied, const char *tag) {
    snprintf(fx_path_buf, sizeof fx_path_buf, "%s/models_%s_%s_%s.gguf", lf_test_tmp_dir(), arch, lf_dtype_name(wt), tag);
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.arch = arch;
    p.wtype = wt;
    p.tied = tied;
    p.seed = 5;
    lfmrt_err e = {0};
    if (lf_genmodel_write(&p, fx_path_buf, NULL, NULL, &e) != LFMRT_OK) fail_msg("gen-model: %s", e.msg);
    return fx_path_buf;
}

/* Opens and loads; returns the status, e gets the message. */
static int fx_load(fx_model *fm, const char *path, lfmrt_err *e) {
    memset(fm, 0, sizeof *fm);
    int rc = lf_gguf_open(path, &fm->g, e);
    if (rc) return rc;
    lf_str a;
    if ((rc = lf_gguf_get_str(fm->g, "general.architecture", &a, e))) return rc;
    fm->arch = lf_arch_find(a.p, (size_t)a.n);
    if (!fm->arch) return LFMRT_E_UNSUPPORTED;
    lf_kernels_init_ref(&fm->k);
    return fm->arch->load(&fm->core, fm->g, e);
}

static void fx_close(fx_model *fm) {
    lf_gguf_close(fm->g);
    memset(fm, 0, sizeof *fm);
}

/* All-position logits of tokens[0..n) fed in chunks of `chunk` tokens into a fresh state
 * (n_batch = chunk); out is [n][V]. */
static void fx_run(const fx_model *fm, const int32_t *tokens, int n, int chunk, int n_ctx, bool kv_f16, float *out) {
    lf_fwd_state st;
    lfmrt_err e = {0};
    if (lf_state_init(&st, &fm->core, &fm->k, NULL, n_ctx, chunk, kv_f16, &e)) fail_msg("state: %s", e.msg);
    const int V = fm->core.hp.n_vocab;
    for (int done = 0; done < n;) {
        const int T = n - done < chunk ? n - done : chunk;
        if (fm->arch->forward(&fm->core, &st, tokens + done, T, out + (size_t)done * V, true, &e))
            fail_msg("forward: %s", e.msg);
        st.pos += T;
        done += T;
    }
    lf_state_deinit(&st);
}

static float fx_max_diff(const float *a, const float *b, size_t n) {
    float d = 0.0f;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) return INFINITY;
        const float x = fabsf(a[i] - b[i]);
        if (x > d) d = x;
    }
    return d;
}

/* Prefill of n tokens in one chunk == token-by-token (f32 and f16 KV) == chunks of 7 (f32 KV), to tol
 * (f32 KV) / tol16 (f16 KV). */
static void fx_check_prefill_decode(const fx_model *fm, int n, float tol, float tol16) {
    const int V = fm->core.hp.n_vocab;
    int32_t *tok = malloc((size_t)n * sizeof *tok);
    float *a = malloc((size_t)n * V * sizeof *a), *b = malloc((size_t)n * V * sizeof *b);
    assert_non_null(tok);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t s = 99;
    for (int i = 0; i < n; i++) tok[i] = (int32_t)(lf_test_rand(&s) % (uint64_t)V);
    for (int f16 = 0; f16 < 2; f16++) {
        fx_run(fm, tok, n, n, n, f16, a);
        fx_run(fm, tok, n, 1, n, f16, b);
        float d = fx_max_diff(a, b, (size_t)n * V);
        if (!(d <= (f16 ? tol16 : tol))) fail_msg("%s kv %s: batch vs decode differ by %g", fm->core.arch, f16 ? "f16" : "f32", d);
        if (f16) continue;
        fx_run(fm, tok, n, 7, n, f16, b);
        d = fx_max_diff(a, b, (size_t)n * V);
        if (!(d <= tol)) fail_msg("%s kv f32: batch vs chunks of 7 differ by %g", fm->core.arch, d);
    }
    fx_run(fm, tok, n, n, n, false, a); /* f32 KV logits for the spread check below */
    /* the logits are not degenerate: some spread at every position */
    for (int t = 0; t < n; t++) {
        float mn = INFINITY, mx = -INFINITY;
        for (int v = 0; v < V; v++) {
            const float x = a[(size_t)t * V + v];
            if (x < mn) mn = x;
            if (x > mx) mx = x;
        }
        assert_true(mx - mn > 1.0f);
    }
    free(tok);
    free(a);
    free(b);
}

/* Copies src to dst replacing the first occurrence (in the first 1 MiB) of `find` by `repl` (same
 * length), or, when ne0 >= 0, overwriting the u64 ne[0] after the tensor name `find` in the tensor
 * info (name string, then u32 n_dims, then ne[]) with ne0. */
static void fx_patch(const char *src, const char *dst, const char *find, const char *repl, int64_t ne0) {
    size_t len;
    char *buf = lf_test_read_file(src, &len);
    assert_non_null(buf);
    const size_t fl = strlen(find), lim = len < (1u << 20) ? len : (1u << 20);
    size_t at = (size_t)-1;
    for (size_t i = 0; i + fl <= lim; i++)
        if (!memcmp(buf + i, find, fl)) {
            at = i;
            break;
        }
    if (at == (size_t)-1) fail_msg("patch: '%s' not found in %s", find, src);
    if (repl) {
        assert_int_equal(strlen(repl), fl);
        memcpy(buf + at, repl, fl);
    } else {
        uint64_t v = (uint64_t)ne0;
        memcpy(buf + at + fl + 4, &v, 8);
    }
    FILE *f = fopen(dst, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
}

/* Loading dst must fail with status `want` and a message containing `sub`. */
static void fx_expect_load_error(const char *path, int want, const char *sub) {
    fx_model fm;
    lfmrt_err e = {0};
    int rc = fx_load(&fm, path, &e);
    if (rc != want) fail_msg("%s: status %d, want %d (%s)", path, rc, want, e.msg);
    if (!strstr(e.msg, sub)) fail_msg("message '%s' lacks '%s'", e.msg, sub);
    fx_close(&fm);
    unlink(path);
}

#endif
