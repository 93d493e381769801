/* tests/format/test_genmodel.c - gen-model writes LFM2 (and Qwen3, Gemma3, LLaMA) GGUF files that our
 * parser reads back with the right keys, tensor names, dtypes and shapes in every weight type; the weights
 * have the promised statistics and survive quantization; files are deterministic per seed and differ
 * across seeds; the presets reproduce the published parameter counts; bad parameters give clear errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/dtype.h"
#include "format/gguf.h"
#include "kernels/kernels.h"
#include "models/genmodel.h"
#include "testutil.h"

#define HAS(msg, sub)                                                                                          \
    do {                                                                                                       \
        if (!strstr((msg), (sub))) fail_msg("message '%s' lacks '%s'", (msg), (sub));                          \
    } while (0)

static char g_path[4096];

static const char *tmp_file(const char *name) {
    snprintf(g_path, sizeof g_path, "%s", lf_test_path(lf_test_tmp_dir(), name));
    return g_path;
}

static void gen(const lf_genmodel_params *p, const char *path) {
    lfmrt_err e;
    if (lf_genmodel_write(p, path, NULL, NULL, &e) != LFMRT_OK) fail_msg("gen-model: %s", e.msg);
}

static uint32_t u32_key(const lf_gguf *g, const char *key) {
    uint32_t v = 0;
    lfmrt_err e;
    if (lf_gguf_get_u32(g, key, &v, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    return v;
}

static void expect_tensor(const lf_gguf *g, const char *name, uint32_t type, int64_t ne0, int64_t ne1) {
    const lf_gguf_tensor *t;
    lfmrt_err e;
    const int64_t ne[2] = {ne0, ne1};
    if (lf_gguf_get_tensor(g, name, 1u << type, ne1 ? 2 : 1, ne, &t, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    assert_int_equal(t->n_dims, ne1 ? 2 : 1);
}

/* Checks a generated tiny model: keys, the exact tensor set, dtypes and shapes. */
static void check_tiny(const char *path, uint32_t wt, int ftype, const int32_t *kv_expect, bool tied) {
    lf_gguf *g;
    lfmrt_err e;
    if (lf_gguf_open(path, &g, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    lf_str s;
    assert_int_equal(lf_gguf_get_str(g, "general.architecture", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "lfm2"));
    assert_int_equal(lf_gguf_get_str(g, "general.name", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "lfmrt random LFM2-tiny (random weights)"));
    assert_int_equal(u32_key(g, "general.file_type"), (uint32_t)ftype);
    assert_int_equal(u32_key(g, "lfm2.block_count"), 6);
    assert_int_equal(u32_key(g, "lfm2.embedding_length"), 256);
    assert_int_equal(u32_key(g, "lfm2.feed_forward_length"), 512);
    assert_int_equal(u32_key(g, "lfm2.attention.head_count"), 4);
    assert_int_equal(u32_key(g, "lfm2.vocab_size"), 2048);
    assert_int_equal(u32_key(g, "lfm2.shortconv.l_cache"), 3);
    assert_true(u32_key(g, "lfm2.context_length") >= 2048);
    float f;
    assert_int_equal(lf_gguf_get_f32(g, "lfm2.attention.layer_norm_rms_epsilon", &f, &e), LFMRT_OK);
    assert_true(f == 1e-5f);
    assert_int_equal(lf_gguf_get_f32(g, "lfm2.rope.freq_base", &f, &e), LFMRT_OK);
    assert_true(f == 1e6f);
    const lf_gguf_kv *a;
    assert_int_equal(lf_gguf_get_arr(g, "lfm2.attention.head_count_kv", LF_GGUF_I32, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 6);
    for (int l = 0; l < 6; l++) {
        int64_t x;
        assert_true(lf_gguf_arr_int(a, (uint64_t)l, &x));
        assert_int_equal(x, kv_expect[l]);
    }
    /* the vocabulary matches token_embd's rows */
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.tokens", LF_GGUF_STRING, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 2048);
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.ggml.model", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "gpt2"));

    /* exact tensor set */
    size_t want = 2 + (tied ? 0 : 1);
    expect_tensor(g, "token_embd.weight", wt, 256, 2048);
    expect_tensor(g, "token_embd_norm.weight", LF_DT_F32, 256, 0);
    if (tied)
        assert_null(lf_gguf_find_tensor(g, "output.weight"));
    else
        expect_tensor(g, "output.weight", wt, 256, 2048);
    assert_null(lf_gguf_find_tensor(g, "output_norm.weight"));
    for (int l = 0; l < 6; l++) {
        char n[64];
#define T(suffix) (snprintf(n, sizeof n, "blk.%d." suffix ".weight", l), n)
        expect_tensor(g, T("attn_norm"), LF_DT_F32, 256, 0);
        expect_tensor(g, T("ffn_norm"), LF_DT_F32, 256, 0);
        expect_tensor(g, T("ffn_gate"), wt, 256, 512);
        expect_tensor(g, T("ffn_up"), wt, 256, 512);
        expect_tensor(g, T("ffn_down"), wt, 512, 256);
        want += 5;
        if (kv_expect[l]) {
            int64_t kvd = kv_expect[l] * 64;
            expect_tensor(g, T("attn_q"), wt, 256, 256);
            expect_tensor(g, T("attn_k"), wt, 256, kvd);
            expect_tensor(g, T("attn_v"), wt, 256, kvd);
            expect_tensor(g, T("attn_output"), wt, 256, 256);
            expect_tensor(g, T("attn_q_norm"), LF_DT_F32, 64, 0);
            expect_tensor(g, T("attn_k_norm"), LF_DT_F32, 64, 0);
            assert_null(lf_gguf_find_tensor(g, T("shortconv.conv")));
            want += 6;
        } else {
            expect_tensor(g, T("shortconv.in_proj"), wt, 256, 768);
            expect_tensor(g, T("shortconv.conv"), LF_DT_F32, 3, 256);
            expect_tensor(g, T("shortconv.out_proj"), wt, 256, 256);
            assert_null(lf_gguf_find_tensor(g, T("attn_q")));
            want += 3;
        }
#undef T
    }
    assert_int_equal(lf_gguf_n_tensors(g), want);
    lf_gguf_close(g);
}

static const int32_t k_tiny_kv[6] = {0, 2, 0, 0, 2, 0};

static void gen_and_check(uint32_t wt, int ftype) {
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.wtype = wt;
    p.seed = 7;
    char name[64];
    snprintf(name, sizeof name, "genmodel_tiny_%s.gguf", lf_dtype_name(wt));
    const char *path = tmp_file(name);
    gen(&p, path);
    check_tiny(path, wt, ftype, k_tiny_kv, true);

    /* the quantized values decode to the generator's values within the type's error */
    lf_gguf *g;
    lfmrt_err e;
    assert_int_equal(lf_gguf_open(path, &g, &e), LFMRT_OK);
    lf_kernels k;
    lf_kernels_init_ref(&k);
    const lf_gguf_tensor *t = lf_gguf_find_tensor(g, "blk.1.attn_q.weight");
    float got[256], ref[256];
    size_t row;
    assert_true(lf_dtype_row_size(wt, 256, &row));
    double maxerr = 0, sumsq = 0;
    for (int r = 0; r < 4; r++) {
        k.t[wt].to_f32((const uint8_t *)t->data + (size_t)r * row, got, 256);
        lf_genmodel_values(7, "blk.1.attn_q.weight", LF_GENINIT_NORMAL, 1.0f / 16.0f, (uint64_t)r * 256, ref, 256);
        for (int i = 0; i < 256; i++) {
            double d = fabs((double)got[i] - ref[i]);
            if (d > maxerr) maxerr = d;
            sumsq += (double)ref[i] * ref[i];
        }
    }
    double rms = sqrt(sumsq / 1024);
    assert_true(rms > 0.05 && rms < 0.075); /* std 1/sqrt(256) */
    double tol = wt == LF_DT_F32 ? 0 : wt == LF_DT_Q4_0 ? 0.2 * 3.5 / 16 : wt == LF_DT_Q8_0 ? 0.01 * 3.5 / 16 : 1e-3;
    if (maxerr > tol) fail_msg("%s: max dequantization error %g > %g", lf_dtype_name(wt), maxerr, tol);
    lf_gguf_close(g);
    unlink(path);
}

static void test_tiny_f32(void **s) {
    (void)s;
    gen_and_check(LF_DT_F32, 0);
}
static void test_tiny_f16(void **s) {
    (void)s;
    gen_and_check(LF_DT_F16, 1);
}
static void test_tiny_q8_0(void **s) {
    (void)s;
    gen_and_check(LF_DT_Q8_0, 7);
}
static void test_tiny_q4_0(void **s) {
    (void)s;
    gen_and_check(LF_DT_Q4_0, 2);
}

/* F32 weights have the statistics the generator promises. */
static void test_weight_stats(void **s) {
    (void)s;
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.seed = 3;
    const char *path = tmp_file("genmodel_stats.gguf");
    gen(&p, path);
    lf_gguf *g;
    lfmrt_err e;
    assert_int_equal(lf_gguf_open(path, &g, &e), LFMRT_OK);
    const lf_gguf_tensor *t = lf_gguf_find_tensor(g, "token_embd.weight");
    const float *x = t->data;
    double sum = 0, sq = 0;
    size_t n = 256 * 2048;
    for (size_t i = 0; i < n; i++) sum += x[i], sq += (double)x[i] * x[i];
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    assert_true(fabs(mean) < 0.01);
    assert_true(sd > 0.35 && sd < 0.40); /* 6 / sqrt(256) */
    t = lf_gguf_find_tensor(g, "blk.0.shortconv.conv.weight");
    x = t->data;
    float lo = 1, hi = -1;
    for (int i = 0; i < 3 * 256; i++) lo = x[i] < lo ? x[i] : lo, hi = x[i] > hi ? x[i] : hi;
    assert_true(lo >= -0.5f && hi <= 0.5f && lo < -0.4f && hi > 0.4f);
    t = lf_gguf_find_tensor(g, "blk.4.attn_k_norm.weight");
    x = t->data;
    for (int i = 0; i < 64; i++) assert_true(x[i] > 0.8f && x[i] < 1.2f);
    t = lf_gguf_find_tensor(g, "blk.2.ffn_down.weight");
    x = t->data;
    sq = 0;
    for (int i = 0; i < 512 * 256; i++) sq += (double)x[i] * x[i];
    sd = sqrt(sq / (512 * 256));
    assert_true(fabs(sd - 3 / sqrt(512.0)) < 0.004); /* residual-writing projection: 3 / sqrt(in) */
    lf_gguf_close(g);
    unlink(path);
}

static void test_determinism(void **s) {
    (void)s;
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.wtype = LF_DT_Q8_0;
    p.seed = 42;
    char a[4096], b[4096], c[4096];
    snprintf(a, sizeof a, "%s", tmp_file("genmodel_det_a.gguf"));
    snprintf(b, sizeof b, "%s", tmp_file("genmodel_det_b.gguf"));
    snprintf(c, sizeof c, "%s", tmp_file("genmodel_det_c.gguf"));
    gen(&p, a);
    gen(&p, b);
    p.seed = 43;
    gen(&p, c);
    size_t na, nb, nc;
    char *ba = lf_test_read_file(a, &na), *bb = lf_test_read_file(b, &nb), *bc = lf_test_read_file(c, &nc);
    assert_non_null(ba);
    assert_non_null(bb);
    assert_non_null(bc);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);
    /* a different seed changes the weights (and perhaps the vocabulary); compare token_embd bytes */
    lf_gguf *ga, *gc;
    lfmrt_err e;
    assert_int_equal(lf_gguf_parse((const uint8_t *)ba, na, &ga, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_parse((const uint8_t *)bc, nc, &gc, &e), LFMRT_OK);
    const char *names[] = {"token_embd.weight", "blk.0.shortconv.in_proj.weight", "blk.5.ffn_down.weight"};
    for (int i = 0; i < 3; i++) {
        const lf_gguf_tensor *ta = lf_gguf_find_tensor(ga, names[i]), *tc = lf_gguf_find_tensor(gc, names[i]);
        assert_int_equal(ta->nbytes, tc->nbytes);
        size_t same = 0;
        for (uint64_t k = 0; k < ta->nbytes; k++) same += ((const uint8_t *)ta->data)[k] == ((const uint8_t *)tc->data)[k];
        if (same > ta->nbytes / 4) fail_msg("%s: %zu of %llu bytes equal across seeds", names[i], same,
                                            (unsigned long long)ta->nbytes);
    }
    /* within one file, different tensors of the same shape differ (name-keyed streams) */
    const lf_gguf_tensor *g0 = lf_gguf_find_tensor(ga, "blk.0.ffn_gate.weight");
    const lf_gguf_tensor *u0 = lf_gguf_find_tensor(ga, "blk.0.ffn_up.weight");
    assert_int_equal(g0->nbytes, u0->nbytes);
    assert_true(memcmp(g0->data, u0->data, (size_t)g0->nbytes) != 0);
    lf_gguf_close(ga);
    lf_gguf_close(gc);
    free(ba);
    free(bb);
    free(bc);
    unlink(a);
    unlink(b);
    unlink(c);
}

static void test_untied_and_layers(void **s) {
    (void)s;
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.tied = 0;
    p.attn_layers = "0, 3,5";
    const char *path = tmp_file("genmodel_untied.gguf");
    gen(&p, path);
    const int32_t kv[6] = {2, 0, 0, 2, 0, 2};
    check_tiny(path, LF_DT_F32, 0, kv, false);
    lf_gguf *g;
    lfmrt_err e;
    assert_int_equal(lf_gguf_open(path, &g, &e), LFMRT_OK);
    const lf_gguf_tensor *o = lf_gguf_find_tensor(g, "output.weight"), *t = lf_gguf_find_tensor(g, "token_embd.weight");
    assert_true(memcmp(o->data, t->data, (size_t)t->nbytes) != 0);
    lf_gguf_close(g);
    unlink(path);
}

static void test_bad_params(void **s) {
    (void)s;
    lf_genmodel_params p;
    lfmrt_err e;
    const char *path = tmp_file("genmodel_bad.gguf");
    lf_genmodel_default_params(&p);
    p.preset = "lfm2-9b";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "unknown preset 'lfm2-9b' (known: tiny, lfm2-350m, lfm2-700m, lfm2-1.2b)");
    lf_genmodel_default_params(&p);
    p.arch = "mamba";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "architecture 'mamba' is not supported (lfm2, qwen3, gemma3, llama)");
    lf_genmodel_default_params(&p);
    p.arch = "qwen3";
    p.preset = "lfm2-350m"; /* presets belong to one architecture */
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "unknown preset 'lfm2-350m' (known: tiny, qwen3-0.6b, qwen3-1.7b)");
    lf_genmodel_default_params(&p);
    p.arch = "gemma3";
    p.attn_layers = "1";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "attn_layers applies to lfm2 only");
    lf_genmodel_default_params(&p);
    p.wtype = LF_DT_Q5_0;
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "weight type Q5_0 is not supported");
    lf_genmodel_default_params(&p);
    p.attn_layers = "1,6";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "layer 6 out of range (the model has 6 layers)");
    p.attn_layers = "1,1";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "layer 1 listed twice");
    p.attn_layers = "1;2";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "expected ','");
    p.attn_layers = "x";
    assert_int_equal(lf_genmodel_write(&p, path, NULL, NULL, &e), LFMRT_E_INVALID);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
    lf_genmodel_default_params(&p);
    assert_int_equal(lf_genmodel_write(&p, "/nonexistent-dir-lfmrt/m.gguf", NULL, NULL, &e), LFMRT_E_IO);
    HAS(e.msg, "cannot open for writing");
    /* layouts without writing */
    const lf_genmodel_preset *pr;
    int32_t kv[LF_GENMODEL_MAX_LAYERS];
    uint32_t nl;
    p.attn_layers = "none";
    assert_int_equal(lf_genmodel_layout(&p, &pr, kv, &nl, &e), LFMRT_OK);
    for (uint32_t l = 0; l < nl; l++) assert_int_equal(kv[l], 0);
}

