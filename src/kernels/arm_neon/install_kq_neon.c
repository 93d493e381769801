/* kernels/arm_neon/install_kq_neon.c - NEON entries for the K-quant weights (Q4_K, Q5_K, Q6_K x Q8_K). Nothing is installed yet:
 * those entries keep what the earlier cascade levels set. */
#include "kernels/isa.h"

void lf_kernels_install_neon_kq(lf_kernels *k) { (void)k; }
