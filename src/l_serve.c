/* Lua binding for serving many tokens at once: the simulation (src/serve.c)
 * and the queueing approximation (src/queueing.c). */
#include "error.h"
#include "l_common.h"
#include "l_moe.h"
#include "l_network.h"
#include "l_placement.h"
#include "latency.h"
#include "queueing.h"
#include "serve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    xnet_serve_params_t par;
    xnet_route_t route;
    int snapshot, exponential, analytic, busiest, progress, replica;
    double retry_s; /* 0: the snapshot spacing */
} serve_options_t;

static void read_options(lua_State *L, int idx, serve_options_t *o)
{
    static const char *const allowed[] = {"streams", "rate_tokens_s", "duration_s", "warmup_s",
                                          "seed", "replications", "variant", "snapshot",
                                          "service", "method", "max_tokens", "busiest", "retry_s",
                                          "progress", "replica", NULL};
    xnet_l_options(L, idx, "xnet.serve", allowed);
    memset(o, 0, sizeof *o);
    int has_streams = xnet_l_rawfield(L, idx, "streams") != LUA_TNIL;
    int has_rate = xnet_l_rawfield(L, idx, "rate_tokens_s") != LUA_TNIL;
    lua_pop(L, 2);
    lua_Integer streams = xnet_l_opt_integer(L, idx, "streams", 0);
    double rate = xnet_l_opt_number(L, idx, "rate_tokens_s", 0);
    if (has_streams == has_rate) {
        luaL_error(L, "xnet.serve: give exactly one of streams (closed loop) and rate_tokens_s "
                      "(open arrivals)");
    }
    if (has_streams && (streams < 1 || streams > 10000000)) {
        luaL_error(L, "streams must be in [1, 10000000], got %I", streams);
    }
    if (has_rate && !(rate > 0 && isfinite(rate))) {
        xnet_l_error(L, "rate_tokens_s must be > 0 and finite, got %.14g", rate);
    }
    o->par.streams = (int)streams;
    o->par.rate_tokens_s = rate;
    o->par.duration_s = xnet_l_opt_number(L, idx, "duration_s", 600);
    o->par.warmup_s = xnet_l_opt_number(L, idx, "warmup_s", o->par.duration_s / 10);
    o->par.seed = (uint64_t)xnet_l_opt_seed(L, idx, "seed");
    lua_Integer r = xnet_l_opt_integer(L, idx, "replications", 4);
    if (r < 1 || r > 10000) {
        luaL_error(L, "replications must be in [1, 10000], got %I", r);
    }
    o->par.replications = (int)r;
    o->par.max_tokens = xnet_l_opt_number(L, idx, "max_tokens", 1e7);
    o->retry_s = xnet_l_opt_number(L, idx, "retry_s", 0);
    if (xnet_l_rawfield(L, idx, "retry_s") != LUA_TNIL && !(o->retry_s > 0 && isfinite(o->retry_s))) {
        xnet_l_error(L, "retry_s must be > 0 and finite, got %.14g", o->retry_s);
    }
    lua_pop(L, 1);
    o->progress = xnet_l_opt_boolean(L, idx, "progress", 1);
    o->route = xnet_l_route_option(L, idx);
    lua_Integer snap = xnet_l_opt_integer(L, idx, "snapshot", -1);
    if (snap < -1 || snap > XNET_MAX_SNAPSHOTS) {
        luaL_error(L, "snapshot must be >= 0, got %I", snap);
    }
    o->snapshot = (int)snap;
    const char *service = xnet_l_opt_string(L, idx, "service", "constant");
    if (strcmp(service, "constant") != 0 && strcmp(service, "exponential") != 0) {
        luaL_error(L, "service must be \"constant\" or \"exponential\", got \"%s\"", service);
    }
    o->exponential = service[0] == 'e';
    const char *method = xnet_l_opt_string(L, idx, "method", "simulate");
    if (strcmp(method, "simulate") != 0 && strcmp(method, "analytic") != 0
        && strcmp(method, "analytic-poisson") != 0) {
        luaL_error(L, "method must be \"simulate\", \"analytic\" or \"analytic-poisson\", "
                      "got \"%s\"", method);
    }
    o->analytic = method[0] == 'a';
    o->par.poisson_arrivals = strcmp(method, "analytic-poisson") == 0;
    const char *replica = xnet_l_opt_string(L, idx, "replica", "nearest");
    if (strcmp(replica, "nearest") != 0 && strcmp(replica, "shortest_wait") != 0) {
        luaL_error(L, "replica must be \"nearest\" or \"shortest_wait\", got \"%s\"", replica);
    }
    o->replica = replica[0] == 's' ? XNET_REPLICA_SHORTEST_WAIT : XNET_REPLICA_NEAREST;
    lua_Integer busiest = xnet_l_opt_integer(L, idx, "busiest", 10);
    if (busiest < 0 || busiest > 1000000) {
        luaL_error(L, "busiest must be in [0, 1000000], got %I", busiest);
    }
    o->busiest = (int)busiest;
}

