/* tests/kernels/test_float_kernels.c - the float-weight kernels (F16, BF16) of every ISA level against
 * their scalar reference twins (kernels/ref/float_ref.c), each entry called directly.
 *
 * Contracts checked:
 *  - f32 -> f16 and f32 -> bf16 conversions: bit-identical to quantize_row_{f16,bf16}_ref for every
 *    input (random values of every magnitude, ties, subnormals, overflow edges, inf, NaN), nothing
 *    written past n.
 *  - dot, gemv, gemm: within the f32-accumulation rounding bound of the reference dot (which sums the
 *    exact products in double): an accumulator lane of L lanes adds about n/L products in order, then
 *    a reduction tree adds log2(L) levels, each addition off by at most 2^-24 of the running magnitude:
 *        |got - ref| <= (n/L + log2(L) + 8) * 2^-24 * sum|w_i a_i| + n * 2^-125
 *    (the last term covers vdpbf16ps, which flushes subnormal products). L is the entry's lane count.
 *    The gemm must also write exactly rows x tokens outputs at s_stride (sentinels around them), and
 *    equal the same ISA level's gemv and dot bit for bit (same operations in the same order), so that
 *    prefill (gemm) and decode (gemv) compute the same numbers.
 * Shapes: odd n (tails of every step), row and token counts that are not multiples of the register
 * tiles, padded strides, rows starting at 2-byte (not 4-byte) alignment, n across the gemm's K blocks.
 * An ISA the CPU lacks prints a SKIP line for its cases.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "rand_blocks.h"
#include "testutil.h"

#if defined(LFMRT_HAVE_X86)
#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avx512/avx512.h"
#endif
#if defined(LFMRT_HAVE_ARM)
#include "kernels/arm_neon/neon.h"
#endif

typedef struct fset {
    const char *name;
    int available;
    int lanes_f16, lanes_bf16; /* f32 lanes per accumulator chain */
    lf_from_f32_fn q_f16, q_bf16;
    lf_dot_fn dot_f16, dot_bf16;
    lf_gemv_fn gemv_f16, gemv_bf16;
    lf_gemm_fn gemm_f16, gemm_bf16;
} fset;

static fset g_sets[4];
static int g_nsets;

static void setup_sets(void) {
    lf_cpu_features f = lf_cpu_detect();
    (void)f;
    g_nsets = 0;
#if defined(LFMRT_HAVE_X86)
    g_sets[g_nsets++] = (fset){"avx2", f.avx2 && f.fma && f.f16c, 8, 8,
                               quantize_row_f16_avx2, quantize_row_bf16_avx2,
                               dot_f16_f16_avx2, dot_bf16_bf16_avx2,
                               gemv_f16_f16_avx2, gemv_bf16_bf16_avx2,
                               gemm_f16_f16_avx2, gemm_bf16_bf16_avx2};
    const int avx512 = f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c;
    g_sets[g_nsets++] = (fset){"avx512", avx512, 16, 16,
                               quantize_row_f16_avx512, quantize_row_bf16_avx512,
                               dot_f16_f16_avx512, dot_bf16_bf16_avx512,
                               gemv_f16_f16_avx512, gemv_bf16_bf16_avx512,
                               gemm_f16_f16_avx512, gemm_bf16_bf16_avx512};
    g_sets[g_nsets++] = (fset){"avx512bf16", avx512 && f.avx512bf16, 16, 16,
                               NULL, NULL,
                               NULL, dot_bf16_bf16_avx512bf16,
                               NULL, gemv_bf16_bf16_avx512bf16,
                               NULL, gemm_bf16_bf16_avx512bf16};
#endif
#if defined(LFMRT_HAVE_ARM)
    g_sets[g_nsets++] = (fset){"neon", f.neon, 4, 4,
                               quantize_row_f16_neon, quantize_row_bf16_neon,
                               dot_f16_f16_neon, dot_bf16_bf16_neon,
                               gemv_f16_f16_neon, gemv_bf16_bf16_neon,
                               gemm_f16_f16_neon, gemm_bf16_bf16_neon};
#endif
}

