/* Lua binding for evaluating a plan (src/latency.c). */
#include "error.h"
#include "l_common.h"
#include "l_ground.h"
#include "l_moe.h"
#include "l_network.h"
#include "l_placement.h"
#include "latency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XNET_COST_MT "xnet.Cost"

static void destroy_cost(void *cost)
{
    xnet_cost_destroy(cost);
}

/* The plan's cost table on this network for this route: built once and kept
 * in the plan's cache table (keyed by the network's serial number and the
 * route), which holds the only reference and lives as long as the plan. */
static const xnet_cost_t *plan_cost(lua_State *L, int net_idx, int plan_idx, xnet_route_t route,
                                    int hops)
{
    lua_getiuservalue(L, plan_idx, 1);
    lua_pushfstring(L, "%d:%c", (int)xnet_network_serial(xnet_l_check_network(L, net_idx)),
                    route == XNET_ROUTE_A ? 'A' : 'B');
    lua_pushvalue(L, -1);
    if (lua_rawget(L, -3) == LUA_TUSERDATA) {
        /* The cache holds it; the caller's stack keeps the plan and so the cache. */
        xnet_cost_t *c = xnet_l_handle_check(L, -1, XNET_COST_MT);
        if (hops && xnet_cost_hops(c, xnet_l_check_network(L, net_idx),
                                   xnet_l_check_plan(L, plan_idx))) {
            xnet_l_raise(L);
        }
        lua_pop(L, 3);
        return c;
    }
    lua_pop(L, 1);
    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_COST_MT, 0, destroy_cost);
    if (xnet_cost_build((xnet_cost_t **)&h->ptr, xnet_l_check_network(L, net_idx),
                        xnet_l_check_plan(L, plan_idx), route)
        || (hops && xnet_cost_hops(h->ptr, xnet_l_check_network(L, net_idx),
                                   xnet_l_check_plan(L, plan_idx)))) {
        xnet_l_raise(L);
    }
    lua_rawset(L, -3); /* cache[key] = cost */
    lua_pop(L, 1);
    return h->ptr;
}

static void push_layers(lua_State *L, const double *v, int layers, const char *field)
{
    lua_createtable(L, layers, 1);
    for (int l = 0; l < layers; l++) {
        lua_pushnumber(L, v[l]);
        lua_seti(L, -2, l);
    }
    lua_setfield(L, -2, field);
}

/* The breakdown (rows of XNET_PARTS: layers, then the token) as
 * total_field = { propagation_s =, ... } and layers_field = {[0] = {...}};
 * absent when not computed (NaN). */
static void push_parts(lua_State *L, const double *parts, int layers, const char *total_field,
                       const char *layers_field)
{
    if (isnan(parts[(size_t)layers * XNET_PARTS])) {
        return;
    }
    for (int row = layers; row >= 0; row--) {
        if (row == layers - 1) {
            lua_createtable(L, layers, 1);
        }
        lua_createtable(L, 0, XNET_PARTS);
        for (int c = 0; c < XNET_PARTS; c++) {
            if (row == layers || c != XNET_PART_ACCESS) { /* access is the token's */
                lua_pushnumber(L, parts[(size_t)row * XNET_PARTS + c]);
                lua_setfield(L, -2, xnet_part_names[c]);
            }
        }
        if (row == layers) {
            lua_setfield(L, -2, total_field);
        } else {
            lua_seti(L, -2, row);
        }
    }
    lua_setfield(L, -2, layers_field);
}

static void set_number(lua_State *L, const char *field, double v)
{
    if (!isnan(v)) { /* nothing delivered: the field is absent, never a made-up number */
        lua_pushnumber(L, v);
        lua_setfield(L, -2, field);
    }
}

/* xnet.evaluate(net, plan, profile, { tokens = 100000, seed = 1, variant = "A",
 *   snapshot = nil, exact = true }) -> { mean =, p50 =, p95 =, p99 =, stderr =,
 *   undelivered =, per_layer = {[0]..}, exact =, exact_undelivered =,
 *   exact_per_layer = {[0]..}, tokens =, delivered =, ... } (seconds per token) */
