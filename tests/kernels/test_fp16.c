/* tests/kernels/test_fp16.c - proves the fp16/bf16 converters of format/dtype.h.
 *
 * Oracles: (1) an independent model computed in double precision with rint() (round to nearest
 * even in the default rounding mode), written here from the IEEE definition; (2) where the
 * compiler has _Float16 (gcc 12 on x86-64), the compiler's own f32 -> f16 conversion. Coverage:
 * all 65536 halves round trip; for every finite half, the f32 midpoints to its neighbour and one f32
 * ulp either side (every rounding tie and near-tie); millions of random f32 bit patterns and random
 * values spread over the half range; signed zeros, subnormals, overflow, inf and NaN.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format/dtype.h"
#include "testutil.h"

static float bits_f(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static uint32_t f_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static int half_is_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0; }

/* Independent model: f32 -> binary16 bits with round-to-nearest-even, via exact double math. */
static uint16_t model_f32_to_f16(float f) {
    uint32_t u = f_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    if (isnan(f)) return (uint16_t)(sign | 0x7e00);
    double a = fabs((double)f);
    if (isinf(f) || a >= 65520.0) return (uint16_t)(sign | 0x7c00);
    if (a < 0x1p-14) { /* subnormal range: unit 2^-24; q == 1024 is the smallest normal's code */
        double q = rint(a * 0x1p24);
        return (uint16_t)(sign | (uint16_t)q);
    }
    int e;
    frexp(a, &e); /* a = m * 2^e, m in [0.5, 1) -> a in [2^(e-1), 2^e) */
    e -= 1;
    double q = rint(a * ldexp(1.0, 10 - e)); /* 1024 .. 2048 */
    uint32_t bits = (uint32_t)(e + 15) << 10;
    bits += (uint32_t)q - 1024; /* q == 2048 carries into the exponent */
    return (uint16_t)(sign | bits);
}

/* Independent model: binary16 bits -> value, in double. */
static double model_f16_to_double(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    double s = (h & 0x8000) ? -1.0 : 1.0;
    if (e == 0) return s * ldexp((double)m, -24);
    if (e == 31) return m ? NAN : s * INFINITY;
    return s * ldexp((double)(m + 1024), e - 25);
}

/* Independent model: f32 -> bf16 bits, nearest even; NaN stays a (quiet) NaN. */
static uint16_t model_f32_to_bf16(float f) {
    uint32_t u = f_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    if (isnan(f)) return (uint16_t)((u >> 16) | 0x40);
    if (isinf(f)) return (uint16_t)(u >> 16);
    double a = fabs((double)f);
    if (a == 0.0) return sign;
    int e;
    frexp(a, &e);
    e -= 1;
    if (e < -126) e = -126; /* f32 subnormals: fixed unit 2^-133 */
    double r = rint(a * ldexp(1.0, 7 - e)) * ldexp(1.0, e - 7);
    if (r >= 0x1p128) return (uint16_t)(sign | 0x7f80);
    return (uint16_t)(sign | (f_bits((float)r) >> 16));
}

static void check_f16(float f) {
    uint16_t got = lf_f32_to_fp16(f);
    uint16_t want = model_f32_to_f16(f);
    if (got != want) {
        fprintf(stderr, "f32 %a (0x%08x): got 0x%04x want 0x%04x\n", (double)f, f_bits(f), got, want);
        fail();
    }
#ifdef __FLT16_MAX__
    if (!isnan(f)) {
        _Float16 c = (_Float16)f;
        uint16_t cb;
        memcpy(&cb, &c, 2);
        if (got != cb) {
            fprintf(stderr, "f32 %a: got 0x%04x, _Float16 gives 0x%04x\n", (double)f, got, cb);
            fail();
        }
    }
#endif
}

/* Every half -> f32 -> half returns the same bits; NaNs stay NaN. f16 -> f32 matches the model. */
static void test_f16_exhaustive_round_trip(void **state) {
    (void)state;
    int nans = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = lf_fp16_to_f32((uint16_t)h);
        double m = model_f16_to_double((uint16_t)h);
        if (half_is_nan((uint16_t)h)) {
            assert_true(isnan(f));
            /* the payload survives the widening */
            assert_int_equal(f_bits(f) & 0x7fffff, (uint32_t)(h & 0x3ff) << 13);
            uint16_t back = lf_f32_to_fp16(f);
            assert_true(half_is_nan(back));
            assert_int_equal(back & 0x8000, h & 0x8000);
            nans++;
            continue;
        }
        assert_true((double)f == m);
        assert_int_equal(signbit(f) != 0, (h & 0x8000) != 0);
        assert_int_equal(lf_f32_to_fp16(f), h);
#ifdef __FLT16_MAX__
        _Float16 c;
        uint16_t hb = (uint16_t)h;
        memcpy(&c, &hb, 2);
        assert_true(f_bits((float)c) == f_bits(f));
#endif
    }
    assert_int_equal(nans, 2 * 1023);
}

