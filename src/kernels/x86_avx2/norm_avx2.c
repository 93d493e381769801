/* kernels/x86_avx2/norm_avx2.c - RMSNorm of several rows (contract: kernels/vec.h rmsnorm), the AVX2
 * form of x86_avx512/norm_avx512.c: 4 rows side by side, one per double lane, each lane adding its own
 * row's f32 squares in element order (a 4x4 block squared, transposed, widened, added in element
 * order), so every row gets the reference's bits. Missing lanes repeat the last row and are discarded.
 * The scaling y = (x * scale) * w is elementwise (8 lanes, scalar tail: the same operations). */
#include <immintrin.h>
#include <math.h>

#include "kernels/vec.h"

/* sum[k] = the in-order double sum of the f32 squares of row p[k] (n elements) */
static void sumsq4(int64_t n, const float *const p[4], double sum[4]) {
    __m256d acc = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 a = _mm_loadu_ps(p[0] + i), b = _mm_loadu_ps(p[1] + i);
        __m128 c = _mm_loadu_ps(p[2] + i), d = _mm_loadu_ps(p[3] + i);
        a = _mm_mul_ps(a, a), b = _mm_mul_ps(b, b), c = _mm_mul_ps(c, c), d = _mm_mul_ps(d, d);
        _MM_TRANSPOSE4_PS(a, b, c, d); /* a = element i of the 4 rows, b = element i + 1, ... */
        acc = _mm256_add_pd(acc, _mm256_cvtps_pd(a));
        acc = _mm256_add_pd(acc, _mm256_cvtps_pd(b));
        acc = _mm256_add_pd(acc, _mm256_cvtps_pd(c));
        acc = _mm256_add_pd(acc, _mm256_cvtps_pd(d));
    }
    _mm256_storeu_pd(sum, acc);
    for (int k = 0; k < 4; k++)
        for (int64_t t = i; t < n; t++) sum[k] += (double)(p[k][t] * p[k][t]);
}

static void scale_row(int64_t n, float *y, const float *x, const float *w, float scale) {
    const __m256 s = _mm256_set1_ps(scale);
    int64_t i = 0;
    if (w) {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), s), _mm256_loadu_ps(w + i)));
        for (; i < n; i++) y[i] = (x[i] * scale) * w[i];
    } else {
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), s));
        for (; i < n; i++) y[i] = x[i] * scale;
    }
}

void vec_rmsnorm_avx2(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                      const float *w, float eps) {
    for (int64_t r0 = 0; r0 < rows; r0 += 4) {
        const float *p[4];
        double sum[4];
        for (int k = 0; k < 4; k++) p[k] = x + (r0 + k < rows ? r0 + k : rows - 1) * x_stride;
        if (rows - r0 == 1) { /* one row: the plain chain, no transposes */
            sum[0] = 0.0;
            for (int64_t i = 0; i < n; i++) sum[0] += (double)(p[0][i] * p[0][i]);
        } else {
            sumsq4(n, p, sum);
        }
        for (int k = 0; k < 4 && r0 + k < rows; k++) {
            const float mean = (float)(sum[k] / (double)n);
            const float scale = 1.0f / sqrtf(mean + eps);
            scale_row(n, y + (r0 + k) * y_stride, p[k], w, scale);
        }
    }
}
