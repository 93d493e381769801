/* tests/tokenizer/test_pretok.c - the pre-tokenizers on tricky strings: contractions (case rules differ
 * between GPT-2 and llama3/qwen2), digit runs, whitespace runs (the \s+(?!\S) rule, trailing spaces),
 * CR/LF, punctuation, emoji, CJK, combining marks, non-ASCII spaces, and llama.cpp's DEFAULT chain.
 * Expected splits are derived by hand from the regexes as llama.cpp runs them; llama.cpp's own
 * tokenization of whole texts is checked separately (test_vectors, tests/tokenizer/parity.sh). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tokenizer/pretok.h"
#include "tokenizer/unicode.h"

/* Splits text and joins the pieces with '|' (text must not contain '|'). */
static char *split(lf_pretok_kind kind, const char *text) {
    size_t n = strlen(text), k = 0;
    uint32_t *cps = malloc((n + 1) * sizeof *cps), *ends = malloc((n + 1) * sizeof *ends),
             *scr = malloc((n + 1) * sizeof *scr);
    uint16_t *fl = malloc((n + 1) * sizeof *fl);
    char *out = malloc(n * 6 + 2);
    assert_true(cps && ends && scr && fl && out);
    for (size_t i = 0; i < n;) {
        size_t len;
        cps[k] = lf_utf8_decode((const uint8_t *)text + i, n - i, &len);
        fl[k] = lf_ucd_flags(cps[k]);
        k++;
        i += len;
    }
    size_t np = lf_pretok_split(kind, cps, fl, k, ends, scr), o = 0, start = 0;
    for (size_t p = 0; p < np; p++) {
        assert_true(ends[p] > start && ends[p] <= k); /* non-empty, in order */
        if (p) out[o++] = '|';
        for (size_t c = start; c < ends[p]; c++) o += lf_utf8_encode(cps[c], (uint8_t *)out + o);
        start = ends[p];
    }
    assert_int_equal(start, k); /* pieces cover the text */
    out[o] = 0;
    free(cps);
    free(ends);
    free(scr);
    free(fl);
    return out;
}

typedef struct tcase {
    const char *in, *want;
} tcase;

static void check(lf_pretok_kind kind, const char *name, const tcase *k, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char *got = split(kind, k[i].in);
        if (strcmp(got, k[i].want) != 0) {
            print_error("%s: \"%s\": got \"%s\", want \"%s\"\n", name, k[i].in, got, k[i].want);
            bad++;
        }
        free(got);
    }
    assert_int_equal(bad, 0);
}

static void test_llama3(void **state) {
    (void)state;
    static const tcase k[] = {
        {"", ""},
        {"Hello world", "Hello| world"},
        {"I'm you'RE they've WE'LL it'S", "I|'m| you|'RE| they|'ve| WE|'LL| it|'S"},
        {"don't", "don|'t"},
        {"'", "'"},
        {"'x", "'x"},
        {"1234567 89", "123|456|7| |89"},
        {"x1", "x|1"},
        {"\xc2\xbd" "12", "\xc2\xbd" "12"},                /* ½ is \p{N} */
        {"a  b", "a| | b"},
        {"a   ", "a|   "},
        {"ab ", "ab| "},                                    /* lone trailing space: its own piece */
        {"ab \n", "ab| \n"},
        {"a \n\nb", "a| \n\n|b"},
        {"x\r\ny", "x|\r\n|y"},
        {"a.\r\n", "a|.\r\n"},
        {"   leading", "  | leading"},
        {"\t\tx", "\t|\tx"},
        {"!!!abc", "!!!|abc"},
        {"!abc", "!abc"},
        {" !! x", " !!| x"},
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad"},
        {"cafe\xcc\x81", "cafe|\xcc\x81"},                 /* combining acute is \p{M}, not \p{L} */
        {"e\xcc\x81x", "e|\xcc\x81x"},
        {"hi \xf0\x9f\x99\x82\xf0\x9f\x99\x82!", "hi| \xf0\x9f\x99\x82\xf0\x9f\x99\x82!"},
        {"a\xc2\xa0" "b", "a|\xc2\xa0" "b"},               /* NBSP before a letter joins it */
        {"a\xe3\x80\x80\xe3\x80\x80", "a|\xe3\x80\x80\xe3\x80\x80"},
        {"x\n\n\n", "x|\n\n\n"},
        {"\r\n\r\n  x", "\r\n\r\n| | x"},
        {"f(x) = 42;\n", "f|(x|)| =| |42|;\n"},
        {"\xef\xbf\xbd\xef\xbf\xbd", "\xef\xbf\xbd\xef\xbf\xbd"},
    };
    check(LF_PRETOK_LLAMA3, "llama3", k, sizeof k / sizeof k[0]);
}

static void test_qwen2(void **state) {
    (void)state;
    static const tcase k[] = {
        {"1234567 89", "1|2|3|4|5|6|7| |8|9"},
        {"x1y22", "x|1|y|2|2"},
        {"I'M here", "I|'M| here"},
        {"a \n\nb", "a| \n\n|b"},
        {"ab ", "ab| "},
    };
    check(LF_PRETOK_QWEN2, "qwen2", k, sizeof k / sizeof k[0]);
}

static void test_gpt2(void **state) {
    (void)state;
    static const tcase k[] = {
        {"Hello world", "Hello| world"},
        {"I'm you'RE they've", "I|'m| you|'|RE| they|'ve"},    /* contractions are case-sensitive */
        {"1234567 89", "1234567| 89"},
        {"a  b", "a| | b"},
        {"a   ", "a|   "},
        {"ab ", "ab| "},
        {"a \n\nb", "a| \n|\n|b"},
        {"x\r\ny", "x|\r|\n|y"},
        {"!!!abc", "!!!|abc"},
        {" !!", " !!"},
        {"hi \xf0\x9f\x99\x82\xf0\x9f\x99\x82!", "hi| \xf0\x9f\x99\x82\xf0\x9f\x99\x82!"},
        {"\t\tx", "\t|\t|x"},
        {"cafe\xcc\x81s", "cafe|\xcc\x81|s"},
        {"x1", "x|1"},
        {" 12 ab", " 12| ab"},
    };
    check(LF_PRETOK_GPT2, "gpt2", k, sizeof k / sizeof k[0]);
}

static void test_default(void **state) {
    (void)state;
    static const tcase k[] = {
        {"Hello, world!", "Hello|,| world|!"},
        {"a+b=c", "a|+|b|=|c"},
        {"x 12345y", "x| |123|45|y"},
        {"`code`", "`|code|`"},                   /* '`' is \p{Sk}, outside the first regex's class */
        {"a\xe2\x80\xa6" "b", "a|\xe2\x80\xa6|b"}, /* … is \p{Po} */
        {"$5", "$|5"},
        {"2\xc2\xb2\xc2\xb3", "2\xc2\xb2\xc2\xb3"},
        {"1234\xc2\xb2", "123|4\xc2\xb2"},
        {"it's 1000000", "it|'|s| |100|000|0"},   /* ' is split off first, then s stands alone */
        {"a  b", "a| | b"},
    };
    check(LF_PRETOK_DEFAULT, "default", k, sizeof k / sizeof k[0]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama3),
        cmocka_unit_test(test_qwen2),
        cmocka_unit_test(test_gpt2),
        cmocka_unit_test(test_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
