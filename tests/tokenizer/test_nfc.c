/* tests/tokenizer/test_nfc.c - Unicode NFC (tokenizer/nfc.h): known pairs (composition, Hangul, canonical
 * reordering, composition exclusions, singletons, invalid bytes), the quick check's no-copy fast path,
 * the generated tables' invariants (sorted; decompositions at most 4 code points, which the scratch
 * bound relies on), and - when Debian's unicode-data ships NormalizationTest.txt(.bz2) - every line of
 * its NFC columns (c2 == NFC(c1) == NFC(c2) == NFC(c3), c4 == NFC(c4) == NFC(c5)) plus Part 1's
 * invariance of every code point it does not list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfmrt/status.h"
#include "testutil.h"
#include "tokenizer/nfc.h"
#include "tokenizer/unicode.h"

/* NFC of s (NUL-terminated) must be want, byte for byte. */
static void check(const char *s, const char *want) {
    lf_nfc_work w = {0};
    const uint8_t *out;
    size_t n;
    assert_int_equal(lf_nfc((const uint8_t *)s, strlen(s), &w, &out, &n), LFMRT_OK);
    if (n != strlen(want) || memcmp(out, want, n) != 0)
        fail_msg("NFC(\"%s\") = \"%.*s\", want \"%s\"", s, (int)n, out, want);
    lf_nfc_work_free(&w);
}

static void test_pairs(void **state) {
    (void)state;
    check("e\xcc\x81", "\xc3\xa9");                                 /* e + U+0301 -> U+00E9 */
    check("\xc3\xa9 vs e\xcc\x81 (NFC test)", "\xc3\xa9 vs \xc3\xa9 (NFC test)");
    check("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", "\xea\xb0\x81"); /* U+1100 U+1161 U+11A8 -> U+AC01 */
    check("\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80");             /* L V -> U+AC00 */
    check("\xea\xb0\x80\xe1\x86\xa8", "\xea\xb0\x81");             /* LV + T -> LVT */
    check("\xea\xb0\x81\xe1\x86\xa8", "\xea\xb0\x81\xe1\x86\xa8"); /* LVT + T: no composite */
    /* q + U+0301 (ccc 230) + U+0323 (ccc 220): reordered, nothing composes with q */
    check("q\xcc\x81\xcc\xa3", "q\xcc\xa3\xcc\x81");
    /* a + U+0301 + U+0323: reordered to a U+0323 U+0301, then U+1EA1 (a dot below) stays with U+0301 */
    check("a\xcc\x81\xcc\xa3", "\xe1\xba\xa1\xcc\x81");
    /* two marks of the same class keep their order; the second is blocked from the starter */
    check("a\xcc\x81\xcc\x80", "\xc3\xa1\xcc\x80");
    /* composition exclusion: U+0958 DEVANAGARI QA -> U+0915 U+093C, which does not recompose */
    check("\xe0\xa5\x98", "\xe0\xa4\x95\xe0\xa4\xbc");
    check("\xe0\xa4\x95\xe0\xa4\xbc", "\xe0\xa4\x95\xe0\xa4\xbc");
    /* singletons: U+212B ANGSTROM SIGN -> U+00C5, U+2126 OHM SIGN -> U+03A9 */
    check("\xe2\x84\xab", "\xc3\x85");
    check("\xe2\x84\xa6", "\xce\xa9");
    /* U+0344 (excluded, non-starter decomposition) -> U+0308 U+0301 */
    check("\xcd\x84", "\xcc\x88\xcc\x81");
    /* invalid bytes are kept and block composition; a lone mark at the start stays */
    check("e\xff\xcc\x81", "e\xff\xcc\x81");
    check("\xcc\x81\x65\xcc", "\xcc\x81\x65\xcc"); /* U+0301 e, truncated sequence */
    check("e\xcc\x81\xff", "\xc3\xa9\xff");
    /* 4-byte code points: U+1D15E is a composition exclusion (U+1D157 U+1D165 stays decomposed) */
    check("\xf0\x9d\x85\x9e", "\xf0\x9d\x85\x97\xf0\x9d\x85\xa5"); /* U+1D15E -> U+1D157 U+1D165 */
    assert_int_equal(lf_nfc_ccc_of(0x0301), 230);
    assert_int_equal(lf_nfc_ccc_of(0x0323), 220);
    assert_int_equal(lf_nfc_ccc_of('a'), 0);
    assert_int_equal(lf_nfc_ccc_of(0x10FFFF), 0);
}

