/* base/mapfile.h - read-only memory mapping of a whole file. */
#ifndef LF_BASE_MAPFILE_H
#define LF_BASE_MAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lfmrt/status.h"

typedef struct lf_mapfile {
    const uint8_t *data; /* PROT_READ mapping of the whole file; NULL for an empty file */
    size_t size;         /* file size in bytes */
} lf_mapfile;

/* Maps path read-only (MAP_PRIVATE). On success m owns the mapping; release with lf_mapfile_close.
 * Returns LFMRT_OK or LFMRT_E_IO with a message naming the path and the OS error. */
int lf_mapfile_open(const char *path, lf_mapfile *m, lfmrt_err *e);

/* Unmaps; safe on a zeroed or already-closed m. */
void lf_mapfile_close(lf_mapfile *m);

/* Bytes of [addr, addr + len) resident in memory (mincore, whole pages, clipped to the range); 0 for
 * len 0 or where mincore fails. addr need not be page-aligned. Allocates nothing. */
size_t lf_resident_bytes(const void *addr, size_t len);

/* Tells the OS the whole pages inside [addr, addr + len) of a read-only file mapping are not needed now
 * (madvise MADV_DONTNEED): they leave this process's resident set; a later read maps them again from
 * the file. For weights copied elsewhere (repacked) whose originals are rarely read. */
void lf_mapfile_drop(const void *addr, size_t len);

/* Zeroed anonymous memory of len bytes, page-aligned; from 2 MiB on, 2 MiB aligned and marked for
 * transparent huge pages (MADV_HUGEPAGE), where the kernel allows them: fewer TLB misses when decode
 * streams the repacked weights (2-thread decode +3 to +4 % on LFM2-1.2B and Qwen3-0.6B Q4_0). Faulting
 * them in may compact memory (hundreds of ms on a machine with a full page cache): the background
 * repack thread does that (engine/repack.c), not a caller waiting for a token. NULL on failure. */
void *lf_anon_alloc(size_t len);
/* Maps in the whole pages inside [addr, addr + len) of such memory in one call (MADV_POPULATE_WRITE)
 * instead of one fault per page: about twice as fast, and several threads can each do their part. */
void lf_anon_populate(void *addr, size_t len);
void lf_anon_free(void *p, size_t len);

#endif
