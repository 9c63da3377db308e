/* Lua binding for snapshot networks and shortest-path queries
 * (src/network.c, src/paths.c). */
#include "ephemeris.h"
#include "error.h"
#include "l_common.h"
#include "l_network.h"
#include "memlimit.h"
#include "paths.h"
#include "snapshot_cache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row of per-satellite values kept in C: latencies (s) or hop counts;
 * +inf marks an unreachable satellite. */
typedef enum { ROW_LATENCY, ROW_HOPS } row_kind;

typedef struct {
    int n, src, snap;
    row_kind kind;
    double v[];
} row_ud;

xnet_network_t *xnet_l_check_network(lua_State *L, int idx)
{
    return xnet_l_handle_check(L, idx, XNET_NETWORK_MT);
}

static void destroy_network(void *net)
{
    xnet_network_destroy(net);
}

/* Warn when the links leave more than a tenth of the satellites outside the
 * largest piece in some snapshot (up to 16 snapshots looked at, evenly
 * spaced): routes between pieces do not exist, so tokens are lost. */
static void warn_if_fragmented(lua_State *L, xnet_network_t *net)
{
    int n = xnet_network_nodes(net), T = xnet_network_snapshots(net);
    int looks = T < 16 ? T : 16, snaps[16], pieces[16], largest[16];
    for (int i = 0; i < looks; i++) {
        snaps[i] = (int)((long long)i * T / looks);
    }
    if (xnet_paths_pieces(net, looks, snaps, pieces, largest)) {
        return; /* the check is advice; a failure here is reported by the next use */
    }
    int worst = 0;
    for (int i = 1; i < looks; i++) {
        worst = largest[i] < largest[worst] ? i : worst;
    }
    if (n - largest[worst] > n / 10) {
        xnet_l_warn(L,
                    "xnet.network: the links split the %d satellites into %d pieces at snapshot "
                    "%d (the largest has %d); paths between pieces do not exist, so tokens "
                    "crossing them are undelivered (raise survival, max_range_km or omega_max)",
                    n, pieces[worst], snaps[worst], largest[worst]);
    }
}

/* The user's links (option links: 0-based pairs) and rule (option link_rule:
 * called per candidate link and snapshot as f(a, b, snap, t_s), a false
 * result switches the link off), read into arrays that boxes on the stack
 * own until the network is built. */
