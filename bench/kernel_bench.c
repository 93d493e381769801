/* bench/kernel_bench.c - kernel micro-benchmarks (single thread, random data): for each weight dtype
 * with a fast kernel, the decode gemv on a matrix far larger than the caches (GB/s of weights) next to
 * a plain read-sum of the same buffer (their ratio is the gemv's fraction of the attainable bandwidth),
 * the gemv in cache, and prefill's two paths over T tokens on an in-cache row block: gemv once per token
 * against the dtype's gemm (GMAC/s and the ratio). Every variant runs alternately in one process and
 * the best of the repetitions is kept (the least disturbed run on a shared machine), so the ratios
 * hold on a busy machine; absolute numbers do not.
 *
 * Float weights (x86 with AVX-512): the installed F16/BF16 gemms next to the alternatives they were
 * chosen over, in one interleaved run on the same 16-row blocks x 64 tokens: a llama.cpp-style tile
 * (tinyBLAS: 4 rows x 6 tokens, both operands widened from 16 bits in the inner loop, no K blocking;
 * written here after its design, not its code) and the other BF16 kind (vdpbf16ps vs widen + FMA).
 *
 * usage: kernel_bench [-r REPS (7)] [-n K (1024)] [--big-mib MiB (256)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "kernels/pack.h"
#if defined(LFMRT_HAVE_X86)
#include "kernels/x86_avx512/avx512.h"
#endif

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;
static float randf(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((rng >> 11) & 0xffffff) / 16777216.0f * 2.0f - 1.0f;
}

/* quantizes nrows random rows of n into a buffer of type t (from_f32 of t) */
static uint8_t *rand_rows(const lf_kernels *k, uint32_t t, int64_t n, int64_t nrows, size_t *row_bytes) {
    lf_dtype_row_size(t, n, row_bytes);
    uint8_t *w = malloc((size_t)nrows * *row_bytes);
    float *x = malloc((size_t)n * sizeof *x);
    if (!w || !x) return NULL;
    for (int64_t r = 0; r < nrows; r++) {
        if (r < 64) /* random rows, then copies: quantizing 256 MiB would dominate the run */
            for (int64_t i = 0; i < n; i++) x[i] = randf();
        if (r < 64) k->t[t].from_f32(x, w + (size_t)r * *row_bytes, n);
        else memcpy(w + (size_t)r * *row_bytes, w + (size_t)(r % 64) * *row_bytes, *row_bytes);
    }
    free(x);
    return w;
}

static double best(const double *v, int n) {
    double b = v[0];
    for (int i = 1; i < n; i++)
        if (v[i] > b) b = v[i];
    return b;
}

/* sum of n 64-bit words, 4 independent chains, with the widest SIMD the CPU has (the bandwidth
 * reference, as bench/bwprobe measures it) */
__attribute__((noinline)) static uint64_t read_sum_scalar(const uint64_t *x, size_t n) {
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i + 4 <= n; i += 4) s0 += x[i], s1 += x[i + 1], s2 += x[i + 2], s3 += x[i + 3];
    return s0 + s1 + s2 + s3;
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((noinline, target("avx512f"))) static uint64_t read_sum_avx512(const uint64_t *x, size_t n) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 32 <= n; i += 32) {
        a0 = _mm512_add_epi64(a0, _mm512_loadu_si512((const void *)(x + i)));
        a1 = _mm512_add_epi64(a1, _mm512_loadu_si512((const void *)(x + i + 8)));
        a2 = _mm512_add_epi64(a2, _mm512_loadu_si512((const void *)(x + i + 16)));
        a3 = _mm512_add_epi64(a3, _mm512_loadu_si512((const void *)(x + i + 24)));
    }
    return (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
}
#endif

static uint64_t read_sum(const lf_kernels *k, const uint64_t *x, size_t n) {
#if defined(__x86_64__)
    if (k->cpu.avx512f) return read_sum_avx512(x, n);
#endif
    return read_sum_scalar(x, n);
}

#if defined(LFMRT_HAVE_X86)
/* llama.cpp's F16/BF16 prefill design (tinyBLAS, llamafile/sgemm.cpp): RM=4 rows x RN=6 tokens of zmm
 * accumulators over the whole row, each weight and token vector widened from 16 bits where it is used
 * (F16: vcvtph2ps; BF16 with AVX512_BF16: no widening, vdpbf16ps), one horizontal sum per output. */
