/* tests/kernels/test_kernel_table.c - the kernel table: completeness, vec_dot types (MODEL-SPEC 6.1),
 * activation sizes, block struct sizes against the dtype table, CPU detection, and the dispatched
 * table agreeing with the reference one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "rand_blocks.h"
#include "testutil.h"

static const uint32_t k_weights[] = {LF_DT_F32,  LF_DT_F16,  LF_DT_BF16, LF_DT_Q8_0, LF_DT_Q4_0, LF_DT_Q5_0,
                                     LF_DT_Q4_1, LF_DT_Q5_1, LF_DT_Q4_K, LF_DT_Q5_K, LF_DT_Q6_K};
#define N_WEIGHTS (sizeof k_weights / sizeof k_weights[0])

static uint32_t expected_vdt(uint32_t t) {
    switch (t) {
    case LF_DT_Q4_0:
    case LF_DT_Q5_0:
    case LF_DT_Q8_0: return LF_DT_Q8_0;
    case LF_DT_Q4_1:
    case LF_DT_Q5_1: return LF_DT_Q8_1;
    case LF_DT_Q4_K:
    case LF_DT_Q5_K:
    case LF_DT_Q6_K: return LF_DT_Q8_K;
    default: return t; /* F32, F16, BF16 */
    }
}

static int is_weight(uint32_t t) {
    for (size_t i = 0; i < N_WEIGHTS; i++)
        if (k_weights[i] == t) return 1;
    return 0;
}

static int has_from_f32(uint32_t t) {
    return t == LF_DT_F32 || t == LF_DT_F16 || t == LF_DT_BF16 || t == LF_DT_Q8_0 || t == LF_DT_Q4_0 ||
           t == LF_DT_Q4_K || t == LF_DT_Q5_K || t == LF_DT_Q6_K || t == LF_DT_Q8_1 || t == LF_DT_Q8_K;
}

static void check_table_shape(const lf_kernels *k) {
    for (uint32_t t = 0; t < LF_DT_COUNT; t++) {
        const lf_type_kernels *e = &k->t[t];
        const lf_dtype_info *info = lf_dtype_get(t);
        assert_non_null(e->isa);
        if (is_weight(t)) {
            assert_non_null(info);
            assert_true(info->compute);
            assert_non_null(e->dot);
            assert_non_null(e->gemv);
            assert_non_null(e->to_f32);
            assert_int_equal(e->vec_dot_type, expected_vdt(t));
            assert_non_null(k->t[e->vec_dot_type].from_f32);
            assert_non_null(k->t[e->vec_dot_type].to_f32);
        } else {
            assert_null(e->dot);
            assert_null(e->gemv);
            assert_false(info && info->compute); /* the dtype table agrees on what is computable */
        }
        if (has_from_f32(t))
            assert_non_null(e->from_f32);
        else
            assert_null(e->from_f32);
        if (t == LF_DT_Q8_1 || t == LF_DT_Q8_K) assert_non_null(e->to_f32);
    }
}

static void test_ref_table_complete(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    check_table_shape(&k);
    for (size_t i = 0; i < N_WEIGHTS; i++) assert_string_equal(k.t[k_weights[i]].isa, "ref");
}

static void test_block_sizes_match_dtype_table(void **state) {
    (void)state;
    const struct {
        uint32_t t;
        size_t size, blck;
    } b[] = {
        {LF_DT_Q8_0, sizeof(lf_block_q8_0), LF_QK},   {LF_DT_Q8_1, sizeof(lf_block_q8_1), LF_QK},
        {LF_DT_Q4_0, sizeof(lf_block_q4_0), LF_QK},   {LF_DT_Q4_1, sizeof(lf_block_q4_1), LF_QK},
        {LF_DT_Q5_0, sizeof(lf_block_q5_0), LF_QK},   {LF_DT_Q5_1, sizeof(lf_block_q5_1), LF_QK},
        {LF_DT_Q4_K, sizeof(lf_block_q4_k), LF_QK_K}, {LF_DT_Q5_K, sizeof(lf_block_q5_k), LF_QK_K},
        {LF_DT_Q6_K, sizeof(lf_block_q6_k), LF_QK_K}, {LF_DT_Q8_K, sizeof(lf_block_q8_k), LF_QK_K},
    };
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        const lf_dtype_info *info = lf_dtype_get(b[i].t);
        assert_non_null(info);
        assert_int_equal(info->type_size, b[i].size);
        assert_int_equal(info->blck, b[i].blck);
    }
    /* Q6_K keeps d last */
    assert_int_equal(offsetof(lf_block_q6_k, d), 208);
    assert_int_equal(offsetof(lf_block_q8_k, bsums), 260);
    assert_int_equal(offsetof(lf_block_q5_k, qs), 48);
}

static void test_act_size(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_F32, 4096), 4096 * 4);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_F16, 4096), 4096 * 2);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_BF16, 4096), 4096 * 2);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q8_0, 4096), 128 * 34);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q4_0, 4096), 128 * 34);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q5_0, 4096), 128 * 34);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q4_1, 4096), 128 * 36);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q5_1, 4096), 128 * 36);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q4_K, 4096), 16 * 292);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q5_K, 4096), 16 * 292);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q6_K, 4096), 16 * 292);
    /* Q8_0 activation rows of 1152 (Gemma3-1B hidden size) */
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q8_0, 1152), 36 * 34);
    /* not a weight type, unknown ids, sizes the vec_dot block does not divide */
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q8_1, 4096), 0);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q8_K, 4096), 0);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q2_K, 4096), 0);
    assert_int_equal(lf_kernels_act_size(&k, 99, 4096), 0);
    assert_int_equal(lf_kernels_act_size(&k, 4, 4096), 0);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q4_K, 1152), 0);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q8_0, 48), 0);
    assert_int_equal(lf_kernels_act_size(&k, LF_DT_Q8_0, -32), 0);
}

