/* bench/kernel_bench.c - kernel micro-benchmarks (single thread, random data): for each weight dtype
 * with a fast kernel, the decode gemv on a matrix far larger than the caches (GB/s of weights) next to
 * a plain read-sum of the same buffer (their ratio is the gemv's fraction of the attainable bandwidth),
 * the gemv in cache, and prefill's two paths over T tokens on an in-cache row block: gemv once per token
 * against the dtype's gemm (GMAC/s and the ratio). Every variant runs alternately in one process and
 * the best of the repetitions is kept (the least disturbed run on a shared machine), so the ratios
 * hold on a busy machine; absolute numbers do not.
 *
 * usage: kernel_bench [-r REPS (7)] [-n K (1024)] [--big-mib MiB (256)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/dtype.h"
#include "kernels/kernels.h"

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
        free(wb);
        free(ws);
        free(act);
        free(out);
    }
    return 0;
}
