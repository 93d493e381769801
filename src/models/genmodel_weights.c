/* models/genmodel_weights.c - the deterministic value streams behind gen-model's random weights.
 *
 * Value i of tensor `name` under `seed` is a pure function of (seed, name, i): the stream key is
 * mix(seed ^ fnv1a64(name)), and element i uses mix(key + (i + 1) * golden), the splitmix64 counter
 * construction (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014). So rows or
 * whole tensors can be generated independently and in any order.
 * "Normal-ish" values are the Irwin-Hall sum of the four 16-bit lanes of one output, centred and scaled
 * to unit variance: bounded by +-3.46, smooth enough for weights, one hash per element.
 */
#include <string.h>

#include "models/genmodel.h"

#define GOLDEN 0x9e3779b97f4a7c15ull

static uint64_t mix64(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t fnv1a64(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

void lf_genmodel_values(uint64_t seed, const char *name, lf_genmodel_init init, float scale, uint64_t i0,
                        float *x, size_t n) {
    const uint64_t key = mix64(seed ^ fnv1a64(name));
    const float sqrt3 = 1.7320508075688772f;
    for (size_t k = 0; k < n; k++) {
        uint64_t r = mix64(key + (i0 + k + 1) * GOLDEN);
        float v;
        if (init == LF_GENINIT_UNIFORM) {
            /* top 24 bits -> [0, 1) -> [-1, 1) */
            v = (float)(r >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f;
            x[k] = v * scale;
            continue;
        }
        /* four lanes of 16 bits, each uniform on (0, 1): sum has mean 2, variance 1/3 */
        float s = 0.0f;
        for (int lane = 0; lane < 4; lane++) s += ((float)((r >> (16 * lane)) & 0xffff) + 0.5f) * (1.0f / 65536.0f);
        v = (s - 2.0f) * sqrt3;
        if (init == LF_GENINIT_GAIN)
            x[k] = (mix64(r) & 1 ? -scale : scale) * (1.0f + 0.05f * v);
        else
            x[k] = init == LF_GENINIT_NORM ? 1.0f + scale * v : scale * v;
    }
}
