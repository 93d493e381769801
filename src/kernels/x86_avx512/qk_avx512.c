/* kernels/x86_avx512/qk_avx512.c - AVX-512 VNNI kernels of the K-quant family: Q4_K, Q5_K, Q6_K x
 * Q8_K dots and gemvs (contracts: x86_avx512/avx512.h). Q8_K quantization stays AVX2's (bit-identical
 * to ref already; it runs once per activation row).
 *
 * Integer part, per block of one row: vpdpbusd multiplies the unsigned codes (Q4_K 0..15, Q5_K 0..31,
 * Q6_K 0..63 with the -32 offset removed afterwards as 32*sum(scale*bsums)) by the signed activations,
 * 4 products per int32 lane; each lane belongs to one sub-block and its value fits in 16 bits
 * (|sum| <= 4*63*128), so vpdpwssd against a vector holding the sub-block's scale in the low 16 bits of
 * each lane (0 in the high 16) applies the scale and accumulates in one instruction. The block's 16
 * int32 lanes are converted and accumulated with one fma by d*da per row; the mins term (dmin*da *
 * sum of mn * bsums) goes to a second f32 accumulator (Q5_K) or, as 8 int32 lanes, into lanes 0-7 of
 * the same one with one fma by -(dmin*da) (Q4_K).
 * Every integer sum is exact; only the f32 summation order differs from the reference (same bound as
 * the AVX2 kernels: tests/kernels/test_kquant.c checks 1e-5 of the summed term magnitude).
 *
 * Layouts: Q4_K: the 32 code bytes qs[32j .. 32j+31] broadcast to both halves of a zmm, the upper
 * half shifted by 4, give elements 64j .. 64j+63 in order (sub-blocks 2j, 2j+1), so activations are
 * plain loads. Q5_K: a zmm of 64 code bytes qs[64j .. 64j+63] holds, in its low nibbles, sub-blocks
 * 4j (bytes 0-31) and 4j+2 (bytes 32-63), in its high nibbles 4j+1 and 4j+3; the matching activations
 * are built once per block as [a(sub 4j) | a(sub 4j+2)] and [a(sub 4j+1) | a(sub 4j+3)] and shared by
 * the 4 rows of a pass. Q6_K: 64 ql bytes of a 128-element half give the half's first 64 elements in
 * their low nibbles and the last 64 in their high nibbles, so the activations are read as they are.
 *
 * Q4_K and Q6_K are computed per (row, block) as an unpack step (codes, scale vectors) and a per-token
 * step (integer dots, f32 accumulation); the gemv runs both for each row of a 4-row pass, the gemms
 * (prefill: 1 row x 8 tokens per tile) unpack once per 8 tokens. Same operations per output in both,
 * so gemm results equal the gemv's (and the dot's) bit for bit.
 */
#include <immintrin.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/x86_avx512/avx512.h"

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

static inline float hsum4(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* [x | y] from two 32-byte loads (load port and a blend, no shuffle-port uop). */
static inline __m512i load_2x256(const void *x, const void *y) {
    return _mm512_mask_broadcast_i64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)x)), (__mmask8)0xF0,
                                       _mm256_loadu_si256((const __m256i *)y));
}

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

/* pshufb control (applied to the 8 scale bytes broadcast to every 128-bit lane) giving lanes 0-1 byte
 * s0 and lanes 2-3 byte s1 in the low byte of each int32, zero elsewhere. */
static inline __m512i scale_ctrl(int s0, int s1) {
    const __m128i a = _mm_set1_epi32((int)(0x80808000u | (unsigned)s0));
    const __m128i b = _mm_set1_epi32((int)(0x80808000u | (unsigned)s1));
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_broadcastsi128_si256(a)), _mm256_broadcastsi128_si256(b), 1);
}

static inline void pass_rows(const uint8_t *w, size_t stride, int64_t r, const uint8_t *out[4]) {
    LF_UNROLL
    for (int k = 0; k < 4; k++) out[k] = w + (size_t)(r + k) * stride;
}

