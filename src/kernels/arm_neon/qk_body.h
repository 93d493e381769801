/* kernels/arm_neon/qk_body.h - the body of the AArch64 K-quant dots and gemvs (Q4_K, Q5_K, Q6_K x
 * Q8_K), included once by arm_neon/qk_neon.c (plain NEON: smull/smlal into 16-bit lanes, pairwise
 * widened) and once by arm_dotprod/qk_dotprod.c (sdot). The includer defines
 *   KQ_NAME(x)          the entry point name for x (e.g. x##_neon),
 *   KQ_DOT32(q0,a0,q1,a1)  int32x4_t: sum of the 32 products of two 16-byte code/activation pairs,
 *   KQ_DOT16(q,a)       int32x4_t: sum of the 16 products of one pair (lanes hold partial sums),
 * where the codes are unsigned values below 64 held in int8 lanes.
 *
 * Per block of one row: each sub-block's partial sums are multiplied by its scale into 4 int32
 * lanes (exact), converted and accumulated with one fused multiply-add by d*da; the Q4_K/Q5_K mins
 * term (dmin*da * sum over sub-blocks of mn * bsum pairs) goes to a scalar f32 accumulator; the Q6_K
 * -32 offset is removed in the integer domain as 32*sum(scale*bsums). Exact integer sums, f32
 * summation order different from the reference: the tolerance of tests/kernels/test_kquant.c.
 * 4 rows per pass share the activation loads; software prefetch 4 KiB ahead of each row. */
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/arm_neon/neon_util.h"

#define KQ_PF 4096
#define KQ_UNROLL _Pragma("GCC unroll 8")

static inline float kq_h2f(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return lf_neon_h2f(h);
}

/* always_inline: a prefetch-only helper left out of line is deleted by GCC as a const call (see
 * x86_avx512/attn_rows_avx512.c) */
static inline __attribute__((always_inline)) void kq_prefetch(const uint8_t *p, size_t bsz) {
    for (size_t o = 0; o < bsz; o += 64) __builtin_prefetch(p + KQ_PF + o, 0, 3);
}

/* The 8 six-bit scales and mins of a Q4_K/Q5_K block (MODEL-SPEC 5). */
static inline void kq_scales(const uint8_t *s12, uint8_t sc[8], uint8_t mn[8]) {
    uint32_t w0, w1, w2;
    memcpy(&w0, s12, 4);
    memcpy(&w1, s12 + 4, 4);
    memcpy(&w2, s12 + 8, 4);
    const uint32_t m6 = 0x3f3f3f3fu, m4 = 0x0f0f0f0fu, m2 = 0x03030303u;
    const uint32_t s[4] = {w0 & m6, (w2 & m4) | (((w0 >> 6) & m2) << 4), w1 & m6,
                           ((w2 >> 4) & m4) | (((w1 >> 6) & m2) << 4)};
    memcpy(sc, s, 8);
    memcpy(mn, s + 2, 8);
}

