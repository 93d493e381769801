/* kernels/kernels.h - the kernel table: leaf numeric routines on raw pointers, one entry per weight
 * dtype, chosen once at run time from the CPU's features. Every fast routine has a scalar `_ref` twin
 * (kernels/ref/) with the same contract, and tests compare the two.
 *
 * Matmul convention (ggml's): for a weight of dtype W, the f32 activation row is first converted to
 * W's "vec_dot type" A (MODEL-SPEC section 6.1): Q4_0/Q5_0/Q8_0 -> Q8_0, Q4_1/Q5_1 -> Q8_1,
 * Q4_K/Q5_K/Q6_K -> Q8_K, F16 -> F16, BF16 -> BF16, F32 -> F32. Then each output is
 * dot(weight row, converted activation row).
 */
#ifndef LF_KERNELS_H
#define LF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "format/dtype.h"

/* CPU features, detected once (kernels/cpu.c) into an explicit value. bf16dp_fast is a speed property,
 * not an ISA: AVX512_BF16 whose vdpbf16ps outruns widening bf16 to f32 + FMA (AMD Zen 4/5, where it
 * runs at twice the f32 FMA rate: ../shared/docs/PERF.md); on Intel (Sapphire/Emerald Rapids) the
 * widening gemm measured faster (bench/kernel_bench), so the BF16 entries choose by this bit. */
typedef struct lf_cpu_features {
    unsigned avx2 : 1, fma : 1, f16c : 1, avx512f : 1, avx512bw : 1, avx512vl : 1, avx512vnni : 1,
        avx512bf16 : 1, avxvnni : 1, neon : 1, dotprod : 1, i8mm : 1, bf16dp_fast : 1;
} lf_cpu_features;

lf_cpu_features lf_cpu_detect(void);

/* Converts n f32 values to n values of type `to` (a vec_dot type or a storable weight type).
 * n is a multiple of the target block size. */
typedef void (*lf_from_f32_fn)(const float *x, void *y, int64_t n);
/* Dequantizes n values (a multiple of the block size) to f32. */
typedef void (*lf_to_f32_fn)(const void *x, float *y, int64_t n);
/* *s = dot(w[0..n), a[0..n)): w in the weight dtype, a in its vec_dot type. */
typedef void (*lf_dot_fn)(int64_t n, float *s, const void *w, const void *a);
/* s[r] = dot(row r of w, a) for r < nrows; rows are w_stride bytes apart. */
typedef void (*lf_gemv_fn)(int64_t n, int64_t nrows, float *s, const void *w, size_t w_stride,
                           const void *a);

/* s[t * s_stride + r] = dot(row r of w, activation row t) for r < nrows, t < ntok: weight rows
 * w_stride bytes apart, activation rows (in the vec_dot type) a_stride bytes apart. Same per-output
 * result as the dot (bit-identical where the entry's contract says so); for prefill, where the weights
 * unpacked once serve several tokens. */
typedef void (*lf_gemm_fn)(int64_t n, int64_t nrows, int64_t ntok, float *s, size_t s_stride, const void *w,
                           size_t w_stride, const void *a, size_t a_stride);

/* Per-block activation data a gemm may ask for (lf_type_kernels.gemm_side): the Q8_0 activation row's
 * n/32 blocks, then, at byte offset lf_act_side_offset(n) of the same row, one entry per block. With it a
 * gemm that makes the weights unsigned (Q8_0 + 128, Q4_0 codes 0..15) corrects each block's integer sum by
 * a precomputed constant, and finds the activation scale already in f32. */
typedef struct lf_act_side {
    int32_t neg128_sum; /* -128 * sum(qs) */
    int32_t neg8_sum;   /* -8 * sum(qs) */
    float d;            /* the block's f16 scale, widened */
} lf_act_side;

/* Byte offset of the side entries in a row of n activations (the Q8_0 blocks rounded up to 16 bytes). */
size_t lf_act_side_offset(int64_t n);
/* Bytes of a row with side entries (a multiple of 64). */
size_t lf_act_side_row_size(int64_t n);
/* Writes the side entries of the Q8_0 row at `row` (n values), at row + lf_act_side_offset(n). */
void lf_act_side_fill(void *row, int64_t n);

typedef struct lf_type_kernels {
    uint32_t vec_dot_type;  /* dtype the activations are converted to */
    lf_to_f32_fn to_f32;    /* NULL if not computable */
    lf_from_f32_fn from_f32; /* quantize/convert into THIS dtype; NULL if not supported */
    lf_dot_fn dot;          /* NULL if not computable */
    lf_gemv_fn gemv;        /* several rows per call */
    lf_gemm_fn gemm;        /* several rows x several tokens; NULL: use gemv per token */
    unsigned char gemm_side; /* 1: gemm's activation rows carry lf_act_side entries (Q8_0 vec_dot type) */
    /* Over weights repacked at load into the x16 layout (kernels/pack.h; NULL: the ISA level does not read
     * it): the lf_gemm_fn contract with w the 64-byte aligned start of the group holding row 0, w_stride
     * the group stride (lf_pack_group_bytes), any ntok >= 1 (one token is decode's gemv), activation rows
     * with lf_act_side entries (Q8_0 vec_dot type; bit-identical to the reference dot of each row) or plain
     * rows of the vec_dot type (Q8_K, for Q4_K; within the K-quant tolerance of the reference dot). */
    lf_gemm_fn gemm_packed;
    const char *isa;        /* "ref", "avx2", ... for reports */
} lf_type_kernels;

