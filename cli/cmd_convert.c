/* cli/cmd_convert.c - `lfmrt convert`: other formats to GGUF.
 *  --hf-tokenizer DIR -o vocab.gguf: a vocabulary-only GGUF from a Hugging Face tokenizer directory
 *    (tokenizer/hfimport.h does the work), laid out as llama.cpp's converter writes it. Like llama.cpp's
 *    ggml-vocab-*.gguf files it has general.architecture, general.name and {arch}.vocab_size besides the
 *    tokenizer.* keys, and no tensors; `lfmrt tokenize -m` reads it.
 *  --llama2c MODEL.bin --llama2c-tokenizer TOK.bin -o model.gguf: a karpathy/llama2.c checkpoint as a
 *    GGUF `llama` model (convert/llama2c.h does the work). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "common.h"
#include "convert/llama2c.h"
#include "format/gguf.h"
#include "tokenizer/hfimport.h"

#define CMD "convert"

static void usage(void) {
    printf("usage: lfmrt convert --hf-tokenizer DIR -o FILE [--arch NAME] [--pre NAME]\n"
           "       lfmrt convert --llama2c MODEL.bin --llama2c-tokenizer TOKENIZER.bin -o FILE\n"
           "\n"
           "Writes a vocabulary-only GGUF from a Hugging Face tokenizer directory (tokenizer.json, plus\n"
           "tokenizer_config.json and config.json when present): byte-level BPE tokenizers (Qwen3, Llama 3)\n"
           "as tokenizer.ggml.model gpt2 with merges; byte-fallback BPE tokenizers (Gemma3) as a\n"
           "SentencePiece vocabulary (tokenizer.ggml.model llama) with scores; special tokens, their ids,\n"
           "add_bos/add_eos and the chat template from the configs.\n"
           "With --llama2c: a karpathy/llama2.c checkpoint (legacy, v1 fp32 or v2 int8) and its tokenizer.bin\n"
           "as a GGUF llama model with F32 weights and a SentencePiece vocabulary.\n"
           "\n"
           "options:\n"
           "  --hf-tokenizer DIR   directory holding tokenizer.json\n"
           "  -o, --output FILE    GGUF file to write\n"
           "  --arch NAME          general.architecture (default: guessed: qwen3, qwen2, gemma3, llama)\n"
           "  --pre NAME           tokenizer.ggml.pre for byte-level BPE (default: from the pre-tokenizer)\n"
           "  --llama2c FILE       llama2.c checkpoint (.bin)\n"
           "  --llama2c-tokenizer FILE  llama2.c tokenizer (.bin) for --llama2c\n"
           "  -h, --help           this help\n");
}

static int convert_llama2c(const char *model, const char *tok, const char *out) {
    int rc = cli_check_file(CMD, "checkpoint", model);
    if (!rc) rc = cli_check_file(CMD, "tokenizer", tok);
    if (rc) return rc;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    if (lf_llama2c_convert(model, tok, out, &e) != LFMRT_OK) return cli_fail(CMD, "%s", e.msg);
    fprintf(stderr, "%s: %s + %s -> %s\n", CMD, model, tok, out);
    return CLI_OK;
}

int cmd_convert(int argc, char **argv) {
    const char *dir = NULL, *out = NULL, *arch = NULL, *l2c = NULL, *l2c_tok = NULL;
    lf_hf_opts opts = {0};
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int k, rc = 0;
    while ((k = cli_args_next(&a)) != CLI_END) {
        if (k == CLI_POS) return cli_unknown(&a);
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, NULL, "--hf-tokenizer")) rc = cli_val_str(&a, &dir);
        else if (cli_is(&a, "-o", "--output")) rc = cli_val_str(&a, &out);
        else if (cli_is(&a, NULL, "--arch")) rc = cli_val_str(&a, &arch);
        else if (cli_is(&a, NULL, "--pre")) rc = cli_val_str(&a, &opts.pre);
        else if (cli_is(&a, NULL, "--llama2c")) rc = cli_val_str(&a, &l2c);
        else if (cli_is(&a, NULL, "--llama2c-tokenizer")) rc = cli_val_str(&a, &l2c_tok);
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (dir && (l2c || l2c_tok)) return cli_usage(CMD, "give either --hf-tokenizer or --llama2c, not both");
    if (l2c || l2c_tok) {
        if (!l2c) return cli_usage(CMD, "missing --llama2c MODEL.bin");
        if (!l2c_tok) return cli_usage(CMD, "missing --llama2c-tokenizer TOKENIZER.bin");
        if (!out) return cli_usage(CMD, "missing -o FILE");
        return convert_llama2c(l2c, l2c_tok, out);
    }
    if (!dir) return cli_usage(CMD, "missing --hf-tokenizer DIR (or --llama2c MODEL.bin)");
    if (!out) return cli_usage(CMD, "missing -o FILE");
    if (arch && (!*arch || strlen(arch) > 64)) return cli_usage(CMD, "--arch must be 1 to 64 characters");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lf_gguf_writer *w = lf_gguf_writer_create();
    if (!w) return cli_fail(CMD, "out of memory");
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    lf_hf_info info;
    int st = lf_hf_import(dir, &opts, w, &info, &e);
    if (st != LFMRT_OK) {
        lf_gguf_writer_destroy(w);
        return cli_fail(CMD, "%s", e.msg);
    }
    if (!arch) arch = info.arch;
    char key[96];
    snprintf(key, sizeof key, "%s.vocab_size", arch);
    const char *name = strrchr(dir, '/');
    name = name && name[1] ? name + 1 : dir;
    if (lf_gguf_writer_set_str(w, "general.architecture", arch) || lf_gguf_writer_set_str(w, "general.name", name) ||
        lf_gguf_writer_set_u32(w, key, (uint32_t)info.n_tokens)) {
        lf_gguf_writer_destroy(w);
        return cli_fail(CMD, "cannot store the general keys (out of memory?)");
    }
    st = lf_gguf_writer_write(w, out, NULL, NULL, NULL, NULL, &e);
    lf_gguf_writer_destroy(w);
    if (st != LFMRT_OK) return cli_fail(CMD, "%s", e.msg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "%s: %s tokenizer (pre %s), %zu tokens (%zu added), %zu merges, chat template: %s, "
                    "architecture %s -> %s in %.2f s\n",
            CMD, info.model, info.pre, info.n_tokens, info.n_added, info.n_merges,
            info.has_chat_template ? "yes" : "no", arch, out,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return CLI_OK;
}
