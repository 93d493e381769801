/* kernels/x86_avx512/vec_body.h - the AVX-512 dot product bodies, shared (inlined) by the single-row
 * entries (vec_avx512.c) and the attention-row entries (attn_avx512.c), so both compute every dot with
 * the same instruction sequence: bit-identical results, which the vec contract requires. */
#ifndef LF_KERNELS_X86_AVX512_VEC_BODY_H
#define LF_KERNELS_X86_AVX512_VEC_BODY_H

#include <immintrin.h>
#include <stdint.h>

static inline __mmask16 tail_mask(int64_t left) { return (__mmask16)(left >= 16 ? 0xffff : (1u << left) - 1u); }

static inline __m512 load_h16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }

static inline __m512 maskz_load_h16(__mmask16 m, const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

static inline float dot_f32_body(int64_t n, const float *x, const float *y) {
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
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

static inline float dot_f16_f32_body(int64_t n, const uint16_t *x, const float *y) {
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
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

#endif
