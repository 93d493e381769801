/* tests/convert/test_stories260k.c - real-data goldens for the llama2.c import: karpathy's trained
 * stories260K (data/models/stories260K) converted to GGUF and run through the public API must
 *   1. generate expected_greedy_256.txt character for character: 256 greedy (argmax) steps from BOS,
 *      text = token pieces with the first piece's leading space dropped (as data/tools/greedy.js, which
 *      produced the golden from an independent fp32 forward pass, decodes);
 *   2. tokenize golden_ppl.json's sentence to its 35 ids (BOS + SentencePiece, as data/tools/ppl.js and
 *      llama.cpp both give) and score it within the golden's tolerance (NLL 54.404121, ppl 4.953633).
 * Skips loudly (exit 77) without the data. F32 KV cache: the goldens come from fp32 arithmetic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/llama2c.h"
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

static void test_perplexity(void **st) {
    char *js = lf_test_read_file(data_file("golden_ppl.json"), NULL);
    assert_non_null(js);
    const char *sent = "One day, a clever fox found a shiny key under the old oak tree.";
    assert_non_null(strstr(js, sent)); /* the golden's sentence is the one scored here */
    const int n_want = (int)json_num(js, "n_tokens");
    const double nll_want = json_num(js, "nll"), ppl_want = json_num(js, "perplexity"),
                 tol = json_num(js, "tolerance");
    assert_int_equal(n_want, 35);
    assert_true(tol > 0 && tol <= 0.01);

    /* BOS + SentencePiece ids: what data/tools/ppl.js encodes and llama.cpp tokenizes */
    static const int32_t ids_want[35] = {1,   385, 328, 432, 261, 280, 305, 330, 272, 414, 444, 272,
                                         277, 264, 261, 262, 415, 271, 422, 410, 354, 422, 318, 264,
                                         285, 265, 334, 341, 334, 412, 433, 259, 276, 411, 426};
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
    double nll = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const float *lg = all + i * (size_t)V;
        double mx = lg[0], z = 0;
        for (int j = 1; j < V; j++) mx = lg[j] > mx ? lg[j] : mx;
        for (int j = 0; j < V; j++) z += exp(lg[j] - mx);
        nll -= lg[ids[i + 1]] - mx - log(z);
    }
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
