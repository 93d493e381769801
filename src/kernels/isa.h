/* kernels/isa.h - install functions of the per-ISA translation units (private to kernels/).
 * Each overrides the entries of an already filled table that its ISA implements, keeping every
 * entry's contract; it must only be called when the CPU has the ISA (lf_kernels_init checks). */
#ifndef LF_KERNELS_ISA_H
#define LF_KERNELS_ISA_H

#include "kernels/kernels.h"

#if defined(LFMRT_HAVE_X86)
/* x86_avx2/: needs AVX2, FMA, F16C. */
void lf_kernels_install_avx2(lf_kernels *k);
/* x86_avxvnni/: needs AVX-VNNI (VEX vpdpbusd) plus AVX2, FMA, F16C; installed after AVX2. */
void lf_kernels_install_avxvnni(lf_kernels *k);
/* x86_avx512/: needs AVX-512 F, BW, VL, VNNI (plus FMA, F16C). */
void lf_kernels_install_avx512(lf_kernels *k);
/* Extension installers, each in its own file of the same directory, called right after the ISA's
 * main installer: K-quant weights (Q4_K, Q5_K, Q6_K) and float weights (F16, BF16). */
void lf_kernels_install_avx2_kq(lf_kernels *k);
void lf_kernels_install_avx2_float(lf_kernels *k);
void lf_kernels_install_avx512_kq(lf_kernels *k);
void lf_kernels_install_avx512_float(lf_kernels *k);
#endif

#if defined(LFMRT_HAVE_ARM)
/* arm_neon/: needs AdvSIMD (every AArch64 core). */
void lf_kernels_install_neon(lf_kernels *k);
/* arm_dotprod/: needs AdvSIMD + FEAT_DotProd (HWCAP_ASIMDDP). */
void lf_kernels_install_dotprod(lf_kernels *k);
/* Extension installers (own files, called after the main installer of the same ISA). */
void lf_kernels_install_neon_kq(lf_kernels *k);
void lf_kernels_install_neon_float(lf_kernels *k);
void lf_kernels_install_neon_vec(lf_kernels *k);
void lf_kernels_install_dotprod_kq(lf_kernels *k);
/* arm_i8mm/: needs FEAT_I8MM (HWCAP2_I8MM) on top of dotprod; installs the Q8_0/Q4_0 gemms. */
void lf_kernels_install_i8mm(lf_kernels *k);
#endif

#endif
