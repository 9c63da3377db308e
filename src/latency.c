#include "latency.h"

#include "error.h"
#include "memlimit.h"
#include "pool.h"
#include "query.h"
#include "rng.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Monte Carlo tokens per block: each block draws from its own stream,
 * seeded from (seed, block) alone (docs/model.md section 9), so the
 * results do not depend on the number of workers. */
#define SAMPLE_BLOCK_TOKENS 4096

const char *const xnet_part_names[XNET_PARTS] = {
    "propagation_s",    "transmission_s", "processing_s", "ring_hop_s",
    "gateway_compute_s", "expert_compute_s", "head_s",    "topk_wait_s",
    "retry_wait_s",     "access_s"};

void xnet_cost_destroy(xnet_cost_t *cost)
{
    if (cost) {
        free(cost->path_hops);
        free(cost->path_s);
        free(cost->hop_s);
        free(cost->serial);
        free(cost->satellite);
        free(cost->copy_first);
        free(cost->copy_satellite);
        free(cost->copy_path_s);
        free(cost);
    }
}

/* Every copy of layer l's experts (sat[first[l] .. first[l + 1])) in subnet
 * l of the kept ring table: then the plan's costs are entries of that table. */
static int ring_covers(const xnet_ring_cost_t *ring, int nodes, int layers, const int *first,
                       const int *sat)
{
    if (!ring || ring->nodes != nodes) {
        return 0;
    }
    for (int l = 0; l < layers; l++) {
        for (int j = first[l]; j < first[l + 1]; j++) {
            int i = ring->index_of[sat[j]];
            if (i < ring->first[l] || i >= ring->first[l + 1]) {
                return 0;
            }
        }
    }
    return 1;
}

/* Layers where a satellite holds more than parallel_experts of the layer's
 * experts (copies count): there, co-activated experts may queue. With
 * replicas the copy each snapshot uses is recorded (T x L x E). */
static int find_serial_layers(xnet_cost_t *c, const xnet_plan_t *plan, const int *nearest)
{
    int L = plan->layers, E = plan->experts, p = plan->hosting.parallel_experts, any = 0;
    unsigned char *serial = calloc((size_t)L, 1);
    int *count = calloc((size_t)plan->nodes, sizeof(int));
    if (!serial || !count) {
        free(serial);
        free(count);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    }
    for (int l = 0; l < L; l++) {
        for (int i = l * E; i < (l + 1) * E; i++) {
            for (int j = 0; j < xnet_plan_copies(plan, i); j++) {
                serial[l] |= ++count[xnet_plan_copy(plan, i, j)] > p;
            }
        }
        for (int i = l * E; i < (l + 1) * E; i++) {
            for (int j = 0; j < xnet_plan_copies(plan, i); j++) {
                count[xnet_plan_copy(plan, i, j)] = 0;
            }
        }
        any |= serial[l];
    }
    free(count);
    if (!any) {
        free(serial);
        return XNET_OK;
    }
    size_t cells = (size_t)L * E, rows = nearest ? (size_t)c->snapshots : 1;
    int *sat = malloc(sizeof(int) * cells * rows);
    if (!sat) {
        free(serial);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    }
    for (size_t k = 0; k < cells * rows; k++) {
        sat[k] = nearest ? c->copy_satellite[nearest[k]] : plan->satellite[k];
    }
    c->parallel = p;
    c->serial = serial;
    c->satellite = sat;
    c->satellite_stride = nearest ? cells : 0;
    return XNET_OK;
}

/* The copies of a replicated plan, every expert's first copy first. */
static int list_copies(xnet_cost_t *c, const xnet_plan_t *plan)
{
    int cells = plan->layers * plan->experts;
    c->copies = cells + plan->replicas;
    c->copy_first = malloc(sizeof(int) * ((size_t)cells + 1));
    c->copy_satellite = malloc(sizeof(int) * (size_t)c->copies);
    if (!c->copy_first || !c->copy_satellite) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    }
    int j = 0;
    for (int i = 0; i < cells; i++) {
        c->copy_first[i] = j;
        for (int k = 0; k < xnet_plan_copies(plan, i); k++) {
            c->copy_satellite[j++] = xnet_plan_copy(plan, i, k);
        }
    }
    c->copy_first[cells] = j;
    return XNET_OK;
}

/* path_s from the copies' paths: the nearest copy per snapshot, ties to
 * the earlier (so a copy beside its first changes nothing); *nearest (T x
 * L x E, malloc'd) says which. */
static int nearest_copies(xnet_cost_t *c, int **nearest)
{
    size_t cells = (size_t)c->layers * c->experts, T = (size_t)c->snapshots;
    int *which = malloc(sizeof(int) * cells * T + 1);
    if (!which) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    }
    for (size_t k = 0; k < T; k++) {
        const double *row = c->copy_path_s + k * (size_t)c->copies;
        for (size_t i = 0; i < cells; i++) {
            int best = c->copy_first[i];
            for (int j = best + 1; j < c->copy_first[i + 1]; j++) {
                best = row[j] < row[best] ? j : best;
            }
            which[k * cells + i] = best;
            c->path_s[k * cells + i] = row[best];
        }
    }
    *nearest = which;
    return XNET_OK;
}

int xnet_cost_build(xnet_cost_t **out, xnet_network_t *net, const xnet_plan_t *plan,
                    xnet_route_t route)
{
    *out = NULL;
    int T = xnet_network_snapshots(net), n = xnet_network_nodes(net);
    int L = plan->layers, E = plan->experts, rc;
    if (plan->nodes != n) {
        return xnet_fail(XNET_EINVAL, "the plan is for %d satellites, the network has %d",
                         plan->nodes, n);
    }
    double copies = (double)L * E + plan->replicas;
    if ((rc = xnet_limit_check((double)T * (L * (E + 1.0) + (plan->replicas ? copies : 0))
                                   * sizeof(double),
                               "the path latency table"))) {
        return rc;
    }
    xnet_cost_t *c = calloc(1, sizeof *c);
    if (c) {
        c->path_s = malloc(sizeof(double) * ((size_t)T * (size_t)L * (size_t)E + 1));
        c->hop_s = malloc(sizeof(double) * ((size_t)T * (size_t)L + 1));
    }
    if (!c || !c->path_s || !c->hop_s) {
        xnet_cost_destroy(c);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    }
    c->snapshots = T;
    c->layers = L;
    c->experts = E;
    c->route = route;
    const xnet_link_params_t *link = &xnet_network_params(net)->link;
    c->tx_s = link->bits / link->rate_bps;
    c->proc_s = link->proc_s;
    /* Copies of layer l are copy_first[l E] .. copy_first[(l + 1) E): the
     * layer lists the path queries take. Without replicas, the plan's own. */
    int *first = malloc(sizeof(int) * ((size_t)L + 1));
    const int *sat = plan->satellite;
    double *through = c->path_s;
    rc = first ? XNET_OK : xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    if (!rc && plan->replicas > 0 && !(rc = list_copies(c, plan))) {
        sat = c->copy_satellite;
        through = c->copy_path_s = malloc(sizeof(double) * (size_t)T * (size_t)c->copies);
        rc = through ? XNET_OK : xnet_fail(XNET_ENOMEM, "out of memory for the path latency table");
    }
    for (int l = 0; !rc && l <= L; l++) {
        first[l] = c->copy_first ? c->copy_first[l * E] : l * E;
    }
    const xnet_ring_cost_t *ring = xnet_ring_cost_find(net, plan->gateway, L, route);
    if (!rc && ring_covers(ring, n, L, first, sat)) {
        /* the same sums the query would give: the searches are the same */
        int M = first[L];
        for (int k = 0; k < T; k++) {
            const double *row = ring->through_s + (size_t)k * ring->members;
            for (int i = 0; i < M; i++) {
                through[(size_t)k * M + i] = row[ring->index_of[sat[i]]];
            }
            for (int l = 0; l < L; l++) {
                c->hop_s[(size_t)k * L + l] = ring->hop_s[(size_t)k * L + l];
            }
        }
    } else if (!rc) {
        rc = xnet_path_through(net, plan->gateway, L, route, first, sat, through, c->hop_s, NULL,
                               NULL);
    }
    free(first);
    int *nearest = NULL;
    if (!rc && c->copy_path_s) {
        rc = nearest_copies(c, &nearest);
    }
    if (!rc && plan->hosting.memory_bytes > 0) {
        rc = find_serial_layers(c, plan, nearest);
    }
    free(nearest);
    if (rc) {
        xnet_cost_destroy(c);
        return rc;
    }
    *out = c;
    return XNET_OK;
}

