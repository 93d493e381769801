/* tests/kernels/test_ref_dot.c - reference dot products and gemv.
 *
 * (1) Hand-computed dots that pin ggml's semantics: Q4_1/Q5_1 take the activation sum from the
 *     stored s field, the K-quants take it from bsums, float dots accumulate in double.
 * (2) For every weight type, random blocks dotted with a random activation quantized to the
 *     type's vec_dot type, against sum(dequant(w) * dequant(a)) in double, within a tight bound.
 * (3) gemv equals the row-by-row dot bit for bit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "rand_blocks.h"
#include "testutil.h"

/* ---- hand-computed dots ----------------------------------------------------------------------- */

static void test_dot_q4_0_hand(void **state) {
    (void)state;
    /* w: d = 0.5, qs[0] = 0x0F (w0 = 7*.5, w16 = -8*.5), qs[1] = 0x19 (w1 = .5, w17 = -3.5), rest
     * 0x88 (0). a: d = 2, a0 = 3, a16 = -1, a1 = 10, a17 = 2 (codes), rest 0.
     * sumi = 7*3 + (-8)*(-1) + 1*10 + (-7)*2 = 25 -> 25 * .5 * 2 = 25 */
    lf_block_q4_0 w;
    lf_block_q8_0 a;
    memset(&w.qs, 0x88, sizeof w.qs);
    memset(&a, 0, sizeof a);
    w.d = lf_f32_to_fp16(0.5f), w.qs[0] = 0x0F, w.qs[1] = 0x19;
    a.d = lf_f32_to_fp16(2.0f), a.qs[0] = 3, a.qs[16] = -1, a.qs[1] = 10, a.qs[17] = 2;
    float s;
    dot_q4_0_q8_0_ref(32, &s, &w, &a);
    assert_true(s == 25.0f);
}

static void test_dot_q8_0_q5_0_hand(void **state) {
    (void)state;
    lf_block_q8_0 w, a;
    memset(&w, 0, sizeof w);
    memset(&a, 0, sizeof a);
    w.d = lf_f32_to_fp16(0.25f), a.d = lf_f32_to_fp16(-4.0f);
    w.qs[5] = -128, a.qs[5] = -127; /* 16256 */
    w.qs[31] = 3, a.qs[31] = 7;     /* 21 */
    float s;
    dot_q8_0_q8_0_ref(32, &s, &w, &a);
    assert_true(s == -16277.0f);
    /* Q5_0 with qh bit 31: element 31 code (qs[15] >> 4) | 16; d = 1; all other codes 16 -> 0 */
    lf_block_q5_0 q5;
    memset(&q5, 0, sizeof q5);
    q5.d = lf_f32_to_fp16(1.0f);
    memset(q5.qh, 0xFF, 4);   /* every fifth bit set: code = nibble + 16 -> value = nibble */
    q5.qs[15] = 0x50;        /* element 31 = 5, element 15 = 0 */
    q5.qs[5] = 0x02;         /* element 5 = 2 */
    dot_q5_0_q8_0_ref(32, &s, &q5, &a); /* (-4) * (2*-127 + 5*7) = -4 * -219 = 876 */
    assert_true(s == 876.0f);
}

/* Q4_1 and Q5_1 add m_w * s_a using the STORED s of the Q8_1 block, whatever the codes are. */
static void test_dot_x_1_uses_s(void **state) {
    (void)state;
    lf_block_q4_1 w;
    lf_block_q8_1 a;
    memset(&w, 0, sizeof w);
    memset(&a, 0, sizeof a);
    w.d = lf_f32_to_fp16(0.5f), w.m = lf_f32_to_fp16(-2.0f);
    w.qs[0] = 0x3A; /* w0 code 10, w16 code 3 */
    a.d = lf_f32_to_fp16(1.0f), a.qs[0] = 4, a.qs[16] = -5;
    a.s = lf_f32_to_fp16(100.0f); /* deliberately not d * sum(qs) = -1 */
    float s;
    dot_q4_1_q8_1_ref(32, &s, &w, &a); /* (.5*1)*(40 - 15) + (-2)*100 = 12.5 - 200 */
    assert_true(s == -187.5f);
    lf_block_q5_1 w5;
    memset(&w5, 0, sizeof w5);
    w5.d = w.d, w5.m = w.m, w5.qs[0] = 0x3A, w5.qh[2] = 0x01; /* bit 16: w16 code 3 | 16 = 19 */
    dot_q5_1_q8_1_ref(32, &s, &w5, &a);              /* .5*(40 - 95) - 200 = -227.5 */
    assert_true(s == -227.5f);
}