/* For each pair of adjacent finite halves: the exact midpoint (a tie) and one f32 ulp either side. */
static void test_f16_ties_and_near_ties(void **state) {
    (void)state;
    for (uint32_t h = 0; h < 0x7c00; h++) {
        for (int sgn = 0; sgn < 2; sgn++) {
            uint16_t lo = (uint16_t)(h | (sgn ? 0x8000 : 0));
            float a = lf_fp16_to_f32(lo);
            double next = (h + 1 == 0x7c00) ? 65536.0 : fabs(model_f16_to_double((uint16_t)(h + 1)));
            float mid = (float)((fabs((double)a) + next) / 2.0); /* exact in f32 */
            if (sgn) mid = -mid;
            assert_true(fabs((double)mid) == (fabs((double)a) + next) / 2.0);
            check_f16(mid);
            check_f16(nextafterf(mid, 0.0f));
            check_f16(nextafterf(mid, sgn ? -INFINITY : INFINITY));
        }
    }
    /* the tie rule, spelled out: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 -> even (1.0);
     * 1 + 3*2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 -> even (1 + 2^-9) */
    assert_int_equal(lf_f32_to_fp16(1.0f + 0x1p-11f), 0x3c00);
    assert_int_equal(lf_f32_to_fp16(1.0f + 3 * 0x1p-11f), 0x3c02);
    /* subnormal ties: 2^-25 (half the smallest subnormal) -> 0; 3*2^-25 -> 2*2^-24 */
    assert_int_equal(lf_f32_to_fp16(0x1p-25f), 0x0000);
    assert_int_equal(lf_f32_to_fp16(3 * 0x1p-25f), 0x0002);
    assert_int_equal(lf_f32_to_fp16(nextafterf(0x1p-25f, 1.0f)), 0x0001);
}

static void test_f16_edges(void **state) {
    (void)state;
    assert_int_equal(lf_f32_to_fp16(0.0f), 0x0000);
    assert_int_equal(lf_f32_to_fp16(-0.0f), 0x8000);
    assert_int_equal(lf_f32_to_fp16(1.0f), 0x3c00);
    assert_int_equal(lf_f32_to_fp16(-2.0f), 0xc000);
    assert_int_equal(lf_f32_to_fp16(65504.0f), 0x7bff);                      /* max half */
    assert_int_equal(lf_f32_to_fp16(nextafterf(65520.0f, 0.0f)), 0x7bff);    /* just below the tie */
    assert_int_equal(lf_f32_to_fp16(65520.0f), 0x7c00);                      /* tie -> even = inf */
    assert_int_equal(lf_f32_to_fp16(-1e10f), 0xfc00);
    assert_int_equal(lf_f32_to_fp16(INFINITY), 0x7c00);
    assert_int_equal(lf_f32_to_fp16(-INFINITY), 0xfc00);
    assert_int_equal(lf_f32_to_fp16(0x1p-14f), 0x0400);                      /* smallest normal */
    assert_int_equal(lf_f32_to_fp16(nextafterf(0x1p-14f, 0.0f)), 0x0400);    /* rounds up into it */
    assert_int_equal(lf_f32_to_fp16(0x1p-24f), 0x0001);                      /* smallest subnormal */
    assert_int_equal(lf_f32_to_fp16(-0x1p-24f), 0x8001);
    assert_int_equal(lf_f32_to_fp16(1e-30f), 0x0000);                        /* underflow */
    assert_int_equal(lf_f32_to_fp16(-1e-30f), 0x8000);
    assert_int_equal(lf_f32_to_fp16(bits_f(0x00000001)), 0x0000);            /* f32 subnormal */
    assert_int_equal(lf_f32_to_fp16(0.1f), 0x2e66);
    assert_true(half_is_nan(lf_f32_to_fp16(NAN)));
    assert_true(half_is_nan(lf_f32_to_fp16(bits_f(0x7f800001)))); /* payload only in low bits */
    assert_true(half_is_nan(lf_f32_to_fp16(bits_f(0xffc00000))));
    assert_int_equal(lf_f32_to_fp16(bits_f(0xffc00000)) & 0x8000, 0x8000);
    assert_true(lf_fp16_to_f32(0x7bff) == 65504.0f);
    assert_true(lf_fp16_to_f32(0x0001) == 0x1p-24f);
    assert_true(isinf(lf_fp16_to_f32(0xfc00)) && lf_fp16_to_f32(0xfc00) < 0);
}

