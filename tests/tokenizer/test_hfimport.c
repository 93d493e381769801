/* tests/tokenizer/test_hfimport.c - Hugging Face tokenizer import (tokenizer/hfimport.h, `lfmrt convert
 * --hf-tokenizer`): the real Qwen3 and Gemma3 tokenizer directories are converted to vocabulary-only
 * GGUFs, written, read back with lf_vocab_load, and must then tokenize
 *  - every line of vectors/{qwen3,gemma3}-tokenizer-vectors.jsonl as Hugging Face does (`ids`: no added
 *    specials, special text parsed; `ids_with_special`: with the BOS the tokenizer adds), except lines
 *    where HF's NFC normalizer (Qwen3) changes the text: none, since the converter records it
 *    (tokenizer.lfmrt.normalizer = "NFC") and the tokenizer applies it - Qwen3 must be 77/77;
 *  - llama.cpp's vectors (ggml-vocab-qwen2 / ggml-vocab-gemma-4 .inp/.out) exactly.
 * Also: the GGUF layout (types, special ids, flags, template), the error paths, and the CLI
 * (`lfmrt convert` then `lfmrt tokenize -m` on ours and on llama.cpp's llama-spm file). Skips loudly without
 * the data (the error cases still run). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "format/gguf.h"
#include "testutil.h"
#include "tokenizer/hfimport.h"
#include "tokenizer/nfc.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_impl.h"

static const char *g_dir;
static lf_vocab *g_qwen, *g_gemma;
static lf_gguf *g_qg, *g_gg;

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int convert(const char *name, lf_gguf **g, lf_vocab **v) {
    char src[1024], dst[1024];
    snprintf(src, sizeof src, "%s/tokenizers/%s", g_dir, name);
    snprintf(dst, sizeof dst, "%s/hfimport-%s.gguf", lf_test_tmp_dir(), name);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lfmrt_err e = {0};
    lf_gguf_writer *w = lf_gguf_writer_create();
    lf_hf_info info;
    int rc = lf_hf_import(src, NULL, w, &info, &e);
    if (rc == LFMRT_OK) rc = lf_gguf_writer_set_str(w, "general.architecture", info.arch);
    if (rc == LFMRT_OK) rc = lf_gguf_writer_write(w, dst, NULL, NULL, NULL, NULL, &e);
    lf_gguf_writer_destroy(w);
    double conv_ms = ms_since(&t0);
    if (rc == LFMRT_OK) rc = lf_gguf_open(dst, g, &e);
    if (rc == LFMRT_OK) rc = lf_vocab_load(*g, v, &e);
    if (rc != LFMRT_OK) {
        fprintf(stderr, "%s: %s\n", name, e.msg);
        return -1;
    }
    fprintf(stderr, "%s: converted in %.0f ms (%zu tokens, %zu merges), loaded in %.0f ms more\n", name, conv_ms,
            info.n_tokens, info.n_merges, ms_since(&t0) - conv_ms);
    return 0;
}

static int setup(void **state) {
    (void)state;
    g_dir = lf_test_data_dir("Qwen3 / Gemma3 tokenizer.json");
    if (!g_dir) return 0;
    if (convert("qwen3", &g_qg, &g_qwen) || convert("gemma3", &g_gg, &g_gemma)) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    lf_vocab_destroy(g_qwen);
    lf_vocab_destroy(g_gemma);
    lf_gguf_close(g_qg);
    lf_gguf_close(g_gg);
    return 0;
}

static int64_t key_int(const lf_gguf *g, const char *k) {
    int64_t x = -1;
    assert_int_equal(lf_gguf_get_i64(g, k, &x, NULL), LFMRT_OK);
    return x;
}
static bool key_bool(const lf_gguf *g, const char *k) {
    bool b = false;
    assert_int_equal(lf_gguf_get_bool(g, k, &b, NULL), LFMRT_OK);
    return b;
}
static bool key_str_is(const lf_gguf *g, const char *k, const char *want) {
    lf_str s;
    return lf_gguf_get_str(g, k, &s, NULL) == LFMRT_OK && lf_str_eq(s, want);
}

/* llama.cpp .inp/.out vectors: identical lines, *total the count */
static size_t run_llamacpp(const lf_vocab *v, const char *name, size_t *total_out) {
    char p[1024];
    snprintf(p, sizeof p, "%s/vectors/llamacpp/%s.inp", g_dir, name);
    char *inp = lf_test_read_file(p, NULL);
    snprintf(p, sizeof p, "%s/vectors/llamacpp/%s.out", g_dir, name);
    char *out = lf_test_read_file(p, NULL);
    assert_non_null(inp);
    assert_non_null(out);
    const char *sep = "\n__ggml_vocab_test__\n";
    char *s = inp, *o = out;
    size_t total = 0, pass = 0;
    static int32_t got[8192], want[8192];
    while (*s && *o) {
        char *end = strstr(s, sep);
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (!end && len && s[len - 1] == '\n') len--; /* the last text of gemma-4's .inp has no separator */
        char *nl = strchr(o, '\n');
        if (nl) *nl = 0;
        size_t nw = 0, ng;
        for (char *q = o, *e2;; q = e2) {
            long x = strtol(q, &e2, 10);
            if (e2 == q) break;
            want[nw++] = (int32_t)x;
        }
        o = nl ? nl + 1 : o + strlen(o);
        assert_int_equal(lf_vocab_tokenize(v, s, len, false, got, 8192, &ng, NULL), LFMRT_OK);
        total++;
        if (ng == nw && !memcmp(got, want, ng * sizeof *got)) pass++;
        else fprintf(stderr, "%s vector %zu differs (%zu vs %zu ids): \"%.40s\"\n", name, total - 1, ng, nw, s);
        if (!end) break;
        s = end + strlen(sep);
    }
    free(inp);
    free(out);
    *total_out = total;
    return pass;
}

