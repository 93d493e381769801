/* tests/tokenizer/tokvocab.c - test tool for tokenizer parity with llama.cpp (tests/tokenizer/parity.sh).
 *
 *   tokvocab gen --pre PRE [--n N] [--seed S] -o FILE
 *       a synthetic vocabulary (lf_genvocab_build) written with tokenizer.ggml.pre = PRE
 *   tokvocab hf --json tokenizer.json --pre PRE [--vocab-size N] [--bos ID] [--eos ID] -o FILE
 *       a Hugging Face BPE tokenizer laid out as llama.cpp's converter writes it
 *   tokvocab tokenize --model FILE --corpus FILE [--special | --both]
 *       one JSON line {"line": i, "ids": [...]} per corpus line ("\n"-separated, final empty line dropped);
 *       --both adds "ids_special" (the format of compare_llamacpp.mjs --both)
 *
 * The written files are vocabulary-only GGUFs (no tensors) with general.architecture = gpt2 and its
 * hyper-parameters, like llama.cpp's own ggml-vocab-*.gguf test files, so llama.cpp loads them with
 * vocab_only. Exit 0 ok, 1 failure, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "format/gguf.h"
#include "hfjson.h"
#include "tokenizer/genvocab.h"
#include "tokenizer/vocab.h"

static const char *arg(int argc, char **argv, const char *name) {
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}
static bool flag(int argc, char **argv, const char *name) {
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], name)) return true;
    return false;
}

static int write_common(lf_gguf_writer *w) {
    int rc = lf_gguf_writer_set_str(w, "general.architecture", "gpt2");
    if (!rc) rc = lf_gguf_writer_set_str(w, "general.name", "lfmrt tokenizer test vocabulary");
    if (!rc) rc = lf_gguf_writer_set_u32(w, "gpt2.block_count", 1);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "gpt2.context_length", 1024);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "gpt2.embedding_length", 64);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "gpt2.feed_forward_length", 256);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "gpt2.attention.head_count", 1);
    if (!rc) rc = lf_gguf_writer_set_f32(w, "gpt2.attention.layer_norm_epsilon", 1e-5f);
    if (!rc) rc = lf_gguf_writer_set_str(w, "tokenizer.ggml.model", "gpt2");
    return rc;
}

static int finish(lf_gguf_writer *w, int rc, const char *out) {
    lfmrt_err e = {0};
    if (rc == LFMRT_OK) rc = lf_gguf_writer_write(w, out, NULL, NULL, NULL, NULL, &e);
    lf_gguf_writer_destroy(w);
    if (rc != LFMRT_OK) {
        fprintf(stderr, "tokvocab: writing %s failed: %s %s\n", out, lfmrt_status_name(rc), e.msg);
        return 1;
    }
    return 0;
}

static int cmd_gen(int argc, char **argv) {
    const char *pre = arg(argc, argv, "--pre"), *out = arg(argc, argv, "-o");
    const char *n = arg(argc, argv, "--n"), *seed = arg(argc, argv, "--seed");
    if (!pre || !out) return 2;
    lf_genvocab gv;
    lfmrt_err e = {0};
    if (lf_genvocab_build(n ? strtoull(n, NULL, 10) : 65536, seed ? strtoull(seed, NULL, 10) : 0, &gv, &e)) {
        fprintf(stderr, "tokvocab: %s\n", e.msg);
        return 1;
    }
    lf_gguf_writer *w = lf_gguf_writer_create();
    int rc = w ? write_common(w) : LFMRT_E_NOMEM;
    if (!rc) rc = lf_gguf_writer_set_str(w, "tokenizer.ggml.pre", pre);
    if (!rc) rc = lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)gv.tokens, NULL, gv.n_tokens);
    if (!rc) rc = lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", gv.types, gv.n_tokens);
    if (!rc) rc = lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.merges", (const char *const *)gv.merges, NULL, gv.n_merges);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)gv.bos);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)gv.eos);
    if (!rc) rc = lf_gguf_writer_set_u32(w, "tokenizer.ggml.padding_token_id", (uint32_t)gv.pad);
    lf_genvocab_free(&gv);
    return finish(w, rc, out);
}

static int cmd_hf(int argc, char **argv) {
    const char *json = arg(argc, argv, "--json"), *pre = arg(argc, argv, "--pre"), *out = arg(argc, argv, "-o");
    const char *vs = arg(argc, argv, "--vocab-size"), *bos = arg(argc, argv, "--bos"), *eos = arg(argc, argv, "--eos");
    if (!json || !pre || !out) return 2;
    lf_vocab_spec s;
    lf_vocab_spec_init(&s);
    hf_keep k;
    if (hf_load(json, vs ? strtoull(vs, NULL, 10) : 0, &s, &k) != 0) return 1;
    const char **toks = malloc(s.n_tokens * sizeof *toks), **merges = malloc((s.n_merges + 1) * sizeof *merges);
    size_t *tl = malloc(s.n_tokens * sizeof *tl), *ml = malloc((s.n_merges + 1) * sizeof *ml);
    for (size_t i = 0; i < s.n_tokens; i++) {
        toks[i] = s.tokens[i].p;
        tl[i] = (size_t)s.tokens[i].n;
    }
    for (size_t i = 0; i < s.n_merges; i++) {
        merges[i] = s.merges[i].p;
        ml[i] = (size_t)s.merges[i].n;
    }
    lf_gguf_writer *w = lf_gguf_writer_create();
    int rc = w ? write_common(w) : LFMRT_E_NOMEM;
    if (!rc) rc = lf_gguf_writer_set_str(w, "tokenizer.ggml.pre", pre);
    if (!rc) rc = lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", toks, tl, s.n_tokens);
    if (!rc) rc = lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", s.types, s.n_tokens);
    if (!rc) rc = lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.merges", merges, ml, s.n_merges);
    if (!rc && bos) rc = lf_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)strtoul(bos, NULL, 10));
    if (!rc && eos) rc = lf_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)strtoul(eos, NULL, 10));
    rc = finish(w, rc, out);
    free(toks);
    free(merges);
    free(tl);
    free(ml);
    hf_free(&k);
    return rc;
}

static int cmd_tokenize(int argc, char **argv) {
    const char *model = arg(argc, argv, "--model"), *corpus = arg(argc, argv, "--corpus");
    bool special = flag(argc, argv, "--special"), both = flag(argc, argv, "--both");
    if (!model || !corpus) return 2;
    lfmrt_err e = {0};
    lf_gguf *g;
    lf_vocab *v;
    if (lf_gguf_open(model, &g, &e) || lf_vocab_load(g, &v, &e)) {
        fprintf(stderr, "tokvocab: %s: %s\n", model, e.msg);
        return 1;
    }
    lf_gguf_close(g);
    FILE *f = fopen(corpus, "rb");
    if (!f) {
        fprintf(stderr, "tokvocab: cannot open %s\n", corpus);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    if (fread(text, 1, (size_t)n, f) != (size_t)n) n = 0;
    fclose(f);
    size_t cap = (size_t)n + 16, line = 0;
    int32_t *ids = malloc(cap * sizeof *ids);
    for (size_t at = 0; at < (size_t)n;) {
        char *nl = memchr(text + at, '\n', (size_t)n - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : (size_t)n - at, k;
        printf("{\"line\":%zu", line);
        for (int pass = 0; pass < (both ? 2 : 1); pass++) {
            if (lf_vocab_tokenize(v, text + at, len, both ? pass == 1 : special, ids, cap, &k, &e)) {
                fprintf(stderr, "tokvocab: line %zu: %s\n", line, e.msg);
                return 1;
            }
            printf(pass ? ",\"ids_special\":[" : ",\"ids\":[");
            for (size_t i = 0; i < k; i++) printf(i ? ",%d" : "%d", ids[i]);
            printf("]");
        }
        printf("}\n");
        line++;
        at += len + 1;
    }
    free(ids);
    free(text);
    lf_vocab_destroy(v);
    return 0;
}

int main(int argc, char **argv) {
    int rc = 2;
    if (argc >= 2 && !strcmp(argv[1], "gen")) rc = cmd_gen(argc, argv);
    else if (argc >= 2 && !strcmp(argv[1], "hf")) rc = cmd_hf(argc, argv);
    else if (argc >= 2 && !strcmp(argv[1], "tokenize")) rc = cmd_tokenize(argc, argv);
    if (rc == 2) fprintf(stderr, "usage: tokvocab gen|hf|tokenize ... (see tests/tokenizer/tokvocab.c)\n");
    return rc;
}
