#include "placement.h"

#include "hosting.h"

#include "error.h"
#include "memlimit.h"
#include "rng.h"
#include "query.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- plans ----------------------------------------------------------------- */

int xnet_plan_method_check(const char *method)
{
    size_t n = strlen(method);
    int plain = n >= 1 && n < sizeof ((xnet_plan_t *)0)->method;
    for (size_t i = 0; plain && i < n; i++) {
        plain = isalnum((unsigned char)method[i]) || strchr("_-.+", method[i]);
    }
    if (!plain) {
        return xnet_fail(XNET_EINVAL,
                         "method must be 1 to 31 letters, digits, '_', '-', '.' or '+' (it is "
                         "saved in the plan file), got '%.40s%s'",
                         method, n > 40 ? "..." : "");
    }
    return XNET_OK;
}

int xnet_plan_alloc(xnet_plan_t **out, int layers, int experts, int nodes, const char *method)
{
    *out = NULL;
    int rc;
    if (layers < 1 || experts < 1 || layers > XNET_MAX_LAYERS || experts > XNET_MAX_EXPERTS) {
        return xnet_fail(XNET_EINVAL, "a plan needs 1 to %d layers and 1 to %d experts, got %d "
                         "and %d", XNET_MAX_LAYERS, XNET_MAX_EXPERTS, layers, experts);
    }
    if ((rc = xnet_plan_method_check(method))) {
        return rc;
    }
    if (nodes < 1 || nodes > XNET_MAX_SATELLITES) {
        return xnet_fail(XNET_EINVAL, "satellites must be in [1, %d], got %d",
                         XNET_MAX_SATELLITES, nodes);
    }
    rc = xnet_limit_check(sizeof(int) * ((double)layers * experts + layers), "the plan");
    if (rc) {
        return rc;
    }
    xnet_plan_t *p = calloc(1, sizeof *p);
    if (!p) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the plan");
    }
    p->layers = layers;
    p->experts = experts;
    p->nodes = nodes;
    snprintf(p->method, sizeof p->method, "%s", method);
    p->gateway = malloc(sizeof(int) * (size_t)layers);
    p->satellite = malloc(sizeof(int) * (size_t)layers * (size_t)experts);
    if (!p->gateway || !p->satellite) {
        xnet_plan_destroy(p);
        return xnet_fail(XNET_ENOMEM, "out of memory for the plan");
    }
    *out = p;
    return XNET_OK;
}

void xnet_plan_destroy(xnet_plan_t *plan)
{
    if (plan) {
        free(plan->gateway);
        free(plan->satellite);
        free(plan->replica_first);
        free(plan->replica_satellite);
        free(plan);
    }
}

int xnet_plan_set_replicas(xnet_plan_t *plan, int count, const int *slot, const int *satellite)
{
    int cells = plan->layers * plan->experts;
    if (count < 0) {
        return xnet_fail(XNET_EINVAL, "replicas must be >= 0, got %d", count);
    }
    for (int j = 0; j < count; j++) {
        if (slot[j] < 0 || slot[j] >= cells) {
            return xnet_fail(XNET_EINVAL, "replica %d: expert slot %d out of range [0, %d)", j,
                             slot[j], cells);
        }
    }
    int *first = NULL, *sat = NULL;
    if (count > 0) {
        first = calloc((size_t)cells + 1, sizeof(int));
        sat = malloc(sizeof(int) * (size_t)count);
        if (!first || !sat) {
            free(first);
            free(sat);
            return xnet_fail(XNET_ENOMEM, "out of memory for %d replicas", count);
        }
        /* a stable counting sort by expert keeps each expert's order */
        for (int j = 0; j < count; j++) {
            first[slot[j] + 1]++;
        }
        for (int i = 0; i < cells; i++) {
            first[i + 1] += first[i];
        }
        for (int j = 0; j < count; j++) {
            sat[first[slot[j]]++] = satellite[j];
        }
        for (int i = cells; i > 0; i--) {
            first[i] = first[i - 1];
        }
        first[0] = 0;
    }
    free(plan->replica_first);
    free(plan->replica_satellite);
    plan->replicas = count;
    plan->replica_first = first;
    plan->replica_satellite = sat;
    return XNET_OK;
}

