/* cli/json_out.c - JSON string escaping and number formatting for the CLI's outputs. */
#include "json_out.h"

#include <math.h>

#include "utf8_stream.h"

static void put_escaped_cp(FILE *f, const char *p, size_t n) {
    /* p[0..n) is one valid UTF-8 sequence or a single ASCII byte */
    if (n == 1) {
        unsigned char c = (unsigned char)p[0];
        switch (c) {
        case '"': fputs("\\\"", f); return;
        case '\\': fputs("\\\\", f); return;
        case '\n': fputs("\\n", f); return;
        case '\r': fputs("\\r", f); return;
        case '\t': fputs("\\t", f); return;
        case '\b': fputs("\\b", f); return;
        case '\f': fputs("\\f", f); return;
        default:
            if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
            else fputc(c, f);
            return;
        }
    }
    fwrite(p, 1, n, f);
}

static void json_sink(void *user, const char *p, size_t n) {
    FILE *f = user;
    size_t i = 0;
    while (i < n) {
        size_t len = cli_utf8_seq_len((unsigned char)p[i]);
        if (len == 0 || i + len > n) len = 1; /* the stream only passes whole sequences */
        put_escaped_cp(f, p + i, len);
        i += len;
    }
}

void json_str(FILE *f, const char *s, size_t n) {
    cli_utf8 u;
    cli_utf8_init(&u, json_sink, f);
    fputc('"', f);
    cli_utf8_feed(&u, s, n);
    cli_utf8_flush(&u);
    fputc('"', f);
}

void json_cstr(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    size_t n = 0;
    while (s[n]) n++;
    json_str(f, s, n);
}

void json_num(FILE *f, double v) {
    if (!isfinite(v)) fputs("null", f);
    else fprintf(f, "%.7g", v);
}

void json_num_exact(FILE *f, double v) {
    if (!isfinite(v)) fputs("null", f);
    else fprintf(f, "%.17g", v);
}

void json_key(FILE *f, bool *first, const char *key) {
    json_sep(f, first);
    json_cstr(f, key);
    fputc(':', f);
}

void json_sep(FILE *f, bool *first) {
    if (!*first) fputc(',', f);
    *first = false;
}

void json_ids(FILE *f, const int32_t *ids, size_t n) {
    fputc('[', f);
    for (size_t i = 0; i < n; i++) fprintf(f, i ? ",%d" : "%d", (int)ids[i]);
    fputc(']', f);
}
