/* models/registry.c - general.architecture -> architecture implementation. */
#include <string.h>

#include "models/model.h"

extern const lf_arch lf_arch_lfm2;

static const lf_arch *const k_archs[] = {&lf_arch_lfm2};

const lf_arch *lf_arch_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof k_archs / sizeof k_archs[0]; i++)
        if (strlen(k_archs[i]->name) == len && !memcmp(k_archs[i]->name, name, len)) return k_archs[i];
    return NULL;
}

const char *lf_arch_names(void) { return "lfm2"; }
