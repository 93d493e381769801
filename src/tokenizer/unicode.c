/* tokenizer/unicode.c - code point classes, UTF-8 and the GPT-2 byte alphabet (see unicode.h).
 * References: Unicode UAX #44 (general categories, White_Space); GPT-2 encoder.py bytes_to_unicode();
 * llama.cpp src/unicode.cpp for the invalid-byte policy of its UTF-8 decoder. */
#include "tokenizer/unicode.h"

#define LF_UCD_START(e) ((e) >> 10)
#define LF_UCD_FLAGS(e) ((uint16_t)((e) & 0x3FFu))

uint16_t lf_ucd_flags(uint32_t cp) {
    if (cp >= 0x110000u) return LF_UCD_UNDEFINED;
    /* largest entry with start <= cp; entry 0 starts at 0 and the sentinel at 0x110000 > cp */
    size_t lo = 0, hi = lf_ucd_n_ranges - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (LF_UCD_START(lf_ucd_ranges[mid]) <= cp) lo = mid;
        else hi = mid;
    }
    return LF_UCD_FLAGS(lf_ucd_ranges[lo]);
}

static bool is_cont(uint8_t b) { return (b & 0xC0u) == 0x80u; }

uint32_t lf_utf8_decode(const uint8_t *s, size_t n, size_t *len) {
    uint8_t b = s[0];
    *len = 1;
    if (b < 0x80u) return b;
    if (!(b & 0x40u)) return LF_UTF8_REPLACEMENT;           /* stray continuation byte */
    if (!(b & 0x20u)) {
        if (n < 2 || !is_cont(s[1])) return LF_UTF8_REPLACEMENT;
        *len = 2;
        return ((uint32_t)(b & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    if (!(b & 0x10u)) {
        if (n < 3 || !is_cont(s[1]) || !is_cont(s[2])) return LF_UTF8_REPLACEMENT;
        *len = 3;
        return ((uint32_t)(b & 0x0Fu) << 12) | ((uint32_t)(s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    }
    if (!(b & 0x08u)) {
        if (n < 4 || !is_cont(s[1]) || !is_cont(s[2]) || !is_cont(s[3])) return LF_UTF8_REPLACEMENT;
        *len = 4;
        return ((uint32_t)(b & 0x07u) << 18) | ((uint32_t)(s[1] & 0x3Fu) << 12) |
               ((uint32_t)(s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    }
    return LF_UTF8_REPLACEMENT;                             /* F8..FF */
}

size_t lf_utf8_len(uint32_t cp) {
    if (cp < 0x80u) return 1;
    if (cp < 0x800u) return 2;
    if (cp < 0x10000u) return 3;
    if (cp < 0x110000u) return 4;
    return 3;
}

size_t lf_utf8_encode(uint32_t cp, uint8_t *out) {
    if (cp >= 0x110000u) cp = LF_UTF8_REPLACEMENT;
    if (cp < 0x80u) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (uint8_t)(0xC0u | (cp >> 6));
        out[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (uint8_t)(0xE0u | (cp >> 12));
        out[1] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (uint8_t)(0xF0u | (cp >> 18));
    out[1] = (uint8_t)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
    return 4;
}

size_t lf_utf8_seq_len(uint8_t lead) {
    static const uint8_t by_high_nibble[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return by_high_nibble[lead >> 4];
}

bool lf_utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t k;
        uint32_t cp, min;
        if (b < 0x80u) { i++; continue; }
        if (b >= 0xC2u && b <= 0xDFu) { k = 1; cp = b & 0x1Fu; min = 0x80u; }
        else if (b >= 0xE0u && b <= 0xEFu) { k = 2; cp = b & 0x0Fu; min = 0x800u; }
        else if (b >= 0xF0u && b <= 0xF4u) { k = 3; cp = b & 0x07u; min = 0x10000u; }
        else return false;
        if (n - i <= k) return false;
        for (size_t j = 1; j <= k; j++) {
            if (!is_cont(s[i + j])) return false;
            cp = (cp << 6) | (s[i + j] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return false;
        i += k + 1;
    }
    return true;
}

/* GPT-2's alphabet keeps '!'..'~', 0xA1..0xAC and 0xAE..0xFF as themselves; the remaining 68 bytes
 * (0x00-0x20, 0x7F-0xA0, 0xAD) take U+0100 + their rank among those bytes. */
static bool byte_is_self(uint32_t b) {
    return (b >= 0x21u && b <= 0x7Eu) || (b >= 0xA1u && b <= 0xACu) || (b >= 0xAEu && b <= 0xFFu);
}

uint32_t lf_byte_to_cp(uint8_t b) {
    if (byte_is_self(b)) return b;
    if (b <= 0x20u) return 0x100u + b;                 /* 0x00..0x20 -> 0..32 */
    if (b <= 0xA0u) return 0x100u + 33u + (b - 0x7Fu); /* 0x7F..0xA0 -> 33..66 */
    return 0x100u + 67u;                               /* 0xAD */
}

int lf_cp_to_byte(uint32_t cp) {
    if (cp < 0x100u) return byte_is_self(cp) ? (int)cp : -1;
    if (cp > 0x100u + 67u) return -1;
    uint32_t r = cp - 0x100u;
    if (r <= 32u) return (int)r;
    if (r <= 66u) return (int)(0x7Fu + (r - 33u));
    return 0xAD;
}
