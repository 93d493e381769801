/* tests/sampling/test_sampler.c - the seeded sampler: greedy, reproducibility, top-k/top-p/min-p
 * exclusion, temperature frequencies, repetition penalty math, parameter validation, defaults. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lfmrt/lfmrt.h"
#include "sampling/sampler.h"
#include "testutil.h"

/* allocator calls, counted through the linker's --wrap (tests/sampling/tests.cmake) */
static long g_allocs;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n) {
    g_allocs++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    g_allocs++;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    g_allocs++;
    return __real_realloc(p, n);
}

static lfmrt_sampler *make(lfmrt_sampler_params p, int32_t n_vocab) {
    lfmrt_sampler *s = NULL;
    lfmrt_err e;
    int rc = lfmrt_sampler_create(&p, n_vocab, &s, &e);
    if (rc != LFMRT_OK) fail_msg("create: %s", e.msg);
    assert_non_null(s);
    return s;
}

/* all filters off, temperature t, no penalty */
static lfmrt_sampler_params plain(float t, uint64_t seed) {
    lfmrt_sampler_params p = lfmrt_sampler_default_params();
    p.temperature = t;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.repeat_penalty = 1.0f;
    p.seed = seed;
    return p;
}

/* draws n tokens from a fresh copy of logits each time; counts[id]++ */
static void draw_counts(lfmrt_sampler *s, const float *logits, int n_vocab, int n, int *counts) {
    float *buf = malloc((size_t)n_vocab * sizeof *buf);
    assert_non_null(buf);
    for (int i = 0; i < n; i++) {
        memcpy(buf, logits, (size_t)n_vocab * sizeof *buf);
        int32_t t = lfmrt_sampler_sample(s, buf);
        assert_true(t >= 0 && t < n_vocab);
        counts[t]++;
    }
    free(buf);
}

static void test_rng_reference(void **state) {
    (void)state;
    /* splitmix64 from seed 0 gives 0xe220a8397b1dcdaf first (Vigna's reference); the xoshiro state
     * seeded from it must differ per seed and stay in [0,1) */
    lf_rng a, b;
    lf_rng_seed(&a, 0);
    assert_int_equal(a.s[0], 0xe220a8397b1dcdafull);
    lf_rng_seed(&b, 1);
    assert_true(lf_rng_next(&a) != lf_rng_next(&b));
    for (int i = 0; i < 10000; i++) {
        double u = lf_rng_uniform(&a);
        assert_true(u >= 0.0 && u < 1.0);
    }
}

static void test_greedy_is_argmax(void **state) {
    (void)state;
    enum { NV = 1000 };
    lfmrt_sampler *s = make(plain(0.0f, 1), NV);
    uint64_t r = 7;
    float l[NV];
    for (int trial = 0; trial < 50; trial++) {
        int best = 0;
        for (int i = 0; i < NV; i++) {
            l[i] = lf_test_randf(&r) * 10.0f;
            if (l[i] > l[best]) best = i;
        }
        assert_int_equal(lfmrt_sampler_sample(s, l), best);
    }
    /* ties go to the lowest id; NaN is never chosen */
    for (int i = 0; i < NV; i++) l[i] = 1.0f;
    l[0] = NAN;
    l[500] = 2.0f;
    l[700] = 2.0f;
    assert_int_equal(lfmrt_sampler_sample(s, l), 500);
    lfmrt_sampler_destroy(s);
}

static void test_seed_reproducible(void **state) {
    (void)state;
    enum { NV = 50, N = 200 };
    float base[NV], buf[NV];
    uint64_t r = 3;
    for (int i = 0; i < NV; i++) base[i] = lf_test_randf(&r);
    lfmrt_sampler *a = make(plain(1.0f, 42), NV);
    lfmrt_sampler *b = make(plain(1.0f, 42), NV);
    lfmrt_sampler *c = make(plain(1.0f, 43), NV);
    int32_t seq_a[N];
    int same_ac = 0;
    for (int i = 0; i < N; i++) {
        memcpy(buf, base, sizeof buf);
        seq_a[i] = lfmrt_sampler_sample(a, buf);
        memcpy(buf, base, sizeof buf);
        assert_int_equal(lfmrt_sampler_sample(b, buf), seq_a[i]);
        memcpy(buf, base, sizeof buf);
        same_ac += lfmrt_sampler_sample(c, buf) == seq_a[i];
    }
    assert_true(same_ac < N / 4); /* ~N/50 expected by chance */
    /* reset restarts the sequence */
    lfmrt_sampler_reset(a);
    for (int i = 0; i < N; i++) {
        memcpy(buf, base, sizeof buf);
        assert_int_equal(lfmrt_sampler_sample(a, buf), seq_a[i]);
    }
    lfmrt_sampler_destroy(a);
    lfmrt_sampler_destroy(b);
    lfmrt_sampler_destroy(c);
}

