/* kernels/x86_avx2/qk_avx2.c - AVX2 kernels of the K-quant family: quantize_row_q8_k and the Q4_K,
 * Q5_K, Q6_K x Q8_K dots and gemvs (contracts: x86_avx2/avx2.h).
 *
 * quantize_row_q8_k_avx2 equals the reference bit for bit (same product iscale*x, rounded to nearest
 * even by cvtps2dq as lf_ref_nearest_int does, saturated as the reference clamps).
 *
 * The dots form each block's integer sum exactly but not in the reference's 8 element-index lanes:
 * codes times activations with pmaddubsw (u8 x s8 -> pairs in i16, no saturation: at most
 * 2*63*127), times the sub-block scale with pmaddwd into 8 int32 lanes, one f32 fma per block with
 * d*da, and the mins (Q4_K/Q5_K: sum over sub-blocks of bsums*mn, shared by the 4 rows of a pass;
 * Q6_K: the -32 offset, as 32*sum(scale*bsums)) in the integer domain or a second f32 accumulator.
 * So results differ from the reference by f32 rounding order only: |fast - ref| <= 2^-20 *
 * sum over blocks of |d*da|*sum|scale*q*a| + |dmin*da*summ| (tests/kernels/test_kquant.c checks
 * 1e-5 relative to that magnitude).
 *
 * The gemvs run 4 rows per pass (one activation load serves 4 rows) with software prefetch 4 KiB
 * ahead of each row, as the Q8_0/Q4_0 gemvs (PERF.md).
 */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/x86_avx2/avx2.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define LF_UNROLL _Pragma("GCC unroll 8")
#define GEMV_PF 8192

static inline float h2f(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float hsum4(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* ---- quantize_row_q8_k ------------------------------------------------------------------------ */

void quantize_row_q8_k_avx2(const float *x, void *y, int64_t n) {
    lf_block_q8_k *b = y;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t i = 0; i < n / LF_QK_K; i++, x += LF_QK_K) {
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < LF_QK_K; j += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        if (!(amax > 0.0f)) {
            memset(&b[i], 0, sizeof b[i]);
            continue;
        }
        float max = amax;
        const __m256 va = _mm256_set1_ps(amax);
        for (int j = 0; j < LF_QK_K; j += 8) { /* the first element of largest magnitude, with its sign */
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), va, _CMP_EQ_OQ));
            if (hit) {
                max = x[j + __builtin_ctz((unsigned)hit)];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        for (int j = 0; j < LF_QK_K; j += 32) {
            const __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j), vs));
            const __m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8), vs));
            const __m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 16), vs));
            const __m256i q3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 24), vs));
            const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
            _mm256_storeu_si256((__m256i *)(b[i].qs + j), _mm256_permutevar8x32_epi32(p, perm));
        }
        /* bsums (exact integer sums): maddubs then madd give s0[e] = bytes 4e..4e+3 of the 32 at j, s1 of
         * the 32 at j+32; two hadds leave 16-byte group sums at g[0] (bytes j..), g[4] (j+16..), g[1]
         * (j+32..), g[5] (j+48..) */
        const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
        for (int j = 0; j < LF_QK_K; j += 64) {
            const __m256i s0 = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, _mm256_loadu_si256((const __m256i *)(b[i].qs + j))), ones16);
            const __m256i s1 = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, _mm256_loadu_si256((const __m256i *)(b[i].qs + j + 32))), ones16);
            const __m256i h = _mm256_hadd_epi32(s0, s1), g = _mm256_hadd_epi32(h, h);
            b[i].bsums[j / 16 + 0] = (int16_t)_mm256_extract_epi32(g, 0);
            b[i].bsums[j / 16 + 1] = (int16_t)_mm256_extract_epi32(g, 4);
            b[i].bsums[j / 16 + 2] = (int16_t)_mm256_extract_epi32(g, 1);
            b[i].bsums[j / 16 + 3] = (int16_t)_mm256_extract_epi32(g, 5);
        }
        b[i].d = 1.0f / iscale;
    }
}

/* ---- shared pieces ---------------------------------------------------------------------------- */

