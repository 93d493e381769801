/* tests/tokenizer/test_bpe.c - BPE and vocabulary rules on small in-test vocabularies (built through
 * lf_vocab_build, no file): merge priority by rank, leftmost-first ties, ignore_merges, llama.cpp's byte
 * fallback, the special-token partition (longest token first, user-defined tokens always), the EOG set
 * and attribute overrides, special-id defaults, add_bos defaults, and load errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

#define MAXT 600

/* A vocabulary under construction: ids 0..255 are the byte tokens (in byte order), then extras. */
typedef struct tv {
    char text[MAXT][48];
    lf_str tok[MAXT];
    int32_t type[MAXT];
    size_t n;
    char merge_text[64][48];
    lf_str merge[64];
    size_t n_merges;
    lf_vocab_spec spec;
} tv;

static tv *tv_new(const char *pre) {
    tv *t = calloc(1, sizeof *t);
    assert_non_null(t);
    for (int b = 0; b < 256; b++) {
        size_t n = lf_utf8_encode(lf_byte_to_cp((uint8_t)b), (uint8_t *)t->text[b]);
        t->tok[b] = (lf_str){t->text[b], n};
        t->type[b] = LF_TOKT_NORMAL;
    }
    t->n = 256;
    lf_vocab_spec_init(&t->spec);
    t->spec.model = (lf_str){"gpt2", 4};
    if (pre) t->spec.pre = (lf_str){pre, strlen(pre)};
    return t;
}

/* Adds a token whose text is given in raw bytes (mapped to the byte alphabet unless type is special). */
static int32_t tv_add(tv *t, const char *raw, int32_t type) {
    size_t o = 0;
    if (type == LF_TOKT_CONTROL || type == LF_TOKT_USER_DEFINED) {
        o = strlen(raw);
        memcpy(t->text[t->n], raw, o);
    } else {
        for (const char *p = raw; *p; p++) o += lf_utf8_encode(lf_byte_to_cp((uint8_t)*p), (uint8_t *)t->text[t->n] + o);
    }
    t->tok[t->n] = (lf_str){t->text[t->n], o};
    t->type[t->n] = type;
    return (int32_t)t->n++;
}

/* Adds merge "a b" given in raw bytes (mapped to the byte alphabet). */
static void tv_merge(tv *t, const char *a, const char *b) {
    size_t o = 0;
    for (const char *p = a; *p; p++) o += lf_utf8_encode(lf_byte_to_cp((uint8_t)*p), (uint8_t *)t->merge_text[t->n_merges] + o);
    t->merge_text[t->n_merges][o++] = ' ';
    for (const char *p = b; *p; p++) o += lf_utf8_encode(lf_byte_to_cp((uint8_t)*p), (uint8_t *)t->merge_text[t->n_merges] + o);
    t->merge[t->n_merges] = (lf_str){t->merge_text[t->n_merges], o};
    t->n_merges++;
}

static lf_vocab *tv_build(tv *t) {
    t->spec.n_tokens = t->n;
    t->spec.tokens = t->tok;
    t->spec.types = t->type;
    t->spec.n_merges = t->n_merges;
    t->spec.merges = t->merge;
    lf_vocab *v = NULL;
    lfmrt_err e = {0};
    int rc = lf_vocab_build(&t->spec, &v, &e);
    if (rc != LFMRT_OK) fail_msg("build: %s", e.msg);
    return v;
}

/* Tokenizes and compares with want[] (terminated by -1). */
static void expect(const lf_vocab *v, const char *text, bool special, const int32_t *want) {
    int32_t got[256];
    size_t n, nw = 0;
    while (want[nw] >= 0) nw++;
    lfmrt_err e = {0};
    assert_int_equal(lf_vocab_tokenize(v, text, strlen(text), special, got, 256, &n, &e), LFMRT_OK);
    bool same = n == nw && memcmp(got, want, n * sizeof *got) == 0;
    if (!same) {
        char g[512] = "", w[512] = "";
        for (size_t i = 0; i < n; i++) snprintf(g + strlen(g), sizeof g - strlen(g), "%d ", got[i]);
        for (size_t i = 0; i < nw; i++) snprintf(w + strlen(w), sizeof w - strlen(w), "%d ", want[i]);
        fail_msg("\"%s\": got [%s], want [%s]", text, g, w);
    }
}
#define IDS(...) ((const int32_t[]){__VA_ARGS__, -1})
#define NONE ((const int32_t[]){-1})

