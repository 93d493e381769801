/* bench/llamacpp_bench.c - llama.cpp's speed on a GGUF file, measured as llama-bench does, through the
 * prebuilt library shipped in npm node-llama-cpp (the project's reference peer). Not part of lfmrt:
 * a measuring stick for `lfmrt bench --compare-llamacpp` (see ../shared/peer/README.md, "Speed").
 *
 * Method: llama_backend_init, ggml_backend_load_all_from_path(libdir) (loads the best CPU variant),
 * llama_model_load_from_file (CPU only), llama_init_from_model with n_threads = n_threads_batch = T and
 * n_batch = n_ubatch = 512. Each repetition clears the memory (llama_memory_clear), prefills P tokens
 * (batches of at most 512, timed up to the logits of the last one), then decodes N single-token batches,
 * each reading llama_get_logits_ith(ctx, -1) and feeding back its argmax (no sampling) — exactly what
 * `lfmrt bench` does. One untimed warm-up (short prefill + one decode) comes first.
 * With -s S > 1 (concurrent sequences, as llama-batched-bench's non-shared-prompt mode): n_seq_max = S,
 * n_ctx = S x (P + N + 16) (llama.cpp splits it per sequence), each sequence prefilled in turn with its
 * own seq id (the same tokens), then N steps of one llama_batch holding one token of each of the S
 * sequences (logits for all, each sequence fed its own argmax). Tok/s are aggregates: S x P prefill
 * tokens, S x N decode tokens.
 * --cold-start: load the libraries and the model, create a context (n_ctx 8), decode one token, print
 * "ready <argmax>" and exit: the parent times it from spawn to that line (lfmrt bench's cold start).
 *
 * The libraries are dlopen()ed at run time; the function pointer types come from llama.cpp's own
 * headers, extracted at build time from the package's source bundle (bench/CMakeLists.txt). Input
 * tokens are a fixed pseudo-random sequence of ids (speed does not depend on which ids).
 *
 * usage: llamacpp_bench -m MODEL [-t T] [-p 512] [-n 128] [-r 3] [-s 1] [--lib-dir DIR] [--json] [-v]
 *        llamacpp_bench -m MODEL [-t T] --cold-start [--lib-dir DIR]
 * Output: a short text report, or with --json one line:
 *   {"engine":"llama.cpp","threads":T,"load_ms":..,"prefill":{"tokens":P,"tok_s":med,"tok_s_min":..,
 *    "tok_s_max":..,"runs":[..]},"decode":{...}}
 * Exit status: 0 ok, 1 runtime failure (library or model), 2 usage.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llama.h"
#include "argmax.h"

#ifndef LFMRT_PEER_LIBDIR
#define LFMRT_PEER_LIBDIR ""
#endif

typedef struct api {
    __typeof__(llama_backend_init) *backend_init;
    __typeof__(llama_backend_free) *backend_free;
    __typeof__(llama_log_set) *log_set;
    __typeof__(llama_model_default_params) *model_default_params;
    __typeof__(llama_context_default_params) *context_default_params;
    __typeof__(llama_model_load_from_file) *model_load_from_file;
    __typeof__(llama_model_free) *model_free;
    __typeof__(llama_init_from_model) *init_from_model;
    __typeof__(llama_free) *free_ctx;
    __typeof__(llama_model_get_vocab) *model_get_vocab;
    __typeof__(llama_vocab_n_tokens) *vocab_n_tokens;
    __typeof__(llama_batch_get_one) *batch_get_one;
    __typeof__(llama_batch_init) *batch_init;
    __typeof__(llama_batch_free) *batch_free;
    __typeof__(llama_decode) *decode;
    __typeof__(llama_synchronize) *synchronize;
    __typeof__(llama_get_logits_ith) *get_logits_ith;
    __typeof__(llama_get_memory) *get_memory;
    __typeof__(llama_memory_clear) *memory_clear;
    __typeof__(ggml_backend_load_all_from_path) *load_all_from_path;
} api;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int verbose;

static void log_cb(enum ggml_log_level level, const char *text, void *ud) {
    (void)ud;
    if (verbose || level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static void *sym(void *h, const char *name, int *ok) {
    void *p = dlsym(h, name);
    if (!p) {
        fprintf(stderr, "llamacpp_bench: symbol %s not found: %s\n", name, dlerror());
        *ok = 0;
    }
    return p;
}

/* Opens libllama and libggml from dir and resolves the API; 0 on success. */
static int load_api(const char *dir, api *a) {
    char path[4096];
    snprintf(path, sizeof path, "%s/libllama.v0.4.0.so", dir);
    void *hl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!hl) {
        fprintf(stderr, "llamacpp_bench: cannot open %s: %s\n", path, dlerror());
        return -1;
    }
    snprintf(path, sizeof path, "%s/libggml.v0.4.0.so", dir);
    void *hg = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!hg) {
        fprintf(stderr, "llamacpp_bench: cannot open %s: %s\n", path, dlerror());
        return -1;
    }
    int ok = 1;
    /* POSIX guarantees object <-> function pointer conversion for dlsym results */