static void read_link_rules(lua_State *L, const xnet_walker_t *w, xnet_network_params_t *p)
{
    int t = xnet_l_rawfield(L, 2, "links");
    if (t != LUA_TNIL) {
        if (t != LUA_TTABLE) {
            luaL_error(L, "option 'links' must be a list of {a, b} pairs, got %s",
                       luaL_typename(L, -1));
        }
        int list = lua_gettop(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, list);
        if (n < 1 || n > XNET_MAX_SATELLITES) {
            luaL_error(L, "option 'links' must hold 1 to %d pairs, got %I", XNET_MAX_SATELLITES, n);
        }
        void **box = xnet_l_box(L);
        xnet_link_t *links = *box = malloc(sizeof(xnet_link_t) * (size_t)n);
        if (!links) {
            luaL_error(L, "out of memory for %I links", n);
        }
        for (lua_Integer i = 1; i <= n; i++) {
            lua_Integer ends[2];
            if (lua_rawgeti(L, list, i) != LUA_TTABLE) {
                luaL_error(L, "link %I must be a pair {a, b}, got %s", i, luaL_typename(L, -1));
            }
            for (int j = 0; j < 2; j++) {
                if (lua_rawgeti(L, -1 - j, j + 1) != LUA_TNUMBER || !lua_isinteger(L, -1)) {
                    luaL_error(L, "link %I must be a pair of satellite ids {a, b}", i);
                }
                ends[j] = lua_tointeger(L, -1);
            }
            if (ends[0] < 0 || ends[0] > INT32_MAX || ends[1] < 0 || ends[1] > INT32_MAX) {
                luaL_error(L, "link %I: satellite ids must be >= 0, got {%I, %I}", i, ends[0],
                           ends[1]);
            }
            links[i - 1] = (xnet_link_t){(int)ends[0], (int)ends[1]};
            lua_pop(L, 3);
        }
        p->custom_links = links;
        p->custom_count = (int)n;
        lua_remove(L, list); /* the box stays */
    } else {
        lua_pop(L, 1);
    }
    t = xnet_l_rawfield(L, 2, "link_rule");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TFUNCTION) {
        luaL_error(L, "option 'link_rule' must be a function(a, b, snap, t_s), got %s",
                   luaL_typename(L, -1));
    }
    int fn = lua_gettop(L), count;
    const xnet_link_t *cand = p->custom_links;
    void **cbox = xnet_l_box(L);
    if (!cand) {
        if (xnet_links_candidate_count(w, &count)) {
            xnet_l_raise(L);
        }
        xnet_link_t *grid = *cbox = malloc(sizeof(xnet_link_t) * (size_t)count);
        if (!grid) {
            luaL_error(L, "out of memory for %d links", count);
        }
        xnet_links_candidates(w, grid);
        cand = grid;
    } else {
        count = p->custom_count;
    }
    if (xnet_limit_check((double)count * p->snapshots, "the link rule's decisions")) {
        xnet_l_raise(L);
    }
    void **mbox = xnet_l_box(L);
    uint8_t *allowed = *mbox = malloc((size_t)count * (size_t)p->snapshots);
    if (!allowed) {
        luaL_error(L, "out of memory for the link rule's decisions");
    }
    for (int k = 0; k < p->snapshots; k++) {
        double time_s = k * p->horizon_s / p->snapshots;
        for (int i = 0; i < count; i++) {
            lua_pushvalue(L, fn);
            lua_pushinteger(L, cand[i].a);
            lua_pushinteger(L, cand[i].b);
            lua_pushinteger(L, k);
            lua_pushnumber(L, time_s);
            lua_call(L, 4, 1);
            if (!lua_isboolean(L, -1)) {
                luaL_error(L, "link_rule must return true or false, got %s for link (%d, %d) "
                              "at snapshot %d", luaL_typename(L, -1), cand[i].a, cand[i].b, k);
            }
            allowed[(size_t)k * count + i] = (uint8_t)lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
    }
    p->user_allowed = allowed;
    lua_remove(L, fn); /* the boxes stay until l_network returns */
}

/* xnet.network(con, { snapshots =, horizon_s =, survival =, omega_max =,
 *   max_range_km =, margin_km =, bits =, rate_bps =, proc_s =, seed =,
 *   cross_plane_max_lat_deg = math.huge, links = { {a, b}, ... },
 *   link_rule = function(a, b, snap, t_s) -> boolean,
 *   outages = "independent" | "markov", outage_down_s = }) -> Network */
