/* tests/format/test_gguf.c - GGUF writer -> parser round trips (every value type, tensors of several
 * dtypes and ranks), typed getters and their messages, tensor lookup checks, writer I/O errors, and the
 * real vocabulary-only GGUF files from llama.cpp's test vectors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/dtype.h"
#include "format/gguf.h"
#include "testutil.h"

#define HAS(msg, sub)                                                                                          \
    do {                                                                                                       \
        if (!strstr((msg), (sub))) fail_msg("message '%s' lacks '%s'", (msg), (sub));                          \
    } while (0)

/* Deterministic tensor bytes: byte i of tensor `name` = hash(name) + i*31. */
static uint8_t pattern_byte(const char *name, uint64_t i) {
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    return (uint8_t)(h + i * 31u);
}

static int fill_pattern(void *user, const char *name, uint32_t type, const int64_t *ne, void *dst, uint64_t nbytes,
                        lfmrt_err *e) {
    int *calls = user;
    (*calls)++;
    size_t row;
    assert_true(lf_dtype_row_size(type, ne[0], &row));
    assert_int_equal(nbytes, (uint64_t)row * (uint64_t)(ne[1] * ne[2] * ne[3]));
    for (uint64_t i = 0; i < nbytes; i++) ((uint8_t *)dst)[i] = pattern_byte(name, i);
    return LFMRT_OK;
}

typedef struct prog {
    uint64_t last, total;
    int calls;
    int monotonic;
} prog;

static void on_progress(void *user, uint64_t done, uint64_t total) {
    prog *p = user;
    if (done < p->last || (p->total && total != p->total)) p->monotonic = 0;
    p->last = done;
    p->total = total;
    p->calls++;
}

static const char *k_strs[] = {"", "hello", "w\xc3\xb6rld", "a longer string with spaces"};

static lf_gguf_writer *make_writer(void) {
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_non_null(w);
    assert_int_equal(lf_gguf_writer_set_int(w, "t.u8", LF_GGUF_U8, 200), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_int(w, "t.i8", LF_GGUF_I8, -100), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_int(w, "t.u16", LF_GGUF_U16, 60000), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_int(w, "t.i16", LF_GGUF_I16, -30000), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u32(w, "t.u32", 4000000000u), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_i32(w, "t.i32", -2000000000), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_f32(w, "t.f32", 1e-5f), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_bool(w, "t.bool", true), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_str(w, "t.str", "lfm2"), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_u64(w, "t.u64", 0xfedcba9876543210ull), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_int(w, "t.i64", LF_GGUF_I64, INT64_MIN + 1), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_f64(w, "t.f64", 3.141592653589793), LFMRT_OK);
    /* arrays of every element type */
    uint8_t a_u8[] = {1, 2, 255};
    int8_t a_i8[] = {-1, 0, 127};
    uint16_t a_u16[] = {65535, 7};
    int16_t a_i16[] = {-32768, 5};
    uint32_t a_u32[] = {0xffffffffu};
    int32_t a_i32[] = {0, 0, 8, 0, 0, 8};
    float a_f32[] = {0.5f, -2.25f};
    uint8_t a_bool[] = {1, 0, 1};
    uint64_t a_u64[] = {0x8000000000000000ull, 3};
    int64_t a_i64[] = {-5, INT64_MAX};
    double a_f64[] = {1e300, -0.0};
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.u8", LF_GGUF_U8, a_u8, 3), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.i8", LF_GGUF_I8, a_i8, 3), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.u16", LF_GGUF_U16, a_u16, 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.i16", LF_GGUF_I16, a_i16, 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.u32", LF_GGUF_U32, a_u32, 1), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr_i32(w, "a.i32", a_i32, 6), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr_f32(w, "a.f32", a_f32, 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.bool", LF_GGUF_BOOL, a_bool, 3), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.u64", LF_GGUF_U64, a_u64, 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.i64", LF_GGUF_I64, a_i64, 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr(w, "a.f64", LF_GGUF_F64, a_f64, 2), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr_str(w, "a.str", k_strs, NULL, 4), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_arr_i32(w, "a.empty", NULL, 0), LFMRT_OK);
    /* tensors: several dtypes and ranks */
    const int64_t ne_a[] = {64, 3};
    const int64_t ne_b[] = {32, 2, 3};
    const int64_t ne_c[] = {5};
    const int64_t ne_d[] = {2, 3, 4, 5};
    const int64_t ne_e[] = {96, 2};
    assert_int_equal(lf_gguf_writer_add_tensor(w, "blk.0.q4", LF_DT_Q4_0, 2, ne_a), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "blk.0.q8", LF_DT_Q8_0, 3, ne_b), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "norm", LF_DT_F32, 1, ne_c), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "four_d", LF_DT_F16, 4, ne_d), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "bf", LF_DT_BF16, 2, ne_e), LFMRT_OK);
    return w;
}

