/* Lua binding for Walker constellations (src/orbit.c). */
#include "ephemeris.h"
#include "error.h"
#include "frames.h"
#include "l_common.h"
#include "orbit.h"
#include "tle.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static xnet_walker_t *check_constellation(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, XNET_CONSTELLATION_MT);
}

/* xnet.walker{ pattern =, planes =, sats =, phasing =, altitude_km =,
 *   inclination_deg =, epoch = "2000-01-01T12:00:00" } -> Constellation; raises
 *   on bad values */
static int l_walker(lua_State *L)
{
    static const char *const allowed[] = {"pattern", "planes", "sats", "phasing",
                                          "altitude_km", "inclination_deg", "epoch", NULL};
    xnet_l_options(L, 1, "xnet.walker", allowed);
    const char *pattern = xnet_l_opt_string(L, 1, "pattern", "star");
    xnet_walker_pattern_t pat;
    if (xnet_walker_pattern_parse(pattern, &pat)) {
        return xnet_l_raise(L);
    }
    lua_Integer planes = xnet_l_opt_integer(L, 1, "planes", 33);
    lua_Integer sats = xnet_l_opt_integer(L, 1, "sats", 32);
    lua_Integer phasing = xnet_l_opt_integer(L, 1, "phasing", 0);
    double alt = xnet_l_opt_number(L, 1, "altitude_km", 550);
    double inc = xnet_l_opt_number(L, 1, "inclination_deg", 87);
    double epoch = xnet_l_check_epoch(L, 1, "epoch", XNET_DEFAULT_EPOCH_JD);
    if (planes < 1 || planes > XNET_MAX_SATELLITES) {
        return luaL_error(L, "planes must be in [1, %d], got %I", XNET_MAX_SATELLITES, planes);
    }
    if (sats < 1 || sats > XNET_MAX_SATELLITES) {
        return luaL_error(L, "sats must be in [1, %d], got %I", XNET_MAX_SATELLITES, sats);
    }
    if (phasing < 0 || phasing > planes - 1) {
        return luaL_error(L, "phasing must be in [0, %I], got %I", planes - 1, phasing);
    }
    xnet_walker_t w;
    if (xnet_walker_init(&w, pat, (int)planes, (int)sats, (int)phasing, alt, inc)) {
        return xnet_l_raise(L);
    }
    w.epoch_jd_utc = epoch;
    xnet_walker_t *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = w;
    luaL_setmetatable(L, XNET_CONSTELLATION_MT);
    return 1;
}

static int check_id(lua_State *L, const xnet_walker_t *w, int arg)
{
    return (int)xnet_l_check_range(L, arg, "satellite", 0, xnet_walker_count(w) - 1);
}

static double check_time(lua_State *L, int arg)
{
    double t = luaL_optnumber(L, arg, 0);
    if (!isfinite(t)) {
        xnet_l_error(L, "time must be finite, got %.14g", t);
    }
    return t;
}

/* con:period() -> seconds */
static int l_period(lua_State *L)
{
    lua_pushnumber(L, xnet_walker_period_s(check_constellation(L, 1)));
    return 1;
}

/* con:position(id, t = 0) -> x, y, z (km, ECI) */
static int l_position(lua_State *L)
{
    xnet_walker_t *w = check_constellation(L, 1);
    int id = check_id(L, w, 2);
    double pos[3];
    xnet_walker_state(w, id, check_time(L, 3), pos, NULL);
    return xnet_l_push_numbers(L, pos, 3);
}

/* con:velocity(id, t = 0) -> vx, vy, vz (km/s, ECI) */
static int l_velocity(lua_State *L)
{
    xnet_walker_t *w = check_constellation(L, 1);
    int id = check_id(L, w, 2);
    double vel[3];
    xnet_walker_state(w, id, check_time(L, 3), NULL, vel);
    return xnet_l_push_numbers(L, vel, 3);
}

/* The Earth-fixed state of satellite id at t (frames.h); raises when SGP4 fails. */
static void earth_fixed(lua_State *L, const xnet_walker_t *w, int id, double t, double r[3],
                        double v[3])
{
    double ri[3], vi[3];
    if (!w->ephemeris) {
        xnet_walker_state(w, id, t, ri, vi);
    } else {
        int code = xnet_ephemeris_state(w->ephemeris, id, t, ri, vi);
        if (code) {
            xnet_sgp4_fail(&w->ephemeris->sats[id], code,
                           w->ephemeris->epoch_offset_min[id] + t / 60);
            xnet_l_raise(L);
        }
    }
    if (xnet_teme_to_earth_fixed(w->epoch_jd_utc, t, 0, ri, vi, r, v)) {
        xnet_l_raise(L);
    }
}

/* con:earth_fixed(id, t = 0) -> x, y, z, vx, vy, vz (km, km/s, Earth-fixed at
 * the shell's epoch + t) */
static int l_earth_fixed(lua_State *L)
{
    xnet_walker_t *w = check_constellation(L, 1);
    int id = check_id(L, w, 2);
    double rv[6];
    earth_fixed(L, w, id, check_time(L, 3), rv, rv + 3);
    return xnet_l_push_numbers(L, rv, 6);
}

/* con:subpoint(id, t = 0) -> latitude_deg, longitude_deg, height_km: the
 * geodetic (WGS-84) sub-satellite point, Earth-fixed, at the epoch + t */
