/* kernels/cpu.c - CPU feature detection into an explicit lf_cpu_features value (no global state).
 *
 * Compiled without ISA flags so it runs on any CPU of the architecture. x86-64: CPUID leaves 1 and 7
 * plus XGETBV to confirm the OS saves the AVX (YMM) and AVX-512 (opmask, ZMM) register state; a
 * feature the OS does not enable is reported absent. aarch64 Linux: getauxval(AT_HWCAP/AT_HWCAP2);
 * macOS: the hw.optional.arm.FEAT_DotProd / FEAT_I8MM sysctls (as ggml); other aarch64 systems
 * report NEON only (it is architectural on aarch64).
 */
#include "kernels/kernels.h"

#include <string.h>

#if defined(LFMRT_HAVE_X86) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

lf_cpu_features lf_cpu_detect(void) {
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
    const int amd = b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u; /* "AuthenticAMD" */
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    const int fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return f;
    const uint64_t xcr0 = read_xcr0();
    const int ymm_ok = (xcr0 & 0x6) == 0x6;      /* SSE + AVX state */
    const int zmm_ok = (xcr0 & 0xe6) == 0xe6;    /* + opmask, ZMM_Hi256, Hi16_ZMM */
    if (!ymm_ok) return f;
    f.fma = (unsigned)fma;
    f.f16c = (unsigned)f16c;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned leaf7_max_sub = a;
    f.avx2 = (b >> 5) & 1;
    if (zmm_ok) {
        f.avx512f = (b >> 16) & 1;
        f.avx512bw = (b >> 30) & 1;
        f.avx512vl = (b >> 31) & 1;
        f.avx512vnni = (c >> 11) & 1;
    }
    if (leaf7_max_sub >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        f.avxvnni = (a >> 4) & 1;
        if (zmm_ok) f.avx512bf16 = (a >> 5) & 1;
        f.bf16dp_fast = f.avx512bf16 && amd;
    }
    return f;
}

#elif defined(__aarch64__)
#if defined(__linux__)
#include <sys/auxv.h>
#elif defined(__APPLE__)
#include <sys/sysctl.h>

/* Apple Silicon: the hw.optional.arm.FEAT_* sysctls (1 when present; absent on older systems). */
static unsigned sysctl_flag(const char *name) {
    int v = 0;
    size_t len = sizeof v;
    return sysctlbyname(name, &v, &len, NULL, 0) == 0 && v != 0;
}
#endif

/* Linux arm64 hwcap bits (asm/hwcap.h), spelled out so older headers still build. */
#define LF_HWCAP_ASIMD (1ul << 1)
#define LF_HWCAP_ASIMDDP (1ul << 20)
#define LF_HWCAP2_I8MM (1ul << 13)

lf_cpu_features lf_cpu_detect(void) {
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    f.neon = 1;
#if defined(__linux__)
    unsigned long hw = getauxval(AT_HWCAP);
    unsigned long hw2 = getauxval(AT_HWCAP2);
    f.neon = (hw & LF_HWCAP_ASIMD) ? 1 : 0;
    f.dotprod = (hw & LF_HWCAP_ASIMDDP) ? 1 : 0;
    f.i8mm = (hw2 & LF_HWCAP2_I8MM) ? 1 : 0;
#elif defined(__APPLE__)
    f.dotprod = sysctl_flag("hw.optional.arm.FEAT_DotProd"); /* M1 and later */
    f.i8mm = sysctl_flag("hw.optional.arm.FEAT_I8MM");       /* M2 and later */
#endif
    return f;
}

#else

lf_cpu_features lf_cpu_detect(void) {
    lf_cpu_features f;
    memset(&f, 0, sizeof f);
    return f;
}

#endif
