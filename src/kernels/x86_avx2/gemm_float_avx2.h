/* kernels/x86_avx2/gemm_float_avx2.h - the shared body of the AVX2 prefill gemms for 16-bit float
 * weights (F16 x F16 in f16_avx2.c, BF16 x BF16 in bf16_avx2.c). Private to x86_avx2/; the includer
 * defines, then includes this file:
 *   FG_NAME                  the lf_gemm_fn to define
 *   FG_GEMV                  the lf_gemv_fn to define
 *   FG_LOAD16(p, lo, hi)     16 elements at p (uint16_t *) widened to two __m256 of f32 (exactly), in
 *                            any fixed lane order, the same for weights and tokens
 *   FG_LOAD16_TAIL(p, m, lo, hi)  the same for the first m < 16 elements, the others read as +0
 *
 * The design of x86_avx512/gemm_float_avx512.h with 16 ymm registers: per 16-row chunk, per tile of
 * FG_RN tokens, per K block, the tokens' block is widened once into an L1 buffer of f32; each FG_RM-row
 * tile widens its weights in the inner loop and accumulates with FMA in FG_RM x FG_RN ymm (8 f32 lanes
 * each, products summed in order per lane); accumulators wait in a stack array across K blocks and are
 * reduced four at a time (hadd tree) after the last one.
 * The gemv performs, per output, exactly the gemm's operations in the gemm's order (one accumulator
 * per row, 16 elements per step as lo then hi, the same tail, the same reduce4 tree), so gemm, gemv
 * and dot are bit-identical to each other; it takes 8 rows per pass with software prefetch.
 */
#ifndef LF_GEMM_FLOAT_AVX2_UTIL
#define LF_GEMM_FLOAT_AVX2_UTIL

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#define FG_RM 2   /* weight rows per register tile */
#define FG_RN 5   /* tokens per register tile: 10 accumulators + 4 weight registers */
#define FG_KB 512 /* K elements per block: FG_RN x 2 KiB of widened tokens */
#define FG_NT 8   /* row tiles per chunk: 16 rows */
#define FG_CH (FG_RM * FG_NT)

#define FG_UNROLL _Pragma("GCC unroll 16")
#define FG_PF 4096 /* gemv software prefetch distance, bytes */

/* [sum(a), sum(b), sum(c), sum(d)] */
static inline __m128 fg_reduce4(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 q = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1));
}

#endif /* LF_GEMM_FLOAT_AVX2_UTIL */

#define FG_CAT_(a, b) a##b
#define FG_CAT(a, b) FG_CAT_(a, b)
#define FG_TILE FG_CAT(FG_NAME, _tile)
#define FG_GROWS FG_CAT(FG_GEMV, _rows)

static inline __attribute__((always_inline)) void FG_TILE(const int rn, int64_t kb, const uint16_t *const *row,
                                                          const float (*abuf)[FG_KB], __m256 *sp, int first,
                                                          int last, float *out) {
    __m256 acc[FG_RM][FG_RN];
    FG_UNROLL
    for (int m = 0; m < FG_RM; m++) {
        FG_UNROLL
        for (int t = 0; t < rn; t++) acc[m][t] = first ? _mm256_setzero_ps() : sp[m * FG_RN + t];
    }
    for (int64_t i = 0; i < kb; i += 16) {
        __m256 w0[FG_RM], w1[FG_RM];
        if (i + 16 <= kb) {
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) FG_LOAD16(row[m] + i, &w0[m], &w1[m]);
        } else {
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) FG_LOAD16_TAIL(row[m] + i, (int)(kb - i), &w0[m], &w1[m]);
        }
        FG_UNROLL
        for (int t = 0; t < rn; t++) {
            const __m256 a0 = _mm256_load_ps(abuf[t] + i), a1 = _mm256_load_ps(abuf[t] + i + 8);
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) {
                acc[m][t] = _mm256_fmadd_ps(w0[m], a0, acc[m][t]);
                acc[m][t] = _mm256_fmadd_ps(w1[m], a1, acc[m][t]);
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
    FG_UNROLL
    for (int j = 0; j < rn * FG_RM; j += 4) {
        const __m256 z = _mm256_setzero_ps();
        const __m256 v0 = acc[j % FG_RM][j / FG_RM];
        const __m256 v1 = j + 1 < rn * FG_RM ? acc[(j + 1) % FG_RM][(j + 1) / FG_RM] : z;
        const __m256 v2 = j + 2 < rn * FG_RM ? acc[(j + 2) % FG_RM][(j + 2) / FG_RM] : z;
        const __m256 v3 = j + 3 < rn * FG_RM ? acc[(j + 3) % FG_RM][(j + 3) / FG_RM] : z;
        _mm_storeu_ps(out + j, fg_reduce4(v0, v1, v2, v3));
    }
}

