/* tests/kernels/test_gemm_packed_k.c - the Q4_K, Q5_K and Q6_K x16 packed layouts (kernels/pack.h) and the
 * gemms that read them: packing then unpacking gives every row back byte for byte (every bit of each
 * block's scales, tail groups included), the group size is the documented one, one spot of each layout is
 * checked by hand, and the table's gemm_packed agrees with the reference dot of the original row within the
 * K-quant contract (|fast - ref| <= 1e-5 * sum of |terms|, as tests/kernels/test_kquant.c), for 1 token
 * (decode) to many (prefill), partial groups, extreme codes and scales, and padded strides; outputs past
 * the rows and between token rows stay untouched. A table without the entry prints a SKIP line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#include "kernels/ref/ref.h"
#include "gemm_check.h"
#include "rand_blocks.h"
#include "testutil.h"

static const float SENTINEL = 12345.0f;

static const uint32_t TYPES[] = {LF_DT_Q4_K, LF_DT_Q5_K, LF_DT_Q6_K};

static size_t block_size(uint32_t t) {
    return t == LF_DT_Q4_K ? sizeof(lf_block_q4_k) : t == LF_DT_Q5_K ? sizeof(lf_block_q5_k) : sizeof(lf_block_q6_k);
}

/* Random rows; with `extreme`, every other row has the largest codes and scales (Q4_K: 15 and 63; Q5_K:
 * 31 and 63; Q6_K: 63 and alternately 127 / -128), the largest integer sums the kernels form. */
static void rand_rows(uint32_t t, uint8_t *w, size_t rb, int nr, int64_t n, uint64_t *rng, int extreme) {
    for (int r = 0; r < nr; r++) {
        lf_rand_row(t, w + rb * (size_t)r, n, rng);
        if (!extreme || r % 2) continue;
        for (int64_t i = 0; i < n / 256; i++) {
            if (t == LF_DT_Q4_K) {
                lf_block_q4_k *b = (lf_block_q4_k *)(void *)(w + rb * (size_t)r) + i;
                memset(b->qs, 0xFF, sizeof b->qs);
                memset(b->scales, 0xFF, sizeof b->scales);
            } else if (t == LF_DT_Q5_K) {
                lf_block_q5_k *b = (lf_block_q5_k *)(void *)(w + rb * (size_t)r) + i;
                memset(b->qs, 0xFF, sizeof b->qs);
                memset(b->qh, 0xFF, sizeof b->qh);
                memset(b->scales, 0xFF, sizeof b->scales);
            } else {
                lf_block_q6_k *b = (lf_block_q6_k *)(void *)(w + rb * (size_t)r) + i;
                memset(b->ql, 0xFF, sizeof b->ql);
                memset(b->qh, 0xFF, sizeof b->qh);
                for (int j = 0; j < 16; j++) b->scales[j] = (int8_t)(r % 4 ? -128 : 127);
            }
        }
    }
}

