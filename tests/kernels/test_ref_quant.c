/* tests/kernels/test_ref_quant.c - reference dequantization and quantization against hand-computed
 * blocks.
 *
 * Every block is written as explicit bytes in on-disk order and copied into the block struct, so
 * the tests also pin the struct layouts (format/quant_blocks.h). Expected values were worked out by
 * hand from MODEL-SPEC section 5 and are written out in the comments next to each block.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"
#include "kernels/ref/ref.h"
#include "testutil.h"

#define H_0_5 0x00, 0x38  /* f16 0.5, little-endian bytes */
#define H_1 0x00, 0x3c    /* 1.0 */
#define H_2 0x00, 0x40    /* 2.0 */
#define H_3 0x00, 0x42    /* 3.0 */
#define H_M1 0x00, 0xbc   /* -1.0 */

static void expect_eq(const float *got, const float *want, int n) {
    for (int i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            fprintf(stderr, "element %d: got %.9g want %.9g\n", i, (double)got[i], (double)want[i]);
            fail();
        }
    }
}

static void fill(float *y, int from, int to, float v) {
    for (int i = from; i < to; i++) y[i] = v;
}

/* ---- 32-element types ------------------------------------------------------------------------- */

static void test_dequant_q8_0(void **state) {
    (void)state;
    uint8_t raw[34] = {H_0_5};
    const int8_t q[4] = {-128, 127, -1, 3};
    memcpy(raw + 2, q, 4); /* rest 0 */
    lf_block_q8_0 b;
    memcpy(&b, raw, sizeof b);
    float y[32], want[32] = {-64.0f, 63.5f, -0.5f, 1.5f};
    dequant_row_q8_0_ref(&b, y, 32);
    expect_eq(y, want, 32);
}

static void test_dequant_q4_0(void **state) {
    (void)state;
    /* d = 0.5; qs[0] = 0x0F: y0 = (15-8)*.5 = 3.5, y16 = (0-8)*.5 = -4; qs[1] = 0x80: y1 = -4,
     * y17 = 0; qs[2] = 0x19: y2 = (9-8)*.5 = .5, y18 = (1-8)*.5 = -3.5; other bytes 0x88 -> 0. */
    uint8_t raw[18] = {H_0_5, 0x0F, 0x80, 0x19};
    memset(raw + 5, 0x88, 13);
    lf_block_q4_0 b;
    memcpy(&b, raw, sizeof b);
    float y[32], want[32] = {0};
    want[0] = 3.5f, want[16] = -4.0f, want[1] = -4.0f, want[17] = 0.0f, want[2] = 0.5f, want[18] = -3.5f;
    dequant_row_q4_0_ref(&b, y, 32);
    expect_eq(y, want, 32);
}

static void test_dequant_q4_1(void **state) {
    (void)state;
    /* d = 1, m = -1; qs[0] = 0x2F: y0 = 15-1 = 14, y16 = 2-1 = 1; qs[15] = 0xA0: y15 = -1,
     * y31 = 10-1 = 9; others code 0 -> -1 */
    uint8_t raw[20] = {H_1, H_M1, 0x2F};
    raw[4 + 15] = 0xA0;
    lf_block_q4_1 b;
    memcpy(&b, raw, sizeof b);
    float y[32], want[32];
    fill(want, 0, 32, -1.0f);
    want[0] = 14.0f, want[16] = 1.0f, want[31] = 9.0f;
    dequant_row_q4_1_ref(&b, y, 32);
    expect_eq(y, want, 32);
}

