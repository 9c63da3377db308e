#define _POSIX_C_SOURCE 200809L
#include "fileio.h"

#include "error.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)buf;
    zs.avail_out = (uInt)bound;
    int zrc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return xnet_fail(XNET_EIO, "gzip: deflate failed");
    }
    *out = buf;
    return XNET_OK;
}

int xnet_file_write_atomic(const char *path, const void *data, size_t len, int gzip)
{
    char *packed = NULL;
    if (gzip) {
        int rc = gzip_buffer(data, len, &packed, &len);
        if (rc) {
            return rc;
        }
        data = packed;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(packed);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
    }
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(packed);
        return xnet_fail(XNET_EIO, "%s: cannot create a temporary file: %s", path, strerror(e));
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
    free(tmp);
    free(packed);
    return failed ? xnet_fail(XNET_EIO, "%s: %s", path, strerror(e)) : XNET_OK;
}

int xnet_file_read(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        return xnet_fail(XNET_EIO, "%s: %s", path, errno ? strerror(errno) : "cannot open");
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        gzclose(f);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger) {
                free(buf);
                gzclose(f);
                return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
            }
            buf = bigger;
            cap *= 2;
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            xnet_fail(XNET_EIO, "%s: corrupt gzip data (%s)", path, msg);
            free(buf);
            gzclose(f);
            return XNET_EIO;
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
    }
    /* gzread returns 0 at a truncated stream too; only gzerror tells. */
    int zerr;
    const char *msg = gzerror(f, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
        xnet_fail(XNET_EIO, "%s: truncated or corrupt gzip data (%s)", path, msg);
        free(buf);
        gzclose(f);
        return XNET_EIO;
    }
    if (gzclose(f) != Z_OK) {
        free(buf);
        return xnet_fail(XNET_EIO, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return XNET_OK;
}