static int skip_set(const fset *s, const char *test) {
    if (s->available) return 0;
    printf("SKIP: %s: %s not supported by this CPU\n", test, s->name);
    return 1;
}

static float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Random f32 of every kind: wide magnitudes, exact f16/bf16 ties, subnormals, specials. */
static float special_f32(uint64_t *rng) {
    const uint64_t r = lf_test_rand(rng);
    const uint32_t sign = (uint32_t)(r >> 63) << 31;
    switch (r % 12) {
    case 0: return bits_f32((uint32_t)(lf_test_rand(rng) >> 32)); /* any bits: NaNs, infs, subnormals */
    case 1: return bits_f32(sign | ((uint32_t)(lf_test_rand(rng) >> 41) & 0x7fffff)); /* f32 subnormal */
    case 2: { /* f16 tie: 13 dropped bits exactly half, in the normal and subnormal f16 ranges */
        const uint32_t e = 102 + (uint32_t)(lf_test_rand(rng) % 40);
        return bits_f32(sign | e << 23 | (((uint32_t)lf_test_rand(rng) & 0x3ff) << 13) | 0x1000);
    }
    case 3: { /* bf16 tie: the 16 dropped bits exactly half */
        const uint32_t e = 1 + (uint32_t)(lf_test_rand(rng) % 253);
        return bits_f32(sign | e << 23 | (((uint32_t)lf_test_rand(rng) & 0x7f) << 16) | 0x8000);
    }
    case 4: return bits_f32(sign | (0x477fe000u + (uint32_t)(lf_test_rand(rng) % 0x4000))); /* near 65504..65520 */
    case 5: return bits_f32(sign | 0x7f800000u); /* inf */
    case 6: return bits_f32(sign | 0x7fc00000u | ((uint32_t)lf_test_rand(rng) & 0x3fffff)); /* NaN, payload */
    case 7: return bits_f32(sign | 0x7f800001u | ((uint32_t)lf_test_rand(rng) & 0x3fffff)); /* signalling NaN */
    case 8: return bits_f32(sign | (0x7f7fffffu - ((uint32_t)lf_test_rand(rng) & 0xffff))); /* near FLT_MAX */
    case 9: return bits_f32(sign);                                                     /* +-0 */
    default: return lf_test_randf(rng) * ldexpf(1.0f, (int)(lf_test_rand(rng) % 60) - 40);
    }
}

static void check_convert(const fset *s, const char *what, lf_from_f32_fn fast, lf_from_f32_fn ref) {
    enum { N = 1037 };
    static float x[N];
    static uint16_t got[N + 8], want[N];
    uint64_t rng = 4242;
    const int64_t ns[] = {0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 1000, N};
    for (int rep = 0; rep < 40; rep++) {
        for (int i = 0; i < N; i++) x[i] = special_f32(&rng);
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
            const int64_t n = ns[ni];
            memset(got, 0xAB, sizeof got);
            fast(x, got, n);
            ref(x, want, n);
            for (int64_t i = 0; i < n; i++)
                if (got[i] != want[i]) {
                    uint32_t u;
                    memcpy(&u, &x[i], 4);
                    fprintf(stderr, "%s %s n %lld [%lld]: f32 0x%08x -> 0x%04x, ref 0x%04x\n", s->name, what,
                            (long long)n, (long long)i, u, got[i], want[i]);
                    fail();
                }
            assert_int_equal(got[n], 0xABAB); /* nothing past n */
        }
    }
}

