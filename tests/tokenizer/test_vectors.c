/* tests/tokenizer/test_vectors.c - llama.cpp's own tokenizer test vectors on the real GPT-2 vocabulary
 * (shared/data/vectors/llamacpp/ggml-vocab-gpt-2.gguf + .inp/.out): every text must give exactly the ids
 * llama.cpp recorded. .inp holds the texts, each followed by "\n__ggml_vocab_test__\n"; .out has one
 * line of space-separated ids per text. Also checks the vocabulary's loaded properties, the round trip
 * ids -> bytes -> text, and that tokenization is thread-safe and fast enough for long prompts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/gguf.h"
#include "testutil.h"
#include "tokenizer/vocab.h"

#define SEP "\n__ggml_vocab_test__\n"

typedef struct vectors {
    char *inp, *out;
    char *text[64];
    size_t text_len[64];
    char *ids_line[64];
    size_t n;
} vectors;

static int load_vectors(const char *dir, const char *name, vectors *vs) {
    char p[1024];
    memset(vs, 0, sizeof *vs);
    snprintf(p, sizeof p, "%s/vectors/llamacpp/%s.inp", dir, name);
    size_t ni;
    vs->inp = lf_test_read_file(p, &ni);
    snprintf(p, sizeof p, "%s/vectors/llamacpp/%s.out", dir, name);
    vs->out = lf_test_read_file(p, NULL);
    if (!vs->inp || !vs->out) return -1;
    char *s = vs->inp;
    while (*s && vs->n < 64) {
        char *sep = strstr(s, SEP);
        size_t len = sep ? (size_t)(sep - s) : strlen(s);
        vs->text[vs->n] = s;
        vs->text_len[vs->n] = len;
        vs->n++;
        if (!sep) break;
        *sep = 0;
        s = sep + strlen(SEP);
    }
    char *o = vs->out;
    for (size_t i = 0; i < vs->n; i++) {
        vs->ids_line[i] = o;
        char *nl = strchr(o, '\n');
        if (!nl) return i + 1 == vs->n ? 0 : -1;
        *nl = 0;
        o = nl + 1;
    }
    return 0;
}

static size_t parse_ids(const char *line, int32_t *ids, size_t cap) {
    size_t n = 0;
    char *end;
    for (;;) {
        long v = strtol(line, &end, 10);
        if (end == line) break;
        if (n < cap) ids[n] = (int32_t)v;
        n++;
        line = end;
    }
    return n;
}

static lf_gguf *g_gguf;
static lf_vocab *g_vocab;
static vectors g_vs;

static int setup(void **state) {
    (void)state;
    const char *dir = lf_test_data_dir("GPT-2 tokenizer vectors");
    if (!dir) exit(LF_TEST_SKIP);
    char p[1024];
    snprintf(p, sizeof p, "%s/vectors/llamacpp/ggml-vocab-gpt-2.gguf", dir);
    lfmrt_err e = {0};
    if (lf_gguf_open(p, &g_gguf, &e) != LFMRT_OK) {
        fprintf(stderr, "open %s: %s\n", p, e.msg);
        return -1;
    }
    if (lf_vocab_load(g_gguf, &g_vocab, &e) != LFMRT_OK) {
        fprintf(stderr, "vocab: %s\n", e.msg);
        return -1;
    }
    return load_vectors(dir, "ggml-vocab-gpt-2.gguf", &g_vs);
}

static int teardown(void **state) {
    (void)state;
    lf_vocab_destroy(g_vocab);
    lf_gguf_close(g_gguf);
    free(g_vs.inp);
    free(g_vs.out);
    return 0;
}

static void test_properties(void **state) {
    (void)state;
    assert_int_equal(lf_vocab_n_tokens(g_vocab), 50257);
    assert_int_equal(lf_vocab_bos(g_vocab), 50256);
    assert_int_equal(lf_vocab_eos(g_vocab), 50256);
    assert_false(lf_vocab_add_bos(g_vocab)); /* gpt-2 pre-type: llama.cpp adds no BOS */
    assert_true(lf_vocab_is_eog(g_vocab, 50256));
    assert_false(lf_vocab_is_eog(g_vocab, 0));
    assert_int_equal(lf_vocab_token_type(g_vocab, 50256), LF_TOKT_CONTROL);
    assert_int_equal(lf_vocab_find(g_vocab, "\xc4\xa0the", 5), 262); /* "Ġthe" */
    size_t n;
    const char *t = lf_vocab_token_text(g_vocab, 262, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(t, "\xc4\xa0the", 5);
    assert_null(lf_vocab_token_text(g_vocab, 50257, &n));
    char buf[16];
    assert_int_equal(lf_vocab_token_bytes(g_vocab, 262, false, buf, sizeof buf), 4);
    assert_memory_equal(buf, " the", 4);
    assert_int_equal(lf_vocab_token_bytes(g_vocab, 50256, false, buf, sizeof buf), 0);
    assert_int_equal(lf_vocab_token_bytes(g_vocab, 50256, true, buf, sizeof buf), 13);
    assert_memory_equal(buf, "<|endoftext|>", 13);
}

