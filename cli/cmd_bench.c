/* cli/bench: `lfmrt bench` - prefill and decode speed of one model, measured the way llama-bench does:
 * prefill one batch of P tokens, then decode N single tokens feeding back the argmax (no sampling),
 * the session reset between repetitions. Reports the median (min, max) over repetitions, time to first
 * token (prefill + argmax), per-token decode latency percentiles over all repetitions, load time (model
 * open + session create), peak RSS, and optionally a context sweep: for each input length C, the
 * latency of prefill + first token (P50 / P95 over repetitions).
 * Input tokens come from tokenizing a plain English sentence repeated (no special tokens), as the
 * reference peer's bench does. --json prints one object instead of the table.
 * --compare-llamacpp measures llama.cpp alongside on the same file (cli/bench_compare.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "args.h"
#include "bench_compare.h"
#include "common.h"
#include "json_out.h"

static const char *CMD = "bench";

enum { MAX_CTX = 16 };

static void usage(void) {
    printf("usage: lfmrt bench -m MODEL [-t THREADS] [-p 512] [-n 128] [-r REPS] [--ctx 256,512,1024] [--json]\n"
           "\n"
           "Measures prefill and decode speed (as llama-bench: one prefill batch, then single-token\n"
           "decodes of the argmax, no sampling), time to first token, decode latency percentiles,\n"
           "load time and peak memory; --ctx adds a sweep of prefill + first-token latency per input\n"
           "length.\n"
           "\n"
           "options:\n"
           "  -m, --model FILE      GGUF model\n"
           "  -t, --threads N       worker threads (default: LFMRT_THREADS or all cores)\n"
           "  -p, --n-prompt N      prompt tokens to prefill (default 512)\n"
           "  -n, --n-gen N         tokens to decode (default 128)\n"
           "  -r, --reps N          repetitions (default 3)\n"
           "  --ctx LIST            input lengths for the latency sweep, e.g. 256,512,1024\n"
           "  --kv-type T           KV cache type: f16 (default) or f32\n"
           "  --json                print one JSON object\n"
           "  --compare-llamacpp    also measure llama.cpp (bench/llamacpp_bench) on the same file, alternating\n"
           "                        repetitions, with the read bandwidth (bench/bwprobe); prints a markdown table\n"
           "                        of both engines' medians, ratios and decode roofline fractions\n"
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

static int32_t argmax(const float *l, int32_t n) {
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++)
        if (l[i] > l[best]) best = i;
    return best;
}

static double peak_rss_mib(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

typedef struct bench_res {
    double *prefill_tps, *decode_tps, *ttft_ms; /* [reps] */
    double *tok_ms;                             /* [reps * n_gen] decode latencies */
    size_t n_tok_ms;
    double *ctx_ms;                             /* [n_ctx * reps] */
} bench_res;

/* prefill toks[0..n) from an empty session and take the argmax; returns the latency in ms or < 0 */
static double timed_prefill(lfmrt_session *s, const int32_t *toks, int n, float *logits, int32_t nv, int32_t *next,
                            lfmrt_err *e) {
    lfmrt_session_reset(s);
    double t0 = cli_now_ms();
    if (lfmrt_session_prefill(s, toks, n, logits, NULL, e) != LFMRT_OK) return -1.0;
    *next = argmax(logits, nv);
    return cli_now_ms() - t0;
}

int bench_rep(lfmrt_session *s, const int32_t *toks, int n_prompt, int n_gen, float *logits, int32_t nv,
              double *prefill_tps, double *decode_tps, double *ttft_ms, double *tok_ms, lfmrt_err *e) {
    double tp0 = cli_now_ms();
    lfmrt_session_reset(s);
    int st = lfmrt_session_prefill(s, toks, n_prompt, logits, NULL, e);
    if (st != LFMRT_OK) return st;
    double tp = cli_now_ms() - tp0;
    int32_t next = argmax(logits, nv);
    *ttft_ms = cli_now_ms() - tp0;
    *prefill_tps = n_prompt * 1000.0 / tp;
    double td0 = cli_now_ms();
    for (int i = 0; i < n_gen; i++) {
        double t0 = cli_now_ms();
        if ((st = lfmrt_session_decode(s, next, logits, e)) != LFMRT_OK) return st;
        next = argmax(logits, nv);
        if (tok_ms) tok_ms[i] = cli_now_ms() - t0;
    }
    double td = cli_now_ms() - td0;
    *decode_tps = n_gen ? n_gen * 1000.0 / td : 0.0;
    return LFMRT_OK;
}

