/* tests/common/testutil.c */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *lf_test_data_dir(const char *what) {
    const char *d = getenv("LFMRT_TEST_DATA");
    if (!d || !*d) d = "../shared/data";
    struct stat st;
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "SKIP: %s: real data directory '%s' not found (set LFMRT_TEST_DATA)\n", what, d);
        return NULL;
    }
    return d;
}

const char *lf_test_tmp_dir(void) {
    const char *d = getenv("LFMRT_TEST_TMP");
    if (!d || !*d) d = "/tmp/lfmrt-test";
    mkdir(d, 0755);
    return d;
}

const char *lf_test_path(const char *dir, const char *name) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

char *lf_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0) { fclose(f); return NULL; }
    rewind(f);
    char *b = malloc((size_t)n + 1);
    if (!b) { fclose(f); return NULL; }
    if (fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); fclose(f); return NULL; }
    b[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return b;
}

uint64_t lf_test_rand(uint64_t *s) {
    uint64_t x = *s += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

float lf_test_randf(uint64_t *s) {
    return (float)((lf_test_rand(s) >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}