/* always_inline: a prefetch-only helper left out of line is deleted by GCC as a const call (see
 * x86_avx512/attn_rows_avx512.c) */
static inline __attribute__((always_inline)) void prefetch_block(const uint8_t *p, size_t bsz) {
    for (size_t o = 0; o < bsz; o += 64) _mm_prefetch((const char *)(p + GEMV_PF + o), _MM_HINT_T1);
}

/* ---- Q4_K / Q5_K x Q8_K ----------------------------------------------------------------------- */

static inline __attribute__((always_inline)) void pass_q45_k(const int NR, const int five, int64_t nb,
                                                            const uint8_t *const row[4], const lf_block_q8_k *a,
                                                            float out[4]) {
    const size_t bs = five ? sizeof(lf_block_q5_k) : sizeof(lf_block_q4_k);
    const size_t qs_off = five ? 48 : 16;
    const __m512i m4 = _mm512_set1_epi8(0x0F), m10 = _mm512_set1_epi8(0x10);
    /* fifth-bit shifts: sub-blocks (4j, 4j+2) use qh bits (2j... ) see below */
    const __m512i c_lo0 = scale_ctrl(0, 2), c_hi0 = scale_ctrl(1, 3), c_lo1 = scale_ctrl(4, 6), c_hi1 = scale_ctrl(5, 7);
    __m512 accf[4];
    __m128 accm[4];
    LF_UNROLL
    for (int k = 0; k < NR; k++) {
        accf[k] = _mm512_setzero_ps();
        accm[k] = _mm_setzero_ps();
    }
    for (int64_t b = 0; b < nb; b++) {
        const lf_block_q8_k *ab = &a[b];
        const __m128i bs2 = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)ab->bsums),
                                           _mm_loadu_si128((const __m128i *)(ab->bsums + 8)));
        const __m512i a_lo0 = load_2x256(ab->qs, ab->qs + 64), a_hi0 = load_2x256(ab->qs + 32, ab->qs + 96);
        const __m512i a_lo1 = load_2x256(ab->qs + 128, ab->qs + 192), a_hi1 = load_2x256(ab->qs + 160, ab->qs + 224);
        LF_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * bs;
            if (NR > 1) prefetch_block(blk, bs);
            uint64_t sc, mn;
            k_scales(blk + 4, &sc, &mn);
            const float d = h2f(blk) * ab->d, dmin = h2f(blk + 2) * ab->d;
            const __m128i pm = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)mn)), bs2);
            accm[k] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(pm), accm[k]);
            const __m512i scb = _mm512_set1_epi64((long long)sc);
            const __m512i q0 = _mm512_loadu_si512((const void *)(blk + qs_off));
            const __m512i q1 = _mm512_loadu_si512((const void *)(blk + qs_off + 64));
            __m512i lo0 = _mm512_and_si512(q0, m4), hi0 = _mm512_and_si512(_mm512_srli_epi16(q0, 4), m4);
            __m512i lo1 = _mm512_and_si512(q1, m4), hi1 = _mm512_and_si512(_mm512_srli_epi16(q1, 4), m4);
            if (five) {
                /* qh[l] bit s is the fifth bit of element l of sub-block s: bring bits (0|2), (1|3),
                 * (4|6), (5|7) of [qh | qh] to bit 4 of each byte */
                const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 16)));
                const __m512i s_lo0 = _mm512_set_epi64(2, 2, 2, 2, 4, 4, 4, 4);
                const __m512i s_hi0 = _mm512_set_epi64(1, 1, 1, 1, 3, 3, 3, 3);
                const __m512i s_lo1 = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0);
                const __m512i s_hi1 = _mm512_set_epi64(3, 3, 3, 3, 1, 1, 1, 1);
                lo0 = _mm512_or_si512(lo0, _mm512_and_si512(_mm512_sllv_epi64(qh, s_lo0), m10));
                hi0 = _mm512_or_si512(hi0, _mm512_and_si512(_mm512_sllv_epi64(qh, s_hi0), m10));
                lo1 = _mm512_or_si512(lo1, _mm512_and_si512(_mm512_srlv_epi64(qh, s_lo1), m10));
                hi1 = _mm512_or_si512(hi1, _mm512_and_si512(_mm512_srlv_epi64(qh, s_hi1), m10));
            }
            const __m512i z = _mm512_setzero_si512();
            __m512i is = _mm512_dpwssd_epi32(z, _mm512_dpbusd_epi32(z, lo0, a_lo0), _mm512_shuffle_epi8(scb, c_lo0));
            is = _mm512_dpwssd_epi32(is, _mm512_dpbusd_epi32(z, hi0, a_hi0), _mm512_shuffle_epi8(scb, c_hi0));
            is = _mm512_dpwssd_epi32(is, _mm512_dpbusd_epi32(z, lo1, a_lo1), _mm512_shuffle_epi8(scb, c_lo1));
            is = _mm512_dpwssd_epi32(is, _mm512_dpbusd_epi32(z, hi1, a_hi1), _mm512_shuffle_epi8(scb, c_hi1));
            accf[k] = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(is), accf[k]);
        }
    }
    LF_UNROLL
    for (int k = 0; k < NR; k++) out[k] = _mm512_reduce_add_ps(accf[k]) - hsum4(accm[k]);
}

