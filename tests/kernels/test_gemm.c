/* tests/kernels/test_gemm.c - every gemm entry of the kernel table (several rows x several tokens,
 * prefill's path) against the reference dot, output by output, bit for bit (the gemm contract for the
 * Q8_0-activation types), and that it writes exactly the nrows x ntok outputs it owns.
 * Shapes: odd block counts (2-block loop tails), row and token counts not multiples of the 4 x 8
 * tile, padded weight/activation/output strides, rows starting 2 bytes into their buffer, and rows
 * correlated with the activation's signs so block sums are large (the f32 scale order matters then).
 * A table without any gemm (CPU without AVX-512 VNNI) prints a SKIP line for the comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "gemm_check.h"
#include "rand_blocks.h"
#include "testutil.h"

static const float SENTINEL = 12345.0f;

/* Activations for ntok tokens of n values in the vec_dot type, rows a_stride bytes apart (with the
 * lf_act_side entries after the blocks when side is set). */
static uint8_t *make_acts(const lf_kernels *ref, uint32_t at, int64_t n, int ntok, size_t a_stride, uint64_t *rng,
                          float *x, int side) {
    uint8_t *a = malloc(a_stride * (size_t)ntok);
    assert_non_null(a);
    for (int t = 0; t < ntok; t++) {
        for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(rng) * (float)(1 + (i / 32 + t) % 5);
        ref->t[at].from_f32(x, a + a_stride * (size_t)t, n);
        if (side) lf_act_side_fill(a + a_stride * (size_t)t, n);
    }
    return a;
}

static void check_type(const lf_kernels *k, const lf_kernels *ref, uint32_t t) {
    const int64_t ns[] = {32, 64, 96, 160, 1056, 2080}; /* 2080 = 65 blocks: three packed chunks */
    const int rows[] = {1, 3, 4, 5, 9, 16, 17, 33};
    const int toks[] = {1, 2, 3, 4, 5, 8, 9, 17, 70};
    const uint32_t at = k->t[t].vec_dot_type;
    uint64_t rng = 4242 + t;
    for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
        const int64_t n = ns[ni];
        size_t rb, ab;
        assert_true(lf_dtype_row_size(t, n, &rb));
        assert_true(lf_dtype_row_size(at, n, &ab));
        const int side = k->t[t].gemm_side;
        if (side) ab = lf_act_side_row_size(n);
        assert_int_equal(lf_kernels_gemm_act_size(k, t, n), ab);
        float *x = malloc(sizeof(float) * (size_t)n);
        assert_non_null(x);
        for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++) {
            for (size_t ti = 0; ti < sizeof toks / sizeof *toks; ti++) {
                const int nr = rows[ri], nt = toks[ti];
                const size_t w_stride = rb + (ri % 2 ? 6 : 0), a_stride = ab + (ti % 2 ? (side ? 64 : 2) : 0);
                const size_t s_stride = (size_t)nr + (ti % 3);
                uint8_t *a = make_acts(ref, at, n, nt, a_stride, &rng, x, side);
                uint8_t *base = malloc(w_stride * (size_t)nr + 2);
                assert_non_null(base);
                uint8_t *w = base + 2;
                for (int r = 0; r < nr; r++) lf_rand_row(t, w + w_stride * (size_t)r, n, &rng);
                ref->t[at].to_f32(a, x, n); /* token 0's values, for correlate */
                lf_gemm_correlate(t, w, w_stride, nr, x, n, -127);
                float *s = lf_gemm_out_new(s_stride, nt, SENTINEL);
                k->t[t].gemm(n, nr, nt, s, s_stride, w, w_stride, a, a_stride);
                lf_gemm_check(ref, t, "gemm", n, nr, nt, s, s_stride, w, w_stride, a, a_stride, SENTINEL);
                free(s);
                free(base);
                free(a);
            }
        }
        free(x);
    }
}

static void test_gemm_bit_exact(void **state) {
    (void)state;
    lf_kernels k, ref;
    lf_kernels_init(&k, lf_cpu_detect());
    lf_kernels_init_ref(&ref);
    int checked = 0;
    for (uint32_t t = 0; t < LF_DT_COUNT; t++) {
        if (!k.t[t].gemm) continue;
        /* the bit-exact contract is the Q8_0-activation family's; the f32-lane gemms (F16, BF16) are tested
         * in test_float_kernels.c, the K-quant ones (Q8_K activations, 256-wide blocks) in test_kquant.c */
        if (k.t[t].vec_dot_type != LF_DT_Q8_0) continue;
        assert_non_null(ref.t[t].dot); /* a gemm only for computable weight types */
        check_type(&k, &ref, t);
        checked++;
    }
    if (!checked) printf("SKIP: no gemm kernel on this CPU (needs AVX-512 VNNI)\n");
}

static void test_gemm_dispatch(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    for (uint32_t t = 0; t < LF_DT_COUNT; t++) assert_null(k.t[t].gemm); /* ref tables: gemv only */
    lf_cpu_features f = lf_cpu_detect();
    lf_kernels_init(&k, f);
    if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c) {
        assert_non_null(k.t[LF_DT_Q4_0].gemm);
        assert_non_null(k.t[LF_DT_Q8_0].gemm);
    } else {
        printf("SKIP: gemm dispatch: no AVX-512 VNNI\n");
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_bit_exact),
        cmocka_unit_test(test_gemm_dispatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
