/* tests/kernels/test_vec.c - the vector kernels (kernels/vec.h) of every ISA against their reference
 * twins: expf_ggml and swiglu bit for bit over millions of inputs (a dense sweep of [-110, 110], random
 * bit patterns, every |n| > 192 saturation boundary, +-0, +-inf, NaN, subnormal results), axpy bit for
 * bit, the dots within the f32 summation-order bound. ISAs the CPU lacks print a SKIP line and pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "kernels/vec.h"
#include "ops/ops.h"
#include "testutil.h"

typedef struct vec_isa {
    const char *name;
    int available;
    lf_vec_kernels v;
} vec_isa;

static vec_isa g_isa[3];
static int g_nisa;

static void setup_isas(void) {
    lf_kernels k;
    lf_kernels_init_ref(&k);
    g_isa[g_nisa++] = (vec_isa){"ref", 1, k.vec};
#if defined(LFMRT_HAVE_X86)
    const lf_cpu_features f = lf_cpu_detect();
    g_isa[g_nisa++] = (vec_isa){"avx2", f.avx2 && f.fma && f.f16c,
                                {vec_dot_f32_avx2, vec_dot_f16_f32_avx2, vec_axpy_f32_avx2, vec_axpy_f16_avx2,
                                 vec_expf_ggml_avx2, vec_swiglu_avx2, vec_geglu_avx2, vec_rmsnorm_avx2, "avx2"}};
    g_isa[g_nisa++] =
        (vec_isa){"avx512", f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c,
                  {vec_dot_f32_avx512, vec_dot_f16_f32_avx512, vec_axpy_f32_avx512, vec_axpy_f16_avx512,
                   vec_expf_ggml_avx512, vec_swiglu_avx512, vec_geglu_avx512, vec_rmsnorm_avx512, "avx512"}};
#endif
}

static int skip_isa(const vec_isa *s, const char *test) {
    if (s->available) return 0;
    printf("SKIP: %s: %s not supported by this CPU\n", test, s->name);
    return 1;
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* both NaN, or the same bits */
static int same(float a, float b) { return (isnan(a) && isnan(b)) || bits(a) == bits(b); }

#define CHUNK 4099 /* odd: exercises tails */

static void check_exp_chunk(const vec_isa *s, const float *x, int64_t n, float *y, float *y2, long *bad) {
    s->v.expf_ggml(n, x, y);
    vec_expf_ggml_ref(n, x, y2);
    for (int64_t i = 0; i < n; i++) {
        if (!same(y[i], y2[i])) {
            if (*bad < 5)
                printf("%s expf(%a) = %a, ref %a\n", s->name, (double)x[i], (double)y[i], (double)y2[i]);
            (*bad)++;
        }
        if (i < 64 && !isnan(x[i]) && !same(y2[i], lf_expf_ggml(x[i]))) (*bad)++; /* ref == ops entry */
    }
}

static void test_expf_bit_exact(void **state) {
    (void)state;
    float *x = malloc(8192 * sizeof *x), *y = malloc(8192 * sizeof *y), *y2 = malloc(8192 * sizeof *y2);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(y2);
    for (int s = 0; s < g_nisa; s++) {
        if (skip_isa(&g_isa[s], "expf_ggml")) continue;
        long bad = 0, total = 0;
        /* dense sweep of [-110, 110]: about 2.2 million values */
        for (int64_t base = 0; base < 2200000; base += CHUNK) {
            int64_t n = 0;
            for (; n < CHUNK && base + n < 2200000; n++) x[n] = -110.0f + (float)(base + n) * 1e-4f;
            check_exp_chunk(&g_isa[s], x, n, y, y2, &bad);
            total += n;
        }
        /* random bit patterns (all exponents, NaNs, infinities), 1 million */
        uint64_t rng = 42;
        for (int r = 0; r < 250; r++) {
            for (int i = 0; i < CHUNK; i++) x[i] = from_bits((uint32_t)(lf_test_rand(&rng) >> 16));
            check_exp_chunk(&g_isa[s], x, CHUNK, y, y2, &bad);
            total += CHUNK;
        }
        /* edges: saturation boundary (|n| around 192), subnormal and overflow results, zeros, inf */
        int n = 0;
        const float edges[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 88.72f, 88.73f, 89.0f, -87.33f, -87.34f,
                               -103.0f, -103.98f, -104.0f, -120.0f, 1e30f, -1e30f, 0x1p-149f, -0x1p-149f};
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) x[n++] = edges[i];
        for (int m = -200; m <= 200; m++) { /* around n = m: x = m ln2 +- a few ulp */
            const float c = (float)m * 0.6931472f, c2 = ((float)m + 0.5f) * 0.6931472f;
            for (int d = -3; d <= 3; d++) {
                x[n++] = from_bits(bits(c) + (uint32_t)d);
                x[n++] = from_bits(bits(c2) + (uint32_t)d);
            }
        }
        check_exp_chunk(&g_isa[s], x, n, y, y2, &bad);
        total += n;
        /* aliasing: y == x */
        for (int i = 0; i < 37; i++) x[i] = (float)i * 0.37f - 5.0f;
        vec_expf_ggml_ref(37, x, y2);
        g_isa[s].v.expf_ggml(37, x, x);
        for (int i = 0; i < 37; i++)
            if (!same(x[i], y2[i])) bad++;
        printf("%s expf_ggml: %ld inputs, %ld mismatches\n", g_isa[s].name, total, bad);
        assert_int_equal(bad, 0);
    }
    free(x);
    free(y);
    free(y2);
}

