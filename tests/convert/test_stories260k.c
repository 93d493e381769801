/* tests/convert/test_stories260k.c - real-data goldens for the llama2.c import: karpathy's trained
 * stories260K (data/models/stories260K) converted to GGUF and run through the public API must
 *   1. generate expected_greedy_256.txt character for character: 256 greedy (argmax) steps from BOS,
 *      text = token pieces with the first piece's leading space dropped (as data/tools/greedy.js, which
 *      produced the golden from an independent fp32 forward pass, decodes);
 *   2. tokenize golden_ppl.json's sentence to its 35 ids (BOS + SentencePiece, as data/tools/ppl.js and
 *      llama.cpp both give) and score it within the golden's tolerance (NLL 54.404121, ppl 4.953633).
 *   3. exported as llama2.c version 1 (rebuilt here from the legacy file), convert to exactly the same
 *      tensors; exported as version 2 (int8 groups of 64, quantized here as export.py's quantize_q80),
 *      convert to tensors within half a quantization step of the originals and still score the
 *      sentence close to the golden.
 * Skips loudly (exit 77) without the data. F32 KV cache: the goldens come from fp32 arithmetic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/llama2c.h"
#include "format/gguf.h"
#include "lfmrt/lfmrt.h"
#include "testutil.h"

static char g_dir[2048], g_gguf[4096];
static lfmrt_model *g_model;

static const char *data_file(const char *name) {
    static char buf[4096];
    int k = snprintf(buf, sizeof buf, "%s/models/stories260K/%s", g_dir, name);
    if (k < 0 || (size_t)k >= sizeof buf) buf[0] = 0; /* a path that long cannot be opened anyway */
    return buf;
}

