/* Lua binding for ground terminals (src/ground.c). */
#include "error.h"
#include "ground.h"
#include "l_common.h"
#include "l_ground.h"
#include "l_network.h"
#include "topology.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

xnet_site_t *xnet_l_check_terminal(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, XNET_TERMINAL_MT);
}

/* The string keys of the table at idx must be options; its list part holds terminals. */
static void check_ground_keys(lua_State *L, int idx, const char *const allowed[])
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1
            && lua_tointeger(L, -1) <= n) {
            continue;
        }
        int known = 0;
        size_t count = 0;
        for (; allowed[count]; count++) {
            known = known || (lua_type(L, -1) == LUA_TSTRING
                              && strcmp(lua_tostring(L, -1), allowed[count]) == 0);
        }
        if (!known) {
            const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                              : luaL_typename(L, -1);
            xnet_l_push_unknown(L, "option", key, "xnet.ground", allowed, count);
            lua_error(L);
        }
    }
}

/* xnet.ground{ {name =, lat_deg =, lon_deg =, alt_m = 0}, ..., min_elevation_deg = 25,
 *   rate_bps = 100e9, proc_s = 0, policy = "elevation" | "latency" }
 *   -> { Terminal, ... } (also keyed by name) */
static int l_ground(lua_State *L)
{
    static const char *const allowed[] = {"min_elevation_deg", "rate_bps", "proc_s", "policy",
                                          NULL};
    static const char *const site_keys[] = {"name", "lat_deg", "lon_deg", "alt_m", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_gettop(L) > 1) {
        return luaL_error(L, "xnet.ground takes one table, got %d arguments: options go beside "
                             "the terminals, xnet.ground{ {name =, lat_deg =, lon_deg =}, "
                             "min_elevation_deg = 10 }",
                          lua_gettop(L));
    }
    check_ground_keys(L, 1, allowed);
    xnet_link_params_t link = xnet_link_params_default();
    double min_el = xnet_l_opt_number(L, 1, "min_elevation_deg", 25);
    double rate = xnet_l_opt_number(L, 1, "rate_bps", link.rate_bps);
    double proc = xnet_l_opt_number(L, 1, "proc_s", link.proc_s);
    const char *policy = xnet_l_opt_string(L, 1, "policy", "elevation");
    xnet_access_policy_t pol;
    if (strcmp(policy, "elevation") == 0) {
        pol = XNET_ACCESS_ELEVATION;
    } else if (strcmp(policy, "latency") == 0) {
        pol = XNET_ACCESS_LATENCY;
    } else {
        return luaL_error(L, "policy must be 'elevation' or 'latency', got '%s'", policy);
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n < 1) {
        return luaL_error(L, "xnet.ground needs at least one terminal {name =, lat_deg =, "
                             "lon_deg =}");
    }
    lua_createtable(L, (int)n, (int)n);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE) {
            return luaL_error(L, "terminal %I must be a table {name =, lat_deg =, lon_deg =}, "
                                 "got %s", i, luaL_typename(L, -1));
        }
        int site = lua_gettop(L);
        xnet_l_check_options(L, site, "a terminal", site_keys);
        const char *name = xnet_l_opt_string(L, site, "name", NULL);
        if (!name) {
            return luaL_error(L, "terminal %I needs a name", i);
        }
        if (xnet_l_rawfield(L, site, "lat_deg") != LUA_TNUMBER
            || xnet_l_rawfield(L, site, "lon_deg") != LUA_TNUMBER) {
            return luaL_error(L, "terminal '%s' needs lat_deg and lon_deg (numbers)", name);
        }
        lua_pop(L, 2);
        double lat = xnet_l_opt_number(L, site, "lat_deg", 0);
        double lon = xnet_l_opt_number(L, site, "lon_deg", 0);
        double alt_m = xnet_l_opt_number(L, site, "alt_m", 0);
        xnet_site_t *s = lua_newuserdatauv(L, sizeof *s, 0);
        memset(s, 0, sizeof *s);
        luaL_setmetatable(L, XNET_TERMINAL_MT);
        if (xnet_site_init(s, name, lat, lon, alt_m / 1000, min_el, rate, proc, pol)) {
            return xnet_l_raise(L);
        }
        if (lua_getfield(L, -3, s->name) != LUA_TNIL) {
            return luaL_error(L, "terminal %I: duplicate name '%s' (names key the result)", i,
                              s->name);
        }
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -4, i);
        lua_setfield(L, -3, s->name);
        lua_pop(L, 1); /* the site table */
    }
    return 1;
}

