/* ops/ops.h - math on activations composed from the kernel table: norms, RoPE, activations, softmax,
 * and the threaded matmul. Numerics follow ggml's CPU semantics (MODEL-SPEC section 6): RMSNorm sums
 * squares in double, RoPE angles in f32 by repeated multiplication, softmax sums in double, matmul
 * converts activations to the weight's vec_dot type first. */
#ifndef LF_OPS_H
#define LF_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/pool.h"
#include "kernels/kernels.h"

/* A weight matrix view: ne1 rows of ne0 elements of dtype `type`, rows row_bytes apart (GGUF ne order). */
typedef struct lf_mat {
    const uint8_t *data;
    uint32_t type;
    int64_t ne0, ne1;
    size_t row_bytes;
    /* The same rows repacked in the x16 layout (kernels/pack.h), which lf_matmul then reads with the
     * type's gemm_packed; NULL when not packed (yet: set once, by the model's background repack, with a
     * release store after group_bytes; read with an acquire load). data stays valid. */
    const uint8_t *packed;
    size_t group_bytes; /* lf_pack_group_bytes of the packed form */
} lf_mat;

/* What threaded ops need: kernels, a pool (may be NULL), and a scratch buffer for converted activations
 * sized with lf_matmul_act_bound. */
typedef struct lf_opctx {
    const lf_kernels *k;
    lf_pool *pool;
    uint8_t *act;      /* converted activations: T rows */
    size_t act_cap;    /* bytes */
} lf_opctx;

/* y = x / sqrt(mean(x^2) + eps) * w (w may be NULL: no weight). y may alias x. */
void lf_rmsnorm(float *y, const float *x, const float *w, int n, float eps);

/* NEOX rotary embedding in place on n_heads vectors of hd floats at position pos; rotates the first
 * n_rot dims (pairs i, i + n_rot/2) with theta_i = pos * base^(-2i/n_rot). */
void lf_rope_neox(float *v, int n_heads, int hd, int n_rot, int pos, float base);
/* Interleaved (GPT-J / original LLaMA) rotary: pairs (2i, 2i+1). */
void lf_rope_norm(float *v, int n_heads, int hd, int n_rot, int pos, float base);
/* Both rotations of one token at once: q (nq heads) and k (nk heads) as lf_rope_norm (interleaved != 0)
 * or lf_rope_neox, the angles computed once for all heads; the same results as the two calls. */
void lf_rope_qk(int interleaved, float *q, int nq, float *k, int nk, int hd, int n_rot, int pos, float base);

/* exp(x) with ggml's vectorised approximation (bit-identical to llama.cpp's CPU activations). */
float lf_expf_ggml(float x);

/* The vector kernels of the best kernel table for this CPU (kernels/vec.h), detected once (thread-safe);
 * for ops that are not handed a kernel table. Every entry's result equals its reference twin's
 * (bit-identical, or up to f32 summation order for the dots). */
const lf_vec_kernels *lf_vec_best(void);
/* The attention-row kernels of the same table. */
const lf_attn_kernels *lf_attn_best(void);

/* y[i] = lf_f32_to_fp16(x[i]) for i < n (the KV cache store), with the best kernel table's F16 from_f32
 * (bit-identical to the scalar converter for every input, NaN included). */
void lf_f32_to_f16_row(int64_t n, const float *x, uint16_t *y);
/* y[i] += x[i] for i < n (the residual add), vectorised. */
void lf_add(float *y, const float *x, size_t n);
/* x = softmax(x) over n values. */
void lf_softmax(float *x, int n);
/* g[i] = silu(g[i]) * u[i] */
void lf_swiglu(float *g, const float *u, int n);
/* GELU-tanh as ggml's CPU backend computes it (f16 lookup semantics, MODEL-SPEC 6.3): 0 for
 * x <= -10, x for x >= 10, else f16(gelu_tanh(f16(x))) with gelu_tanh evaluated in f32. */
float lf_gelu_ggml(float x);
/* The same value computed from the formula instead of the table (the table's definition; for tests). */
float lf_gelu_ggml_eval(float x);
/* g[i] = lf_gelu_ggml(g[i]) * u[i] (for x >= 10: x * u[i]), as ggml_vec_geglu_f32. */
void lf_geglu(float *g, const float *u, int n);

/* lf_rmsnorm of T rows (x rows x_stride floats apart, y rows y_stride; y may alias x with the same stride),
 * split over the pool's threads from a few rows on (pool may be NULL); the same results as row by row. */
void lf_rmsnorm_rows(lf_pool *pool, float *y, int64_t y_stride, const float *x, int64_t x_stride, const float *w,
                     int n, float eps, int T);
/* T rows of the gated activation g = act(g) * u (gelu: lf_geglu, else lf_swiglu), rows stride floats
 * apart, split over the pool's threads. */
void lf_glu_rows(lf_pool *pool, int gelu, float *g, const float *u, int64_t stride, int n, int T);

/* Bytes of act buffer lf_matmul needs for T rows of n activations against a weight of dtype w. */
size_t lf_matmul_act_bound(const lf_kernels *k, uint32_t w, int64_t n, int T);

/* y[t][o] = dot(W row o, x[t]) for t < T, o < W->ne1. x rows are x_stride floats apart, y rows
 * y_stride apart. x is converted to W's vec_dot type in ctx->act. Returns LFMRT_E_INVALID (dtype not
 * computable) or LFMRT_E_RANGE (act buffer too small); LFMRT_OK otherwise. */
int lf_matmul(lf_opctx *ctx, const lf_mat *W, const float *x, int64_t x_stride, float *y, int64_t y_stride,
              int T);

/* LFM2 double-gated short convolution core (MODEL-SPEC 1.5) for T tokens of width H:
 * bcx rows (stride bcx_stride) hold B | C | x (H each); g = B*x; conv[c] = sum_k w[c*L + k] * window[k]
 * over window = [state (L-1 values per channel, oldest first) ; g]; y[c] = C[c] * conv[c]. state
 * ({L-1, H}) is updated to the last L-1 values of g. */
void lf_shortconv(float *y, int64_t y_stride, const float *bcx, int64_t bcx_stride, float *state, const float *w,
                  int H, int L, int T);

/* The most matrices one lf_matmul_n takes. */
#define LF_MATMUL_MAX 4

/* lf_matmul of each W[i] (i < n <= LF_MATMUL_MAX) with the same x into y[i] (rows y_stride[i] apart):
 * the same results; when all are packed alike (same type and width) and T is small, as one product (x
 * converted once, the rows of all of them shared out among the threads in one pass). */
int lf_matmul_n(lf_opctx *ctx, int n, const lf_mat *const *W, const float *x, int64_t x_stride, float *const *y,
                const int64_t *y_stride, int T);

/* Row `row` of W dequantized to f32 (embedding lookup). */
int lf_mat_get_row(const lf_kernels *k, const lf_mat *W, int64_t row, float *out);

#endif
