/* kernels/x86_avx2/install_avx2.c - AVX2 entries of the kernel table (none yet). */
#include "kernels/isa.h"

void lf_kernels_install_avx2(lf_kernels *k) {
    (void)k;
}
