/* cli/bench: `lfmrt bench` - speed and memory of one model, measured the way llama-bench does: for
 * each configuration (thread count x context length C), prefill one batch of C prompt tokens, then
 * decode N single tokens feeding back the argmax (no sampling), the session reset between repetitions.
 * Per configuration: prefill and decode tok/s (median, min, max over repetitions), time to first token
 * (prefill + argmax), per-token decode latency P50/P95/P99 over all repetitions, cold start (a child
 * `lfmrt bench --cold-start-probe` spawned and timed from posix_spawn to its first token: model open +
 * session create + 1-token prefill), CPU utilisation (getrusage user + sys over wall time, as a fraction
 * of the threads) during prefill and decode, peak RSS and the session's memory breakdown
 * (lfmrt_session_memory, summed over the sequences).
 * --sequences LIST adds a dimension: with S > 1 concurrent sequences, S sessions are each prefilled
 * (sequence i with the prompt starting at token i of the bench text), then every decode step advances
 * all S in one lfmrt_batch_decode (the weights read once per step); tok/s are aggregates (S x C prefill
 * tokens, S x N decode tokens), latency percentiles are per step.
 * Input tokens come from tokenizing a plain English sentence repeated (no special tokens), as the
 * reference peer's bench does. Output: a markdown table, one row per configuration, or with --json one
 * JSON object per configuration per line; progress on stderr.
 * --compare-llamacpp measures llama.cpp alongside on the same file (cli/bench_compare.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../bench/argmax.h" /* the same greedy pick as bench/llamacpp_bench.c */
#include "args.h"
#include "bench_compare.h"
#include "common.h"
#include "format/dtype.h"
#include "json_out.h"

static const char *CMD = "bench";

enum { MAX_CTX = 16, MAX_THREADS = 16, MAX_SEQS = 8, MAX_SEQ = 256 };

static void usage(void) {
    printf("usage: lfmrt bench -m MODEL [-t 1,2] [-p 512] [-n 128] [-r REPS] [--ctx 256,512,1024] [--sequences 1,4]\n"
           "                   [--json]\n"
           "\n"
           "Measures, per configuration (each thread count x each context length), as llama-bench: one\n"
           "prefill batch of the prompt, then single-token decodes of the argmax (no sampling). Reports\n"
           "prefill and decode tok/s (median, min, max over repetitions), time to first token, decode\n"
           "latency P50/P95/P99, cold start (a child process timed from spawn to its first token: model\n"
           "open + session + 1-token prefill; the file is in the page cache after the first run), CPU\n"
           "utilisation during prefill and decode (user + sys CPU time / wall time / threads), peak RSS\n"
           "and the session's memory: weights mapped and resident, KV cache, conv state, scratch.\n"
           "With --sequences, each S > 1 is one more configuration: S sessions each prefilled, then every\n"
           "decode step advances all S in one batched forward pass (lfmrt_batch_decode); tok/s are\n"
           "aggregates over the S sequences, latency percentiles per step.\n"
           "\n"
           "options:\n"
           "  -m, --model FILE      GGUF model\n"
           "  -t, --threads LIST    worker thread counts, e.g. 1,2 (default: LFMRT_THREADS or all cores)\n"
           "  -p, --n-prompt N      prompt tokens to prefill (default 512)\n"
           "  -n, --n-gen N         tokens to decode after it (default 128)\n"
           "  -r, --reps N          repetitions (default 3)\n"
           "  --ctx LIST            context sweep: one configuration per length C, the prompt being C tokens\n"
           "                        (replaces -p), e.g. 256,512,1024\n"
           "  --sequences LIST      concurrent sequences per configuration, e.g. 1,4 (default 1; at most 256)\n"
           "  --kv-type T           KV cache type: f16 (default) or f32\n"
           "  --json                one JSON object per configuration per line (stdout); progress on stderr\n"
           "  --compare-llamacpp    also measure llama.cpp (bench/llamacpp_bench) on the same file, alternating\n"
           "                        repetitions, with the read bandwidth (bench/bwprobe); prints a markdown table\n"
           "                        of both engines' medians, ratios and decode roofline fractions (one -t),\n"
           "                        per --sequences S (llama.cpp: S sequence ids in one llama_batch per step),\n"
           "                        and both engines' cold start (child process, spawn to first token)\n"
           "  --llamacpp-bench PATH the llama.cpp driver (default: llamacpp_bench next to this binary)\n"
           "  --bwprobe PATH        the bandwidth probe (default: bwprobe next to this binary)\n"
           "  --lib-dir DIR         llama.cpp's libraries (default: the driver's, the build's peer)\n"
           "  -h, --help            this help\n");
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* q-th percentile (0..100) of v[0..n), nearest rank on a sorted copy; v is sorted in place */
static double percentile(double *v, size_t n, double q) {
    if (n == 0) return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)ceil(q / 100.0 * (double)n);
    if (rank < 1) rank = 1;
    return v[rank - 1];
}

