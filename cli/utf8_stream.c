/* cli/utf8_stream.c - see utf8_stream.h. */
#include "utf8_stream.h"

static const char REPL[3] = {(char)0xEF, (char)0xBF, (char)0xBD}; /* U+FFFD */

void cli_utf8_init(cli_utf8 *u, cli_utf8_sink sink, void *user) {
    u->n_pend = 0;
    u->need = 0;
    u->sink = sink;
    u->user = user;
}

size_t cli_utf8_seq_len(unsigned char c) {
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

/* is c a valid byte at position k (>= 1) of a sequence starting with lead? */
static int cont_ok(unsigned char lead, size_t k, unsigned char c) {
    if (k == 1) {
        if (lead == 0xE0) return c >= 0xA0 && c <= 0xBF;
        if (lead == 0xED) return c >= 0x80 && c <= 0x9F; /* no surrogates */
        if (lead == 0xF0) return c >= 0x90 && c <= 0xBF;
        if (lead == 0xF4) return c >= 0x80 && c <= 0x8F;
    }
    return c >= 0x80 && c <= 0xBF;
}

void cli_utf8_feed(cli_utf8 *u, const char *p, size_t n) {
    size_t run = 0; /* start of the current run of plain ASCII / complete sequences in p */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (u->n_pend == 0) {
            size_t len = cli_utf8_seq_len(c);
            if (len == 1) {
                i++;
                continue;
            }
            if (i > run) u->sink(u->user, p + run, i - run);
            if (len == 0) {
                u->sink(u->user, REPL, 3);
            } else {
                u->pend[0] = c;
                u->n_pend = 1;
                u->need = len;
            }
            i++;
            run = i;
            continue;
        }
        if (cont_ok(u->pend[0], u->n_pend, c)) {
            u->pend[u->n_pend++] = c;
            i++;
            if (u->n_pend == u->need) {
                u->sink(u->user, (const char *)u->pend, u->n_pend);
                u->n_pend = 0;
            }
            run = i;
        } else {
            u->sink(u->user, REPL, 3); /* broken sequence; c is looked at again */
            u->n_pend = 0;
            run = i;
        }
    }
    if (i > run) u->sink(u->user, p + run, i - run);
}

void cli_utf8_flush(cli_utf8 *u) {
    if (u->n_pend) u->sink(u->user, REPL, 3);
    u->n_pend = 0;
}
