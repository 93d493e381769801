/* kernels/arm_dotprod/install_kq_dotprod.c - dotprod entries for the K-quant weights. Nothing is installed yet:
 * those entries keep what the earlier cascade levels set. */
#include "kernels/isa.h"

void lf_kernels_install_dotprod_kq(lf_kernels *k) { (void)k; }
