/* tests/format/test_gguf_malformed.c - an enumerated suite of malformed GGUF images built byte by byte
 * in memory; each must fail with its own status and a distinctive message (naming the byte offset and
 * the key or tensor). Plus a truncation sweep: every proper prefix of a small valid file must fail
 * cleanly, parsed from an exact-size heap copy so ASan catches any read past the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/dtype.h"
#include "format/gguf.h"
#include "testutil.h"

/* ---- byte builder ---------------------------------------------------------------------------------- */

typedef struct bb {
    uint8_t *p;
    size_t n, cap;
} bb;

static void bb_put(bb *b, const void *src, size_t n) {
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n) cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void bb_le(bb *b, uint64_t v, unsigned n) {
    uint8_t t[8];
    for (unsigned i = 0; i < n; i++) t[i] = (uint8_t)(v >> (8 * i));
    bb_put(b, t, n);
}
static void u32(bb *b, uint32_t v) { bb_le(b, v, 4); }
static void u64(bb *b, uint64_t v) { bb_le(b, v, 8); }
static void str(bb *b, const char *s) {
    u64(b, strlen(s));
    bb_put(b, s, strlen(s));
}
static void zeros(bb *b, size_t n) {
    for (size_t i = 0; i < n; i++) bb_le(b, 0, 1);
}
static void pad32(bb *b) { zeros(b, (32 - b->n % 32) % 32); }

static void header(bb *b, uint32_t version, uint64_t n_t, uint64_t n_kv) {
    bb_put(b, "GGUF", 4);
    u32(b, version);
    u64(b, n_t);
    u64(b, n_kv);
}
static void kv_u32(bb *b, const char *k, uint32_t v) {
    str(b, k);
    u32(b, LF_GGUF_U32);
    u32(b, v);
}
static void kv_str(bb *b, const char *k, const char *v) {
    str(b, k);
    u32(b, LF_GGUF_STRING);
    str(b, v);
}
static void tinfo(bb *b, const char *name, uint32_t n_dims, const uint64_t *ne, uint32_t type, uint64_t off) {
    str(b, name);
    u32(b, n_dims);
    for (uint32_t d = 0; d < n_dims; d++) u64(b, ne[d]);
    u32(b, type);
    u64(b, off);
}