static void test_dequant_q5_0(void **state) {
    (void)state;
    /* d = 2; qh bytes 01 00 01 80 = u32 0x80010001: bits 0, 16, 31.
     * qs[0] = 0x3A: y0 = ((10|16)-16)*2 = 20, y16 = ((3|16)-16)*2 = 6;
     * qs[15] = 0xF0: y15 = (0-16)*2 = -32 (bit 15 clear), y31 = ((15|16)-16)*2 = 30;
     * every other code is 0 -> (0-16)*2 = -32. */
    uint8_t raw[22] = {H_2, 0x01, 0x00, 0x01, 0x80, 0x3A};
    raw[6 + 15] = 0xF0;
    lf_block_q5_0 b;
    memcpy(&b, raw, sizeof b);
    float y[32], want[32];
    fill(want, 0, 32, -32.0f);
    want[0] = 20.0f, want[16] = 6.0f, want[31] = 30.0f;
    dequant_row_q5_0_ref(&b, y, 32);
    expect_eq(y, want, 32);
}

static void test_dequant_q5_1(void **state) {
    (void)state;
    /* d = 0.5, m = 3; qh = 00 80 00 00: only bit 15 (element 15, low nibble of qs[15]).
     * qs[15] = 0x21: y15 = (1|16)*.5 + 3 = 11.5, y31 = 2*.5 + 3 = 4; qs[3] = 0x0F: y3 = 7.5 + 3 =
     * 10.5, y19 = 3; qh bit 31 clear. Others 3. */
    uint8_t raw[24] = {H_0_5, H_3, 0x00, 0x80, 0x00, 0x00};
    raw[8 + 15] = 0x21;
    raw[8 + 3] = 0x0F;
    lf_block_q5_1 b;
    memcpy(&b, raw, sizeof b);
    float y[32], want[32];
    fill(want, 0, 32, 3.0f);
    want[15] = 11.5f, want[31] = 4.0f, want[3] = 10.5f;
    dequant_row_q5_1_ref(&b, y, 32);
    expect_eq(y, want, 32);
}

static void test_dequant_q8_1_and_q8_k(void **state) {
    (void)state;
    uint8_t raw[36] = {H_2, H_3, 0xFF, 0x05}; /* d = 2 (s ignored by dequant); qs = -1, 5, 0... */
    lf_block_q8_1 b;
    memcpy(&b, raw, sizeof b);
    float y[256], want[256] = {-2.0f, 10.0f};
    dequant_row_q8_1_ref(&b, y, 32);
    expect_eq(y, want, 32);

    lf_block_q8_k k;
    memset(&k, 0, sizeof k);
    k.d = -0.25f;
    k.qs[0] = -128, k.qs[255] = 100, k.qs[17] = 3;
    memset(want, 0, sizeof want);
    want[0] = 32.0f, want[255] = -25.0f, want[17] = -0.75f;
    dequant_row_q8_k_ref(&k, y, 256);
    expect_eq(y, want, 256);
}

/* ---- K-quants --------------------------------------------------------------------------------- */

/* Scales/mins shared by the Q4_K and Q5_K blocks below (sub-block s: sc, mn):
 *   s0: 1, 2    s1: 63, 0    s2: 4, 3    s3: 5, 0          (s < 4: 6 bits in bytes 0..7)
 *   s4: 53 (0b11_0101), 42 (0b10_1010)   s5: 16 (0b01_0000), 1   s6: 2, 7   s7: 9, 15
 * Packing of s >= 4: low 4 bits in bytes 8..11 (sc low nibble, mn high nibble), high 2 bits in the
 * top bits of bytes 0..3 (sc) and 4..7 (mn):
 *   b0 = 1 | 3<<6 = 0xC1   b1 = 63 | 1<<6 = 0x7F   b2 = 0x04   b3 = 0x05
 *   b4 = 2 | 2<<6 = 0x82   b5 = 0x00               b6 = 0x03   b7 = 0x00
 *   b8 = 5 | 10<<4 = 0xA5  b9 = 0 | 1<<4 = 0x10    b10 = 2 | 7<<4 = 0x72   b11 = 9 | 15<<4 = 0xF9 */
static const uint8_t k_scales[12] = {0xC1, 0x7F, 0x04, 0x05, 0x82, 0x00,
                                     0x03, 0x00, 0xA5, 0x10, 0x72, 0xF9};

