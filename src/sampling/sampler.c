/* sampling/sampler.c - seeded token sampler: repetition penalty, top-k, top-p, min-p, temperature.
 *
 * Semantics follow llama.cpp's common sampler chain (common/sampling.cpp, src/llama-sampling.cpp):
 *   penalties -> top-k -> top-p -> min-p -> temperature -> dist
 * - penalty: each distinct token among the last repeat_last_n accepted tokens gets
 *   logit > 0 ? logit / penalty : logit * penalty (applied once, however often it occurs);
 * - top-k keeps the k largest logits; top-p keeps the smallest prefix of the sorted distribution whose
 *   probability mass reaches p (at least one token); min-p keeps tokens with p >= min_p * p_max, i.e.
 *   logit >= max_logit + log(min_p); these run on the untempered logits, as in llama.cpp;
 * - temperature divides the surviving logits; temperature <= 0 means greedy (argmax after penalties);
 * - dist draws from the softmax of the survivors with the sampler's own PRNG.
 * Ties are broken by the lower token id, so results are reproducible across platforms for a seed.
 * NaN logits count as -inf and +inf as FLT_MAX (never a NaN probability).
 *
 * Memory: candidates, penalty marks and the history ring are allocated at create; sample allocates
 * nothing. Cost per call is O(n_vocab) in the usual cases, not O(n log n): top-k keeps a heap of k in
 * one pass over the logits; top-p over a large set buckets the candidates by logit and sorts only the
 * bucket where the probability mass crosses p (llama.cpp does the same); the draw computes each
 * weight once. A 262k vocabulary is common (Gemma3).
 */
#include "sampling/sampler.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define LF_MAX_REPEAT_LAST_N (1 << 20)
#define LF_HEAP_TOPK_MAX 4096   /* top-k by a one-pass heap up to this k, by quickselect above */
#define LF_TOPP_SORT_MAX 2048   /* top-p sorts sets up to this size, buckets larger ones */
#define LF_TOPP_BUCKETS 1024    /* top-p buckets ... */
#define LF_TOPP_SCALE 32        /* ... of 1/32 nat each: 32 nats below the max, then one tail bucket */

typedef struct lf_cand {
    int32_t id;
    float logit;
} lf_cand;

struct lfmrt_sampler {
    lfmrt_sampler_params p;
    int32_t n_vocab;
    lf_cand *cand;   /* [n_vocab] working candidates of one call */
    uint8_t *seen;   /* [n_vocab] penalty de-duplication marks; all zero between calls */
    int32_t *hist;   /* [p.repeat_last_n] ring of the most recent accepted tokens */
    int hist_len;    /* valid entries in hist */
    int hist_head;   /* next slot to write */
    lf_rng rng;
    size_t n_last;   /* candidates that survived the filters in the last sample call (cand[0..n_last)) */
    uint32_t topp_count[LF_TOPP_BUCKETS]; /* top-p bucket scratch */
    double topp_mass[LF_TOPP_BUCKETS];
};

