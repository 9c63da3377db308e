/* Lua binding for rings, plans and expert placement (src/placement.c,
 * src/planio.c). */
#include "error.h"
#include "fileio.h"
#include "hosting.h"
#include "l_common.h"
#include "l_moe.h"
#include "l_network.h"
#include "l_placement.h"
#include "optimize.h"
#include "placement.h"
#include "planio.h"
#include "replicas.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void destroy_ring(void *ring)
{
    xnet_ring_destroy(ring);
}

static void destroy_plan(void *plan)
{
    xnet_plan_destroy(plan);
}

xnet_route_t xnet_l_route_option(lua_State *L, int idx)
{
    const char *v = xnet_l_opt_string(L, idx, "variant", "A");
    if (strcmp(v, "A") == 0) {
        return XNET_ROUTE_A;
    }
    if (strcmp(v, "B") == 0) {
        return XNET_ROUTE_B;
    }
    luaL_error(L, "variant must be 'A' or 'B', got '%s'", v);
    return XNET_ROUTE_A;
}

/* --- Ring ------------------------------------------------------------------ */

const xnet_ring_t *xnet_l_check_ring(lua_State *L, int idx)
{
    return xnet_l_handle_check(L, idx, XNET_RING_MT);
}

/* Read the list at idx (keys 1..n, or 0..n-1 for a table keyed by layer or
 * expert) of satellite ids into ids[0..n); returns n. */
static int read_ids(lua_State *L, int idx, int *ids, int max, const char *what, int nodes)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) {
        luaL_error(L, "%s must be a list of satellite ids, got %s", what, luaL_typename(L, idx));
    }
    lua_Integer n;
    int base = xnet_l_list_base(L, idx, &n, what);
    if (n > max) {
        luaL_error(L, "%s lists %I satellites, more than the %d it may hold", what, n, max);
    }
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + base);
        ids[i] = (int)xnet_l_check_range(L, -1, "satellite", 0, nodes - 1);
        lua_pop(L, 1);
    }
    return (int)n;
}

/* A closed ring; uservalue 1 is the network it was made for (ring:stats()). */
static xnet_ring_t **new_ring(lua_State *L, int net_idx)
{
    net_idx = lua_absindex(L, net_idx);
    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_RING_MT, 1, destroy_ring);
    lua_pushvalue(L, net_idx);
    lua_setiuservalue(L, -2, 1);
    return (xnet_ring_t **)&h->ptr;
}

static xnet_gateway_rule_t gateway_rule_option(lua_State *L, int idx)
{
    const char *v = xnet_l_opt_string(L, idx, "gateway", "medoid");
    if (strcmp(v, "medoid") == 0) {
        return XNET_GATEWAY_MEDOID;
    }
    if (strcmp(v, "index") != 0) {
        luaL_error(L, "gateway must be 'medoid' or 'index', got '%s'", v);
    }
    return XNET_GATEWAY_INDEX;
}

/* cut = "slot" | "plane" | "auto" | a band width in planes (*band > 0) */
static xnet_cut_t cut_option(lua_State *L, int idx, int planes, int *band)
{
    static const char *const names[] = {"slot", "plane", "auto", NULL};
    static const xnet_cut_t cuts[] = {XNET_CUT_SLOT, XNET_CUT_PLANE, XNET_CUT_AUTO};
    *band = 0;
    if (xnet_l_rawfield(L, idx, "cut") == LUA_TNUMBER) {
        *band = (int)xnet_l_check_range(L, -1, "cut (planes per band)", 1, planes);
        lua_pop(L, 1);
        return XNET_CUT_SLOT;
    }
    lua_pop(L, 1);
    const char *v = xnet_l_opt_string(L, idx, "cut", "auto");
    for (int i = 0; names[i]; i++) {
        if (strcmp(v, names[i]) == 0) {
            return cuts[i];
        }
    }
    luaL_error(L, "cut must be 'slot', 'plane' or 'auto', got '%s'", v);
    return XNET_CUT_AUTO;
}

/* xnet.ring(net, layers, { cut = "auto" | "slot" | "plane" | planes per band,
 *   gateway = "medoid" | "index" }) -> Ring cut from the grid;
 * xnet.ring(net, { {ids...}, ... }, { gateways = {ids...} | gateway = "medoid" }) -> a user's Ring */
