/* kernels/x86_avx2/q8_avx2.c - AVX2 kernels of the Q8_0 activation family: quantize_row_q8_0,
 * Q8_0 x Q8_0 and Q4_0 x Q8_0 dot/gemv (contracts: x86_avx2/avx2.h).
 *
 * Exactness: as the AVX-512 twin, every (row, block) integer sum is formed exactly and reduced to
 * one int32, then scaled with the reference's f32 operations in the reference's order, so results
 * equal kernels/ref bit for bit.
 *
 * Products use vpmaddubsw (unsigned x signed bytes -> saturating int16 pairs) then vpmaddwd:
 *  - Q8_0: |w| times sign(a, w) (pairs at most 2*128*127 = 32512, no saturation); needs a != -128,
 *    which Q8_0 quantization guarantees (codes in [-127, 127]); w = -128 is fine.
 *  - Q4_0: the unsigned codes (0..15) times a, minus 8*(a0 + a1) per pair, computed once per block
 *    for the 4 rows of a pass.
 */
#include <immintrin.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/x86_avx2/f16c.h"
#include "kernels/x86_avx2/avx2.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- quantize_row_q8_0 ------------------------------------------------------------------------ */

void quantize_row_q8_0_avx2(const float *x, void *y, int64_t n) {
    lf_block_q8_0 *b = y;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / LF_QK; i++, x += LF_QK) {
        __m256 v[4];
        for (int k = 0; k < 4; k++) v[k] = _mm256_loadu_ps(x + 8 * k);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        b[i].d = fp16_from_f32_f16c(d); /* = lf_f32_to_fp16(d), without its branches */
        const __m256 vid = _mm256_set1_ps(id);
        __m256i q[4];
        for (int k = 0; k < 4; k++) q[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[k], vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        /* int32 -> int8 with saturation; the packs work per 128-bit lane, the permute restores order */
        const __m256i q01 = _mm256_packs_epi32(q[0], q[1]), q23 = _mm256_packs_epi32(q[2], q[3]);
        const __m256i q8 = _mm256_packs_epi16(q01, q23);
        _mm256_storeu_si256((__m256i *)b[i].qs,
                            _mm256_permutevar8x32_epi32(q8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    }
}

/* ---- shared pieces of the 4-row passes -------------------------------------------------------- */

/* The 4 row sums of 4 ymm int32 accumulators. */
static inline __m128i reduce4_ymm(__m256i a0, __m256i a1, __m256i a2, __m256i a3) {
    const __m256i t0 = _mm256_add_epi32(_mm256_unpacklo_epi32(a0, a1), _mm256_unpackhi_epi32(a0, a1));
    const __m256i t1 = _mm256_add_epi32(_mm256_unpacklo_epi32(a2, a3), _mm256_unpackhi_epi32(a2, a3));
    const __m256i u = _mm256_add_epi32(_mm256_unpacklo_epi64(t0, t1), _mm256_unpackhi_epi64(t0, t1));
    return _mm_add_epi32(_mm256_castsi256_si128(u), _mm256_extracti128_si256(u, 1));
}

static inline int load_u16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return h;
}

/* f16 scale at byte offset `off` of 4 rows as 4 floats (word inserts, no store-forwarding stall). */
static inline __m128 scales_4x1(const uint8_t *const r[4], size_t off) {
    __m128i h = _mm_cvtsi32_si128(load_u16(r[0] + off));
    h = _mm_insert_epi16(h, load_u16(r[1] + off), 1);
    h = _mm_insert_epi16(h, load_u16(r[2] + off), 2);
    h = _mm_insert_epi16(h, load_u16(r[3] + off), 3);
    return _mm_cvtph_ps(h);
}

static inline void pass_rows(const uint8_t *w, size_t stride, int64_t r, int64_t nrows,
                             const uint8_t *out[4]) {
    for (int k = 0; k < 4; k++) out[k] = w + (size_t)(r + k < nrows ? r + k : nrows - 1) * stride;
}

static inline void store_rows(float *s, int64_t r, int64_t nrows, __m128 acc) {
    float t[4];
    _mm_storeu_ps(t, acc);
    for (int k = 0; k < 4 && r + k < nrows; k++) s[r + k] = t[k];
}

/* Full unrolling of the 4-row loops keeps the row sums in registers; software prefetch GEMV_PF bytes
 * ahead of each row (4 interleaved row streams defeat the hardware prefetcher, see
 * x86_avx512/q8_avx512.c; prefetches never fault). */
#define LF_UNROLL _Pragma("GCC unroll 4")
#ifndef GEMV_PF
#define GEMV_PF 8192
#endif

/* ---- Q8_0 x Q8_0 ------------------------------------------------------------------------------ */

static __m128 pass_q8_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q8_0);
    const __m256i ones = _mm256_set1_epi16(1);
    __m128 acc = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        LF_UNROLL
        for (int k = 0; k < 4; k++) _mm_prefetch((const char *)(row[k] + (size_t)b * bs + GEMV_PF), _MM_HINT_T0);
        const __m256i av = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256i s[4];
        LF_UNROLL
        for (int k = 0; k < 4; k++) {
            const __m256i wv = _mm256_loadu_si256((const __m256i *)(row[k] + (size_t)b * bs + 2));
            const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(av, wv));
            s[k] = _mm256_madd_epi16(p16, ones);
        }
        const __m128 f = _mm_cvtepi32_ps(reduce4_ymm(s[0], s[1], s[2], s[3]));
        const __m128 d = _mm_mul_ps(scales_4x1(row, (size_t)b * bs), _mm_set1_ps(_cvtsh_ss(a[b].d)));
        acc = _mm_add_ps(acc, _mm_mul_ps(f, d));
    }
    return acc;
}