/* term:visible(con, t = 0) -> { {id =, elevation_deg =, range_km =}, ... } highest first */
static int l_visible(lua_State *L)
{
    xnet_site_t *s = xnet_l_check_terminal(L, 1);
    xnet_walker_t *w = luaL_checkudata(L, 2, XNET_CONSTELLATION_MT);
    double t = luaL_optnumber(L, 3, 0);
    if (!isfinite(t)) {
        return xnet_l_error(L, "time must be finite, got %.14g", t);
    }
    int n = xnet_walker_count(w), count;
    void **box = xnet_l_box(L);
    char *mem = *box = malloc((sizeof(int) + 2 * sizeof(double)) * (size_t)n);
    if (!mem) {
        return luaL_error(L, "out of memory");
    }
    double *el = (double *)mem, *range = el + n;
    int *ids = (int *)(range + n);
    if (xnet_site_visible(s, w, t, ids, el, range, &count)) {
        return xnet_l_raise(L);
    }
    lua_createtable(L, count, 0);
    for (int i = 0; i < count; i++) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, ids[i]);
        lua_setfield(L, -2, "id");
        lua_pushnumber(L, el[i]);
        lua_setfield(L, -2, "elevation_deg");
        lua_pushnumber(L, range[i]);
        lua_setfield(L, -2, "range_km");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* term:access(net, snap, first_gateway, last_gateway = first_gateway)
 *   -> up_s, down_s, up_satellite, down_satellite (inf and nil when no access) */
static int l_access(lua_State *L)
{
    xnet_site_t site = *xnet_l_check_terminal(L, 1);
    xnet_network_t *net = xnet_l_check_network(L, 2);
    int T = xnet_network_snapshots(net), n = xnet_network_nodes(net);
    int snap = (int)xnet_l_check_range(L, 3, "snapshot", 0, T - 1);
    int g0 = (int)xnet_l_check_range(L, 4, "gateway", 0, n - 1);
    int g1 = lua_isnoneornil(L, 5) ? g0 : (int)xnet_l_check_range(L, 5, "gateway", 0, n - 1);
    void **box = xnet_l_box(L);
    double *mem = *box = malloc((2 * sizeof(double) + 2 * sizeof(int)) * (size_t)T);
    if (!mem) {
        return luaL_error(L, "out of memory");
    }
    int *sat = (int *)(mem + 2 * T);
    net = xnet_l_check_network(L, 2);
    if (xnet_site_access(&site, net, g0, g1, mem, mem + T, sat, sat + T)) {
        return xnet_l_raise(L);
    }
    lua_pushnumber(L, mem[snap]);
    lua_pushnumber(L, mem[T + snap]);
    sat[snap] >= 0 ? lua_pushinteger(L, sat[snap]) : lua_pushnil(L);
    sat[T + snap] >= 0 ? lua_pushinteger(L, sat[T + snap]) : lua_pushnil(L);
    return 4;
}

/* term.name, .lat_deg, .lon_deg, .alt_m, .min_elevation_deg, .rate_bps,
 * .proc_s, .policy, and the methods */
static int l_index(lua_State *L)
{
    xnet_site_t *s = xnet_l_check_terminal(L, 1);
    const char *key = luaL_checkstring(L, 2);
    const struct {
        const char *key;
        double v;
    } fields[] = {{"lat_deg", s->lat_deg},           {"lon_deg", s->lon_deg},
                  {"alt_m", s->alt_km * 1000},       {"min_elevation_deg", s->min_elevation_deg},
                  {"rate_bps", s->rate_bps},         {"proc_s", s->proc_s}};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        if (strcmp(key, fields[k].key) == 0) {
            lua_pushnumber(L, fields[k].v);
            return 1;
        }
    }
    if (strcmp(key, "name") == 0) {
        lua_pushstring(L, s->name);
    } else if (strcmp(key, "policy") == 0) {
        lua_pushstring(L, s->policy == XNET_ACCESS_ELEVATION ? "elevation" : "latency");
    } else {
        luaL_getmetafield(L, 1, "methods");
        lua_getfield(L, -1, key);
    }
    return 1;
}

static int l_tostring(lua_State *L)
{
    xnet_site_t *s = xnet_l_check_terminal(L, 1);
    lua_pushfstring(L, "terminal '%s' at %f, %f deg, %f m (min elevation %f deg, %s)", s->name,
                    s->lat_deg, s->lon_deg, s->alt_km * 1000, s->min_elevation_deg,
                    s->policy == XNET_ACCESS_ELEVATION ? "highest elevation" : "least latency");
    return 1;
}

int luaopen_xnet_ground(lua_State *L)
{
    static const luaL_Reg methods[] = {{"visible", l_visible}, {"access", l_access},
                                       {NULL, NULL}};
    static const luaL_Reg metamethods[] = {{"__index", l_index}, {"__tostring", l_tostring},
                                           {NULL, NULL}};
    static const luaL_Reg functions[] = {{"ground", l_ground}, {NULL, NULL}};
    xnet_l_new_type(L, XNET_TERMINAL_MT, methods, metamethods);
    luaL_setfuncs(L, functions, 0);
    return 0;
}