int xnet_plan_check_copy(const xnet_plan_t *plan, int i, int c)
{
    int s = xnet_plan_copy(plan, i, c);
    for (int b = 0; b < c; b++) {
        if (xnet_plan_copy(plan, i, b) == s) {
            return xnet_fail(XNET_EINVAL, "layer %d expert %d has two copies on satellite %d",
                             i / plan->experts, i % plan->experts, s);
        }
    }
    return XNET_OK;
}

int xnet_plan_clone(xnet_plan_t **out, const xnet_plan_t *plan)
{
    int rc = xnet_plan_alloc(out, plan->layers, plan->experts, plan->nodes, plan->method);
    if (rc) {
        return rc;
    }
    xnet_plan_t *p = *out;
    memcpy(p->gateway, plan->gateway, sizeof(int) * (size_t)plan->layers);
    memcpy(p->satellite, plan->satellite, sizeof(int) * (size_t)plan->layers * plan->experts);
    p->hosting = plan->hosting;
    p->expert_bytes = plan->expert_bytes;
    if (plan->replicas > 0) {
        size_t cells = (size_t)plan->layers * plan->experts;
        p->replica_first = malloc(sizeof(int) * (cells + 1));
        p->replica_satellite = malloc(sizeof(int) * (size_t)plan->replicas);
        if (!p->replica_first || !p->replica_satellite) {
            xnet_plan_destroy(p);
            *out = NULL;
            return xnet_fail(XNET_ENOMEM, "out of memory for the plan");
        }
        p->replicas = plan->replicas;
        memcpy(p->replica_first, plan->replica_first, sizeof(int) * (cells + 1));
        memcpy(p->replica_satellite, plan->replica_satellite, sizeof(int) * (size_t)plan->replicas);
    }
    return XNET_OK;
}

/* Satellite s for slot (l * (E + 1) for a gateway, l * (E + 1) + 1 + e for
 * an expert, copy > 0 for an extra copy) unless another slot has it. */
static int claim(const xnet_plan_t *plan, int *use, int slot, int copy, int s)
{
    int n = plan->nodes, E = plan->experts, l = slot / (E + 1), e = slot % (E + 1) - 1;
    if (s < 0 || s >= n) {
        return xnet_fail(XNET_EINVAL, "layer %d %s: satellite %d out of range [0, %d)", l,
                         e < 0 ? "gateway" : copy ? "expert copy" : "expert", s, n);
    }
    if (use[s] >= 0) {
        int ol = use[s] / (E + 1), oe = use[s] % (E + 1) - 1;
        char first[48], second[48];
        snprintf(first, sizeof first, oe < 0 ? "the gateway of layer %d" : "layer %d expert %d",
                 ol, oe);
        snprintf(second, sizeof second, e < 0 ? "the gateway of layer %d" : "layer %d expert %d",
                 l, e);
        return xnet_fail(XNET_EINVAL, "satellite %d holds both %s and %s", s, first, second);
    }
    use[s] = slot;
    return XNET_OK;
}

int xnet_plan_check(const xnet_plan_t *plan)
{
    if (plan->hosting.memory_bytes > 0) {
        return xnet_plan_check_hosted(plan);
    }
    long long need = (long long)plan->layers * (plan->experts + 1) + plan->replicas;
    if (need > plan->nodes) {
        return xnet_fail(XNET_EINVAL,
                         "%d layers x (%d experts + 1 gateway)%s need %lld satellites, only %d "
                         "(give a memory budget to put several experts on a satellite)",
                         plan->layers, plan->experts, plan->replicas ? " and the replicas" : "",
                         need, plan->nodes);
    }
    int *use = malloc(sizeof(int) * (size_t)plan->nodes);
    if (!use) {
        return xnet_fail(XNET_ENOMEM, "out of memory checking the plan");
    }
    for (int i = 0; i < plan->nodes; i++) {
        use[i] = -1;
    }
    int rc = XNET_OK, E = plan->experts, cells = plan->layers * E;
    for (int l = 0; l < plan->layers && !rc; l++) {
        rc = claim(plan, use, l * (E + 1), 0, plan->gateway[l]);
    }
    for (int i = 0; i < cells && !rc; i++) {
        rc = claim(plan, use, i / E * (E + 1) + 1 + i % E, 0, plan->satellite[i]);
    }
    /* a copy takes a satellite of its own like any expert */
    for (int i = 0; i < cells && !rc; i++) {
        for (int c = 1; c < xnet_plan_copies(plan, i) && !rc; c++) {
            rc = xnet_plan_check_copy(plan, i, c);
            rc = rc ? rc : claim(plan, use, i / E * (E + 1) + 1 + i % E, c,
                                 xnet_plan_copy(plan, i, c));
        }
    }
    free(use);
    return rc;
}

