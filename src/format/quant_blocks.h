/* format/quant_blocks.h - packed block layouts of the ggml quantized types (MODEL-SPEC section 5).
 *
 * Each struct is the exact on-disk byte layout of one block; sizes are checked at compile time
 * against the dtype table (format/dtype.c). Half-precision fields hold raw IEEE binary16 bits
 * (convert with lf_fp16_to_f32); every multi-byte field is little-endian (lfmrt runs on
 * little-endian hosts only). Blocks run along ne0 within a row; rows never share a block.
 *
 * Alignment: blocks inside a GGUF tensor are only 2-byte aligned (18, 20, 22 ... byte strides after
 * a 32-byte aligned tensor start), which every struct here except lf_block_q8_k tolerates.
 * Q8_K (f32 d) is an activation-only type that lives in buffers lfmrt allocates itself.
 */
#ifndef LF_FORMAT_QUANT_BLOCKS_H
#define LF_FORMAT_QUANT_BLOCKS_H

#include <stdint.h>

#define LF_QK 32   /* elements per block of the 32-element ("legacy") types */
#define LF_QK_K 256 /* elements per block of the K-quant types */
#define LF_K_SCALE_SIZE 12

/* Q8_0: y[j] = d * qs[j] */
typedef struct lf_block_q8_0 {
    uint16_t d;        /* f16 scale */
    int8_t qs[LF_QK];  /* codes */
} lf_block_q8_0;

/* Q8_1 (activation type for Q4_1/Q5_1): as Q8_0 plus s = d * sum(qs) */
typedef struct lf_block_q8_1 {
    uint16_t d;        /* f16 scale */
    uint16_t s;        /* f16: d * sum(qs) */
    int8_t qs[LF_QK];
} lf_block_q8_1;

/* Q4_0: element j < 16 is the low nibble of qs[j], element j + 16 the high nibble; y = d*(q-8) */
typedef struct lf_block_q4_0 {
    uint16_t d;
    uint8_t qs[LF_QK / 2];
} lf_block_q4_0;

/* Q4_1: nibbles as Q4_0; y = d*q + m */
typedef struct lf_block_q4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[LF_QK / 2];
} lf_block_q4_1;

/* Q5_0: nibbles as Q4_0 plus fifth bit j of qh (as a little-endian u32); y = d*(q-16) */
typedef struct lf_block_q5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[LF_QK / 2];
} lf_block_q5_0;

/* Q5_1: codes as Q5_0; y = d*q + m */
typedef struct lf_block_q5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[LF_QK / 2];
} lf_block_q5_1;

/* Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins packed in scales[12] (MODEL-SPEC 5);
 * y = d*sc*q - dmin*mn */
typedef struct lf_block_q4_k {
    uint16_t d;    /* f16 super-scale of the scales */
    uint16_t dmin; /* f16 super-scale of the mins */
    uint8_t scales[LF_K_SCALE_SIZE];
    uint8_t qs[LF_QK_K / 2];
} lf_block_q4_k;

/* Q5_K: Q4_K plus a fifth bit per element in qh */
typedef struct lf_block_q5_k {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[LF_K_SCALE_SIZE];
    uint8_t qh[LF_QK_K / 8];
    uint8_t qs[LF_QK_K / 2];
} lf_block_q5_k;

/* Q6_K: 16 sub-blocks of 16 with signed 8-bit scales; d comes LAST; y = d*scale*(q-32) */
typedef struct lf_block_q6_k {
    uint8_t ql[LF_QK_K / 2]; /* low 4 bits */
    uint8_t qh[LF_QK_K / 4]; /* high 2 bits */
    int8_t scales[LF_QK_K / 16];
    uint16_t d;
} lf_block_q6_k;

/* Q8_K (activation type for the K-quants): y = d * qs; bsums[i] = sum of qs[16i .. 16i+15] */
typedef struct lf_block_q8_k {
    float d;
    int8_t qs[LF_QK_K];
    int16_t bsums[LF_QK_K / 16];
} lf_block_q8_k;

_Static_assert(sizeof(lf_block_q8_0) == 34, "Q8_0 block is 34 bytes");
_Static_assert(sizeof(lf_block_q8_1) == 36, "Q8_1 block is 36 bytes");
_Static_assert(sizeof(lf_block_q4_0) == 18, "Q4_0 block is 18 bytes");
_Static_assert(sizeof(lf_block_q4_1) == 20, "Q4_1 block is 20 bytes");
_Static_assert(sizeof(lf_block_q5_0) == 22, "Q5_0 block is 22 bytes");
_Static_assert(sizeof(lf_block_q5_1) == 24, "Q5_1 block is 24 bytes");
_Static_assert(sizeof(lf_block_q4_k) == 144, "Q4_K block is 144 bytes");
_Static_assert(sizeof(lf_block_q5_k) == 176, "Q5_K block is 176 bytes");
_Static_assert(sizeof(lf_block_q6_k) == 210, "Q6_K block is 210 bytes");
_Static_assert(sizeof(lf_block_q8_k) == 292, "Q8_K block is 292 bytes");

/* Sub-block s (0..7) 6-bit scale and min of a Q4_K/Q5_K block (MODEL-SPEC 5, both packing cases). */
static inline void lf_k_scale_min(int s, const uint8_t *scales, uint8_t *sc, uint8_t *mn) {
    if (s < 4) {
        *sc = scales[s] & 63;
        *mn = scales[s + 4] & 63;
    } else {
        *sc = (uint8_t)((scales[s + 4] & 15) | ((scales[s - 4] >> 6) << 4));
        *mn = (uint8_t)((scales[s + 4] >> 4) | ((scales[s] >> 6) << 4));
    }
}

#endif
