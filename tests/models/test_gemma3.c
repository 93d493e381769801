/* tests/models/test_gemma3.c - Gemma3 on generated tiny models (6 layers, window 16, MQA, hd 64,
 * soft-cap 30): sliding-layer pattern and per-layer RoPE bases, Q scaled after RoPE, embedding scale
 * sqrtf(H), sandwich norms loaded; a 26-token sequence (crossing the window) gives the same logits in
 * one batch (full-size cache), token by token (ring cache of 16 rows) and in chunks of 7 (22 rows); the
 * window changes results only after it is crossed; the KV cache of sliding layers is O(window);
 * soft-capping bounds the logits; malformed files are rejected with precise messages. */
#include "model_fixture.h"

#include "lfmrt/lfmrt.h"

static void test_load(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("gemma3", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    const lf_hparams *hp = &fm.core.hp;
    assert_string_equal(fm.arch->name, "gemma3");
    assert_int_equal(hp->n_layer, 6);
    assert_int_equal(hp->head_dim, 64);
    assert_int_equal(hp->n_head_kv_max, 1);
    assert_int_equal(hp->n_swa, 16);
    for (int il = 0; il < 6; il++) assert_int_equal(hp->swa_layer[il], il != 5);
    assert_true(hp->rope_base == 1e6f && hp->rope_base_swa == 10000.0f);
    assert_true(hp->q_scale == 0.125f && hp->f_attn_scale == 1.0f);
    assert_true(hp->embd_scale == sqrtf(256.0f));
    assert_true(hp->final_softcap == 30.0f);
    assert_int_equal(fm.core.act, LF_ACT_GELU);
    for (int il = 0; il < 6; il++) {
        assert_non_null(fm.core.layers[il].post_attn_norm);
        assert_non_null(fm.core.layers[il].post_ffw_norm);
        assert_non_null(fm.core.layers[il].q_norm);
    }
    fx_close(&fm);
}

static void test_prefill_decode(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("gemma3", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    fx_check_prefill_decode(&fm, 26, 2e-4f, 2e-4f);
    fx_close(&fm);
    if (fx_load(&fm, fx_gen("gemma3", LF_DT_Q8_0, 0, "u"), &e)) fail_msg("%s", e.msg);
    fx_check_prefill_decode(&fm, 26, 2e-4f, 2e-4f);
    fx_close(&fm);
}

/* Widening the window leaves positions < 16 unchanged and changes later ones. */
static void test_window_matters(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("gemma3", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    const int n = 24, V = fm.core.hp.n_vocab;
    int32_t tok[24];
    for (int i = 0; i < n; i++) tok[i] = 200 + 37 * i;
    float *a = malloc((size_t)n * V * sizeof *a), *b = malloc((size_t)n * V * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    fx_run(&fm, tok, n, 1, n, false, a);
    fm.core.hp.n_swa = 1000;
    fx_run(&fm, tok, n, 1, n, false, b);
    assert_true(fx_max_diff(a, b, (size_t)16 * V) < 1e-5f);
    assert_true(fx_max_diff(a + (size_t)16 * V, b + (size_t)16 * V, (size_t)(n - 16) * V) > 1e-3f);
    /* soft-cap: every logit strictly inside (-30, 30) */
    for (size_t i = 0; i < (size_t)n * V; i++) assert_true(fabsf(a[i]) < 30.0f);
    free(a);
    free(b);
    fx_close(&fm);
}

/* Sliding layers hold n_swa + n_batch - 1 rows whatever n_ctx is; the global layer holds n_ctx. */
static void test_kv_memory(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("gemma3", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    lf_fwd_state st;
    assert_int_equal(lf_state_init(&st, &fm.core, &fm.k, NULL, 4096, 8, true, &e), LFMRT_OK);
    const size_t row = 64 * 2; /* nkv * hd f16 */
    assert_int_equal(st.kv.cap[0], 16 + 8 - 1);
    assert_int_equal(st.kv.cap[5], 4096);
    assert_int_equal(lf_kv_bytes(&st.kv), (5 * 2 * 23 + 2 * 4096) * row);
    lf_state_deinit(&st);
    fx_close(&fm);
}

/* What decode reads (lfmrt_session_kv_read_bytes): a sliding layer at most its window of 16 positions,
 * the global layer every position; 256 bytes per layer and position (K and V, 64 halves each). */
static void test_kv_read_bytes(void **s) {
    (void)s;
    lfmrt_model *m = NULL;
    lfmrt_err e = {0};
    if (lfmrt_model_open(fx_gen("gemma3", LF_DT_F32, 1, "t"), NULL, &m, &e)) fail_msg("%s", e.msg);
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 128;
    sp.n_batch = 8;
    lfmrt_session *ss = NULL;
    if (lfmrt_session_create(m, &sp, &ss, &e)) fail_msg("%s", e.msg);
    assert_int_equal(lfmrt_session_kv_read_bytes(ss, 10), 6 * 10 * 256);
    assert_int_equal(lfmrt_session_kv_read_bytes(ss, 16), 6 * 16 * 256);
    assert_int_equal(lfmrt_session_kv_read_bytes(ss, 100), (5 * 16 + 100) * 256);
    lfmrt_session_destroy(ss);
    lfmrt_model_close(m);
}

static void test_bad_files(void **s) {
    (void)s;
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "%s", fx_gen("gemma3", LF_DT_F32, 1, "bad"));
    snprintf(dst, sizeof dst, "%s/models_gemma3_patched.gguf", lf_test_tmp_dir());
    fx_patch(src, dst, "blk.4.post_ffw_norm.weight", "blk.4.post_ffw_norX.weight", -1);
    fx_expect_load_error(dst, LFMRT_E_NOTFOUND, "tensor 'blk.4.post_ffw_norm.weight' not found");
    fx_patch(src, dst, "blk.0.post_attention_norm.weight", NULL, 128);
    fx_expect_load_error(dst, LFMRT_E_SHAPE, "tensor 'blk.0.post_attention_norm.weight': expected shape");
    fx_patch(src, dst, "blk.2.attn_k.weight", NULL, 128);
    fx_expect_load_error(dst, LFMRT_E_SHAPE, "tensor 'blk.2.attn_k.weight': expected shape");
    /* without the window key every layer is global */
    fx_patch(src, dst, "gemma3.attention.sliding_window", "gemma3.attention.sliding_windoX", -1);
    fx_model fm;
    lfmrt_err e = {0};
    assert_int_equal(fx_load(&fm, dst, &e), LFMRT_OK);
    assert_int_equal(fm.core.hp.n_swa, 0);
    for (int il = 0; il < 6; il++) assert_false(fm.core.hp.swa_layer[il]);
    fx_close(&fm);
    unlink(dst);
    unlink(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),         cmocka_unit_test(test_prefill_decode),
        cmocka_unit_test(test_window_matters), cmocka_unit_test(test_kv_memory),
        cmocka_unit_test(test_kv_read_bytes), cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
