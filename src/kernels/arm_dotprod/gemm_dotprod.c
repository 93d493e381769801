/* kernels/arm_dotprod/gemm_dotprod.c - Q8_0 x Q8_0 and Q4_0 x Q8_0 gemms with sdot by lane
 * (prefill; packed-panel driver in arm_neon/gemm_panel.h). Bit-identical per output to
 * dot_q8_0_q8_0_ref / dot_q4_0_q8_0_ref.
 *
 * Panel layout (per block b, 256 bytes): 16-byte vector (g, h) at q[b] + (2g + h) * 16 holds bytes
 * 4g..4g+3 of rows 4h..4h+3, lane i (int32) = row 4h+i: a 4x4 transpose of 32-bit groups done once
 * per chunk. Then vdotq_laneq_s32(acc, P(g, h), act16, g % 4) adds to lane i the exact sum of row
 * 4h+i's 4 codes times the token's codes 4g..4g+3: after the 8 groups, lane i holds row i's exact
 * int32 block sum - no horizontal reduction, each activation vector loaded once per token and used
 * through its lane index, each panel vector loaded once per block for the 4 tokens of the tile.
 *
 * Instruction count (gcc 12 -O2, objdump of the block loop): per block and 8 x 4 tile (32 outputs)
 * 160 instructions - 64 sdot, 32 f32 (8 scvtf, 16 fmul, 8 fadd), 8 for the token scales, 11 movs
 * zeroing the int32 chains, 29 loads of codes/scales and 7 load/store pairs for spilled f32
 * accumulators: 5.0 instructions and about 3.6 SIMD-pipe operations per output and block. The former
 * 4 x 4 tile (arm_neon/gemm_body.h) takes about 180 per block for 16 outputs (11 per output; 5.6 SIMD:
 * 2 sdot, 3/4 addp, the f32 epilogue, register copies, and the row scales gathered with scalar loads
 * every block). At 2 sdot/cycle (Cortex-A76) that is about 1.8 against 2.8 cycles per output and block.
 * The packing (16 loads, 16 trn, 16 stores per block and 8 rows) is spread over every token of the
 * call (up to 64 from ops/matmul.c). */
#include <arm_neon.h>

#include "kernels/arm_dotprod/dotprod.h"
#include "kernels/arm_neon/gemm_panel.h"

/* in[k] = 16 bytes of row k; out[g] lane i = 32-bit group g of row i (4x4 transpose of int32). */
static inline void transpose4(const int8x16_t in[4], int8_t *out) {
    const int32x4_t r0 = vreinterpretq_s32_s8(in[0]), r1 = vreinterpretq_s32_s8(in[1]);
    const int32x4_t r2 = vreinterpretq_s32_s8(in[2]), r3 = vreinterpretq_s32_s8(in[3]);
    const int64x2_t t0 = vreinterpretq_s64_s32(vtrn1q_s32(r0, r1)), t1 = vreinterpretq_s64_s32(vtrn2q_s32(r0, r1));
    const int64x2_t t2 = vreinterpretq_s64_s32(vtrn1q_s32(r2, r3)), t3 = vreinterpretq_s64_s32(vtrn2q_s32(r2, r3));
    /* out stride: 32 bytes between groups (the other half's vector sits in between) */
    vst1q_s8(out + 0 * 32, vreinterpretq_s8_s64(vtrn1q_s64(t0, t2)));
    vst1q_s8(out + 1 * 32, vreinterpretq_s8_s64(vtrn1q_s64(t1, t3)));
    vst1q_s8(out + 2 * 32, vreinterpretq_s8_s64(vtrn2q_s64(t0, t2)));
    vst1q_s8(out + 3 * 32, vreinterpretq_s8_s64(vtrn2q_s64(t1, t3)));
}

static inline void pack(int q4, lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb) {
    const size_t bs = q4 ? sizeof(lf_block_q4_0) : sizeof(lf_block_q8_0);
    for (int b = 0; b < kb; b++) {
        const size_t off = (size_t)(b0 + b) * bs;
        for (int h = 0; h < 2; h++) {
            int8x16_t lo[4], hi[4];
            for (int k = 0; k < 4; k++) lf_panel_codes(q4, row[4 * h + k] + off + 2, &lo[k], &hi[k]);
            transpose4(lo, p->q[b] + h * 16);          /* groups 0..3 */
            transpose4(hi, p->q[b] + 4 * 32 + h * 16); /* groups 4..7 */
            vst1q_f32(p->d[b] + 4 * h, lf_neon_scales4(row + 4 * h, off));
        }
    }
}

