/* ops/ops.c - elementwise ops, norms, RoPE, softmax. */
#include "ops/ops.h"

#include <math.h>
#include <pthread.h>

#include "format/dtype.h"
#include "kernels/vec.h"

/* the kernel table's rmsnorm (kernels/vec.h): squares rounded to f32, summed in double in order, exactly
 * ggml's rms_norm (a double square would differ in the last bit, and one ulp can flip a quantized
 * activation downstream) */
void lf_rmsnorm(float *y, const float *x, const float *w, int n, float eps) {
    lf_vec_best()->rmsnorm(n, 1, y, n, x, n, w, eps);
}

/* RoPE of q (nq heads) and k (nk heads; k may be NULL) at one position. The angles depend only on the
 * pair index (theta_i = pos * theta_scale^i by repeated multiplication), so their cos/sin are computed
 * once per chunk of pairs and applied to every head: the same values, in the same operations, as
 * computing them per head. interleaved: pairs (2i, 2i+1), else NEOX pairs (i, i + n_rot/2). */
#define ROPE_CHUNK 32
static void rope_heads(int interleaved, float *q, int nq, float *k, int nk, int hd, int n_rot, int pos,
                       float base) {
    const float theta_scale = powf(base, -2.0f / (float)n_rot);
    const int half = n_rot / 2;
    float c[ROPE_CHUNK], s[ROPE_CHUNK];
    float theta = (float)pos;
    for (int i0 = 0; i0 < half; i0 += ROPE_CHUNK) {
        const int m = half - i0 < ROPE_CHUNK ? half - i0 : ROPE_CHUNK;
        for (int i = 0; i < m; i++) {
            c[i] = cosf(theta), s[i] = sinf(theta);
            theta *= theta_scale;
        }
        for (int h = 0; h < nq + nk; h++) {
            float *x = h < nq ? q + (size_t)h * hd : k + (size_t)(h - nq) * hd;
            if (interleaved) {
                for (int i = 0; i < m; i++) {
                    const float a = x[2 * (i0 + i)], b = x[2 * (i0 + i) + 1];
                    x[2 * (i0 + i)] = a * c[i] - b * s[i];
                    x[2 * (i0 + i) + 1] = a * s[i] + b * c[i];
                }
            } else {
                for (int i = 0; i < m; i++) {
                    const float a = x[i0 + i], b = x[i0 + i + half];
                    x[i0 + i] = a * c[i] - b * s[i];
                    x[i0 + i + half] = a * s[i] + b * c[i];
                }
            }
        }
    }
}

void lf_rope_neox(float *v, int n_heads, int hd, int n_rot, int pos, float base) {
    rope_heads(0, v, n_heads, NULL, 0, hd, n_rot, pos, base);
}

void lf_rope_norm(float *v, int n_heads, int hd, int n_rot, int pos, float base) {
    rope_heads(1, v, n_heads, NULL, 0, hd, n_rot, pos, base);
}

void lf_rope_qk(int interleaved, float *q, int nq, float *k, int nk, int hd, int n_rot, int pos, float base) {
    rope_heads(interleaved, q, nq, k, nk, hd, n_rot, pos, base);
}

void lf_softmax(float *x, int n) {
    float mx = -INFINITY;
    for (int i = 0; i < n; i++)
        if (x[i] > mx) mx = x[i];
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const float e = (x[i] == -INFINITY) ? 0.0f : expf(x[i] - mx);
        x[i] = e;
        sum += e;
    }
    const float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) x[i] *= inv;
}

/* exp(x) the way ggml's CPU backend computes it in its vectorised activations and softmax; the operation
 * sequence is expf_ggml_ref (kernels/ref/vec_ref.c). Using the same approximation as the oracle keeps
 * our SiLU bit-identical to llama.cpp's, which matters because a 1-ulp difference can flip a Q8_0
 * activation rounding downstream. */
float lf_expf_ggml(float x) { return expf_ggml_ref(x); }

static lf_vec_kernels g_vec_best;
static lf_attn_kernels g_attn_best;
static lf_from_f32_fn g_f16_from_f32;
static pthread_once_t g_vec_once = PTHREAD_ONCE_INIT;

static void vec_best_init(void) {
    lf_kernels k;
    lf_kernels_init(&k, lf_cpu_detect());
    g_vec_best = k.vec;
    g_attn_best = k.attn;
    g_f16_from_f32 = k.t[LF_DT_F16].from_f32;
}

const lf_vec_kernels *lf_vec_best(void) {
    pthread_once(&g_vec_once, vec_best_init);
    return &g_vec_best;
}

const lf_attn_kernels *lf_attn_best(void) {
    pthread_once(&g_vec_once, vec_best_init);
    return &g_attn_best;
}

/* axpy with a = 1: the product 1 * x[i] is x[i] exactly, so this is y[i] + x[i] */
void lf_add(float *y, const float *x, size_t n) { lf_vec_best()->axpy_f32((int64_t)n, 1.0f, x, y); }

void lf_f32_to_f16_row(int64_t n, const float *x, uint16_t *y) {
    pthread_once(&g_vec_once, vec_best_init);
    g_f16_from_f32(x, y, n);
}