static int l_network(lua_State *L)
{
    static const char *const allowed[] = {"snapshots", "horizon_s", "survival", "omega_max",
                                          "max_range_km", "margin_km", "bits", "rate_bps",
                                          "proc_s", "seed", "cross_plane_max_lat_deg", "links",
                                          "link_rule", "outages", "outage_down_s", NULL};
    xnet_walker_t *w = luaL_checkudata(L, 1, XNET_CONSTELLATION_MT);
    xnet_l_options(L, 2, "xnet.network", allowed);
    xnet_network_params_t p = xnet_network_params_default();
    lua_Integer snapshots = xnet_l_opt_integer(L, 2, "snapshots", p.snapshots);
    if (snapshots < 1 || snapshots > XNET_MAX_SNAPSHOTS) {
        return luaL_error(L, "snapshots must be in [1, %d], got %I", XNET_MAX_SNAPSHOTS, snapshots);
    }
    p.snapshots = (int)snapshots;
    p.horizon_s = xnet_l_opt_number(L, 2, "horizon_s", xnet_walker_period_s(w));
    if (!(p.horizon_s > 0) || !isfinite(p.horizon_s)) {
        return xnet_l_error(L, "horizon_s must be > 0 and finite, got %.14g", p.horizon_s);
    }
    p.link.survival = xnet_l_opt_number(L, 2, "survival", p.link.survival);
    p.link.omega_max_rad_s = xnet_l_opt_number(L, 2, "omega_max", p.link.omega_max_rad_s);
    p.link.max_range_km = xnet_l_opt_number(L, 2, "max_range_km", p.link.max_range_km);
    p.link.margin_km = xnet_l_opt_number(L, 2, "margin_km", p.link.margin_km);
    p.link.bits = xnet_l_opt_number(L, 2, "bits", p.link.bits);
    p.link.rate_bps = xnet_l_opt_number(L, 2, "rate_bps", p.link.rate_bps);
    p.link.proc_s = xnet_l_opt_number(L, 2, "proc_s", p.link.proc_s);
    p.link.seed = (uint64_t)xnet_l_opt_seed(L, 2, "seed");
    p.link.cross_plane_max_lat_deg = xnet_l_opt_number(L, 2, "cross_plane_max_lat_deg",
                                                       p.link.cross_plane_max_lat_deg);
    read_link_rules(L, w, &p);
    const char *outages = xnet_l_opt_string(L, 2, "outages", "independent");
    if (strcmp(outages, "independent") != 0 && strcmp(outages, "markov") != 0) {
        return luaL_error(L, "outages must be 'independent' or 'markov', got '%s'", outages);
    }
    p.link.outage_markov = strcmp(outages, "markov") == 0;
    p.link.outage_down_s = xnet_l_opt_number(L, 2, "outage_down_s", p.link.outage_down_s);

    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_NETWORK_MT, 1, destroy_network);
    lua_pushvalue(L, 1); /* keep the constellation reachable as net:constellation() */
    lua_setiuservalue(L, -2, 1);
    /* SGP4 shells: name a satellite that decays within the horizon rather than
     * build on NaN states. */
    if (w->ephemeris && xnet_ephemeris_check(w->ephemeris, 0, p.horizon_s, p.snapshots)) {
        return xnet_l_raise(L);
    }
    if (xnet_network_create((xnet_network_t **)&h->ptr, w, &p)) {
        return xnet_l_raise(L);
    }
    warn_if_fragmented(L, h->ptr);
    return 1;
}

/* net:reseed(seed) -> a Network like net (same constellation, rules and
 * geometry) whose outages are drawn with this seed */
static int l_reseed(lua_State *L)
{
    xnet_l_check_network(L, 1);
    lua_Integer seed = luaL_checkinteger(L, 2);
    if (seed < 0) {
        return luaL_error(L, "seed must be an integer >= 0, got %I", seed);
    }
    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_NETWORK_MT, 1, destroy_network);
    lua_getiuservalue(L, 1, 1); /* the same constellation */
    lua_setiuservalue(L, -2, 1);
    if (xnet_network_reseed((xnet_network_t **)&h->ptr, xnet_l_check_network(L, 1),
                            (uint64_t)seed)) {
        return xnet_l_raise(L);
    }
    return 1;
}

static int check_snapshot(lua_State *L, xnet_network_t *net, int arg)
{
    return (int)xnet_l_check_range(L, arg, "snapshot", 0, xnet_network_snapshots(net) - 1);
}

static int check_satellite(lua_State *L, xnet_network_t *net, int arg)
{
    return (int)xnet_l_check_range(L, arg, "satellite", 0, xnet_network_nodes(net) - 1);
}

static row_ud *new_row(lua_State *L, int n, row_kind kind, int src, int snap)
{
    row_ud *row = lua_newuserdatauv(L, sizeof(row_ud) + sizeof(double) * (size_t)n, 0);
    row->n = n;
    row->kind = kind;
    row->src = src;
    row->snap = snap;
    luaL_setmetatable(L, XNET_ROW_MT);
    return row;
}

