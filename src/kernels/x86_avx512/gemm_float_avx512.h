/* kernels/x86_avx512/gemm_float_avx512.h - the shared body of the AVX-512 prefill gemms for 16-bit float
 * weights (F16 x F16 in f16_avx512.c, BF16 x BF16 without AVX512_BF16 in bf16_avx512.c). Private to
 * x86_avx512/; the includer defines, then includes this file:
 *   FG_NAME                  the lf_gemm_fn to define
 *   FG_GEMV                  the lf_gemv_fn to define
 *   FG_LOAD32(p, lo, hi)     32 elements at p (uint16_t *) widened to two __m512 of f32 (exactly),
 *                            in any fixed lane order, as long as it is the same for weights and tokens
 *   FG_LOAD32_TAIL(p, m, lo, hi)  the same for the first m < 32 elements, the others read as +0
 *
 * Design (measured in bench/kernel_bench.c against a llama.cpp-style tile that widens both sides in the
 * inner loop): per 16-row chunk, per tile of FG_RN tokens, per K block of FG_KB elements, the tokens'
 * block is widened once into an L1 buffer of f32; then each FG_RM-row tile widens its weights in the
 * inner loop and multiplies them by the buffered tokens with FMA, FG_RM x FG_RN accumulators in zmm
 * (16 f32 lanes each, as the gemv: each lane sums n/16 exact products in order). Across K blocks the
 * accumulators wait in a small stack array; after the last block four of them at a time are reduced
 * by a transposing tree (reduce4) and stored. Per output the result differs from the double-summing
 * reference only by the f32 rounding of the lane sums and of the 4-level reduction.
 * Tile choice (one thread, 16 rows x 64 tokens per call as ops/matmul passes, best of interleaved runs
 * on a shared Emerald Rapids VM): 2 x 12 with 256-element blocks 54-56 GMAC/s at K = 1024 and 55 at
 * K = 4608; 4 x 6, 3 x 8, 2 x 8 and 512/1024-element blocks 47-55 (and worse at K = 4608); the
 * llama.cpp-style 4 x 6 tile without blocks 43 and 28. Its inner loop per 32 elements: 4 widening
 * conversions + 24 loads for 48 FMA.
 *
 * The gemv (decode) performs, per output, exactly the gemm's operations in the gemm's order (one
 * accumulator per row, 32 elements per step as lo then hi, the same tail, the same reduce4 tree), so
 * gemm, gemv and dot are bit-identical to each other: prefill and decode compute the same numbers.
 * It takes 8 rows per pass (8 independent FMA chains) and prefetches FG_PF bytes ahead in each row
 * (interleaved row streams defeat the hardware prefetcher, see q8_avx512.c).
 */
#ifndef LF_GEMM_FLOAT_AVX512_UTIL
#define LF_GEMM_FLOAT_AVX512_UTIL

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#ifndef FG_RM     /* (overridable for tuning builds only) */
#define FG_RM 2   /* weight rows per register tile */
#define FG_RN 12  /* tokens per register tile */
#define FG_KB 256 /* K elements per block: FG_RN x 1 KiB of widened tokens */
#endif
#if FG_RN < 4 || FG_RN > 12
#error "FG_RN: 4..12"
#endif
#define FG_NT ((16 + FG_RM - 1) / FG_RM) /* row tiles per chunk: 16 rows or a little more */
#define FG_CH (FG_RM * FG_NT)

#define FG_UNROLL _Pragma("GCC unroll 16")
#ifndef FG_PF
#define FG_PF 16384 /* gemv software prefetch distance, bytes: LFM2-350M F16 2-thread decode 32.4 -> 38.6 tok/s
                     * against 4096 (rows of 1024 f16 are 2 KiB: 4 KiB ahead was mostly rows this pass reads) */
#endif

/* [sum(a), sum(b), sum(c), sum(d)] */
static inline __m128 fg_reduce4(__m512 a, __m512 b, __m512 c, __m512 d) {
    /* 256-bit halves: [a0+a2, a1+a3, b0+b2, b1+b3] in 128-bit chunks */
    const __m512 ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
    const __m512 cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44), _mm512_shuffle_f32x4(c, d, 0xEE));
    /* chunks [a, b, c, d], 4 partial sums each */
    const __m512 q = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD));
    /* in-chunk: pairs, then halves; every lane of a chunk ends with the chunk's sum */
    const __m512 p = _mm512_add_ps(q, _mm512_permute_ps(q, 0xB1));
    const __m512 r = _mm512_add_ps(p, _mm512_permute_ps(p, 0x4E));
    return _mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), r));
}

/* The gemv driver: 8-row passes, then 4, then single rows, each through ROWS(rr, n, row, a, out) (an
 * always-inline rows function of the kind at hand). Expects n, nrows, s, w, w_stride, a in scope. */
