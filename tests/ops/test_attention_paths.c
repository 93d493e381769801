/* tests/ops/test_attention_paths.c - the two ways lf_attention splits its work give the same bits: prompt
 * batches (T >= 4: group items, keys and values widened in chunks and kept across a thread's items,
 * the keys every row sees through the multi-query kernels) against the same queries one token at a
 * time (single rows, K and V read as stored). Head dim 256 makes a chunk 512 positions, so a batch at
 * position 1100 spans three chunks; batches at 0 reuse widened keys across query blocks; with and without
 * a sliding window (the window's edge cuts into the rows' ranges), f32 and f16 caches, GQA (4 query heads
 * over 2 KV heads, MQA-like 4 over 1), 1 and 3 threads. With an f16 cache the single rows (a KV head's
 * query heads through the multi-query f16 kernels) also equal them with those entries NULL (head by head). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pool.h"
#include "kernels/kernels.h"
#include "cache/kv.h"
#include "ops/attention.h"

enum { NCTX = 1200, HD = 256, NH = 4 };

static void paths_case(lf_pool *pool, int nth, int f16, int nkv, int swa, int pos0, int T) {
    lf_kv kv;
    lfmrt_err e = {0};
    assert_int_equal(lf_kv_init(&kv, 1, NCTX, nkv, HD, f16, &e), LFMRT_OK);
    lf_opctx ctx = {0};
    ctx.pool = pool;
    const lf_attn_params ap = {NH, nkv, HD, 0.07f, swa, 0};
    float *scratch = calloc((size_t)nth * lf_attention_scratch_floats(NCTX, HD), sizeof(float));
    float *q = malloc(sizeof(float) * (size_t)T * NH * HD);
    float *ob = malloc(sizeof(float) * (size_t)T * NH * HD), *o1 = malloc(sizeof(float) * (size_t)T * NH * HD);
    float *k = malloc(sizeof(float) * (size_t)nkv * HD), *v = malloc(sizeof(float) * (size_t)nkv * HD);
    assert_true(scratch && q && ob && o1 && k && v);
    uint64_t st = 1000u + (uint64_t)(f16 * 7 + nkv * 3 + swa + pos0 + T);
    for (int p = 0; p < pos0 + T; p++) {
        for (int i = 0; i < nkv * HD; i++) k[i] = lf_test_randf(&st) * 2.0f, v[i] = lf_test_randf(&st);
        lf_kv_store(&kv, 0, p, k, v);
    }
    for (int i = 0; i < T * NH * HD; i++) q[i] = lf_test_randf(&st) * 2.0f;
    lf_attention(&ctx, &kv, 0, &ap, q, ob, T, pos0, scratch);
    for (int t = 0; t < T; t++)
        lf_attention(&ctx, &kv, 0, &ap, q + (size_t)t * NH * HD, o1 + (size_t)t * NH * HD, 1, pos0 + t, scratch);
    for (int t = 0; t < T; t++)
        if (memcmp(ob + (size_t)t * NH * HD, o1 + (size_t)t * NH * HD, sizeof(float) * NH * HD)) {
            fprintf(stderr, "threads %d f16 %d n_head_kv %d window %d pos0 %d T %d: token %d differs\n", nth, f16, nkv,
                    swa, pos0, T, t);
            fail();
        }
    if (f16) { /* the per-row fallback of an ISA without the f16 _rows entries */
        lf_kernels kt;
        lf_kernels_init(&kt, lf_cpu_detect());
        kt.attn.scores_rows_f16 = NULL;
        kt.attn.wsum_rows_f16 = NULL;
        lf_opctx c2 = ctx;
        c2.k = &kt;
        for (int t = 0; t < T; t++) {
            lf_attention(&c2, &kv, 0, &ap, q + (size_t)t * NH * HD, ob + (size_t)t * NH * HD, 1, pos0 + t, scratch);
            if (memcmp(ob + (size_t)t * NH * HD, o1 + (size_t)t * NH * HD, sizeof(float) * NH * HD)) {
                fprintf(stderr, "threads %d n_head_kv %d window %d pos0 %d T %d: token %d differs head by head\n",
                        nth, nkv, swa, pos0, T, t);
                fail();
            }
        }
    }
    free(scratch), free(q), free(ob), free(o1), free(k), free(v);
    lf_kv_deinit(&kv);
}

static void test_batch_equals_token_by_token(void **s) {
    (void)s;
    const int threads[] = {1, 3};
    for (int ti = 0; ti < 2; ti++) {
        lf_pool *pool = NULL;
        assert_int_equal(lf_pool_create(threads[ti], &pool, NULL), 0);
        for (int f16 = 0; f16 < 2; f16++)
            for (int nkv = 1; nkv <= 2; nkv++)
                for (int swa = 0; swa <= 300; swa += 300) {
                    paths_case(pool, threads[ti], f16, nkv, swa, 0, 37);   /* query blocks reuse widened keys */
                    paths_case(pool, threads[ti], f16, nkv, swa, 1100, 21); /* three chunks per item */
                    paths_case(pool, threads[ti], f16, nkv, swa, 505, 9);  /* a chunk edge inside the batch */
                }
        lf_pool_destroy(pool);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_equals_token_by_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
