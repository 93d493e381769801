/* kernels/arm_neon/vec_neon.c - NEON (armv8-a baseline) f32 vector kernels (contracts: kernels/vec.h;
 * declarations: arm_neon/neon.h). Same operation sequences as the AVX2 twins (x86_avx2/vec_avx2.c):
 *  - dots: four float32x4 accumulators (16 lanes) with fused multiply-add, the n % 16 tail added in
 *    scalar f32 (summation order differs from the sequential reference; vec.h allows it);
 *  - axpy: y + a * x as a separate multiply and add (no FMA; the build is ISO C, so GCC contracts
 *    nothing), bit-identical to the reference; f16 widened exactly with fcvtl;
 *  - expf_ggml: expf_ggml_ref operation by operation: each fmaf is one vfmaq_f32 / vfmsq_f32
 *    (fmaf(-n, c, x) = x - n*c, one rounding, as fmls), then 2^n applied as two exact-power products,
 *    2^floor(n/2) (exact: the result stays normal) and 2^(n - floor(n/2)) (the one rounding), which is
 *    ldexpf's correctly rounded result for |n| <= 192; |n| > 192 saturates to 0 / inf as the reference,
 *    NaN stays NaN (it propagates through the polynomial; the saturation test is false for it).
 *    ggml's NEON ggml_v_expf (ggml-cpu/vec.h) computes the same reduction and polynomial but scales
 *    with a different special-case path, so it is not used as is: the reference defines the bits.
 *  - swiglu: x / (1 + exp(-x)) * u with IEEE division (fdiv), bit-identical;
 *  - attention rows: scores use the same inline dot bodies as the single-row entries (same bits);
 *    wsum keeps 16 output columns in registers across the rows, each element getting the axpy's
 *    rounded product then add, row by row in order (same bits as an axpy per row).
 * Tails of expf/swiglu go through a zero-padded 4-lane buffer so they get the same bits. */
#include <arm_neon.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/arm_neon/neon.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

static inline float32x4_t load_h4(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

/* The dot bodies, shared by the single-row entries and the attention score rows (same bits). */
static inline float dot_f32(int64_t n, const float *x, const float *y) {
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = vfmaq_f32(a0, vld1q_f32(x + i), vld1q_f32(y + i));
        a1 = vfmaq_f32(a1, vld1q_f32(x + i + 4), vld1q_f32(y + i + 4));
        a2 = vfmaq_f32(a2, vld1q_f32(x + i + 8), vld1q_f32(y + i + 8));
        a3 = vfmaq_f32(a3, vld1q_f32(x + i + 12), vld1q_f32(y + i + 12));
    }
    for (; i + 4 <= n; i += 4) a0 = vfmaq_f32(a0, vld1q_f32(x + i), vld1q_f32(y + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    for (; i < n; i++) s += x[i] * y[i];
    return s;
}

static inline float dot_f16_f32(int64_t n, const uint16_t *x, const float *y) {
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = vfmaq_f32(a0, load_h4(x + i), vld1q_f32(y + i));
        a1 = vfmaq_f32(a1, load_h4(x + i + 4), vld1q_f32(y + i + 4));
        a2 = vfmaq_f32(a2, load_h4(x + i + 8), vld1q_f32(y + i + 8));
        a3 = vfmaq_f32(a3, load_h4(x + i + 12), vld1q_f32(y + i + 12));
    }
    for (; i + 4 <= n; i += 4) a0 = vfmaq_f32(a0, load_h4(x + i), vld1q_f32(y + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
    for (; i < n; i++) s += lf_fp16_to_f32(x[i]) * y[i];
    return s;
}

float vec_dot_f32_neon(int64_t n, const float *x, const float *y) { return dot_f32(n, x, y); }

float vec_dot_f16_f32_neon(int64_t n, const uint16_t *x, const float *y) { return dot_f16_f32(n, x, y); }

void vec_axpy_f32_neon(int64_t n, float a, const float *x, float *y) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_n_f32(vld1q_f32(x + i), a)));
        vst1q_f32(y + i + 4, vaddq_f32(vld1q_f32(y + i + 4), vmulq_n_f32(vld1q_f32(x + i + 4), a)));
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_n_f32(vld1q_f32(x + i), a)));
    for (; i < n; i++) {
        const float p = a * x[i];
        y[i] += p;
    }
}