static void test_llamacpp_vectors(void **state) {
    (void)state;
    assert_true(g_vs.n >= 40);
    size_t pass = 0;
    int32_t got[4096], want[4096];
    for (size_t i = 0; i < g_vs.n; i++) {
        size_t nw = parse_ids(g_vs.ids_line[i], want, 4096), ng = 0;
        lfmrt_err e = {0};
        /* llama.cpp's test-tokenizer-0 tokenizes with parse_special = false */
        assert_int_equal(lf_vocab_tokenize(g_vocab, g_vs.text[i], g_vs.text_len[i], false, got, 4096, &ng, &e),
                         LFMRT_OK);
        if (ng == nw && memcmp(got, want, nw * sizeof *got) == 0) {
            pass++;
            continue;
        }
        fprintf(stderr, "text %zu (%zu bytes): got %zu ids, want %zu\n  got: ", i, g_vs.text_len[i], ng, nw);
        for (size_t k = 0; k < ng && k < 40; k++) fprintf(stderr, "%d ", got[k]);
        fprintf(stderr, "\n  want: %s\n", g_vs.ids_line[i]);
    }
    fprintf(stderr, "gpt-2 vectors: %zu/%zu identical to llama.cpp\n", pass, g_vs.n);
    assert_int_equal(pass, g_vs.n);
}

/* Decoding the ids gives back the text (GPT-2 BPE is lossless on valid UTF-8). */
static void test_roundtrip(void **state) {
    (void)state;
    int32_t ids[4096];
    char buf[8192];
    for (size_t i = 0; i < g_vs.n; i++) {
        size_t n = 0, o = 0;
        assert_int_equal(lf_vocab_tokenize(g_vocab, g_vs.text[i], g_vs.text_len[i], false, ids, 4096, &n, NULL),
                         LFMRT_OK);
        for (size_t k = 0; k < n; k++) {
            int r = lf_vocab_token_bytes(g_vocab, ids[k], true, buf + o, sizeof buf - o);
            assert_true(r >= 0 && o + (size_t)r <= sizeof buf);
            o += (size_t)r;
        }
        assert_int_equal(o, g_vs.text_len[i]);
        assert_memory_equal(buf, g_vs.text[i], o);
    }
}

static void test_special_parse(void **state) {
    (void)state;
    const char *s = "a<|endoftext|>b";
    int32_t ids[16];
    size_t n;
    assert_int_equal(lf_vocab_tokenize(g_vocab, s, strlen(s), true, ids, 16, &n, NULL), LFMRT_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 64);    /* "a" */
    assert_int_equal(ids[1], 50256);
    assert_int_equal(ids[2], 65);    /* "b" */
    assert_int_equal(lf_vocab_tokenize(g_vocab, s, strlen(s), false, ids, 16, &n, NULL), LFMRT_OK);
    assert_true(n > 3); /* the control token's text is ordinary text without parse_special */
    for (size_t k = 0; k < n; k++) assert_int_not_equal(ids[k], 50256);
    /* too small a buffer: E_RANGE, the count needed, the first ids written */
    lfmrt_err e = {0};
    int32_t two[2];
    assert_int_equal(lf_vocab_tokenize(g_vocab, s, strlen(s), true, two, 2, &n, &e), LFMRT_E_RANGE);
    assert_int_equal(n, 3);
    assert_int_equal(two[1], 50256);
    assert_true(strlen(e.msg) > 0);
}

typedef struct job {
    const char *text;
    size_t len;
    int32_t *ids;
    size_t n;
    int rc;
} job;

static void *run_job(void *p) {
    job *j = p;
    j->rc = lf_vocab_tokenize(g_vocab, j->text, j->len, true, j->ids, 1u << 20, &j->n, NULL);
    return NULL;
}

/* ~200 KB of mixed text: tokenized in well under a second, and two threads agree with one. */
static void test_long_and_threads(void **state) {
    (void)state;
    size_t cap = 0, len = 0;
    for (size_t i = 0; i < g_vs.n; i++) cap += g_vs.text_len[i] + 1;
    cap *= 110;
    char *big = malloc(cap);
    assert_non_null(big);
    for (int r = 0; r < 100; r++)
        for (size_t i = 0; i < g_vs.n; i++) {
            memcpy(big + len, g_vs.text[i], g_vs.text_len[i]);
            len += g_vs.text_len[i];
            big[len++] = (r + i) % 7 ? ' ' : '\n';
        }
    job a = {big, len, malloc(sizeof(int32_t) << 20), 0, 0}, b = a;
    b.ids = malloc(sizeof(int32_t) << 20);
    assert_non_null(a.ids);
    assert_non_null(b.ids);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_job(&a);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "tokenized %zu bytes into %zu tokens in %.1f ms\n", len, a.n, ms);
    assert_int_equal(a.rc, LFMRT_OK);
    assert_true(a.n > len / 8);
    assert_true(ms < 2000.0);
    pthread_t th[2];
    job c[2] = {b, b};
    c[1].ids = malloc(sizeof(int32_t) << 20);
    assert_non_null(c[1].ids);
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, run_job, &c[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(c[i].rc, LFMRT_OK);
        assert_int_equal(c[i].n, a.n);
        assert_memory_equal(c[i].ids, a.ids, a.n * sizeof(int32_t));
    }
    free(c[1].ids);
    free(a.ids);
    free(b.ids);
    free(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_llamacpp_vectors),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_special_parse),
        cmocka_unit_test(test_long_and_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
