/* models/registry.c - general.architecture -> architecture implementation. */
#include <string.h>

#include "models/model.h"

extern const lf_arch lf_arch_lfm2;
extern const lf_arch lf_arch_qwen3;
extern const lf_arch lf_arch_gemma3;
extern const lf_arch lf_arch_llama;

static const lf_arch *const k_archs[] = {&lf_arch_lfm2, &lf_arch_qwen3, &lf_arch_gemma3, &lf_arch_llama};

const lf_arch *lf_arch_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof k_archs / sizeof k_archs[0]; i++)
        if (strlen(k_archs[i]->name) == len && !memcmp(k_archs[i]->name, name, len)) return k_archs[i];
    return NULL;
}

const char *lf_arch_names(void) { return "lfm2, qwen3, gemma3, llama"; }
