/* tests/tokenizer/test_robust.c - randomized robustness (run under ASan/UBSan in CI): random and
 * adversarial texts (invalid UTF-8, NULs, fragments of special tokens, long runs) with every
 * pre-tokenizer; ids stay in range, well-formed UTF-8 round-trips exactly, ill-formed input comes back
 * with U+FFFD where llama.cpp puts it; the streaming detokenizer emits only well-formed UTF-8 for random
 * id sequences; malformed merge lists and odd token texts still build or fail cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tokenizer/genvocab.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

static lf_genvocab g_gv;
static lf_str *g_tok, *g_merge;

static lf_vocab *build(const char *pre) {
    lf_vocab_spec s;
    lf_vocab_spec_init(&s);
    s.model = (lf_str){"gpt2", 4};
    s.pre = (lf_str){pre, strlen(pre)};
    s.n_tokens = g_gv.n_tokens;
    s.tokens = g_tok;
    s.types = g_gv.types;
    s.n_merges = g_gv.n_merges;
    s.merges = g_merge;
    s.ids[LF_SP_BOS] = 1;
    s.ids[LF_SP_EOS] = 7;
    lf_vocab *v = NULL;
    lfmrt_err e = {0};
    if (lf_vocab_build(&s, &v, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    return v;
}

static int setup(void **state) {
    (void)state;
    lfmrt_err e = {0};
    if (lf_genvocab_build(4096, 5, &g_gv, &e) != LFMRT_OK) return -1;
    g_tok = malloc(g_gv.n_tokens * sizeof *g_tok);
    g_merge = malloc(g_gv.n_merges * sizeof *g_merge);
    for (size_t i = 0; i < g_gv.n_tokens; i++) g_tok[i] = (lf_str){g_gv.tokens[i], strlen(g_gv.tokens[i])};
    for (size_t i = 0; i < g_gv.n_merges; i++) g_merge[i] = (lf_str){g_gv.merges[i], strlen(g_gv.merges[i])};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(g_tok);
    free(g_merge);
    lf_genvocab_free(&g_gv);
    return 0;
}

static const char *const k_frags[] = {"<|", "|>", "<|im_end|>", "<|im_start|>", "<|reserved_5|>", "'s", "'LL",
                                      " ", "  ", "\t", "\r\n", "\n", "123", "4567", "\xc2\xbd", "\xe6\x97\xa5",
                                      "\xf0\x9f\x99\x82", "\xcc\x81", "\xe2\x80\x8d", "\xef\xbf\xbd", "a", "Z",
                                      "the", "!", "...", "\xc3", "\xff", "\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                      "\xc0\x80", "\0", "\xe3\x80\x80", "\xc2\xa0", "<", "|"};

/* What llama.cpp turns a text into before byte-level BPE: each decoded code point re-encoded (so every
 * ill-formed byte becomes EF BF BD); out needs 3 * n bytes. */
static size_t reencode(const uint8_t *s, size_t n, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = lf_utf8_decode(s + i, n - i, &len);
        o += lf_utf8_encode(cp, out + o);
        i += len;
    }
    return o;
}

static void test_random_texts(void **state) {
    (void)state;
    const char *pres[] = {"lfm2", "qwen2", "gpt-2", "default"};
    uint64_t rng = 42;
    uint8_t text[600], want[2000], back[4000];
    int32_t ids[2000];
    for (size_t p = 0; p < 4; p++) {
        lf_vocab *v = build(pres[p]);
        for (int iter = 0; iter < 400; iter++) {
            size_t n = 0;
            while (n < 500) {
                uint64_t r = lf_test_rand(&rng);
                if (r % 4 == 0) { /* a random byte */
                    text[n++] = (uint8_t)(r >> 8);
                } else {
                    const char *f = k_frags[(r >> 8) % (sizeof k_frags / sizeof k_frags[0])];
                    size_t fl = f[0] ? strlen(f) : 1;
                    memcpy(text + n, f, fl);
                    n += fl;
                }
                if ((r >> 40) % 23 == 0) break;
            }
            for (int special = 0; special < 2; special++) {
                size_t k;
                assert_int_equal(lf_vocab_tokenize(v, (const char *)text, n, special, ids, 2000, &k, NULL), LFMRT_OK);
                size_t o = 0;
                for (size_t i = 0; i < k; i++) {
                    assert_true(ids[i] >= 0 && ids[i] < 4096);
                    int r = lf_vocab_token_bytes(v, ids[i], true, (char *)back + o, sizeof back - o);
                    assert_true(r >= 0);
                    o += (size_t)r;
                }
                size_t nw = reencode(text, n, want);
                if (o != nw || memcmp(back, want, o) != 0)
                    fail_msg("%s iteration %d special %d: round trip differs (%zu vs %zu bytes)", pres[p], iter, special, o, nw);
            }
        }
        lf_vocab_destroy(v);
    }
}

