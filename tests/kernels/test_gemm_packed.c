/* tests/kernels/test_gemm_packed.c - the x16 packed weight layout (kernels/pack.h) and the gemms that
 * read it: packing then unpacking gives every row back byte for byte (tail groups included), the group
 * size matches the documented layout, and every gemm_packed entry of the kernel table equals the
 * reference dot of the original row, output by output, bit for bit, for 1 token (decode) to many
 * (prefill), with row counts that leave partial groups, odd block counts (padded scale area), and rows
 * correlated with the activation so block sums are large. A table without gemm_packed (CPU without
 * AVX-512 VNNI or dotprod) prints a SKIP line for the comparison; the layout checks run everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "gemm_check.h"
#include "rand_blocks.h"
#include "testutil.h"

static const float SENTINEL = 12345.0f;

static void test_layout_roundtrip(void **state) {
    (void)state;
    const uint32_t types[] = {LF_DT_Q4_0, LF_DT_Q8_0};
    const int64_t ns[] = {32, 96, 1024, 4608};
    const int rows[] = {1, 15, 16, 17, 40};
    uint64_t rng = 99;
    for (size_t ti = 0; ti < 2; ti++)
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
            for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++) {
                const uint32_t t = types[ti];
                const int64_t n = ns[ni], nb = n / 32;
                const int nr = rows[ri];
                size_t rb;
                assert_true(lf_dtype_row_size(t, n, &rb));
                const size_t gb = lf_pack_group_bytes(t, n);
                const size_t want_gb = ((size_t)nb * 32 + 63) / 64 * 64 + (size_t)nb * (t == LF_DT_Q4_0 ? 256 : 512);
                assert_int_equal(gb, want_gb);
                assert_int_equal(gb % 64, 0);
                const int64_t ng = (nr + 15) / 16;
                assert_int_equal(lf_pack_bytes(t, n, nr), gb * (size_t)ng);
                uint8_t *w = malloc(rb * (size_t)nr);
                assert_non_null(w);
                for (int r = 0; r < nr; r++) lf_rand_row(t, w + rb * (size_t)r, n, &rng);
                uint8_t *p = lf_gemm_alloc64(gb * (size_t)ng);
                /* two halves, as two threads would pack them */
                assert_int_equal(lf_pack_groups(t, n, nr, w, rb, p, 0, ng / 2), 0);
                assert_int_equal(lf_pack_groups(t, n, nr, w, rb, p, ng / 2, ng), 0);
                uint8_t *row = malloc(rb);
                assert_non_null(row);
                for (int64_t g = 0; g < ng; g++)
                    for (int i = 0; i < 16; i++) {
                        const int64_t r = g * 16 + i, src = r < nr ? r : nr - 1; /* tail repeats the last row */
                        lf_unpack_row(t, n, p + gb * (size_t)g, i, row);
                        assert_memory_equal(row, w + rb * (size_t)src, rb);
                    }
                /* one spot of the layout by hand: Q8_0 codes are +128, lane = row, vector k = bytes 4k.. */
                if (nr >= 2 && t == LF_DT_Q8_0) {
                    const uint8_t *codes = p + ((size_t)nb * 32 + 63) / 64 * 64;
                    const lf_block_q8_0 *b1 = (const lf_block_q8_0 *)(w + rb);
                    assert_int_equal(codes[64 * 1 + 4 * 1 + 2], (uint8_t)(b1[0].qs[6] ^ 0x80));
                    assert_memory_equal(p + 2, &b1[0].d, 2);
                }
                free(row);
                free(p);
                free(w);
            }
    assert_int_equal(lf_pack_group_bytes(LF_DT_F16, 64), 0);
    assert_int_equal(lf_pack_groups(LF_DT_Q4_1, 64, 16, NULL, 0, NULL, 0, 1), -1);
}

static void check_type(const lf_kernels *k, const lf_kernels *ref, uint32_t t) {
    const int64_t ns[] = {32, 96, 160, 1056, 4608};
    const int rows[] = {1, 5, 16, 17, 33};
    const int toks[] = {1, 2, 3, 4, 7, 8, 9, 17};
    uint64_t rng = 777 + t;
    for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
        const int64_t n = ns[ni];
        size_t rb;
        assert_true(lf_dtype_row_size(t, n, &rb));
        const size_t ab = lf_act_side_row_size(n), gb = lf_pack_group_bytes(t, n);
        float *x = malloc(sizeof(float) * (size_t)n);
        assert_non_null(x);
        for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++)
            for (size_t ti = 0; ti < sizeof toks / sizeof *toks; ti++) {
                const int nr = rows[ri], nt = toks[ti];
                const size_t a_stride = ab + (ti % 2 ? 64 : 0), s_stride = (size_t)nr + (ti % 3);
                uint8_t *a = malloc(a_stride * (size_t)nt);
                assert_non_null(a);
                for (int tok = 0; tok < nt; tok++) {
                    for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(&rng) * (float)(1 + (i / 32 + tok) % 5);
                    ref->t[LF_DT_Q8_0].from_f32(x, a + a_stride * (size_t)tok, n);
                    lf_act_side_fill(a + a_stride * (size_t)tok, n);
                }
                uint8_t *w = malloc(rb * (size_t)nr);
                assert_non_null(w);
                for (int r = 0; r < nr; r++) lf_rand_row(t, w + rb * (size_t)r, n, &rng);
                ref->t[LF_DT_Q8_0].to_f32(a, x, n);
                lf_gemm_correlate(t, w, rb, nr, x, n, -128);
                const int64_t ng = (nr + 15) / 16;
                uint8_t *p = lf_gemm_alloc64(gb * (size_t)ng);
                assert_int_equal(lf_pack_groups(t, n, nr, w, rb, p, 0, ng), 0);
                float *s = lf_gemm_out_new(s_stride, nt, SENTINEL);
                k->t[t].gemm_packed(n, nr, nt, s, s_stride, p, gb, a, a_stride);
                lf_gemm_check(ref, t, "gemm_packed", n, nr, nt, s, s_stride, w, rb, a, a_stride, SENTINEL);
                free(s);
                free(p);
                free(w);
                free(a);
            }
        free(x);
    }
}

static void test_gemm_packed_bit_exact(void **state) {
    (void)state;
    lf_kernels k, ref;
    lf_kernels_init(&k, lf_cpu_detect());
    lf_kernels_init_ref(&ref);
    int checked = 0;
    for (uint32_t t = 0; t < LF_DT_COUNT; t++) {
        assert_null(ref.t[t].gemm_packed); /* the reference table never reads the packed layout */
        if (!k.t[t].gemm_packed) continue;
        if (k.t[t].vec_dot_type != LF_DT_Q8_0) continue; /* K-quants: test_gemm_packed_k.c */
        assert_true(lf_pack_group_bytes(t, 64) > 0); /* an entry only for a type with the layout */
        check_type(&k, &ref, t);
        checked++;
    }
    const lf_cpu_features f = lf_cpu_detect();
    if ((f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c) || (f.neon && f.dotprod))
        assert_int_equal(checked, 2);
    if (!checked) printf("SKIP: no gemm_packed kernel on this CPU (needs AVX-512 VNNI or dotprod)\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_roundtrip),
        cmocka_unit_test(test_gemm_packed_bit_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