static void test_merges_by_rank(void **state) {
    (void)state;
    tv *t = tv_new("gpt-2");
    int32_t he = tv_add(t, "he", 1), ll = tv_add(t, "ll", 1), hell = tv_add(t, "hell", 1), hello = tv_add(t, "hello", 1);
    int32_t sw = tv_add(t, " w", 1), or = tv_add(t, "or", 1), swor = tv_add(t, " wor", 1), ld = tv_add(t, "ld", 1);
    int32_t sworld = tv_add(t, " world", 1);
    tv_merge(t, "h", "e");
    tv_merge(t, "l", "l");
    tv_merge(t, "he", "ll");
    tv_merge(t, "hell", "o");
    tv_merge(t, " ", "w");
    tv_merge(t, "o", "r");
    tv_merge(t, " w", "or");
    tv_merge(t, "l", "d");
    tv_merge(t, " wor", "ld");
    lf_vocab *v = tv_build(t);
    expect(v, "hello world", false, IDS(hello, sworld));
    expect(v, "hell", false, IDS(hell));
    expect(v, "he", false, IDS(he));
    expect(v, "hel", false, IDS(he, 'l'));
    expect(v, "wor", false, IDS('w', or));         /* no leading space: " w" cannot form */
    expect(v, " worl", false, IDS(swor, 'l'));
    expect(v, "ld ll", false, IDS(ld, ' ', ll)); /* " ll": no (Ġ, l) merge, so byte token 32 then "ll" */
    expect(v, "", false, NONE);
    (void)sw;
    lf_vocab_destroy(v);
    free(t);
}

static void test_rank_order_and_ties(void **state) {
    (void)state;
    /* "abc": with (a,b) before (b,c) -> ab c ; with (b,c) first -> a bc */
    tv *t = tv_new("gpt-2");
    int32_t ab = tv_add(t, "ab", 1), bc = tv_add(t, "bc", 1);
    tv_merge(t, "a", "b");
    tv_merge(t, "b", "c");
    lf_vocab *v = tv_build(t);
    expect(v, "abc", false, IDS(ab, 'c'));
    lf_vocab_destroy(v);
    free(t);
    t = tv_new("gpt-2");
    ab = tv_add(t, "ab", 1);
    bc = tv_add(t, "bc", 1);
    tv_merge(t, "b", "c");
    tv_merge(t, "a", "b");
    v = tv_build(t);
    expect(v, "abc", false, IDS('a', bc));
    lf_vocab_destroy(v);
    free(t);
    /* equal pairs: the leftmost merges first: "aaa" -> aa a ; "aaaa" -> aa aa -> (no aaaa) */
    t = tv_new("gpt-2");
    int32_t aa = tv_add(t, "aa", 1);
    tv_merge(t, "a", "a");
    tv_merge(t, "a", "a"); /* a repeated merge keeps its first rank */
    v = tv_build(t);
    expect(v, "aaa", false, IDS(aa, 'a'));
    expect(v, "aaaa", false, IDS(aa, aa));
    expect(v, "aaaaa", false, IDS(aa, aa, 'a'));
    lf_vocab_destroy(v);
    free(t);
}

static void test_ignore_merges(void **state) {
    (void)state;
    /* "abc" is a token no merge leads to: lfm2 (ignore_merges) emits it, gpt-2 merges instead */
    for (int pass = 0; pass < 2; pass++) {
        tv *t = tv_new(pass == 0 ? "lfm2" : "gpt-2");
        int32_t abc = tv_add(t, "abc", 1), bc = tv_add(t, "bc", 1);
        tv_merge(t, "b", "c");
        lf_vocab *v = tv_build(t);
        assert_int_equal(v->ignore_merges, pass == 0);
        if (pass == 0) expect(v, "abc", false, IDS(abc));
        else expect(v, "abc", false, IDS('a', bc));
        expect(v, "abcd", false, IDS('a', bc, 'd')); /* not a whole-piece token: merges either way */
        lf_vocab_destroy(v);
        free(t);
    }
}