/* --- expected path latency --------------------------------------------------- */

/* Output budget of one batch of snapshots: bounds the query's memory
 * whatever T. */
#define COST_BATCH_BYTES (64.0 * 1048576.0)

static void ring_cost_free(void *p)
{
    xnet_ring_cost_t *c = p;
    if (c) {
        free(c->gateway);
        free(c->first);
        free(c->member);
        free(c->index_of);
        free(c->through_s);
        free(c->hop_s);
        free(c);
    }
}

static int ring_cost_matches(const xnet_ring_cost_t *c, const xnet_ring_t *ring,
                             xnet_route_t route)
{
    int L = ring->layers;
    return c && c->route == route && c->layers == L && c->members == ring->first[L]
        && memcmp(c->gateway, ring->gateway, sizeof(int) * (size_t)L) == 0
        && memcmp(c->first, ring->first, sizeof(int) * ((size_t)L + 1)) == 0
        && memcmp(c->member, ring->members, sizeof(int) * (size_t)c->members) == 0;
}

int xnet_path_through(xnet_network_t *net, const int *gateway, int layers, xnet_route_t route,
                      const int *first, const int *satellite, double *through_s, double *hop_s,
                      int *through_hops, int *hop_hops)
{
    int L = layers, M = first[L], T = xnet_network_snapshots(net), rc;
    int A = route == XNET_ROUTE_A, pairs = M + (A ? M : L);
    int batch = (int)(COST_BATCH_BYTES / (sizeof(double) * (double)pairs));
    batch = batch < 1 ? 1 : batch > T ? T : batch;
    if ((rc = xnet_limit_check(((double)batch * (sizeof(double) + (through_hops ? sizeof(int) : 0))
                                + 2 * sizeof(int)) * pairs,
                               "the path latency query"))) {
        return rc;
    }
    int *src = malloc(sizeof(int) * (size_t)pairs);
    int *dst = malloc(sizeof(int) * (size_t)pairs);
    double *d = malloc(sizeof(double) * (size_t)batch * (size_t)pairs);
    int *h = through_hops ? malloc(sizeof(int) * (size_t)batch * (size_t)pairs) : NULL;
    xnet_query_t *q = NULL;
    if (!src || !dst || !d || (through_hops && !h)) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the path latency query");
    } else {
        /* pairs: i: (g_l, s_i); A: M + i: (g_{l+1}, s_i); B: M + l: (g_l, g_{l+1}) */
        for (int l = 0; l < L; l++) {
            int next = gateway[(l + 1) % L];
            for (int i = first[l]; i < first[l + 1]; i++) {
                src[i] = gateway[l];
                dst[i] = satellite[i];
                if (A) {
                    src[M + i] = next;
                    dst[M + i] = satellite[i];
                }
            }
            if (!A) {
                src[M + l] = gateway[l];
                dst[M + l] = next;
            }
        }
        rc = xnet_query_create(&q, xnet_network_nodes(net), pairs, src, dst);
    }
    for (int t0 = 0; t0 < T && !rc; t0 += batch) {
        int t1 = t0 + batch < T ? t0 + batch : T;
        if ((rc = xnet_query_run_hops(net, q, t0, t1, d, h))) {
            break;
        }
        for (int k = t0; h && k < t1; k++) {
            const int *from = h + (size_t)(k - t0) * pairs, *extra = from + M;
            int *row = through_hops + (size_t)k * M;
            for (int i = 0; i < M; i++) {
                int other = A ? extra[i] : from[i];
                row[i] = from[i] < 0 || other < 0 ? -1 : from[i] + other;
            }
            for (int l = 0; hop_hops && l < L; l++) {
                hop_hops[(size_t)k * L + l] = A ? 0 : extra[l];
            }
        }
        for (int k = t0; k < t1; k++) {
            const double *from = d + (size_t)(k - t0) * pairs, *extra = from + M;
            double *row = through_s + (size_t)k * M, *hop = hop_s + (size_t)k * L;
            for (int i = 0; i < M; i++) {
                row[i] = from[i] + (A ? extra[i] : from[i]);
            }
            for (int l = 0; l < L; l++) {
                hop[l] = A ? 0 : extra[l];
            }
        }
    }
    xnet_query_destroy(q);
    free(src);
    free(dst);
    free(d);
    free(h);
    return rc;
}