/* The 8 six-bit scales and mins of a Q4_K/Q5_K block (MODEL-SPEC 5), one byte each, as two u64. */
static inline void k_scales(const uint8_t *s12, uint64_t *sc, uint64_t *mn) {
    uint32_t w0, w1, w2;
    memcpy(&w0, s12, 4);
    memcpy(&w1, s12 + 4, 4);
    memcpy(&w2, s12 + 8, 4);
    const uint32_t m6 = 0x3f3f3f3fu, m4 = 0x0f0f0f0fu, m2 = 0x03030303u;
    *sc = (uint64_t)(w0 & m6) | (uint64_t)((w2 & m4) | (((w0 >> 6) & m2) << 4)) << 32;
    *mn = (uint64_t)(w1 & m6) | (uint64_t)(((w2 >> 4) & m4) | (((w1 >> 6) & m2) << 4)) << 32;
}

/* pshufb control picking i16 element e of each 128-bit lane into all 8 positions of that lane. */
static inline __m256i pick16(int lo, int hi) {
    const __m128i a = _mm_set1_epi16((short)((2 * lo + 1) << 8 | 2 * lo));
    const __m128i b = _mm_set1_epi16((short)((2 * hi + 1) << 8 | 2 * hi));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
}

static inline void pass_rows(const uint8_t *w, size_t stride, int64_t r, int64_t nrows, const uint8_t *out[4]) {
    LF_UNROLL
    for (int k = 0; k < 4; k++) out[k] = w + (size_t)(r + k < nrows ? r + k : nrows - 1) * stride;
}

/* always_inline: a prefetch-only helper left out of line is deleted by GCC as a const call (see
 * x86_avx512/attn_rows_avx512.c) */
static inline __attribute__((always_inline)) void prefetch_block(const uint8_t *p, size_t bsz) {
    for (size_t o = 0; o < bsz; o += 64) _mm_prefetch((const char *)(p + GEMV_PF + o), _MM_HINT_T0);
}

/* ---- Q4_K / Q5_K x Q8_K ----------------------------------------------------------------------- */

/* NR rows (1 or 4, a constant after inlining) of a Q4_K (five == 0) or Q5_K row set. */
static inline __attribute__((always_inline)) void pass_q45_k(const int NR, const int five, int64_t nb,
                                                            const uint8_t *const row[4], const lf_block_q8_k *a,
                                                            float out[4]) {
    const size_t bs = five ? sizeof(lf_block_q5_k) : sizeof(lf_block_q4_k);
    const size_t qs_off = five ? 48 : 16;
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 accf[4];
    __m128 accm[4];
    LF_UNROLL
    for (int k = 0; k < NR; k++) {
        accf[k] = _mm256_setzero_ps();
        accm[k] = _mm_setzero_ps();
    }
    for (int64_t b = 0; b < nb; b++) {
        const lf_block_q8_k *ab = &a[b];
        const __m128i bs2 = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)ab->bsums),
                                           _mm_loadu_si128((const __m128i *)(ab->bsums + 8)));
        __m256i isum[4], sc16[4], qh[4];
        float dd[4];
        LF_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * bs;
            if (NR > 1) prefetch_block(blk, bs);
            uint64_t sc, mn;
            k_scales(blk + 4, &sc, &mn);
            dd[k] = h2f(blk) * ab->d;
            const float dmin = h2f(blk + 2) * ab->d;
            const __m128i pm = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)mn)), bs2);
            accm[k] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(pm), accm[k]);
            sc16[k] = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)sc)));
            isum[k] = _mm256_setzero_si256();
            if (five) qh[k] = _mm256_loadu_si256((const __m256i *)(blk + 16));
        }
        LF_UNROLL
        for (int j = 0; j < 4; j++) {
            const __m256i alo = _mm256_loadu_si256((const __m256i *)(ab->qs + 64 * j));
            const __m256i ahi = _mm256_loadu_si256((const __m256i *)(ab->qs + 64 * j + 32));
            const __m256i plo = pick16(2 * j, 2 * j), phi = pick16(2 * j + 1, 2 * j + 1);
            LF_UNROLL
            for (int k = 0; k < NR; k++) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(row[k] + (size_t)b * bs + qs_off + 32 * j));
                __m256i lo = _mm256_and_si256(q, m4);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
                if (five) {
                    lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(qh[k], one), 4));
                    hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh[k], 1), one), 4));
                    qh[k] = _mm256_srli_epi16(qh[k], 2);
                }
                const __m256i s0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, alo), _mm256_shuffle_epi8(sc16[k], plo));
                const __m256i s1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, ahi), _mm256_shuffle_epi8(sc16[k], phi));
                isum[k] = _mm256_add_epi32(isum[k], _mm256_add_epi32(s0, s1));
            }
        }
        LF_UNROLL
        for (int k = 0; k < NR; k++) accf[k] = _mm256_fmadd_ps(_mm256_set1_ps(dd[k]), _mm256_cvtepi32_ps(isum[k]), accf[k]);
    }
    LF_UNROLL
    for (int k = 0; k < NR; k++) out[k] = hsum8(accf[k]) - hsum4(accm[k]);
}

