/* tests/kernels/test_neon.c - every AArch64 fast kernel (arm_neon/, arm_dotprod/) against its
 * reference twin, and the aarch64 dispatch cascade NEON -> dotprod -> i8mm (the gemms are compared
 * by test_gemm_neon.c, each ISA's directly, and test_gemm.c, the detected table's).
 *
 * Q8_0 quantization and the Q8_0/Q4_0 dots and gemvs must equal the reference bit for bit (their
 * contract); the F16 ones must agree within the rounding bound of 16-lane f32 accumulation. The
 * dotprod level runs only where the CPU has it (under qemu: QEMU_CPU=max yes, cortex-a53 no);
 * otherwise its cases print a SKIP line. On other architectures the whole program is skipped.
 * Shapes: odd block counts, row counts not a multiple of 4, padded strides, rows at 2-byte
 * alignment, -128 weight codes, ties after scaling, zero and tiny blocks, large correlated sums.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "rand_blocks.h"
#include "testutil.h"

#if defined(LFMRT_HAVE_ARM)
#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/arm_i8mm/i8mm.h"
#include "kernels/arm_neon/neon.h"

typedef struct isa_set {
    const char *name;
    int available;
    lf_dot_fn dot_q8_0, dot_q4_0;
    lf_gemv_fn gemv_q8_0, gemv_q4_0;
} isa_set;

static isa_set g_isa[2];

static void setup_isas(void) {
    const lf_cpu_features f = lf_cpu_detect();
    printf("cpu: neon %u dotprod %u i8mm %u\n", f.neon, f.dotprod, f.i8mm);
    g_isa[0] = (isa_set){"neon", f.neon, dot_q8_0_q8_0_neon, dot_q4_0_q8_0_neon,
                         gemv_q8_0_q8_0_neon, gemv_q4_0_q8_0_neon};
    g_isa[1] = (isa_set){"dotprod", f.neon && f.dotprod, dot_q8_0_q8_0_dotprod,
                         dot_q4_0_q8_0_dotprod, gemv_q8_0_q8_0_dotprod, gemv_q4_0_q8_0_dotprod};
}

static int skip_isa(const isa_set *s, const char *test) {
    if (s->available) return 0;
    printf("SKIP: %s: %s not supported by this CPU\n", test, s->name);
    return 1;
}

/* kind 0: random; 1: exact .5 ties after scaling (d = 1); 2: zeros, -0 and an all-zero block;
 * 3: small magnitudes (f16-subnormal d). */
static void fill_acts(float *x, int64_t n, uint64_t *rng, int kind) {
    for (int64_t i = 0; i < n; i++) {
        float v = lf_test_randf(rng) * (float)(1 + (i / 32) % 7);
        if (kind == 1)
            v = i % 32 == 0 ? ((i / 32) & 1 ? 127.0f : -127.0f)
                            : (float)((int)(lf_test_rand(rng) % 253) - 126) + 0.5f;
        if (kind == 2 && i % 32 < 3) v = 0.0f;
        if (kind == 2 && i >= 64 && i < 96) v = -0.0f;
        if (kind == 3) v *= 1e-3f * (float)(1 + i % 5);
        x[i] = v;
    }
}

static void test_quantize_q8_0_bit_exact(void **state) {
    (void)state;
    enum { N = 4096 };
    static float x[N];
    static lf_block_q8_0 got[N / 32 + 1], want[N / 32];
    uint64_t rng = 11;
    for (int kind = 0; kind < 4; kind++) {
        for (int64_t n = 32; n <= N; n = n * 2 + 32) {
            fill_acts(x, n, &rng, kind);
            memset(got, 0xAB, sizeof got);
            quantize_row_q8_0_neon(x, got, n);
            quantize_row_q8_0_ref(x, want, n);
            if (memcmp(got, want, (size_t)(n / 32) * sizeof(lf_block_q8_0)) != 0) {
                fprintf(stderr, "neon quantize_row_q8_0 kind %d n %lld differs\n", kind, (long long)n);
                fail();
            }
            assert_int_equal(((uint8_t *)got)[(n / 32) * sizeof(lf_block_q8_0)], 0xAB);
        }
    }
    /* a tie case by hand: amax 127 -> id 1, 2.5 -> 2 and -3.5 -> -4 (ties to even) */
    float t[32] = {127.0f, 2.5f, -3.5f, 0.5f};
    quantize_row_q8_0_neon(t, got, 32);
    assert_int_equal(got[0].qs[0], 127);
    assert_int_equal(got[0].qs[1], 2);
    assert_int_equal(got[0].qs[2], -4);
    assert_int_equal(got[0].qs[3], 0);
}

