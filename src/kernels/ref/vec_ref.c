/* kernels/ref/vec_ref.c - scalar reference f32 vector kernels (contracts: kernels/vec.h). */
#include <math.h>

#include "format/dtype.h"
#include "kernels/vec.h"

/* ggml's vectorised expf (an adaptation of Arm's optimized-routines expf): n = round(x / ln2) by the
 * 1.5*2^23 shift trick, a two-constant Cody-Waite reduction b = x - n*ln2, a degree-5 polynomial in
 * b evaluated with FMAs, then scaling by 2^n (correctly rounded, ldexpf); |n| > 192 saturates. */
float expf_ggml_ref(float x) {
    if (isnan(x)) return x; /* NaN out, as the SIMD versions; keeps NaN away from the int conversion */
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    if (fabsf(n) > 192.0f) return n <= 0.0f ? 0.0f : INFINITY;
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u,
                         fmaf(0x1.ffffecp-1f, b, 1.0f));
    return ldexpf(j, (int)n);
}

float vec_dot_f32_ref(int64_t n, const float *x, const float *y) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

float vec_dot_f16_f32_ref(int64_t n, const uint16_t *x, const float *y) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += lf_fp16_to_f32(x[i]) * y[i];
    return s;
}

void vec_axpy_f32_ref(int64_t n, float a, const float *x, float *y) {
    for (int64_t i = 0; i < n; i++) {
        const float p = a * x[i];
        y[i] += p;
    }
}

void vec_axpy_f16_ref(int64_t n, float a, const uint16_t *x, float *y) {
    for (int64_t i = 0; i < n; i++) {
        const float p = a * lf_fp16_to_f32(x[i]);
        y[i] += p;
    }
}

void vec_expf_ggml_ref(int64_t n, const float *x, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] = expf_ggml_ref(x[i]);
}

void vec_swiglu_ref(int64_t n, float *g, const float *u) {
    for (int64_t i = 0; i < n; i++) {
        const float x = g[i];
        g[i] = x / (1.0f + expf_ggml_ref(-x)) * u[i];
    }
}

void vec_geglu_ref(int64_t n, float *g, const float *u, const uint16_t *tab) {
    for (int64_t i = 0; i < n; i++) {
        const float x = g[i];
        float a;
        if (x <= -10.0f)
            a = 0.0f;
        else if (x >= 10.0f)
            a = x;
        else
            a = lf_fp16_to_f32(tab[lf_f32_to_fp16(x)]);
        g[i] = a * u[i];
    }
}

void vec_rmsnorm_ref(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                     const float *w, float eps) {
    for (int64_t r = 0; r < rows; r++, x += x_stride, y += y_stride) {
        double sum = 0.0;
        /* squares rounded to f32, summed in double: exactly ggml's rms_norm (a double square would
         * differ in the last bit, and one ulp can flip a quantized activation downstream) */
        for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
        const float mean = (float)(sum / (double)n);
        const float scale = 1.0f / sqrtf(mean + eps);
        if (w)
            for (int64_t i = 0; i < n; i++) y[i] = (x[i] * scale) * w[i];
        else
            for (int64_t i = 0; i < n; i++) y[i] = x[i] * scale;
    }
}

void vec_scores_f16_ref(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                        float *out) {
    for (int64_t i = 0; i < n; i++) out[i] = vec_dot_f16_f32_ref(hd, k + i * k_stride, q) * scale;
}

void vec_scores_f32_ref(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                        float *out) {
    for (int64_t i = 0; i < n; i++) out[i] = vec_dot_f32_ref(hd, k + i * k_stride, q) * scale;
}

void vec_wsum_f16_ref(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out) {
    for (int64_t i = 0; i < n; i++) vec_axpy_f16_ref(hd, w[i], v + i * v_stride, out);
}

void vec_wsum_f32_ref(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out) {
    for (int64_t i = 0; i < n; i++) vec_axpy_f32_ref(hd, w[i], v + i * v_stride, out);
}

void vec_scores_rows_f32_ref(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq, const float *const *q,
                             float scale, float *const *out) {
    for (int r = 0; r < nq; r++) vec_scores_f32_ref(hd, n, k, k_stride, q[r], scale, out[r]);
}

void vec_wsum_rows_f32_ref(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                           float *const *out) {
    for (int r = 0; r < nq; r++) vec_wsum_f32_ref(hd, n, w[r], v, v_stride, out[r]);
}

void vec_scores_rows_f16_ref(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                             const float *const *q, float scale, float *const *out) {
    for (int r = 0; r < nq; r++) vec_scores_f16_ref(hd, n, k, k_stride, q[r], scale, out[r]);
}

void vec_wsum_rows_f16_ref(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v, int64_t v_stride,
                           float *const *out) {
    for (int r = 0; r < nq; r++) vec_wsum_f16_ref(hd, n, w[r], v, v_stride, out[r]);
}

void vec_widen_f16_ref(int64_t n, const uint16_t *x, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] = lf_fp16_to_f32(x[i]);
}

float vec_max_f32_ref(int64_t n, const float *x) {
    float mx = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (x[i] > mx) mx = x[i];
    return mx + 0.0f;
}

double vec_sum_f64_ref(int64_t n, const float *x) {
    double p[8] = {0};
    for (int64_t i = 0; i < n; i++) p[i & 7] += x[i];
    return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}
