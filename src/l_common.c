#include "l_common.h"

#include "error.h"
#include "frames.h"
#include "names.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lua_Hook xnet_l_interrupt_hook = NULL;

int xnet_l_raise(lua_State *L)
{
    if (xnet_errcode() == XNET_EINTR && xnet_l_interrupt_hook
        && lua_gethook(L) == xnet_l_interrupt_hook) {
        lua_sethook(L, NULL, 0, 0); /* this error delivers the Ctrl-C: once */
    }
    return luaL_error(L, "%s", xnet_errmsg());
}

int xnet_l_error(lua_State *L, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xnet_nan_unsigned(msg);
    return luaL_error(L, "%s", msg);
}

void xnet_l_push_unknown(lua_State *L, const char *kind, const char *name, const char *context,
                         const char *const valid[], size_t n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "unknown %s '%s'%s%s (", kind, name, context ? " for " : "",
                    context ? context : "");
    luaL_addvalue(&b);
    int nearest = xnet_nearest_name(name, valid, n);
    if (nearest >= 0) {
        lua_pushfstring(L, "did you mean '%s'? ", valid[nearest]);
        luaL_addvalue(&b);
    }
    if (n > 40) { /* a list that long helps nobody */
        lua_pushfstring(L, "%d names allowed", (int)n);
        luaL_addvalue(&b);
    } else {
        luaL_addstring(&b, "allowed: ");
        for (size_t i = 0; i < n; i++) {
            luaL_addstring(&b, i ? ", " : "");
            luaL_addstring(&b, valid[i]);
        }
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
}

void xnet_l_warn(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_warning(L, msg, 0);
    lua_pop(L, 1);
}

void xnet_l_check_options(lua_State *L, int idx, const char *what, const char *const allowed[])
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        size_t n = 0;
        int known = 0;
        for (; allowed[n]; n++) {
            known = known ||
                    (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), allowed[n]) == 0);
        }
        if (!known) {
            const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                              : luaL_typename(L, -1);
            xnet_l_push_unknown(L, "option", key, what, allowed, n);
            lua_error(L);
        }
    }
}

void xnet_l_options(lua_State *L, int idx, const char *what, const char *const allowed[])
{
    if (lua_isnoneornil(L, idx)) {
        lua_settop(L, idx - 1);
        lua_newtable(L);
    }
    xnet_l_check_options(L, idx, what, allowed);
}

/* Push t[key] without metamethods: an __index could run code that closes
 * what the caller holds (STYLE.md: any Lua call may run Lua code). */
int xnet_l_rawfield(lua_State *L, int idx, const char *key)
{
    idx = lua_absindex(L, idx);
    lua_pushstring(L, key);
    return lua_rawget(L, idx);
}

