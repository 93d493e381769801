/* base/pool.h - a persistent thread pool for data-parallel kernels.
 *
 * lf_pool_run(pool, fn, ctx) calls fn(ctx, ith, nth) once for each ith in [0, nth) — ith 0 on the
 * calling thread, the rest on the workers — and returns when all have finished. Workers spin briefly
 * on an atomic generation counter after a job (cheap dispatch during decode), then sleep on a condition
 * variable. A pool is used by one calling thread at a time.
 */
#ifndef LF_BASE_POOL_H
#define LF_BASE_POOL_H

#include "lfmrt/status.h"

typedef struct lf_pool lf_pool;
typedef void (*lf_pool_fn)(void *ctx, int ith, int nth);

/* Creates a pool of n_threads (>= 1; 1 means no worker threads). */
int lf_pool_create(int n_threads, lf_pool **out, lfmrt_err *e);
/* Stops and joins the workers. NULL is fine. */
void lf_pool_destroy(lf_pool *p);
int lf_pool_size(const lf_pool *p);
/* Runs fn on every thread of the pool (see above). p may be NULL: then fn(ctx, 0, 1). */
void lf_pool_run(lf_pool *p, lf_pool_fn fn, void *ctx);

/* The [begin, end) share of n items for thread ith of nth (contiguous, sizes differ by at most 1 unit
 * of `align`). */
void lf_pool_split(long n, int ith, int nth, long align, long *begin, long *end);

/* Number of physical cores (best effort; >= 1). */
int lf_cpu_physical_cores(void);

#endif
