/* tests/models/test_genvocab_spm.c - the synthetic SentencePiece vocabularies of gen-model: exact size,
 * special ids of each layout, the 256 byte tokens in order, distinct texts, piece scores strictly
 * decreasing, every multi-character piece reachable (a shorter token plus one character), determinism,
 * the GGUF keys, and size errors. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/gguf.h"
#include "models/genvocab_spm.h"
#include "tokenizer/vocab.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static size_t last_char_start(const char *s) {
    size_t n = strlen(s), i = n - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80) i--;
    return i;
}

static void check_vocab(lf_genspm_layout layout, size_t n, int32_t first_byte) {
    lf_genspm v;
    lfmrt_err e = {0};
    assert_int_equal(lf_genspm_build(n, layout, &v, &e), LFMRT_OK);
    assert_int_equal(v.n_tokens, n);
    for (int b = 0; b < 256; b++) {
        char want[8];
        snprintf(want, sizeof want, "<0x%02X>", b);
        assert_string_equal(v.tokens[first_byte + b], want);
        assert_int_equal(v.types[first_byte + b], LF_TOKT_BYTE);
    }
    assert_int_equal(v.types[v.unk], LF_TOKT_UNKNOWN);
    assert_int_equal(v.types[v.bos], LF_TOKT_CONTROL);
    assert_int_equal(v.types[v.eos], LF_TOKT_CONTROL);
    /* distinct */
    const char **sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, v.tokens, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(sorted[i - 1], sorted[i])) fail_msg("duplicate token '%s'", sorted[i]);
    /* pieces: NORMAL, scores strictly decreasing, reachable by one SPM merge */
    const size_t p0 = (size_t)first_byte + 256;
    for (size_t i = p0; i < n; i++) {
        assert_int_equal(v.types[i], LF_TOKT_NORMAL);
        if (i > p0) assert_true(v.scores[i] < v.scores[i - 1]);
        const size_t cut = last_char_start(v.tokens[i]);
        if (cut == 0) continue;
        char left[64];
        assert_true(cut < sizeof left);
        memcpy(left, v.tokens[i], cut);
        left[cut] = '\0';
        const char *right = v.tokens[i] + cut;
        const char **hl = bsearch(&(const char *){left}, sorted, n, sizeof *sorted, cmp_str);
        const char **hr = bsearch(&right, sorted, n, sizeof *sorted, cmp_str);
        if (!hl || !hr) fail_msg("piece '%s' is not a token plus a character", v.tokens[i]);
    }
    free(sorted);
    /* deterministic */
    lf_genspm w;
    assert_int_equal(lf_genspm_build(n, layout, &w, &e), LFMRT_OK);
    for (size_t i = 0; i < n; i++) assert_string_equal(v.tokens[i], w.tokens[i]);
    lf_genspm_free(&w);
    lf_genspm_free(&v);
    assert_null(v.tokens);
}

static void test_gemma_layout(void **s) {
    (void)s;
    lf_genspm v;
    lfmrt_err e = {0};
    assert_int_equal(lf_genspm_build(4096, LF_GENSPM_GEMMA, &v, &e), LFMRT_OK);
    assert_string_equal(v.tokens[0], "<pad>");
    assert_string_equal(v.tokens[1], "<eos>");
    assert_string_equal(v.tokens[2], "<bos>");
    assert_string_equal(v.tokens[3], "<unk>");
    assert_string_equal(v.tokens[105], "<start_of_turn>");
    assert_string_equal(v.tokens[106], "<end_of_turn>");
    assert_true(v.bos == 2 && v.eos == 1 && v.unk == 3 && v.pad == 0);
    lf_genspm_free(&v);
    check_vocab(LF_GENSPM_GEMMA, 4096, 107);
}

static void test_llama_layout(void **s) {
    (void)s;
    lf_genspm v;
    lfmrt_err e = {0};
    assert_int_equal(lf_genspm_build(1024, LF_GENSPM_LLAMA, &v, &e), LFMRT_OK);
    assert_string_equal(v.tokens[0], "<unk>");
    assert_string_equal(v.tokens[1], "<s>");
    assert_string_equal(v.tokens[2], "</s>");
    assert_true(v.bos == 1 && v.eos == 2 && v.unk == 0 && v.pad == -1);
    lf_genspm_free(&v);
    check_vocab(LF_GENSPM_LLAMA, 1024, 3);
    check_vocab(LF_GENSPM_LLAMA, 20000, 3);
}

static void test_keys_and_errors(void **s) {
    (void)s;
    lf_genspm v;
    lfmrt_err e = {0};
    assert_int_equal(lf_genspm_build(1000, LF_GENSPM_LLAMA, &v, &e), LFMRT_E_INVALID);
    assert_non_null(strstr(e.msg, "n_tokens 1000 outside 1024..1048576"));
    assert_int_equal(lf_genspm_build(4096, (lf_genspm_layout)7, &v, &e), LFMRT_E_INVALID);
    assert_int_equal(lf_genspm_build(2048, LF_GENSPM_GEMMA, &v, &e), LFMRT_OK);
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_non_null(w);
    assert_int_equal(lf_genspm_write(&v, w, &e), LFMRT_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/models_spm_vocab.gguf", lf_test_tmp_dir());
    assert_int_equal(lf_gguf_writer_write(w, path, NULL, NULL, NULL, NULL, &e), LFMRT_OK);
    lf_gguf_writer_destroy(w);
    lf_gguf *g;
    assert_int_equal(lf_gguf_open(path, &g, &e), LFMRT_OK);
    lf_str str;
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.ggml.model", &str, &e), LFMRT_OK);
    assert_true(lf_str_eq(str, "llama"));
    const lf_gguf_kv *a;
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.scores", LF_GGUF_F32, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 2048);
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.tokens", LF_GGUF_STRING, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 2048);
    const lf_gguf_kv *sp = lf_gguf_find_kv(g, "tokenizer.ggml.add_space_prefix");
    assert_non_null(sp);
    assert_int_equal(sp->type, LF_GGUF_BOOL);
    assert_int_equal(sp->v.u, 0);
    lf_gguf_close(g);
    unlink(path);
    lf_genspm_free(&v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemma_layout),
        cmocka_unit_test(test_llama_layout),
        cmocka_unit_test(test_keys_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
