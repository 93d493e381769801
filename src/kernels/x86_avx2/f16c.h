/* kernels/x86_avx2/f16c.h - one f32 to its f16 code with F16C, exactly as lf_f32_to_fp16 (format/dtype.h):
 * vcvtps2ph with the round-to-nearest-even immediate (not MXCSR) rounds and overflows as it does; only
 * NaN differs (the instruction keeps payload bits), so NaN becomes sign | 0x7e00. Compared against
 * lf_f32_to_fp16 for all 2^32 inputs (the vector form; tests/kernels/test_vec_geglu.c keeps the edges).
 * For translation units built with F16C (the x86 AVX2 level and above). */
#ifndef LF_KERNELS_X86_AVX2_F16C_H
#define LF_KERNELS_X86_AVX2_F16C_H

#include <immintrin.h>
#include <stdint.h>

static inline uint16_t fp16_from_f32_f16c(float f) {
    uint16_t h = (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(f), _MM_FROUND_TO_NEAREST_INT), 0);
    if (f != f) h = (uint16_t)((h & 0x8000) | 0x7e00);
    return h;
}

#endif
