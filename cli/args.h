/* cli/args.h - option parsing and error reporting shared by the lfmrt subcommands.
 *
 * Conventions (the whole CLI follows them):
 * - options are "-x VALUE", "--long VALUE" or "--long=VALUE"; "--" ends options; "-" is a positional;
 * - a usage error prints ONE line to stderr, "lfmrt: CMD: WHAT (see 'lfmrt CMD --help')", and the
 *   command returns 2 (CLI_USAGE); a runtime error prints "lfmrt: CMD: WHAT" and returns 1 (CLI_FAIL);
 * - value getters validate the whole string (no trailing garbage, range-checked) and report the option
 *   as the user wrote it.
 */
#ifndef LFMRT_CLI_ARGS_H
#define LFMRT_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h" /* LF_PRINTF */

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* what cli_args_next found */
enum { CLI_END = 0, CLI_OPT = 1, CLI_POS = 2 };

typedef struct cli_args {
    const char *cmd;        /* subcommand name for messages ("run"), or NULL for the global level */
    int argc;
    char **argv;
    int i;                  /* next argv index */
    bool opts_done;         /* "--" seen */
    const char *arg;        /* current argv element (CLI_POS: the positional) */
    char opt[64];           /* current option name without "=value" */
    const char *inline_val; /* value after '=' or NULL */
} cli_args;

/* Parses argv[first..argc). cmd names the subcommand in messages. */
void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv, int first);
/* Advances: CLI_OPT (a->opt set), CLI_POS (a->arg set) or CLI_END. */
int cli_args_next(cli_args *a);
/* true if the current option is short_name or long_name (either may be NULL). */
bool cli_is(const cli_args *a, const char *short_name, const char *long_name);

/* Value getters for the current option: return CLI_OK, or CLI_USAGE after printing the error. */
int cli_val_str(cli_args *a, const char **out);
int cli_val_int(cli_args *a, long lo, long hi, int *out);
int cli_val_u64(cli_args *a, uint64_t *out);
int cli_val_float(cli_args *a, double lo, double hi, float *out);
/* A flag: rejects "--flag=value". */
int cli_flag(cli_args *a, bool *out);

/* Prints the unknown-option / unexpected-argument error for the current item; returns CLI_USAGE. */
int cli_unknown(const cli_args *a);

/* Error lines (see the conventions above). Return CLI_USAGE / CLI_FAIL. */
int cli_usage(const char *cmd, const char *fmt, ...) LF_PRINTF(2, 3);
int cli_fail(const char *cmd, const char *fmt, ...) LF_PRINTF(2, 3);

/* Strict number parsers (whole string, no overflow). */
bool cli_parse_long(const char *s, long *out);
bool cli_parse_double(const char *s, double *out);

/* Parses a list of integers separated by commas and/or spaces ("1,2, 3"). On success *out is malloc'd
 * (free it) and *n set; an empty list is an error. Returns false with *bad pointing at the offending
 * item (not NUL-terminated at the item end) on a bad item. */
bool cli_parse_int_list(const char *s, int64_t **out, size_t *n, const char **bad);

#endif
