/* tests/fuzz/fuzz_llama2c.c - libFuzzer target for the llama2.c input parsers (convert/llama2c.h).
 * Input: byte 0 picks the parser; bytes 1..2 (little-endian, mod 4096, + 1) give the tokenizer's
 * vocabulary size; the rest is the file image. A successful checkpoint parse must describe exactly the
 * image's size; a successful tokenizer parse must give n pieces that lie inside the image, each no
 * longer than max_token_length, together covering it (every byte is read so ASan sees any overrun).
 * Build: CC=clang cmake -S . -B build-fuzz -DLFMRT_FUZZ=ON; run: build-fuzz/tests/fuzz_llama2c tests/fuzz/corpus/llama2c
 * Seeds: tests/fuzz/corpus/llama2c/ (checkpoint.seed, tokenizer.seed: a tiny valid file of each kind). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "convert/llama2c.h"

static volatile uint64_t g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 3) return 0;
    const int mode = data[0] & 1;
    const int32_t n_vocab = (int32_t)((data[1] | (unsigned)data[2] << 8) % 4096u) + 1;
    const uint8_t *img = data + 3;
    const size_t n = size - 3;
    lfmrt_err e;
    if (mode == 0) {
        lf_llama2c_config c;
        if (lf_llama2c_parse_config(img, n, &c, &e) == LFMRT_OK) {
            if (c.header_bytes + c.data_bytes != n || c.head_size * c.n_heads != c.dim) abort();
            g_sink += img[n - 1];
        }
        return 0;
    }
    lf_llama2c_vocab v;
    if (lf_llama2c_parse_vocab(img, n, n_vocab, &v, &e) != LFMRT_OK) return 0;
    if (v.n != n_vocab) abort();
    size_t covered = 4;
    for (int32_t i = 0; i < v.n; i++) {
        if (v.len[i] > v.max_len || v.piece[i] < img || v.piece[i] + v.len[i] > img + n) abort();
        for (uint32_t k = 0; k < v.len[i]; k++) g_sink += v.piece[i][k];
        covered += 8 + v.len[i];
    }
    if (covered != n) abort();
    lf_llama2c_vocab_free(&v);
    return 0;
}
