/* kernels/x86_avx512/q8_avx512.c - AVX-512 VNNI kernels of the Q8_0 activation family:
 * quantize_row_q8_0, Q8_0 x Q8_0 and Q4_0 x Q8_0 dot/gemv (contracts: x86_avx512/avx512.h).
 *
 * Exactness: every block's integer sum is formed exactly (vpdpbusd, no saturation), reduced to one
 * int32 per (row, block), converted to f32 (exact: |sum| < 2^24) and scaled with the reference's
 * operations in the reference's order: Q8_0 sum*(dw*da), Q4_0 (sum*dw)*da, accumulated per row in
 * block order. So results equal kernels/ref bit for bit.
 *
 * vpdpbusd multiplies unsigned by signed bytes. Q8_0 weights are made unsigned by adding 128
 * (xor 0x80) and the excess 128*sum(a) is removed by starting the accumulator at -128*sum(a);
 * Q4_0 codes (0..15) are already unsigned and the -8 offset is removed the same way with -8*sum(a).
 * The per-block sum(a) terms are shared by the 4 rows of a pass (PERF.md: one activation load for
 * 4 rows is what lets Q4_0 reach DRAM speed).
 * (The prefill gemms are in gemm_avx512.c.)
 *
 * Layout of a 2-block pass: the activation of blocks b, b+1 sits in one zmm; for Q4_0 it is
 * permuted to [b lo16 | b+1 lo16 | b hi16 | b+1 hi16] to match the nibbles as they come out of
 * [qs_b | qs_b+1] (low nibbles, then the same bytes shifted by 4).
 */
#include <immintrin.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/x86_avx2/f16c.h"
#include "kernels/x86_avx512/avx512.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Full unrolling of the 4-row and per-token loops keeps the per-row accumulators in registers (at
 * -O2, gcc otherwise keeps them in a stack array and reloads them for the reductions). */
#define LF_UNROLL _Pragma("GCC unroll 8")

/* Software prefetch distance of the gemvs, in bytes ahead of each of the 4 rows' read position. The
 * 4 interleaved row streams defeat the hardware prefetchers: from DRAM (256 MiB matrix, one thread,
 * best of 12, each against a read-sum of the same buffer in the same run) the Q4_0 gemv reached 0.43
 * of the read-sum bandwidth without prefetch, 0.72 at 2 KiB, 0.80-0.87 at 4 KiB; Q8_0 0.52 -> 0.9-0.98
 * with rows of 1024. Long rows need more: with rows of 4608 (ffn_down) 4 KiB ahead lands about 1.5 KiB
 * into the next row, and the Q4_0 gemv fell to 8.6 GB/s against 12.3 at 8 KiB (rows of 1024: 12.2 at
 * 4 KiB, 12.5 at 8 KiB; 12-16 KiB no better). In cache it costs nothing measurable. Prefetches never
 * fault, so reaching past the matrix is harmless. */
#define GEMV_PF 8192

/* ---- quantize_row_q8_0 ------------------------------------------------------------------------ */

void quantize_row_q8_0_avx512(const float *x, void *y, int64_t n) {
    lf_block_q8_0 *b = y;
    for (int64_t i = 0; i < n / LF_QK; i++, x += LF_QK) {
        const __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        b[i].d = fp16_from_f32_f16c(d); /* = lf_f32_to_fp16(d), without its branches */
        const __m512 vid = _mm512_set1_ps(id);
        const __m512i q0 = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v0, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        const __m512i q1 = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v1, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        _mm_storeu_si128((__m128i *)b[i].qs, _mm512_cvtsepi32_epi8(q0));
        _mm_storeu_si128((__m128i *)(b[i].qs + 16), _mm512_cvtsepi32_epi8(q1));
    }
}

/* [x | y] from two 32-byte loads: the upper half is a merge-masked broadcast from memory (load port plus
 * a blend), not an insert (a shuffle-port uop; that port is the bottleneck of these kernels). */