static void test_byte_fallback(void **state) {
    (void)state;
    /* merge result "xy" is not a token: llama.cpp falls back to the single-byte tokens "x", "y" */
    tv *t = tv_new("gpt-2");
    tv_merge(t, "x", "y");
    lf_vocab *v = tv_build(t);
    expect(v, "xy", false, IDS('x', 'y'));
    lf_vocab_destroy(v);
    free(t);
    /* the alphabet character of ' ' (U+0120, bytes C4 A0) missing from the vocabulary: its bytes have no
     * single-byte tokens either, so llama.cpp drops it */
    t = tv_new("gpt-2");
    t->tok[' '] = (lf_str){"~~~", 3}; /* token 32 no longer spells U+0120 */
    v = tv_build(t);
    expect(v, "a b", false, IDS('a', 'b'));
    lf_vocab_destroy(v);
    free(t);
}

static void test_invalid_utf8_input(void **state) {
    (void)state;
    tv *t = tv_new("lfm2");
    lf_vocab *v = tv_build(t);
    /* 0xFF decodes to U+FFFD, re-encoded EF BF BD: three byte tokens */
    expect(v, "\xff", false, IDS(0xEF, 0xBF, 0xBD));
    expect(v, "a\xc3", false, IDS('a', 0xEF, 0xBF, 0xBD));
    expect(v, "\xc0\x80", false, IDS(0)); /* overlong NUL decodes to U+0000 */
    lf_vocab_destroy(v);
    free(t);
}

static void test_special_partition(void **state) {
    (void)state;
    tv *t = tv_new("lfm2");
    int32_t bcd = tv_add(t, "bcd", LF_TOKT_CONTROL), ab = tv_add(t, "ab", LF_TOKT_CONTROL);
    int32_t tag = tv_add(t, "<tag>", LF_TOKT_USER_DEFINED), im_end = tv_add(t, "<|im_end|>", LF_TOKT_CONTROL);
    int32_t im_start = tv_add(t, "<|im_start|>", LF_TOKT_CONTROL);
    lf_vocab *v = tv_build(t);
    /* longest special first over the whole text, not longest match at each position */
    expect(v, "abcd", true, IDS('a', bcd));
    expect(v, "abab", true, IDS(ab, ab));
    expect(v, "xabx", true, IDS('x', ab, 'x'));
    expect(v, "abcd", false, IDS('a', 'b', 'c', 'd')); /* control tokens need parse_special */
    /* user-defined tokens are split out even without parse_special */
    expect(v, "a<tag>b", false, IDS('a', tag, 'b'));
    expect(v, "<tag><tag>", false, IDS(tag, tag));
    expect(v, "<|im_start|>x<|im_end|>", true, IDS(im_start, 'x', im_end));
    expect(v, "<|im_start|><|im_end|>", true, IDS(im_start, im_end));
    expect(v, "<|im_end|", true, IDS('<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|'));
    lf_vocab_destroy(v);
    free(t);
}

