/* kernels/ref/q32_ref.c - scalar reference kernels of the 32-element block types: Q8_0, Q8_1, Q4_0,
 * Q4_1, Q5_0, Q5_1 (dequantize), Q8_0, Q8_1, Q4_0 (quantize) and their dot products with the
 * activation types Q8_0 / Q8_1.
 *
 * Numerics replicate ggml: quantize_row_{q8_0,q8_1,q4_0}_ref for quantization (including the
 * order of float operations and the f32 `d` used for the inverse scale before it is rounded to
 * f16), dequantize_row_* for dequantization, and ggml_vec_dot_*_generic for the dots: an exact
 * integer sum per block, scaled and accumulated in f32 in block order with the same operand order
 * (Q4_0: sumi*dw*da; Q8_0: sumi*(dw*da); Q5_0: (dw*da)*sumi; Q4_1/Q5_1: (dw*da)*sumi + mw*sa).
 * n is always a multiple of 32 (callers guarantee it; not checked here).
 */
#include <math.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/ref/ref.h"
#include "kernels/ref/ref_util.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- dequantize ------------------------------------------------------------------------------- */

void dequant_row_q8_0_ref(const void *x, float *y, int64_t n) {
    const lf_block_q8_0 *b = x;
    for (int64_t i = 0; i < n / LF_QK; i++, y += LF_QK) {
        const float d = lf_fp16_to_f32(b[i].d);
        for (int j = 0; j < LF_QK; j++) y[j] = b[i].qs[j] * d;
    }
}

void dequant_row_q8_1_ref(const void *x, float *y, int64_t n) {
    const lf_block_q8_1 *b = x;
    for (int64_t i = 0; i < n / LF_QK; i++, y += LF_QK) {
        const float d = lf_fp16_to_f32(b[i].d);
        for (int j = 0; j < LF_QK; j++) y[j] = b[i].qs[j] * d;
    }
}

