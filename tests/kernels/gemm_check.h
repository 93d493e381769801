/* tests/kernels/gemm_check.h - what the gemm tests share (header-only, static): weight rows correlated
 * with an activation (large block sums, where the f32 scale order matters), and the output check of a
 * gemm call against the reference dot, output by output, bit for bit. */
#ifndef LF_TEST_GEMM_CHECK_H
#define LF_TEST_GEMM_CHECK_H

#include <stdio.h>
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

/* s holds nt token rows of s_stride floats from a gemm over nr rows: each output equals ref's dot of
 * weight row r (w + w_stride * r) and token tok (a + a_stride * tok) bit for bit, and every slot past nr in
 * a token row still holds `sentinel` (the gemm wrote only what it owns). */
static inline void lf_gemm_check(const lf_kernels *ref, uint32_t t, const char *what, int64_t n, int nr, int nt,
                                 const float *s, size_t s_stride, const uint8_t *w, size_t w_stride, const uint8_t *a,
                                 size_t a_stride, float sentinel) {
    for (int tok = 0; tok < nt; tok++)
        for (size_t r = 0; r < s_stride; r++) {
            const float got = s[(size_t)tok * s_stride + r];
            if (r >= (size_t)nr) {
                assert_true(got == sentinel); /* padding between token rows untouched */
                continue;
            }
            float want;
            ref->t[t].dot(n, &want, w + w_stride * r, a + a_stride * (size_t)tok);
            if (memcmp(&got, &want, sizeof got) != 0) {
                fprintf(stderr, "%s %s n %lld rows %d toks %d: out[%d][%zu] %.9g, ref %.9g\n", lf_dtype_name(t), what,
                        (long long)n, nr, nt, tok, r, (double)got, (double)want);
                fail();
            }
        }
}

#endif
