#define _GNU_SOURCE /* O_TMPFILE */
#include "fileio.h"

#include "error.h"
#include "memlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The most zlib takes or gives in one call (its counters are uInt). */
#define ZSLICE ((uInt)-1)

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Put "path: " in front of the reason just recorded, keeping the code. */
static int fail_with_path(int code, const char *path)
{
    char why[512];
    snprintf(why, sizeof why, "%s", xnet_errmsg());
    return xnet_fail(code, "%s: %s", path, why);
}

/* gzip-compress into a malloc'd buffer with deflate in gzip mode. */
static int gzip_buffer(const void *data, size_t len, char **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
        != Z_OK) {
        return xnet_fail(XNET_ENOMEM, "gzip: cannot initialise deflate");
    }
    uLong bound = deflateBound(&zs, (uLong)len) + 32;
    char *buf = malloc(bound);
    if (!buf) {
        deflateEnd(&zs);
        return xnet_fail(XNET_ENOMEM, "gzip: out of memory");
    }
    /* zlib counts in uInt: feed input and output in slices, or a string over
     * 4 GiB would be silently cut short. */
    const Bytef *in = (const Bytef *)data;
    Bytef *next_out = (Bytef *)buf;
    size_t in_left = len, out_left = bound;
    int zrc;
    do {
        if (zs.avail_in == 0 && in_left > 0) {
            uInt c = in_left > ZSLICE ? ZSLICE : (uInt)in_left;
            zs.next_in = (Bytef *)(uintptr_t)in;
            zs.avail_in = c;
            in += c;
            in_left -= c;
        }
        if (zs.avail_out == 0 && out_left > 0) {
            uInt c = out_left > ZSLICE ? ZSLICE : (uInt)out_left;
            zs.next_out = next_out;
            zs.avail_out = c;
            next_out += c;
            out_left -= c;
        }
        zrc = deflate(&zs, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
    } while (zrc == Z_OK);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return xnet_fail(XNET_EIO, "gzip: deflate failed");
    }
    *out = buf;
    return XNET_OK;
}

/* The portable way: a named temporary file (path.tmpXXXXXX), renamed over
 * path when complete and removed on failure. */
