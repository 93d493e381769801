/* tests/models/test_llama.c - LLaMA on generated tiny models: keys, interleaved ("norm") RoPE, no Q/K
 * norms, tied / untied heads, batched prefill == token-by-token decode, malformed files rejected with
 * precise messages (including biases and RoPE scaling, which are unsupported; bad head geometry). */
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

/* A keys-only llama file (hyper-parameters are checked before any tensor is looked up). */
static int load_keys(const char *scaling, float factor, uint32_t n_head_kv, uint32_t key_length, lfmrt_err *e) {
    char path[4096];
    snprintf(path, sizeof path, "%s/models_llama_keys.gguf", lf_test_tmp_dir());
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_non_null(w);
    assert_int_equal(lf_gguf_writer_set_str(w, "general.architecture", "llama"), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u32(w, "llama.block_count", 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u32(w, "llama.embedding_length", 64), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u32(w, "llama.feed_forward_length", 128), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u32(w, "llama.attention.head_count", 4), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u32(w, "llama.attention.head_count_kv", n_head_kv), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f), LFMRT_OK);
    if (key_length) assert_int_equal(lf_gguf_writer_set_u32(w, "llama.attention.key_length", key_length), LFMRT_OK);
    if (scaling) assert_int_equal(lf_gguf_writer_set_str(w, "llama.rope.scaling.type", scaling), LFMRT_OK);
    if (factor != 0.0f) assert_int_equal(lf_gguf_writer_set_f32(w, "llama.rope.scaling.factor", factor), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_write(w, path, NULL, NULL, NULL, NULL, e), LFMRT_OK);
    lf_gguf_writer_destroy(w);
    fx_model fm;
    int rc = fx_load(&fm, path, e);
    fx_close(&fm);
    unlink(path);
    return rc;
}

static void test_bad_hparams(void **s) {
    (void)s;
    lfmrt_err e = {0};
    /* a good header gets as far as the first tensor */
    assert_int_equal(load_keys(NULL, 0.0f, 2, 0, &e), LFMRT_E_NOTFOUND);
    assert_non_null(strstr(e.msg, "tensor 'token_embd.weight' not found"));
    assert_int_equal(load_keys("none", 8.0f, 2, 0, &e), LFMRT_E_NOTFOUND); /* type none: no scaling */
    assert_int_equal(load_keys("linear", 1.0f, 2, 0, &e), LFMRT_E_NOTFOUND);
    assert_int_equal(load_keys("linear", 8.0f, 2, 0, &e), LFMRT_E_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "llama: RoPE scaling 'linear' (factor 8) is not supported"));
    assert_int_equal(load_keys(NULL, 4.0f, 2, 0, &e), LFMRT_E_UNSUPPORTED); /* llama.cpp's default type: linear */
    assert_int_equal(load_keys("yarn", 4.0f, 2, 0, &e), LFMRT_E_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "'yarn'"));
    assert_int_equal(load_keys(NULL, 0.0f, 3, 0, &e), LFMRT_E_FORMAT);
    assert_non_null(strstr(e.msg, "layer 0: head_count 4 is not a multiple of head_count_kv 3"));
    assert_int_equal(load_keys(NULL, 0.0f, 5, 0, &e), LFMRT_E_FORMAT);
    assert_non_null(strstr(e.msg, "key 'llama.attention.head_count_kv' = 5: expected 1..head_count (4)"));
    assert_int_equal(load_keys(NULL, 0.0f, 2, 7, &e), LFMRT_E_FORMAT);
    assert_non_null(strstr(e.msg, "llama: head dim 7"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_prefill_decode),
        cmocka_unit_test(test_rope_kind_matters),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_hparams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
