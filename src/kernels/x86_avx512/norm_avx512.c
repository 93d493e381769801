/* kernels/x86_avx512/norm_avx512.c - RMSNorm of several rows (contract: kernels/vec.h rmsnorm).
 * The sum of squares must be added in double in element order (ggml's rms_norm), a chain of dependent
 * adds; instead of splitting one row's sum (which would change its bits), 8 rows run side by side, one
 * per double lane: an 8x8 block (8 elements of 8 rows) is squared in f32, transposed so vector j holds
 * element j of every row, widened and added in j order. Each lane sees exactly the reference's
 * additions. Fewer than 8 rows left: the missing lanes repeat the last row and are discarded. The
 * scaling y = (x * scale) * w is elementwise (16 lanes, masked tail). */
#include <immintrin.h>
#include <math.h>

#include "kernels/vec.h"
#include "kernels/x86_avx512/vec_body.h"

/* r[j] <- element j of each of the 8 vectors (r[k] lane j on input) */
static inline void transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

static inline __m256 sq8(const float *p) {
    const __m256 x = _mm256_loadu_ps(p);
    return _mm256_mul_ps(x, x);
}

/* sum[k] = the in-order double sum of the f32 squares of row p[k] (n elements); written out row by row
 * so the pointers and the block stay in registers */
static void sumsq8(int64_t n, const float *const p[8], double sum[8]) {
    const float *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3], *p4 = p[4], *p5 = p[5], *p6 = p[6], *p7 = p[7];
    __m512d acc = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v[8] = {sq8(p0 + i), sq8(p1 + i), sq8(p2 + i), sq8(p3 + i),
                       sq8(p4 + i), sq8(p5 + i), sq8(p6 + i), sq8(p7 + i)};
        transpose8(v);
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[0]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[1]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[2]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[3]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[4]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[5]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[6]));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(v[7]));
    }
    _mm512_storeu_pd(sum, acc);
    for (int k = 0; k < 8; k++)
        for (int64_t t = i; t < n; t++) sum[k] += (double)(p[k][t] * p[k][t]);
}

static void scale_row(int64_t n, float *y, const float *x, const float *w, float scale) {
    const __m512 s = _mm512_set1_ps(scale);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), s);
        if (w) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, w + i));
        _mm512_mask_storeu_ps(y + i, m, v);
    }
}

void vec_rmsnorm_avx512(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                        const float *w, float eps) {
    for (int64_t r0 = 0; r0 < rows; r0 += 8) {
        const float *p[8];
        double sum[8];
        for (int k = 0; k < 8; k++) p[k] = x + (r0 + k < rows ? r0 + k : rows - 1) * x_stride;
        if (rows - r0 == 1) { /* one row: the plain chain, no transposes */
            sum[0] = 0.0;
            for (int64_t i = 0; i < n; i++) sum[0] += (double)(p[0][i] * p[0][i]);
        } else {
            sumsq8(n, p, sum);
        }
        for (int k = 0; k < 8 && r0 + k < rows; k++) {
            const float mean = (float)(sum[k] / (double)n);
            const float scale = 1.0f / sqrtf(mean + eps);
            scale_row(n, y + (r0 + k) * y_stride, p[k], w, scale);
        }
    }
}