void FG_NAME(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w, size_t w_stride,
             const void *a, size_t a_stride) {
    _Alignas(32) float abuf[FG_RN][FG_KB];
    __m256 spill[FG_NT][FG_RM * FG_RN];
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
                    __m256 lo, hi;
                    for (int64_t i = 0; i < kb; i += 16) {
                        if (i + 16 <= kb) FG_LOAD16(ap + i, &lo, &hi);
                        else FG_LOAD16_TAIL(ap + i, (int)(kb - i), &lo, &hi);
                        _mm256_store_ps(abuf[t] + i, lo);
                        _mm256_store_ps(abuf[t] + i + 8, hi);
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
                    case 1: FG_TILE(1, kb, row, (const float(*)[FG_KB])abuf, spill[rt], first, last, out); break;
                    case 2: FG_TILE(2, kb, row, (const float(*)[FG_KB])abuf, spill[rt], first, last, out); break;
                    case 3: FG_TILE(3, kb, row, (const float(*)[FG_KB])abuf, spill[rt], first, last, out); break;
                    case 4: FG_TILE(4, kb, row, (const float(*)[FG_KB])abuf, spill[rt], first, last, out); break;
                    default: FG_TILE(FG_RN, kb, row, (const float(*)[FG_KB])abuf, spill[rt], first, last, out); break;
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
    __m256 acc[8];
    FG_UNROLL
    for (int m = 0; m < rr; m++) acc[m] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __m256 a0, a1;
        if (i + 16 <= n) {
            if ((i & 31) == 0) {
                FG_UNROLL
                for (int m = 0; m < rr; m++) _mm_prefetch((const char *)(row[m] + i) + FG_PF, _MM_HINT_T0);
            }
            FG_LOAD16(x + i, &a0, &a1);
            FG_UNROLL
            for (int m = 0; m < rr; m++) {
                __m256 w0, w1;
                FG_LOAD16(row[m] + i, &w0, &w1);
                acc[m] = _mm256_fmadd_ps(w0, a0, acc[m]);
                acc[m] = _mm256_fmadd_ps(w1, a1, acc[m]);
            }
        } else {
            FG_LOAD16_TAIL(x + i, (int)(n - i), &a0, &a1);
            FG_UNROLL
            for (int m = 0; m < rr; m++) {
                __m256 w0, w1;
                FG_LOAD16_TAIL(row[m] + i, (int)(n - i), &w0, &w1);
                acc[m] = _mm256_fmadd_ps(w0, a0, acc[m]);
                acc[m] = _mm256_fmadd_ps(w1, a1, acc[m]);
            }
        }
    }
    FG_UNROLL
    for (int j = 0; j < rr; j += 4) {
        const __m256 z = _mm256_setzero_ps();
        _mm_storeu_ps(out + j, fg_reduce4(acc[j], j + 1 < rr ? acc[j + 1] : z, j + 2 < rr ? acc[j + 2] : z,
                                          j + 3 < rr ? acc[j + 3] : z));
    }
}

void FG_GEMV(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride, const void *a) {
    const uint8_t *wb = w;
    const uint16_t *row[8];
    float out[8];
    int64_t r = 0;
    for (; r + 8 <= nrows; r += 8) {
        for (int m = 0; m < 8; m++) row[m] = (const uint16_t *)(wb + (size_t)(r + m) * w_stride);
        FG_GROWS(8, n, row, a, out);
        for (int m = 0; m < 8; m++) s[r + m] = out[m];
    }
    for (; r + 4 <= nrows; r += 4) {
        for (int m = 0; m < 4; m++) row[m] = (const uint16_t *)(wb + (size_t)(r + m) * w_stride);
        FG_GROWS(4, n, row, a, out);
        for (int m = 0; m < 4; m++) s[r + m] = out[m];
    }
    for (; r < nrows; r++) {
        row[0] = (const uint16_t *)(wb + (size_t)r * w_stride);
        FG_GROWS(1, n, row, a, out);
        s[r] = out[0];
    }
}

#undef FG_GROWS
#undef FG_GEMV
#undef FG_TILE
#undef FG_NAME
#undef FG_LOAD16
#undef FG_LOAD16_TAIL
