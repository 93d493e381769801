/* cli/args.c - option iteration, strict value parsing and the one-line error messages. */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv, int first) {
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->i = first;
}

int cli_args_next(cli_args *a) {
    a->inline_val = NULL;
    a->opt[0] = '\0';
    if (a->i >= a->argc) return CLI_END;
    const char *s = a->argv[a->i++];
    a->arg = s;
    if (!a->opts_done && strcmp(s, "--") == 0) {
        a->opts_done = true;
        return cli_args_next(a);
    }
    if (a->opts_done || s[0] != '-' || s[1] == '\0') return CLI_POS;
    const char *eq = s[1] == '-' ? strchr(s, '=') : NULL;
    size_t n = eq ? (size_t)(eq - s) : strlen(s);
    if (n >= sizeof a->opt) n = sizeof a->opt - 1;
    memcpy(a->opt, s, n);
    a->opt[n] = '\0';
    if (eq) a->inline_val = eq + 1;
    return CLI_OPT;
}

bool cli_is(const cli_args *a, const char *short_name, const char *long_name) {
    return (short_name && strcmp(a->opt, short_name) == 0) || (long_name && strcmp(a->opt, long_name) == 0);
}

static void vline(const char *cmd, const char *fmt, va_list ap, bool hint) {
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* one line, whatever the message holds */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    if (cmd) {
        if (hint) fprintf(stderr, "lfmrt: %s: %s (see 'lfmrt %s --help')\n", cmd, msg, cmd);
        else fprintf(stderr, "lfmrt: %s: %s\n", cmd, msg);
    } else {
        if (hint) fprintf(stderr, "lfmrt: %s (see 'lfmrt --help')\n", msg);
        else fprintf(stderr, "lfmrt: %s\n", msg);
    }
}

int cli_usage(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vline(cmd, fmt, ap, true);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vline(cmd, fmt, ap, false);
    va_end(ap);
    return CLI_FAIL;
}

int cli_unknown(const cli_args *a) {
    if (a->opt[0]) return cli_usage(a->cmd, "unknown option '%s'", a->opt);
    return cli_usage(a->cmd, "unexpected argument '%s'", a->arg);
}

int cli_val_str(cli_args *a, const char **out) {
    if (a->inline_val) {
        *out = a->inline_val;
        return CLI_OK;
    }
    if (a->i >= a->argc) return cli_usage(a->cmd, "option '%s' needs a value", a->opt);
    *out = a->argv[a->i++];
    return CLI_OK;
}

bool cli_parse_long(const char *s, long *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || end == s) return false;
    *out = v;
    return true;
}

bool cli_parse_double(const char *s, double *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end != '\0' || end == s || !isfinite(v)) return false;
    *out = v;
    return true;
}

int cli_val_int(cli_args *a, long lo, long hi, int *out) {
    const char *s = NULL;
    int rc = cli_val_str(a, &s);
    if (rc) return rc;
    long v;
    if (!cli_parse_long(s, &v))
        return cli_usage(a->cmd, "option '%s' expects an integer, got '%s'", a->opt, s);
    if (v < lo || v > hi)
        return cli_usage(a->cmd, "option '%s' must be in %ld..%ld, got %ld", a->opt, lo, hi, v);
    *out = (int)v;
    return CLI_OK;
}

int cli_val_u64(cli_args *a, uint64_t *out) {
    const char *s = NULL;
    int rc = cli_val_str(a, &s);
    if (rc) return rc;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || errno || *end != '\0')
        return cli_usage(a->cmd, "option '%s' expects a non-negative integer, got '%s'", a->opt, s);
    *out = (uint64_t)v;
    return CLI_OK;
}

int cli_val_float(cli_args *a, double lo, double hi, float *out) {
    const char *s = NULL;
    int rc = cli_val_str(a, &s);
    if (rc) return rc;
    double v;
    if (!cli_parse_double(s, &v)) return cli_usage(a->cmd, "option '%s' expects a number, got '%s'", a->opt, s);
    if (v < lo || v > hi) return cli_usage(a->cmd, "option '%s' must be in %g..%g, got %g", a->opt, lo, hi, v);
    *out = (float)v;
    return CLI_OK;
}

int cli_flag(cli_args *a, bool *out) {
    if (a->inline_val) return cli_usage(a->cmd, "option '%s' takes no value", a->opt);
    *out = true;
    return CLI_OK;
}

bool cli_parse_int_list(const char *s, int64_t **out, size_t *n, const char **bad) {
    *out = NULL;
    *n = 0;
    *bad = s;
    size_t cap = 0;
    int64_t *v = NULL;
    const char *p = s;
    for (;;) {
        while (*p == ',' || *p == ' ' || *p == '\t') p++;
        if (!*p) break;
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (end == p || errno || (*end && *end != ',' && *end != ' ' && *end != '\t')) {
            *bad = p;
            free(v);
            return false;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                free(v);
                return false;
            }
            v = nv;
        }
        v[(*n)++] = (int64_t)x;
        p = end;
    }
    if (*n == 0) {
        free(v);
        return false;
    }
    *out = v;
    return true;
}
