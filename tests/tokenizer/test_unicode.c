/* tests/tokenizer/test_unicode.c - code point classes (against facts from the Unicode Character Database
 * and llama.cpp's tables), UTF-8 decoding with llama.cpp's invalid-byte policy, encoding, validation and
 * the GPT-2 byte alphabet. */
#include <string.h>

#include "testutil.h"
#include "tokenizer/unicode.h"

enum { L = LF_UCD_LETTER, N = LF_UCD_NUMBER, Z = LF_UCD_SEPARATOR, M = LF_UCD_MARK, P = LF_UCD_PUNCTUATION,
       S = LF_UCD_SYMBOL, C = LF_UCD_CONTROL, U = LF_UCD_UNDEFINED, W = LF_UCD_WHITESPACE };

static void test_classes(void **state) {
    (void)state;
    static const struct { uint32_t cp; uint16_t flags; } k[] = {
        {'A', L}, {'z', L}, {'0', N}, {'9', N}, {' ', Z | W}, {'\t', C | W}, {'\n', C | W}, {'\r', C | W},
        {0x0B, C | W}, {0x0C, C | W}, {0x00, C}, {0x1F, C}, {0x7F, C}, {0x85, C | W}, {0xA0, Z | W},
        {'!', P}, {'\'', P}, {'_', P}, {'$', S}, {'+', S}, {'`', S}, {'|', S}, {0xAD, C} /* soft hyphen Cf */,
        {0xB2, N} /* superscript two */, {0xBD, N} /* one half */, {0xB5, L} /* micro sign */, {0xD7, S},
        {0x0301, M} /* combining acute */, {0x0378, U}, {0x1680, Z | W}, {0x180E, C}, {0x2000, Z | W},
        {0x200A, Z | W}, {0x200B, C} /* zero width space: not White_Space */, {0x200D, C}, {0x2028, Z | W},
        {0x2029, Z | W}, {0x202F, Z | W}, {0x205F, Z | W}, {0x2026, P}, {0x20AC, S}, {0x2160, N} /* Nl */,
        {0x3000, Z | W}, {0x3001, P}, {0x3042, L}, {0x4E00, L}, {0x9FFF, L}, {0xAC00, L}, {0xD7A3, L},
        {0xD800, C} /* surrogate */, {0xE000, C} /* private use */, {0xFE0F, M} /* variation selector */,
        {0xFFFD, S}, {0xFFFF, U}, {0x1F600, S}, {0x1F3FB, S} /* skin tone modifier */, {0x1F1EB, S},
        {0x20000, L}, {0x2EBF0, L} /* CJK Ext. I, Unicode 15.1 */, {0x2EE5D, L}, {0x2EE5E, U},
        {0x2FFC, S} /* 15.1 */, {0x31EF, S} /* 15.1 */, {0xE0001, C}, {0xF0000, C}, {0x10FFFD, C},
        {0x10FFFF, U}, {0x110000, U}, {0xFFFFFFFF, U},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        uint16_t f = lf_ucd_flags(k[i].cp);
        if (f != k[i].flags) fail_msg("U+%04X: flags 0x%03x, want 0x%03x", k[i].cp, f, k[i].flags);
    }
}

/* Unicode White_Space has exactly 25 code points; every code point has exactly one category bit. */
static void test_whole_table(void **state) {
    (void)state;
    size_t ws = 0, letters = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        uint16_t f = lf_ucd_flags(cp);
        uint16_t cat = f & LF_UCD_CATEGORY_MASK;
        assert_true(cat && !(cat & (cat - 1)));
        assert_int_equal(f & ~(LF_UCD_CATEGORY_MASK | LF_UCD_WHITESPACE), 0);
        ws += (f & W) != 0;
        letters += (f & L) != 0;
    }
    assert_int_equal(ws, 25);
    assert_true(letters > 130000 && letters < 140000); /* 15.1 has 136,xxx letters (Ext. I included) */
    assert_int_equal(lf_ucd_ranges[0] >> 10, 0);
    assert_int_equal(lf_ucd_ranges[lf_ucd_n_ranges - 1] >> 10, 0x110000);
    for (size_t i = 1; i < lf_ucd_n_ranges; i++) {
        assert_true((lf_ucd_ranges[i] >> 10) > (lf_ucd_ranges[i - 1] >> 10));
        if (i + 1 < lf_ucd_n_ranges) assert_int_not_equal(lf_ucd_ranges[i] & 0x3FF, lf_ucd_ranges[i - 1] & 0x3FF);
    }
}

