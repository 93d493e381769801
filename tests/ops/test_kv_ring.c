/* tests/ops/test_kv_ring.c - the KV cache with per-layer capacities: ring addressing (position p in row
 * p % cap), layers independent, exact byte size, geometry errors; and sliding-window attention over a
 * ring of n_swa + T - 1 rows equals the same attention over a full-size cache, in f32 and f16, batched
 * and token by token. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache/kv.h"
#include "ops/attention.h"

static void test_ring_addressing(void **s) {
    (void)s;
    lf_kv kv;
    lfmrt_err e = {0};
    const int caps[2] = {4, 10};
    assert_int_equal(lf_kv_init_caps(&kv, 2, caps, 3, 1, 0, &e), LFMRT_OK); /* 3 heads of 1 */
    assert_int_equal(lf_kv_bytes(&kv), (size_t)(4 + 10) * 2 * 3 * sizeof(float));
    assert_int_equal(kv.n_ctx, 10);
    for (int p = 0; p < 10; p++) {
        const float k[3] = {(float)p, 1.0f, 2.0f}, v[3] = {-(float)p, 0.5f, 0.25f};
        const float k1[3] = {100.0f + p, 0, 0}, v1[3] = {-100.0f - p, 0, 0};
        lf_kv_store(&kv, 0, p, k, v);
        lf_kv_store(&kv, 1, p, k1, v1);
        /* the 4 newest positions are held by layer 0 */
        for (int q = p - 3 < 0 ? 0 : p - 3; q <= p; q++) {
            assert_true(((const float *)lf_kv_k(&kv, 0, q, 0))[0] == (float)q);
            assert_true(((const float *)lf_kv_v(&kv, 0, q, 0))[0] == -(float)q);
            assert_true(((const float *)lf_kv_k(&kv, 0, q, 2))[0] == 2.0f);
            assert_true(((const float *)lf_kv_v(&kv, 0, q, 1))[0] == 0.5f);
        }
        for (int q = 0; q <= p; q++) assert_true(((const float *)lf_kv_k(&kv, 1, q, 0))[0] == 100.0f + q);
    }
    assert_ptr_equal(lf_kv_k(&kv, 0, 9, 1), lf_kv_k(&kv, 0, 5, 1)); /* same row */
    /* head-major: a head's positions hd apart, heads cap * hd apart, V after the layer's K */
    const float *k00 = lf_kv_k(&kv, 0, 0, 0);
    assert_ptr_equal(lf_kv_k(&kv, 0, 1, 0), k00 + 1);
    assert_ptr_equal(lf_kv_k(&kv, 0, 0, 2), k00 + 2 * 4);
    assert_ptr_equal(lf_kv_v(&kv, 0, 0, 0), k00 + 3 * 4);
    assert_ptr_equal(lf_kv_k(&kv, 1, 0, 0), k00 + 2 * 3 * 4);
    lf_kv_deinit(&kv);
    lf_kv_deinit(&kv); /* idempotent */
    assert_int_equal(lf_kv_swa_capacity(4096, 512, 512), 1023);
    assert_int_equal(lf_kv_swa_capacity(100, 512, 1), 100);
    const int bad[2] = {4, 0};
    assert_int_equal(lf_kv_init_caps(&kv, 2, bad, 3, 1, 1, &e), LFMRT_E_INVALID);
    assert_non_null(strstr(e.msg, "KV cache layer 1: capacity 0 must be >= 1"));
    assert_int_equal(lf_kv_init(&kv, 1, 0, 3, 1, 1, &e), LFMRT_E_INVALID);
    assert_int_equal(lf_kv_init(&kv, 1, 8, 0, 4, 1, &e), LFMRT_E_INVALID);
}

/* n positions, window w, nh 2 heads over nkv 1 (MQA), hd 8: ring (cap w + T - 1) vs full (cap n). */
static void attn_case(int f16, int T) {
    enum { N = 37, W = 5, NH = 2, HD = 8 };
    lf_kv full, ring;
    lfmrt_err e = {0};
    const int cf = N, cr = lf_kv_swa_capacity(N, W, T);
    assert_true(cr < N);
    assert_int_equal(lf_kv_init_caps(&full, 1, &cf, 1, HD, f16, &e), LFMRT_OK);
    assert_int_equal(lf_kv_init_caps(&ring, 1, &cr, 1, HD, f16, &e), LFMRT_OK);
    lf_opctx ctx = {0};
    lf_attn_params ap = {NH, 1, HD, 0.35f, W, 0};
    float *sf = calloc(lf_attention_scratch_floats(N, HD), sizeof(float));
    float *sr = calloc(lf_attention_scratch_floats(N, HD), sizeof(float));
    float q[N][NH * HD], of[N][NH * HD], orr[N][NH * HD], k[HD], v[HD];
    assert_non_null(sf);
    assert_non_null(sr);
    uint64_t st = 77 + (uint64_t)T;
    for (int t = 0; t < N; t++)
        for (int i = 0; i < NH * HD; i++) q[t][i] = lf_test_randf(&st) * 2.0f;
    for (int p0 = 0; p0 < N; p0 += T) {
        const int n = N - p0 < T ? N - p0 : T;
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < HD; i++) k[i] = lf_test_randf(&st), v[i] = lf_test_randf(&st);
            lf_kv_store(&full, 0, p0 + t, k, v);
            lf_kv_store(&ring, 0, p0 + t, k, v);
        }
        lf_attention(&ctx, &full, 0, &ap, q[p0], of[p0], n, p0, sf);
        lf_attention(&ctx, &ring, 0, &ap, q[p0], orr[p0], n, p0, sr);
    }
    assert_memory_equal(of, orr, sizeof of);
    /* the window is applied: the last query differs from unmasked attention */
    lf_attn_params all = ap;
    all.n_swa = 0;
    float o2[NH * HD];
    lf_attention(&ctx, &full, 0, &all, q[N - 1], o2, 1, N - 1, sf);
    float d = 0.0f;
    for (int i = 0; i < NH * HD; i++) d = fmaxf(d, fabsf(o2[i] - of[N - 1][i]));
    assert_true(d > 1e-3f);
    free(sf);
    free(sr);
    lf_kv_deinit(&full);
    lf_kv_deinit(&ring);
}

static void test_attention_ring_equals_full(void **s) {
    (void)s;
    for (int f16 = 0; f16 < 2; f16++) {
        attn_case(f16, 1);
        attn_case(f16, 4);
        attn_case(f16, 9);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_addressing),
        cmocka_unit_test(test_attention_ring_equals_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