/* Text HF's NFC normalizer would change: a combining mark or a conjoining jamo (see test_qwen3.c). */
static bool nfc_changes(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = lf_utf8_decode((const uint8_t *)s + i, n - i, &len);
        i += len;
        if ((lf_ucd_flags(cp) & LF_UCD_MARK) || (cp >= 0x1100 && cp <= 0x11FF) || cp == 0x212A || cp == 0x212B ||
            cp == 0x2126 || (cp >= 0xF900 && cp <= 0xFAFF))
            return true;
    }
    return false;
}

static size_t ids_of(json_t *a, int32_t *out) {
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) out[i] = (int32_t)json_integer_value(x);
    return json_array_size(a);
}

/* HF jsonl vectors; returns identical lines; *nfc counts lines that differ and are NFC cases (any other
 * difference fails). */
static size_t run_hf(const lf_vocab *v, const char *file, size_t *total_out, size_t *nfc_out, size_t *with_special) {
    char p[1024];
    snprintf(p, sizeof p, "%s/vectors/%s", g_dir, file);
    char *all = lf_test_read_file(p, NULL);
    assert_non_null(all);
    size_t total = 0, pass = 0, nfc = 0, ws = 0;
    static int32_t got[8192], want[8192];
    for (char *line = all; *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        json_error_t je;
        json_t *j = json_loads(line, JSON_ALLOW_NUL, &je);
        assert_non_null(j);
        json_t *text = json_object_get(j, "text");
        const char *s = json_string_value(text);
        size_t n = json_string_length(text), ng;
        size_t nw = ids_of(json_object_get(j, "ids"), want);
        assert_int_equal(lf_vocab_tokenize(v, s, n, true, got, 8192, &ng, NULL), LFMRT_OK);
        total++;
        bool same = ng == nw && !memcmp(got, want, ng * sizeof *got);
        json_t *wsj = json_object_get(j, "ids_with_special");
        if (same && wsj) { /* with the tokenizer's own specials: BOS when it adds one */
            size_t nws = ids_of(wsj, want), k = 0;
            int32_t with[8192];
            if (lf_vocab_add_bos(v)) with[k++] = lf_vocab_bos(v);
            memcpy(with + k, got, ng * sizeof *got);
            k += ng;
            same = nws == k && !memcmp(with, want, k * sizeof *with);
            ws++;
        }
        /* detokenizing our ids (specials as text) gives the text back (its NFC form when normalized) */
        static char back[65536];
        int nb = lf_vocab_detokenize(v, got, ng, false, true, back, sizeof back);
        lf_nfc_work nfw = {0};
        const uint8_t *ref = (const uint8_t *)s;
        size_t nref = n;
        if (v->nfc) assert_int_equal(lf_nfc((const uint8_t *)s, n, &nfw, &ref, &nref), LFMRT_OK);
        if (nb != (int)nref || memcmp(back, ref, nref) != 0)
            fail_msg("%s line %zu does not detokenize back", file, total + 0);
        lf_nfc_work_free(&nfw);
        if (same) pass++;
        else if (nfc_changes(s, n)) {
            nfc++;
            fprintf(stderr, "%s line %zu differs by HF's NFC normalization: \"%.50s\"\n", file, total, s);
        } else {
            fail_msg("%s line %zu differs and is not an NFC case: \"%.60s\"", file, total, s);
        }
        json_decref(j);
        if (!nl) break;
        line = nl + 1;
    }
    free(all);
    *total_out = total;
    *nfc_out = nfc;
    *with_special = ws;
    return pass;
}