static void test_convert_bit_exact(void **state) {
    (void)state;
    for (int si = 0; si < g_nsets; si++) {
        const fset *s = &g_sets[si];
        if (!s->q_f16 && !s->q_bf16) continue;
        if (skip_set(s, "f32 -> f16/bf16 conversion")) continue;
        if (s->q_f16) check_convert(s, "f32->f16", s->q_f16, quantize_row_f16_ref);
        if (s->q_bf16) check_convert(s, "f32->bf16", s->q_bf16, quantize_row_bf16_ref);
    }
}

/* ---- dot / gemv / gemm ---- */

typedef struct ftype {
    uint32_t t;
    lf_from_f32_fn quantize;
    lf_to_f32_fn widen;
    lf_dot_fn dot_ref;
} ftype;

static const ftype k_f16 = {LF_DT_F16, quantize_row_f16_ref, dequant_row_f16_ref, dot_f16_f16_ref};
static const ftype k_bf16 = {LF_DT_BF16, quantize_row_bf16_ref, dequant_row_bf16_ref, dot_bf16_bf16_ref};

/* Bound of the header comment for one output. */
static double tolerance(const ftype *ft, int64_t n, int lanes, const uint8_t *wrow, const uint16_t *act) {
    float *wf = malloc(sizeof(float) * (size_t)(n + 1)), *af = malloc(sizeof(float) * (size_t)(n + 1));
    assert_true(wf && af);
    ft->widen(wrow, wf, n);
    ft->widen(act, af, n);
    double mag = 0;
    for (int64_t i = 0; i < n; i++) mag += fabs((double)wf[i] * af[i]);
    free(wf), free(af);
    return ((double)n / lanes + log2((double)lanes) + 8.0) * 0x1p-24 * mag + (double)n * 0x1p-125;
}

/* Activation rows: random values with a spread of magnitudes per row, some exact zeros. */
static uint16_t *make_acts(const ftype *ft, int64_t n, int ntok, size_t a_stride, uint64_t *rng, uint8_t **base) {
    *base = malloc(a_stride * (size_t)ntok + 2);
    float *x = malloc(sizeof(float) * (size_t)(n + 1));
    assert_true(*base && x);
    uint8_t *a = *base + 2;
    memset(a, 0x7f, a_stride * (size_t)ntok); /* padding: large values, never read */
    for (int t = 0; t < ntok; t++) {
        const float scale = ldexpf(1.0f, t % 5 - 2);
        for (int64_t i = 0; i < n; i++) x[i] = (i + t) % 11 == 0 ? 0.0f : lf_test_randf(rng) * scale;
        ft->quantize(x, a + a_stride * (size_t)t, n);
    }
    free(x);
    return (uint16_t *)a;
}

static uint8_t *make_weights(const ftype *ft, int64_t n, int rows, size_t w_stride, uint64_t *rng, uint8_t **base) {
    *base = malloc(w_stride * (size_t)rows + 2);
    assert_non_null(*base);
    uint8_t *w = *base + 2;
    memset(w, 0x7f, w_stride * (size_t)rows);
    for (int r = 0; r < rows; r++) lf_rand_row(ft->t, w + w_stride * (size_t)r, n, rng);
    return w;
}

static void check_dot_gemv(const fset *s, const ftype *ft, int lanes, lf_dot_fn dot, lf_gemv_fn gemv) {
    const int64_t ns[] = {1, 2, 7, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 1000, 1024, 4099};
    const int rows[] = {1, 3, 4, 5, 9};
    uint64_t rng = 555 + ft->t;
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        const int64_t n = ns[ni];
        uint8_t *abase;
        const uint16_t *a = make_acts(ft, n, 1, 2 * (size_t)n, &rng, &abase);
        for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
            const size_t stride = 2 * (size_t)n + (ri % 2 ? 2 : 0);
            uint8_t *base;
            const uint8_t *w = make_weights(ft, n, rows[ri], stride, &rng, &base);
            float got[10];
            got[rows[ri]] = 12345.0f;
            gemv(n, rows[ri], got, w, stride, a);
            assert_true(got[rows[ri]] == 12345.0f);
            for (int r = 0; r < rows[ri]; r++) {
                const uint8_t *wr = w + stride * (size_t)r;
                float want, d1;
                ft->dot_ref(n, &want, wr, a);
                dot(n, &d1, wr, a);
                const double tol = tolerance(ft, n, lanes, wr, a);
                if (!(fabs((double)got[r] - want) <= tol) || !(fabs((double)d1 - want) <= tol)) {
                    fprintf(stderr, "%s %s n %lld row %d: gemv %.9g dot %.9g ref %.9g tol %.3g\n", s->name,
                            lf_dtype_name(ft->t), (long long)n, r, (double)got[r], (double)d1, (double)want, tol);
                    fail();
                }
            }
            free(base);
        }
        free(abase);
    }
}