/* Split the plan's path sums into legs: variant B's through-path is
 * D(g_l, s) + D(s, g_l) = 2 D(g_l, s) (links are undirected); variant A's
 * is D(g_l, s) + D(s, g_{l+1}). */
static void split_legs(const double *b, const double *a, size_t cells, double *in_s,
                       double *out_s)
{
    for (size_t i = 0; i < cells; i++) {
        in_s[i] = b[i] / 2;
        if (!a) {
            out_s[i] = in_s[i];
        } else if (!isfinite(a[i]) || !isfinite(in_s[i])) {
            out_s[i] = INFINITY;
        } else {
            double v = a[i] - in_s[i];
            out_s[i] = v > 0 ? v : 0;
        }
    }
}

/* in_s, out_s: the nearest copy's legs (T x L x E); copy_in_s, copy_out_s:
 * every copy's (T x copies), for plans with replicas. */
static int build_legs(xnet_network_t *net, const xnet_plan_t *plan, xnet_route_t route,
                      double *in_s, double *out_s, double *copy_in_s, double *copy_out_s,
                      double *hop_s, xnet_cost_t **kept)
{
    xnet_cost_t *b = NULL, *a = NULL;
    int rc = xnet_cost_build(&b, net, plan, XNET_ROUTE_B);
    if (!rc && route == XNET_ROUTE_A) {
        rc = xnet_cost_build(&a, net, plan, XNET_ROUTE_A);
    }
    if (rc) {
        xnet_cost_destroy(b);
        return rc;
    }
    split_legs(b->path_s, a ? a->path_s : NULL, (size_t)b->snapshots * b->layers * b->experts,
               in_s, out_s);
    if (copy_in_s) { /* every copy's legs, for the routing among them */
        split_legs(b->copy_path_s, a ? a->copy_path_s : NULL, (size_t)b->snapshots * b->copies,
                   copy_in_s, copy_out_s);
    }
    for (size_t i = 0; i < (size_t)b->snapshots * b->layers; i++) {
        hop_s[i] = a ? 0 : b->hop_s[i];
    }
    if (a) {
        xnet_cost_destroy(b);
        *kept = a;
    } else {
        *kept = b;
    }
    return XNET_OK;
}

/* A long simulation says how far it is on stderr, at most every 5 s once
 * it has run 5 s (no Lua call: the kernel's pointers must stay valid). */
typedef struct {
    double began_s, shown_s, duration_s;
    int replications;
} progress_t;

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *ctx, int replication, double t_s)
{
    progress_t *pr = ctx;
    double now = wall_s();
    if (now - pr->shown_s < 5) {
        return;
    }
    pr->shown_s = now;
    double done = (replication + fmin(t_s / pr->duration_s, 1)) / pr->replications;
    double left = done > 0 ? (now - pr->began_s) * (1 - done) / done : NAN;
    fprintf(stderr, "xnet.serve: replication %d/%d, %.0f of %.0f s simulated, %.0f%% done, "
                    "about %.0f s left\n",
            replication + 1, pr->replications, fmin(t_s, pr->duration_s), pr->duration_s,
            100 * done, left);
}

