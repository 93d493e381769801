/* tests/ops/test_rope.c - RoPE (ops.h lf_rope_neox, lf_rope_norm, lf_rope_qk) bit for bit against the
 * per-head definition (cos/sin of theta_i = pos * theta_scale^i by repeated f32 multiplication, computed
 * for each head): head dims 64..256, partial rotation (n_rot < hd), several chunks of pairs, positions
 * up to 100000, q and k with different head counts. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"

static void rope_def(int interleaved, float *v, int n_heads, int hd, int n_rot, int pos, float base) {
    const float theta_scale = powf(base, -2.0f / (float)n_rot);
    const int half = n_rot / 2;
    for (int h = 0; h < n_heads; h++) {
        float *x = v + (size_t)h * hd;
        float theta = (float)pos;
        for (int i = 0; i < half; i++) {
            const float c = cosf(theta), s = sinf(theta);
            const int i0 = interleaved ? 2 * i : i, i1 = interleaved ? 2 * i + 1 : i + half;
            const float a = x[i0], b = x[i1];
            x[i0] = a * c - b * s;
            x[i1] = a * s + b * c;
            theta *= theta_scale;
        }
    }
}

static void test_rope_matches_definition(void **state) {
    (void)state;
    const int hds[] = {64, 128, 256, 80};
    const int pos[] = {0, 1, 7, 511, 4095, 100000};
    uint64_t st = 3;
    for (size_t a = 0; a < sizeof hds / sizeof hds[0]; a++)
        for (int rot_div = 1; rot_div <= 2; rot_div++)
            for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++)
                for (int il = 0; il < 2; il++) {
                    const int hd = hds[a], n_rot = hd / rot_div, nq = 4 + il, nk = 1 + (int)p % 2;
                    const float base = p % 2 ? 10000.0f : 1000000.0f;
                    float *q = malloc(sizeof(float) * (size_t)nq * hd), *k = malloc(sizeof(float) * (size_t)nk * hd);
                    float *q2 = malloc(sizeof(float) * (size_t)nq * hd), *k2 = malloc(sizeof(float) * (size_t)nk * hd);
                    float *q3 = malloc(sizeof(float) * (size_t)nq * hd);
                    assert_true(q && k && q2 && k2 && q3);
                    for (int i = 0; i < nq * hd; i++) q[i] = q2[i] = q3[i] = lf_test_randf(&st) * 3.0f;
                    for (int i = 0; i < nk * hd; i++) k[i] = k2[i] = lf_test_randf(&st) * 3.0f;
                    rope_def(il, q2, nq, hd, n_rot, pos[p], base);
                    rope_def(il, k2, nk, hd, n_rot, pos[p], base);
                    lf_rope_qk(il, q, nq, k, nk, hd, n_rot, pos[p], base);
                    assert_memory_equal(q, q2, sizeof(float) * (size_t)nq * hd);
                    assert_memory_equal(k, k2, sizeof(float) * (size_t)nk * hd);
                    if (il)
                        lf_rope_norm(q3, nq, hd, n_rot, pos[p], base);
                    else
                        lf_rope_neox(q3, nq, hd, n_rot, pos[p], base);
                    assert_memory_equal(q3, q2, sizeof(float) * (size_t)nq * hd);
                    free(q), free(k), free(q2), free(k2), free(q3);
                }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rope_matches_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
