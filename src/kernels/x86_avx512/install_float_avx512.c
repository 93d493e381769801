/* kernels/x86_avx512/install_float_avx512.c - AVX-512 entries for float weights (F16, BF16). Nothing is installed yet:
 * those entries keep what the earlier cascade levels set. */
#include "kernels/isa.h"

void lf_kernels_install_avx512_float(lf_kernels *k) { (void)k; }