static void set_number(lua_State *L, const char *field, double v)
{
    if (!isnan(v)) { /* nothing to say: the field is absent, never a made-up number */
        lua_pushnumber(L, v);
        lua_setfield(L, -2, field);
    }
}

/* result.utilisation = { [satellite] = u } (satellites with work only) and
 * result.busiest = { { satellite =, utilisation = }, ... } highest first. */
static void push_utilisation(lua_State *L, const double *u, int nodes, int busiest, int *order)
{
    lua_newtable(L);
    int used = 0;
    for (int s = 0; s < nodes; s++) {
        if (u[s] > 0) {
            lua_pushnumber(L, u[s]);
            lua_seti(L, -2, s);
            order[used++] = s;
        }
    }
    lua_setfield(L, -2, "utilisation");
    /* partial selection sort: busiest is small */
    int shown = busiest < used ? busiest : used;
    lua_createtable(L, shown, 0);
    for (int i = 0; i < shown; i++) {
        int best = i;
        for (int j = i + 1; j < used; j++) {
            if (u[order[j]] > u[order[best]]
                || (u[order[j]] == u[order[best]] && order[j] < order[best])) {
                best = j;
            }
        }
        int t = order[i];
        order[i] = order[best];
        order[best] = t;
        lua_createtable(L, 0, 2);
        lua_pushinteger(L, order[i]);
        lua_setfield(L, -2, "satellite");
        lua_pushnumber(L, u[order[i]]);
        lua_setfield(L, -2, "utilisation");
        lua_seti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "busiest");
}

/* xnet.serve(net, plan, prof, { streams = N | rate_tokens_s = x, duration_s = 600,
 *   warmup_s = duration_s / 10, seed = 1, replications = 4, variant = "A", snapshot = nil,
 *   service = "constant", method = "simulate" | "analytic" | "analytic-poisson",
 *   retry_s = snapshot spacing, max_tokens = 1e7, progress = true, busiest = 10,
 *   replica = "nearest" | "shortest_wait" })
 *   -> { throughput =, mean =, p50 =, p95 =, p99 =, stderr =, undelivered =, utilisation =,
 *        busiest =, stable =, status =, ... } */