/* Random f32 bit patterns (all exponents) and random values concentrated in the half range. */
static void test_f16_random(void **state) {
    (void)state;
    uint64_t rng = 12345;
    for (int i = 0; i < 2000000; i++) check_f16(bits_f((uint32_t)lf_test_rand(&rng)));
    for (int i = 0; i < 2000000; i++) {
        uint32_t r = (uint32_t)lf_test_rand(&rng);
        uint32_t exp = 127 - 26 + (r >> 24) % 44; /* 2^-26 .. 2^17 */
        uint32_t u = (r & 0x807fffffu) | exp << 23;
        check_f16(bits_f(u));
    }
}

static void test_bf16(void **state) {
    (void)state;
    /* exact values and ties: 0x3f808000 is halfway between 0x3f80 and 0x3f81 -> even 0x3f80;
     * 0x3f818000 between 0x3f81 (odd) and 0x3f82 -> 0x3f82 */
    assert_int_equal(lf_f32_to_bf16(1.0f), 0x3f80);
    assert_int_equal(lf_f32_to_bf16(bits_f(0x3f808000)), 0x3f80);
    assert_int_equal(lf_f32_to_bf16(bits_f(0x3f808001)), 0x3f81);
    assert_int_equal(lf_f32_to_bf16(bits_f(0x3f818000)), 0x3f82);
    assert_int_equal(lf_f32_to_bf16(bits_f(0x3f817fff)), 0x3f81);
    assert_int_equal(lf_f32_to_bf16(bits_f(0xbf818000)), 0xbf82);
    assert_int_equal(lf_f32_to_bf16(-0.0f), 0x8000);
    assert_int_equal(lf_f32_to_bf16(bits_f(0x7f7fffff)), 0x7f80); /* f32 max rounds to inf */
    assert_int_equal(lf_f32_to_bf16(bits_f(0x7f7f7fff)), 0x7f7f);
    assert_int_equal(lf_f32_to_bf16(INFINITY), 0x7f80);
    assert_int_equal(lf_f32_to_bf16(bits_f(0x00008000)), 0x0000); /* subnormal tie -> even 0 */
    assert_int_equal(lf_f32_to_bf16(bits_f(0x00018000)), 0x0002);
    /* NaN stays NaN even when the payload sits only in the dropped bits */
    uint16_t n = lf_f32_to_bf16(bits_f(0x7f800001));
    assert_int_equal(n & 0x7f80, 0x7f80);
    assert_true((n & 0x7f) != 0);
    assert_true(isnan(lf_bf16_to_f32(n)));
    assert_true(isnan(lf_bf16_to_f32(lf_f32_to_bf16(bits_f(0xffc00001)))));
    /* every bf16 round trips; widening is exact */
    for (uint32_t h = 0; h < 65536; h++) {
        float f = lf_bf16_to_f32((uint16_t)h);
        assert_int_equal(f_bits(f), h << 16);
        if (isnan(f)) {
            assert_true(isnan(lf_bf16_to_f32(lf_f32_to_bf16(f))));
        } else {
            assert_int_equal(lf_f32_to_bf16(f), h);
        }
    }
    uint64_t rng = 777;
    for (int i = 0; i < 2000000; i++) {
        float f = bits_f((uint32_t)lf_test_rand(&rng));
        uint16_t got = lf_f32_to_bf16(f), want = model_f32_to_bf16(f);
        if (isnan(f)) {
            assert_true(isnan(lf_bf16_to_f32(got)));
        } else if (got != want) {
            fprintf(stderr, "bf16 of 0x%08x: got 0x%04x want 0x%04x\n", f_bits(f), got, want);
            fail();
        }
    }
}

int main(void) {
#ifndef __FLT16_MAX__
    printf("NOTE: compiler lacks _Float16; f32->f16 checked against the double model only\n");
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f16_exhaustive_round_trip),
        cmocka_unit_test(test_f16_ties_and_near_ties),
        cmocka_unit_test(test_f16_edges),
        cmocka_unit_test(test_f16_random),
        cmocka_unit_test(test_bf16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
