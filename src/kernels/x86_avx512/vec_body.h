/* kernels/x86_avx512/vec_body.h - the AVX-512 dot product bodies, shared (inlined) by the single-row
 * entries (vec_avx512.c) and the attention-row entries (attn_avx512.c), so both compute every dot with
 * the same operations: bit-identical results, which the vec contract requires.
 *
 * A dot accumulates 16 lanes (two FMA chains, then added), then sums the lanes with one fixed tree:
 * s8[i] = v[i] + v[i+8], s4[i] = s8[i] + s8[i+4], s2[i] = s4[i] + s4[i+2], s = s2[0] + s2[1]. The
 * single-row form does it with extracts; reduce16x16 does the same additions for 16 rows at once with
 * cross-row shuffles (3 operations per row instead of 8), which is what makes the multi-row scores of
 * attention cheaper while staying identical to the single-row dot. */
#ifndef LF_KERNELS_X86_AVX512_VEC_BODY_H
#define LF_KERNELS_X86_AVX512_VEC_BODY_H

#include <immintrin.h>
#include <stdint.h>

static inline __mmask16 tail_mask(int64_t left) { return (__mmask16)(left >= 16 ? 0xffff : (1u << left) - 1u); }

static inline __m512 load_h16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }

static inline __m512 maskz_load_h16(__mmask16 m, const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

/* The lane sum of v by the fixed tree. */
static inline float reduce16(__m512 v) {
    const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

/* out lane k = reduce16(v[k]) for k < 16, the same additions in the same pairs. */
static inline __m512 reduce16x16(const __m512 v[16]) {
    __m512 w[8], x[4], y[2];
    /* w[j]: lanes 0-7 = s8 of row 2j, lanes 8-15 = s8 of row 2j+1 */
    for (int j = 0; j < 8; j++)
        w[j] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * j], v[2 * j + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_f32x4(v[2 * j], v[2 * j + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    /* x[j]: 128-bit lane q = s4 of row 4j + q (rows 4j, 4j+1 from w[2j], 4j+2, 4j+3 from w[2j+1]) */
    for (int j = 0; j < 4; j++)
        x[j] = _mm512_add_ps(_mm512_shuffle_f32x4(w[2 * j], w[2 * j + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_f32x4(w[2 * j], w[2 * j + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    /* y[j], 128-bit lane q: [s2 of row 8j+q (2 lanes) | s2 of row 8j+4+q (2 lanes)] */
    for (int j = 0; j < 2; j++)
        y[j] = _mm512_add_ps(_mm512_shuffle_ps(x[2 * j], x[2 * j + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_ps(x[2 * j], x[2 * j + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    /* z, 128-bit lane q: [row q, row 4+q, row 8+q, row 12+q] */
    const __m512 z = _mm512_add_ps(_mm512_shuffle_ps(y[0], y[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_ps(y[0], y[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512i order = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
    return _mm512_permutexvar_ps(order, z);
}

/* The 16 lanes of a dot (two FMA chains, added) before their sum. */
static inline __m512 dot_f32_lanes(int64_t n, const float *x, const float *y) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), a0);
    }
    return _mm512_add_ps(a0, a1);
}

/* The same with f16 x, widened exactly. */
static inline __m512 dot_f16_f32_lanes(int64_t n, const uint16_t *x, const float *y) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(load_h16(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(load_h16(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        a0 = _mm512_fmadd_ps(maskz_load_h16(m, x + i), _mm512_maskz_loadu_ps(m, y + i), a0);
    }
    return _mm512_add_ps(a0, a1);
}

static inline float dot_f32_body(int64_t n, const float *x, const float *y) { return reduce16(dot_f32_lanes(n, x, y)); }

static inline float dot_f16_f32_body(int64_t n, const uint16_t *x, const float *y) {
    return reduce16(dot_f16_f32_lanes(n, x, y));
}

#endif
