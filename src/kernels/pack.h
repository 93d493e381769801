/* kernels/pack.h - the load-time repacked weight layout ("x16"): one weight row per 32-bit vector lane,
 * so a 16-lane integer dot leaves each row's exact block sum in its own lane with no horizontal
 * reduction and no per-call transposition (llama.cpp's Q4_0x8 idea, at AVX-512's 16 lanes).
 *
 * Rows go in groups of LF_PACK_ROWS; a group past the last row repeats the last row (computed, never
 * stored by the kernels). A group of a matrix with nb blocks per row is lf_pack_group_bytes(type, n):
 *   scales: nb x 16 f16, [block][row] (nb * 32 bytes, padded to a multiple of 64);
 *   codes:  nb x K x 16 u32, [block][k][row]: lane `row` of vector k holds bytes 4k..4k+3 of that
 *           row's block codes. Q4_0: K = 4, the 16 bytes of nibbles as stored (low nibble element
 *           j, high nibble element j + 16). Q8_0: K = 8, the 32 codes plus 128 (so unsigned).
 * Q4_K (n a multiple of 256) has its own group layout: per 256-element block, LF_PACK_K4_BLOCK bytes:
 *   [0, 32) the 16 rows' f16 d, [32, 64) their f16 dmin;
 *   [64, 192) the 6-bit sub-block scales as bytes, [sub-block j][row];
 *   [192, 320) the mins as bytes, [pair p][row][2] = mins 2p, 2p+1 (a zero-extension to 16 bits gives
 *             each row's pair in its 32-bit lane);
 *   [320, 2368) codes: chunk c (0..3, the 32 bytes qs[32c..32c+31]: low nibbles elements 64c.., high
 *             nibbles 64c+32..) as 8 vectors of 16 lanes, lane `row` of vector k holding bytes 4k..4k+3.
 * Q5_K: the Q4_K layout (its low 4 bits) plus [2368, 2880): qh as 8 vectors, lane `row` of vector k holding
 *   bytes qh[4k .. 4k+3] (bit 2c of byte l: fifth bit of element 64c + l, bit 2c+1: of 64c + 32 + l).
 * Q6_K (n a multiple of 256): per block, LF_PACK_K6_BLOCK bytes:
 *   [0, 32) the 16 rows' f16 d, [32, 64) zero;
 *   [64, 320) the int8 scales as pairs, [pair p][row][2] = scales 2p, 2p+1 (sign-extended to 16 bits,
 *             each row's pair in its 32-bit lane);
 *   [320, 2368) ql: half h (0, 1) then vector k (0..15), lane `row` = bytes ql[64h + 4k .. +3];
 *   [2368, 3392) qh: half h then vector k (0..7), lane `row` = bytes qh[32h + 4k .. +3].
 * Groups follow one another; group g starts at g * lf_pack_group_bytes. Every code vector is 64-byte
 * aligned when the buffer is. Which types have the layout, and the gemm that reads it, are kernel
 * table entries (lf_type_kernels.pack / gemm_packed).
 */
#ifndef LF_KERNELS_PACK_H
#define LF_KERNELS_PACK_H

#include <stddef.h>
#include <stdint.h>

#define LF_PACK_ROWS 16
#define LF_PACK_K4_BLOCK 2368 /* bytes of one Q4_K block of a packed group (37 x 64) */
#define LF_PACK_K5_BLOCK 2880 /* Q5_K: the Q4_K block plus 512 bytes of qh (45 x 64) */
#define LF_PACK_K6_BLOCK 3392 /* bytes of one Q6_K block of a packed group (53 x 64) */

/* Bytes of one packed group of rows of n values of type (a multiple of 64), 0 if the type has no
 * packed layout. */
size_t lf_pack_group_bytes(uint32_t type, int64_t n);
/* Bytes of a packed matrix of nrows rows (whole groups). */
size_t lf_pack_bytes(uint32_t type, int64_t n, int64_t nrows);

/* Writes groups [g0, g1) of the packed form of the nrows rows at w (w_stride bytes apart) into dst, the
 * whole matrix's 64-byte aligned buffer (group g at g * lf_pack_group_bytes). Splitting [0, ngroups)
 * lets threads pack in parallel. Returns 0, or -1 if the type has no packed layout. */
int lf_pack_groups(uint32_t type, int64_t n, int64_t nrows, const void *w, size_t w_stride, void *dst, int64_t g0,
                   int64_t g1);

/* Reads row i (< LF_PACK_ROWS) of a packed group back into the original block row (the inverse). */
void lf_unpack_row(uint32_t type, int64_t n, const void *group, int row, void *out);

/* The reference for a gemm over this layout (lf_type_kernels.gemm_packed) is the reference dot of each
 * row read back with lf_unpack_row: the packed gemms are bit-identical to it (tests/kernels). */

#endif