/* ---- Q4_K x Q8_K (contiguous layout; shared by gemv and gemm) ---------------------------------- */

/* One unpacked Q4_K block of one row: codes of elements 64j .. 64j+63 (j = 0..3), each zmm's two
 * sub-block scales in the low 16 bits of its int32 lanes, the mins once per 16 elements (i16). */
typedef struct q4k_blk {
    __m512i w[4], s[4];
    __m256i mn16;
    float d, dmin;
} q4k_blk;

static inline __attribute__((always_inline)) void q4k_unpack(const uint8_t *blk, q4k_blk *u) {
    uint64_t sc, mn;
    k_scales(blk + 4, &sc, &mn);
    u->d = h2f(blk);
    u->dmin = h2f(blk + 2);
    const __m512i scb = _mm512_set1_epi64((long long)sc);
    const __m512i sh = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    LF_UNROLL
    for (int j = 0; j < 4; j++) {
        const __m512i q = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 16 + 32 * j)));
        u->w[j] = _mm512_and_si512(_mm512_srlv_epi64(q, sh), m4);
        u->s[j] = _mm512_shuffle_epi8(scb, scale_ctrl(2 * j, 2 * j + 1));
    }
    const __m128i m8 = _mm_cvtsi64_si128((long long)mn);
    u->mn16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));
}

/* One token: dd = d*da and nm = -(dmin*da), precomputed (the gemm keeps them in memory, where the fma
 * reads them as broadcast operands). The mins term is added into the same f32 lanes 0-7. */
static inline __attribute__((always_inline)) void q4k_tok(const q4k_blk *u, const lf_block_q8_k *ab, const float *dd,
                                                         const float *nm, __m512 *accf) {
    const __m512i z = _mm512_setzero_si512();
    __m512i is = _mm512_dpwssd_epi32(z, _mm512_dpbusd_epi32(z, u->w[0], _mm512_loadu_si512((const void *)ab->qs)), u->s[0]);
    LF_UNROLL
    for (int j = 1; j < 4; j++)
        is = _mm512_dpwssd_epi32(is, _mm512_dpbusd_epi32(z, u->w[j], _mm512_loadu_si512((const void *)(ab->qs + 64 * j))),
                                 u->s[j]);
    *accf = _mm512_fmadd_ps(_mm512_set1_ps(*dd), _mm512_cvtepi32_ps(is), *accf);
    const __m256i pm = _mm256_madd_epi16(u->mn16, _mm256_loadu_si256((const __m256i *)ab->bsums));
    *accf = _mm512_fmadd_ps(_mm512_set1_ps(*nm), _mm512_cvtepi32_ps(_mm512_inserti64x4(z, pm, 0)), *accf);
}