static void test_fast_path(void **state) {
    (void)state;
    static const char *const nfc_text[] = {
        "", "hello world", "h\xc3\xa9llo \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
        "\xff\xfe"};
    for (size_t i = 0; i < sizeof nfc_text / sizeof *nfc_text; i++) {
        const char *s = nfc_text[i];
        assert_true(lf_nfc_quick_check((const uint8_t *)s, strlen(s)));
        lf_nfc_work w = {0};
        const uint8_t *out = NULL;
        size_t n = 0;
        assert_int_equal(lf_nfc((const uint8_t *)s, strlen(s), &w, &out, &n), LFMRT_OK);
        assert_ptr_equal(out, s); /* unchanged, not copied */
        assert_int_equal(n, strlen(s));
        assert_null(w.cp);
        assert_null(w.out);
    }
    assert_false(lf_nfc_quick_check((const uint8_t *)"e\xcc\x81", 3));
    assert_false(lf_nfc_quick_check((const uint8_t *)"\xe2\x84\xab", 3));     /* singleton: QC No */
    assert_false(lf_nfc_quick_check((const uint8_t *)"\xe1\x85\xa1", 3));     /* V jamo: QC Maybe */
    /* the work buffers are reused across calls */
    lf_nfc_work w = {0};
    const uint8_t *out;
    size_t n;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(lf_nfc((const uint8_t *)"e\xcc\x81", 3, &w, &out, &n), LFMRT_OK);
        assert_int_equal(n, 2);
        assert_ptr_equal(out, w.out);
    }
    lf_nfc_work_free(&w);
    assert_null(w.cp);
}

static size_t full_len(uint32_t cp, int depth) {
    assert_true(depth < 8);
    for (size_t i = 0; i < lf_nfc_decomp_n; i++)
        if (lf_nfc_decomp[i].cp == cp)
            return full_len(lf_nfc_decomp[i].a, depth + 1) +
                   (lf_nfc_decomp[i].b ? full_len(lf_nfc_decomp[i].b, depth + 1) : 0);
    return 1;
}

static void test_tables(void **state) {
    (void)state;
    assert_true(lf_nfc_decomp_n > 2000 && lf_nfc_comp_n > 900 && lf_nfc_ccc_n > 300 && lf_nfc_unsafe_n > 200);
    for (size_t i = 1; i < lf_nfc_decomp_n; i++) assert_true(lf_nfc_decomp[i - 1].cp < lf_nfc_decomp[i].cp);
    for (size_t i = 1; i < lf_nfc_ccc_n; i++) assert_true(lf_nfc_ccc[i - 1].hi < lf_nfc_ccc[i].lo);
    for (size_t i = 1; i < lf_nfc_unsafe_n; i++) assert_true(lf_nfc_unsafe[i - 1].hi < lf_nfc_unsafe[i].lo);
    assert_true(lf_nfc_unsafe[0].lo >= 0x300); /* the quick check skips lead bytes below 0xCC */
    for (size_t i = 1; i < lf_nfc_comp_n; i++) {
        const lf_nfc_triple *x = &lf_nfc_decomp[lf_nfc_comp[i - 1]], *y = &lf_nfc_decomp[lf_nfc_comp[i]];
        assert_true(x->a < y->a || (x->a == y->a && x->b < y->b));
        assert_true(y->b != 0);
    }
    size_t longest = 0;
    for (size_t i = 0; i < lf_nfc_decomp_n; i++) {
        size_t l = full_len(lf_nfc_decomp[i].cp, 0);
        if (l > longest) longest = l;
    }
    assert_true(longest <= 4); /* nfc.c sizes its scratch at 4 code points per byte */
    assert_true(longest >= 3);
}

/* "0044 0307;1E0A;..." field -> UTF-8 */
static size_t field_utf8(const char *f, const char *end, char *out) {
    size_t n = 0;
    while (f < end) {
        char *e;
        unsigned long cp = strtoul(f, &e, 16);
        if (e == f) break;
        n += lf_utf8_encode((uint32_t)cp, (uint8_t *)out + n);
        f = e;
        while (f < end && *f == ' ') f++;
    }
    return n;
}