static inline __attribute__((always_inline)) void kq_pass_q45(const int NR, const int five, int64_t nb,
                                                             const uint8_t *const row[4], const lf_block_q8_k *a,
                                                             float out[4]) {
    const size_t bs = five ? sizeof(lf_block_q5_k) : sizeof(lf_block_q4_k);
    const size_t qs_off = five ? 48 : 16;
    const uint8x16_t m4 = vdupq_n_u8(0x0F), one = vdupq_n_u8(1);
    float32x4_t accf[4];
    float accm[4];
    KQ_UNROLL
    for (int k = 0; k < NR; k++) {
        accf[k] = vdupq_n_f32(0.0f);
        accm[k] = 0.0f;
    }
    for (int64_t b = 0; b < nb; b++) {
        const lf_block_q8_k *ab = &a[b];
        const int16x8_t b2 = vpaddq_s16(vld1q_s16(ab->bsums), vld1q_s16(ab->bsums + 8));
        int32x4_t isum[4];
        uint8_t sc[4][8];
        uint8x16_t qh[4][2];
        float dd[4];
        KQ_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * bs;
            if (NR > 1) kq_prefetch(blk, bs);
            uint8_t mn[8];
            kq_scales(blk + 4, sc[k], mn);
            dd[k] = kq_h2f(blk) * ab->d;
            const float dmin = kq_h2f(blk + 2) * ab->d;
            const int16x8_t m16 = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(mn)));
            const int32x4_t pm = vmlal_high_s16(vmull_s16(vget_low_s16(m16), vget_low_s16(b2)), m16, b2);
            accm[k] += dmin * (float)vaddvq_s32(pm);
            isum[k] = vdupq_n_s32(0);
            if (five) {
                qh[k][0] = vld1q_u8(blk + 16);
                qh[k][1] = vld1q_u8(blk + 32);
            }
        }
        KQ_UNROLL
        for (int g = 0; g < 4; g++) {
            const int8x16_t al0 = vld1q_s8(ab->qs + 64 * g), al1 = vld1q_s8(ab->qs + 64 * g + 16);
            const int8x16_t ah0 = vld1q_s8(ab->qs + 64 * g + 32), ah1 = vld1q_s8(ab->qs + 64 * g + 48);
            KQ_UNROLL
            for (int k = 0; k < NR; k++) {
                const uint8_t *q = row[k] + (size_t)b * bs + qs_off + 32 * g;
                const uint8x16_t q0 = vld1q_u8(q), q1 = vld1q_u8(q + 16);
                uint8x16_t l0 = vandq_u8(q0, m4), l1 = vandq_u8(q1, m4);
                uint8x16_t h0 = vshrq_n_u8(q0, 4), h1 = vshrq_n_u8(q1, 4);
                if (five) {
                    l0 = vorrq_u8(l0, vshlq_n_u8(vandq_u8(qh[k][0], one), 4));
                    l1 = vorrq_u8(l1, vshlq_n_u8(vandq_u8(qh[k][1], one), 4));
                    h0 = vorrq_u8(h0, vshlq_n_u8(vandq_u8(vshrq_n_u8(qh[k][0], 1), one), 4));
                    h1 = vorrq_u8(h1, vshlq_n_u8(vandq_u8(vshrq_n_u8(qh[k][1], 1), one), 4));
                    qh[k][0] = vshrq_n_u8(qh[k][0], 2);
                    qh[k][1] = vshrq_n_u8(qh[k][1], 2);
                }
                const int32x4_t dl = KQ_DOT32(vreinterpretq_s8_u8(l0), al0, vreinterpretq_s8_u8(l1), al1);
                const int32x4_t dh = KQ_DOT32(vreinterpretq_s8_u8(h0), ah0, vreinterpretq_s8_u8(h1), ah1);
                isum[k] = vmlaq_n_s32(isum[k], dl, sc[k][2 * g]);
                isum[k] = vmlaq_n_s32(isum[k], dh, sc[k][2 * g + 1]);
            }
        }
        KQ_UNROLL
        for (int k = 0; k < NR; k++) accf[k] = vfmaq_n_f32(accf[k], vcvtq_f32_s32(isum[k]), dd[k]);
    }
    KQ_UNROLL
    for (int k = 0; k < NR; k++) out[k] = vaddvq_f32(accf[k]) - accm[k];
}

