/* kernels/x86_avx2/f16_avx2.c - AVX2 F16 x F16 dot and 4-row gemv (contracts: x86_avx2/avx2.h).
 * Halves are widened with F16C; products (exact in f32) are accumulated with FMA in two ymm per row,
 * as ggml's own SIMD path does; the tail (n not a multiple of 16) is added in scalar f32 after the
 * vector reduction. */
#include <immintrin.h>

#include "format/dtype.h"
#include "kernels/x86_avx2/avx2.h"

static inline __m256 load_h8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

void gemv_f16_f16_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                       const void *a) {
    const uint16_t *x = a;
    for (int64_t r = 0; r < nrows; r += 4) {
        const uint16_t *row[4];
        for (int k = 0; k < 4; k++)
            row[k] = (const uint16_t *)((const uint8_t *)w +
                                        (size_t)(r + k < nrows ? r + k : nrows - 1) * w_stride);
        __m256 acc0[4], acc1[4];
        for (int k = 0; k < 4; k++) acc0[k] = acc1[k] = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            const __m256 a0 = load_h8(x + i), a1 = load_h8(x + i + 8);
            for (int k = 0; k < 4; k++) {
                acc0[k] = _mm256_fmadd_ps(load_h8(row[k] + i), a0, acc0[k]);
                acc1[k] = _mm256_fmadd_ps(load_h8(row[k] + i + 8), a1, acc1[k]);
            }
        }
        for (int k = 0; k < 4 && r + k < nrows; k++) {
            float sum = hsum8(_mm256_add_ps(acc0[k], acc1[k]));
            for (int64_t j = i; j < n; j++) sum += lf_fp16_to_f32(row[k][j]) * lf_fp16_to_f32(x[j]);
            s[r + k] = sum;
        }
    }
}

void dot_f16_f16_avx2(int64_t n, float *s, const void *w, const void *a) {
    gemv_f16_f16_avx2(n, 1, s, w, 0, a);
}