#define FG_GEMV_DRIVE(ROWS)                                                                          \
    do {                                                                                             \
        const uint8_t *wb_ = w;                                                                      \
        const uint16_t *row_[8];                                                                     \
        float out_[8];                                                                               \
        int64_t r_ = 0;                                                                              \
        for (; r_ + 8 <= nrows; r_ += 8) {                                                           \
            for (int m = 0; m < 8; m++) row_[m] = (const uint16_t *)(wb_ + (size_t)(r_ + m) * w_stride); \
            ROWS(8, n, row_, a, out_);                                                               \
            for (int m = 0; m < 8; m++) s[r_ + m] = out_[m];                                         \
        }                                                                                            \
        for (; r_ + 4 <= nrows; r_ += 4) {                                                           \
            for (int m = 0; m < 4; m++) row_[m] = (const uint16_t *)(wb_ + (size_t)(r_ + m) * w_stride); \
            ROWS(4, n, row_, a, out_);                                                               \
            for (int m = 0; m < 4; m++) s[r_ + m] = out_[m];                                         \
        }                                                                                            \
        for (; r_ < nrows; r_++) {                                                                   \
            row_[0] = (const uint16_t *)(wb_ + (size_t)r_ * w_stride);                               \
            ROWS(1, n, row_, a, out_);                                                               \
            s[r_] = out_[0];                                                                         \
        }                                                                                            \
    } while (0)

#endif /* LF_GEMM_FLOAT_AVX512_UTIL */

#define FG_CAT_(a, b) a##b
#define FG_CAT(a, b) FG_CAT_(a, b)
#define FG_TILE FG_CAT(FG_NAME, _tile)
#define FG_GROWS FG_CAT(FG_GEMV, _rows)

/* One FG_RM x rn register tile over kb (<= FG_KB) elements of a K block: row[m] points at the block's
 * first weight of row m, abuf holds the block's widened tokens. first: start from 0, else from sp;
 * last: reduce into out[t * FG_RM + m], else park the accumulators in sp. */
static inline __attribute__((always_inline)) void FG_TILE(const int rn, int64_t kb, const uint16_t *const *row,
                                                          const float (*abuf)[FG_KB], __m512 *sp, int first,
                                                          int last, float *out) {
    __m512 acc[FG_RM][FG_RN];
    FG_UNROLL
    for (int m = 0; m < FG_RM; m++) {
        FG_UNROLL
        for (int t = 0; t < rn; t++) acc[m][t] = first ? _mm512_setzero_ps() : sp[m * FG_RN + t];
    }
    int64_t i = 0;
    for (; i + 32 <= kb; i += 32) {
        __m512 w0[FG_RM], w1[FG_RM];
        FG_UNROLL
        for (int m = 0; m < FG_RM; m++) FG_LOAD32(row[m] + i, &w0[m], &w1[m]);
        FG_UNROLL
        for (int t = 0; t < rn; t++) {
            const __m512 a0 = _mm512_load_ps(abuf[t] + i), a1 = _mm512_load_ps(abuf[t] + i + 16);
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) {
                acc[m][t] = _mm512_fmadd_ps(w0[m], a0, acc[m][t]);
                acc[m][t] = _mm512_fmadd_ps(w1[m], a1, acc[m][t]);
            }
        }
    }
    if (i < kb) {
        __m512 w0[FG_RM], w1[FG_RM];
        FG_UNROLL
        for (int m = 0; m < FG_RM; m++) FG_LOAD32_TAIL(row[m] + i, (int)(kb - i), &w0[m], &w1[m]);
        FG_UNROLL
        for (int t = 0; t < rn; t++) {
            const __m512 a0 = _mm512_load_ps(abuf[t] + i), a1 = _mm512_load_ps(abuf[t] + i + 16);
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) {
                acc[m][t] = _mm512_fmadd_ps(w0[m], a0, acc[m][t]);
                acc[m][t] = _mm512_fmadd_ps(w1[m], a1, acc[m][t]);
            }
        }
    }
    if (!last) {
        FG_UNROLL
        for (int m = 0; m < FG_RM; m++) {
            FG_UNROLL
            for (int t = 0; t < rn; t++) sp[m * FG_RN + t] = acc[m][t];
        }
        return;
    }
    /* outputs in token-major order, four per reduction */
    FG_UNROLL
    for (int j = 0; j < rn * FG_RM; j += 4) {
        const __m512 z = _mm512_setzero_ps();
        const __m512 v0 = acc[j % FG_RM][j / FG_RM];
        const __m512 v1 = j + 1 < rn * FG_RM ? acc[(j + 1) % FG_RM][(j + 1) / FG_RM] : z;
        const __m512 v2 = j + 2 < rn * FG_RM ? acc[(j + 2) % FG_RM][(j + 2) / FG_RM] : z;
        const __m512 v3 = j + 3 < rn * FG_RM ? acc[(j + 3) % FG_RM][(j + 3) / FG_RM] : z;
        _mm_storeu_ps(out + j, fg_reduce4(v0, v1, v2, v3));
    }
}

