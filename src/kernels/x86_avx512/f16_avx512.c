/* kernels/x86_avx512/f16_avx512.c - AVX-512 F16 kernels (contracts: x86_avx512/avx512.h): f32 -> f16
 * conversion, F16 x F16 dot, 4-row gemv and the prefill gemm.
 *
 * Halves are widened with F16C; products (exact in f32) are accumulated with FMA in f32 lanes, as
 * ggml's own SIMD path does, then reduced at the end. Tails (n not a multiple of the step) use masked
 * loads, so any n >= 0 works and nothing is read past the rows.
 *
 * gemv and gemm: the shared body x86_avx512/gemm_float_avx512.h (gemm: tokens widened once per K block
 * into L1, weights widened in the inner loop; gemv: 8 rows per pass with software prefetch; per output
 * both perform the same operations in the same order, so they are bit-identical).
 * from_f32: vcvtps2ph rounds to nearest even like lf_f32_to_fp16, which only differs for NaN (the
 * hardware keeps payload bits): NaN lanes are replaced by sign | 0x7e00, so the result is bit-identical
 * to quantize_row_f16_ref for every input.
 */
#include <immintrin.h>

#include "kernels/x86_avx512/avx512.h"

static inline __m512 load_h16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

static inline __m512 load_h16_masked(const uint16_t *p, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

static inline __mmask16 mask16(int64_t left) {
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

void quantize_row_f16_avx512(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = mask16(n - i);
        const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        const __m256i c = _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        const __m256i qnan = _mm512_cvtepi32_epi16(
            _mm512_or_si512(_mm512_srli_epi32(_mm512_and_si512(_mm512_castps_si512(v), sign), 16),
                            _mm512_set1_epi32(0x7e00)));
        _mm256_mask_storeu_epi16(h + i, m, _mm256_mask_blend_epi16(nan, c, qnan));
    }
}

/* ---- gemv, gemm ---- */

static inline void f16_load32(const uint16_t *p, __m512 *lo, __m512 *hi) {
    *lo = load_h16(p);
    *hi = load_h16(p + 16);
}

static inline void f16_load32_tail(const uint16_t *p, int m, __m512 *lo, __m512 *hi) {
    *lo = load_h16_masked(p, mask16(m));
    *hi = load_h16_masked(p + 16, mask16(m - 16 > 0 ? m - 16 : 0));
}

#define FG_NAME gemm_f16_f16_avx512
#define FG_GEMV gemv_f16_f16_avx512
#define FG_LOAD32 f16_load32
#define FG_LOAD32_TAIL f16_load32_tail
#include "kernels/x86_avx512/gemm_float_avx512.h"

void dot_f16_f16_avx512(int64_t n, float *s, const void *w, const void *a) {
    gemv_f16_f16_avx512(n, 1, s, w, 0, a);
}
