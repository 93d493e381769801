/* cli/main.c - the lfmrt binary: subcommand dispatch (placeholder until the CLI lands). */
#include <stdio.h>
#include <string.h>

#include "lfmrt/lfmrt.h"

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        printf("lfmrt %s\n", LFMRT_VERSION);
        return 0;
    }
    fprintf(stderr, "lfmrt: unknown command '%s'\n", argv[1]);
    return 2;
}
