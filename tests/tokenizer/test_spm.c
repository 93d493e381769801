/* tests/tokenizer/test_spm.c - SentencePiece vocabularies (tokenizer.ggml.model = llama):
 *  - llama.cpp's own Llama 2 SPM vocabulary file (vectors/llamacpp/ggml-vocab-llama-spm.gguf) must give
 *    exactly the ids of its .inp/.out vectors (llama.cpp's test-tokenizer-0: no BOS, no special parsing);
 *  - special ids, defaults, byte fallback, space prefix after special tokens, detokenization with
 *    llama.cpp's leading-space rule, and a small hand-made vocabulary that pins the merge order
 *    (highest score first, leftmost on ties). Skips loudly without the data (the hand-made cases still
 *    run in test_spm_unit below). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/gguf.h"
#include "testutil.h"
#include "tokenizer/vocab_impl.h"

static lf_vocab *g_v;
static lf_gguf *g_g;
static const char *g_dir;

static int setup(void **state) {
    (void)state;
    g_dir = lf_test_data_dir("llama.cpp SPM vocabulary");
    if (!g_dir) return 0;
    char p[1024];
    snprintf(p, sizeof p, "%s/vectors/llamacpp/ggml-vocab-llama-spm.gguf", g_dir);
    lfmrt_err e = {0};
    if (lf_gguf_open(p, &g_g, &e) != LFMRT_OK || lf_vocab_load(g_g, &g_v, &e) != LFMRT_OK) {
        fprintf(stderr, "load: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    lf_vocab_destroy(g_v);
    lf_gguf_close(g_g);
    return 0;
}

static size_t tok(const lf_vocab *v, const char *s, bool special, int32_t *ids, size_t cap) {
    size_t n = 0;
    assert_int_equal(lf_vocab_tokenize(v, s, strlen(s), special, ids, cap, &n, NULL), LFMRT_OK);
    return n;
}

/* Runs one llama.cpp .inp/.out pair through v; returns the number of identical lines, *total the count. */
static size_t run_vectors(const lf_vocab *v, const char *name, bool parse_special, size_t *total_out) {
    char p[1024];
    snprintf(p, sizeof p, "%s/vectors/llamacpp/%s.inp", g_dir, name);
    char *inp = lf_test_read_file(p, NULL);
    snprintf(p, sizeof p, "%s/vectors/llamacpp/%s.out", g_dir, name);
    char *out = lf_test_read_file(p, NULL);
    assert_non_null(inp);
    assert_non_null(out);
    const char *sep = "\n__ggml_vocab_test__\n";
    char *s = inp, *o = out;
    size_t total = 0, pass = 0;
    static int32_t got[8192], want[8192];
    while (*s) {
        char *end = strstr(s, sep);
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (!end && len && s[len - 1] == '\n') len--; /* last text without a separator */
        char *nl = strchr(o, '\n');
        assert_non_null(nl);
        *nl = 0;
        size_t nw = 0, ng;
        for (char *q = o, *e2;; q = e2) {
            long x = strtol(q, &e2, 10);
            if (e2 == q) break;
            want[nw++] = (int32_t)x;
        }
        o = nl + 1;
        assert_int_equal(lf_vocab_tokenize(v, s, len, parse_special, got, 8192, &ng, NULL), LFMRT_OK);
        total++;
        if (ng == nw && !memcmp(got, want, ng * sizeof *got)) pass++;
        else fprintf(stderr, "%s vector %zu differs (%zu vs %zu ids): \"%.40s\"\n", name, total - 1, ng, nw, s);
        if (!end) break;
        s = end + strlen(sep);
    }
    free(inp);
    free(out);
    *total_out = total;
    return pass;
}

static void test_llama_spm_vectors(void **state) {
    (void)state;
    if (!g_v) skip();
    size_t total, pass = run_vectors(g_v, "ggml-vocab-llama-spm.gguf", false, &total);
    fprintf(stderr, "llama-spm llama.cpp vectors: %zu/%zu identical\n", pass, total);
    assert_true(total >= 30);
    assert_int_equal(pass, total);
}

static void test_llama_spm_layout(void **state) {
    (void)state;
    if (!g_v) skip();
    assert_true(lf_vocab_is_spm(g_v));
    assert_true(lf_vocab_add_bos(g_v));
    assert_true(lf_vocab_add_space_prefix(g_v));
    assert_int_equal(lf_vocab_n_tokens(g_v), 32000);
    assert_int_equal(lf_vocab_bos(g_v), 1);
    assert_int_equal(lf_vocab_eos(g_v), 2);
    assert_true(lf_vocab_is_eog(g_v, 2));
    assert_false(lf_vocab_is_eog(g_v, 1));
    assert_int_equal(lf_vocab_token_type(g_v, 0), LF_TOKT_UNKNOWN);
    assert_int_equal(lf_vocab_token_type(g_v, 3), LF_TOKT_BYTE);
}

