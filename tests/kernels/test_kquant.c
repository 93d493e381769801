/* tests/kernels/test_kquant.c - the K-quant weight quantizers and the fast K-quant kernels.
 *
 * Quantizers (kernels/ref/qk_ref.c): dequantize(quantize(x)) stays within the stated per-element
 * bound on several distributions (zero sub-blocks, all-positive, all-negative, one large outlier),
 * and the RMS error is what a 4/5/6-bit code gives on Gaussian data.
 * Fast kernels, each against its reference twin, on every ISA this CPU has (others print SKIP):
 *  - quantize_row_q8_k: bit-identical;
 *  - Q4_K/Q5_K/Q6_K x Q8_K dot and gemv: the integer block sums are exact but are grouped
 *    differently from the reference's 8 lanes, so the contract is |fast - ref| <= 1e-5 * M, with M the
 *    sum of the absolute values of every term the two summations add (computed here from the blocks).
 *  - the gemms (prefill) equal the same ISA's gemv bit for bit, per output.
 * Shapes: 1..16 blocks, row counts not a multiple of 4, row strides with 2 bytes of padding (rows at
 * 2-byte alignment).
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

#if defined(LFMRT_HAVE_X86)
#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avx512/avx512.h"
#endif
#if defined(LFMRT_HAVE_ARM)
#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/arm_neon/neon.h"
#endif

enum { KQ4, KQ5, KQ6, KN };
static const uint32_t k_types[KN] = {LF_DT_Q4_K, LF_DT_Q5_K, LF_DT_Q6_K};

typedef struct isa_set {
    const char *name;
    int available;
    lf_from_f32_fn quantize_q8_k;
    lf_dot_fn dot[KN];
    lf_gemv_fn gemv[KN];
    lf_gemm_fn gemm[KN]; /* NULL where the ISA has none */
} isa_set;

static isa_set g_isa[4];
static int g_n_isa;

static void setup_isas(void) {
    lf_cpu_features f = lf_cpu_detect();
    (void)f;
    g_n_isa = 0;
#if defined(LFMRT_HAVE_X86)
    g_isa[g_n_isa++] = (isa_set){"avx2", f.avx2 && f.fma && f.f16c, quantize_row_q8_k_avx2,
                                 {dot_q4_k_q8_k_avx2, dot_q5_k_q8_k_avx2, dot_q6_k_q8_k_avx2},
                                 {gemv_q4_k_q8_k_avx2, gemv_q5_k_q8_k_avx2, gemv_q6_k_q8_k_avx2},
                                 {gemm_q4_k_q8_k_avx2, NULL, gemm_q6_k_q8_k_avx2}};
    g_isa[g_n_isa++] = (isa_set){"avx512", f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c,
                                 quantize_row_q8_k_avx2,
                                 {dot_q4_k_q8_k_avx512, dot_q5_k_q8_k_avx512, dot_q6_k_q8_k_avx512},
                                 {gemv_q4_k_q8_k_avx512, gemv_q5_k_q8_k_avx512, gemv_q6_k_q8_k_avx512},
                                 {gemm_q4_k_q8_k_avx512, NULL, gemm_q6_k_q8_k_avx512}};
#endif
#if defined(LFMRT_HAVE_ARM)
    g_isa[g_n_isa++] = (isa_set){"neon", f.neon, quantize_row_q8_k_neon,
                                 {dot_q4_k_q8_k_neon, dot_q5_k_q8_k_neon, dot_q6_k_q8_k_neon},
                                 {gemv_q4_k_q8_k_neon, gemv_q5_k_q8_k_neon, gemv_q6_k_q8_k_neon},
                                 {NULL, NULL, NULL}};
    g_isa[g_n_isa++] = (isa_set){"dotprod", f.neon && f.dotprod, quantize_row_q8_k_neon,
                                 {dot_q4_k_q8_k_dotprod, dot_q5_k_q8_k_dotprod, dot_q6_k_q8_k_dotprod},
                                 {gemv_q4_k_q8_k_dotprod, gemv_q5_k_q8_k_dotprod, gemv_q6_k_q8_k_dotprod},
                                 {NULL, NULL, NULL}};
#endif
}