#define LL_RM 4
#define LL_RN 6
#define LL_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16,f16c,fma"), always_inline)) static inline
LL_TARGET __m512 ll_h16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
LL_TARGET void ll_tile_f16(int64_t n, const uint16_t **row, const uint16_t **tok, float *s, size_t ss) {
    __m512 acc[LL_RN][LL_RM];
    _Pragma("GCC unroll 8") for (int j = 0; j < LL_RN; j++)
        _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) acc[j][i] = _mm512_setzero_ps();
    for (int64_t l = 0; l < n; l += 16) {
        __m512 av[LL_RM];
        _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) av[i] = ll_h16(row[i] + l);
        _Pragma("GCC unroll 8") for (int j = 0; j < LL_RN; j++) {
            const __m512 b = ll_h16(tok[j] + l);
            _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) acc[j][i] = _mm512_fmadd_ps(av[i], b, acc[j][i]);
        }
    }
    _Pragma("GCC unroll 8") for (int j = 0; j < LL_RN; j++)
        _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) s[(size_t)j * ss + (size_t)i] = _mm512_reduce_add_ps(acc[j][i]);
}
LL_TARGET void ll_tile_bf16(int64_t n, const uint16_t **row, const uint16_t **tok, float *s, size_t ss) {
    __m512 acc[LL_RN][LL_RM];
    _Pragma("GCC unroll 8") for (int j = 0; j < LL_RN; j++)
        _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) acc[j][i] = _mm512_setzero_ps();
    for (int64_t l = 0; l < n; l += 32) {
        __m512bh av[LL_RM];
        _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) av[i] = (__m512bh)_mm512_loadu_si512((const void *)(row[i] + l));
        _Pragma("GCC unroll 8") for (int j = 0; j < LL_RN; j++) {
            const __m512bh b = (__m512bh)_mm512_loadu_si512((const void *)(tok[j] + l));
            _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) acc[j][i] = _mm512_dpbf16_ps(acc[j][i], av[i], b);
        }
    }
    _Pragma("GCC unroll 8") for (int j = 0; j < LL_RN; j++)
        _Pragma("GCC unroll 8") for (int i = 0; i < LL_RM; i++) s[(size_t)j * ss + (size_t)i] = _mm512_reduce_add_ps(acc[j][i]);
}
/* lf_gemm_fn shape; n a multiple of 32, nrows of 4, ntok of 6 (what the comparison passes) */
#define LL_GEMM(NAME, TILE)                                                                                  \
    __attribute__((target("avx512f,avx512bw,avx512bf16,f16c,fma"))) static void NAME(                      \
        int64_t n, int64_t nrows, int64_t ntok, float *s, size_t ss, const void *w, size_t ws, const void *a, \
        size_t as) {                                                                                         \
        for (int64_t r0 = 0; r0 < nrows; r0 += LL_RM) {                                                      \
            const uint16_t *row[LL_RM];                                                                      \
            for (int i = 0; i < LL_RM; i++) row[i] = (const uint16_t *)((const uint8_t *)w + (size_t)(r0 + i) * ws); \
            for (int64_t t0 = 0; t0 + LL_RN <= ntok; t0 += LL_RN) {                                          \
                const uint16_t *tok[LL_RN];                                                                  \
                for (int j = 0; j < LL_RN; j++)                                                              \
                    tok[j] = (const uint16_t *)((const uint8_t *)a + (size_t)(t0 + j) * as);                  \
                TILE(n, row, tok, s + (size_t)t0 * ss + (size_t)r0, ss);                                     \
            }                                                                                                \
        }                                                                                                    \
    }
LL_GEMM(ll_gemm_f16, ll_tile_f16)
LL_GEMM(ll_gemm_bf16, ll_tile_bf16)

/* Interleaved best-of-reps GMAC/s of several gemms over rows x n weights of type t and T tokens. */
static void compare_gemms(const lf_kernels *k, uint32_t t, int64_t n, int reps, const char *const *names,
                          const lf_gemm_fn *fns, int nf) {
    const int64_t rows = 256, T = 60; /* 60 = 10 tiles of the 6-token llama.cpp-style tile */
    size_t rb;
    uint8_t *w = rand_rows(k, t, n, rows, &rb), *a = rand_rows(k, t, n, T, &rb);
    float *out = malloc((size_t)(rows * T) * sizeof(float));
    if (!w || !a || !out) return;
    double g[8][100];
    for (int r = 0; r < reps; r++)
        for (int f = 0; f < nf; f++) {
            const double t0 = now_s();
            for (int64_t r0 = 0; r0 < rows; r0 += 16)
                fns[f](n, 16, T, out + r0, (size_t)rows, w + (size_t)r0 * rb, rb, a, rb);
            g[f][r] = (double)rows * (double)T * (double)n / (now_s() - t0) / 1e9;
        }
    printf("%-5s gemm designs, %lld x %lld x %lld, best of %d:", lf_dtype_name(t), (long long)rows, (long long)n,
           (long long)T, reps);
    for (int f = 0; f < nf; f++) printf(" %s %.1f GMAC/s%s", names[f], best(g[f], reps), f + 1 < nf ? ";" : "\n");
    free(w), free(a), free(out);
}
#endif

