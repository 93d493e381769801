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

/* f16 codes of 16 floats exactly as lf_f32_to_fp16: the conversion rounds to nearest even (the
 * immediate, not MXCSR) with the same overflow to inf; only NaN differs (it keeps payload bits), so NaN
 * lanes are set to sign | 0x7e00. */
static inline __m256i f16_codes16(__m512 x) {
    const __m256i h = _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT);
    const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    const __m256i qnan =
        _mm256_or_si256(_mm256_and_si256(h, _mm256_set1_epi16((short)0x8000)), _mm256_set1_epi16(0x7e00));
    return _mm256_mask_blend_epi16(nan, h, qnan);
}

/* tab[code] for 4 codes packed in c, packed the same way (scalar loads: a gather is slower) */
static inline uint64_t lookup4(const uint16_t *tab, uint64_t c) {
    return (uint64_t)tab[c & 0xffff] | (uint64_t)tab[(c >> 16) & 0xffff] << 16 |
           (uint64_t)tab[(c >> 32) & 0xffff] << 32 | (uint64_t)tab[c >> 48] << 48;
}

static inline __m512 geglu16(__m512 x, __m512 u, const uint16_t *tab) {
    const __m256i c = f16_codes16(x);
    const __m128i c0 = _mm256_castsi256_si128(c), c1 = _mm256_extracti128_si256(c, 1);
    const __m128i t0 = _mm_set_epi64x((long long)lookup4(tab, (uint64_t)_mm_extract_epi64(c0, 1)),
                                      (long long)lookup4(tab, (uint64_t)_mm_cvtsi128_si64(c0)));
    const __m128i t1 = _mm_set_epi64x((long long)lookup4(tab, (uint64_t)_mm_extract_epi64(c1, 1)),
                                      (long long)lookup4(tab, (uint64_t)_mm_cvtsi128_si64(c1)));
    const __m512 t = _mm512_cvtph_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(t0), t1, 1));
    const __mmask16 big = _mm512_cmp_ps_mask(x, _mm512_set1_ps(10.0f), _CMP_GE_OQ);
    const __mmask16 small = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-10.0f), _CMP_LE_OQ);
    const __m512 a = _mm512_mask_blend_ps(small, _mm512_mask_blend_ps(big, t, x), _mm512_setzero_ps());
    return _mm512_mul_ps(a, u);
}

void vec_geglu_avx512(int64_t n, float *g, const float *u, const uint16_t *tab) {
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(g + i, m,
                              geglu16(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, u + i), tab));
    }
}