double xnet_l_opt_number(lua_State *L, int idx, const char *key, double def)
{
    double v = def;
    int t = xnet_l_rawfield(L, idx, key);
    if (t == LUA_TNUMBER) {
        v = lua_tonumber(L, -1);
    } else if (t != LUA_TNIL) {
        luaL_error(L, "option '%s' must be a number, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

lua_Integer xnet_l_opt_integer(lua_State *L, int idx, const char *key, lua_Integer def)
{
    lua_Integer v = def;
    int t = xnet_l_rawfield(L, idx, key);
    if (t == LUA_TNUMBER) {
        if (!lua_isinteger(L, -1)) {
            double d = lua_tonumber(L, -1);
            if (!(d == floor(d) && fabs(d) < 9.0e15)) {
                xnet_l_error(L, "option '%s' must be an integer, got %.14g", key, d);
            }
            v = (lua_Integer)d;
        } else {
            v = lua_tointeger(L, -1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "option '%s' must be an integer, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

const char *xnet_l_opt_string(lua_State *L, int idx, const char *key, const char *def)
{
    const char *v = def;
    int t = xnet_l_rawfield(L, idx, key);
    if (t == LUA_TSTRING) {
        v = lua_tostring(L, -1); /* the table keeps the string alive */
    } else if (t != LUA_TNIL) {
        luaL_error(L, "option '%s' must be a string, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

int xnet_l_opt_boolean(lua_State *L, int idx, const char *key, int def)
{
    int v = def, t = xnet_l_rawfield(L, idx, key);
    if (t == LUA_TBOOLEAN) {
        v = lua_toboolean(L, -1);
    } else if (t != LUA_TNIL) {
        luaL_error(L, "option '%s' must be a boolean, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

lua_Integer xnet_l_opt_seed(lua_State *L, int idx, const char *key)
{
    lua_Integer seed = xnet_l_opt_integer(L, idx, key, 1);
    if (seed < 0) {
        luaL_error(L, "%s must be >= 0, got %I", key, seed);
    }
    return seed;
}

uint64_t xnet_l_seed_option(lua_State *L, int idx, const char *what)
{
    static const char *const allowed[] = {"seed", NULL};
    if (lua_isnoneornil(L, idx)) {
        return 1;
    }
    xnet_l_check_options(L, idx, what, allowed);
    return (uint64_t)xnet_l_opt_seed(L, idx, "seed");
}

int xnet_l_list_base(lua_State *L, int idx, lua_Integer *count, const char *what)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) {
        return luaL_error(L, "%s must be a table, got %s", what, luaL_typename(L, idx));
    }
    int base = lua_rawgeti(L, idx, 0) != LUA_TNIL ? 0 : 1;
    lua_pop(L, 1);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < base) {
            lua_pop(L, 1);
            return luaL_error(L, "%s must be a list (keys %d, %d, ...)", what, base, base + 1);
        }
        n++;
    }
    for (lua_Integer i = base; i < base + n; i++) {
        if (lua_rawgeti(L, idx, i) == LUA_TNIL) {
            return luaL_error(L, "%s must be a list (keys %d, %d, ...): no entry %I", what, base,
                              base + 1, i);
        }
        lua_pop(L, 1);
    }
    *count = n;
    return base;
}

lua_Integer xnet_l_check_integer(lua_State *L, int arg, const char *name)
{
    if (lua_isinteger(L, arg)) {
        return lua_tointeger(L, arg);
    }
    if (lua_type(L, arg) == LUA_TNUMBER) {
        double d = lua_tonumber(L, arg);
        if (d == floor(d) && fabs(d) < 9.0e15) {
            return (lua_Integer)d;
        }
        return xnet_l_error(L, "%s must be an integer, got %.14g", name, d);
    }
    return luaL_error(L, "%s must be an integer, got %s", name, luaL_typename(L, arg));
}

lua_Integer xnet_l_check_range(lua_State *L, int arg, const char *name, lua_Integer lo,
                               lua_Integer hi)
{
    lua_Integer v = xnet_l_check_integer(L, arg, name);
    if (v < lo || v > hi) {
        luaL_error(L, "%s %I out of range [%I, %I)", name, v, lo, hi + 1);
    }
    return v;
}

void xnet_l_new_type(lua_State *L, const char *tname, const luaL_Reg *methods,
                     const luaL_Reg *metamethods)
{
    luaL_newmetatable(L, tname);
    luaL_setfuncs(L, metamethods, 0);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "methods"); /* for types with their own __index */
    if (lua_getfield(L, -2, "__index") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_setfield(L, -2, "__index");
    } else {
        lua_pop(L, 2);
    }
    lua_pushstring(L, tname);
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}

/* "xnet.Network" -> "network" */
static void push_handle_what(lua_State *L, const char *tname)
{
    const char *dot = strrchr(tname, '.');
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char *c = dot ? dot + 1 : tname; *c; c++) {
        luaL_addchar(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
    }
    luaL_pushresult(&b);
}

void *xnet_l_handle_check(lua_State *L, int idx, const char *tname)
{
    xnet_l_handle_t *h = luaL_checkudata(L, idx, tname);
    if (!h->ptr) {
        push_handle_what(L, tname);
        luaL_error(L, "attempt to use a closed %s", lua_tostring(L, -1));
    }
    return h->ptr;
}

xnet_l_handle_t *xnet_l_handle_new(lua_State *L, const char *tname, int nuvalue,
                                   void (*destroy)(void *))
{
    xnet_l_handle_t *h = lua_newuserdatauv(L, sizeof *h, nuvalue);
    h->ptr = NULL;
    h->destroy = destroy;
    luaL_setmetatable(L, tname);
    return h;
}

/* close, __gc, __close; upvalue 1 is the type name */
static int handle_close(lua_State *L)
{
    xnet_l_handle_t *h = luaL_checkudata(L, 1, lua_tostring(L, lua_upvalueindex(1)));
    void *ptr = h->ptr;
    h->ptr = NULL;
    if (ptr) {
        h->destroy(ptr);
    }
    return 0;
}

/* __tostring; upvalue 1 is the type name, upvalue 2 the type's own __tostring */
static int handle_tostring(lua_State *L)
{
    const char *tname = lua_tostring(L, lua_upvalueindex(1));
    xnet_l_handle_t *h = luaL_checkudata(L, 1, tname);
    if (!h->ptr) {
        push_handle_what(L, tname);
        lua_pushfstring(L, "%s (closed)", lua_tostring(L, -1));
        return 1;
    }
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

void xnet_l_new_handle_type(lua_State *L, const char *tname, const luaL_Reg *methods,
                            const luaL_Reg *metamethods)
{
    xnet_l_new_type(L, tname, methods, metamethods);
    luaL_getmetatable(L, tname);
    static const char *const closers[] = {"__gc", "__close"};
    for (int i = 0; i < 2; i++) {
        lua_pushstring(L, tname);
        lua_pushcclosure(L, handle_close, 1);
        lua_setfield(L, -2, closers[i]);
    }
    lua_getfield(L, -1, "methods");
    lua_pushstring(L, tname);
    lua_pushcclosure(L, handle_close, 1);
    lua_setfield(L, -2, "close");
    lua_pop(L, 1);
    lua_pushstring(L, tname);
    if (lua_getfield(L, -2, "__tostring") == LUA_TNIL) {
        lua_pop(L, 2); /* an internal type: Lua's default tostring */
    } else {
        lua_pushcclosure(L, handle_tostring, 2);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}

int xnet_l_fail_result(lua_State *L)
{
    lua_pushnil(L);
    lua_pushstring(L, xnet_errmsg());
    return 2;
}

#define XNET_BOX_MT "xnet.Box"

void xnet_l_box_free(void **box)
{
    free(*box);
    *box = NULL;
}

static int box_gc(lua_State *L)
{
    xnet_l_box_free(luaL_checkudata(L, 1, XNET_BOX_MT));
    return 0;
}

void **xnet_l_box(lua_State *L)
{
    void **box = lua_newuserdatauv(L, sizeof(void *), 0);
    *box = NULL;
    if (luaL_newmetatable(L, XNET_BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return box;
}

int xnet_l_push_numbers(lua_State *L, const double *v, int n)
{
    luaL_checkstack(L, n, "too many results");
    for (int i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
    }
    return n;
}

/* An epoch option or argument: a UTC string "YYYY-MM-DDTHH:MM:SS" or a Julian date. */
double xnet_l_check_epoch(lua_State *L, int idx, const char *key, double def)
{
    int t = key ? lua_getfield(L, idx, key) : lua_type(L, idx);
    int at = key ? -1 : idx;
    double jd = def;
    if (t == LUA_TSTRING) {
        if (xnet_utc_parse(lua_tostring(L, at), &jd)) {
            xnet_l_raise(L);
        }
    } else if (t == LUA_TNUMBER) {
        jd = lua_tonumber(L, at);
        if (!(jd >= 2436934.5 && jd < 5373484.5)) { /* 1960-01-01 .. 9999-12-31 */
            xnet_l_error(L, "epoch must be a Julian date in [2436934.5, 5373484.5), got %.14g", jd);
        }
    } else if (t != LUA_TNIL && t != LUA_TNONE) {
        luaL_error(L, "epoch must be a UTC time string or a Julian date, got %s",
                   lua_typename(L, t));
    }
    if (key) {
        lua_pop(L, 1);
    }
    return jd;
}

void xnet_l_push_epoch(lua_State *L, double jd_utc)
{
    char buf[40];
    if (xnet_utc_format(jd_utc, buf, sizeof buf)) {
        xnet_l_raise(L);
    }
    lua_pushstring(L, buf);
}
