/* cli/common.h - helpers shared by the subcommands: the clock, model loading with one-line errors,
 * reading files, tokenizing into a growing buffer, token pieces, the LFMRT_THREADS default.
 * Only the CLI reads the environment; the library never does. */
#ifndef LFMRT_CLI_COMMON_H
#define LFMRT_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lfmrt/lfmrt.h"

/* Subcommand entry points: argv[0] is the subcommand name. Return the process exit status. */
int cmd_run(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_genmodel(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Monotonic milliseconds. */
double cli_now_ms(void);

/* Default worker threads: LFMRT_THREADS if set to a positive integer, else 0 (library default). */
int cli_default_threads(void);

/* Checks that path is a readable regular file, then opens it as a model. On failure prints one line
 * ("lfmrt: CMD: cannot open model 'x': ...") and returns CLI_FAIL; *out is NULL then. */
int cli_open_model(const char *cmd, const char *path, int n_threads, lfmrt_model **out);

/* Prints "lfmrt: CMD: WHAT 'path': msg", or "lfmrt: CMD: msg" when msg already names path (library
 * messages usually start with it). Returns CLI_FAIL. */
int cli_fail_path(const char *cmd, const char *what, const char *path, const lfmrt_err *e, int status);

/* Checks that path names a readable regular file; prints the error and returns CLI_FAIL if not. */
int cli_check_file(const char *cmd, const char *what, const char *path);

/* Reads a whole file ("-": standard input; pipes and devices work too; NUL-terminated, malloc'd).
 * On failure prints the error and returns NULL. */
char *cli_read_file(const char *cmd, const char *path, size_t *len);

/* Tokenizes text[0..len) into a malloc'd array (*ids, *n). Prints the error and returns CLI_FAIL on
 * failure. */
int cli_tokenize(const char *cmd, const lfmrt_model *m, const char *text, size_t len, bool special,
                 int32_t **ids, size_t *n);

/* The bytes of token id, written into a growing buffer (*buf, *cap: malloc'd by the function as
 * needed). Returns the length, or -1 for a bad id or out of memory. */
int cli_piece(const lfmrt_model *m, int32_t id, bool special, char **buf, size_t *cap);

#endif