static int skip_isa(const isa_set *s, const char *test) {
    if (s->available) return 0;
    printf("SKIP: %s: %s not supported by this CPU\n", test, s->name);
    return 1;
}

/* ---- quantizers ------------------------------------------------------------------------------- */

/* kind 0: N(0,1)-ish; 1: all positive; 2: all negative; 3: zero sub-blocks and one zero block;
 * 4: small values with one large outlier per block */
static void fill_weights(float *x, int64_t n, uint64_t *rng, int kind) {
    for (int64_t i = 0; i < n; i++) {
        float v = 0.0f;
        for (int r = 0; r < 4; r++) v += lf_test_randf(rng);
        v *= 0.03f;
        switch (kind) {
        case 1: v = fabsf(v) + 0.001f; break;
        case 2: v = -fabsf(v) - 0.001f; break;
        case 3:
            if ((i / 16) % 5 == 2 || (i / 256) == 1) v = 0.0f;
            break;
        case 4:
            if (i % 256 == 77) v = 2.0f;
            break;
        default: break;
        }
        x[i] = v;
    }
}

static void test_quantize_bounds(void **state) {
    (void)state;
    const int64_t n = 256 * 6;
    float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
    uint8_t *q = malloc(210 * 6);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(q);
    uint64_t rng = 0x5eed4b;
    const lf_from_f32_fn quant[KN] = {quantize_row_q4_k_ref, quantize_row_q5_k_ref, quantize_row_q6_k_ref};
    const lf_to_f32_fn deq[KN] = {dequant_row_q4_k_ref, dequant_row_q5_k_ref, dequant_row_q6_k_ref};
    const int nmax[KN] = {15, 31, 0};
    const double rms_max[KN] = {0.10, 0.05, 0.025}; /* RMS error / RMS x on Gaussian data */
    for (int t = 0; t < KN; t++) {
        for (int kind = 0; kind < 5; kind++) {
            fill_weights(x, n, &rng, kind);
            quant[t](x, q, n);
            deq[t](q, y, n);
            double se = 0.0, sx = 0.0;
            for (int64_t b = 0; b < n / 256; b++) {
                const float *xb = x + 256 * b, *yb = y + 256 * b;
                double bound;
                if (t == KQ6) {
                    double A = 0.0;
                    for (int l = 0; l < 256; l++)
                        if (fabs(xb[l]) > A) A = fabs(xb[l]);
                    bound = A * (1.0 / 62 + 1.0 / 254 + 1.0 / 4096);
                } else {
                    double R = 0.0;
                    for (int s = 0; s < 8; s++) {
                        double lo = 0.0, hi = xb[32 * s];
                        for (int l = 0; l < 32; l++) {
                            if (xb[32 * s + l] < lo) lo = xb[32 * s + l];
                            if (xb[32 * s + l] > hi) hi = xb[32 * s + l];
                        }
                        if (hi - lo > R) R = hi - lo;
                    }
                    bound = R * (1.0 / (2 * nmax[t]) + 1.0 / 63);
                }
                bound = bound * 1.002 + 1e-12;
                for (int l = 0; l < 256; l++) {
                    const double err = fabs((double)xb[l] - yb[l]);
                    if (!(err <= bound)) {
                        printf("type %s kind %d block %lld elem %d: x %g y %g err %g > bound %g\n",
                               lf_dtype_name(k_types[t]), kind, (long long)b, l, xb[l], yb[l], err, bound);
                        fail();
                    }
                    se += err * err;
                    sx += (double)xb[l] * xb[l];
                }
            }
            if (kind == 0) {
                const double rel = sqrt(se / sx);
                printf("%s: RMS error / RMS x = %.4f\n", lf_dtype_name(k_types[t]), rel);
                assert_true(rel < rms_max[t]);
            }
            if (kind == 3) /* the zero block dequantizes to exact zeros */
                for (int l = 0; l < 256; l++) assert_true(y[256 + l] == 0.0f);
        }
    }
    free(x);
    free(y);
    free(q);
}

