/* Files that are never half-written: write to a temporary file in the same
 * directory, flush, fsync, rename over the target. On any failure the
 * previous file (if any) is left untouched and the temporary is removed.
 * On Linux the temporary has no name until it is complete (O_TMPFILE), so
 * even a killed process leaves nothing behind. */
#ifndef XNET_FILEIO_H
#define XNET_FILEIO_H

#include <stddef.h>

/* Write len bytes to path atomically; gzip-compress them when gzip != 0.
 * A symbolic link is written through (its target is replaced; the link
 * stays). XNET_EIO with "path: reason" on failure. */
int xnet_file_write_atomic(const char *path, const void *data, size_t len, int gzip);

/* Read a whole file, plain or gzip (detected from the content), into a
 * malloc'd buffer with a terminating NUL; *len excludes the NUL. A corrupt or
 * truncated gzip stream, or bytes after it that are not another gzip member,
 * is an error, never a short read. XNET_ELIMIT past the memory limit. */
int xnet_file_read(const char *path, char **data, size_t *len);

#endif
