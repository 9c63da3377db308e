/* Replays inputs through a fuzz harness without libFuzzer, for `make test`.
 *
 *   fuzz_<name> [file-or-directory ...]
 *
 * With no arguments it replays fuzz/regressions/<name>/ and fuzz/corpus/<name>/
 * (relative to the working directory, the source tree under tests/run), plus
 * the empty input. <name> comes from the program's own name. A harness that
 * finds a broken property aborts, which fails the suite; otherwise it prints
 * "N passed, 0 failed". */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include <dirent.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* Allocations past 2 GiB fail here, as libFuzzer's malloc limit would flag
 * them: code that allocates from an absurd number before checking it then
 * reports out of memory, which the harnesses count as a failure. */
#define REPLAY_MEMORY_BYTES (2ul << 30)
#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif
#ifdef REPLAY_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:max_allocation_size_mb=2048";
}
#endif

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replayed;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    FUZZ_REQUIRE(f != NULL, "cannot open %s", path);
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    FUZZ_REQUIRE(buf != NULL, "out of memory");
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            buf = realloc(buf, cap *= 2);
            FUZZ_REQUIRE(buf != NULL, "out of memory");
        }
    }
    fclose(f);
    /* Named before it runs: if it crashes, this is the line to read. */
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    replayed++;
}

static int hidden(const struct dirent *e)
{
    return e->d_name[0] != '.' && strcmp(e->d_name, "README.md") != 0;
}

/* A file, or every visible file of a directory in name order; a missing
 * directory is skipped when optional. */
static void replay_path(const char *path, int optional)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        FUZZ_REQUIRE(optional, "no such input: %s", path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, hidden, alphasort);
    FUZZ_REQUIRE(n >= 0, "cannot list %s", path);
    for (int i = 0; i < n; i++) {
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
        replay_file(child);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
#ifndef REPLAY_ASAN
    if (!getenv("XNET_WRAP")) { /* valgrind's own memory would count too */
        struct rlimit rl = {REPLAY_MEMORY_BYTES, REPLAY_MEMORY_BYTES};
        setrlimit(RLIMIT_DATA, &rl);
    }
#endif
    if (LLVMFuzzerInitialize) {
        LLVMFuzzerInitialize(&argc, &argv);
    }
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            replay_path(argv[i], 0);
        }
    } else {
        const char *base = strrchr(argv[0], '/');
        base = base ? base + 1 : argv[0];
        const char *name = strncmp(base, "fuzz_", 5) == 0 ? base + 5 : base;
        char dir[1024];
        snprintf(dir, sizeof dir, "fuzz/regressions/%s", name);
        replay_path(dir, 1);
        snprintf(dir, sizeof dir, "fuzz/corpus/%s", name);
        replay_path(dir, 1);
        LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
        replayed++;
    }
    printf("%d passed, 0 failed\n", replayed);
    return 0;
}