static inline __attribute__((always_inline)) void pass_q4_k(const int NR, int64_t nb, const uint8_t *const row[4],
                                                           const lf_block_q8_k *a, float out[4]) {
    __m512 accf[4];
    LF_UNROLL
    for (int k = 0; k < NR; k++) accf[k] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        LF_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * sizeof(lf_block_q4_k);
            if (NR > 1) prefetch_block(blk, sizeof(lf_block_q4_k));
            q4k_blk u;
            q4k_unpack(blk, &u);
            const float dd = u.d * a[b].d, nm = -(u.dmin * a[b].d);
            q4k_tok(&u, &a[b], &dd, &nm, &accf[k]);
        }
    }
    LF_UNROLL
    for (int k = 0; k < NR; k++) out[k] = _mm512_reduce_add_ps(accf[k]);
}

/* ---- Q6_K x Q8_K ------------------------------------------------------------------------------ */

/* One unpacked Q6_K block of one row: codes (0..63) of elements 64t .. 64t+63, the scales of their 4
 * sub-blocks (one per 128-bit lane) in the low 16 bits of each int32 lane, and the 16 scales as i16. */
typedef struct q6k_blk {
    __m512i w[4], s[4];
    __m256i s16;
    float d;
} q6k_blk;

static inline __attribute__((always_inline)) void q6k_unpack(const uint8_t *blk, q6k_blk *u) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    const __m512i sh_lo = _mm512_set_epi64(2, 2, 2, 2, 4, 4, 4, 4); /* << : qh bits 0-1 | 2-3 to bits 4-5 */
    const __m512i sh_hi = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0); /* >> : qh bits 4-5 | 6-7 to bits 4-5 */
    u->d = h2f(blk + 208);
    u->s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 192)));
    const __m512i s32 = _mm512_cvtepu16_epi32(u->s16); /* low 16 bits: the signed scale; high: 0 */
    LF_UNROLL
    for (int h = 0; h < 2; h++) {
        const __m512i l = _mm512_loadu_si512((const void *)(blk + 64 * h));
        const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h)));
        u->w[2 * h] = _mm512_or_si512(_mm512_and_si512(l, m4), _mm512_and_si512(_mm512_sllv_epi64(qh, sh_lo), m30));
        u->w[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l, 4), m4),
                                          _mm512_and_si512(_mm512_srlv_epi64(qh, sh_hi), m30));
    }
    LF_UNROLL
    for (int t = 0; t < 4; t++) { /* lane l of zmm t: scale 4t + l */
        const __m512i idx = _mm512_set_epi32(4 * t + 3, 4 * t + 3, 4 * t + 3, 4 * t + 3, 4 * t + 2, 4 * t + 2, 4 * t + 2,
                                             4 * t + 2, 4 * t + 1, 4 * t + 1, 4 * t + 1, 4 * t + 1, 4 * t, 4 * t, 4 * t, 4 * t);
        u->s[t] = _mm512_permutexvar_epi32(idx, s32);
    }
}

static inline __attribute__((always_inline)) void q6k_tok(const q6k_blk *u, const lf_block_q8_k *ab, const float *dd,
                                                         __m512 *accf) {
    /* the codes are stored +32: start from -32 * sum(scale * bsums) */
    const __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(u->s16, _mm256_loadu_si256((const __m256i *)ab->bsums)), 5);
    __m512i is = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_sub_epi32(_mm256_setzero_si256(), corr), 0);
    const __m512i z = _mm512_setzero_si512();
    LF_UNROLL
    for (int t = 0; t < 4; t++)
        is = _mm512_dpwssd_epi32(is, _mm512_dpbusd_epi32(z, u->w[t], _mm512_loadu_si512((const void *)(ab->qs + 64 * t))),
                                 u->s[t]);
    *accf = _mm512_fmadd_ps(_mm512_set1_ps(*dd), _mm512_cvtepi32_ps(is), *accf);
}

