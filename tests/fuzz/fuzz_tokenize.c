/* tests/fuzz/fuzz_tokenize.c - libFuzzer target for the tokenizer (tokenizer/vocab.h).
 * Input byte 0 picks the mode:
 *   even: the rest is text, tokenized with a fixed synthetic 4096-token vocabulary under the pre-tokenizer
 *         and parse_special chosen by byte 0; every id must be in range, and the ids decode (byte by byte
 *         and through the streaming detokenizer) without error; the stream is well-formed UTF-8.
 *   odd:  the rest is a vocabulary: "\n"-separated lines, the first 300 token texts (each prefixed by one
 *         type byte), then merges; built (any status is fine), then the text "hello <|x|> world" and the
 *         input itself are tokenized with it.
 * Build: CC=clang cmake -S . -B build-fuzz -DLFMRT_FUZZ=ON; run: build-fuzz/tests/fuzz_tokenize */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/genvocab.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

static const char *const k_pre[] = {"lfm2", "qwen2", "gpt-2", "default"};

static lf_vocab *fixed_vocab(int which) {
    static lf_vocab *v[4];
    if (!v[which]) {
        lf_genvocab gv;
        lfmrt_err e;
        if (lf_genvocab_build(4096, 1, &gv, &e)) abort();
        lf_str *t = malloc(gv.n_tokens * sizeof *t), *m = malloc(gv.n_merges * sizeof *m);
        for (size_t i = 0; i < gv.n_tokens; i++) t[i] = (lf_str){gv.tokens[i], strlen(gv.tokens[i])};
        for (size_t i = 0; i < gv.n_merges; i++) m[i] = (lf_str){gv.merges[i], strlen(gv.merges[i])};
        lf_vocab_spec s;
        lf_vocab_spec_init(&s);
        s.model = (lf_str){"gpt2", 4};
        s.pre = (lf_str){k_pre[which], strlen(k_pre[which])};
        s.n_tokens = gv.n_tokens;
        s.tokens = t;
        s.types = gv.types;
        s.n_merges = gv.n_merges;
        s.merges = m;
        if (lf_vocab_build(&s, &v[which], &e)) abort();
        free(t);
        free(m);
        lf_genvocab_free(&gv);
    }
    return v[which];
}

static void tokenize_and_check(const lf_vocab *v, const uint8_t *s, size_t n, bool special) {
    size_t cap = n * 3 + 8, k;
    int32_t *ids = malloc(cap * sizeof *ids);
    if (lf_vocab_tokenize(v, (const char *)s, n, special, ids, cap, &k, NULL) != LFMRT_OK) abort();
    size_t total = 0;
    for (size_t i = 0; i < k; i++) {
        if (ids[i] < 0 || ids[i] >= lf_vocab_n_tokens(v)) abort();
        int r = lf_vocab_token_bytes(v, ids[i], special, NULL, 0);
        if (r < 0) abort();
        total += (size_t)r;
    }
    size_t cap_out = total * 3 + 16; /* every byte may become a 3-byte U+FFFD */
    char *out = malloc(cap_out);
    size_t o = 0;
    lf_detok d;
    lf_detok_init(&d);
    for (size_t i = 0; i < k; i++) {
        int w = lf_detok_push(&d, v, ids[i], special, out + o, cap_out - o);
        if (w < 0) abort();
        o += (size_t)w;
    }
    int w = lf_detok_flush(&d, out + o, cap_out - o);
    if (w < 0 || !lf_utf8_valid((const uint8_t *)out, o + (size_t)w)) abort();
    free(out);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t mode = data[0];
    const uint8_t *s = data + 1;
    size_t n = size - 1;
    if (!(mode & 1)) {
        tokenize_and_check(fixed_vocab((mode >> 1) & 3), s, n, (mode >> 3) & 1);
        return 0;
    }
    lf_str tok[300], merge[512];
    int32_t type[300];
    size_t nt = 0, nm = 0;
    for (size_t at = 0; at < n;) {
        const uint8_t *nl = memchr(s + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (s + at)) : n - at;
        if (nt < 300 && len >= 1) {
            type[nt] = s[at] % 8;
            tok[nt++] = (lf_str){(const char *)s + at + 1, len - 1};
        } else if (nm < 512) {
            merge[nm++] = (lf_str){(const char *)s + at, len};
        }
        at += len + 1;
    }
    lf_vocab_spec sp;
    lf_vocab_spec_init(&sp);
    sp.model = (lf_str){"gpt2", 4};
    sp.pre = (lf_str){k_pre[(mode >> 1) & 3], strlen(k_pre[(mode >> 1) & 3])};
    sp.n_tokens = nt;
    sp.tokens = tok;
    sp.types = type;
    sp.n_merges = nm;
    sp.merges = merge;
    sp.ids[LF_SP_EOS] = (int64_t)(mode >> 4) - 2;
    lf_vocab *v = NULL;
    lfmrt_err e;
    if (lf_vocab_build(&sp, &v, &e) == LFMRT_OK) {
        tokenize_and_check(v, (const uint8_t *)"hello <|x|> world", 17, true);
        tokenize_and_check(v, s, n, (mode >> 3) & 1);
        lf_vocab_destroy(v);
    }
    return 0;
}
