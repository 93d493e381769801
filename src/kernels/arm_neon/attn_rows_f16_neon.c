/* kernels/arm_neon/attn_rows_f16_neon.c - NEON multi-query attention rows over f16 keys and values
 * (contracts: kernels/vec.h, scores_rows_f16 / wsum_rows_f16): decode's query heads that share a KV head
 * read its cached rows once, each key or value vector loaded and widened once for a tile of up to QT
 * queries. Per query the operations are those of vec_neon.c's single-row f16 entries, in their order, so
 * the bits equal them:
 * scores: dot_f16_f32's four FMA chains over 16-column blocks, a 4-column tail into the first, the chains
 * added ((a0 + a1) + (a2 + a3)) and summed across lanes, then the scalar tail (product, then add), times
 * the scale. wsum: vec_wsum_f16_neon's passes (16 columns, then 4, then scalar), per value row and query
 * the product rounded, then added, rows in order. */
#include <arm_neon.h>

#include "format/dtype.h"
#include "kernels/arm_neon/neon.h"

#define QT 4 /* queries per tile */
#define ALWAYS_INLINE __attribute__((always_inline)) inline

static inline float32x4_t h4(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

/* s[r] = dot_f16_f32(n, x, q[r]) * scale for r < nq (a constant after inlining) */
static ALWAYS_INLINE void dots(int64_t n, const uint16_t *x, const float *const *q, int nq, float scale, float *s) {
    float32x4_t a[QT][4];
    for (int r = 0; r < nq; r++) a[r][0] = a[r][1] = a[r][2] = a[r][3] = vdupq_n_f32(0.0f);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const float32x4_t x0 = h4(x + i), x1 = h4(x + i + 4), x2 = h4(x + i + 8), x3 = h4(x + i + 12);
        for (int r = 0; r < nq; r++) {
            a[r][0] = vfmaq_f32(a[r][0], x0, vld1q_f32(q[r] + i));
            a[r][1] = vfmaq_f32(a[r][1], x1, vld1q_f32(q[r] + i + 4));
            a[r][2] = vfmaq_f32(a[r][2], x2, vld1q_f32(q[r] + i + 8));
            a[r][3] = vfmaq_f32(a[r][3], x3, vld1q_f32(q[r] + i + 12));
        }
    }
    for (; i + 4 <= n; i += 4) {
        const float32x4_t x0 = h4(x + i);
        for (int r = 0; r < nq; r++) a[r][0] = vfmaq_f32(a[r][0], x0, vld1q_f32(q[r] + i));
    }
    float t[QT];
    for (int r = 0; r < nq; r++) t[r] = vaddvq_f32(vaddq_f32(vaddq_f32(a[r][0], a[r][1]), vaddq_f32(a[r][2], a[r][3])));
    for (; i < n; i++) {
        const float xi = lf_fp16_to_f32(x[i]);
        for (int r = 0; r < nq; r++) t[r] += xi * q[r][i];
    }
    for (int r = 0; r < nq; r++) s[r] = t[r] * scale;
}

static ALWAYS_INLINE void scores_tile(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                                      const float *const *q, float scale, float *const *out) {
    for (int64_t i = 0; i < n; i++) {
        float s[QT];
        dots(hd, k + i * k_stride, q, nq, scale, s);
        for (int r = 0; r < nq; r++) out[r][i] = s[r];
    }
}

void vec_scores_rows_f16_neon(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                              const float *const *q, float scale, float *const *out) {
    int r = 0;
    for (; r + QT <= nq; r += QT) scores_tile(hd, n, k, k_stride, QT, q + r, scale, out + r);
    switch (nq - r) {
    case 3: scores_tile(hd, n, k, k_stride, 3, q + r, scale, out + r); break;
    case 2: scores_tile(hd, n, k, k_stride, 2, q + r, scale, out + r); break;
    case 1: scores_tile(hd, n, k, k_stride, 1, q + r, scale, out + r); break;
    default: break;
    }
}

/* out[r] += w[r][i] * value row i for r < nq (a constant after inlining), as vec_wsum_f16_neon */
static ALWAYS_INLINE void wsum_tile(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v,
                                    int64_t v_stride, float *const *out) {
    int64_t d = 0;
    for (; d + 16 <= hd; d += 16) {
        float32x4_t o[QT][4];
        for (int r = 0; r < nq; r++)
            for (int j = 0; j < 4; j++) o[r][j] = vld1q_f32(out[r] + d + 4 * j);
        for (int64_t i = 0; i < n; i++) {
            const uint16_t *row = v + i * v_stride + d;
            const float32x4_t v0 = h4(row), v1 = h4(row + 4), v2 = h4(row + 8), v3 = h4(row + 12);
            for (int r = 0; r < nq; r++) {
                const float wi = w[r][i];
                o[r][0] = vaddq_f32(o[r][0], vmulq_n_f32(v0, wi));
                o[r][1] = vaddq_f32(o[r][1], vmulq_n_f32(v1, wi));
                o[r][2] = vaddq_f32(o[r][2], vmulq_n_f32(v2, wi));
                o[r][3] = vaddq_f32(o[r][3], vmulq_n_f32(v3, wi));
            }
        }
        for (int r = 0; r < nq; r++)
            for (int j = 0; j < 4; j++) vst1q_f32(out[r] + d + 4 * j, o[r][j]);
    }
    for (; d + 4 <= hd; d += 4) {
        float32x4_t o[QT];
        for (int r = 0; r < nq; r++) o[r] = vld1q_f32(out[r] + d);
        for (int64_t i = 0; i < n; i++) {
            const float32x4_t vv = h4(v + i * v_stride + d);
            for (int r = 0; r < nq; r++) o[r] = vaddq_f32(o[r], vmulq_n_f32(vv, w[r][i]));
        }
        for (int r = 0; r < nq; r++) vst1q_f32(out[r] + d, o[r]);
    }
    for (; d < hd; d++)
        for (int64_t i = 0; i < n; i++) {
            const float x = lf_fp16_to_f32(v[i * v_stride + d]);
            for (int r = 0; r < nq; r++) {
                const float p = w[r][i] * x;
                out[r][d] += p;
            }
        }
}

void vec_wsum_rows_f16_neon(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v,
                            int64_t v_stride, float *const *out) {
    int r = 0;
    for (; r + QT <= nq; r += QT) wsum_tile(hd, n, QT, w + r, v, v_stride, out + r);
    switch (nq - r) {
    case 3: wsum_tile(hd, n, 3, w + r, v, v_stride, out + r); break;
    case 2: wsum_tile(hd, n, 2, w + r, v, v_stride, out + r); break;
    case 1: wsum_tile(hd, n, 1, w + r, v, v_stride, out + r); break;
    default: break;
    }
}