/* ---- Q6_K x Q8_K ------------------------------------------------------------------------------ */

static inline __attribute__((always_inline)) void pass_q6_k(const int NR, int64_t nb, const uint8_t *const row[4],
                                                           const lf_block_q8_k *a, float out[4]) {
    const size_t bs = sizeof(lf_block_q6_k);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    __m256 accf[4];
    LF_UNROLL
    for (int k = 0; k < NR; k++) accf[k] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const lf_block_q8_k *ab = &a[b];
        const __m256i bsums = _mm256_loadu_si256((const __m256i *)ab->bsums);
        __m256i isum[4], slo[4], shi[4];
        float dd[4];
        LF_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * bs;
            if (NR > 1) prefetch_block(blk, bs);
            dd[k] = h2f(blk + 208) * ab->d;
            const __m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 192)));
            /* the codes are stored +32: remove 32 * sum(scale * bsums) */
            isum[k] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(s16, bsums), 5));
            slo[k] = _mm256_broadcastsi128_si256(_mm256_castsi256_si128(s16));
            shi[k] = _mm256_broadcastsi128_si256(_mm256_extracti128_si256(s16, 1));
        }
        LF_UNROLL
        for (int h = 0; h < 2; h++) {
            LF_UNROLL
            for (int k = 0; k < NR; k++) {
                const uint8_t *blk = row[k] + (size_t)b * bs;
                const __m256i ql0 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h));
                const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32));
                const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
                __m256i q[4];
                q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
                q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
                q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m3), 4));
                q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m3), 4));
                LF_UNROLL
                for (int m = 0; m < 4; m++) { /* 32 elements: sub-blocks 8h + 2m (low lane), 8h + 2m + 1 */
                    const __m256i av = _mm256_loadu_si256((const __m256i *)(ab->qs + 128 * h + 32 * m));
                    const __m256i sv = _mm256_shuffle_epi8(h ? shi[k] : slo[k], pick16(2 * m, 2 * m + 1));
                    isum[k] = _mm256_add_epi32(isum[k], _mm256_madd_epi16(_mm256_maddubs_epi16(q[m], av), sv));
                }
            }
        }
        LF_UNROLL
        for (int k = 0; k < NR; k++) accf[k] = _mm256_fmadd_ps(_mm256_set1_ps(dd[k]), _mm256_cvtepi32_ps(isum[k]), accf[k]);
    }
    LF_UNROLL
    for (int k = 0; k < NR; k++) out[k] = hsum8(accf[k]);
}

/* ---- gemms (prefill): 1 row x 4 tokens per tile ---------------------------------------------------- */
/* Each row's block is unpacked once per tile (codes and scale vectors), then every token runs the
 * gemv's operations on it: the same integer lanes and the same f32 operations in the same order, so
 * each output equals the gemv's (and the dot's) bit for bit. */

#define GEMM_NT 4

typedef struct q4k2_blk {
    __m256i lo[4], hi[4], sl[4], sh[4];
    __m128i mn16;
    float d, dmin;
} q4k2_blk;

