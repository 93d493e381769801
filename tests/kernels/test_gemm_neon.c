/* tests/kernels/test_gemm_neon.c - every AArch64 Q8_0/Q4_0 gemm (arm_neon/ 4x4 tiles, arm_dotprod/
 * and arm_i8mm/ packed panels) called directly, output by output against the reference dot, bit for
 * bit, whatever the table would install (test_gemm.c checks only the installed one). A level the CPU
 * lacks prints a SKIP line (under qemu: -cpu cortex-a53 has NEON only, -cpu max has dotprod and i8mm).
 * Shapes: block counts across the panel's K chunk of 32 (1, 2, 3, 5, 33, 65 blocks), row counts around
 * the 8-row panel, token counts around the 4-token tile, padded strides, rows 2 bytes into their buffer,
 * -128 codes in weights and activations, rows following the activation's signs (large block sums,
 * where the f32 scale order shows), and n = 0. Also checks that nothing outside the nrows x ntok
 * outputs is written. On other architectures the program is skipped. */
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

static const float SENTINEL = 12345.0f;

typedef struct gemm_isa {
    const char *name;
    int available;
    lf_gemm_fn q8_0, q4_0;
} gemm_isa;

static gemm_isa g_isa[3];

static void setup_isas(void) {
    const lf_cpu_features f = lf_cpu_detect();
    printf("cpu: neon %u dotprod %u i8mm %u\n", f.neon, f.dotprod, f.i8mm);
    g_isa[0] = (gemm_isa){"neon", f.neon, gemm_q8_0_q8_0_neon, gemm_q4_0_q8_0_neon};
    g_isa[1] = (gemm_isa){"dotprod", f.neon && f.dotprod, gemm_q8_0_q8_0_dotprod, gemm_q4_0_q8_0_dotprod};
    g_isa[2] = (gemm_isa){"i8mm", f.neon && f.dotprod && f.i8mm, gemm_q8_0_q8_0_i8mm, gemm_q4_0_q8_0_i8mm};
}

/* Odd rows follow token 0's signs at full magnitude (large block sums); row 2 gets -128 codes (Q8_0). */
static void shape_rows(uint32_t t, uint8_t *w, size_t stride, int rows, const lf_block_q8_0 *a0, int64_t n) {
    for (int r = 1; r < rows; r += 2)
        for (int64_t i = 0; i < n; i++) {
            const int pos = a0[i / 32].qs[i % 32] > 0, b = (int)(i / 32), j = (int)(i % 32);
            if (t == LF_DT_Q8_0) ((lf_block_q8_0 *)(w + stride * (size_t)r))[b].qs[j] = (int8_t)(pos ? 127 : -128);
            else {
                uint8_t *byte = &((lf_block_q4_0 *)(w + stride * (size_t)r))[b].qs[j % 16];
                const int code = pos ? 15 : 0;
                *byte = (uint8_t)(j < 16 ? (*byte & 0xF0) | code : (*byte & 0x0F) | code << 4);
            }
        }
    if (t == LF_DT_Q8_0 && rows > 2)
        for (int64_t b = 0; b < n / 32; b++) ((lf_block_q8_0 *)(w + stride * 2))[b].qs[(b * 7) % 32] = -128;
}