static uint64_t peak_rss_bytes(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)ru.ru_maxrss * 1024u; /* Linux: KiB */
}

/* user + sys CPU time of the process so far, ms */
static double cpu_ms(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

int bench_rep(lfmrt_session *const *ss, int S, const int32_t *toks, int n_prompt, int n_gen, float *logits,
              int32_t nv, double out[5], double *tok_ms, lfmrt_err *e) {
    /* out: prefill tok/s, decode tok/s, ttft ms, prefill cpu/wall, decode cpu/wall (all S sequences) */
    int32_t next[MAX_SEQ];
    if (S < 1 || S > MAX_SEQ) {
        snprintf(e->msg, sizeof e->msg, "%d sequences out of range 1..%d", S, MAX_SEQ);
        return e->code = LFMRT_E_INVALID;
    }
    for (int i = 0; i < S; i++) lfmrt_session_reset(ss[i]);
    double c0 = cpu_ms(), t0 = cli_now_ms();
    for (int i = 0; i < S; i++) {
        int st = lfmrt_session_prefill(ss[i], toks + i, n_prompt, logits + (size_t)i * nv, NULL, e);
        if (st != LFMRT_OK) return st;
        next[i] = bench_argmax(logits + (size_t)i * nv, nv);
    }
    double tp = cli_now_ms() - t0, cp = cpu_ms() - c0;
    out[2] = cli_now_ms() - t0;
    out[0] = (double)S * n_prompt * 1000.0 / (tp > 0 ? tp : 1e-6);
    out[3] = tp > 0 ? cp / tp : 0.0;
    c0 = cpu_ms();
    double td0 = cli_now_ms();
    for (int i = 0; i < n_gen; i++) {
        double ti = cli_now_ms();
        int st = S == 1 ? lfmrt_session_decode(ss[0], next[0], logits, e) : lfmrt_batch_decode(ss, next, S, logits, e);
        if (st != LFMRT_OK) return st;
        for (int j = 0; j < S; j++) next[j] = bench_argmax(logits + (size_t)j * nv, nv);
        if (tok_ms) tok_ms[i] = cli_now_ms() - ti;
    }
    double td = cli_now_ms() - td0, cd = cpu_ms() - c0;
    out[1] = n_gen ? (double)S * n_gen * 1000.0 / (td > 0 ? td : 1e-6) : 0.0;
    out[4] = n_gen && td > 0 ? cd / td : 0.0;
    return LFMRT_OK;
}

/* --cold-start-probe: open, create a session, prefill one token, then write "ready\n" to stdout. */
static int cold_start_probe(const char *model, int threads) {
    lfmrt_model *m = NULL;
    int rc = cli_open_model(CMD, model, threads, &m);
    if (rc) return rc;
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 8;
    lfmrt_session *s = NULL;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    int32_t tok = lfmrt_vocab_size(m) > 32 ? 32 : 0;
    float *logits = malloc((size_t)lfmrt_vocab_size(m) * sizeof *logits);
    if (!logits || lfmrt_session_create(m, &sp, &s, &e) != LFMRT_OK ||
        lfmrt_session_prefill(s, &tok, 1, logits, NULL, &e) != LFMRT_OK)
        rc = cli_fail(CMD, "cold-start probe failed: %s", e.msg[0] ? e.msg : "out of memory");
    else {
        printf("ready %d\n", bench_argmax(logits, lfmrt_vocab_size(m)));
        fflush(stdout);
    }
    free(logits);
    lfmrt_session_destroy(s);
    lfmrt_model_close(m);
    return rc;
}

/* Spawns this binary as a cold-start probe; ms from spawn to its "ready" line, or < 0 on failure. */
double bench_cold_start_ms(const char *model, int threads) {
    char th[16];
    snprintf(th, sizeof th, "%d", threads);
    char *args[] = {"lfmrt", "bench", "--cold-start-probe", "-m", (char *)model, "-t", th, NULL};
    if (threads < 1) args[5] = NULL; /* the default, as the parent's */
    return bench_spawn_ready_ms("/proc/self/exe", args);
}

/* Results of one configuration. */
typedef struct bench_row {
    int threads, ctx, seqs;
    double pf[3], dc[3], ttft, lat[3], cold, cpu_pf, cpu_dc, load_ms, repack_ms; /* pf/dc: min, median, max */
    uint64_t peak_rss;
    lfmrt_memory_info mem;
} bench_row;

typedef struct bench_cfg {
    const char *model, *name, *type, *kv;
    int n_gen, reps;
} bench_cfg;

static void print_json(const bench_cfg *c, const bench_row *r) {
    FILE *f = stdout;
    fputs("{\"model\":", f);
    json_cstr(f, c->name);
    fputs(",\"file\":", f);
    json_cstr(f, c->model);
    fputs(",\"type\":", f);
    json_cstr(f, c->type);
    fprintf(f, ",\"kv_type\":\"%s\",\"threads\":%d,\"context\":%d,\"sequences\":%d,\"prefill_tokens\":%d,"
               "\"decode_tokens\":%d,\"reps\":%d",
            c->kv, r->threads, r->ctx, r->seqs, r->ctx, c->n_gen, c->reps);
    fputs(",\"decode_tok_s_per_sequence\":", f);
    json_num(f, r->dc[1] / r->seqs);
    static const char *const K[] = {"prefill_tok_s_min", "prefill_tok_s", "prefill_tok_s_max",
                                    "decode_tok_s_min", "decode_tok_s", "decode_tok_s_max",
                                    "ttft_ms", "latency_ms_p50", "latency_ms_p95", "latency_ms_p99",
                                    "cold_start_ms", "cpu_util_prefill", "cpu_util_decode", "load_ms",
                                    "repack_ms"};
    const double V[] = {r->pf[0], r->pf[1], r->pf[2], r->dc[0], r->dc[1], r->dc[2], r->ttft, r->lat[0],
                        r->lat[1], r->lat[2], r->cold, r->cpu_pf, r->cpu_dc, r->load_ms, r->repack_ms};
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        fprintf(f, ",\"%s\":", K[i]);
        if (i == 10 && r->cold < 0) fputs("null", f);
        else json_num(f, V[i]);
    }
    fprintf(f, ",\"peak_rss_bytes\":%llu,\"memory\":{\"weights_mapped\":%llu,\"weights_resident\":%llu,"
               "\"weights_packed\":%llu,\"kv_cache\":%llu,\"conv_state\":%llu,\"scratch\":%llu}}\n",
            (unsigned long long)r->peak_rss, (unsigned long long)r->mem.weights_mapped,
            (unsigned long long)r->mem.weights_resident, (unsigned long long)r->mem.weights_packed,
            (unsigned long long)r->mem.kv_cache,
            (unsigned long long)r->mem.conv_state, (unsigned long long)r->mem.scratch);
    fflush(f);
}

