/* cli/utf8_stream.h - a UTF-8-safe byte stream: token pieces may end inside a multi-byte character;
 * this holds an incomplete sequence back until it completes, and replaces invalid bytes (and a sequence
 * left incomplete at flush) by U+FFFD, so what reaches the terminal or a JSON string is valid UTF-8.
 * Validation is strict (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef LFMRT_CLI_UTF8_STREAM_H
#define LFMRT_CLI_UTF8_STREAM_H

#include <stddef.h>

/* Receives runs of complete, valid UTF-8. */
typedef void (*cli_utf8_sink)(void *user, const char *p, size_t n);

typedef struct cli_utf8 {
    unsigned char pend[4]; /* bytes of an incomplete sequence */
    size_t n_pend;
    size_t need;           /* total length of the pending sequence */
    cli_utf8_sink sink;
    void *user;
} cli_utf8;

void cli_utf8_init(cli_utf8 *u, cli_utf8_sink sink, void *user);
/* Feeds bytes; complete characters go to the sink, an incomplete tail is kept. */
void cli_utf8_feed(cli_utf8 *u, const char *p, size_t n);
/* Ends the stream: a pending incomplete sequence becomes U+FFFD. */
void cli_utf8_flush(cli_utf8 *u);

/* Length of the sequence a lead byte starts (1..4), 0 if it cannot start one. */
size_t cli_utf8_seq_len(unsigned char lead);

#endif
