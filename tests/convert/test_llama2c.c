/* tests/convert/test_llama2c.c - the llama2.c converter on small synthetic checkpoints: every GGUF
 * tensor holds exactly the bytes of its llama2.c array (each checkpoint float is its own index, so any
 * offset or shape mistake shows), the llama.* keys and the SPM vocabulary (escaped spaces, renamed
 * specials, token types), shared and separate classifiers, the same model exported as llama2.c
 * version 1 (fp32, other order) and version 2 (int8 groups, dequantized), and clear errors for
 * truncated, padded, inconsistent or mismatched inputs, missing files and unwritable outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/llama2c.h"
#include "format/dtype.h"
#include "format/gguf.h"
#include "testutil.h"

#define HAS(msg, sub)                                                                                          \
    do {                                                                                                       \
        if (!strstr((msg), (sub))) fail_msg("message '%s' lacks '%s'", (msg), (sub));                          \
    } while (0)

/* the synthetic shape: head size 2, kv_dim 4 */
enum { DIM = 8, HID = 12, NL = 2, NH = 4, NKV = 2, VOC = 10, SEQ = 6, KVD = 4, HS = 2 };

static char g_path[3][4096];

static const char *tmp_file(int slot, const char *name) {
    snprintf(g_path[slot], sizeof g_path[slot], "%s/l2c_%d_%s", lf_test_tmp_dir(), (int)getpid(), name);
    return g_path[slot];
}

static void write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static size_t n_floats(bool shared) {
    size_t n = VOC * DIM + NL * DIM + NL * DIM * DIM + 2 * NL * KVD * DIM + NL * DIM * DIM + NL * DIM +
               3 * NL * HID * DIM + DIM + SEQ * HS;
    return shared ? n : n + VOC * DIM;
}

/* A checkpoint whose k-th float is k; header fields overridable. *size gets the byte count. */
static uint8_t *make_model(const int32_t *hdr_override, bool shared, long extra_bytes, size_t *size) {
    int32_t h[7] = {DIM, HID, NL, NH, NKV, shared ? VOC : -VOC, SEQ};
    if (hdr_override) memcpy(h, hdr_override, sizeof h);
    size_t nf = n_floats(shared);
    size_t n = (size_t)((long)(28 + 4 * nf) + extra_bytes);
    uint8_t *b = calloc(1, n + 8);
    assert_non_null(b);
    memcpy(b, h, sizeof h);
    for (size_t k = 0; k < nf && 28 + 4 * k + 4 <= n; k++) {
        float v = (float)k;
        memcpy(b + 28 + 4 * k, &v, 4);
    }
    *size = n;
    return b;
}

/* Version 2 images (make_model_v) store the matrix element at legacy index k as int8 q8_of(k) with
 * group g's scale q8_scale(g); g_q8_gs != 0 makes expect_tensor expect those dequantized values. */
static int g_q8_gs;
static int8_t q8_of(size_t k) { return (int8_t)((int)(k % 200) - 100); }
static float q8_scale(size_t g) { return 0.125f * (float)(1 + g % 7); }

/* The same model as make_model(NULL, shared, 0, ...) exported as version 1 (fp32) or 2 (int8 groups of
 * gs): the legacy arrays regrouped (norms first, no freq_cis), each matrix quantized per layer. */
