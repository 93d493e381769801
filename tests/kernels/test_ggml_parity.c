/* tests/kernels/test_ggml_parity.c - the reference kernels against ggml itself, bit for bit.
 *
 * Loads the prebuilt ggml libraries shipped by the llama.cpp peer (node-llama-cpp, see
 * shared/peer/README.md) with dlopen and calls ggml's own reference routines:
 *   libggml-base.so:    dequantize_row_*, quantize_row_{q8_0,q8_1,q4_0,q8_K}_ref,
 *                       ggml_fp32_to_fp16_row, ggml_fp32_to_bf16_row_ref, ggml_*_to_fp32_row
 *   libggml-cpu-x64.so: ggml_vec_dot_*_generic and ggml_vec_dot_{f32,f16,bf16} (the baseline x86-64
 *                       variant, built without SIMD, so these are ggml's scalar semantics)
 * and requires identical bits from ours on random rows. Only ABI declarations are written here; no
 * ggml code is copied or compiled. Peer directory: $LFMRT_PEER_DIR, else /tmp/peer; skipped (77)
 * with a SKIP line when the libraries are not there.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"
#include "rand_blocks.h"
#include "testutil.h"

typedef void (*g_dequant_fn)(const void *x, float *y, int64_t k);
typedef void (*g_quant_fn)(const float *x, void *y, int64_t k);
typedef void (*g_vec_dot_fn)(int n, float *s, size_t bs, const void *x, size_t bx, const void *y,
                             size_t by, int nrc);

static void *g_base, *g_cpu;

static void *sym(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) {
        fprintf(stderr, "missing ggml symbol %s\n", name);
        fail();
    }
    return p;
}

static int setup(void **state) {
    (void)state;
    const char *dir = getenv("LFMRT_PEER_DIR");
    char path[4096];
    const char *cands[2] = {dir, "/tmp/peer"};
    for (int i = 0; i < 2 && !g_cpu; i++) {
        if (!cands[i] || !*cands[i]) continue;
        snprintf(path, sizeof path, "%s/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so",
                 cands[i]);
        g_base = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
        if (!g_base) continue;
        snprintf(path, sizeof path, "%s/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-cpu-x64.so",
                 cands[i]);
        g_cpu = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    }
    if (!g_base || !g_cpu) {
        printf("SKIP: ggml peer libraries not found (set LFMRT_PEER_DIR to a node-llama-cpp@3.21.1 "
               "install)\n");
        return -1;
    }
    void (*cpu_init)(void) = (void (*)(void))dlsym(g_cpu, "ggml_cpu_init"); /* fills f16 tables */
    if (cpu_init) cpu_init();
    return 0;
}

static void expect_same_bits(const void *a, const void *b, size_t n, const char *what) {
    if (memcmp(a, b, n) != 0) {
        const uint8_t *x = a, *y = b;
        size_t i = 0;
        while (x[i] == y[i]) i++;
        fprintf(stderr, "%s: first difference at byte %zu (ours 0x%02x, ggml 0x%02x)\n", what, i, x[i], y[i]);
        fail();
    }
}

/* Random activations: rep % 3 == 0 plain random values of mixed scale; == 1 exact rounding ties
 * (every block holds +-127 first, so Q8_0/Q8_1 get d = 1 and Q8_K iscale = +-1, and the other
 * elements are k + 0.5); == 2 random values with repeated signed maxima of both signs. */
static void rand_acts(float *x, int64_t n, uint64_t *rng, int rep) {
    for (int64_t i = 0; i < n; i++) {
        float v = lf_test_randf(rng) * (float)(1 + (i / 32) % 5);
        if (rep % 3 == 1)
            v = i % 32 == 0 ? ((i / 32) & 1 ? 127.0f : -127.0f)
                            : (float)((int)(lf_test_rand(rng) % 253) - 126) + 0.5f;
        if (rep % 3 == 2 && i % 41 == 0) v = (i & 2) ? 7.0f : -7.0f;
        x[i] = v;
    }
}

