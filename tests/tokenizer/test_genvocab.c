/* tests/tokenizer/test_genvocab.c - synthetic vocabularies: exact size, LFM2 special names at their real
 * ids (checked against shared/data/lfm2/tokenizer_config.json when present), all 256 byte tokens, unique
 * texts, every merge's parts and result are tokens, determinism per (size, seed), the GGUF keys round trip
 * through the writer and lf_vocab_load, and the loaded vocabulary tokenizes the training corpus losslessly
 * and with real merges (few tokens per byte). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/gguf.h"
#include "testutil.h"
#include "tokenizer/genvocab.h"
#include "tokenizer/strtab.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

static void check_valid(const lf_genvocab *gv, size_t n) {
    assert_int_equal(gv->n_tokens, n);
    assert_int_equal(gv->bos, 1);
    assert_int_equal(gv->eos, 7);
    assert_int_equal(gv->pad, 0);
    lf_strtab tab;
    assert_int_equal(lf_strtab_init(&tab, n), LFMRT_OK);
    size_t n_control = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t id;
        bool added;
        assert_non_null(gv->tokens[i]);
        assert_true(strlen(gv->tokens[i]) > 0);
        assert_int_equal(lf_strtab_intern(&tab, gv->tokens[i], strlen(gv->tokens[i]), &id, &added), LFMRT_OK);
        if (!added) fail_msg("token %zu repeats token %d", i, id);
        assert_true(gv->types[i] == LF_TOKT_NORMAL || gv->types[i] == LF_TOKT_CONTROL);
        n_control += gv->types[i] == LF_TOKT_CONTROL;
        if (gv->types[i] == LF_TOKT_NORMAL) /* normal tokens are spelled in the byte alphabet */
            for (size_t k = 0; gv->tokens[i][k];) {
                size_t len;
                uint32_t cp = lf_utf8_decode((const uint8_t *)gv->tokens[i] + k, strlen(gv->tokens[i]) - k, &len);
                assert_true(lf_cp_to_byte(cp) >= 0);
                k += len;
            }
    }
    size_t reserved_end = n / 8 < 501 ? n / 8 : 501;
    assert_int_equal(n_control, reserved_end + (n >= 65536 ? 6 : 0));
    for (int b = 0; b < 256; b++) { /* every byte has its token */
        uint8_t u[4];
        size_t nu = lf_utf8_encode(lf_byte_to_cp((uint8_t)b), u);
        assert_true(lf_strtab_find(&tab, (const char *)u, nu) >= 0);
    }
    assert_true(gv->n_merges >= n - n_control - 256); /* one token per merge at least */
    for (size_t m = 0; m < gv->n_merges; m++) {
        const char *s = gv->merges[m], *sp = strchr(s + 1, ' ');
        assert_non_null(sp);
        assert_null(strchr(sp + 1, ' '));
        size_t nl = (size_t)(sp - s), nr = strlen(sp + 1);
        char joined[256];
        assert_true(nl + nr < sizeof joined);
        memcpy(joined, s, nl);
        memcpy(joined + nl, sp + 1, nr);
        if (lf_strtab_find(&tab, s, nl) < 0 || lf_strtab_find(&tab, sp + 1, nr) < 0 ||
            lf_strtab_find(&tab, joined, nl + nr) < 0)
            fail_msg("merge %zu \"%s\": a part or the result is not a token", m, s);
    }
    lf_strtab_deinit(&tab);
    static const char *named[14] = {"<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|fim_pre|>", "<|fim_mid|>",
                                    "<|fim_suf|>", "<|im_start|>", "<|im_end|>", "<|tool_list_start|>",
                                    "<|tool_list_end|>", "<|tool_call_start|>", "<|tool_call_end|>",
                                    "<|tool_response_start|>", "<|tool_response_end|>"};
    for (int i = 0; i < 14; i++) {
        assert_string_equal(gv->tokens[i], named[i]);
        assert_int_equal(gv->types[i], LF_TOKT_CONTROL);
    }
    char want[32];
    snprintf(want, sizeof want, "<|reserved_%zu|>", reserved_end - 1 - 10);
    assert_string_equal(gv->tokens[reserved_end - 1], want);
    assert_int_equal(gv->types[reserved_end], LF_TOKT_NORMAL);
}

static void test_tiny(void **state) {
    (void)state;
    lf_genvocab a, b, c;
    lfmrt_err e = {0};
    assert_int_equal(lf_genvocab_build(2048, 0, &a, &e), LFMRT_OK);
    check_valid(&a, 2048);
    assert_int_equal(lf_genvocab_build(2048, 0, &b, &e), LFMRT_OK);
    assert_int_equal(lf_genvocab_build(2048, 99, &c, &e), LFMRT_OK);
    check_valid(&c, 2048);
    assert_int_equal(a.n_merges, b.n_merges);
    bool differ = false;
    for (size_t i = 0; i < 2048; i++) {
        assert_string_equal(a.tokens[i], b.tokens[i]);
        differ |= strcmp(a.tokens[i], c.tokens[i]) != 0;
    }
    for (size_t m = 0; m < a.n_merges; m++) assert_string_equal(a.merges[m], b.merges[m]);
    assert_true(differ); /* the seed changes the filler part */
    /* learned merges come first and do not depend on the seed */
    assert_string_equal(a.merges[0], c.merges[0]);
    assert_string_equal(a.merges[100], c.merges[100]);
    lf_genvocab_free(&a);
    lf_genvocab_free(&b);
    lf_genvocab_free(&c);
    lf_genvocab_free(&c); /* twice is fine */
    assert_int_equal(lf_genvocab_build(1000, 0, &a, &e), LFMRT_E_INVALID);
    assert_true(strlen(e.msg) > 0);
    assert_int_equal(lf_genvocab_build(1024, 0, &a, &e), LFMRT_OK);
    check_valid(&a, 1024);
    lf_genvocab_free(&a);
}

