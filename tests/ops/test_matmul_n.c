/* tests/ops/test_matmul_n.c - lf_matmul_n (ops.h): several matrices of one input as one product (the
 * packed, claimed path: q/k/v, gate/up) give, output by output and bit for bit, what lf_matmul gives for
 * each matrix in the file layout; with 1 and 2 threads, 1 to 9 tokens, row counts that end in a partial
 * 16-row group; a mix of packed and unpacked matrices falls back to one product each (same bits); a
 * count outside 1..LF_MATMUL_MAX is refused. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/pack.h"
#include "lfmrt/status.h"
#include "ops/ops.h"

enum { NE0 = 256, NMAT = 3, TMAX = 9 };
static const int64_t ROWS[NMAT] = {48, 37, 16};

typedef struct {
    lf_kernels k;
    lf_mat W[NMAT];
    uint8_t *data[NMAT];
    uint8_t *packed[NMAT];
    float x[TMAX * NE0];
} fixture;

static void build(fixture *f, uint32_t type) {
    lf_kernels_init(&f->k, lf_cpu_detect());
    uint64_t st = 5 + type;
    for (int i = 0; i < TMAX * NE0; i++) f->x[i] = lf_test_randf(&st);
    const lf_type_kernels *tk = &f->k.t[type];
    for (int m = 0; m < NMAT; m++) {
        size_t rb = 0;
        assert_true(lf_dtype_row_size(type, NE0, &rb));
        f->data[m] = malloc(rb * (size_t)ROWS[m]);
        float row[NE0];
        for (int64_t r = 0; r < ROWS[m]; r++) {
            for (int i = 0; i < NE0; i++) row[i] = lf_test_randf(&st);
            tk->from_f32(row, f->data[m] + rb * (size_t)r, NE0);
        }
        const size_t pb = lf_pack_bytes(type, NE0, ROWS[m]);
        f->packed[m] = aligned_alloc(64, pb);
        const int64_t ng = (ROWS[m] + LF_PACK_ROWS - 1) / LF_PACK_ROWS;
        assert_int_equal(lf_pack_groups(type, NE0, ROWS[m], f->data[m], rb, f->packed[m], 0, ng), 0);
        f->W[m] = (lf_mat){f->data[m], type, NE0, ROWS[m], rb, NULL, lf_pack_group_bytes(type, NE0)};
    }
}

static void release(fixture *f) {
    for (int m = 0; m < NMAT; m++) {
        free(f->data[m]);
        free(f->packed[m]);
    }
}

static void check_type(uint32_t type) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    build(f, type);
    const size_t act = lf_matmul_act_bound(&f->k, type, NE0, TMAX) + 64;
    uint8_t *abuf = malloc(act);
    float *want = calloc((size_t)TMAX * 64 * NMAT, sizeof(float)), *got = calloc((size_t)TMAX * 64 * NMAT, sizeof(float));
    for (int nth = 1; nth <= 2; nth++) {
        lf_pool *pool = NULL;
        lfmrt_err e;
        assert_int_equal(lf_pool_create(nth, &pool, &e), LFMRT_OK);
        lf_opctx ctx = {&f->k, pool, abuf, act};
        for (int T = 1; T <= TMAX; T += 2)
            for (int mix = 0; mix < 3; mix++) { /* 0: all packed; 1: the middle one not; 2: none */
                const lf_mat *W[NMAT];
                float *ys[NMAT], *yw[NMAT];
                int64_t stride[NMAT];
                for (int m = 0; m < NMAT; m++) {
                    f->W[m].packed = NULL;
                    stride[m] = 64 + m; /* wider than the rows, distinct per output */
                    yw[m] = want + (size_t)m * TMAX * 64;
                    ys[m] = got + (size_t)m * TMAX * 64;
                    assert_int_equal(lf_matmul(&ctx, &f->W[m], f->x, NE0, yw[m], stride[m], T), LFMRT_OK);
                    W[m] = &f->W[m];
                }
                for (int m = 0; m < NMAT; m++) f->W[m].packed = mix == 2 || (mix == 1 && m == 1) ? NULL : f->packed[m];
                memset(got, 0xff, (size_t)TMAX * 64 * NMAT * sizeof(float));
                assert_int_equal(lf_matmul_n(&ctx, NMAT, W, f->x, NE0, ys, stride, T), LFMRT_OK);
                for (int m = 0; m < NMAT; m++)
                    for (int t = 0; t < T; t++)
                        if (memcmp(ys[m] + t * stride[m], yw[m] + t * stride[m], (size_t)ROWS[m] * sizeof(float))) {
                            fail_msg("%s: matrix %d token %d differs (threads %d, T %d, mix %d)",
                                     lf_dtype_name(type), m, t, nth, T, mix);
                        }
            }
        const lf_mat *W1[1] = {&f->W[0]};
        float *y1[1] = {got};
        const int64_t s1[1] = {64};
        assert_int_equal(lf_matmul_n(&ctx, 0, W1, f->x, NE0, y1, s1, 1), LFMRT_E_INVALID);
        assert_int_equal(lf_matmul_n(&ctx, LF_MATMUL_MAX + 1, W1, f->x, NE0, y1, s1, 1), LFMRT_E_INVALID);
        lf_pool_destroy(pool);
    }
    free(want);
    free(got);
    free(abuf);
    release(f);
    free(f);
}

static void test_q4_0(void **state) {
    (void)state;
    check_type(LF_DT_Q4_0);
}

static void test_q8_0(void **state) {
    (void)state;
    check_type(LF_DT_Q8_0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_q4_0),
        cmocka_unit_test(test_q8_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
