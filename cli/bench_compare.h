/* cli/bench_compare.h - `lfmrt bench --compare-llamacpp`: our engine and llama.cpp (bench/llamacpp_bench,
 * the prebuilt library of the reference peer) measured alternately on the same file with the same
 * settings, plus the machine's read bandwidth (bench/bwprobe), as one markdown table or JSON object.
 * The method is ../shared/docs/PERF.md's: only ratios measured side by side in one run count. */
#ifndef LFMRT_CLI_BENCH_COMPARE_H
#define LFMRT_CLI_BENCH_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "lfmrt/lfmrt.h"

/* One repetition of our benchmark on s (reset first): prefill toks[0..n_prompt), argmax, then n_gen
 * single-token decodes of the argmax. Writes prefill and decode tok/s and the time to first token;
 * tok_ms (may be NULL) receives the n_gen per-token latencies. Returns LFMRT_OK or the failing call's
 * status with *e set. Defined in cmd_bench.c. */
int bench_rep(lfmrt_session *s, const int32_t *toks, int n_prompt, int n_gen, float *logits, int32_t nv,
              double *prefill_tps, double *decode_tps, double *ttft_ms, double *tok_ms, lfmrt_err *e);

typedef struct bench_cmp_cfg {
    const char *model;       /* path, passed to the llama.cpp driver */
    const char *name;        /* display name */
    lfmrt_session *s;        /* our session, warmed up */
    const int32_t *toks;     /* >= n_prompt tokens */
    float *logits;           /* nv floats */
    int32_t nv;
    uint64_t weight_bytes;   /* bytes of weights read per decoded token (all tensors, tied output) */
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
