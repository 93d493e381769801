/* tests/kernels/test_vec_geglu.c - the GELU table lookup (kernels/vec.h geglu) of every ISA against its
 * reference twin, bit for bit (NaN bits included): every f16 value and the midpoints
 * and neighbours of every f16 value (the round-to-nearest-even ties), the +-10 GELU cut-offs and their
 * neighbours, the overflow boundary (65504, 65520), subnormal results, +-0, +-inf, NaN with payloads,
 * and random bit patterns, at every tail length. (All 2^32 inputs were compared once, offline: no
 * difference.) ISAs the CPU lacks print a SKIP line and pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "kernels/vec.h"
#include "ops/ops.h"
#include "testutil.h"

typedef struct f16_isa {
    const char *name;
    int available;
    void (*geglu)(int64_t n, float *g, const float *u, const uint16_t *tab);
} f16_isa;

static f16_isa g_isa[3];
static int g_nisa;

static void setup_isas(void) {
    lf_kernels k;
    lf_kernels_init(&k, lf_cpu_detect());
    g_isa[g_nisa++] = (f16_isa){"installed", 1, k.vec.geglu};
#if defined(LFMRT_HAVE_X86)
    const lf_cpu_features f = lf_cpu_detect();
    g_isa[g_nisa++] = (f16_isa){"avx2", f.avx2 && f.fma && f.f16c, vec_geglu_avx2};
    g_isa[g_nisa++] = (f16_isa){"avx512", f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c,
                                vec_geglu_avx512};
#endif
}

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* ggml's GELU table, built as ops.c builds it */
static uint16_t *gelu_table(void) {
    uint16_t *t = malloc(65536 * sizeof *t);
    assert_non_null(t);
    for (uint32_t h = 0; h < 65536; h++) {
        const float x = lf_fp16_to_f32((uint16_t)h);
        t[h] = lf_f32_to_fp16(0.5f * x * (1.0f + tanhf(0.79788456080286535587989211986876f * x * (1.0f + 0.044715f * x * x))));
    }
    return t;
}

/* The inputs: every f16 value, the f32 neighbours of it and of the midpoints to the next f16 value,
 * the special values, then random bit patterns (and random values in the GELU range). */
static float *inputs(int64_t *count) {
    const int64_t cap = 65536 * 6 + 4096 + 400000;
    float *x = malloc((size_t)cap * sizeof *x);
    assert_non_null(x);
    int64_t n = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        const float v = lf_fp16_to_f32((uint16_t)h);
        x[n++] = v;
        if (isnan(v) || isinf(v)) continue;
        const uint32_t b = bits(v);
        x[n++] = from_bits(b + 1);
        x[n++] = from_bits(b - 1); /* below +0 this is a NaN / -0 pattern: still a valid input */
        const uint32_t mid = bits(v) + (1u << 12); /* halfway to the next f16 for normal f16 values */
        x[n++] = from_bits(mid);
        x[n++] = from_bits(mid - 1);
        x[n++] = from_bits(mid + 1);
    }
    const float special[] = {-10.0f, 10.0f, 0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 65504.0f, 65520.0f,
                             -65520.0f, 65519.996f, 0x1p-24f, 0x1p-25f, -0x1p-25f, 0x1.8p-25f, 0x1p-14f, 0x1p-149f,
                             from_bits(0x7f800001u), from_bits(0xff800001u), from_bits(0x7fbfffffu),
                             from_bits(0x7fffe000u), from_bits(0xffc02000u)};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) x[n++] = special[i];
    for (int d = -64; d < 64; d++) {
        x[n++] = from_bits((uint32_t)((int32_t)bits(10.0f) + d));
        x[n++] = from_bits((uint32_t)((int32_t)bits(-10.0f) + d));
    }
    uint64_t st = 99;
    while (n < cap - 2) {
        x[n++] = from_bits((uint32_t)lf_test_rand(&st));
        x[n++] = lf_test_randf(&st) * 11.0f;
    }
    *count = n;
    return x;
}

static void test_geglu(void **state) {
    (void)state;
    int64_t n;
    float *x = inputs(&n);
    uint16_t *tab = gelu_table();
    float *u = malloc((size_t)n * 4), *want = malloc((size_t)n * 4), *got = malloc((size_t)n * 4);
    assert_true(u && want && got);
    uint64_t st = 7;
    for (int64_t i = 0; i < n; i++) u[i] = (i % 5 == 0) ? 1.0f : lf_test_randf(&st) * 4.0f;
    u[3] = INFINITY, u[11] = -0.0f, u[17] = NAN;
    memcpy(want, x, (size_t)n * 4);
    vec_geglu_ref(n, want, u, tab);
    for (int64_t i = 0; i < n; i += 5) /* u = 1: the ref is ops' single-value lookup */
        if (!isnan(x[i])) assert_true(bits(want[i]) == bits(lf_gelu_ggml(x[i])));
    for (int s = 0; s < g_nisa; s++) {
        if (!g_isa[s].available) {
            printf("SKIP: geglu: %s not supported by this CPU\n", g_isa[s].name);
            continue;
        }
        memcpy(got, x, (size_t)n * 4);
        int64_t done = 0;
        for (int len = 1; done < n; len = len % 37 + 1) {
            const int64_t m = done + len > n ? n - done : (len == 37 ? n - done : len);
            g_isa[s].geglu(m, got + done, u + done, tab);
            done += m;
        }
        long bad = 0;
        for (int64_t i = 0; i < n; i++)
            if (bits(got[i]) != bits(want[i]) && bad++ < 5)
                printf("%s geglu(%a, %a) = %a, ref %a\n", g_isa[s].name, (double)x[i], (double)u[i], (double)got[i],
                       (double)want[i]);
        assert_int_equal(bad, 0);
    }
    free(x), free(tab), free(u), free(want), free(got);
}

int main(void) {
    setup_isas();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geglu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
