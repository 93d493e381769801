/* bench/kernel_bench.c - kernel micro-benchmarks (single thread, random data): for each weight dtype
 * with a fast kernel, the decode gemv on a matrix far larger than the caches (GB/s of weights), the
 * same in cache, and prefill's two paths over T tokens on an in-cache row block: gemv once per token
 * against the dtype's gemm (GMAC/s and the ratio). Every variant runs alternately in one process, so
 * the ratios hold on a busy machine; absolute numbers do not.
 *
 * usage: kernel_bench [-r REPS (5)] [-n K (1024)] [--big-mib MiB (256)]
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

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static double med(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv) {
    int reps = 5;
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
    const uint32_t types[] = {LF_DT_Q4_0, LF_DT_Q8_0, LF_DT_F16};
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
        double g_big[100], g_small[100], p_gemv[100], p_gemm[100];
        for (int r = 0; r < reps; r++) {
            double t0 = now_s();
            tk->gemv(n, big_rows, out, wb, rb, act);
            g_big[r] = (double)big_rows * (double)rb / (now_s() - t0) / 1e9;
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
        const double pv = med(p_gemv, reps), pm = med(p_gemm, reps);
        printf("%-5s (%s): gemv %lld MiB matrix %.1f GB/s, in cache %.1f GB/s; prefill %lld x %lld x %lld: "
               "gemv per token %.1f GMAC/s",
               lf_dtype_name(t), tk->isa, (long long)big_mib, med(g_big, reps), med(g_small, reps),
               (long long)small_rows, (long long)n, (long long)T, pv);
        if (tk->gemm) printf(", gemm %.1f GMAC/s (x%.2f)", pm, pm / pv);
        printf("\n");
        free(wb);
        free(ws);
        free(act);
        free(out);
    }
    return 0;
}