void vec_axpy_f16_neon(int64_t n, float a, const uint16_t *x, float *y) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_n_f32(load_h4(x + i), a)));
        vst1q_f32(y + i + 4, vaddq_f32(vld1q_f32(y + i + 4), vmulq_n_f32(load_h4(x + i + 4), a)));
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_n_f32(load_h4(x + i), a)));
    for (; i < n; i++) {
        const float p = a * lf_fp16_to_f32(x[i]);
        y[i] += p;
    }
}

static inline float32x4_t exp4(float32x4_t x) {
    const float32x4_t r = vdupq_n_f32(0x1.8p23f);
    const float32x4_t z = vfmaq_f32(r, x, vdupq_n_f32(0x1.715476p+0f)); /* fmaf(x, log2e, r) */
    const float32x4_t n = vsubq_f32(z, r);
    /* fmaf(-n, c2, fmaf(-n, c1, x)) */
    const float32x4_t b =
        vfmsq_f32(vfmsq_f32(x, n, vdupq_n_f32(0x1.62e4p-1f)), n, vdupq_n_f32(0x1.7f7d1cp-20f));
    const float32x4_t u = vmulq_f32(b, b);
    /* j = fmaf(fmaf(fmaf(c5, b, c4), u, fmaf(c3, b, c2)), u, fmaf(c1, b, 1)) */
    const float32x4_t p54 = vfmaq_f32(vdupq_n_f32(0x1.573e2ep-5f), vdupq_n_f32(0x1.0e4020p-7f), b);
    const float32x4_t p32 = vfmaq_f32(vdupq_n_f32(0x1.fffdb6p-2f), vdupq_n_f32(0x1.555e66p-3f), b);
    const float32x4_t p10 = vfmaq_f32(vdupq_n_f32(1.0f), vdupq_n_f32(0x1.ffffecp-1f), b);
    const float32x4_t j = vfmaq_f32(p10, vfmaq_f32(p32, p54, u), u);
    /* 2^n = 2^n1 * 2^n2, n1 = floor(n/2): both factors normal for |n| <= 192 */
    const int32x4_t ni = vcvtq_s32_f32(n);
    const int32x4_t n1 = vshrq_n_s32(ni, 1);
    const int32x4_t n2 = vsubq_s32(ni, n1);
    const int32x4_t bias = vdupq_n_s32(127);
    const float32x4_t p1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
    const float32x4_t p2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));
    const float32x4_t scaled = vmulq_f32(vmulq_f32(j, p1), p2);
    const uint32x4_t big = vcagtq_f32(n, vdupq_n_f32(192.0f)); /* |n| > 192 (false for NaN) */
    const float32x4_t sat = vbslq_f32(vclezq_f32(n), vdupq_n_f32(0.0f), vdupq_n_f32(__builtin_inff()));
    return vbslq_f32(big, sat, scaled);
}

static inline float32x4_t swiglu4(float32x4_t x, float32x4_t u) {
    const float32x4_t e = exp4(vnegq_f32(x));
    return vmulq_f32(vdivq_f32(x, vaddq_f32(vdupq_n_f32(1.0f), e)), u);
}

void vec_expf_ggml_neon(int64_t n, const float *x, float *y) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, exp4(vld1q_f32(x + i)));
    if (i < n) {
        float t[4] = {0};
        memcpy(t, x + i, (size_t)(n - i) * sizeof(float));
        vst1q_f32(t, exp4(vld1q_f32(t)));
        memcpy(y + i, t, (size_t)(n - i) * sizeof(float));
    }
}

void vec_swiglu_neon(int64_t n, float *g, const float *u) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(g + i, swiglu4(vld1q_f32(g + i), vld1q_f32(u + i)));
    if (i < n) {
        float t[4] = {0}, v[4] = {0};
        memcpy(t, g + i, (size_t)(n - i) * sizeof(float));
        memcpy(v, u + i, (size_t)(n - i) * sizeof(float));
        vst1q_f32(t, swiglu4(vld1q_f32(t), vld1q_f32(v)));
        memcpy(g + i, t, (size_t)(n - i) * sizeof(float));
    }
}

/* ---- attention rows (lf_attn_kernels, contracts in kernels/vec.h) ------------------------------ */

