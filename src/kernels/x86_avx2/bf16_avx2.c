/* kernels/x86_avx2/bf16_avx2.c - AVX2 BF16 kernels (contracts: x86_avx2/avx2.h): f32 -> bf16
 * conversion, BF16 x BF16 dot, 4-row gemv and the prefill gemm.
 *
 * A bf16 is the high half of an f32, so 16 bf16 in a ymm give two exact f32 vectors with one
 * instruction each: x << 16 (even elements) and x & 0xffff0000 (odd elements), no shuffle. Weights and
 * activations are split alike, so lane products pair up; FMA in f32 lanes. Tails go through a zeroed
 * stack copy (AVX2 has no 16-bit masked load). The gemm is the shared body x86_avx2/gemm_float_avx2.h.
 * quantize_row_bf16_avx2 computes ggml's rounding (lf_f32_to_bf16: + 0x7fff + lsb, NaN -> quiet) in
 * integer lanes, bit-identical to the reference for every input.
 */
#include <immintrin.h>
#include <string.h>

#include "kernels/x86_avx2/avx2.h"

static inline __m128i bf16_from_8(__m256i u) {
    const __m256i abs = _mm256_and_si256(u, _mm256_set1_epi32(0x7fffffff));
    const __m256i nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7f800000));
    const __m256i hi = _mm256_srli_epi32(u, 16);
    const __m256i lsb = _mm256_and_si256(hi, _mm256_set1_epi32(1));
    const __m256i r = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb)), 16);
    const __m256i v = _mm256_blendv_epi8(r, _mm256_or_si256(hi, _mm256_set1_epi32(64)), nan);
    return _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

void quantize_row_bf16_avx2(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(h + i), bf16_from_8(_mm256_loadu_si256((const __m256i *)(x + i))));
    if (i < n) {
        float in[8] = {0};
        uint16_t outb[8];
        memcpy(in, x + i, (size_t)(n - i) * sizeof(float));
        _mm_storeu_si128((__m128i *)outb, bf16_from_8(_mm256_loadu_si256((const __m256i *)in)));
        memcpy(h + i, outb, (size_t)(n - i) * sizeof(uint16_t));
    }
}

static inline void bf16_split(__m256i x, __m256 *lo, __m256 *hi) {
    *lo = _mm256_castsi256_ps(_mm256_slli_epi32(x, 16));
    *hi = _mm256_castsi256_ps(_mm256_and_si256(x, _mm256_set1_epi32((int)0xffff0000u)));
}

static inline void bf16_load16(const uint16_t *p, __m256 *lo, __m256 *hi) {
    bf16_split(_mm256_loadu_si256((const __m256i *)p), lo, hi);
}

static inline void bf16_load16_tail(const uint16_t *p, int m, __m256 *lo, __m256 *hi) {
    uint16_t buf[16] = {0};
    memcpy(buf, p, (size_t)m * sizeof(uint16_t));
    bf16_load16(buf, lo, hi);
}


#define FG_NAME gemm_bf16_bf16_avx2
#define FG_GEMV gemv_bf16_bf16_avx2
#define FG_LOAD16 bf16_load16
#define FG_LOAD16_TAIL bf16_load16_tail
#include "kernels/x86_avx2/gemm_float_avx2.h"

void dot_bf16_bf16_avx2(int64_t n, float *s, const void *w, const void *a) {
    gemv_bf16_bf16_avx2(n, 1, s, w, 0, a);
}
