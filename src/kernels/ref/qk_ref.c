/* kernels/ref/qk_ref.c - scalar reference kernels of the 256-element K-quant types: Q4_K, Q5_K, Q6_K,
 * Q8_K (dequantize), Q8_K (quantize, the activation type of the K-quants) and the K-quant dot
 * products with Q8_K.
 *
 * Numerics replicate ggml: dequantize_row_q{4,5,6}_K, quantize_row_q8_K_ref (signed max,
 * iscale = -127/max, nearest-even codes clamped to 127, d = 1/iscale, bsums per 16) and
 * ggml_vec_dot_q{4,5,6}_K_q8_K_generic, including their float accumulation structure: integer
 * products summed into 8 int32 lanes (lane = element index mod 8), each block adds d*lane to 8 f32
 * partial sums, the mins term (dmin*da*sum(bsums*mn)) is subtracted from a separate f32 total, and
 * the 8 partial sums are added to that total at the end, lane 0 first.
 * n is always a multiple of 256 (callers guarantee it; not checked here).
 */
#include <math.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/ref/ref.h"
#include "kernels/ref/ref_util.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- dequantize ------------------------------------------------------------------------------- */

void dequant_row_q4_k_ref(const void *x, float *y, int64_t n) {
    const lf_block_q4_k *b = x;
    for (int64_t i = 0; i < n / LF_QK_K; i++) {
        const float d = lf_fp16_to_f32(b[i].d);
        const float dmin = lf_fp16_to_f32(b[i].dmin);
        const uint8_t *q = b[i].qs;
        for (int g = 0; g < 4; g++, q += 32) {
            uint8_t sc, mn;
            lf_k_scale_min(2 * g, b[i].scales, &sc, &mn);
            const float d1 = d * sc, m1 = dmin * mn;
            lf_k_scale_min(2 * g + 1, b[i].scales, &sc, &mn);
            const float d2 = d * sc, m2 = dmin * mn;
            for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 15) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

void dequant_row_q5_k_ref(const void *x, float *y, int64_t n) {
    const lf_block_q5_k *b = x;
    for (int64_t i = 0; i < n / LF_QK_K; i++) {
        const float d = lf_fp16_to_f32(b[i].d);
        const float dmin = lf_fp16_to_f32(b[i].dmin);
        const uint8_t *q = b[i].qs;
        const uint8_t *qh = b[i].qh;
        for (int g = 0; g < 4; g++, q += 32) {
            uint8_t sc, mn;
            lf_k_scale_min(2 * g, b[i].scales, &sc, &mn);
            const float d1 = d * sc, m1 = dmin * mn;
            lf_k_scale_min(2 * g + 1, b[i].scales, &sc, &mn);
            const float d2 = d * sc, m2 = dmin * mn;
            const uint8_t u1 = (uint8_t)(1u << (2 * g)), u2 = (uint8_t)(2u << (2 * g));
            for (int l = 0; l < 32; l++) *y++ = d1 * ((q[l] & 15) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * ((q[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        }
    }
}

/* 6-bit codes of one Q6_K block, minus 32, in element order (-32..31). */
static void q6_k_codes(const lf_block_q6_k *b, int8_t out[LF_QK_K]) {
    const uint8_t *ql = b->ql, *qh = b->qh;
    for (int h = 0; h < 2; h++, ql += 64, qh += 32, out += 128) {
        for (int l = 0; l < 32; l++) {
            out[l] = (int8_t)(((ql[l] & 15) | ((qh[l] >> 0) & 3) << 4) - 32);
            out[l + 32] = (int8_t)(((ql[l + 32] & 15) | ((qh[l] >> 2) & 3) << 4) - 32);
            out[l + 64] = (int8_t)(((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32);
            out[l + 96] = (int8_t)(((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32);
        }
    }
}

/* y = d * scale * (q - 32) with scale = scales[element / 16] (the 16 elements l, l+32, l+64, l+96
 * arrangement of ggml reduces to this: sub-block index is element index / 16). Float order as ggml:
 * (d * scale) * q. */
void dequant_row_q6_k_ref(const void *x, float *y, int64_t n) {
    const lf_block_q6_k *b = x;
    int8_t q[LF_QK_K];
    for (int64_t i = 0; i < n / LF_QK_K; i++, y += LF_QK_K) {
        const float d = lf_fp16_to_f32(b[i].d);
        q6_k_codes(&b[i], q);
        for (int j = 0; j < LF_QK_K; j++) y[j] = d * b[i].scales[j / 16] * q[j];
    }
}

void dequant_row_q8_k_ref(const void *x, float *y, int64_t n) {
    const lf_block_q8_k *b = x;
    for (int64_t i = 0; i < n / LF_QK_K; i++, y += LF_QK_K) {
        for (int j = 0; j < LF_QK_K; j++) y[j] = b[i].d * b[i].qs[j];
    }
}

/* ---- quantize --------------------------------------------------------------------------------- */

void quantize_row_q8_k_ref(const float *x, void *y, int64_t n) {
    lf_block_q8_k *b = y;
    for (int64_t i = 0; i < n / LF_QK_K; i++, x += LF_QK_K) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < LF_QK_K; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0.0f) { /* ggml leaves bsums stale here; zero them (they are multiplied by d = 0) */
            memset(&b[i], 0, sizeof b[i]);
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < LF_QK_K; j++) {
            const int v = lf_ref_nearest_int(iscale * x[j]);
            b[i].qs[j] = (int8_t)(v < 127 ? (v > -128 ? v : -128) : 127);
        }
        for (int g = 0; g < LF_QK_K / 16; g++) {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += b[i].qs[16 * g + l];
            b[i].bsums[g] = (int16_t)sum;
        }
        b[i].d = 1.0f / iscale;
    }
}

/* ---- dot products ----------------------------------------------------------------------------- */

/* Adds the 8-lane integer accumulation of one K block: lane[l % 8] += scale[l / sub] * q[l] * a[l]
 * for the 256 codes q, with `sub` elements per scale (32 for Q4_K/Q5_K, 16 for Q6_K). */
static void k_lanes(const int8_t *q, const int8_t *a, const int *scale, int sub, int32_t lane[8]) {
    for (int l = 0; l < LF_QK_K; l++) lane[l & 7] += scale[l / sub] * (q[l] * a[l]);
}

/* Codes (0..31) of a Q4_K (qh == NULL) or Q5_K block in element order, and the 8 scales and mins. */
static void q45_k_unpack(const uint8_t *qs, const uint8_t *qh, const uint8_t *scales,
                         int8_t q[LF_QK_K], int sc[8], int mn[8]) {
    for (int g = 0; g < 4; g++) {
        for (int l = 0; l < 32; l++) {
            int lo = qs[32 * g + l] & 15, hi = qs[32 * g + l] >> 4;
            if (qh) {
                lo += (qh[l] >> (2 * g)) & 1 ? 16 : 0;
                hi += (qh[l] >> (2 * g + 1)) & 1 ? 16 : 0;
            }
            q[64 * g + l] = (int8_t)lo;
            q[64 * g + 32 + l] = (int8_t)hi;
        }
    }
    for (int s = 0; s < 8; s++) {
        uint8_t a, b;
        lf_k_scale_min(s, scales, &a, &b);
        sc[s] = a;
        mn[s] = b;
    }
}

static float q45_k_dot(int64_t n, const void *w, size_t stride, const lf_block_q8_k *y, bool five) {
    const uint8_t *blk = w;
    float sums[8] = {0};
    float sumf = 0.0f;
    int8_t q[LF_QK_K];
    int sc[8], mn[8];
    for (int64_t i = 0; i < n / LF_QK_K; i++, blk += stride) {
        uint16_t dh, dminh;
        if (five) {
            const lf_block_q5_k *x = (const lf_block_q5_k *)blk;
            q45_k_unpack(x->qs, x->qh, x->scales, q, sc, mn);
            dh = x->d;
            dminh = x->dmin;
        } else {
            const lf_block_q4_k *x = (const lf_block_q4_k *)blk;
            q45_k_unpack(x->qs, NULL, x->scales, q, sc, mn);
            dh = x->d;
            dminh = x->dmin;
        }
        int summ = 0;
        for (int g = 0; g < LF_QK_K / 16; g++) summ += y[i].bsums[g] * mn[g / 2];
        int32_t lane[8] = {0};
        k_lanes(q, y[i].qs, sc, 32, lane);
        const float d = lf_fp16_to_f32(dh) * y[i].d;
        for (int l = 0; l < 8; l++) sums[l] += d * (float)lane[l];
        const float dmin = lf_fp16_to_f32(dminh) * y[i].d;
        sumf -= dmin * (float)summ;
    }
    for (int l = 0; l < 8; l++) sumf += sums[l];
    return sumf;
}

void dot_q4_k_q8_k_ref(int64_t n, float *s, const void *w, const void *a) {
    *s = q45_k_dot(n, w, sizeof(lf_block_q4_k), a, false);
}

void dot_q5_k_q8_k_ref(int64_t n, float *s, const void *w, const void *a) {
    *s = q45_k_dot(n, w, sizeof(lf_block_q5_k), a, true);
}

void dot_q6_k_q8_k_ref(int64_t n, float *s, const void *w, const void *a) {
    const lf_block_q6_k *x = w;
    const lf_block_q8_k *y = a;
    float sums[8] = {0};
    int8_t q[LF_QK_K];
    int sc[16];
    for (int64_t i = 0; i < n / LF_QK_K; i++) {
        q6_k_codes(&x[i], q);
        for (int g = 0; g < 16; g++) sc[g] = x[i].scales[g];
        int32_t lane[8] = {0};
        k_lanes(q, y[i].qs, sc, 16, lane);
        const float d = lf_fp16_to_f32(x[i].d) * y[i].d;
        for (int l = 0; l < 8; l++) sums[l] += d * (float)lane[l];
    }
    float sumf = 0.0f;
    for (int l = 0; l < 8; l++) sumf += sums[l];
    *s = sumf;
}

/* ---- K-quant weight quantizers ---------------------------------------------------------------- */
/* A simple min/max scheme (not ggml's iterative make_qkx2_quants search; any valid block is
 * dequantized the same by every engine). Q4_K/Q5_K, per sub-block s of 32 with codes 0..nmax:
 * lo = min(0, min x), hi = max x, scale_s = (hi - lo) / nmax, min_s = -lo; the 6-bit scales and mins
 * are nearest(scale_s / d) and nearest(min_s / dmin) with d = max scale_s / 63 and dmin =
 * max min_s / 63 (both rounded to f16 first); codes are nearest((x + dmin*mn) / (d*sc)), clamped.
 * Error bound (tests/kernels/test_kquant.c): |x - y| <= R * (1/(2 nmax) + 1/63) per element, R the
 * largest sub-block range (hi - lo) of the block, plus f16 rounding of d and dmin (relative 2^-11).
 * Q6_K, per sub-block of 16: scale_s = amax / 31, 8-bit scale nearest(scale_s / d) with d = max scale_s
 * / 127, codes nearest(x / (d*sc)) clamped to -32..31; |x - y| <= A * (1/62 + 1/254 + 2^-12) with A
 * the block's largest |x|. All-zero (sub-)blocks give zero scales and zero output. */

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* 6-bit scales sc[8] and mins mn[8] into the 12-byte packing lf_k_scale_min reads. */
static void k_pack_scales(const uint8_t sc[8], const uint8_t mn[8], uint8_t out[LF_K_SCALE_SIZE]) {
    for (int s = 0; s < 4; s++) {
        out[s] = (uint8_t)((sc[s] & 63) | ((sc[s + 4] >> 4) << 6));
        out[s + 4] = (uint8_t)((mn[s] & 63) | ((mn[s + 4] >> 4) << 6));
        out[s + 8] = (uint8_t)((sc[s + 4] & 15) | ((mn[s + 4] & 15) << 4));
    }
}

/* One Q4_K/Q5_K block: codes q[256] in 0..nmax, f16 d and dmin, packed scales. */
static void k_asym_block(const float *x, int nmax, uint8_t q[LF_QK_K], uint16_t *dh, uint16_t *dminh,
                         uint8_t scales[LF_K_SCALE_SIZE]) {
    float scf[8], mnf[8], max_sc = 0.0f, max_mn = 0.0f;
    for (int s = 0; s < 8; s++) {
        float lo = 0.0f, hi = x[32 * s];
        for (int l = 0; l < 32; l++) {
            const float v = x[32 * s + l];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (hi < lo) hi = lo;
        scf[s] = (hi - lo) / (float)nmax;
        mnf[s] = -lo;
        if (scf[s] > max_sc) max_sc = scf[s];
        if (mnf[s] > max_mn) max_mn = mnf[s];
    }
    *dh = lf_f32_to_fp16(max_sc / 63.0f);
    *dminh = lf_f32_to_fp16(max_mn / 63.0f);
    const float d = lf_fp16_to_f32(*dh), dmin = lf_fp16_to_f32(*dminh);
    uint8_t sc[8], mn[8];
    for (int s = 0; s < 8; s++) {
        sc[s] = (uint8_t)(d > 0.0f ? clampi(lf_ref_nearest_int(scf[s] / d), 0, 63) : 0);
        mn[s] = (uint8_t)(dmin > 0.0f ? clampi(lf_ref_nearest_int(mnf[s] / dmin), 0, 63) : 0);
        const float sd = d * sc[s], sm = dmin * mn[s];
        for (int l = 0; l < 32; l++)
            q[32 * s + l] = (uint8_t)(sd > 0.0f ? clampi(lf_ref_nearest_int((x[32 * s + l] + sm) / sd), 0, nmax) : 0);
    }
    k_pack_scales(sc, mn, scales);
}

void quantize_row_q4_k_ref(const float *x, void *y, int64_t n) {
    lf_block_q4_k *b = y;
    uint8_t q[LF_QK_K];
    for (int64_t i = 0; i < n / LF_QK_K; i++, x += LF_QK_K) {
        k_asym_block(x, 15, q, &b[i].d, &b[i].dmin, b[i].scales);
        for (int g = 0; g < 4; g++)
            for (int l = 0; l < 32; l++)
                b[i].qs[32 * g + l] = (uint8_t)(q[64 * g + l] | (q[64 * g + 32 + l] << 4));
    }
}

void quantize_row_q5_k_ref(const float *x, void *y, int64_t n) {
    lf_block_q5_k *b = y;
    uint8_t q[LF_QK_K];
    for (int64_t i = 0; i < n / LF_QK_K; i++, x += LF_QK_K) {
        k_asym_block(x, 31, q, &b[i].d, &b[i].dmin, b[i].scales);
        memset(b[i].qh, 0, sizeof b[i].qh);
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                const int lo = q[64 * g + l], hi = q[64 * g + 32 + l];
                b[i].qs[32 * g + l] = (uint8_t)((lo & 15) | ((hi & 15) << 4));
                b[i].qh[l] |= (uint8_t)(((lo >> 4) << (2 * g)) | ((hi >> 4) << (2 * g + 1)));
            }
        }
    }
}

void quantize_row_q6_k_ref(const float *x, void *y, int64_t n) {
    lf_block_q6_k *b = y;
    uint8_t q[LF_QK_K];
    for (int64_t i = 0; i < n / LF_QK_K; i++, x += LF_QK_K) {
        float scf[16], max_sc = 0.0f;
        for (int s = 0; s < 16; s++) {
            float amax = 0.0f;
            for (int l = 0; l < 16; l++) {
                const float a = fabsf(x[16 * s + l]);
                if (a > amax) amax = a;
            }
            scf[s] = amax / 31.0f;
            if (scf[s] > max_sc) max_sc = scf[s];
        }
        b[i].d = lf_f32_to_fp16(max_sc / 127.0f);
        const float d = lf_fp16_to_f32(b[i].d);
        for (int s = 0; s < 16; s++) {
            const int ls = d > 0.0f ? clampi(lf_ref_nearest_int(scf[s] / d), 0, 127) : 0;
            b[i].scales[s] = (int8_t)ls;
            const float sd = d * ls;
            for (int l = 0; l < 16; l++)
                q[16 * s + l] = (uint8_t)(32 + (sd > 0.0f ? clampi(lf_ref_nearest_int(x[16 * s + l] / sd), -32, 31) : 0));
        }
        uint8_t *ql = b[i].ql, *qh = b[i].qh;
        for (int h = 0; h < 2; h++, ql += 64, qh += 32) {
            const uint8_t *o = q + 128 * h;
            for (int l = 0; l < 32; l++) {
                ql[l] = (uint8_t)((o[l] & 15) | ((o[l + 64] & 15) << 4));
                ql[l + 32] = (uint8_t)((o[l + 32] & 15) | ((o[l + 96] & 15) << 4));
                qh[l] = (uint8_t)((o[l] >> 4) | ((o[l + 32] >> 4) << 2) | ((o[l + 64] >> 4) << 4) | ((o[l + 96] >> 4) << 6));
            }
        }
    }
}