static inline __m512i load_2x256(const void *x, const void *y) {
    return _mm512_mask_broadcast_i64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)x)), (__mmask8)0xF0,
                                       _mm256_loadu_si256((const __m256i *)y));
}

/* ---- shared pieces of the 4-row passes -------------------------------------------------------- */

/* Sums of 4 zmm accumulators per 128-bit lane: lane k of the result holds, for rows 0..3, the sum
 * of that row's 4 int32 in lane k. */
static inline __m512i reduce4_lanes(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
    const __m512i t0 = _mm512_add_epi32(_mm512_unpacklo_epi32(a0, a1), _mm512_unpackhi_epi32(a0, a1));
    const __m512i t1 = _mm512_add_epi32(_mm512_unpacklo_epi32(a2, a3), _mm512_unpackhi_epi32(a2, a3));
    return _mm512_add_epi32(_mm512_unpacklo_epi64(t0, t1), _mm512_unpackhi_epi64(t0, t1));
}

/* Same for 4 ymm accumulators (one block): the 4 row sums. */
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

/* f16 scale at byte offset `off` of 4 rows, for 2 consecutive blocks (second at off + bsz), as
 * 8 floats [r0..r3 of block b | r0..r3 of block b+1]. The halves are packed in general registers and
 * moved over as two quadwords: word inserts would cost 8 shuffle-port uops (the port the reductions
 * need), and storing the halves to memory to reload them as a vector would stall on store forwarding. */
static inline __m256 scales_4x2(const uint8_t *const r[4], size_t off, size_t bsz) {
    const uint64_t lo = (uint64_t)load_u16(r[0] + off) | (uint64_t)load_u16(r[1] + off) << 16 |
                        (uint64_t)load_u16(r[2] + off) << 32 | (uint64_t)load_u16(r[3] + off) << 48;
    const uint64_t hi = (uint64_t)load_u16(r[0] + off + bsz) | (uint64_t)load_u16(r[1] + off + bsz) << 16 |
                        (uint64_t)load_u16(r[2] + off + bsz) << 32 | (uint64_t)load_u16(r[3] + off + bsz) << 48;
    return _mm256_cvtph_ps(_mm_unpacklo_epi64(_mm_cvtsi64_si128((long long)lo), _mm_cvtsi64_si128((long long)hi)));
}

static inline __m128 scales_4x1(const uint8_t *const r[4], size_t off) {
    __m128i h = _mm_cvtsi32_si128(load_u16(r[0] + off));
    h = _mm_insert_epi16(h, load_u16(r[1] + off), 1);
    h = _mm_insert_epi16(h, load_u16(r[2] + off), 2);
    h = _mm_insert_epi16(h, load_u16(r[3] + off), 3);
    return _mm_cvtph_ps(h);
}

/* f16 -> f32 with F16C: the same value as lf_fp16_to_f32 for every input. */
static inline float act_scale(const lf_block_q8_0 *a) {
    return _cvtsh_ss(a->d);
}

/* Row pointers of a pass; rows past nrows repeat the last row (computed, never stored). */
static inline void pass_rows(const uint8_t *w, size_t stride, int64_t r, int64_t nrows,
                             const uint8_t *out[4]) {
    LF_UNROLL
    for (int k = 0; k < 4; k++) out[k] = w + (size_t)(r + k < nrows ? r + k : nrows - 1) * stride;
}

static inline void store_rows(float *s, int64_t r, int64_t nrows, __m128 acc) {
    float t[4];
    _mm_storeu_ps(t, acc);
    for (int k = 0; k < 4 && r + k < nrows; k++) s[r + k] = t[k];
}

/* ---- Q8_0 x Q8_0 ------------------------------------------------------------------------------ */

