/* kernels/arm_neon/gemm_float_neon.h - the shared body of the NEON gemv and prefill gemm for 16-bit
 * float weights (F16 x F16 in f16_neon.c, BF16 x BF16 in bf16_neon.c). Private to arm_neon/; the
 * includer defines, then includes this file:
 *   FG_NAME, FG_GEMV         the lf_gemm_fn and lf_gemv_fn to define
 *   FG_LOAD8(p, lo, hi)      8 elements at p (uint16_t *) widened exactly to two float32x4_t, in any
 *                            fixed lane order, the same for weights and tokens
 *   FG_LOAD8_TAIL(p, m, lo, hi)  the same for the first m < 8 elements, the others read as +0
 *
 * gemm (the design of x86_avx512/gemm_float_avx512.h with 32 q registers): per 16-row chunk, per tile of
 * FG_RN tokens, per K block of FG_KB elements, the tokens' block is widened once into an L1 buffer of
 * f32; each FG_RM-row tile widens its weights in the inner loop (fcvtl / shll: armv8-a baseline, no
 * FP16 arithmetic) and accumulates with fused multiply-add (fmla) in FG_RM x FG_RN float32x4 (each lane
 * sums n/4 exact products in order); accumulators wait in a stack array across K blocks and are reduced
 * four at a time by faddp after the last one.
 * gemv: per output exactly the gemm's operations in the gemm's order (one accumulator per row, 8
 * elements per step as lo then hi, the same tail and reduction), 8 rows per pass with a prefetch
 * FG_PF bytes ahead in each row; so gemv, dot and gemm are bit-identical (prefill = decode).
 */
#ifndef LF_GEMM_FLOAT_NEON_UTIL
#define LF_GEMM_FLOAT_NEON_UTIL

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#define FG_RM 2   /* weight rows per register tile */
#define FG_RN 8   /* tokens per register tile: 16 accumulators + 4 weight registers */
#define FG_KB 256 /* K elements per block: FG_RN x 1 KiB of widened tokens */
#define FG_NT 8   /* row tiles per chunk: 16 rows */
#define FG_CH (FG_RM * FG_NT)
#define FG_PF 1024 /* gemv prefetch distance, bytes */

#define FG_UNROLL _Pragma("GCC unroll 16")

/* [sum(a), sum(b), sum(c), sum(d)], each as (x0 + x1) + (x2 + x3) */
static inline float32x4_t fg_reduce4(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
    return vpaddq_f32(vpaddq_f32(a, b), vpaddq_f32(c, d));
}

#endif /* LF_GEMM_FLOAT_NEON_UTIL */

#define FG_CAT_(a, b) a##b
#define FG_CAT(a, b) FG_CAT_(a, b)
#define FG_TILE FG_CAT(FG_NAME, _tile)
#define FG_GROWS FG_CAT(FG_GEMV, _rows)

static inline __attribute__((always_inline)) void FG_TILE(const int rn, int64_t kb, const uint16_t *const *row,
                                                          const float (*abuf)[FG_KB], float32x4_t *sp, int first,
                                                          int last, float *out) {
    float32x4_t acc[FG_RM][FG_RN];
    FG_UNROLL
    for (int m = 0; m < FG_RM; m++) {
        FG_UNROLL
        for (int t = 0; t < rn; t++) acc[m][t] = first ? vdupq_n_f32(0.0f) : sp[m * FG_RN + t];
    }
    for (int64_t i = 0; i < kb; i += 8) {
        float32x4_t w0[FG_RM], w1[FG_RM];
        if (i + 8 <= kb) {
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) FG_LOAD8(row[m] + i, &w0[m], &w1[m]);
        } else {
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) FG_LOAD8_TAIL(row[m] + i, (int)(kb - i), &w0[m], &w1[m]);
        }
        FG_UNROLL
        for (int t = 0; t < rn; t++) {
            const float32x4_t a0 = vld1q_f32(abuf[t] + i), a1 = vld1q_f32(abuf[t] + i + 4);
            FG_UNROLL
            for (int m = 0; m < FG_RM; m++) {
                acc[m][t] = vfmaq_f32(acc[m][t], w0[m], a0);
                acc[m][t] = vfmaq_f32(acc[m][t], w1[m], a1);
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
        const float32x4_t z = vdupq_n_f32(0.0f);
        const float32x4_t v0 = acc[j % FG_RM][j / FG_RM];
        const float32x4_t v1 = j + 1 < rn * FG_RM ? acc[(j + 1) % FG_RM][(j + 1) / FG_RM] : z;
        const float32x4_t v2 = j + 2 < rn * FG_RM ? acc[(j + 2) % FG_RM][(j + 2) / FG_RM] : z;
        const float32x4_t v3 = j + 3 < rn * FG_RM ? acc[(j + 3) % FG_RM][(j + 3) / FG_RM] : z;
        vst1q_f32(out + j, fg_reduce4(v0, v1, v2, v3));
    }
}

