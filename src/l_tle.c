/* Lua binding for element sets and SGP4 (src/tle.c, src/sgp4.c,
 * src/ephemeris.c). */
#include "ephemeris.h"
#include "error.h"
#include "fileio.h"
#include "frames.h"
#include "l_common.h"
#include "orbit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    xnet_tle_t *sets;
    int count;
    double epoch_jd_utc; /* the latest element epoch */
} tleset_ud;

static void destroy_set(void *p)
{
    tleset_ud *ud = p;
    free(ud->sets);
    free(ud);
}

static tleset_ud *check_set(lua_State *L, int idx)
{
    return xnet_l_handle_check(L, idx, XNET_TLESET_MT);
}

static int check_index(lua_State *L, const tleset_ud *ud, int arg)
{
    return (int)xnet_l_check_range(L, arg, "satellite", 0, ud->count - 1);
}

/* xnet.tle(path_or_text) -> TleSet; text is anything with a newline. A file
 * that cannot be read gives nil, "path: reason"; a bad line raises
 * "source:line: reason". */
static int l_tle(lua_State *L)
{
    size_t len;
    const char *arg = luaL_checklstring(L, 1, &len);
    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_TLESET_MT, 0, destroy_set);
    tleset_ud *ud = calloc(1, sizeof *ud);
    if (!ud) {
        return luaL_error(L, "out of memory reading element sets");
    }
    h->ptr = ud;
    int rc;
    if (memchr(arg, '\n', len)) {
        rc = xnet_tle_parse(arg, len, "<text>", &ud->sets, &ud->count);
    } else {
        char *data;
        size_t n;
        if (xnet_file_read(arg, &data, &n)) {
            return xnet_l_fail_result(L);
        }
        rc = xnet_tle_parse(data, n, arg, &ud->sets, &ud->count);
        free(data);
    }
    if (rc) {
        return xnet_l_raise(L);
    }
    ud->epoch_jd_utc = -INFINITY;
    for (int i = 0; i < ud->count; i++) {
        double jd = ud->sets[i].epoch_jd + ud->sets[i].epoch_jd_frac;
        ud->epoch_jd_utc = jd > ud->epoch_jd_utc ? jd : ud->epoch_jd_utc;
    }
    return 1;
}

static int l_len(lua_State *L)
{
    lua_pushinteger(L, check_set(L, 1)->count);
    return 1;
}

/* set:elements(i) -> { name, satnum, epoch, epoch_jd, inclination_deg, raan_deg,
 *   eccentricity, argp_deg, mean_anomaly_deg, mean_motion_rev_day, bstar } */
static int l_elements(lua_State *L)
{
    tleset_ud *ud = check_set(L, 1);
    const xnet_tle_t *e = &ud->sets[check_index(L, ud, 2)];
    lua_createtable(L, 0, 11);
    lua_pushstring(L, e->name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, e->satnum);
    lua_setfield(L, -2, "satnum");
    xnet_l_push_epoch(L, e->epoch_jd + e->epoch_jd_frac);
    lua_setfield(L, -2, "epoch");
    const struct {
        const char *key;
        double v;
    } fields[] = {{"epoch_jd", e->epoch_jd + e->epoch_jd_frac},
                  {"inclination_deg", e->inclination_deg},
                  {"raan_deg", e->raan_deg},
                  {"eccentricity", e->eccentricity},
                  {"argp_deg", e->argp_deg},
                  {"mean_anomaly_deg", e->mean_anomaly_deg},
                  {"mean_motion_rev_day", e->mean_motion_rev_day},
                  {"bstar", e->bstar}};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        lua_pushnumber(L, fields[k].v);
        lua_setfield(L, -2, fields[k].key);
    }
    return 1;
}

/* set:teme(i, minutes) -> x, y, z, vx, vy, vz (km, km/s, TEME) at minutes after
 * satellite i's own epoch; raises SGP4's error naming the satellite */
static int l_teme(lua_State *L)
{
    tleset_ud *ud = check_set(L, 1);
    int i = check_index(L, ud, 2);
    double t = luaL_checknumber(L, 3);
    if (!isfinite(t)) {
        return xnet_l_error(L, "minutes must be finite, got %.14g", t);
    }
    xnet_sgp4_t s;
    double rv[6];
    int code;
    if (xnet_sgp4_init(&s, &ud->sets[i])) {
        return xnet_l_raise(L);
    }
    if ((code = xnet_sgp4_propagate(&s, t, rv, rv + 3))) {
        xnet_sgp4_fail(&s, code, t);
        return xnet_l_raise(L);
    }
    return xnet_l_push_numbers(L, rv, 6);
}

/* set:text() -> the element sets as TLE text (title lines where named) */
static int l_text(lua_State *L)
{
    tleset_ud *ud = check_set(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < ud->count; i++) {
        char out[3 * 80];
        if (xnet_tle_format(&ud->sets[i], out, sizeof out)) {
            return xnet_l_raise(L);
        }
        luaL_addstring(&b, out);
    }
    luaL_pushresult(&b);
    return 1;
}

