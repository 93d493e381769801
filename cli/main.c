/* cli/main.c - the lfmrt binary: global options and subcommand dispatch.
 *
 * Exit status: 0 success, 1 runtime error (bad model file, I/O), 2 usage error. Every error is one line
 * on stderr (cli/args.h). Subcommands live in cli/cmd_*.c and own their --help text.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "common.h"
#include "lfmrt/lfmrt.h"

int cmd_convert(int argc, char **argv); /* cli/cmd_convert.c */

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command COMMANDS[] = {
    {"run", cmd_run, "generate text from a prompt, or chat interactively (--chat)"},
    {"eval", cmd_eval, "next-token log-probabilities of a token sequence, as JSON"},
    {"tokenize", cmd_tokenize, "token ids of a text, as JSON"},
    {"inspect", cmd_inspect, "metadata, tensors, layer layout and licence of a GGUF file"},
    {"gen-model", cmd_genmodel, "write a GGUF model with random weights at real dimensions"},
    {"convert", cmd_convert, "vocabulary-only GGUF from a Hugging Face tokenizer (--hf-tokenizer DIR)"},
    {"bench", cmd_bench, "prefill / decode speed, time to first token, latency percentiles, memory"},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void print_help(FILE *f) {
    fprintf(f,
            "lfmrt %s - an edge LLM runtime for the CPU (LFM2, Qwen3, Gemma3, Llama GGUF models)\n"
            "\n"
            "usage: lfmrt COMMAND [options]\n"
            "       lfmrt COMMAND --help     options of one command\n"
            "       lfmrt --version\n"
            "\n"
            "commands:\n",
            LFMRT_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\n"
               "environment:\n"
               "  LFMRT_THREADS  default number of worker threads (-t overrides)\n"
               "\n"
               "exit status: 0 success, 1 runtime error, 2 usage error\n");
}

static const cli_command *find_command(const char *name) {
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) return &COMMANDS[i];
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) return cli_usage(NULL, "missing command");
    const char *a = argv[1];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
        print_help(stdout);
        return CLI_OK;
    }
    if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
        printf("lfmrt %s\n", LFMRT_VERSION);
        return CLI_OK;
    }
    if (!strcmp(a, "help")) {
        if (argc < 3) {
            print_help(stdout);
            return CLI_OK;
        }
        const cli_command *c = find_command(argv[2]);
        if (!c) return cli_usage(NULL, "unknown command '%s'", argv[2]);
        char help[] = "--help";
        char *av[2] = {argv[2], help};
        return c->fn(2, av);
    }
    if (a[0] == '-') return cli_usage(NULL, "unknown option '%s'", a);
    const cli_command *c = find_command(a);
    if (!c) return cli_usage(NULL, "unknown command '%s'", a);
    int rc = c->fn(argc - 1, argv + 1);
    if (fflush(stdout) != 0 && rc == CLI_OK) return cli_fail(c->name, "cannot write to standard output");
    return rc;
}
