/* kernels/pack.c - the x16 packed weight layout (kernels/pack.h): packing at load, the inverse, and the
 * reference gemm over it. Plain C: the layout is the same on every ISA that reads it. */
#include "kernels/pack.h"

#include <string.h>

#include "format/dtype.h"
#include "format/quant_blocks.h"

/* Code bytes per block and the vectors (of 16 lanes x 4 bytes) they become. */
static int pack_codes(uint32_t type, size_t *block, int *nvec) {
    switch (type) {
    case LF_DT_Q4_0: *block = sizeof(lf_block_q4_0); *nvec = 4; return 1;
    case LF_DT_Q8_0: *block = sizeof(lf_block_q8_0); *nvec = 8; return 1;
    default: return 0;
    }
}

static size_t scales_bytes(int64_t nb) { return ((size_t)nb * 32 + 63) & ~(size_t)63; }

/* ---- Q4_K (kernels/pack.h): per 256-element block, LF_PACK_K4_BLOCK bytes of 16 rows ----------------- */
enum { K4_D = 0, K4_DMIN = 32, K4_SC = 64, K4_MN = 192, K4_CODES = 320 };
_Static_assert(K4_CODES + 2048 == LF_PACK_K4_BLOCK, "Q4_K packed block layout");

/* Q4_K and Q5_K share the layout; Q5_K (q5 set) appends its qh bits: [2368, 2880) as 8 vectors,
 * lane `row` of vector k = bytes qh[4k .. 4k+3]. */
static void k4_pack_block(const uint8_t *const blk[LF_PACK_ROWS], int q5, uint8_t *o) {
    for (int i = 0; i < LF_PACK_ROWS; i++) {
        /* Q4_K: d, dmin, scales[12], qs[128]; Q5_K: d, dmin, scales[12], qh[32], qs[128] */
        const uint8_t *x = blk[i], *scales = x + 4, *qh = x + 16, *qs = x + (q5 ? 48 : 16);
        memcpy(o + K4_D + 2 * i, x, 2);
        memcpy(o + K4_DMIN + 2 * i, x + 2, 2);
        for (int j = 0; j < 8; j++) {
            uint8_t sc, mn;
            lf_k_scale_min(j, scales, &sc, &mn);
            o[K4_SC + 16 * j + i] = sc;
            o[K4_MN + 32 * (j / 2) + 2 * i + (j % 2)] = mn;
        }
        for (int c = 0; c < 4; c++)
            for (int k = 0; k < 8; k++) memcpy(o + K4_CODES + 512 * c + 64 * k + 4 * i, qs + 32 * c + 4 * k, 4);
        if (q5)
            for (int k = 0; k < 8; k++) memcpy(o + LF_PACK_K4_BLOCK + 64 * k + 4 * i, qh + 4 * k, 4);
    }
}

static void k4_unpack_block(const uint8_t *o, int i, int q5, uint8_t *x) {
    uint8_t *scales = x + 4, *qh = x + 16, *qs = x + (q5 ? 48 : 16);
    memcpy(x, o + K4_D + 2 * i, 2);
    memcpy(x + 2, o + K4_DMIN + 2 * i, 2);
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; j++) {
        sc[j] = o[K4_SC + 16 * j + i];
        mn[j] = o[K4_MN + 32 * (j / 2) + 2 * i + (j % 2)];
    }
    for (int j = 0; j < 4; j++) { /* the inverse of lf_k_scale_min: every bit of the 12 bytes is set */
        scales[j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
        scales[j + 4] = (uint8_t)(mn[j] | (mn[j + 4] >> 4) << 6);
        scales[j + 8] = (uint8_t)((sc[j + 4] & 15) | (mn[j + 4] & 15) << 4);
    }
    for (int c = 0; c < 4; c++)
        for (int k = 0; k < 8; k++) memcpy(qs + 32 * c + 4 * k, o + K4_CODES + 512 * c + 64 * k + 4 * i, 4);
    if (q5)
        for (int k = 0; k < 8; k++) memcpy(qh + 4 * k, o + LF_PACK_K4_BLOCK + 64 * k + 4 * i, 4);
}

