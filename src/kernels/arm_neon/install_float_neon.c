/* kernels/arm_neon/install_float_neon.c - NEON entries for float weights (F16, BF16). Nothing is installed yet:
 * those entries keep what the earlier cascade levels set. */
#include "kernels/isa.h"

void lf_kernels_install_neon_float(lf_kernels *k) { (void)k; }
