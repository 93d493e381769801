/* tests/engine/test_session.c - sessions on a generated tiny LFM2 model:
 * batched prefill == token-by-token decode; no allocation inside prefill/decode (counted through
 * -Wl,--wrap); several sessions share one model; bad token ids and context overflow are rejected
 * without changing the state. */
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

static char g_path[4096];

static const char *model_path(uint32_t type) {
    snprintf(g_path, sizeof g_path, "%s/engine_tiny_%s.gguf", lf_test_tmp_dir(), lf_dtype_name(type));
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.preset = "tiny";
    p.wtype = type;
    p.seed = 42;
    lfmrt_err e = {0};
    int rc = lf_genmodel_write(&p, g_path, NULL, NULL, &e);
    if (rc) fprintf(stderr, "gen-model failed: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return g_path;
}

static lfmrt_model *open_model(uint32_t type, int threads) {
    lfmrt_model_params mp = lfmrt_model_default_params();
    mp.n_threads = threads;
    lfmrt_model *m = NULL;
    lfmrt_err e = {0};
    int rc = lfmrt_model_open(model_path(type), &mp, &m, &e);
    if (rc) fprintf(stderr, "open failed: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return m;
}

#define NTOK 40

static void make_tokens(int32_t *t, int n, int V) {
    uint64_t s = 7;
    t[0] = 1;
    for (int i = 1; i < n; i++) t[i] = 20 + (int32_t)(lf_test_rand(&s) % (uint64_t)(V - 20));
}

static void check_prefill_vs_decode(uint32_t type, lfmrt_kv_type kv, int threads, int n_batch, float tol) {
    lfmrt_model *m = open_model(type, threads);
    const int V = lfmrt_vocab_size(m);
    int32_t toks[NTOK];
    make_tokens(toks, NTOK, V);
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 128;
    sp.n_batch = n_batch;
    sp.kv_type = kv;
    lfmrt_session *a = NULL, *b = NULL;
    lfmrt_err e = {0};
    assert_int_equal(lfmrt_session_create(m, &sp, &a, &e), 0);
    assert_int_equal(lfmrt_session_create(m, &sp, &b, &e), 0);
    float *all = malloc(sizeof(float) * V * NTOK), *one = malloc(sizeof(float) * V);
    assert_int_equal(lfmrt_session_prefill(a, toks, NTOK, NULL, all, &e), 0);
    assert_int_equal(lfmrt_session_pos(a), NTOK);
    float maxd = 0;
    for (int i = 0; i < NTOK; i++) {
        assert_int_equal(lfmrt_session_decode(b, toks[i], one, &e), 0);
        for (int v = 0; v < V; v++) {
            float d = fabsf(one[v] - all[(size_t)i * V + v]);
            if (d > maxd) maxd = d;
            assert_false(isnan(one[v]));
        }
    }
    fprintf(stderr, "%s kv=%s threads=%d batch=%d: max |prefill - decode| logit diff %g\n", lf_dtype_name(type),
            kv == LFMRT_KV_F16 ? "f16" : "f32", threads, n_batch, maxd);
    assert_true(maxd <= tol);
    free(all);
    free(one);
    lfmrt_session_destroy(a);
    lfmrt_session_destroy(b);
    lfmrt_model_close(m);
}

static void test_prefill_equals_decode_f32(void **u) {
    (void)u;
    check_prefill_vs_decode(LF_DT_F32, LFMRT_KV_F32, 1, 512, 1e-4f);
    check_prefill_vs_decode(LF_DT_F32, LFMRT_KV_F32, 2, 7, 1e-4f); /* chunks of 7 tokens */
}

static void test_prefill_equals_decode_quant(void **u) {
    (void)u;
    check_prefill_vs_decode(LF_DT_Q8_0, LFMRT_KV_F16, 2, 512, 1e-3f);
    check_prefill_vs_decode(LF_DT_Q4_0, LFMRT_KV_F16, 1, 16, 1e-3f);
    check_prefill_vs_decode(LF_DT_F16, LFMRT_KV_F16, 2, 512, 1e-3f);
}

static void test_no_alloc_in_decode(void **u) {
    (void)u;
    lfmrt_model *m = open_model(LF_DT_Q8_0, 2);
    const int V = lfmrt_vocab_size(m);
    int32_t toks[NTOK];
    make_tokens(toks, NTOK, V);
    lfmrt_session *s = NULL;
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 128;
    lfmrt_err e = {0};
    assert_int_equal(lfmrt_session_create(m, &sp, &s, &e), 0);
    float *logits = malloc(sizeof(float) * V);
    long before = __atomic_load_n(&g_allocs, __ATOMIC_RELAXED);
    assert_int_equal(lfmrt_session_prefill(s, toks, 20, logits, NULL, &e), 0);
    for (int i = 20; i < NTOK; i++) assert_int_equal(lfmrt_session_decode(s, toks[i], logits, &e), 0);
    long after = __atomic_load_n(&g_allocs, __ATOMIC_RELAXED);
    assert_int_equal(after - before, 0);
    assert_true(before > 0); /* the counter works: model/session creation allocated */
    free(logits);
    lfmrt_session_destroy(s);
    lfmrt_model_close(m);
}

static void test_sessions_share_model(void **u) {
    (void)u;
    lfmrt_model *m = open_model(LF_DT_Q8_0, 1);
    const int V = lfmrt_vocab_size(m);
    int32_t toks[NTOK];
    make_tokens(toks, NTOK, V);
    lfmrt_session *s[3];
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 64;
    lfmrt_err e = {0};
    for (int i = 0; i < 3; i++) assert_int_equal(lfmrt_session_create(m, &sp, &s[i], &e), 0);
    float *l0 = malloc(sizeof(float) * V), *l1 = malloc(sizeof(float) * V), *l2 = malloc(sizeof(float) * V);
    /* interleave: s0 and s2 see the same tokens, s1 different ones; s0 == s2 exactly */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(lfmrt_session_decode(s[0], toks[i], l0, &e), 0);
        assert_int_equal(lfmrt_session_decode(s[1], toks[NTOK - 1 - i], l1, &e), 0);
        assert_int_equal(lfmrt_session_decode(s[2], toks[i], l2, &e), 0);
    }
    assert_memory_equal(l0, l2, sizeof(float) * V);
    assert_memory_not_equal(l0, l1, sizeof(float) * V);
    /* reset gives the same result again */
    lfmrt_session_reset(s[0]);
    for (int i = 0; i < 10; i++) assert_int_equal(lfmrt_session_decode(s[0], toks[i], l1, &e), 0);
    assert_memory_equal(l1, l2, sizeof(float) * V);
    free(l0);
    free(l1);
    free(l2);
    for (int i = 0; i < 3; i++) lfmrt_session_destroy(s[i]);
    lfmrt_model_close(m);
}

static void test_bad_input_rejected(void **u) {
    (void)u;
    lfmrt_model *m = open_model(LF_DT_F32, 1);
    const int V = lfmrt_vocab_size(m);
    lfmrt_session *s = NULL;
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 8;
    lfmrt_err e = {0};
    assert_int_equal(lfmrt_session_create(m, &sp, &s, &e), 0);
    float *l = malloc(sizeof(float) * V);
    int32_t bad[2] = {1, V};
    assert_int_equal(lfmrt_session_prefill(s, bad, 2, l, NULL, &e), LFMRT_E_RANGE);
    assert_non_null(strstr(e.msg, "out of range"));
    assert_int_equal(lfmrt_session_pos(s), 0);
    int32_t many[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(lfmrt_session_prefill(s, many, 9, l, NULL, &e), LFMRT_E_RANGE);
    assert_non_null(strstr(e.msg, "context full"));
    assert_int_equal(lfmrt_session_prefill(s, many, 8, l, NULL, &e), 0);
    assert_int_equal(lfmrt_session_decode(s, 1, l, &e), LFMRT_E_RANGE);
    sp.n_ctx = 0;
    lfmrt_session *s2 = NULL;
    assert_int_equal(lfmrt_session_create(m, &sp, &s2, &e), LFMRT_E_INVALID);
    assert_null(s2);
    free(l);
    lfmrt_session_destroy(s);
    lfmrt_model_close(m);
}

/* lfmrt_session_kv_read_bytes: K and V of every attention layer, per cached position, in the cache's
 * type, clamped to the context; f32 doubles it */
static void test_kv_read_bytes(void **u) {
    (void)u;
    lfmrt_model *m = open_model(LF_DT_F32, 1);
    lfmrt_model_info mi;
    lfmrt_model_get_info(m, &mi);
    assert_true(mi.n_attn_layers > 0);
    const uint64_t per_pos = (uint64_t)mi.n_attn_layers * 2 * mi.n_head_kv * mi.head_dim;
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 32;
    lfmrt_err e = {0};
    lfmrt_session *s16 = NULL, *s32 = NULL;
    assert_int_equal(lfmrt_session_create(m, &sp, &s16, &e), 0);
    sp.kv_type = LFMRT_KV_F32;
    assert_int_equal(lfmrt_session_create(m, &sp, &s32, &e), 0);
    assert_int_equal(lfmrt_session_kv_read_bytes(s16, 0), 0);
    assert_int_equal(lfmrt_session_kv_read_bytes(s16, 1), per_pos * 2);
    assert_int_equal(lfmrt_session_kv_read_bytes(s16, 20), per_pos * 2 * 20);
    assert_int_equal(lfmrt_session_kv_read_bytes(s32, 20), per_pos * 4 * 20);
    assert_int_equal(lfmrt_session_kv_read_bytes(s16, 1000), per_pos * 2 * 32); /* at most n_ctx */
    lfmrt_session_destroy(s16);
    lfmrt_session_destroy(s32);
    lfmrt_model_close(m);
}

static void test_open_errors(void **u) {
    (void)u;
    lfmrt_model *m = NULL;
    lfmrt_err e = {0};
    assert_int_equal(lfmrt_model_open("/nonexistent/x.gguf", NULL, &m, &e), LFMRT_E_IO);
    assert_null(m);
    assert_non_null(strstr(e.msg, "/nonexistent/x.gguf"));
    const char *d = lf_test_data_dir("engine open of a vocab-only GGUF");
    if (d) {
        char p[4096];
        snprintf(p, sizeof p, "%s/vectors/llamacpp/ggml-vocab-gpt-2.gguf", d);
        int rc = lfmrt_model_open(p, NULL, &m, &e);
        assert_true(rc == LFMRT_E_UNSUPPORTED || rc == LFMRT_E_NOTFOUND);
        assert_null(m);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefill_equals_decode_f32),
        cmocka_unit_test(test_prefill_equals_decode_quant),
        cmocka_unit_test(test_no_alloc_in_decode),
        cmocka_unit_test(test_sessions_share_model),
        cmocka_unit_test(test_bad_input_rejected),
        cmocka_unit_test(test_kv_read_bytes),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
