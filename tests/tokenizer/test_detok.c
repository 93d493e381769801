/* tests/tokenizer/test_detok.c - the streaming detokenizer: characters split across tokens are held
 * back until complete, ill-formed bytes become U+FFFD (one per maximal subpart), flush resolves what is
 * pending, a too-small buffer leaves the state untouched, control tokens show only with `special`. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

static lf_vocab *g_v;
static int32_t g_ctrl, g_hi;

/* 256 byte tokens (id = byte), a control token and "h\xc3" (a token ending inside a character) */
static int setup(void **state) {
    (void)state;
    static char text[260][8];
    static lf_str tok[260];
    static int32_t type[260];
    for (int b = 0; b < 256; b++) {
        size_t n = lf_utf8_encode(lf_byte_to_cp((uint8_t)b), (uint8_t *)text[b]);
        tok[b] = (lf_str){text[b], n};
        type[b] = LF_TOKT_NORMAL;
    }
    tok[256] = (lf_str){"<|im_end|>", 10};
    type[256] = LF_TOKT_CONTROL;
    size_t n = lf_utf8_encode('h', (uint8_t *)text[257]);
    n += lf_utf8_encode(lf_byte_to_cp(0xC3), (uint8_t *)text[257] + n);
    tok[257] = (lf_str){text[257], n};
    type[257] = LF_TOKT_NORMAL;
    lf_vocab_spec s;
    lf_vocab_spec_init(&s);
    s.model = (lf_str){"gpt2", 4};
    s.pre = (lf_str){"lfm2", 4};
    s.n_tokens = 258;
    s.tokens = tok;
    s.types = type;
    g_ctrl = 256;
    g_hi = 257;
    lfmrt_err e = {0};
    return lf_vocab_build(&s, &g_v, &e) == LFMRT_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    lf_vocab_destroy(g_v);
    return 0;
}

/* Pushes ids and returns everything emitted (flushing at the end if asked) as a NUL-terminated string. */
static char *stream(const int32_t *ids, size_t n, bool special, bool flush, int *per_step) {
    lf_detok d;
    lf_detok_init(&d);
    char *out = malloc(1024);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int r = lf_detok_push(&d, g_v, ids[i], special, out + o, 1024 - o);
        assert_true(r >= 0);
        if (per_step) per_step[i] = r;
        assert_true(lf_utf8_valid((const uint8_t *)out + o, (size_t)r)); /* never broken UTF-8 */
        o += (size_t)r;
    }
    if (flush) {
        int r = lf_detok_flush(&d, out + o, 1024 - o);
        assert_true(r >= 0);
        o += (size_t)r;
        assert_int_equal(d.n_pending, 0);
    }
    out[o] = 0;
    return out;
}

static void expect_stream(const int32_t *ids, size_t n, bool special, bool flush, const char *want) {
    char *got = stream(ids, n, special, flush, NULL);
    if (strcmp(got, want) != 0) fail_msg("got \"%s\", want \"%s\"", got, want);
    free(got);
}

static void test_split_characters(void **state) {
    (void)state;
    /* 日 = E6 97 A5 as three byte tokens: nothing, nothing, then the whole character */
    int32_t ids[] = {'a', 0xE6, 0x97, 0xA5, 'b'};
    int steps[5];
    char *got = stream(ids, 5, false, false, steps);
    assert_string_equal(got, "a\xe6\x97\xa5" "b");
    assert_int_equal(steps[0], 1);
    assert_int_equal(steps[1], 0);
    assert_int_equal(steps[2], 0);
    assert_int_equal(steps[3], 3);
    assert_int_equal(steps[4], 1);
    free(got);
    /* 🙂 = F0 9F 99 82 */
    int32_t emoji[] = {0xF0, 0x9F, 0x99, 0x82};
    expect_stream(emoji, 4, false, true, "\xf0\x9f\x99\x82");
    /* a token that ends inside a character ("h" + C3), completed by the next one (A9): "hé" */
    int32_t hi[] = {g_hi, 0xA9};
    expect_stream(hi, 2, false, true, "h\xc3\xa9");
}

static void test_invalid(void **state) {
    (void)state;
    int32_t ff[] = {0xFF, 'x'};
    expect_stream(ff, 2, false, false, "\xef\xbf\xbd" "x");
    /* E6 97 then 'a': the cut-short character is ill-formed: one U+FFFD, then 'a' */
    int32_t cut[] = {0xE6, 0x97, 'a'};
    expect_stream(cut, 3, false, false, "\xef\xbf\xbd" "a");
    /* pending at the end: held without flush, U+FFFD with it */
    int32_t tail[] = {'z', 0xE6};
    expect_stream(tail, 2, false, false, "z");
    expect_stream(tail, 2, false, true, "z\xef\xbf\xbd");
    /* surrogates and overlongs are ill-formed: ED A0 80 -> three U+FFFD (ED alone, then A0, then 80) */
    int32_t sur[] = {0xED, 0xA0, 0x80};
    expect_stream(sur, 3, false, true, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    int32_t over[] = {0xC0, 0x80};
    expect_stream(over, 2, false, true, "\xef\xbf\xbd\xef\xbf\xbd");
    /* a stray continuation byte */
    int32_t stray[] = {'a', 0x80, 'b'};
    expect_stream(stray, 3, false, true, "a\xef\xbf\xbd" "b");
}

static void test_special_and_errors(void **state) {
    (void)state;
    int32_t ids[] = {'a', g_ctrl, 'b'};
    expect_stream(ids, 3, false, true, "ab");
    expect_stream(ids, 3, true, true, "a<|im_end|>b");
    lf_detok d;
    lf_detok_init(&d);
    char out[8];
    assert_int_equal(lf_detok_push(&d, g_v, -1, false, out, sizeof out), -1);
    assert_int_equal(lf_detok_push(&d, g_v, 258, false, out, sizeof out), -1);
    /* too small: -1 and nothing consumed */
    assert_int_equal(lf_detok_push(&d, g_v, 0xE6, false, out, sizeof out), 0);
    assert_int_equal(d.n_pending, 1);
    assert_int_equal(lf_detok_push(&d, g_v, g_ctrl, true, out, 5), -1);
    assert_int_equal(d.n_pending, 1);
    assert_int_equal(lf_detok_flush(&d, out, 2), -1);
    assert_int_equal(d.n_pending, 1);
    assert_int_equal(lf_detok_push(&d, g_v, 0x97, false, out, sizeof out), 0);
    assert_int_equal(lf_detok_push(&d, g_v, 0xA5, false, out, 3), 3);
    assert_memory_equal(out, "\xe6\x97\xa5", 3);
    assert_int_equal(lf_detok_flush(&d, out, 0), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_characters),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_special_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