static void test_k_scale_unpack(void **state) {
    (void)state;
    const uint8_t sc_want[8] = {1, 63, 4, 5, 53, 16, 2, 9}, mn_want[8] = {2, 0, 3, 0, 42, 1, 7, 15};
    for (int s = 0; s < 8; s++) {
        uint8_t sc, mn;
        lf_k_scale_min(s, k_scales, &sc, &mn);
        assert_int_equal(sc, sc_want[s]);
        assert_int_equal(mn, mn_want[s]);
    }
}

/* Q4_K with d = 1, dmin = 0.5: y = sc*q - 0.5*mn. Code-0 value per sub-block: -0.5*mn =
 * -1, 0, -1.5, 0, -21, -0.5, -3.5, -7.5. Overrides:
 *   qs[0] = 0x3F:  y0 (s0, 15) = 15 - 1 = 14;      y32 (s1, 3) = 63*3 = 189
 *   qs[64] = 0x17: y128 (s4, 7) = 53*7 - 21 = 350; y160 (s5, 1) = 16 - .5 = 15.5
 *   qs[127] = 0xFF: y223 (s6, 15) = 30 - 3.5 = 26.5; y255 (s7, 15) = 135 - 7.5 = 127.5 */
static void q4k_expected(float *want) {
    const float base[8] = {-1.0f, 0.0f, -1.5f, 0.0f, -21.0f, -0.5f, -3.5f, -7.5f};
    for (int s = 0; s < 8; s++) fill(want, 32 * s, 32 * s + 32, base[s]);
    want[0] = 14.0f, want[32] = 189.0f, want[128] = 350.0f, want[160] = 15.5f;
    want[223] = 26.5f, want[255] = 127.5f;
}

static void test_dequant_q4_k(void **state) {
    (void)state;
    uint8_t raw[144] = {H_1, H_0_5};
    memcpy(raw + 4, k_scales, 12);
    uint8_t *qs = raw + 16;
    qs[0] = 0x3F, qs[64] = 0x17, qs[127] = 0xFF;
    lf_block_q4_k b;
    memcpy(&b, raw, sizeof b);
    float y[256], want[256];
    q4k_expected(want);
    dequant_row_q4_k_ref(&b, y, 256);
    expect_eq(y, want, 256);
}

/* Q5_K: the Q4_K block above plus fifth bits: qh[0] = 0x01 (bit 0: group 0 low -> y0),
 * qh[31] = 0x80 (bit 7: group 3 high -> y255), qh[5] = 0x10 (bit 4: group 2 low -> y133).
 *   y0 = (15+16)*1 - 1 = 30;  y255 = (15+16)*9 - 7.5 = 271.5;  y133 = (0+16)*53 - 21 = 827 */
static void test_dequant_q5_k(void **state) {
    (void)state;
    uint8_t raw[176] = {H_1, H_0_5};
    memcpy(raw + 4, k_scales, 12);
    uint8_t *qh = raw + 16, *qs = raw + 48;
    qh[0] = 0x01, qh[31] = 0x80, qh[5] = 0x10;
    qs[0] = 0x3F, qs[64] = 0x17, qs[127] = 0xFF;
    lf_block_q5_k b;
    memcpy(&b, raw, sizeof b);
    float y[256], want[256];
    q4k_expected(want);
    want[0] = 30.0f, want[255] = 271.5f, want[133] = 827.0f;
    dequant_row_q5_k_ref(&b, y, 256);
    expect_eq(y, want, 256);
}

/* Q6_K, d = 0.5 stored in the LAST two bytes. scales (int8) = -3, 1, 5, 1, -7, 1, 1, 1, -128, 1..1,
 * 127. All-zero ql/qh give code 0 -> q = -32 -> y = 0.5*scale*-32 = -16*scale. Overrides (first
 * half): ql[0] = 0x5F, qh[0] = 0x87 = bits 1:0 = 3, 3:2 = 1, 5:4 = 0, 7:6 = 2:
 *   y0  = q(15 | 3<<4 = 63) - 32 = 31 -> .5*-3*31 = -46.5
 *   y32 = q(ql[32] low 0 | 1<<4 = 16) - 32 = -16 -> .5*5*-16 = -40
 *   y64 = q(ql[0] high 5 | 0) - 32 = -27 -> .5*-7*-27 = 94.5
 *   y96 = q(ql[32] high 0 | 2<<4 = 32) - 32 = 0 -> 0
 * second half: ql[127] = 0xA0, qh[63] = 0x40 -> y255 = q(10 | 1<<4 = 26) - 32 = -6 -> .5*127*-6 = -381 */