/* K-quants subtract the mins through the activation's bsums, not its codes. */
static void test_dot_q4_k_uses_bsums(void **state) {
    (void)state;
    lf_block_q4_k w;
    lf_block_q8_k a;
    memset(&w, 0, sizeof w);
    memset(&a, 0, sizeof a);
    w.d = lf_f32_to_fp16(1.0f), w.dmin = lf_f32_to_fp16(0.5f);
    w.scales[0] = 2; /* sub-block 0: sc 2, mn 0 */
    w.scales[5] = 3; /* sub-block 1: sc 0, mn 3 */
    w.qs[0] = 0x07;  /* element 0 code 7 */
    a.d = 0.25f;
    a.qs[0] = 8;      /* element 0: 2*7*8 = 112 */
    a.bsums[2] = 10;  /* sub-block 1 covers bsums[2], bsums[3]: mins term 3*10 = 30 */
    a.bsums[0] = 999; /* sub-block 0 has mn 0: ignored */
    float s;
    dot_q4_k_q8_k_ref(256, &s, &w, &a); /* 1*.25*112 - .5*.25*30 = 28 - 3.75 */
    assert_true(s == 24.25f);
    lf_block_q5_k w5;
    memset(&w5, 0, sizeof w5);
    w5.d = w.d, w5.dmin = w.dmin;
    memcpy(w5.scales, w.scales, 12);
    w5.qs[0] = 0x07, w5.qh[0] = 0x01; /* element 0 code 7 + 16 = 23: 2*23*8 = 368 */
    dot_q5_k_q8_k_ref(256, &s, &w5, &a); /* .25*368 - 3.75 = 88.25 */
    assert_true(s == 88.25f);
}

static void test_dot_q6_k_hand(void **state) {
    (void)state;
    lf_block_q6_k w;
    lf_block_q8_k a;
    memset(&w, 0, sizeof w);
    memset(&a, 0, sizeof a);
    memset(w.qh, 0xAA, sizeof w.qh); /* every 2-bit field = 2: code 32 -> q = 0 */
    w.ql[0] = 0x0F, w.qh[0] = 0xAB; /* element 0: code 15 | 3<<4 = 63 -> q = 31 */
    w.scales[0] = -2, w.scales[15] = 100, w.d = lf_f32_to_fp16(0.5f);
    w.ql[127] = 0x10; /* element 255: code 1 | 2<<4 = 33 -> q = 1 */
    a.d = 0.25f, a.qs[0] = 4, a.qs[255] = -3;
    float s;
    dot_q6_k_q8_k_ref(256, &s, &w, &a); /* .5*.25*(-2*31*4 + 100*1*-3) = .125*-548 */
    assert_true(s == -68.5f);
}

/* 2048 + 1024 * 2^-13: every f32 partial sum would stay at 2048 (each addend is half an ulp, ties
 * to even); ggml's double accumulator keeps them all: 2048.125. */
static void test_float_dots_accumulate_in_double(void **state) {
    (void)state;
    enum { N = 1025 };
    static float w32[N], a32[N];
    static uint16_t w16[N], a16[N], wb[N], ab[N];
    for (int i = 0; i < N; i++) {
        w32[i] = i == 0 ? 2048.0f : 0x1p-13f;
        a32[i] = 1.0f;
    }
    quantize_row_f16_ref(w32, w16, N);
    quantize_row_f16_ref(a32, a16, N);
    quantize_row_bf16_ref(w32, wb, N);
    quantize_row_bf16_ref(a32, ab, N);
    float s;
    dot_f32_f32_ref(N, &s, w32, a32);
    assert_true(s == 2048.125f);
    dot_f16_f16_ref(N, &s, w16, a16);
    assert_true(s == 2048.125f);
    dot_bf16_bf16_ref(N, &s, wb, ab);
    assert_true(s == 2048.125f);
}

