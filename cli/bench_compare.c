/* cli/bench_compare.c - `lfmrt bench --compare-llamacpp` (contract: bench_compare.h).
 *
 * Order of a run: the bandwidth probe (bwprobe --json, 1 and 2 threads, plus T when T > 2), the cold
 * starts (below), the probe again (the larger figure of the two kept per thread count), then for
 * each repetition one of ours (in process, the session already warmed up) followed by one of llama.cpp
 * (llamacpp_bench -r 1, a fresh process: its load is not timed, its own warm-up runs first). Medians
 * over the repetitions; ratios are lfmrt / llama.cpp. Decode roofline fraction = decode tok/s x weight
 * bytes per token / read bandwidth at the same thread count (PERF.md's definition); the bandwidth fraction
 * adds the KV cache each sequence reads per token (lfmrt_session_kv_read_bytes at the decode's mean
 * context, the same for llama.cpp's default F16 cache), the bytes decode really moves. On a busy machine the load drifts between
 * repetitions; the paired ratio (median over repetitions of ours / theirs in the same repetition) is
 * printed besides the ratio of medians, and the two disagreeing much says the run was noisy.
 * With several --sequences, the repetitions run per sequence count S (ours: S sessions, one
 * lfmrt_batch_decode per step; llama.cpp: llamacpp_bench -s S, S sequence ids in one llama_batch per
 * step) and one table (JSON object) is printed per S. Cold start: each engine's probe in a child
 * process (ours `lfmrt bench --cold-start-probe`, theirs `llamacpp_bench --cold-start`: libraries, model,
 * context, one decoded token), timed from spawn to its "ready" line; one untimed run of each first (page
 * cache warm), then min(reps, 8) alternating runs, medians.
 * Helper programs are found next to this
 * binary (the build puts them there) unless given; they run through fork/exec, never a shell.
 */
#include "bench_compare.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "common.h"
#include "json_out.h"

static const char *CMD = "bench";

extern char **environ;

enum { OUT_CAP = 1 << 16, MAX_REPS = 1000 };

/* dirname(/proc/self/exe) + "/" + name into buf; the bare name when the link cannot be read. */
static void beside_self(const char *name, char *buf, size_t cap) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(buf, cap, "%s", name);
        return;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    size_t le = strlen(exe), ln = strlen(name);
    if (le + 1 + ln + 1 > cap) {
        snprintf(buf, cap, "%s", name);
        return;
    }
    memcpy(buf, exe, le);
    buf[le] = '/';
    memcpy(buf + le + 1, name, ln + 1);
}

/* Runs argv (argv[0] a path) and captures its stdout into out (NUL-terminated, truncated at cap - 1);
 * stderr passes through. Returns the exit status, or -1 if it could not run. */
