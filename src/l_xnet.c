/* The xnet.core module: one table with every binding's functions, plus
 * version information and resource limits. lua/xnet/init.lua wraps it. */
#include "l_common.h"
#include "memlimit.h"
#include "pool.h"
#include "query.h"
#include "snapshot_cache.h"
#include "version.h"

#include <igraph.h>
#include <string.h>

/* xnet.limits{ memory_mb = N, workers = N, paths = "csr" | "heap" | "igraph",
 *               snapshot_cache_mb = N }
 * -> table of the limits in force. workers: threads for the shortest-path
 * kernel (one per processor by default); paths: its engine (query.h), where
 * "igraph" answers every path query with igraph's Dijkstra on one thread
 * (the reference, and the old speed); snapshot_cache_mb: the snapshots' arcs
 * each network keeps for the path kernel (snapshot_cache.h), 0 for none. */
static int l_limits(lua_State *L)
{
    static const char *const allowed[] = {"memory_mb", "workers", "paths", "snapshot_cache_mb",
                                          NULL};
    static const char *const engines[] = {"csr", "heap", "igraph", NULL};
    if (!lua_isnoneornil(L, 1)) {
        xnet_l_check_options(L, 1, "xnet.limits", allowed);
        double mb = xnet_l_opt_number(L, 1, "memory_mb", xnet_memory_limit_bytes() / 1048576.0);
        lua_Integer workers = xnet_l_opt_integer(L, 1, "workers", xnet_workers());
        const char *paths = xnet_l_opt_string(L, 1, "paths", engines[xnet_query_engine()]);
        double cache_mb = xnet_l_opt_number(L, 1, "snapshot_cache_mb",
                                            xnet_snapshot_cache_budget_bytes() / 1048576.0);
        int engine = 0;
        while (engines[engine] && strcmp(engines[engine], paths) != 0) {
            engine++;
        }
        if (!(mb > 0) || mb > 1e12) {
            return xnet_l_error(L, "memory_mb must be in (0, 1e12], got %.14g", mb);
        }
        if (workers < 1 || workers > XNET_MAX_WORKERS) {
            return luaL_error(L, "workers must be in [1, %d], got %I", XNET_MAX_WORKERS, workers);
        }
        if (!engines[engine]) {
            return luaL_error(L, "paths must be 'csr', 'heap' or 'igraph', got '%s'", paths);
        }
        if (!(cache_mb >= 0) || cache_mb > 1e12) {
            return xnet_l_error(L, "snapshot_cache_mb must be in [0, 1e12], got %.14g", cache_mb);
        }
        xnet_set_memory_limit_bytes(mb * 1048576.0);
        xnet_set_workers((int)workers);
        xnet_query_set_engine((xnet_paths_engine_t)engine);
        xnet_set_snapshot_cache_budget_bytes(cache_mb * 1048576.0);
    }
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, xnet_memory_limit_bytes() / 1048576.0);
    lua_setfield(L, -2, "memory_mb");
    lua_pushinteger(L, xnet_workers());
    lua_setfield(L, -2, "workers");
    lua_pushstring(L, engines[xnet_query_engine()]);
    lua_setfield(L, -2, "paths");
    lua_pushnumber(L, xnet_snapshot_cache_budget_bytes() / 1048576.0);
    lua_setfield(L, -2, "snapshot_cache_mb");
    return 1;
}

/* xnet.unknown_name(kind, name, { valid... }[, context]) -> the message
 * "unknown KIND 'NAME' (did you mean 'X'? allowed: ...)" the bindings raise */
static int l_unknown_name(lua_State *L)
{
    const char *kind = luaL_checkstring(L, 1);
    const char *name = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    const char *context = luaL_optstring(L, 4, NULL);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
    if (n > 100000) {
        return luaL_error(L, "at most 100000 valid names, got %d", (int)n);
    }
    const char **valid = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *valid, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 3, i);
        if (lua_type(L, -1) != LUA_TSTRING) {
            return luaL_error(L, "valid name %d must be a string, got %s", (int)i,
                              luaL_typename(L, -1));
        }
        valid[i - 1] = lua_tostring(L, -1); /* the table keeps the string alive */
        lua_pop(L, 1);
    }
    xnet_l_push_unknown(L, kind, name, context, valid, (size_t)n);
    return 1;
}

int luaopen_xnet_core(lua_State *L)
{
    static const luaL_Reg functions[] = {{"limits", l_limits}, {"unknown_name", l_unknown_name}, {NULL, NULL}};
    luaL_newlib(L, functions);
    luaopen_xnet_orbit(L);
    luaopen_xnet_network(L);
    luaopen_xnet_sys(L);
    luaopen_xnet_proc(L);
    luaopen_xnet_moe(L);
    luaopen_xnet_placement(L);
    luaopen_xnet_latency(L);
    luaopen_xnet_tle(L);
    luaopen_xnet_ground(L);
    luaopen_xnet_serve(L);
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