static int l_subpoint(lua_State *L)
{
    xnet_walker_t *w = check_constellation(L, 1);
    int id = check_id(L, w, 2);
    double r[3], v[3], lat, lon, h;
    earth_fixed(L, w, id, check_time(L, 3), r, v);
    if (xnet_geodetic_from_earth_fixed(r, &lat, &lon, &h)) {
        return xnet_l_raise(L);
    }
    double llh[3] = {lat, lon, h};
    return xnet_l_push_numbers(L, llh, 3);
}

/* con:tle{ first_satnum = 1 } -> TLE text of a Walker shell at its epoch, one
 * named set per satellite in id order (orbit.h says which elements) */
static int l_tle(lua_State *L)
{
    static const char *const allowed[] = {"first_satnum", NULL};
    xnet_walker_t *w = check_constellation(L, 1);
    xnet_l_options(L, 2, "con:tle", allowed);
    lua_Integer first = xnet_l_opt_integer(L, 2, "first_satnum", 1);
    w = check_constellation(L, 1);
    int n = xnet_walker_count(w);
    if (first < 0 || first + n - 1 > 99999) {
        return luaL_error(L, "first_satnum must be in [0, %d] for %d satellites, got %I",
                          99999 - n + 1 < 0 ? 0 : 99999 - n + 1, n, first);
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int id = 0; id < n; id++) {
        xnet_tle_t el;
        char out[3 * 80];
        if (xnet_walker_tle(w, id, (long)first, &el) || xnet_tle_format(&el, out, sizeof out)) {
            return xnet_l_raise(L);
        }
        luaL_addstring(&b, out);
    }
    luaL_pushresult(&b);
    return 1;
}

/* con:size() -> number of satellites (also #con) */
static int l_size(lua_State *L)
{
    lua_pushinteger(L, xnet_walker_count(check_constellation(L, 1)));
    return 1;
}

/* con.planes, con.sats, con.phasing, con.altitude_km, con.inclination_deg,
 * con.pattern, and the methods */
static int l_index(lua_State *L)
{
    xnet_walker_t *w = check_constellation(L, 1);
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "planes") == 0) {
        lua_pushinteger(L, w->planes);
    } else if (strcmp(key, "sats") == 0) {
        lua_pushinteger(L, w->sats);
    } else if (strcmp(key, "phasing") == 0) {
        lua_pushinteger(L, w->phasing);
    } else if (strcmp(key, "altitude_km") == 0) {
        lua_pushnumber(L, w->altitude_km);
    } else if (strcmp(key, "inclination_deg") == 0) {
        lua_pushnumber(L, w->inclination_deg);
    } else if (strcmp(key, "pattern") == 0) {
        lua_pushstring(L, xnet_walker_pattern_name(w->pattern));
    } else if (strcmp(key, "source") == 0) {
        lua_pushstring(L, w->ephemeris ? "sgp4" : "walker");
    } else if (strcmp(key, "epoch") == 0) {
        xnet_l_push_epoch(L, w->epoch_jd_utc);
    } else if (strcmp(key, "epoch_jd") == 0) {
        lua_pushnumber(L, w->epoch_jd_utc);
    } else {
        luaL_getmetafield(L, 1, "methods");
        lua_getfield(L, -1, key);
    }
    return 1;
}

static int l_tostring(lua_State *L)
{
    xnet_walker_t *w = check_constellation(L, 1);
    char buf[256];
    snprintf(buf, sizeof buf, "%s %s %dx%d F=%d, %g km, %g deg: %d satellites, period %.2f min",
             w->ephemeris ? "sgp4" : "walker", xnet_walker_pattern_name(w->pattern), w->planes,
             w->sats, w->phasing, w->altitude_km,
             w->inclination_deg, xnet_walker_count(w), xnet_walker_period_s(w) / 60);
    lua_pushstring(L, buf);
    return 1;
}

static int l_eq(lua_State *L)
{
    xnet_walker_t *a = check_constellation(L, 1), *b = check_constellation(L, 2);
    lua_pushboolean(L, a->pattern == b->pattern && a->planes == b->planes && a->sats == b->sats
                           && a->phasing == b->phasing && a->altitude_km == b->altitude_km
                           && a->inclination_deg == b->inclination_deg
                           && a->epoch_jd_utc == b->epoch_jd_utc && a->ephemeris == b->ephemeris);
    return 1;
}

int luaopen_xnet_orbit(lua_State *L)
{
    static const luaL_Reg methods[] = {{"period", l_period},     {"position", l_position},
                                       {"velocity", l_velocity}, {"subpoint", l_subpoint},
                                       {"earth_fixed", l_earth_fixed}, {"tle", l_tle},
                                       {"size", l_size},         {NULL, NULL}};
    static const luaL_Reg metamethods[] = {{"__index", l_index}, {"__len", l_size},
                                           {"__tostring", l_tostring}, {"__eq", l_eq},
                                           {NULL, NULL}};
    static const luaL_Reg functions[] = {{"walker", l_walker}, {NULL, NULL}};
    xnet_l_new_type(L, XNET_CONSTELLATION_MT, methods, metamethods);
    luaL_setfuncs(L, functions, 0);
    return 0;
}