static void test_dequant_q6_k(void **state) {
    (void)state;
    uint8_t raw[210] = {0};
    uint8_t *ql = raw, *qh = raw + 128;
    int8_t *sc = (int8_t *)(raw + 192);
    const int8_t scales[16] = {-3, 1, 5, 1, -7, 1, 1, 1, -128, 1, 1, 1, 1, 1, 1, 127};
    memcpy(sc, scales, 16);
    raw[208] = 0x00, raw[209] = 0x38; /* d = 0.5 */
    ql[0] = 0x5F, qh[0] = 0x87, ql[127] = 0xA0, qh[63] = 0x40;
    lf_block_q6_k b;
    memcpy(&b, raw, sizeof b);
    float y[256], want[256];
    for (int s = 0; s < 16; s++) fill(want, 16 * s, 16 * s + 16, -16.0f * scales[s]);
    want[0] = -46.5f, want[32] = -40.0f, want[64] = 94.5f, want[96] = 0.0f, want[255] = -381.0f;
    assert_true(want[130] == 2048.0f); /* -16 * -128 */
    dequant_row_q6_k_ref(&b, y, 256);
    expect_eq(y, want, 256);
}

/* Several blocks per row: each block uses its own scale (row offsets are right). */
static void test_dequant_multi_block(void **state) {
    (void)state;
    lf_block_q8_0 b[3];
    memset(b, 0, sizeof b);
    for (int i = 0; i < 3; i++) {
        b[i].d = lf_f32_to_fp16((float)(i + 1));
        b[i].qs[31] = (int8_t)(i + 1);
    }
    float y[96];
    dequant_row_q8_0_ref(b, y, 96);
    assert_true(y[31] == 1.0f && y[63] == 4.0f && y[95] == 9.0f && y[64] == 0.0f);
}

/* ---- quantization: exact results for hand-picked vectors -------------------------------------- */

static void test_quantize_q8_0_exact(void **state) {
    (void)state;
    float x[64] = {0};
    /* block 0: amax 127 -> d = 1 exactly; q = rint(x * 127/amax): ties go to EVEN (-62.5 -> -62,
     * 0.5 -> 0, 2.5 -> 2), as ggml's x86 runtime quantizer does */
    x[0] = 127.0f, x[1] = -62.5f, x[2] = 0.5f, x[3] = -0.49f, x[4] = 2.5f, x[5] = -127.0f;
    /* block 1: amax 1 -> d = 1/127 (f16 0x2008); 1 -> 127, -0.25 -> -31.75 -> -32 */
    x[32] = 1.0f, x[33] = -0.25f;
    lf_block_q8_0 b[2];
    quantize_row_q8_0_ref(x, b, 64);
    assert_int_equal(b[0].d, 0x3c00);
    const int8_t q0[6] = {127, -62, 0, 0, 2, -127};
    for (int j = 0; j < 6; j++) assert_int_equal(b[0].qs[j], q0[j]);
    for (int j = 6; j < 32; j++) assert_int_equal(b[0].qs[j], 0);
    assert_int_equal(b[1].d, 0x2008);
    assert_int_equal(b[1].qs[0], 127);
    assert_int_equal(b[1].qs[1], -32);
    /* all-zero block: d = 0, q = 0 */
    float z[32] = {0};
    quantize_row_q8_0_ref(z, b, 32);
    assert_int_equal(b[0].d, 0);
    for (int j = 0; j < 32; j++) assert_int_equal(b[0].qs[j], 0);
}