#define GET(h, field, name) *(void **)(&a->field) = sym(h, name, &ok)
    GET(hl, backend_init, "llama_backend_init");
    GET(hl, backend_free, "llama_backend_free");
    GET(hl, log_set, "llama_log_set");
    GET(hl, model_default_params, "llama_model_default_params");
    GET(hl, context_default_params, "llama_context_default_params");
    GET(hl, model_load_from_file, "llama_model_load_from_file");
    GET(hl, model_free, "llama_model_free");
    GET(hl, init_from_model, "llama_init_from_model");
    GET(hl, free_ctx, "llama_free");
    GET(hl, model_get_vocab, "llama_model_get_vocab");
    GET(hl, vocab_n_tokens, "llama_vocab_n_tokens");
    GET(hl, batch_get_one, "llama_batch_get_one");
    GET(hl, batch_init, "llama_batch_init");
    GET(hl, batch_free, "llama_batch_free");
    GET(hl, decode, "llama_decode");
    GET(hl, synchronize, "llama_synchronize");
    GET(hl, get_logits_ith, "llama_get_logits_ith");
    GET(hl, get_memory, "llama_get_memory");
    GET(hl, memory_clear, "llama_memory_clear");
    GET(hg, load_all_from_path, "ggml_backend_load_all_from_path");
#undef GET
    return ok ? 0 : -1;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