static int l_evaluate(lua_State *L)
{
    static const char *const allowed[] = {"tokens", "seed", "variant", "snapshot", "exact",
                                          "user", "retry_s", "breakdown", NULL};
    luaL_checkudata(L, 1, XNET_NETWORK_MT);
    luaL_checkudata(L, 2, XNET_PLAN_MT);
    luaL_checkudata(L, 3, XNET_PROFILE_MT);
    xnet_l_options(L, 4, "xnet.evaluate", allowed);
    lua_Integer tokens = xnet_l_opt_integer(L, 4, "tokens", XNET_DEFAULT_TOKENS);
    if (tokens < 1 || tokens > XNET_MAX_TOKENS) {
        return luaL_error(L, "tokens must be in [1, 2^40], got %I", tokens);
    }
    lua_Integer seed = xnet_l_opt_seed(L, 4, "seed");
    xnet_route_t route = xnet_l_route_option(L, 4);
    int has_snapshot = xnet_l_rawfield(L, 4, "snapshot") != LUA_TNIL;
    lua_pop(L, 1);
    lua_Integer snapshot = xnet_l_opt_integer(L, 4, "snapshot", 0);
    int want_exact = xnet_l_opt_boolean(L, 4, "exact", 1);
    int want_parts = xnet_l_opt_boolean(L, 4, "breakdown", 0);
    double retry_s = xnet_l_opt_number(L, 4, "retry_s", 0);
    if (xnet_l_rawfield(L, 4, "retry_s") != LUA_TNIL && !(retry_s > 0 && isfinite(retry_s))) {
        return xnet_l_error(L, "retry_s must be > 0 and finite, got %.14g", retry_s);
    }
    lua_pop(L, 1);
    int has_user = xnet_l_rawfield(L, 4, "user") != LUA_TNIL;
    xnet_site_t user;
    if (has_user) {
        const xnet_site_t *site = luaL_testudata(L, -1, XNET_TERMINAL_MT);
        if (!site) {
            return luaL_error(L, "option 'user' must be a Terminal (from xnet.ground), got %s",
                              luaL_typename(L, -1));
        }
        user = *site; /* copied: no Lua code can change it later */
    }
    lua_pop(L, 1);
    lua_getiuservalue(L, 3, 1);
    const xnet_model_t *model = xnet_l_check_model(L, -1);
    xnet_compute_t compute = {.gateway_s = xnet_model_gateway_s(model),
                              .expert_s = xnet_model_expert_s(model),
                              .head_s = xnet_model_head_s(model)};
    lua_pop(L, 1);

    /* The plan's cache owns the cost, and the plan is on the stack: the
     * pointer stays valid whatever Lua code runs. */
    const xnet_cost_t *cost = plan_cost(L, 1, 2, route, want_parts);
    int layers = cost->layers, T = cost->snapshots;
    if (has_snapshot && (snapshot < 0 || snapshot >= T)) {
        return luaL_error(L, "snapshot %I out of range [0, %d)", snapshot, T);
    }
    {
        xnet_network_t *net = xnet_l_check_network(L, 1);
        compute.dt_s = xnet_network_time_s(net, 1 % T) - xnet_network_time_s(net, 0);
        if (T == 1) {
            compute.dt_s = xnet_network_params(net)->horizon_s;
        }
    }
    compute.retry_s = retry_s > 0 ? retry_s : compute.dt_s;
    void **box = xnet_l_box(L);
    size_t part_cells = ((size_t)layers + 1) * XNET_PARTS;
    double *per_layer = *box = malloc(sizeof(double) * (4 * (size_t)layers + 4 * part_cells));
    if (!per_layer) {
        return luaL_error(L, "out of memory");
    }
    double *parts = per_layer + 4 * layers; /* Monte Carlo, its stderr, exact, exact charged */
    /* A ground user: per snapshot, uplink to layer 0's gateway and downlink
     * from where the last layer's results gather (layer 0's gateway again in
     * variant A, where the ring wraps; the last layer's gateway in B). */
    xnet_cost_t with_user;
    double *access = NULL;
    if (has_user) {
        void **abox = xnet_l_box(L);
        access = *abox = malloc((2 * sizeof(double) + 2 * sizeof(int)) * (size_t)T);
        if (!access) {
            return luaL_error(L, "out of memory");
        }
        double *down = access + T;
        int *sats = (int *)(down + T);
        const xnet_plan_t *plan = xnet_l_check_plan(L, 2);
        int g_first = plan->gateway[0];
        int g_last = route == XNET_ROUTE_A ? plan->gateway[0] : plan->gateway[layers - 1];
        if (xnet_site_access(&user, xnet_l_check_network(L, 1), g_first, g_last, access, down,
                             sats, sats + T)) {
            return xnet_l_raise(L);
        }
        for (int k = 0; k < T; k++) {
            access[k] += down[k];
        }
        with_user = *cost;
        with_user.access_s = access;
        cost = &with_user;
    }
    char method[sizeof xnet_l_check_plan(L, 2)->method];
    memcpy(method, xnet_l_check_plan(L, 2)->method, sizeof method);
    /* No Lua call runs between taking the profile and the kernel's return. */
    const xnet_profile_t *prof = xnet_l_check_profile(L, 3);
    if (cost->layers != prof->layers || cost->experts != prof->experts) {
        return luaL_error(L, "the plan has %d layers x %d experts, the profile %d x %d",
                          cost->layers, cost->experts, prof->layers, prof->experts);
    }
    xnet_sample_result_t mc = {.per_layer_s = per_layer,
                               .wait_per_layer_s = per_layer + 2 * layers,
                               .parts = want_parts ? parts : NULL,
                               .parts_stderr = parts + part_cells};
    xnet_exact_result_t ex = {.per_layer_s = per_layer + layers,
                              .parts = want_parts ? parts + 2 * part_cells : NULL};
    xnet_wait_result_t exw = {.per_layer_s = per_layer + 3 * layers,
                              .parts = want_parts ? parts + 3 * part_cells : NULL};
    if (!has_snapshot) {
        snapshot = -1;
    }
    if (xnet_latency_evaluate(cost, prof, compute, (size_t)tokens, (uint64_t)seed, (int)snapshot,
                              want_exact, &mc, &ex, &exw)) {
        return xnet_l_raise(L);
    }
    lua_createtable(L, 0, 32);
    /* The headline charges lost tokens their wait; delivered_* is the
     * conditional over tokens whose paths existed at once. */
    const char *const names[] = {"mean", "p50", "p95", "p99", "stderr"};
    const double charged[] = {mc.wait_mean_s, mc.wait_p50_s, mc.wait_p95_s, mc.wait_p99_s,
                              mc.wait_stderr_s};
    const double conditional[] = {mc.mean_s, mc.p50_s, mc.p95_s, mc.p99_s, mc.stderr_s};
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "delivered_%s", names[i]);
        set_number(L, names[i], charged[i]);
        set_number(L, name, conditional[i]);
    }
    lua_pushnumber(L, mc.lost);
    lua_setfield(L, -2, "lost");
    if (!isnan(mc.wait_mean_s)) {
        push_layers(L, mc.wait_per_layer_s, layers, "per_layer");
        if (want_parts) {
            push_parts(L, mc.parts, layers, "breakdown", "per_layer_breakdown");
            push_parts(L, mc.parts_stderr, layers, "breakdown_stderr",
                       "per_layer_breakdown_stderr");
        }
    }
    lua_pushnumber(L, compute.retry_s);
    lua_setfield(L, -2, "retry_s");
    lua_pushnumber(L, mc.undelivered);
    lua_setfield(L, -2, "undelivered");
    lua_pushinteger(L, (lua_Integer)mc.tokens);
    lua_setfield(L, -2, "tokens");
    lua_pushinteger(L, (lua_Integer)mc.delivered);
    lua_setfield(L, -2, "delivered");
    if (mc.delivered) {
        push_layers(L, mc.per_layer_s, layers, "delivered_per_layer");
    }
    if (want_exact && ex.unavailable) {
        lua_pushstring(L, "co-located experts queue and the top-k sets are not enumerated: "
                          "Monte Carlo only");
        lua_setfield(L, -2, "exact_note");
    } else if (want_exact) {
        set_number(L, "exact_delivered", ex.mean_s);
        lua_pushnumber(L, ex.undelivered);
        lua_setfield(L, -2, "exact_undelivered");
        if (!isnan(ex.mean_s)) {
            push_layers(L, ex.per_layer_s, layers, "exact_delivered_per_layer");
        }
    }
    if (want_exact && !exw.unavailable) {
        set_number(L, "exact", exw.mean_s);
        lua_pushnumber(L, exw.lost);
        lua_setfield(L, -2, "exact_lost");
        if (!isnan(exw.mean_s)) {
            push_layers(L, exw.per_layer_s, layers, "exact_per_layer");
            if (want_parts) {
                push_parts(L, exw.parts, layers, "exact_breakdown", "exact_per_layer_breakdown");
            }
        }
    } else if (want_exact && !ex.unavailable && ex.undelivered == 0) {
        /* Nothing is ever cut: no token waits, and the two agree exactly. */
        set_number(L, "exact", ex.mean_s);
        lua_pushnumber(L, 0);
        lua_setfield(L, -2, "exact_lost");
        push_layers(L, ex.per_layer_s, layers, "exact_per_layer");
        if (want_parts) {
            push_parts(L, ex.parts, layers, "exact_breakdown", "exact_per_layer_breakdown");
        }
    } else if (want_exact && !ex.unavailable) {
        lua_pushstring(L, "the exact charge of lost tokens needs enumerated top-k sets and no "
                          "ground user: exact_delivered only");
        lua_setfield(L, -2, "exact_note");
    }
    if (has_user) {
        /* The split of a delivered token: access (ground links and the routes
         * to and from the gateways), compute (every layer's gateway and
         * expert), and the ring (the rest: paths between gateways and experts). */
        double compute_s = layers * (compute.gateway_s + compute.expert_s) + compute.head_s;
        lua_pushstring(L, user.name);
        lua_setfield(L, -2, "user");
        set_number(L, "access", mc.access_s);
        set_number(L, "compute", compute_s);
        set_number(L, "ring", mc.mean_s - mc.access_s - compute_s);
        if (want_exact && !ex.unavailable) {
            set_number(L, "exact_access", ex.access_s);
            set_number(L, "exact_ring", ex.mean_s - ex.access_s - compute_s);
        }
    }
    lua_pushinteger(L, layers);
    lua_setfield(L, -2, "layers");
    lua_pushstring(L, method);
    lua_setfield(L, -2, "method");
    lua_pushstring(L, route == XNET_ROUTE_A ? "A" : "B");
    lua_setfield(L, -2, "variant");
    lua_pushinteger(L, seed);
    lua_setfield(L, -2, "seed");
    lua_pushnumber(L, compute.gateway_s);
    lua_setfield(L, -2, "gateway_s");
    lua_pushnumber(L, compute.expert_s);
    lua_setfield(L, -2, "expert_s");
    lua_getiuservalue(L, 3, 2);
    lua_setfield(L, -2, "profile");
    luaL_setmetatable(L, XNET_RESULT_MT);
    if (mc.delivered == 0) {
        xnet_l_warn(L, "xnet.evaluate: none of the %d tokens was delivered (a path each used "
                       "did not exist in its snapshot); mean, percentiles and per_layer are "
                       "absent", (int)mc.tokens);
    }
    return 1;
}