static void test_long_runs(void **state) {
    (void)state;
    lf_vocab *v = build("lfm2");
    size_t n = 200000;
    char *s = malloc(n);
    int32_t *ids = malloc(n * sizeof *ids);
    const char fill[] = {'a', ' ', '1', '<', '\n', '!'};
    for (size_t f = 0; f < sizeof fill; f++) {
        memset(s, fill[f], n);
        size_t k;
        assert_int_equal(lf_vocab_tokenize(v, s, n, true, ids, n, &k, NULL), LFMRT_OK);
        assert_true(k >= 1 && k <= n);
    }
    free(s);
    free(ids);
    lf_vocab_destroy(v);
}

static void test_random_detok(void **state) {
    (void)state;
    lf_vocab *v = build("lfm2");
    uint64_t rng = 7;
    char out[4096];
    for (int iter = 0; iter < 300; iter++) {
        lf_detok d;
        lf_detok_init(&d);
        size_t o = 0;
        for (int i = 0; i < 40; i++) {
            /* mostly byte tokens (ids 501..756 are the 256 byte tokens), some merges and specials */
            uint64_t r = lf_test_rand(&rng);
            int32_t id = r % 3 ? 501 + (int32_t)((r >> 8) % 256) : (int32_t)((r >> 8) % 4096);
            int w = lf_detok_push(&d, v, id, (r >> 20) & 1, out + o, sizeof out - o);
            assert_true(w >= 0);
            o += (size_t)w;
            assert_true(d.n_pending <= 3);
        }
        int w = lf_detok_flush(&d, out + o, sizeof out - o);
        assert_true(w >= 0);
        o += (size_t)w;
        assert_true(lf_utf8_valid((const uint8_t *)out, o));
    }
    lf_vocab_destroy(v);
}

static void test_odd_merges(void **state) {
    (void)state;
    /* merges without a space, with a leading space, with several spaces, naming unknown symbols, repeated */
    static const char *odd[] = {"ab", " a", "a  b", "a b c", "zz zz", "a b", "a b", "", " ", "\xc4\xa0 \xc4\xa0"};
    lf_str m[10], t[258];
    char bytes[256][4];
    for (int b = 0; b < 256; b++) {
        size_t n = lf_utf8_encode(lf_byte_to_cp((uint8_t)b), (uint8_t *)bytes[b]);
        t[b] = (lf_str){bytes[b], n};
    }
    t[256] = (lf_str){"ab", 2};
    t[257] = (lf_str){"\xc4\xa0\xc4\xa0", 4};
    for (int i = 0; i < 10; i++) m[i] = (lf_str){odd[i], strlen(odd[i])};
    lf_vocab_spec s;
    lf_vocab_spec_init(&s);
    s.model = (lf_str){"gpt2", 4};
    s.pre = (lf_str){"gpt-2", 5};
    s.n_tokens = 258;
    s.tokens = t;
    s.n_merges = 10;
    s.merges = m;
    lf_vocab *v;
    lfmrt_err e = {0};
    assert_int_equal(lf_vocab_build(&s, &v, &e), LFMRT_OK);
    int32_t ids[16];
    size_t k;
    assert_int_equal(lf_vocab_tokenize(v, "ab  x", 5, false, ids, 16, &k, NULL), LFMRT_OK);
    /* pieces "ab" | " " | " x": "a b" applies (the first valid merge, rank 5); no (Ġ, x) merge */
    assert_int_equal(k, 4);
    assert_int_equal(ids[0], 256);
    assert_int_equal(ids[1], ' ');
    assert_int_equal(ids[2], ' ');
    assert_int_equal(ids[3], 'x');
    assert_int_equal(lf_vocab_tokenize(v, "x  ", 3, false, ids, 16, &k, NULL), LFMRT_OK);
    assert_int_equal(k, 2); /* trailing "  " is one piece: (Ġ, Ġ) merges */
    assert_int_equal(ids[1], 257);
    lf_vocab_destroy(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_long_runs),
        cmocka_unit_test(test_random_detok),
        cmocka_unit_test(test_odd_merges),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