static void check_values(const lf_gguf *g) {
    lfmrt_err e;
    assert_int_equal(lf_gguf_version(g), 3);
    assert_int_equal(lf_gguf_alignment(g), 32);
    assert_int_equal(lf_gguf_data_offset(g) % 32, 0);
    assert_int_equal(lf_gguf_n_kv(g), 25);
    /* file order is kept */
    assert_true(lf_str_eq(lf_gguf_kv_at(g, 0)->key, "t.u8"));
    assert_true(lf_str_eq(lf_gguf_kv_at(g, 24)->key, "a.empty"));
    assert_null(lf_gguf_kv_at(g, 25));
    const lf_gguf_kv *kv;
    assert_non_null(kv = lf_gguf_find_kv(g, "t.u8"));
    assert_int_equal(kv->type, LF_GGUF_U8);
    assert_int_equal(kv->v.u, 200);
    assert_non_null(kv = lf_gguf_find_kv(g, "t.i8"));
    assert_int_equal(kv->v.i, -100);
    assert_int_equal(lf_gguf_find_kv(g, "t.u16")->v.u, 60000);
    assert_int_equal(lf_gguf_find_kv(g, "t.i16")->v.i, -30000);
    assert_int_equal(lf_gguf_find_kv(g, "t.u32")->v.u, 4000000000u);
    assert_int_equal(lf_gguf_find_kv(g, "t.i32")->v.i, -2000000000);
    assert_true(lf_gguf_find_kv(g, "t.u64")->v.u == 0xfedcba9876543210ull);
    assert_true(lf_gguf_find_kv(g, "t.i64")->v.i == INT64_MIN + 1);
    assert_true(lf_gguf_find_kv(g, "t.f64")->v.f == 3.141592653589793);
    assert_null(lf_gguf_find_kv(g, "t.missing"));
    assert_null(lf_gguf_find_kv(g, "t"));

    uint32_t u32;
    int64_t i64;
    float f;
    bool b;
    lf_str s;
    assert_int_equal(lf_gguf_get_u32(g, "t.u32", &u32, &e), LFMRT_OK);
    assert_int_equal(u32, 4000000000u);
    assert_int_equal(lf_gguf_get_u32(g, "t.u8", &u32, &e), LFMRT_OK); /* widening */
    assert_int_equal(u32, 200);
    assert_int_equal(lf_gguf_get_i64(g, "t.i8", &i64, &e), LFMRT_OK);
    assert_int_equal(i64, -100);
    assert_int_equal(lf_gguf_get_f32(g, "t.f32", &f, &e), LFMRT_OK);
    assert_true(f == 1e-5f);
    assert_int_equal(lf_gguf_get_f32(g, "t.f64", &f, &e), LFMRT_OK);
    assert_true(fabsf(f - 3.14159265f) < 1e-6f);
    assert_int_equal(lf_gguf_get_bool(g, "t.bool", &b, &e), LFMRT_OK);
    assert_true(b);
    assert_int_equal(lf_gguf_get_str(g, "t.str", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, "lfm2"));

    /* arrays */
    const lf_gguf_kv *a;
    int64_t x;
    double d;
    assert_int_equal(lf_gguf_get_arr(g, "a.u8", LF_GGUF_U8, &a, &e), LFMRT_OK);
    assert_true(lf_gguf_arr_int(a, 2, &x) && x == 255);
    assert_false(lf_gguf_arr_int(a, 3, &x));
    assert_int_equal(lf_gguf_get_arr(g, "a.i8", LF_GGUF_I64, &a, &e), LFMRT_OK);
    assert_true(lf_gguf_arr_int(a, 0, &x) && x == -1);
    assert_true(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.u16"), 0, &x) && x == 65535);
    assert_true(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.i16"), 0, &x) && x == -32768);
    assert_true(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.u32"), 0, &x) && x == 0xffffffffll);
    assert_int_equal(lf_gguf_get_arr(g, "a.i32", LF_GGUF_I64, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 6);
    assert_true(lf_gguf_arr_int(a, 2, &x) && x == 8);
    assert_true(lf_gguf_arr_int(a, 3, &x) && x == 0);
    assert_false(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.u64"), 0, &x)); /* 2^63 does not fit */
    assert_true(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.u64"), 1, &x) && x == 3);
    assert_true(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.i64"), 1, &x) && x == INT64_MAX);
    assert_false(lf_gguf_arr_int(lf_gguf_find_kv(g, "a.bool"), 0, &x)); /* bool is not an integer */
    assert_int_equal(lf_gguf_get_arr(g, "a.bool", LF_GGUF_BOOL, &a, &e), LFMRT_OK);
    assert_memory_equal(a->v.arr.data, "\x01\x00\x01", 3);
    assert_int_equal(lf_gguf_get_arr(g, "a.f32", LF_GGUF_F32, &a, &e), LFMRT_OK);
    assert_true(lf_gguf_arr_float(a, 1, &d) && d == -2.25);
    assert_false(lf_gguf_arr_float(a, 2, &d));
    assert_true(lf_gguf_arr_float(lf_gguf_find_kv(g, "a.f64"), 0, &d) && d == 1e300);
    assert_int_equal(lf_gguf_get_arr(g, "a.empty", LF_GGUF_I32, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 0);
    assert_int_equal(lf_gguf_get_arr(g, "a.str", LF_GGUF_STRING, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, 4);
    lf_gguf_str_iter it;
    lf_gguf_str_iter_init(&it, a);
    for (int i = 0; i < 4; i++) {
        assert_true(lf_gguf_str_iter_next(&it, &s));
        assert_true(lf_str_eq(s, k_strs[i]));
    }
    assert_false(lf_gguf_str_iter_next(&it, &s));

    /* tensors */
    assert_int_equal(lf_gguf_n_tensors(g), 5);
    size_t size;
    const uint8_t *base = lf_gguf_bytes(g, &size);
    for (size_t i = 0; i < lf_gguf_n_tensors(g); i++) {
        const lf_gguf_tensor *t = lf_gguf_tensor_at(g, i);
        assert_int_equal(t->offset % 32, 0);
        assert_ptr_equal(t->data, base + lf_gguf_data_offset(g) + t->offset);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)t->name.n, t->name.p);
        for (uint64_t k = 0; k < t->nbytes; k++)
            if (((const uint8_t *)t->data)[k] != pattern_byte(name, k)) fail_msg("tensor %s byte %llu", name,
                                                                                  (unsigned long long)k);
    }
    const lf_gguf_tensor *t = lf_gguf_find_tensor(g, "blk.0.q8");
    assert_non_null(t);
    assert_int_equal(t->type, LF_DT_Q8_0);
    assert_int_equal(t->n_dims, 3);
    assert_int_equal(t->ne[0], 32);
    assert_int_equal(t->ne[1], 2);
    assert_int_equal(t->ne[2], 3);
    assert_int_equal(t->ne[3], 1);
    assert_int_equal(t->nbytes, 34 * 6);
    t = lf_gguf_find_tensor(g, "four_d");
    assert_int_equal(t->nbytes, 2 * 120);
    assert_int_equal(t->ne[3], 5);
    assert_int_equal(lf_gguf_find_tensor(g, "blk.0.q4")->nbytes, 18 * 2 * 3);
    assert_null(lf_gguf_find_tensor(g, "blk.0"));
}

static void test_roundtrip(void **state) {
    (void)state;
    lf_gguf_writer *w = make_writer();
    const char *path = lf_test_path(lf_test_tmp_dir(), "fmt_roundtrip.gguf");
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    int calls = 0;
    prog pr = {0, 0, 0, 1};
    lfmrt_err e;
    assert_int_equal(lf_gguf_writer_write(w, p, fill_pattern, &calls, on_progress, &pr, &e), LFMRT_OK);
    assert_int_equal(calls, 5);
    assert_true(pr.monotonic);
    assert_int_equal(pr.calls, 6); /* header + one per tensor */
    assert_int_equal(pr.last, pr.total);
    lf_gguf_writer_destroy(w);

    size_t len;
    char *bytes = lf_test_read_file(p, &len);
    assert_non_null(bytes);
    assert_int_equal(len, pr.total);

    lf_gguf *g = NULL;
    assert_int_equal(lf_gguf_open(p, &g, &e), LFMRT_OK);
    check_values(g);
    lf_gguf_close(g);
    /* same from bytes */
    assert_int_equal(lf_gguf_parse((const uint8_t *)bytes, len, &g, &e), LFMRT_OK);
    check_values(g);
    size_t sz;
    assert_ptr_equal(lf_gguf_bytes(g, &sz), bytes);
    assert_int_equal(sz, len);
    lf_gguf_close(g);
    free(bytes);
    unlink(p);
}

static void test_getter_errors(void **state) {
    (void)state;
    lf_gguf_writer *w = make_writer();
    char p[4096];
    snprintf(p, sizeof p, "%s", lf_test_path(lf_test_tmp_dir(), "fmt_getters.gguf"));
    int calls = 0;
    lfmrt_err e;
    assert_int_equal(lf_gguf_writer_write(w, p, fill_pattern, &calls, NULL, NULL, &e), LFMRT_OK);
    lf_gguf_writer_destroy(w);
    lf_gguf *g;
    assert_int_equal(lf_gguf_open(p, &g, &e), LFMRT_OK);
    uint32_t u32;
    int64_t i64;
    float f;
    bool b;
    lf_str s;
    const lf_gguf_kv *a;
    assert_int_equal(lf_gguf_get_u32(g, "llm.nope", &u32, &e), LFMRT_E_NOTFOUND);
    HAS(e.msg, "key 'llm.nope' not found");
    assert_int_equal(lf_gguf_get_u32(g, "t.str", &u32, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "key 't.str': expected an integer (U32), found STRING");
    assert_int_equal(lf_gguf_get_u32(g, "t.i8", &u32, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "value -100 (I8) is out of range for U32");
    assert_int_equal(lf_gguf_get_u32(g, "t.u64", &u32, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "out of range for U32");
    assert_int_equal(lf_gguf_get_i64(g, "t.u64", &i64, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "out of range for I64");
    assert_int_equal(lf_gguf_get_f32(g, "t.u32", &f, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "expected F32 or F64, found U32");
    assert_int_equal(lf_gguf_get_bool(g, "t.u8", &b, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "expected BOOL, found U8");
    assert_int_equal(lf_gguf_get_str(g, "a.str", &s, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "expected STRING, found array of STRING");
    assert_int_equal(lf_gguf_get_arr(g, "a.str", LF_GGUF_I64, &a, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "key 'a.str': expected array of integers, found array of STRING");
    assert_int_equal(lf_gguf_get_arr(g, "t.u32", LF_GGUF_I32, &a, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "expected array of I32, found U32");
    assert_int_equal(lf_gguf_get_arr(g, "a.f32", LF_GGUF_F64, &a, &e), LFMRT_E_FORMAT);
    HAS(e.msg, "expected array of F64, found array of F32");
    assert_int_equal(lf_gguf_get_arr(g, "x.none", LF_GGUF_F64, &a, &e), LFMRT_E_NOTFOUND);

    /* tensor lookup */
    const lf_gguf_tensor *t;
    const int64_t ok_ne[] = {64, 3};
    assert_int_equal(lf_gguf_get_tensor(g, "blk.0.q4", 1u << LF_DT_Q4_0, 2, ok_ne, &t, &e), LFMRT_OK);
    assert_true(lf_str_eq(t->name, "blk.0.q4"));
    const int64_t any_ne[] = {-1, 3};
    assert_int_equal(lf_gguf_get_tensor(g, "blk.0.q4", (1u << LF_DT_Q4_0) | 1u, 2, any_ne, &t, &e), LFMRT_OK);
    const int64_t trail[] = {5, 1};
    assert_int_equal(lf_gguf_get_tensor(g, "norm", 1u << LF_DT_F32, 2, trail, &t, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_get_tensor(g, "blk.3.attn_q.weight", 1u, 2, ok_ne, &t, &e), LFMRT_E_NOTFOUND);
    HAS(e.msg, "tensor 'blk.3.attn_q.weight' not found");
    assert_int_equal(lf_gguf_get_tensor(g, "blk.0.q4", (1u << LF_DT_F32) | (1u << LF_DT_F16), 2, ok_ne, &t, &e),
                     LFMRT_E_SHAPE);
    HAS(e.msg, "tensor 'blk.0.q4': expected dtype F32 or F16, found Q4_0");
    const int64_t bad_ne[] = {64, 4};
    assert_int_equal(lf_gguf_get_tensor(g, "blk.0.q4", 1u << LF_DT_Q4_0, 2, bad_ne, &t, &e), LFMRT_E_SHAPE);
    HAS(e.msg, "tensor 'blk.0.q4': expected shape {64, 4}, found {64, 3}");
    const int64_t ne1[] = {64};
    assert_int_equal(lf_gguf_get_tensor(g, "blk.0.q4", 1u << LF_DT_Q4_0, 1, ne1, &t, &e), LFMRT_E_SHAPE);
    HAS(e.msg, "expected shape {64}, found {64, 3}");
    lf_gguf_close(g);
    unlink(p);
}

static void test_writer_rejects(void **state) {
    (void)state;
    lf_gguf_writer *w = lf_gguf_writer_create();
    assert_int_equal(lf_gguf_writer_set_u32(w, "a", 1), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_set_str(w, "a", "dup"), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_set_u32(w, "", 1), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_set_int(w, "b", LF_GGUF_U8, 256), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_set_int(w, "b", LF_GGUF_I8, -129), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_set_int(w, "b", LF_GGUF_F32, 1), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_set_arr(w, "b", LF_GGUF_STRING, "x", 1), LFMRT_E_INVALID);
    const int64_t ne[] = {33, 2};
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", LF_DT_Q8_0, 2, ne), LFMRT_E_INVALID); /* 33 % 32 */
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", LF_DT_F32, 0, ne), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", LF_DT_F32, 5, ne), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", 4, 2, ne), LFMRT_E_INVALID); /* removed Q4_2 */
    const int64_t zero[] = {32, 0};
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", LF_DT_F32, 2, zero), LFMRT_E_INVALID);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", LF_DT_F32, 2, ne), LFMRT_OK);
    assert_int_equal(lf_gguf_writer_add_tensor(w, "t", LF_DT_F32, 2, ne), LFMRT_E_INVALID); /* duplicate */
    lf_gguf_writer_destroy(w);
}

static int fill_fail(void *user, const char *name, uint32_t type, const int64_t *ne, void *dst, uint64_t nbytes,
                     lfmrt_err *e) {
    (void)user, (void)type, (void)ne, (void)dst, (void)nbytes;
    if (strcmp(name, "norm") == 0) return LFMRT_E_CANCELLED; /* no message: the writer adds one */
    memset(dst, 0, (size_t)nbytes);
    return LFMRT_OK;
}

static void test_writer_io_errors(void **state) {
    (void)state;
    lf_gguf_writer *w = make_writer();
    lfmrt_err e;
    int calls = 0;
    /* cannot open */
    assert_int_equal(lf_gguf_writer_write(w, "/nonexistent-dir-lfmrt/x.gguf", fill_pattern, &calls, NULL, NULL, &e),
                     LFMRT_E_IO);
    HAS(e.msg, "/nonexistent-dir-lfmrt/x.gguf: cannot open for writing");
    HAS(e.msg, "No such file");
    /* disk full */
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(lf_gguf_writer_write(w, "/dev/full", fill_pattern, &calls, NULL, NULL, &e), LFMRT_E_IO);
        HAS(e.msg, "/dev/full: write failed");
        HAS(e.msg, "No space left on device");
        assert_int_equal(access("/dev/full", F_OK), 0); /* not unlinked */
    } else {
        fprintf(stderr, "note: /dev/full not writable; disk-full case not exercised\n");
    }
    /* fill callback fails: status passed on, message names the tensor, partial file removed */
    char p[4096];
    snprintf(p, sizeof p, "%s", lf_test_path(lf_test_tmp_dir(), "fmt_fillfail.gguf"));
    assert_int_equal(lf_gguf_writer_write(w, p, fill_fail, NULL, NULL, NULL, &e), LFMRT_E_CANCELLED);
    HAS(e.msg, "tensor 'norm'");
    assert_int_equal(access(p, F_OK), -1);
    /* tensors but no fill callback: refused before the file is created */
    assert_int_equal(lf_gguf_writer_write(w, p, NULL, NULL, NULL, NULL, &e), LFMRT_E_INVALID);
    HAS(e.msg, "5 tensors added but no fill callback");
    assert_int_equal(access(p, F_OK), -1);
    lf_gguf_writer_destroy(w);
}

/* An empty writer gives a 24-byte file that parses. */
static void test_empty_file(void **state) {
    (void)state;
    lf_gguf_writer *w = lf_gguf_writer_create();
    char p[4096];
    snprintf(p, sizeof p, "%s", lf_test_path(lf_test_tmp_dir(), "fmt_empty.gguf"));
    lfmrt_err e;
    assert_int_equal(lf_gguf_writer_write(w, p, NULL, NULL, NULL, NULL, &e), LFMRT_OK);
    lf_gguf_writer_destroy(w);
    lf_gguf *g;
    assert_int_equal(lf_gguf_open(p, &g, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_n_kv(g), 0);
    assert_int_equal(lf_gguf_n_tensors(g), 0);
    assert_null(lf_gguf_find_kv(g, "x"));
    assert_null(lf_gguf_find_tensor(g, "x"));
    lf_gguf_close(g);
    unlink(p);
    assert_int_equal(lf_gguf_open(p, &g, &e), LFMRT_E_IO);
    HAS(e.msg, "fmt_empty.gguf");
    assert_null(g);
}

static void check_vocab(const char *file, uint64_t n_tokens, const char *model, const char *first3[3],
                        bool has_scores, bool has_merges, uint64_t n_merges) {
    const char *dir = lf_test_data_dir(file);
    if (!dir) exit(LF_TEST_SKIP);
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors/llamacpp/%s", dir, file);
    lf_gguf *g;
    lfmrt_err e;
    if (lf_gguf_open(path, &g, &e) != LFMRT_OK) fail_msg("%s", e.msg);
    assert_int_equal(lf_gguf_version(g), 3);
    assert_int_equal(lf_gguf_n_tensors(g), 0);
    lf_str s;
    assert_int_equal(lf_gguf_get_str(g, "tokenizer.ggml.model", &s, &e), LFMRT_OK);
    assert_true(lf_str_eq(s, model));
    const lf_gguf_kv *a;
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.tokens", LF_GGUF_STRING, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, n_tokens);
    lf_gguf_str_iter it;
    lf_gguf_str_iter_init(&it, a);
    uint64_t n = 0;
    while (lf_gguf_str_iter_next(&it, &s)) {
        if (n < 3) assert_true(lf_str_eq(s, first3[n]));
        n++;
    }
    assert_int_equal(n, n_tokens);
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.token_type", LF_GGUF_I64, &a, &e), LFMRT_OK);
    assert_int_equal(a->v.arr.n, n_tokens);
    if (has_scores) {
        assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.scores", LF_GGUF_F32, &a, &e), LFMRT_OK);
        assert_int_equal(a->v.arr.n, n_tokens);
    }
    if (has_merges) {
        assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.merges", LF_GGUF_STRING, &a, &e), LFMRT_OK);
        assert_int_equal(a->v.arr.n, n_merges);
    }
    lf_gguf_close(g);
}

static void test_vocab_llama_spm(void **state) {
    (void)state;
    const char *first[3] = {"<unk>", "<s>", "</s>"};
    check_vocab("ggml-vocab-llama-spm.gguf", 32000, "llama", first, true, false, 0);
    lf_gguf *g;
    lfmrt_err e;
    const char *dir = lf_test_data_dir("spm");
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors/llamacpp/ggml-vocab-llama-spm.gguf", dir);
    assert_int_equal(lf_gguf_open(path, &g, &e), LFMRT_OK);
    uint32_t v;
    bool b;
    assert_int_equal(lf_gguf_get_u32(g, "llama.vocab_size", &v, &e), LFMRT_OK);
    assert_int_equal(v, 32000);
    assert_int_equal(lf_gguf_get_u32(g, "tokenizer.ggml.bos_token_id", &v, &e), LFMRT_OK);
    assert_int_equal(v, 1);
    assert_int_equal(lf_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &b, &e), LFMRT_OK);
    assert_true(b);
    const lf_gguf_kv *a;
    int64_t x;
    assert_int_equal(lf_gguf_get_arr(g, "tokenizer.ggml.token_type", LF_GGUF_I64, &a, &e), LFMRT_OK);
    assert_true(lf_gguf_arr_int(a, 0, &x) && x == 2); /* <unk> */
    assert_true(lf_gguf_arr_int(a, 3, &x) && x == 6); /* <0x00> byte token */
    lf_gguf_close(g);
}

static void test_vocab_gpt2(void **state) {
    (void)state;
    const char *first[3] = {"!", "\"", "#"};
    check_vocab("ggml-vocab-gpt-2.gguf", 50257, "gpt2", first, false, true, 50000);
}

/* The committed fuzz seeds (tests/fuzz/corpus/gguf, from gen_gguf_corpus.py) are valid files. */
static void test_fuzz_seeds_parse(void **state) {
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        fprintf(stderr, "note: __FILE__ has no directory; fuzz seeds not checked\n");
        return;
    }
    static const char *const seeds[] = {"vocab.seed", "tensors.seed", "scalars_v2.seed"};
    static const size_t n_tensors[] = {0, 2, 1};
    for (int i = 0; i < 3; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%.*s/../fuzz/corpus/gguf/%s", (int)(slash - dir), dir, seeds[i]);
        lf_gguf *g;
        lfmrt_err e;
        if (lf_gguf_open(p, &g, &e) != LFMRT_OK) fail_msg("%s", e.msg);
        assert_int_equal(lf_gguf_n_tensors(g), n_tensors[i]);
        assert_true(lf_gguf_n_kv(g) > 0);
        if (i == 1) assert_int_equal(lf_gguf_alignment(g), 64);
        if (i == 2) assert_int_equal(lf_gguf_version(g), 2);
        lf_gguf_close(g);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),       cmocka_unit_test(test_getter_errors),
        cmocka_unit_test(test_writer_rejects),  cmocka_unit_test(test_writer_io_errors),
        cmocka_unit_test(test_empty_file),      cmocka_unit_test(test_fuzz_seeds_parse),
        cmocka_unit_test(test_vocab_llama_spm),
        cmocka_unit_test(test_vocab_gpt2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