void FG_NAME(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w, size_t w_stride,
             const void *a, size_t a_stride) {
    _Alignas(16) float abuf[FG_RN][FG_KB];
    float32x4_t spill[FG_NT][FG_RM * FG_RN];
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
                    float32x4_t lo, hi;
                    for (int64_t i = 0; i < kb; i += 8) {
                        if (i + 8 <= kb) FG_LOAD8(ap + i, &lo, &hi);
                        else FG_LOAD8_TAIL(ap + i, (int)(kb - i), &lo, &hi);
                        vst1q_f32(abuf[t] + i, lo);
                        vst1q_f32(abuf[t] + i + 4, hi);
                    }
                }
                const int first = k0 == 0, last = k0 + kb >= n;
                for (int rt = 0; rt * FG_RM < nrc; rt++) {
                    const uint16_t *row[FG_RM];
                    for (int m = 0; m < FG_RM; m++) {
                        const int64_t rr = rt * FG_RM + m < nrc ? rt * FG_RM + m : nrc - 1; /* computed, not stored */
                        row[m] = (const uint16_t *)(wb + (size_t)(r0 + rr) * w_stride) + k0;
                    }
                    const float(*ac)[FG_KB] = (const float(*)[FG_KB])abuf;
                    switch (rn) {
                    case 1: FG_TILE(1, kb, row, ac, spill[rt], first, last, out); break;
                    case 2: FG_TILE(2, kb, row, ac, spill[rt], first, last, out); break;
                    case 3: FG_TILE(3, kb, row, ac, spill[rt], first, last, out); break;
                    case 4: FG_TILE(4, kb, row, ac, spill[rt], first, last, out); break;
                    case 5: FG_TILE(5, kb, row, ac, spill[rt], first, last, out); break;
                    case 6: FG_TILE(6, kb, row, ac, spill[rt], first, last, out); break;
                    case 7: FG_TILE(7, kb, row, ac, spill[rt], first, last, out); break;
                    default: FG_TILE(FG_RN, kb, row, ac, spill[rt], first, last, out); break;
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

static inline __attribute__((always_inline)) void FG_GROWS(const int rr, int64_t n, const uint16_t *const *row,
                                                           const uint16_t *x, float *out) {
    float32x4_t acc[8];
    FG_UNROLL
    for (int m = 0; m < rr; m++) acc[m] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < n; i += 8) {
        float32x4_t a0, a1;
        if (i + 8 <= n) {
            if ((i & 31) == 0) {
                FG_UNROLL
                for (int m = 0; m < rr; m++) __builtin_prefetch((const char *)(row[m] + i) + FG_PF);
            }
            FG_LOAD8(x + i, &a0, &a1);
            FG_UNROLL
            for (int m = 0; m < rr; m++) {
                float32x4_t w0, w1;
                FG_LOAD8(row[m] + i, &w0, &w1);
                acc[m] = vfmaq_f32(acc[m], w0, a0);
                acc[m] = vfmaq_f32(acc[m], w1, a1);
            }
        } else {
            FG_LOAD8_TAIL(x + i, (int)(n - i), &a0, &a1);
            FG_UNROLL
            for (int m = 0; m < rr; m++) {
                float32x4_t w0, w1;
                FG_LOAD8_TAIL(row[m] + i, (int)(n - i), &w0, &w1);
                acc[m] = vfmaq_f32(acc[m], w0, a0);
                acc[m] = vfmaq_f32(acc[m], w1, a1);
            }
        }
    }
    FG_UNROLL
    for (int j = 0; j < rr; j += 4) {
        const float32x4_t z = vdupq_n_f32(0.0f);
        vst1q_f32(out + j, fg_reduce4(acc[j], j + 1 < rr ? acc[j + 1] : z, j + 2 < rr ? acc[j + 2] : z,
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
#undef FG_TILE
#undef FG_GEMV
#undef FG_NAME
#undef FG_LOAD8
#undef FG_LOAD8_TAIL
