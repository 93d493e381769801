/* kernels/x86_avx2/f16_avx2.c - AVX2 F16 kernels (contracts: x86_avx2/avx2.h): f32 -> f16 conversion,
 * F16 x F16 dot, 4-row gemv and the prefill gemm.
 *
 * Halves are widened with F16C; products (exact in f32) are accumulated with FMA in f32 lanes, as
 * ggml's own SIMD path does. gemv and gemm are the shared body x86_avx2/gemm_float_avx2.h: per output
 * the same operations in the same order, so gemv, dot and gemm are bit-identical; tails (n not a
 * multiple of 16) go through a zeroed stack copy.
 * from_f32: vcvtps2ph rounds to nearest even like lf_f32_to_fp16, which only differs for NaN (the
 * hardware keeps payload bits): NaN lanes become sign | 0x7e00, bit-identical to the reference.
 */
#include <immintrin.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/x86_avx2/avx2.h"

static inline __m256 load_h8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

static inline __m128i pack_u32_u16(__m256i v) { /* values 0..65535 */
    return _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

static inline __m128i f16_from_8(__m256 v) {
    const __m128i c = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256i nan32 = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    const __m128i nan = _mm_packs_epi32(_mm256_castsi256_si128(nan32), _mm256_extracti128_si256(nan32, 1));
    const __m256i sign = _mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32((int)0x80000000u));
    const __m128i qnan = pack_u32_u16(_mm256_or_si256(_mm256_srli_epi32(sign, 16), _mm256_set1_epi32(0x7e00)));
    return _mm_blendv_epi8(c, qnan, nan);
}

void quantize_row_f16_avx2(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm_storeu_si128((__m128i *)(h + i), f16_from_8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float in[8] = {0};
        uint16_t outb[8];
        memcpy(in, x + i, (size_t)(n - i) * sizeof(float));
        _mm_storeu_si128((__m128i *)outb, f16_from_8(_mm256_loadu_ps(in)));
        memcpy(h + i, outb, (size_t)(n - i) * sizeof(uint16_t));
    }
}


/* ---- gemm ---- */

static inline void f16_load16(const uint16_t *p, __m256 *lo, __m256 *hi) {
    *lo = load_h8(p);
    *hi = load_h8(p + 8);
}

/* the first m < 16 halves, the rest +0 (AVX2 has no 16-bit masked load: a zeroed stack copy) */
static inline void f16_load16_tail(const uint16_t *p, int m, __m256 *lo, __m256 *hi) {
    uint16_t buf[16] = {0};
    memcpy(buf, p, (size_t)m * sizeof(uint16_t));
    f16_load16(buf, lo, hi);
}

#define FG_NAME gemm_f16_f16_avx2
#define FG_GEMV gemv_f16_f16_avx2
#define FG_LOAD16 f16_load16
#define FG_LOAD16_TAIL f16_load16_tail
#include "kernels/x86_avx2/gemm_float_avx2.h"

void dot_f16_f16_avx2(int64_t n, float *s, const void *w, const void *a) {
    gemv_f16_f16_avx2(n, 1, s, w, 0, a);
}