void FG_NAME(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w, size_t w_stride,
             const void *a, size_t a_stride) {
    _Alignas(64) float abuf[FG_RN][FG_KB];
    __m512 spill[FG_NT][FG_RM * FG_RN];
    float out[FG_RM * FG_RN + 4];
    const uint8_t *wb = w, *ab = a;
    for (int64_t r0 = 0; r0 < nrows; r0 += FG_CH) {
        const int64_t nrc = nrows - r0 < FG_CH ? nrows - r0 : FG_CH;
        for (int64_t t0 = 0; t0 < ntok; t0 += FG_RN) {
            const int rn = ntok - t0 < FG_RN ? (int)(ntok - t0) : FG_RN;
            for (int64_t k0 = 0; k0 < n; k0 += FG_KB) {
                const int64_t kb = n - k0 < FG_KB ? n - k0 : FG_KB;
                for (int t = 0; t < rn; t++) {
                    const uint16_t *ap = (const uint16_t *)(ab + (size_t)(t0 + t) * a_stride) + k0;
                    int64_t i = 0;
                    __m512 lo, hi;
                    for (; i + 32 <= kb; i += 32) {
                        FG_LOAD32(ap + i, &lo, &hi);
                        _mm512_store_ps(abuf[t] + i, lo);
                        _mm512_store_ps(abuf[t] + i + 16, hi);
                    }
                    if (i < kb) {
                        FG_LOAD32_TAIL(ap + i, (int)(kb - i), &lo, &hi);
                        _mm512_store_ps(abuf[t] + i, lo);
                        _mm512_store_ps(abuf[t] + i + 16, hi);
                    }
                }
                const int first = k0 == 0, last = k0 + kb >= n;
                for (int rt = 0; rt * FG_RM < nrc; rt++) {
                    const uint16_t *row[FG_RM];
                    for (int m = 0; m < FG_RM; m++) {
                        const int64_t rr = rt * FG_RM + m < nrc ? rt * FG_RM + m : nrc - 1; /* computed, not stored */
                        row[m] = (const uint16_t *)(wb + (size_t)(r0 + rr) * w_stride) + k0;
                    }
                    switch (rn) {
#define FG_CASE(R) \
    case R: FG_TILE(R, kb, row, (const float(*)[FG_KB])abuf, spill[rt], first, last, out); break;
                        FG_CASE(1) FG_CASE(2) FG_CASE(3) FG_CASE(4)
#if FG_RN >= 5
                        FG_CASE(5)
#endif
#if FG_RN >= 6
                        FG_CASE(6)
#endif
#if FG_RN >= 7
                        FG_CASE(7)
#endif
#if FG_RN >= 8
                        FG_CASE(8)
#endif
#if FG_RN >= 9
                        FG_CASE(9)
#endif
#if FG_RN >= 10
                        FG_CASE(10)
#endif
#if FG_RN >= 11
                        FG_CASE(11)
#endif
#if FG_RN >= 12
                        FG_CASE(12)
#endif
#undef FG_CASE
                    default: break;
                    }
                    if (!last) continue;
                    for (int t = 0; t < rn; t++)
                        for (int m = 0; m < FG_RM && rt * FG_RM + m < nrc; m++)
                            s[(size_t)(t0 + t) * s_stride + (size_t)(r0 + rt * FG_RM + m)] = out[t * FG_RM + m];
                }
            }
        }
    }
}

/* rr rows (row[m]) against one token x: out[m] for m < rr, as the gemm computes them. */
static inline __attribute__((always_inline)) void FG_GROWS(const int rr, int64_t n, const uint16_t *const *row,
                                                           const uint16_t *x, float *out) {
    __m512 acc[8];
    FG_UNROLL
    for (int m = 0; m < rr; m++) acc[m] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        FG_UNROLL
        for (int m = 0; m < rr; m++) _mm_prefetch((const char *)(row[m] + i) + FG_PF, _MM_HINT_T0);
        __m512 a0, a1;
        FG_LOAD32(x + i, &a0, &a1);
        FG_UNROLL
        for (int m = 0; m < rr; m++) {
            __m512 w0, w1;
            FG_LOAD32(row[m] + i, &w0, &w1);
            acc[m] = _mm512_fmadd_ps(w0, a0, acc[m]);
            acc[m] = _mm512_fmadd_ps(w1, a1, acc[m]);
        }
    }
    if (i < n) {
        __m512 a0, a1;
        FG_LOAD32_TAIL(x + i, (int)(n - i), &a0, &a1);
        FG_UNROLL
        for (int m = 0; m < rr; m++) {
            __m512 w0, w1;
            FG_LOAD32_TAIL(row[m] + i, (int)(n - i), &w0, &w1);
            acc[m] = _mm512_fmadd_ps(w0, a0, acc[m]);
            acc[m] = _mm512_fmadd_ps(w1, a1, acc[m]);
        }
    }
    FG_UNROLL
    for (int j = 0; j < rr; j += 4) {
        const __m512 z = _mm512_setzero_ps();
        _mm_storeu_ps(out + j, fg_reduce4(acc[j], j + 1 < rr ? acc[j + 1] : z, j + 2 < rr ? acc[j + 2] : z,
                                          j + 3 < rr ? acc[j + 3] : z));
    }
}

void FG_GEMV(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a) {
    FG_GEMV_DRIVE(FG_GROWS);
}

#undef FG_GROWS
#undef FG_GEMV
#undef FG_TILE
#undef FG_NAME
#undef FG_LOAD32
#undef FG_LOAD32_TAIL
