/* tests/kernels/test_vec_neon.c - the NEON vector kernels (arm_neon/vec_neon.c) against their reference
 * twins (kernels/vec.h): expf_ggml bit for bit over a dense sweep of [-110, 110] (2.2 million values),
 * 1 million random bit patterns (NaN, inf, subnormals), every |n| <= 200 rounding boundary of
 * x / ln2, the saturation edges and aliasing (y == x); swiglu bit for bit with every tail length; axpy
 * bit for bit with nothing written past n; the dots within the f32 summation-order bound; the
 * attention rows (scores, wsum) bit for bit against the single-row entries; and that the aarch64 table
 * installs them. On other architectures the program is skipped (test_vec.c covers x86). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "kernels/vec.h"
#include "testutil.h"

#if defined(LFMRT_HAVE_ARM)
#include "kernels/arm_neon/neon.h"

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

static long check_exp(const float *x, int64_t n, float *y, float *y2) {
    long bad = 0;
    vec_expf_ggml_neon(n, x, y);
    vec_expf_ggml_ref(n, x, y2);
    for (int64_t i = 0; i < n; i++)
        if (!same(y[i], y2[i])) {
            if (bad < 5) printf("neon expf(%a) = %a, ref %a\n", (double)x[i], (double)y[i], (double)y2[i]);
            bad++;
        }
    return bad;
}

static void test_expf_bit_exact(void **state) {
    (void)state;
    float *x = malloc(8192 * sizeof *x), *y = malloc(8192 * sizeof *y), *y2 = malloc(8192 * sizeof *y2);
    assert_true(x && y && y2);
    long bad = 0, total = 0;
    for (int64_t base = 0; base < 2200000; base += CHUNK) {
        int64_t n = 0;
        for (; n < CHUNK && base + n < 2200000; n++) x[n] = -110.0f + (float)(base + n) * 1e-4f;
        bad += check_exp(x, n, y, y2);
        total += n;
    }
    uint64_t rng = 42;
    for (int r = 0; r < 250; r++) {
        for (int i = 0; i < CHUNK; i++) x[i] = from_bits((uint32_t)(lf_test_rand(&rng) >> 16));
        bad += check_exp(x, CHUNK, y, y2);
        total += CHUNK;
    }
    int n = 0;
    const float edges[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 88.72f, 88.73f, 89.0f, -87.33f, -87.34f,
                           -103.0f, -103.98f, -104.0f, -120.0f, 1e30f, -1e30f, 0x1p-149f, -0x1p-149f};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) x[n++] = edges[i];
    for (int m = -200; m <= 200; m++) {
        const float c = (float)m * 0.6931472f, c2 = ((float)m + 0.5f) * 0.6931472f;
        for (int d = -3; d <= 3; d++) {
            x[n++] = from_bits(bits(c) + (uint32_t)d);
            x[n++] = from_bits(bits(c2) + (uint32_t)d);
        }
    }
    bad += check_exp(x, n, y, y2);
    total += n;
    /* the edges really are edges: overflow, subnormal results, zero */
    assert_true(isinf(expf_ggml_ref(89.0f)) && expf_ggml_ref(-120.0f) == 0.0f);
    assert_true(expf_ggml_ref(-103.0f) > 0.0f && expf_ggml_ref(-103.0f) < 0x1p-126f);
    for (int len = 1; len <= 9; len++) { /* aliasing y == x, every tail */
        for (int i = 0; i < len; i++) x[i] = (float)i * 0.37f - 5.0f;
        vec_expf_ggml_ref(len, x, y2);
        vec_expf_ggml_neon(len, x, x);
        for (int i = 0; i < len; i++) bad += !same(x[i], y2[i]);
    }
    printf("neon expf_ggml: %ld inputs, %ld mismatches\n", total, bad);
    assert_int_equal(bad, 0);
    free(x), free(y), free(y2);
}