/* Parses b from an exact-size copy, expects `code` and every substring in subs (NULL-terminated). */
static void expect_fail(bb *b, int code, const char *sub1, const char *sub2) {
    uint8_t *copy = malloc(b->n ? b->n : 1);
    assert_non_null(copy);
    if (b->n) memcpy(copy, b->p, b->n);
    lf_gguf *g = (lf_gguf *)1;
    lfmrt_err e = {0, ""};
    int rc = lf_gguf_parse(copy, b->n, &g, &e);
    if (rc != code) fail_msg("expected %s, got %s: %s", lfmrt_status_name(code), lfmrt_status_name(rc), e.msg);
    assert_null(g);
    assert_int_equal(e.code, code);
    if (sub1 && !strstr(e.msg, sub1)) fail_msg("message '%s' lacks '%s'", e.msg, sub1);
    if (sub2 && !strstr(e.msg, sub2)) fail_msg("message '%s' lacks '%s'", e.msg, sub2);
    free(copy);
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* A valid one-tensor file (F32 {8, 2}) with one KV, to mutate. Tensor info starts at byte *tinfo_at. */
static void one_tensor(bb *b, uint32_t n_dims, const uint64_t *ne, uint32_t type, uint64_t off, size_t data) {
    header(b, 3, 1, 1);
    kv_str(b, "general.architecture", "lfm2");
    tinfo(b, "w", n_dims, ne, type, off);
    pad32(b);
    zeros(b, data);
}

/* ---- the cases ------------------------------------------------------------------------------------- */

static void test_bad_magic(void **s) {
    (void)s;
    bb b = {0};
    bb_put(&b, "GGML", 4);
    u32(&b, 3);
    u64(&b, 0);
    u64(&b, 0);
    expect_fail(&b, LFMRT_E_FORMAT, "bad magic at byte 0", "found 'GGML'");
}

static void test_short_file(void **s) {
    (void)s;
    bb b = {0};
    bb_put(&b, "GG", 2);
    expect_fail(&b, LFMRT_E_FORMAT, "truncated file: 2 bytes", "magic");
    bb_put(&b, "GGUF", 4);
    u32(&b, 3);
    u32(&b, 0); /* tensor count cut at 4 of 8 bytes */
    expect_fail(&b, LFMRT_E_FORMAT, "truncated file: tensor count of header at byte 8", "only 4 remain");
}

static void test_version(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 1, 0, 0);
    expect_fail(&b, LFMRT_E_UNSUPPORTED, "GGUF version 1 at byte 4 is not supported", NULL);
    header(&b, 4, 0, 0);
    expect_fail(&b, LFMRT_E_UNSUPPORTED, "GGUF version 4", NULL);
    header(&b, 0x03000000u, 0, 0);
    expect_fail(&b, LFMRT_E_UNSUPPORTED, "big-endian", NULL);
    header(&b, 2, 0, 0); /* version 2 is fine */
    lf_gguf *g;
    lfmrt_err e;
    assert_int_equal(lf_gguf_parse(b.p, b.n, &g, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_version(g), 2);
    lf_gguf_close(g);
    free(b.p);
}

static void test_absurd_counts(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1ull << 60);
    kv_u32(&b, "a", 1);
    expect_fail(&b, LFMRT_E_FORMAT, "absurd KV count 1152921504606846976 at byte 16", NULL);
    header(&b, 3, 1ull << 60, 1);
    kv_u32(&b, "a", 1);
    expect_fail(&b, LFMRT_E_FORMAT, "absurd tensor count 1152921504606846976 at byte 8", NULL);
    header(&b, 3, UINT64_MAX, UINT64_MAX);
    expect_fail(&b, LFMRT_E_FORMAT, "absurd KV count", NULL);
    /* plausible at the header, impossible after the metadata */
    header(&b, 3, 2, 1);
    kv_str(&b, "k", "a string long enough to make the header-time bound pass......");
    zeros(&b, 40);
    expect_fail(&b, LFMRT_E_FORMAT, "absurd tensor count 2 at byte 8", "remain after the metadata");
}

static void test_unknown_value_type(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1);
    str(&b, "my.key");
    u32(&b, 13);
    u32(&b, 0);
    expect_fail(&b, LFMRT_E_FORMAT, "key 'my.key': unknown value type 13 at byte 38", NULL);
}

static void test_duplicate_key(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 3);
    kv_u32(&b, "a.b", 1);
    kv_u32(&b, "c", 2);
    kv_str(&b, "a.b", "x");
    expect_fail(&b, LFMRT_E_FORMAT, "duplicate key 'a.b' (KV #0 at byte 24 and KV #2 at byte 60)", NULL);
}

static void test_empty_key(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1);
    kv_u32(&b, "", 1);
    expect_fail(&b, LFMRT_E_FORMAT, "KV #0 at byte 24 has an empty key", NULL);
}

static void test_oversized_string(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1);
    u64(&b, 1ull << 40); /* key length */
    bb_put(&b, "abcdefghijklmnop", 16);
    expect_fail(&b, LFMRT_E_FORMAT, "oversized string: key of KV #0 at byte 24 declares 1099511627776 bytes",
                "only 16 remain");
    header(&b, 3, 0, 1); /* string value */
    str(&b, "general.name");
    u32(&b, LF_GGUF_STRING);
    u64(&b, 100);
    bb_put(&b, "short", 5);
    expect_fail(&b, LFMRT_E_FORMAT, "oversized string: string value of general.name at byte 48", "declares 100");
}

