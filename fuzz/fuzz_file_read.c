/* xnet_file_read on arbitrary bytes; a read past the memory limit is refused.
 *
 * - Plain data (not starting with the gzip magic) comes back exactly.
 * - gzip data comes back exactly as a one-shot inflate decodes it, member
 *   after member; a corrupt or truncated member, or bytes after a member
 *   that are not another member, must be an error, never a short read.
 * - Input "\xffZ" op pos_lo pos_hi content: the content is gzipped here and
 *   then cut short (op 0), has one bit flipped (op 1), is followed by a cut
 *   copy of itself (op 2) or by a whole copy (op 3); the reader must fail
 *   or give the content back exactly, as the case requires. */
#include "fuzz.h"

#include "error.h"
#include "fileio.h"
#include "memlimit.h"

#include <string.h>
#include <zlib.h>

#define LIMIT_BYTES (1 << 20)

static int is_gzip(const uint8_t *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* The oracle: what the reader should produce, decoding each member with one
 * inflate call into a buffer big enough for deflate's largest ratio.
 * *ok = 0 when some member is corrupt or truncated or followed by junk. */
static uint8_t *inflate_members(const uint8_t *data, size_t size, size_t *out_len, int *ok)
{
    size_t cap = 1040 * size + 1024;
    uint8_t *out = malloc(cap);
    FUZZ_REQUIRE(out != NULL, "out of memory");
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FUZZ_REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK, "inflateInit2");
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)size;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    *ok = 1;
    while (*ok && zs.avail_in > 0) {
        *ok = is_gzip(zs.next_in, zs.avail_in) && inflate(&zs, Z_FINISH) == Z_STREAM_END;
        inflateReset(&zs);
    }
    inflateEnd(&zs);
    *out_len = cap - zs.avail_out;
    return out;
}

static uint8_t *gzip_bytes(const uint8_t *data, size_t size, int level, size_t *len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FUZZ_REQUIRE(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
                 "deflateInit2");
    size_t cap = deflateBound(&zs, size) + 64;
    uint8_t *out = malloc(cap);
    FUZZ_REQUIRE(out != NULL, "out of memory");
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)size;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    FUZZ_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
    *len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* Read file bytes through xnet_file_read; the error must start with the path. */
static int read_back(const uint8_t *file, size_t size, char **got, size_t *len)
{
    const char *path = fuzz_scratch_file(file, size);
    int rc = xnet_file_read(path, got, len);
    FUZZ_REQUIRE(rc == XNET_OK || strncmp(xnet_errmsg(), path, strlen(path)) == 0,
                 "the error must start with the path: %s", xnet_errmsg());
    FUZZ_REQUIRE(rc != XNET_OK || (*got != NULL && (*got)[*len] == '\0'), "no final NUL");
    return rc;
}

static void expect(int rc, const char *got, size_t len, const void *want, size_t want_len)
{
    FUZZ_REQUIRE(rc == XNET_OK, "refused: %s", xnet_errmsg());
    FUZZ_REQUIRE(len == want_len && memcmp(got, want, len) == 0,
                 "read %zu bytes, want %zu", len, want_len);
}

static void mangled(const uint8_t *data, size_t size)
{
    int op = data[2] & 3;
    size_t pos = data[3] | (size_t)data[4] << 8, zlen;
    const uint8_t *content = data + 5;
    size_t clen = size - 5;
    uint8_t *gz = gzip_bytes(content, clen, (data[2] >> 2) % 10, &zlen);
    uint8_t *file = malloc(2 * zlen);
    FUZZ_REQUIRE(file != NULL, "out of memory");
    memcpy(file, gz, zlen);
    memcpy(file + zlen, gz, zlen);
    size_t flen = op == 0 ? pos % zlen : op == 2 ? zlen + pos % zlen : op == 3 ? 2 * zlen : zlen;
    if (op == 1) {
        file[pos % zlen] ^= (uint8_t)(1u << (data[2] >> 5));
    }
    char *got = NULL;
    size_t len = 0;
    int rc = read_back(file, flen, &got, &len);
    if (op == 0 || (op == 1 && pos % zlen < 2)) {
        /* cut short, or the magic broken: a plain read of those bytes at best */
        FUZZ_REQUIRE(is_gzip(file, flen) ? rc == XNET_EIO : rc == XNET_OK,
                     "%zu of %zu gzip bytes: %s", flen, zlen, rc ? xnet_errmsg() : "read");
        if (rc == XNET_OK) {
            expect(rc, got, len, file, flen);
        }
    } else if (op == 1) {
        /* header fields like the time may change; anything else is caught */
        FUZZ_REQUIRE(rc == XNET_EIO || (len == clen && memcmp(got, content, clen) == 0),
                     "a flipped bit at byte %zu went unnoticed", pos % zlen);
    } else if (op == 2 && pos % zlen != 0) {
        FUZZ_REQUIRE(rc == XNET_EIO, "a second member cut to %zu of %zu bytes went unnoticed",
                     pos % zlen, zlen);
    } else {
        uint8_t *twice = malloc(2 * clen + 1);
        FUZZ_REQUIRE(twice != NULL, "out of memory");
        memcpy(twice, content, clen);
        memcpy(twice + clen, content, clen);
        expect(rc, got, len, twice, op == 3 ? 2 * clen : clen);
        free(twice);
    }
    free(got);
    free(file);
    free(gz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xnet_set_memory_limit_bytes(LIMIT_BYTES);
    if (size >= 5 && data[0] == 0xff && data[1] == 'Z') {
        mangled(data, size);
        return 0;
    }
    char *got = NULL;
    size_t len = 0;
    int rc = read_back(data, size, &got, &len);
    if (rc == XNET_ELIMIT) {
        /* the buffer starts at 64 KiB and doubles: only a big result stops */
        FUZZ_REQUIRE(is_gzip(data, size), "limit hit on a small plain file: %s", xnet_errmsg());
    } else if (!is_gzip(data, size)) {
        expect(rc, got, len, data, size);
    } else {
        size_t want_len;
        int ok;
        uint8_t *want = inflate_members(data, size, &want_len, &ok);
        if (ok) {
            expect(rc, got, len, want, want_len);
        } else {
            FUZZ_REQUIRE(rc == XNET_EIO, "corrupt or truncated gzip read as %zu bytes", len);
        }
        free(want);
    }
    free(got);
    return 0;
}
