/* kernels/x86_avx512/q8_block_tokens.h - the step both Q8_0-activation gemms (in-call panels,
 * gemm_avx512.c; load-time packed layout, gemm_packed_avx512.c) take for one block of 16 rows: with
 * each row's 32 codes unsigned in the lanes of 8 registers (lane i = row i, register g = codes
 * 4g..4g+3) and the rows' f32 scales, add the block to NT tokens' accumulators.
 *
 * Per token: 8 vpdpbusd with the token's 4 activation bytes broadcast from memory leave each row's exact
 * integer block sum in its lane, starting from the block's -8*sum(a) (Q4_0 codes 0..15) or -128*sum(a)
 * (Q8_0 codes + 128), the lf_act_side entry, which removes the unsigned offset. Then the reference's f32
 * steps in its order (Q4_0: acc += ((float)sum * dw) * da; Q8_0: acc += (float)sum * (dw * da)), so
 * outputs are bit-identical to the reference dot. Private to kernels/x86_avx512 (its compile flags). */
#ifndef LF_KERNELS_X86_AVX512_Q8_BLOCK_TOKENS_H
#define LF_KERNELS_X86_AVX512_Q8_BLOCK_TOKENS_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "format/quant_blocks.h"
#include "kernels/kernels.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* the f32 steps must stay separate roundings */
#endif

static inline int32_t lf_q8bt_load_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* acc[j] += block b of the 16 rows (codes wq, scales dw) against token j (Q8_0 row tq[j], side entries
 * ts[j]), for j < NT. HI16 (Q4_0 only): wq[4..7] hold 16 x the high nibbles (the byte masked with 0xF0,
 * which saves the unpack a shift per vector), so their chain's sum is shifted right by 4, exactly. */
static inline __attribute__((always_inline)) void lf_q8_block_tokens(const __m512i wq[8], __m512 dw, int64_t b,
                                                                   const uint8_t *const tq[8],
                                                                   const lf_act_side *const ts[8], __m512 acc[8],
                                                                   const int NT, const int Q4, const int HI16) {
    _Pragma("GCC unroll 8") for (int j = 0; j < NT; j++) {
        const uint8_t *aq = tq[j] + (size_t)b * sizeof(lf_block_q8_0) + 2;
        const lf_act_side *sd = &ts[j][b];
        /* two dependent chains of 4 (codes 0-15, 16-31), not one of 8: the integer sum is the same, and
         * with a few tokens the chain's latency, not the ports, was the limit (4 tokens: 154 -> 177 GMAC/s) */
        __m512i s = _mm512_set1_epi32(Q4 ? sd->neg8_sum : sd->neg128_sum), s1 = _mm512_setzero_si512();
        _Pragma("GCC unroll 8") for (int g = 0; g < 4; g++) {
            s = _mm512_dpbusd_epi32(s, wq[g], _mm512_set1_epi32(lf_q8bt_load_i32(aq + 4 * g)));
            s1 = _mm512_dpbusd_epi32(s1, wq[g + 4], _mm512_set1_epi32(lf_q8bt_load_i32(aq + 4 * g + 16)));
        }
        s = _mm512_add_epi32(s, HI16 ? _mm512_srai_epi32(s1, 4) : s1); /* an exact multiple of 16 */
        const __m512 f = _mm512_cvtepi32_ps(s);
        const __m512 da = _mm512_set1_ps(sd->d);
        const __m512 prod = Q4 ? _mm512_mul_ps(_mm512_mul_ps(f, dw), da) : _mm512_mul_ps(f, _mm512_mul_ps(dw, da));
        acc[j] = _mm512_add_ps(acc[j], prod);
    }
}

#endif
