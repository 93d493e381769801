/* tests/ops/test_gelu.c - GELU as ggml's CPU backend computes it (MODEL-SPEC 6.3; ggml-cpu vec.h
 * ggml_vec_geglu_f32 with GGML_GELU_FP16): against an independently built 65536-entry f16 table,
 * the +-10 cut-offs, f16-representable results, and the expected distance from the exact tanh form. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "ops/ops.h"

static float gelu_exact(double x) { return (float)(0.5 * x * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)))); }

/* ggml's table: entry h = f16(gelu_f32(f32(h))), gelu_f32 = 0.5f*x*(1+tanhf(SQRT_2_OVER_PI*x*(1+GELU_COEF_A*x*x))) */
static uint16_t *build_table(void) {
    uint16_t *t = malloc(65536 * sizeof *t);
    assert_non_null(t);
    for (uint32_t h = 0; h < 65536; h++) {
        const float x = lf_fp16_to_f32((uint16_t)h);
        const float g = 0.5f * x * (1.0f + tanhf(0.79788456080286535587989211986876f * x * (1.0f + 0.044715f * x * x)));
        t[h] = lf_f32_to_fp16(g);
    }
    return t;
}

static void test_table_semantics(void **s) {
    (void)s;
    uint16_t *t = build_table();
    uint64_t st = 1234;
    for (int i = 0; i < 200000; i++) {
        const float x = lf_test_randf(&st) * 12.0f; /* covers both cut-offs */
        float want;
        if (x <= -10.0f) want = 0.0f;
        else if (x >= 10.0f) want = x;
        else want = lf_fp16_to_f32(t[lf_f32_to_fp16(x)]);
        const float got = lf_gelu_ggml(x);
        if (memcmp(&got, &want, sizeof got) != 0) fail_msg("gelu(%.9g) = %.9g, table gives %.9g", (double)x, (double)got, (double)want);
    }
    free(t);
}

/* lf_geglu (the looked-up table) against the formula, at every f16 input and around the cut-offs. */
static void test_geglu_every_f16(void **s) {
    (void)s;
    enum { N = 1 << 16 };
    float *g = malloc(sizeof(float) * (N + 4)), *u = malloc(sizeof(float) * (N + 4)), *x = malloc(sizeof(float) * (N + 4));
    assert_true(g && u && x);
    int n = 0;
    for (uint32_t h = 0; h < N; h++) {
        const float v = lf_fp16_to_f32((uint16_t)h);
        if (v != v) continue; /* NaN in, NaN out: compared apart */
        x[n++] = v;
    }
    x[n++] = -10.0f, x[n++] = 10.0f, x[n++] = 9.9999f, x[n++] = -9.9999f;
    for (int i = 0; i < n; i++) g[i] = x[i], u[i] = 0.5f + (float)(i % 7);
    lf_geglu(g, u, n);
    for (int i = 0; i < n; i++) {
        const float want = lf_gelu_ggml_eval(x[i]) * u[i];
        if (memcmp(&g[i], &want, sizeof want) != 0 && !(g[i] != g[i] && want != want))
            fail_msg("geglu(%.9g) = %.9g, formula gives %.9g", (double)x[i], (double)g[i], (double)want);
    }
    free(g), free(u), free(x);
}

static void test_edges(void **s) {
    (void)s;
    assert_true(lf_gelu_ggml(-10.0f) == 0.0f);
    assert_true(lf_gelu_ggml(-50.0f) == 0.0f);
    assert_true(lf_gelu_ggml(10.0f) == 10.0f);
    assert_true(lf_gelu_ggml(10.001f) == 10.001f); /* passes x through, not its f16 rounding */
    assert_true(lf_gelu_ggml(0.0f) == 0.0f);
    /* just inside the cut-off the table is used: gelu(9.99) rounds to an f16 value */
    const float y = lf_gelu_ggml(9.99f);
    assert_true(lf_fp16_to_f32(lf_f32_to_fp16(y)) == y);
    assert_true(fabsf(y - 9.99f) < 0.01f);
    /* the input is rounded to f16 first: two inputs in the same f16 bucket give the same output */
    assert_true(lf_gelu_ggml(1.0f) == lf_gelu_ggml(1.0002f));
}

/* Relative error against the exact tanh form is of the f16 size (MODEL-SPEC 6.3: ~4e-3), not zero. */
static void test_accuracy(void **s) {
    (void)s;
    double worst = 0.0;
    int differs = 0;
    for (int i = -4000; i <= 4000; i++) {
        const float x = (float)i * 0.0025f;
        const float ex = gelu_exact(x), got = lf_gelu_ggml(x);
        if (got != ex) differs++;
        if (fabsf(ex) > 1e-3f) {
            const double r = fabs((double)got - ex) / fabs(ex);
            if (r > worst) worst = r;
        }
    }
    assert_true(worst < 6e-3);
    assert_true(worst > 1e-4);
    assert_true(differs > 1000);
}

static void test_geglu(void **s) {
    (void)s;
    float g[5] = {-11.0f, -1.0f, 0.5f, 3.0f, 12.0f};
    const float u[5] = {2.0f, 3.0f, -1.0f, 0.5f, 0.25f};
    float want[5];
    for (int i = 0; i < 5; i++) want[i] = lf_gelu_ggml(g[i]) * u[i];
    lf_geglu(g, u, 5);
    assert_memory_equal(g, want, sizeof want);
    assert_true(g[0] == 0.0f && g[4] == 3.0f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_semantics),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_geglu_every_f16),
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_geglu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
