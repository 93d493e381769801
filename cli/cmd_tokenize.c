/* cli/tokenize: `lfmrt tokenize` - the token ids of a text as {"ids":[...]} (no BOS added).
 * --lines tokenizes each input line on its own and prints one JSON object per line (parity tests).
 * The vocabulary is read straight from the GGUF (tokenizer/vocab.h, the code behind lfmrt_tokenize), so
 * vocabulary-only files (llama.cpp's ggml-vocab-*.gguf) and models the engine cannot run work too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "common.h"
#include "format/gguf.h"
#include "json_out.h"
#include "tokenizer/vocab.h"

static const char *CMD = "tokenize";

static void usage(void) {
    printf("usage: lfmrt tokenize -m MODEL (--text TEXT | --text-file FILE) [--special] [--lines]\n"
           "\n"
           "Prints the token ids of TEXT as JSON: {\"ids\":[...]}. No BOS token is added.\n"
           "\n"
           "options:\n"
           "  -m, --model FILE      GGUF model (a vocabulary-only GGUF is enough)\n"
           "  --text TEXT           text to tokenize\n"
           "  --text-file FILE      read the text from FILE ('-': standard input)\n"
           "  --special             parse special-token text such as <|im_start|>\n"
           "  --lines               tokenize each line separately; one JSON object per line\n"
           "  -h, --help            this help\n");
}

/* tokenizes into *buf (grown as needed) and prints {"ids":[...]} */
static int print_ids(const lf_vocab *v, const char *text, size_t len, bool special, int32_t **buf, size_t *cap) {
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t need = 0;
        lfmrt_err e;
        memset(&e, 0, sizeof e);
        int st = lf_vocab_tokenize(v, text, len, special, *buf, *cap, &need, &e);
        if (st == LFMRT_OK) {
            fputs("{\"ids\":", stdout);
            json_ids(stdout, *buf, need);
            fputs("}\n", stdout);
            return CLI_OK;
        }
        if (st != LFMRT_E_RANGE || need <= *cap)
            return cli_fail(CMD, "tokenize failed: %s", e.msg[0] ? e.msg : lfmrt_status_name(st));
        int32_t *nb = realloc(*buf, need * sizeof *nb);
        if (!nb) return cli_fail(CMD, "out of memory");
        *buf = nb;
        *cap = need;
    }
    return cli_fail(CMD, "tokenize failed: output size changed between calls");
}

int cmd_tokenize(int argc, char **argv) {
    const char *model = NULL, *text = NULL, *text_file = NULL;
    bool special = false, lines = false;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int k, rc = 0;
    while ((k = cli_args_next(&a)) != CLI_END) {
        if (k == CLI_POS) return cli_unknown(&a);
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, "-m", "--model")) rc = cli_val_str(&a, &model);
        else if (cli_is(&a, NULL, "--text")) rc = cli_val_str(&a, &text);
        else if (cli_is(&a, NULL, "--text-file")) rc = cli_val_str(&a, &text_file);
        else if (cli_is(&a, NULL, "--special")) rc = cli_flag(&a, &special);
        else if (cli_is(&a, NULL, "--lines")) rc = cli_flag(&a, &lines);
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (!model) return cli_usage(CMD, "missing -m MODEL");
    if (!text && !text_file) return cli_usage(CMD, "missing --text TEXT or --text-file FILE");
    if (text && text_file) return cli_usage(CMD, "give either --text or --text-file, not both");

    char *owned = NULL;
    size_t len;
    if (text_file) {
        owned = cli_read_file(CMD, text_file, &len);
        if (!owned) return CLI_FAIL;
        text = owned;
    } else {
        len = strlen(text);
    }
    lf_gguf *g = NULL;
    lf_vocab *v = NULL;
    int32_t *ids = NULL;
    size_t cap = 0;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    int st;
    rc = cli_check_file(CMD, "model", model);
    if (rc) goto done;
    if ((st = lf_gguf_open(model, &g, &e)) != LFMRT_OK) {
        rc = cli_fail_path(CMD, "cannot read", model, &e, st);
        goto done;
    }
    if ((st = lf_vocab_load(g, &v, &e)) != LFMRT_OK) {
        rc = cli_fail_path(CMD, "cannot load the vocabulary of", model, &e, st);
        goto done;
    }
    cap = len + 16;
    ids = malloc(cap * sizeof *ids);
    if (!ids) {
        rc = cli_fail(CMD, "out of memory");
        goto done;
    }
    if (!lines) {
        rc = print_ids(v, text, len, special, &ids, &cap);
    } else {
        size_t start = 0;
        while (start < len && rc == CLI_OK) {
            const char *nl = memchr(text + start, '\n', len - start);
            size_t end = nl ? (size_t)(nl - text) : len;
            rc = print_ids(v, text + start, end - start, special, &ids, &cap);
            start = end + 1;
        }
    }
done:
    free(ids);
    lf_vocab_destroy(v);
    lf_gguf_close(g);
    free(owned);
    return rc;
}