int xnet_ring_cost_get(xnet_network_t *net, const xnet_ring_t *ring, xnet_route_t route,
                       const xnet_ring_cost_t **out)
{
    int L = ring->layers, n = xnet_network_nodes(net), M = ring->first[L];
    int T = xnet_network_snapshots(net), rc;
    if (ring->nodes != n) {
        return xnet_fail(XNET_EINVAL, "the ring is for %d satellites, the network has %d",
                         ring->nodes, n);
    }
    xnet_ring_cost_t *c = xnet_network_attachment(net, XNET_ATTACH_RING_COST);
    if (ring_cost_matches(c, ring, route)) {
        *out = c;
        return XNET_OK;
    }
    double cells = (double)T * ((double)M + L);
    if ((rc = xnet_limit_check(cells * sizeof(double) + sizeof(int) * (2.0 * M + n + 2.0 * L),
                               "the ring's path cost table (snapshots x satellites)"))) {
        return rc;
    }
    c = calloc(1, sizeof *c);
    if (c) {
        c->gateway = malloc(sizeof(int) * (size_t)L);
        c->first = malloc(sizeof(int) * ((size_t)L + 1));
        c->member = malloc(sizeof(int) * ((size_t)M + 1));
        c->index_of = malloc(sizeof(int) * (size_t)n);
        c->through_s = malloc(sizeof(double) * ((size_t)T * (size_t)M + 1));
        c->hop_s = malloc(sizeof(double) * (size_t)T * (size_t)L);
    }
    if (!c || !c->gateway || !c->first || !c->member || !c->index_of || !c->through_s
        || !c->hop_s) {
        ring_cost_free(c);
        return xnet_fail(XNET_ENOMEM, "out of memory for the ring's path cost table");
    }
    c->route = route;
    c->layers = L;
    c->members = M;
    c->snapshots = T;
    c->nodes = n;
    memcpy(c->gateway, ring->gateway, sizeof(int) * (size_t)L);
    memcpy(c->first, ring->first, sizeof(int) * ((size_t)L + 1));
    memcpy(c->member, ring->members, sizeof(int) * (size_t)M);
    for (int v = 0; v < n; v++) {
        c->index_of[v] = -1;
    }
    for (int i = 0; i < M; i++) {
        c->index_of[ring->members[i]] = i;
    }
    if ((rc = xnet_path_through(net, c->gateway, L, route, c->first, c->member, c->through_s,
                                c->hop_s, NULL, NULL))) {
        ring_cost_free(c);
        return rc;
    }
    xnet_network_attach(net, XNET_ATTACH_RING_COST, c, ring_cost_free);
    *out = c;
    return XNET_OK;
}

const xnet_ring_cost_t *xnet_ring_cost_find(const xnet_network_t *net, const int *gateway,
                                            int layers, xnet_route_t route)
{
    const xnet_ring_cost_t *c = xnet_network_attachment(net, XNET_ATTACH_RING_COST);
    if (c && c->route == route && c->layers == layers
        && memcmp(c->gateway, gateway, sizeof(int) * (size_t)layers) == 0) {
        return c;
    }
    return NULL;
}

int xnet_expected_latency(xnet_network_t *net, const xnet_ring_t *ring, xnet_route_t route,
                          xnet_candidate_t *out)
{
    const xnet_ring_cost_t *c;
    int rc = xnet_ring_cost_get(net, ring, route, &c);
    if (rc) {
        return rc;
    }
    int L = ring->layers, T = c->snapshots;
    for (int l = 0; l < L; l++) {
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            int s = ring->members[i], missing = 0;
            double sum = 0;
            for (int k = 0; k < T; k++) {
                double d = c->through_s[(size_t)k * c->members + i];
                if (isfinite(d)) {
                    sum += d;
                } else {
                    missing++;
                }
            }
            out[i].satellite = s;
            out[i].missing = s == ring->gateway[l] ? -1 : missing;
            out[i].mean_s = missing < T ? sum / (T - missing) : NAN;
        }
    }
    return XNET_OK;
}

