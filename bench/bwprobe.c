/* bench/bwprobe.c - read bandwidth of this machine, the physical limit of decode (PERF.md): every
 * thread sums its contiguous share of a buffer (default 1 GiB, pages touched first) with the widest
 * SIMD the CPU has (AVX-512, AVX2, else scalar), 4 independent accumulators; GB/s = bytes / wall time
 * from a barrier release to the last thread's finish. Repeats per thread count and reports
 * min / median / max.
 *
 * usage: bwprobe [-s MiB (1024)] [-r REPS (5)] [-t LIST (1,2)] [--json]
 * --json prints one line: {"buffer_mib":1024,"reps":5,"probes":[{"threads":1,"gbs":med,"gbs_min":..,
 * "gbs_max":..},...]}
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { MAX_T = 64, MAX_REPS = 100 };

typedef struct probe {
    const uint64_t *buf;
    size_t n; /* uint64 words */
    int nth;
    pthread_barrier_t start, stop;
    volatile int quit;
    uint64_t sink[MAX_T];
} probe;

typedef struct worker {
    probe *p;
    int ith;
} worker;

static uint64_t sum_scalar(const uint64_t *x, size_t n) {
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) s0 += x[i], s1 += x[i + 1], s2 += x[i + 2], s3 += x[i + 3];
    for (; i < n; i++) s0 += x[i];
    return s0 + s1 + s2 + s3;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static uint64_t sum_avx512(const uint64_t *x, size_t n) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_add_epi64(a0, _mm512_loadu_si512((const void *)(x + i)));
        a1 = _mm512_add_epi64(a1, _mm512_loadu_si512((const void *)(x + i + 8)));
        a2 = _mm512_add_epi64(a2, _mm512_loadu_si512((const void *)(x + i + 16)));
        a3 = _mm512_add_epi64(a3, _mm512_loadu_si512((const void *)(x + i + 24)));
    }
    uint64_t t[8], s = sum_scalar(x + i, n - i);
    _mm512_storeu_si512((void *)t, _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
    for (int k = 0; k < 8; k++) s += t[k];
    return s;
}

__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint64_t *x, size_t n) {
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_epi64(a0, _mm256_loadu_si256((const __m256i *)(x + i)));
        a1 = _mm256_add_epi64(a1, _mm256_loadu_si256((const __m256i *)(x + i + 4)));
        a2 = _mm256_add_epi64(a2, _mm256_loadu_si256((const __m256i *)(x + i + 8)));
        a3 = _mm256_add_epi64(a3, _mm256_loadu_si256((const __m256i *)(x + i + 12)));
    }
    uint64_t t[4], s = sum_scalar(x + i, n - i);
    _mm256_storeu_si256((__m256i *)t, _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3)));
    for (int k = 0; k < 4; k++) s += t[k];
    return s;
}
#endif

static uint64_t (*pick_sum(const char **isa))(const uint64_t *, size_t) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        *isa = "avx512";
        return sum_avx512;
    }
    if (__builtin_cpu_supports("avx2")) {
        *isa = "avx2";
        return sum_avx2;
    }
#endif
    *isa = "scalar";
    return sum_scalar;
}

static uint64_t (*g_sum)(const uint64_t *, size_t);