static void test_qwen3_layout(void **state) {
    (void)state;
    if (!g_qwen) skip();
    assert_true(key_str_is(g_qg, "tokenizer.ggml.model", "gpt2"));
    assert_true(key_str_is(g_qg, "tokenizer.ggml.pre", "qwen2"));
    assert_true(key_str_is(g_qg, "general.architecture", "qwen3"));
    assert_int_equal(lf_vocab_n_tokens(g_qwen), 151669); /* no config.json: no [PAD] padding */
    assert_int_equal(key_int(g_qg, "tokenizer.ggml.eos_token_id"), 151645);
    assert_int_equal(key_int(g_qg, "tokenizer.ggml.padding_token_id"), 151643);
    assert_null(lf_gguf_find_kv(g_qg, "tokenizer.ggml.bos_token_id")); /* bos_token is null */
    assert_false(key_bool(g_qg, "tokenizer.ggml.add_bos_token"));
    assert_false(lf_vocab_add_bos(g_qwen));
    assert_int_equal(lf_vocab_token_type(g_qwen, 151644), LF_TOKT_CONTROL);      /* <|im_start|> */
    assert_int_equal(lf_vocab_token_type(g_qwen, 151667), LF_TOKT_USER_DEFINED); /* <think> */
    assert_int_equal(lf_vocab_token_type(g_qwen, 151659), LF_TOKT_CONTROL);      /* looks special */
    assert_int_equal(lf_vocab_find(g_qwen, "<think>", 7), 151667);
    assert_true(lf_vocab_is_eog(g_qwen, 151645));
    assert_true(key_str_is(g_qg, "tokenizer.lfmrt.normalizer", "NFC")); /* HF's normalizer, recorded */
    assert_true(g_qwen->nfc);
    const lf_gguf_kv *m = lf_gguf_find_kv(g_qg, "tokenizer.ggml.merges");
    assert_non_null(m);
    assert_int_equal(m->v.arr.n, 151387);
    lf_str t;
    assert_int_equal(lf_gguf_get_str(g_qg, "tokenizer.chat_template", &t, NULL), LFMRT_OK);
    assert_true(t.n > 4000);
}

static void test_qwen3_vectors(void **state) {
    (void)state;
    if (!g_qwen) skip();
    size_t total, nfc, ws;
    size_t pass = run_llamacpp(g_qwen, "ggml-vocab-qwen2.gguf", &total);
    fprintf(stderr, "qwen2 llama.cpp vectors through the converted Qwen3 vocab: %zu/%zu identical\n", pass, total);
    assert_int_equal(total, 46);
    assert_int_equal(pass, total);
    pass = run_hf(g_qwen, "qwen3-tokenizer-vectors.jsonl", &total, &nfc, &ws);
    fprintf(stderr, "qwen3 HF vectors: %zu/%zu identical, %zu differ only by HF's NFC normalization\n", pass, total,
            nfc);
    assert_int_equal(total, 77);
    assert_int_equal(nfc, 0);
    assert_int_equal(pass, total); /* line 59 "e + U+0301 vs U+00E9" included: NFC applied */
}