static void test_eog_and_overrides(void **state) {
    (void)state;
    tv *t = tv_new("lfm2");
    int32_t pad = tv_add(t, "<|pad|>", LF_TOKT_CONTROL);
    int32_t eot = tv_add(t, "<|endoftext|>", LF_TOKT_CONTROL);
    int32_t im_end = tv_add(t, "<|im_end|>", LF_TOKT_NORMAL); /* not control in the file */
    int32_t fim_pad = tv_add(t, "<|fim_pad|>", LF_TOKT_CONTROL);
    int32_t unused = tv_add(t, "<unused3>", LF_TOKT_CONTROL);
    int32_t other = tv_add(t, "<|other|>", LF_TOKT_CONTROL);
    int32_t eot_id = tv_add(t, "<|eot_id|>", LF_TOKT_NORMAL); /* first in llama.cpp's EOT list, highest id */
    t->spec.ids[LF_SP_EOS] = other;
    t->spec.ids[LF_SP_BOS] = 1000000; /* out of range: default (11) stays */
    lf_vocab *v = tv_build(t);
    assert_true(lf_vocab_is_eog(v, eot));
    assert_true(lf_vocab_is_eog(v, im_end));
    assert_true(lf_vocab_is_eog(v, fim_pad));
    assert_true(lf_vocab_is_eog(v, other)); /* the EOS id is always EOG */
    assert_false(lf_vocab_is_eog(v, pad));
    assert_false(lf_vocab_is_eog(v, 'a'));
    assert_false(lf_vocab_is_eog(v, -1));
    assert_false(lf_vocab_is_eog(v, 100000));
    assert_int_equal(lf_vocab_eos(v), other);
    assert_int_equal(lf_vocab_bos(v), 11);
    /* EOT autodetected as llama.cpp does, scanning ids in order: the lowest id among the EOT texts */
    assert_true(eot < im_end && im_end < eot_id);
    assert_int_equal(v->ids[LF_SP_EOT], eot);
    assert_int_equal(v->ids[LF_SP_FIM_PAD], fim_pad);
    assert_int_equal(v->ids[LF_SP_EOM], -1);
    assert_true(lf_vocab_is_eog(v, eot_id));
    assert_true(v->attr[eot_id] & LF_ATTR_CONTROL);
    assert_true(v->attr[im_end] & LF_ATTR_CONTROL); /* EOG text forces CONTROL */
    assert_true(v->attr[unused] & LF_ATTR_UNUSED);
    assert_int_equal(lf_vocab_token_type(v, im_end), LF_TOKT_NORMAL); /* the on-disk type is kept */
    /* a forced-control token is now split out only with parse_special and hidden in plain output */
    expect(v, "<|im_end|>", true, IDS(im_end));
    char buf[32];
    assert_int_equal(lf_vocab_token_bytes(v, im_end, false, buf, sizeof buf), 0);
    assert_int_equal(lf_vocab_token_bytes(v, im_end, true, buf, sizeof buf), 10);
    assert_memory_equal(buf, "<|im_end|>", 10);
    assert_true(lf_vocab_add_bos(v)); /* lfm2 default */
    lf_vocab_destroy(v);
    free(t);

    t = tv_new("gpt-2");
    t->spec.add_bos = 1;
    t->spec.ids[LF_SP_BOS] = 5;
    v = tv_build(t);
    assert_true(lf_vocab_add_bos(v)); /* key overrides the gpt-2 default (false) */
    assert_int_equal(lf_vocab_bos(v), 5);
    assert_int_equal(lf_vocab_eos(v), 11);
    lf_vocab_destroy(v);
    free(t);

    t = tv_new("lfm2");
    t->spec.add_bos = 0;
    v = tv_build(t);
    assert_false(lf_vocab_add_bos(v));
    lf_vocab_destroy(v);
    free(t);
}