void vec_scores_f16_neon(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                         float *out) {
    for (int64_t i = 0; i < n; i++) out[i] = dot_f16_f32(hd, k + i * k_stride, q) * scale;
}

void vec_scores_f32_neon(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                         float *out) {
    for (int64_t i = 0; i < n; i++) out[i] = dot_f32(hd, k + i * k_stride, q) * scale;
}

/* out += w[i] * row i for i in order. 16 columns at a time stay in registers across all n rows; each
 * element still gets, row by row, its product rounded then added, as the axpy per row (same bits). */
void vec_wsum_f16_neon(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out) {
    int64_t d = 0;
    for (; d + 16 <= hd; d += 16) {
        float32x4_t o0 = vld1q_f32(out + d), o1 = vld1q_f32(out + d + 4);
        float32x4_t o2 = vld1q_f32(out + d + 8), o3 = vld1q_f32(out + d + 12);
        for (int64_t i = 0; i < n; i++) {
            const uint16_t *r = v + i * v_stride + d;
            o0 = vaddq_f32(o0, vmulq_n_f32(load_h4(r), w[i]));
            o1 = vaddq_f32(o1, vmulq_n_f32(load_h4(r + 4), w[i]));
            o2 = vaddq_f32(o2, vmulq_n_f32(load_h4(r + 8), w[i]));
            o3 = vaddq_f32(o3, vmulq_n_f32(load_h4(r + 12), w[i]));
        }
        vst1q_f32(out + d, o0), vst1q_f32(out + d + 4, o1), vst1q_f32(out + d + 8, o2), vst1q_f32(out + d + 12, o3);
    }
    for (; d + 4 <= hd; d += 4) {
        float32x4_t o = vld1q_f32(out + d);
        for (int64_t i = 0; i < n; i++) o = vaddq_f32(o, vmulq_n_f32(load_h4(v + i * v_stride + d), w[i]));
        vst1q_f32(out + d, o);
    }
    for (; d < hd; d++)
        for (int64_t i = 0; i < n; i++) {
            const float p = w[i] * lf_fp16_to_f32(v[i * v_stride + d]);
            out[d] += p;
        }
}

void vec_wsum_f32_neon(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out) {
    int64_t d = 0;
    for (; d + 16 <= hd; d += 16) {
        float32x4_t o0 = vld1q_f32(out + d), o1 = vld1q_f32(out + d + 4);
        float32x4_t o2 = vld1q_f32(out + d + 8), o3 = vld1q_f32(out + d + 12);
        for (int64_t i = 0; i < n; i++) {
            const float *r = v + i * v_stride + d;
            o0 = vaddq_f32(o0, vmulq_n_f32(vld1q_f32(r), w[i]));
            o1 = vaddq_f32(o1, vmulq_n_f32(vld1q_f32(r + 4), w[i]));
            o2 = vaddq_f32(o2, vmulq_n_f32(vld1q_f32(r + 8), w[i]));
            o3 = vaddq_f32(o3, vmulq_n_f32(vld1q_f32(r + 12), w[i]));
        }
        vst1q_f32(out + d, o0), vst1q_f32(out + d + 4, o1), vst1q_f32(out + d + 8, o2), vst1q_f32(out + d + 12, o3);
    }
    for (; d + 4 <= hd; d += 4) {
        float32x4_t o = vld1q_f32(out + d);
        for (int64_t i = 0; i < n; i++) o = vaddq_f32(o, vmulq_n_f32(vld1q_f32(v + i * v_stride + d), w[i]));
        vst1q_f32(out + d, o);
    }
    for (; d < hd; d++)
        for (int64_t i = 0; i < n; i++) {
            const float p = w[i] * v[i * v_stride + d];
            out[d] += p;
        }
}

/* Several queries over the same rows (the multi-query entries): query by query with the entries above,
 * so the bits are theirs (no shared loads yet on NEON). */
void vec_scores_rows_f32_neon(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq, const float *const *q,
                              float scale, float *const *out) {
    for (int r = 0; r < nq; r++) vec_scores_f32_neon(hd, n, k, k_stride, q[r], scale, out[r]);
}

void vec_wsum_rows_f32_neon(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                            float *const *out) {
    for (int r = 0; r < nq; r++) vec_wsum_f32_neon(hd, n, w[r], v, v_stride, out[r]);
}
