/* tests/engine/test_batch.c - lfmrt_batch_decode: n sessions at different positions advanced in one
 * forward pass give the logits each session gets decoding alone (bit-identical for Q8_0/Q4_0 weights,
 * whose gemm and gemv share the per-output contract; within 1e-4 for F32), for LFM2 (conv + attention),
 * Qwen3, Gemma3 (sliding window crossed) and LLaMA; the sessions' states advance as with
 * lfmrt_session_decode (checked by decoding alone afterwards); no allocation per call (counted through
 * -Wl,--wrap); error cases leave every session unchanged. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "lfmrt/lfmrt.h"
#include "models/genmodel.h"

/* allocation counters (the test links with --wrap=malloc,calloc,realloc) */
static long g_allocs;
void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n) {
    __atomic_add_fetch(&g_allocs, 1, __ATOMIC_RELAXED);
    return __real_malloc(n);
}
void *__wrap_calloc(size_t a, size_t b) {
    __atomic_add_fetch(&g_allocs, 1, __ATOMIC_RELAXED);
    return __real_calloc(a, b);
}
void *__wrap_realloc(void *p, size_t n) {
    __atomic_add_fetch(&g_allocs, 1, __ATOMIC_RELAXED);
    return __real_realloc(p, n);
}

static lfmrt_model *open_model(const char *arch, uint32_t type, uint64_t seed, int threads) {
    char path[4096];
    snprintf(path, sizeof path, "%s/batch_%s_%s_%llu.gguf", lf_test_tmp_dir(), arch, lf_dtype_name(type),
             (unsigned long long)seed);
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.arch = arch;
    p.preset = "tiny";
    p.wtype = type;
    p.seed = seed;
    lfmrt_err e = {0};
    int rc = lf_genmodel_write(&p, path, NULL, NULL, &e);
    if (rc) fprintf(stderr, "gen-model failed: %s\n", e.msg);
    assert_int_equal(rc, 0);
    lfmrt_model_params mp = lfmrt_model_default_params();
    mp.n_threads = threads;
    lfmrt_model *m = NULL;
    rc = lfmrt_model_open(path, &mp, &m, &e);
    if (rc) fprintf(stderr, "open failed: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return m;
}

#define MAXS 5
#define STEPS 6
#define MAXP 40

static int32_t tok(int V, uint64_t *s) { return 20 + (int32_t)(lf_test_rand(s) % (uint64_t)(V - 20)); }

/* n sessions (batch order: session i has prompt length plen[i]; n_ctx differs per session) advanced
 * STEPS times by batch decode; twins decode the same tokens alone. */
static void check_batch(const char *arch, uint32_t type, lfmrt_kv_type kv, int threads, float tol) {
    lfmrt_model *m = open_model(arch, type, 42, threads);
    const int V = lfmrt_vocab_size(m);
    static const int plen[MAXS] = {29, 3, 17, 11, 24}; /* gemma3 tiny: window 16, crossed by 3 of them */
    float *bl = malloc(sizeof(float) * (size_t)V * MAXS), *one = malloc(sizeof(float) * (size_t)V);
    lfmrt_err e = {0};
    float maxd = 0;
    for (int n = 1; n <= MAXS; n++) {
        lfmrt_session *s[MAXS], *r[MAXS];
        int32_t prompt[MAXP];
        uint64_t seed = 100 + (uint64_t)n;
        for (int i = 0; i < n; i++) {
            lfmrt_session_params sp = lfmrt_session_default_params();
            sp.n_ctx = 64 + 16 * i;
            sp.n_batch = 8 + i; /* sliding-window rings of different sizes */
            sp.kv_type = kv;
            assert_int_equal(lfmrt_session_create(m, &sp, &s[i], &e), 0);
            assert_int_equal(lfmrt_session_create(m, &sp, &r[i], &e), 0);
            prompt[0] = 1;
            for (int j = 1; j < plen[i]; j++) prompt[j] = tok(V, &seed);
            assert_int_equal(lfmrt_session_prefill(s[i], prompt, plen[i], NULL, NULL, &e), 0);
            assert_int_equal(lfmrt_session_prefill(r[i], prompt, plen[i], NULL, NULL, &e), 0);
        }
        for (int step = 0; step < STEPS; step++) {
            int32_t toks[MAXS];
            for (int i = 0; i < n; i++) toks[i] = tok(V, &seed);
            int rc = lfmrt_batch_decode(s, toks, n, bl, &e);
            if (rc) fprintf(stderr, "batch decode: %s\n", e.msg);
            assert_int_equal(rc, 0);
            for (int i = 0; i < n; i++) {
                assert_int_equal(lfmrt_session_pos(s[i]), plen[i] + step + 1);
                assert_int_equal(lfmrt_session_decode(r[i], toks[i], one, &e), 0);
                const float *b = bl + (size_t)i * V;
                if (tol == 0.0f) {
                    if (memcmp(b, one, sizeof(float) * (size_t)V) != 0)
                        fprintf(stderr, "%s %s n=%d step %d session %d: logits differ\n", arch, lf_dtype_name(type),
                                n, step, i);
                    assert_memory_equal(b, one, sizeof(float) * (size_t)V);
                }
                for (int v = 0; v < V; v++) {
                    assert_false(isnan(b[v]));
                    const float d = fabsf(b[v] - one[v]);
                    if (d > maxd) maxd = d;
                }
            }
        }
        /* the batched sessions' states advanced as decode's: one more token alone matches the twin */
        for (int i = 0; i < n; i++) {
            const int32_t t = tok(V, &seed);
            float *b = bl;
            assert_int_equal(lfmrt_session_decode(s[i], t, b, &e), 0);
            assert_int_equal(lfmrt_session_decode(r[i], t, one, &e), 0);
            for (int v = 0; v < V; v++) {
                const float d = fabsf(b[v] - one[v]);
                if (d > maxd) maxd = d;
            }
            if (tol == 0.0f) assert_memory_equal(b, one, sizeof(float) * (size_t)V);
            lfmrt_session_destroy(s[i]);
            lfmrt_session_destroy(r[i]);
        }
    }
    fprintf(stderr, "%s %s threads=%d: max |batch - alone| logit diff %g\n", arch, lf_dtype_name(type), threads,
            (double)maxd);
    assert_true(maxd <= tol);
    free(bl);
    free(one);
    lfmrt_model_close(m);
}

static void test_lfm2_quant(void **u) {
    (void)u;
    check_batch("lfm2", LF_DT_Q8_0, LFMRT_KV_F16, 2, 0.0f);
    check_batch("lfm2", LF_DT_Q4_0, LFMRT_KV_F16, 1, 0.0f);
}

static void test_lfm2_f32(void **u) {
    (void)u;
    check_batch("lfm2", LF_DT_F32, LFMRT_KV_F32, 2, 1e-4f);
}

static void test_qwen3(void **u) {
    (void)u;
    check_batch("qwen3", LF_DT_Q8_0, LFMRT_KV_F16, 2, 0.0f);
    check_batch("qwen3", LF_DT_F32, LFMRT_KV_F32, 1, 1e-4f);
}

static void test_gemma3(void **u) {
    (void)u;
    check_batch("gemma3", LF_DT_Q4_0, LFMRT_KV_F16, 2, 0.0f);
    check_batch("gemma3", LF_DT_F32, LFMRT_KV_F32, 2, 1e-4f);
}

static void test_llama(void **u) {
    (void)u;
    check_batch("llama", LF_DT_Q8_0, LFMRT_KV_F16, 1, 0.0f);
    check_batch("llama", LF_DT_F32, LFMRT_KV_F32, 2, 1e-4f);
}

static void test_no_alloc(void **u) {
    (void)u;
    lfmrt_model *m = open_model("lfm2", LF_DT_Q8_0, 42, 2);
    const int V = lfmrt_vocab_size(m);
    lfmrt_session *s[4];
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 64;
    lfmrt_err e = {0};
    int32_t toks[4] = {1, 30, 40, 50};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(lfmrt_session_create(m, &sp, &s[i], &e), 0);
        assert_int_equal(lfmrt_session_prefill(s[i], toks, i + 1, NULL, NULL, &e), 0);
    }
    float *l = malloc(sizeof(float) * (size_t)V * 4);
    const long before = __atomic_load_n(&g_allocs, __ATOMIC_RELAXED);
    for (int step = 0; step < 8; step++) assert_int_equal(lfmrt_batch_decode(s, toks, 4, l, &e), 0);
    const long after = __atomic_load_n(&g_allocs, __ATOMIC_RELAXED);
    assert_int_equal(after - before, 0);
    assert_true(before > 0);
    free(l);
    for (int i = 0; i < 4; i++) lfmrt_session_destroy(s[i]);
    lfmrt_model_close(m);
}