static void print_md_header(void) {
    printf("| model | type | threads | context | sequences | prefill tok/s med (min-max) | decode tok/s med (min-max) "
           "| TTFT ms | latency ms P50/P95/P99 | cold start ms | CPU prefill/decode | peak RSS MiB | weights res/mapped MiB "
           "| repacked MiB | KV MiB | conv KiB | scratch MiB |\n");
    printf("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
}

static void print_md_row(const bench_cfg *c, const bench_row *r) {
    const double MiB = 1048576.0;
    char cold[32] = "n/a";
    if (r->cold >= 0) snprintf(cold, sizeof cold, "%.1f", r->cold);
    printf("| %s | %s | %d | %d | %d | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.1f | %.2f/%.2f/%.2f | %s | %.2f/%.2f | %.1f "
           "| %.1f/%.1f | %.1f | %.2f | %.1f | %.2f |\n",
           c->name, c->type, r->threads, r->ctx, r->seqs, r->pf[1], r->pf[0], r->pf[2], r->dc[1], r->dc[0], r->dc[2], r->ttft,
           r->lat[0], r->lat[1], r->lat[2], cold, r->cpu_pf, r->cpu_dc, (double)r->peak_rss / MiB,
           (double)r->mem.weights_resident / MiB, (double)r->mem.weights_mapped / MiB,
           (double)r->mem.weights_packed / MiB, (double)r->mem.kv_cache / MiB,
           (double)r->mem.conv_state / 1024.0, (double)r->mem.scratch / MiB);
    fflush(stdout);
}

/* Bench text of at least n tokens (a sentence repeated); *out owned by the caller. */
static int bench_tokens(lfmrt_model *m, int n, int32_t **out) {
    static const char SENT[] = "The quick brown fox jumps over the lazy dog. ";
    size_t reps_text = (size_t)n / 4 + 8, len = reps_text * (sizeof SENT - 1);
    char *text = malloc(len + 1);
    if (!text) return cli_fail(CMD, "out of memory");
    for (size_t i = 0; i < reps_text; i++) memcpy(text + i * (sizeof SENT - 1), SENT, sizeof SENT - 1);
    text[len] = '\0';
    size_t nt;
    int rc = cli_tokenize(CMD, m, text, len, false, out, &nt);
    free(text);
    if (rc) return rc;
    if (nt < (size_t)n) return cli_fail(CMD, "the benchmark text gave only %zu tokens, %d needed", nt, n);
    return CLI_OK;
}

/* One configuration: r->seqs sessions for ctx + n_gen tokens on model m, warm-up, reps. */
static int run_config(const bench_cfg *c, lfmrt_model *m, const int32_t *toks, bench_row *r, double *tok_ms,
                      double *tmp) {
    const int32_t nv = lfmrt_vocab_size(m);
    const int S = r->seqs;
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = r->ctx + c->n_gen;
    sp.kv_type = strcmp(c->kv, "f32") ? LFMRT_KV_F16 : LFMRT_KV_F32;
    if (sp.n_batch < S) sp.n_batch = S; /* the first session's scratch holds the S rows of a step */
    lfmrt_session *ss[MAX_SEQ] = {0};
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    float *logits = malloc((size_t)S * (size_t)nv * sizeof *logits);
    if (!logits) return cli_fail(CMD, "out of memory");
    int rc = CLI_OK;
    double t0 = cli_now_ms();
    for (int i = 0; i < S; i++)
        if (lfmrt_session_create(m, &sp, &ss[i], &e) != LFMRT_OK) {
            rc = cli_fail(CMD, "cannot create a session: %s", e.msg);
            goto done;
        }
    r->load_ms += cli_now_ms() - t0;
    /* warm-up (pages the weights in, starts the threads): a short prefill and decode, not counted */
    for (int i = 0; i < S; i++) {
        lfmrt_session_reset(ss[i]);
        if (lfmrt_session_prefill(ss[i], toks, r->ctx < 8 ? r->ctx : 8, logits, NULL, &e) != LFMRT_OK) {
            rc = cli_fail(CMD, "warm-up failed: %s", e.msg);
            goto done;
        }
    }
    {
        int32_t w[MAX_SEQ];
        for (int i = 0; i < S; i++) w[i] = toks[i];
        if (lfmrt_batch_decode(ss, w, S, logits, &e) != LFMRT_OK) {
            rc = cli_fail(CMD, "warm-up failed: %s", e.msg);
            goto done;
        }
    }
    const size_t R = (size_t)c->reps;
    double *pf = tmp, *dc = tmp + R, *tt = tmp + 2 * R, *cp = tmp + 3 * R, *cd = tmp + 4 * R;
    for (int rep = 0; rep < c->reps; rep++) {
        double o[5];
        if (bench_rep(ss, S, toks, r->ctx, c->n_gen, logits, nv, o, tok_ms + (size_t)rep * (size_t)c->n_gen, &e) !=
            LFMRT_OK) {
            rc = cli_fail(CMD, "benchmark failed: %s", e.msg);
            goto done;
        }
        pf[rep] = o[0], dc[rep] = o[1], tt[rep] = o[2], cp[rep] = o[3], cd[rep] = o[4];
    }
    const size_t NT = R * (size_t)c->n_gen;
    r->pf[0] = percentile(pf, R, 0), r->pf[1] = percentile(pf, R, 50), r->pf[2] = percentile(pf, R, 100);
    r->dc[0] = percentile(dc, R, 0), r->dc[1] = percentile(dc, R, 50), r->dc[2] = percentile(dc, R, 100);
    r->ttft = percentile(tt, R, 50);
    r->lat[0] = percentile(tok_ms, NT, 50), r->lat[1] = percentile(tok_ms, NT, 95), r->lat[2] = percentile(tok_ms, NT, 99);
    r->cpu_pf = percentile(cp, R, 50) / r->threads, r->cpu_dc = percentile(cd, R, 50) / r->threads;
    lfmrt_session_memory(ss[0], &r->mem);
    for (int i = 1; i < S; i++) {
        lfmrt_memory_info mi;
        lfmrt_session_memory(ss[i], &mi);
        r->mem.kv_cache += mi.kv_cache, r->mem.conv_state += mi.conv_state, r->mem.scratch += mi.scratch;
    }
    r->peak_rss = peak_rss_bytes();
done:
    free(logits);
    for (int i = 0; i < S; i++) lfmrt_session_destroy(ss[i]);
    return rc;
}

/* Parses a comma list of ints in [lo, hi] into v[0..*n), at most cap. */
static int parse_list(const char *opt, const char *s, int lo, int hi, int *v, int *n, int cap) {
    int64_t *x = NULL;
    size_t nx = 0;
    const char *bad;
    if (!cli_parse_int_list(s, &x, &nx, &bad) || nx > (size_t)cap) {
        if (nx > (size_t)cap) free(x);
        return cli_usage(CMD, "option '%s' expects up to %d positive integers, got '%s'", opt, cap, s);
    }
    *n = 0;
    for (size_t i = 0; i < nx; i++) {
        if (x[i] < lo || x[i] > hi) {
            const long long bad_v = (long long)x[i];
            free(x);
            return cli_usage(CMD, "option '%s': %lld out of range %d..%d", opt, bad_v, lo, hi);
        }
        v[(*n)++] = (int)x[i];
    }
    free(x);
    return CLI_OK;
}

int cmd_bench(int argc, char **argv) {
    const char *model = NULL, *ctx_s = NULL, *th_s = NULL, *seq_s = NULL, *kv = "f16", *llama_bench = NULL, *bwprobe = NULL,
               *lib_dir = NULL;
    int n_prompt = 512, n_gen = 128, reps = 3;
    bool json = false, compare = false, probe = false;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int k, rc = 0;
    while ((k = cli_args_next(&a)) != CLI_END) {
        if (k == CLI_POS) return cli_unknown(&a);
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, "-m", "--model")) rc = cli_val_str(&a, &model);
        else if (cli_is(&a, "-t", "--threads")) rc = cli_val_str(&a, &th_s);
        else if (cli_is(&a, "-p", "--n-prompt")) rc = cli_val_int(&a, 1, 1 << 20, &n_prompt);
        else if (cli_is(&a, "-n", "--n-gen")) rc = cli_val_int(&a, 0, 1 << 20, &n_gen);
        else if (cli_is(&a, "-r", "--reps")) rc = cli_val_int(&a, 1, 1000, &reps);
        else if (cli_is(&a, NULL, "--ctx")) rc = cli_val_str(&a, &ctx_s);
        else if (cli_is(&a, NULL, "--sequences")) rc = cli_val_str(&a, &seq_s);
        else if (cli_is(&a, NULL, "--kv-type")) rc = cli_val_str(&a, &kv);
        else if (cli_is(&a, NULL, "--json")) rc = cli_flag(&a, &json);
        else if (cli_is(&a, NULL, "--compare-llamacpp")) rc = cli_flag(&a, &compare);
        else if (cli_is(&a, NULL, "--llamacpp-bench")) rc = cli_val_str(&a, &llama_bench);
        else if (cli_is(&a, NULL, "--bwprobe")) rc = cli_val_str(&a, &bwprobe);
        else if (cli_is(&a, NULL, "--lib-dir")) rc = cli_val_str(&a, &lib_dir);
        else if (cli_is(&a, NULL, "--cold-start-probe")) rc = cli_flag(&a, &probe); /* hidden */
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (!model) return cli_usage(CMD, "missing -m MODEL");
    int thr[MAX_THREADS], n_thr = 1, ctx[MAX_CTX], n_ctx = 1, seqs[MAX_SEQS], n_seqs = 1;
    thr[0] = cli_default_threads();
    ctx[0] = n_prompt;
    seqs[0] = 1;
    if (th_s && (rc = parse_list("--threads", th_s, 1, 1024, thr, &n_thr, MAX_THREADS))) return rc;
    if (ctx_s && (rc = parse_list("--ctx", ctx_s, 1, 1 << 20, ctx, &n_ctx, MAX_CTX))) return rc;
    if (seq_s && (rc = parse_list("--sequences", seq_s, 1, MAX_SEQ, seqs, &n_seqs, MAX_SEQS))) return rc;
    int max_seq = 1;
    for (int i = 0; i < n_seqs; i++)
        if (seqs[i] > max_seq) max_seq = seqs[i];
    if (probe) return cold_start_probe(model, thr[0]);
    if (compare && (thr[0] < 1 || n_thr != 1))
        return cli_usage(CMD, "--compare-llamacpp needs one thread count (-t N or LFMRT_THREADS): both engines use it");
    if (compare && ctx_s) return cli_usage(CMD, "--compare-llamacpp does not take --ctx");
    if (strcmp(kv, "f16") && strcmp(kv, "f32"))
        return cli_usage(CMD, "option '--kv-type' expects f16 or f32, got '%s'", kv);
    int max_ctx = 0;
    for (int i = 0; i < n_ctx; i++)
        if (ctx[i] > max_ctx) max_ctx = ctx[i];

    lfmrt_model *m = NULL;
    int32_t *toks = NULL;
    double *tok_ms = NULL, *tmp = NULL;
    if (compare) {
        lfmrt_session *ss[MAX_SEQ] = {0};
        float *logits = NULL;
        if ((rc = cli_open_model(CMD, model, thr[0], &m))) return rc;
        lfmrt_model_finish_repack(m); /* time the steady state (see below) */
        lfmrt_model_info info;
        lfmrt_model_get_info(m, &info);
        const int32_t nv = lfmrt_vocab_size(m);
        lfmrt_session_params sp = lfmrt_session_default_params();
        sp.n_ctx = n_prompt + n_gen;
        sp.kv_type = strcmp(kv, "f32") ? LFMRT_KV_F16 : LFMRT_KV_F32;
        if (sp.n_batch < max_seq) sp.n_batch = max_seq;
        lfmrt_err e;
        memset(&e, 0, sizeof e);
        logits = malloc((size_t)max_seq * (size_t)nv * sizeof *logits);
        if (info.n_ctx_train > 0 && sp.n_ctx > info.n_ctx_train)
            rc = cli_usage(CMD, "%d tokens exceed the model's training context %d", sp.n_ctx, info.n_ctx_train);
        else if (!logits) rc = cli_fail(CMD, "out of memory");
        for (int i = 0; i < max_seq && !rc; i++)
            if (lfmrt_session_create(m, &sp, &ss[i], &e) != LFMRT_OK)
                rc = cli_fail(CMD, "cannot create a session: %s", e.msg);
        if (!rc && !(rc = bench_tokens(m, sp.n_ctx + max_seq, &toks))) {
            int32_t w[MAX_SEQ];
            for (int i = 0; i < max_seq && !rc; i++) {
                lfmrt_session_reset(ss[i]);
                if (lfmrt_session_prefill(ss[i], toks, n_prompt < 8 ? n_prompt : 8, logits, NULL, &e) != LFMRT_OK)
                    rc = cli_fail(CMD, "warm-up failed: %s", e.msg);
                w[i] = bench_argmax(logits, nv);
            }
            if (!rc && lfmrt_batch_decode(ss, w, max_seq, logits, &e) != LFMRT_OK)
                rc = cli_fail(CMD, "warm-up failed: %s", e.msg);
            if (!rc) {
                /* decode step i (after the n_prompt prefill) attends to n_prompt + i + 1 positions */
                double kvb = 0;
                for (int i = 0; i < n_gen; i++) kvb += (double)lfmrt_session_kv_read_bytes(ss[0], n_prompt + i + 1);
                bench_cmp_cfg cc = {model, info.name && info.name[0] ? info.name : model, ss, seqs, n_seqs, toks, logits,
                                    nv, info.weight_bytes, n_gen > 0 ? kvb / n_gen : 0, thr[0], n_prompt, n_gen, reps,
                                    json, llama_bench, bwprobe, lib_dir};
                rc = bench_compare(&cc);
            }
        }
        free(logits);
        free(toks);
        for (int i = 0; i < max_seq; i++) lfmrt_session_destroy(ss[i]);
        lfmrt_model_close(m);
        return rc;
    }

    tok_ms = calloc((size_t)reps * (size_t)(n_gen ? n_gen : 1), sizeof(double));
    tmp = calloc((size_t)reps * 5, sizeof(double));
    if (!tok_ms || !tmp) {
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }
    bench_cfg c = {model, model, "?", kv, n_gen, reps};
    char name[256];
    for (int ti = 0; ti < n_thr; ti++) {
        bench_row r;
        memset(&r, 0, sizeof r);
        r.threads = thr[ti] > 0 ? thr[ti] : (int)sysconf(_SC_NPROCESSORS_ONLN);
        if (r.threads < 1) r.threads = 1;
        double t0 = cli_now_ms();
        if ((rc = cli_open_model(CMD, model, thr[ti], &m))) goto done;
        double t_open = cli_now_ms() - t0;
        /* the steady state is what is timed: wait for the background weight repacking (idle priority, so
         * it runs now, while this thread sleeps) */
        t0 = cli_now_ms();
        lfmrt_model_finish_repack(m);
        const double t_repack = cli_now_ms() - t0;
        fprintf(stderr, "bench: %d thread(s): cold start...\n", r.threads);
        double cold[8];
        int nc = reps < 8 ? reps : 8;
        for (int i = 0; i < nc; i++) cold[i] = bench_cold_start_ms(model, thr[ti]);
        double cold_med = percentile(cold, (size_t)nc, 50);
        if (cold[0] < 0) cold_med = -1.0; /* sorted: any failure shows first */
        lfmrt_model_info info;
        lfmrt_model_get_info(m, &info);
        snprintf(name, sizeof name, "%s", info.name && info.name[0] ? info.name : model);
        c.name = name;
        c.type = lf_dtype_name(info.file_type);
        if (!c.type) c.type = "?";
        if (info.n_ctx_train > 0 && max_ctx + n_gen > info.n_ctx_train) {
            rc = cli_usage(CMD, "%d tokens exceed the model's training context %d", max_ctx + n_gen, info.n_ctx_train);
            goto done;
        }
        if (!toks && (rc = bench_tokens(m, max_ctx + max_seq, &toks))) goto done;
        if (ti == 0 && !json) print_md_header();
        for (int ci = 0; ci < n_ctx; ci++)
            for (int si = 0; si < n_seqs; si++) {
                fprintf(stderr, "bench: %d thread(s), context %d, %d sequence(s): %d repetitions...\n", r.threads,
                        ctx[ci], seqs[si], reps);
                r.ctx = ctx[ci];
                r.seqs = seqs[si];
                r.cold = cold_med;
                r.load_ms = t_open;
                r.repack_ms = t_repack;
                if ((rc = run_config(&c, m, toks, &r, tok_ms, tmp))) goto done;
                if (json) print_json(&c, &r);
                else print_md_row(&c, &r);
            }
        lfmrt_model_close(m);
        m = NULL;
    }
    rc = CLI_OK;
done:
    free(toks);
    free(tok_ms);
    free(tmp);
    lfmrt_model_close(m);
    return rc;
}
