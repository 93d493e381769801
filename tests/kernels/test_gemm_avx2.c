/* tests/kernels/test_gemm_avx2.c - the x86 packed-panel gemms (x86_avx2/gemm_avx2.c, and the AVX-VNNI
 * twins in x86_avxvnni/ when built) called directly, whatever the dispatch picks on this CPU, against
 * the reference dot, output by output, bit for bit; and that each writes exactly the nrows x ntok
 * outputs it owns.
 * Shapes (as tests/kernels/test_gemm.c, plus the packing's own edges): block counts that are odd and
 * not multiples of the K chunks (16 and 32 blocks), rows not multiples of the 8-row panel, tokens not
 * multiples of the 4-token tile nor of the 64-token group, padded weight/activation/output strides,
 * rows starting 2 bytes into their buffer, rows correlated with the activation's signs so block sums
 * are large (int16 headroom of the vpmaddubsw paths, f32 scale order), extreme codes (-128 weights,
 * +-127 activations); token counts on both sides of the few-token gemv fallback. Entries with gemm_side get activation rows with lf_act_side entries. An entry
 * whose ISA the CPU lacks prints a SKIP line and passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "ops/ops.h"
#include "gemm_check.h"
#include "rand_blocks.h"
#include "testutil.h"

#if defined(LFMRT_HAVE_X86)
#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avxvnni/avxvnni.h"

typedef struct gemm_entry {
    const char *name;
    uint32_t type;
    lf_gemm_fn gemm;
    int side; /* activation rows carry lf_act_side entries (the entry's gemm_side) */
    int (*available)(lf_cpu_features f);
} gemm_entry;

static int has_avx2(lf_cpu_features f) {
    return f.avx2 && f.fma && f.f16c;
}

static int has_avxvnni(lf_cpu_features f) {
    return has_avx2(f) && f.avxvnni;
}

static const gemm_entry g_entries[] = {
    {"gemm_q8_0_q8_0_avx2", LF_DT_Q8_0, gemm_q8_0_q8_0_avx2, 1, has_avx2},
    {"gemm_q4_0_q8_0_avx2", LF_DT_Q4_0, gemm_q4_0_q8_0_avx2, 1, has_avx2},
    {"gemm_q8_0_q8_0_avxvnni", LF_DT_Q8_0, gemm_q8_0_q8_0_avxvnni, 1, has_avxvnni},
    {"gemm_q4_0_q8_0_avxvnni", LF_DT_Q4_0, gemm_q4_0_q8_0_avxvnni, 1, has_avxvnni},
};

static const float SENTINEL = 12345.0f;

/* Activation codes and scales: random values quantized by the reference; kind 1 then forces the extreme
 * codes +-127 into some blocks (the contract's range: -128 is excluded, as for the AVX2 dots); with `side`
 * each row gets its lf_act_side entries, as ops/matmul.c writes them. */
static uint8_t *make_acts(int64_t n, int ntok, size_t a_stride, uint64_t *rng, float *x, int kind, int side) {
    uint8_t *a = malloc(a_stride * (size_t)ntok);
    assert_non_null(a);
    for (int t = 0; t < ntok; t++) {
        for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(rng) * (float)(1 + (i / 32 + t) % 5);
        lf_block_q8_0 *b = (lf_block_q8_0 *)(a + a_stride * (size_t)t);
        quantize_row_q8_0_ref(x, b, n);
        if (kind == 1)
            for (int64_t i = 0; i < n / 32; i += 2)
                for (int j = 0; j < 32; j++) b[i].qs[j] = (int8_t)(j % 3 == 2 ? 127 : -127);
        if (side) lf_act_side_fill(b, n);
    }
    return a;
}

/* Odd rows follow token 0's signs at full magnitude (large block sums); row 2 is all -128 (Q8_0) or
 * all code 0 (Q4_0: -8) where it exists. */
static void shape_rows(uint32_t t, uint8_t *w, size_t stride, int rows, const int8_t *a0, int64_t n) {
    for (int r = 1; r < rows; r++) {
        if (r % 2 == 0 && r != 2) continue;
        for (int64_t i = 0; i < n; i++) {
            const int b = (int)(i / 32), j = (int)(i % 32);
            const int pos = r == 2 ? 0 : a0[b * 34 + 2 + j] > 0;
            if (t == LF_DT_Q8_0) {
                ((lf_block_q8_0 *)(w + stride * (size_t)r))[b].qs[j] = (int8_t)(r == 2 ? -128 : pos ? 127 : -127);
            } else {
                uint8_t *byte = &((lf_block_q4_0 *)(w + stride * (size_t)r))[b].qs[j % 16];
                const int code = pos ? 15 : 0;
                *byte = (uint8_t)(j < 16 ? (*byte & 0xF0) | code : (*byte & 0x0F) | code << 4);
            }
        }
    }
}

