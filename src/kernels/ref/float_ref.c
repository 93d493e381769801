/* kernels/ref/float_ref.c - scalar reference conversions and dot products of the float types
 * (F32, F16, BF16).
 *
 * Numerics follow ggml's CPU reference: f32 -> f16 and f32 -> bf16 round to nearest even
 * (format/dtype.h); the dot products form each product in f32 (exact for f16*f16 and bf16*bf16)
 * and accumulate in double, as ggml_vec_dot_{f32,f16,bf16} do without SIMD (ggml_float sums).
 */
#include <string.h>

#include "format/dtype.h"
#include "kernels/ref/ref.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

void dequant_row_f32_ref(const void *x, float *y, int64_t n) {
    memcpy(y, x, (size_t)n * sizeof(float));
}

void dequant_row_f16_ref(const void *x, float *y, int64_t n) {
    const uint16_t *h = x;
    for (int64_t i = 0; i < n; i++) y[i] = lf_fp16_to_f32(h[i]);
}

void dequant_row_bf16_ref(const void *x, float *y, int64_t n) {
    const uint16_t *h = x;
    for (int64_t i = 0; i < n; i++) y[i] = lf_bf16_to_f32(h[i]);
}

void quantize_row_f32_ref(const float *x, void *y, int64_t n) {
    memcpy(y, x, (size_t)n * sizeof(float));
}

void quantize_row_f16_ref(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    for (int64_t i = 0; i < n; i++) h[i] = lf_f32_to_fp16(x[i]);
}

void quantize_row_bf16_ref(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    for (int64_t i = 0; i < n; i++) h[i] = lf_f32_to_bf16(x[i]);
}

void dot_f32_f32_ref(int64_t n, float *s, const void *w, const void *a) {
    const float *x = w, *y = a;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * y[i]);
    *s = (float)sum;
}

void dot_f16_f16_ref(int64_t n, float *s, const void *w, const void *a) {
    const uint16_t *x = w, *y = a;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(lf_fp16_to_f32(x[i]) * lf_fp16_to_f32(y[i]));
    *s = (float)sum;
}

void dot_bf16_bf16_ref(int64_t n, float *s, const void *w, const void *a) {
    const uint16_t *x = w, *y = a;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(lf_bf16_to_f32(x[i]) * lf_bf16_to_f32(y[i]));
    *s = (float)sum;
}