static int write_named(const char *path, char *tmp, size_t tmp_size, const void *data, size_t len)
{
    snprintf(tmp, tmp_size, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        return xnet_fail(XNET_EIO, "%s: cannot create a temporary file: %s", path,
                         strerror(errno));
    }
    /* mkstemp makes 0600; give the file the mode a plain fopen would. */
    mode_t mask = umask(0);
    umask(mask);
    int failed = fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0;
    int e = errno;
    if (close(fd) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed && rename(tmp, path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(tmp);
    }
    return failed ? xnet_fail(XNET_EIO, "%s: %s", path, strerror(e)) : XNET_OK;
}

/* Linux's O_TMPFILE: the file has no name until it is complete, so a process
 * killed while writing or syncing leaves nothing behind; only the link and
 * the rename remain as a tiny window. -1 when the file system or a missing
 * /proc does not allow it (the named way runs then, and reports any error). */
static int write_unnamed(const char *path, char *tmp, size_t tmp_size, const void *data,
                         size_t len)
{
#ifdef O_TMPFILE
    const char *slash = strrchr(path, '/');
    snprintf(tmp, tmp_size, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    int fd = open(tmp, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) {
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd); /* the unnamed file goes with it */
        return xnet_fail(XNET_EIO, "%s: %s", path, strerror(e));
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    static unsigned serial;
    int linked = -1;
    for (int attempt = 0; attempt < 8 && linked != 0; attempt++) {
        snprintf(tmp, tmp_size, "%s.tmp%06x", path,
                 (unsigned)(getpid() * 2654435761u + serial++ * 40503u) & 0xffffffu);
        linked = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
        if (linked != 0 && errno != EEXIST) {
            break;
        }
    }
    close(fd);
    if (linked != 0) {
        return -1;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return xnet_fail(XNET_EIO, "%s: %s", path, strerror(e));
    }
    return XNET_OK;
#else
    (void)path;
    (void)tmp;
    (void)tmp_size;
    (void)data;
    (void)len;
    return -1;
#endif
}

static int write_resolved(const char *path, const void *data, size_t len, int gzip);

int xnet_file_write_atomic(const char *path, const void *data, size_t len, int gzip)
{
    /* A symbolic link is written through: the file it points to is replaced
     * (atomically, in its own directory) and the link stays. */
    struct stat st;
    char *target = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        target = realpath(path, NULL);
        if (!target) {
            return xnet_fail(XNET_EIO, "%s: a symbolic link whose target cannot be used: %s",
                             path, strerror(errno));
        }
    }
    int rc = write_resolved(target ? target : path, data, len, gzip);
    if (rc && target) {
        char why[512];
        snprintf(why, sizeof why, "%s", xnet_errmsg());
        rc = xnet_fail(rc, "%s (a link to %s)", why, target);
    }
    free(target);
    return rc;
}

static int write_resolved(const char *path, const void *data, size_t len, int gzip)
{
    char *packed = NULL;
    if (gzip) {
        int rc = gzip_buffer(data, len, &packed, &len);
        if (rc) {
            return fail_with_path(rc, path);
        }
        data = packed;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(packed);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
    }
    int rc = write_unnamed(path, tmp, plen + 16, data, len);
    if (rc < 0) {
        rc = write_named(path, tmp, plen + 16, data, len);
    }
    free(tmp);
    free(packed);
    return rc;
}

/* Room for more than *cap bytes (and a NUL) in *buf, within the memory limit. */
static int grow(char **buf, size_t *cap, const char *path)
{
    size_t want = *cap ? 2 * *cap : (size_t)1 << 16;
    int rc = xnet_limit_check((double)want + 1, "reading it");
    if (rc) {
        return fail_with_path(rc, path);
    }
    char *bigger = realloc(*buf, want + 1);
    if (!bigger) {
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
    }
    *buf = bigger;
    *cap = want;
    return XNET_OK;
}

static int read_raw(const char *path, char **out, size_t *out_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        /* a FIFO with no writer blocks in open() until a Ctrl-C */
        return e == EINTR && xnet_check_interrupt() ? XNET_EINTR
                                                     : xnet_fail(XNET_EIO, "%s: %s", path,
                                                                 strerror(e));
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = grow(&buf, &cap, path);
    while (rc == XNET_OK) {
        if (n == cap && (rc = grow(&buf, &cap, path))) {
            break;
        }
        ssize_t got = read(fd, buf + n, cap - n > (1u << 30) ? (1u << 30) : cap - n);
        if (got == 0) {
            break;
        }
        if (got < 0 && errno != EINTR) {
            rc = xnet_fail(XNET_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        n += got > 0 ? (size_t)got : 0;
        rc = xnet_check_interrupt();
    }
    close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return XNET_OK;
}

/* Decode gzip members back to back. Not zlib's gzread: at a truncated
 * stream it can drop the last decoded bytes and report a clean end of file
 * (fuzz/regressions/file_read/). Bytes after a member must be another member. */
static int gunzip(const char *path, const char *in, size_t in_len, char **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        return xnet_fail(XNET_ENOMEM, "%s: cannot initialise inflate", path);
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, pos = 0;
    int rc = grow(&buf, &cap, path);
    while (rc == XNET_OK && pos < in_len) {
        if (in_len - pos < 2 || (uint8_t)in[pos] != 0x1f || (uint8_t)in[pos + 1] != 0x8b) {
            rc = xnet_fail(XNET_EIO, "%s: corrupt gzip data (%zu bytes after the end of the "
                           "stream are not another gzip member)", path, in_len - pos);
            break;
        }
        inflateReset(&zs);
        int zrc = Z_OK;
        while (zrc == Z_OK) {
            if (n == cap && (rc = grow(&buf, &cap, path))) {
                break;
            }
            /* slices of at most 16 MiB out, so a Ctrl-C is seen promptly */
            zs.next_in = (Bytef *)(uintptr_t)(in + pos);
            zs.avail_in = in_len - pos > ZSLICE ? ZSLICE : (uInt)(in_len - pos);
            zs.next_out = (Bytef *)buf + n;
            zs.avail_out = cap - n > (1u << 24) ? (1u << 24) : (uInt)(cap - n);
            uInt in_before = zs.avail_in, out_before = zs.avail_out;
            zrc = inflate(&zs, Z_NO_FLUSH);
            pos += in_before - zs.avail_in;
            n += out_before - zs.avail_out;
            if (zrc == Z_OK && (rc = xnet_check_interrupt())) {
                break;
            }
        }
        if (rc == XNET_OK && zrc != Z_STREAM_END) {
            rc = zrc == Z_BUF_ERROR
                     ? xnet_fail(XNET_EIO, "%s: truncated gzip data (the stream ends early)", path)
                     : xnet_fail(XNET_EIO, "%s: corrupt gzip data (%s)", path,
                                 zs.msg ? zs.msg : zError(zrc));
        }
    }
    inflateEnd(&zs);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return XNET_OK;
}

int xnet_file_read(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    char *raw = NULL;
    size_t n = 0;
    int rc = read_raw(path, &raw, &n);
    if (rc) {
        return rc;
    }
    if (n >= 2 && (uint8_t)raw[0] == 0x1f && (uint8_t)raw[1] == 0x8b) {
        char *plain = NULL;
        rc = gunzip(path, raw, n, &plain, &n);
        free(raw);
        if (rc) {
            return rc;
        }
        raw = plain;
    }
    raw[n] = '\0';
    *data = raw;
    *len = n;
    return XNET_OK;
}