static void test_gemma3_layout(void **state) {
    (void)state;
    if (!g_gemma) skip();
    assert_true(key_str_is(g_gg, "tokenizer.ggml.model", "llama"));
    assert_true(key_str_is(g_gg, "general.architecture", "gemma3"));
    assert_true(lf_vocab_is_spm(g_gemma));
    assert_false(lf_vocab_add_space_prefix(g_gemma));
    assert_true(lf_vocab_add_bos(g_gemma));
    assert_null(lf_gguf_find_kv(g_gg, "tokenizer.lfmrt.normalizer")); /* Replace ' ' -> U+2581 is no form */
    assert_false(g_gemma->nfc);
    assert_int_equal(lf_vocab_bos(g_gemma), 2);
    assert_int_equal(lf_vocab_eos(g_gemma), 1);
    assert_int_equal(key_int(g_gg, "tokenizer.ggml.eot_token_id"), 106);
    assert_true(lf_vocab_is_eog(g_gemma, 106));
    assert_true(lf_vocab_is_eog(g_gemma, 1));
    int32_t b41 = lf_vocab_find(g_gemma, "<0x41>", 6);
    assert_true(b41 > 0);
    assert_int_equal(lf_vocab_token_type(g_gemma, b41), LF_TOKT_BYTE);
    assert_int_equal(lf_vocab_token_type(g_gemma, 105), LF_TOKT_CONTROL);      /* <start_of_turn> */
    assert_int_equal(lf_vocab_token_type(g_gemma, 107), LF_TOKT_USER_DEFINED); /* "\n" */
    assert_int_equal(lf_vocab_find(g_gemma, "  ", 2), 138);                    /* "▁▁" stored as spaces */
    assert_true(lf_vocab_n_tokens(g_gemma) >= 262144);
    /* detokenization: U+2581 back to spaces, no prefix to strip */
    int32_t ids[64];
    size_t n;
    char buf[128];
    assert_int_equal(lf_vocab_tokenize(g_gemma, " Hello  world\n", 14, false, ids, 64, &n, NULL), LFMRT_OK);
    assert_int_equal(lf_vocab_detokenize(g_gemma, ids, n, false, false, buf, sizeof buf), 14);
    assert_memory_equal(buf, " Hello  world\n", 14);
}

