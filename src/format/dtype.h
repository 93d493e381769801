/* format/dtype.h - ggml tensor types: ids (on disk, numbered explicitly), block sizes, names, and
 * fp16/bf16 conversion. Reference: MODEL-SPEC sections 4 and 5. */
#ifndef LF_FORMAT_DTYPE_H
#define LF_FORMAT_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum lf_dtype {
    LF_DT_F32 = 0,
    LF_DT_F16 = 1,
    LF_DT_Q4_0 = 2,
    LF_DT_Q4_1 = 3,
    /* 4, 5: Q4_2, Q4_3 (removed upstream) */
    LF_DT_Q5_0 = 6,
    LF_DT_Q5_1 = 7,
    LF_DT_Q8_0 = 8,
    LF_DT_Q8_1 = 9,
    LF_DT_Q2_K = 10,
    LF_DT_Q3_K = 11,
    LF_DT_Q4_K = 12,
    LF_DT_Q5_K = 13,
    LF_DT_Q6_K = 14,
    LF_DT_Q8_K = 15,
    /* 16..29: IQ types, I8..I64, F64 (recognised by size, not computed) */
    LF_DT_BF16 = 30,
    LF_DT_COUNT = 40
};

typedef struct lf_dtype_info {
    const char *name;   /* "Q4_0" */
    uint32_t blck;      /* elements per block */
    uint32_t type_size; /* bytes per block */
    bool compute;       /* true if lfmrt can dequantize / dot it */
} lf_dtype_info;

/* NULL for an unknown id (or a removed one). */
const lf_dtype_info *lf_dtype_get(uint32_t type);
/* "Q4_0", or "?" for unknown. */
const char *lf_dtype_name(uint32_t type);
/* Parses "q4_0"/"Q4_0"/"f32"...; returns -1 if unknown. */
int lf_dtype_from_name(const char *name);
/* Bytes of a row of ne0 elements; false if the type is unknown or blck does not divide ne0. */
bool lf_dtype_row_size(uint32_t type, int64_t ne0, size_t *out);

/* fp16 <-> f32, IEEE binary16, round to nearest even (ggml's GGML_FP32_TO_FP16 semantics). */
static inline float lf_fp16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal */
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) {
                man <<= 1;
                exp--;
            }
            man &= 0x3ff;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp - 15 + 127) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* f32 -> IEEE binary16, round to nearest, ties to even; overflow goes to +-inf, NaN to a quiet NaN
 * (sign | 0x7e00, as ggml's software converter). Proven against the compiler's _Float16 conversion
 * and an independent double-precision model in tests/kernels/test_fp16.c. */
static inline uint16_t lf_f32_to_fp16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0));
    if (ax >= 0x477ff000u) /* >= 65520 = 65504 + half an ulp: rounds to inf */
        return (uint16_t)(sign | 0x7c00);
    if (ax < 0x38800000u) { /* below 2^-14, the smallest normal half: subnormal or zero */
        if (ax < 0x33000000u) return (uint16_t)sign; /* < 2^-25: rounds to 0 */
        /* value = m * 2^(e-150) with the implicit bit in m; the half subnormal unit is 2^-24, so
         * the code is m * 2^(e-126): drop s = 126 - e bits (14..24), rounding to nearest even.
         * A carry into bit 10 yields the smallest normal, which is the right encoding. */
        uint32_t e = ax >> 23;
        uint32_t m = (ax & 0x7fffffu) | 0x800000u;
        uint32_t s = 126 - e;
        uint32_t q = m >> s;
        uint32_t rem = m & ((1u << s) - 1);
        uint32_t half = 1u << (s - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return (uint16_t)(sign | q);
    }
    /* normal: rebias the exponent (127 -> 15) and drop 13 mantissa bits, nearest even; a carry
     * out of the mantissa correctly bumps the exponent (never to inf, checked above). */
    uint32_t h = (ax >> 13) - ((127u - 15u) << 10);
    uint32_t rem = ax & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

static inline float lf_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* ggml_compute_fp32_to_bf16: NaN kept quiet, otherwise round to nearest even. */
static inline uint16_t lf_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64);
    return (uint16_t)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
}

#endif