int cmd_bench(int argc, char **argv) {
    const char *model = NULL, *ctx_s = NULL, *kv = "f16", *llama_bench = NULL, *bwprobe = NULL, *lib_dir = NULL;
    int threads = cli_default_threads(), n_prompt = 512, n_gen = 128, reps = 3;
    bool json = false, compare = false;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int k, rc = 0;
    while ((k = cli_args_next(&a)) != CLI_END) {
        if (k == CLI_POS) return cli_unknown(&a);
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, "-m", "--model")) rc = cli_val_str(&a, &model);
        else if (cli_is(&a, "-t", "--threads")) rc = cli_val_int(&a, 1, 1024, &threads);
        else if (cli_is(&a, "-p", "--n-prompt")) rc = cli_val_int(&a, 1, 1 << 20, &n_prompt);
        else if (cli_is(&a, "-n", "--n-gen")) rc = cli_val_int(&a, 0, 1 << 20, &n_gen);
        else if (cli_is(&a, "-r", "--reps")) rc = cli_val_int(&a, 1, 1000, &reps);
        else if (cli_is(&a, NULL, "--ctx")) rc = cli_val_str(&a, &ctx_s);
        else if (cli_is(&a, NULL, "--kv-type")) rc = cli_val_str(&a, &kv);
        else if (cli_is(&a, NULL, "--json")) rc = cli_flag(&a, &json);
        else if (cli_is(&a, NULL, "--compare-llamacpp")) rc = cli_flag(&a, &compare);
        else if (cli_is(&a, NULL, "--llamacpp-bench")) rc = cli_val_str(&a, &llama_bench);
        else if (cli_is(&a, NULL, "--bwprobe")) rc = cli_val_str(&a, &bwprobe);
        else if (cli_is(&a, NULL, "--lib-dir")) rc = cli_val_str(&a, &lib_dir);
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (!model) return cli_usage(CMD, "missing -m MODEL");
    if (compare && threads < 1)
        return cli_usage(CMD, "--compare-llamacpp needs a thread count (-t N or LFMRT_THREADS): both engines use it");
    if (compare && ctx_s) return cli_usage(CMD, "--compare-llamacpp does not take --ctx");
    if (strcmp(kv, "f16") && strcmp(kv, "f32"))
        return cli_usage(CMD, "option '--kv-type' expects f16 or f32, got '%s'", kv);
    int ctx[MAX_CTX], n_ctx_list = 0, max_len = n_prompt + n_gen;
    if (ctx_s) {
        int64_t *v;
        size_t nv;
        const char *bad;
        if (!cli_parse_int_list(ctx_s, &v, &nv, &bad) || nv > MAX_CTX) {
            if (nv > MAX_CTX) free(v);
            return cli_usage(CMD, "option '--ctx' expects up to %d positive lengths, got '%s'", MAX_CTX, ctx_s);
        }
        for (size_t i = 0; i < nv; i++) {
            if (v[i] < 1 || v[i] > (1 << 20)) {
                free(v);
                return cli_usage(CMD, "option '--ctx': length %lld out of range 1..%d", (long long)v[i], 1 << 20);
            }
            ctx[n_ctx_list++] = (int)v[i];
            if (ctx[n_ctx_list - 1] > max_len) max_len = ctx[n_ctx_list - 1];
        }
        free(v);
    }

    lfmrt_model *m = NULL;
    lfmrt_session *s = NULL;
    int32_t *toks = NULL;
    float *logits = NULL;
    bench_res r;
    memset(&r, 0, sizeof r);
    double t_load = cli_now_ms();
    rc = cli_open_model(CMD, model, threads, &m);
    if (rc) goto done;
    lfmrt_model_info info;
    lfmrt_model_get_info(m, &info);
    const int32_t nv = lfmrt_vocab_size(m);
    if (info.n_ctx_train > 0 && max_len > info.n_ctx_train) {
        rc = cli_usage(CMD, "%d tokens exceed the model's training context %d", max_len, info.n_ctx_train);
        goto done;
    }
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = max_len;
    sp.kv_type = strcmp(kv, "f32") ? LFMRT_KV_F16 : LFMRT_KV_F32;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    int st = lfmrt_session_create(m, &sp, &s, &e);
    t_load = cli_now_ms() - t_load;
    if (st != LFMRT_OK) {
        rc = cli_fail(CMD, "cannot create a session: %s", e.msg[0] ? e.msg : lfmrt_status_name(st));
        goto done;
    }

    /* input: a plain sentence repeated until max_len tokens */
    {
        static const char SENT[] = "The quick brown fox jumps over the lazy dog. ";
        size_t reps_text = (size_t)max_len / 4 + 8, len = reps_text * (sizeof SENT - 1);
        char *text = malloc(len + 1);
        if (!text) {
            rc = cli_fail(CMD, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < reps_text; i++) memcpy(text + i * (sizeof SENT - 1), SENT, sizeof SENT - 1);
        text[len] = '\0';
        size_t nt;
        rc = cli_tokenize(CMD, m, text, len, false, &toks, &nt);
        free(text);
        if (rc) goto done;
        if (nt < (size_t)max_len) {
            rc = cli_fail(CMD, "the benchmark text gave only %zu tokens, %d needed", nt, max_len);
            goto done;
        }
    }

    logits = malloc((size_t)nv * sizeof *logits);
    r.prefill_tps = calloc((size_t)reps, sizeof(double));
    r.decode_tps = calloc((size_t)reps, sizeof(double));
    r.ttft_ms = calloc((size_t)reps, sizeof(double));
    r.tok_ms = calloc((size_t)reps * (size_t)(n_gen ? n_gen : 1), sizeof(double));
    r.ctx_ms = calloc((size_t)reps * (size_t)(n_ctx_list ? n_ctx_list : 1), sizeof(double));
    if (!logits || !r.prefill_tps || !r.decode_tps || !r.ttft_ms || !r.tok_ms || !r.ctx_ms) {
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }
    /* warm-up (pages the weights in, starts the threads): a short prefill and decode, not counted */
    int32_t next;
    if (timed_prefill(s, toks, n_prompt < 8 ? n_prompt : 8, logits, nv, &next, &e) < 0 ||
        lfmrt_session_decode(s, next, logits, &e) != LFMRT_OK) {
        rc = cli_fail(CMD, "warm-up failed: %s", e.msg);
        goto done;
    }
    if (compare) {
        bench_cmp_cfg cc = {model, info.name && info.name[0] ? info.name : model, s, toks, logits, nv,
                            info.weight_bytes, threads, n_prompt, n_gen, reps, json, llama_bench, bwprobe, lib_dir};
        rc = bench_compare(&cc);
        goto done;
    }
    for (int rep = 0; rep < reps; rep++) {
        if (bench_rep(s, toks, n_prompt, n_gen, logits, nv, &r.prefill_tps[rep], &r.decode_tps[rep], &r.ttft_ms[rep],
                      r.tok_ms + r.n_tok_ms, &e) != LFMRT_OK) {
            rc = cli_fail(CMD, "benchmark failed: %s", e.msg);
            goto done;
        }
        r.n_tok_ms += (size_t)n_gen;
        for (int c = 0; c < n_ctx_list; c++) {
            double ms = timed_prefill(s, toks, ctx[c], logits, nv, &next, &e);
            if (ms < 0) {
                rc = cli_fail(CMD, "prefill of %d tokens failed: %s", ctx[c], e.msg);
                goto done;
            }
            r.ctx_ms[(size_t)c * (size_t)reps + (size_t)rep] = ms;
        }
    }

    double rss = peak_rss_mib();
    double pf_min = percentile(r.prefill_tps, (size_t)reps, 0), pf_med = percentile(r.prefill_tps, (size_t)reps, 50),
           pf_max = percentile(r.prefill_tps, (size_t)reps, 100);
    double dc_min = percentile(r.decode_tps, (size_t)reps, 0), dc_med = percentile(r.decode_tps, (size_t)reps, 50),
           dc_max = percentile(r.decode_tps, (size_t)reps, 100);
    double ttft = percentile(r.ttft_ms, (size_t)reps, 50);
    double l50 = percentile(r.tok_ms, r.n_tok_ms, 50), l95 = percentile(r.tok_ms, r.n_tok_ms, 95),
           l99 = percentile(r.tok_ms, r.n_tok_ms, 99);
    const char *name = info.name && info.name[0] ? info.name : model;
    if (json) {
        FILE *f = stdout;
        fputs("{\"model\":", f);
        json_cstr(f, model);
        fputs(",\"name\":", f);
        json_cstr(f, name);
        fputs(",\"arch\":", f);
        json_cstr(f, info.arch);
        fputs(",\"threads\":", f);
        if (threads > 0) fprintf(f, "%d", threads);
        else fputs("null", f); /* the library's default (physical cores) */
        fprintf(f, ",\"kv_type\":\"%s\",\"reps\":%d,\"weight_bytes\":%llu,\"n_params\":%lld,", kv, reps,
                (unsigned long long)info.weight_bytes, (long long)info.n_params);
        fputs("\"load_ms\":", f);
        json_num(f, t_load);
        fputs(",\"peak_rss_mib\":", f);
        json_num(f, rss);
        fprintf(f, ",\"prefill\":{\"tokens\":%d,\"tok_s\":", n_prompt);
        json_num(f, pf_med);
        fputs(",\"tok_s_min\":", f);
        json_num(f, pf_min);
        fputs(",\"tok_s_max\":", f);
        json_num(f, pf_max);
        fputs(",\"ttft_ms\":", f);
        json_num(f, ttft);
        fprintf(f, "},\"decode\":{\"tokens\":%d,\"tok_s\":", n_gen);
        json_num(f, dc_med);
        fputs(",\"tok_s_min\":", f);
        json_num(f, dc_min);
        fputs(",\"tok_s_max\":", f);
        json_num(f, dc_max);
        fputs(",\"latency_ms\":{\"p50\":", f);
        json_num(f, l50);
        fputs(",\"p95\":", f);
        json_num(f, l95);
        fputs(",\"p99\":", f);
        json_num(f, l99);
        fputs("}},\"ctx_sweep\":[", f);
        for (int c = 0; c < n_ctx_list; c++) {
            double *v = r.ctx_ms + (size_t)c * (size_t)reps;
            fprintf(f, "%s{\"tokens\":%d,\"p50_ms\":", c ? "," : "", ctx[c]);
            json_num(f, percentile(v, (size_t)reps, 50));
            fputs(",\"p95_ms\":", f);
            json_num(f, percentile(v, (size_t)reps, 95));
            fputc('}', f);
        }
        fputs("]}\n", f);
    } else {
        char th[32] = "default threads";
        if (threads > 0) snprintf(th, sizeof th, "%d threads", threads);
        printf("model:    %s (%s, %.1f MiB of weights, %lld parameters), %s, KV %s\n", name, info.arch,
               (double)info.weight_bytes / 1048576.0, (long long)info.n_params, th, kv);
        printf("load:     %.1f ms (model open + session); peak RSS %.1f MiB\n", t_load, rss);
        printf("prefill:  %d tokens, %.1f tok/s (median of %d; min %.1f, max %.1f), time to first token %.1f ms\n",
               n_prompt, pf_med, reps, pf_min, pf_max, ttft);
        if (n_gen)
            printf("decode:   %d tokens, %.1f tok/s (median; min %.1f, max %.1f), per token p50 %.2f ms, p95 %.2f ms, "
                   "p99 %.2f ms\n",
                   n_gen, dc_med, dc_min, dc_max, l50, l95, l99);
        for (int c = 0; c < n_ctx_list; c++) {
            double *v = r.ctx_ms + (size_t)c * (size_t)reps;
            printf("input %-5d prefill + first token: p50 %.1f ms, p95 %.1f ms\n", ctx[c], percentile(v, (size_t)reps, 50),
                   percentile(v, (size_t)reps, 95));
        }
    }
    rc = CLI_OK;
done:
    free(toks);
    free(logits);
    free(r.prefill_tps);
    free(r.decode_tps);
    free(r.ttft_ms);
    free(r.tok_ms);
    free(r.ctx_ms);
    lfmrt_session_destroy(s);
    lfmrt_model_close(m);
    return rc;
}
