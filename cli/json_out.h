/* cli/json_out.h - minimal JSON output to a FILE: strings (escaped, always valid UTF-8), numbers
 * (non-finite as null), and a little state for separating items. Writing JSON is the product's
 * output format here, not a parser, so a few printf helpers are enough. */
#ifndef LFMRT_CLI_JSON_OUT_H
#define LFMRT_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes s[0..n) as a JSON string literal: quotes, backslashes and control characters escaped,
 * invalid UTF-8 bytes replaced by U+FFFD. */
void json_str(FILE *f, const char *s, size_t n);
/* Same for a NUL-terminated string (NULL prints null). */
void json_cstr(FILE *f, const char *s);
/* A number with %.7g; NaN and infinities print null (JSON has no such numbers). */
void json_num(FILE *f, double v);
/* A number with %.17g (doubles that must round-trip); non-finite prints null. */
void json_num_exact(FILE *f, double v);
/* "key": (with a leading comma unless *first; clears *first). */
void json_key(FILE *f, bool *first, const char *key);
/* A comma unless *first; clears *first (for array items). */
void json_sep(FILE *f, bool *first);
/* [a,b,c] of int32 ids */
void json_ids(FILE *f, const int32_t *ids, size_t n);

#endif