/* ---- Q8_K quantization ------------------------------------------------------------------------ */

static void fill_acts(float *x, int64_t n, uint64_t *rng, int kind) {
    for (int64_t i = 0; i < n; i++) {
        float v = lf_test_randf(rng) * (float)(1 + (i / 256) % 5);
        if (kind == 1) /* exact .5 ties after scaling: -max leads each block so iscale = 127/|max| = 1 */
            v = i % 256 == 0 ? -127.0f : (float)((int)(lf_test_rand(rng) % 253) - 126) + 0.5f;
        if (kind == 2 && (i / 256) == 1) v = 0.0f; /* one all-zero block */
        if (kind == 2 && i % 256 == 9) v = -fabsf(v) * 9.0f; /* negative max with a positive twin */
        if (kind == 2 && i % 256 == 200) v = -x[i - 191];
        if (kind == 2 && i % 256 == 12) v = -x[i - 3]; /* a twin in the same 8-lane vector: the first one wins */
        x[i] = v;
    }
}

static void test_quantize_q8_k_bit_exact(void **state) {
    (void)state;
    const int64_t n = 256 * 5;
    float *x = malloc(sizeof(float) * n);
    lf_block_q8_k *a = malloc(sizeof(lf_block_q8_k) * 5), *r = malloc(sizeof(lf_block_q8_k) * 5);
    assert_non_null(x);
    assert_non_null(a);
    assert_non_null(r);
    uint64_t rng = 77;
    for (int i = 0; i < g_n_isa; i++) {
        if (skip_isa(&g_isa[i], "quantize_q8_k")) continue;
        for (int kind = 0; kind < 3; kind++) {
            for (int rep = 0; rep < 20; rep++) {
                fill_acts(x, n, &rng, kind);
                memset(a, 0x55, sizeof(lf_block_q8_k) * 5);
                g_isa[i].quantize_q8_k(x, a, n);
                quantize_row_q8_k_ref(x, r, n);
                if (memcmp(a, r, sizeof(lf_block_q8_k) * 5) != 0) {
                    printf("%s quantize_q8_k differs (kind %d rep %d)\n", g_isa[i].name, kind, rep);
                    fail();
                }
            }
        }
    }
    free(x);
    free(a);
    free(r);
}

/* ---- dots and gemvs --------------------------------------------------------------------------- */

/* M of the header: for Q4_K/Q5_K sum |d*sc*q*a| + |dmin*mn*a| (two dequantizations of block copies,
 * one with dmin = 0, one with d = 0); for Q6_K sum (|d*sc*(q-32)| + 2*|32*d*sc|)*|a| (the codes
 * zeroed give -32*d*sc). */
static double magnitude(int t, const uint8_t *w, const float *a, int64_t n) {
    const lf_dtype_info *di = lf_dtype_get(k_types[t]);
    uint8_t blk[256];
    float y0[256], y1[256];
    double m = 0.0;
    for (int64_t b = 0; b < n / 256; b++) {
        const uint8_t *p = w + (size_t)b * di->type_size;
        if (t == KQ6) {
            dequant_row_q6_k_ref(p, y0, 256);
            memcpy(blk, p, di->type_size);
            memset(blk, 0, 192); /* ql, qh */
            dequant_row_q6_k_ref(blk, y1, 256);
            for (int l = 0; l < 256; l++) m += (fabs(y0[l]) + 2.0 * fabs(y1[l])) * fabs(a[256 * b + l]);
        } else {
            lf_to_f32_fn deq = t == KQ4 ? dequant_row_q4_k_ref : dequant_row_q5_k_ref;
            memcpy(blk, p, di->type_size);
            memset(blk + 2, 0, 2); /* dmin = 0 */
            deq(blk, y0, 256);
            memcpy(blk, p, di->type_size);
            memset(blk, 0, 2); /* d = 0 */
            deq(blk, y1, 256);
            for (int l = 0; l < 256; l++) m += (fabs(y0[l]) + fabs(y1[l])) * fabs(a[256 * b + l]);
        }
    }
    return m;
}