/* Parameter counts implied by the presets equal the published model-card totals (MODEL-SPEC 1.1). */
static void test_presets(void **s) {
    (void)s;
    assert_int_equal(lf_genmodel_n_presets(), 11);
    assert_null(lf_genmodel_preset_at(11));
    assert_ptr_equal(lf_genmodel_find_preset("LFM2-350M"), lf_genmodel_preset_at(1));
    assert_ptr_equal(lf_genmodel_find_preset("tiny"), lf_genmodel_preset_at(0));
    assert_string_equal(lf_genmodel_find_preset_arch("gemma3", "TINY")->arch, "gemma3");
    assert_null(lf_genmodel_find_preset_arch("llama", "qwen3-0.6b"));
    const struct {
        const char *name;
        uint64_t params;
    } want[] = {{"lfm2-350m", 354483968ull}, {"lfm2-700m", 742489344ull}, {"lfm2-1.2b", 1170340608ull}};
    for (int i = 0; i < 3; i++) {
        lf_genmodel_params p;
        lf_genmodel_default_params(&p);
        p.preset = want[i].name;
        const lf_genmodel_preset *pr;
        int32_t kv[LF_GENMODEL_MAX_LAYERS];
        uint32_t nl;
        lfmrt_err e;
        assert_int_equal(lf_genmodel_layout(&p, &pr, kv, &nl, &e), LFMRT_OK);
        const int32_t expect_kv[16] = {0, 0, 8, 0, 0, 8, 0, 0, 8, 0, 8, 0, 8, 0, 8, 0};
        assert_int_equal(nl, 16);
        assert_memory_equal(kv, expect_kv, sizeof expect_kv);
        uint64_t H = pr->n_embd, F = pr->n_ff, hd = H / pr->n_head, total = (uint64_t)pr->n_vocab * H + H;
        for (uint32_t l = 0; l < nl; l++) {
            total += 2 * H + 3 * H * F;
            if (kv[l])
                total += 2 * H * H + 2 * H * (uint64_t)kv[l] * hd + 2 * hd;
            else
                total += 3 * H * H + pr->l_cache * H + H * H;
        }
        if (total != want[i].params) fail_msg("%s: %llu parameters, want %llu", want[i].name,
                                              (unsigned long long)total, (unsigned long long)want[i].params);
        assert_int_equal(pr->n_vocab, 65536);
        assert_int_equal(pr->n_ctx, 128000);
    }
}