static inline __attribute__((always_inline)) void q4k2_unpack(const uint8_t *blk, q4k2_blk *u) {
    uint64_t sc, mn;
    k_scales(blk + 4, &sc, &mn);
    u->d = h2f(blk);
    u->dmin = h2f(blk + 2);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i sc16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)sc)));
    LF_UNROLL
    for (int j = 0; j < 4; j++) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 16 + 32 * j));
        u->lo[j] = _mm256_and_si256(q, m4);
        u->hi[j] = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
        u->sl[j] = _mm256_shuffle_epi8(sc16, pick16(2 * j, 2 * j));
        u->sh[j] = _mm256_shuffle_epi8(sc16, pick16(2 * j + 1, 2 * j + 1));
    }
    u->mn16 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)mn));
}

static inline __attribute__((always_inline)) void q4k2_tok(const q4k2_blk *u, const lf_block_q8_k *ab, __m256 *accf,
                                                          __m128 *accm) {
    const __m128i bs2 = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)ab->bsums),
                                       _mm_loadu_si128((const __m128i *)(ab->bsums + 8)));
    const __m128i pm = _mm_madd_epi16(u->mn16, bs2);
    *accm = _mm_fmadd_ps(_mm_set1_ps(u->dmin * ab->d), _mm_cvtepi32_ps(pm), *accm);
    __m256i isum = _mm256_setzero_si256();
    LF_UNROLL
    for (int j = 0; j < 4; j++) {
        const __m256i alo = _mm256_loadu_si256((const __m256i *)(ab->qs + 64 * j));
        const __m256i ahi = _mm256_loadu_si256((const __m256i *)(ab->qs + 64 * j + 32));
        const __m256i s0 = _mm256_madd_epi16(_mm256_maddubs_epi16(u->lo[j], alo), u->sl[j]);
        const __m256i s1 = _mm256_madd_epi16(_mm256_maddubs_epi16(u->hi[j], ahi), u->sh[j]);
        isum = _mm256_add_epi32(isum, _mm256_add_epi32(s0, s1));
    }
    *accf = _mm256_fmadd_ps(_mm256_set1_ps(u->d * ab->d), _mm256_cvtepi32_ps(isum), *accf);
}

typedef struct q6k2_blk {
    __m256i q[8], sv[8];
    __m256i s16;
    float d;
} q6k2_blk;

static inline __attribute__((always_inline)) void q6k2_unpack(const uint8_t *blk, q6k2_blk *u) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    u->d = h2f(blk + 208);
    u->s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 192)));
    const __m256i slo = _mm256_broadcastsi128_si256(_mm256_castsi256_si128(u->s16));
    const __m256i shi = _mm256_broadcastsi128_si256(_mm256_extracti128_si256(u->s16, 1));
    LF_UNROLL
    for (int h = 0; h < 2; h++) {
        const __m256i ql0 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h));
        const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32));
        const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
        __m256i *q = u->q + 4 * h;
        q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
        q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
        q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m3), 4));
        q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m3), 4));
        LF_UNROLL
        for (int m = 0; m < 4; m++) u->sv[4 * h + m] = _mm256_shuffle_epi8(h ? shi : slo, pick16(2 * m, 2 * m + 1));
    }
}

static inline __attribute__((always_inline)) void q6k2_tok(const q6k2_blk *u, const lf_block_q8_k *ab, __m256 *accf) {
    const __m256i bsums = _mm256_loadu_si256((const __m256i *)ab->bsums);
    __m256i isum = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(u->s16, bsums), 5));
    LF_UNROLL
    for (int i = 0; i < 8; i++) {
        const __m256i av = _mm256_loadu_si256((const __m256i *)(ab->qs + 32 * i));
        isum = _mm256_add_epi32(isum, _mm256_madd_epi16(_mm256_maddubs_epi16(u->q[i], av), u->sv[i]));
    }
    *accf = _mm256_fmadd_ps(_mm256_set1_ps(u->d * ab->d), _mm256_cvtepi32_ps(isum), *accf);
}

static inline const lf_block_q8_k *tok_row(const void *a, size_t a_stride, int64_t t) {
    return (const lf_block_q8_k *)((const uint8_t *)a + (size_t)t * a_stride);
}

