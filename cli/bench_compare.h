/* cli/bench_compare.h - `lfmrt bench --compare-llamacpp`: our engine and llama.cpp (bench/llamacpp_bench,
 * the prebuilt library of the reference peer) measured alternately on the same file with the same
 * settings, plus the machine's read bandwidth (bench/bwprobe), as one markdown table or JSON object.
 * The method is ../shared/docs/PERF.md's: only ratios measured side by side in one run count. */
#ifndef LFMRT_CLI_BENCH_COMPARE_H
#define LFMRT_CLI_BENCH_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "lfmrt/lfmrt.h"

/* One repetition of our benchmark on the S sessions ss[0..S) (each reset first): sequence i prefills
 * toks[i..i + n_prompt) and takes the argmax, then n_gen steps each decode one token of every sequence
 * (its own argmax; S == 1: lfmrt_session_decode, else one lfmrt_batch_decode of all S). logits holds
 * S * nv floats. out: aggregate prefill tok/s (S x n_prompt tokens), aggregate decode tok/s (S x n_gen),
 * time to the last sequence's first token (ms), CPU time / wall time during prefill and decode.
 * tok_ms (may be NULL) receives the n_gen per-step latencies. Returns LFMRT_OK or the failing call's
 * status with *e set. Defined in cmd_bench.c. */
int bench_rep(lfmrt_session *const *ss, int S, const int32_t *toks, int n_prompt, int n_gen, float *logits,
              int32_t nv, double out[5], double *tok_ms, lfmrt_err *e);

/* Our cold start: this binary spawned as `lfmrt bench --cold-start-probe -m model -t threads` (threads
 * < 1: the default), ms from spawn to its "ready" line (model open + session + 1-token prefill), or < 0
 * on failure. Defined in cmd_bench.c. */
double bench_cold_start_ms(const char *model, int threads);

/* Spawns path with argv (stdout to a pipe, stderr to /dev/null) and returns the ms from the spawn to
 * the first bytes it writes, if they start with "ready", and it exits with status 0; < 0 otherwise. */
double bench_spawn_ready_ms(const char *path, char *const argv[]);

typedef struct bench_cmp_cfg {
    const char *model;       /* path, passed to the llama.cpp driver */
    const char *name;        /* display name */
    lfmrt_session *const *ss; /* our sessions (max(seqs) of them), warmed up */
    const int *seqs;         /* sequence counts to measure, one table (JSON object) each */
    int n_seqs;
    const int32_t *toks;     /* >= n_prompt + max(seqs) tokens */
    float *logits;           /* max(seqs) * nv floats */
    int32_t nv;
    uint64_t weight_bytes;   /* bytes of weights read per decoded token (all tensors, tied output) */
    double kv_bytes_per_token; /* KV cache bytes one sequence reads per decoded token, mean over the decode */
    int threads, n_prompt, n_gen, reps;
    bool json;
    const char *llama_bench; /* NULL: llamacpp_bench next to this binary */
    const char *bwprobe;     /* NULL: bwprobe next to this binary */
    const char *lib_dir;     /* NULL: the driver's default (the build's peer) */
} bench_cmp_cfg;

/* Runs the comparison and prints it. Returns a CLI exit status (CLI_OK, or CLI_FAIL with one line on
 * stderr when a helper program is missing or fails). */
int bench_compare(const bench_cmp_cfg *c);

#endif
