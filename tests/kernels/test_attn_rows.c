/* tests/kernels/test_attn_rows.c - the attention-row kernels (kernels/vec.h: scores, wsum and their
 * multi-query _rows forms) of every ISA, bit for bit: scores[i] must equal that ISA's dot of row i times
 * the scale; wsum must equal an axpy per row in order onto the same starting output; the _rows entries (f32
 * and f16 rows) must equal the same ISA's single-query entries for every query count (tiles of queries and
 * keys with their remainders). Head dims cover the 16-lane tail and more than
 * one column pass; row strides are padded; wsum starts from a non-zero output (the second run of a ring
 * continues the first). The softmax reductions (max_f32, sum_f64) against their reference twins. ISAs
 * the CPU lacks print SKIP. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "kernels/vec.h"
#include "testutil.h"

typedef struct attn_isa {
    const char *name;
    int available;
    lf_vec_kernels v;
    lf_attn_kernels a;
} attn_isa;

static int isas(attn_isa out[3]) {
    int n = 0;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    out[n++] = (attn_isa){"ref", 1, k.vec, k.attn};
#if defined(LFMRT_HAVE_X86)
    const lf_cpu_features f = lf_cpu_detect();
    out[n++] = (attn_isa){"avx512", f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c,
                          {vec_dot_f32_avx512, vec_dot_f16_f32_avx512, vec_axpy_f32_avx512, vec_axpy_f16_avx512,
                           vec_expf_ggml_avx512, vec_swiglu_avx512, vec_geglu_avx512, vec_rmsnorm_avx512, "avx512"},
                          {.scores_f16 = vec_scores_f16_avx512,
                           .scores_f32 = vec_scores_f32_avx512,
                           .wsum_f16 = vec_wsum_f16_avx512,
                           .wsum_f32 = vec_wsum_f32_avx512,
                           .widen_f16 = vec_widen_f16_avx512,
                           .scores_rows_f32 = vec_scores_rows_f32_avx512,
                           .wsum_rows_f32 = vec_wsum_rows_f32_avx512,
                           .scores_rows_f16 = vec_scores_rows_f16_avx512,
                           .wsum_rows_f16 = vec_wsum_rows_f16_avx512,
                           .max_f32 = vec_max_f32_avx512,
                           .sum_f64 = vec_sum_f64_avx512}};
#endif
    /* the installed table: whatever it chose, rows must agree with its own single-row entries */
    lf_kernels best;
    lf_kernels_init(&best, lf_cpu_detect());
    out[n++] = (attn_isa){"installed", 1, best.vec, best.attn};
    return n;
}

/* The _rows entries (f32 rows, or f16 with f16 set) against the same ISA's single-query ones, for 1..MAXQ
 * queries over the same n rows (each query with its own output row, at its own offset), bit for bit, and
 * nothing written outside the outputs. The f16 ones are skipped where the table leaves them NULL (callers go
 * row by row there). */
#define MAXQ 11
static void scores_one(const attn_isa *I, int f16, int64_t hd, int64_t n, const void *kv, int64_t stride,
                       const float *q, float scale, float *o) {
    if (f16) I->a.scores_f16(hd, n, kv, stride, q, scale, o);
    else I->a.scores_f32(hd, n, kv, stride, q, scale, o);
}

static void wsum_one(const attn_isa *I, int f16, int64_t hd, int64_t n, const float *w, const void *kv,
                     int64_t stride, float *o) {
    if (f16) I->a.wsum_f16(hd, n, w, kv, stride, o);
    else I->a.wsum_f32(hd, n, w, kv, stride, o);
}

