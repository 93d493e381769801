/* kernels/x86_avx512/vec_avx512.c - AVX-512F f32 vector kernels (contracts: kernels/vec.h).
 * Same operation sequence as the AVX2 versions (x86_avx2/vec_avx2.c) on 16 lanes; tails use masked
 * loads and stores (masked-off lanes are zero and never stored), so every lane gets the same bits. */
#include <immintrin.h>
#include <math.h>

#include "format/dtype.h"
#include "kernels/vec.h"
#include "kernels/x86_avx512/vec_body.h"

float vec_dot_f32_avx512(int64_t n, const float *x, const float *y) { return dot_f32_body(n, x, y); }

float vec_dot_f16_f32_avx512(int64_t n, const uint16_t *x, const float *y) { return dot_f16_f32_body(n, x, y); }

void vec_axpy_f32_avx512(int64_t n, float a, const float *x, float *y) {
    const __m512 va = _mm512_set1_ps(a);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        const __m512 p = _mm512_mul_ps(va, _mm512_maskz_loadu_ps(m, x + i));
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), p));
    }
}

void vec_axpy_f16_avx512(int64_t n, float a, const uint16_t *x, float *y) {
    const __m512 va = _mm512_set1_ps(a);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        const __m512 p = _mm512_mul_ps(va, maskz_load_h16(m, x + i));
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), p));
    }
}

static inline __m512 exp16(__m512 x) {
    const __m512 r = _mm512_set1_ps(0x1.8p23f);
    const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), r);
    const __m512 n = _mm512_sub_ps(z, r);
    const __m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.7f7d1cp-20f),
                                      _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.62e4p-1f), x));
    const __m512 u = _mm512_mul_ps(b, b);
    const __m512 j = _mm512_fmadd_ps(
        _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_set1_ps(0x1.0e4020p-7f), b, _mm512_set1_ps(0x1.573e2ep-5f)), u,
                        _mm512_fmadd_ps(_mm512_set1_ps(0x1.555e66p-3f), b, _mm512_set1_ps(0x1.fffdb6p-2f))),
        u, _mm512_fmadd_ps(_mm512_set1_ps(0x1.ffffecp-1f), b, _mm512_set1_ps(1.0f)));
    /* 2^n = 2^n1 * 2^n2, n1 = floor(n/2): both factors normal for |n| <= 192 */
    const __m512i ni = _mm512_cvttps_epi32(n);
    const __m512i n1 = _mm512_srai_epi32(ni, 1);
    const __m512i n2 = _mm512_sub_epi32(ni, n1);
    const __m512i bias = _mm512_set1_epi32(127);
    const __m512 p1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n1, bias), 23));
    const __m512 p2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n2, bias), 23));
    const __m512 scaled = _mm512_mul_ps(_mm512_mul_ps(j, p1), p2);
    const __m512 an = _mm512_abs_ps(n);
    const __mmask16 big = _mm512_cmp_ps_mask(an, _mm512_set1_ps(192.0f), _CMP_GT_OQ);
    const __mmask16 le0 = _mm512_cmp_ps_mask(n, _mm512_setzero_ps(), _CMP_LE_OQ);
    const __m512 sat = _mm512_mask_blend_ps(le0, _mm512_set1_ps(INFINITY), _mm512_setzero_ps());
    return _mm512_mask_blend_ps(big, scaled, sat);
}

static inline __m512 swiglu16(__m512 x, __m512 u) {
    const __m512 neg = _mm512_castsi512_ps(
        _mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)));
    const __m512 e = exp16(neg);
    return _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e)), u);
}

void vec_expf_ggml_avx512(int64_t n, const float *x, float *y) {
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m, exp16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

void vec_swiglu_avx512(int64_t n, float *g, const float *u) {
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(g + i, m, swiglu16(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, u + i)));
    }
}