static void test_top_k_1_is_greedy(void **state) {
    (void)state;
    enum { NV = 300 };
    lfmrt_sampler_params p = plain(1.5f, 9);
    p.top_k = 1;
    lfmrt_sampler *s = make(p, NV);
    uint64_t r = 11;
    float l[NV];
    for (int trial = 0; trial < 100; trial++) {
        int best = 0;
        for (int i = 0; i < NV; i++) {
            l[i] = lf_test_randf(&r);
            if (l[i] > l[best]) best = i;
        }
        assert_int_equal(lfmrt_sampler_sample(s, l), best);
    }
    lfmrt_sampler_destroy(s);
}

static void test_top_k_excludes(void **state) {
    (void)state;
    enum { NV = 200 };
    float l[NV];
    uint64_t r = 5;
    for (int i = 0; i < NV; i++) l[i] = lf_test_randf(&r) * 0.1f; /* nearly flat */
    l[17] = 1.0f;
    l[90] = 0.9f;
    l[150] = 0.8f;
    lfmrt_sampler_params p = plain(1.0f, 1);
    p.top_k = 3;
    lfmrt_sampler *s = make(p, NV);
    int counts[NV] = {0};
    draw_counts(s, l, NV, 3000, counts);
    assert_true(counts[17] > 0 && counts[90] > 0 && counts[150] > 0);
    assert_int_equal(counts[17] + counts[90] + counts[150], 3000);
    lfmrt_sampler_destroy(s);
}

static void test_top_p_small(void **state) {
    (void)state;
    /* p = 0.5, 0.3, 0.15, 0.05: top_p 0.75 keeps {0, 1}, renormalised 0.625 / 0.375 */
    float l[4] = {logf(0.5f), logf(0.3f), logf(0.15f), logf(0.05f)};
    lfmrt_sampler_params p = plain(1.0f, 123);
    p.top_p = 0.75f;
    lfmrt_sampler *s = make(p, 4);
    int counts[4] = {0};
    enum { N = 8000 };
    draw_counts(s, l, 4, N, counts);
    assert_int_equal(counts[2], 0);
    assert_int_equal(counts[3], 0);
    double f0 = (double)counts[0] / N;
    assert_true(fabs(f0 - 0.625) < 0.03);
    lfmrt_sampler_destroy(s);
}

static void test_top_p_large_vocab(void **state) {
    (void)state;
    /* 300 "hot" tokens at logit 5 among 5000 at 0: hot mass ~0.9045, so top_p 0.9 keeps only hot ones.
     * 300 > 64 exercises the growing partial sort. */
    enum { NV = 5000 };
    static float l[NV];
    static bool hot[NV];
    uint64_t r = 99;
    int n_hot = 0;
    memset(hot, 0, sizeof hot);
    while (n_hot < 300) {
        int i = (int)(lf_test_rand(&r) % NV);
        if (!hot[i]) {
            hot[i] = true;
            n_hot++;
        }
    }
    for (int i = 0; i < NV; i++) l[i] = hot[i] ? 5.0f : 0.0f;
    lfmrt_sampler_params p = plain(1.0f, 5);
    p.top_p = 0.9f;
    lfmrt_sampler *s = make(p, NV);
    static int counts[NV];
    memset(counts, 0, sizeof counts);
    draw_counts(s, l, NV, 3000, counts);
    int distinct = 0;
    for (int i = 0; i < NV; i++) {
        if (!hot[i]) assert_int_equal(counts[i], 0);
        distinct += counts[i] > 0;
    }
    assert_true(distinct > 200); /* spread over the hot set, not collapsed */
    lfmrt_sampler_destroy(s);
}