/* Same ISA level: the gemm's outputs equal the gemv's and the dot's bit for bit (prefill = decode). */
static void check_same_as_gemv(const fset *s, const ftype *ft, const float *out, size_t s_stride, int64_t n, int rows,
                               int ntok, const uint8_t *w, size_t w_stride, const uint8_t *a, size_t a_stride,
                               lf_gemv_fn gemv, lf_dot_fn dot) {
    float *g = malloc(sizeof(float) * (size_t)rows);
    assert_non_null(g);
    for (int t = 0; t < ntok; t++) {
        gemv(n, rows, g, w, w_stride, a + a_stride * (size_t)t);
        for (int r = 0; r < rows; r++) {
            float d;
            dot(n, &d, w + w_stride * (size_t)r, a + a_stride * (size_t)t);
            const float got = out[(size_t)t * s_stride + (size_t)r];
            if (memcmp(&got, &g[r], sizeof got) != 0 || memcmp(&d, &g[r], sizeof d) != 0) {
                fprintf(stderr, "%s %s n %lld [tok %d row %d]: gemm %.9g gemv %.9g dot %.9g: not bit-identical\n",
                        s->name, lf_dtype_name(ft->t), (long long)n, t, r, (double)got, (double)g[r], (double)d);
                fail();
            }
        }
    }
    free(g);
}

static void check_gemm(const fset *s, const ftype *ft, int lanes, lf_gemm_fn gemm, lf_gemv_fn gemv, lf_dot_fn dot) {
    typedef struct { int64_t n; int rows, ntok; } shape;
    const shape shapes[] = {
        {1, 1, 1},     {7, 3, 2},     {31, 5, 13},   {32, 16, 12},  {33, 17, 7},   {64, 2, 1},
        {100, 16, 64}, {255, 35, 25}, {256, 8, 6},   {257, 16, 11}, {513, 9, 5},   {1024, 16, 64},
        {1040, 4, 3},  {2048, 33, 9}, {4099, 7, 14},
    };
    uint64_t rng = 777 + ft->t;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int64_t n = shapes[si].n;
        const int rows = shapes[si].rows, ntok = shapes[si].ntok;
        const size_t w_stride = 2 * (size_t)n + (si % 2 ? 2 : 64);
        const size_t a_stride = 2 * (size_t)n + (si % 3 ? 6 : 0);
        const size_t s_stride = (size_t)rows + (si % 2 ? 3 : 0);
        uint8_t *wbase, *abase;
        const uint8_t *w = make_weights(ft, n, rows, w_stride, &rng, &wbase);
        const uint16_t *a = make_acts(ft, n, ntok, a_stride, &rng, &abase);
        const size_t ns = s_stride * (size_t)ntok + 4;
        float *out = malloc(sizeof(float) * ns);
        assert_non_null(out);
        for (size_t i = 0; i < ns; i++) out[i] = -777.0f;
        gemm(n, rows, ntok, out, s_stride, w, w_stride, a, a_stride);
        for (int t = 0; t < ntok; t++) {
            const uint16_t *at = (const uint16_t *)((const uint8_t *)a + a_stride * (size_t)t);
            for (size_t r = 0; r < s_stride; r++) {
                const float got = out[(size_t)t * s_stride + r];
                if (r >= (size_t)rows) { /* padding of s: untouched */
                    assert_true(got == -777.0f);
                    continue;
                }
                const uint8_t *wr = w + w_stride * r;
                float want;
                ft->dot_ref(n, &want, wr, at);
                const double tol = tolerance(ft, n, lanes, wr, at);
                if (!(fabs((double)got - want) <= tol)) {
                    fprintf(stderr, "%s %s gemm n %lld rows %d ntok %d: [tok %d row %zu] %.9g ref %.9g tol %.3g\n",
                            s->name, lf_dtype_name(ft->t), (long long)n, rows, ntok, t, r, (double)got,
                            (double)want, tol);
                    fail();
                }
            }
        }
        for (size_t i = s_stride * (size_t)ntok; i < ns; i++) assert_true(out[i] == -777.0f);
        check_same_as_gemv(s, ft, out, s_stride, n, rows, ntok, w, w_stride, (const uint8_t *)a, a_stride, gemv, dot);
        free(out), free(wbase), free(abase);
    }
}