int xnet_cost_hops(xnet_cost_t *cost, xnet_network_t *net, const xnet_plan_t *plan)
{
    int T = cost->snapshots, L = cost->layers, E = cost->experts, rc;
    if (cost->path_hops) {
        return XNET_OK;
    }
    if (plan->nodes != xnet_network_nodes(net) || plan->layers != L || plan->experts != E
        || xnet_network_snapshots(net) != T) {
        return xnet_fail(XNET_EINVAL, "the path latency table is not for this plan and network");
    }
    /* The same lists the table's queries took: with replicas every copy,
     * and then the count of the copy path_s took (the nearest, ties to the
     * earlier, as nearest_copies). */
    size_t cells = (size_t)L * E, M = cost->copies ? (size_t)cost->copies : cells;
    size_t all = (size_t)T * M;
    if ((rc = xnet_limit_check(((double)all + (double)T * L) * (sizeof(double) + sizeof(int))
                                   + (double)T * cells * sizeof(int),
                               "the path link counts"))) {
        return rc;
    }
    /* The latencies come again and are dropped: the table's are the same sums. */
    double *through = malloc(sizeof(double) * (all + (size_t)T * L + 1));
    int *count = malloc(sizeof(int) * (all + 1));
    int *hops = cost->copies ? malloc(sizeof(int) * ((size_t)T * cells + 1)) : count;
    int *first = malloc(sizeof(int) * ((size_t)L + 1));
    if (!through || !count || !hops || !first) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the path link counts");
    } else {
        for (int l = 0; l <= L; l++) {
            first[l] = cost->copy_first ? cost->copy_first[l * E] : l * E;
        }
        rc = xnet_path_through(net, plan->gateway, L, cost->route, first,
                               cost->copy_satellite ? cost->copy_satellite : plan->satellite,
                               through, through + all, count, NULL);
    }
    for (size_t k = 0; !rc && cost->copies && k < (size_t)T; k++) {
        const double *row = cost->copy_path_s + k * M;
        for (size_t i = 0; i < cells; i++) {
            int best = cost->copy_first[i];
            for (int j = best + 1; j < cost->copy_first[i + 1]; j++) {
                best = row[j] < row[best] ? j : best;
            }
            hops[k * cells + i] = count[k * M + (size_t)best];
        }
    }
    free(through);
    free(first);
    if (hops != count) {
        free(count);
    }
    if (rc) {
        free(hops);
        return rc;
    }
    cost->path_hops = hops;
    return XNET_OK;
}

static int check_shapes(const xnet_cost_t *cost, const xnet_profile_t *profile, int snapshot)
{
    if (profile->layers != cost->layers || profile->experts != cost->experts) {
        return xnet_fail(XNET_EINVAL,
                         "the profile is for %d layers x %d experts, the plan for %d x %d",
                         profile->layers, profile->experts, cost->layers, cost->experts);
    }
    if (snapshot >= cost->snapshots) {
        return xnet_fail(XNET_EINVAL, "snapshot %d out of range [0, %d)", snapshot,
                         cost->snapshots);
    }
    return XNET_OK;
}

/* Latency of one layer for one top-k set: inf when a path is cut. */
static inline double layer_latency(const double *path, const int *members, int k, double base,
                                   double expert_s)
{
    double worst = path[members[0]];
    for (int j = 1; j < k; j++) {
        double v = path[members[j]];
        worst = v > worst ? v : worst;
    }
    return base + worst + expert_s;
}

/* The same where co-activated experts on one satellite queue: the slowest
 * satellite's path + ceil(its activated experts / parallel) expert times. */
static double layer_latency_queued(const double *path, const int *members, int k,
                                   const int *sat, int parallel, double base, double expert_s)
{
    double worst = -INFINITY;
    for (int j = 0; j < k; j++) {
        int n = 0;
        for (int i = 0; i < k; i++) {
            n += sat[members[i]] == sat[members[j]];
        }
        double v = path[members[j]] + ((n + parallel - 1) / parallel) * expert_s;
        worst = v > worst ? v : worst;
    }
    return base + worst;
}

/* The satellites of layer l's experts at snapshot snap when co-activated
 * experts may queue there, else NULL. */
static inline const int *queue_satellites(const xnet_cost_t *cost, int l, int snap, int k)
{
    if (cost->serial && cost->serial[l] && k > cost->parallel) {
        return cost->satellite + (size_t)snap * cost->satellite_stride
             + (size_t)l * cost->experts;
    }
    return NULL;
}

/* Latency of layer l for one set at snapshot snap, queueing where the plan
 * co-locates. */
static inline double set_latency(const xnet_cost_t *cost, int l, int snap, const double *path,
                                 const int *members, int k, double base, double expert_s)
{
    const int *sat = queue_satellites(cost, l, snap, k);
    if (sat) {
        return layer_latency_queued(path, members, k, sat, cost->parallel, base, expert_s);
    }
    return layer_latency(path, members, k, base, expert_s);
}

/* What xnet_set_latency adds to a layer's slowest path and expert: the
 * gateway, the ring hop and, at the last layer, the output projection. */
static inline double layer_base(const xnet_cost_t *cost, int l, int snap, xnet_compute_t compute)
{
    return compute.gateway_s + cost->hop_s[(size_t)snap * cost->layers + l]
         + (l == cost->layers - 1 ? compute.head_s : 0);
}

double xnet_set_parts(const xnet_cost_t *cost, int l, int snap, const int *members, int k,
                      xnet_compute_t compute, double *parts)
{
    int L = cost->layers, E = cost->experts;
    size_t at = ((size_t)snap * L + l) * E;
    const double *path = cost->path_s + at;
    const int *hops = cost->path_hops + at;
    const int *sat = cost->serial && cost->serial[l] && k > cost->parallel
                   ? cost->satellite + (size_t)snap * cost->satellite_stride + (size_t)l * E
                   : NULL;
    double path_sum = 0, expert_sum = 0, worst = -INFINITY, worst_path = path[members[0]];
    long hop_sum = 0;
    for (int j = 0; j < k; j++) {
        double expert = compute.expert_s;
        if (sat) { /* co-located experts queue, as layer_latency_queued */
            int n = 0;
            for (int i = 0; i < k; i++) {
                n += sat[members[i]] == sat[members[j]];
            }
            expert *= (n + cost->parallel - 1) / cost->parallel;
        }
        double v = path[members[j]];
        worst = v + expert > worst ? v + expert : worst;
        worst_path = v > worst_path ? v : worst_path;
        path_sum += v;
        expert_sum += expert;
        hop_sum += hops[members[j]];
    }
    double hop = cost->hop_s[(size_t)snap * L + l];
    /* without queues, layer_latency's very sum (the same bits) */
    double latency = sat ? xnet_set_latency(cost, l, snap, members, k, compute)
                         : compute.gateway_s + hop + (l == L - 1 ? compute.head_s : 0)
                               + worst_path + compute.expert_s;
    if (!isfinite(latency)) {
        return latency;
    }
    double links = (double)hop_sum / k;
    parts[XNET_PART_TRANSMISSION] = links * cost->tx_s;
    parts[XNET_PART_PROCESSING] = links * cost->proc_s;
    parts[XNET_PART_PROPAGATION] = path_sum / k - links * (cost->tx_s + cost->proc_s);
    parts[XNET_PART_RING_HOP] = hop;
    parts[XNET_PART_GATEWAY] = compute.gateway_s;
    parts[XNET_PART_EXPERT] = expert_sum / k;
    parts[XNET_PART_HEAD] = l == L - 1 ? compute.head_s : 0;
    parts[XNET_PART_TOPK_WAIT] = worst - (path_sum + expert_sum) / k;
    parts[XNET_PART_RETRY_WAIT] = 0;
    parts[XNET_PART_ACCESS] = 0;
    return latency;
}