/* ---- Q6_K (kernels/pack.h): per 256-element block, LF_PACK_K6_BLOCK bytes of 16 rows ----------------- */
enum { K6_D = 0, K6_SC = 64, K6_QL = 320, K6_QH = 2368 };
_Static_assert(K6_QH + 1024 == LF_PACK_K6_BLOCK, "Q6_K packed block layout");

static void k6_pack_block(const lf_block_q6_k *const blk[LF_PACK_ROWS], uint8_t *o) {
    memset(o + 32, 0, 32); /* padding after the d of the 16 rows */
    for (int i = 0; i < LF_PACK_ROWS; i++) {
        const lf_block_q6_k *x = blk[i];
        memcpy(o + K6_D + 2 * i, &x->d, 2);
        for (int j = 0; j < 16; j++) o[K6_SC + 32 * (j / 2) + 2 * i + (j % 2)] = (uint8_t)x->scales[j];
        for (int h = 0; h < 2; h++) {
            for (int k = 0; k < 16; k++) memcpy(o + K6_QL + 1024 * h + 64 * k + 4 * i, x->ql + 64 * h + 4 * k, 4);
            for (int k = 0; k < 8; k++) memcpy(o + K6_QH + 512 * h + 64 * k + 4 * i, x->qh + 32 * h + 4 * k, 4);
        }
    }
}

static void k6_unpack_block(const uint8_t *o, int i, lf_block_q6_k *x) {
    memcpy(&x->d, o + K6_D + 2 * i, 2);
    for (int j = 0; j < 16; j++) x->scales[j] = (int8_t)o[K6_SC + 32 * (j / 2) + 2 * i + (j % 2)];
    for (int h = 0; h < 2; h++) {
        for (int k = 0; k < 16; k++) memcpy(x->ql + 64 * h + 4 * k, o + K6_QL + 1024 * h + 64 * k + 4 * i, 4);
        for (int k = 0; k < 8; k++) memcpy(x->qh + 32 * h + 4 * k, o + K6_QH + 512 * h + 64 * k + 4 * i, 4);
    }
}

/* the K-quant types with a packed layout: block bytes per 16 rows, 0 for the others */
static size_t k_block_bytes(uint32_t type) {
    return type == LF_DT_Q4_K   ? LF_PACK_K4_BLOCK
           : type == LF_DT_Q5_K ? LF_PACK_K5_BLOCK
           : type == LF_DT_Q6_K ? LF_PACK_K6_BLOCK
                                : 0;
}

size_t lf_pack_group_bytes(uint32_t type, int64_t n) {
    size_t bs;
    int nv;
    if (k_block_bytes(type)) return n > 0 && n % LF_QK_K == 0 ? (size_t)(n / LF_QK_K) * k_block_bytes(type) : 0;
    if (!pack_codes(type, &bs, &nv) || n <= 0 || n % LF_QK) return 0;
    const int64_t nb = n / LF_QK;
    return scales_bytes(nb) + (size_t)nb * (size_t)nv * 64;
}

size_t lf_pack_bytes(uint32_t type, int64_t n, int64_t nrows) {
    return lf_pack_group_bytes(type, n) * (size_t)((nrows + LF_PACK_ROWS - 1) / LF_PACK_ROWS);
}

