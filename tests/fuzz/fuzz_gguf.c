/* tests/fuzz/fuzz_gguf.c - libFuzzer target for the GGUF parser: parses the input, then walks every
 * KV (scalars, strings, every array element through the typed accessors), every tensor (first and last
 * data byte, lookups by name, lf_gguf_get_tensor) and the typed getters on each key, so any read past
 * the validated bounds shows up under ASan.
 * Build: CC=clang cmake -S . -B build-fuzz -DLFMRT_FUZZ=ON; run: build-fuzz/tests/fuzz_gguf tests/fuzz/corpus/gguf
 * Seeds: the *.seed files in tests/fuzz/corpus/gguf (named .seed because .gitignore drops *.gguf; written by tests/fuzz/gen_gguf_corpus.py). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/gguf.h"

static volatile uint64_t g_sink; /* keeps the reads from being optimised away */

static void walk_kv(const lf_gguf *g, const lf_gguf_kv *kv) {
    char key[256];
    size_t n = kv->key.n < sizeof key - 1 ? (size_t)kv->key.n : sizeof key - 1;
    memcpy(key, kv->key.p, n);
    key[n] = '\0';
    g_sink += (uint8_t)kv->key.p[kv->key.n - 1];
    if (memchr(key, '\0', n) == NULL) { /* lookups need a C string without inner NULs */
        lfmrt_err e;
        uint32_t u32;
        int64_t i64;
        float f;
        bool b;
        lf_str s;
        const lf_gguf_kv *a;
        g_sink += (uint64_t)lf_gguf_get_u32(g, key, &u32, &e);
        g_sink += (uint64_t)lf_gguf_get_i64(g, key, &i64, &e);
        g_sink += (uint64_t)lf_gguf_get_f32(g, key, &f, &e);
        g_sink += (uint64_t)lf_gguf_get_bool(g, key, &b, &e);
        g_sink += (uint64_t)lf_gguf_get_str(g, key, &s, &e);
        g_sink += (uint64_t)lf_gguf_get_arr(g, key, LF_GGUF_I64, &a, &e);
        if (n == kv->key.n && lf_gguf_find_kv(g, key) == NULL) abort(); /* every key must be findable */
    }
    if (kv->type == LF_GGUF_STRING && kv->v.s.n) g_sink += (uint8_t)kv->v.s.p[kv->v.s.n - 1];
    if (kv->type != LF_GGUF_ARRAY) return;
    if (kv->v.arr.type == LF_GGUF_STRING) {
        lf_gguf_str_iter it;
        lf_str s;
        uint64_t count = 0;
        lf_gguf_str_iter_init(&it, kv);
        while (lf_gguf_str_iter_next(&it, &s)) {
            if (s.n) g_sink += (uint8_t)s.p[0] + (uint8_t)s.p[s.n - 1];
            count++;
        }
        if (count != kv->v.arr.n) abort();
        return;
    }
    for (uint64_t i = 0; i < kv->v.arr.n; i++) {
        int64_t x;
        double d;
        if (lf_gguf_arr_int(kv, i, &x)) g_sink += (uint64_t)x;
        if (lf_gguf_arr_float(kv, i, &d)) g_sink += (uint64_t)(d == d);
    }
    if (kv->v.arr.nbytes) g_sink += kv->v.arr.data[kv->v.arr.nbytes - 1];
}

static void walk_tensor(const lf_gguf *g, const lf_gguf_tensor *t) {
    char name[256];
    size_t n = t->name.n < sizeof name - 1 ? (size_t)t->name.n : sizeof name - 1;
    memcpy(name, t->name.p, n);
    name[n] = '\0';
    const uint8_t *d = t->data;
    if (t->nbytes) g_sink += d[0] + d[t->nbytes - 1];
    if (n == t->name.n && memchr(name, '\0', n) == NULL) {
        if (lf_gguf_find_tensor(g, name) != t) abort();
        lfmrt_err e;
        const lf_gguf_tensor *out;
        int64_t ne[LF_GGUF_MAX_DIMS] = {-1, -1, -1, -1};
        if (lf_gguf_get_tensor(g, name, 0xffffffffu, t->n_dims, ne, &out, &e) != LFMRT_OK) abort();
        ne[0] = t->ne[0] + 1;
        g_sink += (uint64_t)lf_gguf_get_tensor(g, name, 1u, t->n_dims, ne, &out, &e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lf_gguf *g = NULL;
    lfmrt_err e;
    if (lf_gguf_parse(data, size, &g, &e) != LFMRT_OK) {
        if (g || e.msg[0] == '\0') abort(); /* failures leave no handle and always explain themselves */
        return 0;
    }
    g_sink += lf_gguf_version(g) + lf_gguf_alignment(g) + lf_gguf_data_offset(g);
    for (size_t i = 0; i < lf_gguf_n_kv(g); i++) walk_kv(g, lf_gguf_kv_at(g, i));
    for (size_t i = 0; i < lf_gguf_n_tensors(g); i++) walk_tensor(g, lf_gguf_tensor_at(g, i));
    lf_gguf_close(g);
    return 0;
}