static void test_cpu_detect(void **state) {
    (void)state;
    lf_cpu_features f = lf_cpu_detect(), g = lf_cpu_detect();
    assert_memory_equal(&f, &g, sizeof f); /* deterministic */
    printf("cpu: avx2=%u fma=%u f16c=%u avx512f=%u bw=%u vl=%u vnni=%u bf16=%u avxvnni=%u neon=%u "
           "dotprod=%u i8mm=%u\n",
           f.avx2, f.fma, f.f16c, f.avx512f, f.avx512bw, f.avx512vl, f.avx512vnni, f.avx512bf16,
           f.avxvnni, f.neon, f.dotprod, f.i8mm);
#if defined(__x86_64__) && defined(__GNUC__)
    /* independent oracle: the compiler runtime's own cpuid probe (which also checks XCR0) */
    __builtin_cpu_init();
    assert_int_equal(f.avx2, !!__builtin_cpu_supports("avx2"));
    assert_int_equal(f.fma, !!__builtin_cpu_supports("fma"));
    assert_int_equal(f.avx512f, !!__builtin_cpu_supports("avx512f"));
    assert_int_equal(f.avx512bw, !!__builtin_cpu_supports("avx512bw"));
    assert_int_equal(f.avx512vl, !!__builtin_cpu_supports("avx512vl"));
    assert_int_equal(f.avx512vnni, !!__builtin_cpu_supports("avx512vnni"));
    assert_false(f.neon || f.dotprod || f.i8mm);
#endif
#if defined(__aarch64__)
    assert_true(f.neon);
    assert_false(f.avx2 || f.avx512f);
#endif
    if (f.avx512bw || f.avx512vl || f.avx512vnni) assert_true(f.avx512f);
}

/* With no features the dispatched table is exactly the reference table. */
static void test_init_without_features_is_ref(void **state) {
    (void)state;
    lf_kernels r, k;
    lf_cpu_features none;
    memset(&none, 0, sizeof none);
    lf_kernels_init_ref(&r);
    lf_kernels_init(&k, none);
    for (uint32_t t = 0; t < LF_DT_COUNT; t++) {
        assert_true(k.t[t].dot == r.t[t].dot);
        assert_true(k.t[t].gemv == r.t[t].gemv);
        assert_true(k.t[t].to_f32 == r.t[t].to_f32);
        assert_true(k.t[t].from_f32 == r.t[t].from_f32);
        assert_int_equal(k.t[t].vec_dot_type, r.t[t].vec_dot_type);
    }
}

/* The table for this CPU has the same shape as ref and computes the same matmul rows (within a
 * float-reordering tolerance) for every weight type. */
static void test_dispatched_table_agrees_with_ref(void **state) {
    (void)state;
    lf_kernels r, k;
    lf_kernels_init_ref(&r);
    lf_kernels_init(&k, lf_cpu_detect());
    check_table_shape(&k);
    enum { N = 1024, R = 9 };
    static float x[N];
    uint64_t rng = 31337;
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng);
    for (size_t wi = 0; wi < N_WEIGHTS; wi++) {
        const uint32_t t = k_weights[wi];
        assert_int_equal(k.t[t].vec_dot_type, r.t[t].vec_dot_type);
        const uint32_t vdt = k.t[t].vec_dot_type;
        size_t rb;
        assert_true(lf_dtype_row_size(t, N, &rb));
        uint8_t *w = malloc(rb * R);
        size_t asz = lf_kernels_act_size(&k, t, N);
        void *a = malloc(asz), *ar = malloc(asz);
        float *wd = malloc(sizeof(float) * N);
        assert_true(w && a && ar && wd);
        for (int row = 0; row < R; row++) lf_rand_row(t, w + rb * row, N, &rng);
        k.t[vdt].from_f32(x, a, N);
        r.t[vdt].from_f32(x, ar, N);
        /* activation conversion: fast and ref agree bit for bit */
        assert_memory_equal(a, ar, asz);
        float s[R], sr[R];
        k.t[t].gemv(N, R, s, w, rb, a);
        r.t[t].gemv(N, R, sr, w, rb, ar);
        for (int row = 0; row < R; row++) {
            r.t[t].to_f32(w + rb * row, wd, N);
            double mag = 0;
            for (int i = 0; i < N; i++) mag += fabs((double)wd[i] * x[i]);
            float d1;
            k.t[t].dot(N, &d1, w + rb * row, a);
            if (!(fabs((double)s[row] - sr[row]) <= 1e-5 * mag + 1e-6) ||
                !(fabs((double)d1 - sr[row]) <= 1e-5 * mag + 1e-6)) {
                fprintf(stderr, "%s (%s) row %d: gemv %.9g dot %.9g ref %.9g\n", lf_dtype_name(t),
                        k.t[t].isa, row, (double)s[row], (double)d1, (double)sr[row]);
                fail();
            }
        }
        free(w), free(a), free(ar), free(wd);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_table_complete),
        cmocka_unit_test(test_block_sizes_match_dtype_table),
        cmocka_unit_test(test_act_size),
        cmocka_unit_test(test_cpu_detect),
        cmocka_unit_test(test_init_without_features_is_ref),
        cmocka_unit_test(test_dispatched_table_agrees_with_ref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