static uint8_t *make_rows(uint32_t t, int64_t n, int rows, size_t stride, uint64_t *rng, uint8_t **base) {
    *base = malloc(stride * (size_t)rows + 2);
    assert_non_null(*base);
    uint8_t *w = *base + 2;
    for (int r = 0; r < rows; r++) {
        lf_rand_row(t, w + stride * (size_t)r, n, rng);
        if (t == LF_DT_Q8_0 && r % 3 == 0) {
            lf_block_q8_0 *b = (lf_block_q8_0 *)(w + stride * (size_t)r);
            b[0].qs[0] = -128, b[0].qs[31] = -128;
        }
    }
    return w;
}

/* Odd rows follow the activation's signs, so block sums get large and the order of the f32 scale
 * products matters (random rows would hide a reordering). */
static void correlate_rows(uint32_t t, uint8_t *w, size_t stride, int rows, const lf_block_q8_0 *a,
                           int64_t n, uint64_t *rng) {
    for (int r = 1; r < rows; r += 2) {
        for (int64_t b = 0; b < n / 32; b++) {
            for (int j = 0; j < 32; j++) {
                const int pos = a[b].qs[j] > 0, flip = (lf_test_rand(rng) % 8) == 0;
                if (t == LF_DT_Q8_0) {
                    lf_block_q8_0 *q = (lf_block_q8_0 *)(w + stride * (size_t)r) + b;
                    q->qs[j] = (int8_t)((pos != flip) ? 100 + (int)(lf_test_rand(rng) % 28)
                                                      : -100 - (int)(lf_test_rand(rng) % 29));
                } else {
                    lf_block_q4_0 *q = (lf_block_q4_0 *)(w + stride * (size_t)r) + b;
                    const int code = (pos != flip) ? 15 : 0;
                    uint8_t *byte = &q->qs[j % 16];
                    *byte = (uint8_t)(j < 16 ? (*byte & 0xF0) | code : (*byte & 0x0F) | code << 4);
                }
            }
        }
    }
}

static void check_quant_gemv(const char *isa, uint32_t t, lf_dot_fn dot, lf_gemv_fn gemv,
                             lf_dot_fn dot_ref, lf_gemv_fn gemv_ref) {
    const int64_t ns[] = {32, 64, 96, 160, 1024, 1056, 4096};
    const int rows[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17};
    uint64_t rng = 1000 + t;
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        const int64_t n = ns[ni];
        float *x = malloc(sizeof(float) * (size_t)n);
        lf_block_q8_0 *a = malloc(sizeof(lf_block_q8_0) * (size_t)(n / 32));
        assert_true(x && a);
        fill_acts(x, n, &rng, (int)ni % 4);
        quantize_row_q8_0_ref(x, a, n);
        for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
            size_t rb = 0;
            assert_true(lf_dtype_row_size(t, n, &rb));
            const size_t stride = rb + (ri % 2 ? 6 : 0);
            uint8_t *base;
            uint8_t *w = make_rows(t, n, rows[ri], stride, &rng, &base);
            correlate_rows(t, w, stride, rows[ri], a, n, &rng);
            float got[18], want[17];
            memset(got, 0, sizeof got);
            got[rows[ri]] = 12345.0f; /* sentinel past the last row */
            gemv(n, rows[ri], got, w, stride, a);
            gemv_ref(n, rows[ri], want, w, stride, a);
            if (memcmp(got, want, sizeof(float) * (size_t)rows[ri]) != 0) {
                fprintf(stderr, "%s %s gemv n %lld rows %d: not bit-identical to ref\n", isa,
                        lf_dtype_name(t), (long long)n, rows[ri]);
                for (int r = 0; r < rows[ri]; r++)
                    fprintf(stderr, "  row %d: %.9g vs %.9g\n", r, (double)got[r], (double)want[r]);
                fail();
            }
            assert_true(got[rows[ri]] == 12345.0f);
            for (int r = 0; r < rows[ri]; r++) {
                float d1, d2;
                dot(n, &d1, w + stride * (size_t)r, a);
                dot_ref(n, &d2, w + stride * (size_t)r, a);
                assert_memory_equal(&d1, &d2, sizeof d1);
            }
            free(base);
        }
        free(x), free(a);
    }
}