/* net:latency(src, snap) -> Row of seconds (math.huge when unreachable);
 * net:latency({src, ...}, snap) -> { Row, ... } */
static int l_latency(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    int snap = check_snapshot(L, net, 3), n = xnet_network_nodes(net);
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_Integer count = (lua_Integer)lua_rawlen(L, 2);
        if (count < 0 || count > XNET_MAX_SATELLITES) {
            return luaL_error(L, "sources must hold [0, %d] satellites, got %I",
                              XNET_MAX_SATELLITES, count);
        }
        if (xnet_limit_check((double)count * (sizeof(row_ud) + sizeof(double) * (double)n),
                             "the latency rows")) {
            return xnet_l_raise(L);
        }
        lua_createtable(L, (int)count, 0);
        for (int i = 1; i <= count; i++) {
            lua_rawgeti(L, 2, i);
            int src = (int)xnet_l_check_range(L, -1, "satellite", 0, n - 1);
            lua_pop(L, 1);
            row_ud *row = new_row(L, n, ROW_LATENCY, src, snap);
            net = xnet_l_check_network(L, 1); /* new_row may have run a finalizer */
            if (xnet_paths_latency(net, snap, &src, 1, row->v)) {
                return xnet_l_raise(L);
            }
            lua_seti(L, -2, i);
        }
        return 1;
    }
    int src = check_satellite(L, net, 2);
    row_ud *row = new_row(L, n, ROW_LATENCY, src, snap);
    if (xnet_paths_latency(xnet_l_check_network(L, 1), snap, &src, 1, row->v)) {
        return xnet_l_raise(L);
    }
    return 1;
}

/* net:hops(src, snap) -> Row of hop counts along minimum-latency routes */
static int l_hops(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    int src = check_satellite(L, net, 2), snap = check_snapshot(L, net, 3);
    int n = xnet_network_nodes(net);
    int *hops = lua_newuserdatauv(L, sizeof(int) * (size_t)n, 0);
    row_ud *row = new_row(L, n, ROW_HOPS, src, snap);
    if (xnet_paths_hops(xnet_l_check_network(L, 1), snap, src, hops)) {
        return xnet_l_raise(L);
    }
    for (int v = 0; v < n; v++) {
        row->v[v] = hops[v] < 0 ? HUGE_VAL : hops[v];
    }
    return 1;
}

/* net:path(src, dst, snap) -> { id, ... } from src to dst, or nil when unreachable */
static int l_path(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    int src = check_satellite(L, net, 2), dst = check_satellite(L, net, 3);
    int snap = check_snapshot(L, net, 4), len;
    int *path = lua_newuserdatauv(L, sizeof(int) * (size_t)xnet_network_nodes(net), 0);
    if (xnet_paths_route(xnet_l_check_network(L, 1), snap, src, dst, path, &len)) {
        return xnet_l_raise(L);
    }
    if (len == 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, len, 0);
    for (int i = 0; i < len; i++) {
        lua_pushinteger(L, path[i]);
        lua_seti(L, -2, i + 1);
    }
    return 1;
}

/* net:components(snap) -> count, { size, ... } (largest first) */
static int l_components(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    int snap = check_snapshot(L, net, 2), count;
    int *sizes = lua_newuserdatauv(L, sizeof(int) * (size_t)xnet_network_nodes(net), 0);
    if (xnet_paths_components(xnet_l_check_network(L, 1), snap, &count, sizes)) {
        return xnet_l_raise(L);
    }
    lua_pushinteger(L, count);
    lua_createtable(L, count, 0);
    for (int i = 0; i < count; i++) {
        lua_pushinteger(L, sizes[i]);
        lua_seti(L, -2, i + 1);
    }
    return 2;
}

/* net:links(snap) -> { total =, blocked =, tracking =, range =, outage =,
 *   latitude =, user =, active = } */
