/* bench/argmax.h - the greedy next token both benchmark drivers feed back (lfmrt bench, cli/cmd_bench.c,
 * and llama.cpp's, bench/llamacpp_bench.c): one definition, so both engines pay the same for it. */
#ifndef LF_BENCH_ARGMAX_H
#define LF_BENCH_ARGMAX_H

#include <stdint.h>

/* The first index of the largest of l[0..n), as a scan keeping the first strict maximum finds it (NaNs
 * skipped; a NaN first value wins, as it does there), in two passes: the maximum, 8 lanes at a time (a
 * fixed-length inner loop that -O2 vectorises), then its first index. */
static inline int32_t bench_argmax(const float *l, int32_t n) {
    if (!(l[0] == l[0])) return 0;
    float m8[8], m = l[0];
    for (int k = 0; k < 8; k++) m8[k] = m;
    int32_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) m8[k] = l[i + k] > m8[k] ? l[i + k] : m8[k];
    for (int k = 0; k < 8; k++) m = m8[k] > m ? m8[k] : m;
    for (; i < n; i++) m = l[i] > m ? l[i] : m;
    int32_t b = 0;
    while (b < n - 1 && !(l[b] == m)) b++;
    return b;
}

#endif