static void check_rows(const attn_isa *I, int f16, int64_t hd, int64_t n, const void *kv, int64_t stride,
                       uint64_t *rng) {
    const char *type = f16 ? "f16" : "f32";
    if (f16 && (!I->a.scores_rows_f16 || !I->a.wsum_rows_f16)) {
        assert_true(!I->a.scores_rows_f16 && !I->a.wsum_rows_f16 && strcmp(I->name, "installed") == 0);
        return;
    }
    const int64_t ld = hd + n + 1; /* output rows at odd offsets */
    float *qs = malloc(sizeof(float) * (size_t)(MAXQ * hd)), *ws = malloc(sizeof(float) * (size_t)(MAXQ * n));
    float *o1 = malloc(sizeof(float) * (size_t)(MAXQ * ld)), *o2 = malloc(sizeof(float) * (size_t)(MAXQ * ld));
    assert_true(qs && ws && o1 && o2);
    for (int64_t i = 0; i < MAXQ * hd; i++) qs[i] = lf_test_randf(rng);
    for (int64_t i = 0; i < MAXQ * n; i++) ws[i] = lf_test_randf(rng) * 0.5f + 0.5f;
    const float *q[MAXQ], *w[MAXQ];
    float *out[MAXQ];
    const float scale = f16 ? 0.17f : 0.3f;
    for (int nq = 1; nq <= MAXQ; nq++) {
        for (int r = 0; r < nq; r++) {
            q[r] = qs + (size_t)((r * (f16 ? 5 : 7)) % MAXQ) * hd; /* not in order, one may repeat */
            w[r] = ws + (size_t)((r * (f16 ? 3 : 1)) % MAXQ) * n;
            out[r] = o1 + (size_t)r * ld + (r & 1);
        }
        for (int64_t i = 0; i < MAXQ * ld; i++) o1[i] = o2[i] = -7.0f;
        if (f16) I->a.scores_rows_f16(hd, n, kv, stride, nq, q, scale, out);
        else I->a.scores_rows_f32(hd, n, kv, stride, nq, q, scale, out);
        for (int r = 0; r < nq; r++) {
            float *o = o2 + (size_t)r * ld + (r & 1);
            scores_one(I, f16, hd, n, kv, stride, q[r], scale, o);
            if (memcmp(o, out[r], sizeof(float) * (size_t)n)) {
                fprintf(stderr, "%s scores_rows_%s hd %lld n %lld nq %d query %d differs\n", I->name, type,
                        (long long)hd, (long long)n, nq, r);
                fail();
            }
        }
        assert_memory_equal(o1, o2, sizeof(float) * (size_t)(MAXQ * ld)); /* nothing else written */
        for (int64_t i = 0; i < MAXQ * ld; i++) o1[i] = o2[i] = (float)(i % 7) - 3.0f; /* sums from non-zero */
        if (f16) I->a.wsum_rows_f16(hd, n, nq, w, kv, stride, out);
        else I->a.wsum_rows_f32(hd, n, nq, w, kv, stride, out);
        for (int r = 0; r < nq; r++) {
            float *o = o2 + (size_t)r * ld + (r & 1);
            wsum_one(I, f16, hd, n, w[r], kv, stride, o);
            if (memcmp(o, out[r], sizeof(float) * (size_t)hd)) {
                fprintf(stderr, "%s wsum_rows_%s hd %lld n %lld nq %d query %d differs\n", I->name, type,
                        (long long)hd, (long long)n, nq, r);
                fail();
            }
        }
        assert_memory_equal(o1, o2, sizeof(float) * (size_t)(MAXQ * ld));
    }
    free(qs), free(ws), free(o1), free(o2);
}