static void test_decode(void **state) {
    (void)state;
    static const struct { const char *s; size_t n; uint32_t cp; size_t len; } k[] = {
        {"A", 1, 'A', 1},
        {"\xc3\xa9", 2, 0xE9, 2},
        {"\xe6\x97\xa5", 3, 0x65E5, 3},
        {"\xf0\x9f\x99\x82", 4, 0x1F642, 4},
        {"\x80", 1, 0xFFFD, 1},             /* stray continuation byte */
        {"\xbf\x80", 2, 0xFFFD, 1},
        {"\xc3", 1, 0xFFFD, 1},             /* cut short */
        {"\xc3\x41", 2, 0xFFFD, 1},         /* not followed by a continuation byte */
        {"\xe6\x97", 2, 0xFFFD, 1},
        {"\xf0\x9f\x99", 3, 0xFFFD, 1},
        {"\xc0\x80", 2, 0x0000, 2},         /* overlong: accepted, as llama.cpp does */
        {"\xc1\xbf", 2, 0x7F, 2},
        {"\xed\xa0\x80", 3, 0xD800, 3},     /* surrogate: accepted */
        {"\xf4\x90\x80\x80", 4, 0x110000, 4}, /* beyond U+10FFFF: accepted */
        {"\xf7\xbf\xbf\xbf", 4, 0x1FFFFF, 4},
        {"\xf8\x88\x80\x80\x80", 5, 0xFFFD, 1},
        {"\xff", 1, 0xFFFD, 1},
        {"\x00", 1, 0, 1},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        size_t len = 99;
        uint32_t cp = lf_utf8_decode((const uint8_t *)k[i].s, k[i].n, &len);
        if (cp != k[i].cp || len != k[i].len)
            fail_msg("case %zu: got U+%04X/%zu, want U+%04X/%zu", i, cp, len, k[i].cp, k[i].len);
    }
}

static void test_encode(void **state) {
    (void)state;
    uint8_t b[4];
    assert_int_equal(lf_utf8_encode('x', b), 1);
    assert_int_equal(b[0], 'x');
    assert_int_equal(lf_utf8_encode(0xE9, b), 2);
    assert_memory_equal(b, "\xc3\xa9", 2);
    assert_int_equal(lf_utf8_encode(0x65E5, b), 3);
    assert_memory_equal(b, "\xe6\x97\xa5", 3);
    assert_int_equal(lf_utf8_encode(0x1F642, b), 4);
    assert_memory_equal(b, "\xf0\x9f\x99\x82", 4);
    assert_int_equal(lf_utf8_encode(0x110000, b), 3); /* not encodable: U+FFFD */
    assert_memory_equal(b, "\xef\xbf\xbd", 3);
    assert_int_equal(lf_utf8_len(0x7F), 1);
    assert_int_equal(lf_utf8_len(0x80), 2);
    assert_int_equal(lf_utf8_len(0x800), 3);
    assert_int_equal(lf_utf8_len(0x10FFFF), 4);
    assert_int_equal(lf_utf8_len(0x110000), 3);
    /* decode(encode(cp)) == cp over the whole range */
    for (uint32_t cp = 0; cp < 0x110000; cp += 7) {
        size_t n = lf_utf8_encode(cp, b), len;
        assert_int_equal(lf_utf8_decode(b, n, &len), cp);
        assert_int_equal(len, n);
    }
    assert_int_equal(lf_utf8_seq_len(0x41), 1);
    assert_int_equal(lf_utf8_seq_len(0x80), 1);
    assert_int_equal(lf_utf8_seq_len(0xC3), 2);
    assert_int_equal(lf_utf8_seq_len(0xE6), 3);
    assert_int_equal(lf_utf8_seq_len(0xF0), 4);
    assert_int_equal(lf_utf8_seq_len(0xFF), 4);
}

static void test_valid(void **state) {
    (void)state;
    assert_true(lf_utf8_valid((const uint8_t *)"", 0));
    assert_true(lf_utf8_valid((const uint8_t *)"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x99\x82", 14));
    assert_false(lf_utf8_valid((const uint8_t *)"\xc0\x80", 2));         /* overlong */
    assert_false(lf_utf8_valid((const uint8_t *)"\xe0\x80\x80", 3));     /* overlong */
    assert_false(lf_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
    assert_false(lf_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(lf_utf8_valid((const uint8_t *)"\xe6\x97", 2));         /* cut short */
    assert_false(lf_utf8_valid((const uint8_t *)"\x80", 1));
    assert_true(lf_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4));
}

/* GPT-2's bytes_to_unicode: a bijection; printable bytes map to themselves, the rest to U+0100.. */
static void test_byte_alphabet(void **state) {
    (void)state;
    uint8_t seen[0x200] = {0};
    for (int b = 0; b < 256; b++) {
        uint32_t cp = lf_byte_to_cp((uint8_t)b);
        assert_true(cp < 0x144);
        assert_int_equal(seen[cp], 0);
        seen[cp] = 1;
        assert_int_equal(lf_cp_to_byte(cp), b);
    }
    assert_int_equal(lf_byte_to_cp(' '), 0x120);  /* Ġ */
    assert_int_equal(lf_byte_to_cp('\n'), 0x10A); /* Ċ */
    assert_int_equal(lf_byte_to_cp('\t'), 0x109); /* ĉ */
    assert_int_equal(lf_byte_to_cp(0x00), 0x100);
    assert_int_equal(lf_byte_to_cp(0x7F), 0x121);
    assert_int_equal(lf_byte_to_cp(0xA0), 0x142);
    assert_int_equal(lf_byte_to_cp(0xAD), 0x143);
    assert_int_equal(lf_byte_to_cp('a'), 'a');
    assert_int_equal(lf_byte_to_cp(0xE9), 0xE9);
    assert_int_equal(lf_cp_to_byte(0x20), -1);
    assert_int_equal(lf_cp_to_byte(0xAD), -1);
    assert_int_equal(lf_cp_to_byte(0x144), -1);
    assert_int_equal(lf_cp_to_byte(0x4E00), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),  cmocka_unit_test(test_whole_table), cmocka_unit_test(test_decode),
        cmocka_unit_test(test_encode),   cmocka_unit_test(test_valid),       cmocka_unit_test(test_byte_alphabet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