/* set:shell{ planes =, sats =, pattern = "delta", phasing = 0, order = "file",
 *   epoch = latest element epoch } -> Constellation whose states come from SGP4.
 * order "file": the sets are plane-major already; "raan": group by right
 * ascension, then by argument of latitude (ephemeris.h). */
static int l_shell(lua_State *L)
{
    static const char *const allowed[] = {"planes", "sats", "pattern", "phasing", "order",
                                          "epoch", NULL};
    check_set(L, 1);
    xnet_l_options(L, 2, "set:shell", allowed);
    lua_Integer planes = xnet_l_opt_integer(L, 2, "planes", 1);
    lua_Integer sats = xnet_l_opt_integer(L, 2, "sats", 0);
    const char *pattern = xnet_l_opt_string(L, 2, "pattern", "delta");
    lua_Integer phasing = xnet_l_opt_integer(L, 2, "phasing", 0);
    const char *order = xnet_l_opt_string(L, 2, "order", "file");
    tleset_ud *ud = check_set(L, 1);
    double epoch = xnet_l_check_epoch(L, 2, "epoch", ud->epoch_jd_utc);
    ud = check_set(L, 1); /* the epoch option may have run code */
    if (sats == 0) {
        sats = ud->count / (planes > 0 ? planes : 1);
    }
    if (planes < 1 || sats < 1 || planes * sats != ud->count) {
        return luaL_error(L, "planes * sats must equal the %d element sets, got %I * %I",
                          ud->count, planes, sats);
    }
    if (phasing < 0 || phasing >= planes) {
        return luaL_error(L, "phasing must be in [0, %I], got %I", planes - 1, phasing);
    }
    xnet_walker_pattern_t pat;
    if (xnet_walker_pattern_parse(pattern, &pat)) {
        return xnet_l_raise(L);
    }
    int by_raan = strcmp(order, "raan") == 0;
    if (!by_raan && strcmp(order, "file") != 0) {
        return luaL_error(L, "order must be 'file' or 'raan', got '%s'", order);
    }
    xnet_walker_t *w = lua_newuserdatauv(L, sizeof *w, 1);
    memset(w, 0, sizeof *w);
    luaL_setmetatable(L, XNET_CONSTELLATION_MT);
    void **box = xnet_l_box(L); /* owns the ephemeris; the constellation owns the box */
    lua_setiuservalue(L, -2, 1);
    ud = check_set(L, 1); /* a finalizer run by those allocations may have closed it */
    int *idx = NULL;
    if (by_raan) {
        idx = malloc(sizeof *idx * (size_t)ud->count);
        *box = idx;
        if (!idx) {
            return luaL_error(L, "out of memory ordering %d satellites", ud->count);
        }
        if (xnet_ephemeris_grid_order(ud->sets, ud->count, (int)planes, (int)sats, idx)) {
            return xnet_l_raise(L);
        }
    }
    xnet_ephemeris_t *e;
    int rc = xnet_ephemeris_create(&e, ud->sets, idx, ud->count, epoch);
    xnet_l_box_free(box);
    if (rc) {
        return xnet_l_raise(L);
    }
    *box = e;
    if (xnet_walker_from_ephemeris(w, pat, (int)planes, (int)sats, (int)phasing, e)) {
        return xnet_l_raise(L);
    }
    return 1;
}

/* set.epoch (latest element epoch, UTC string), set.epoch_jd, and the methods */
static int l_index(lua_State *L)
{
    tleset_ud *ud = check_set(L, 1);
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "epoch") == 0) {
        xnet_l_push_epoch(L, ud->epoch_jd_utc);
    } else if (strcmp(key, "epoch_jd") == 0) {
        lua_pushnumber(L, ud->epoch_jd_utc);
    } else {
        luaL_getmetafield(L, 1, "methods");
        lua_getfield(L, -1, key);
    }
    return 1;
}

static int l_tostring(lua_State *L)
{
    lua_pushfstring(L, "%d element sets", check_set(L, 1)->count);
    return 1;
}

int luaopen_xnet_tle(lua_State *L)
{
    static const luaL_Reg methods[] = {{"elements", l_elements}, {"teme", l_teme},
                                       {"text", l_text},         {"shell", l_shell},
                                       {NULL, NULL}};
    static const luaL_Reg metamethods[] = {{"__index", l_index}, {"__len", l_len},
                                           {"__tostring", l_tostring}, {NULL, NULL}};
    static const luaL_Reg functions[] = {{"tle", l_tle}, {NULL, NULL}};
    xnet_l_new_handle_type(L, XNET_TLESET_MT, methods, metamethods);
    luaL_setfuncs(L, functions, 0);
    return 0;
}