static void check_close(const char *what, double fast, double ref, double mag) {
    const double tol = 1e-5 * mag + 1e-30;
    if (!(fabs(fast - ref) <= tol)) {
        printf("%s: fast %.9g ref %.9g diff %.3g > tol %.3g\n", what, fast, ref, fabs(fast - ref), tol);
        fail();
    }
}

static void test_dots_close(void **state) {
    (void)state;
    const int64_t nbs[] = {1, 3, 8, 16};
    const int64_t rows[] = {1, 3, 4, 5, 9, 13};
    const int64_t nmax = 256 * 16;
    uint64_t rng = 4242;
    float *x = malloc(sizeof(float) * nmax), *adq = malloc(sizeof(float) * nmax);
    lf_block_q8_k *a = malloc(sizeof(lf_block_q8_k) * 16);
    uint8_t *w = malloc((size_t)(210 * 16 + 2) * 13);
    float *s = malloc(sizeof(float) * 13), *sr = malloc(sizeof(float) * 13);
    assert_non_null(x);
    assert_non_null(adq);
    assert_non_null(a);
    assert_non_null(w);
    assert_non_null(s);
    assert_non_null(sr);
    int checked = 0;
    for (int i = 0; i < g_n_isa; i++) {
        if (skip_isa(&g_isa[i], "k-quant dots")) continue;
        for (int t = 0; t < KN; t++) {
            const lf_dtype_info *di = lf_dtype_get(k_types[t]);
            lf_kernels ref;
            lf_kernels_init_ref(&ref);
            for (size_t bi = 0; bi < sizeof nbs / sizeof nbs[0]; bi++) {
                const int64_t n = 256 * nbs[bi];
                const size_t stride = (size_t)nbs[bi] * di->type_size + 2;
                for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
                    const int64_t nr = rows[ri];
                    fill_acts(x, n, &rng, (int)(ri % 3));
                    quantize_row_q8_k_ref(x, a, n);
                    dequant_row_q8_k_ref(a, adq, n);
                    for (int64_t r = 0; r < nr; r++) lf_rand_row(k_types[t], w + (size_t)r * stride, n, &rng);
                    g_isa[i].gemv[t](n, nr, s, w, stride, a);
                    for (int64_t r = 0; r < nr; r++) {
                        ref.t[k_types[t]].dot(n, &sr[r], w + (size_t)r * stride, a);
                        const double mag = magnitude(t, w + (size_t)r * stride, adq, n);
                        char what[96];
                        snprintf(what, sizeof what, "%s gemv %s n %lld rows %lld row %lld", g_isa[i].name, di->name,
                                 (long long)n, (long long)nr, (long long)r);
                        check_close(what, s[r], sr[r], mag);
                        float d1;
                        g_isa[i].dot[t](n, &d1, w + (size_t)r * stride, a);
                        snprintf(what, sizeof what, "%s dot %s n %lld row %lld", g_isa[i].name, di->name,
                                 (long long)n, (long long)r);
                        check_close(what, d1, sr[r], mag);
                        assert_true(d1 == s[r]); /* same operations per row in every pass */
                        checked++;
                    }
                }
            }
        }
    }
    printf("checked %d rows\n", checked);
    free(x);
    free(adq);
    free(a);
    free(w);
    free(s);
    free(sr);
}

