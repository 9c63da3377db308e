/* Shared by the fuzz harnesses. A harness is one file fuzz/fuzz_<name>.c that
 * defines LLVMFuzzerTestOneInput (and, if it needs set-up, LLVMFuzzerInitialize).
 * `make fuzz` builds it with libFuzzer and runs it on fuzz/corpus/<name>/;
 * `make test` builds it with fuzz/replay.c and replays fuzz/regressions/<name>/
 * and fuzz/corpus/<name>/, so every input that once crashed stays a test.
 * Harnesses may use the kernel (src/, `#include "fileio.h"`) and Lua. */
#ifndef XNET_FUZZ_H
#define XNET_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property every input must keep: print it with a reason, then abort, so
 * libFuzzer saves the input as a crash and the replay test fails. */
#define FUZZ_REQUIRE(cond, ...)                                                     \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                    \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* A private scratch directory for this process (on tmpfs when /dev/shm
 * exists), removed with its files at exit. */
const char *fuzz_scratch_dir(void);

/* The path of a scratch file now holding exactly data[0..size). */
const char *fuzz_scratch_file(const uint8_t *data, size_t size);

/* Number of entries in the scratch directory (temporary files left behind
 * show up here). */
int fuzz_scratch_entries(void);

/* After a parser failed with rc: its message must start with name (the
 * "name:line: reason" form) and must not be out of memory, which a small
 * input must never cause. */
void fuzz_parse_failed(int rc, const char *name, size_t size);

/* A Lua state with the standard libraries, xnet.core preloaded as the
 * program does, package.path covering lua/ and fuzz/ of the source tree,
 * and igraph's error handler installed. Raises nothing; aborts on failure. */
struct lua_State *fuzz_lua_state(void);

#endif