double xnet_set_latency(const xnet_cost_t *cost, int l, int snap, const int *members, int k,
                        xnet_compute_t compute)
{
    const double *path = cost->path_s + ((size_t)snap * cost->layers + l) * cost->experts;
    return set_latency(cost, l, snap, path, members, k, layer_base(cost, l, snap, compute),
                       compute.expert_s);
}

int xnet_retry_snapshot(const xnet_cost_t *cost, int l, int snap, const int *members, int k,
                        xnet_compute_t compute, int *next, double *wait_s)
{
    int T = cost->snapshots;
    *next = snap;
    *wait_s = 0;
    if (isfinite(xnet_set_latency(cost, l, snap, members, k, compute))) {
        return 0;
    }
    /* Retry j runs at time t_snap + j retry_s, in snapshot floor(snap + j q)
     * (mod T, the series repeating); retries stop after one horizon. */
    double q = compute.retry_s / compute.dt_s;
    long most = (long)ceil(T / q);
    for (long j = 1; j <= most;) {
        long step = (long)floor(j * q + 1e-9);
        int s = (int)((snap + step) % T);
        if (isfinite(xnet_set_latency(cost, l, s, members, k, compute))) {
            *next = s;
            *wait_s = j * compute.retry_s;
            return 0;
        }
        /* the retries until the next snapshot see this one again: jump to
         * the first j whose snapshot differs (O(T) work for any retry_s) */
        long to = (long)ceil((step + 1 - 1e-9) / q);
        to = to > j + 1 ? to : j + 1;
        while (to - 1 > j && (long)floor((to - 1) * q + 1e-9) > step) {
            to--;
        }
        while ((long)floor(to * q + 1e-9) <= step) {
            to++;
        }
        j = to;
    }
    return -1;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void xnet_sort_doubles(double *v, size_t n)
{
    qsort(v, n, sizeof(double), compare_double);
}

double xnet_percentile(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)h;
    return i + 1 < n ? sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
}

/* The members of layer l's activated set for one token, drawn from the
 * profile: by the exact top-k sampler, or the alias table over its sets. */
static const int *draw_set(const xnet_profile_t *profile, int l, xnet_rng_t *rng, int *drawn)
{
    if (profile->topk) {
        xnet_topk_draw(profile->topk[l], rng, drawn);
        return drawn;
    }
    return profile->members + xnet_profile_draw_set(profile, l, rng) * (size_t)profile->top_k;
}

/* A layer's alias table recast for the tabled sampler: a cell per set, and
 * one more for x = n, each with its threshold and both outcomes as indices
 * into a row of the table. The same draw as xnet_profile_draw_set's without
 * its clamp and offset. (x = u n < n, as u <= 1 - 2^-53 and n is an integer;
 * the extra cell answers as the clamp would all the same.) */
typedef struct {
    double prob;
    uint32_t to[2]; /* below prob: the set itself; else its alias */
} alias_cell;

typedef struct {
    const alias_cell *cell; /* n + 1 */
    double n_d;             /* n as a double */
} layer_alias;

/* The cells of every layer (first[L] + L of them) and the layers' tables.
 * A row of a table that fits XNET_STEP_TABLE_MAX_BYTES has far fewer than
 * 2^32 sets. */
static void recast_alias(const xnet_profile_t *profile, int L, alias_cell *cell,
                         layer_alias *alias)
{
    for (int l = 0; l < L; l++) {
        size_t lo = profile->first[l], n = profile->first[l + 1] - lo;
        alias_cell *c = cell + lo + (size_t)l;
        for (size_t s = 0; s < n; s++) {
            c[s] = (alias_cell){profile->alias_prob[lo + s],
                                {(uint32_t)(lo + s), (uint32_t)(lo + profile->alias_index[lo + s])}};
        }
        /* x = n: 0 >= 0 takes to[1], what the clamped draw gives */
        c[n] = (alias_cell){0, {0, c[n - 1].to[1.0 >= profile->alias_prob[lo + n - 1]]}};
        alias[l] = (layer_alias){c, (double)n};
    }
}

/* Layer a's set for one token: its index in a row of the table. */
static inline size_t draw_recast(const layer_alias *a, xnet_rng_t *rng)
{
    double x = xnet_rng_uniform(rng) * a->n_d;
    int64_t i = (int64_t)x;
    const alias_cell *c = a->cell + i;
    return c->to[x - (double)i >= c->prob]; /* an index, not a branch: it is a coin toss */
}

/* The layers of token_latency from the table steps[snapshot x sets]: the
 * same draws and the same bits, a lookup per layer. While its charged twin
 * goes through, a token draws every layer; after that, until its total is
 * cut. The generator's state stays in registers. The lookups read lat, the
 * table's latencies alone (a third of its bytes, so more of it stays in
 * the cache: the tokens' time is mostly these reads); a set whose paths
 * exist runs at once (fill_steps: next is the snapshot itself, charged_s
 * 0.0 + latency_s), so the twin reads the whole step only where one is cut. */
static double token_from_table(const xnet_set_step_t *steps, const double *lat,
                               const layer_alias *alias, size_t sets, int L, int tau,
                               xnet_rng_t *rng, double total, double *layer, int charge,
                               double *charged, double *wlayer, uint32_t *drawn)
{
    xnet_rng_t r = *rng, first = r;
    /* Every layer's draw first, then the lookups, which then wait on none
     * of them (the table's rows are far apart in memory). A token that
     * stops early gives back the draws it did not use, below. */
    for (int l = 0; l < L; l++) {
        drawn[l] = (uint32_t)draw_recast(&alias[l], &r);
    }
    /* row: the token's snapshot; at: where its charged twin runs, snapshot
     * at_snap */
    const double *row = lat + (size_t)tau * sets, *at = row;
    double wtotal = total;
    int l = 0, at_snap = tau;
    *charged = HUGE_VAL;
    for (; charge && l < L; l++) {
        size_t s = drawn[l];
        double v = row[s], w = at[s];
        layer[l] = v;
        total += v;
        if (isfinite(w)) { /* the twin goes through where it is */
            wlayer[l] = 0.0 + w;
            wtotal += wlayer[l];
            continue;
        }
        const xnet_set_step_t *st = steps + (size_t)at_snap * sets + s;
        if (st->next < 0) {
            break; /* the twin is lost here */
        }
        wlayer[l] = st->charged_s;
        wtotal += st->charged_s;
        at_snap = st->next;
        at = lat + (size_t)at_snap * sets;
    }
    int used = L; /* the draws the token takes */
    if (charge && l == L) {
        *charged = wtotal;
    } else if (charge && !isfinite(total)) {
        used = l + 1;
        l = L;
    } else if (charge) {
        l++; /* the layer that lost the twin is drawn */
    }
    for (; l < L; l++) {
        double v = row[drawn[l]];
        layer[l] = v;
        total += v;
        if (!isfinite(total)) {
            used = l + 1;
            break;
        }
    }
    if (used < L) { /* the stream as if the token had drawn only those */
        r = first;
        for (int k = 0; k < used; k++) {
            draw_recast(&alias[k], &r);
        }
    }
    *rng = r;
    return total;
}

/* One token at snapshot tau: its latency (access included) and per layer in
 * layer[L]; +inf when a path is cut (the token is not delivered). With
 * charge set, also the token charged for cut paths (docs/model.md section
 * 9): *charged and wlayer[L], the token waiting where a layer's paths are
 * cut and going on from the snapshot its retry found; +inf when lost. With
 * steps (enumerated sets only; step_lat their latencies alone), every drawn
 * set's outcome is read from the table (token_from_table). With wparts (L x XNET_PARTS, else NULL; not with
 * steps), the charged layers' parts. */