static void check_entry(const gemm_entry *e, int64_t n, int nr, int nt, size_t w_pad, size_t a_pad, size_t s_pad,
                        int kind, uint64_t *rng) {
    const uint32_t t = e->type;
    lf_dot_fn dot = t == LF_DT_Q8_0 ? dot_q8_0_q8_0_ref : dot_q4_0_q8_0_ref;
    size_t rb, ab;
    assert_true(lf_dtype_row_size(t, n, &rb));
    assert_true(lf_dtype_row_size(LF_DT_Q8_0, n, &ab));
    if (e->side) { /* lf_act_side_fill writes the entries as structs: rows 4-byte aligned */
        ab = lf_act_side_row_size(n);
        a_pad = (a_pad + 3) & ~(size_t)3;
    }
    const size_t w_stride = rb + w_pad, a_stride = ab + a_pad, s_stride = (size_t)nr + s_pad;
    float *x = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    assert_non_null(x);
    uint8_t *a = make_acts(n, nt, a_stride, rng, x, kind, e->side);
    uint8_t *base = malloc(w_stride * (size_t)nr + 2);
    assert_non_null(base);
    uint8_t *w = base + 2; /* rows only 2-byte aligned */
    for (int r = 0; r < nr; r++) lf_rand_row(t, w + w_stride * (size_t)r, n, rng);
    shape_rows(t, w, w_stride, nr, (const int8_t *)a, n);
    float *s = lf_gemm_out_new(s_stride, nt, SENTINEL);
    e->gemm(n, nr, nt, s, s_stride, w, w_stride, a, a_stride);
    char what[96];
    snprintf(what, sizeof what, "%s kind %d", e->name, kind);
    lf_gemm_check_dot(dot, what, n, nr, nt, s, s_stride, w, w_stride, a, a_stride, SENTINEL);
    free(s);
    free(base);
    free(a);
    free(x);
}

static void test_gemm_entries_bit_exact(void **state) {
    (void)state;
    const lf_cpu_features f = lf_cpu_detect();
    const int64_t ns[] = {32, 64, 96, 160, 288, 512, 544, 1056};
    const int rows[] = {1, 3, 7, 8, 9, 16, 17, 23};
    const int toks[] = {1, 2, 3, 4, 5, 8, 9, 17};
    for (size_t ei = 0; ei < sizeof g_entries / sizeof *g_entries; ei++) {
        const gemm_entry *e = &g_entries[ei];
        if (!e->available(f)) {
            printf("SKIP: %s: CPU lacks the ISA\n", e->name);
            continue;
        }
        uint64_t rng = 777 + ei;
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
            for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++)
                for (size_t ti = 0; ti < sizeof toks / sizeof *toks; ti++)
                    check_entry(e, ns[ni], rows[ri], toks[ti], ri % 2 ? 6 : 0, ti % 2 ? 2 : 0, ti % 3,
                                (int)((ni + ri + ti) % 2), &rng);
        /* more tokens than one 64-token group (group tail 6), several K chunks */
        check_entry(e, 544, 9, 70, 2, 2, 1, 0, &rng);
        check_entry(e, 160, 8, 128, 0, 0, 0, 1, &rng);
        check_entry(e, 2080, 17, 9, 6, 2, 3, 1, &rng); /* 65 blocks: 3 or 5 K chunks */
        /* n = 0: empty dots are 0 */
        check_entry(e, 0, 3, 2, 2, 2, 1, 0, &rng);
    }
}

/* The dispatch cascade (from feature sets, so it runs on any x86 CPU: nothing is executed): AVX2 gemms
 * with AVX2 + FMA + F16C, the AVX-VNNI ones when that bit is added, AVX-512's above both. */
static void test_gemm_dispatch(void **state) {
    (void)state;
    lf_kernels k;
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    f.avx2 = 1, f.fma = 1, f.f16c = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q8_0].gemm == gemm_q8_0_q8_0_avx2 && k.t[LF_DT_Q8_0].gemm_side);
    assert_true(k.t[LF_DT_Q4_0].gemm == gemm_q4_0_q8_0_avx2 && k.t[LF_DT_Q4_0].gemm_side);
    assert_int_equal(lf_kernels_gemm_act_size(&k, LF_DT_Q4_0, 1024), lf_act_side_row_size(1024));
    f.avxvnni = 1;
    lf_kernels_init(&k, f);
    assert_true(k.t[LF_DT_Q8_0].gemm == gemm_q8_0_q8_0_avxvnni && k.t[LF_DT_Q8_0].gemm_side);
    assert_true(k.t[LF_DT_Q4_0].gemm == gemm_q4_0_q8_0_avxvnni && k.t[LF_DT_Q4_0].gemm_side);
    f.avx512f = 1, f.avx512bw = 1, f.avx512vl = 1, f.avx512vnni = 1;
    lf_kernels_init(&k, f);
    assert_non_null(k.t[LF_DT_Q8_0].gemm);
    assert_true(k.t[LF_DT_Q8_0].gemm != gemm_q8_0_q8_0_avxvnni && k.t[LF_DT_Q8_0].gemm != gemm_q8_0_q8_0_avx2);
    f.fma = 0; /* AVX2 level unusable: no x86 gemm below AVX-512's requirements */
    f.avx512f = 0;
    lf_kernels_init(&k, f);
    assert_null(k.t[LF_DT_Q8_0].gemm);
    assert_null(k.t[LF_DT_Q4_0].gemm);
}