/* Dense presets (MODEL-SPEC 2.1, 3.1): Gemma3 totals equal the published counts exactly; Qwen3's
 * model cards give 0.6B / 0.44B non-embedding and 1.7B / 1.4B (rounded as the cards round). */
static uint64_t dense_params(const lf_genmodel_preset *pr, uint64_t *non_emb) {
    const uint64_t H = pr->n_embd, F = pr->n_ff, hd = lf_genmodel_head_dim(pr), QW = pr->n_head * hd,
                   KW = pr->n_head_kv * hd;
    const bool qk = strcmp(pr->arch, "llama") != 0, post = strcmp(pr->arch, "gemma3") == 0;
    uint64_t layer = 2 * H + 2 * H * QW + 2 * H * KW + 3 * H * F + (qk ? 2 * hd : 0) + (post ? 2 * H : 0);
    *non_emb = layer * pr->n_layer + H;
    return *non_emb + (uint64_t)pr->n_vocab * H;
}

static void test_dense_presets(void **s) {
    (void)s;
    uint64_t ne;
    const lf_genmodel_preset *g270 = lf_genmodel_find_preset_arch("gemma3", "gemma3-270m");
    const lf_genmodel_preset *g1b = lf_genmodel_find_preset_arch("gemma3", "gemma3-1b");
    const lf_genmodel_preset *q06 = lf_genmodel_find_preset_arch("qwen3", "qwen3-0.6b");
    const lf_genmodel_preset *q17 = lf_genmodel_find_preset_arch("qwen3", "qwen3-1.7b");
    assert_non_null(g270);
    assert_non_null(g1b);
    assert_non_null(q06);
    assert_non_null(q17);
    assert_int_equal(dense_params(g270, &ne), 268098176ull);
    assert_int_equal(dense_params(g1b, &ne), 999885952ull);
    assert_int_equal(g270->n_vocab, 262144);
    assert_int_equal(g270->n_swa, 512);
    assert_int_equal(lf_genmodel_head_dim(g270), 256);
    uint64_t t = dense_params(q06, &ne);
    assert_int_equal((ne + 5000000) / 10000000, 44); /* 0.44B */
    assert_int_equal((t + 50000000) / 100000000, 6);  /* 0.6B */
    t = dense_params(q17, &ne);
    assert_int_equal((ne + 50000000) / 100000000, 14); /* 1.4B */
    assert_int_equal((t + 50000000) / 100000000, 17);  /* 1.7B */
    assert_int_equal(q06->n_vocab, 151936);
    assert_int_equal(lf_genmodel_head_dim(q06), 128);
}