/* The number field key of the result table at idx (raw), or NaN. */
static double raw_number(lua_State *L, int idx, const char *key)
{
    lua_pushstring(L, key);
    lua_rawget(L, idx);
    double v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
    lua_pop(L, 1);
    return v;
}

/* The field name of the result table at idx (raw), or NULL unless a table. */
static int raw_table(lua_State *L, int idx, const char *key)
{
    lua_pushstring(L, key);
    if (lua_rawget(L, idx) == LUA_TTABLE) {
        return 1;
    }
    lua_pop(L, 1);
    return 0;
}

/* v in %12.6g, or "-" when it is not a number (no exact figure): into buf[32] */
static const char *figure_or_dash(char *buf, double v)
{
    if (isnan(v)) {
        return "-";
    }
    snprintf(buf, 32, "%.6g", v);
    return buf;
}

/* The breakdown as a short table under the summary line, into text[size]
 * ("" when the result has none): the parts that are not 0, Monte Carlo with
 * its standard error, exact, and the share of the mean. Reads the result at
 * index 1; leaves the stack as it was. */
static void breakdown_text(lua_State *L, double mean, double exact, char *text, size_t size)
{
    text[0] = '\0';
    if (!raw_table(L, 1, "breakdown")) {
        return;
    }
    int mc = lua_gettop(L), se = raw_table(L, 1, "breakdown_stderr") ? lua_gettop(L) : 0;
    int ex = raw_table(L, 1, "exact_breakdown") ? lua_gettop(L) : 0;
    size_t used = (size_t)snprintf(text, size, "\n  %-16s %12s %10s %12s %7s", "breakdown (s)",
                                   "mean", "stderr", "exact", "share");
    for (int c = 0; c < XNET_PARTS && used < size; c++) {
        double v = raw_number(L, mc, xnet_part_names[c]);
        double e = se ? raw_number(L, se, xnet_part_names[c]) : NAN;
        double x = ex ? raw_number(L, ex, xnet_part_names[c]) : NAN;
        if (v == 0 && (isnan(x) || x == 0)) {
            continue; /* a part this setting does not have */
        }
        int n = (int)strlen(xnet_part_names[c]) - 2; /* without "_s": the header says (s) */
        char xb[32];
        used += (size_t)snprintf(text + used, size - used, "\n  %-16.*s %12.6g %10.2g %12s %6.1f%%",
                                 n, xnet_part_names[c], v, e, figure_or_dash(xb, x),
                                 100 * v / mean);
    }
    if (used < size) {
        char xb[32];
        snprintf(text + used, size - used, "\n  %-16s %12.6g %10s %12s", "total", mean, "",
                 figure_or_dash(xb, exact));
    }
    lua_settop(L, mc - 1);
}