static void test_token_bytes(void **state) {
    (void)state;
    tv *t = tv_new("qwen2");
    int32_t sp = tv_add(t, " the", 1), ud = tv_add(t, "<think>", LF_TOKT_USER_DEFINED);
    int32_t unused = tv_add(t, "[PAD300]", LF_TOKT_UNUSED), bt = tv_add(t, "<0x41>", LF_TOKT_BYTE);
    int32_t odd = tv_add(t, "\xe4\xb8\x80", LF_TOKT_USER_DEFINED); /* stays raw */
    t->type[odd] = LF_TOKT_NORMAL; /* a NORMAL token with a character outside the alphabet */
    lf_vocab *v = tv_build(t);
    char b[64];
    assert_int_equal(lf_vocab_token_bytes(v, sp, false, b, sizeof b), 4);
    assert_memory_equal(b, " the", 4);
    assert_int_equal(lf_vocab_token_bytes(v, ud, false, b, sizeof b), 7); /* user-defined: always shown */
    assert_int_equal(lf_vocab_token_bytes(v, unused, true, b, sizeof b), 0);
    assert_int_equal(lf_vocab_token_bytes(v, bt, true, b, sizeof b), 1);
    assert_int_equal(b[0], 'A');
    int n = lf_vocab_token_bytes(v, odd, true, b, sizeof b);
    assert_int_equal(n, (int)strlen("[UNK_BYTE_0xe4b880\xe4\xb8\x80]"));
    assert_memory_equal(b, "[UNK_BYTE_0xe4b880\xe4\xb8\x80]", (size_t)n);
    assert_int_equal(lf_vocab_token_bytes(v, '\n', true, b, sizeof b), 1);
    assert_int_equal(b[0], '\n');
    assert_int_equal(lf_vocab_token_bytes(v, sp, false, b, 2), 4); /* short buffer: full length */
    assert_int_equal(lf_vocab_token_bytes(v, -1, false, b, 2), -1);
    assert_int_equal(lf_vocab_token_bytes(v, (int32_t)t->n, false, b, 2), -1);
    assert_int_equal(lf_vocab_find(v, "<think>", 7), ud);
    assert_int_equal(lf_vocab_find(v, "<nope>", 6), -1);
    lf_vocab_destroy(v);
    free(t);
}

static void test_errors(void **state) {
    (void)state;
    lf_vocab *v = NULL;
    lfmrt_err e = {0};
    tv *t = tv_new("lfm2");
    t->spec.model = (lf_str){"bert", 4}; /* "llama" (SentencePiece) is supported since issue 3 */
    t->spec.n_tokens = t->n;
    t->spec.tokens = t->tok;
    assert_int_equal(lf_vocab_build(&t->spec, &v, &e), LFMRT_E_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "bert"));
    assert_null(v);
    t->spec.model = (lf_str){"gpt2", 4};
    t->spec.pre = (lf_str){"nonsense-pre", 12};
    assert_int_equal(lf_vocab_build(&t->spec, &v, &e), LFMRT_E_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "nonsense-pre"));
    t->spec.pre = (lf_str){NULL, 0}; /* absent: llama.cpp's "default" */
    assert_int_equal(lf_vocab_build(&t->spec, &v, &e), LFMRT_OK);
    assert_int_equal(v->pre, LF_PRETOK_DEFAULT);
    lf_vocab_destroy(v);
    tv_add(t, "a", LF_TOKT_NORMAL); /* duplicates byte token 'a' */
    t->spec.n_tokens = t->n;
    assert_int_equal(lf_vocab_build(&t->spec, &v, &e), LFMRT_E_FORMAT);
    assert_non_null(strstr(e.msg, "256"));
    t->spec.n_tokens = 0;
    assert_int_equal(lf_vocab_build(&t->spec, &v, &e), LFMRT_E_FORMAT);
    free(t);
    int32_t ids[4];
    size_t n;
    assert_int_equal(lf_vocab_tokenize(NULL, "x", 1, false, ids, 4, &n, &e), LFMRT_E_INVALID);
}

static void test_empty_token_renamed(void **state) {
    (void)state;
    tv *t = tv_new("lfm2");
    int32_t id = tv_add(t, "", LF_TOKT_NORMAL);
    lf_vocab *v = tv_build(t);
    size_t n;
    const char *s = lf_vocab_token_text(v, id, &n);
    char want[32];
    snprintf(want, sizeof want, "[EMPTY_%d]", id);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(s, want, n);
    lf_vocab_destroy(v);
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merges_by_rank),   cmocka_unit_test(test_rank_order_and_ties),
        cmocka_unit_test(test_ignore_merges),    cmocka_unit_test(test_byte_fallback),
        cmocka_unit_test(test_invalid_utf8_input), cmocka_unit_test(test_special_partition),
        cmocka_unit_test(test_eog_and_overrides), cmocka_unit_test(test_token_bytes),
        cmocka_unit_test(test_errors),           cmocka_unit_test(test_empty_token_renamed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