static int setup(void **st) {
    char model[4096], tok[4096];
    snprintf(model, sizeof model, "%s", data_file("stories260K.bin"));
    snprintf(tok, sizeof tok, "%s", data_file("tok512.bin"));
    snprintf(g_gguf, sizeof g_gguf, "%s/l2c_%d_stories260K.gguf", lf_test_tmp_dir(), (int)getpid());
    lfmrt_err e;
    if (lf_llama2c_convert(model, tok, g_gguf, &e) != LFMRT_OK) {
        fprintf(stderr, "convert: %s\n", e.msg);
        return -1;
    }
    lfmrt_model_params mp = lfmrt_model_default_params();
    mp.n_threads = 1;
    if (lfmrt_model_open(g_gguf, &mp, &g_model, &e) != LFMRT_OK) {
        fprintf(stderr, "open %s: %s\n", g_gguf, e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **st) {
    lfmrt_model_close(g_model);
    unlink(g_gguf);
    return 0;
}

static lfmrt_session *new_session(void) {
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 512;
    sp.kv_type = LFMRT_KV_F32;
    lfmrt_session *s;
    lfmrt_err e;
    if (lfmrt_session_create(g_model, &sp, &s, &e) != LFMRT_OK) fail_msg("session: %s", e.msg);
    return s;
}

static void test_info(void **st) {
    lfmrt_model_info in;
    lfmrt_model_get_info(g_model, &in);
    assert_string_equal(in.arch, "llama");
    assert_string_equal(in.name, "stories260K");
    assert_int_equal(in.n_layers, 5);
    assert_int_equal(in.n_embd, 64);
    assert_int_equal(in.n_ff, 172);
    assert_int_equal(in.n_head, 8);
    assert_int_equal(in.n_head_kv, 4);
    assert_int_equal(in.head_dim, 8);
    assert_int_equal(in.n_vocab, 512);
    assert_int_equal(in.n_ctx_train, 512);
    assert_int_equal(in.n_params, 260032); /* tied: no output.weight */
    assert_int_equal(lfmrt_token_bos(g_model), 1);
    assert_int_equal(lfmrt_token_eos(g_model), 2);
    assert_true(lfmrt_vocab_add_bos(g_model));
}

static int argmax(const float *x, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

static void test_greedy_256(void **st) {
    size_t want_len;
    char *want = lf_test_read_file(data_file("expected_greedy_256.txt"), &want_len);
    assert_non_null(want);
    if (want_len && want[want_len - 1] == '\n') want[--want_len] = 0; /* greedy.js prints with console.log */
    const int V = lfmrt_vocab_size(g_model);
    float *logits = malloc((size_t)V * sizeof *logits);
    char *text = calloc(1, 8192);
    assert_non_null(logits);
    assert_non_null(text);
    lfmrt_session *s = new_session();
    lfmrt_err e;
    int32_t tok = 1; /* BOS */
    size_t n = 0;
    int steps = 0;
    for (int pos = 0; pos < 256; pos++) {
        if (lfmrt_session_decode(s, tok, logits, &e) != LFMRT_OK) fail_msg("decode at %d: %s", pos, e.msg);
        int32_t next = argmax(logits, V);
        if (next == 1) break; /* greedy.js stops at BOS */
        char piece[64];
        int k = lfmrt_token_to_piece(g_model, next, false, piece, sizeof piece);
        assert_in_range(k, 0, (int)sizeof piece - 1);
        const char *p = piece;
        if (tok == 1 && k > 0 && piece[0] == ' ') p++, k--; /* SentencePiece: no space after BOS */
        assert_true(n + (size_t)k < 8192);
        memcpy(text + n, p, (size_t)k);
        n += (size_t)k;
        tok = next;
        steps++;
    }
    assert_int_equal(steps, 256);
    if (n != want_len || memcmp(text, want, n) != 0) {
        size_t i = 0;
        while (i < n && i < want_len && text[i] == want[i]) i++;
        fail_msg("greedy text differs at char %zu of %zu (got %zu chars):\n--- got:\n%s\n--- want:\n%s", i, want_len,
                 n, text, want);
    }
    lfmrt_session_destroy(s);
    free(text);
    free(logits);
    free(want);
}

/* the number after "key": in a flat JSON object */
static double json_num(const char *js, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(js, pat);
    if (!p) fail_msg("golden_ppl.json lacks %s", key);
    return strtod(p + strlen(pat), NULL);
}

static const char *const k_sentence = "One day, a clever fox found a shiny key under the old oak tree.";
/* BOS + SentencePiece ids of k_sentence: what data/tools/ppl.js encodes and llama.cpp tokenizes */
static const int32_t k_sentence_ids[35] = {1,   385, 328, 432, 261, 280, 305, 330, 272, 414, 444, 272,
                                           277, 264, 261, 262, 415, 271, 422, 410, 354, 422, 318, 264,
                                           285, 265, 334, 341, 334, 412, 433, 259, 276, 411, 426};

/* NLL of ids[0..n) (teacher forcing) on model m, F32 KV */
static double sentence_nll(lfmrt_model *m, const int32_t *ids, size_t n) {
    lfmrt_session_params sp = lfmrt_session_default_params();
    sp.n_ctx = 512;
    sp.kv_type = LFMRT_KV_F32;
    lfmrt_session *s;
    lfmrt_err e;
    if (lfmrt_session_create(m, &sp, &s, &e) != LFMRT_OK) fail_msg("session: %s", e.msg);
    const int V = lfmrt_vocab_size(m);
    float *all = malloc(n * (size_t)V * sizeof *all);
    assert_non_null(all);
    if (lfmrt_session_prefill(s, ids, (int)n, NULL, all, &e) != LFMRT_OK) fail_msg("prefill: %s", e.msg);
    double nll = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const float *lg = all + i * (size_t)V;
        double mx = lg[0], z = 0;
        for (int j = 1; j < V; j++) mx = lg[j] > mx ? lg[j] : mx;
        for (int j = 0; j < V; j++) z += exp(lg[j] - mx);
        nll -= lg[ids[i + 1]] - mx - log(z);
    }
    free(all);
    lfmrt_session_destroy(s);
    return nll;
}

static void test_perplexity(void **st) {
    char *js = lf_test_read_file(data_file("golden_ppl.json"), NULL);
    assert_non_null(js);
    const char *sent = k_sentence;
    assert_non_null(strstr(js, sent)); /* the golden's sentence is the one scored here */
    const int n_want = (int)json_num(js, "n_tokens");
    const double nll_want = json_num(js, "nll"), ppl_want = json_num(js, "perplexity"),
                 tol = json_num(js, "tolerance");
    assert_int_equal(n_want, 35);
    assert_true(tol > 0 && tol <= 0.01);

    const int32_t *ids_want = k_sentence_ids;
    int32_t ids[64];
    size_t n = 0;
    lfmrt_err e;
    ids[0] = lfmrt_token_bos(g_model);
    if (lfmrt_tokenize(g_model, sent, strlen(sent), false, ids + 1, 63, &n, &e) != LFMRT_OK)
        fail_msg("tokenize: %s", e.msg);
    n += 1;
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        if (ids[i] != ids_want[i]) fail_msg("token %zu: %d, want %d", i, ids[i], ids_want[i]);

    const int V = lfmrt_vocab_size(g_model);
    float *all = malloc(n * (size_t)V * sizeof *all);
    assert_non_null(all);
    lfmrt_session *s = new_session();
    if (lfmrt_session_prefill(s, ids, (int)n, NULL, all, &e) != LFMRT_OK) fail_msg("prefill: %s", e.msg);
    const double nll = sentence_nll(g_model, ids, n);
    double ppl = exp(nll / (double)(n - 1));
    fprintf(stderr, "stories260K: nll %.6f (golden %.6f), ppl %.6f (golden %.6f), tolerance %g\n", nll, nll_want, ppl,
            ppl_want, tol);
    if (fabs(nll - nll_want) > tol || fabs(ppl - ppl_want) > tol)
        fail_msg("nll %.6f / ppl %.6f outside golden %.6f / %.6f +- %g", nll, ppl, nll_want, ppl_want, tol);

    /* token by token gives the same distribution as the batch (same state machinery, KV f32) */
    lfmrt_session_reset(s);
    float *one = malloc((size_t)V * sizeof *one);
    assert_non_null(one);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        if (lfmrt_session_decode(s, ids[i], one, &e) != LFMRT_OK) fail_msg("decode: %s", e.msg);
        for (int j = 0; j < V; j++) worst = fmax(worst, fabs((double)one[j] - all[i * (size_t)V + j]));
    }
    if (worst > 1e-3) fail_msg("token-by-token logits differ from the batch by %g", worst);
    lfmrt_session_destroy(s);
    free(one);
    free(all);
    free(js);
}


/* ---- the same model as llama2.c version 1 and version 2 exports --------------------------------- */

typedef struct arr { size_t off, n, layers; bool mat; } arr; /* legacy float offset, per-layer size */

/* Rebuilds the legacy checkpoint as export.py's version 1 or 2 would write it (header, norms first,
 * matrices after; version 2: per matrix int8 values = round-half-even(w / (max|group| / 127)) and the
 * group scales). Returns malloc'd bytes. */
static uint8_t *reexport(const uint8_t *leg, const lf_llama2c_config *c, int version, int gs, size_t *size) {
    const size_t D = (size_t)c->dim, F = (size_t)c->hidden_dim, L = (size_t)c->n_layers,
                 V = (size_t)c->vocab_size, KV = (size_t)c->kv_dim;
    const float *w = (const float *)(leg + 28);
    const size_t emb = 0, att = emb + V * D, wq = att + L * D, wk = wq + L * D * D, wv = wk + L * KV * D,
                 wo = wv + L * KV * D, ffn = wo + L * D * D, w1 = ffn + L * D, w2 = w1 + L * F * D,
                 w3 = w2 + L * D * F, fin = w3 + L * F * D;
    const arr order[11] = {{att, D, L, false},    {ffn, D, L, false},    {fin, D, 1, false},
                           {emb, V * D, 1, true}, {wq, D * D, L, true},  {wk, KV * D, L, true},
                           {wv, KV * D, L, true}, {wo, D * D, L, true},  {w1, F * D, L, true},
                           {w2, D * F, L, true},  {w3, F * D, L, true}};
    uint8_t *b = calloc(1, 256 + 4 * (fin + D) + 1024);
    assert_non_null(b);
    const int32_t h[9] = {(int32_t)LF_LLAMA2C_MAGIC, version, c->dim, c->hidden_dim, c->n_layers,
                          c->n_heads, c->n_kv_heads, c->vocab_size, c->seq_len};
    memcpy(b, h, sizeof h);
    b[36] = 1; /* shared classifier */
    if (version == 2) memcpy(b + 37, &gs, 4);
    size_t o = 256;
    for (int a = 0; a < 11; a++)
        for (size_t l = 0; l < order[a].layers; l++) {
            const float *x = w + order[a].off + l * order[a].n;
            const size_t n = order[a].n;
            if (version == 1 || !order[a].mat) {
                memcpy(b + o, x, 4 * n);
                o += 4 * n;
                continue;
            }
            float *scales = malloc(n / (size_t)gs * sizeof *scales);
            assert_non_null(scales);
            for (size_t g = 0; g < n / (size_t)gs; g++) {
                float mx = 0;
                for (size_t i = g * (size_t)gs; i < (g + 1) * (size_t)gs; i++) mx = fmaxf(mx, fabsf(x[i]));
                scales[g] = mx / 127.0f;
                for (size_t i = g * (size_t)gs; i < (g + 1) * (size_t)gs; i++)
                    b[o + i] = (uint8_t)(int8_t)(scales[g] > 0 ? rintf(x[i] / scales[g]) : 0);
            }
            o += n;
            memcpy(b + o, scales, 4 * (n / (size_t)gs));
            o += 4 * (n / (size_t)gs);
            free(scales);
        }
    *size = o;
    return b;
}

static char *write_tmp(const char *name, const uint8_t *p, size_t n) {
    char *path = malloc(4096);
    assert_non_null(path);
    snprintf(path, 4096, "%s/l2c_%d_%s", lf_test_tmp_dir(), (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void test_versions(void **st) {
    size_t n;
    uint8_t *leg = (uint8_t *)lf_test_read_file(data_file("stories260K.bin"), &n);
    assert_non_null(leg);
    lf_llama2c_config c;
    lfmrt_err e;
    if (lf_llama2c_parse_config(leg, n, &c, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    char tok[4096];
    snprintf(tok, sizeof tok, "%s", data_file("tok512.bin"));
    lf_gguf *g0;
    if (lf_gguf_open(g_gguf, &g0, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    for (int version = 1; version <= 2; version++) {
        size_t vn;
        uint8_t *img = reexport(leg, &c, version, 64, &vn);
        char *bin = write_tmp(version == 1 ? "v1.bin" : "v2.bin", img, vn);
        char *out = write_tmp(version == 1 ? "v1.gguf" : "v2.gguf", (const uint8_t *)"", 0);
        if (lf_llama2c_convert(bin, tok, out, &e) != LFMRT_OK) fail_msg("version %d: %s", version, e.msg);
        lf_gguf *g;
        if (lf_gguf_open(out, &g, &e) != LFMRT_OK) fail_msg("%s", e.msg);
        assert_int_equal(lf_gguf_n_tensors(g), lf_gguf_n_tensors(g0));
        double worst_excess = 0;
        for (size_t i = 0; i < lf_gguf_n_tensors(g0); i++) {
            const lf_gguf_tensor *a = lf_gguf_tensor_at(g0, i);
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)a->name.n, a->name.p);
            const lf_gguf_tensor *t = lf_gguf_find_tensor(g, name);
            if (!t) fail_msg("version %d: tensor %s missing", version, name);
            assert_int_equal(t->nbytes, a->nbytes);
            if (version == 1 || a->n_dims == 1) {
                if (memcmp(t->data, a->data, a->nbytes) != 0) fail_msg("version %d: %s differs", version, name);
                continue;
            }
            /* dequantized: within half a step (max|group|/127/2) of the original */
            const float *x = a->data, *y = t->data;
            const size_t ne = a->nbytes / 4;
            for (size_t g0i = 0; g0i < ne; g0i += 64) {
                float mx = 0;
                for (size_t k = g0i; k < g0i + 64; k++) mx = fmaxf(mx, fabsf(x[k]));
                const double half = mx / 127.0 / 2 * (1 + 1e-5) + 1e-12;
                for (size_t k = g0i; k < g0i + 64; k++) worst_excess = fmax(worst_excess, fabs(y[k] - x[k]) - half);
            }
        }
        if (worst_excess > 0) fail_msg("version 2: a value is %g beyond half a quantization step", worst_excess);
        lf_gguf_close(g);
        if (version == 2) { /* the int8 model still tells the story: the sentence scores near the golden */
            lfmrt_model *m;
            lfmrt_model_params mp = lfmrt_model_default_params();
            mp.n_threads = 1;
            if (lfmrt_model_open(out, &mp, &m, &e) != LFMRT_OK) fail_msg("%s", e.msg);
            const double nll = sentence_nll(m, k_sentence_ids, 35), nll0 = sentence_nll(g_model, k_sentence_ids, 35);
            fprintf(stderr, "stories260K as llama2.c version 2 (int8, groups of 64): nll %.4f (fp32 %.4f)\n", nll,
                    nll0);
            if (fabs(nll - nll0) > 0.5) fail_msg("int8 nll %.4f too far from fp32 %.4f", nll, nll0);
            lfmrt_model_close(m);
        }
        unlink(bin);
        unlink(out);
        free(bin);
        free(out);
        free(img);
    }
    lf_gguf_close(g0);
    free(leg);
}

int main(void) {
    const char *d = lf_test_data_dir("stories260K goldens");
    if (!d) return LF_TEST_SKIP;
    snprintf(g_dir, sizeof g_dir, "%s", d);
    if (access(data_file("stories260K.bin"), R_OK) != 0 || access(data_file("tok512.bin"), R_OK) != 0 ||
        access(data_file("expected_greedy_256.txt"), R_OK) != 0 || access(data_file("golden_ppl.json"), R_OK) != 0) {
        fprintf(stderr, "SKIP: stories260K goldens: %s/models/stories260K is incomplete\n", d);
        return LF_TEST_SKIP;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_greedy_256),
        cmocka_unit_test(test_perplexity),
        cmocka_unit_test(test_versions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