static uint8_t *make_model_v(int version, bool shared, int gs, size_t *size) {
    size_t lsize;
    uint8_t *leg = make_model(NULL, shared, 0, &lsize);
    const uint8_t *lf = leg + 28;
    /* legacy offsets (floats) */
    const size_t emb = 0, rms_att = emb + VOC * DIM, wq = rms_att + NL * DIM, wk = wq + NL * DIM * DIM,
                 wv = wk + NL * KVD * DIM, wo = wv + NL * KVD * DIM, rms_ffn = wo + NL * DIM * DIM,
                 w1 = rms_ffn + NL * DIM, w2 = w1 + NL * HID * DIM, w3 = w2 + NL * DIM * HID,
                 rms_f = w3 + NL * HID * DIM, wcls = rms_f + DIM + SEQ * HS;
    uint8_t *b = calloc(1, 256 + lsize * 2);
    assert_non_null(b);
    const uint32_t magic = 0x616b3432u;
    const int32_t h[9] = {(int32_t)magic, version, DIM, HID, NL, NH, NKV, VOC, SEQ};
    memcpy(b, h, sizeof h);
    b[36] = shared ? 1 : 0;
    if (version == 2) memcpy(b + 37, &gs, 4);
    size_t o = 256;
#define F32(off, n) (memcpy(b + o, lf + 4 * (off), 4 * (size_t)(n)), o += 4 * (size_t)(n))
    F32(rms_att, NL * DIM);
    F32(rms_ffn, NL * DIM);
    F32(rms_f, DIM);
    /* matrices: {legacy offset, elements per layer, layers} */
    const size_t mats[9][3] = {{emb, VOC * DIM, 1},     {wq, DIM * DIM, NL}, {wk, KVD * DIM, NL},
                               {wv, KVD * DIM, NL},     {wo, DIM * DIM, NL}, {w1, HID * DIM, NL},
                               {w2, DIM * HID, NL},     {w3, HID * DIM, NL}, {wcls, VOC * DIM, 1}};
    for (int m = 0; m < (shared ? 8 : 9); m++)
        for (size_t l = 0; l < mats[m][2]; l++) {
            const size_t off = mats[m][0] + l * mats[m][1], n = mats[m][1];
            if (version == 1) {
                F32(off, n);
                continue;
            }
            for (size_t i = 0; i < n; i++) b[o++] = (uint8_t)q8_of(off + i);
            for (size_t g = 0; g < n / (size_t)gs; g++) {
                float sc = q8_scale(g);
                memcpy(b + o, &sc, 4);
                o += 4;
            }
        }
#undef F32
    free(leg);
    *size = o;
    return b;
}

static const char *const k_pieces[VOC] = {"<unk>", "\n<s>\n", "\n</s>\n", "<0x00>", "<0x0A>",
                                          " a",    "b c",     "",         "xyz",    " "};
static const float k_scores[VOC] = {0, 0, 0, 0, 0, -1.5f, -2, 0, -3, -4};

/* A tokenizer with n entries (the first min(n, VOC) of k_pieces, then "zz"); bad_len_at >= 0 writes
 * length bad_len there. */
static uint8_t *make_tok(int n, int bad_len_at, int32_t bad_len, size_t *size) {
    uint8_t *b = calloc(1, 4 + (size_t)n * 16);
    assert_non_null(b);
    uint32_t max_len = 6;
    memcpy(b, &max_len, 4);
    size_t o = 4;
    for (int i = 0; i < n; i++) {
        const char *p = i < VOC ? k_pieces[i] : "zz";
        float s = i < VOC ? k_scores[i] : 0;
        int32_t len = (int32_t)strlen(p);
        memcpy(b + o, &s, 4);
        memcpy(b + o + 4, i == bad_len_at ? &bad_len : &len, 4);
        memcpy(b + o + 8, p, (size_t)len);
        o += 8 + (size_t)len;
    }
    *size = o;
    return b;
}

static int convert_bytes(const uint8_t *m, size_t mn, const uint8_t *t, size_t tn, const char *out,
                         lfmrt_err *e) {
    const char *mp = tmp_file(0, "model.bin"), *tp = tmp_file(1, "tok.bin");
    write_bytes(mp, m, mn);
    write_bytes(tp, t, tn);
    int rc = lf_llama2c_convert(mp, tp, out, e);
    unlink(mp);
    unlink(tp);
    return rc;
}

