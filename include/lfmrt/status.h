/* lfmrt/status.h - status codes shared by every lfmrt API.
 *
 * Every fallible function returns LFMRT_OK (0) or a negative LFMRT_E_* code and, where it has a handle
 * or an lfmrt_err out-parameter, leaves a human-readable message there saying what is wrong and where.
 */
#ifndef LFMRT_STATUS_H
#define LFMRT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
    LFMRT_OK = 0,
    LFMRT_E_INVALID = -1,      /* bad argument from the caller */
    LFMRT_E_NOMEM = -2,        /* allocation failed */
    LFMRT_E_IO = -3,           /* open/read/write/mmap failed */
    LFMRT_E_FORMAT = -4,       /* malformed file or data */
    LFMRT_E_UNSUPPORTED = -5,  /* well-formed but not supported (version, dtype, architecture) */
    LFMRT_E_RANGE = -6,        /* value out of range (context full, token id too large, ...) */
    LFMRT_E_NOTFOUND = -7,     /* missing key or tensor */
    LFMRT_E_SHAPE = -8,        /* tensor has the wrong dtype or shape */
    LFMRT_E_CANCELLED = -9     /* stopped by the caller's callback */
};

/* Short stable name of a status code ("OK", "E_FORMAT", ...). Never NULL. */
const char *lfmrt_status_name(int status);

/* An error buffer owned by the caller: functions taking one fill msg on failure. */
typedef struct lfmrt_err {
    int code;
    char msg[512];
} lfmrt_err;

#ifdef __cplusplus
}
#endif
#endif
