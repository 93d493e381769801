/* tokenizer/pretok.c - the BPE pre-tokenizers (see pretok.h for the regexes and the quirks kept).
 *
 * Each splitter walks one span [ini, end) of code points left to right; at every position it tries the
 * regex alternatives in order and cuts a piece where the chosen alternative stops. Outside the span a
 * position has no code point (NONE) and no class bits (0), which is how lookaheads see the span's end.
 */
#include "tokenizer/pretok.h"

#include <stdbool.h>

#include "tokenizer/unicode.h"

#define NONE 0xFFFFFFFFu
#define WS LF_UCD_WHITESPACE
#define LET LF_UCD_LETTER
#define NUM LF_UCD_NUMBER

typedef struct span {
    const uint32_t *cp;
    const uint16_t *fl;
    size_t ini, end; /* the code points this pass may look at */
    uint32_t *out;   /* piece ends are appended here */
    size_t n_out;
} span;

static uint32_t cp_at(const span *s, size_t pos) { return pos >= s->ini && pos < s->end ? s->cp[pos] : NONE; }
static uint16_t fl_at(const span *s, size_t pos) { return pos >= s->ini && pos < s->end ? s->fl[pos] : 0; }
static void cut(span *s, size_t end) { s->out[s->n_out++] = (uint32_t)end; }
static bool is_crlf(uint32_t c) { return c == '\r' || c == '\n'; }
/* ASCII folding is all (?i:...) needs here: no non-ASCII code point lowercases to s/t/m/d/r/v/e/l. */
static uint32_t fold(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Length of 's|'t|'re|'ve|'m|'ll|'d at pos (case-insensitive if icase), 0 if none. */
static size_t contraction(const span *s, size_t pos, bool icase) {
    if (cp_at(s, pos) != '\'' || pos + 1 >= s->end) return 0;
    uint32_t a = cp_at(s, pos + 1);
    if (icase) a = fold(a);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (pos + 2 >= s->end) return 0;
    uint32_t b = cp_at(s, pos + 2);
    if (icase) b = fold(b);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

/* Whitespace alternatives shared by all splitters; returns the piece end. crlf selects the LLAMA3/QWEN2
 * form that first tries \s*[\r\n]+ (up to the last CR/LF of the run). */
static size_t whitespace_end(const span *s, size_t pos, bool crlf) {
    size_t n = 0, last_crlf_end = 0;
    while (fl_at(s, pos + n) & WS) {
        if (crlf && is_crlf(cp_at(s, pos + n))) last_crlf_end = pos + n + 1;
        n++;
    }
    if (last_crlf_end > 0) return last_crlf_end;                 /* \s*[\r\n]+ */
    if (n > 1 && cp_at(s, pos + n) != NONE) return pos + n - 1;  /* \s+(?!\S) */
    if (n > 0) return pos + n;                                   /* \s+ */
    return pos + 1;                                              /* no alternative matched */
}

static void split_gpt2(span *s) {
    size_t pos = s->ini;
    while (pos < s->end) {
        uint32_t c = s->cp[pos];
        size_t k = contraction(s, pos, false);
        if (k) {
            pos += k;
            cut(s, pos);
            continue;
        }
        const size_t sp = c == ' ' ? 1 : 0;
        uint16_t f2 = fl_at(s, pos + sp); /* class after the optional leading space */
        if (f2 & (LET | NUM)) {           /* ` ?\p{L}+` and ` ?\p{N}+` */
            uint16_t want = (f2 & LET) ? LET : NUM;
            pos += sp;
            while (fl_at(s, pos) & want) pos++;
            cut(s, pos);
            continue;
        }
        if (f2 && !(f2 & WS)) { /* ` ?[^\s\p{L}\p{N}]+` */
            pos += sp;
            for (uint16_t f = fl_at(s, pos); f && !(f & (WS | LET | NUM)); f = fl_at(s, pos)) pos++;
            cut(s, pos);
            continue;
        }
        pos = whitespace_end(s, pos, false);
        cut(s, pos);
    }
}

/* LLAMA3 (max_digits 3) and QWEN2 (max_digits 1). */
static void split_llama3(span *s, size_t max_digits) {
    size_t pos = s->ini;
    while (pos < s->end) {
        uint32_t c = s->cp[pos];
        uint16_t f = s->fl[pos];
        size_t k = contraction(s, pos, true);
        if (k) {
            pos += k;
            cut(s, pos);
            continue;
        }
        /* [^\r\n\p{L}\p{N}]?\p{L}+ : a letter, or any one non-CR/LF non-number before a letter */
        if (!is_crlf(c) && !(f & NUM) && ((f & LET) || (fl_at(s, pos + 1) & LET))) {
            pos++;
            while (fl_at(s, pos) & LET) pos++;
            cut(s, pos);
            continue;
        }
        if (f & NUM) { /* \p{N}{1,max_digits}, repeatedly */
            size_t run = 0;
            while (fl_at(s, pos) & NUM) {
                pos++;
                if (++run == max_digits) {
                    cut(s, pos);
                    run = 0;
                }
            }
            if (run) cut(s, pos);
            continue;
        }
        /* ` ?[^\s\p{L}\p{N}]+[\r\n]*`; note a lone ' ' at the end of the span also lands here (the
         * class after it is empty), giving the piece " " */
        const size_t sp = c == ' ' ? 1 : 0;
        uint16_t f2 = fl_at(s, pos + sp);
        if (!(f2 & (WS | LET | NUM))) {
            pos += sp;
            for (uint16_t g = fl_at(s, pos); g && !(g & (WS | LET | NUM)); g = fl_at(s, pos)) pos++;
            while (is_crlf(cp_at(s, pos))) pos++;
            cut(s, pos);
            continue;
        }
        pos = whitespace_end(s, pos, true);
        cut(s, pos);
    }
}

/* DEFAULT chain, pass 1: [\p{P}\$\+<=>\^~\|]+ . llama.cpp runs it with std::regex on a text where each
 * non-ASCII code point is collapsed to one byte per class (whitespace first), so outside ASCII only
 * non-whitespace code points whose class is exactly PUNCTUATION match. In ASCII the set is every
 * printable non-alphanumeric except '`'. */
static bool in_punct_run(uint32_t c, uint16_t f) {
    if (c < 0x80u)
        return (c >= 0x21u && c <= 0x2Fu) || (c >= 0x3Au && c <= 0x40u) || (c >= 0x5Bu && c <= 0x5Fu) ||
               (c >= 0x7Bu && c <= 0x7Eu);
    return !(f & WS) && (f & LF_UCD_CATEGORY_MASK) == LF_UCD_PUNCTUATION;
}

/* DEFAULT chain, pass 3: \p{N}+ on the collapsed text: ASCII digits, or non-whitespace non-ASCII code
 * points whose class is exactly NUMBER. */
static bool in_number_run(uint32_t c, uint16_t f) {
    if (c < 0x80u) return c >= '0' && c <= '9';
    return !(f & WS) && (f & LF_UCD_CATEGORY_MASK) == LF_UCD_NUMBER;
}

/* A regex X+ splits a span into maximal runs of X and of not-X: cut wherever membership changes. */
static void split_runs(span *s, bool (*member)(uint32_t, uint16_t)) {
    bool cur = member(s->cp[s->ini], s->fl[s->ini]);
    for (size_t pos = s->ini + 1; pos < s->end; pos++) {
        bool m = member(s->cp[pos], s->fl[pos]);
        if (m != cur) {
            cut(s, pos);
            cur = m;
        }
    }
    cut(s, s->end);
}

/* DEFAULT chain, pass 4: [0-9][0-9][0-9], leftmost non-overlapping matches; text between matches stays
 * one piece. */
static bool ascii_digit(uint32_t c) { return c >= '0' && c <= '9'; }
static void split_digit_triples(span *s) {
    size_t prev = s->ini, pos = s->ini;
    while (pos + 3 <= s->end) {
        if (ascii_digit(s->cp[pos]) && ascii_digit(s->cp[pos + 1]) && ascii_digit(s->cp[pos + 2])) {
            if (pos > prev) cut(s, pos);
            pos += 3;
            cut(s, pos);
            prev = pos;
        } else {
            pos++;
        }
    }
    if (s->end > prev) cut(s, s->end);
}

enum pass { PASS_GPT2, PASS_LLAMA3, PASS_QWEN2, PASS_PUNCT, PASS_NUMBER, PASS_TRIPLES };

/* Applies one pass to each of the n_in pieces ending at in[] (starting at 0), appending to out. */
static size_t run_pass(enum pass p, const uint32_t *cps, const uint16_t *fl, const uint32_t *in, size_t n_in,
                       uint32_t *out) {
    span s = {cps, fl, 0, 0, out, 0};
    size_t start = 0;
    for (size_t i = 0; i < n_in; i++) {
        s.ini = start;
        s.end = in[i];
        switch (p) {
        case PASS_GPT2: split_gpt2(&s); break;
        case PASS_LLAMA3: split_llama3(&s, 3); break;
        case PASS_QWEN2: split_llama3(&s, 1); break;
        case PASS_PUNCT: split_runs(&s, in_punct_run); break;
        case PASS_NUMBER: split_runs(&s, in_number_run); break;
        case PASS_TRIPLES: split_digit_triples(&s); break;
        }
        start = in[i];
    }
    return s.n_out;
}

size_t lf_pretok_split(lf_pretok_kind kind, const uint32_t *cps, const uint16_t *fl, size_t n, uint32_t *ends,
                       uint32_t *scratch) {
    if (n == 0) return 0;
    uint32_t whole = (uint32_t)n;
    switch (kind) {
    case LF_PRETOK_GPT2: return run_pass(PASS_GPT2, cps, fl, &whole, 1, ends);
    case LF_PRETOK_LLAMA3: return run_pass(PASS_LLAMA3, cps, fl, &whole, 1, ends);
    case LF_PRETOK_QWEN2: return run_pass(PASS_QWEN2, cps, fl, &whole, 1, ends);
    case LF_PRETOK_DEFAULT: {
        size_t k = run_pass(PASS_PUNCT, cps, fl, &whole, 1, scratch);
        k = run_pass(PASS_GPT2, cps, fl, scratch, k, ends);
        k = run_pass(PASS_NUMBER, cps, fl, ends, k, scratch);
        return run_pass(PASS_TRIPLES, cps, fl, scratch, k, ends);
    }
    }
    return 0;
}
