/* tests/ops/test_shortconv.c - the LFM2 short-conv worked example of MODEL-SPEC 1.5, chunked and
 * token-by-token. */
#include "testutil.h"

#include <string.h>

#include "ops/ops.h"

/* H = 2, L = 3. in_proj rows: B [1,0],[0,1]; C [1,1],[0,2]; x [2,0],[1,-1]. */
static void bcx_of(const float u[2], float out[6]) {
    const float rows[6][2] = {{1, 0}, {0, 1}, {1, 1}, {0, 2}, {2, 0}, {1, -1}};
    for (int r = 0; r < 6; r++) out[r] = rows[r][0] * u[0] + rows[r][1] * u[1];
}

static const float k_w[6] = {0.5f, -1, 1, 2, 0, -0.5f}; /* w[0] = [0.5,-1,1], w[1] = [2,0,-0.5] */
static const float k_u[3][2] = {{1, 2}, {-1, 0.5f}, {0, 3}};
static const float k_conv_y[3][2] = {{3 * 2, 4 * 1}, {-0.5f * 0, 1 * 0.375f}, {3 * -1, 6 * 0.5f}}; /* C*conv */
static const float k_state[3][4] = {{0, 2, 0, -2}, {2, 2, -2, -0.75f}, {2, 0, -0.75f, -9}};

static void test_token_by_token(void **unused) {
    (void)unused;
    float state[4] = {0};
    for (int t = 0; t < 3; t++) {
        float bcx[6], y[2];
        bcx_of(k_u[t], bcx);
        lf_shortconv(y, 2, bcx, 6, state, k_w, 2, 3, 1);
        assert_float_equal(y[0], k_conv_y[t][0], 1e-6);
        assert_float_equal(y[1], k_conv_y[t][1], 1e-6);
        for (int i = 0; i < 4; i++) assert_float_equal(state[i], k_state[t][i], 1e-6);
    }
}

static void test_chunk_equals_steps(void **unused) {
    (void)unused;
    float state[4] = {0}, bcx[18], y[6];
    for (int t = 0; t < 3; t++) bcx_of(k_u[t], bcx + 6 * t);
    lf_shortconv(y, 2, bcx, 6, state, k_w, 2, 3, 3);
    for (int t = 0; t < 3; t++) {
        assert_float_equal(y[2 * t], k_conv_y[t][0], 1e-6);
        assert_float_equal(y[2 * t + 1], k_conv_y[t][1], 1e-6);
    }
    for (int i = 0; i < 4; i++) assert_float_equal(state[i], k_state[2][i], 1e-6);
}

/* the final block output out_proj * y of the spec: rows [1,0],[1,1] -> t0 [6,10], t1 [0,0.375], t2 [-3,0] */
static void test_out_proj_values(void **unused) {
    (void)unused;
    const float expect[3][2] = {{6, 10}, {0, 0.375f}, {-3, 0}};
    float state[4] = {0};
    for (int t = 0; t < 3; t++) {
        float bcx[6], y[2];
        bcx_of(k_u[t], bcx);
        lf_shortconv(y, 2, bcx, 6, state, k_w, 2, 3, 1);
        assert_float_equal(y[0], expect[t][0], 1e-6);
        assert_float_equal(y[0] + y[1], expect[t][1], 1e-6);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_by_token),
        cmocka_unit_test(test_chunk_equals_steps),
        cmocka_unit_test(test_out_proj_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
