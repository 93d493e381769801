/* tests/base/test_pool.c - thread pool: every share runs exactly once per job, many jobs in a row,
 * splits cover [0, n) without overlap. */
#include "testutil.h"

#include <stdatomic.h>

#include "base/pool.h"

typedef struct {
    atomic_int calls;
    atomic_long sum;
    int seen[64];
} job;

static void work(void *ctx, int ith, int nth) {
    job *j = ctx;
    atomic_fetch_add(&j->calls, 1);
    long b, e;
    lf_pool_split(1000, ith, nth, 1, &b, &e);
    long s = 0;
    for (long i = b; i < e; i++) s += i;
    atomic_fetch_add(&j->sum, s);
    j->seen[ith]++;
}

static void test_runs_every_share(void **u) {
    (void)u;
    for (int n = 1; n <= 4; n++) {
        lf_pool *p = NULL;
        assert_int_equal(lf_pool_create(n, &p, NULL), 0);
        assert_int_equal(lf_pool_size(p), n);
        for (int rep = 0; rep < 2000; rep++) {
            job j = {0};
            lf_pool_run(p, work, &j);
            assert_int_equal(atomic_load(&j.calls), n);
            assert_int_equal(atomic_load(&j.sum), 999 * 1000 / 2);
            for (int t = 0; t < n; t++) assert_int_equal(j.seen[t], 1);
        }
        lf_pool_destroy(p);
    }
}

static void test_split(void **u) {
    (void)u;
    for (long n = 0; n < 300; n += 7)
        for (int nth = 1; nth <= 5; nth++)
            for (long align = 1; align <= 16; align *= 4) {
                long prev = 0;
                for (int i = 0; i < nth; i++) {
                    long b, e;
                    lf_pool_split(n, i, nth, align, &b, &e);
                    assert_int_equal(b, prev);
                    assert_true(e >= b);
                    if (e < n) assert_int_equal(e % align, 0);
                    prev = e;
                }
                assert_int_equal(prev, n);
            }
}

static void test_bad_size_and_null(void **u) {
    (void)u;
    lf_pool *p = (lf_pool *)1;
    lfmrt_err e = {0};
    assert_int_equal(lf_pool_create(0, &p, &e), LFMRT_E_INVALID);
    assert_null(p);
    job j = {0};
    lf_pool_run(NULL, work, &j); /* NULL pool: runs inline as one share */
    assert_int_equal(atomic_load(&j.calls), 1);
    lf_pool_destroy(NULL);
    assert_true(lf_cpu_physical_cores() >= 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_every_share),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_bad_size_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
