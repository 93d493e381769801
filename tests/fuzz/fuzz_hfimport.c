/* tests/fuzz/fuzz_hfimport.c - libFuzzer target for the Hugging Face tokenizer import
 * (tokenizer/hfimport.h, lf_hf_import_parse): the input is tokenizer.json, optionally followed by a 0x01
 * byte and tokenizer_config.json, then a second 0x01 and config.json; the result goes into an in-memory
 * GGUF writer that is then dropped. Any read past a JSON value's bounds, bad id indexing or leak shows up
 * under ASan. Build: CC=clang cmake -S . -B build-fuzz -DLFMRT_FUZZ=ON;
 * run: build-fuzz/tests/fuzz_hfimport -rss_limit_mb=2048 tests/fuzz/corpus/hfimport */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/gguf.h"
#include "tokenizer/hfimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data;
    const char *parts[3] = {p, NULL, NULL};
    size_t lens[3] = {size, 0, 0};
    for (int k = 1; k < 3; k++) {
        const char *sep = memchr(parts[k - 1], 0x01, lens[k - 1]);
        if (!sep) break;
        size_t before = (size_t)(sep - parts[k - 1]);
        parts[k] = sep + 1;
        lens[k] = lens[k - 1] - before - 1;
        lens[k - 1] = before;
    }
    lf_hf_files f = {parts[0], lens[0], parts[1], lens[1], parts[2], lens[2], NULL, 0};
    lf_gguf_writer *w = lf_gguf_writer_create();
    if (!w) return 0;
    lfmrt_err e;
    lf_hf_info info;
    lf_hf_opts o = {.pre = size & 1 ? "qwen2" : NULL};
    (void)lf_hf_import_parse(&f, &o, w, &info, &e);
    lf_gguf_writer_destroy(w);
    return 0;
}