static void roundtrip_type(uint32_t t) {
    const int64_t ns[] = {256, 768, 2048};
    const int rows[] = {1, 15, 16, 17, 40};
    uint64_t rng = 4711 + t;
    const size_t kb = t == LF_DT_Q4_K ? 2368 : t == LF_DT_Q5_K ? 2880 : 3392;
    for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
        for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++) {
            const int64_t n = ns[ni], nb = n / 256;
            const int nr = rows[ri];
            const size_t rb = (size_t)nb * block_size(t);
            const size_t gb = lf_pack_group_bytes(t, n);
            assert_int_equal(gb, (size_t)nb * kb);
            assert_int_equal(kb % 64, 0);
            const int64_t ng = (nr + 15) / 16;
            assert_int_equal(lf_pack_bytes(t, n, nr), gb * (size_t)ng);
            uint8_t *w = malloc(rb * (size_t)nr);
            assert_non_null(w);
            rand_rows(t, w, rb, nr, n, &rng, (int)(ri % 2));
            for (int r = 0; r < nr; r++) /* every bit of the scales varies, not only what rand_row sets */
                for (int64_t b = 0; b < nb; b++) {
                    uint8_t *sc = t == LF_DT_Q4_K   ? ((lf_block_q4_k *)(void *)(w + rb * (size_t)r))[b].scales
                                  : t == LF_DT_Q5_K ? ((lf_block_q5_k *)(void *)(w + rb * (size_t)r))[b].scales
                                                    : (uint8_t *)((lf_block_q6_k *)(void *)(w + rb * (size_t)r))[b].scales;
                    for (int i = 0; i < (t == LF_DT_Q6_K ? 16 : 12); i++) sc[i] = (uint8_t)lf_test_rand(&rng);
                }
            uint8_t *p = lf_gemm_alloc64(gb * (size_t)ng);
            assert_int_equal(lf_pack_groups(t, n, nr, w, rb, p, 0, ng / 2), 0);
            assert_int_equal(lf_pack_groups(t, n, nr, w, rb, p, ng / 2, ng), 0);
            uint8_t *row = malloc(rb);
            assert_non_null(row);
            for (int64_t g = 0; g < ng; g++)
                for (int i = 0; i < 16; i++) {
                    const int64_t r = g * 16 + i, src = r < nr ? r : nr - 1;
                    lf_unpack_row(t, n, p + gb * (size_t)g, i, row);
                    assert_memory_equal(row, w + rb * (size_t)src, rb);
                }
            const uint8_t *o = p + (size_t)(nb - 1) * kb; /* one spot by hand: row 1, last block */
            if (nr >= 2 && t == LF_DT_Q4_K) { /* d, scale 5, min 3, code bytes 4k.. of chunk 2 */
                const lf_block_q4_k *x = (const lf_block_q4_k *)(const void *)(w + rb) + (nb - 1);
                uint8_t sc, mn, sc3, mn3;
                lf_k_scale_min(5, x->scales, &sc, &mn);
                lf_k_scale_min(3, x->scales, &sc3, &mn3);
                assert_memory_equal(o + 2, &x->d, 2);
                assert_memory_equal(o + 32 + 2, &x->dmin, 2);
                assert_int_equal(o[64 + 16 * 5 + 1], sc);
                assert_int_equal(o[192 + 32 * 1 + 2 * 1 + 1], mn3);
                assert_memory_equal(o + 320 + 512 * 2 + 64 * 3 + 4, x->qs + 64 + 12, 4);
            }
            if (nr >= 2 && t == LF_DT_Q5_K) { /* d, code bytes of chunk 1, qh bytes 4k.. */
                const lf_block_q5_k *x = (const lf_block_q5_k *)(const void *)(w + rb) + (nb - 1);
                assert_memory_equal(o + 2, &x->d, 2);
                assert_memory_equal(o + 320 + 512 * 1 + 64 * 6 + 4, x->qs + 32 + 24, 4);
                assert_memory_equal(o + 2368 + 64 * 5 + 4, x->qh + 20, 4);
            }
            if (nr >= 2 && t == LF_DT_Q6_K) { /* d, scale 7, ql bytes 4k.. of half 1, qh of half 0 */
                const lf_block_q6_k *x = (const lf_block_q6_k *)(const void *)(w + rb) + (nb - 1);
                assert_memory_equal(o + 2, &x->d, 2);
                assert_int_equal((int8_t)o[64 + 32 * 3 + 2 * 1 + 1], x->scales[7]);
                assert_memory_equal(o + 320 + 1024 + 64 * 9 + 4, x->ql + 64 + 36, 4);
                assert_memory_equal(o + 2368 + 64 * 5 + 4, x->qh + 20, 4);
            }
            free(row);
            free(p);
            free(w);
        }
    assert_int_equal(lf_pack_group_bytes(t, 128), 0); /* not a whole block */
}

static void test_layout_roundtrip(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++) roundtrip_type(TYPES[i]);
}

/* test_kquant.c's M: Q4_K and Q5_K sum |d*sc*q*a| + |dmin*mn*a| (dequantized copies with dmin = 0, with d = 0);
 * Q6_K sum (|d*sc*(q-32)| + 2*|32*d*sc|)*|a| (the codes zeroed give -32*d*sc) */
static double magnitude(uint32_t t, const uint8_t *w, const float *a, int64_t n) {
    uint8_t blk[sizeof(lf_block_q6_k)];
    const size_t bs = block_size(t);
    float y0[256], y1[256];
    double m = 0.0;
    for (int64_t b = 0; b < n / 256; b++) {
        const uint8_t *p = w + (size_t)b * bs;
        if (t == LF_DT_Q6_K) {
            dequant_row_q6_k_ref(p, y0, 256);
            memcpy(blk, p, bs);
            memset(blk, 0, 192); /* ql, qh */
            dequant_row_q6_k_ref(blk, y1, 256);
            for (int l = 0; l < 256; l++) m += (fabs(y0[l]) + 2.0 * fabs(y1[l])) * fabs(a[256 * b + l]);
            continue;
        }
        lf_to_f32_fn deq = t == LF_DT_Q4_K ? dequant_row_q4_k_ref : dequant_row_q5_k_ref;
        memcpy(blk, p, bs);
        memset(blk + 2, 0, 2); /* dmin = 0 */
        deq(blk, y0, 256);
        memcpy(blk, p, bs);
        memset(blk, 0, 2); /* d = 0 */
        deq(blk, y1, 256);
        for (int l = 0; l < 256; l++) m += (fabs(y0[l]) + fabs(y1[l])) * fabs(a[256 * b + l]);
    }
    return m;
}

