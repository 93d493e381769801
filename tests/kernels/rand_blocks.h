/* tests/kernels/rand_blocks.h - random weight rows for kernel tests (header-only, static).
 * Codes are random bytes; scale fields get sane random f16 values (random f16 bits could be
 * inf/NaN), with magnitudes typical of real weights so dot products stay well inside f32 range. */
#ifndef LF_TEST_RAND_BLOCKS_H
#define LF_TEST_RAND_BLOCKS_H

#include <stdint.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "testutil.h"

static inline uint16_t lf_rand_scale(uint64_t *rng, float lo, float hi, int allow_neg) {
    float u = (lf_test_randf(rng) + 1.0f) * 0.5f;
    float v = lo + (hi - lo) * u;
    if (allow_neg && (lf_test_rand(rng) & 1)) v = -v;
    return lf_f32_to_fp16(v);
}

/* Fills a row of n elements of weight type t (a computable type, or Q8_1/Q8_K). */
static inline void lf_rand_row(uint32_t t, void *w, int64_t n, uint64_t *rng) {
    size_t bytes = 0;
    assert_true(lf_dtype_row_size(t, n, &bytes));
    uint8_t *p = w;
    for (size_t i = 0; i < bytes; i++) p[i] = (uint8_t)lf_test_rand(rng);
    const lf_dtype_info *info = lf_dtype_get(t);
    const int64_t nb = n / info->blck;
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = p + (size_t)b * info->type_size;
        switch (t) {
        case LF_DT_F32: ((float *)w)[b] = lf_test_randf(rng); break;
        case LF_DT_F16: ((uint16_t *)w)[b] = lf_f32_to_fp16(lf_test_randf(rng)); break;
        case LF_DT_BF16: ((uint16_t *)w)[b] = lf_f32_to_bf16(lf_test_randf(rng)); break;
        case LF_DT_Q8_0: ((lf_block_q8_0 *)blk)->d = lf_rand_scale(rng, 1e-3f, 1e-2f, 1); break;
        case LF_DT_Q8_1:
            ((lf_block_q8_1 *)blk)->d = lf_rand_scale(rng, 1e-3f, 1e-2f, 0);
            ((lf_block_q8_1 *)blk)->s = lf_rand_scale(rng, 1e-2f, 1.0f, 1);
            break;
        case LF_DT_Q4_0: ((lf_block_q4_0 *)blk)->d = lf_rand_scale(rng, 1e-2f, 1e-1f, 1); break;
        case LF_DT_Q5_0: ((lf_block_q5_0 *)blk)->d = lf_rand_scale(rng, 1e-2f, 1e-1f, 1); break;
        case LF_DT_Q4_1:
            ((lf_block_q4_1 *)blk)->d = lf_rand_scale(rng, 1e-2f, 1e-1f, 0);
            ((lf_block_q4_1 *)blk)->m = lf_rand_scale(rng, 1e-2f, 5e-1f, 1);
            break;
        case LF_DT_Q5_1:
            ((lf_block_q5_1 *)blk)->d = lf_rand_scale(rng, 1e-2f, 1e-1f, 0);
            ((lf_block_q5_1 *)blk)->m = lf_rand_scale(rng, 1e-2f, 5e-1f, 1);
            break;
        case LF_DT_Q4_K:
            ((lf_block_q4_k *)blk)->d = lf_rand_scale(rng, 1e-4f, 1e-3f, 0);
            ((lf_block_q4_k *)blk)->dmin = lf_rand_scale(rng, 1e-4f, 1e-3f, 0);
            break;
        case LF_DT_Q5_K:
            ((lf_block_q5_k *)blk)->d = lf_rand_scale(rng, 1e-4f, 1e-3f, 0);
            ((lf_block_q5_k *)blk)->dmin = lf_rand_scale(rng, 1e-4f, 1e-3f, 0);
            break;
        case LF_DT_Q6_K: ((lf_block_q6_k *)blk)->d = lf_rand_scale(rng, 1e-4f, 1e-3f, 1); break;
        case LF_DT_Q8_K: {
            lf_block_q8_k *k = (lf_block_q8_k *)blk;
            k->d = lf_test_randf(rng) * 1e-2f;
            for (int g = 0; g < 16; g++) { /* consistent bsums */
                int s = 0;
                for (int l = 0; l < 16; l++) s += k->qs[16 * g + l];
                k->bsums[g] = (int16_t)s;
            }
            break;
        }
        default: fail();
        }
    }
}

#endif