static uint32_t u32_key(const lf_gguf *g, const char *key) {
    uint32_t v = 0;
    lfmrt_err e;
    if (lf_gguf_get_u32(g, key, &v, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    return v;
}

/* tensor name must be F32 {ne0, ne1} and hold floats off, off+1, ... (legacy indices), or their
 * int8-group versions for 2-D tensors of a version 2 image */
static void expect_tensor(const lf_gguf *g, const char *name, int64_t ne0, int64_t ne1, size_t off) {
    const lf_gguf_tensor *t;
    lfmrt_err e;
    const int64_t ne[2] = {ne0, ne1};
    if (lf_gguf_get_tensor(g, name, 1u << LF_DT_F32, ne1 ? 2 : 1, ne, &t, &e) != LFMRT_OK)
        fail_msg("%s", e.msg);
    size_t n = (size_t)(ne0 * (ne1 ? ne1 : 1));
    const float *d = t->data;
    for (size_t i = 0; i < n; i++) {
        float want = g_q8_gs && ne1 ? (float)q8_of(off + i) * q8_scale(i / (size_t)g_q8_gs) : (float)(off + i);
        if (d[i] != want) fail_msg("%s[%zu] = %g, want %g", name, i, d[i], want);
    }
}

static void check_file(const char *path, bool shared) {
    lf_gguf *g;
    lfmrt_err e;
    if (lf_gguf_open(path, &g, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    lf_str s;
    assert_int_equal(lf_gguf_get_str(g, "general.architecture", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "llama"));
    assert_int_equal(lf_gguf_get_str(g, "general.name", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "l2c_model")); /* the file name minus ".bin" */
    assert_int_equal(u32_key(g, "llama.context_length"), SEQ);
    assert_int_equal(u32_key(g, "llama.embedding_length"), DIM);
    assert_int_equal(u32_key(g, "llama.block_count"), NL);
    assert_int_equal(u32_key(g, "llama.feed_forward_length"), HID);
    assert_int_equal(u32_key(g, "llama.attention.head_count"), NH);
    assert_int_equal(u32_key(g, "llama.attention.head_count_kv"), NKV);
    assert_int_equal(u32_key(g, "llama.rope.dimension_count"), HS);
    assert_int_equal(u32_key(g, "llama.vocab_size"), VOC);
    assert_int_equal(u32_key(g, "tokenizer.ggml.bos_token_id"), 1);
    assert_int_equal(u32_key(g, "tokenizer.ggml.eos_token_id"), 2);
    assert_int_equal(u32_key(g, "tokenizer.ggml.unknown_token_id"), 0);
    float f;
    assert_int_equal(lf_gguf_get_f32(g, "llama.attention.layer_norm_rms_epsilon", &f, &e), LFMRT_OK);
    assert_true(f == 1e-5f);
    assert_int_equal(lf_gguf_get_f32(g, "llama.rope.freq_base", &f, &e), LFMRT_OK);
    assert_true(f == 10000.0f);
    bool bv;
    assert_int_equal(lf_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &bv, &e), LFMRT_OK);
    assert_true(bv);
    assert_int_equal(lf_gguf_get_bool(g, "tokenizer.ggml.add_eos_token", &bv, &e), LFMRT_OK);
    assert_false(bv);
    assert_int_equal(lf_gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &bv, &e), LFMRT_OK);
    assert_true(bv);
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.ggml.model", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "llama"));

    /* vocabulary */
    static const char *const want_text[VOC] = {"<unk>", "<s>", "</s>", "<0x00>", "<0x0A>", "\xE2\x96\x81" "a",
                                               "b\xE2\x96\x81" "c", "", "xyz", "\xE2\x96\x81"};
    static const int want_type[VOC] = {2, 3, 3, 6, 6, 1, 1, 3, 1, 1};
    const lf_gguf_kv *kv;
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.tokens", LF_GGUF_STRING, &kv, &e), LFMRT_OK);
    assert_int_equal(kv->v.arr.n, VOC);
    lf_gguf_str_iter it;
    lf_gguf_str_iter_init(&it, kv);
    for (int i = 0; i < VOC; i++) {
        assert_true(lf_gguf_str_iter_next(&it, &s));
        if (!lf_str_eq(s, want_text[i])) fail_msg("token %d is '%.*s', want '%s'", i, (int)s.n, s.p, want_text[i]);
    }
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.token_type", LF_GGUF_I64, &kv, &e), LFMRT_OK);
    for (int i = 0; i < VOC; i++) {
        int64_t v;
        assert_true(lf_gguf_arr_int(kv, (uint64_t)i, &v));
        if (v != want_type[i]) fail_msg("token %d type %lld, want %d", i, (long long)v, want_type[i]);
    }
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.scores", LF_GGUF_F32, &kv, &e), LFMRT_OK);
    for (int i = 0; i < VOC; i++) {
        double v;
        assert_true(lf_gguf_arr_float(kv, (uint64_t)i, &v));
        assert_true((float)v == k_scores[i]);
    }

    /* tensors: offsets follow run.c's memory_map_weights */
    size_t o = 0, emb = o;
    o += VOC * DIM;
    size_t rms_att = o; o += NL * DIM;
    size_t wq = o; o += NL * DIM * DIM;
    size_t wk = o; o += NL * KVD * DIM;
    size_t wv = o; o += NL * KVD * DIM;
    size_t wo = o; o += NL * DIM * DIM;
    size_t rms_ffn = o; o += NL * DIM;
    size_t w1 = o; o += NL * HID * DIM;
    size_t w2 = o; o += NL * DIM * HID;
    size_t w3 = o; o += NL * HID * DIM;
    size_t rms_f = o; o += DIM;
    o += SEQ * HS;
    size_t wcls = o;
    expect_tensor(g, "token_embd.weight", DIM, VOC, emb);
    char nm[64];
    for (int l = 0; l < NL; l++) {
#define X(sfx, a, b, off)                                                                                    \
    snprintf(nm, sizeof nm, "blk.%d.%s.weight", l, sfx);                                                     \
    expect_tensor(g, nm, a, b, off)
        X("attn_norm", DIM, 0, rms_att + (size_t)l * DIM);
        X("attn_q", DIM, DIM, wq + (size_t)l * DIM * DIM);
        X("attn_k", DIM, KVD, wk + (size_t)l * KVD * DIM);
        X("attn_v", DIM, KVD, wv + (size_t)l * KVD * DIM);
        X("attn_output", DIM, DIM, wo + (size_t)l * DIM * DIM);
        X("ffn_norm", DIM, 0, rms_ffn + (size_t)l * DIM);
        X("ffn_gate", DIM, HID, w1 + (size_t)l * HID * DIM);
        X("ffn_down", HID, DIM, w2 + (size_t)l * DIM * HID);
        X("ffn_up", DIM, HID, w3 + (size_t)l * HID * DIM);
#undef X
    }
    expect_tensor(g, "output_norm.weight", DIM, 0, rms_f);
    if (shared) {
        assert_null(lf_gguf_find_tensor(g, "output.weight"));
        assert_int_equal(lf_gguf_n_tensors(g), 2 + 9 * NL);
    } else {
        expect_tensor(g, "output.weight", DIM, VOC, wcls);
        assert_int_equal(lf_gguf_n_tensors(g), 3 + 9 * NL);
    }
    lf_gguf_close(g);
}

static void convert_named(bool shared, int version) {
    size_t mn, tn;
    uint8_t *m = version ? make_model_v(version, shared, 16, &mn) : make_model(NULL, shared, 0, &mn);
    uint8_t *t = make_tok(VOC, -1, 0, &tn);
    /* the model file is named l2c_model.bin so general.name is predictable */
    char mp[4096], tp[4096];
    snprintf(mp, sizeof mp, "%s/l2c_model.bin", lf_test_tmp_dir());
    snprintf(tp, sizeof tp, "%s", tmp_file(1, "tok.bin"));
    write_bytes(mp, m, mn);
    write_bytes(tp, t, tn);
    const char *out = tmp_file(2, shared ? "shared.gguf" : "unshared.gguf");
    lfmrt_err e;
    if (lf_llama2c_convert(mp, tp, out, &e) != LFMRT_OK) fail_msg("convert: %s", e.msg);
    g_q8_gs = version == 2 ? 16 : 0;
    check_file(out, shared);
    g_q8_gs = 0;
    unlink(mp);
    unlink(tp);
    unlink(out);
    free(m);
    free(t);
}

static void test_shared(void **st) { convert_named(true, 0); }
static void test_unshared(void **st) { convert_named(false, 0); }
static void test_version1(void **st) {
    convert_named(true, 1);
    convert_named(false, 1);
}
static void test_version2(void **st) {
    convert_named(true, 2);
    convert_named(false, 2);
}

/* version 1/2 header errors */
static void test_bad_versioned(void **st) {
    size_t mn, tn;
    uint8_t *t = make_tok(VOC, -1, 0, &tn);
    lfmrt_err e;
    const char *out = tmp_file(2, "bad.gguf");
    uint8_t *m = make_model_v(2, true, 16, &mn);
    assert_int_equal(convert_bytes(m, mn - 1, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "version 2");
    HAS(e.msg, "truncated file");
    int32_t bad_gs = 24; /* does not divide kv_dim x dim = 32 */
    memcpy(m + 37, &bad_gs, 4);
    assert_int_equal(convert_bytes(m, mn, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "group_size 24");
    bad_gs = 0;
    memcpy(m + 37, &bad_gs, 4);
    assert_int_equal(convert_bytes(m, mn, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "group_size 0");
    free(m);
    m = make_model_v(1, true, 0, &mn);
    m[36] = 2;
    assert_int_equal(convert_bytes(m, mn, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "shared_classifier flag");
    m[36] = 0; /* says unshared: no wcls in the file, so it is short */
    assert_int_equal(convert_bytes(m, mn, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "truncated file");
    m[36] = 1;
    int32_t ver = 3;
    memcpy(m + 4, &ver, 4);
    assert_int_equal(convert_bytes(m, mn, t, tn, out, &e), LFMRT_E_UNSUPPORTED);
    HAS(e.msg, "version 3");
    assert_int_equal(convert_bytes(m, 100, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "256-byte header");
    free(m);
    free(t);
}

/* model file errors: each must fail with E_FORMAT, a message with `want`, and leave no output */
static void expect_model_error(const int32_t *hdr, bool shared, long extra, const char *want) {
    size_t mn, tn;
    uint8_t *m = make_model(hdr, shared, extra, &mn), *t = make_tok(VOC, -1, 0, &tn);
    const char *out = tmp_file(2, "bad.gguf");
    unlink(out);
    lfmrt_err e = {0};
    assert_int_equal(convert_bytes(m, mn, t, tn, out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, want);
    HAS(e.msg, "model.bin");
    assert_int_not_equal(access(out, F_OK), 0);
    free(m);
    free(t);
}

static void test_bad_model(void **st) {
    expect_model_error(NULL, true, -4, "truncated file");
    expect_model_error(NULL, true, -(long)(4 * n_floats(true)), "truncated file");
    expect_model_error(NULL, true, 4, "trailing bytes");
    /* an unshared header on a file that has no wcls: short by exactly vocab x dim floats */
    expect_model_error((const int32_t[7]){DIM, HID, NL, NH, NKV, -VOC, SEQ}, true, 0, "truncated file");
    expect_model_error((const int32_t[7]){DIM, HID, NL, 3, 3, VOC, SEQ}, true, 0, "multiple of n_heads");
    expect_model_error((const int32_t[7]){DIM, HID, NL, NH, 3, VOC, SEQ}, true, 0, "multiple of n_kv_heads");
    expect_model_error((const int32_t[7]){DIM, HID, NL, 8, 8, VOC, SEQ}, true, 0, "odd");
    expect_model_error((const int32_t[7]){0, HID, NL, NH, NKV, VOC, SEQ}, true, 0, "dim = 0");
    expect_model_error((const int32_t[7]){DIM, HID, -2, NH, NKV, VOC, SEQ}, true, 0, "n_layers = -2");
    expect_model_error((const int32_t[7]){DIM, HID, NL, NH, NKV, 2, SEQ}, true, 0, "vocab_size 2 < 3");
    /* a text file is not a checkpoint */
    const char *txt = "Once upon a time there was a checkpoint that was not one.";
    size_t tn;
    uint8_t *t = make_tok(VOC, -1, 0, &tn);
    lfmrt_err e;
    assert_int_equal(convert_bytes((const uint8_t *)txt, strlen(txt), t, tn, tmp_file(2, "bad.gguf"), &e),
                     LFMRT_E_FORMAT);
    HAS(e.msg, "out of range");
    assert_int_equal(convert_bytes((const uint8_t *)txt, 10, t, tn, tmp_file(2, "bad.gguf"), &e), LFMRT_E_FORMAT);
    HAS(e.msg, "shorter than the 28-byte header");
    free(t);
}

static void expect_tok_error(int n, int bad_at, int32_t bad_len, long cut, const char *want) {
    size_t mn, tn;
    uint8_t *m = make_model(NULL, true, 0, &mn), *t = make_tok(n, bad_at, bad_len, &tn);
    const char *out = tmp_file(2, "bad.gguf");
    unlink(out);
    lfmrt_err e = {0};
    assert_int_equal(convert_bytes(m, mn, t, (size_t)((long)tn + cut), out, &e), LFMRT_E_FORMAT);
    HAS(e.msg, want);
    HAS(e.msg, "tok.bin");
    assert_int_not_equal(access(out, F_OK), 0);
    free(m);
    free(t);
}

static void test_bad_tokenizer(void **st) {
    expect_tok_error(VOC - 1, -1, 0, 0, "truncated at entry 9 of 10");
    expect_tok_error(VOC + 1, -1, 0, 0, "trailing bytes after 10 entries");
    expect_tok_error(VOC, -1, 0, -1, "entry 9");        /* last piece cut short */
    expect_tok_error(VOC, 5, -1, 0, "entry 5");         /* negative length */
    expect_tok_error(VOC, 5, 7, 0, "max_token_length 6"); /* longer than the header's maximum */
    expect_tok_error(VOC, 5, 1000, 0, "length 1000");
    expect_tok_error(0, -1, 0, -2, "shorter than the 4-byte header");
}

static void test_io_errors(void **st) {
    lfmrt_err e;
    assert_int_equal(lf_llama2c_convert(NULL, "t", "o", &e), LFMRT_E_INVALID);
    assert_int_equal(lf_llama2c_convert("m", "t", NULL, NULL), LFMRT_E_INVALID);
    assert_int_equal(lf_llama2c_convert("/nonexistent/l2c/model.bin", "/nonexistent/tok.bin",
                                        tmp_file(2, "x.gguf"), &e), LFMRT_E_IO);
    HAS(e.msg, "/nonexistent/l2c/model.bin");
    /* good model, missing tokenizer */
    size_t mn, tn;
    uint8_t *m = make_model(NULL, true, 0, &mn), *t = make_tok(VOC, -1, 0, &tn);
    const char *mp = tmp_file(0, "model.bin");
    write_bytes(mp, m, mn);
    assert_int_equal(lf_llama2c_convert(mp, "/nonexistent/tok.bin", tmp_file(2, "x.gguf"), &e), LFMRT_E_IO);
    HAS(e.msg, "/nonexistent/tok.bin");
    unlink(mp);
    /* the output must not overwrite an input (it is mapped while the output is written) */
    const char *tp = tmp_file(1, "tok.bin");
    write_bytes(mp, m, mn);
    write_bytes(tp, t, tn);
    assert_int_equal(lf_llama2c_convert(mp, tp, mp, &e), LFMRT_E_INVALID);
    HAS(e.msg, "is one of the input files");
    assert_int_equal(lf_llama2c_convert(mp, tp, tp, &e), LFMRT_E_INVALID);
    size_t back = 0;
    char *again = lf_test_read_file(mp, &back);
    assert_non_null(again);
    assert_int_equal(back, mn); /* untouched */
    free(again);
    unlink(mp);
    unlink(tp);
    /* unwritable output */
    assert_int_equal(convert_bytes(m, mn, t, tn, "/nonexistent/dir/out.gguf", &e), LFMRT_E_IO);
    HAS(e.msg, "/nonexistent/dir/out.gguf");
    free(m);
    free(t);
}

/* the byte-level parsers directly (no files) */
static void test_parsers(void **st) {
    size_t mn, tn;
    uint8_t *m = make_model(NULL, false, 0, &mn);
    lf_llama2c_config c;
    lfmrt_err e;
    assert_int_equal(lf_llama2c_parse_config(m, mn, &c, &e), LFMRT_OK);
    assert_false(c.shared);
    assert_int_equal(c.vocab_size, VOC);
    assert_int_equal(c.head_size, HS);
    assert_int_equal(c.kv_dim, KVD);
    assert_int_equal(c.version, 0);
    assert_int_equal(c.header_bytes, 28);
    assert_int_equal(c.data_bytes, 4 * n_floats(false));
    int32_t bad = INT32_MIN;
    memcpy(m + 20, &bad, 4);
    assert_int_equal(lf_llama2c_parse_config(m, mn, &c, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "vocab_size");
    assert_int_equal(lf_llama2c_parse_config(NULL, 0, &c, &e), LFMRT_E_FORMAT);
    free(m);

    uint8_t *t = make_tok(VOC, -1, 0, &tn);
    lf_llama2c_vocab v;
    assert_int_equal(lf_llama2c_parse_vocab(t, tn, VOC, &v, &e), LFMRT_OK);
    assert_int_equal(v.n, VOC);
    assert_int_equal(v.max_len, 6);
    assert_int_equal(v.len[7], 0);
    assert_memory_equal(v.piece[6], "b c", 3);
    assert_true(v.score[5] == -1.5f);
    lf_llama2c_vocab_free(&v);
    lf_llama2c_vocab_free(&v); /* idempotent */
    float nan = NAN;
    memcpy(t + 4, &nan, 4);
    assert_int_equal(lf_llama2c_parse_vocab(t, tn, VOC, &v, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "non-finite score");
    assert_int_equal(lf_llama2c_parse_vocab(t, tn, 0, &v, &e), LFMRT_E_INVALID);
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared),        cmocka_unit_test(test_unshared),  cmocka_unit_test(test_version1),
        cmocka_unit_test(test_version2),      cmocka_unit_test(test_bad_versioned), cmocka_unit_test(test_bad_model),
        cmocka_unit_test(test_bad_tokenizer), cmocka_unit_test(test_io_errors), cmocka_unit_test(test_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
