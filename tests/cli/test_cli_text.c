/* tests/cli/test_cli_text.c - the CLI's text plumbing: the UTF-8-safe stream (split sequences held back,
 * invalid bytes replaced), JSON string escaping and numbers, strict number and list parsing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "json_out.h"
#include "testutil.h"
#include "utf8_stream.h"

typedef struct collect {
    char buf[256];
    size_t n;
    int calls;
} collect;

static void coll(void *user, const char *p, size_t n) {
    collect *c = user;
    assert_true(c->n + n < sizeof c->buf);
    memcpy(c->buf + c->n, p, n);
    c->n += n;
    c->buf[c->n] = '\0';
    c->calls++;
}

static void test_utf8_split_sequences(void **state) {
    (void)state;
    collect c = {{0}, 0, 0};
    cli_utf8 u;
    cli_utf8_init(&u, coll, &c);
    const char *euro = "\xE2\x82\xAC"; /* U+20AC, 3 bytes */
    cli_utf8_feed(&u, "a", 1);
    cli_utf8_feed(&u, euro, 1);
    assert_string_equal(c.buf, "a"); /* incomplete: held back */
    cli_utf8_feed(&u, euro + 1, 1);
    assert_string_equal(c.buf, "a");
    cli_utf8_feed(&u, euro + 2, 1);
    assert_string_equal(c.buf, "a\xE2\x82\xAC");
    /* a 4-byte emoji split 2 + 2, with ASCII around it */
    cli_utf8_feed(&u, "b\xF0\x9F", 3);
    assert_string_equal(c.buf, "a\xE2\x82\xAC" "b");
    cli_utf8_feed(&u, "\x98\x80" "c", 3);
    cli_utf8_flush(&u);
    assert_string_equal(c.buf, "a\xE2\x82\xAC" "b\xF0\x9F\x98\x80" "c");
}

static void test_utf8_invalid(void **state) {
    (void)state;
    const char *R = "\xEF\xBF\xBD";
    struct {
        const char *in;
        size_t n;
        const char *out;
    } cases[] = {
        {"\x80", 1, "\xEF\xBF\xBD"},                         /* stray continuation */
        {"\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},         /* overlong lead C0 */
        {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* surrogate */
        {"\xE2\x82" "x", 3, "\xEF\xBF\xBD" "x"},             /* broken sequence, next byte kept */
        {"\xF5\x80", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},         /* above U+10FFFF */
        {"ok\xFF", 3, "ok\xEF\xBF\xBD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collect c = {{0}, 0, 0};
        cli_utf8 u;
        cli_utf8_init(&u, coll, &c);
        cli_utf8_feed(&u, cases[i].in, cases[i].n);
        cli_utf8_flush(&u);
        assert_string_equal(c.buf, cases[i].out);
    }
    /* incomplete at the end: flush gives one replacement */
    collect c = {{0}, 0, 0};
    cli_utf8 u;
    cli_utf8_init(&u, coll, &c);
    cli_utf8_feed(&u, "z\xF0\x9F\x98", 4);
    assert_string_equal(c.buf, "z");
    cli_utf8_flush(&u);
    assert_int_equal(c.n, 1 + 3);
    assert_memory_equal(c.buf + 1, R, 3);
}

static char *to_string(void (*fn)(FILE *, const void *), const void *arg) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, arg);
    fclose(f);
    return buf;
}

static void w_str(FILE *f, const void *arg) { json_cstr(f, arg); }
static void w_raw(FILE *f, const void *arg) {
    const char *s = arg;
    json_str(f, s, 5); /* "a\0b\xC3\xA9" */
}
static void w_num(FILE *f, const void *arg) { json_num(f, *(const double *)arg); }

static void test_json_strings(void **state) {
    (void)state;
    char *s = to_string(w_str, "he said \"hi\"\\\n\t\x01 \xC3\xA9");
    assert_string_equal(s, "\"he said \\\"hi\\\"\\\\\\n\\t\\u0001 \xC3\xA9\"");
    free(s);
    s = to_string(w_raw, "a\0b\xC3\xA9");
    assert_string_equal(s, "\"a\\u0000b\xC3\xA9\"");
    free(s);
    s = to_string(w_str, "bad \xFF end");
    assert_string_equal(s, "\"bad \xEF\xBF\xBD end\"");
    free(s);
    s = to_string(w_str, NULL);
    assert_string_equal(s, "null");
    free(s);
}

static void test_json_numbers(void **state) {
    (void)state;
    double v = -2.218312345678;
    char *s = to_string(w_num, &v);
    assert_string_equal(s, "-2.218312");
    free(s);
    v = -INFINITY;
    s = to_string(w_num, &v);
    assert_string_equal(s, "null");
    free(s);
    v = NAN;
    s = to_string(w_num, &v);
    assert_string_equal(s, "null");
    free(s);
}

static void test_parse_numbers(void **state) {
    (void)state;
    long l;
    assert_true(cli_parse_long("42", &l) && l == 42);
    assert_true(cli_parse_long("-7", &l) && l == -7);
    assert_false(cli_parse_long("", &l));
    assert_false(cli_parse_long("12abc", &l));
    assert_false(cli_parse_long("99999999999999999999999", &l));
    double d;
    assert_true(cli_parse_double("0.25", &d) && d == 0.25);
    assert_false(cli_parse_double("0.2x", &d));
    assert_false(cli_parse_double("nan", &d));
    assert_false(cli_parse_double("inf", &d));
}

static void test_parse_int_list(void **state) {
    (void)state;
    int64_t *v;
    size_t n;
    const char *bad;
    assert_true(cli_parse_int_list("1,80, 109 -1", &v, &n, &bad));
    assert_int_equal(n, 4);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[2], 109);
    assert_int_equal(v[3], -1);
    free(v);
    assert_false(cli_parse_int_list("1,x,3", &v, &n, &bad));
    assert_int_equal(*bad, 'x');
    assert_false(cli_parse_int_list("1,2.5", &v, &n, &bad));
    assert_false(cli_parse_int_list(" , ", &v, &n, &bad)); /* empty */
}

