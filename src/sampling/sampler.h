/* sampling/sampler.h - internals of the seeded sampler (the public API is lfmrt_sampler_* in lfmrt.h).
 *
 * The chain follows llama.cpp's common sampler: penalties -> top-k -> top-p -> min-p -> temperature ->
 * dist (temperature <= 0: argmax after penalties). All buffers are allocated by lfmrt_sampler_create;
 * a sample call allocates nothing. The PRNG (xoshiro256**, seeded through splitmix64) lives in the
 * sampler, so two samplers with the same seed and inputs draw the same sequence.
 */
#ifndef LF_SAMPLING_SAMPLER_H
#define LF_SAMPLING_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "lfmrt/lfmrt.h"

/* Recommended sampling for a GGUF architecture name (general.architecture). "lfm2": temperature 0.3,
 * min_p 0.15, repeat_penalty 1.05, top_k and top_p off (Liquid AI's model card). Anything else
 * (including NULL): lfmrt_sampler_default_params(), llama.cpp's defaults. */
lfmrt_sampler_params lf_sampler_defaults_for_arch(const char *arch);

/* Test hooks: the candidates that survived the filters in the last lfmrt_sampler_sample call (1 for
 * greedy), in the sampler's internal order; id -1 past the end. */
size_t lf_sampler_last_count(const lfmrt_sampler *s);
int32_t lf_sampler_last_id(const lfmrt_sampler *s, size_t i);

/* xoshiro256** PRNG (Blackman & Vigna, https://prng.di.unimi.it/), seeded with splitmix64. */
typedef struct lf_rng {
    uint64_t s[4];
} lf_rng;

void lf_rng_seed(lf_rng *r, uint64_t seed);
uint64_t lf_rng_next(lf_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double lf_rng_uniform(lf_rng *r);

#endif