static void test_llama_spm_specials(void **state) {
    (void)state;
    if (!g_v) skip();
    int32_t ids[64];
    /* " Hello" after a special token gets the space prefix again: <s>Hello -> <s> ▁Hello */
    size_t n = tok(g_v, "Hello", false, ids, 64);
    assert_int_equal(n, 1);
    int32_t hello = ids[0];
    n = tok(g_v, "<s>Hello</s>Hello", true, ids, 64);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], hello);
    assert_int_equal(ids[2], 2);
    assert_int_equal(ids[3], hello);
    /* without parse_special the text is ordinary text (and is not the control token) */
    n = tok(g_v, "<s>", false, ids, 64);
    assert_true(n > 1);
    for (size_t i = 0; i < n; i++) assert_int_not_equal(ids[i], 1);
    /* a character outside the vocabulary falls back to its UTF-8 bytes <0xXX> (id = byte + 3) */
    n = tok(g_v, "\xf0\x9f\xa6\x99", false, ids, 64); /* U+1F999 */
    assert_int_equal(ids[n - 4], 0xF0 + 3);
    assert_int_equal(ids[n - 3], 0x9F + 3);
    assert_int_equal(ids[n - 2], 0xA6 + 3);
    assert_int_equal(ids[n - 1], 0x99 + 3);
    /* llama.cpp's symbol split takes a symbol's length from its lead byte alone: a stray lead byte 0xDB
     * swallows the first byte of the next escaped space, so all of it falls back to bytes */
    n = tok(g_v, "\xdb ", false, ids, 64);
    assert_int_equal(n, 5);
    const int32_t quirk[] = {29871, 0xDB + 3, 0xE2 + 3, 0x96 + 3, 0x81 + 3};
    assert_memory_equal(ids, quirk, sizeof quirk);
    /* empty text: nothing (no lone space prefix) */
    assert_int_equal(tok(g_v, "", false, ids, 64), 0);
    /* too small a buffer: LFMRT_E_RANGE with the needed count */
    size_t need = 0;
    assert_int_equal(lf_vocab_tokenize(g_v, "Hello world again", 17, false, ids, 1, &need, NULL), LFMRT_E_RANGE);
    assert_true(need >= 3);
}

static void test_llama_spm_detok(void **state) {
    (void)state;
    if (!g_v) skip();
    int32_t ids[256];
    char buf[512];
    const char *texts[] = {"Hello world", " Hello  world\n\ttabs", "3333 ½ months", "\xf0\x9f\xa6\x99 crab", "a"};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        size_t n = tok(g_v, texts[k], false, ids, 256);
        int len = lf_vocab_detokenize(g_v, ids, n, false, false, buf, sizeof buf);
        assert_int_equal(len, (int)strlen(texts[k]));
        assert_memory_equal(buf, texts[k], (size_t)len);
    }
    /* BOS + text: without remove_special the BOS takes the strip (it gives no text), so the space stays;
     * with remove_special the BOS is dropped and - llama.cpp's rule - the space is kept too */
    ids[0] = 1;
    size_t n = tok(g_v, "Hi", false, ids + 1, 255) + 1;
    int len = lf_vocab_detokenize(g_v, ids, n, false, false, buf, sizeof buf);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, " Hi", 3);
    len = lf_vocab_detokenize(g_v, ids, n, true, false, buf, sizeof buf);
    assert_int_equal(len, 3);
    len = lf_vocab_detokenize(g_v, ids, n, false, true, buf, sizeof buf);
    assert_int_equal(len, 6);
    assert_memory_equal(buf, "<s> Hi", 6);
    /* measuring with a small buffer */
    assert_int_equal(lf_vocab_detokenize(g_v, ids + 1, n - 1, false, false, NULL, 0), 2);
    int32_t bad = 99999;
    assert_int_equal(lf_vocab_detokenize(g_v, &bad, 1, false, false, buf, sizeof buf), -1);
    /* token bytes: NORMAL tokens give U+2581 as ' ', byte tokens their byte */
    assert_int_equal(lf_vocab_token_bytes(g_v, 0x41 + 3, false, buf, sizeof buf), 1);
    assert_int_equal(buf[0], 'A');
}

/* Random byte strings (valid UTF-8, stray continuation bytes, NULs, spaces, special-token text) tokenized without
 * parse_special come back byte for byte (specials rendered): byte fallback makes SPM lossless, and the
 * detokenizer strips exactly the one space the prefix added (a literal U+2581 comes back as ' '). */