static void stats(const double *v, int n, double *mn, double *med, double *mx) {
    double s[1024];
    int m = n < 1024 ? n : 1024;
    memcpy(s, v, (size_t)m * sizeof *s);
    qsort(s, (size_t)m, sizeof *s, cmp_double);
    *mn = s[0];
    *mx = s[m - 1];
    *med = m % 2 ? s[m / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
}

/* Prefills toks[0..n) in batches of at most nb; returns 0 on success. */
static int prefill(const api *a, struct llama_context *ctx, llama_token *toks, int n, int nb) {
    for (int i = 0; i < n; i += nb) {
        int k = n - i < nb ? n - i : nb;
        if (a->decode(ctx, a->batch_get_one(toks + i, k)) != 0) return -1;
    }
    return 0;
}

/* Prefills toks[0..n) into sequence seq of a multi-sequence context, in batches of at most nb (the
 * batch b holds nb tokens); logits for the last token only. */
static int prefill_seq(const api *a, struct llama_context *ctx, struct llama_batch *b, const llama_token *toks, int n,
                       int nb, int seq) {
    for (int i = 0; i < n; i += nb) {
        int k = n - i < nb ? n - i : nb;
        b->n_tokens = k;
        for (int j = 0; j < k; j++) {
            b->token[j] = toks[i + j];
            b->pos[j] = i + j;
            b->n_seq_id[j] = 1;
            b->seq_id[j][0] = seq;
            b->logits[j] = i + j == n - 1;
        }
        if (a->decode(ctx, *b) != 0) return -1;
    }
    return 0;
}

static void json_runs(const double *v, int n) {
    fputs("\"runs\":[", stdout);
    for (int i = 0; i < n; i++) printf("%s%.3f", i ? "," : "", v[i]);
    fputc(']', stdout);
}

static int usage(const char *msg) {
    if (msg) fprintf(stderr, "llamacpp_bench: %s\n", msg);
    fprintf(msg ? stderr : stdout,
            "usage: llamacpp_bench -m MODEL [-t THREADS] [-p 512] [-n 128] [-r 3] [-s 1] [--lib-dir DIR] [--json] [-v]\n"
            "       llamacpp_bench -m MODEL [-t THREADS] --cold-start [--lib-dir DIR]\n"
            "Prefill and decode speed of llama.cpp (node-llama-cpp's prebuilt library) on MODEL, as llama-bench\n"
            "measures; -s S: S concurrent sequences, each decode step one batch of S tokens (aggregate tok/s).\n"
            "--cold-start: load, context, decode one token, print 'ready <id>' and exit.\n"
            "--lib-dir defaults to LFMRT_PEER_LIBDIR, else the build's peer:\n  %s\n",
            LFMRT_PEER_LIBDIR);
    return msg ? 2 : 0;
}

static int parse_int(const char *s, int lo, int hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv) {
    const char *model = NULL, *libdir = getenv("LFMRT_PEER_LIBDIR");
    int threads = 2, n_prompt = 512, n_gen = 128, reps = 3, json = 0, n_seq = 1, cold = 0;
    if (!libdir || !*libdir) libdir = LFMRT_PEER_LIBDIR;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) return usage(NULL);
        else if (!strcmp(o, "--json")) json = 1;
        else if (!strcmp(o, "-v")) verbose = 1;
        else if (!strcmp(o, "--cold-start")) cold = 1;
        else if (!v) return usage("option needs a value (or is unknown)");
        else if (!strcmp(o, "-m")) model = v, i++;
        else if (!strcmp(o, "--lib-dir")) libdir = v, i++;
        else if (!strcmp(o, "-t")) bad = parse_int(v, 1, 256, &threads), i++;
        else if (!strcmp(o, "-p")) bad = parse_int(v, 1, 1 << 16, &n_prompt), i++;
        else if (!strcmp(o, "-n")) bad = parse_int(v, 0, 1 << 16, &n_gen), i++;
        else if (!strcmp(o, "-r")) bad = parse_int(v, 1, 1000, &reps), i++;
        else if (!strcmp(o, "-s")) bad = parse_int(v, 1, 256, &n_seq), i++;
        else return usage("unknown option");
        if (bad) return usage("bad number");
    }
    if (!model) return usage("missing -m MODEL");
    if (!libdir || !*libdir) return usage("no --lib-dir and no peer known at build time");

    api a;
    memset(&a, 0, sizeof a);
    if (load_api(libdir, &a)) return 1;
    a.log_set(log_cb, NULL);
    a.backend_init();
    a.load_all_from_path(libdir);

    double t_load = now_ms();
    struct llama_model_params mp = a.model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *m = a.model_load_from_file(model, mp);
    if (!m) {
        fprintf(stderr, "llamacpp_bench: cannot load %s\n", model);
        return 1;
    }
    struct llama_context_params cp = a.context_default_params();
    cp.n_ctx = cold ? 8u : (uint32_t)n_seq * (uint32_t)(n_prompt + n_gen + 16);
    cp.n_batch = cp.n_ubatch = 512;
    cp.n_threads = cp.n_threads_batch = threads;
    cp.n_seq_max = (uint32_t)n_seq;
    struct llama_context *ctx = a.init_from_model(m, cp);
    if (!ctx) {
        fprintf(stderr, "llamacpp_bench: cannot create a context\n");
        a.model_free(m);
        return 1;
    }
    t_load = now_ms() - t_load;
    const int32_t nv = a.vocab_n_tokens(a.model_get_vocab(m));
    if (cold) {
        llama_token t = nv > 32 ? 32 : 0;
        int crc = a.decode(ctx, a.batch_get_one(&t, 1));
        if (crc == 0) {
            printf("ready %d\n", (int)bench_argmax(a.get_logits_ith(ctx, -1), nv));
            fflush(stdout);
        } else
            fprintf(stderr, "llamacpp_bench: llama_decode failed\n");
        a.free_ctx(ctx);
        a.model_free(m);
        a.backend_free();
        return crc == 0 ? 0 : 1;
    }
    llama_token *toks = malloc((size_t)n_prompt * sizeof *toks);
    llama_token *next_s = malloc((size_t)n_seq * sizeof *next_s);
    double *pf = calloc((size_t)reps, sizeof *pf), *dc = calloc((size_t)reps, sizeof *dc);
    struct llama_batch b;
    memset(&b, 0, sizeof b);
    if (n_seq > 1) b = a.batch_init(n_prompt > n_seq ? (n_prompt < 512 ? n_prompt : 512) : n_seq, 0, 1);
    if (!toks || !pf || !dc || !next_s || (n_seq > 1 && !b.token)) {
        fprintf(stderr, "llamacpp_bench: out of memory\n");
        return 1;
    }
    uint32_t x = 12345;
    for (int i = 0; i < n_prompt; i++) {
        x = x * 1664525u + 1013904223u;
        toks[i] = (llama_token)(1 + (x >> 8) % (uint32_t)(nv - 1));
    }
    int rc = 0;
    /* warm-up: pages the weights in, starts the threads */
    a.memory_clear(a.get_memory(ctx), true);
    if (prefill(&a, ctx, toks, n_prompt < 8 ? n_prompt : 8, 512)) rc = 1;
    for (int rep = 0; rep < reps && !rc && n_seq > 1; rep++) {
        a.memory_clear(a.get_memory(ctx), true);
        double t0 = now_ms();
        for (int j = 0; j < n_seq && !rc; j++) {
            if (prefill_seq(&a, ctx, &b, toks, n_prompt, 512, j)) rc = 1;
            else next_s[j] = bench_argmax(a.get_logits_ith(ctx, -1), nv);
        }
        if (rc) break;
        double t1 = now_ms();
        pf[rep] = (double)n_seq * n_prompt * 1000.0 / (t1 - t0);
        for (int i = 0; i < n_gen && !rc; i++) {
            b.n_tokens = n_seq;
            for (int j = 0; j < n_seq; j++) {
                b.token[j] = next_s[j];
                b.pos[j] = n_prompt + i;
                b.n_seq_id[j] = 1;
                b.seq_id[j][0] = j;
                b.logits[j] = 1;
            }
            if (a.decode(ctx, b) != 0) rc = 1;
            else
                for (int j = 0; j < n_seq; j++) next_s[j] = bench_argmax(a.get_logits_ith(ctx, j), nv);
        }
        dc[rep] = n_gen ? (double)n_seq * n_gen * 1000.0 / (now_ms() - t1) : 0.0;
    }
    for (int rep = 0; rep < reps && !rc && n_seq == 1; rep++) {
        a.memory_clear(a.get_memory(ctx), true);
        double t0 = now_ms();
        if (prefill(&a, ctx, toks, n_prompt, 512)) {
            rc = 1;
            break;
        }
        llama_token next = bench_argmax(a.get_logits_ith(ctx, -1), nv);
        double t1 = now_ms();
        pf[rep] = n_prompt * 1000.0 / (t1 - t0);
        for (int i = 0; i < n_gen; i++) {
            if (a.decode(ctx, a.batch_get_one(&next, 1)) != 0) {
                rc = 1;
                break;
            }
            next = bench_argmax(a.get_logits_ith(ctx, -1), nv);
        }
        dc[rep] = n_gen ? n_gen * 1000.0 / (now_ms() - t1) : 0.0;
    }
    if (rc) fprintf(stderr, "llamacpp_bench: llama_decode failed\n");
    else {
        double pmn, pmd, pmx, dmn, dmd, dmx;
        stats(pf, reps, &pmn, &pmd, &pmx);
        stats(dc, reps, &dmn, &dmd, &dmx);
        if (json) {
            printf("{\"engine\":\"llama.cpp\",\"threads\":%d,\"sequences\":%d,\"load_ms\":%.1f,\"prefill\":{\"tokens\":%d,"
                   "\"tok_s\":%.3f,\"tok_s_min\":%.3f,\"tok_s_max\":%.3f,",
                   threads, n_seq, t_load, n_prompt, pmd, pmn, pmx);
            json_runs(pf, reps);
            printf("},\"decode\":{\"tokens\":%d,\"tok_s\":%.3f,\"tok_s_min\":%.3f,\"tok_s_max\":%.3f,", n_gen, dmd,
                   dmn, dmx);
            json_runs(dc, reps);
            puts("}}");
        } else {
            printf("llama.cpp (%s), %d threads, %d sequence%s, load + context %.1f ms\n", libdir, threads, n_seq,
                   n_seq > 1 ? "s" : "", t_load);
            printf("prefill: %d tokens, %.1f tok/s (median of %d; min %.1f, max %.1f)\n", n_prompt, pmd, reps, pmn,
                   pmx);
            printf("decode:  %d tokens, %.1f tok/s (median; min %.1f, max %.1f)\n", n_gen, dmd, dmn, dmx);
        }
    }
    if (n_seq > 1) a.batch_free(b);
    free(next_s);
    free(toks);
    free(pf);
    free(dc);
    a.free_ctx(ctx);
    a.model_free(m);
    a.backend_free();
    return rc;
}
