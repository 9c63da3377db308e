/* xnet_file_write_atomic then xnet_file_read: the first byte chooses gzip,
 * the rest is the content. Whatever the bytes, the write succeeds, leaves no
 * temporary file, and reading gives the same bytes back. */
#include "fuzz.h"

#include "error.h"
#include "fileio.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    int gzip = data[0] & 1;
    char path[300];
    snprintf(path, sizeof path, "%s/out%s", fuzz_scratch_dir(), gzip ? ".gz" : "");
    int rc = xnet_file_write_atomic(path, data + 1, size - 1, gzip);
    FUZZ_REQUIRE(rc == XNET_OK, "write failed: %s", xnet_errmsg());
    FUZZ_REQUIRE(fuzz_scratch_entries() <= 2, "a temporary file was left behind");
    /* Plain content that starts like gzip is read as gzip: by design, a
     * content sniff; such a read may fail, but must not pass off other bytes. */
    int sniffed = !gzip && size - 1 >= 2 && data[1] == 0x1f && data[2] == 0x8b;
    char *got;
    size_t len;
    rc = xnet_file_read(path, &got, &len);
    FUZZ_REQUIRE(rc == XNET_OK || sniffed, "read back failed: %s", xnet_errmsg());
    if (rc == XNET_OK && !sniffed) {
        FUZZ_REQUIRE(len == size - 1 && memcmp(got, data + 1, len) == 0,
                     "round trip changed the data (%zu -> %zu bytes, gzip %d)", size - 1, len,
                     gzip);
    }
    free(got);
    return 0;
}