int lf_pack_groups(uint32_t type, int64_t n, int64_t nrows, const void *w, size_t w_stride, void *dst, int64_t g0,
                   int64_t g1) {
    size_t bs;
    int nv;
    const size_t gb = lf_pack_group_bytes(type, n);
    if (gb && k_block_bytes(type)) {
        const size_t kb = k_block_bytes(type), bs_k = type == LF_DT_Q4_K   ? sizeof(lf_block_q4_k)
                                                      : type == LF_DT_Q5_K ? sizeof(lf_block_q5_k)
                                                                           : sizeof(lf_block_q6_k);
        for (int64_t g = g0; g < g1; g++) {
            const uint8_t *row[LF_PACK_ROWS];
            for (int i = 0; i < LF_PACK_ROWS; i++) {
                const int64_t r = g * LF_PACK_ROWS + i;
                row[i] = (const uint8_t *)w + (size_t)(r < nrows ? r : nrows - 1) * w_stride;
            }
            for (int64_t b = 0; b < n / LF_QK_K; b++) {
                uint8_t *o = (uint8_t *)dst + (size_t)g * gb + (size_t)b * kb;
                if (type != LF_DT_Q6_K) {
                    const uint8_t *blk[LF_PACK_ROWS];
                    for (int i = 0; i < LF_PACK_ROWS; i++) blk[i] = row[i] + (size_t)b * bs_k;
                    k4_pack_block(blk, type == LF_DT_Q5_K, o);
                } else {
                    const lf_block_q6_k *blk[LF_PACK_ROWS];
                    for (int i = 0; i < LF_PACK_ROWS; i++) blk[i] = (const lf_block_q6_k *)(const void *)(row[i] + (size_t)b * bs_k);
                    k6_pack_block(blk, o);
                }
            }
        }
        return 0;
    }
    if (!gb || !pack_codes(type, &bs, &nv)) return -1;
    const int64_t nb = n / LF_QK;
    const uint32_t flip = type == LF_DT_Q8_0 ? 0x80808080u : 0;
    for (int64_t g = g0; g < g1; g++) {
        uint8_t *grp = (uint8_t *)dst + (size_t)g * gb;
        uint8_t *sc = grp, *codes = grp + scales_bytes(nb);
        memset(sc + (size_t)nb * 32, 0, scales_bytes(nb) - (size_t)nb * 32);
        const uint8_t *row[LF_PACK_ROWS];
        for (int i = 0; i < LF_PACK_ROWS; i++) {
            const int64_t r = g * LF_PACK_ROWS + i;
            row[i] = (const uint8_t *)w + (size_t)(r < nrows ? r : nrows - 1) * w_stride;
        }
        /* block by block, the 16 rows side by side: the writes are sequential, the reads 16 streams */
        for (int64_t b = 0; b < nb; b++) {
            uint16_t *d = (uint16_t *)(void *)(sc + (size_t)b * 32);
            uint32_t *cv = (uint32_t *)(void *)(codes + (size_t)b * (size_t)nv * 64);
            for (int i = 0; i < LF_PACK_ROWS; i++) {
                const uint8_t *blk = row[i] + (size_t)b * bs;
                memcpy(&d[i], blk, 2);
                for (int k = 0; k < nv; k++) {
                    uint32_t v;
                    memcpy(&v, blk + 2 + 4 * k, 4);
                    cv[k * LF_PACK_ROWS + i] = v ^ flip;
                }
            }
        }
    }
    return 0;
}

void lf_unpack_row(uint32_t type, int64_t n, const void *group, int row, void *out) {
    size_t bs;
    int nv;
    if (type == LF_DT_Q4_K || type == LF_DT_Q5_K) {
        const int q5 = type == LF_DT_Q5_K;
        const size_t kb = q5 ? LF_PACK_K5_BLOCK : LF_PACK_K4_BLOCK, bs_k = q5 ? sizeof(lf_block_q5_k) : sizeof(lf_block_q4_k);
        for (int64_t b = 0; b < n / LF_QK_K; b++)
            k4_unpack_block((const uint8_t *)group + (size_t)b * kb, row, q5, (uint8_t *)out + (size_t)b * bs_k);
        return;
    }
    if (type == LF_DT_Q6_K) {
        for (int64_t b = 0; b < n / LF_QK_K; b++)
            k6_unpack_block((const uint8_t *)group + (size_t)b * LF_PACK_K6_BLOCK, row, (lf_block_q6_k *)out + b);
        return;
    }
    if (!pack_codes(type, &bs, &nv)) return;
    const int64_t nb = n / LF_QK;
    const uint8_t flip = type == LF_DT_Q8_0 ? 0x80 : 0;
    const uint8_t *sc = group, *codes = (const uint8_t *)group + scales_bytes(nb);
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = (uint8_t *)out + (size_t)b * bs;
        memcpy(blk, sc + (size_t)b * 32 + 2 * (size_t)row, 2);
        const uint8_t *cb = codes + (size_t)b * (size_t)nv * 64 + 4 * (size_t)row;
        for (int k = 0; k < nv; k++)
            for (int j = 0; j < 4; j++) blk[2 + 4 * k + j] = cb[(size_t)k * 64 + (size_t)j] ^ flip;
    }
}
