/* Lua binding for the file and process primitives the Lua policy layer
 * needs (src/fileio.c): atomic writes, gzip-aware reads. */
#include "error.h"
#include "fileio.h"
#include "l_common.h"

#include <stdlib.h>

/* xnet.write_file(path, data, { gzip = false }) -> true | nil, "path: reason"
 * Atomic: a temporary file renamed over path; the old file survives a failure. */
static int l_write_file(lua_State *L)
{
    static const char *const allowed[] = {"gzip", NULL};
    const char *path = luaL_checkstring(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    int gzip = 0;
    if (!lua_isnoneornil(L, 3)) {
        xnet_l_check_options(L, 3, "xnet.write_file", allowed);
        gzip = xnet_l_opt_boolean(L, 3, "gzip", 0);
    }
    if (xnet_file_write_atomic(path, data, len, gzip)) {
        return xnet_l_fail_result(L);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* xnet.read_file(path) -> string | nil, "path: reason" (plain or gzip) */
static int l_read_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    void **box = xnet_l_box(L); /* owns the buffer if pushing raises */
    size_t len;
    if (xnet_file_read(path, (char **)box, &len)) {
        return xnet_l_fail_result(L);
    }
    lua_pushlstring(L, *box, len);
    xnet_l_box_free(box);
    return 1;
}

int luaopen_xnet_sys(lua_State *L)
{
    static const luaL_Reg functions[] = {{"write_file", l_write_file},
                                         {"read_file", l_read_file}, {NULL, NULL}};
    luaL_setfuncs(L, functions, 0);
    return 0;
}