static double token_latency(const xnet_cost_t *cost, const xnet_profile_t *profile,
                            xnet_compute_t compute, const xnet_set_step_t *steps,
                            const double *step_lat, const layer_alias *alias,
                            uint32_t *drawn_sets, int tau,
                            xnet_rng_t *rng, double *layer, int charge, double *charged,
                            double *wlayer, double *wparts)
{
    int L = cost->layers, E = cost->experts, k = profile->top_k, drawn[XNET_MAX_TOP_K];
    const double *path = cost->path_s + (size_t)tau * L * E;
    const double *hop = cost->hop_s + (size_t)tau * L;
    double total = cost->access_s ? cost->access_s[tau] : 0;
    *charged = HUGE_VAL;
    if (!isfinite(total)) {
        return HUGE_VAL;
    }
    if (steps) {
        return token_from_table(steps, step_lat, alias, profile->first[L], L, tau, rng, total,
                                layer, charge, charged, wlayer, drawn_sets);
    }
    double wtotal = total;
    int sigma = tau, through = charge;
    for (int l = 0; l < L && (isfinite(total) || through); l++) {
        const int *members = draw_set(profile, l, rng, drawn);
        double v = set_latency(cost, l, tau, path + (size_t)l * E, members, k,
                               compute.gateway_s + hop[l] + (l == L - 1 ? compute.head_s : 0),
                               compute.expert_s);
        layer[l] = v;
        total += v;
        int next;
        double wait;
        if (through && xnet_retry_snapshot(cost, l, sigma, members, k, compute, &next, &wait)) {
            through = 0;
        } else if (through) {
            wlayer[l] = wait + (next == tau ? v : xnet_set_latency(cost, l, next, members, k,
                                                                   compute));
            wtotal += wlayer[l];
            sigma = next;
            if (wparts) {
                xnet_set_parts(cost, l, next, members, k, compute, wparts + l * XNET_PARTS);
                wparts[l * XNET_PARTS + XNET_PART_RETRY_WAIT] = wait;
            }
        }
    }
    if (through) {
        *charged = wtotal;
    }
    return total;
}

typedef struct {
    const xnet_cost_t *cost;
    const xnet_profile_t *profile;
    xnet_compute_t compute;
    int charge, l0, l1;
    xnet_set_step_t *steps;
} steps_job;

/* One snapshot's row of the table: the sets of layers [l0, l1). A set
 * whose paths exist runs at once (xnet_retry_snapshot's answer without its
 * search); only a cut one searches for its retry. */
static int fill_steps(void *ctx, int worker, int t)
{
    (void)worker;
    const steps_job *j = ctx;
    const xnet_cost_t *cost = j->cost;
    const xnet_profile_t *p = j->profile;
    int k = p->top_k, L = cost->layers, E = cost->experts;
    size_t first = p->first[j->l0], n = p->first[j->l1] - first;
    xnet_set_step_t *row = j->steps + (size_t)t * n;
    for (int l = j->l0; l < j->l1; l++) {
        const double *path = cost->path_s + ((size_t)t * L + l) * E;
        const int *sat = queue_satellites(cost, l, t, k);
        double base = layer_base(cost, l, t, j->compute), expert_s = j->compute.expert_s;
        for (size_t s = p->first[l]; s < p->first[l + 1]; s++) {
            const int *members = p->members + s * (size_t)k;
            xnet_set_step_t *st = &row[s - first];
            double v = sat ? layer_latency_queued(path, members, k, sat, cost->parallel, base,
                                                  expert_s)
                           : layer_latency(path, members, k, base, expert_s);
            double wait;
            st->latency_s = v;
            st->charged_s = HUGE_VAL;
            st->next = -1;
            if (!j->charge) {
                continue;
            }
            if (isfinite(v)) {
                st->next = t;
                st->charged_s = 0.0 + v; /* no wait: xnet_retry_snapshot's sum */
            } else if (!xnet_retry_snapshot(cost, l, t, members, k, j->compute, &st->next,
                                            &wait)) {
                st->charged_s = wait + xnet_set_latency(cost, l, st->next, members, k,
                                                        j->compute);
            } else {
                st->next = -1;
            }
        }
    }
    return XNET_OK;
}

int xnet_set_steps(const xnet_cost_t *cost, const xnet_profile_t *profile,
                   xnet_compute_t compute, int charge, int l0, int l1, xnet_set_step_t *steps)
{
    steps_job j = {cost, profile, compute, charge, l0, l1, steps};
    return xnet_pool_run(cost->snapshots, xnet_workers(), fill_steps, &j);
}

static int step_tables_allowed = 1;

void xnet_latency_set_step_table(int allowed)
{
    step_tables_allowed = allowed != 0;
}

/* A table of every layer's steps (xnet_set_steps) when the profile
 * enumerates its sets and the table fits (XNET_STEP_TABLE_MAX_BYTES and a
 * quarter of the memory limit); *out NULL otherwise, or when memory is
 * short (the callers compute without it). Rows on every worker. */
static int build_table(const xnet_cost_t *cost, const xnet_profile_t *profile,
                       xnet_compute_t compute, xnet_set_step_t **out)
{
    *out = NULL;
    int T = cost->snapshots, L = cost->layers;
    double bytes = (double)profile->first[L] * T * sizeof(xnet_set_step_t);
    if (profile->topk || bytes > XNET_STEP_TABLE_MAX_BYTES
        || bytes > xnet_memory_limit_bytes() / 4) {
        return XNET_OK;
    }
    xnet_set_step_t *steps = malloc((size_t)bytes + 1);
    if (!steps) {
        return XNET_OK;
    }
    int rc = xnet_set_steps(cost, profile, compute, compute.retry_s > 0, 0, L, steps);
    if (rc) {
        free(steps);
        return rc;
    }
    *out = steps;
    return XNET_OK;
}

/* Whether the sampler reads its draws from a table: the profile enumerates
 * its sets, no breakdown is asked (its parts are computed per draw), and
 * the tokens draw each entry about once or more (then the table costs less
 * than computing every draw). */
static int sampler_reads_table(const xnet_cost_t *cost, const xnet_profile_t *profile,
                               xnet_compute_t compute, size_t tokens,
                               const xnet_sample_result_t *res)
{
    int L = cost->layers;
    return !profile->topk && step_tables_allowed
        && !(compute.retry_s > 0 && res->parts && cost->path_hops)
        && (double)profile->first[L] * cost->snapshots <= (double)tokens * L;
}

/* Running sums over the delivered tokens. */
typedef struct {
    size_t delivered;
    double sum, sumsq, access_sum;
} sample_sums;

/* Selection by partitions without branches on the data (Lomuto's scheme
 * with the exchange always made, median-of-three pivots): afterwards v[k]
 * holds the k-th smallest, nothing before it is greater, nothing after
 * smaller. Latencies compare like coin tosses, so a branch per comparison
 * (Hoare's scheme) costs a misprediction every other value. */
static void select_nth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* v[k]'s value lies in v[lo, hi) */
    while (hi - lo > 1) {
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo;
        for (size_t j = lo; j < hi; j++) { /* v[lo, i) < pivot <= v[i, j) */
            double x = v[j];
            v[j] = v[i];
            v[i] = x;
            i += x < pivot;
        }
        if (k < i) {
            hi = i; /* the pivot is not below itself: i < hi */
        } else if (i > lo) {
            lo = i;
        } else { /* nothing below the pivot: the values equal to it first */
            for (size_t j = lo; j < hi; j++) {
                double x = v[j];
                v[j] = v[i];
                v[i] = x;
                i += !(pivot < x);
            }
            if (k < i) {
                return; /* v[lo, i) all equal the pivot */
            }
            lo = i;
        }
    }
}