/* tostring(result): one line, the figures a reader looks at first */
static int l_result_tostring(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *names[] = {"method", "profile", "variant"};
    const char *text[3];
    for (int i = 0; i < 3; i++) {
        lua_pushstring(L, names[i]);
        lua_rawget(L, 1);
        text[i] = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    }
    double tokens = raw_number(L, 1, "tokens"), mean = raw_number(L, 1, "mean");
    double undelivered = raw_number(L, 1, "undelivered"), exact = raw_number(L, 1, "exact");
    char parts[(XNET_PARTS + 2) * 80];
    breakdown_text(L, mean, exact, parts, sizeof parts);
    lua_pushstring(L, "exact_note"); /* kept below the buffer, read by pointer */
    const char *note = lua_rawget(L, 1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "evaluate %s, profile %s, variant %s: %d tokens", text[0], text[1],
                    text[2], (int)tokens);
    luaL_addvalue(&b);
    char line[256];
    if (isnan(mean)) {
        snprintf(line, sizeof line, ", none delivered");
    } else {
        snprintf(line, sizeof line, ", mean %.6g s/token (p50 %.6g, p95 %.6g, p99 %.6g)", mean,
                 raw_number(L, 1, "p50"), raw_number(L, 1, "p95"), raw_number(L, 1, "p99"));
    }
    luaL_addstring(&b, line);
    if (!isnan(exact)) {
        snprintf(line, sizeof line, ", exact %.6g", exact);
        luaL_addstring(&b, line);
    } else if (note) {
        luaL_addstring(&b, ", no exact figure: ");
        luaL_addstring(&b, note);
    }
    snprintf(line, sizeof line, ", undelivered %.3g%%", 100 * undelivered);
    luaL_addstring(&b, line);
    luaL_addstring(&b, parts);
    luaL_pushresult(&b);
    return 1;
}

int luaopen_xnet_latency(lua_State *L)
{
    static const luaL_Reg result_meta[] = {{"__tostring", l_result_tostring}, {NULL, NULL}};
    luaL_newmetatable(L, XNET_RESULT_MT); /* no __index: a result stays a plain table */
    luaL_setfuncs(L, result_meta, 0);
    lua_pop(L, 1);
    static const luaL_Reg cost_methods[] = {{NULL, NULL}};
    static const luaL_Reg cost_meta[] = {{NULL, NULL}};
    xnet_l_new_handle_type(L, XNET_COST_MT, cost_methods, cost_meta);
    lua_pushcfunction(L, l_evaluate);
    lua_setfield(L, -2, "evaluate");
    return 0;
}