/* --- the sorted rule ------------------------------------------------------------ */

typedef struct {
    int index;
    const xnet_candidate_t *c;
} ranked_candidate;

static int compare_candidates(const void *a, const void *b)
{
    const ranked_candidate *x = a, *y = b;
    if (x->c->missing != y->c->missing) {
        return x->c->missing < y->c->missing ? -1 : 1;
    }
    double mx = x->c->mean_s, my = y->c->mean_s;
    int nx = isnan(mx), ny = isnan(my);
    if (nx != ny) {
        return nx ? 1 : -1;
    }
    if (!nx && mx != my) {
        return mx < my ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct {
    int expert;
    double prob;
} ranked_expert;

static int compare_experts(const void *a, const void *b)
{
    const ranked_expert *x = a, *y = b;
    if (x->prob != y->prob) {
        return x->prob > y->prob ? -1 : 1;
    }
    return x->expert < y->expert ? -1 : x->expert > y->expert;
}

int xnet_assign_sorted(int experts, const double *prob, int candidates,
                       const xnet_candidate_t *cand, int *chosen)
{
    if (candidates < experts) {
        return xnet_fail(XNET_EINVAL, "%d candidates for %d experts", candidates, experts);
    }
    ranked_candidate *rc = malloc(sizeof *rc * (size_t)candidates);
    ranked_expert *re = malloc(sizeof *re * (size_t)(experts ? experts : 1));
    if (!rc || !re) {
        free(rc);
        free(re);
        return xnet_fail(XNET_ENOMEM, "out of memory ranking candidates");
    }
    for (int i = 0; i < candidates; i++) {
        rc[i] = (ranked_candidate){i, &cand[i]};
    }
    for (int e = 0; e < experts; e++) {
        re[e] = (ranked_expert){e, prob[e]};
    }
    qsort(rc, (size_t)candidates, sizeof *rc, compare_candidates);
    qsort(re, (size_t)experts, sizeof *re, compare_experts);
    for (int r = 0; r < experts; r++) {
        chosen[re[r].expert] = rc[r].index;
    }
    free(rc);
    free(re);
    return XNET_OK;
}

static int check_ring_fits(const xnet_ring_t *ring, int experts)
{
    for (int l = 0; l < ring->layers; l++) {
        int len = ring->first[l + 1] - ring->first[l];
        if (len < experts + 1) {
            /* experts per satellite that would fit beside the gateway */
            int per_sat = len > 1 ? (experts + len - 2) / (len - 1) : experts;
            return xnet_fail(XNET_EINVAL,
                             "subnet %d has %d satellites; it needs experts + 1 = %d (one "
                             "gateway and one satellite per expert); to hold several experts "
                             "on a satellite, give the placement memory_bytes per satellite: "
                             "{ memory_bytes = %d * m.expert_bytes } holds %d experts each",
                             l, len, experts + 1, per_sat, per_sat);
        }
    }
    return XNET_OK;
}

/* A candidate's path latencies summed over snapshots as the nearest
 * searches left them: the exact sums where every snapshot's is known, else
 * a lower bound. */
typedef struct {
    double sum_s, bound_s; /* over the snapshots with a path / all snapshots */
    int missing, unknown;  /* snapshots known to have no path / not settled */
} near_sum;

/* acc[i] for every member i of the ring from searches from the gateways that
 * stop once the members flagged in required[] are settled (NULL: once the
 * `want` nearest members of the two subnets each gateway serves are): the
 * pairs path_through takes. */
static int nearest_sums(xnet_network_t *net, const xnet_ring_t *ring, xnet_route_t route,
                        int want, const unsigned char *required, near_sum *acc)
{
    int L = ring->layers, M = ring->first[L], T = xnet_network_snapshots(net), rc;
    int A = route == XNET_ROUTE_A, pairs = A ? 2 * M : M;
    int batch = (int)(COST_BATCH_BYTES / (2 * sizeof(double) * (double)pairs));
    batch = batch < 1 ? 1 : batch > T ? T : batch;
    if ((rc = xnet_limit_check((2.0 * batch * sizeof(double) + 2 * sizeof(int) + 1) * pairs,
                               "the path latency query"))) {
        return rc;
    }
    int *src = malloc(sizeof(int) * (size_t)pairs), *dst = malloc(sizeof(int) * (size_t)pairs);
    double *d = malloc(sizeof(double) * 2 * (size_t)batch * (size_t)pairs);
    unsigned char *flag = required ? malloc((size_t)pairs) : NULL;
    xnet_query_t *q = NULL;
    memset(acc, 0, sizeof *acc * (size_t)M);
    if (!src || !dst || !d || (required && !flag)) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the path latency query");
    } else {
        /* pairs: i: (g_l, s_i); A: M + i: (g_{l+1}, s_i) */
        for (int l = 0; l < L; l++) {
            for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
                src[i] = ring->gateway[l];
                dst[i] = ring->members[i];
                if (A) {
                    src[M + i] = ring->gateway[(l + 1) % L];
                    dst[M + i] = ring->members[i];
                }
            }
        }
        for (int j = 0; flag && j < pairs; j++) {
            flag[j] = required[j % M];
        }
        rc = xnet_query_create(&q, ring->nodes, pairs, src, dst);
    }
    for (int t0 = 0; t0 < T && !rc; t0 += batch) {
        int t1 = t0 + batch < T ? t0 + batch : T;
        double *bound = d + (size_t)batch * pairs;
        if ((rc = xnet_query_run_nearest(net, q, t0, t1, want, flag, d, bound))) {
            break;
        }
        for (int k = t0; k < t1; k++) {
            const double *from = d + (size_t)(k - t0) * pairs, *low = bound + (from - d);
            for (int i = 0; i < M; i++) {
                /* the sum path_through forms: D(g_l, s) + (A: D(g_{l+1}, s); B: again) */
                double x = from[i] + (A ? from[M + i] : from[i]);
                double lx = low[i] + (A ? low[M + i] : low[i]);
                near_sum *a = &acc[i];
                if (isnan(x) && isinf(lx)) { /* a leg known to have no path */
                    a->missing++;
                } else if (isnan(x)) {
                    a->unknown++;
                    a->bound_s += lx;
                } else if (isfinite(x)) {
                    a->sum_s += x;
                    a->bound_s += x;
                } else {
                    a->missing++;
                }
            }
        }
    }
    xnet_query_destroy(q);
    free(src);
    free(dst);
    free(d);
    free(flag);
    return rc;
}