static inline __attribute__((always_inline)) void pass_q6_k(const int NR, int64_t nb, const uint8_t *const row[4],
                                                           const lf_block_q8_k *a, float out[4]) {
    __m512 accf[4];
    LF_UNROLL
    for (int k = 0; k < NR; k++) accf[k] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        LF_UNROLL
        for (int k = 0; k < NR; k++) {
            const uint8_t *blk = row[k] + (size_t)b * sizeof(lf_block_q6_k);
            if (NR > 1) prefetch_block(blk, sizeof(lf_block_q6_k));
            q6k_blk u;
            q6k_unpack(blk, &u);
            const float dd = u.d * a[b].d;
            q6k_tok(&u, &a[b], &dd, &accf[k]);
        }
    }
    LF_UNROLL
    for (int k = 0; k < NR; k++) out[k] = _mm512_reduce_add_ps(accf[k]);
}

/* ---- gemms (prefill): 1 row x 8 (or 4, or 1) tokens per tile ---------------------------------------------------- */
/* Token tiles outside, rows inside: the tile's activation scales are gathered once (da[block][token]),
 * each row's blocks are unpacked once per tile, and the per-token scale products d*da (and -(dmin*da))
 * are formed 8 at a time and read back by the fmas as broadcast operands. Rows with more than
 * GEMM_MAXB blocks run the gemv per token (same per-output result). */

#define GEMM_NT 8
#define GEMM_MAXB 64

static inline const lf_block_q8_k *tok_row(const void *a, size_t a_stride, int64_t t) {
    return (const lf_block_q8_k *)((const uint8_t *)a + (size_t)t * a_stride);
}

static inline __attribute__((always_inline)) void tile_k(const int six, const int NT, int64_t nb, const uint8_t *wr,
                                                        const lf_block_q8_k *const ar[GEMM_NT], const float *da,
                                                        float *s, size_t s_stride) {
    __m512 accf[GEMM_NT];
    LF_UNROLL
    for (int t = 0; t < NT; t++) accf[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        float dd[GEMM_NT], nm[GEMM_NT];
        if (six) {
            q6k_blk u;
            q6k_unpack(wr + (size_t)b * sizeof(lf_block_q6_k), &u);
            _mm256_storeu_ps(dd, _mm256_mul_ps(_mm256_set1_ps(u.d), _mm256_loadu_ps(da + GEMM_NT * b)));
            LF_UNROLL
            for (int t = 0; t < NT; t++) q6k_tok(&u, &ar[t][b], &dd[t], &accf[t]);
        } else {
            q4k_blk u;
            q4k_unpack(wr + (size_t)b * sizeof(lf_block_q4_k), &u);
            const __m256 dav = _mm256_loadu_ps(da + GEMM_NT * b);
            _mm256_storeu_ps(dd, _mm256_mul_ps(_mm256_set1_ps(u.d), dav));
            _mm256_storeu_ps(nm, _mm256_xor_ps(_mm256_mul_ps(_mm256_set1_ps(u.dmin), dav), _mm256_set1_ps(-0.0f)));
            LF_UNROLL
            for (int t = 0; t < NT; t++) q4k_tok(&u, &ar[t][b], &dd[t], &nm[t], &accf[t]);
        }
    }
    LF_UNROLL
    for (int t = 0; t < NT; t++) s[(size_t)t * s_stride] = _mm512_reduce_add_ps(accf[t]);
}

