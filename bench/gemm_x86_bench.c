/* bench/gemm_x86_bench.c - prefill micro-benchmark of the x86 Q8_0/Q4_0 gemms called directly (so the
 * AVX2 and AVX-VNNI ones can be timed on a CPU whose dispatch picks AVX-512): single thread, T tokens,
 * the weight rows in blocks of 16 as ops/matmul.c passes them, against the gemv-per-token path (AVX2
 * gemv, once per token per 16-row block, as matmul without a gemm) and the table's own gemm. Variants
 * run alternately within each repetition; each 16-row call keeps its least time over the repetitions
 * and the times are summed (robust on a shared, preempting machine); every output is checked bit for
 * bit against the gemv path. GMAC/s = rows x K x T / summed time.
 *
 * usage: gemm_x86_bench [-r REPS (7)] [-t TOKENS (64)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/dtype.h"
#include "kernels/kernels.h"

#if defined(LFMRT_HAVE_X86)
#include "kernels/x86_avx2/avx2.h"
#include "kernels/x86_avxvnni/avxvnni.h"

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

#define MM_BLOCK 16

int main(int argc, char **argv) {
    int reps = 7, T = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-r")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-t")) T = atoi(argv[i + 1]);
    }
    if (reps < 1 || reps > 100 || T < 1 || T > 4096) {
        fprintf(stderr, "usage: gemm_x86_bench [-r REPS 1..100] [-t TOKENS 1..4096]\n");
        return 2;
    }
    const lf_cpu_features f = lf_cpu_detect();
    if (!(f.avx2 && f.fma && f.f16c)) {
        printf("SKIP: CPU lacks AVX2/FMA/F16C\n");
        return 0;
    }
    lf_kernels k;
    lf_kernels_init(&k, f);
    const struct {
        int64_t rows, n;
    } shapes[] = {{1024, 1024}, {4608, 1024}, {1024, 4608}};
    for (int ty = 0; ty < 2; ty++) {
        const uint32_t t = ty ? LF_DT_Q4_0 : LF_DT_Q8_0;
        const lf_gemv_fn gemv = ty ? gemv_q4_0_q8_0_avx2 : gemv_q8_0_q8_0_avx2;
        const char *names[3] = {"avx2", "avxvnni", k.t[t].isa};
        const lf_gemm_fn gemms[3] = {ty ? gemm_q4_0_q8_0_avx2 : gemm_q8_0_q8_0_avx2,
                                     f.avxvnni ? (ty ? gemm_q4_0_q8_0_avxvnni : gemm_q8_0_q8_0_avxvnni) : NULL,
                                     k.t[t].gemm};
        const int side[3] = {1, 1, k.t[t].gemm_side}; /* activation rows with lf_act_side entries */
        for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
            const int64_t rows = shapes[si].rows, n = shapes[si].n;
            size_t rb, ab;
            lf_dtype_row_size(t, n, &rb);
            lf_dtype_row_size(LF_DT_Q8_0, n, &ab);
            const size_t sb = lf_act_side_row_size(n);
            uint8_t *w = malloc((size_t)rows * rb), *a = malloc((size_t)T * ab), *as = malloc((size_t)T * sb);
            float *x = malloc((size_t)n * sizeof *x), *ref = malloc((size_t)rows * (size_t)T * sizeof(float));
            float *out = malloc((size_t)rows * (size_t)T * sizeof(float));
            if (!w || !a || !as || !x || !ref || !out) {
                fprintf(stderr, "gemm_x86_bench: out of memory\n");
                return 1;
            }
            for (int64_t r = 0; r < rows; r++) {
                for (int64_t i = 0; i < n; i++) x[i] = randf();
                k.t[t].from_f32(x, w + (size_t)r * rb, n);
            }
            for (int j = 0; j < T; j++) {
                for (int64_t i = 0; i < n; i++) x[i] = randf();
                k.t[LF_DT_Q8_0].from_f32(x, a + (size_t)j * ab, n);
                memcpy(as + (size_t)j * sb, a + (size_t)j * ab, ab);
                lf_act_side_fill(as + (size_t)j * sb, n);
            }
            /* per 16-row call, the least time over the repetitions (calls are tens of microseconds, so a
             * scheduler preemption spoils a call, not a whole pass), summed over the calls */
            const int64_t ncall = (rows + MM_BLOCK - 1) / MM_BLOCK;
            double *tmin = malloc(sizeof(double) * 4 * (size_t)ncall);
            if (!tmin) return 1;
            for (int64_t i = 0; i < 4 * ncall; i++) tmin[i] = 1e30;
            for (int rep = 0; rep < reps; rep++) {
                float tmp[MM_BLOCK];
                for (int64_t c = 0; c < ncall; c++) {
                    const int64_t r0 = c * MM_BLOCK;
                    const double t0 = now_s();
                    for (int j = 0; j < T; j++) {
                        gemv(n, MM_BLOCK, tmp, w + (size_t)r0 * rb, rb, a + (size_t)j * ab);
                        memcpy(ref + (size_t)j * (size_t)rows + r0, tmp, sizeof tmp);
                    }
                    const double dt = now_s() - t0;
                    if (dt < tmin[c]) tmin[c] = dt;
                }
                for (int v = 0; v < 3; v++) {
                    if (!gemms[v]) continue;
                    memset(out, 0, (size_t)rows * (size_t)T * sizeof(float));
                    for (int64_t c = 0; c < ncall; c++) {
                        const int64_t r0 = c * MM_BLOCK;
                        const double t0 = now_s();
                        gemms[v](n, MM_BLOCK, T, out + r0, (size_t)rows, w + (size_t)r0 * rb, rb, side[v] ? as : a,
                                 side[v] ? sb : ab);
                        const double dt = now_s() - t0;
                        if (dt < tmin[(v + 1) * ncall + c]) tmin[(v + 1) * ncall + c] = dt;
                    }
                    if (memcmp(out, ref, (size_t)rows * (size_t)T * sizeof(float)) != 0) {
                        fprintf(stderr, "gemm_x86_bench: %s gemm differs from the gemv path\n", names[v]);
                        return 1;
                    }
                }
            }
            const double macs = (double)rows * (double)n * (double)T;
            double best[4];
            for (int v = 0; v < 4; v++) {
                double sum = 0;
                for (int64_t c = 0; c < ncall; c++) sum += tmin[v * ncall + c];
                best[v] = macs / sum / 1e9;
            }
            free(tmin);
            printf("%s %5lld rows x K %5lld, %d tokens: gemv/token %5.1f GMAC/s", lf_dtype_name(t), (long long)rows,
                   (long long)n, T, best[0]);
            for (int v = 0; v < 3; v++)
                if (gemms[v]) printf(", gemm %s %5.1f (x%.2f)", v == 2 ? "table" : names[v], best[v + 1], best[v + 1] / best[0]);
            printf(" [table: %s]\n", names[2]);
            free(w);
            free(a);
            free(as);
            free(x);
            free(ref);
            free(out);
        }
    }
    return 0;
}
#else
int main(void) {
    printf("SKIP: x86 only\n");
    return 0;
}
#endif