/* ------------------------------------------------------------------------------------------------ */
/* PRNG */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void lf_rng_seed(lf_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t lf_rng_next(lf_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

double lf_rng_uniform(lf_rng *r) { return (double)(lf_rng_next(r) >> 11) * 0x1.0p-53; }

/* ------------------------------------------------------------------------------------------------ */
/* Parameters */

lfmrt_sampler_params lfmrt_sampler_default_params(void) {
    lfmrt_sampler_params p;
    p.temperature = 0.8f;
    p.top_k = 40;
    p.top_p = 0.95f;
    p.min_p = 0.05f;
    p.repeat_penalty = 1.0f;
    p.repeat_last_n = 64;
    p.seed = 0;
    return p;
}

lfmrt_sampler_params lf_sampler_defaults_for_arch(const char *arch) {
    lfmrt_sampler_params p = lfmrt_sampler_default_params();
    if (arch && strcmp(arch, "lfm2") == 0) {
        /* Liquid AI's recommendation for LFM2 (model card / generation_config) */
        p.temperature = 0.3f;
        p.top_k = 0;
        p.top_p = 1.0f;
        p.min_p = 0.15f;
        p.repeat_penalty = 1.05f;
    } else if (arch && strcmp(arch, "qwen3") == 0) {
        /* Qwen3 model card, thinking mode (generation_config.json): T 0.6, top-k 20, top-p 0.95, min-p 0 */
        p.temperature = 0.6f;
        p.top_k = 20;
        p.top_p = 0.95f;
        p.min_p = 0.0f;
    } else if (arch && strcmp(arch, "gemma3") == 0) {
        /* Gemma 3 (generation_config.json / model card): T 1.0, top-k 64, top-p 0.95, min-p 0 */
        p.temperature = 1.0f;
        p.top_k = 64;
        p.top_p = 0.95f;
        p.min_p = 0.0f;
    }
    return p;
}

static int check_params(const lfmrt_sampler_params *p, int32_t n_vocab, lfmrt_err *err) {
    if (n_vocab <= 0) return lf_err(err, LFMRT_E_INVALID, "sampler: n_vocab must be > 0 (got %d)", (int)n_vocab);
    if (isnan(p->temperature)) return lf_err(err, LFMRT_E_INVALID, "sampler: temperature is NaN");
    if (isnan(p->top_p) || p->top_p < 0.0f)
        return lf_err(err, LFMRT_E_INVALID, "sampler: top_p must be >= 0 (got %g)", (double)p->top_p);
    if (isnan(p->min_p) || p->min_p > 1.0f)
        return lf_err(err, LFMRT_E_INVALID, "sampler: min_p must be <= 1 (got %g)", (double)p->min_p);
    if (!(p->repeat_penalty > 0.0f) || isinf(p->repeat_penalty))
        return lf_err(err, LFMRT_E_INVALID, "sampler: repeat_penalty must be a finite value > 0 (got %g)",
                      (double)p->repeat_penalty);
    if (p->repeat_last_n < 0 || p->repeat_last_n > LF_MAX_REPEAT_LAST_N)
        return lf_err(err, LFMRT_E_INVALID, "sampler: repeat_last_n must be in 0..%d (got %d)",
                      LF_MAX_REPEAT_LAST_N, p->repeat_last_n);
    return LFMRT_OK;
}

/* ------------------------------------------------------------------------------------------------ */
/* Lifetime */

int lfmrt_sampler_create(const lfmrt_sampler_params *p, int32_t n_vocab, lfmrt_sampler **out, lfmrt_err *err) {
    if (!out) return lf_err(err, LFMRT_E_INVALID, "sampler: out is NULL");
    *out = NULL;
    lfmrt_sampler_params prm = p ? *p : lfmrt_sampler_default_params();
    int rc = check_params(&prm, n_vocab, err);
    if (rc) return rc;
    lfmrt_sampler *s = calloc(1, sizeof *s);
    if (!s) return lf_err(err, LFMRT_E_NOMEM, "sampler: out of memory");
    s->p = prm;
    s->n_vocab = n_vocab;
    s->cand = malloc((size_t)n_vocab * sizeof *s->cand);
    s->seen = calloc((size_t)n_vocab, 1);
    s->hist = malloc((size_t)(prm.repeat_last_n > 0 ? prm.repeat_last_n : 1) * sizeof *s->hist);
    if (!s->cand || !s->seen || !s->hist) {
        lfmrt_sampler_destroy(s);
        return lf_err(err, LFMRT_E_NOMEM, "sampler: out of memory for %d candidates", (int)n_vocab);
    }
    lf_rng_seed(&s->rng, prm.seed);
    *out = s;
    return LFMRT_OK;
}

void lfmrt_sampler_destroy(lfmrt_sampler *s) {
    if (!s) return;
    free(s->cand);
    free(s->seen);
    free(s->hist);
    free(s);
}

void lfmrt_sampler_reset(lfmrt_sampler *s) {
    if (!s) return;
    s->hist_len = 0;
    s->hist_head = 0;
    lf_rng_seed(&s->rng, s->p.seed);
}

void lfmrt_sampler_accept(lfmrt_sampler *s, int32_t token) {
    if (!s || s->p.repeat_last_n <= 0) return;
    s->hist[s->hist_head] = token;
    s->hist_head = (s->hist_head + 1) % s->p.repeat_last_n;
    if (s->hist_len < s->p.repeat_last_n) s->hist_len++;
}

/* ------------------------------------------------------------------------------------------------ */
/* Candidate helpers */

static inline float sane(float x) {
    if (isnan(x)) return -INFINITY;
    if (x == INFINITY) return FLT_MAX;
    return x;
}

/* strict total order: larger logit first, then lower id */
static inline int cand_gt(const lf_cand *a, const lf_cand *b) {
    return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

static inline void cand_swap(lf_cand *a, lf_cand *b) {
    lf_cand t = *a;
    *a = *b;
    *b = t;
}

/* sift-down in a heap whose root is the "smallest" candidate (cand_gt order) */
static void heap_sift(lf_cand *a, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cand_gt(&a[m], &a[l])) m = l;
        if (r < n && cand_gt(&a[m], &a[r])) m = r;
        if (m == i) return;
        cand_swap(&a[i], &a[m]);
        i = m;
    }
}

/* Sorts a[0..n) in descending order (largest logit first) in place, O(n log n), no allocation. */
static void sort_desc(lf_cand *a, size_t n) {
    if (n < 2) return;
    for (size_t i = n / 2; i-- > 0;) heap_sift(a, n, i);
    for (size_t end = n - 1; end > 0; end--) {
        cand_swap(&a[0], &a[end]); /* smallest to the back */
        heap_sift(a, end, 0);
    }
}

/* a[0..k) = the k largest of logits[0..nv) (unordered), 0 < k < nv: one pass keeping a min-heap of k,
 * so the common small k costs ~nv comparisons and no full candidate fill. */
static void heap_top_k(lf_cand *a, const float *logits, size_t nv, size_t k) {
    for (size_t i = 0; i < k; i++) {
        a[i].id = (int32_t)i;
        a[i].logit = sane(logits[i]);
    }
    for (size_t i = k / 2; i-- > 0;) heap_sift(a, k, i);
    for (size_t i = k; i < nv; i++) {
        lf_cand c = {(int32_t)i, sane(logits[i])};
        if (cand_gt(&c, &a[0])) {
            a[0] = c;
            heap_sift(a, k, 0);
        }
    }
}

/* Rearranges a[0..n) so that a[0..k) holds the k largest candidates (in no particular order).
 * Quickselect with median-of-three pivots; falls back to a full sort past a depth limit. */
static void select_top(lf_cand *a, size_t n, size_t k) {
    if (k == 0 || k >= n) return;
    size_t lo = 0, hi = n; /* invariant: lo <= k <= hi, a[0..lo) > a[lo..hi) > a[hi..n) */
    int depth = 8;
    for (size_t m = n; m > 1; m >>= 1) depth += 2;
    while (hi - lo > 1) {
        if (depth-- == 0) {
            sort_desc(a + lo, hi - lo);
            return;
        }
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        /* median of a[lo], a[mid], a[last] into a[last] */
        if (cand_gt(&a[lo], &a[mid])) cand_swap(&a[lo], &a[mid]);   /* a[lo] <= a[mid] */
        if (cand_gt(&a[mid], &a[last])) cand_swap(&a[mid], &a[last]); /* a[last] is the max */
        if (cand_gt(&a[lo], &a[mid])) cand_swap(&a[lo], &a[mid]);
        cand_swap(&a[mid], &a[last]); /* median to the pivot slot */
        lf_cand piv = a[last];
        size_t st = lo;
        for (size_t i = lo; i < last; i++)
            if (cand_gt(&a[i], &piv)) cand_swap(&a[i], &a[st++]);
        cand_swap(&a[st], &a[last]); /* pivot now at rank st */
        if (k == st || k == st + 1) return;
        if (k < st) hi = st;
        else lo = st + 1;
    }
}

static float max_logit(const lf_cand *c, size_t n) {
    float mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (c[i].logit > mx) mx = c[i].logit;
    return mx;
}

/* bucket of a logit for top-p: distance below the max in 1/LF_TOPP_SCALE nats, the tail clamped */
static inline size_t topp_bucket(float mx, float l) {
    float d = (mx - l) * (float)LF_TOPP_SCALE;
    return d < (float)(LF_TOPP_BUCKETS - 1) ? (size_t)d : LF_TOPP_BUCKETS - 1;
}

/* Keeps the smallest prefix of the sorted distribution whose probability mass reaches p; returns the
 * new count (>= 1). Small sets are sorted; large ones are bucketed by logit first (a bucket holds a
 * logit range, so every bucket ranks wholly above the next), and only the bucket where the mass
 * crosses p is sorted - the kept set is the same as with a full sort. */
static size_t apply_top_p(lfmrt_sampler *s, lf_cand *c, size_t n, float p) {
    float mx = max_logit(c, n);
    if (mx == -INFINITY) return n;
    if (n <= LF_TOPP_SORT_MAX) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) sum += (double)expf(c[i].logit - mx);
        sort_desc(c, n);
        double target = (double)p * sum, cum = 0.0;
        for (size_t i = 0; i < n; i++) {
            cum += (double)expf(c[i].logit - mx);
            if (cum >= target) return i + 1;
        }
        return n;
    }
    uint32_t *cnt = s->topp_count;
    double *mass = s->topp_mass;
    memset(cnt, 0, sizeof s->topp_count);
    memset(mass, 0, sizeof s->topp_mass);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double w = (double)expf(c[i].logit - mx);
        size_t b = topp_bucket(mx, c[i].logit);
        cnt[b]++;
        mass[b] += w;
        sum += w;
    }
    double target = (double)p * sum, cum = 0.0;
    size_t bc = 0;
    while (bc < LF_TOPP_BUCKETS && cum + mass[bc] < target) cum += mass[bc++];
    if (bc == LF_TOPP_BUCKETS) return n; /* rounding: everything */
    /* candidates of buckets < bc to the front, then those of bucket bc */
    size_t front = 0;
    for (size_t i = 0; i < n; i++)
        if (topp_bucket(mx, c[i].logit) < bc) cand_swap(&c[i], &c[front++]);
    size_t end = front;
    for (size_t i = front; i < n; i++)
        if (topp_bucket(mx, c[i].logit) == bc) cand_swap(&c[i], &c[end++]);
    sort_desc(c + front, end - front);
    for (size_t i = front; i < end; i++) {
        cum += (double)expf(c[i].logit - mx);
        if (cum >= target) return i + 1;
    }
    return end;
}