static int l_links(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    const xnet_link_counts_t *c = xnet_network_counts(net, check_snapshot(L, net, 2));
    const char *names[] = {"total",  "blocked",  "tracking", "range",
                           "outage", "latitude", "user",     "active"};
    int values[] = {c->total,  c->blocked,  c->tracking, c->range,
                    c->outage, c->latitude, c->user,     c->active};
    lua_createtable(L, 0, 8);
    for (int i = 0; i < 8; i++) {
        lua_pushinteger(L, values[i]);
        lua_setfield(L, -2, names[i]);
    }
    return 1;
}

/* net:edges(snap) -> { {a, b, latency_s}, ... } for the active links */
static int l_edges(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    int snap = check_snapshot(L, net, 2), m = 0;
    lua_createtable(L, xnet_network_counts(net, snap)->active, 0);
    for (int k = 0;; k++) {
        /* Each table may run a finalizer: take the network afresh. */
        net = xnet_l_check_network(L, 1);
        if (k >= xnet_network_candidate_count(net)) {
            break;
        }
        const xnet_snapshot_t *s = xnet_network_at(net, snap);
        if (s->state[k] == XNET_LINK_ACTIVE) {
            xnet_link_t link = xnet_network_candidates(net)[k];
            double latency_s = s->latency_s[k];
            lua_createtable(L, 3, 0);
            lua_pushinteger(L, link.a);
            lua_seti(L, -2, 1);
            lua_pushinteger(L, link.b);
            lua_seti(L, -2, 2);
            lua_pushnumber(L, latency_s);
            lua_seti(L, -2, 3);
            lua_seti(L, -2, ++m);
        }
    }
    return 1;
}

/* net:time(snap) -> seconds since the epoch of snapshot snap */
static int l_time(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    lua_pushnumber(L, xnet_network_time_s(net, check_snapshot(L, net, 2)));
    return 1;
}

static int l_snapshots(lua_State *L)
{
    lua_pushinteger(L, xnet_network_snapshots(xnet_l_check_network(L, 1)));
    return 1;
}

static int l_size(lua_State *L)
{
    lua_pushinteger(L, xnet_network_nodes(xnet_l_check_network(L, 1)));
    return 1;
}

/* net:clear_cache() -> frees the path search workspaces and the ring's path
 * cost table (results unchanged; the next query computes them again) */
static int l_clear_cache(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    for (int i = 0; i < XNET_ATTACH_SLOTS; i++) {
        xnet_network_attach(net, (xnet_attach_slot_t)i, NULL, NULL);
    }
    return 0;
}

/* net:bytes() -> total, { links =, outage_bits =, rule_bits =, counts =, buffer =, graphs =,
 * geometry =, snapshot_cache = }: what the network holds now (snapshots are computed on
 * demand; the path kernel keeps what fits in the snapshot cache's budget, the link
 * geometry store what fits in a sixteenth of it) */
static int l_bytes(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    xnet_network_bytes_t b = xnet_network_bytes(net);
    const char *names[] = {"links",  "outage_bits", "rule_bits", "counts",
                           "buffer", "graphs",      "geometry",  "snapshot_cache"};
    double values[] = {b.links,  b.outage_bits, b.rule_bits,  b.counts,
                       b.buffer, b.graphs,      b.geometry, xnet_snapshot_cache_bytes(net)};
    double total = 0;
    lua_createtable(L, 0, 8);
    for (int i = 0; i < 8; i++) {
        lua_pushinteger(L, (lua_Integer)values[i]);
        lua_setfield(L, -2, names[i]);
        total += values[i];
    }
    lua_pushinteger(L, (lua_Integer)total);
    lua_insert(L, -2);
    return 2;
}

/* net:constellation() -> the Constellation it was built from */
static int l_constellation(lua_State *L)
{
    xnet_l_check_network(L, 1);
    lua_getiuservalue(L, 1, 1);
    return 1;
}

