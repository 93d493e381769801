/* kernels/x86_avx512/f16_avx512.c - AVX-512 F16 x F16 dot and 4-row gemv (contracts:
 * x86_avx512/avx512.h). Halves are widened with F16C; products (exact in f32) are accumulated with
 * FMA in two zmm per row, as ggml's own SIMD path does, then reduced at the end. The tail (n not a
 * multiple of 32) uses masked loads, so any n >= 0 works and nothing is read past the rows. */
#include <immintrin.h>

#include "kernels/x86_avx512/avx512.h"

static inline __m512 load_h16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

static inline __m512 load_h16_masked(const uint16_t *p, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

void gemv_f16_f16_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a) {
    const uint16_t *x = a;
    for (int64_t r = 0; r < nrows; r += 4) {
        const uint16_t *row[4];
        for (int k = 0; k < 4; k++)
            row[k] = (const uint16_t *)((const uint8_t *)w +
                                        (size_t)(r + k < nrows ? r + k : nrows - 1) * w_stride);
        __m512 acc0[4], acc1[4];
        for (int k = 0; k < 4; k++) acc0[k] = acc1[k] = _mm512_setzero_ps();
        int64_t i = 0;
        for (; i + 32 <= n; i += 32) {
            const __m512 a0 = load_h16(x + i), a1 = load_h16(x + i + 16);
            for (int k = 0; k < 4; k++) {
                acc0[k] = _mm512_fmadd_ps(load_h16(row[k] + i), a0, acc0[k]);
                acc1[k] = _mm512_fmadd_ps(load_h16(row[k] + i + 16), a1, acc1[k]);
            }
        }
        for (; i < n; i += 16) {
            const int64_t left = n - i;
            const __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            const __m512 a0 = load_h16_masked(x + i, m);
            for (int k = 0; k < 4; k++) acc0[k] = _mm512_fmadd_ps(load_h16_masked(row[k] + i, m), a0, acc0[k]);
        }
        for (int k = 0; k < 4 && r + k < nrows; k++)
            s[r + k] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[k], acc1[k]));
    }
}

void dot_f16_f16_avx512(int64_t n, float *s, const void *w, const void *a) {
    gemv_f16_f16_avx512(n, 1, s, w, 0, a);
}
