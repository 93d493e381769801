/* base/err.h - filling an lfmrt_err. */
#ifndef LF_BASE_ERR_H
#define LF_BASE_ERR_H

#include "lfmrt/status.h"

#if defined(__GNUC__)
#define LF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LF_PRINTF(a, b)
#endif

/* Sets e->code = code and formats e->msg (e may be NULL). Returns code, so callers can
 * `return lf_err(e, LFMRT_E_FORMAT, "...")`. */
int lf_err(lfmrt_err *e, int code, const char *fmt, ...) LF_PRINTF(3, 4);

/* Clears e (code OK, empty message). e may be NULL. */
void lf_err_clear(lfmrt_err *e);

#endif