static void test_swiglu_bit_exact(void **state) {
    (void)state;
    enum { N = 1 << 16 };
    float *g = malloc(N * sizeof *g), *u = malloc(N * sizeof *u), *a = malloc(N * sizeof *a),
          *b = malloc(N * sizeof *b);
    assert_true(g && u && a && b);
    uint64_t rng = 7;
    for (int i = 0; i < N; i++) {
        g[i] = lf_test_randf(&rng) * (float)(1 << (i % 8)) * 3.0f;
        u[i] = lf_test_randf(&rng);
    }
    g[0] = 0.0f, g[1] = -0.0f, g[2] = 100.0f, g[3] = -100.0f, g[4] = 200.0f, g[5] = -200.0f, g[6] = NAN;
    for (int len = 1; len <= 67; len++) {
        memcpy(a, g, (size_t)(len + 1) * sizeof *a);
        memcpy(b, g, (size_t)(len + 1) * sizeof *b);
        vec_swiglu_neon(len, a, u);
        vec_swiglu_ref(len, b, u);
        for (int i = 0; i <= len; i++) assert_true(same(a[i], b[i])); /* [len] untouched in both */
    }
    memcpy(a, g, N * sizeof *a);
    memcpy(b, g, N * sizeof *b);
    vec_swiglu_neon(N, a, u);
    vec_swiglu_ref(N, b, u);
    long bad = 0;
    for (int i = 0; i < N; i++) bad += !same(a[i], b[i]);
    printf("neon swiglu: %d values, %ld mismatches\n", N, bad);
    assert_int_equal(bad, 0);
    free(g), free(u), free(a), free(b);
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
    h[5] = 0x0001, h[6] = 0x83ff; /* f16 subnormals: widened exactly */
    const int lens[] = {0, 1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 64, 80, 128, 255, 256, N};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        const int n = lens[li];
        double abs1 = 0.0, abs2 = 0.0;
        for (int i = 0; i < n; i++) {
            abs1 += fabs((double)x[i] * y[i]);
            abs2 += fabs((double)lf_fp16_to_f32(h[i]) * y[i]);
        }
        const double tol = 1e-6 * (double)n + 1e-7; /* ~ n ulp of the absolute sum */
        assert_true(fabs((double)vec_dot_f32_neon(n, x, y) - (double)vec_dot_f32_ref(n, x, y)) <= tol * (abs1 + 1e-30));
        assert_true(fabs((double)vec_dot_f16_f32_neon(n, h, y) - (double)vec_dot_f16_f32_ref(n, h, y)) <=
                    tol * (abs2 + 1e-30));
        memcpy(ya, y, sizeof ya);
        memcpy(yb, y, sizeof yb);
        vec_axpy_f32_neon(n, 0.3712f, x, ya);
        vec_axpy_f32_ref(n, 0.3712f, x, yb);
        assert_memory_equal(ya, yb, sizeof ya); /* also: nothing written past n */
        memcpy(ya, y, sizeof ya);
        memcpy(yb, y, sizeof yb);
        vec_axpy_f16_neon(n, -1.25f, h, ya);
        vec_axpy_f16_ref(n, -1.25f, h, yb);
        assert_memory_equal(ya, yb, sizeof ya);
    }
    /* a dot where the summation order cannot matter: small integers, exact in f32 */
    float xi[37], yi[37];
    for (int i = 0; i < 37; i++) xi[i] = (float)(i % 7 - 3), yi[i] = (float)(i % 5 + 1);
    assert_true(vec_dot_f32_neon(37, xi, yi) == vec_dot_f32_ref(37, xi, yi));
}

/* attention rows: scores equal the NEON dot row by row times the scale, wsum an axpy per row onto a
 * non-zero start; head dims with 16-, 4- and scalar tails, padded row strides */
