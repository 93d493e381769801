/* kernels/arm_neon/install_vec_neon.c - NEON vector kernels (attention, activations). Nothing is installed yet:
 * those entries keep what the earlier cascade levels set. */
#include "kernels/isa.h"

void lf_kernels_install_neon_vec(lf_kernels *k) { (void)k; }