void xnet_percentiles_unsorted(double *v, size_t n, const double *q, int m, double *out)
{
    /* lo: v[lo..n) holds the n - lo largest values (the rest is at most any
     * of them); each quantile's order statistic is selected there, so the
     * higher ones search less and less */
    size_t lo = 0;
    for (int j = 0; j < m; j++) {
        size_t i = (size_t)((double)(n - 1) * q[j]);
        if (i >= lo) {
            select_nth(v + lo, n - lo, i - lo);
            lo = i + 1;
        }
    }
    /* the statistic just above quantile j's: the next selected one, or the
     * least of the values between */
    for (int j = 0; j < m; j++) {
        double h = (double)(n - 1) * q[j];
        size_t i = (size_t)h, end = n;
        for (int k = j + 1; k < m && end == n; k++) {
            size_t next = (size_t)((double)(n - 1) * q[k]);
            end = next > i ? next : n;
        }
        if (i + 1 >= n) {
            out[j] = v[i];
            continue;
        }
        double above = v[i + 1];
        for (size_t k = i + 2; k < end; k++) {
            above = v[k] < above ? v[k] : above;
        }
        out[j] = v[i] + (h - (double)i) * (above - v[i]);
    }
}

double xnet_percentile_unsorted(double *v, size_t n, double q)
{
    double out;
    xnet_percentiles_unsorted(v, n, &q, 1, &out);
    return out;
}

/* Mean, standard error, percentiles (lat is reordered here) and per-layer
 * means from the sums; NaN everywhere when nothing was delivered. */
static void summarise_samples(double *lat, const sample_sums *s, size_t tokens, int L,
                              xnet_sample_result_t *res)
{
    res->tokens = tokens;
    res->delivered = s->delivered;
    res->undelivered = (double)(tokens - s->delivered) / (double)tokens;
    if (s->delivered == 0) {
        res->access_s = NAN;
        res->mean_s = res->stderr_s = res->p50_s = res->p95_s = res->p99_s = NAN;
        for (int l = 0; l < L; l++) {
            res->per_layer_s[l] = NAN;
        }
        return;
    }
    double d = (double)s->delivered, mean = s->sum / d;
    double var = s->delivered > 1 ? (s->sumsq - d * mean * mean) / (d - 1) : 0;
    res->mean_s = mean;
    res->access_s = s->access_sum / d;
    res->stderr_s = sqrt(var > 0 ? var : 0) / sqrt(d);
    for (int l = 0; l < L; l++) {
        res->per_layer_s[l] /= d;
    }
    const double q[] = {0.50, 0.95, 0.99};
    double p[3];
    xnet_percentiles_unsorted(lat, s->delivered, q, 3, p);
    res->p50_s = p[0];
    res->p95_s = p[1];
    res->p99_s = p[2];
}

/* Blocks of SAMPLE_BLOCK_TOKENS tokens, each on its own stream. */
typedef struct {
    const xnet_cost_t *cost;
    const xnet_profile_t *profile;
    xnet_compute_t compute;
    const xnet_set_step_t *steps; /* NULL: every draw computed */
    const double *step_lat;       /* with steps: their latency_s alone, in their order */
    const layer_alias *alias;     /* with steps: every layer's */
    uint32_t *drawn;              /* with steps: per worker, L */
    size_t tokens;
    uint64_t seed;
    int snapshot, charge;
    double *lat, *wlat;        /* block b's delivered tokens from b * SAMPLE_BLOCK_TOKENS */
    sample_sums *sums, *wsums; /* per block */
    double *layer_sums;        /* per block: L delivered, L charged */
    double *scratch;           /* per worker: 2 L, and with parts (L + 1) x XNET_PARTS */
    /* The breakdown, or NULL: per block, for each of (L + 1) x XNET_PARTS
     * cells (the charged layers', then the token's), the block's first
     * token's value (shift: a part that never varies gets a standard error
     * of exactly 0), the sum and the sum of squares of the values less it. */
    double *parts;
} sample_job;

#define PART_STATS 3 /* shift, sum, sum of squares */



/* Block b's stream: splitmix64 of splitmix64(seed) xor b, distinct for
 * distinct blocks (both steps are bijections). */
static uint64_t sample_block_seed(uint64_t seed, uint64_t block)
{
    return xnet_mix64(xnet_mix64(seed) ^ block);
}

/* Two doubles added lane by lane: each lane is the scalar sum, the same
 * bits. Aligned as a double and aliasing doubles: it reads arrays of them. */
typedef double two_doubles __attribute__((vector_size(2 * sizeof(double)), aligned(8), may_alias));

/* sum[l] += x[l], four at a time (once per token: the compiler leaves the
 * plain loop scalar). */
static inline void add_layers(double *restrict sum, const double *restrict x, int n)
{
    int l = 0;
    for (; l + 4 <= n; l += 4) {
        *(two_doubles *)(sum + l) += *(const two_doubles *)(x + l);
        *(two_doubles *)(sum + l + 2) += *(const two_doubles *)(x + l + 2);
    }
    for (; l < n; l++) {
        sum[l] += x[l];
    }
}

/* One token's parts (its layers' in wparts, the token's row made here) into
 * a block's stats: the shifts (the block's first token's parts), then the
 * sums and the sums of squares of the parts less them, `cells` each (apart,
 * so the loops vectorise). */
static void add_token_parts(double *wparts, int L, double access_s, int first, double *stats)
{
    size_t P = XNET_PARTS, cells = ((size_t)L + 1) * P;
    double *restrict token = wparts + (size_t)L * P;
    for (size_t c = 0; c < P; c++) {
        token[c] = 0;
    }
    for (int l = 0; l < L; l++) {
        const double *restrict layer = wparts + (size_t)l * P;
        for (size_t c = 0; c < P; c++) {
            token[c] += layer[c];
        }
    }
    token[XNET_PART_ACCESS] = access_s;
    double *restrict shift = stats, *restrict sum = stats + cells, *restrict sq = sum + cells;
    const double *restrict x = wparts;
    if (first) {
        memcpy(shift, x, sizeof(double) * cells);
    }
    for (size_t i = 0; i < cells; i++) {
        double d = x[i] - shift[i];
        sum[i] += d;
        sq[i] += d * d;
    }
}

/* The blocks' stats, in block order, into means and standard errors: with
 * K the first block's shift, mean = K + sum_b (n_b (K_b - K) + S_b) / n and
 * the squares about it by the parallel (Chan et al.) combination. */
static void combine_parts(const double *parts, const sample_sums *wsums, size_t blocks,
                          size_t cells, double *mean, double *stderr_s)
{
    for (size_t i = 0; i < cells; i++) {
        double n = 0, k0 = NAN, acc = 0;
        for (size_t b = 0; b < blocks; b++) {
            const double *st = parts + b * cells * PART_STATS + i;
            double nb = (double)wsums[b].delivered;
            if (nb > 0) {
                k0 = isnan(k0) ? st[0] : k0;
                acc += nb * (st[0] - k0) + st[cells];
                n += nb;
            }
        }
        double m = n > 0 ? k0 + acc / n : NAN, m2 = 0;
        for (size_t b = 0; b < blocks && n > 1; b++) {
            const double *st = parts + b * cells * PART_STATS + i;
            double nb = (double)wsums[b].delivered;
            if (nb > 0) {
                double mb = st[0] + st[cells] / nb;
                m2 += st[2 * cells] - st[cells] * st[cells] / nb + nb * (mb - m) * (mb - m);
            }
        }
        mean[i] = m;
        stderr_s[i] = n > 1 ? sqrt((m2 > 0 ? m2 : 0) / (n - 1) / n) : n > 0 ? 0 : NAN;
    }
}

