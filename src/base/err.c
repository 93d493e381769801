/* base/err.c - status names and the error buffer. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *lfmrt_status_name(int status) {
    switch (status) {
    case LFMRT_OK: return "OK";
    case LFMRT_E_INVALID: return "E_INVALID";
    case LFMRT_E_NOMEM: return "E_NOMEM";
    case LFMRT_E_IO: return "E_IO";
    case LFMRT_E_FORMAT: return "E_FORMAT";
    case LFMRT_E_UNSUPPORTED: return "E_UNSUPPORTED";
    case LFMRT_E_RANGE: return "E_RANGE";
    case LFMRT_E_NOTFOUND: return "E_NOTFOUND";
    case LFMRT_E_SHAPE: return "E_SHAPE";
    case LFMRT_E_CANCELLED: return "E_CANCELLED";
    default: return "E_UNKNOWN";
    }
}

int lf_err(lfmrt_err *e, int code, const char *fmt, ...) {
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

void lf_err_clear(lfmrt_err *e) {
    if (e) {
        e->code = LFMRT_OK;
        e->msg[0] = '\0';
    }
}