void dequant_row_q4_0_ref(const void *x, float *y, int64_t n) {
    const lf_block_q4_0 *b = x;
    for (int64_t i = 0; i < n / LF_QK; i++, y += LF_QK) {
        const float d = lf_fp16_to_f32(b[i].d);
        for (int j = 0; j < LF_QK / 2; j++) {
            y[j] = ((b[i].qs[j] & 15) - 8) * d;
            y[j + 16] = ((b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequant_row_q4_1_ref(const void *x, float *y, int64_t n) {
    const lf_block_q4_1 *b = x;
    for (int64_t i = 0; i < n / LF_QK; i++, y += LF_QK) {
        const float d = lf_fp16_to_f32(b[i].d);
        const float m = lf_fp16_to_f32(b[i].m);
        for (int j = 0; j < LF_QK / 2; j++) {
            y[j] = (b[i].qs[j] & 15) * d + m;
            y[j + 16] = (b[i].qs[j] >> 4) * d + m;
        }
    }
}

/* 5-bit codes of a Q5_0/Q5_1 block: low nibble of qs[j] | bit j of qh (elements 0..15), high nibble
 * | bit j+16 (elements 16..31). */
static inline uint32_t q5_high_bits(const uint8_t qh[4]) {
    return (uint32_t)qh[0] | (uint32_t)qh[1] << 8 | (uint32_t)qh[2] << 16 | (uint32_t)qh[3] << 24;
}

void dequant_row_q5_0_ref(const void *x, float *y, int64_t n) {
    const lf_block_q5_0 *b = x;
    for (int64_t i = 0; i < n / LF_QK; i++, y += LF_QK) {
        const float d = lf_fp16_to_f32(b[i].d);
        const uint32_t qh = q5_high_bits(b[i].qh);
        for (int j = 0; j < LF_QK / 2; j++) {
            const int c0 = (b[i].qs[j] & 15) | (int)((qh >> j) & 1) << 4;
            const int c1 = (b[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            y[j] = (c0 - 16) * d;
            y[j + 16] = (c1 - 16) * d;
        }
    }
}

void dequant_row_q5_1_ref(const void *x, float *y, int64_t n) {
    const lf_block_q5_1 *b = x;
    for (int64_t i = 0; i < n / LF_QK; i++, y += LF_QK) {
        const float d = lf_fp16_to_f32(b[i].d);
        const float m = lf_fp16_to_f32(b[i].m);
        const uint32_t qh = q5_high_bits(b[i].qh);
        for (int j = 0; j < LF_QK / 2; j++) {
            const int c0 = (b[i].qs[j] & 15) | (int)((qh >> j) & 1) << 4;
            const int c1 = (b[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            y[j] = c0 * d + m;
            y[j + 16] = c1 * d + m;
        }
    }
}

/* ---- quantize --------------------------------------------------------------------------------- */

/* Q8_0 activations as ggml's x86 runtime quantizer computes them (not its scalar _ref): d = amax/127
 * (stored f16), q = rint(x * (127/amax)), ties to even. llama.cpp's logits depend on this choice. */
void quantize_row_q8_0_ref(const float *x, void *y, int64_t n) {
    lf_block_q8_0 *b = y;
    for (int64_t i = 0; i < n / LF_QK; i++, x += LF_QK) {
        float amax = 0.0f;
        for (int j = 0; j < LF_QK; j++) {
            const float v = fabsf(x[j]);
            amax = amax > v ? amax : v;
        }
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        b[i].d = lf_f32_to_fp16(d);
        for (int j = 0; j < LF_QK; j++) b[i].qs[j] = lf_ref_rint_i8(x[j] * id);
    }
}

/* Q8_1: Q8_0 plus s = f16(sum(q) * d) with the f32 d. */
void quantize_row_q8_1_ref(const float *x, void *y, int64_t n) {
    lf_block_q8_1 *b = y;
    for (int64_t i = 0; i < n / LF_QK; i++, x += LF_QK) {
        float amax = 0.0f;
        for (int j = 0; j < LF_QK; j++) {
            const float v = fabsf(x[j]);
            amax = amax > v ? amax : v;
        }
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        b[i].d = lf_f32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < LF_QK; j++) {
            b[i].qs[j] = lf_ref_rint_i8(x[j] * id);
            sum += b[i].qs[j];
        }
        b[i].s = lf_f32_to_fp16((float)sum * d);
    }
}

/* Q4_0: the element of largest magnitude keeps its sign (first one wins on ties), d = max / -8,
 * q = min(15, (int8)(x/d + 8.5)); so the extreme element maps to code 0 and the range is
 * [-8d .. 7d] in the direction of the extreme. */
void quantize_row_q4_0_ref(const float *x, void *y, int64_t n) {
    lf_block_q4_0 *b = y;
    for (int64_t i = 0; i < n / LF_QK; i++, x += LF_QK) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < LF_QK; j++) {
            if (amax < fabsf(x[j])) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = lf_f32_to_fp16(d);
        for (int j = 0; j < LF_QK / 2; j++) {
            int q0 = lf_ref_trunc_i8(x[j] * id + 8.5f);
            int q1 = lf_ref_trunc_i8(x[j + 16] * id + 8.5f);
            q0 = q0 < 15 ? q0 : 15;
            q1 = q1 < 15 ? q1 : 15;
            b[i].qs[j] = (uint8_t)((q0 & 15) | (q1 & 15) << 4);
        }
    }
}

/* ---- dot products ----------------------------------------------------------------------------- */

void dot_q8_0_q8_0_ref(int64_t n, float *s, const void *w, const void *a) {
    const lf_block_q8_0 *x = w;
    const lf_block_q8_0 *y = a;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / LF_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < LF_QK; j++) sumi += x[i].qs[j] * y[i].qs[j];
        sum += (float)sumi * (lf_fp16_to_f32(x[i].d) * lf_fp16_to_f32(y[i].d));
    }
    *s = sum;
}

void dot_q4_0_q8_0_ref(int64_t n, float *s, const void *w, const void *a) {
    const lf_block_q4_0 *x = w;
    const lf_block_q8_0 *y = a;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / LF_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < LF_QK / 2; j++) {
            sumi += ((x[i].qs[j] & 15) - 8) * y[i].qs[j];
            sumi += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + 16];
        }
        sum += (float)sumi * lf_fp16_to_f32(x[i].d) * lf_fp16_to_f32(y[i].d);
    }
    *s = sum;
}

void dot_q5_0_q8_0_ref(int64_t n, float *s, const void *w, const void *a) {
    const lf_block_q5_0 *x = w;
    const lf_block_q8_0 *y = a;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / LF_QK; i++) {
        const uint32_t qh = q5_high_bits(x[i].qh);
        int sumi = 0;
        for (int j = 0; j < LF_QK / 2; j++) {
            const int c0 = (x[i].qs[j] & 15) | (int)((qh >> j) & 1) << 4;
            const int c1 = (x[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            sumi += (c0 - 16) * y[i].qs[j];
            sumi += (c1 - 16) * y[i].qs[j + 16];
        }
        sum += (lf_fp16_to_f32(x[i].d) * lf_fp16_to_f32(y[i].d)) * (float)sumi;
    }
    *s = sum;
}

void dot_q4_1_q8_1_ref(int64_t n, float *s, const void *w, const void *a) {
    const lf_block_q4_1 *x = w;
    const lf_block_q8_1 *y = a;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / LF_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < LF_QK / 2; j++) {
            sumi += (x[i].qs[j] & 15) * y[i].qs[j];
            sumi += (x[i].qs[j] >> 4) * y[i].qs[j + 16];
        }
        sum += (lf_fp16_to_f32(x[i].d) * lf_fp16_to_f32(y[i].d)) * (float)sumi +
               lf_fp16_to_f32(x[i].m) * lf_fp16_to_f32(y[i].s);
    }
    *s = sum;
}

void dot_q5_1_q8_1_ref(int64_t n, float *s, const void *w, const void *a) {
    const lf_block_q5_1 *x = w;
    const lf_block_q8_1 *y = a;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / LF_QK; i++) {
        const uint32_t qh = q5_high_bits(x[i].qh);
        int sumi = 0;
        for (int j = 0; j < LF_QK / 2; j++) {
            const int c0 = (x[i].qs[j] & 15) | (int)((qh >> j) & 1) << 4;
            const int c1 = (x[i].qs[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            sumi += c0 * y[i].qs[j];
            sumi += c1 * y[i].qs[j + 16];
        }
        sum += (lf_fp16_to_f32(x[i].d) * lf_fp16_to_f32(y[i].d)) * (float)sumi +
               lf_fp16_to_f32(x[i].m) * lf_fp16_to_f32(y[i].s);
    }
    *s = sum;
}
