/* tests/engine/test_repack.c - weights repacked in the background after open (lfmrt_model_params.no_repack
 * false, the default) give bit-identical logits to the file's layout, during the repack and after it, in prefill (several tokens), decode (one) and batched
 * decode, for LFM2 (tied output), Qwen3 (untied) and Gemma3, Q4_0 and Q8_0, 1 and 2 threads; the
 * repacked bytes are reported in lfmrt_session_memory (nonzero exactly when the CPU's kernels read the
 * packed layout, zero with no_repack or reference kernels). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "kernels/kernels.h"
#include "lfmrt/lfmrt.h"
#include "models/genmodel.h"

static void gen(const char *arch, uint32_t type, bool untied, char *path, size_t cap) {
    snprintf(path, cap, "%s/repack_%s_%s%s.gguf", lf_test_tmp_dir(), arch, lf_dtype_name(type), untied ? "_u" : "");
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.arch = arch;
    p.preset = "tiny";
    p.wtype = type;
    p.seed = 7;
    p.tied = !untied;
    lfmrt_err e = {0};
    const int rc = lf_genmodel_write(&p, path, NULL, NULL, &e);
    if (rc) fprintf(stderr, "gen-model failed: %s\n", e.msg);
    assert_int_equal(rc, 0);
}

static lfmrt_model *open_m(const char *path, int threads, bool no_repack, bool ref) {
    lfmrt_model_params mp = lfmrt_model_default_params();
    mp.n_threads = threads;
    mp.no_repack = no_repack;
    mp.use_ref_kernels = ref;
    lfmrt_model *m = NULL;
    lfmrt_err e = {0};
    const int rc = lfmrt_model_open(path, &mp, &m, &e);
    if (rc) fprintf(stderr, "open failed: %s\n", e.msg);
    assert_int_equal(rc, 0);
    return m;
}

#define NP 23
#define ND 5

/* logits of: prefill NP tokens (all rows), then ND decodes, then one 3-session batch decode */
static float *run(lfmrt_model *m, size_t *count) {
    const int V = lfmrt_vocab_size(m);
    const size_t n = (size_t)V * (NP + ND + 3);
    float *out = malloc(sizeof(float) * n);
    assert_non_null(out);
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 64;
    lfmrt_session *s[3];
    lfmrt_err e = {0};
    for (int i = 0; i < 3; i++) assert_int_equal(lfmrt_session_create(m, &sp, &s[i], &e), 0);
    int32_t toks[NP];
    uint64_t rng = 5;
    for (int i = 0; i < NP; i++) toks[i] = 3 + (int32_t)(lf_test_rand(&rng) % (uint64_t)(V - 3));
    assert_int_equal(lfmrt_session_prefill(s[0], toks, NP, NULL, out, &e), 0);
    for (int i = 0; i < ND; i++)
        assert_int_equal(lfmrt_session_decode(s[0], toks[i], out + (size_t)V * (NP + i), &e), 0);
    assert_int_equal(lfmrt_session_prefill(s[1], toks, 4, NULL, NULL, &e), 0);
    assert_int_equal(lfmrt_session_prefill(s[2], toks + 4, 9, NULL, NULL, &e), 0);
    const int32_t bt[3] = {toks[1], toks[2], toks[3]};
    assert_int_equal(lfmrt_batch_decode(s, bt, 3, out + (size_t)V * (NP + ND), &e), 0);
    for (int i = 0; i < 3; i++) lfmrt_session_destroy(s[i]);
    *count = n;
    return out;
}

static uint64_t packed_bytes(lfmrt_model *m) {
    lfmrt_session *s = NULL;
    lfmrt_err e = {0};
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 16;
    assert_int_equal(lfmrt_session_create(m, &sp, &s, &e), 0);
    lfmrt_memory_info mi;
    lfmrt_session_memory(s, &mi);
    lfmrt_session_destroy(s);
    return mi.weights_packed;
}

static void test_repack_bit_identical(void **state) {
    (void)state;
    const lf_cpu_features f = lf_cpu_detect();
    const bool has_packed = (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c) || (f.neon && f.dotprod);
    if (!has_packed) printf("SKIP: no packed-layout kernels on this CPU (AVX-512 VNNI or dotprod): only the off path runs\n");
    const struct {
        const char *arch;
        bool untied;
    } cases[] = {{"lfm2", false}, {"qwen3", true}, {"gemma3", false}};
    const uint32_t types[] = {LF_DT_Q4_0, LF_DT_Q8_0};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (size_t ti = 0; ti < 2; ti++)
            for (int threads = 1; threads <= 2; threads++) {
                char path[4096];
                gen(cases[c].arch, types[ti], cases[c].untied, path, sizeof path);
                lfmrt_model *a = open_m(path, threads, false, false), *b = open_m(path, threads, true, false);
                assert_int_equal(packed_bytes(b), 0);
                if (has_packed) assert_true(packed_bytes(a) > 0);
                size_t na, nb, nc;
                /* first while the background repack may still be running (matrices switching layout between
                 * calls), then with every matrix packed */
                float *lc = run(a, &nc);
                lfmrt_model_finish_repack(a);
                lfmrt_model_finish_repack(a); /* idempotent */
                lfmrt_model_finish_repack(b); /* none started: returns at once */
                float *la = run(a, &na), *lb = run(b, &nb);
                assert_int_equal(nc, na);
                assert_memory_equal(lc, la, na * sizeof(float));
                free(lc);
                assert_int_equal(na, nb);
                if (memcmp(la, lb, na * sizeof(float)) != 0) {
                    for (size_t i = 0; i < na; i++)
                        if (memcmp(&la[i], &lb[i], sizeof(float)) != 0) {
                            fprintf(stderr, "%s %s %dT: logit %zu repacked %.9g file layout %.9g\n", cases[c].arch,
                                    lf_dtype_name(types[ti]), threads, i, (double)la[i], (double)lb[i]);
                            break;
                        }
                    fail();
                }
                free(la);
                free(lb);
                lfmrt_model_close(a);
                lfmrt_model_close(b);
                lfmrt_model *r = open_m(path, threads, false, true); /* reference kernels: nothing to pack */
                assert_int_equal(packed_bytes(r), 0);
                lfmrt_model_close(r);
            }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repack_bit_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