static void test_quantize_q8_1_exact(void **state) {
    (void)state;
    float x[32] = {0};
    x[0] = -127.0f, x[1] = 10.5f, x[2] = 3.0f; /* d = 1: q = -127, 10 (tie to even), 3 -> sum -114 */
    lf_block_q8_1 b;
    quantize_row_q8_1_ref(x, &b, 32);
    assert_int_equal(b.d, 0x3c00);
    assert_int_equal(b.qs[0], -127);
    assert_int_equal(b.qs[1], 10);
    assert_int_equal(b.qs[2], 3);
    assert_true(lf_fp16_to_f32(b.s) == -114.0f);
}

static void test_quantize_q4_0_exact(void **state) {
    (void)state;
    float x[64] = {0};
    /* block 0: signed max -8 -> d = -8/-8 = 1, q = min(15, (int)(x + 8.5)):
     *   -8 -> 0; 7 -> 15; 7.9 -> 16 -> clamp 15; 0 -> 8; -0.5 -> 8; -0.6 -> 7; 2.49 -> 10; 2.5 -> 11 */
    const float v0[8] = {-8.0f, 7.0f, 7.9f, 0.0f, -0.5f, -0.6f, 2.49f, 2.5f};
    const int c0[8] = {0, 15, 15, 8, 8, 7, 10, 11};
    memcpy(x, v0, sizeof v0);
    x[16] = 1.0f; /* element 16 is the high nibble of qs[0]: 9 */
    /* block 1: 4 comes first and -4 ties on magnitude: the first wins, d = 4/-8 = -0.5, id = -2:
     *   4 -> 0.5 -> 0; -4 -> 16.5 -> 15; 1 -> 6.5 -> 6; 0.25 -> 8; -3.5 -> 15.5 -> 15 */
    const float v1[5] = {4.0f, -4.0f, 1.0f, 0.25f, -3.5f};
    const int c1[5] = {0, 15, 6, 8, 15};
    memcpy(x + 32, v1, sizeof v1);
    lf_block_q4_0 b[2];
    quantize_row_q4_0_ref(x, b, 64);
    assert_int_equal(b[0].d, 0x3c00);
    for (int j = 0; j < 8; j++) assert_int_equal(b[0].qs[j] & 15, c0[j]);
    assert_int_equal(b[0].qs[0] >> 4, 9);
    assert_int_equal(b[1].d, 0xb800); /* -0.5 */
    for (int j = 0; j < 5; j++) assert_int_equal(b[1].qs[j] & 15, c1[j]);
    for (int j = 5; j < 16; j++) assert_int_equal(b[1].qs[j], 0x88);
}

static void test_quantize_q8_k_exact(void **state) {
    (void)state;
    float x[512] = {0};
    /* block 0: signed max -127 -> iscale = -127/-127 = 1, q = nearest EVEN of x (62.5 -> 62,
     * 63.5 -> 64, -0.5 -> 0, 126.5 -> 126), d = 1/iscale = 1 */
    x[0] = -127.0f, x[1] = 62.5f, x[2] = 63.5f, x[3] = -0.5f, x[20] = 126.5f;
    /* block 1: signed max +127 -> iscale = -1, d = -1: q = -x */
    x[256] = 127.0f, x[257] = -127.0f, x[258] = 5.0f;
    lf_block_q8_k b[2];
    quantize_row_q8_k_ref(x, b, 512);
    assert_true(b[0].d == 1.0f);
    assert_int_equal(b[0].qs[0], -127);
    assert_int_equal(b[0].qs[1], 62);
    assert_int_equal(b[0].qs[2], 64);
    assert_int_equal(b[0].qs[3], 0);
    assert_int_equal(b[0].qs[20], 126);
    assert_int_equal(b[0].bsums[0], -127 + 62 + 64);
    assert_int_equal(b[0].bsums[1], 126);
    assert_int_equal(b[0].bsums[2], 0);
    assert_true(b[1].d == -1.0f);
    assert_int_equal(b[1].qs[0], -127);
    assert_int_equal(b[1].qs[1], 127);
    assert_int_equal(b[1].qs[2], -5);
    assert_int_equal(b[1].bsums[0], -5);
    /* d * q gives back these x: -127, 127, -127, 5 */
    float y[512];
    dequant_row_q8_k_ref(b, y, 512);
    assert_true(y[0] == -127.0f && y[256] == 127.0f && y[257] == -127.0f && y[258] == 5.0f);
    /* all-zero block: d = 0, codes and bsums 0 */
    float z[256] = {0};
    memset(b, 0x55, sizeof b);
    quantize_row_q8_k_ref(z, b, 256);
    assert_true(b[0].d == 0.0f);
    for (int j = 0; j < 256; j++) assert_int_equal(b[0].qs[j], 0);
    for (int j = 0; j < 16; j++) assert_int_equal(b[0].bsums[j], 0);
}

