/* kernels/x86_avx512/install_avx512.c - AVX-512 entries of the kernel table (none yet). */
#include "kernels/isa.h"

void lf_kernels_install_avx512(lf_kernels *k) {
    (void)k;
}