static void test_truncated_string(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1);
    str(&b, "general.name");
    u32(&b, LF_GGUF_STRING);
    u32(&b, 5); /* only 4 of the 8 length bytes */
    expect_fail(&b, LFMRT_E_FORMAT, "truncated string: length of string value of general.name at byte 48",
                "only 4 remain");
}

static void test_arrays(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1); /* nested */
    str(&b, "arr");
    u32(&b, LF_GGUF_ARRAY);
    u32(&b, LF_GGUF_ARRAY);
    u64(&b, 1);
    u32(&b, LF_GGUF_U8);
    u64(&b, 1);
    zeros(&b, 1);
    expect_fail(&b, LFMRT_E_FORMAT, "key 'arr' at byte 39: nested arrays", NULL);
    header(&b, 3, 0, 1); /* unknown element type */
    str(&b, "arr");
    u32(&b, LF_GGUF_ARRAY);
    u32(&b, 77);
    u64(&b, 0);
    expect_fail(&b, LFMRT_E_FORMAT, "key 'arr' at byte 39: unknown array element type 77", NULL);
    header(&b, 3, 0, 1); /* 2^61 u32 elements */
    str(&b, "tokenizer.ggml.token_type");
    u32(&b, LF_GGUF_ARRAY);
    u32(&b, LF_GGUF_I32);
    u64(&b, 1ull << 61);
    zeros(&b, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "key 'tokenizer.ggml.token_type': array length 2305843009213693952 at byte 65",
                "is impossible");
    header(&b, 3, 0, 1); /* string array whose 3rd element runs off the end */
    str(&b, "tokenizer.ggml.tokens");
    u32(&b, LF_GGUF_ARRAY);
    u32(&b, LF_GGUF_STRING);
    u64(&b, 3);
    str(&b, "a");
    str(&b, "b");
    u64(&b, 9);
    bb_put(&b, "c", 1);
    expect_fail(&b, LFMRT_E_FORMAT, "oversized string: array element 2 of tokenizer.ggml.tokens", NULL);
}

static void test_bool(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1);
    str(&b, "flag");
    u32(&b, LF_GGUF_BOOL);
    bb_le(&b, 2, 1);
    expect_fail(&b, LFMRT_E_FORMAT, "key 'flag' at byte 40: bool value 2 is not 0 or 1", NULL);
}

static void test_bad_alignment(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 0, 1);
    kv_u32(&b, "general.alignment", 48);
    expect_fail(&b, LFMRT_E_FORMAT, "bad alignment: 'general.alignment' = 48 (key at byte 24) is not a nonzero power of two", NULL);
    header(&b, 3, 0, 1);
    kv_u32(&b, "general.alignment", 0);
    expect_fail(&b, LFMRT_E_FORMAT, "'general.alignment' = 0", NULL);
    header(&b, 3, 0, 1);
    str(&b, "general.alignment");
    u32(&b, LF_GGUF_I32);
    u32(&b, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "bad alignment: key 'general.alignment' at byte 24 must be U32, found I32", NULL);
    /* a valid non-default alignment is honoured */
    header(&b, 3, 1, 1);
    kv_u32(&b, "general.alignment", 64);
    const uint64_t ne[] = {16};
    tinfo(&b, "t", 1, ne, LF_DT_F32, 0);
    zeros(&b, (64 - b.n % 64) % 64);
    size_t data_at = b.n;
    zeros(&b, 64);
    lf_gguf *g;
    lfmrt_err e;
    assert_int_equal(lf_gguf_parse(b.p, b.n, &g, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_alignment(g), 64);
    assert_int_equal(lf_gguf_data_offset(g), data_at);
    lf_gguf_close(g);
    free(b.p);
}