/* net:params() -> a table of the options in force (defaults filled in) */
static int l_params(lua_State *L)
{
    const xnet_network_params_t params = *xnet_network_params(xnet_l_check_network(L, 1));
    const xnet_network_params_t *p = &params;
    lua_createtable(L, 0, 10);
    lua_pushinteger(L, p->snapshots);
    lua_setfield(L, -2, "snapshots");
    const char *names[] = {"horizon_s", "survival", "omega_max", "max_range_km", "margin_km",
                           "bits", "rate_bps", "proc_s", "cross_plane_max_lat_deg"};
    double values[] = {p->horizon_s, p->link.survival, p->link.omega_max_rad_s,
                       p->link.max_range_km, p->link.margin_km, p->link.bits,
                       p->link.rate_bps, p->link.proc_s, p->link.cross_plane_max_lat_deg};
    for (int i = 0; i < 9; i++) {
        lua_pushnumber(L, values[i]);
        lua_setfield(L, -2, names[i]);
    }
    lua_pushinteger(L, (lua_Integer)p->link.seed);
    lua_setfield(L, -2, "seed");
    lua_pushstring(L, p->link.outage_markov ? "markov" : "independent");
    lua_setfield(L, -2, "outages");
    lua_pushnumber(L, p->link.outage_down_s);
    lua_setfield(L, -2, "outage_down_s");
    return 1;
}

static int l_network_tostring(lua_State *L)
{
    xnet_network_t *net = xnet_l_check_network(L, 1);
    const xnet_network_params_t *p = xnet_network_params(net);
    double active = 0;
    int T = p->snapshots;
    for (int k = 0; k < T; k++) {
        active += xnet_network_counts(net, k)->active;
    }
    char buf[256];
    snprintf(buf, sizeof buf,
             "network: %d satellites, %d snapshots over %.1f s, %d candidate links, "
             "%.1f active on average (survival %g, seed %llu)",
             xnet_network_nodes(net), T, p->horizon_s,
             xnet_network_candidate_count(net), active / T, p->link.survival,
             (unsigned long long)p->link.seed);
    lua_pushstring(L, buf);
    return 1;
}

/* --- Row --------------------------------------------------------------- */

static row_ud *check_row(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, XNET_ROW_MT);
}

static void push_value(lua_State *L, const row_ud *row, double v)
{
    if (row->kind == ROW_HOPS && isfinite(v)) {
        lua_pushinteger(L, (lua_Integer)v);
    } else {
        lua_pushnumber(L, v);
    }
}

/* row[id] -> value; row:method(...) */
static int l_row_index(lua_State *L)
{
    row_ud *row = check_row(L, 1);
    if (lua_type(L, 2) == LUA_TNUMBER) {
        int id = (int)xnet_l_check_range(L, 2, "satellite", 0, row->n - 1);
        push_value(L, row, row->v[id]);
        return 1;
    }
    luaL_getmetafield(L, 1, "methods");
    lua_getfield(L, -1, luaL_checkstring(L, 2));
    return 1;
}

static int l_row_len(lua_State *L)
{
    lua_pushinteger(L, check_row(L, 1)->n);
    return 1;
}

typedef xnet_row_summary_t row_summary;

static row_summary summarise(const row_ud *row)
{
    return xnet_paths_row_summary(row->v, row->n);
}

/* row:max() -> largest value and its satellite id: math.huge (and the first
 * unreachable id) when any satellite is unreachable */
static int l_row_max(lua_State *L)
{
    row_ud *row = check_row(L, 1);
    row_summary s = summarise(row);
    if (s.reachable < row->n) {
        int first = 0;
        while (isfinite(row->v[first])) {
            first++;
        }
        lua_pushnumber(L, HUGE_VAL);
        lua_pushinteger(L, first);
        return 2;
    }
    push_value(L, row, s.max);
    lua_pushinteger(L, s.argmax);
    return 2;
}

/* row:min() -> smallest value (the source's 0) and its satellite id */
static int l_row_min(lua_State *L)
{
    row_ud *row = check_row(L, 1);
    row_summary s = summarise(row);
    push_value(L, row, s.min);
    lua_pushinteger(L, s.argmin);
    return 2;
}