static inline __attribute__((always_inline)) void tile_k2(const int six, const int NT, int64_t nb, const uint8_t *wr,
                                                         const void *a, size_t a_stride, int64_t t0, float *s,
                                                         size_t s_stride) {
    __m256 accf[GEMM_NT];
    __m128 accm[GEMM_NT];
    const lf_block_q8_k *ar[GEMM_NT];
    LF_UNROLL
    for (int t = 0; t < NT; t++) {
        accf[t] = _mm256_setzero_ps();
        accm[t] = _mm_setzero_ps();
        ar[t] = tok_row(a, a_stride, t0 + t);
    }
    for (int64_t b = 0; b < nb; b++) {
        if (six) {
            q6k2_blk u;
            q6k2_unpack(wr + (size_t)b * sizeof(lf_block_q6_k), &u);
            LF_UNROLL
            for (int t = 0; t < NT; t++) q6k2_tok(&u, &ar[t][b], &accf[t]);
        } else {
            q4k2_blk u;
            q4k2_unpack(wr + (size_t)b * sizeof(lf_block_q4_k), &u);
            LF_UNROLL
            for (int t = 0; t < NT; t++) q4k2_tok(&u, &ar[t][b], &accf[t], &accm[t]);
        }
    }
    LF_UNROLL
    for (int t = 0; t < NT; t++)
        s[(size_t)(t0 + t) * s_stride] = six ? hsum8(accf[t]) : hsum8(accf[t]) - hsum4(accm[t]);
}

static void gemm_k2(const int six, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                    size_t w_stride, const void *a, size_t a_stride) {
    const int64_t nb = n / LF_QK_K;
    for (int64_t r = 0; r < nrows; r++) {
        const uint8_t *wr = (const uint8_t *)w + (size_t)r * w_stride;
        int64_t t = 0;
        if (six) {
            for (; t + GEMM_NT <= ntok; t += GEMM_NT) tile_k2(1, GEMM_NT, nb, wr, a, a_stride, t, s + r, s_stride);
            for (; t < ntok; t++) tile_k2(1, 1, nb, wr, a, a_stride, t, s + r, s_stride);
        } else {
            for (; t + GEMM_NT <= ntok; t += GEMM_NT) tile_k2(0, GEMM_NT, nb, wr, a, a_stride, t, s + r, s_stride);
            for (; t < ntok; t++) tile_k2(0, 1, nb, wr, a, a_stride, t, s + r, s_stride);
        }
    }
}

void gemm_q4_k_q8_k_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    gemm_k2(0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q6_k_q8_k_avx2(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                         size_t w_stride, const void *a, size_t a_stride) {
    gemm_k2(1, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

/* ---- entry points ----------------------------------------------------------------------------- */

#define K_ENTRIES(NAME, PASS)                                                                                     \
    void gemv_##NAME##_q8_k_avx2(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,            \
                                 const void *a) {                                                               \
        const uint8_t *row[4];                                                                                  \
        float t[4];                                                                                             \
        int64_t r = 0;                                                                                          \
        for (; r + 4 <= nrows; r += 4) {                                                                        \
            pass_rows(w, w_stride, r, nrows, row);                                                              \
            PASS(4, n / LF_QK_K, row, a, t);                                                                    \
            memcpy(s + r, t, sizeof t);                                                                         \
        }                                                                                                       \
        for (; r < nrows; r++) {                                                                                \
            row[0] = (const uint8_t *)w + (size_t)r * w_stride;                                                 \
            PASS(1, n / LF_QK_K, row, a, t);                                                                    \
            s[r] = t[0];                                                                                        \
        }                                                                                                       \
    }                                                                                                           \
    void dot_##NAME##_q8_k_avx2(int64_t n, float *s, const void *w, const void *a) {                            \
        const uint8_t *row[4] = {w, w, w, w};                                                                   \
        float t[4];                                                                                             \
        PASS(1, n / LF_QK_K, row, a, t);                                                                        \
        *s = t[0];                                                                                              \
    }

#define PASS_Q4(NR, nb, row, a, t) pass_q45_k(NR, 0, nb, row, a, t)
#define PASS_Q5(NR, nb, row, a, t) pass_q45_k(NR, 1, nb, row, a, t)
#define PASS_Q6(NR, nb, row, a, t) pass_q6_k(NR, nb, row, a, t)

K_ENTRIES(q4_k, PASS_Q4)
K_ENTRIES(q5_k, PASS_Q5)
K_ENTRIES(q6_k, PASS_Q6)
