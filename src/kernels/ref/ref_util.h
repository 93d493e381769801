/* kernels/ref/ref_util.h - small scalar helpers shared by the reference kernels (private to
 * kernels/). Float -> integer conversions here return exactly what ggml's reference casts return for
 * in-range values, and saturate (NaN -> 0) instead of invoking undefined behaviour otherwise. */
#ifndef LF_KERNELS_REF_UTIL_H
#define LF_KERNELS_REF_UTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* (int8_t)roundf(v): nearest, ties away from zero (ggml quantize_row_q8_0_ref / _q8_1_ref). */
static inline int8_t lf_ref_round_i8(float v) {
    float r = roundf(v);
    if (r != r) return 0;
    if (r > 127.0f) return 127;
    if (r < -128.0f) return -128;
    return (int8_t)r;
}

/* Nearest, ties to even, saturating (what ggml's x86 SIMD quantize_row_q8_0/q8_1 compute with
 * _mm256_round_ps(_MM_ROUND_NEAREST) + cvtps + saturating packs). */
static inline int8_t lf_ref_rint_i8(float v) {
    float r = rintf(v);
    if (r != r) return 0;
    if (r > 127.0f) return 127;
    if (r < -128.0f) return -128;
    return (int8_t)r;
}

/* (int8_t)v: truncation toward zero (ggml quantize_row_q4_0_ref's `(int8_t)(x + 8.5f)`). */
static inline int8_t lf_ref_trunc_i8(float v) {
    if (v != v) return 0;
    if (v >= 128.0f) return 127;
    if (v <= -129.0f) return -128;
    return (int8_t)v;
}

/* Nearest integer, ties to even, for |v| <= 2^22 (ggml's nearest_int in the K-quant code): adding
 * 1.5 * 2^23 leaves the rounded integer in the low mantissa bits. Out-of-range input gives a
 * meaningless but defined value. */
static inline int lf_ref_nearest_int(float v) {
    float t = v + 12582912.0f;
    int32_t i;
    memcpy(&i, &t, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

#endif