static void check(const attn_isa *I) {
    const int64_t hds[] = {16, 40, 64, 72, 80, 128, 136, 256, 272};
    const int64_t ns[] = {1, 2, 7, 16, 17, 33, 50, 67};
    uint64_t rng = 99;
    for (size_t hi = 0; hi < sizeof hds / sizeof *hds; hi++) {
        const int64_t hd = hds[hi], stride = hd * 2 + 3;
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
            const int64_t n = ns[ni];
            float *kf = malloc(sizeof(float) * (size_t)(stride * n));
            uint16_t *kh = malloc(sizeof(uint16_t) * (size_t)(stride * n));
            float *q = malloc(sizeof(float) * (size_t)hd), *w = malloc(sizeof(float) * (size_t)n);
            float *s1 = malloc(sizeof(float) * (size_t)n), *o1 = malloc(sizeof(float) * (size_t)hd);
            float *o2 = malloc(sizeof(float) * (size_t)hd);
            assert_true(kf && kh && q && w && s1 && o1 && o2);
            for (int64_t i = 0; i < stride * n; i++) {
                kh[i] = lf_f32_to_fp16(lf_test_randf(&rng) * 3.0f);
                kf[i] = lf_test_randf(&rng) * 3.0f;
            }
            for (int64_t d = 0; d < hd; d++) q[d] = lf_test_randf(&rng);
            for (int64_t i = 0; i < n; i++) w[i] = lf_test_randf(&rng) * 0.5f + 0.5f;
            const float scale = 0.125f + (float)hi * 0.01f;
            /* scores */
            I->a.scores_f16(hd, n, kh, stride, q, scale, s1);
            for (int64_t i = 0; i < n; i++) {
                const float want = I->v.dot_f16_f32(hd, kh + i * stride, q) * scale;
                if (memcmp(&want, &s1[i], sizeof want)) {
                    fprintf(stderr, "%s scores_f16 hd %lld n %lld row %lld: %.9g vs %.9g\n", I->name, (long long)hd,
                            (long long)n, (long long)i, (double)s1[i], (double)want);
                    fail();
                }
            }
            I->a.scores_f32(hd, n, kf, stride, q, scale, s1);
            for (int64_t i = 0; i < n; i++) {
                const float want = I->v.dot_f32(hd, kf + i * stride, q) * scale;
                assert_memory_equal(&want, &s1[i], sizeof want);
            }
            /* widen: exact */
            float *wide = malloc(sizeof(float) * (size_t)hd);
            assert_non_null(wide);
            I->a.widen_f16(hd, kh, wide);
            for (int64_t d = 0; d < hd; d++) {
                const float want = lf_fp16_to_f32(kh[d]);
                assert_memory_equal(&want, &wide[d], sizeof want);
            }
            free(wide);
            /* wsum, from a non-zero start */
            for (int64_t d = 0; d < hd; d++) o1[d] = o2[d] = q[d];
            I->a.wsum_f16(hd, n, w, kh, stride, o1);
            for (int64_t i = 0; i < n; i++) I->v.axpy_f16(hd, w[i], kh + i * stride, o2);
            assert_memory_equal(o1, o2, sizeof(float) * (size_t)hd);
            for (int64_t d = 0; d < hd; d++) o1[d] = o2[d] = q[d];
            I->a.wsum_f32(hd, n, w, kf, stride, o1);
            for (int64_t i = 0; i < n; i++) I->v.axpy_f32(hd, w[i], kf + i * stride, o2);
            assert_memory_equal(o1, o2, sizeof(float) * (size_t)hd);
            check_rows(I, 0, hd, n, kf, stride, &rng);
            check_rows(I, 1, hd, n, kh, stride, &rng);
            free(kf), free(kh), free(q), free(w), free(s1), free(o1), free(o2);
        }
    }
}

static void test_rows_match_single_row_entries(void **state) {
    (void)state;
    attn_isa I[3];
    const int n = isas(I);
    for (int i = 0; i < n; i++) {
        if (!I[i].available) {
            printf("SKIP: %s attention rows: CPU lacks the ISA\n", I[i].name);
            continue;
        }
        check(&I[i]);
    }
}

/* The softmax reductions against their reference twins, bit for bit: every tail length, mixed signs and
 * magnitudes (the double partial sums), NaNs (skipped by max), zeros of both signs and -inf. */