static void test_attn_rows(void **state) {
    (void)state;
    const int64_t hds[] = {1, 3, 4, 5, 16, 19, 36, 64, 67, 128};
    const int64_t ns[] = {1, 2, 5, 17};
    uint64_t rng = 5;
    for (size_t hi = 0; hi < sizeof hds / sizeof *hds; hi++)
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
            const int64_t hd = hds[hi], n = ns[ni], stride = hd + 3;
            float *kf = malloc(sizeof(float) * (size_t)(stride * n)), *q = malloc(sizeof(float) * (size_t)hd);
            uint16_t *kh = malloc(sizeof(uint16_t) * (size_t)(stride * n));
            float *w = malloc(sizeof(float) * (size_t)n), *s1 = malloc(sizeof(float) * (size_t)n);
            float *o1 = malloc(sizeof(float) * (size_t)hd), *o2 = malloc(sizeof(float) * (size_t)hd);
            assert_true(kf && q && kh && w && s1 && o1 && o2);
            for (int64_t i = 0; i < stride * n; i++) {
                kf[i] = lf_test_randf(&rng) * 3.0f;
                kh[i] = lf_f32_to_fp16(lf_test_randf(&rng) * 3.0f);
            }
            for (int64_t d = 0; d < hd; d++) q[d] = lf_test_randf(&rng);
            for (int64_t i = 0; i < n; i++) w[i] = lf_test_randf(&rng) * 0.5f + 0.5f;
            const float scale = 0.125f;
            vec_scores_f16_neon(hd, n, kh, stride, q, scale, s1);
            for (int64_t i = 0; i < n; i++) {
                const float want = vec_dot_f16_f32_neon(hd, kh + i * stride, q) * scale;
                assert_memory_equal(&want, &s1[i], sizeof want);
            }
            vec_scores_f32_neon(hd, n, kf, stride, q, scale, s1);
            for (int64_t i = 0; i < n; i++) {
                const float want = vec_dot_f32_neon(hd, kf + i * stride, q) * scale;
                assert_memory_equal(&want, &s1[i], sizeof want);
            }
            for (int64_t d = 0; d < hd; d++) o1[d] = o2[d] = q[d];
            vec_wsum_f16_neon(hd, n, w, kh, stride, o1);
            for (int64_t i = 0; i < n; i++) vec_axpy_f16_ref(hd, w[i], kh + i * stride, o2);
            assert_memory_equal(o1, o2, sizeof(float) * (size_t)hd);
            for (int64_t d = 0; d < hd; d++) o1[d] = o2[d] = q[d];
            vec_wsum_f32_neon(hd, n, w, kf, stride, o1);
            for (int64_t i = 0; i < n; i++) vec_axpy_f32_ref(hd, w[i], kf + i * stride, o2);
            assert_memory_equal(o1, o2, sizeof(float) * (size_t)hd);
            free(kf), free(q), free(kh), free(w), free(s1), free(o1), free(o2);
        }
}

static void test_table(void **state) {
    (void)state;
    lf_kernels k;
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    f.neon = 1;
    lf_kernels_init(&k, f);
    assert_string_equal(k.vec.isa, "neon");
    assert_true(k.vec.dot_f32 == vec_dot_f32_neon && k.vec.dot_f16_f32 == vec_dot_f16_f32_neon);
    assert_true(k.vec.axpy_f32 == vec_axpy_f32_neon && k.vec.axpy_f16 == vec_axpy_f16_neon);
    assert_true(k.vec.expf_ggml == vec_expf_ggml_neon && k.vec.swiglu == vec_swiglu_neon);
    assert_true(k.attn.scores_f16 == vec_scores_f16_neon && k.attn.scores_f32 == vec_scores_f32_neon);
    assert_true(k.attn.wsum_f16 == vec_wsum_f16_neon && k.attn.wsum_f32 == vec_wsum_f32_neon);
    assert_true(k.attn.scores_rows_f32 == vec_scores_rows_f32_neon && k.attn.wsum_rows_f32 == vec_wsum_rows_f32_neon);
    /* the NEON f16 multi-query entries (kernels.test_attn_rows checks their bits against the single-row ones) */
    assert_true(k.attn.scores_rows_f16 == vec_scores_rows_f16_neon && k.attn.wsum_rows_f16 == vec_wsum_rows_f16_neon);
    f.neon = 0;
    lf_kernels_init(&k, f);
    assert_string_equal(k.vec.isa, "ref");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expf_bit_exact),
        cmocka_unit_test(test_swiglu_bit_exact),
        cmocka_unit_test(test_dot_axpy),
        cmocka_unit_test(test_attn_rows),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void) {
    printf("SKIP: AArch64 NEON vector kernels are not built for this architecture\n");
    return LF_TEST_SKIP;
}

#endif
