/* tests/ops/test_add.c - the residual add (ops.h lf_add) against y[i] + x[i], bit for bit, every tail
 * length, with +-0, +-inf, subnormals and large/small magnitudes mixed. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "ops/ops.h"

static void test_add_bit_exact(void **state) {
    (void)state;
    enum { N = 700 };
    float x[N] = {0}, y[N] = {0}, want[N] = {0};
    uint64_t st = 11;
    for (size_t n = 0; n <= N; n += (n < 40 ? 1 : 61)) {
        for (size_t i = 0; i < n; i++) {
            x[i] = ldexpf(lf_test_randf(&st), (int)(lf_test_rand(&st) % 60) - 30);
            y[i] = ldexpf(lf_test_randf(&st), (int)(lf_test_rand(&st) % 60) - 30);
        }
        if (n > 8) x[0] = -0.0f, y[0] = 0.0f, x[1] = INFINITY, y[2] = -INFINITY, x[3] = 0x1p-140f, y[3] = -0x1p-141f;
        for (size_t i = 0; i < n; i++) want[i] = y[i] + x[i];
        lf_add(y, x, n);
        assert_memory_equal(y, want, n * sizeof(float));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_bit_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
