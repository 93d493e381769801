/* kernels/x86_avx2/vec_avx2.c - AVX2/FMA/F16C f32 vector kernels (contracts: kernels/vec.h).
 * The exp follows expf_ggml_ref operation by operation (FMA where it uses fmaf); its scaling by 2^n
 * (|n| <= 192) is two exact-power multiplies, 2^floor(n/2) (exact: the result stays normal) then
 * 2^(n - floor(n/2)) (one rounding), which is ldexpf's correctly rounded result. Tails (n not a
 * multiple of 8) go through a zero-padded 8-lane buffer, so they get the same bits. */
#include <immintrin.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/vec.h"

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __m256 load_h8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

float vec_dot_f32_avx2(int64_t n, const float *x, const float *y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += x[i] * y[i];
    return s;
}

float vec_dot_f16_f32_avx2(int64_t n, const uint16_t *x, const float *y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(load_h8(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(load_h8(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_h8(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += lf_fp16_to_f32(x[i]) * y[i];
    return s;
}

void vec_axpy_f32_avx2(int64_t n, float a, const float *x, float *y) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_mul_ps(va, _mm256_loadu_ps(x + i))));
    for (; i < n; i++) {
        const float p = a * x[i];
        y[i] += p;
    }
}

void vec_axpy_f16_avx2(int64_t n, float a, const uint16_t *x, float *y) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_mul_ps(va, load_h8(x + i))));
    for (; i < n; i++) {
        const float p = a * lf_fp16_to_f32(x[i]);
        y[i] += p;
    }
}

static inline __m256 exp8(__m256 x) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b, _mm256_set1_ps(1.0f)));
    /* 2^n = 2^n1 * 2^n2, n1 = floor(n/2): both factors normal for |n| <= 192 */
    const __m256i ni = _mm256_cvttps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1);
    const __m256i n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 p1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const __m256 p2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    const __m256 scaled = _mm256_mul_ps(_mm256_mul_ps(j, p1), p2);
    const __m256 an = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
    const __m256 big = _mm256_cmp_ps(an, _mm256_set1_ps(192.0f), _CMP_GT_OQ);
    const __m256 sat = _mm256_andnot_ps(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ),
                                        _mm256_set1_ps(__builtin_inff()));
    return _mm256_blendv_ps(scaled, sat, big);
}

static inline __m256 swiglu8(__m256 x, __m256 u) {
    const __m256 e = exp8(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
    return _mm256_mul_ps(_mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

void vec_expf_ggml_avx2(int64_t n, const float *x, float *y) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float t[8] = {0};
        memcpy(t, x + i, (size_t)(n - i) * sizeof(float));
        _mm256_storeu_ps(t, exp8(_mm256_loadu_ps(t)));
        memcpy(y + i, t, (size_t)(n - i) * sizeof(float));
    }
}

void vec_swiglu_avx2(int64_t n, float *g, const float *u) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(g + i, swiglu8(_mm256_loadu_ps(g + i), _mm256_loadu_ps(u + i)));
    if (i < n) {
        float t[8] = {0}, v[8] = {0};
        memcpy(t, g + i, (size_t)(n - i) * sizeof(float));
        memcpy(v, u + i, (size_t)(n - i) * sizeof(float));
        _mm256_storeu_ps(t, swiglu8(_mm256_loadu_ps(t), _mm256_loadu_ps(v)));
        memcpy(g + i, t, (size_t)(n - i) * sizeof(float));
    }
}

/* f16 codes of 8 floats exactly as lf_f32_to_fp16: F16C rounds to nearest even (the immediate, not
 * MXCSR) with the same overflow to inf; only NaN differs (F16C keeps payload bits), so NaN lanes are
 * set to sign | 0x7e00. */
static inline __m128i f16_codes8(__m256 x) {
    const __m128i h = _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT);
    const __m256i nan32 = _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    const __m128i nan = _mm_packs_epi32(_mm256_castsi256_si128(nan32), _mm256_extracti128_si256(nan32, 1));
    const __m128i qnan = _mm_or_si128(_mm_and_si128(h, _mm_set1_epi16((short)0x8000)), _mm_set1_epi16(0x7e00));
    return _mm_blendv_epi8(h, qnan, nan);
}

/* tab[code] for 4 codes packed in c, packed the same way (scalar loads: a gather is slower) */
static inline uint64_t lookup4(const uint16_t *tab, uint64_t c) {
    return (uint64_t)tab[c & 0xffff] | (uint64_t)tab[(c >> 16) & 0xffff] << 16 |
           (uint64_t)tab[(c >> 32) & 0xffff] << 32 | (uint64_t)tab[c >> 48] << 48;
}

static inline __m256 geglu8(__m256 x, __m256 u, const uint16_t *tab) {
    const __m128i c = f16_codes8(x);
    const uint64_t lo = lookup4(tab, (uint64_t)_mm_cvtsi128_si64(c));
    const uint64_t hi = lookup4(tab, (uint64_t)_mm_extract_epi64(c, 1));
    const __m256 t = _mm256_cvtph_ps(_mm_set_epi64x((long long)hi, (long long)lo));
    const __m256 big = _mm256_cmp_ps(x, _mm256_set1_ps(10.0f), _CMP_GE_OQ);
    const __m256 small = _mm256_cmp_ps(x, _mm256_set1_ps(-10.0f), _CMP_LE_OQ);
    return _mm256_mul_ps(_mm256_andnot_ps(small, _mm256_blendv_ps(t, x, big)), u); /* small: +0 */
}

void vec_geglu_avx2(int64_t n, float *g, const float *u, const uint16_t *tab) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(g + i, geglu8(_mm256_loadu_ps(g + i), _mm256_loadu_ps(u + i), tab));
    if (i < n) {
        float t[8] = {0}, v[8] = {0};
        memcpy(t, g + i, (size_t)(n - i) * sizeof(float));
        memcpy(v, u + i, (size_t)(n - i) * sizeof(float));
        _mm256_storeu_ps(t, geglu8(_mm256_loadu_ps(t), _mm256_loadu_ps(v), tab));
        memcpy(g + i, t, (size_t)(n - i) * sizeof(float));
    }
}