/* row:mean() -> mean over every satellite (the source included): math.huge
 * when any is unreachable; row:mean{ reachable = true } averages the
 * reachable ones only */
static int l_row_mean(lua_State *L)
{
    static const char *const allowed[] = {"reachable", NULL};
    row_ud *row = check_row(L, 1);
    int reachable_only = 0;
    if (!lua_isnoneornil(L, 2)) {
        xnet_l_check_options(L, 2, "row:mean", allowed);
        reachable_only = xnet_l_opt_boolean(L, 2, "reachable", 0);
    }
    row_summary s = summarise(row);
    if (s.reachable < row->n && !reachable_only) {
        lua_pushnumber(L, HUGE_VAL);
    } else {
        lua_pushnumber(L, s.sum / s.reachable); /* the source itself is always reachable */
    }
    return 1;
}

/* row:unreachable() -> number of satellites with no route */
static int l_row_unreachable(lua_State *L)
{
    row_ud *row = check_row(L, 1);
    lua_pushinteger(L, row->n - summarise(row).reachable);
    return 1;
}

static int l_row_source(lua_State *L)
{
    lua_pushinteger(L, check_row(L, 1)->src);
    return 1;
}

static int l_row_snapshot(lua_State *L)
{
    lua_pushinteger(L, check_row(L, 1)->snap);
    return 1;
}

/* row:table() -> a plain Lua table copy, indexed by satellite id from 0 */
static int l_row_table(lua_State *L)
{
    row_ud *row = check_row(L, 1);
    lua_createtable(L, row->n, 1);
    for (int i = 0; i < row->n; i++) {
        push_value(L, row, row->v[i]);
        lua_seti(L, -2, i);
    }
    return 1;
}

static int l_row_tostring(lua_State *L)
{
    row_ud *row = check_row(L, 1);
    row_summary s = summarise(row);
    char buf[256];
    if (row->kind == ROW_LATENCY) {
        snprintf(buf, sizeof buf,
                 "latency row from satellite %d in snapshot %d: %d satellites, "
                 "max %.3f ms, %d unreachable",
                 row->src, row->snap, row->n, s.reachable ? s.max * 1e3 : 0.0,
                 row->n - s.reachable);
    } else {
        snprintf(buf, sizeof buf,
                 "hop row from satellite %d in snapshot %d: %d satellites, max %d hops, "
                 "%d unreachable",
                 row->src, row->snap, row->n, s.reachable ? (int)s.max : 0, row->n - s.reachable);
    }
    lua_pushstring(L, buf);
    return 1;
}

int luaopen_xnet_network(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"latency", l_latency},   {"hops", l_hops},         {"path", l_path},
        {"components", l_components}, {"links", l_links},   {"edges", l_edges},
        {"time", l_time},         {"snapshots", l_snapshots}, {"size", l_size},
        {"constellation", l_constellation}, {"params", l_params}, {"reseed", l_reseed},
        {"clear_cache", l_clear_cache}, {"bytes", l_bytes},
        {NULL, NULL}};
    static const luaL_Reg metamethods[] = {{"__len", l_size},
                                           {"__tostring", l_network_tostring}, {NULL, NULL}};
    static const luaL_Reg row_methods[] = {
        {"max", l_row_max},         {"min", l_row_min},       {"mean", l_row_mean},
        {"unreachable", l_row_unreachable}, {"source", l_row_source},
        {"snapshot", l_row_snapshot}, {"table", l_row_table}, {NULL, NULL}};
    static const luaL_Reg row_metamethods[] = {{"__index", l_row_index}, {"__len", l_row_len},
                                               {"__tostring", l_row_tostring}, {NULL, NULL}};
    static const luaL_Reg functions[] = {{"network", l_network}, {NULL, NULL}};
    xnet_l_new_handle_type(L, XNET_NETWORK_MT, methods, metamethods);
    xnet_l_new_type(L, XNET_ROW_MT, row_methods, row_metamethods);
    luaL_setfuncs(L, functions, 0);
    return 0;
}