static void test_args_iteration(void **state) {
    (void)state;
    char *argv[] = {"run", "-m", "f.gguf", "--temp=0.5", "--json", "pos", "--", "--not-an-option"};
    cli_args a;
    cli_args_init(&a, "run", 8, argv, 1);
    assert_int_equal(cli_args_next(&a), CLI_OPT);
    assert_true(cli_is(&a, "-m", "--model"));
    const char *m = NULL;
    assert_int_equal(cli_val_str(&a, &m), CLI_OK);
    assert_string_equal(m, "f.gguf");
    assert_int_equal(cli_args_next(&a), CLI_OPT);
    assert_true(cli_is(&a, NULL, "--temp"));
    float t = 0;
    assert_int_equal(cli_val_float(&a, 0.0, 10.0, &t), CLI_OK);
    assert_float_equal(t, 0.5f, 1e-7);
    assert_int_equal(cli_args_next(&a), CLI_OPT);
    bool j = false;
    assert_int_equal(cli_flag(&a, &j), CLI_OK);
    assert_true(j);
    assert_int_equal(cli_args_next(&a), CLI_POS);
    assert_string_equal(a.arg, "pos");
    assert_int_equal(cli_args_next(&a), CLI_POS); /* after "--" */
    assert_string_equal(a.arg, "--not-an-option");
    assert_int_equal(cli_args_next(&a), CLI_END);

    /* errors: missing value, out of range, value on a flag */
    char *bad[] = {"run", "-n", "--ctx", "0", "--json=1"};
    cli_args_init(&a, "run", 2, bad, 1);
    cli_args_next(&a);
    int n = 0;
    assert_int_equal(cli_val_int(&a, 0, 10, &n), CLI_USAGE);
    cli_args_init(&a, "run", 4, bad, 2);
    cli_args_next(&a);
    assert_int_equal(cli_val_int(&a, 1, 10, &n), CLI_USAGE);
    cli_args_init(&a, "run", 5, bad, 4);
    cli_args_next(&a);
    assert_int_equal(cli_flag(&a, &j), CLI_USAGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_split_sequences), cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_json_strings),         cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_parse_numbers),        cmocka_unit_test(test_parse_int_list),
        cmocka_unit_test(test_args_iteration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