/* the K-quant contract: 1e-5 x the row's M against the dequantized activation row of the token */
typedef struct {
    uint32_t t;
    int64_t n;
    const uint8_t *w;
    size_t rb;
    const float *adq;
} tol_ctx;

static double k_tol(const void *ctx, int r, int tok) {
    const tol_ctx *c = ctx;
    return 1e-5 * magnitude(c->t, c->w + c->rb * (size_t)r, c->adq + (size_t)tok * (size_t)c->n, c->n) + 1e-30;
}

static void close_type(const lf_kernels *kp, const lf_kernels *refp, uint32_t t) {
    const lf_kernels k = *kp, ref = *refp;
    assert_int_equal(k.t[t].vec_dot_type, LF_DT_Q8_K);
    const int64_t ns[] = {256, 768, 2048};
    const int rows[] = {1, 5, 16, 17, 33};
    const int toks[] = {1, 2, 3, 4, 7, 8, 9, 17};
    uint64_t rng = 99 + t;
    int cases = 0;
    for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
        const int64_t n = ns[ni], nb = n / 256;
        const size_t rb = (size_t)nb * block_size(t), ab = (size_t)nb * sizeof(lf_block_q8_k);
        const size_t gb = lf_pack_group_bytes(t, n);
        float *x = malloc(sizeof(float) * (size_t)n), *adq = malloc(sizeof(float) * (size_t)n * 17);
        assert_non_null(x);
        assert_non_null(adq);
        for (size_t ri = 0; ri < sizeof rows / sizeof *rows; ri++)
            for (size_t ti = 0; ti < sizeof toks / sizeof *toks; ti++) {
                const int nr = rows[ri], nt = toks[ti];
                const size_t a_stride = ab + (ti % 2 ? 8 : 0), s_stride = (size_t)nr + (ti % 3);
                uint8_t *a = malloc(a_stride * (size_t)nt);
                assert_non_null(a);
                for (int tok = 0; tok < nt; tok++) {
                    for (int64_t i = 0; i < n; i++) x[i] = lf_test_randf(&rng) * (float)(1 + (i / 256 + tok) % 5);
                    if (tok % 3 == 2) x[5] = -40.0f; /* a block whose largest value is negative: codes reach -128 */
                    quantize_row_q8_k_ref(x, a + a_stride * (size_t)tok, n);
                    dequant_row_q8_k_ref(a + a_stride * (size_t)tok, adq + (size_t)tok * (size_t)n, n);
                }
                uint8_t *w = malloc(rb * (size_t)nr);
                assert_non_null(w);
                rand_rows(t, w, rb, nr, n, &rng, (int)((ri + ti) % 2));
                const int64_t ng = (nr + 15) / 16;
                uint8_t *p = lf_gemm_alloc64(gb * (size_t)ng);
                assert_int_equal(lf_pack_groups(t, n, nr, w, rb, p, 0, ng), 0);
                float *s = lf_gemm_out_new(s_stride, nt, SENTINEL);
                k.t[t].gemm_packed(n, nr, nt, s, s_stride, p, gb, a, a_stride);
                const tol_ctx tc = {t, n, w, rb, adq};
                char what[32];
                snprintf(what, sizeof what, "%s packed", lf_dtype_name(t));
                lf_gemm_check_dot_tol(ref.t[t].dot, what, n, nr, nt, s, s_stride, w, rb, a, a_stride, SENTINEL, k_tol, &tc);
                cases++;
                free(s);
                free(p);
                free(w);
                free(a);
            }
        free(x);
        free(adq);
    }
    assert_int_equal(cases, 3 * 5 * 8);
}

static void test_gemm_packed_close(void **state) {
    (void)state;
    lf_kernels k, ref;
    lf_kernels_init(&k, lf_cpu_detect());
    lf_kernels_init_ref(&ref);
    int checked = 0;
    for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++) {
        assert_null(ref.t[TYPES[i]].gemm_packed);
        if (!k.t[TYPES[i]].gemm_packed) continue;
        close_type(&k, &ref, TYPES[i]);
        checked++;
    }
    const lf_cpu_features f = lf_cpu_detect();
    if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c) assert_int_equal(checked, 3);
    if (!checked) printf("SKIP: no K-quant gemm_packed kernel on this CPU (needs AVX-512 VNNI)\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_roundtrip),
        cmocka_unit_test(test_gemm_packed_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
