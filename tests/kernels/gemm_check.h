/* tests/kernels/gemm_check.h - what the gemm tests share (header-only, static): weight rows correlated
 * with an activation (large block sums, where the f32 scale order matters), a sentinel-filled output
 * buffer, and the output check of a gemm call against a reference dot, output by output, bit for bit. */
#ifndef LF_TEST_GEMM_CHECK_H
#define LF_TEST_GEMM_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "testutil.h"

/* Odd rows follow x0's signs at full magnitude (Q8_0: 127 or q8_neg; Q4_0: codes 15 or 0). */
static inline void lf_gemm_correlate(uint32_t t, uint8_t *w, size_t stride, int rows, const float *x0, int64_t n,
                                     int8_t q8_neg) {
    for (int r = 1; r < rows; r += 2)
        for (int64_t i = 0; i < n; i++) {
            const int pos = x0[i] > 0, b = (int)(i / 32), j = (int)(i % 32);
            if (t == LF_DT_Q8_0) {
                ((lf_block_q8_0 *)(w + stride * (size_t)r))[b].qs[j] = (int8_t)(pos ? 127 : q8_neg);
            } else if (t == LF_DT_Q4_0) {
                uint8_t *byte = &((lf_block_q4_0 *)(w + stride * (size_t)r))[b].qs[j % 16];
                const int code = pos ? 15 : 0;
                *byte = (uint8_t)(j < 16 ? (*byte & 0xF0) | code : (*byte & 0x0F) | code << 4);
            }
        }
}

/* n bytes (rounded up to 64) at a 64-byte boundary, as the packed layouts need; free() releases it. */
static inline void *lf_gemm_alloc64(size_t n) {
    void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);
    assert_non_null(p);
    return p;
}

/* An output buffer for a gemm of nt token rows s_stride floats apart, plus one slot after them, all set to
 * sentinel (what lf_gemm_check_dot expects). */
static inline float *lf_gemm_out_new(size_t s_stride, int nt, float sentinel) {
    const size_t ns = s_stride * (size_t)nt + 1;
    float *s = malloc(sizeof(float) * ns);
    assert_non_null(s);
    for (size_t i = 0; i < ns; i++) s[i] = sentinel;
    return s;
}

/* The allowed |got - want| of output (row r, token tok), for the gemms whose contract is a tolerance. */
typedef double (*lf_gemm_tol_fn)(const void *ctx, int r, int tok);

/* s (from lf_gemm_out_new) holds nt token rows of s_stride floats from a gemm over nr rows: each output
 * equals dot of weight row r (w + w_stride * r) and token tok (a + a_stride * tok) bit for bit (tol NULL),
 * or within tol(tol_ctx, r, tok), and every slot past nr in a token row, and the slot after the last row,
 * still holds `sentinel` (the gemm wrote only what it owns). `what` names the case in a failure's message. */
static inline void lf_gemm_check_dot_tol(lf_dot_fn dot, const char *what, int64_t n, int nr, int nt, const float *s,
                                         size_t s_stride, const uint8_t *w, size_t w_stride, const uint8_t *a,
                                         size_t a_stride, float sentinel, lf_gemm_tol_fn tol, const void *tol_ctx) {
    for (int tok = 0; tok < nt; tok++)
        for (size_t r = 0; r < s_stride; r++) {
            const float got = s[(size_t)tok * s_stride + r];
            if (r >= (size_t)nr) {
                assert_true(got == sentinel); /* padding between token rows untouched */
                continue;
            }
            float want;
            dot(n, &want, w + w_stride * r, a + a_stride * (size_t)tok);
            const double t = tol ? tol(tol_ctx, (int)r, tok) : 0.0;
            if (tol ? !(fabs((double)got - (double)want) <= t) : memcmp(&got, &want, sizeof got) != 0) {
                fprintf(stderr, "%s n %lld rows %d toks %d: out[%d][%zu] %.9g, ref %.9g, tol %.3g\n", what, (long long)n,
                        nr, nt, tok, r, (double)got, (double)want, t);
                fail();
            }
        }
    assert_true(s[s_stride * (size_t)nt] == sentinel);
}

static inline void lf_gemm_check_dot(lf_dot_fn dot, const char *what, int64_t n, int nr, int nt, const float *s,
                                     size_t s_stride, const uint8_t *w, size_t w_stride, const uint8_t *a,
                                     size_t a_stride, float sentinel) {
    lf_gemm_check_dot_tol(dot, what, n, nr, nt, s, s_stride, w, w_stride, a, a_stride, sentinel, NULL, NULL);
}

/* lf_gemm_check_dot against the reference table's dot of type t. */
static inline void lf_gemm_check(const lf_kernels *ref, uint32_t t, const char *what, int64_t n, int nr, int nt,
                                 const float *s, size_t s_stride, const uint8_t *w, size_t w_stride, const uint8_t *a,
                                 size_t a_stride, float sentinel) {
    char name[96];
    snprintf(name, sizeof name, "%s %s", lf_dtype_name(t), what);
    lf_gemm_check_dot(ref->t[t].dot, name, n, nr, nt, s, s_stride, w, w_stride, a, a_stride, sentinel);
}

#endif
