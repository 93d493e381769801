/* kernels/x86_avx512/install_float_avx512.c - AVX-512 entries for float weights (F16, BF16), installed
 * after lf_kernels_install_avx512 (which set the F16 dot/gemv):
 *   F16:  f32 -> f16 conversion, prefill gemm (f16_avx512.c).
 *   BF16: f32 -> bf16 conversion; dot, gemv and gemm with vdpbf16ps where the CPU has AVX512_BF16 and
 *         it is the faster kind (bf16dp_fast: Zen 4/5, where vdpbf16ps runs at twice the FMA rate),
 *         otherwise by widening to f32 + FMA (bf16_avx512.c). On this project's Emerald Rapids host the
 *         widening gemm measured 54.8 GMAC/s against 44.6 for vdpbf16ps (bench/kernel_bench, n 1024,
 *         best of 9, one thread). All three entries of a type come from one kind, so they stay
 *         bit-identical to each other (prefill = decode). */
#include "kernels/isa.h"
#include "kernels/x86_avx512/avx512.h"

void lf_kernels_install_avx512_float(lf_kernels *k) {
    k->t[LF_DT_F16].from_f32 = quantize_row_f16_avx512;
    k->t[LF_DT_F16].gemm = gemm_f16_f16_avx512;
    k->t[LF_DT_BF16].from_f32 = quantize_row_bf16_avx512;
    if (k->cpu.avx512bf16 && k->cpu.bf16dp_fast) {
        k->t[LF_DT_BF16].dot = dot_bf16_bf16_avx512bf16;
        k->t[LF_DT_BF16].gemv = gemv_bf16_bf16_avx512bf16;
        k->t[LF_DT_BF16].gemm = gemm_bf16_bf16_avx512bf16;
        k->t[LF_DT_BF16].isa = "avx512bf16";
    } else {
        k->t[LF_DT_BF16].dot = dot_bf16_bf16_avx512;
        k->t[LF_DT_BF16].gemv = gemv_bf16_bf16_avx512;
        k->t[LF_DT_BF16].gemm = gemm_bf16_bf16_avx512;
        k->t[LF_DT_BF16].isa = "avx512";
    }
}