static void test_real_size_matches_lfm2_config(void **state) {
    (void)state;
    lf_genvocab gv;
    lfmrt_err e = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(lf_genvocab_build(65536, 7, &gv, &e), LFMRT_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "65536-token vocabulary (%zu merges) built in %.0f ms\n", gv.n_merges,
            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    check_valid(&gv, 65536);
    assert_string_equal(gv.tokens[500], "<|reserved_490|>");
    assert_string_equal(gv.tokens[64394], "<|cot_start|>");
    assert_string_equal(gv.tokens[64399], "<|file_end|>");
    assert_int_equal(gv.types[64393], LF_TOKT_NORMAL);
    assert_int_equal(gv.types[64400], LF_TOKT_NORMAL);
    /* every special of the real tokenizer_config.json at its id */
    const char *dir = lf_test_data_dir("LFM2 tokenizer_config.json");
    if (dir) {
        char *cfg = lf_test_read_file(lf_test_path(dir, "lfm2/tokenizer_config.json"), NULL);
        assert_non_null(cfg);
        size_t checked = 0;
        for (const char *p = cfg; (p = strstr(p, "\n    \"")) != NULL;) {
            int id;
            char content[64];
            if (sscanf(p, "\n    \"%d\": {\n      \"content\": \"%63[^\"]\"", &id, content) == 2) {
                const char *special = strstr(p, "\"special\": ");
                bool is_special = special && strncmp(special + 11, "true", 4) == 0;
                if (is_special) {
                    if (id == 14 || id == 15) fail_msg("unexpected special at %d", id);
                    assert_string_equal(gv.tokens[id], content);
                    assert_int_equal(gv.types[id], LF_TOKT_CONTROL);
                    checked++;
                }
            }
            p++;
        }
        assert_int_equal(checked, 505); /* 507 added tokens, two of them (Mathias, python) not special */
        free(cfg);
    }
    lf_genvocab_free(&gv);
}

static void test_write_load_tokenize(void **state) {
    (void)state;
    lf_genvocab gv;
    lfmrt_err e = {0};
    assert_int_equal(lf_genvocab_build(4096, 3, &gv, &e), LFMRT_OK);
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_non_null(w);
    assert_int_equal(lf_genvocab_write(&gv, w, &e), LFMRT_OK);
    char path[1024];
    snprintf(path, sizeof path, "%s/genvocab-4096.gguf", lf_test_tmp_dir());
    assert_int_equal(lf_gguf_writer_write(w, path, NULL, NULL, NULL, NULL, &e), LFMRT_OK);
    lf_gguf_writer_destroy(w);
    lf_gguf *g;
    assert_int_equal(lf_gguf_open(path, &g, &e), LFMRT_OK);
    lf_str s;
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.chat_template", &s, &e), LFMRT_OK);
    assert_int_equal(s.n, strlen(lf_genvocab_chat_template));
    const char *dir = lf_test_data_dir("LFM2 chat template");
    if (dir) {
        size_t n;
        char *t = lf_test_read_file(lf_test_path(dir, "lfm2/chat_template.jinja"), &n);
        assert_non_null(t);
        assert_int_equal(n, s.n);
        assert_memory_equal(t, s.p, n);
        free(t);
    }
    bool b;
    assert_int_equal(lf_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &b, &e), LFMRT_OK);
    assert_true(b);
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.ggml.pre", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "lfm2"));
    lf_vocab *v;
    assert_int_equal(lf_vocab_load(g, &v, &e), LFMRT_OK);
    lf_gguf_close(g);
    assert_int_equal(lf_vocab_n_tokens(v), 4096);
    assert_int_equal(lf_vocab_bos(v), 1);
    assert_int_equal(lf_vocab_eos(v), 7);
    assert_true(lf_vocab_add_bos(v));
    assert_true(lf_vocab_is_eog(v, 7));
    assert_true(lf_vocab_is_eog(v, 2)); /* <|endoftext|> */
    assert_false(lf_vocab_is_eog(v, 6));
    for (int32_t i = 0; i < 4096; i++) {
        size_t n;
        const char *t = lf_vocab_token_text(v, i, &n);
        assert_int_equal(n, strlen(gv.tokens[i]));
        assert_memory_equal(t, gv.tokens[i], n);
    }
    /* the corpus: lossless, and compressed well by the learned merges */
    size_t len = strlen(lf_genvocab_corpus), n;
    int32_t *ids = malloc(len * sizeof *ids);
    assert_non_null(ids);
    assert_int_equal(lf_vocab_tokenize(v, lf_genvocab_corpus, len, true, ids, len, &n, &e), LFMRT_OK);
    fprintf(stderr, "corpus: %zu bytes -> %zu tokens\n", len, n);
    assert_true(n < len / 2); /* ~700 merges learned from 8 KB: about 0.45 tokens per byte */
    char *back = malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int r = lf_vocab_token_bytes(v, ids[i], true, back + o, len - o);
        assert_true(r >= 0 && o + (size_t)r <= len);
        o += (size_t)r;
    }
    assert_int_equal(o, len);
    assert_memory_equal(back, lf_genvocab_corpus, len);
    const char *chat = "<|startoftext|><|im_start|>user\nHi<|im_end|>\n";
    assert_int_equal(lf_vocab_tokenize(v, chat, strlen(chat), true, ids, len, &n, &e), LFMRT_OK);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 6);
    assert_true(n >= 5 && ids[n - 2] == 7);
    free(back);
    free(ids);
    lf_vocab_destroy(v);
    lf_genvocab_free(&gv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_real_size_matches_lfm2_config),
        cmocka_unit_test(test_write_load_tokenize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