static int sample_block(void *ctx, int worker, int b)
{
    const sample_job *j = ctx;
    int L = j->cost->layers, T = j->cost->snapshots;
    size_t i0 = (size_t)b * SAMPLE_BLOCK_TOKENS;
    size_t i1 = j->tokens - i0 > SAMPLE_BLOCK_TOKENS ? i0 + SAMPLE_BLOCK_TOKENS : j->tokens;
    size_t cells = ((size_t)L + 1) * XNET_PARTS;
    double *layer = j->scratch + (size_t)worker * (2 * L + (j->parts ? cells : 0));
    double *wlayer = layer + L, *wparts = j->parts ? wlayer + L : NULL;
    uint32_t *drawn = j->drawn ? j->drawn + (size_t)worker * L : NULL;
    double *stats = j->parts ? j->parts + (size_t)b * cells * PART_STATS : NULL;
    for (size_t c = 0; stats && c < cells * PART_STATS; c++) {
        stats[c] = 0;
    }
    double *sum_layer = j->layer_sums + (size_t)b * 2 * L, *wsum_layer = sum_layer + L;
    double *lat = j->lat + i0, *wlat = j->charge ? j->wlat + i0 : NULL;
    sample_sums s = {0, 0, 0, 0}, ws = {0, 0, 0, 0};
    for (int l = 0; l < 2 * L; l++) {
        sum_layer[l] = 0;
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, sample_block_seed(j->seed, (uint64_t)b));
    for (size_t i = i0; i < i1; i++) {
        int tau = j->snapshot >= 0 ? j->snapshot : (int)(i % (size_t)T);
        double charged;
        double total = token_latency(j->cost, j->profile, j->compute, j->steps, j->step_lat,
                                     j->alias, drawn,
                                     tau, &rng, layer, j->charge, &charged, wlayer, wparts);
        if (isfinite(total)) {
            lat[s.delivered++] = total;
            s.access_sum += j->cost->access_s ? j->cost->access_s[tau] : 0;
            s.sum += total;
            s.sumsq += total * total;
            add_layers(sum_layer, layer, L);
        }
        if (isfinite(charged)) {
            wlat[ws.delivered++] = charged;
            ws.sum += charged;
            ws.sumsq += charged * charged;
            add_layers(wsum_layer, wlayer, L);
            if (wparts) {
                add_token_parts(wparts, L, j->cost->access_s ? j->cost->access_s[tau] : 0,
                                ws.delivered == 1, stats);
            }
        }
    }
    j->sums[b] = s;
    j->wsums[b] = ws;
    return XNET_OK;
}

/* Block b's sums onto *into and its delivered values moved down to
 * follow the earlier blocks': blocks are combined in order, so the result
 * does not depend on which worker ran which. */
static void combine_block(double *v, size_t i0, const sample_sums *b, sample_sums *into,
                          const double *layer_sums, double *layer_into, int L)
{
    memmove(v + into->delivered, v + i0, sizeof(double) * b->delivered);
    into->delivered += b->delivered;
    into->sum += b->sum;
    into->sumsq += b->sumsq;
    into->access_sum += b->access_sum;
    for (int l = 0; l < L; l++) {
        layer_into[l] += layer_sums[l];
    }
}

/* A run's two summaries: the delivered tokens' (0) and the charged ones'
 * (1), one per task. */
typedef struct {
    const sample_job *job;
    size_t blocks;
    xnet_sample_result_t *res[2];
    sample_sums sums[2]; /* out */
} summary_job;

/* Summary i of a summary_job: its blocks combined in order, then summarised. */
static int summarise_task(void *ctx, int worker, int i)
{
    (void)worker;
    summary_job *sj = ctx;
    const sample_job *j = sj->job;
    int L = j->cost->layers;
    double *lat = i ? j->wlat : j->lat, *per_layer = sj->res[i]->per_layer_s;
    const sample_sums *block = i ? j->wsums : j->sums;
    sample_sums *sums = &sj->sums[i];
    for (int l = 0; l < L; l++) {
        per_layer[l] = 0;
    }
    for (size_t b = 0; b < sj->blocks; b++) {
        const double *layer_sums = j->layer_sums + (b * 2 + (size_t)i) * (size_t)L;
        combine_block(lat, b * SAMPLE_BLOCK_TOKENS, &block[b], sums, layer_sums, per_layer, L);
    }
    summarise_samples(lat, sums, j->tokens, L, sj->res[i]);
    return XNET_OK;
}

/* xnet_latency_sample, reading table (every layer's steps, or NULL: built
 * here when it pays) when the sampler reads one. */
static int latency_sample(const xnet_cost_t *cost, const xnet_profile_t *profile,
                          xnet_compute_t compute, size_t tokens, uint64_t seed, int snapshot,
                          const xnet_set_step_t *table, xnet_sample_result_t *res)
{
    int rc = check_shapes(cost, profile, snapshot);
    int L = cost->layers;
    if (rc) {
        return rc;
    }
    if (tokens < 1) {
        return xnet_fail(XNET_EINVAL, "tokens must be >= 1, got %zu", tokens);
    }
    int charge = compute.retry_s > 0;
    size_t blocks = (tokens - 1) / SAMPLE_BLOCK_TOKENS + 1;
    int workers = xnet_workers();
    int breakdown = charge && res->parts && cost->path_hops;
    size_t cells = ((size_t)L + 1) * XNET_PARTS;
    for (size_t i = 0; res->parts && i < cells; i++) {
        res->parts[i] = res->parts_stderr[i] = NAN;
    }
    double per_block = 2.0 * sizeof(sample_sums) + 2.0 * L * sizeof(double)
                     + (breakdown ? (double)cells * PART_STATS * sizeof(double) : 0);
    if ((rc = xnet_limit_check((double)tokens * sizeof(double) * (charge ? 2 : 1)
                                   + (double)blocks * per_block,
                               "the token latency samples"))) {
        return rc;
    }
    if (blocks > INT_MAX) {
        return xnet_fail(XNET_EINVAL, "tokens must be <= %zu, got %zu",
                         (size_t)INT_MAX * SAMPLE_BLOCK_TOKENS, tokens);
    }
    sample_job j = {cost, profile, compute, NULL, NULL, NULL, NULL, tokens, seed, snapshot,
                    charge,
                    malloc(sizeof(double) * tokens),
                    charge ? malloc(sizeof(double) * tokens) : NULL,
                    malloc(sizeof(sample_sums) * 2 * blocks), NULL,
                    malloc(sizeof(double) * 2 * (size_t)L * blocks),
                    malloc(sizeof(double) * (2 * (size_t)L + (breakdown ? cells : 0))
                           * (size_t)workers),
                    breakdown ? malloc(sizeof(double) * cells * PART_STATS * blocks) : NULL};
    double *wsum_layer = malloc(sizeof(double) * ((size_t)L + 1));
    xnet_set_step_t *own = NULL;
    if (!j.lat || (charge && !j.wlat) || !j.sums || !j.layer_sums || !j.scratch || !wsum_layer
        || (breakdown && !j.parts)) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for %zu token samples", tokens);
    } else {
        j.wsums = j.sums + blocks;
        if (sampler_reads_table(cost, profile, compute, tokens, res)) {
            rc = table ? XNET_OK : build_table(cost, profile, compute, &own);
            j.steps = table ? table : own;
        }
    }
    size_t entries = j.steps ? profile->first[L] * (size_t)cost->snapshots : 0;
    if (!rc && j.steps) {
        rc = xnet_limit_check(sizeof(double) * (double)entries, "the sampler's latency table");
    }
    layer_alias *alias = j.steps ? malloc(sizeof *alias * (size_t)L) : NULL;
    alias_cell *cell = j.steps ? malloc(sizeof *cell * (profile->first[L] + (size_t)L)) : NULL;
    double *step_lat = j.steps ? malloc(sizeof(double) * entries) : NULL;
    j.drawn = j.steps ? malloc(sizeof *j.drawn * (size_t)L * (size_t)workers) : NULL;
    if (!rc && j.steps && (!alias || !cell || !step_lat || !j.drawn)) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for %zu token samples", tokens);
    } else if (!rc && j.steps) {
        recast_alias(profile, L, cell, alias);
        j.alias = alias;
        for (size_t i = 0; i < entries; i++) {
            step_lat[i] = j.steps[i].latency_s;
        }
        j.step_lat = step_lat;
    }
    if (!rc) {
        rc = xnet_pool_run((int)blocks, workers, sample_block, &j);
    }
    /* The charged figures by the same summary, beside the others. */
    xnet_sample_result_t w = {.per_layer_s = wsum_layer};
    summary_job sj = {&j, blocks, {res, &w}, {{0, 0, 0, 0}, {0, 0, 0, 0}}};
    if (!rc) {
        rc = xnet_pool_run(charge ? 2 : 1, workers, summarise_task, &sj);
    }
    if (!rc) {
        res->lost = charge ? w.undelivered : NAN;
        res->wait_mean_s = charge ? w.mean_s : NAN;
        res->wait_stderr_s = charge ? w.stderr_s : NAN;
        res->wait_p50_s = charge ? w.p50_s : NAN;
        res->wait_p95_s = charge ? w.p95_s : NAN;
        res->wait_p99_s = charge ? w.p99_s : NAN;
        for (int l = 0; res->wait_per_layer_s && l < L; l++) {
            res->wait_per_layer_s[l] = charge && sj.sums[1].delivered ? wsum_layer[l] : NAN;
        }
        if (breakdown) {
            combine_parts(j.parts, j.wsums, blocks, cells, res->parts, res->parts_stderr);
        }
    }
    free(own);
    free(alias);
    free(cell);
    free(step_lat);
    free(j.drawn);
    free(j.lat);
    free(j.wlat);
    free(j.sums);
    free(j.layer_sums);
    free(j.scratch);
    free(j.parts);
    free(wsum_layer);
    return rc;
}