static void pack_q8_0(lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb) {
    pack(0, p, row, b0, kb);
}

static void pack_q4_0(lf_gemm_panel *p, const uint8_t *const row[LF_PANEL_ROWS], int64_t b0, int kb) {
    pack(1, p, row, b0, kb);
}

/* group g of the panel block pq against lane `lane` of the tokens' activation half `half` */
#define LF_SDOT_GROUP(g, half, lane)                                                                      \
    do {                                                                                                  \
        const int8x16_t p0 = vld1q_s8(pq + (g) * 32), p1 = vld1q_s8(pq + (g) * 32 + 16);                  \
        _Pragma("GCC unroll 4") for (int t = 0; t < LF_PANEL_NT; t++) {                                   \
            si[t][0] = vdotq_laneq_s32(si[t][0], p0, av[t][half], lane);                                  \
            si[t][1] = vdotq_laneq_s32(si[t][1], p1, av[t][half], lane);                                  \
        }                                                                                                 \
    } while (0)

static inline __attribute__((always_inline)) void tile(int q4, const lf_gemm_panel *p, int kb, const uint8_t *const a_tok[LF_PANEL_NT],
                        float acc_io[LF_PANEL_NT][LF_PANEL_ROWS]) {
    float32x4_t acc[LF_PANEL_NT][2];
#pragma GCC unroll 4
    for (int t = 0; t < LF_PANEL_NT; t++)
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) acc[t][h] = vld1q_f32(acc_io[t] + 4 * h);
    for (int b = 0; b < kb; b++) {
        const int8_t *pq = p->q[b];
        int8x16_t av[LF_PANEL_NT][2];
        int32x4_t si[LF_PANEL_NT][2];
        float da[LF_PANEL_NT];
#pragma GCC unroll 4
        for (int t = 0; t < LF_PANEL_NT; t++) {
            const lf_block_q8_0 *ab = (const lf_block_q8_0 *)a_tok[t] + b;
            av[t][0] = vld1q_s8(ab->qs), av[t][1] = vld1q_s8(ab->qs + 16);
            da[t] = lf_neon_h2f(ab->d);
            si[t][0] = si[t][1] = vdupq_n_s32(0);
        }
        LF_SDOT_GROUP(0, 0, 0);
        LF_SDOT_GROUP(1, 0, 1);
        LF_SDOT_GROUP(2, 0, 2);
        LF_SDOT_GROUP(3, 0, 3);
        LF_SDOT_GROUP(4, 1, 0);
        LF_SDOT_GROUP(5, 1, 1);
        LF_SDOT_GROUP(6, 1, 2);
        LF_SDOT_GROUP(7, 1, 3);
        const float32x4_t dw[2] = {vld1q_f32(p->d[b]), vld1q_f32(p->d[b] + 4)};
#pragma GCC unroll 4
        for (int t = 0; t < LF_PANEL_NT; t++)
#pragma GCC unroll 2
            for (int h = 0; h < 2; h++) {
                const float32x4_t f = vcvtq_f32_s32(si[t][h]);
                if (q4) /* reference: sumi * dw * da, left to right */
                    acc[t][h] = vaddq_f32(acc[t][h], vmulq_n_f32(vmulq_f32(f, dw[h]), da[t]));
                else /* reference: sumi * (dw * da) */
                    acc[t][h] = vaddq_f32(acc[t][h], vmulq_f32(f, vmulq_n_f32(dw[h], da[t])));
            }
    }
#pragma GCC unroll 4
    for (int t = 0; t < LF_PANEL_NT; t++)
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) vst1q_f32(acc_io[t] + 4 * h, acc[t][h]);
}

#undef LF_SDOT_GROUP

static void tile_q8_0(const lf_gemm_panel *p, int kb, const uint8_t *const a_tok[LF_PANEL_NT],
                      float acc[LF_PANEL_NT][LF_PANEL_ROWS]) {
    tile(0, p, kb, a_tok, acc);
}

static void tile_q4_0(const lf_gemm_panel *p, int kb, const uint8_t *const a_tok[LF_PANEL_NT],
                      float acc[LF_PANEL_NT][LF_PANEL_ROWS]) {
    tile(1, p, kb, a_tok, acc);
}

void gemm_q8_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    lf_panel_run(pack_q8_0, tile_q8_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}

void gemm_q4_0_q8_0_dotprod(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                            size_t w_stride, const void *a, size_t a_stride) {
    lf_panel_run(pack_q4_0, tile_q4_0, n, nrows, ntok, s, s_stride, w, w_stride, a, a_stride);
}