static void test_f16_dot_gemv(void **state) {
    (void)state;
    for (int si = 0; si < g_nsets; si++) {
        const fset *s = &g_sets[si];
        if (!s->dot_f16 || skip_set(s, "F16 dot/gemv")) continue;
        check_dot_gemv(s, &k_f16, s->lanes_f16, s->dot_f16, s->gemv_f16);
    }
}

static void test_bf16_dot_gemv(void **state) {
    (void)state;
    for (int si = 0; si < g_nsets; si++) {
        const fset *s = &g_sets[si];
        if (!s->dot_bf16 || skip_set(s, "BF16 dot/gemv")) continue;
        check_dot_gemv(s, &k_bf16, s->lanes_bf16, s->dot_bf16, s->gemv_bf16);
    }
}

static void test_f16_gemm(void **state) {
    (void)state;
    for (int si = 0; si < g_nsets; si++) {
        const fset *s = &g_sets[si];
        if (!s->gemm_f16 || skip_set(s, "F16 gemm")) continue;
        check_gemm(s, &k_f16, s->lanes_f16, s->gemm_f16, s->gemv_f16, s->dot_f16);
    }
}

static void test_bf16_gemm(void **state) {
    (void)state;
    for (int si = 0; si < g_nsets; si++) {
        const fset *s = &g_sets[si];
        if (!s->gemm_bf16 || skip_set(s, "BF16 gemm")) continue;
        check_gemm(s, &k_bf16, s->lanes_bf16, s->gemm_bf16, s->gemv_bf16, s->dot_bf16);
    }
}

/* A gemm product with a large cancellation still lands within the bound (the bound scales with
 * sum|w a|, not with the result): rows equal to +-the activation make every product positive, then
 * a tail of opposite sign cancels most of it. */
static void test_cancellation(void **state) {
    (void)state;
    enum { N = 777 };
    static const ftype *types[] = {&k_f16, &k_bf16};
    for (int si = 0; si < g_nsets; si++) {
        const fset *s = &g_sets[si];
        if (!s->available) continue;
        for (int ti = 0; ti < 2; ti++) {
            const ftype *ft = types[ti];
            lf_gemm_fn gemm = ti ? s->gemm_bf16 : s->gemm_f16;
            if (!gemm) continue;
            static float x[N], wv[3 * N];
            static uint16_t a[N], w[3 * N];
            uint64_t rng = 99;
            for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng);
            for (int r = 0; r < 3; r++)
                for (int i = 0; i < N; i++) wv[r * N + i] = (i < N / 2 ? 1.0f : -0.999f) * x[i] * (float)(r + 1);
            ft->quantize(x, a, N);
            ft->quantize(wv, w, 3 * N);
            float out[3];
            gemm(N, 3, 1, out, 3, w, 2 * N, a, 2 * N);
            for (int r = 0; r < 3; r++) {
                float want;
                ft->dot_ref(N, &want, w + r * N, a);
                const double tol = tolerance(ft, N, ti ? s->lanes_bf16 : s->lanes_f16, (const uint8_t *)(w + r * N), a);
                if (!(fabs((double)out[r] - want) <= tol)) {
                    fprintf(stderr, "%s %s cancellation row %d: %.9g ref %.9g tol %.3g\n", s->name,
                            lf_dtype_name(ft->t), r, (double)out[r], (double)want, tol);
                    fail();
                }
            }
        }
    }
}