static void test_swiglu_bit_exact(void **state) {
    (void)state;
    enum { N = 1 << 16 };
    float *g = malloc(N * sizeof *g), *u = malloc(N * sizeof *u), *a = malloc(N * sizeof *a),
          *b = malloc(N * sizeof *b);
    assert_non_null(g && u && a && b);
    uint64_t rng = 7;
    for (int i = 0; i < N; i++) {
        g[i] = lf_test_randf(&rng) * (float)(1 << (i % 8)) * 3.0f;
        u[i] = lf_test_randf(&rng);
    }
    g[0] = 0.0f, g[1] = -0.0f, g[2] = 100.0f, g[3] = -100.0f, g[4] = 200.0f, g[5] = -200.0f;
    for (int s = 0; s < g_nisa; s++) {
        if (skip_isa(&g_isa[s], "swiglu")) continue;
        for (int len = 1; len <= 67; len += 11) { /* tails */
            memcpy(a, g, (size_t)len * sizeof *a);
            memcpy(b, g, (size_t)len * sizeof *b);
            g_isa[s].v.swiglu(len, a, u);
            vec_swiglu_ref(len, b, u);
            for (int i = 0; i < len; i++) assert_true(same(a[i], b[i]));
        }
        memcpy(a, g, N * sizeof *a);
        memcpy(b, g, N * sizeof *b);
        g_isa[s].v.swiglu(N, a, u);
        vec_swiglu_ref(N, b, u);
        long bad = 0;
        for (int i = 0; i < N; i++) bad += !same(a[i], b[i]);
        assert_int_equal(bad, 0);
    }
    /* the op uses the best table and equals the reference */
    memcpy(a, g, N * sizeof *a);
    memcpy(b, g, N * sizeof *b);
    lf_swiglu(a, u, N);
    vec_swiglu_ref(N, b, u);
    for (int i = 0; i < N; i++) assert_true(same(a[i], b[i]));
    free(g);
    free(u);
    free(a);
    free(b);
}

static void test_dot_axpy(void **state) {
    (void)state;
    enum { N = 300 };
    float x[N], y[N], ya[N], yb[N];
    uint16_t h[N];
    uint64_t rng = 99;
    for (int i = 0; i < N; i++) {
        x[i] = lf_test_randf(&rng);
        y[i] = lf_test_randf(&rng) * 2.0f;
        h[i] = lf_f32_to_fp16(lf_test_randf(&rng) * 3.0f);
    }
    const int lens[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 64, 80, 128, 255, 256, N};
    for (int s = 0; s < g_nisa; s++) {
        if (skip_isa(&g_isa[s], "dot/axpy")) continue;
        const lf_vec_kernels *v = &g_isa[s].v;
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            const int n = lens[li];
            double abs1 = 0.0, abs2 = 0.0;
            for (int i = 0; i < n; i++) {
                abs1 += fabs((double)x[i] * y[i]);
                abs2 += fabs((double)lf_fp16_to_f32(h[i]) * y[i]);
            }
            const double tol = 1e-6 * (double)n + 1e-7; /* ~ n ulp of the absolute sum */
            assert_true(fabs((double)v->dot_f32(n, x, y) - (double)vec_dot_f32_ref(n, x, y)) <= tol * (abs1 + 1e-30));
            assert_true(fabs((double)v->dot_f16_f32(n, h, y) - (double)vec_dot_f16_f32_ref(n, h, y)) <=
                        tol * (abs2 + 1e-30));
            memcpy(ya, y, sizeof ya);
            memcpy(yb, y, sizeof yb);
            v->axpy_f32(n, 0.3712f, x, ya);
            vec_axpy_f32_ref(n, 0.3712f, x, yb);
            assert_memory_equal(ya, yb, sizeof ya); /* also: nothing written past n */
            memcpy(ya, y, sizeof ya);
            memcpy(yb, y, sizeof yb);
            v->axpy_f16(n, -1.25f, h, ya);
            vec_axpy_f16_ref(n, -1.25f, h, yb);
            assert_memory_equal(ya, yb, sizeof ya);
        }
    }
}

static void test_table(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    assert_string_equal(k.vec.isa, "ref");
    assert_true(k.vec.expf_ggml == vec_expf_ggml_ref);
    lf_kernels_init(&k, lf_cpu_detect());
    assert_non_null(k.vec.dot_f32);
    assert_non_null(k.vec.swiglu);
    assert_string_equal(lf_vec_best()->isa, k.vec.isa);
    printf("vec kernels: %s\n", k.vec.isa);
}

int main(void) {
    setup_isas();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expf_bit_exact),
        cmocka_unit_test(test_swiglu_bit_exact),
        cmocka_unit_test(test_dot_axpy),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
