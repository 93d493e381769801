/* cli/common.c - see common.h. */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "args.h"

double cli_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cli_default_threads(void) {
    const char *s = getenv("LFMRT_THREADS");
    long v;
    if (s && cli_parse_long(s, &v) && v > 0 && v <= 1024) return (int)v;
    return 0;
}

int cli_fail_path(const char *cmd, const char *what, const char *path, const lfmrt_err *e, int status) {
    const char *msg = e && e->msg[0] ? e->msg : lfmrt_status_name(status);
    if (strstr(msg, path)) return cli_fail(cmd, "%s", msg);
    return cli_fail(cmd, "%s '%s': %s", what, path, msg);
}

int cli_check_file(const char *cmd, const char *what, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return cli_fail(cmd, "cannot open %s '%s': %s", what, path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return cli_fail(cmd, "cannot open %s '%s': is a directory", what, path);
    if (!S_ISREG(st.st_mode)) return cli_fail(cmd, "cannot open %s '%s': not a regular file", what, path);
    FILE *f = fopen(path, "rb");
    if (!f) return cli_fail(cmd, "cannot open %s '%s': %s", what, path, strerror(errno));
    fclose(f);
    return CLI_OK;
}

int cli_open_model(const char *cmd, const char *path, int n_threads, lfmrt_model **out) {
    *out = NULL;
    int rc = cli_check_file(cmd, "model", path);
    if (rc) return rc;
    lfmrt_model_params mp = lfmrt_model_default_params();
    mp.n_threads = n_threads;
    /* LFMRT_NO_REPACK=1: keep the file's weight layout (A/B timing of the load-time repack; the same results,
     * bit for bit for Q4_0 and Q8_0, within the K-quant tolerance for Q4_K) */
    const char *nr = getenv("LFMRT_NO_REPACK");
    mp.no_repack = nr && *nr && strcmp(nr, "0") != 0;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    rc = lfmrt_model_open(path, &mp, out, &e);
    if (rc != LFMRT_OK) {
        *out = NULL;
        return cli_fail_path(cmd, "cannot load model", path, &e, rc);
    }
    return CLI_OK;
}

char *cli_read_file(const char *cmd, const char *path, size_t *len) {
    bool is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_fail(cmd, "cannot open file '%s': is a directory", path);
        return NULL;
    }
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_fail(cmd, "cannot open file '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    if (!is_stdin) fclose(f);
    if (!b) {
        cli_fail(cmd, "out of memory reading '%s'", path);
        return NULL;
    }
    if (bad) {
        free(b);
        cli_fail(cmd, "cannot read file '%s'", path);
        return NULL;
    }
    b[n] = '\0';
    if (len) *len = n;
    return b;
}

int cli_tokenize(const char *cmd, const lfmrt_model *m, const char *text, size_t len, bool special,
                 int32_t **ids, size_t *n) {
    *ids = NULL;
    *n = 0;
    size_t cap = len + 16;
    for (int attempt = 0; attempt < 2; attempt++) {
        int32_t *buf = malloc(cap * sizeof *buf);
        if (!buf) return cli_fail(cmd, "out of memory tokenizing %zu bytes", len);
        size_t need = 0;
        lfmrt_err e;
        memset(&e, 0, sizeof e);
        int rc = lfmrt_tokenize(m, text, len, special, buf, cap, &need, &e);
        if (rc == LFMRT_OK) {
            *ids = buf;
            *n = need;
            return CLI_OK;
        }
        free(buf);
        if (rc != LFMRT_E_RANGE || need <= cap)
            return cli_fail(cmd, "tokenize failed: %s", e.msg[0] ? e.msg : lfmrt_status_name(rc));
        cap = need;
    }
    return cli_fail(cmd, "tokenize failed: output size changed between calls");
}

int cli_piece(const lfmrt_model *m, int32_t id, bool special, char **buf, size_t *cap) {
    if (!*buf) {
        *cap = 64;
        *buf = malloc(*cap);
        if (!*buf) return -1;
    }
    int n = lfmrt_token_to_piece(m, id, special, *buf, *cap);
    if (n < 0) return -1;
    if ((size_t)n > *cap) {
        char *nb = realloc(*buf, (size_t)n);
        if (!nb) return -1;
        *buf = nb;
        *cap = (size_t)n;
        n = lfmrt_token_to_piece(m, id, special, *buf, *cap);
        if (n < 0 || (size_t)n > *cap) return -1;
    }
    return n;
}