static void test_n_dims(void **s) {
    (void)s;
    bb b = {0};
    const uint64_t ne[] = {8, 2, 1, 1, 1};
    one_tensor(&b, 0, ne, LF_DT_F32, 0, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': n_dims 0 at byte 77 is not in 1..4", NULL);
    one_tensor(&b, 5, ne, LF_DT_F32, 0, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': n_dims 5 at byte 77", NULL);
}

static void test_dims(void **s) {
    (void)s;
    bb b = {0};
    const uint64_t zero[] = {8, 0};
    one_tensor(&b, 2, zero, LF_DT_F32, 0, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': dimension 1 at byte 89 is zero", NULL);
    const uint64_t neg[] = {(uint64_t)-8, 2};
    one_tensor(&b, 2, neg, LF_DT_F32, 0, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': dimension 0 at byte 81 is negative (-8)", NULL);
    const uint64_t big[] = {1ull << 32, 1ull << 32};
    one_tensor(&b, 2, big, LF_DT_F32, 0, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': element count overflows at dimension 1", NULL);
    const uint64_t bytes_big[] = {1ull << 31, 1ull << 31}; /* 2^62 elements fit, 2^64 bytes do not */
    one_tensor(&b, 2, bytes_big, LF_DT_F32, 0, 64);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w' (info at byte 68): byte size overflows", NULL);
}

static void test_dtype(void **s) {
    (void)s;
    bb b = {0};
    const uint64_t ne[] = {64, 2};
    one_tensor(&b, 2, ne, 99, 0, 512);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': unknown dtype 99 at byte 97", NULL);
    one_tensor(&b, 2, ne, 4, 0, 512); /* removed Q4_2 */
    expect_fail(&b, LFMRT_E_FORMAT, "unknown dtype 4", NULL);
    const uint64_t odd[] = {48, 2};
    one_tensor(&b, 2, odd, LF_DT_Q4_0, 0, 512);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w' (info at byte 68): ne0 = 48 is not a multiple of the Q4_0 block size 32", NULL);
}

static void test_offsets(void **s) {
    (void)s;
    bb b = {0};
    const uint64_t ne[] = {8, 2};
    one_tensor(&b, 2, ne, LF_DT_F32, 16, 128);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': misaligned data offset 16 at byte 101 (alignment 32)", NULL);
    one_tensor(&b, 2, ne, LF_DT_F32, 0, 63); /* needs 64 bytes */
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': data out of bounds: offset 0 + 64 bytes exceeds the 63-byte",
                NULL);
    one_tensor(&b, 2, ne, LF_DT_F32, 0xffffffffffffffe0ull, 64); /* offset + size would wrap */
    expect_fail(&b, LFMRT_E_FORMAT, "tensor 'w': data out of bounds", NULL);
    /* tensor info complete but the data section start is past the end */
    header(&b, 3, 1, 0);
    tinfo(&b, "w", 2, ne, LF_DT_F32, 0);
    expect_fail(&b, LFMRT_E_FORMAT, "truncated file: data section should start at byte 96", NULL);
}

static void test_overlap_and_duplicates(void **s) {
    (void)s;
    bb b = {0};
    const uint64_t ne[] = {16, 2}; /* 128 bytes */
    header(&b, 3, 2, 0);
    tinfo(&b, "a", 2, ne, LF_DT_F32, 0);
    tinfo(&b, "b", 2, ne, LF_DT_F32, 96);
    pad32(&b);
    zeros(&b, 256);
    expect_fail(&b, LFMRT_E_FORMAT, "tensors overlap: 'a' [0, 128) and 'b' [96, 224)", NULL);
    header(&b, 3, 2, 0);
    tinfo(&b, "same", 2, ne, LF_DT_F32, 0);
    tinfo(&b, "same", 2, ne, LF_DT_F32, 128);
    pad32(&b);
    zeros(&b, 256);
    expect_fail(&b, LFMRT_E_FORMAT, "duplicate tensor name 'same' (tensor #0 at byte 24 and tensor #1 at byte 68)", NULL);
    header(&b, 3, 1, 0);
    tinfo(&b, "", 2, ne, LF_DT_F32, 0);
    pad32(&b);
    zeros(&b, 128);
    expect_fail(&b, LFMRT_E_FORMAT, "tensor #0 at byte 24 has an empty name", NULL);
}

static void test_truncated_tensor_info(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 1, 0);
    str(&b, "blk.0.attn_q.weight");
    u32(&b, 2);
    u64(&b, 64);
    u64(&b, 64);
    bb_le(&b, 0, 2); /* dtype cut short */
    expect_fail(&b, LFMRT_E_FORMAT, "truncated file: dtype of tensor 'blk.0.attn_q.weight' at byte 71",
                "needs 4 bytes, only 2 remain");
    header(&b, 3, 1, 0);
    str(&b, "blk.0.attn_q.weight");
    u32(&b, 2);
    u64(&b, 64);
    u64(&b, 64);
    u32(&b, LF_DT_F32);
    u32(&b, 0); /* offset: 4 of 8 bytes */
    expect_fail(&b, LFMRT_E_FORMAT, "truncated file: data offset of tensor 'blk.0.attn_q.weight' at byte 75",
                "needs 8 bytes, only 4 remain");
}

/* Every proper prefix of a valid file fails cleanly; the whole file parses. */
static void test_truncation_sweep(void **s) {
    (void)s;
    bb b = {0};
    header(&b, 3, 2, 6);
    kv_str(&b, "general.architecture", "lfm2");
    kv_u32(&b, "lfm2.block_count", 2);
    str(&b, "lfm2.attention.head_count_kv");
    u32(&b, LF_GGUF_ARRAY);
    u32(&b, LF_GGUF_I32);
    u64(&b, 2);
    u32(&b, 0);
    u32(&b, 8);
    str(&b, "tokenizer.ggml.tokens");
    u32(&b, LF_GGUF_ARRAY);
    u32(&b, LF_GGUF_STRING);
    u64(&b, 3);
    str(&b, "<s>");
    str(&b, "");
    str(&b, "abc");
    str(&b, "f");
    u32(&b, LF_GGUF_F64);
    u64(&b, 0x3ff0000000000000ull);
    str(&b, "flag");
    u32(&b, LF_GGUF_BOOL);
    bb_le(&b, 1, 1);
    const uint64_t ne1[] = {32, 2}, ne2[] = {4};
    tinfo(&b, "q", 2, ne1, LF_DT_Q8_0, 0);
    tinfo(&b, "n", 1, ne2, LF_DT_F32, 96);
    pad32(&b);
    for (int i = 0; i < 96 + 16; i++) bb_le(&b, (uint64_t)i, 1);
    lf_gguf *g;
    lfmrt_err e;
    assert_int_equal(lf_gguf_parse(b.p, b.n, &g, &e), LFMRT_OK);
    assert_int_equal(lf_gguf_n_tensors(g), 2);
    assert_int_equal(lf_gguf_n_kv(g), 6);
    lf_gguf_close(g);
    for (size_t n = 0; n < b.n; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, b.p, n);
        e.msg[0] = '\0';
        g = (lf_gguf *)1;
        int rc = lf_gguf_parse(n ? copy : NULL, n, &g, &e);
        if (rc != LFMRT_E_FORMAT) fail_msg("prefix %zu: expected E_FORMAT, got %s", n, lfmrt_status_name(rc));
        assert_null(g);
        if (!strstr(e.msg, "truncated") && !strstr(e.msg, "oversized") && !strstr(e.msg, "absurd") &&
            !strstr(e.msg, "out of bounds") && !strstr(e.msg, "impossible"))
            fail_msg("prefix %zu: unexpected message '%s'", n, e.msg);
        free(copy);
    }
    free(b.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_short_file),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_absurd_counts),
        cmocka_unit_test(test_unknown_value_type),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_empty_key),
        cmocka_unit_test(test_oversized_string),
        cmocka_unit_test(test_truncated_string),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_bad_alignment),
        cmocka_unit_test(test_n_dims),
        cmocka_unit_test(test_dims),
        cmocka_unit_test(test_dtype),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_overlap_and_duplicates),
        cmocka_unit_test(test_truncated_tensor_info),
        cmocka_unit_test(test_truncation_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