static int run_capture(char *const argv[], char *out, size_t cap) {
    int fd[2];
    if (pipe(fd) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0;
    for (;;) {
        char tmp[4096];
        ssize_t r = read(fd[0], tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        size_t k = (size_t)r < cap - 1 - len ? (size_t)r : cap - 1 - len;
        memcpy(out + len, tmp, k);
        len += k;
    }
    out[len] = '\0';
    close(fd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

double bench_spawn_ready_ms(const char *path, char *const argv[]) {
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0) return -1.0;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0); /* its errors: a failed probe */
    pid_t pid;
    double t0 = cli_now_ms();
    int sr = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    double ms = -1.0;
    if (sr == 0) {
        char buf[64];
        ssize_t n;
        while ((n = read(fd[0], buf, sizeof buf)) < 0 && errno == EINTR) {
        }
        if (n >= 5 && memcmp(buf, "ready", 5) == 0) ms = cli_now_ms() - t0;
        int wst;
        pid_t w;
        while ((w = waitpid(pid, &wst, 0)) < 0 && errno == EINTR) {
        }
        if (w != pid || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0) ms = -1.0;
    }
    close(fd[0]);
    return ms;
}

/* The number after `"key":` following the first occurrence of `after` (NULL: from the start). */
static int json_find_num(const char *s, const char *after, const char *key, double *v) {
    if (after && !(s = strstr(s, after))) return -1;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(s, pat);
    if (!p) return -1;
    char *end;
    *v = strtod(p + strlen(pat), &end);
    return end == p + strlen(pat) ? -1 : 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static double median(const double *v, int n) {
    double *s = malloc((size_t)n * sizeof *s);
    if (!s || n < 1) {
        free(s);
        return 0.0;
    }
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

static void json_arr(FILE *f, const double *v, int n) {
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', f);
        json_num(f, v[i]);
    }
    fputc(']', f);
}

typedef struct engine_res {
    double pf[MAX_REPS], dc[MAX_REPS];
    double pf_med, dc_med, roof, gbs_used;
    double gbs_total, roof_total; /* weights and the KV cache read per token */
} engine_res;

static void finish(engine_res *r, int reps, double bytes, double bw) {
    r->pf_med = median(r->pf, reps);
    r->dc_med = median(r->dc, reps);
    r->gbs_used = r->dc_med * bytes / 1e9;
    r->roof = bw > 0 ? r->gbs_used / bw : 0.0;
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

/* median over i < n of a[i] / b[i] */
static double paired(const double *a, const double *b, int n) {
    double r[MAX_REPS];
    for (int i = 0; i < n; i++) r[i] = ratio(a[i], b[i]);
    return median(r, n);
}

/* Runs the bandwidth probe for threads tl and raises *bw1, *bw2, *bwt (1, 2 and `threads` threads) to
 * its figures where higher. */
static int probe_bandwidth(const char *bwp, const char *tl, int threads, char *out, double *bw1, double *bw2,
                           double *bwt) {
    char *argv[] = {(char *)bwp, "--json", "-r", "3", "-t", (char *)tl, NULL};
    if (run_capture(argv, out, OUT_CAP) != 0) return cli_fail(CMD, "bandwidth probe '%s' failed", bwp);
    double v1, v2, vt;
    char key[48];
    if (json_find_num(out, "{\"threads\":1,", "gbs", &v1) || json_find_num(out, "{\"threads\":2,", "gbs", &v2))
        return cli_fail(CMD, "cannot read the bandwidth probe's output: %.200s", out);
    snprintf(key, sizeof key, "{\"threads\":%d,", threads);
    if (json_find_num(out, key, "gbs", &vt) != 0) vt = v2;
    if (v1 > *bw1) *bw1 = v1;
    if (v2 > *bw2) *bw2 = v2;
    if (vt > *bwt) *bwt = vt;
    return 0;
}

int bench_compare(const bench_cmp_cfg *c) {
    char llama[4096], bwp[4096];
    if (c->llama_bench) snprintf(llama, sizeof llama, "%s", c->llama_bench);
    else beside_self("llamacpp_bench", llama, sizeof llama);
    if (c->bwprobe) snprintf(bwp, sizeof bwp, "%s", c->bwprobe);
    else beside_self("bwprobe", bwp, sizeof bwp);
    if (access(llama, X_OK) != 0)
        return cli_fail(CMD, "llama.cpp driver '%s' not found (it is built only when the node-llama-cpp peer is "
                             "there at configure time, see bench/CMakeLists.txt); pass --llamacpp-bench PATH",
                        llama);
    if (access(bwp, X_OK) != 0) return cli_fail(CMD, "bandwidth probe '%s' not found; pass --bwprobe PATH", bwp);
    if (c->reps > MAX_REPS) return cli_fail(CMD, "at most %d repetitions", MAX_REPS);

    char *out = malloc(OUT_CAP);
    engine_res *ours = calloc(1, sizeof *ours), *theirs = calloc(1, sizeof *theirs);
    int rc = CLI_FAIL;
    if (!out || !ours || !theirs) {
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }

    /* 1. bandwidth: probed before and after the cold-start runs (about 10 s apart), the larger figure of
     * each kept: a transient on the machine (another process, the kernel compacting memory) only lowers a
     * probe, and a low one would overstate the roofline fractions */
    char tl[32];
    if (c->threads > 2) snprintf(tl, sizeof tl, "1,2,%d", c->threads);
    else snprintf(tl, sizeof tl, "1,2");
    double bw1 = 0, bw2 = 0, bwt = 0;
    if (!c->json) fprintf(stderr, "bench: measuring read bandwidth (%s)\n", bwp);
    if ((rc = probe_bandwidth(bwp, tl, c->threads, out, &bw1, &bw2, &bwt))) goto done;

    /* 2. cold start, alternating after one untimed run of each */
    char ts[16], ps[16], ns[16], sq[16];
    snprintf(ts, sizeof ts, "%d", c->threads);
    snprintf(ps, sizeof ps, "%d", c->n_prompt);
    snprintf(ns, sizeof ns, "%d", c->n_gen);
    const int nc = c->reps < 8 ? c->reps : 8;
    double cold_ours[8], cold_theirs[8], cold_o = -1.0, cold_t = -1.0;
    {
        char *argv[] = {llama, "-m", (char *)c->model, "-t", ts, "--cold-start", c->lib_dir ? "--lib-dir" : NULL,
                        (char *)c->lib_dir, NULL};
        if (!c->json) fprintf(stderr, "bench: cold start, %d runs of each engine\n", nc);
        (void)bench_cold_start_ms(c->model, c->threads);
        (void)bench_spawn_ready_ms(llama, argv);
        bool ok_o = true, ok_t = true;
        for (int i = 0; i < nc; i++) {
            cold_ours[i] = bench_cold_start_ms(c->model, c->threads);
            cold_theirs[i] = bench_spawn_ready_ms(llama, argv);
            ok_o = ok_o && cold_ours[i] >= 0;
            ok_t = ok_t && cold_theirs[i] >= 0;
        }
        if (ok_o) cold_o = median(cold_ours, nc);
        if (ok_t) cold_t = median(cold_theirs, nc);
    }

    if (!c->json) fprintf(stderr, "bench: measuring read bandwidth again\n");
    if ((rc = probe_bandwidth(bwp, tl, c->threads, out, &bw1, &bw2, &bwt))) goto done;

    /* 3. alternating repetitions, per sequence count */
    const double bytes = (double)c->weight_bytes;
    double dc_ours_1 = 0, dc_theirs_1 = 0;
    for (int si = 0; si < c->n_seqs; si++) {
        const int S = c->seqs[si];
        snprintf(sq, sizeof sq, "%d", S);
        memset(ours, 0, sizeof *ours);
        memset(theirs, 0, sizeof *theirs);
        for (int rep = 0; rep < c->reps; rep++) {
            lfmrt_err e;
            memset(&e, 0, sizeof e);
            double o[5];
            if (!c->json) fprintf(stderr, "bench: %d sequence(s), repetition %d/%d: lfmrt\n", S, rep + 1, c->reps);
            int st = bench_rep(c->ss, S, c->toks, c->n_prompt, c->n_gen, c->logits, c->nv, o, NULL, &e);
            if (st != LFMRT_OK) {
                rc = cli_fail(CMD, "lfmrt repetition failed: %s", e.msg[0] ? e.msg : lfmrt_status_name(st));
                goto done;
            }
            ours->pf[rep] = o[0], ours->dc[rep] = o[1];
            if (!c->json) fprintf(stderr, "bench: %d sequence(s), repetition %d/%d: llama.cpp\n", S, rep + 1, c->reps);
            char *argv[20];
            int ac = 0;
            argv[ac++] = llama, argv[ac++] = "-m", argv[ac++] = (char *)c->model, argv[ac++] = "-t", argv[ac++] = ts;
            argv[ac++] = "-p", argv[ac++] = ps, argv[ac++] = "-n", argv[ac++] = ns, argv[ac++] = "-r", argv[ac++] = "1";
            if (S > 1) argv[ac++] = "-s", argv[ac++] = sq;
            argv[ac++] = "--json";
            if (c->lib_dir) argv[ac++] = "--lib-dir", argv[ac++] = (char *)c->lib_dir;
            argv[ac] = NULL;
            int xs = run_capture(argv, out, OUT_CAP);
            if (xs != 0) {
                rc = cli_fail(CMD, "llama.cpp driver '%s' failed (exit status %d)", llama, xs);
                goto done;
            }
            if (json_find_num(out, "\"prefill\":", "tok_s", &theirs->pf[rep]) ||
                json_find_num(out, "\"decode\":", "tok_s", &theirs->dc[rep])) {
                rc = cli_fail(CMD, "cannot read the llama.cpp driver's output: %.200s", out);
                goto done;
            }
        }
        finish(ours, c->reps, bytes, bwt);
        finish(theirs, c->reps, bytes, bwt);
        if (S == 1) dc_ours_1 = ours->dc_med, dc_theirs_1 = theirs->dc_med;
        const double pp = paired(ours->pf, theirs->pf, c->reps), dp = paired(ours->dc, theirs->dc, c->reps);
        /* weights are read once per step: S tokens per read */
        ours->gbs_used /= S, ours->roof /= S, theirs->gbs_used /= S, theirs->roof /= S;
        /* every sequence reads its own KV cache */
        for (int k = 0; k < 2; k++) {
            engine_res *r = k ? theirs : ours;
            r->gbs_total = r->gbs_used + r->dc_med * c->kv_bytes_per_token / 1e9;
            r->roof_total = bwt > 0 ? r->gbs_total / bwt : 0.0;
        }

        if (c->json) {
            FILE *f = stdout;
            fputs("{\"model\":", f);
            json_cstr(f, c->model);
            fputs(",\"name\":", f);
            json_cstr(f, c->name);
            fprintf(f, ",\"threads\":%d,\"sequences\":%d,\"n_prompt\":%d,\"n_gen\":%d,\"reps\":%d,\"weight_bytes\":%llu",
                    c->threads, S, c->n_prompt, c->n_gen, c->reps, (unsigned long long)c->weight_bytes);
            fputs(",\"kv_bytes_per_token\":", f);
            json_num(f, c->kv_bytes_per_token);
            fputs(",\"bandwidth_gbs\":{\"t1\":", f);
            json_num(f, bw1);
            fputs(",\"t2\":", f);
            json_num(f, bw2);
            fputs(",\"threads\":", f);
            json_num(f, bwt);
            fputc('}', f);
            const char *names[2] = {"lfmrt", "llamacpp"};
            engine_res *rs[2] = {ours, theirs};
            for (int k = 0; k < 2; k++) {
                fprintf(f, ",\"%s\":{\"prefill_tok_s\":", names[k]);
                json_num(f, rs[k]->pf_med);
                fputs(",\"decode_tok_s\":", f);
                json_num(f, rs[k]->dc_med);
                fputs(",\"decode_weight_gbs\":", f);
                json_num(f, rs[k]->gbs_used);
                fputs(",\"decode_roofline\":", f);
                json_num(f, rs[k]->roof);
                fputs(",\"decode_total_gbs\":", f);
                json_num(f, rs[k]->gbs_total);
                fputs(",\"decode_bandwidth_fraction\":", f);
                json_num(f, rs[k]->roof_total);
                fputs(",\"cold_start_ms\":", f);
                if ((k ? cold_t : cold_o) < 0) fputs("null", f);
                else json_num(f, k ? cold_t : cold_o);
                fputs(",\"prefill_runs\":", f);
                json_arr(f, rs[k]->pf, c->reps);
                fputs(",\"decode_runs\":", f);
                json_arr(f, rs[k]->dc, c->reps);
                fputs(",\"cold_start_runs\":", f);
                json_arr(f, k ? cold_theirs : cold_ours, nc);
                fputc('}', f);
            }
            fputs(",\"ratio\":{\"prefill\":", f);
            json_num(f, ratio(ours->pf_med, theirs->pf_med));
            fputs(",\"decode\":", f);
            json_num(f, ratio(ours->dc_med, theirs->dc_med));
            fputs(",\"prefill_paired\":", f);
            json_num(f, pp);
            fputs(",\"decode_paired\":", f);
            json_num(f, dp);
            fputs(",\"cold_start\":", f);
            if (cold_o < 0 || cold_t < 0) fputs("null", f);
            else json_num(f, ratio(cold_o, cold_t));
            fputs("}}\n", f);
            fflush(f);
        } else {
            if (si == 0) {
                printf("lfmrt vs llama.cpp: %s (%.1f MiB of weights read per decode step), %d thread%s, prefill %d, "
                       "decode %d, %d alternating repetitions, medians\n",
                       c->name, bytes / 1048576.0, c->threads, c->threads > 1 ? "s" : "", c->n_prompt, c->n_gen,
                       c->reps);
                printf("KV cache read per decoded token (f16 K and V of the cached positions, mean over the decode): "
                       "%.1f MiB per sequence\n",
                       c->kv_bytes_per_token / 1048576.0);
                printf("read bandwidth (bwprobe, 1 GiB read-sum, median of 3): 1 thread %.1f GB/s, 2 threads %.1f GB/s",
                       bw1, bw2);
                if (c->threads > 2) printf(", %d threads %.1f GB/s", c->threads, bwt);
                printf("\n");
            }
            printf("\n%d sequence%s%s\n\n", S, S > 1 ? "s" : "",
                   S > 1 ? " (aggregate tok/s; one batched forward pass per decode step)" : "");
            printf("| engine | prefill tok/s | decode tok/s | decode weight GB/s | decode roofline | decode GB/s with KV "
                   "| of probe |\n");
            printf("|---|---|---|---|---|---|---|\n");
            printf("| lfmrt | %.1f | %.1f | %.1f | %.0f %% | %.1f | %.0f %% |\n", ours->pf_med, ours->dc_med,
                   ours->gbs_used, 100.0 * ours->roof, ours->gbs_total, 100.0 * ours->roof_total);
            printf("| llama.cpp | %.1f | %.1f | %.1f | %.0f %% | %.1f | %.0f %% |\n", theirs->pf_med, theirs->dc_med,
                   theirs->gbs_used, 100.0 * theirs->roof, theirs->gbs_total, 100.0 * theirs->roof_total);
            printf("| lfmrt / llama.cpp | %.2f | %.2f | | | | |\n", ratio(ours->pf_med, theirs->pf_med),
                   ratio(ours->dc_med, theirs->dc_med));
            printf("| lfmrt / llama.cpp, paired | %.2f | %.2f | | | | |\n", pp, dp);
            if (S > 1 && dc_ours_1 > 0)
                printf("\n%d sequences / 1 sequence, aggregate decode: lfmrt x%.2f, llama.cpp x%.2f\n", S,
                       ratio(ours->dc_med, dc_ours_1), ratio(theirs->dc_med, dc_theirs_1));
            printf("\nruns (prefill / decode tok/s):");
            for (int rep = 0; rep < c->reps; rep++)
                printf(" [lfmrt %.1f / %.1f, llama.cpp %.1f / %.1f]", ours->pf[rep], ours->dc[rep], theirs->pf[rep],
                       theirs->dc[rep]);
            printf("\n");
        }
    }
    if (!c->json) {
        char co[32] = "failed", ct[32] = "failed", cr[32] = "n/a";
        if (cold_o >= 0) snprintf(co, sizeof co, "%.1f", cold_o);
        if (cold_t >= 0) snprintf(ct, sizeof ct, "%.1f", cold_t);
        if (cold_o >= 0 && cold_t >= 0) snprintf(cr, sizeof cr, "%.2f", ratio(cold_o, cold_t));
        printf("\ncold start (child process, spawn to first token ready: load + context + 1-token decode; median of "
               "%d, page cache warm)\n\n",
               nc);
        printf("| lfmrt ms | llama.cpp ms | lfmrt / llama.cpp |\n|---|---|---|\n| %s | %s | %s |\n", co, ct, cr);
    }
    rc = CLI_OK;
done:
    free(out);
    free(ours);
    free(theirs);
    return rc;
}
