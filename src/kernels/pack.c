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

size_t lf_pack_group_bytes(uint32_t type, int64_t n) {
    size_t bs;
    int nv;
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