static int l_serve(lua_State *L)
{
    luaL_checkudata(L, 1, XNET_NETWORK_MT);
    luaL_checkudata(L, 2, XNET_PLAN_MT);
    luaL_checkudata(L, 3, XNET_PROFILE_MT);
    serve_options_t o;
    read_options(L, 4, &o);
    lua_getiuservalue(L, 3, 1);
    const xnet_model_t *model = xnet_l_check_model(L, -1);
    double gateway_s = xnet_model_gateway_s(model), expert_s = xnet_model_expert_s(model);
    double head_s = xnet_model_head_s(model);
    lua_pop(L, 1);
    int T = xnet_network_snapshots(xnet_l_check_network(L, 1));
    int n = xnet_network_nodes(xnet_l_check_network(L, 1));
    const xnet_plan_t *plan = xnet_l_check_plan(L, 2);
    int layers = plan->layers, experts = plan->experts;
    if (plan->nodes != n) {
        return luaL_error(L, "the plan is for %d satellites, the network has %d", plan->nodes, n);
    }
    if (o.snapshot >= T) {
        return luaL_error(L, "snapshot %d out of range [0, %d)", o.snapshot, T);
    }
    void **box = xnet_l_box(L);
    size_t cells = (size_t)T * layers * experts;
    double *in_s = *box = malloc(sizeof(double) * (2 * cells + (size_t)T * layers + 2 * n + 1)
                                 + sizeof(int) * ((size_t)n + 1));
    if (!in_s) {
        return luaL_error(L, "out of memory for the serving tables");
    }
    double *out_s = in_s + cells, *hop_s = out_s + cells, *util = hop_s + (size_t)T * layers;
    double *wait = util + n;
    int *order = (int *)(wait + n);
    int copies = layers * experts + plan->replicas;
    double *copy_in_s = NULL;
    if (plan->replicas > 0) {
        if (o.analytic) {
            return luaL_error(L, "xnet.serve: method = \"analytic\" does not model replicated "
                                 "experts (the plan has %d replicas); use the simulation",
                              plan->replicas);
        }
        void **copy_box = xnet_l_box(L);
        copy_in_s = *copy_box = malloc(sizeof(double) * 2 * (size_t)T * copies);
        if (!copy_in_s) {
            return luaL_error(L, "out of memory for the serving tables");
        }
    }
    double *copy_out_s = copy_in_s ? copy_in_s + (size_t)T * copies : NULL;
    /* No Lua call from here to the kernel's return: the pointers stay valid. */
    xnet_network_t *net = xnet_l_check_network(L, 1);
    plan = xnet_l_check_plan(L, 2);
    const xnet_profile_t *prof = xnet_l_check_profile(L, 3);
    char method[sizeof plan->method];
    memcpy(method, plan->method, sizeof method);
    xnet_serve_system_t sys = {
        .layers = layers, .experts = experts, .top_k = prof->top_k, .nodes = n,
        .snapshots = T, .gateway = plan->gateway, .satellite = plan->satellite,
        .parallel = plan->hosting.parallel_experts > 1 ? plan->hosting.parallel_experts : 1,
        .gateway_s = gateway_s, .expert_s = expert_s, .exponential = o.exponential,
        .snapshot_s = T > 1 ? xnet_network_time_s(net, 1) - xnet_network_time_s(net, 0)
                            : INFINITY,
        .snapshot = o.snapshot, .in_s = in_s, .out_s = out_s, .hop_s = hop_s,
        .profile = prof, .head_s = head_s, .replica = o.replica};
    /* cut tokens wait for the first retry that finds their paths, as in
     * xnet.evaluate: every snapshot by default (one horizon with one) */
    sys.dt_s = T > 1 ? sys.snapshot_s : xnet_network_params(net)->horizon_s;
    sys.retry_s = o.retry_s > 0 ? o.retry_s : sys.dt_s;
    progress_t pr = {.began_s = wall_s(), .duration_s = o.par.duration_s,
                     .replications = o.par.replications};
    pr.shown_s = pr.began_s;
    if (o.progress) {
        o.par.progress = show_progress;
        o.par.progress_ctx = &pr;
    }
    xnet_serve_result_t sim = {.utilisation = util};
    xnet_queue_result_t model_res = {.utilisation = util, .wait_s = wait};
    xnet_cost_t *cost = NULL;
    int rc = xnet_serve_check(&sys, &o.par);
    if (!rc) {
        rc = build_legs(net, plan, o.route, in_s, out_s, copy_in_s, copy_out_s, hop_s, &cost);
        sys.cost = cost;
    }
    if (!rc && copy_in_s) {
        sys.copies = cost->copies;
        sys.copy_first = cost->copy_first;
        sys.copy_satellite = cost->copy_satellite;
        sys.copy_in_s = copy_in_s;
        sys.copy_out_s = copy_out_s;
    }
    if (!rc) {
        rc = o.analytic ? xnet_queue_solve(&sys, cost, &o.par, &model_res)
                        : xnet_serve_simulate(&sys, &o.par, &sim);
    }
    xnet_cost_destroy(cost);
    if (rc) {
        return xnet_l_raise(L);
    }
    if (o.analytic) {
        sim.unstable = model_res.unstable;
        sim.bottleneck = model_res.bottleneck;
        sim.bottleneck_utilisation = model_res.bottleneck_utilisation;
        sim.throughput_tokens_s = model_res.throughput_tokens_s;
        sim.mean_s = model_res.mean_s;
        sim.lost = model_res.undelivered;
        sim.undelivered = NAN;
        sim.throughput_stderr = sim.mean_stderr = sim.p50_s = sim.p95_s = sim.p99_s = NAN;
        sim.p99_stderr = sim.in_system = NAN;
    }
    lua_createtable(L, 0, 32);
    lua_pushstring(L, !o.analytic ? "simulate"
                      : o.par.poisson_arrivals ? "analytic-poisson" : "analytic");
    lua_setfield(L, -2, "how");
    lua_pushstring(L, method);
    lua_setfield(L, -2, "method");
    if (copy_in_s) {
        lua_pushstring(L, o.replica == XNET_REPLICA_NEAREST ? "nearest" : "shortest_wait");
        lua_setfield(L, -2, "replica");
    }
    lua_getiuservalue(L, 3, 2);
    lua_setfield(L, -2, "profile");
    lua_pushstring(L, o.route == XNET_ROUTE_A ? "A" : "B");
    lua_setfield(L, -2, "variant");
    if (o.par.streams > 0) {
        lua_pushinteger(L, o.par.streams);
        lua_setfield(L, -2, "streams");
    } else {
        lua_pushnumber(L, o.par.rate_tokens_s);
        lua_setfield(L, -2, "rate_tokens_s");
    }
    lua_pushboolean(L, !sim.unstable);
    lua_setfield(L, -2, "stable");
    int nothing = !sim.unstable && sim.lost == 1;
    if (nothing) {
        lua_pushstring(L, "nothing delivered (every token needed a path that no snapshot has)");
    } else if (sim.unstable) {
        char status[96];
        snprintf(status, sizeof status, "unstable (utilisation %.3g at satellite %d)",
                 sim.bottleneck_utilisation, sim.bottleneck);
        lua_pushstring(L, status);
    } else {
        lua_pushstring(L, "stable");
    }
    lua_setfield(L, -2, "status");
    lua_pushinteger(L, sim.bottleneck);
    lua_setfield(L, -2, "bottleneck");
    lua_pushnumber(L, sim.bottleneck_utilisation);
    lua_setfield(L, -2, "bottleneck_utilisation");
    set_number(L, "throughput", sim.throughput_tokens_s);
    set_number(L, "throughput_stderr", sim.throughput_stderr);
    set_number(L, "mean", sim.mean_s);
    set_number(L, "stderr", sim.mean_stderr);
    set_number(L, "p50", sim.p50_s);
    set_number(L, "p95", sim.p95_s);
    set_number(L, "p99", sim.p99_s);
    set_number(L, "p99_stderr", sim.p99_stderr);
    set_number(L, "undelivered", sim.undelivered);
    set_number(L, "lost", sim.lost);
    set_number(L, "in_system", sim.in_system);
    if (!o.analytic) {
        lua_pushnumber(L, sim.tokens);
        lua_setfield(L, -2, "tokens");
        lua_pushnumber(L, sim.delivered);
        lua_setfield(L, -2, "delivered");
        lua_pushnumber(L, sim.events);
        lua_setfield(L, -2, "events");
        lua_pushinteger(L, o.par.replications);
        lua_setfield(L, -2, "replications");
    } else if (o.par.streams > 0) {
        lua_pushinteger(L, model_res.iterations);
        lua_setfield(L, -2, "iterations");
    }
    lua_pushnumber(L, o.par.duration_s);
    lua_setfield(L, -2, "duration_s");
    lua_pushnumber(L, o.par.warmup_s);
    lua_setfield(L, -2, "warmup_s");
    lua_pushinteger(L, (lua_Integer)o.par.seed);
    lua_setfield(L, -2, "seed");
    lua_pushnumber(L, gateway_s);
    lua_setfield(L, -2, "gateway_s");
    lua_pushnumber(L, expert_s);
    lua_setfield(L, -2, "expert_s");
    lua_pushnumber(L, head_s);
    lua_setfield(L, -2, "head_s");
    lua_pushnumber(L, sys.retry_s);
    lua_setfield(L, -2, "retry_s");
    push_utilisation(L, util, n, o.busiest, order);
    if (nothing && o.analytic) { /* as the simulation says it */
        lua_pushnumber(L, 0);
        lua_setfield(L, -2, "delivered");
        lua_pushnumber(L, 1);
        lua_setfield(L, -2, "undelivered");
    }
    luaL_setmetatable(L, XNET_SERVE_RESULT_MT);
    if (nothing) {
        xnet_l_warn(L, "xnet.serve: none of the tokens was delivered (a path each needed exists "
                       "in no snapshot); throughput is 0 and mean, percentiles are absent");
    }
    return 1;
}