/* Tiny dense models: keys, tokenizer model, the exact tensor set with shapes (Q wider than H for qwen3). */
static void check_dense(const char *arch, uint32_t wt) {
    lf_genmodel_params p;
    lf_genmodel_default_params(&p);
    p.arch = arch;
    p.wtype = wt;
    const char *path = tmp_file("genmodel_dense.gguf");
    gen(&p, path);
    const lf_genmodel_preset *pr = lf_genmodel_find_preset_arch(arch, "tiny");
    lf_gguf *g;
    lfmrt_err e;
    if (lf_gguf_open(path, &g, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    lf_str s;
    char k[128];
    assert_int_equal(lf_gguf_get_str(g, "general.architecture", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, arch));
    const int64_t H = pr->n_embd, F = pr->n_ff, hd = lf_genmodel_head_dim(pr), QW = pr->n_head * hd,
                  KW = pr->n_head_kv * hd;
    snprintf(k, sizeof k, "%s.attention.key_length", arch);
    assert_int_equal(u32_key(g, k), (uint32_t)hd);
    snprintf(k, sizeof k, "%s.attention.head_count_kv", arch);
    assert_int_equal(u32_key(g, k), pr->n_head_kv);
    snprintf(k, sizeof k, "%s.attention.sliding_window", arch);
    if (pr->n_swa) assert_int_equal(u32_key(g, k), pr->n_swa);
    else assert_null(lf_gguf_find_kv(g, k));
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.ggml.model", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, strcmp(arch, "qwen3") == 0 ? "gpt2" : "llama"));
    const bool qk = strcmp(arch, "llama") != 0, post = strcmp(arch, "gemma3") == 0;
    size_t want = 2;
    expect_tensor(g, "token_embd.weight", wt, H, pr->n_vocab);
    expect_tensor(g, "output_norm.weight", LF_DT_F32, H, 0);
    assert_null(lf_gguf_find_tensor(g, "token_embd_norm.weight"));
    for (uint32_t l = 0; l < pr->n_layer; l++) {
        char n[64];
#define T(suffix) (snprintf(n, sizeof n, "blk.%u." suffix ".weight", l), n)
        expect_tensor(g, T("attn_norm"), LF_DT_F32, H, 0);
        expect_tensor(g, T("attn_q"), wt, H, QW);
        expect_tensor(g, T("attn_k"), wt, H, KW);
        expect_tensor(g, T("attn_v"), wt, H, KW);
        expect_tensor(g, T("attn_output"), wt, QW, H);
        expect_tensor(g, T("ffn_norm"), LF_DT_F32, H, 0);
        expect_tensor(g, T("ffn_gate"), wt, H, F);
        expect_tensor(g, T("ffn_up"), wt, H, F);
        expect_tensor(g, T("ffn_down"), wt, F, H);
        want += 9;
        if (qk) {
            expect_tensor(g, T("attn_q_norm"), LF_DT_F32, hd, 0);
            expect_tensor(g, T("attn_k_norm"), LF_DT_F32, hd, 0);
            want += 2;
        } else {
            assert_null(lf_gguf_find_tensor(g, T("attn_q_norm")));
        }
        if (post) {
            expect_tensor(g, T("post_attention_norm"), LF_DT_F32, H, 0);
            expect_tensor(g, T("post_ffw_norm"), LF_DT_F32, H, 0);
            want += 2;
        }
#undef T
    }
    assert_int_equal(lf_gguf_n_tensors(g), want);
    lf_gguf_close(g);
    unlink(path);
}

static void test_dense_tiny(void **s) {
    (void)s;
    assert_true(lf_genmodel_head_dim(lf_genmodel_find_preset_arch("qwen3", "tiny")) * 4 > 256); /* Q wider than H */
    check_dense("qwen3", LF_DT_F32);
    check_dense("qwen3", LF_DT_Q4_0);
    check_dense("gemma3", LF_DT_F16);
    check_dense("gemma3", LF_DT_Q8_0);
    check_dense("llama", LF_DT_F32);
    check_dense("llama", LF_DT_BF16);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_f32),     cmocka_unit_test(test_tiny_f16),
        cmocka_unit_test(test_tiny_q8_0),    cmocka_unit_test(test_tiny_q4_0),
        cmocka_unit_test(test_weight_stats), cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_untied_and_layers), cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_presets),      cmocka_unit_test(test_dense_presets),
        cmocka_unit_test(test_dense_tiny),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