static int l_ring(lua_State *L)
{
    static const char *const allowed[] = {"gateways", "gateway", "cut", NULL};
    xnet_network_t *net = xnet_l_check_network(L, 1);
    int nodes = xnet_network_nodes(net);
    xnet_l_options(L, 3, "xnet.ring", allowed);
    xnet_gateway_rule_t rule = gateway_rule_option(L, 3);
    if (lua_type(L, 2) == LUA_TNUMBER) {
        if (xnet_l_rawfield(L, 3, "gateways") != LUA_TNIL) {
            return luaL_error(L, "gateways are given with explicit subnets, not a layer count");
        }
        lua_pop(L, 1);
        int band;
        xnet_cut_t cut = cut_option(L, 3, xnet_network_walker(net)->planes, &band);
        int layers = (int)xnet_l_check_range(L, 2, "layers", 1, nodes);
        xnet_ring_t **ring = new_ring(L, 1);
        net = xnet_l_check_network(L, 1);
        if (band ? xnet_ring_cut(ring, xnet_network_walker(net), layers, band)
                       || (rule == XNET_GATEWAY_MEDOID && xnet_ring_medoid_gateways(*ring, net))
                 : xnet_ring_create(ring, net, layers, cut, rule)) {
            return xnet_l_raise(L);
        }
        return 1;
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    if (xnet_l_rawfield(L, 3, "cut") != LUA_TNIL) {
        return luaL_error(L, "cut is for a layer count, not explicit subnets");
    }
    lua_settop(L, 3); /* the box and rows go above the arguments */
    lua_Integer layers;
    int base = xnet_l_list_base(L, 2, &layers, "the subnets");
    if (layers < 1 || layers > nodes) {
        return luaL_error(L, "a ring needs 1 to %d subnets, got %I", nodes, layers);
    }
    /* ids[0 .. nodes) for members, then sizes[layers], then gateways[layers] */
    void **box = xnet_l_box(L);
    int *ids = *box = malloc(sizeof(int) * ((size_t)nodes + 2 * (size_t)layers));
    if (!ids) {
        return luaL_error(L, "out of memory reading the ring");
    }
    int *sizes = ids + nodes, *gateways = NULL, total = 0;
    for (int l = 0; l < layers; l++) {
        char what[48];
        snprintf(what, sizeof what, "subnet %d", l);
        lua_rawgeti(L, 2, l + base);
        sizes[l] = read_ids(L, -1, ids + total, nodes - total, what, nodes);
        total += sizes[l];
        lua_pop(L, 1);
    }
    if (xnet_l_rawfield(L, 3, "gateways") != LUA_TNIL) {
        if (xnet_l_rawfield(L, 3, "gateway") != LUA_TNIL) {
            return luaL_error(L, "give either gateways (a list) or gateway (a rule), not both");
        }
        lua_pop(L, 1);
        gateways = sizes + layers;
        int n = read_ids(L, -1, gateways, (int)layers, "gateways", nodes);
        if (n != layers) {
            return luaL_error(L, "gateways lists %d satellites for %I subnets", n, layers);
        }
    }
    lua_pop(L, 1);
    xnet_ring_t **ring = new_ring(L, 1);
    net = xnet_l_check_network(L, 1);
    if (xnet_ring_from_subnets(ring, nodes, (int)layers, sizes, ids, gateways)
        || (!gateways && rule == XNET_GATEWAY_MEDOID && xnet_ring_medoid_gateways(*ring, net))) {
        return xnet_l_raise(L);
    }
    return 1;
}

/* ring:stats() -> { [l] = { size =, planes =, slots =, contiguous =, diameter_hops =,
 *   mean_member_s =, mean_previous_s =, gateway_hop_s =, gateway_hops = }, band_planes = }
 *   for l = 0..L-1, on the network's mean-latency graph */
static int l_ring_stats(lua_State *L)
{
    int layers = xnet_l_check_ring(L, 1)->layers;
    void **box = xnet_l_box(L);
    xnet_subnet_stats_t *st = *box = malloc(sizeof *st * (size_t)layers);
    if (!st) {
        return luaL_error(L, "out of memory");
    }
    lua_getiuservalue(L, 1, 1);
    xnet_network_t *net = xnet_l_check_network(L, -1);
    const xnet_ring_t *r = xnet_l_check_ring(L, 1);
    int band = r->band_planes;
    if (xnet_ring_stats(r, net, st)) {
        return xnet_l_raise(L);
    }
    lua_createtable(L, layers, 1);
    for (int l = 0; l < layers; l++) {
        lua_createtable(L, 0, 9);
        const char *ints[] = {"size", "planes", "slots", "diameter_hops", "gateway_hops"};
        int iv[] = {st[l].size, st[l].planes, st[l].slots, st[l].diameter_hops,
                    st[l].gateway_hops};
        for (int i = 0; i < 5; i++) {
            if (iv[i] >= 0) { /* -1: not contiguous, or unreachable */
                lua_pushinteger(L, iv[i]);
                lua_setfield(L, -2, ints[i]);
            }
        }
        lua_pushboolean(L, st[l].contiguous);
        lua_setfield(L, -2, "contiguous");
        lua_pushnumber(L, st[l].mean_member_s);
        lua_setfield(L, -2, "mean_member_s");
        lua_pushnumber(L, st[l].mean_previous_s);
        lua_setfield(L, -2, "mean_previous_s");
        lua_pushnumber(L, st[l].gateway_hop_s);
        lua_setfield(L, -2, "gateway_hop_s");
        lua_rawseti(L, -2, l);
    }
    if (band > 0) {
        lua_pushinteger(L, band);
        lua_setfield(L, -2, "band_planes");
    }
    return 1;
}

/* ring:subnet(l) -> { ids... } in ring order */
static int l_ring_subnet(lua_State *L)
{
    const xnet_ring_t *r = xnet_l_check_ring(L, 1);
    int l = (int)xnet_l_check_range(L, 2, "layer", 0, r->layers - 1);
    int first = r->first[l], n = r->first[l + 1] - first;
    lua_createtable(L, n, 0);
    r = xnet_l_check_ring(L, 1); /* the table may have run a finalizer */
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, r->members[first + i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* ring:gateway(l) -> satellite id of layer l's gateway */
static int l_ring_gateway(lua_State *L)
{
    const xnet_ring_t *r = xnet_l_check_ring(L, 1);
    lua_pushinteger(L, r->gateway[xnet_l_check_range(L, 2, "layer", 0, r->layers - 1)]);
    return 1;
}

static int l_ring_layers(lua_State *L)
{
    lua_pushinteger(L, xnet_l_check_ring(L, 1)->layers);
    return 1;
}

/* ring:satellites() -> the size of the network it was cut from */
static int l_ring_satellites(lua_State *L)
{
    lua_pushinteger(L, xnet_l_check_ring(L, 1)->nodes);
    return 1;
}

static int l_ring_tostring(lua_State *L)
{
    const xnet_ring_t *r = xnet_l_check_ring(L, 1);
    int lo = r->nodes, hi = 0;
    for (int l = 0; l < r->layers; l++) {
        int n = r->first[l + 1] - r->first[l];
        lo = n < lo ? n : lo;
        hi = n > hi ? n : hi;
    }
    lua_pushfstring(L, "ring of %d subnets of %d to %d satellites (%d of %d used)", r->layers, lo,
                    hi, r->first[r->layers], r->nodes);
    return 1;
}

/* --- Plan --------------------------------------------------------------------- */

const xnet_plan_t *xnet_l_check_plan(lua_State *L, int idx)
{
    return xnet_l_handle_check(L, idx, XNET_PLAN_MT);
}

/* A closed plan; uservalue 1 is a cache table for cost tables (l_latency.c). */
static xnet_plan_t **new_plan(lua_State *L)
{
    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_PLAN_MT, 1, destroy_plan);
    lua_newtable(L);
    lua_setiuservalue(L, -2, 1);
    return (xnet_plan_t **)&h->ptr;
}

/* The hosting options of the table at idx: memory_bytes (bytes per
 * satellite; absent: one expert per satellite), parallel_experts = 1,
 * gateway_hosts = false. 1 when memory_bytes is given. */
static int hosting_options(lua_State *L, int idx, xnet_hosting_t *h)
{
    memset(h, 0, sizeof *h);
    if (lua_type(L, idx) != LUA_TTABLE) {
        return 0;
    }
    /* checked even without memory_bytes: a wrong value is never ignored */
    lua_Integer p = xnet_l_opt_integer(L, idx, "parallel_experts", 1);
    if (p < 1 || p > XNET_MAX_TOP_K) {
        luaL_error(L, "parallel_experts must be in [1, %d], got %I", XNET_MAX_TOP_K, p);
    }
    int gateway_hosts = xnet_l_opt_boolean(L, idx, "gateway_hosts", 0);
    int has_memory = xnet_l_rawfield(L, idx, "memory_bytes") != LUA_TNIL;
    lua_pop(L, 1);
    if (!has_memory) {
        return 0;
    }
    h->memory_bytes = xnet_l_opt_number(L, idx, "memory_bytes", 0);
    h->parallel_experts = (int)p;
    h->gateway_hosts = gateway_hosts;
    if (!(h->memory_bytes > 0) || !isfinite(h->memory_bytes)) {
        xnet_l_error(L, "memory_bytes must be > 0 and finite, got %.14g", h->memory_bytes);
    }
    return 1;
}

/* hosting_options for a plan from ids: the table's `model` gives expert_bytes. */
static int plan_hosting_options(lua_State *L, int idx, const char *what, xnet_hosting_t *h,
                                double *expert_bytes)
{
    int hosted = hosting_options(L, idx, h);
    if (lua_type(L, idx) != LUA_TTABLE) {
        return hosted;
    }
    if (xnet_l_rawfield(L, idx, "model") != LUA_TNIL) { /* checked even when unused */
        if (!luaL_testudata(L, -1, XNET_MODEL_MT)) {
            luaL_error(L, "%s: option 'model' must be a Model, got %s", what, luaL_typename(L, -1));
        }
        if (hosted) {
            *expert_bytes = xnet_l_check_model(L, -1)->expert_bytes;
        }
    } else if (hosted) {
        luaL_error(L, "%s: memory_bytes needs the model (its expert_bytes)", what);
    }
    lua_pop(L, 1);
    return hosted;
}

/* plan:hosting() -> { memory_bytes =, parallel_experts =, gateway_hosts =, expert_bytes = }
 * or nil for one expert per satellite */
static int l_plan_hosting(lua_State *L)
{
    const xnet_plan_t *p = xnet_l_check_plan(L, 1);
    if (!(p->hosting.memory_bytes > 0)) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, p->hosting.memory_bytes);
    lua_setfield(L, -2, "memory_bytes");
    lua_pushinteger(L, p->hosting.parallel_experts);
    lua_setfield(L, -2, "parallel_experts");
    lua_pushboolean(L, p->hosting.gateway_hosts);
    lua_setfield(L, -2, "gateway_hosts");
    lua_pushnumber(L, p->expert_bytes);
    lua_setfield(L, -2, "expert_bytes");
    return 1;
}

/* plan:gateway(l) -> satellite id */
static int l_plan_gateway(lua_State *L)
{
    const xnet_plan_t *p = xnet_l_check_plan(L, 1);
    lua_pushinteger(L, p->gateway[xnet_l_check_range(L, 2, "layer", 0, p->layers - 1)]);
    return 1;
}

/* plan:satellite(l, e) -> satellite id of expert e of layer l */
static int l_plan_satellite(lua_State *L)
{
    const xnet_plan_t *p = xnet_l_check_plan(L, 1);
    int l = (int)xnet_l_check_range(L, 2, "layer", 0, p->layers - 1);
    int e = (int)xnet_l_check_range(L, 3, "expert", 0, p->experts - 1);
    lua_pushinteger(L, p->satellite[(size_t)l * (size_t)p->experts + (size_t)e]);
    return 1;
}

/* plan:copies(l, e) -> { satellite ids }: every copy of expert e of layer
 * l, the first (plan:satellite(l, e)) first */
static int l_plan_copies(lua_State *L)
{
    const xnet_plan_t *p = xnet_l_check_plan(L, 1);
    int l = (int)xnet_l_check_range(L, 2, "layer", 0, p->layers - 1);
    int e = (int)xnet_l_check_range(L, 3, "expert", 0, p->experts - 1);
    int i = l * p->experts + e, n = xnet_plan_copies(p, i);
    lua_createtable(L, n, 0);
    for (int c = 0; c < n; c++) {
        lua_pushinteger(L, xnet_plan_copy(p, i, c));
        lua_rawseti(L, -2, c + 1);
    }
    return 1;
}

/* plan:replicas() -> { { layer =, expert =, satellite = }, ... }: the extra
 * copies, by layer and expert (empty without replicas) */
static int l_plan_replicas(lua_State *L)
{
    const xnet_plan_t *p = xnet_l_check_plan(L, 1);
    lua_createtable(L, p->replicas, 0);
    int row = 0;
    for (int i = 0; i < p->layers * p->experts; i++) {
        for (int c = 1; c < xnet_plan_copies(p, i); c++) {
            lua_createtable(L, 0, 3);
            lua_pushinteger(L, i / p->experts);
            lua_setfield(L, -2, "layer");
            lua_pushinteger(L, i % p->experts);
            lua_setfield(L, -2, "expert");
            lua_pushinteger(L, xnet_plan_copy(p, i, c));
            lua_setfield(L, -2, "satellite");
            lua_rawseti(L, -2, ++row);
        }
    }
    return 1;
}

/* plan:method(), plan:layers(), plan:experts() */
static int l_plan_method(lua_State *L)
{
    lua_pushstring(L, xnet_l_check_plan(L, 1)->method);
    return 1;
}

/* plan:satellites() -> the size of the network it places on */
static int l_plan_satellites(lua_State *L)
{
    lua_pushinteger(L, xnet_l_check_plan(L, 1)->nodes);
    return 1;
}

static int l_plan_layers(lua_State *L)
{
    lua_pushinteger(L, xnet_l_check_plan(L, 1)->layers);
    return 1;
}

static int l_plan_experts(lua_State *L)
{
    lua_pushinteger(L, xnet_l_check_plan(L, 1)->experts);
    return 1;
}

/* plan:save(path) -> true | nil, "path: reason" (atomic CSV) */
static int l_plan_save(lua_State *L)
{
    const char *path = luaL_checkstring(L, 2);
    void **box = xnet_l_box(L);
    size_t len;
    if (xnet_plan_format(xnet_l_check_plan(L, 1), (char **)box, &len)
        || xnet_file_write_atomic(path, *box, len, 0)) {
        return xnet_l_fail_result(L);
    }
    xnet_l_box_free(box);
    lua_pushboolean(L, 1);
    return 1;
}

/* xnet.plan.load(path[, { model =, memory_bytes =, parallel_experts =, gateway_hosts = }])
 * -> Plan | nil, "path[:line]: reason"; with memory_bytes satellites may hold
 * several experts, checked against the budget with the model's expert_bytes */
static int l_plan_load(lua_State *L)
{
    static const char *const allowed[] = {"model", "memory_bytes", "parallel_experts",
                                          "gateway_hosts", NULL};
    const char *path = luaL_checkstring(L, 1);
    xnet_l_options(L, 2, "xnet.plan.load", allowed);
    xnet_hosting_t hosting;
    double expert_bytes = 0;
    int hosted = plan_hosting_options(L, 2, "xnet.plan.load", &hosting, &expert_bytes);
    void **box = xnet_l_box(L);
    size_t len;
    xnet_plan_t **plan = new_plan(L);
    if (xnet_file_read(path, (char **)box, &len)
        || xnet_plan_parse_hosted(plan, path, *box, len, hosted ? &hosting : NULL, expert_bytes)) {
        return xnet_l_fail_result(L);
    }
    xnet_l_box_free(box);
    return 1;
}

/* The list `replicas` of the table at idx, { { layer =, expert =, satellite
 * = }, ... }, into the plan (not yet visible to Lua). */
static void read_replicas(lua_State *L, int idx, xnet_plan_t *plan)
{
    if (xnet_l_rawfield(L, idx, "replicas") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (lua_type(L, -1) != LUA_TTABLE) {
        luaL_error(L, "replicas must be a list of { layer =, expert =, satellite = }, got %s",
                   luaL_typename(L, -1));
    }
    int list = lua_gettop(L);
    lua_Integer n;
    int base = xnet_l_list_base(L, list, &n, "replicas");
    if (n > (lua_Integer)plan->layers * plan->experts * (lua_Integer)plan->nodes) {
        luaL_error(L, "replicas lists %I copies, more than %d layers x %d experts x %d "
                      "satellites", n, plan->layers, plan->experts, plan->nodes);
    }
    void **box = xnet_l_box(L);
    int *slot = *box = malloc(sizeof(int) * (2 * (size_t)n + 1));
    if (!slot) {
        luaL_error(L, "out of memory for %I replicas", n);
    }
    int *sat = slot + n;
    static const char *const fields[] = {"layer", "expert", "satellite", NULL};
    for (lua_Integer j = 0; j < n; j++) {
        if (lua_rawgeti(L, list, j + base) != LUA_TTABLE) {
            luaL_error(L, "replica %I must be a table { layer =, expert =, satellite = }, got %s",
                       j + 1, luaL_typename(L, -1));
        }
        char what[40];
        snprintf(what, sizeof what, "replica %lld", (long long)(j + 1));
        xnet_l_check_options(L, -1, what, fields);
        lua_Integer v[3], hi[3] = {plan->layers - 1, plan->experts - 1, plan->nodes - 1};
        for (int f = 0; f < 3; f++) {
            xnet_l_rawfield(L, -1, fields[f]);
            v[f] = xnet_l_check_range(L, -1, fields[f], 0, hi[f]);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        slot[j] = (int)(v[0] * plan->experts + v[1]);
        sat[j] = (int)v[2];
    }
    if (xnet_plan_set_replicas(plan, (int)n, slot, sat)) {
        xnet_l_raise(L);
    }
    lua_settop(L, list - 1);
}

/* xnet.plan.new{ method =, satellites = N, gateways = {...}, experts = { {...}, ... },
 *   replicas = { { layer =, expert =, satellite = }, ... } }
 * -> Plan from explicit ids (layer l's expert e is experts[l + 1][e + 1]) */
static int l_plan_new(lua_State *L)
{
    static const char *const allowed[] = {"method",       "satellites",       "gateways",
                                          "experts",      "model",            "memory_bytes",
                                          "parallel_experts", "gateway_hosts", "replicas",
                                          NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    xnet_l_check_options(L, 1, "xnet.plan.new", allowed);
    xnet_hosting_t hosting;
    double expert_bytes = 0;
    int hosted = plan_hosting_options(L, 1, "xnet.plan.new", &hosting, &expert_bytes);
    const char *method = xnet_l_opt_string(L, 1, "method", "custom");
    lua_Integer nodes = xnet_l_opt_integer(L, 1, "satellites", 0);
    if (nodes < 1 || nodes > XNET_MAX_SATELLITES) {
        return luaL_error(L, "satellites must be in [1, %d], got %I", XNET_MAX_SATELLITES, nodes);
    }
    if (xnet_l_rawfield(L, 1, "gateways") != LUA_TTABLE
        || xnet_l_rawfield(L, 1, "experts") != LUA_TTABLE) {
        return luaL_error(L, "xnet.plan.new needs the lists 'gateways' and 'experts'");
    }
    lua_Integer layers, experts_layers, experts;
    xnet_l_list_base(L, -2, &layers, "gateways");
    int lbase = xnet_l_list_base(L, -1, &experts_layers, "experts");
    if (layers < 1 || experts_layers != layers) {
        return luaL_error(L, "gateways (%I) and experts (%I) need one entry per layer", layers,
                          experts_layers);
    }
    lua_rawgeti(L, -1, lbase);
    if (lua_type(L, -1) != LUA_TTABLE) {
        return luaL_error(L, "experts of layer 0 must be a list of satellite ids, got %s",
                          luaL_typename(L, -1));
    }
    xnet_l_list_base(L, -1, &experts, "experts of layer 0");
    lua_pop(L, 1);
    if (experts < 1 || experts > XNET_MAX_EXPERTS || layers > XNET_MAX_LAYERS) {
        return luaL_error(L, "a plan needs 1 to %d layers and 1 to %d experts, got %I and %I",
                          XNET_MAX_LAYERS, XNET_MAX_EXPERTS, layers,
                          experts);
    }
    xnet_plan_t **plan = new_plan(L);
    int plan_idx = lua_gettop(L);
    if (xnet_plan_alloc(plan, (int)layers, (int)experts, (int)nodes, method)) {
        return xnet_l_raise(L);
    }
    /* The plan is not yet visible to Lua code: only this call can close it. */
    read_ids(L, plan_idx - 2, (*plan)->gateway, (int)layers, "gateways", (int)nodes);
    for (int l = 0; l < layers; l++) {
        char what[48];
        snprintf(what, sizeof what, "experts of layer %d", l);
        lua_rawgeti(L, plan_idx - 1, l + lbase);
        int n = read_ids(L, -1, (*plan)->satellite + (size_t)l * (size_t)experts, (int)experts,
                         what, (int)nodes);
        if (n != experts) {
            return luaL_error(L, "layer %d lists %d experts, layer 0 lists %I", l, n, experts);
        }
        lua_pop(L, 1);
    }
    if (hosted) {
        (*plan)->hosting = hosting;
        (*plan)->expert_bytes = expert_bytes;
    }
    read_replicas(L, 1, *plan);
    if (xnet_plan_check(*plan)) {
        return xnet_l_raise(L);
    }
    lua_settop(L, plan_idx);
    return 1;
}

static int l_plan_tostring(lua_State *L)
{
    const xnet_plan_t *p = xnet_l_check_plan(L, 1);
    char buf[200], copies[48] = "";
    if (p->replicas > 0) {
        snprintf(copies, sizeof copies, " and %d replica%s", p->replicas,
                 p->replicas == 1 ? "" : "s");
    }
    snprintf(buf, sizeof buf,
             "plan %s: %d layers x %d experts%s on %d satellites (gateway of layer 0: %d)",
             p->method, p->layers, p->experts, copies, p->nodes, p->gateway[0]);
    lua_pushstring(L, buf);
    return 1;
}

static int l_plan_eq(lua_State *L)
{
    const xnet_plan_t *a = xnet_l_check_plan(L, 1), *b = xnet_l_check_plan(L, 2);
    int same = a->layers == b->layers && a->experts == b->experts && a->nodes == b->nodes
            && memcmp(a->gateway, b->gateway, sizeof(int) * (size_t)a->layers) == 0
            && memcmp(a->satellite, b->satellite,
                      sizeof(int) * (size_t)a->layers * (size_t)a->experts) == 0
            && a->replicas == b->replicas
            && (a->replicas == 0
                || (memcmp(a->replica_first, b->replica_first,
                           sizeof(int) * ((size_t)a->layers * (size_t)a->experts + 1)) == 0
                    && memcmp(a->replica_satellite, b->replica_satellite,
                              sizeof(int) * (size_t)a->replicas) == 0));
    lua_pushboolean(L, same);
    return 1;
}

/* --- placement ------------------------------------------------------------------ */

/* Check the argument types of a placement call (net, ring, profile at 1..3,
 * profile optional); the objects themselves are taken at the point of use. */
static void check_place_args(lua_State *L, int with_profile)
{
    luaL_checkudata(L, 1, XNET_NETWORK_MT);
    luaL_checkudata(L, 2, XNET_RING_MT);
    if (with_profile) {
        luaL_checkudata(L, 3, XNET_PROFILE_MT);
    }
}

/* Warn about subnets with fewer candidates connected in some snapshot than
 * experts (connected[l], from the placement): those experts' tokens are
 * undelivered in every snapshot. */
static void warn_unconnected(lua_State *L, const char *what, const int *connected, int layers,
                             int experts)
{
    int first_bad = -1, bad = 0;
    for (int l = 0; l < layers; l++) {
        if (connected[l] < experts && bad++ == 0) {
            first_bad = l;
        }
    }
    if (bad > 0) {
        xnet_l_warn(L,
                    "%s: %d of %d subnets have fewer satellites connected to their gateways in "
                    "any snapshot than the %d experts (layer %d: %d); tokens routed to the others "
                    "are undelivered in every snapshot (the network is in pieces: see "
                    "net:components)",
                    what, bad, layers, experts, first_bad, connected[first_bad]);
    }
}

/* The bytes and seconds of one expert of the model behind the profile at idx. */
static void profile_expert(lua_State *L, int idx, double *bytes, double *seconds)
{
    lua_getiuservalue(L, idx, 1);
    const xnet_model_t *m = xnet_l_check_model(L, -1);
    *bytes = m->expert_bytes;
    *seconds = xnet_model_expert_s(m);
    lua_pop(L, 1);
}

/* option load = { rate_tokens_s = x }: the target load placement balances
 * path latency against (the model's compute times; none when absent) */
static void load_option(lua_State *L, int idx, int profile_idx, xnet_place_load_t *load)
{
    memset(load, 0, sizeof *load);
    if (lua_type(L, idx) != LUA_TTABLE || xnet_l_rawfield(L, idx, "load") == LUA_TNIL) {
        if (lua_type(L, idx) == LUA_TTABLE) {
            lua_pop(L, 1);
        }
        return;
    }
    int t = lua_gettop(L);
    static const char *const allowed[] = {"rate_tokens_s", NULL};
    xnet_l_options(L, t, "load", allowed);
    load->rate_tokens_s = xnet_l_opt_number(L, t, "rate_tokens_s", NAN);
    if (!(load->rate_tokens_s >= 0 && isfinite(load->rate_tokens_s))) {
        xnet_l_error(L, "load.rate_tokens_s must be >= 0 and finite, got %.14g",
                     load->rate_tokens_s);
    }
    lua_pop(L, 1);
    lua_getiuservalue(L, profile_idx, 1);
    const xnet_model_t *m = xnet_l_check_model(L, -1);
    load->gateway_s = xnet_model_gateway_s(m);
    load->head_s = xnet_model_head_s(m);
    lua_pop(L, 1);
}

/* xnet.place.spacexnet(net, ring, profile, { variant = "A", memory_bytes, ...,
 *   load = { rate_tokens_s = x } }) -> Plan */
static int l_place_spacexnet(lua_State *L)
{
    static const char *const allowed[] = {"variant", "memory_bytes", "parallel_experts",
                                          "gateway_hosts", "load", NULL};
    check_place_args(L, 1);
    xnet_l_options(L, 4, "xnet.place.spacexnet", allowed);
    xnet_route_t route = xnet_l_route_option(L, 4);
    xnet_hosting_t hosting;
    int hosted = hosting_options(L, 4, &hosting);
    xnet_place_load_t load;
    load_option(L, 4, 3, &load);
    double expert_bytes, expert_s;
    profile_expert(L, 3, &expert_bytes, &expert_s);
    int layers = xnet_l_check_ring(L, 2)->layers;
    int *connected = lua_newuserdatauv(L, sizeof(int) * (size_t)layers, 0);
    xnet_plan_t **plan = new_plan(L);
    int rc = hosted ? xnet_place_hosted_sorted(plan, xnet_l_check_network(L, 1),
                                               xnet_l_check_ring(L, 2), xnet_l_check_profile(L, 3),
                                               route, &hosting, expert_bytes, expert_s, &load)
                    : xnet_place_spacexnet(plan, xnet_l_check_network(L, 1),
                                           xnet_l_check_ring(L, 2), xnet_l_check_profile(L, 3),
                                           route, connected);
    if (rc) {
        return xnet_l_raise(L);
    }
    if (!hosted) { /* several experts per satellite need fewer satellites */
        warn_unconnected(L, "xnet.place.spacexnet", connected, layers, (*plan)->experts);
    }
    return 1;
}

static void set_integer(lua_State *L, const char *field, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, field);
}

static void set_number(lua_State *L, const char *field, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, field);
}

/* xnet.place.optimize(net, ring, profile, { variant = "A", passes = 20,
 *   cut_penalty_s = 1 }) -> Plan, { before_s =, after_s =, moves =, passes = }
 * The sorted rule, then local search on the exact expected layer latency. */
static int l_place_optimize(lua_State *L)
{
    static const char *const allowed[] = {"variant",      "passes",           "cut_penalty_s",
                                          "samples",      "seed",             "memory_bytes",
                                          "parallel_experts", "gateway_hosts", "load", NULL};
    check_place_args(L, 1);
    xnet_l_options(L, 4, "xnet.place.optimize", allowed);
    xnet_route_t route = xnet_l_route_option(L, 4);
    lua_Integer passes = xnet_l_opt_integer(L, 4, "passes", 20);
    if (passes < 1 || passes > XNET_MAX_PASSES) {
        return luaL_error(L, "passes must be in [1, %d], got %I", XNET_MAX_PASSES, passes);
    }
    lua_Integer samples = xnet_l_opt_integer(L, 4, "samples", 2000);
    if (samples < 1 || samples > 10000000) {
        return luaL_error(L, "samples must be in [1, 10000000], got %I", samples);
    }
    xnet_optimize_params_t params = {(int)passes, xnet_l_opt_number(L, 4, "cut_penalty_s", 1.0)};
    xnet_hosted_optimize_params_t hosted_params = {(int)passes, params.cut_penalty_s,
                                                   (int)samples,
                                                   (uint64_t)xnet_l_opt_seed(L, 4, "seed")};
    xnet_hosting_t hosting;
    int hosted = hosting_options(L, 4, &hosting);
    xnet_place_load_t load;
    load_option(L, 4, 3, &load);
    double expert_bytes, expert_s;
    profile_expert(L, 3, &expert_bytes, &expert_s);
    xnet_optimize_stats_t stats = {0, 0, 0, 0};
    xnet_plan_t **plan = new_plan(L);
    if (hosted) {
        if (xnet_place_hosted_optimize(plan, xnet_l_check_network(L, 1), xnet_l_check_ring(L, 2),
                                       xnet_l_check_profile(L, 3), route, &hosting, expert_bytes,
                                       expert_s, &hosted_params, &load, &stats.before_s,
                                       &stats.after_s)) {
            return xnet_l_raise(L);
        }
    } else if (xnet_place_optimize(plan, xnet_l_check_network(L, 1), xnet_l_check_ring(L, 2),
                                   xnet_l_check_profile(L, 3), route, &params, &stats)) {
        return xnet_l_raise(L);
    }
    lua_createtable(L, 0, 4);
    set_number(L, "before_s", stats.before_s);
    set_number(L, "after_s", stats.after_s);
    set_integer(L, "moves", stats.moves);
    set_integer(L, "passes", stats.passes);
    return 2;
}

/* xnet.place.replicate(net, ring, plan, profile, { replicas = N | bytes = B,
 *   variant = "A" }) -> Plan with N (or floor(B / expert_bytes)) more copies
 *   of its hottest experts, each where it lowers their path latency most */
static int l_place_replicate(lua_State *L)
{
    static const char *const allowed[] = {"replicas", "bytes", "variant", NULL};
    luaL_checkudata(L, 1, XNET_NETWORK_MT);
    luaL_checkudata(L, 2, XNET_RING_MT);
    luaL_checkudata(L, 3, XNET_PLAN_MT);
    luaL_checkudata(L, 4, XNET_PROFILE_MT);
    luaL_checktype(L, 5, LUA_TTABLE);
    xnet_l_options(L, 5, "xnet.place.replicate", allowed);
    xnet_route_t route = xnet_l_route_option(L, 5);
    int has_count = xnet_l_rawfield(L, 5, "replicas") != LUA_TNIL;
    int has_bytes = xnet_l_rawfield(L, 5, "bytes") != LUA_TNIL;
    lua_pop(L, 2);
    if (has_count == has_bytes) {
        return luaL_error(L, "xnet.place.replicate: give exactly one of replicas (extra copies "
                             "in all) and bytes (their memory in all)");
    }
    double expert_bytes, expert_s;
    profile_expert(L, 4, &expert_bytes, &expert_s);
    lua_Integer count;
    if (has_count) {
        count = xnet_l_opt_integer(L, 5, "replicas", 0);
    } else {
        double bytes = xnet_l_opt_number(L, 5, "bytes", 0);
        if (!(bytes >= 0 && bytes < 1e300)) {
            return xnet_l_error(L, "bytes must be finite and >= 0, got %.14g", bytes);
        }
        double n = floor(bytes / expert_bytes);
        count = n > (double)INT_MAX ? INT_MAX : (lua_Integer)n;
    }
    if (count < 0 || count > INT_MAX / 2) {
        return luaL_error(L, "replicas must be in [0, %d], got %I", INT_MAX / 2, count);
    }
    xnet_plan_t **plan = new_plan(L);
    if (xnet_place_replicate(plan, xnet_l_check_network(L, 1), xnet_l_check_ring(L, 2),
                             xnet_l_check_plan(L, 3), xnet_l_check_profile(L, 4), route,
                             (int)count)) {
        return xnet_l_raise(L);
    }
    return 1;
}

/* xnet.place.randplace(net, model, { seed = 1 }) -> Plan */
static int l_place_randplace(lua_State *L)
{
    static const char *const allowed[] = {"seed", "memory_bytes", "parallel_experts",
                                          "gateway_hosts", NULL};
    luaL_checkudata(L, 1, XNET_NETWORK_MT);
    const xnet_model_t *m = xnet_l_check_model(L, 2);
    xnet_l_options(L, 3, "xnet.place.randplace", allowed);
    uint64_t seed = (uint64_t)xnet_l_opt_seed(L, 3, "seed");
    xnet_hosting_t hosting;
    int hosted = hosting_options(L, 3, &hosting);
    xnet_plan_t **plan = new_plan(L);
    int nodes = xnet_network_nodes(xnet_l_check_network(L, 1));
    int rc = hosted ? xnet_place_hosted_random(plan, NULL, nodes, m->layers, m->experts, seed,
                                               XNET_RANDPLACE, &hosting, m->expert_bytes)
                    : xnet_place_randplace(plan, nodes, m->layers, m->experts, seed);
    if (rc) {
        return xnet_l_raise(L);
    }
    return 1;
}

static int place_randintra(lua_State *L, int central)
{
    static const char *const allowed[] = {"seed", "memory_bytes", "parallel_experts",
                                          "gateway_hosts", NULL};
    const char *name = central ? "xnet.place.randintra_cg" : "xnet.place.randintra";
    check_place_args(L, 0);
    const xnet_model_t *m = xnet_l_check_model(L, 3);
    xnet_l_options(L, 4, name, allowed);
    uint64_t seed = (uint64_t)xnet_l_opt_seed(L, 4, "seed");
    xnet_hosting_t hosting;
    int hosted = hosting_options(L, 4, &hosting);
    xnet_plan_t **plan = new_plan(L);
    xnet_network_t *net = xnet_l_check_network(L, 1);
    const xnet_ring_t *ring = xnet_l_check_ring(L, 2);
    if (ring->nodes != xnet_network_nodes(net)) {
        return luaL_error(L, "the ring is for %d satellites, the network has %d", ring->nodes,
                          xnet_network_nodes(net));
    }
    if (ring->layers != m->layers) {
        return luaL_error(L, "the ring has %d subnets, the model %d layers", ring->layers,
                          m->layers);
    }
    int rc = hosted ? xnet_place_hosted_random(plan, ring, ring->nodes, m->layers, m->experts,
                                               seed, central ? XNET_RANDINTRA_CG : XNET_RANDINTRA,
                                               &hosting, m->expert_bytes)
                    : xnet_place_randintra(plan, ring, m->experts, seed, central);
    if (rc) {
        return xnet_l_raise(L);
    }
    return 1;
}

/* xnet.place.randintra(net, ring, model, { seed = 1 }) -> Plan */
static int l_place_randintra(lua_State *L)
{
    return place_randintra(L, 0);
}

/* xnet.place.randintra_cg(net, ring, model, { seed = 1 }) -> Plan */
static int l_place_randintra_cg(lua_State *L)
{
    return place_randintra(L, 1);
}

/* xnet.place.expected(net, ring, { variant = "A" }) ->
 *   { [l] = { { satellite =, mean_s =, missing =, gateway = bool }, ... } } for l = 0..L-1 */
static int l_place_expected(lua_State *L)
{
    static const char *const allowed[] = {"variant", NULL};
    check_place_args(L, 0);
    xnet_l_options(L, 3, "xnet.place.expected", allowed);
    xnet_route_t route = xnet_l_route_option(L, 3);
    void **box = xnet_l_box(L);
    const xnet_ring_t *ring = xnet_l_check_ring(L, 2);
    int layers = ring->layers;
    /* The candidates, then a copy of first[0 .. layers]: the ring is not
     * needed after the kernel call. */
    size_t members = (size_t)ring->first[layers] + 1;
    xnet_candidate_t *c = *box = malloc(sizeof *c * members + sizeof(int) * ((size_t)layers + 1));
    if (!c) {
        return luaL_error(L, "out of memory");
    }
    int *first = (int *)(void *)(c + members);
    memcpy(first, ring->first, sizeof(int) * ((size_t)layers + 1));
    if (xnet_expected_latency(xnet_l_check_network(L, 1), ring, route, c)) {
        return xnet_l_raise(L);
    }
    lua_createtable(L, layers, 1);
    for (int l = 0; l < layers; l++) {
        lua_createtable(L, first[l + 1] - first[l], 0);
        for (int i = first[l]; i < first[l + 1]; i++) {
            lua_createtable(L, 0, 4);
            set_integer(L, "satellite", c[i].satellite);
            lua_pushboolean(L, c[i].missing < 0);
            lua_setfield(L, -2, "gateway");
            if (c[i].missing >= 0) {
                set_integer(L, "missing", c[i].missing);
                if (!isnan(c[i].mean_s)) {
                    set_number(L, "mean_s", c[i].mean_s);
                }
            }
            lua_rawseti(L, -2, i - first[l] + 1);
        }
        lua_rawseti(L, -2, l);
    }
    return 1;
}

int luaopen_xnet_placement(lua_State *L)
{
    static const luaL_Reg ring_methods[] = {{"subnet", l_ring_subnet}, {"gateway", l_ring_gateway},
                                            {"layers", l_ring_layers}, {"stats", l_ring_stats},
                                            {"satellites", l_ring_satellites}, {NULL, NULL}};
    static const luaL_Reg ring_meta[] = {{"__len", l_ring_layers},
                                         {"__tostring", l_ring_tostring}, {NULL, NULL}};
    static const luaL_Reg plan_methods[] = {
        {"gateway", l_plan_gateway}, {"satellite", l_plan_satellite}, {"method", l_plan_method},
        {"hosting", l_plan_hosting}, {"copies", l_plan_copies}, {"replicas", l_plan_replicas},
        {"layers", l_plan_layers},   {"experts", l_plan_experts},     {"save", l_plan_save},
        {"satellites", l_plan_satellites}, {NULL, NULL}};
    static const luaL_Reg plan_meta[] = {{"__tostring", l_plan_tostring}, {"__eq", l_plan_eq},
                                         {NULL, NULL}};
    static const luaL_Reg place_functions[] = {
        {"spacexnet", l_place_spacexnet}, {"randplace", l_place_randplace},
        {"randintra", l_place_randintra}, {"randintra_cg", l_place_randintra_cg},
        {"expected", l_place_expected},   {"optimize", l_place_optimize},
        {"replicate", l_place_replicate}, {NULL, NULL}};
    static const luaL_Reg plan_functions[] = {{"load", l_plan_load}, {"new", l_plan_new},
                                              {NULL, NULL}};
    xnet_l_new_handle_type(L, XNET_RING_MT, ring_methods, ring_meta);
    xnet_l_new_handle_type(L, XNET_PLAN_MT, plan_methods, plan_meta);
    lua_pushcfunction(L, l_ring);
    lua_setfield(L, -2, "ring");
    lua_newtable(L);
    luaL_setfuncs(L, place_functions, 0);
    lua_setfield(L, -2, "place");
    lua_newtable(L);
    luaL_setfuncs(L, plan_functions, 0);
    lua_setfield(L, -2, "plan");
    return 0;
}