static void test_softmax_reductions(void **state) {
    (void)state;
    attn_isa I[3];
    const int nisa = isas(I);
    uint64_t rng = 7;
    float x[80];
    for (int trial = 0; trial < 200; trial++)
        for (int n = 0; n <= 80; n++) {
            for (int i = 0; i < n; i++) {
                const float r = lf_test_randf(&rng);
                x[i] = trial % 4 == 0 ? r * 1e30f : trial % 4 == 1 ? r * 1e-30f : r * 10.0f;
            }
            if (n && trial % 5 == 1) x[(trial * 7) % n] = nanf("");
            if (n && trial % 5 == 2) x[(trial * 3) % n] = -INFINITY;
            if (n && trial % 5 == 3) /* every value <= 0, zeros of both signs: the maximum is a zero */
                for (int i = 0; i < n; i++) x[i] = i % 3 == 0 ? -0.0f : i % 3 == 1 ? 0.0f : -fabsf(x[i]);
            const float mref = vec_max_f32_ref(n, x);
            const double sref = vec_sum_f64_ref(n, x);
            for (int k = 0; k < nisa; k++) {
                if (!I[k].available) continue;
                const float m = I[k].a.max_f32(n, x);
                const double s = I[k].a.sum_f64(n, x);
                if (memcmp(&m, &mref, sizeof m) || (memcmp(&s, &sref, sizeof s) && !(isnan(s) && isnan(sref)))) {
                    fprintf(stderr, "%s softmax reductions n %d trial %d: max %.9g vs %.9g, sum %.17g vs %.17g\n",
                            I[k].name, n, trial, (double)m, (double)mref, s, sref);
                    fail();
                }
            }
        }
    /* the reference: NaNs skipped, a zero maximum is +0, nothing is -inf */
    const float z[3] = {-0.0f, nanf(""), -1.0f};
    const float mz = vec_max_f32_ref(3, z), pz = 0.0f, ninf = -INFINITY;
    assert_memory_equal(&mz, &pz, sizeof mz);
    const float m0 = vec_max_f32_ref(0, z);
    assert_memory_equal(&m0, &ninf, sizeof m0);
}

static void test_table_entries_filled(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    assert_true(k.attn.scores_f16 == vec_scores_f16_ref && k.attn.wsum_f32 == vec_wsum_f32_ref);
    assert_true(k.attn.scores_rows_f16 == vec_scores_rows_f16_ref && k.attn.wsum_rows_f16 == vec_wsum_rows_f16_ref);
    lf_kernels_init(&k, lf_cpu_detect());
    assert_non_null(k.attn.scores_f16);
    assert_non_null(k.attn.scores_f32);
    assert_non_null(k.attn.wsum_f16);
    assert_non_null(k.attn.wsum_f32);
    assert_non_null(k.attn.widen_f16);
    assert_non_null(k.attn.scores_rows_f32);
    assert_non_null(k.attn.wsum_rows_f32);
    /* the f16 _rows entries: present over the reference f16 entries and with AVX-512 */
    if (k.attn.scores_f16 == vec_scores_f16_ref) assert_true(k.attn.scores_rows_f16 == vec_scores_rows_f16_ref);
    if (k.attn.wsum_f16 == vec_wsum_f16_ref) assert_true(k.attn.wsum_rows_f16 == vec_wsum_rows_f16_ref);
#if defined(LFMRT_HAVE_X86)
    const lf_cpu_features f = lf_cpu_detect();
    if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c)
        assert_true(k.attn.scores_rows_f16 == vec_scores_rows_f16_avx512 &&
                    k.attn.wsum_rows_f16 == vec_wsum_rows_f16_avx512);
#endif
    assert_non_null(k.attn.max_f32);
    assert_non_null(k.attn.sum_f64);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_match_single_row_entries),
        cmocka_unit_test(test_softmax_reductions),
        cmocka_unit_test(test_table_entries_filled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