/* ---- random blocks vs dequantize-then-dot ----------------------------------------------------- */

/* Splits the dequantized weights into the part scaled by d and the offset part (m / dmin) by
 * dequantizing copies with the offset, resp. the scale, zeroed. For types without an offset the
 * whole value is the scale part. Used only to size the rounding tolerance. */
static void split_parts(uint32_t t, const void *w, int64_t n, const lf_kernels *k, float *scale_part,
                        float *offset_part) {
    size_t bytes;
    lf_dtype_row_size(t, n, &bytes);
    uint8_t *c = malloc(bytes);
    assert_non_null(c);
    const lf_dtype_info *info = lf_dtype_get(t);
    const int64_t nb = n / info->blck;
    const int has_offset = t == LF_DT_Q4_1 || t == LF_DT_Q5_1 || t == LF_DT_Q4_K || t == LF_DT_Q5_K;
    /* the offset field is the second u16 of these four layouts */
    memcpy(c, w, bytes);
    if (has_offset)
        for (int64_t b = 0; b < nb; b++) memset(c + (size_t)b * info->type_size + 2, 0, 2);
    k->t[t].to_f32(c, scale_part, n);
    memcpy(c, w, bytes);
    if (has_offset)
        for (int64_t b = 0; b < nb; b++) memset(c + (size_t)b * info->type_size, 0, 2);
    if (has_offset)
        k->t[t].to_f32(c, offset_part, n);
    else
        memset(offset_part, 0, (size_t)n * sizeof(float));
    free(c);
}

static void check_dot_vs_dequant(uint32_t t, int64_t n, uint64_t seed) {
    lf_kernels k;
    lf_kernels_init_ref(&k);
    const uint32_t vdt = k.t[t].vec_dot_type;
    size_t wbytes, abytes;
    assert_true(lf_dtype_row_size(t, n, &wbytes));
    abytes = lf_kernels_act_size(&k, t, n);
    assert_true(abytes > 0);
    void *w = malloc(wbytes), *a = malloc(abytes);
    float *x = malloc((size_t)n * 4), *wd = malloc((size_t)n * 4), *ad = malloc((size_t)n * 4);
    float *sp = malloc((size_t)n * 4), *op = malloc((size_t)n * 4);
    assert_true(w && a && x && wd && ad && sp && op);
    uint64_t rng = seed;
    for (int rep = 0; rep < 8; rep++) {
        lf_rand_row(t, w, n, &rng);
        for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(&rng) * (float)(1 + (i / 64) % 4);
        if (rep == 1) /* an outlier per block: exercises the signed-max paths of Q8_K */
            for (int64_t i = 0; i < n; i += 37) x[i] = (i & 1) ? 9.0f : -9.0f;
        k.t[vdt].from_f32(x, a, n);
        k.t[t].to_f32(w, wd, n);
        k.t[vdt].to_f32(a, ad, n);
        split_parts(t, w, n, &k, sp, op);
        double want = 0, mag = 0;
        for (int64_t i = 0; i < n; i++) {
            want += (double)wd[i] * (double)ad[i];
            mag += fabs((double)sp[i] * ad[i]) + fabs((double)op[i] * ad[i]);
        }
        double tol = 5e-7 * mag + 1e-30; /* observed errors are ~1e-8 * mag */
        if (vdt == LF_DT_Q8_1) { /* the dot uses s = f16(sum(q) * d_f32), dequant uses q * f16(d) */
            const lf_block_q8_1 *ab = a;
            for (int64_t b = 0; b < n / 32; b++) {
                int sum = 0;
                for (int j = 0; j < 32; j++) sum += ab[b].qs[j];
                double exact = (double)sum * lf_fp16_to_f32(ab[b].d);
                double m = fabs((double)op[32 * b]);
                tol += m * fabs((double)lf_fp16_to_f32(ab[b].s) - exact);
            }
        }
        float got;
        k.t[t].dot(n, &got, w, a);
        if (!(fabs((double)got - want) <= tol)) {
            fprintf(stderr, "%s n=%lld rep %d: dot %.9g, dequant dot %.9g, tol %.3g (mag %.3g)\n",
                    lf_dtype_name(t), (long long)n, rep, (double)got, want, tol, mag);
            fail();
        }
    }
    free(w), free(a), free(x), free(wd), free(ad), free(sp), free(op);
}