/* result[field] as a number, NaN when absent */
static double field_number(lua_State *L, int idx, const char *field)
{
    lua_getfield(L, idx, field);
    double v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
    lua_pop(L, 1);
    return v;
}

/* tostring(result): status, throughput, latency, busiest satellite, undelivered */
static int l_serve_result_tostring(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "how");
    lua_getfield(L, 1, "method");
    lua_getfield(L, 1, "status");
    const char *how = luaL_optstring(L, -3, "?"), *method = luaL_optstring(L, -2, "?");
    const char *status = luaL_optstring(L, -1, "?");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char line[256];
    double streams = field_number(L, 1, "streams");
    if (isnan(streams)) {
        snprintf(line, sizeof line, "serve (%s) %s at %.6g tokens/s: %s", how, method,
                 field_number(L, 1, "rate_tokens_s"), status);
    } else {
        snprintf(line, sizeof line, "serve (%s) %s, %.0f streams: %s", how, method, streams,
                 status);
    }
    luaL_addstring(&b, line);
    double thr = field_number(L, 1, "throughput"), mean = field_number(L, 1, "mean");
    if (!isnan(thr)) {
        snprintf(line, sizeof line, ", %.6g tokens/s", thr);
        luaL_addstring(&b, line);
    }
    if (!isnan(mean)) {
        snprintf(line, sizeof line, ", mean %.6g s/token", mean);
        luaL_addstring(&b, line);
        double p50 = field_number(L, 1, "p50"), p99 = field_number(L, 1, "p99");
        if (!isnan(p50)) {
            snprintf(line, sizeof line, " (p50 %.6g, p99 %.6g)", p50, p99);
            luaL_addstring(&b, line);
        }
    }
    lua_getfield(L, 1, "busiest");
    if (lua_type(L, -1) == LUA_TTABLE && lua_geti(L, -1, 1) == LUA_TTABLE) {
        double sat = field_number(L, -1, "satellite"), u = field_number(L, -1, "utilisation");
        snprintf(line, sizeof line, ", busiest satellite %.0f (%.3g busy)", sat, u);
        luaL_addstring(&b, line);
    }
    double undelivered = field_number(L, 1, "undelivered");
    if (!isnan(undelivered)) {
        snprintf(line, sizeof line, ", undelivered %.3g%%", 100 * undelivered);
        luaL_addstring(&b, line);
    }
    luaL_pushresult(&b);
    return 1;
}

int luaopen_xnet_serve(lua_State *L)
{
    static const luaL_Reg result_meta[] = {{"__tostring", l_serve_result_tostring},
                                           {NULL, NULL}};
    luaL_newmetatable(L, XNET_SERVE_RESULT_MT); /* no __index: a result stays a plain table */
    luaL_setfuncs(L, result_meta, 0);
    lua_pop(L, 1);
    lua_pushcfunction(L, l_serve);
    lua_setfield(L, -2, "serve");
    return 0;
}