static void test_quantize_float_types(void **state) {
    (void)state;
    const float x[4] = {1.0f, -2.5f, 0.1f, 65504.0f};
    uint16_t h[4], bf[4];
    float back[4], f32[4];
    quantize_row_f16_ref(x, h, 4);
    assert_int_equal(h[0], 0x3c00);
    assert_int_equal(h[1], 0xc100);
    assert_int_equal(h[2], 0x2e66);
    assert_int_equal(h[3], 0x7bff);
    quantize_row_bf16_ref(x, bf, 4);
    assert_int_equal(bf[0], 0x3f80);
    assert_int_equal(bf[1], 0xc020);
    assert_int_equal(bf[2], 0x3dcd); /* 0.1f = 0x3dcccccd -> rounds up */
    dequant_row_bf16_ref(bf, back, 4);
    assert_true(back[1] == -2.5f);
    dequant_row_f16_ref(h, back, 4);
    assert_true(back[3] == 65504.0f);
    quantize_row_f32_ref(x, f32, 4);
    dequant_row_f32_ref(f32, back, 4);
    assert_memory_equal(back, x, sizeof x);
}

/* ---- quantization round-trip error bounds on random data -------------------------------------- */

static void test_round_trip_q8_0_q8_1(void **state) {
    (void)state;
    enum { N = 32 * 64 };
    static float x[N], y[N];
    static lf_block_q8_0 b[N / 32];
    static lf_block_q8_1 c[N / 32];
    uint64_t rng = 99;
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng) * (float)(1 + i / 32 % 7) * 3.0f;
    quantize_row_q8_0_ref(x, b, N);
    dequant_row_q8_0_ref(b, y, N);
    quantize_row_q8_1_ref(x, c, N);
    for (int i = 0; i < N / 32; i++) {
        float amax = 0;
        int sum = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[32 * i + j]));
        const float d = amax / 127.0f, dh = lf_fp16_to_f32(b[i].d);
        assert_int_equal(b[i].d, lf_f32_to_fp16(d));
        for (int j = 0; j < 32; j++) {
            /* the code is within half a step of x/d (f32 d), and dequant uses the f16 d */
            assert_true(fabsf(x[32 * i + j] - b[i].qs[j] * d) <= d * 0.5f * 1.0001f);
            assert_true(fabsf(x[32 * i + j] - y[32 * i + j]) <=
                        d * 0.5f * 1.0001f + 127.0f * fabsf(dh - d));
            assert_int_equal(c[i].qs[j], b[i].qs[j]); /* Q8_1 codes equal Q8_0 codes */
            sum += c[i].qs[j];
        }
        assert_int_equal(c[i].d, b[i].d);
        assert_int_equal(c[i].s, lf_f32_to_fp16((float)sum * d));
    }
}

