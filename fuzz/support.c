/* Helpers for the fuzz harnesses: scratch files and an embedded Lua state. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "error.h"
#include "l_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

static char scratch[256];

static void remove_scratch(void)
{
    DIR *d = opendir(scratch);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                char p[512];
                snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
                unlink(p);
            }
        }
        closedir(d);
    }
    rmdir(scratch);
}

const char *fuzz_scratch_dir(void)
{
    if (!scratch[0]) {
        struct stat st;
        const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(scratch, sizeof scratch, "%s/spacexnet-fuzz.XXXXXX", base);
        FUZZ_REQUIRE(mkdtemp(scratch) != NULL, "cannot make a scratch directory in %s", base);
        atexit(remove_scratch);
    }
    return scratch;
}

int fuzz_scratch_entries(void)
{
    int n = 0;
    DIR *d = opendir(fuzz_scratch_dir());
    FUZZ_REQUIRE(d != NULL, "scratch directory vanished");
    struct dirent *e;
    while ((e = readdir(d))) {
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    }
    closedir(d);
    return n;
}

const char *fuzz_scratch_file(const uint8_t *data, size_t size)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/input", fuzz_scratch_dir());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_REQUIRE(fd >= 0, "cannot write %s", path);
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        FUZZ_REQUIRE(n > 0, "cannot write %s", path);
        done += (size_t)n;
    }
    close(fd);
    return path;
}

void fuzz_parse_failed(int rc, const char *name, size_t size)
{
    FUZZ_REQUIRE(rc != XNET_ENOMEM, "out of memory on %zu bytes of input: %s", size,
                 xnet_errmsg());
    FUZZ_REQUIRE(strncmp(xnet_errmsg(), name, strlen(name)) == 0, "error without the name: %s",
                 xnet_errmsg());
}

static int open_core(lua_State *L)
{
    luaopen_xnet_core(L);
    const char *env = getenv("SPACEXNET_ROOT");
    lua_pushstring(L, env && env[0] ? env : FUZZ_ROOT);
    lua_setfield(L, -2, "root");
    return 1;
}

lua_State *fuzz_lua_state(void)
{
    xnet_igraph_init();
    lua_State *L = luaL_newstate();
    FUZZ_REQUIRE(L != NULL, "cannot create a Lua state");
    luaL_openlibs(L);
    const char *env = getenv("SPACEXNET_ROOT");
    const char *root = env && env[0] ? env : FUZZ_ROOT;
    lua_getglobal(L, "package");
    lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;%s/fuzz/?.lua", root, root, root);
    lua_setfield(L, -2, "path");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, open_core);
    lua_setfield(L, -2, "xnet.core");
    lua_pop(L, 2);
    return L;
}
