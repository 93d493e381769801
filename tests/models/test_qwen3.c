/* tests/models/test_qwen3.c - Qwen3 on generated tiny models: hyper-parameters from the keys (head dim
 * from key_length, Q wider than H), tied / untied heads, batched prefill == token-by-token decode in
 * f32 and q8_0 weights (f32 and f16 KV), and malformed files rejected with precise messages. */
#include "model_fixture.h"

static void test_load(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("qwen3", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    const lf_hparams *hp = &fm.core.hp;
    assert_string_equal(fm.arch->name, "qwen3");
    assert_int_equal(hp->n_layer, 4);
    assert_int_equal(hp->head_dim, 128);
    assert_true(hp->n_head * hp->head_dim > hp->n_embd); /* 512 > 256 */
    assert_int_equal(hp->n_head_kv_max, 2);
    assert_int_equal(hp->n_rot, 128);
    assert_int_equal(hp->rope_type, LF_ROPE_NEOX);
    assert_true(hp->eps == 1e-6f && hp->rope_base == 1e6f);
    assert_int_equal(hp->n_swa, 0);
    assert_true(fm.core.tied);
    assert_ptr_equal(fm.core.output.data, fm.core.tok_embd.data);
    assert_int_equal(fm.core.act, LF_ACT_SILU);
    for (int il = 0; il < hp->n_layer; il++) {
        assert_non_null(fm.core.layers[il].q_norm);
        assert_null(fm.core.layers[il].post_attn_norm);
        assert_int_equal(fm.core.layers[il].kind, 'A');
    }
    fx_close(&fm);
    if (fx_load(&fm, fx_gen("qwen3", LF_DT_Q8_0, 0, "u"), &e)) fail_msg("%s", e.msg);
    assert_false(fm.core.tied);
    assert_true(fm.core.output.data != fm.core.tok_embd.data);
    assert_int_equal(fm.core.file_type, LF_DT_Q8_0);
    fx_close(&fm);
}

static void test_prefill_decode(void **s) {
    (void)s;
    fx_model fm;
    lfmrt_err e = {0};
    if (fx_load(&fm, fx_gen("qwen3", LF_DT_F32, 1, "t"), &e)) fail_msg("%s", e.msg);
    fx_check_prefill_decode(&fm, 16, 1e-4f, 1e-4f);
    fx_close(&fm);
    if (fx_load(&fm, fx_gen("qwen3", LF_DT_Q8_0, 0, "u"), &e)) fail_msg("%s", e.msg);
    fx_check_prefill_decode(&fm, 16, 1e-4f, 1e-4f);
    fx_close(&fm);
}

static void test_bad_files(void **s) {
    (void)s;
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "%s", fx_gen("qwen3", LF_DT_F32, 1, "bad"));
    snprintf(dst, sizeof dst, "%s/models_qwen3_patched.gguf", lf_test_tmp_dir());
    fx_patch(src, dst, "blk.2.attn_k_norm.weight", NULL, 64);
    fx_expect_load_error(dst, LFMRT_E_SHAPE, "tensor 'blk.2.attn_k_norm.weight': expected shape");
    fx_patch(src, dst, "blk.3.ffn_up.weight", "blk.3.ffn_uq.weight", -1);
    fx_expect_load_error(dst, LFMRT_E_NOTFOUND, "tensor 'blk.3.ffn_up.weight' not found");
    fx_patch(src, dst, "blk.0.attn_q.weight", NULL, 128);
    fx_expect_load_error(dst, LFMRT_E_SHAPE, "tensor 'blk.0.attn_q.weight': expected shape");
    fx_patch(src, dst, "qwen3.attention.layer_norm_rms_epsilon", "qwen3.attention.layer_norm_rms_epsilOn", -1);
    fx_expect_load_error(dst, LFMRT_E_NOTFOUND, "key 'qwen3.attention.layer_norm_rms_epsilon' not found");
    fx_patch(src, dst, "output_norm.weight", "output_nore.weight", -1);
    fx_expect_load_error(dst, LFMRT_E_NOTFOUND, "tensor 'output_norm.weight' not found");
    unlink(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_prefill_decode),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
