/* kernels/x86_avx2/install_float_avx2.c - AVX2 entries for float weights (F16, BF16). Nothing is installed yet:
 * those entries keep what the earlier cascade levels set. */
#include "kernels/isa.h"

void lf_kernels_install_avx2_float(lf_kernels *k) { (void)k; }