/* The same matrices repacked at load (kernels/pack.h): decode (1 token) from DRAM and in cache, and the
 * gemm at 4 tokens (batched decode) and 64 (prefill) next to the in-call panel gemm, interleaved. */
static void bench_packed(const lf_kernels *k, uint32_t t, int64_t n, int reps, const uint8_t *wb, int64_t big_rows,
                         const uint8_t *ws, int64_t small_rows, size_t rb, const double *g_read) {
    const lf_type_kernels *tk = &k->t[t];
    const size_t gb = lf_pack_group_bytes(t, n), ab = lf_act_side_row_size(n);
    const int64_t T = 64;
    uint8_t *pb = aligned_alloc(64, lf_pack_bytes(t, n, big_rows)), *ps = aligned_alloc(64, lf_pack_bytes(t, n, small_rows));
    uint8_t *act = aligned_alloc(64, ab * (size_t)T);
    float *x = malloc((size_t)n * sizeof *x), *out = malloc((size_t)(big_rows > small_rows * T ? big_rows : small_rows * T) * sizeof(float));
    if (!pb || !ps || !act || !x || !out) {
        fprintf(stderr, "kernel_bench: out of memory\n");
        exit(1);
    }
    lf_pack_groups(t, n, big_rows, wb, rb, pb, 0, (big_rows + 15) / 16);
    lf_pack_groups(t, n, small_rows, ws, rb, ps, 0, (small_rows + 15) / 16);
    for (int64_t j = 0; j < T; j++) {
        for (int64_t i = 0; i < n; i++) x[i] = randf();
        k->t[LF_DT_Q8_0].from_f32(x, act + (size_t)j * ab, n);
        lf_act_side_fill(act + (size_t)j * ab, n);
    }
    double g_big[100], g_small[100], m4p[100], m4g[100], m64p[100], m64g[100];
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        tk->gemm_packed(n, big_rows, 1, out, (size_t)big_rows, pb, gb, act, ab);
        g_big[r] = (double)big_rows * (double)rb / (now_s() - t0) / 1e9;
        t0 = now_s();
        for (int i = 0; i < 64; i++) tk->gemm_packed(n, small_rows, 1, out, (size_t)small_rows, ps, gb, act, ab);
        g_small[r] = 64.0 * (double)small_rows * (double)rb / (now_s() - t0) / 1e9;
        const int64_t Ts[2] = {4, T};
        double *dp[2] = {m4p, m64p}, *dg[2] = {m4g, m64g};
        for (int v = 0; v < 2; v++) {
            const double macs = (double)small_rows * (double)Ts[v] * (double)n;
            t0 = now_s();
            for (int i = 0; i < (v ? 1 : 16); i++)
                tk->gemm_packed(n, small_rows, Ts[v], out, (size_t)small_rows, ps, gb, act, ab);
            dp[v][r] = (v ? 1 : 16) * macs / (now_s() - t0) / 1e9;
            t0 = now_s();
            for (int i = 0; i < (v ? 1 : 16); i++)
                for (int64_t r0 = 0; r0 < small_rows; r0 += 16)
                    tk->gemm(n, 16, Ts[v], out + r0, (size_t)small_rows, ws + (size_t)r0 * rb, rb, act, ab);
            dg[v][r] = (v ? 1 : 16) * macs / (now_s() - t0) / 1e9;
        }
    }
    printf("%-5s packed x16: decode %.1f GB/s from DRAM (x%.2f of read-sum), in cache %.1f GB/s; gemm 4 tokens "
           "%.1f GMAC/s (panel gemm %.1f), 64 tokens %.1f (panel %.1f)\n",
           lf_dtype_name(t), best(g_big, reps), best(g_big, reps) / best(g_read, reps), best(g_small, reps),
           best(m4p, reps), best(m4g, reps), best(m64p, reps), best(m64g, reps));
    free(pb), free(ps), free(act), free(x), free(out);
}