/* keeps candidates with logit >= max + log(min_p), preserving order; returns the new count (>= 1) */
static size_t apply_min_p(lf_cand *c, size_t n, float min_p) {
    float mx = max_logit(c, n);
    if (mx == -INFINITY) return n;
    double thr = (double)mx + log((double)min_p);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((double)c[i].logit >= thr) c[k++] = c[i];
    return k ? k : n;
}

/* Draws one candidate from softmax(c / temperature) with u in [0,1). The weights are computed once and
 * kept in c[i].logit (the candidates are not needed afterwards). */
static int32_t draw(lf_cand *c, size_t n, float inv_t, double u) {
    float mx = max_logit(c, n);
    if (mx == -INFINITY) return c[0].id;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        float w = expf((c[i].logit - mx) * inv_t); /* (l - mx) <= 0: no overflow */
        c[i].logit = w;
        sum += (double)w;
    }
    double target = u * sum, cum = 0.0;
    size_t last_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].logit <= 0.0f) continue;
        cum += (double)c[i].logit;
        last_pos = i;
        if (target < cum) return c[i].id;
    }
    return c[last_pos].id; /* rounding: the last token with non-zero weight */
}

static void apply_penalties(lfmrt_sampler *s, float *logits) {
    if (s->p.repeat_penalty == 1.0f || s->hist_len == 0) return;
    const float pen = s->p.repeat_penalty;
    for (int i = 0; i < s->hist_len; i++) {
        int32_t t = s->hist[i];
        if (t < 0 || t >= s->n_vocab || s->seen[t]) continue;
        s->seen[t] = 1;
        float l = logits[t];
        logits[t] = l > 0.0f ? l / pen : l * pen;
    }
    for (int i = 0; i < s->hist_len; i++) {
        int32_t t = s->hist[i];
        if (t >= 0 && t < s->n_vocab) s->seen[t] = 0;
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* Sampling */

int32_t lfmrt_sampler_sample(lfmrt_sampler *s, float *logits) {
    if (!s || !logits) return -1;
    const lfmrt_sampler_params *p = &s->p;
    const size_t nv = (size_t)s->n_vocab;
    lf_cand *c = s->cand;
    apply_penalties(s, logits);

    int32_t tok;
    if (!(p->temperature > 0.0f)) {
        size_t best = 0;
        float bl = sane(logits[0]);
        for (size_t i = 1; i < nv; i++) {
            float l = sane(logits[i]);
            if (l > bl) {
                bl = l;
                best = i;
            }
        }
        tok = (int32_t)best;
        c[0].id = tok;
        c[0].logit = bl;
        s->n_last = 1;
    } else {
        size_t n = nv;
        if (p->top_k > 0 && (size_t)p->top_k < nv && (size_t)p->top_k <= LF_HEAP_TOPK_MAX) {
            n = (size_t)p->top_k;
            heap_top_k(c, logits, nv, n);
        } else {
            for (size_t i = 0; i < nv; i++) {
                c[i].id = (int32_t)i;
                c[i].logit = sane(logits[i]);
            }
            if (p->top_k > 0 && (size_t)p->top_k < nv) {
                select_top(c, nv, (size_t)p->top_k);
                n = (size_t)p->top_k;
            }
        }
        if (p->top_p < 1.0f) n = apply_top_p(s, c, n, p->top_p);
        if (p->min_p > 0.0f) n = apply_min_p(c, n, p->min_p);
        s->n_last = n;
        tok = draw(c, n, 1.0f / p->temperature, lf_rng_uniform(&s->rng));
    }
    lfmrt_sampler_accept(s, tok);
    return tok;
}

size_t lf_sampler_last_count(const lfmrt_sampler *s) { return s ? s->n_last : 0; }

int32_t lf_sampler_last_id(const lfmrt_sampler *s, size_t i) {
    return s && i < s->n_last ? s->cand[i].id : -1;
}