static __m128 pass_q8_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q8_0);
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    __m128 acc = _mm_setzero_ps();
    int64_t b = 0;
    for (; b + 1 < nb; b += 2) {
        LF_UNROLL
        for (int k = 0; k < 4; k++) _mm_prefetch((const char *)(row[k] + (size_t)b * sizeof(lf_block_q8_0) + GEMV_PF), _MM_HINT_T0);
        const __m512i av = load_2x256(a[b].qs, a[b + 1].qs);
        const __m512i init = _mm512_sub_epi32(_mm512_setzero_si512(),
                                              _mm512_dpbusd_epi32(_mm512_setzero_si512(), bias, av));
        __m512i s[4];
        LF_UNROLL
        for (int k = 0; k < 4; k++) {
            const uint8_t *p = row[k] + (size_t)b * bs + 2;
            const __m512i wv = load_2x256(p, p + bs);
            s[k] = _mm512_dpbusd_epi32(init, _mm512_xor_si512(wv, bias), av);
        }
        /* 128-bit lanes 0,1 hold block b, lanes 2,3 block b+1 */
        const __m512i u = reduce4_lanes(s[0], s[1], s[2], s[3]);
        const __m512i pairs = _mm512_add_epi32(_mm512_shuffle_i64x2(u, u, _MM_SHUFFLE(2, 0, 2, 0)),
                                               _mm512_shuffle_i64x2(u, u, _MM_SHUFFLE(3, 1, 3, 1)));
        const __m256 f = _mm256_cvtepi32_ps(_mm512_castsi512_si256(pairs));
        const __m256 da = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_set1_ps(act_scale(&a[b]))),
                                               _mm_set1_ps(act_scale(&a[b + 1])), 1);
        const __m256 p = _mm256_mul_ps(f, _mm256_mul_ps(scales_4x2(row, (size_t)b * bs, bs), da));
        acc = _mm_add_ps(acc, _mm256_castps256_ps128(p));
        acc = _mm_add_ps(acc, _mm256_extractf128_ps(p, 1));
    }
    if (b < nb) {
        const __m256i av = _mm256_loadu_si256((const __m256i *)a[b].qs);
        const __m256i bias8 = _mm256_set1_epi8((char)0x80);
        const __m256i init = _mm256_sub_epi32(_mm256_setzero_si256(),
                                              _mm256_dpbusd_epi32(_mm256_setzero_si256(), bias8, av));
        __m256i s[4];
        LF_UNROLL
        for (int k = 0; k < 4; k++) {
            const __m256i wv = _mm256_loadu_si256((const __m256i *)(row[k] + (size_t)b * bs + 2));
            s[k] = _mm256_dpbusd_epi32(init, _mm256_xor_si256(wv, bias8), av);
        }
        const __m128 f = _mm_cvtepi32_ps(reduce4_ymm(s[0], s[1], s[2], s[3]));
        const __m128 d = _mm_mul_ps(scales_4x1(row, (size_t)b * bs), _mm_set1_ps(act_scale(&a[b])));
        acc = _mm_add_ps(acc, _mm_mul_ps(f, d));
    }
    return acc;
}

void gemv_q8_0_q8_0_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        pass_rows(w, w_stride, r, nrows, row);
        store_rows(s, r, nrows, pass_q8_0(n / LF_QK, row, a));
    }
}

void dot_q8_0_q8_0_avx512(int64_t n, float *s, const void *w, const void *a) {
    gemv_q8_0_q8_0_avx512(n, 1, s, w, 0, a);
}

/* ---- Q4_0 x Q8_0 ------------------------------------------------------------------------------ */

/* The codes of blocks b (at p) and b+1 (at p + bs) as [b lo | b+1 lo | b hi | b+1 hi] nibble bytes:
 * two 16-byte broadcasts from memory (load-port only) merged as [qs_b | qs_b+1 | qs_b | qs_b+1], the
 * upper half shifted by 4, masked to 4 bits. */
static inline __m512i q4_nibbles(const uint8_t *p, size_t bs, __m512i shift, __m512i low4) {
    const __m512i q = _mm512_mask_broadcast_i32x4(_mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)p)),
                                                  (__mmask16)0xF0F0, _mm_loadu_si128((const __m128i *)(p + bs)));
    return _mm512_and_si512(_mm512_srlv_epi64(q, shift), low4);
}

