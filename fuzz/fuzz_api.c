/* The whole Lua API on decoded calls: fuzz/apifuzz.lua turns the input bytes
 * into up to 8 calls of xnet functions and methods with hostile arguments
 * and option tables (the same decoder as tests/lua/test_api_fuzz.lua). Each
 * call must return or raise an error message naming the problem. Functions
 * that write files, start processes or sleep are left out here. */
#include "fuzz.h"

#include <lauxlib.h>
#include <lua.h>

static lua_State *L;
static int fuzzer_ref;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = fuzz_lua_state();
    static const char setup[] =
        "local apifuzz = require 'apifuzz'\n"
        "return apifuzz.new(require 'xnet', { limit_mb = 16 })\n";
    int status = luaL_loadstring(L, setup);
    if (status == LUA_OK) {
        status = lua_pcall(L, 0, 1, 0);
    }
    FUZZ_REQUIRE(status == LUA_OK, "set-up failed: %s", lua_tostring(L, -1));
    fuzzer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, fuzzer_ref);
    lua_getfield(L, -1, "run_input");
    lua_insert(L, -2);
    lua_pushlstring(L, (const char *)data, size);
    int status = lua_pcall(L, 2, 1, 0);
    FUZZ_REQUIRE(status == LUA_OK, "the decoder failed: %s", lua_tostring(L, -1));
    FUZZ_REQUIRE(lua_isnil(L, -1), "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT, 0); /* __gc at the same point for every input */
    return 0;
}