static void test_round_trip_q4_0(void **state) {
    (void)state;
    enum { N = 32 * 64 };
    static float x[N], y[N];
    static lf_block_q4_0 b[N / 32];
    uint64_t rng = 5;
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng) * (float)(1 + i / 32 % 5);
    quantize_row_q4_0_ref(x, b, N);
    dequant_row_q4_0_ref(b, y, N);
    int clamped = 0;
    for (int i = 0; i < N / 32; i++) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++)
            if (amax < fabsf(x[32 * i + j])) amax = fabsf(x[32 * i + j]), max = x[32 * i + j];
        const float d = max / -8.0f, dh = lf_fp16_to_f32(b[i].d);
        const float slack = 8.0f * fabsf(dh - d) + 1e-6f * amax;
        for (int j = 0; j < 32; j++) {
            const float xv = x[32 * i + j], err = fabsf(xv - y[32 * i + j]);
            if (xv / d + 8.5f >= 16.0f) { /* the side opposite the extreme clamps at code 15 */
                clamped++;
                assert_true(err <= fabsf(d) + slack);
            } else {
                assert_true(err <= 0.5f * fabsf(d) + slack);
            }
            if (xv == max) assert_true(fabsf(y[32 * i + j] - max) <= slack); /* extreme is exact */
        }
    }
    assert_true(clamped > 0); /* the clamp branch was exercised */
}

static void test_round_trip_q8_k(void **state) {
    (void)state;
    enum { N = 256 * 8 };
    static float x[N], y[N];
    static lf_block_q8_k b[N / 256];
    uint64_t rng = 17;
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng) * 10.0f;
    quantize_row_q8_k_ref(x, b, N);
    dequant_row_q8_k_ref(b, y, N);
    for (int i = 0; i < N / 256; i++) {
        const float ad = fabsf(b[i].d);
        for (int j = 0; j < 256; j++) assert_true(fabsf(x[256 * i + j] - y[256 * i + j]) <= ad * 0.5001f);
        for (int g = 0; g < 16; g++) {
            int s = 0;
            for (int l = 0; l < 16; l++) s += b[i].qs[16 * g + l];
            assert_int_equal(b[i].bsums[g], s);
        }
    }
}

static void test_round_trip_f16_bf16(void **state) {
    (void)state;
    enum { N = 4096 };
    static float x[N], y[N];
    static uint16_t h[N];
    uint64_t rng = 3;
    for (int i = 0; i < N; i++) x[i] = lf_test_randf(&rng) * 1000.0f;
    quantize_row_f16_ref(x, h, N);
    dequant_row_f16_ref(h, y, N);
    for (int i = 0; i < N; i++) assert_true(fabsf(x[i] - y[i]) <= fabsf(x[i]) * 0x1p-11f);
    quantize_row_bf16_ref(x, h, N);
    dequant_row_bf16_ref(h, y, N);
    for (int i = 0; i < N; i++) assert_true(fabsf(x[i] - y[i]) <= fabsf(x[i]) * 0x1p-8f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dequant_q8_0),
        cmocka_unit_test(test_dequant_q4_0),
        cmocka_unit_test(test_dequant_q4_1),
        cmocka_unit_test(test_dequant_q5_0),
        cmocka_unit_test(test_dequant_q5_1),
        cmocka_unit_test(test_dequant_q8_1_and_q8_k),
        cmocka_unit_test(test_k_scale_unpack),
        cmocka_unit_test(test_dequant_q4_k),
        cmocka_unit_test(test_dequant_q5_k),
        cmocka_unit_test(test_dequant_q6_k),
        cmocka_unit_test(test_dequant_multi_block),
        cmocka_unit_test(test_quantize_q8_0_exact),
        cmocka_unit_test(test_quantize_q8_1_exact),
        cmocka_unit_test(test_quantize_q4_0_exact),
        cmocka_unit_test(test_quantize_q8_k_exact),
        cmocka_unit_test(test_quantize_float_types),
        cmocka_unit_test(test_round_trip_q8_0_q8_1),
        cmocka_unit_test(test_round_trip_q4_0),
        cmocka_unit_test(test_round_trip_q8_k),
        cmocka_unit_test(test_round_trip_f16_bf16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
