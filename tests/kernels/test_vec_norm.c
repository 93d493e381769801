/* tests/kernels/test_vec_norm.c - the rmsnorm kernel (kernels/vec.h) of every ISA against its reference
 * twin, bit for bit: row lengths 1..70 and the model widths (256, 640, 1024, 2048 and odd ones), 1..19
 * rows (every count of lanes left over), with and without a weight, in place and out of place, strided
 * rows, values spread over many binades (so a changed summation order would show), and the reference
 * against an independent sequential double sum. ISAs the CPU lacks print a SKIP line and pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/vec.h"
#include "testutil.h"

typedef void (*rms_fn)(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                       const float *w, float eps);

typedef struct norm_isa {
    const char *name;
    int available;
    rms_fn f;
} norm_isa;

static norm_isa g_isa[4];
static int g_nisa;

static void setup_isas(void) {
    lf_kernels k;
    lf_kernels_init(&k, lf_cpu_detect());
    g_isa[g_nisa++] = (norm_isa){"installed", 1, k.vec.rmsnorm};
#if defined(LFMRT_HAVE_X86)
    const lf_cpu_features f = lf_cpu_detect();
    g_isa[g_nisa++] = (norm_isa){"avx2", f.avx2 && f.fma && f.f16c, vec_rmsnorm_avx2};
    g_isa[g_nisa++] = (norm_isa){"avx512", f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c,
                                 vec_rmsnorm_avx512};
#endif
}

/* values spread over about 2^-20 .. 2^12, random signs */
static float spread(uint64_t *st) {
    const float m = lf_test_randf(st);
    const int e = (int)(lf_test_rand(st) % 33) - 20;
    return ldexpf(m, e);
}

static void check(const norm_isa *s, int64_t n, int64_t rows, int64_t stride, int weighted, int in_place,
                  uint64_t *st) {
    const size_t len = (size_t)(rows * stride);
    float *x = malloc(len * sizeof *x), *y1 = malloc(len * sizeof *y1), *y2 = malloc(len * sizeof *y2);
    float *w = malloc((size_t)n * sizeof *w);
    assert_true(x && y1 && y2 && w);
    for (size_t i = 0; i < len; i++) x[i] = spread(st);
    for (int64_t i = 0; i < n; i++) w[i] = 1.0f + lf_test_randf(st);
    const float *wp = weighted ? w : NULL;
    memset(y1, 0, len * sizeof *y1);
    vec_rmsnorm_ref(n, rows, y1, stride, x, stride, wp, 1e-6f);
    if (in_place) {
        memcpy(y2, x, len * sizeof *x);
        s->f(n, rows, y2, stride, y2, stride, wp, 1e-6f);
    } else {
        memset(y2, 0, len * sizeof *y2);
        s->f(n, rows, y2, stride, x, stride, wp, 1e-6f);
    }
    for (int64_t r = 0; r < rows; r++) {
        if (memcmp(y1 + r * stride, y2 + r * stride, (size_t)n * sizeof(float)) != 0)
            fail_msg("%s rmsnorm n %lld rows %lld row %lld (weighted %d, in place %d) differs from ref", s->name,
                     (long long)n, (long long)rows, (long long)r, weighted, in_place);
        if (!in_place) /* the gap between rows is not written */
            for (int64_t i = n; i < stride; i++) assert_true(y2[r * stride + i] == 0.0f);
    }
    free(x), free(y1), free(y2), free(w);
}

static void test_rmsnorm_bit_exact(void **state) {
    (void)state;
    uint64_t st = 42;
    const int64_t widths[] = {256, 640, 1024, 2048, 255, 641, 1000};
    for (int s = 0; s < g_nisa; s++) {
        if (!g_isa[s].available) {
            printf("SKIP: rmsnorm: %s not supported by this CPU\n", g_isa[s].name);
            continue;
        }
        for (int64_t n = 1; n <= 70; n++)
            for (int64_t rows = 1; rows <= 19; rows += (n % 3) + 1)
                check(&g_isa[s], n, rows, n + (rows % 2) * 3, (int)(n & 1), (int)((n >> 1) & 1), &st);
        for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++)
            for (int64_t rows = 1; rows <= 19; rows++)
                check(&g_isa[s], widths[k], rows, widths[k], (int)(rows & 1), (int)((rows >> 1) & 1), &st);
    }
}

/* the reference is the sequential double sum of f32 squares (an independent loop here) */
static void test_ref_definition(void **state) {
    (void)state;
    uint64_t st = 5;
    enum { N = 640 };
    float x[N], w[N], y[N];
    for (int i = 0; i < N; i++) x[i] = spread(&st), w[i] = 1.0f + lf_test_randf(&st);
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        const float sq = x[i] * x[i];
        sum += (double)sq;
    }
    const float mean = (float)(sum / N);
    const float scale = 1.0f / sqrtf(mean + 1e-5f);
    vec_rmsnorm_ref(N, 1, y, N, x, N, w, 1e-5f);
    for (int i = 0; i < N; i++) {
        const float a = x[i] * scale;
        const float want = a * w[i];
        assert_memory_equal(&y[i], &want, sizeof want);
    }
}

int main(void) {
    setup_isas();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmsnorm_bit_exact),
        cmocka_unit_test(test_ref_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
