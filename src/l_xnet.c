/* The xnet.core module: one table with every binding's functions, plus
 * version information and resource limits. lua/xnet/init.lua wraps it. */
#include "l_common.h"
#include "memlimit.h"
#include "version.h"

#include <igraph.h>

/* xnet.limits{ memory_mb = N } -> table of the limits in force */
static int l_limits(lua_State *L)
{
    static const char *const allowed[] = {"memory_mb", NULL};
    if (!lua_isnoneornil(L, 1)) {
        xnet_l_check_options(L, 1, "xnet.limits", allowed);
        double mb = xnet_l_opt_number(L, 1, "memory_mb", xnet_memory_limit_bytes() / 1048576.0);
        if (!(mb > 0) || mb > 1e12) {
            return luaL_error(L, "memory_mb must be in (0, 1e12], got %f", mb);
        }
        xnet_set_memory_limit_bytes(mb * 1048576.0);
    }
    lua_createtable(L, 0, 1);
    lua_pushnumber(L, xnet_memory_limit_bytes() / 1048576.0);
    lua_setfield(L, -2, "memory_mb");
    return 1;
}

int luaopen_xnet_core(lua_State *L)
{
    static const luaL_Reg functions[] = {{"limits", l_limits}, {NULL, NULL}};
    luaL_newlib(L, functions);
    luaopen_xnet_orbit(L);
    luaopen_xnet_network(L);
    luaopen_xnet_sys(L);
    luaopen_xnet_proc(L);
    luaopen_xnet_moe(L);
    luaopen_xnet_placement(L);
    luaopen_xnet_latency(L);
    const char *igraph_v;
    igraph_version(&igraph_v, NULL, NULL, NULL);
    lua_pushstring(L, XNET_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, XNET_GIT_REV);
    lua_setfield(L, -2, "revision");
    lua_pushstring(L, igraph_v);
    lua_setfield(L, -2, "igraph_version");
    lua_pushstring(L, LUA_RELEASE);
    lua_setfield(L, -2, "lua_version");
    return 1;
}