static void test_gemma3_vectors(void **state) {
    (void)state;
    if (!g_gemma) skip();
    size_t total, nfc, ws;
    size_t pass = run_llamacpp(g_gemma, "ggml-vocab-gemma-4.gguf", &total);
    fprintf(stderr, "gemma-4 llama.cpp vectors through the converted Gemma3 vocab: %zu/%zu identical\n", pass, total);
    assert_int_equal(total, 46);
    assert_int_equal(pass, total);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pass = run_hf(g_gemma, "gemma3-tokenizer-vectors.jsonl", &total, &nfc, &ws);
    fprintf(stderr, "gemma3 HF vectors: %zu/%zu identical (%zu also with BOS), %zu NFC cases, %.1f ms\n", pass, total,
            ws, nfc, ms_since(&t0));
    assert_int_equal(total, 77);
    assert_int_equal(ws, 77);
    assert_int_equal(pass, total);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_errors(void **state) {
    (void)state;
    lfmrt_err e = {0};
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_int_equal(lf_hf_import("/nonexistent/dir", NULL, w, NULL, &e), LFMRT_E_IO);
    assert_non_null(strstr(e.msg, "tokenizer.json"));
    char d[1024], p[1100];
    snprintf(d, sizeof d, "%s/hfimport-bad", lf_test_tmp_dir());
    mkdir(d, 0755);
    snprintf(p, sizeof p, "%s/tokenizer.json", d);
    write_file(p, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \n \"merges\": [}");
    assert_int_equal(lf_hf_import(d, NULL, w, NULL, &e), LFMRT_E_FORMAT);
    assert_non_null(strstr(e.msg, "line 2"));
    write_file(p, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
    assert_int_equal(lf_hf_import(d, NULL, w, NULL, &e), LFMRT_E_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "WordPiece"));
    write_file(p, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -4}, \"merges\": []}}");
    assert_int_equal(lf_hf_import(d, NULL, w, NULL, &e), LFMRT_E_FORMAT);
    /* byte-level BPE with an unknown pre-tokenizer: unsupported unless named */
    write_file(p, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [[\"a\", \"b\"]]},"
                  " \"pre_tokenizer\": {\"type\": \"Whitespace\"}}");
    assert_int_equal(lf_hf_import(d, NULL, w, NULL, &e), LFMRT_E_UNSUPPORTED);
    write_file(p, "[1, 2]");
    assert_int_equal(lf_hf_import(d, NULL, w, NULL, &e), LFMRT_E_FORMAT);
    assert_non_null(strstr(e.msg, "not a JSON object"));
    lf_gguf_writer_destroy(w);
    w = lf_gguf_writer_create();
    /* the parse entry: bytes, not NUL-terminated; chat_template.jinja used when the config has none */
    static const char tj[] = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}XX";
    static const char cfg[] = "{\"add_bos_token\": false}";
    lf_hf_files files = {tj, sizeof tj - 3, cfg, sizeof cfg - 1, NULL, 0, "{{ messages }}!!", 14};
    lf_hf_opts o = {.pre = "gpt-2"};
    lf_hf_info info;
    assert_int_equal(lf_hf_import_parse(&files, &o, w, &info, &e), LFMRT_OK);
    assert_int_equal(info.n_tokens, 1);
    assert_true(info.has_chat_template);
    files.tokenizer_json_len = sizeof tj - 1; /* with the trailing garbage */
    lf_gguf_writer_destroy(w);
    w = lf_gguf_writer_create();
    assert_int_equal(lf_hf_import_parse(&files, &o, w, &info, &e), LFMRT_E_FORMAT);
    lf_gguf_writer_destroy(w);
    w = lf_gguf_writer_create();
    snprintf(p, sizeof p, "%s/tokenizer.json", d);
    write_file(p, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [[\"a\", \"b\"]]},"
                  " \"pre_tokenizer\": {\"type\": \"Whitespace\"}}");
    assert_int_equal(lf_hf_import(d, &o, w, &info, &e), LFMRT_OK);
    assert_int_equal(info.n_tokens, 3);
    assert_int_equal(info.n_merges, 1);
    assert_string_equal(info.model, "gpt2");
    lf_gguf_writer_destroy(w);
    /* Unicode normalizers: NFC is recorded (inside a Sequence too), other forms are refused */
    static const char *const forms[] = {"{\"type\": \"NFKC\"}",
                                        "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}]}",
                                        "{\"type\": \"Lowercase\"}", "null"};
    for (int i = 0; i < 4; i++) { /* i == 3: a key value the loader does not implement */
        char j[512];
        /* byte alphabet tokens: U+00C3 and U+00A9 are the bytes of U+00E9 (C3 A9) */
        snprintf(j, sizeof j, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\\u00c3\": 0, \"\\u00a9\": 1, "
                              "\"e\": 2}, \"merges\": []}, \"normalizer\": %s}", forms[i]);
        files = (lf_hf_files){j, strlen(j), NULL, 0, NULL, 0, NULL, 0};
        w = lf_gguf_writer_create();
        int rc = lf_hf_import_parse(&files, &o, w, &info, &e);
        if (i == 0) {
            assert_int_equal(rc, LFMRT_E_UNSUPPORTED);
            assert_non_null(strstr(e.msg, "NFKC"));
        } else {
            assert_int_equal(rc, LFMRT_OK);
            if (i == 3) assert_int_equal(lf_gguf_writer_set_str(w, "tokenizer.lfmrt.normalizer", "NFKD"), LFMRT_OK);
            char gp[1100];
            snprintf(gp, sizeof gp, "%s/nfc.gguf", d);
            assert_int_equal(lf_gguf_writer_write(w, gp, NULL, NULL, NULL, NULL, &e), LFMRT_OK);
            lf_gguf *g = NULL;
            lf_vocab *v = NULL;
            assert_int_equal(lf_gguf_open(gp, &g, &e), LFMRT_OK);
            if (i == 3) {
                assert_int_equal(lf_vocab_load(g, &v, &e), LFMRT_E_UNSUPPORTED);
                assert_non_null(strstr(e.msg, "NFKD"));
                lf_gguf_close(g);
                lf_gguf_writer_destroy(w);
                continue;
            }
            assert_int_equal(lf_vocab_load(g, &v, &e), LFMRT_OK);
            assert_int_equal(v->nfc, i == 1);
            /* "e" U+0301: NFC makes it U+00E9 -> C3 A9 -> ids 0 1; without, e and two tokenless bytes */
            int32_t ids[8];
            size_t n;
            assert_int_equal(lf_vocab_tokenize(v, "e\xcc\x81", 3, false, ids, 8, &n, &e), LFMRT_OK);
            assert_int_equal(n, i == 1 ? 2 : 1);
            assert_int_equal(ids[0], i == 1 ? 0 : 2);
            if (i == 1) assert_int_equal(ids[1], 1);
            assert_int_equal(lf_gguf_find_kv(g, "tokenizer.lfmrt.normalizer") != NULL, i == 1);
            lf_vocab_destroy(v);
            lf_gguf_close(g);
        }
        lf_gguf_writer_destroy(w);
    }
}

/* Converts the tokenizer directory d into a vocabulary (through a GGUF file) and returns it. */
static lf_vocab *convert_small(const char *d, lf_gguf **g) {
    char path[1100];
    snprintf(path, sizeof path, "%s/v.gguf", d);
    lfmrt_err e = {0};
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_int_equal(lf_hf_import(d, NULL, w, NULL, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_write(w, path, NULL, NULL, NULL, NULL, &e), LFMRT_OK);
    lf_gguf_writer_destroy(w);
    lf_vocab *v = NULL;
    assert_int_equal(lf_gguf_open(path, g, &e), LFMRT_OK);
    assert_int_equal(lf_vocab_load(*g, &v, &e), LFMRT_OK);
    return v;
}

/* Small synthetic tokenizers (no data needed): the byte-fallback layout's scores replay the merge order
 * and its types; padding to config.json's vocab_size; special ids from the configs; merges with spaces. */
static void test_small_layouts(void **state) {
    (void)state;
    char d[1024], p[1100];
    snprintf(d, sizeof d, "%s/hfimport-small", lf_test_tmp_dir());
    mkdir(d, 0755);
    snprintf(p, sizeof p, "%s/tokenizer.json", d);
    /* byte fallback (SPM layout): merges b+c (rank 0) before a+b (rank 1): "abc" -> a, bc */
    write_file(p, "{\"model\": {\"type\": \"BPE\", \"byte_fallback\": true, \"unk_token\": \"<unk>\", \"vocab\": "
                  "{\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2, \"<0x7A>\": 3, \"a\": 4, \"b\": 5, \"c\": 6, "
                  "\"bc\": 7, \"ab\": 8, \"\u2581\": 9, \"\u2581a\": 10}, "
                  "\"merges\": [\"b c\", [\"a\", \"b\"], [\"\u2581\", \"a\"]]}, "
                  "\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": "
                  "\"\u2581\"}, {\"type\": \"Replace\"}]}, "
                  "\"added_tokens\": [{\"id\": 1, \"content\": \"<s>\", \"special\": true}, "
                  "{\"id\": 2, \"content\": \"</s>\", \"special\": true}, "
                  "{\"id\": 11, \"content\": \"\u2581\u2581x\", \"special\": false}]}");
    snprintf(p, sizeof p, "%s/tokenizer_config.json", d);
    write_file(p, "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\", \"add_bos_token\": true}");
    snprintf(p, sizeof p, "%s/config.json", d);
    write_file(p, "{\"vocab_size\": 14}");
    lf_gguf *g = NULL;
    lf_vocab *v = convert_small(d, &g);
    assert_true(lf_vocab_is_spm(v));
    assert_true(lf_vocab_add_space_prefix(v)); /* the normalizer prepends U+2581 */
    assert_true(lf_vocab_add_bos(v));
    assert_int_equal(lf_vocab_n_tokens(v), 14);
    assert_int_equal(lf_vocab_bos(v), 1);
    assert_int_equal(lf_vocab_eos(v), 2);
    assert_int_equal(lf_vocab_token_type(v, 0), LF_TOKT_UNKNOWN);
    assert_int_equal(lf_vocab_token_type(v, 3), LF_TOKT_BYTE);
    assert_int_equal(lf_vocab_token_type(v, 1), LF_TOKT_CONTROL);
    assert_int_equal(lf_vocab_token_type(v, 11), LF_TOKT_USER_DEFINED);
    assert_int_equal(lf_vocab_find(v, "  x", 3), 11); /* user-defined U+2581 written as spaces */
    assert_int_equal(lf_vocab_token_type(v, 13), LF_TOKT_UNUSED);
    assert_int_equal(lf_vocab_find(v, "[PAD13]", 7), 13);
    const lf_gguf_kv *sc = lf_gguf_find_kv(g, "tokenizer.ggml.scores");
    assert_non_null(sc);
    double s7, s8, s10, s4;
    assert_true(lf_gguf_arr_float(sc, 7, &s7) && lf_gguf_arr_float(sc, 8, &s8) && lf_gguf_arr_float(sc, 10, &s10) &&
                lf_gguf_arr_float(sc, 4, &s4));
    assert_true(s7 == -1.0 && s8 == -2.0 && s10 == -3.0 && s4 < s10);
    int32_t ids[16];
    size_t n;
    assert_int_equal(lf_vocab_tokenize(v, "bc abc z", 8, false, ids, 16, &n, NULL), LFMRT_OK);
    /* "▁bc▁abc▁z": ▁ b c -> ▁, bc; ▁ a b c -> ▁a, bc (bc first, then ▁a); z -> <0x7A> */
    const int32_t want[] = {9, 7, 10, 7, 9, 3};
    assert_int_equal(n, 6);
    assert_memory_equal(ids, want, sizeof want);
    lf_vocab_destroy(v);
    lf_gguf_close(g);

    /* Metaspace pre-tokenizer: prepend_scheme decides add_space_prefix ("never": no prefix) */
    static const char *const schemes[] = {"first", "always", "never"};
    for (int k = 0; k < 3; k++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"model\": {\"type\": \"BPE\", \"byte_fallback\": true, \"vocab\": {\"a\": 0, \"\u2581\": 1, "
                 "\"\u2581a\": 2}, \"merges\": [[\"\u2581\", \"a\"]]}, \"pre_tokenizer\": {\"type\": \"Sequence\", "
                 "\"pretokenizers\": [{\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"%s\"}]}}",
                 schemes[k]);
        lf_hf_files f = {text, strlen(text), NULL, 0, NULL, 0, NULL, 0};
        lf_gguf_writer *w = lf_gguf_writer_create();
        lfmrt_err e = {0};
        assert_int_equal(lf_hf_import_parse(&f, NULL, w, NULL, &e), LFMRT_OK);
        snprintf(p, sizeof p, "%s/meta.gguf", d);
        assert_int_equal(lf_gguf_writer_write(w, p, NULL, NULL, NULL, NULL, &e), LFMRT_OK);
        lf_gguf_writer_destroy(w);
        assert_int_equal(lf_gguf_open(p, &g, &e), LFMRT_OK);
        assert_int_equal(key_bool(g, "tokenizer.ggml.add_space_prefix"), k < 2);
        lf_gguf_close(g);
    }

    /* byte-level BPE (gpt2 layout) with a space inside a merge part and a named pre-tokenizer */
    snprintf(p, sizeof p, "%s/tokenizer.json", d);
    write_file(p, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2, \"a b\": 3}, "
                  "\"merges\": [[\"a\", \"b\"], [\"a \", \"b\"]]}, "
                  "\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"use_regex\": true}, "
                  "\"added_tokens\": [{\"id\": 4, \"content\": \"<|x|>\", \"special\": false}]}");
    snprintf(p, sizeof p, "%s/config.json", d);
    write_file(p, "{\"vocab_size\": 6, \"eos_token_id\": 4}");
    snprintf(p, sizeof p, "%s/tokenizer_config.json", d);
    write_file(p, "{\"chat_template\": \"{{ x }}\"}");
    v = convert_small(d, &g);
    assert_false(lf_vocab_is_spm(v));
    assert_true(key_str_is(g, "tokenizer.ggml.pre", "gpt-2"));
    assert_true(key_str_is(g, "tokenizer.chat_template", "{{ x }}"));
    assert_int_equal(lf_vocab_n_tokens(v), 6);
    assert_int_equal(lf_vocab_eos(v), 4);                         /* from config.json */
    assert_int_equal(lf_vocab_token_type(v, 4), LF_TOKT_CONTROL); /* looks special */
    const lf_gguf_kv *m = lf_gguf_find_kv(g, "tokenizer.ggml.merges");
    assert_non_null(m);
    lf_gguf_str_iter it;
    lf_str s;
    lf_gguf_str_iter_init(&it, m);
    assert_true(lf_gguf_str_iter_next(&it, &s) && lf_str_eq(s, "a b"));
    assert_true(lf_gguf_str_iter_next(&it, &s) && lf_str_eq(s, "a\xc4\xa0 b")); /* ' ' in a part -> U+0120 */
    lf_vocab_destroy(v);
    lf_gguf_close(g);
}

/* Runs a shell command, returns its exit status and (first line of) stdout in out. */
static int run(const char *cmd, char *out, size_t cap) {
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    out[0] = 0;
    if (!fgets(out, (int)cap, f)) out[0] = 0;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The binary: `lfmrt convert` writes a file `lfmrt tokenize -m` reads, like llama.cpp's own vocab files. */
static void test_cli(void **state) {
    (void)state;
    const char *bin = getenv("LFMRT_BIN");
    if (!g_dir || !bin) skip();
    char cmd[4096], out[4096];
    const char *tmp = lf_test_tmp_dir();
    /* convert: the small tokenizer test_small_layouts left (a gpt2 one), then tokenize with it; the real
     * Qwen3 file setup converted (through the same library call the command makes) */
    snprintf(cmd, sizeof cmd, "'%s' convert --hf-tokenizer '%s/hfimport-small' -o '%s/cli-small.gguf' 2>/dev/null", bin,
             tmp, tmp);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "'%s' tokenize -m '%s/cli-small.gguf' --text 'abab'", bin, tmp);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "{\"ids\":[2,2]}\n");
    snprintf(cmd, sizeof cmd, "'%s' tokenize -m '%s/hfimport-qwen3.gguf' --text 'Hello world<|im_end|>' --special", bin, tmp);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "{\"ids\":[9707,1879,151645]}\n");
    snprintf(cmd, sizeof cmd, "'%s' tokenize -m '%s/vectors/llamacpp/ggml-vocab-llama-spm.gguf' --text 'Hello world'", bin,
             g_dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "{\"ids\":[15043,3186]}\n");
    snprintf(cmd, sizeof cmd, "'%s' convert -o '%s/x.gguf' 2>/dev/null", bin, tmp);
    assert_int_equal(run(cmd, out, sizeof out), 2); /* usage error */
    snprintf(cmd, sizeof cmd, "'%s' convert --hf-tokenizer /nonexistent -o '%s/x.gguf' 2>&1", bin, tmp);
    assert_int_equal(run(cmd, out, sizeof out), 1); /* runtime error, one line naming the file */
    assert_non_null(strstr(out, "/nonexistent/tokenizer.json"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_small_layouts),
        cmocka_unit_test(test_qwen3_layout),
        cmocka_unit_test(test_qwen3_vectors),
        cmocka_unit_test(test_gemma3_layout),
        cmocka_unit_test(test_gemma3_vectors),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