/* Layer l's candidates from acc into all[] (as xnet_expected_latency for
 * the known ones; the others missing INT_MAX), and whether the first E of
 * the ranking are certain: all known, with a path in every snapshot, and
 * every member not known either known to miss a snapshot or bounded below
 * by more than the E-th's mean. Then the full table would rank the same
 * first E in the same order with the same sums (the searches are the same
 * until they stop). */
static int certain_layer(const xnet_ring_t *ring, int l, const near_sum *acc, int T, int experts,
                         xnet_candidate_t *all, int *certain)
{
    int lo = ring->first[l], hi = ring->first[l + 1], n = 0, rc = XNET_OK;
    for (int i = lo; i < hi; i++) {
        int s = ring->members[i], known = acc[i].unknown == 0;
        all[i].satellite = s;
        all[i].missing = s == ring->gateway[l] ? -1 : known ? acc[i].missing : INT_MAX;
        all[i].mean_s = known && acc[i].missing < T ? acc[i].sum_s / (T - acc[i].missing) : NAN;
        n += all[i].missing >= 0 && all[i].missing < INT_MAX;
    }
    *certain = n == hi - lo - 1; /* every candidate known: the ranking is exact */
    if (*certain || n < experts) {
        return XNET_OK;
    }
    xnet_candidate_t *cand = malloc(sizeof *cand * (size_t)n);
    int *chosen = malloc(sizeof(int) * (size_t)experts);
    double *equal = malloc(sizeof(double) * (size_t)experts), eth = NAN;
    if (!cand || !chosen || !equal) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    } else {
        int m = 0;
        for (int i = lo; i < hi; i++) {
            if (all[i].missing >= 0 && all[i].missing < INT_MAX) {
                cand[m++] = all[i];
            }
        }
        for (int e = 0; e < experts; e++) {
            equal[e] = 1;
        }
        /* with equal probabilities chosen[e] is the e-th of the ranking */
        if (!(rc = xnet_assign_sorted(experts, equal, m, cand, chosen))) {
            *certain = cand[chosen[experts - 1]].missing == 0;
            eth = cand[chosen[experts - 1]].mean_s;
        }
    }
    for (int i = lo; !rc && *certain && i < hi; i++) {
        *certain = all[i].missing != INT_MAX || acc[i].missing > 0
                || acc[i].bound_s / T > eth + 1e-9 * fabs(eth);
    }
    free(cand);
    free(chosen);
    free(equal);
    return rc;
}