static void gemm_k(const int six, int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                   size_t w_stride, const void *a, size_t a_stride) {
    const int64_t nb = n / LF_QK_K;
    if (nb > GEMM_MAXB) {
        for (int64_t t = 0; t < ntok; t++) {
            if (six)
                gemv_q6_k_q8_k_avx512(n, nrows, s + (size_t)t * s_stride, w, w_stride, tok_row(a, a_stride, t));
            else
                gemv_q4_k_q8_k_avx512(n, nrows, s + (size_t)t * s_stride, w, w_stride, tok_row(a, a_stride, t));
        }
        return;
    }
    float da[GEMM_MAXB * GEMM_NT];
    const lf_block_q8_k *ar[GEMM_NT];
    int64_t t0 = 0;
    while (t0 < ntok) {
        /* full tiles of 8, then one of 4, then single tokens; the scale table always holds 8 valid
         * lanes per block (the last token repeated): garbage there could be a subnormal (a microcode
         * assist per multiply) even though those lanes are never used */
        const int64_t left = ntok - t0;
        const int nt = left >= GEMM_NT ? GEMM_NT : left >= 4 ? 4 : 1;
        for (int t = 0; t < GEMM_NT; t++) ar[t] = tok_row(a, a_stride, t0 + (t < nt ? t : nt - 1));
        for (int64_t b = 0; b < nb; b++)
            for (int t = 0; t < GEMM_NT; t++) da[GEMM_NT * b + t] = ar[t][b].d;
        for (int64_t r = 0; r < nrows; r++) {
            const uint8_t *wr = (const uint8_t *)w + (size_t)r * w_stride;
            float *sr = s + (size_t)t0 * s_stride + r;
            if (six) {
                if (nt == GEMM_NT) tile_k(1, GEMM_NT, nb, wr, ar, da, sr, s_stride);
                else if (nt == 4) tile_k(1, 4, nb, wr, ar, da, sr, s_stride);
                else tile_k(1, 1, nb, wr, ar, da, sr, s_stride);
            } else {
                if (nt == GEMM_NT) tile_k(0, GEMM_NT, nb, wr, ar, da, sr, s_stride);
                else if (nt == 4) tile_k(0, 4, nb, wr, ar, da, sr, s_stride);
                else tile_k(0, 1, nb, wr, ar, da, sr, s_stride);
            }
        }
        t0 += nt;
    }
}

/* ---- entry points ----------------------------------------------------------------------------- */

#define K_ENTRIES(NAME, PASS)                                                                                     \
    void gemv_##NAME##_q8_k_avx512(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,          \
                                   const void *a) {                                                             \
        const uint8_t *row[4];                                                                                  \
        float t[4];                                                                                             \
        int64_t r = 0;                                                                                          \
        for (; r + 4 <= nrows; r += 4) {                                                                        \
            pass_rows(w, w_stride, r, row);                                                                     \
            PASS(4, n / LF_QK_K, row, a, t);                                                                    \
            memcpy(s + r, t, sizeof t);                                                                         \
        }                                                                                                       \
        for (; r < nrows; r++) {                                                                                \
            row[0] = (const uint8_t *)w + (size_t)r * w_stride;                                                 \
            PASS(1, n / LF_QK_K, row, a, t);                                                                    \
            s[r] = t[0];                                                                                        \
        }                                                                                                       \
    }                                                                                                           \
    void dot_##NAME##_q8_k_avx512(int64_t n, float *s, const void *w, const void *a) {                          \
        const uint8_t *row[4] = {w, w, w, w};                                                                   \
        float t[4];                                                                                             \
        PASS(1, n / LF_QK_K, row, a, t);                                                                        \
        *s = t[0];                                                                                              \
    }

#define PASS_Q4(NR, nb, row, a, t) pass_q4_k(NR, nb, row, a, t)
#define PASS_Q5(NR, nb, row, a, t) pass_q45_k(NR, 1, nb, row, a, t)
#define PASS_Q6(NR, nb, row, a, t) pass_q6_k(NR, nb, row, a, t)

K_ENTRIES(q4_k, PASS_Q4)
K_ENTRIES(q5_k, PASS_Q5)
K_ENTRIES(q6_k, PASS_Q6)

void gemm_q4_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride) {
    gemm_k(0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q6_k_q8_k_avx512(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride) {
    gemm_k(1, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