/* Snapshots [t0, t1) of one layer per task, each worker with its own workspace. */
typedef struct {
    const xnet_cost_t *cost;
    const xnet_profile_t *profile;
    int t0, t1;
    double *out;   /* (t1 - t0) x L x { P(finite), E[max; finite] } */
    double *work;  /* workers x nwork */
    int *iwork;    /* workers x niwork */
    size_t nwork, niwork;
} anyk_job;

static int anyk_layer(void *ctx, int worker, int l)
{
    const anyk_job *j = ctx;
    int L = j->cost->layers, E = j->cost->experts;
    double *work = j->work + (size_t)worker * j->nwork;
    int *iwork = j->iwork + (size_t)worker * j->niwork;
    for (int tau = j->t0; tau < j->t1; tau++) {
        double *pw = j->out + 2 * ((size_t)(tau - j->t0) * L + l);
        xnet_topk_expect_max(j->profile->topk[l], j->cost->path_s + ((size_t)tau * L + l) * E,
                             work, iwork, &pw[0], &pw[1]);
    }
    return XNET_OK;
}

/* P(every activated path finite) and E[max path; finite] for every snapshot
 * in [t0, t1) and layer, into *out (malloc'd, the caller frees). */
static int exact_anyk(const xnet_cost_t *cost, const xnet_profile_t *profile, int t0, int t1,
                      double **out)
{
    int L = cost->layers, workers = xnet_workers(), rc;
    workers = workers < L ? workers : L;
    anyk_job j = {cost, profile, t0, t1, NULL, NULL, NULL, 0, 0};
    for (int l = 0; l < L; l++) {
        size_t a = xnet_topk_work_doubles(profile->topk[l]);
        size_t b = xnet_topk_work_ints(profile->topk[l]);
        j.nwork = a > j.nwork ? a : j.nwork;
        j.niwork = b > j.niwork ? b : j.niwork;
    }
    double cells = 2.0 * (t1 - t0) * L + (double)workers * j.nwork;
    if ((rc = xnet_limit_check(cells * sizeof(double), "the top-k evaluation"))) {
        return rc;
    }
    j.out = malloc(sizeof(double) * 2 * (size_t)(t1 - t0) * (size_t)L);
    j.work = malloc(sizeof(double) * (size_t)workers * j.nwork);
    j.iwork = malloc(sizeof(int) * ((size_t)workers * j.niwork + 1));
    if (!j.out || !j.work || !j.iwork) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the top-k evaluation");
    } else {
        rc = xnet_pool_run(L, workers, anyk_layer, &j);
    }
    free(j.work);
    free(j.iwork);
    if (rc) {
        free(j.out);
        return rc;
    }
    *out = j.out;
    return XNET_OK;
}

/* The parts of layer l at snapshot tau from the inclusion probabilities
 * (no path cut): the set's mean path is sum pi_e path_e / k, its wait the
 * expected maximum above it. */
static void anyk_parts(const xnet_cost_t *cost, const xnet_topk_t *topk, int l, int tau,
                       xnet_compute_t compute, double max_path_s, double *parts)
{
    int L = cost->layers, E = cost->experts, k = topk->top_k;
    size_t at = ((size_t)tau * L + l) * E;
    double path_mean = 0, links = 0;
    for (int e = 0; e < E; e++) {
        double pi = topk->inclusion[e];
        if (pi > 0 && isfinite(cost->path_s[at + e])) {
            path_mean += pi * cost->path_s[at + e];
            links += pi * cost->path_hops[at + e];
        }
    }
    path_mean /= k;
    links /= k;
    parts[XNET_PART_TRANSMISSION] = links * cost->tx_s;
    parts[XNET_PART_PROCESSING] = links * cost->proc_s;
    parts[XNET_PART_PROPAGATION] = path_mean - links * (cost->tx_s + cost->proc_s);
    parts[XNET_PART_RING_HOP] = cost->hop_s[(size_t)tau * L + l];
    parts[XNET_PART_GATEWAY] = compute.gateway_s;
    parts[XNET_PART_EXPERT] = compute.expert_s;
    parts[XNET_PART_HEAD] = l == L - 1 ? compute.head_s : 0;
    parts[XNET_PART_TOPK_WAIT] = max_path_s - path_mean;
    parts[XNET_PART_RETRY_WAIT] = parts[XNET_PART_ACCESS] = 0;
}

/* Snapshots of the exact expectation, a batch at a time on every worker. */
typedef struct {
    const xnet_cost_t *cost;
    const xnet_profile_t *profile;
    xnet_compute_t compute;
    const xnet_set_step_t *table; /* every layer's steps, or NULL */
    const double *anyk;           /* exact_anyk's from snapshot t0, or NULL */
    int t0, first, breakdown;     /* first: the batch's first snapshot */
    size_t row;                   /* doubles per snapshot in out */
    /* Per snapshot of the batch: P(delivered), each layer's conditional
     * mean, with breakdown their parts (L x XNET_PARTS); and whether a path
     * of a profile without sets is cut there (its parts not computed). */
    double *out;
    unsigned char *parts_cut;
} exact_job;

/* Snapshot first + i of an exact_job. */
static int exact_snapshot(void *ctx, int worker, int i)
{
    (void)worker;
    const exact_job *j = ctx;
    const xnet_cost_t *cost = j->cost;
    const xnet_profile_t *profile = j->profile;
    xnet_compute_t compute = j->compute;
    int L = cost->layers, E = cost->experts, k = profile->top_k, tau = j->first + i;
    int breakdown = j->breakdown, parts_cut = 0;
    size_t P = XNET_PARTS, sets = profile->first[L];
    double *cond = j->out + (size_t)i * j->row + 1, *cond_parts = cond + L;
    double set_parts[XNET_PARTS];
    j->parts_cut[i] = 0;
    if (cost->access_s && !isfinite(cost->access_s[tau])) {
        return XNET_OK; /* no access: every token of this snapshot is undelivered */
    }
    const double *path = cost->path_s + (size_t)tau * L * E;
    const double *hop = cost->hop_s + (size_t)tau * L;
    const xnet_set_step_t *steps = j->table ? j->table + (size_t)tau * sets : NULL;
    double p_delivered = 1;
    /* Layers are independent: P(delivered) is the product, and given
     * delivery each layer's mean is its own conditional mean. */
    for (int l = 0; l < L; l++) {
        double p = 0, m = 0, *lp = cond_parts + (size_t)l * P;
        int cut = 0;
        for (size_t c = 0; breakdown && c < P; c++) {
            lp[c] = 0;
        }
        if (j->anyk) {
            const double *pw = j->anyk + 2 * ((size_t)(tau - j->t0) * L + l);
            p = pw[0];
            m = p * (compute.gateway_s + hop[l] + compute.expert_s
                     + (l == L - 1 ? compute.head_s : 0)) + pw[1];
            cut = p < 1;
            parts_cut |= breakdown && cut;
            if (breakdown && !cut) {
                anyk_parts(cost, profile->topk[l], l, tau, compute, pw[1], lp);
            }
        }
        double p_sets = 0, base = compute.gateway_s + hop[l] + (l == L - 1 ? compute.head_s : 0);
        for (size_t s = profile->first[l]; s < profile->first[l + 1]; s++) {
            const int *members = profile->members + s * k;
            /* the table holds this very latency (fill_steps) */
            double v = steps ? steps[s].latency_s
                             : set_latency(cost, l, tau, path + (size_t)l * E, members, k, base,
                                           compute.expert_s);
            if (isfinite(v)) {
                p += profile->prob[s];
                m += profile->prob[s] * v;
                p_sets += profile->prob[s];
                if (breakdown) {
                    xnet_set_parts(cost, l, tau, members, k, compute, set_parts);
                    for (size_t c = 0; c < P; c++) {
                        lp[c] += profile->prob[s] * set_parts[c];
                    }
                }
            } else {
                cut = 1;
            }
        }
        for (size_t c = 0; breakdown && p_sets > 0 && c < P; c++) {
            lp[c] /= p_sets;
        }
        /* With no set cut off, delivery is certain: keep it exactly 1
         * rather than a sum that rounds to 1 - 1e-16. */
        if (!cut) {
            m /= p;
            p = 1;
        }
        p_delivered *= p;
        cond[l] = p > 0 ? m / p : 0;
    }
    cond[-1] = p_delivered;
    j->parts_cut[i] = (unsigned char)parts_cut;
    return XNET_OK;
}