int main(int argc, char **argv) {
    int reps = 7;
    int64_t n = 1024, big_mib = 256;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-r")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-n")) n = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--big-mib")) big_mib = atoll(argv[i + 1]);
    }
    if (reps < 1 || reps > 100 || n < 32 || n % 256) {
        fprintf(stderr, "usage: kernel_bench [-r REPS 1..100] [-n K, multiple of 256] [--big-mib MiB]\n");
        return 2;
    }
    lf_kernels k;
    lf_kernels_init(&k, lf_cpu_detect());
    const uint32_t types[] = {LF_DT_Q4_0, LF_DT_Q8_0, LF_DT_F16, LF_DT_BF16};
    for (size_t ti = 0; ti < sizeof types / sizeof *types; ti++) {
        const uint32_t t = types[ti];
        const lf_type_kernels *tk = &k.t[t];
        const uint32_t at = tk->vec_dot_type;
        size_t rb, ab;
        lf_dtype_row_size(t, n, &rb);
        lf_dtype_row_size(at, n, &ab);
        const int64_t big_rows = (big_mib << 20) / (int64_t)rb, small_rows = 256, T = 64;
        size_t tmp;
        uint8_t *wb = rand_rows(&k, t, n, big_rows, &tmp), *ws = rand_rows(&k, t, n, small_rows, &tmp);
        uint8_t *act = rand_rows(&k, at, n, T, &tmp);
        float *out = malloc((size_t)(big_rows > small_rows * T ? big_rows : small_rows * T) * sizeof(float));
        if (!wb || !ws || !act || !out) {
            fprintf(stderr, "kernel_bench: out of memory\n");
            return 1;
        }
        double g_big[100], g_read[100], g_small[100], p_gemv[100], p_gemm[100];
        uint64_t sink = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = now_s();
            tk->gemv(n, big_rows, out, wb, rb, act);
            g_big[r] = (double)big_rows * (double)rb / (now_s() - t0) / 1e9;
            t0 = now_s();
            sink += read_sum(&k, (const uint64_t *)wb, (size_t)big_rows * rb / 8);
            g_read[r] = (double)big_rows * (double)rb / (now_s() - t0) / 1e9;
            t0 = now_s();
            for (int i = 0; i < 64; i++) tk->gemv(n, small_rows, out, ws, rb, act);
            g_small[r] = 64.0 * (double)small_rows * (double)rb / (now_s() - t0) / 1e9;
            const double macs = (double)small_rows * (double)T * (double)n;
            t0 = now_s();
            for (int64_t r0 = 0; r0 < small_rows; r0 += 16)
                for (int64_t j = 0; j < T; j++)
                    tk->gemv(n, 16, out + j * small_rows + r0, ws + (size_t)r0 * rb, rb, act + (size_t)j * ab);
            p_gemv[r] = macs / (now_s() - t0) / 1e9;
            p_gemm[r] = 0.0;
            if (tk->gemm) {
                t0 = now_s();
                for (int64_t r0 = 0; r0 < small_rows; r0 += 16)
                    tk->gemm(n, 16, T, out + r0, (size_t)small_rows, ws + (size_t)r0 * rb, rb, act, ab);
                p_gemm[r] = macs / (now_s() - t0) / 1e9;
            }
        }
        const double pv = best(p_gemv, reps), pm = best(p_gemm, reps);
        printf("%-5s (%s): gemv %lld MiB matrix %.1f GB/s (read-sum %.1f GB/s: x%.2f), in cache %.1f GB/s; "
               "prefill %lld x %lld x %lld: gemv per token %.1f GMAC/s",
               lf_dtype_name(t), tk->isa, (long long)big_mib, best(g_big, reps), best(g_read, reps),
               best(g_big, reps) / best(g_read, reps), best(g_small, reps), (long long)small_rows, (long long)n,
               (long long)T, pv);
        if (tk->gemm) printf(", gemm %.1f GMAC/s (x%.2f)", pm, pm / pv);
        printf(sink == 42 ? " \n" : "\n"); /* keeps the read-sum alive */
        if (tk->gemm_packed) bench_packed(&k, t, n, reps, wb, big_rows, ws, small_rows, rb, g_read);
        free(wb);
        free(ws);
        free(act);
        free(out);
    }
#if defined(LFMRT_HAVE_X86)
    if (k.cpu.avx512f && k.cpu.avx512bw && k.cpu.avx512vl && k.cpu.avx512vnni && k.cpu.f16c && k.cpu.fma) {
        const char *fn16[] = {"installed (2x12, K-blocked)", "llama.cpp-style 4x6"};
        const lf_gemm_fn f16[] = {gemm_f16_f16_avx512, ll_gemm_f16};
        compare_gemms(&k, LF_DT_F16, n, reps, fn16, f16, 2);
        if (k.cpu.avx512bf16) {
            const char *fnb[] = {"widen+FMA 2x12", "vdpbf16ps 4x6 K-blocked", "llama.cpp-style vdpbf16ps 4x6"};
            const lf_gemm_fn fb[] = {gemm_bf16_bf16_avx512, gemm_bf16_bf16_avx512bf16, ll_gemm_bf16};
            compare_gemms(&k, LF_DT_BF16, n, reps, fnb, fb, 3);
        }
    }
#endif
    return 0;
}