static void test_q8_0_bit_exact(void **state) {
    (void)state;
    for (int si = 0; si < 2; si++) {
        if (skip_isa(&g_isa[si], "Q8_0 x Q8_0 dot/gemv")) continue;
        check_quant_gemv(g_isa[si].name, LF_DT_Q8_0, g_isa[si].dot_q8_0, g_isa[si].gemv_q8_0,
                         dot_q8_0_q8_0_ref, gemv_q8_0_q8_0_ref);
    }
}

static void test_q4_0_bit_exact(void **state) {
    (void)state;
    for (int si = 0; si < 2; si++) {
        if (skip_isa(&g_isa[si], "Q4_0 x Q8_0 dot/gemv")) continue;
        check_quant_gemv(g_isa[si].name, LF_DT_Q4_0, g_isa[si].dot_q4_0, g_isa[si].gemv_q4_0,
                         dot_q4_0_q8_0_ref, gemv_q4_0_q8_0_ref);
    }
}

static void test_f16_close(void **state) {
    (void)state;
    const int64_t ns[] = {1, 2, 7, 15, 16, 17, 31, 32, 33, 48, 100, 1000, 1024, 4099};
    const int rows[] = {1, 3, 4, 6, 9};
    uint64_t rng = 555;
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        const int64_t n = ns[ni];
        uint16_t *a = malloc(2 * (size_t)n);
        float *x = malloc(4 * (size_t)n), *wf = malloc(4 * (size_t)n);
        assert_true(a && x && wf);
        for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(&rng) * 4.0f;
        quantize_row_f16_ref(x, a, n);
        for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
            const size_t stride = 2 * (size_t)n + (ri % 2 ? 2 : 0);
            uint8_t *base;
            const uint8_t *w = make_rows(LF_DT_F16, n, rows[ri], stride, &rng, &base);
            float got[10], want[9];
            got[rows[ri]] = 12345.0f;
            gemv_f16_f16_neon(n, rows[ri], got, w, stride, a);
            gemv_f16_f16_ref(n, rows[ri], want, w, stride, a);
            assert_true(got[rows[ri]] == 12345.0f);
            for (int r = 0; r < rows[ri]; r++) {
                dequant_row_f16_ref(w + stride * (size_t)r, wf, n);
                double mag = 0;
                for (int64_t i = 0; i < n; i++) mag += fabs((double)wf[i] * lf_fp16_to_f32(a[i]));
                /* 16 f32 lanes: about n/16 + 8 roundings, each at most 2^-24 of the magnitude */
                const double tol = ((double)n / 16.0 + 8.0) * 0x1p-24 * mag + 1e-30;
                float d1;
                dot_f16_f16_neon(n, &d1, w + stride * (size_t)r, a);
                if (!(fabs((double)got[r] - want[r]) <= tol) || !(fabs((double)d1 - want[r]) <= tol)) {
                    fprintf(stderr, "neon F16 n %lld row %d: gemv %.9g dot %.9g ref %.9g tol %.3g\n",
                            (long long)n, r, (double)got[r], (double)d1, (double)want[r], tol);
                    fail();
                }
            }
            free(base);
        }
        free(a), free(x), free(wf);
    }
}