static void test_llama_spm_random_round_trip(void **state) {
    (void)state;
    if (!g_v) skip();
    static const char *const atoms[] = {"a", "e", "the", " ", "  ", "\n", "\t", "<s>", "</s>", "<unk>", "\xc3\xa9",
                                        "\xe2\x96\x81", "\xf0\x9f\xa6\x99", "\x80", "\xbf", "1", "!", "<0x41>"};
    uint64_t rng = 12345;
    static char text[256], back[4096];
    static int32_t ids[1024];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, k = lf_test_rand(&rng) % 12;
        for (size_t i = 0; i < k; i++) {
            if (lf_test_rand(&rng) % 5 == 0) {
                /* any byte below 0xC0, NUL and stray continuation bytes included. (A lead byte takes the
                 * bytes after it into its symbol whatever they are - llama.cpp's unicode_len_utf8 - so
                 * a bad lead byte before a space turns the escaped U+2581 into byte tokens.) */
                text[len++] = (char)(lf_test_rand(&rng) % 0xC0);
                continue;
            }
            const char *a = atoms[lf_test_rand(&rng) % (sizeof atoms / sizeof atoms[0])];
            memcpy(text + len, a, strlen(a));
            len += strlen(a);
        }
        size_t n;
        assert_int_equal(lf_vocab_tokenize(g_v, text, len, false, ids, 1024, &n, NULL), LFMRT_OK);
        /* unparse_special: plain text such as "<unk>" can merge into that very token (llama.cpp does the
         * same: any token text is a merge candidate), which only gives its text back when rendered */
        int nb = lf_vocab_detokenize(g_v, ids, n, false, true, back, sizeof back);
        /* a literal U+2581 is the escape of ' ' and comes back as ' ' (as in llama.cpp) */
        static char want[256];
        size_t nw = 0;
        for (size_t i = 0; i < len; i++) {
            if (i + 2 < len && !memcmp(text + i, "\xe2\x96\x81", 3)) {
                want[nw++] = ' ';
                i += 2;
            } else {
                want[nw++] = text[i];
            }
        }
        if (nb != (int)nw || memcmp(back, want, nw) != 0) {
            for (size_t i = 0; i < len; i++) fprintf(stderr, "%02x ", (uint8_t)text[i]);
            fprintf(stderr, "\n");
            for (size_t i = 0; i < n; i++) fprintf(stderr, "%d ", ids[i]);
            fprintf(stderr, "\n");
            for (int i = 0; i < nb; i++) fprintf(stderr, "%02x ", (uint8_t)back[i]);
            fprintf(stderr, "\n");
            fail_msg("round trip %d: %zu bytes -> %d bytes", iter, len, nb);
        }
    }
}

/* A hand-made vocabulary: merges by score, leftmost on ties, byte fallback, unknown bytes. */
static void test_handmade(void **state) {
    (void)state;
    const char *texts[] = {"<unk>", "<s>", "</s>", "<0x61>", "<0x62>", "<0xE2>", "<0x96>", "<0x81>",
                           "a", "b", "\xe2\x96\x81", "ab", "ba", "aba", "\xe2\x96\x81\x61", "<ctl>"}; /* U+2581 a */
    const int32_t types[] = {2, 3, 3, 6, 6, 6, 6, 6, 1, 1, 1, 1, 1, 1, 1, 3};
    const float scores[] = {0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -5, -4, -3, -2, 0};
    size_t nt = sizeof texts / sizeof texts[0];
    lf_str toks[16];
    for (size_t i = 0; i < nt; i++) toks[i] = (lf_str){texts[i], strlen(texts[i])};
    lf_vocab_spec s;
    lf_vocab_spec_init(&s);
    s.model = (lf_str){"llama", 5};
    s.n_tokens = nt;
    s.tokens = toks;
    s.types = types;
    s.scores = scores;
    s.add_space_prefix = 0;
    lf_vocab *v = NULL;
    lfmrt_err e = {0};
    assert_int_equal(lf_vocab_build(&s, &v, &e), LFMRT_OK);
    int32_t ids[16];
    /* "aba": "ba" (-4) beats "ab" (-5); then "a"+"ba" = "aba" (-3) */
    size_t n = tok(v, "aba", false, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 13);
    /* "abab": ba(1,2) first -> a ba b; then aba(0) -> aba b */
    n = tok(v, "abab", false, ids, 16);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 13);
    assert_int_equal(ids[1], 9);
    /* "c" is not a token and has no byte token: the unknown token */
    n = tok(v, "c", false, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 0);
    /* no add_space_prefix: " a" -> "▁a" (a space is U+2581) */
    n = tok(v, " a", false, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 14);
    /* control text splits out only with parse_special; the text after it has no prefix */
    n = tok(v, "a<ctl>a", true, ids, 16);
    assert_int_equal(n, 3);
    assert_int_equal(ids[1], 15);
    assert_false(lf_vocab_add_space_prefix(v));
    lf_vocab_destroy(v);
    /* with the prefix: "a" -> "▁a" */
    s.add_space_prefix = -1;
    assert_int_equal(lf_vocab_build(&s, &v, &e), LFMRT_OK);
    n = tok(v, "a", false, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 14);
    char buf[16];
    assert_int_equal(lf_vocab_detokenize(v, ids, n, false, false, buf, sizeof buf), 1);
    assert_int_equal(buf[0], 'a');
    lf_vocab_destroy(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handmade),
        cmocka_unit_test(test_llama_spm_layout),
        cmocka_unit_test(test_llama_spm_vectors),
        cmocka_unit_test(test_llama_spm_specials),
        cmocka_unit_test(test_llama_spm_detok),
        cmocka_unit_test(test_llama_spm_random_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
