/* kernels/x86_avx512/attn_avx512.c - AVX-512 attention-row kernels (contracts: kernels/vec.h): the
 * scores of one query against n cached key rows, and the weighted sum of n value rows.
 *
 * scores: each dot is vec_body.h's, the same operations as vec_dot_*_avx512 (16 rows share one batched
 * lane sum), so results equal the single-row entries bit for bit. wsum: the value rows are accumulated (onto out) in registers, up to 128 columns
 * (8 zmm) per pass over the rows, instead of a load and store of the output per row as axpy does; per
 * lane the operations are axpy's (product rounded, then added, rows in order), so results are identical. */
#include <immintrin.h>

#include "format/dtype.h"
#include "kernels/vec.h"
#include "kernels/x86_avx512/vec_body.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Rows of one head in the KV cache are a whole cache row apart (all heads of a position together), a
 * stride the hardware prefetcher does not follow across pages: decode's attention waited on every row.
 * The kernels prefetch the lines of rows PF_ROWS ahead. */
#define PF_ROWS 32

static inline void prefetch_row(const void *p, int64_t bytes) {
    for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch((const char *)p + o, _MM_HINT_T0);
}

/* 16 rows at a time: the lanes of each row's dot, then one batched lane sum (vec_body.h: the same tree
 * as the single-row dot), then the scale; the remaining rows one by one. */
void vec_scores_f16_avx512(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                           float *out) {
    int64_t i = 0;
    const __m512 vs = _mm512_set1_ps(scale);
    for (; i + 16 <= n; i += 16) {
        __m512 v[16];
        for (int r = 0; r < 16 && i + PF_ROWS + r < n; r++) prefetch_row(k + (i + PF_ROWS + r) * k_stride, hd * 2);
        for (int r = 0; r < 16; r++) v[r] = dot_f16_f32_lanes(hd, k + (i + r) * k_stride, q);
        _mm512_storeu_ps(out + i, _mm512_mul_ps(reduce16x16(v), vs));
    }
    for (; i < n; i++) out[i] = dot_f16_f32_body(hd, k + i * k_stride, q) * scale;
}

void vec_scores_f32_avx512(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                           float *out) {
    int64_t i = 0;
    const __m512 vs = _mm512_set1_ps(scale);
    for (; i + 16 <= n; i += 16) {
        __m512 v[16];
        for (int r = 0; r < 16; r++) v[r] = dot_f32_lanes(hd, k + (i + r) * k_stride, q);
        _mm512_storeu_ps(out + i, _mm512_mul_ps(reduce16x16(v), vs));
    }
    for (; i < n; i++) out[i] = dot_f32_body(hd, k + i * k_stride, q) * scale;
}

#define WCH 8 /* zmm accumulators per pass: 128 columns */

/* Columns [c0, c0 + 16 * nv) (the last vector masked by mlast) of the weighted sum. */
#define WSUM_PASS(LOAD)                                                                       \
    do {                                                                                      \
        __m512 acc[WCH];                                                                      \
        _Pragma("GCC unroll 8") for (int j = 0; j < WCH; j++)                                 \
            acc[j] = j < nv ? _mm512_maskz_loadu_ps(j == nv - 1 ? mlast : (__mmask16)0xffff, out + c0 + 16 * j) \
                            : _mm512_setzero_ps();                                            \
        for (int64_t i = 0; i < n; i++) {                                                     \
            if (i + PF_ROWS < n) prefetch_row(v + (i + PF_ROWS) * v_stride + c0, 16 * nv * (int64_t)sizeof *v); \
            const __m512 wi = _mm512_set1_ps(w[i]);                                           \
            _Pragma("GCC unroll 8") for (int j = 0; j < WCH; j++) {                           \
                if (j < nv) {                                                                 \
                    const __mmask16 m = j == nv - 1 ? mlast : (__mmask16)0xffff;              \
                    acc[j] = _mm512_add_ps(acc[j], _mm512_mul_ps(wi, LOAD(m, v + i * v_stride + c0 + 16 * j))); \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        for (int j = 0; j < nv; j++)                                                          \
            _mm512_mask_storeu_ps(out + c0 + 16 * j, j == nv - 1 ? mlast : (__mmask16)0xffff, acc[j]); \
    } while (0)

void vec_wsum_f16_avx512(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out) {
    for (int64_t c0 = 0; c0 < hd; c0 += 16 * WCH) {
        const int64_t left = hd - c0;
        const int nv = left >= 16 * WCH ? WCH : (int)((left + 15) / 16);
        const __mmask16 mlast = tail_mask(left - 16 * (nv - 1));
        WSUM_PASS(maskz_load_h16);
    }
}

void vec_wsum_f32_avx512(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out) {
    for (int64_t c0 = 0; c0 < hd; c0 += 16 * WCH) {
        const int64_t left = hd - c0;
        const int nv = left >= 16 * WCH ? WCH : (int)((left + 15) / 16);
        const __mmask16 mlast = tail_mask(left - 16 * (nv - 1));
        WSUM_PASS(_mm512_maskz_loadu_ps);
    }
}

void vec_widen_f16_avx512(int64_t n, const uint16_t *x, float *y) {
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m, maskz_load_h16(m, x + i));
    }
}

/* Softmax reductions (kernels/vec.h: max_f32, sum_f64). max: lane-wise maxima (max_ps returns its second
 * operand, the running maximum, when the new value is NaN, so NaNs are skipped as the reference's
 * comparison skips them), any order giving the same value; the + 0.0f makes a zero maximum +0 whatever
 * order met its signs. sum: lane j of the double accumulator is the reference's partial sum j (16 floats
 * widen to two vectors of 8 added in turn); masked lanes of a tail add +0, which leaves a sum that
 * started at +0 unchanged; then the reference's tree. */
float vec_max_f32_avx512(int64_t n, const float *x) {
    __m512 m = _mm512_set1_ps(-__builtin_inff());
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 k = tail_mask(n - i);
        m = _mm512_mask_max_ps(m, k, _mm512_maskz_loadu_ps(k, x + i), m);
    }
    return _mm512_reduce_max_ps(m) + 0.0f;
}

double vec_sum_f64_avx512(int64_t n, const float *x) {
    __m512d a = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) a = _mm512_add_pd(a, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
    if (i < n) a = _mm512_add_pd(a, _mm512_cvtps_pd(_mm256_maskz_loadu_ps((__mmask8)((1u << (n - i)) - 1u), x + i)));
    const __m256d t = _mm256_add_pd(_mm512_castpd512_pd256(a), _mm512_extractf64x4_pd(a, 1)); /* p0+p4 .. p3+p7 */
    const __m128d u = _mm_add_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));    /* (p0+p4)+(p2+p6), .. */
    return _mm_cvtsd_f64(_mm_add_sd(u, _mm_unpackhi_pd(u, u)));
}