static long check_one(const gemm_isa *g, uint32_t t, lf_gemm_fn gemm, lf_dot_fn dot_ref, int64_t n, int nr, int nt,
                      int variant, uint64_t *rng) {
    size_t rb = 0;
    assert_true(lf_dtype_row_size(t, n, &rb));
    const size_t ab = sizeof(lf_block_q8_0) * (size_t)(n / 32);
    const size_t w_stride = rb + (variant & 1 ? 6 : 0), a_stride = ab + (variant & 2 ? 2 : 0);
    const size_t s_stride = (size_t)nr + (size_t)(variant % 3);
    float *x = malloc(sizeof(float) * (size_t)(n ? n : 1));
    uint8_t *a = malloc(a_stride * (size_t)nt + 1);
    uint8_t *base = malloc(w_stride * (size_t)nr + 2);
    const size_t ns_out = s_stride * (size_t)nt + 1;
    float *s = malloc(sizeof(float) * ns_out);
    assert_true(x && a && base && s);
    for (int tok = 0; tok < nt; tok++) {
        for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(rng) * (float)(1 + (i / 32 + tok) % 5);
        lf_block_q8_0 *ar = (lf_block_q8_0 *)(a + a_stride * (size_t)tok);
        quantize_row_q8_0_neon(x, ar, n);
        if (tok == 1 && n) ar[0].qs[3] = -128; /* out of quantize's range, inside the block format's */
    }
    uint8_t *w = base + 2;
    for (int r = 0; r < nr; r++) lf_rand_row(t, w + w_stride * (size_t)r, n, rng);
    shape_rows(t, w, w_stride, nr, (const lf_block_q8_0 *)a, n);
    for (size_t i = 0; i < ns_out; i++) s[i] = SENTINEL;
    gemm(n, nr, nt, s, s_stride, w, w_stride, a, a_stride);
    long bad = 0;
    for (int tok = 0; tok < nt; tok++)
        for (size_t r = 0; r < s_stride; r++) {
            const float got = s[(size_t)tok * s_stride + r];
            if (r >= (size_t)nr) {
                bad += got != SENTINEL; /* padding between token rows untouched */
                continue;
            }
            float want;
            dot_ref(n, &want, w + w_stride * r, a + a_stride * (size_t)tok);
            if (memcmp(&got, &want, sizeof got) != 0) {
                if (bad < 5)
                    fprintf(stderr, "%s %s gemm n %lld rows %d toks %d: out[%d][%zu] %.9g, ref %.9g\n", g->name,
                            lf_dtype_name(t), (long long)n, nr, nt, tok, r, (double)got, (double)want);
                bad++;
            }
        }
    bad += s[ns_out - 1] != SENTINEL;
    free(x), free(a), free(base), free(s);
    return bad;
}

static void check_type(uint32_t t) {
    const int64_t ns[] = {32, 64, 96, 160, 1056, 2080};
    const int rows[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17};
    const int toks[] = {1, 2, 3, 4, 5, 8, 9, 17};
    const lf_dot_fn dot_ref = t == LF_DT_Q8_0 ? dot_q8_0_q8_0_ref : dot_q4_0_q8_0_ref;
    for (int gi = 0; gi < 3; gi++) {
        const gemm_isa *g = &g_isa[gi];
        if (!g->available) {
            printf("SKIP: %s %s gemm: not supported by this CPU\n", g->name, lf_dtype_name(t));
            continue;
        }
        const lf_gemm_fn gemm = t == LF_DT_Q8_0 ? g->q8_0 : g->q4_0;
        uint64_t rng = 777 + t;
        long bad = 0, cases = 0;
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
            for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++)
                for (size_t ti = 0; ti < sizeof toks / sizeof *toks; ti++, cases++)
                    bad += check_one(g, t, gemm, dot_ref, ns[ni], rows[ri], toks[ti], (int)(ri + ti), &rng);
        bad += check_one(g, t, gemm, dot_ref, 0, 5, 3, 0, &rng); /* n = 0: every output +0.0f */
        printf("%s %s gemm: %ld shapes, %ld mismatches\n", g->name, lf_dtype_name(t), cases + 1, bad);
        assert_int_equal(bad, 0);
    }
}

static void test_gemm_q8_0(void **state) {
    (void)state;
    check_type(LF_DT_Q8_0);
}

static void test_gemm_q4_0(void **state) {
    (void)state;
    check_type(LF_DT_Q4_0);
}

int main(void) {
    setup_isas();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_q8_0),
        cmocka_unit_test(test_gemm_q4_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void) {
    printf("SKIP: AArch64 gemm kernels are not built for this architecture\n");
    return LF_TEST_SKIP;
}

#endif