void gemv_q8_0_q8_0_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        pass_rows(w, w_stride, r, nrows, row);
        store_rows(s, r, nrows, pass_q8_0(n / LF_QK, row, a));
    }
}

void dot_q8_0_q8_0_avx2(int64_t n, float *s, const void *w, const void *a) {
    gemv_q8_0_q8_0_avx2(n, 1, s, w, 0, a);
}

/* ---- Q4_0 x Q8_0 ------------------------------------------------------------------------------ */

static __m128 pass_q4_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q4_0);
    const __m256i ones = _mm256_set1_epi16(1), low4 = _mm256_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    __m128 acc = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        if (!(b & 1)) { /* one prefetch per row per 36 bytes */
            LF_UNROLL
            for (int k = 0; k < 4; k++) _mm_prefetch((const char *)(row[k] + (size_t)b * bs + GEMV_PF), _MM_HINT_T0);
        }
        const __m256i av = _mm256_loadu_si256((const __m256i *)a[b].qs);
        const __m256i a8 = _mm256_maddubs_epi16(eight, av); /* 8*(a0 + a1) per pair */
        __m256i s[4];
        LF_UNROLL
        for (int k = 0; k < 4; k++) {
            const __m128i q = _mm_loadu_si128((const __m128i *)(row[k] + (size_t)b * bs + 2));
            const __m256i nib = _mm256_and_si256(
                _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1), low4);
            const __m256i p16 = _mm256_sub_epi16(_mm256_maddubs_epi16(nib, av), a8);
            s[k] = _mm256_madd_epi16(p16, ones);
        }
        const __m128 f = _mm_cvtepi32_ps(reduce4_ymm(s[0], s[1], s[2], s[3]));
        const __m128 p = _mm_mul_ps(_mm_mul_ps(f, scales_4x1(row, (size_t)b * bs)),
                                    _mm_set1_ps(_cvtsh_ss(a[b].d)));
        acc = _mm_add_ps(acc, p);
    }
    return acc;
}

void gemv_q4_0_q8_0_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                         const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        pass_rows(w, w_stride, r, nrows, row);
        store_rows(s, r, nrows, pass_q4_0(n / LF_QK, row, a));
    }
}

void dot_q4_0_q8_0_avx2(int64_t n, float *s, const void *w, const void *a) {
    gemv_q4_0_q8_0_avx2(n, 1, s, w, 0, a);
}