/* Every gemm output equals the same ISA's gemv of that row and token, bit for bit. */
static void test_gemm_equals_gemv(void **state) {
    (void)state;
    const int64_t nbs[] = {1, 3, 8, 65}; /* 65: over the AVX-512 gemm's 64-block tile limit (gemv path) */
    const int64_t toks[] = {1, 7, 8, 9, 17};
    const int64_t nrs[] = {1, 3, 5};
    uint64_t rng = 31337;
    const int64_t nmax = 256 * 65, tmax = 17, rmax = 5;
    const size_t a_stride = sizeof(lf_block_q8_k) * 65 + 64;
    float *x = malloc(sizeof(float) * nmax);
    uint8_t *act = malloc(a_stride * tmax), *w = malloc((size_t)(210 * 65 + 2) * rmax);
    float *s = malloc(sizeof(float) * tmax * (rmax + 3)), *g = malloc(sizeof(float) * rmax);
    assert_non_null(x);
    assert_non_null(act);
    assert_non_null(w);
    assert_non_null(s);
    assert_non_null(g);
    int checked = 0;
    for (int i = 0; i < g_n_isa; i++) {
        if (skip_isa(&g_isa[i], "k-quant gemms")) continue;
        for (int t = 0; t < KN; t++) {
            if (!g_isa[i].gemm[t]) continue;
            const lf_dtype_info *di = lf_dtype_get(k_types[t]);
            for (size_t bi = 0; bi < sizeof nbs / sizeof nbs[0]; bi++) {
                const int64_t n = 256 * nbs[bi];
                const size_t stride = (size_t)nbs[bi] * di->type_size + 2;
                for (size_t ti = 0; ti < sizeof toks / sizeof toks[0]; ti++) {
                    for (size_t ri = 0; ri < sizeof nrs / sizeof nrs[0]; ri++) {
                        const int64_t nt = toks[ti], nr = nrs[ri];
                        const size_t s_stride = (size_t)nr + 3;
                        for (int64_t r = 0; r < nr; r++) lf_rand_row(k_types[t], w + (size_t)r * stride, n, &rng);
                        for (int64_t k = 0; k < nt; k++) {
                            fill_acts(x, n, &rng, (int)(k % 3));
                            quantize_row_q8_k_ref(x, act + (size_t)k * a_stride, n);
                        }
                        g_isa[i].gemm[t](n, nr, nt, s, s_stride, w, stride, act, a_stride);
                        for (int64_t k = 0; k < nt; k++) {
                            g_isa[i].gemv[t](n, nr, g, w, stride, act + (size_t)k * a_stride);
                            for (int64_t r = 0; r < nr; r++) {
                                if (s[(size_t)k * s_stride + (size_t)r] != g[r]) {
                                    printf("%s gemm %s n %lld tokens %lld rows %lld: [%lld][%lld] %.9g != gemv %.9g\n",
                                           g_isa[i].name, di->name, (long long)n, (long long)nt, (long long)nr,
                                           (long long)k, (long long)r, s[(size_t)k * s_stride + (size_t)r], g[r]);
                                    fail();
                                }
                                checked++;
                            }
                        }
                    }
                }
            }
        }
    }
    printf("checked %d gemm outputs\n", checked);
    free(x);
    free(act);
    free(w);
    free(s);
    free(g);
}

/* The dispatched table uses the fast entries where the CPU has the ISA, and a gemv through the table
 * agrees with the reference on a quantized (not random-byte) matrix. */
