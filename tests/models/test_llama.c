/* tests/models/test_llama.c - LLaMA on generated tiny models: keys, interleaved ("norm") RoPE, no Q/K
 * norms, tied / untied heads, batched prefill == token-by-token decode, malformed files rejected with
 * precise messages (including biases, which are unsupported). */
#include "model_fixture.h"

static void test_load(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("llama", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    const lf_hparams *hp = &fm.core.hp;
    assert_string_equal(fm.arch->name, "llama");
    assert_int_equal(hp->n_layer, 4);
    assert_int_equal(hp->head_dim, 32);
    assert_int_equal(hp->n_head, 8);
    assert_int_equal(hp->n_head_kv_max, 4);
    assert_int_equal(hp->rope_type, LF_ROPE_NORM);
    assert_true(hp->rope_base == 10000.0f && hp->eps == 1e-5f);
    assert_true(fabsf(hp->f_attn_scale - 1.0f / sqrtf(32.0f)) < 1e-7f);
    assert_true(fm.core.tied);
    for (int il = 0; il < hp->n_layer; il++) assert_null(fm.core.layers[il].q_norm);
    fx_close(&fm);
}

static void test_prefill_decode(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("llama", LF_DT_F32, 0, "u"), &e)) fail_msg("%s", e.msg);
    assert_false(fm.core.tied);
    fx_check_prefill_decode(&fm, 16, 1e-4f, 1e-4f);
    fx_close(&fm);
    if (fx_load(&fm, fx_gen("llama", LF_DT_Q4_0, 1, "t"), &e)) fail_msg("%s", e.msg);
    fx_check_prefill_decode(&fm, 16, 1e-4f, 1e-4f);
    fx_close(&fm);
}

/* The interleaved rotation differs from NEOX: a model read as llama must not equal one whose RoPE is
 * switched to NEOX (guards against the rope_type being ignored). */
static void test_rope_kind_matters(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("llama", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    const int n = 6, V = fm.core.hp.n_vocab;
    const int32_t tok[6] = {5, 300, 400, 500, 600, 700};
    float *a = malloc((size_t)n * V * sizeof *a), *b = malloc((size_t)n * V * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    fx_run(&fm, tok, n, n, n, false, a);
    fm.core.hp.rope_type = LF_ROPE_NEOX;
    fx_run(&fm, tok, n, n, n, false, b);
    assert_true(fx_max_diff(a, b, (size_t)V) < 1e-6f); /* position 0: no rotation */
    assert_true(fx_max_diff(a, b, (size_t)n * V) > 1e-2f);
    free(a);
    free(b);
    fx_close(&fm);
}

static void test_bad_files(void **s) {
    (void)s;
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "%s", fx_gen("llama", LF_DT_F32, 1, "bad"));
    snprintf(dst, sizeof dst, "%s/models_llama_patched.gguf", lf_test_tmp_dir());
    fx_patch(src, dst, "blk.1.attn_norm.weight", "blk.1.attn_output.bias", -1); /* same length */
    fx_expect_load_error(dst, LFMRT_E_UNSUPPORTED, "tensor 'blk.1.attn_output.bias': biases are not supported for llama");
    fx_patch(src, dst, "blk.3.ffn_down.weight", NULL, 256);
    fx_expect_load_error(dst, LFMRT_E_SHAPE, "tensor 'blk.3.ffn_down.weight': expected shape");
    fx_patch(src, dst, "llama.rope.dimension_count", "llama.rope.dimension_counX", -1);
    fx_model fm;
    lfmrt_err e = {0};
    assert_int_equal(fx_load(&fm, dst, &e), LFMRT_OK); /* optional: defaults to the head dim */
    assert_int_equal(fm.core.hp.n_rot, 32);
    fx_close(&fm);
    fx_patch(src, dst, "llama.block_count", "llama.block_counX", -1);
    fx_expect_load_error(dst, LFMRT_E_NOTFOUND, "key 'llama.block_count' not found");
    unlink(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_prefill_decode),
        cmocka_unit_test(test_rope_kind_matters),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
