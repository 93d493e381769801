/* base/mapfile.c - read-only mmap of a file (POSIX). */
#include "base/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

int lf_mapfile_open(const char *path, lf_mapfile *m, lfmrt_err *e) {
    m->data = NULL;
    m->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return lf_err(e, LFMRT_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int er = errno;
        close(fd);
        return lf_err(e, LFMRT_E_IO, "%s: cannot stat: %s", path, strerror(er));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lf_err(e, LFMRT_E_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return LFMRT_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int er = errno;
    close(fd);
    if (p == MAP_FAILED) return lf_err(e, LFMRT_E_IO, "%s: cannot mmap: %s", path, strerror(er));
    m->data = (const uint8_t *)p;
    m->size = (size_t)st.st_size;
    return LFMRT_OK;
}

void lf_mapfile_close(lf_mapfile *m) {
    if (m && m->data) munmap((void *)m->data, m->size);
    if (m) {
        m->data = NULL;
        m->size = 0;
    }
}

size_t lf_resident_bytes(const void *addr, size_t len) {
    if (!addr || len == 0) return 0;
    const long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0) return 0;
    const uintptr_t page = (uintptr_t)ps, a = (uintptr_t)addr, end = a + len;
    uintptr_t p = a & ~(page - 1);
    unsigned char vec[1024];
    size_t res = 0;
    while (p < end) {
        size_t n = (size_t)((end - p + page - 1) / page);
        if (n > sizeof vec) n = sizeof vec;
        if (mincore((void *)p, n * page, vec) != 0) return 0;
        for (size_t i = 0; i < n; i++) {
            if (!(vec[i] & 1)) continue;
            uintptr_t lo = p + i * page, hi = lo + page;
            if (lo < a) lo = a;
            if (hi > end) hi = end;
            res += (size_t)(hi - lo);
        }
        p += n * page;
    }
    return res;
}

void lf_mapfile_drop(const void *addr, size_t len) {
    const long ps = sysconf(_SC_PAGESIZE);
    if (!addr || ps <= 0) return;
    const uintptr_t page = (uintptr_t)ps, a = ((uintptr_t)addr + page - 1) & ~(page - 1),
                    end = ((uintptr_t)addr + len) & ~(page - 1);
    if (end > a) (void)madvise((void *)a, (size_t)(end - a), MADV_DONTNEED);
}

#define LF_HUGE_PAGE ((size_t)2 << 20)

void *lf_anon_alloc(size_t len) {
    if (len == 0) return NULL;
    if (len < LF_HUGE_PAGE) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
    }
    /* map a huge page more, keep the 2 MiB aligned part (huge pages need aligned addresses) */
    const long ps = sysconf(_SC_PAGESIZE);
    const size_t page = ps > 0 ? (size_t)ps : 4096, lenr = (len + page - 1) / page * page;
    if (lenr > SIZE_MAX - LF_HUGE_PAGE) return NULL;
    const size_t map = lenr + LF_HUGE_PAGE;
    uint8_t *p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    const size_t head = (size_t)((LF_HUGE_PAGE - (uintptr_t)p % LF_HUGE_PAGE) % LF_HUGE_PAGE);
    if (head) munmap(p, head);
    if (map - head > lenr) munmap(p + head + lenr, map - head - lenr);
    (void)madvise(p + head, lenr, MADV_HUGEPAGE); /* no THP (kernel setting "never", or none): 4 KiB pages */
    return p + head;
}

#if !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

void lf_anon_populate(void *addr, size_t len) {
    const long ps = sysconf(_SC_PAGESIZE);
    if (!addr || ps <= 0) return;
    const uintptr_t page = (uintptr_t)ps, a = ((uintptr_t)addr + page - 1) & ~(page - 1),
                    end = ((uintptr_t)addr + len) & ~(page - 1);
    if (end > a) (void)madvise((void *)a, (size_t)(end - a), MADV_POPULATE_WRITE); /* older kernels: EINVAL, */
}                                                                                  /* pages fault in on use */

void lf_anon_free(void *p, size_t len) {
    if (p && len) munmap(p, len);
}