static void test_errors(void **u) {
    (void)u;
    lfmrt_model *m = open_model("lfm2", LF_DT_Q8_0, 42, 1);
    lfmrt_model *m2 = open_model("lfm2", LF_DT_Q8_0, 7, 1);
    const int V = lfmrt_vocab_size(m);
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 16;
    sp.n_batch = 3;
    lfmrt_session *s[4], *other = NULL;
    lfmrt_err e = {0};
    for (int i = 0; i < 4; i++) assert_int_equal(lfmrt_session_create(m, &sp, &s[i], &e), 0);
    assert_int_equal(lfmrt_session_create(m2, &sp, &other, &e), 0);
    int32_t toks[4] = {1, 2, 3, 4};
    float *l = malloc(sizeof(float) * (size_t)V * 4);

    assert_int_equal(lfmrt_batch_decode(s, toks, 0, l, &e), LFMRT_E_INVALID);
    assert_int_equal(lfmrt_batch_decode(s, toks, -1, l, &e), LFMRT_E_INVALID);
    assert_int_equal(lfmrt_batch_decode(s, toks, 2, NULL, &e), LFMRT_E_INVALID);
    /* 4 sequences exceed session 0's batch scratch of 3 rows */
    assert_int_equal(lfmrt_batch_decode(s, toks, 4, l, &e), LFMRT_E_RANGE);
    assert_non_null(strstr(e.msg, "n_batch 3"));
    /* different models */
    lfmrt_session *mixed[2] = {s[0], other};
    assert_int_equal(lfmrt_batch_decode(mixed, toks, 2, l, &e), LFMRT_E_INVALID);
    assert_non_null(strstr(e.msg, "different model"));
    /* duplicate */
    lfmrt_session *dup[3] = {s[0], s[1], s[0]};
    assert_int_equal(lfmrt_batch_decode(dup, toks, 3, l, &e), LFMRT_E_INVALID);
    assert_non_null(strstr(e.msg, "same session"));
    /* token out of range */
    int32_t bad[2] = {1, V};
    assert_int_equal(lfmrt_batch_decode(s, bad, 2, l, &e), LFMRT_E_RANGE);
    assert_non_null(strstr(e.msg, "out of range"));
    /* a session at its context limit */
    int32_t fill[16];
    for (int i = 0; i < 16; i++) fill[i] = 1 + i;
    assert_int_equal(lfmrt_session_prefill(s[2], fill, 16, NULL, NULL, &e), 0);
    assert_int_equal(lfmrt_batch_decode(s, toks, 3, l, &e), LFMRT_E_RANGE);
    assert_non_null(strstr(e.msg, "session 2: context full"));
    /* nothing changed by the rejected calls */
    assert_int_equal(lfmrt_session_pos(s[0]), 0);
    assert_int_equal(lfmrt_session_pos(s[1]), 0);
    assert_int_equal(lfmrt_session_pos(s[2]), 16);
    /* and a valid batch still works */
    assert_int_equal(lfmrt_batch_decode(s, toks, 2, l, &e), 0);
    assert_int_equal(lfmrt_session_pos(s[0]), 1);
    assert_int_equal(lfmrt_session_pos(s[1]), 1);
    free(l);
    for (int i = 0; i < 4; i++) lfmrt_session_destroy(s[i]);
    lfmrt_session_destroy(other);
    lfmrt_model_close(m);
    lfmrt_model_close(m2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lfm2_quant), cmocka_unit_test(test_lfm2_f32), cmocka_unit_test(test_qwen3),
        cmocka_unit_test(test_gemma3),     cmocka_unit_test(test_llama),    cmocka_unit_test(test_no_alloc),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