static void test_dequantize_matches_ggml(void **state) {
    (void)state;
    const struct {
        uint32_t t;
        const char *fn;
    } c[] = {
        {LF_DT_F16, "ggml_fp16_to_fp32_row"}, {LF_DT_BF16, "ggml_bf16_to_fp32_row"},
        {LF_DT_Q8_0, "dequantize_row_q8_0"},  {LF_DT_Q4_0, "dequantize_row_q4_0"},
        {LF_DT_Q4_1, "dequantize_row_q4_1"},  {LF_DT_Q5_0, "dequantize_row_q5_0"},
        {LF_DT_Q5_1, "dequantize_row_q5_1"},  {LF_DT_Q4_K, "dequantize_row_q4_K"},
        {LF_DT_Q5_K, "dequantize_row_q5_K"},  {LF_DT_Q6_K, "dequantize_row_q6_K"},
        {LF_DT_Q8_K, "dequantize_row_q8_K"},
    };
    lf_kernels k;
    lf_kernels_init_ref(&k);
    enum { N = 4096 };
    static uint8_t w[N * 4];
    static float ours[N], theirs[N];
    uint64_t rng = 2024;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        g_dequant_fn g = (g_dequant_fn)sym(g_base, c[i].fn);
        for (int rep = 0; rep < 4; rep++) {
            lf_rand_row(c[i].t, w, N, &rng);
            k.t[c[i].t].to_f32(w, ours, N);
            g(w, theirs, N);
            expect_same_bits(ours, theirs, sizeof ours, c[i].fn);
        }
    }
}

static void test_quantize_matches_ggml(void **state) {
    (void)state;
    const struct {
        uint32_t t;
        const char *fn;
    } c[] = {
        {LF_DT_F16, "ggml_fp32_to_fp16_row"},   {LF_DT_BF16, "ggml_fp32_to_bf16_row_ref"},
        {LF_DT_Q4_0, "quantize_row_q4_0_ref"},  {LF_DT_Q8_K, "quantize_row_q8_K_ref"},
    };
    lf_kernels k;
    lf_kernels_init_ref(&k);
    enum { N = 4096 };
    static float x[N];
    static uint8_t ours[N * 4], theirs[N * 4];
    uint64_t rng = 77;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        g_quant_fn g = (g_quant_fn)sym(g_base, c[i].fn);
        size_t bytes;
        assert_true(lf_dtype_row_size(c[i].t, N, &bytes));
        for (int rep = 0; rep < 6; rep++) {
            rand_acts(x, N, &rng, rep);
            memset(ours, 0, sizeof ours);
            memset(theirs, 0, sizeof theirs);
            k.t[c[i].t].from_f32(x, ours, N);
            g(x, theirs, N);
            expect_same_bits(ours, theirs, bytes, c[i].fn);
        }
    }
}

/* Activation quantizers: ours follow what llama.cpp RUNS on x86 (its AVX2/AVX-512 quantize_row_q8_0 and
 * _q8_1: 127/amax, ties to even), not ggml's scalar _ref (1/d, ties away): the oracle's logits depend on
 * the runtime one. Compared with the haswell (AVX2) build of libggml-cpu when this CPU can run it. */