/* f32 vector kernels for attention and activations; contracts and reference twins in kernels/vec.h. */
typedef struct lf_vec_kernels {
    float (*dot_f32)(int64_t n, const float *x, const float *y);
    float (*dot_f16_f32)(int64_t n, const uint16_t *x, const float *y); /* f16 row . f32 vector */
    void (*axpy_f32)(int64_t n, float a, const float *x, float *y);     /* y += a * x */
    void (*axpy_f16)(int64_t n, float a, const uint16_t *x, float *y);  /* y += a * f16 x */
    void (*expf_ggml)(int64_t n, const float *x, float *y);             /* y may alias x */
    void (*swiglu)(int64_t n, float *g, const float *u);                /* g = silu(g) * u */
    void (*geglu)(int64_t n, float *g, const float *u, const uint16_t *tab); /* g = gelu(g) * u, f16 table */
    void (*rmsnorm)(int64_t n, int64_t rows, float *y, int64_t y_stride, const float *x, int64_t x_stride,
                    const float *w, float eps); /* rows of y = x / sqrt(mean(x^2) + eps) * w */
    const char *isa;
} lf_vec_kernels;

/* Attention rows (contracts and reference twins in kernels/vec.h); entries an ISA level leaves NULL are
 * filled with the reference twins at the end of lf_kernels_init (scores_rows_f16 / wsum_rows_f16 only
 * when scores_f16 / wsum_f16 are the reference ones too, else they stay NULL): out[i] = scale * dot of row i
 * (k + i * k_stride elements) with q, as the same ISA's vec dot entry computes it; out[0..hd) += w[i] *
 * row i (v + i * v_stride) for i in order, each product rounded then added, as axpy; the _rows entries
 * do the same for nq queries at once (q[r] / w[r], out[r]), with the same bits. */
typedef struct lf_attn_kernels {
    void (*scores_f16)(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, const float *q, float scale,
                       float *out);
    void (*scores_f32)(int64_t hd, int64_t n, const float *k, int64_t k_stride, const float *q, float scale,
                       float *out);
    void (*wsum_f16)(int64_t hd, int64_t n, const float *w, const uint16_t *v, int64_t v_stride, float *out);
    void (*wsum_f32)(int64_t hd, int64_t n, const float *w, const float *v, int64_t v_stride, float *out);
    void (*widen_f16)(int64_t n, const uint16_t *x, float *y); /* y[i] = x[i] as f32 (exact) */
    void (*scores_rows_f32)(int64_t hd, int64_t n, const float *k, int64_t k_stride, int nq, const float *const *q,
                            float scale, float *const *out);
    void (*wsum_rows_f32)(int64_t hd, int64_t n, int nq, const float *const *w, const float *v, int64_t v_stride,
                          float *const *out);
    /* NULL where the ISA level's f16 single-row entries have no multi-query twin: callers go row by row */
    void (*scores_rows_f16)(int64_t hd, int64_t n, const uint16_t *k, int64_t k_stride, int nq,
                            const float *const *q, float scale, float *const *out);
    void (*wsum_rows_f16)(int64_t hd, int64_t n, int nq, const float *const *w, const uint16_t *v, int64_t v_stride,
                          float *const *out);
    float (*max_f32)(int64_t n, const float *x);  /* softmax: the largest score (NaNs ignored) */
    double (*sum_f64)(int64_t n, const float *x); /* softmax: the sum of the exps, in double */
} lf_attn_kernels;

typedef struct lf_kernels {
    lf_cpu_features cpu;
    lf_type_kernels t[LF_DT_COUNT];
    lf_vec_kernels vec;
    lf_attn_kernels attn;
} lf_kernels;

/* Fills k with the scalar reference kernels only. */
void lf_kernels_init_ref(lf_kernels *k);
/* Fills k with the best kernels for cpu (falls back to ref per entry). */
void lf_kernels_init(lf_kernels *k, lf_cpu_features cpu);

/* Bytes needed to hold n activations converted to the vec_dot type of weight dtype w (n a multiple of
 * that type's block). 0 if w is not computable. */
size_t lf_kernels_act_size(const lf_kernels *k, uint32_t w, int64_t n);
/* Bytes of one activation row as the gemm of w wants it: lf_kernels_act_size, or lf_act_side_row_size
 * when the entry's gemm_side is set. 0 if w is not computable. */
size_t lf_kernels_gemm_act_size(const lf_kernels *k, uint32_t w, int64_t n);

#endif