static void test_min_p_excludes(void **state) {
    (void)state;
    /* p = .4 .3 .2 .06 .04; min_p 0.2 -> threshold 0.08 keeps {0,1,2} */
    float l[5] = {logf(0.4f), logf(0.3f), logf(0.2f), logf(0.06f), logf(0.04f)};
    lfmrt_sampler_params p = plain(1.0f, 77);
    p.min_p = 0.2f;
    lfmrt_sampler *s = make(p, 5);
    int counts[5] = {0};
    enum { N = 6000 };
    draw_counts(s, l, 5, N, counts);
    assert_int_equal(counts[3] + counts[4], 0);
    assert_true(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
    assert_true(fabs((double)counts[2] / N - 0.2 / 0.9) < 0.03);
    lfmrt_sampler_destroy(s);
}

static void test_temperature_frequencies(void **state) {
    (void)state;
    float l[3] = {0.0f, logf(2.0f), logf(4.0f)};
    enum { N = 20000 };
    /* T = 1: 1/7, 2/7, 4/7 */
    lfmrt_sampler *s = make(plain(1.0f, 2024), 3);
    int c1[3] = {0};
    draw_counts(s, l, 3, N, c1);
    assert_true(fabs((double)c1[0] / N - 1.0 / 7) < 0.015);
    assert_true(fabs((double)c1[1] / N - 2.0 / 7) < 0.015);
    assert_true(fabs((double)c1[2] / N - 4.0 / 7) < 0.015);
    lfmrt_sampler_destroy(s);
    /* T = 2: weights 1, sqrt 2, 2 */
    s = make(plain(2.0f, 2025), 3);
    int c2[3] = {0};
    draw_counts(s, l, 3, N, c2);
    double z = 1.0 + sqrt(2.0) + 2.0;
    assert_true(fabs((double)c2[0] / N - 1.0 / z) < 0.015);
    assert_true(fabs((double)c2[2] / N - 2.0 / z) < 0.015);
    lfmrt_sampler_destroy(s);
}

static void test_penalty_math(void **state) {
    (void)state;
    lfmrt_sampler_params p = plain(0.0f, 1);
    p.repeat_penalty = 2.0f;
    p.repeat_last_n = 64;
    lfmrt_sampler *s = make(p, 4);
    float l[4] = {2.0f, -1.0f, 0.5f, 3.0f};
    lfmrt_sampler_accept(s, 0);
    lfmrt_sampler_accept(s, 1);
    lfmrt_sampler_accept(s, 1); /* repeated: still penalised once */
    assert_int_equal(lfmrt_sampler_sample(s, l), 3);
    assert_float_equal(l[0], 1.0f, 1e-7);  /* positive: divided */
    assert_float_equal(l[1], -2.0f, 1e-7); /* negative: multiplied */
    assert_float_equal(l[2], 0.5f, 1e-7);  /* not in history */
    assert_float_equal(l[3], 3.0f, 1e-7);
    /* the sampled token (3) is now in the history too */
    float l2[4] = {2.0f, -1.0f, 0.5f, 3.0f};
    assert_int_equal(lfmrt_sampler_sample(s, l2), 3);
    assert_float_equal(l2[3], 1.5f, 1e-7);
    lfmrt_sampler_destroy(s);

    /* window: only the last 2 accepted tokens count */
    p.repeat_last_n = 2;
    s = make(p, 4);
    lfmrt_sampler_accept(s, 0);
    lfmrt_sampler_accept(s, 1);
    lfmrt_sampler_accept(s, 2);
    float l3[4] = {2.0f, -1.0f, 0.5f, 3.0f};
    lfmrt_sampler_sample(s, l3);
    assert_float_equal(l3[0], 2.0f, 1e-7);
    assert_float_equal(l3[1], -2.0f, 1e-7);
    assert_float_equal(l3[2], 0.25f, 1e-7);
    /* reset clears the history */
    lfmrt_sampler_reset(s);
    float l4[4] = {2.0f, -1.0f, 0.5f, 3.0f};
    lfmrt_sampler_sample(s, l4);
    assert_float_equal(l4[1], -1.0f, 1e-7);
    lfmrt_sampler_destroy(s);

    /* the penalty changes the greedy choice: 1.0 / 1.2 < 0.9 */
    p.repeat_penalty = 1.2f;
    p.repeat_last_n = 64;
    s = make(p, 2);
    lfmrt_sampler_accept(s, 0);
    float l5[2] = {1.0f, 0.9f};
    assert_int_equal(lfmrt_sampler_sample(s, l5), 1);
    lfmrt_sampler_destroy(s);
}

static void test_nonfinite_logits(void **state) {
    (void)state;
    lfmrt_sampler_params p = plain(0.7f, 3);
    p.top_p = 0.9f;
    p.min_p = 0.05f;
    lfmrt_sampler *s = make(p, 4);
    for (int i = 0; i < 100; i++) {
        float l[4] = {NAN, -INFINITY, 1.0f, 0.5f};
        int32_t t = lfmrt_sampler_sample(s, l);
        assert_true(t == 2 || t == 3);
        float l2[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
        t = lfmrt_sampler_sample(s, l2);
        assert_true(t >= 0 && t < 4);
        float l3[4] = {0.0f, INFINITY, 1.0f, NAN};
        assert_int_equal(lfmrt_sampler_sample(s, l3), 1);
    }
    lfmrt_sampler_destroy(s);
}

static void test_invalid_params(void **state) {
    (void)state;
    lfmrt_sampler *s = (lfmrt_sampler *)&s; /* must be reset to NULL on failure */
    lfmrt_err e;
    lfmrt_sampler_params p = lfmrt_sampler_default_params();
    assert_int_equal(lfmrt_sampler_create(&p, 0, &s, &e), LFMRT_E_INVALID);
    assert_null(s);
    assert_non_null(strstr(e.msg, "n_vocab"));
    p.top_p = NAN;
    assert_int_equal(lfmrt_sampler_create(&p, 10, &s, &e), LFMRT_E_INVALID);
    assert_non_null(strstr(e.msg, "top_p"));
    p = lfmrt_sampler_default_params();
    p.min_p = 2.0f;
    assert_int_equal(lfmrt_sampler_create(&p, 10, &s, &e), LFMRT_E_INVALID);
    p = lfmrt_sampler_default_params();
    p.repeat_penalty = 0.0f;
    assert_int_equal(lfmrt_sampler_create(&p, 10, &s, &e), LFMRT_E_INVALID);
    assert_non_null(strstr(e.msg, "repeat_penalty"));
    p = lfmrt_sampler_default_params();
    p.repeat_last_n = -1;
    assert_int_equal(lfmrt_sampler_create(&p, 10, &s, &e), LFMRT_E_INVALID);
    assert_int_equal(lfmrt_sampler_create(NULL, 10, NULL, &e), LFMRT_E_INVALID);
    /* NULL params: defaults */
    assert_int_equal(lfmrt_sampler_create(NULL, 10, &s, &e), LFMRT_OK);
    assert_int_equal(lfmrt_sampler_sample(s, NULL), -1);
    lfmrt_sampler_destroy(s);
    lfmrt_sampler_destroy(NULL);
}

static void test_no_allocation_per_sample(void **state) {
    (void)state;
    enum { NV = 4096 };
    static float base[NV], l[NV];
    uint64_t r = 17;
    for (int i = 0; i < NV; i++) base[i] = lf_test_randf(&r) * 3.0f;
    lfmrt_sampler_params p = lfmrt_sampler_default_params();
    p.top_k = 0; /* top-p over the whole vocabulary: the growing partial sort */
    p.top_p = 0.95f;
    p.min_p = 0.01f;
    p.repeat_penalty = 1.1f;
    lfmrt_sampler *s = make(p, NV);
    long before = g_allocs;
    for (int i = 0; i < 50; i++) {
        memcpy(l, base, sizeof l);
        int32_t t = lfmrt_sampler_sample(s, l);
        assert_true(t >= 0 && t < NV);
    }
    assert_int_equal(g_allocs, before);
    lfmrt_sampler_destroy(s);
    /* and create does allocate (the counter works) */
    s = make(p, NV);
    assert_true(g_allocs > before);
    lfmrt_sampler_destroy(s);
}

/* ---- survivors against a brute-force reference (sort everything, then filter) ---- */

typedef struct ref_item {
    int32_t id;
    float l;
} ref_item;

static int ref_cmp(const void *pa, const void *pb) {
    const ref_item *a = pa, *b = pb;
    if (a->l != b->l) return a->l > b->l ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* checks that the sampler's survivors are exactly the ids ref[0..m) (as a set) */
static void assert_survivors(const lfmrt_sampler *s, const ref_item *ref, size_t m, int32_t nv) {
    static unsigned char mark[1 << 20];
    assert_true((size_t)nv <= sizeof mark);
    assert_int_equal(lf_sampler_last_count(s), m);
    memset(mark, 0, (size_t)nv);
    for (size_t i = 0; i < m; i++) mark[ref[i].id] = 1;
    for (size_t i = 0; i < m; i++) {
        int32_t id = lf_sampler_last_id(s, i);
        assert_true(id >= 0 && id < nv);
        assert_int_equal(mark[id], 1); /* in the reference set, and not twice */
        mark[id] = 2;
    }
}

/* logits of several shapes: flat noise, peaked, with many exact ties */
static void fill_logits(float *l, int32_t nv, int shape, uint64_t *r) {
    for (int32_t i = 0; i < nv; i++) {
        float u = lf_test_randf(r);
        if (shape == 0) l[i] = u * 2.0f;
        else if (shape == 1) l[i] = u * 12.0f + (i % 97 == 0 ? 10.0f : 0.0f);
        else l[i] = (float)(int)(u * 4.0f); /* 7 distinct values: ties everywhere */
    }
}

static void check_filters(int32_t nv, int top_k, float top_p, float min_p, int shape, uint64_t seed) {
    float *l = malloc((size_t)nv * sizeof *l);
    ref_item *ref = malloc((size_t)nv * sizeof *ref);
    assert_non_null(l);
    assert_non_null(ref);
    uint64_t r = seed;
    fill_logits(l, nv, shape, &r);
    for (int32_t i = 0; i < nv; i++) ref[i] = (ref_item){i, l[i]};
    qsort(ref, (size_t)nv, sizeof *ref, ref_cmp);
    size_t m = (size_t)nv;
    if (top_k > 0 && top_k < nv) m = (size_t)top_k;
    if (top_p < 1.0f) {
        double mx = ref[0].l, sum = 0.0, cum = 0.0;
        for (size_t i = 0; i < m; i++) sum += exp(ref[i].l - mx);
        size_t k = m;
        for (size_t i = 0; i < m; i++) {
            cum += exp(ref[i].l - mx) / sum;
            if (cum >= top_p) {
                k = i + 1;
                /* skip draws that land within rounding of the boundary */
                if (fabs(cum - top_p) < 1e-5 || fabs(cum - exp(ref[i].l - mx) / sum - top_p) < 1e-5) k = 0;
                break;
            }
        }
        if (k == 0) goto out;
        m = k;
    }
    if (min_p > 0.0f) {
        double thr = (double)ref[0].l + log((double)min_p);
        size_t k = 0;
        while (k < m && (double)ref[k].l >= thr) k++;
        m = k;
    }
    lfmrt_sampler_params p = plain(1.0f, seed);
    p.top_k = top_k;
    p.top_p = top_p;
    p.min_p = min_p;
    lfmrt_sampler *s = make(p, nv);
    int32_t t = lfmrt_sampler_sample(s, l);
    assert_survivors(s, ref, m, nv);
    bool found = false;
    for (size_t i = 0; i < m; i++) found |= ref[i].id == t;
    assert_true(found); /* the draw comes from the survivors */
    lfmrt_sampler_destroy(s);
out:
    free(l);
    free(ref);
}

static void test_filters_match_reference(void **state) {
    (void)state;
    /* vocab sizes on both sides of the top-p sort/bucket switch (2048) and the top-k heap limit (4096) */
    const int32_t nvs[] = {50, 1500, 3000, 70000};
    for (size_t v = 0; v < sizeof nvs / sizeof nvs[0]; v++) {
        for (int shape = 0; shape < 3; shape++) {
            uint64_t seed = 1000 + v * 10 + (uint64_t)shape;
            check_filters(nvs[v], 40, 1.0f, 0.0f, shape, seed);         /* top-k, heap */
            check_filters(nvs[v], 5000, 1.0f, 0.0f, shape, seed + 1);   /* top-k, quickselect */
            check_filters(nvs[v], 0, 0.9f, 0.0f, shape, seed + 2);      /* top-p on everything */
            check_filters(nvs[v], 0, 0.3f, 0.0f, shape, seed + 3);
            check_filters(nvs[v], 0, 1.0f, 0.15f, shape, seed + 4);     /* min-p */
            check_filters(nvs[v], 40, 0.95f, 0.05f, shape, seed + 5);   /* llama.cpp's default chain */
            check_filters(nvs[v], 0, 0.95f, 0.05f, shape, seed + 6);
        }
    }
}

static void test_greedy_survivor(void **state) {
    (void)state;
    lfmrt_sampler *s = make(plain(0.0f, 1), 4);
    float l[4] = {0.1f, 0.7f, 0.3f, 0.7f};
    assert_int_equal(lfmrt_sampler_sample(s, l), 1);
    assert_int_equal(lf_sampler_last_count(s), 1);
    assert_int_equal(lf_sampler_last_id(s, 0), 1);
    assert_int_equal(lf_sampler_last_id(s, 1), -1);
    lfmrt_sampler_destroy(s);
}

static void test_defaults(void **state) {
    (void)state;
    lfmrt_sampler_params d = lfmrt_sampler_default_params();
    assert_float_equal(d.temperature, 0.8f, 1e-6);
    assert_int_equal(d.top_k, 40);
    assert_float_equal(d.top_p, 0.95f, 1e-6);
    assert_float_equal(d.min_p, 0.05f, 1e-6);
    assert_float_equal(d.repeat_penalty, 1.0f, 1e-6);
    assert_int_equal(d.repeat_last_n, 64);
    lfmrt_sampler_params l = lf_sampler_defaults_for_arch("lfm2");
    assert_float_equal(l.temperature, 0.3f, 1e-6);
    assert_float_equal(l.min_p, 0.15f, 1e-6);
    assert_float_equal(l.repeat_penalty, 1.05f, 1e-6);
    assert_true(l.top_k <= 0);
    assert_true(l.top_p >= 1.0f);
    lfmrt_sampler_params q = lf_sampler_defaults_for_arch("qwen3");
    assert_float_equal(q.temperature, 0.6f, 1e-6);
    assert_int_equal(q.top_k, 20);
    assert_float_equal(q.top_p, 0.95f, 1e-6);
    assert_true(q.min_p <= 0.0f);
    assert_float_equal(q.repeat_penalty, 1.0f, 1e-6);
    lfmrt_sampler_params g = lf_sampler_defaults_for_arch("gemma3");
    assert_float_equal(g.temperature, 1.0f, 1e-6);
    assert_int_equal(g.top_k, 64);
    assert_float_equal(g.top_p, 0.95f, 1e-6);
    assert_true(g.min_p <= 0.0f);
    q = lf_sampler_defaults_for_arch("llama");
    assert_memory_equal(&q, &d, sizeof q);
    q = lf_sampler_defaults_for_arch(NULL);
    assert_memory_equal(&q, &d, sizeof q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_reference),     cmocka_unit_test(test_greedy_is_argmax),
        cmocka_unit_test(test_seed_reproducible), cmocka_unit_test(test_top_k_1_is_greedy),
        cmocka_unit_test(test_top_k_excludes),    cmocka_unit_test(test_top_p_small),
        cmocka_unit_test(test_top_p_large_vocab), cmocka_unit_test(test_min_p_excludes),
        cmocka_unit_test(test_temperature_frequencies), cmocka_unit_test(test_penalty_math),
        cmocka_unit_test(test_nonfinite_logits),  cmocka_unit_test(test_invalid_params),
        cmocka_unit_test(test_no_allocation_per_sample), cmocka_unit_test(test_filters_match_reference),
        cmocka_unit_test(test_greedy_survivor), cmocka_unit_test(test_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