static void test_dot_vs_dequant_all_types(void **state) {
    (void)state;
    const uint32_t types[] = {LF_DT_F32,  LF_DT_F16,  LF_DT_BF16, LF_DT_Q8_0, LF_DT_Q4_0, LF_DT_Q5_0,
                              LF_DT_Q4_1, LF_DT_Q5_1, LF_DT_Q4_K, LF_DT_Q5_K, LF_DT_Q6_K};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        check_dot_vs_dequant(types[i], 256, 100 + i);
        check_dot_vs_dequant(types[i], 2048, 200 + i);
    }
}

/* The tolerance above is tight enough to notice a wrong term: break the activation on purpose. */
static void test_dot_check_detects_errors(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    enum { N = 256 };
    static lf_block_q4_k w[1];
    static lf_block_q8_k a[1];
    static float x[N], wd[N], ad[N];
    uint64_t rng = 1;
    lf_rand_row(LF_DT_Q4_K, w, N, &rng);
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng);
    quantize_row_q8_k_ref(x, a, N);
    dequant_row_q4_k_ref(w, wd, N);
    dequant_row_q8_k_ref(a, ad, N);
    double want = 0;
    for (int i = 0; i < N; i++) want += (double)wd[i] * ad[i];
    a[0].bsums[3] += 1; /* one unit of one bsum */
    float got;
    dot_q4_k_q8_k_ref(N, &got, w, a);
    assert_true(fabs((double)got - want) > 1e-9);
}

/* ---- gemv ------------------------------------------------------------------------------------- */

static void test_gemv_equals_dots(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    const uint32_t types[] = {LF_DT_F32,  LF_DT_F16,  LF_DT_BF16, LF_DT_Q8_0, LF_DT_Q4_0, LF_DT_Q5_0,
                              LF_DT_Q4_1, LF_DT_Q5_1, LF_DT_Q4_K, LF_DT_Q5_K, LF_DT_Q6_K};
    enum { N = 512, R = 7 };
    uint64_t rng = 4242;
    static float x[N];
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng);
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        const uint32_t t = types[ti];
        size_t rb;
        lf_dtype_row_size(t, N, &rb);
        const size_t stride = rb + 64; /* padded rows: the stride is honoured */
        uint8_t *w = malloc(stride * R);
        void *a = malloc(lf_kernels_act_size(&k, t, N));
        assert_true(w && a);
        for (int r = 0; r < R; r++) lf_rand_row(t, w + stride * r, N, &rng);
        k.t[k.t[t].vec_dot_type].from_f32(x, a, N);
        float s[R], d;
        k.t[t].gemv(N, R, s, w, stride, a);
        for (int r = 0; r < R; r++) {
            k.t[t].dot(N, &d, w + stride * r, a);
            assert_memory_equal(&s[r], &d, sizeof d);
        }
        free(w), free(a);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_q4_0_hand),
        cmocka_unit_test(test_dot_q8_0_q5_0_hand),
        cmocka_unit_test(test_dot_x_1_uses_s),
        cmocka_unit_test(test_dot_q4_k_uses_bsums),
        cmocka_unit_test(test_dot_q6_k_hand),
        cmocka_unit_test(test_float_dots_accumulate_in_double),
        cmocka_unit_test(test_dot_vs_dequant_all_types),
        cmocka_unit_test(test_dot_check_detects_errors),
        cmocka_unit_test(test_gemv_equals_dots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