/* The installers pick the float entries by the CPU's features. */
static void test_dispatch(void **state) {
    (void)state;
    lf_kernels k;
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
#if defined(LFMRT_HAVE_X86)
    f.avx2 = 1, f.fma = 1, f.f16c = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_F16].gemm == gemm_f16_f16_avx2);
    assert_true(k.t[LF_DT_F16].from_f32 == quantize_row_f16_avx2);
    assert_true(k.t[LF_DT_BF16].gemv == gemv_bf16_bf16_avx2);
    assert_true(k.t[LF_DT_BF16].from_f32 == quantize_row_bf16_avx2);
    assert_string_equal(k.t[LF_DT_BF16].isa, "avx2");
    f.avx512f = 1, f.avx512bw = 1, f.avx512vl = 1, f.avx512vnni = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_F16].gemm == gemm_f16_f16_avx512);
    assert_true(k.t[LF_DT_F16].from_f32 == quantize_row_f16_avx512);
    assert_true(k.t[LF_DT_BF16].gemm == gemm_bf16_bf16_avx512);
    assert_true(k.t[LF_DT_BF16].dot == dot_bf16_bf16_avx512);
    assert_string_equal(k.t[LF_DT_BF16].isa, "avx512");
    f.avx512bf16 = 1; /* vdpbf16ps only where it is the faster kind */
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_BF16].gemm == gemm_bf16_bf16_avx512);
    assert_string_equal(k.t[LF_DT_BF16].isa, "avx512");
    f.bf16dp_fast = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_BF16].gemm == gemm_bf16_bf16_avx512bf16);
    assert_true(k.t[LF_DT_BF16].gemv == gemv_bf16_bf16_avx512bf16);
    assert_true(k.t[LF_DT_BF16].from_f32 == quantize_row_bf16_avx512);
    assert_string_equal(k.t[LF_DT_BF16].isa, "avx512bf16");
#elif defined(LFMRT_HAVE_ARM)
    f.neon = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_F16].gemm == gemm_f16_f16_neon);
    assert_true(k.t[LF_DT_BF16].gemm == gemm_bf16_bf16_neon);
    assert_true(k.t[LF_DT_BF16].from_f32 == quantize_row_bf16_neon);
    assert_string_equal(k.t[LF_DT_BF16].isa, "neon");
#endif
    memset(&f, 0, sizeof f); /* no features: reference, no gemm */
    lf_kernels_init(&k, f);
    assert_null(k.t[LF_DT_F16].gemm);
    assert_null(k.t[LF_DT_BF16].gemm);
    assert_string_equal(k.t[LF_DT_BF16].isa, "ref");
}

int main(void) {
    setup_sets();
    if (g_nsets == 0) {
        printf("SKIP: no SIMD float kernels are built for this architecture\n");
        return LF_TEST_SKIP;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_bit_exact), cmocka_unit_test(test_f16_dot_gemv),
        cmocka_unit_test(test_bf16_dot_gemv),     cmocka_unit_test(test_f16_gemm),
        cmocka_unit_test(test_bf16_gemm),         cmocka_unit_test(test_cancellation),
        cmocka_unit_test(test_dispatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
