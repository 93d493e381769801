/* tests/common/testutil.h - helpers shared by the cmocka tests. */
#ifndef LF_TESTUTIL_H
#define LF_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Exit status ctest counts as "skipped". */
#define LF_TEST_SKIP 77

/* Directory of the real data (LFMRT_TEST_DATA, default ../shared/data), or NULL after printing a loud
 * SKIP line naming `what` when it is absent. */
const char *lf_test_data_dir(const char *what);
/* Scratch directory for a test (created), e.g. build/testtmp. */
const char *lf_test_tmp_dir(void);
/* Joins dir and name into a static buffer (not reentrant). */
const char *lf_test_path(const char *dir, const char *name);
/* Reads a whole file into malloc'd memory (NUL-terminated); NULL on error. */
char *lf_test_read_file(const char *path, size_t *len);
/* Deterministic PRNG for tests. */
uint64_t lf_test_rand(uint64_t *state);
float lf_test_randf(uint64_t *state); /* uniform [-1, 1) */

#endif