/* lf_matmul through tables of the AVX2 and AVX-VNNI levels (built from feature sets the CPU has): more
 * tokens than one 64-token chunk, rows not a multiple of the 16-row blocks, padded strides; every
 * output equals the reference dot of the row and the token's reference-quantized activation. This is
 * prefill's path on a CPU without AVX-512 (side entries written by matmul, gemm over 16-row blocks). */
static void test_matmul_levels(void **state) {
    (void)state;
    const lf_cpu_features cpu = lf_cpu_detect();
    if (!has_avx2(cpu)) {
        printf("SKIP: matmul levels: CPU lacks AVX2\n");
        return;
    }
    const int64_t n = 1056, rows = 40;
    const int T = 70, xs = 1060, ys = 44;
    uint64_t rng = 99;
    float *x = malloc(sizeof(float) * (size_t)xs * T), *y = malloc(sizeof(float) * (size_t)ys * T);
    uint8_t *aq = malloc(sizeof(lf_block_q8_0) * (size_t)(n / 32));
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(aq);
    for (int i = 0; i < xs * T; i++) x[i] = lf_test_randf(&rng) * (float)(1 + i % 7);
    for (int level = 0; level < 2; level++) {
        lf_cpu_features f;
        memset(&f, 0, sizeof f);
        f.avx2 = 1, f.fma = 1, f.f16c = 1, f.avxvnni = level == 1;
        if (level == 1 && !cpu.avxvnni) {
            printf("SKIP: matmul levels: CPU lacks AVX-VNNI\n");
            continue;
        }
        lf_kernels k;
        lf_kernels_init(&k, f);
        const uint32_t types[] = {LF_DT_Q8_0, LF_DT_Q4_0};
        for (size_t ti = 0; ti < 2; ti++) {
            const uint32_t t = types[ti];
            assert_non_null(k.t[t].gemm);
            size_t rb;
            assert_true(lf_dtype_row_size(t, n, &rb));
            uint8_t *w = malloc(rb * (size_t)rows);
            assert_non_null(w);
            for (int64_t r = 0; r < rows; r++) lf_rand_row(t, w + rb * (size_t)r, n, &rng);
            const size_t cap = lf_matmul_act_bound(&k, t, n, T);
            uint8_t *act = malloc(cap);
            assert_non_null(act);
            lf_opctx ctx = {&k, NULL, act, cap};
            const lf_mat W = {w, t, n, rows, rb, NULL, 0};
            for (size_t i = 0; i < (size_t)ys * T; i++) y[i] = SENTINEL;
            assert_int_equal(lf_matmul(&ctx, &W, x, xs, y, ys, T), 0);
            for (int tok = 0; tok < T; tok++) {
                quantize_row_q8_0_ref(x + (size_t)tok * xs, aq, n);
                for (int64_t r = 0; r < ys; r++) {
                    const float got = y[(size_t)tok * ys + (size_t)r];
                    if (r >= rows) {
                        assert_true(got == SENTINEL);
                        continue;
                    }
                    float want;
                    (t == LF_DT_Q8_0 ? dot_q8_0_q8_0_ref : dot_q4_0_q8_0_ref)(n, &want, w + rb * (size_t)r, aq);
                    if (memcmp(&got, &want, sizeof got) != 0) {
                        fprintf(stderr, "matmul %s level %d: y[%d][%lld] %.9g, ref %.9g\n", lf_dtype_name(t), level,
                                tok, (long long)r, (double)got, (double)want);
                        fail();
                    }
                }
            }
            free(act);
            free(w);
        }
    }
    free(aq);
    free(y);
    free(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_entries_bit_exact),
        cmocka_unit_test(test_gemm_dispatch),
        cmocka_unit_test(test_matmul_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void) {
    printf("SKIP: x86 gemm kernels are not built for this architecture\n");
    return LF_TEST_SKIP;
}

#endif