static void test_act_quantize_matches_ggml_runtime(void **state) {
    (void)state;
    lf_kernels k;
    lf_kernels_init_ref(&k);
    const lf_cpu_features cpu = lf_cpu_detect();
    if (!cpu.avx2 || !cpu.fma || !cpu.f16c) {
        printf("SKIP: CPU without AVX2/FMA/F16C cannot run ggml's haswell kernels\n");
        skip();
    }
    char path[4096];
    const char *dir = getenv("LFMRT_PEER_DIR");
    void *h = NULL;
    const char *cands[2] = {dir, "/tmp/peer"};
    for (int i = 0; i < 2 && !h; i++) {
        if (!cands[i] || !*cands[i]) continue;
        snprintf(path, sizeof path,
                 "%s/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-cpu-haswell.so", cands[i]);
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    assert_non_null(h);
    const struct {
        uint32_t t;
        const char *fn;
    } c[] = {{LF_DT_Q8_0, "quantize_row_q8_0"}, {LF_DT_Q8_1, "quantize_row_q8_1"}};
    enum { N = 4096 };
    static float x[N];
    static uint8_t ours[N * 4], theirs[N * 4];
    uint64_t rng = 78;
    lf_kernels kf;
    lf_kernels_init(&kf, lf_cpu_detect());
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        g_quant_fn g = (g_quant_fn)dlsym(h, c[i].fn);
        assert_non_null(g);
        size_t bytes;
        assert_true(lf_dtype_row_size(c[i].t, N, &bytes));
        for (int rep = 0; rep < 6; rep++) {
            rand_acts(x, N, &rng, rep);
            g(x, theirs, N);
            memset(ours, 0, sizeof ours);
            k.t[c[i].t].from_f32(x, ours, N);
            expect_same_bits(ours, theirs, bytes, c[i].fn);
            memset(ours, 0, sizeof ours);
            kf.t[c[i].t].from_f32(x, ours, N); /* the dispatched (SIMD) twin too */
            expect_same_bits(ours, theirs, bytes, c[i].fn);
        }
    }
    dlclose(h);
}

static void test_dots_match_ggml_generic(void **state) {
    (void)state;
    const struct {
        uint32_t t;
        const char *fn;
    } c[] = {
        {LF_DT_F32, "ggml_vec_dot_f32"},
        {LF_DT_F16, "ggml_vec_dot_f16"},
        {LF_DT_BF16, "ggml_vec_dot_bf16"},
        {LF_DT_Q8_0, "ggml_vec_dot_q8_0_q8_0_generic"},
        {LF_DT_Q4_0, "ggml_vec_dot_q4_0_q8_0_generic"},
        {LF_DT_Q5_0, "ggml_vec_dot_q5_0_q8_0_generic"},
        {LF_DT_Q4_1, "ggml_vec_dot_q4_1_q8_1_generic"},
        {LF_DT_Q5_1, "ggml_vec_dot_q5_1_q8_1_generic"},
        {LF_DT_Q4_K, "ggml_vec_dot_q4_K_q8_K_generic"},
        {LF_DT_Q5_K, "ggml_vec_dot_q5_K_q8_K_generic"},
        {LF_DT_Q6_K, "ggml_vec_dot_q6_K_q8_K_generic"},
    };
    lf_kernels k;
    lf_kernels_init_ref(&k);
    enum { N = 3072 };
    static uint8_t w[N * 4], a[N * 4];
    static float x[N], wf[N];
    uint64_t rng = 99;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        g_vec_dot_fn g = (g_vec_dot_fn)sym(g_cpu, c[i].fn);
        const uint32_t t = c[i].t, vdt = k.t[t].vec_dot_type;
        for (int rep = 0; rep < 9; rep++) {
            lf_rand_row(t, w, N, &rng);
            rand_acts(x, N, &rng, rep);
            if (rep >= 6) { /* activations that follow the weights: large block sums, so the order
                             * of the f32 scale products shows */
                k.t[t].to_f32(w, wf, N);
                for (int j = 0; j < N; j++) x[j] = wf[j] * 10.0f + 0.01f * lf_test_randf(&rng);
            }
            k.t[vdt].from_f32(x, a, N);
            float ours, theirs;
            k.t[t].dot(N, &ours, w, a);
            g(N, &theirs, 0, w, 0, a, 0, 1);
            if (memcmp(&ours, &theirs, sizeof ours) != 0) {
                fprintf(stderr, "%s rep %d: ours %.9g ggml %.9g\n", c[i].fn, rep, (double)ours,
                        (double)theirs);
                fail();
            }
        }
    }
}

int main(void) {
    if (setup(NULL) != 0) return LF_TEST_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dequantize_matches_ggml),
        cmocka_unit_test(test_quantize_matches_ggml),
        cmocka_unit_test(test_act_quantize_matches_ggml_runtime),
        cmocka_unit_test(test_dots_match_ggml_generic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