static __m128 pass_q4_0(int64_t nb, const uint8_t *const row[4], const lf_block_q8_0 *a) {
    const size_t bs = sizeof(lf_block_q4_0);
    const __m512i eight = _mm512_set1_epi8(8), low4 = _mm512_set1_epi8(0x0F);
    const __m512i shift = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    __m128 acc = _mm_setzero_ps();
    int64_t b = 0;
    for (; b + 1 < nb; b += 2) {
        LF_UNROLL
        for (int k = 0; k < 4; k++) _mm_prefetch((const char *)(row[k] + (size_t)b * sizeof(lf_block_q4_0) + GEMV_PF), _MM_HINT_T0);
        const __m512i a2 = load_2x256(a[b].qs, a[b + 1].qs);
        /* [b lo | b hi | b+1 lo | b+1 hi] -> [b lo | b+1 lo | b hi | b+1 hi] */
        const __m512i av = _mm512_shuffle_i64x2(a2, a2, _MM_SHUFFLE(3, 1, 2, 0));
        const __m512i init = _mm512_sub_epi32(_mm512_setzero_si512(),
                                              _mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, av));
        __m512i s[4];
        LF_UNROLL
        for (int k = 0; k < 4; k++) {
            const __m512i nib = q4_nibbles(row[k] + (size_t)b * bs + 2, bs, shift, low4);
            s[k] = _mm512_dpbusd_epi32(init, nib, av);
        }
        /* 128-bit lanes: 0 = b lo, 1 = b+1 lo, 2 = b hi, 3 = b+1 hi */
        const __m512i u = reduce4_lanes(s[0], s[1], s[2], s[3]);
        const __m256i pairs = _mm256_add_epi32(_mm512_castsi512_si256(u), _mm512_extracti64x4_epi64(u, 1));
        const __m256 f = _mm256_cvtepi32_ps(pairs);
        const __m256 da = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_set1_ps(act_scale(&a[b]))),
                                               _mm_set1_ps(act_scale(&a[b + 1])), 1);
        const __m256 p = _mm256_mul_ps(_mm256_mul_ps(f, scales_4x2(row, (size_t)b * bs, bs)), da);
        acc = _mm_add_ps(acc, _mm256_castps256_ps128(p));
        acc = _mm_add_ps(acc, _mm256_extractf128_ps(p, 1));
    }
    if (b < nb) {
        const __m256i av = _mm256_loadu_si256((const __m256i *)a[b].qs);
        const __m256i init = _mm256_sub_epi32(
            _mm256_setzero_si256(), _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(8), av));
        __m256i s[4];
        LF_UNROLL
        for (int k = 0; k < 4; k++) {
            const __m128i q = _mm_loadu_si128((const __m128i *)(row[k] + (size_t)b * bs + 2));
            const __m256i nib = _mm256_and_si256(
                _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1),
                _mm256_set1_epi8(0x0F));
            s[k] = _mm256_dpbusd_epi32(init, nib, av);
        }
        const __m128 f = _mm_cvtepi32_ps(reduce4_ymm(s[0], s[1], s[2], s[3]));
        const __m128 p = _mm_mul_ps(_mm_mul_ps(f, scales_4x1(row, (size_t)b * bs)),
                                    _mm_set1_ps(act_scale(&a[b])));
        acc = _mm_add_ps(acc, p);
    }
    return acc;
}

void gemv_q4_0_q8_0_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a) {
    const uint8_t *row[4];
    for (int64_t r = 0; r < nrows; r += 4) {
        pass_rows(w, w_stride, r, nrows, row);
        store_rows(s, r, nrows, pass_q4_0(n / LF_QK, row, a));
    }
}

void dot_q4_0_q8_0_avx512(int64_t n, float *s, const void *w, const void *a) {
    gemv_q4_0_q8_0_avx512(n, 1, s, w, 0, a);
}