static inline __attribute__((always_inline)) void kq_pass_q6(const int NR, int64_t nb, const uint8_t *const row[4],
                                                            const lf_block_q8_k *a, float out[4]) {
    const size_t bs = sizeof(lf_block_q6_k);
    const uint8x16_t m4 = vdupq_n_u8(0x0F), m3 = vdupq_n_u8(3);
    float32x4_t accf[4];
    KQ_UNROLL
    for (int k = 0; k < NR; k++) accf[k] = vdupq_n_f32(0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const lf_block_q8_k *ab = &a[b];
        const int16x8_t bs0 = vld1q_s16(ab->bsums), bs1 = vld1q_s16(ab->bsums + 8);
        int32x4_t isum[4];
        float dd[4];
        KQ_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * bs;
            if (NR > 1) kq_prefetch(blk, bs);
            dd[k] = kq_h2f(blk + 208) * ab->d;
            const int8x16_t s8 = vld1q_s8((const int8_t *)(blk + 192));
            const int16x8_t s0 = vmovl_s8(vget_low_s8(s8)), s1 = vmovl_high_s8(s8);
            int32x4_t c = vmull_s16(vget_low_s16(s0), vget_low_s16(bs0));
            c = vmlal_high_s16(c, s0, bs0);
            c = vmlal_s16(c, vget_low_s16(s1), vget_low_s16(bs1));
            c = vmlal_high_s16(c, s1, bs1);
            isum[k] = vnegq_s32(vshlq_n_s32(c, 5)); /* the codes are stored +32 */
        }
        KQ_UNROLL
        for (int h = 0; h < 2; h++) {
            KQ_UNROLL
            for (int k = 0; k < NR; k++) {
                const uint8_t *blk = row[k] + (size_t)b * bs;
                const int8_t *sc = (const int8_t *)(blk + 192 + 8 * h);
                KQ_UNROLL
                for (int c = 0; c < 2; c++) {
                    const uint8x16_t l0 = vld1q_u8(blk + 64 * h + 16 * c), l1 = vld1q_u8(blk + 64 * h + 32 + 16 * c);
                    const uint8x16_t hb = vld1q_u8(blk + 128 + 32 * h + 16 * c);
                    const uint8x16_t q0 = vorrq_u8(vandq_u8(l0, m4), vshlq_n_u8(vandq_u8(hb, m3), 4));
                    const uint8x16_t q1 = vorrq_u8(vandq_u8(l1, m4), vshlq_n_u8(vandq_u8(vshrq_n_u8(hb, 2), m3), 4));
                    const uint8x16_t q2 = vorrq_u8(vshrq_n_u8(l0, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(hb, 4), m3), 4));
                    const uint8x16_t q3 = vorrq_u8(vshrq_n_u8(l1, 4), vshlq_n_u8(vshrq_n_u8(hb, 6), 4));
                    const int8_t *aq = ab->qs + 128 * h + 16 * c;
                    /* q0: sub-block 8h + c, q1: 8h + 2 + c, q2: 8h + 4 + c, q3: 8h + 6 + c */
                    isum[k] = vmlaq_n_s32(isum[k], KQ_DOT16(vreinterpretq_s8_u8(q0), vld1q_s8(aq)), sc[c]);
                    isum[k] = vmlaq_n_s32(isum[k], KQ_DOT16(vreinterpretq_s8_u8(q1), vld1q_s8(aq + 32)), sc[2 + c]);
                    isum[k] = vmlaq_n_s32(isum[k], KQ_DOT16(vreinterpretq_s8_u8(q2), vld1q_s8(aq + 64)), sc[4 + c]);
                    isum[k] = vmlaq_n_s32(isum[k], KQ_DOT16(vreinterpretq_s8_u8(q3), vld1q_s8(aq + 96)), sc[6 + c]);
                }
            }
        }
        KQ_UNROLL
        for (int k = 0; k < NR; k++) accf[k] = vfmaq_n_f32(accf[k], vcvtq_f32_s32(isum[k]), dd[k]);
    }
    KQ_UNROLL
    for (int k = 0; k < NR; k++) out[k] = vaddvq_f32(accf[k]);
}

#define KQ_ENTRIES(TY, PASS)                                                                                      \
    void KQ_NAME(gemv_##TY##_q8_k)(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,          \
                                   const void *a) {                                                             \
        const uint8_t *row[4];                                                                                  \
        float t[4];                                                                                             \
        int64_t r = 0;                                                                                          \
        for (; r + 4 <= nrows; r += 4) {                                                                        \
            lf_neon_pass_rows(w, w_stride, r, nrows, row);                                                      \
            PASS(4, n / LF_QK_K, row, a, t);                                                                    \
            memcpy(s + r, t, sizeof t);                                                                         \
        }                                                                                                       \
        for (; r < nrows; r++) {                                                                                \
            row[0] = (const uint8_t *)w + (size_t)r * w_stride;                                                 \
            PASS(1, n / LF_QK_K, row, a, t);                                                                    \
            s[r] = t[0];                                                                                        \
        }                                                                                                       \
    }                                                                                                           \
    void KQ_NAME(dot_##TY##_q8_k)(int64_t n, float *s, const void *w, const void *a) {                          \
        const uint8_t *row[4] = {w, w, w, w};                                                                   \
        float t[4];                                                                                             \
        PASS(1, n / LF_QK_K, row, a, t);                                                                        \
        *s = t[0];                                                                                              \
    }

#define KQ_PASS_Q4(NR, nb, row, a, t) kq_pass_q45(NR, 0, nb, row, a, t)
#define KQ_PASS_Q5(NR, nb, row, a, t) kq_pass_q45(NR, 1, nb, row, a, t)
#define KQ_PASS_Q6(NR, nb, row, a, t) kq_pass_q6(NR, nb, row, a, t)

KQ_ENTRIES(q4_k, KQ_PASS_Q4)
KQ_ENTRIES(q5_k, KQ_PASS_Q5)
KQ_ENTRIES(q6_k, KQ_PASS_Q6)