static void expect_nfc(lf_nfc_work *w, const char *in, size_t n_in, const char *want, size_t n_want, size_t line,
                       size_t *bad) {
    const uint8_t *out;
    size_t n;
    assert_int_equal(lf_nfc((const uint8_t *)in, n_in, w, &out, &n), LFMRT_OK);
    if (n != n_want || memcmp(out, want, n) != 0) {
        if (*bad < 10) fprintf(stderr, "NormalizationTest line %zu: NFC mismatch\n", line);
        (*bad)++;
    }
}

static void test_normalization_test(void **state) {
    (void)state;
    FILE *f = fopen("/usr/share/unicode/NormalizationTest.txt", "r");
    bool piped = false;
    if (!f) {
        FILE *probe = fopen("/usr/share/unicode/NormalizationTest.txt.bz2", "r");
        if (!probe) {
            fprintf(stderr, "SKIP: /usr/share/unicode/NormalizationTest.txt(.bz2) not installed\n");
            skip();
        }
        fclose(probe);
        f = popen("bzcat /usr/share/unicode/NormalizationTest.txt.bz2 2>/dev/null", "r");
        piped = true;
    }
    assert_non_null(f);
    uint8_t *listed = calloc(0x110000, 1);
    assert_non_null(listed);
    char line[1024], c[5][256];
    size_t nc[5], lines = 0, tests = 0, bad = 0, lineno = 0;
    int part = -1;
    lf_nfc_work w = {0};
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '@') {
            part = atoi(line + 5);
            continue;
        }
        if (line[0] == '#' || line[0] == '\n') continue;
        const char *p = line;
        int k = 0;
        for (; k < 5; k++) {
            const char *semi = strchr(p, ';');
            if (!semi) break;
            nc[k] = field_utf8(p, semi, c[k]);
            p = semi + 1;
        }
        assert_int_equal(k, 5);
        if (part == 1) listed[strtoul(line, NULL, 16)] = 1;
        for (int i = 0; i < 3; i++) expect_nfc(&w, c[i], nc[i], c[1], nc[1], lineno, &bad);
        for (int i = 3; i < 5; i++) expect_nfc(&w, c[i], nc[i], c[3], nc[3], lineno, &bad);
        lines++;
        tests += 5;
    }
    if (piped) pclose(f);
    else fclose(f);
    /* Part 1: every code point it does not list is its own NFC */
    size_t invariant = 0;
    for (uint32_t cp = 1; cp < 0x110000; cp++) {
        if ((cp >= 0xD800 && cp <= 0xDFFF) || listed[cp]) continue;
        char u[4];
        size_t n = lf_utf8_encode(cp, (uint8_t *)u);
        expect_nfc(&w, u, n, u, n, 0, &bad);
        invariant++;
    }
    lf_nfc_work_free(&w);
    free(listed);
    fprintf(stderr, "NormalizationTest: %zu lines, %zu NFC checks, %zu invariant code points, %zu failures\n", lines,
            tests, invariant, bad);
    assert_true(lines > 19000);
    assert_int_equal(bad, 0);
}

/* src/tokenizer/nfc_data.c is what tools/gen_nfc_tables.sh makes of the installed UCD, when that is the
 * version it was generated from (the repository root is found from this file's path). */
static void test_tables_fresh(void **state) {
    (void)state;
    const char *me = __FILE__, *cut = strstr(me, "tests/tokenizer/test_nfc.c");
    FILE *rd = fopen("/usr/share/unicode/ReadMe.txt", "r");
    char buf[4096] = "";
    if (rd) {
        size_t n = fread(buf, 1, sizeof buf - 1, rd);
        buf[n] = 0;
        fclose(rd);
    }
    if (me[0] != '/' || !cut || !strstr(buf, "Version 15.0.0")) {
        fprintf(stderr, "SKIP: no UCD 15.0.0 or no absolute source path; nfc_data.c freshness not checked\n");
        skip();
    }
    char cmd[2048];
    int root = (int)(cut - me);
    snprintf(cmd, sizeof cmd, "bash %.*stools/gen_nfc_tables.sh | cmp -s - %.*ssrc/tokenizer/nfc_data.c", root, me, root,
             me);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_fast_path),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_normalization_test),
        cmocka_unit_test(test_tables_fresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