void lf_swiglu(float *g, const float *u, int n) { lf_vec_best()->swiglu(n, g, u); }

/* ggml's CPU GELU (GGML_GELU_FP16, ggml-cpu/vec.h ggml_vec_geglu_f32): x <= -10 gives 0, x >= 10 gives
 * x; otherwise x is rounded to f16 and looked up in a table of f16-rounded gelu_tanh(f16 value), the
 * tanh form evaluated in f32 as ggml_gelu_f32 writes it. lf_gelu_ggml_eval computes an entry on the fly
 * (the definition, for tests); lf_gelu_ggml and lf_geglu look it up in the same table as ggml. */
float lf_gelu_ggml_eval(float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    const float f = lf_fp16_to_f32(lf_f32_to_fp16(x));
    const float c = 0.79788456080286535587989211986876f, a = 0.044715f; /* sqrt(2/pi), GELU_COEF_A */
    const float g = 0.5f * f * (1.0f + tanhf(c * f * (1.0f + a * f * f)));
    return lf_fp16_to_f32(lf_f32_to_fp16(g));
}

/* ggml's table itself: gelu of every f16 value, as f16 (128 KiB, built once on first use). Evaluating
 * tanhf per element cost Gemma3 prefill 45 % of its time. */
static uint16_t g_gelu_tab[1 << 16];
static pthread_once_t g_gelu_once = PTHREAD_ONCE_INIT;

static void gelu_tab_init(void) {
    for (uint32_t h = 0; h < (1u << 16); h++) {
        const float f = lf_fp16_to_f32((uint16_t)h);
        const float c = 0.79788456080286535587989211986876f, a = 0.044715f;
        g_gelu_tab[h] = lf_f32_to_fp16(0.5f * f * (1.0f + tanhf(c * f * (1.0f + a * f * f))));
    }
}

float lf_gelu_ggml(float x) {
    pthread_once(&g_gelu_once, gelu_tab_init);
    const float one = 1.0f;
    vec_geglu_ref(1, &x, &one, g_gelu_tab); /* the lookup times 1: exact */
    return x;
}

/* the lookup is the kernel table's geglu (vectorised code computation, scalar table loads) */
void lf_geglu(float *g, const float *u, int n) {
    pthread_once(&g_gelu_once, gelu_tab_init);
    lf_vec_best()->geglu(n, g, u, g_gelu_tab);
}

void lf_shortconv(float *y, int64_t y_stride, const float *bcx, int64_t bcx_stride, float *state, const float *w,
                  int H, int L, int T) {
    const int nk = L - 1;
    for (int t = 0; t < T; t++) {
        const float *r = bcx + (size_t)t * bcx_stride;
        float *yr = y + (size_t)t * y_stride;
        for (int c = 0; c < H; c++) {
            const float g = r[c] * r[2 * H + c];
            const float *wc = w + (size_t)c * L;
            float *sc = state + (size_t)c * nk;
            float acc = 0.0f;
            for (int k = 0; k < nk; k++) acc += sc[k] * wc[k];
            acc += g * wc[nk];
            for (int k = 0; k + 1 < nk; k++) sc[k] = sc[k + 1];
            sc[nk - 1] = g;
            yr[c] = r[H + c] * acc;
        }
    }
}

/* ---- several token rows at once, split over the pool (same per-row operations as the single-row
 * functions: identical results for any thread count) ----------------------------------------------- */

#define ROWS_PARALLEL_MIN 4 /* fewer rows run on the calling thread: a pool barrier costs more */

typedef struct {
    float *y;
    const float *x, *w;
    const float *u;
    int64_t ys, xs, us;
    int n, T, act;
    float eps;
} rows_job;

static void rmsnorm_rows_fn(void *ctx, int ith, int nth) {
    const rows_job *j = ctx;
    long b, e;
    lf_pool_split(j->T, ith, nth, 1, &b, &e);
    if (e > b) lf_vec_best()->rmsnorm(j->n, e - b, j->y + b * j->ys, j->ys, j->x + b * j->xs, j->xs, j->w, j->eps);
}

void lf_rmsnorm_rows(lf_pool *pool, float *y, int64_t y_stride, const float *x, int64_t x_stride, const float *w,
                     int n, float eps, int T) {
    rows_job j = {y, x, w, NULL, y_stride, x_stride, 0, n, T, 0, eps};
    lf_pool_run(T >= ROWS_PARALLEL_MIN ? pool : NULL, rmsnorm_rows_fn, &j);
}

static void act_rows_fn(void *ctx, int ith, int nth) {
    const rows_job *j = ctx;
    long b, e;
    lf_pool_split(j->T, ith, nth, 1, &b, &e);
    for (long t = b; t < e; t++) {
        if (j->act)
            lf_geglu(j->y + t * j->ys, j->u + t * j->us, j->n);
        else
            lf_swiglu(j->y + t * j->ys, j->u + t * j->us, j->n);
    }
}

void lf_glu_rows(lf_pool *pool, int gelu, float *g, const float *u, int64_t stride, int n, int T) {
    rows_job j = {g, NULL, NULL, u, stride, 0, stride, n, T, gelu, 0.0f};
    lf_pool_run(T >= 2 ? pool : NULL, act_rows_fn, &j);
}
