/* base/pool.c - persistent thread pool (pthreads + C11 atomics). */
#include "base/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LF_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define LF_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define LF_CPU_RELAX() ((void)0)
#endif

/* Waiting: spin briefly (cheap hand-off between the ~100 parallel steps of a decoded token), then
 * yield the core (a busy machine must not lose whole time slices to spinners), then sleep. */
#define LF_SPIN_ITERS 4096
#define LF_YIELD_ITERS 64

struct lf_pool {
    int n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint gen;      /* incremented for every job */
    atomic_int pending;   /* workers still running the current job */
    atomic_int stop;
    atomic_int sleepers;  /* workers blocked on cv */
    lf_pool_fn fn;
    void *ctx;
};

typedef struct {
    lf_pool *p;
    int ith;
} worker_arg;

static void *worker_main(void *arg) {
    worker_arg *wa = arg;
    lf_pool *p = wa->p;
    int ith = wa->ith;
    free(wa);
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load(&p->gen)) == seen && !atomic_load(&p->stop)) {
            ++spins;
            if (spins < LF_SPIN_ITERS) {
                LF_CPU_RELAX();
            } else if (spins < LF_SPIN_ITERS + LF_YIELD_ITERS) {
                sched_yield();
            } else {
                /* seq_cst: either lf_pool_run sees sleepers > 0 and broadcasts, or we see its new gen */
                pthread_mutex_lock(&p->mu);
                atomic_fetch_add(&p->sleepers, 1);
                while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop)) pthread_cond_wait(&p->cv, &p->mu);
                atomic_fetch_sub(&p->sleepers, 1);
                pthread_mutex_unlock(&p->mu);
                spins = 0;
            }
        }
        if (atomic_load_explicit(&p->stop, memory_order_acquire)) break;
        seen = g;
        p->fn(p->ctx, ith, p->n);
        atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel);
    }
    return NULL;
}

int lf_pool_create(int n_threads, lf_pool **out, lfmrt_err *e) {
    *out = NULL;
    if (n_threads < 1 || n_threads > 512) return lf_err(e, LFMRT_E_INVALID, "thread count %d out of range 1..512", n_threads);
    lf_pool *p = calloc(1, sizeof *p);
    if (!p) return lf_err(e, LFMRT_E_NOMEM, "out of memory creating thread pool");
    p->n = n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->stop, 0);
    atomic_init(&p->sleepers, 0);
    if (n_threads > 1) {
        p->threads = calloc((size_t)n_threads - 1, sizeof *p->threads);
        if (!p->threads) {
            lf_pool_destroy(p);
            return lf_err(e, LFMRT_E_NOMEM, "out of memory creating thread pool");
        }
        for (int i = 1; i < n_threads; i++) {
            worker_arg *wa = malloc(sizeof *wa);
            if (wa) {
                wa->p = p;
                wa->ith = i;
            }
            if (!wa || pthread_create(&p->threads[i - 1], NULL, worker_main, wa) != 0) {
                free(wa);
                p->n = i; /* only i-1 workers exist */
                lf_pool_destroy(p);
                return lf_err(e, LFMRT_E_NOMEM, "cannot start worker thread %d", i);
            }
        }
    }
    *out = p;
    return LFMRT_OK;
}

void lf_pool_destroy(lf_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->threads)
        for (int i = 1; i < p->n; i++) pthread_join(p->threads[i - 1], NULL);
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int lf_pool_size(const lf_pool *p) { return p ? p->n : 1; }

void lf_pool_run(lf_pool *p, lf_pool_fn fn, void *ctx) {
    if (!p || p->n == 1) {
        fn(ctx, 0, 1);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->pending, p->n - 1);
    atomic_fetch_add(&p->gen, 1);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    fn(ctx, 0, p->n);
    for (int spins = 0; atomic_load(&p->pending) > 0; spins++) {
        if (spins < LF_SPIN_ITERS)
            LF_CPU_RELAX();
        else
            sched_yield();
    }
}

void lf_pool_split(long n, int ith, int nth, long align, long *begin, long *end) {
    if (align < 1) align = 1;
    long units = (n + align - 1) / align;
    long per = units / nth, rem = units % nth;
    long ub = ith * per + (ith < rem ? ith : rem);
    long ue = ub + per + (ith < rem ? 1 : 0);
    *begin = ub * align < n ? ub * align : n;
    *end = ue * align < n ? ue * align : n;
}

int lf_cpu_physical_cores(void) {
    /* count distinct (physical id, core id) pairs in /proc/cpuinfo; fall back to online CPUs */
    FILE *f = fopen("/proc/cpuinfo", "r");
    int n_online = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n_online < 1) n_online = 1;
    if (!f) return n_online;
    char line[256];
    int phys = -1, seen = 0;
    int pairs[1024][2];
    while (fgets(line, sizeof line, f)) {
        int v;
        if (sscanf(line, "physical id : %d", &v) == 1) phys = v;
        else if (sscanf(line, "core id : %d", &v) == 1) {
            int dup = 0;
            for (int i = 0; i < seen; i++)
                if (pairs[i][0] == phys && pairs[i][1] == v) dup = 1;
            if (!dup && seen < 1024) {
                pairs[seen][0] = phys;
                pairs[seen][1] = v;
                seen++;
            }
        }
    }
    fclose(f);
    return seen > 0 && seen <= n_online ? seen : n_online;
}