/* The cascade: nothing without NEON, NEON entries with it, dotprod's Q8_0/Q4_0 on top; untouched
 * entries stay ref. */
static void test_dispatch_by_features(void **state) {
    (void)state;
    lf_kernels k;
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    f.dotprod = 1; /* dotprod without NEON (impossible, but must not install) */
    lf_kernels_init(&k, f);
    assert_string_equal(k.t[LF_DT_Q8_0].isa, "ref");
    assert_true(k.t[LF_DT_Q8_0].gemv == gemv_q8_0_q8_0_ref);
    f.dotprod = 0, f.neon = 1;
    lf_kernels_init(&k, f);
    assert_string_equal(k.t[LF_DT_Q4_0].isa, "neon");
    assert_true(k.t[LF_DT_Q8_0].from_f32 == quantize_row_q8_0_neon);
    assert_true(k.t[LF_DT_Q8_0].gemv == gemv_q8_0_q8_0_neon);
    assert_true(k.t[LF_DT_Q4_0].dot == dot_q4_0_q8_0_neon);
    assert_true(k.t[LF_DT_F16].gemv == gemv_f16_f16_neon);
    assert_true(k.t[LF_DT_Q8_0].gemm == gemm_q8_0_q8_0_neon);
    assert_true(k.t[LF_DT_Q4_0].gemm == gemm_q4_0_q8_0_neon);
    assert_true(k.t[LF_DT_F16].gemm == gemm_f16_f16_neon); /* install_float_neon */
    assert_string_equal(k.t[LF_DT_Q4_1].isa, "ref");
    f.dotprod = 1;
    lf_kernels_init(&k, f);
    assert_string_equal(k.t[LF_DT_Q8_0].isa, "dotprod");
    assert_true(k.t[LF_DT_Q8_0].gemv == gemv_q8_0_q8_0_dotprod);
    assert_true(k.t[LF_DT_Q4_0].gemv == gemv_q4_0_q8_0_dotprod);
    assert_true(k.t[LF_DT_Q8_0].gemm == gemm_q8_0_q8_0_dotprod);
    assert_true(k.t[LF_DT_Q4_0].gemm == gemm_q4_0_q8_0_dotprod);
    assert_true(k.t[LF_DT_Q8_0].from_f32 == quantize_row_q8_0_neon); /* stays NEON */
    assert_string_equal(k.t[LF_DT_F16].isa, "neon");
    assert_true(k.cpu.dotprod);
    /* i8mm replaces only the gemms, and only on top of dotprod */
    f.i8mm = 1;
    lf_kernels_init(&k, f);
    assert_string_equal(k.t[LF_DT_Q8_0].isa, "i8mm");
    assert_true(k.t[LF_DT_Q8_0].gemm == gemm_q8_0_q8_0_i8mm);
    assert_true(k.t[LF_DT_Q4_0].gemm == gemm_q4_0_q8_0_i8mm);
    assert_true(k.t[LF_DT_Q8_0].gemv == gemv_q8_0_q8_0_dotprod);
    assert_true(k.t[LF_DT_Q4_0].dot == dot_q4_0_q8_0_dotprod);
    assert_true(k.t[LF_DT_F16].gemm == gemm_f16_f16_neon); /* install_float_neon */
    f.dotprod = 0;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q8_0].gemm == gemm_q8_0_q8_0_neon);
    assert_string_equal(k.t[LF_DT_Q4_0].isa, "neon");
}

int main(void) {
    setup_isas();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantize_q8_0_bit_exact),
        cmocka_unit_test(test_q8_0_bit_exact),
        cmocka_unit_test(test_q4_0_bit_exact),
        cmocka_unit_test(test_f16_close),
        cmocka_unit_test(test_dispatch_by_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void) {
    printf("SKIP: AArch64 NEON/dotprod kernels are not built for this architecture\n");
    return LF_TEST_SKIP;
}

#endif