/* Flag the `count` members of layer l of least key (ties: the earlier in
 * the subnet's list) in required[]; order[] is scratch for a subnet. */
static void require_least(const xnet_ring_t *ring, int l, int count, const double *key,
                          int *order, unsigned char *required)
{
    int lo = ring->first[l], m = ring->first[l + 1] - lo;
    for (int i = 0; i < m; i++) {
        order[i] = lo + i;
    }
    /* a partial selection sort: count is small, or the whole subnet */
    for (int r = 0; r < count && r < m; r++) {
        int best = r;
        for (int i = r + 1; count < m && i < m; i++) {
            best = key[order[i]] < key[order[best]] ? i : best;
        }
        int t = order[r];
        order[r] = order[best];
        order[best] = t;
        required[order[r]] = 1;
    }
}

/* Space-XNet's candidates from the gateways' nearest members only, else
 * *certain = 0 (the caller computes the whole table). A first sweep stops
 * each gateway's searches at its K + 8 nearest members (K = min(4 E, size /
 * 2)); each layer's K candidates of least bound from it (those known to miss
 * a snapshot last) are then searched for until settled, which bounds every
 * other member's latency below by how far the searches got; a layer this
 * leaves uncertain takes 4 K more candidates of least bound, then all its
 * members. */
static int nearest_candidates(xnet_network_t *net, const xnet_ring_t *ring, xnet_route_t route,
                              int experts, xnet_candidate_t *all, int *certain)
{
    int L = ring->layers, M = ring->first[L], T = xnet_network_snapshots(net), size = 0;
    for (int l = 0; l < L; l++) {
        int m = ring->first[l + 1] - ring->first[l];
        size = m > size ? m : size;
    }
    /* searching for more than half a subnet costs about as much as the table */
    int K = 4 * experts < size / 2 ? 4 * experts : size / 2;
    *certain = 0;
    if (K < experts) {
        return XNET_OK;
    }
    near_sum *acc = malloc(sizeof *acc * ((size_t)M + 1));
    unsigned char *required = calloc((size_t)M + 1, 1);
    int *order = malloc(sizeof(int) * ((size_t)size + 1));
    double *guess = malloc(sizeof(double) * ((size_t)M + 1));
    char *uncertain = calloc((size_t)L, 1);
    int rc = acc && required && order && guess && uncertain
                 ? nearest_sums(net, ring, route, K + 8, NULL, acc)
                 : xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    for (int l = 0; l < L && !rc; l++) {
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            guess[i] = acc[i].missing > 0 ? HUGE_VAL : acc[i].bound_s;
        }
        require_least(ring, l, K, guess, order, required);
    }
    for (int sweep = 0; sweep < 3 && !rc && !*certain; sweep++) {
        if (!(rc = nearest_sums(net, ring, route, 0, required, acc))) {
            *certain = 1;
            for (int l = 0; l < L && !rc; l++) {
                int sure;
                rc = certain_layer(ring, l, acc, T, experts, all, &sure);
                *certain = *certain && sure;
                uncertain[l] = !sure;
            }
        }
        /* the uncertain layers: 4 K more of least bound so far (those known
         * to miss a snapshot last), then all their members */
        for (int l = 0; l < L; l++) {
            for (int i = ring->first[l]; uncertain[l] && i < ring->first[l + 1]; i++) {
                guess[i] = acc[i].missing > 0 ? HUGE_VAL : acc[i].bound_s;
            }
            if (uncertain[l]) {
                require_least(ring, l, sweep == 0 ? 5 * K : size, guess, order, required);
            }
        }
    }
    free(acc);
    free(required);
    free(order);
    free(guess);
    free(uncertain);
    return rc;
}