/* Snapshots per batch of the exact expectation: its per-snapshot figures
 * stay small whatever the number of snapshots. */
#define EXACT_BATCH 256

/* xnet_latency_exact, reading each set's latency from table (every layer's
 * steps) when given. Snapshots in batches on every worker, summed in
 * snapshot order: the same bits for any number of workers. */
static int latency_exact(const xnet_cost_t *cost, const xnet_profile_t *profile,
                         xnet_compute_t compute, int snapshot, const xnet_set_step_t *table,
                         xnet_exact_result_t *res)
{
    int rc = check_shapes(cost, profile, snapshot);
    int L = cost->layers, k = profile->top_k;
    if (rc) {
        return rc;
    }
    size_t P = XNET_PARTS, rows = (size_t)L + 1;
    int breakdown = res->parts && cost->path_hops;
    for (size_t i = 0; res->parts && i < rows * P; i++) {
        res->parts[i] = breakdown ? 0 : NAN;
    }
    /* Queues of co-located experts need the sets themselves. */
    res->unavailable = 0;
    for (int l = 0; profile->topk && cost->serial && l < L; l++) {
        if (cost->serial[l] && k > cost->parallel) {
            res->unavailable = 1;
            res->mean_s = res->undelivered = NAN;
            for (int j = 0; j < L; j++) {
                res->per_layer_s[j] = NAN;
            }
            for (size_t i = 0; breakdown && i < rows * P; i++) {
                res->parts[i] = NAN;
            }
            return XNET_OK;
        }
    }
    int t0 = snapshot >= 0 ? snapshot : 0, t1 = snapshot >= 0 ? snapshot + 1 : cost->snapshots;
    int batch = t1 - t0 < EXACT_BATCH ? t1 - t0 : EXACT_BATCH;
    size_t row = 1 + (size_t)L * (1 + (breakdown ? P : 0));
    if ((rc = xnet_limit_check((double)batch * (row * sizeof(double) + 1),
                               "the exact expectation"))) {
        return rc;
    }
    exact_job j = {cost, profile, compute, table, NULL, t0, t0, breakdown, row,
                   malloc(sizeof(double) * row * (size_t)batch), malloc((size_t)batch)};
    if (!j.out || !j.parts_cut) {
        free(j.out);
        free(j.parts_cut);
        return xnet_fail(XNET_ENOMEM, "out of memory for the exact expectation");
    }
    /* Profiles without sets: every (snapshot, layer) by the exact top-k
     * evaluator first, a layer per task (its tables stay in cache). */
    double *anyk = NULL;
    if (profile->topk) {
        rc = exact_anyk(cost, profile, t0, t1, &anyk);
        j.anyk = anyk;
    }
    for (int l = 0; l < L; l++) {
        res->per_layer_s[l] = 0;
    }
    int parts_cut = 0; /* a cut path of a profile without sets: parts not computed */
    double weight = 0, mean = 0, access_mean = 0;
    for (j.first = t0; j.first < t1 && !rc; j.first += batch) {
        int n = t1 - j.first < batch ? t1 - j.first : batch;
        if ((rc = xnet_pool_run(n, xnet_workers(), exact_snapshot, &j))) {
            break;
        }
        for (int i = 0; i < n; i++) {
            int tau = j.first + i;
            double access = cost->access_s ? cost->access_s[tau] : 0;
            if (!isfinite(access)) {
                continue;
            }
            const double *cond = j.out + (size_t)i * row + 1, *cond_parts = cond + L;
            double p_delivered = cond[-1];
            parts_cut |= j.parts_cut[i];
            if (p_delivered > 0) {
                weight += p_delivered;
                mean += p_delivered * access;
                access_mean += p_delivered * access;
                for (int l = 0; l < L; l++) {
                    mean += p_delivered * cond[l];
                    res->per_layer_s[l] += p_delivered * cond[l];
                    for (size_t c = 0; breakdown && c < P; c++) {
                        double x = p_delivered * cond_parts[(size_t)l * P + c];
                        res->parts[(size_t)l * P + c] += x;
                        res->parts[(size_t)L * P + c] += x;
                    }
                }
                if (breakdown) {
                    res->parts[(size_t)L * P + XNET_PART_ACCESS] += p_delivered * access;
                }
            }
        }
    }
    free(j.out);
    free(j.parts_cut);
    free(anyk);
    if (rc) {
        return rc;
    }
    res->undelivered = 1 - weight / (t1 - t0);
    res->mean_s = weight > 0 ? mean / weight : NAN;
    res->access_s = weight > 0 ? access_mean / weight : NAN;
    for (int l = 0; l < L; l++) {
        res->per_layer_s[l] = weight > 0 ? res->per_layer_s[l] / weight : NAN;
    }
    for (size_t i = 0; breakdown && i < rows * P; i++) {
        res->parts[i] = weight > 0 && !parts_cut ? res->parts[i] / weight : NAN;
    }
    return XNET_OK;
}

int xnet_latency_exact(const xnet_cost_t *cost, const xnet_profile_t *profile,
                       xnet_compute_t compute, int snapshot, xnet_exact_result_t *res)
{
    return latency_exact(cost, profile, compute, snapshot, NULL, res);
}

int xnet_latency_sample(const xnet_cost_t *cost, const xnet_profile_t *profile,
                        xnet_compute_t compute, size_t tokens, uint64_t seed, int snapshot,
                        xnet_sample_result_t *res)
{
    return latency_sample(cost, profile, compute, tokens, seed, snapshot, NULL, res);
}

int xnet_latency_evaluate(const xnet_cost_t *cost, const xnet_profile_t *profile,
                          xnet_compute_t compute, size_t tokens, uint64_t seed, int snapshot,
                          int exact, xnet_sample_result_t *mc, xnet_exact_result_t *ex,
                          xnet_wait_result_t *wait)
{
    int rc = check_shapes(cost, profile, snapshot);
    xnet_set_step_t *table = NULL;
    if (!rc && (exact || sampler_reads_table(cost, profile, compute, tokens, mc))) {
        rc = build_table(cost, profile, compute, &table);
    }
    if (!rc) {
        rc = latency_sample(cost, profile, compute, tokens, seed, snapshot, table, mc);
    }
    if (!rc && exact) {
        rc = latency_exact(cost, profile, compute, snapshot, table, ex);
    }
    if (!rc && exact) {
        /* a table without charge holds no retries: wait.c has none to compute then */
        rc = xnet_latency_exact_wait_from(cost, profile, compute, snapshot, NULL,
                                          compute.retry_s > 0 ? table : NULL, wait);
    }
    free(table);
    return rc;
}