static void *run_worker(void *arg) {
    worker *w = arg;
    probe *p = w->p;
    size_t per = p->n / (size_t)p->nth, b = per * (size_t)w->ith, e = w->ith == p->nth - 1 ? p->n : b + per;
    for (;;) {
        pthread_barrier_wait(&p->start);
        if (p->quit) return NULL;
        p->sink[w->ith] += g_sum(p->buf + b, e - b);
        pthread_barrier_wait(&p->stop);
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* GB/s of reps passes with nth threads into gbs[0..reps), sorted ascending. */
static int measure(probe *p, int nth, int reps, double *gbs) {
    pthread_t th[MAX_T];
    worker w[MAX_T];
    p->nth = nth;
    p->quit = 0;
    pthread_barrier_init(&p->start, NULL, (unsigned)nth + 1);
    pthread_barrier_init(&p->stop, NULL, (unsigned)nth + 1);
    for (int i = 0; i < nth; i++) {
        w[i].p = p;
        w[i].ith = i;
        if (pthread_create(&th[i], NULL, run_worker, &w[i])) return -1;
    }
    for (int r = -1; r < reps; r++) { /* r = -1: untimed warm-up pass */
        double t0 = now_s();
        pthread_barrier_wait(&p->start);
        pthread_barrier_wait(&p->stop);
        double dt = now_s() - t0;
        if (r >= 0) gbs[r] = (double)p->n * 8.0 / dt / 1e9;
    }
    p->quit = 1;
    pthread_barrier_wait(&p->start);
    for (int i = 0; i < nth; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&p->start);
    pthread_barrier_destroy(&p->stop);
    qsort(gbs, (size_t)reps, sizeof *gbs, cmp_double);
    return 0;
}

static int usage(const char *msg) {
    if (msg) fprintf(stderr, "bwprobe: %s\n", msg);
    fprintf(msg ? stderr : stdout, "usage: bwprobe [-s MiB (1024)] [-r REPS (5)] [-t LIST (1,2)] [--json]\n");
    return msg ? 2 : 0;
}

int main(int argc, char **argv) {
    long mib = 1024;
    int reps = 5, json = 0, tl[16] = {1, 2}, ntl = 2;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) return usage(NULL);
        if (!strcmp(o, "--json")) {
            json = 1;
            continue;
        }
        if (!v) return usage("option needs a value (or is unknown)");
        i++;
        if (!strcmp(o, "-s")) {
            mib = strtol(v, &end, 10);
            if (*end || mib < 1 || mib > (1L << 20)) return usage("bad -s");
        } else if (!strcmp(o, "-r")) {
            reps = (int)strtol(v, &end, 10);
            if (*end || reps < 1 || reps > MAX_REPS) return usage("bad -r");
        } else if (!strcmp(o, "-t")) {
            ntl = 0;
            for (const char *s = v; *s && ntl < 16;) {
                long t = strtol(s, &end, 10);
                if (end == s || t < 1 || t > MAX_T) return usage("bad -t");
                tl[ntl++] = (int)t;
                s = *end == ',' ? end + 1 : end;
                if (*end && *end != ',') return usage("bad -t");
            }
        } else return usage("unknown option");
    }
    const char *isa;
    g_sum = pick_sum(&isa);
    size_t bytes = (size_t)mib << 20;
    uint64_t *buf = aligned_alloc(4096, bytes);
    if (!buf) {
        fprintf(stderr, "bwprobe: cannot allocate %ld MiB\n", mib);
        return 1;
    }
    for (size_t i = 0; i < bytes / 8; i++) buf[i] = i; /* touch every page: no first-touch faults timed */
    static probe p;
    p.buf = buf;
    p.n = bytes / 8;
    double gbs[MAX_REPS];
    if (json) printf("{\"buffer_mib\":%ld,\"reps\":%d,\"isa\":\"%s\",\"probes\":[", mib, reps, isa);
    for (int k = 0; k < ntl; k++) {
        if (measure(&p, tl[k], reps, gbs)) {
            fprintf(stderr, "bwprobe: cannot start threads\n");
            return 1;
        }
        double mn = gbs[0], md = reps % 2 ? gbs[reps / 2] : 0.5 * (gbs[reps / 2 - 1] + gbs[reps / 2]),
               mx = gbs[reps - 1];
        if (json)
            printf("%s{\"threads\":%d,\"gbs\":%.3f,\"gbs_min\":%.3f,\"gbs_max\":%.3f}", k ? "," : "", tl[k], md, mn, mx);
        else
            printf("read-sum %ld MiB, %d thread%s (%s): %.1f / %.1f / %.1f GB/s (min / median / max of %d)\n", mib,
                   tl[k], tl[k] > 1 ? "s" : "", isa, mn, md, mx, reps);
    }
    if (json) puts("]}");
    uint64_t s = 0;
    for (int i = 0; i < MAX_T; i++) s += p.sink[i];
    if (s == 42) fputs("", stderr); /* keeps the sums alive */
    free(buf);
    return 0;
}