int xnet_place_spacexnet(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                         const xnet_profile_t *profile, xnet_route_t route, int *connected)
{
    *out = NULL;
    int L = ring->layers, E = profile->experts, rc;
    if (profile->layers != L) {
        return xnet_fail(XNET_EINVAL, "the profile has %d layers, the ring %d", profile->layers,
                         L);
    }
    if ((rc = check_ring_fits(ring, E))) {
        return rc;
    }
    xnet_candidate_t *all = malloc(sizeof *all * (size_t)ring->first[L]);
    xnet_candidate_t *cand = malloc(sizeof *cand * (size_t)ring->first[L]);
    int *chosen = malloc(sizeof(int) * (size_t)E);
    xnet_plan_t *plan = NULL;
    if (!all || !cand || !chosen) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    }
    /* the nearest members first (certain for most rings), the whole table
     * when some layer is not (or when the table is there already) */
    int certain = 0;
    if (!rc && !xnet_ring_cost_find(net, ring->gateway, L, route)) {
        rc = nearest_candidates(net, ring, route, E, all, &certain);
    }
    if (!rc && !certain) {
        rc = xnet_expected_latency(net, ring, route, all);
    }
    if (!rc) {
        rc = xnet_plan_alloc(&plan, L, E, ring->nodes, "spacexnet");
    }
    int T = xnet_network_snapshots(net);
    for (int l = 0; l < L && !rc; l++) {
        int m = 0;
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            if (all[i].missing >= 0) { /* not the gateway */
                cand[m++] = all[i];
            }
        }
        for (int i = 0; connected && i < m; i++) {
            connected[l] = (i ? connected[l] : 0) + (cand[i].missing < T);
        }
        if ((rc = xnet_assign_sorted(E, profile->inclusion + (size_t)l * E, m, cand, chosen))) {
            break;
        }
        plan->gateway[l] = ring->gateway[l];
        for (int e = 0; e < E; e++) {
            plan->satellite[l * E + e] = cand[chosen[e]].satellite;
        }
    }
    free(all);
    free(cand);
    free(chosen);
    if (rc) {
        xnet_plan_destroy(plan);
        return rc;
    }
    *out = plan;
    return XNET_OK;
}

/* --- random baselines ------------------------------------------------------------ */

/* Move `count` uniformly chosen elements of ids[0..n) to its front. */
static void partial_shuffle(xnet_rng_t *rng, int *ids, int n, int count)
{
    for (int i = 0; i < count; i++) {
        int j = i + (int)xnet_rng_below(rng, (uint64_t)(n - i));
        int t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
}

int xnet_place_randplace(xnet_plan_t **out, int nodes, int layers, int experts, uint64_t seed)
{
    xnet_plan_t *plan;
    int rc = xnet_plan_alloc(&plan, layers, experts, nodes, "randplace");
    if (rc) {
        return rc;
    }
    int *ids = malloc(sizeof(int) * (size_t)nodes);
    if (!ids) {
        xnet_plan_destroy(plan);
        return xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    }
    for (int i = 0; i < nodes; i++) {
        ids[i] = i;
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, seed);
    partial_shuffle(&rng, ids, nodes, layers * (experts + 1));
    for (int l = 0; l < layers; l++) {
        plan->gateway[l] = ids[l * (experts + 1)];
        for (int e = 0; e < experts; e++) {
            plan->satellite[l * experts + e] = ids[l * (experts + 1) + 1 + e];
        }
    }
    free(ids);
    *out = plan;
    return XNET_OK;
}

int xnet_place_randintra(xnet_plan_t **out, const xnet_ring_t *ring, int experts, uint64_t seed,
                         int central_gateway)
{
    *out = NULL;
    int L = ring->layers, rc;
    xnet_plan_t *plan;
    if ((rc = check_ring_fits(ring, experts))
        || (rc = xnet_plan_alloc(&plan, L, experts, ring->nodes,
                                 central_gateway ? "randintra_cg" : "randintra"))) {
        return rc;
    }
    int *ids = malloc(sizeof(int) * (size_t)ring->first[L]);
    if (!ids) {
        xnet_plan_destroy(plan);
        return xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, seed);
    for (int l = 0; l < L; l++) {
        int m = 0;
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            if (!central_gateway || ring->members[i] != ring->gateway[l]) {
                ids[m++] = ring->members[i];
            }
        }
        int g = central_gateway ? 0 : 1;
        partial_shuffle(&rng, ids, m, experts + g);
        plan->gateway[l] = central_gateway ? ring->gateway[l] : ids[0];
        for (int e = 0; e < experts; e++) {
            plan->satellite[l * experts + e] = ids[g + e];
        }
    }
    free(ids);
    *out = plan;
    return XNET_OK;
}