static void test_dispatch(void **state) {
    (void)state;
    lf_kernels k, r;
    lf_kernels_init(&k, lf_cpu_detect());
    lf_kernels_init_ref(&r);
    const int64_t n = 512, nr = 6;
    float *x = malloc(sizeof(float) * n * nr), *s = malloc(sizeof(float) * nr), *sr = malloc(sizeof(float) * nr);
    uint8_t *w = malloc(210 * 2 * nr);
    lf_block_q8_k *a = malloc(sizeof(lf_block_q8_k) * 2), *ar = malloc(sizeof(lf_block_q8_k) * 2);
    assert_non_null(x);
    assert_non_null(s);
    assert_non_null(sr);
    assert_non_null(w);
    assert_non_null(a);
    assert_non_null(ar);
    uint64_t rng = 9;
    for (int t = 0; t < KN; t++) {
        const uint32_t dt = k_types[t];
        assert_non_null(k.t[dt].from_f32);
        assert_true(k.t[dt].from_f32 == r.t[dt].from_f32); /* weight quantizers: reference only */
        size_t rb;
        assert_true(lf_dtype_row_size(dt, n, &rb));
        fill_weights(x, n * nr, &rng, 0);
        for (int64_t i = 0; i < nr; i++) k.t[dt].from_f32(x + i * n, w + i * rb, n);
        fill_acts(x, n, &rng, 0);
        k.t[LF_DT_Q8_K].from_f32(x, a, n);
        r.t[LF_DT_Q8_K].from_f32(x, ar, n);
        assert_memory_equal(a, ar, sizeof(lf_block_q8_k) * 2);
        k.t[dt].gemv(n, nr, s, w, rb, a);
        r.t[dt].gemv(n, nr, sr, w, rb, ar);
        for (int64_t i = 0; i < nr; i++) assert_true(fabsf(s[i] - sr[i]) <= 1e-4f * (1.0f + fabsf(sr[i])));
        printf("%s: %s\n", lf_dtype_name(dt), k.t[dt].isa);
    }
#if defined(LFMRT_HAVE_X86)
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    f.avx2 = f.fma = f.f16c = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q4_K].gemv == gemv_q4_k_q8_k_avx2);
    assert_true(k.t[LF_DT_Q6_K].dot == dot_q6_k_q8_k_avx2);
    assert_true(k.t[LF_DT_Q8_K].from_f32 == quantize_row_q8_k_avx2);
    assert_true(k.t[LF_DT_Q4_K].gemm == gemm_q4_k_q8_k_avx2 && k.t[LF_DT_Q6_K].gemm == gemm_q6_k_q8_k_avx2);
    f.avx512f = f.avx512bw = f.avx512vl = 1; /* no VNNI: still AVX2 */
    lf_kernels_init(&k, f);
    assert_string_equal(k.t[LF_DT_Q5_K].isa, "avx2");
    f.avx512vnni = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q4_K].gemv == gemv_q4_k_q8_k_avx512);
    assert_true(k.t[LF_DT_Q5_K].dot == dot_q5_k_q8_k_avx512);
    assert_true(k.t[LF_DT_Q6_K].gemv == gemv_q6_k_q8_k_avx512);
    assert_true(k.t[LF_DT_Q4_K].gemm == gemm_q4_k_q8_k_avx512 && !k.t[LF_DT_Q4_K].gemm_side);
    assert_true(k.t[LF_DT_Q6_K].gemm == gemm_q6_k_q8_k_avx512);
    assert_null(k.t[LF_DT_Q5_K].gemm);
    assert_true(k.t[LF_DT_Q8_K].from_f32 == quantize_row_q8_k_avx2);
#endif
#if defined(LFMRT_HAVE_ARM)
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    f.neon = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q4_K].gemv == gemv_q4_k_q8_k_neon);
    assert_true(k.t[LF_DT_Q8_K].from_f32 == quantize_row_q8_k_neon);
    f.dotprod = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q5_K].dot == dot_q5_k_q8_k_dotprod);
    assert_true(k.t[LF_DT_Q6_K].gemv == gemv_q6_k_q8_k_dotprod);
#endif
    free(x);
    free(s);
    free(sr);
    free(w);
    free(a);
    free(ar);
}

int main(void) {
    setup_isas();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantize_bounds),
        cmocka_unit_test(test_quantize_q8_k_bit_exact),
        cmocka_unit_test(test_dots_close),
        cmocka_unit_test(test_gemm_equals_gemv),
        cmocka_unit_test(test_dispatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
