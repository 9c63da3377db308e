#include "hosting.h"

#include "error.h"
#include "memlimit.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xnet_hosting_capacity(const xnet_hosting_t *h, double expert_bytes, int *capacity)
{
    if (!(h->memory_bytes > 0) || !isfinite(h->memory_bytes)) {
        return xnet_fail(XNET_EINVAL, "memory_bytes must be > 0 and finite, got %g",
                         h->memory_bytes);
    }
    if (h->parallel_experts < 1) {
        return xnet_fail(XNET_EINVAL, "parallel_experts must be >= 1, got %d",
                         h->parallel_experts);
    }
    if (!(expert_bytes > 0) || !isfinite(expert_bytes)) {
        return xnet_fail(XNET_EINVAL,
                         "the model's expert_bytes must be > 0 to place experts by memory, "
                         "got %g",
                         expert_bytes);
    }
    double n = floor(h->memory_bytes / expert_bytes);
    if (n < 1) {
        return xnet_fail(XNET_EINVAL,
                         "memory_bytes %.6g is smaller than one expert (%.6g bytes); a satellite "
                         "could hold no expert",
                         h->memory_bytes, expert_bytes);
    }
    *capacity = n > XNET_MAX_EXPERTS ? XNET_MAX_EXPERTS : (int)n;
    return XNET_OK;
}

/* A copy of expert e of layer l on satellite s: in range, on no other
 * layer's gateway (nor its own without gateway_hosts), within memory. */
static int hold_expert(const xnet_plan_t *plan, const int *gateway_of, int *held, int cap, int l,
                       int e, int copy, int s)
{
    int n = plan->nodes;
    const char *what = copy ? "expert copy" : "expert";
    if (s < 0 || s >= n) {
        return xnet_fail(XNET_EINVAL, "layer %d %s %d: satellite %d out of range [0, %d)", l,
                         what, e, s, n);
    }
    if (gateway_of[s] >= 0 && (gateway_of[s] != l || !plan->hosting.gateway_hosts)) {
        return xnet_fail(XNET_EINVAL,
                         "layer %d %s %d is on satellite %d, the gateway of layer %d%s", l, what,
                         e, s, gateway_of[s],
                         gateway_of[s] == l ? " (allow it with gateway_hosts = true)" : "");
    }
    if (++held[s] > cap) {
        return xnet_fail(XNET_EINVAL,
                         "satellite %d holds more than %d experts (layer %d %s %d is one too "
                         "many): %.6g bytes of memory hold %d of %.6g bytes",
                         s, cap, l, what, e, plan->hosting.memory_bytes, cap, plan->expert_bytes);
    }
    return XNET_OK;
}

int xnet_plan_check_hosted(const xnet_plan_t *plan)
{
    int cap, rc = xnet_hosting_capacity(&plan->hosting, plan->expert_bytes, &cap);
    if (rc) {
        return rc;
    }
    int n = plan->nodes, L = plan->layers, E = plan->experts;
    int *gateway_of = malloc(sizeof(int) * (size_t)n), *held = calloc((size_t)n, sizeof(int));
    if (!gateway_of || !held) {
        free(gateway_of);
        free(held);
        return xnet_fail(XNET_ENOMEM, "out of memory checking the plan");
    }
    for (int i = 0; i < n; i++) {
        gateway_of[i] = -1;
    }
    for (int l = 0; l < L && !rc; l++) {
        int g = plan->gateway[l];
        if (g < 0 || g >= n) {
            rc = xnet_fail(XNET_EINVAL, "layer %d gateway: satellite %d out of range [0, %d)", l,
                           g, n);
        } else if (gateway_of[g] >= 0) {
            rc = xnet_fail(XNET_EINVAL, "satellite %d is the gateway of layers %d and %d", g,
                           gateway_of[g], l);
        } else {
            gateway_of[g] = l;
        }
    }
    for (int i = 0; i < L * E && !rc; i++) {
        rc = hold_expert(plan, gateway_of, held, cap, i / E, i % E, 0, plan->satellite[i]);
    }
    /* every extra copy takes memory like its first */
    for (int i = 0; i < L * E && !rc; i++) {
        for (int c = 1; c < xnet_plan_copies(plan, i) && !rc; c++) {
            rc = xnet_plan_check_copy(plan, i, c);
            rc = rc ? rc : hold_expert(plan, gateway_of, held, cap, i / E, i % E, c,
                                       xnet_plan_copy(plan, i, c));
        }
    }
    free(gateway_of);
    free(held);
    return rc;
}

/* The error for a layer whose experts do not fit the slots it has. */
static int does_not_fit(int layer, int experts, int satellites, int cap,
                        const xnet_hosting_t *h, double expert_bytes)
{
    double need = experts * expert_bytes, have = (double)satellites * cap * expert_bytes;
    int per = satellites > 0 ? (experts + satellites - 1) / satellites : experts;
    return xnet_fail(XNET_EINVAL,
                     "layer %d: %d experts of %.4g MB need %.4g MB, its %d satellites hold %d "
                     "experts each (%.4g MB of %.4g MB memory): %.4g MB missing; %d experts fit, "
                     "or memory_bytes >= %.6g (%d experts per satellite) fits them all",
                     layer, experts, expert_bytes / 1e6, need / 1e6, satellites, cap,
                     cap * expert_bytes / 1e6, h->memory_bytes / 1e6, (need - have) / 1e6,
                     satellites * cap, per * expert_bytes, per);
}

static int new_hosted_plan(xnet_plan_t **out, int layers, int experts, int nodes,
                           const char *method, const xnet_hosting_t *h, double expert_bytes)
{
    int rc = xnet_plan_alloc(out, layers, experts, nodes, method);
    if (!rc) {
        (*out)->hosting = *h;
        (*out)->expert_bytes = expert_bytes;
    }
    return rc;
}

/* Check a plan just built and hand it out, or free it on an error. */
static int finish_plan(xnet_plan_t *plan, int rc, xnet_plan_t **out)
{
    if (!rc) {
        rc = xnet_plan_check(plan);
    }
    if (rc) {
        xnet_plan_destroy(plan);
        return rc;
    }
    *out = plan;
    return XNET_OK;
}

/* Experts of one layer by inclusion probability, descending (ties: lower id). */
typedef struct {
    double p;
    int e;
} ranked_expert;

static int by_probability(const void *a, const void *b)
{
    const ranked_expert *x = a, *y = b;
    if (x->p != y->p) {
        return x->p > y->p ? -1 : 1;
    }
    return x->e < y->e ? -1 : x->e > y->e;
}

/* The M/G/1 mean wait (Pollaczek-Khinchine) of a satellite whose jobs per
 * token have demand_s server-seconds and second_s2 summed squares, its
 * `parallel` servers as one that much faster, at the load's rate; past
 * saturation a large cost that still grows with the utilisation, so the
 * rules prefer the least overloaded satellite. */
static double load_wait_s(const xnet_place_load_t *load, int parallel, double demand_s,
                          double second_s2)
{
    double x = load->rate_tokens_s, c = parallel, rho = x * demand_s / c;
    return rho < 1 ? x * second_s2 / (c * c) / (2 * (1 - rho)) : 1e3 * rho;
}

int xnet_place_hosted_sorted(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                             const xnet_profile_t *profile, xnet_route_t route,
                             const xnet_hosting_t *hosting, double expert_bytes,
                             double expert_s, const xnet_place_load_t *load)
{
    if (load && !(load->rate_tokens_s > 0)) {
        load = NULL; /* no load: the latency-only rule */
    }
    *out = NULL;
    int L = ring->layers, E = profile->experts, M = ring->first[L], cap, rc;
    if (profile->layers != L) {
        return xnet_fail(XNET_EINVAL, "the profile has %d layers, the ring %d", profile->layers,
                         L);
    }
    if ((rc = xnet_hosting_capacity(hosting, expert_bytes, &cap))) {
        return rc;
    }
    xnet_candidate_t *all = malloc(sizeof *all * (size_t)M);
    int *cand = malloc(sizeof(int) * (size_t)M), *used = malloc(sizeof(int) * (size_t)M);
    double *incl_on = malloc(sizeof(double) * 3 * (size_t)M);
    ranked_expert *order = malloc(sizeof *order * (size_t)E);
    xnet_plan_t *plan = NULL;
    if (!all || !cand || !used || !incl_on || !order) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    }
    if (!rc) {
        rc = xnet_expected_latency(net, ring, route, all);
    }
    if (!rc) {
        rc = new_hosted_plan(&plan, L, E, ring->nodes, "spacexnet", hosting, expert_bytes);
    }
    for (int l = 0; l < L && !rc; l++) {
        int m = 0;
        /* per candidate: inclusion summed over its experts; with a load its
         * jobs' server-seconds and squares per token (the gateway's own) */
        double *demand = incl_on + M, *second = demand + M;
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            if (all[i].missing >= 0 || hosting->gateway_hosts) {
                double g = 0;
                if (load && all[i].missing < 0) {
                    g = load->gateway_s + (l == L - 1 ? load->head_s : 0);
                }
                cand[m] = i;
                used[m] = 0;
                demand[m] = g;
                second[m] = g * g;
                incl_on[m++] = 0;
            }
        }
        if ((long long)m * cap < E) {
            rc = does_not_fit(l, E, m, cap, hosting, expert_bytes);
            break;
        }
        const double *incl = profile->inclusion + (size_t)l * E;
        for (int e = 0; e < E; e++) {
            order[e] = (ranked_expert){incl[e], e};
        }
        qsort(order, (size_t)E, sizeof *order, by_probability);
        for (int r = 0; r < E; r++) {
            int e = order[r].e, best = -1, best_missing = 0;
            double best_score = INFINITY;
            for (int c = 0; c < m; c++) {
                if (used[c] >= cap) {
                    continue;
                }
                const xnet_candidate_t *x = &all[cand[c]];
                int missing = x->missing >= 0 ? x->missing : isnan(x->mean_s) ? INT32_MAX : 0;
                double score = x->mean_s + expert_s * incl_on[c] / hosting->parallel_experts;
                if (load && !isnan(x->mean_s)) {
                    double p = incl[e], par = hosting->parallel_experts;
                    double before = load_wait_s(load, par, demand[c], second[c]);
                    double after = load_wait_s(load, par, demand[c] + p * expert_s,
                                               second[c] + p * expert_s * expert_s);
                    score = x->mean_s + after + (p > 0 ? incl_on[c] / p * (after - before) : 0);
                }
                score = isnan(x->mean_s) ? INFINITY : score;
                if (best < 0 || missing < best_missing
                    || (missing == best_missing && score < best_score)) {
                    best = c;
                    best_missing = missing;
                    best_score = score;
                }
            }
            used[best]++;
            incl_on[best] += incl[e];
            demand[best] += incl[e] * expert_s;
            second[best] += incl[e] * expert_s * expert_s;
            plan->satellite[l * E + e] = all[cand[best]].satellite;
        }
        plan->gateway[l] = ring->gateway[l];
    }
    free(all);
    free(cand);
    free(used);
    free(incl_on);
    free(order);
    return finish_plan(plan, rc, out);
}

/* Move `count` uniformly chosen elements of ids[0..n) to its front. */
static void pick_front(xnet_rng_t *rng, int *ids, int n, int count)
{
    for (int i = 0; i < count; i++) {
        int j = i + (int)xnet_rng_below(rng, (uint64_t)(n - i));
        int t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
}

int xnet_place_hosted_random(xnet_plan_t **out, const xnet_ring_t *ring, int nodes, int layers,
                             int experts, uint64_t seed, xnet_random_mode_t mode,
                             const xnet_hosting_t *hosting, double expert_bytes)
{
    *out = NULL;
    int L = layers, E = experts, cap, rc;
    if ((rc = xnet_hosting_capacity(hosting, expert_bytes, &cap))) {
        return rc;
    }
    if (mode != XNET_RANDPLACE && (!ring || ring->layers != L || ring->nodes != nodes)) {
        return xnet_fail(XNET_EINVAL, "the ring does not match %d layers on %d satellites", L,
                         nodes);
    }
    if (mode == XNET_RANDPLACE && L >= nodes) {
        return xnet_fail(XNET_EINVAL, "%d layers need %d gateways, the network has %d satellites",
                         L, L, nodes);
    }
    if ((rc = xnet_limit_check((double)nodes * cap * sizeof(int), "the placement's slots"))) {
        return rc;
    }
    const char *name = mode == XNET_RANDINTRA      ? "randintra"
                       : mode == XNET_RANDINTRA_CG ? "randintra_cg"
                                                   : "randplace";
    int *slots = malloc(sizeof(int) * (size_t)nodes * (size_t)cap);
    int *ids = malloc(sizeof(int) * (size_t)nodes);
    xnet_plan_t *plan = NULL;
    if (!slots || !ids) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory placing experts");
    }
    if (!rc) {
        rc = new_hosted_plan(&plan, L, E, nodes, name, hosting, expert_bytes);
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, seed);
    if (!rc && mode == XNET_RANDPLACE) {
        /* Gateways first, then every expert on a free slot of the rest. */
        for (int i = 0; i < nodes; i++) {
            ids[i] = i;
        }
        pick_front(&rng, ids, nodes, L);
        int n = 0;
        for (int l = 0; l < L; l++) {
            plan->gateway[l] = ids[l];
        }
        for (int i = L; i < nodes; i++) {
            for (int c = 0; c < cap; c++) {
                slots[n++] = ids[i];
            }
        }
        if ((long long)n < (long long)L * E) {
            rc = xnet_fail(XNET_EINVAL,
                           "%d layers x %d experts need %lld slots; %d satellites besides the "
                           "gateways hold %d experts each (%d slots)",
                           L, E, (long long)L * E, nodes - L, cap, n);
        } else {
            pick_front(&rng, slots, n, L * E);
            memcpy(plan->satellite, slots, sizeof(int) * (size_t)L * (size_t)E);
        }
    }
    for (int l = 0; l < L && !rc && mode != XNET_RANDPLACE; l++) {
        int lo = ring->first[l], size = ring->first[l + 1] - lo;
        int g = mode == XNET_RANDINTRA_CG
                    ? ring->gateway[l]
                    : ring->members[lo + (int)xnet_rng_below(&rng, (uint64_t)size)];
        plan->gateway[l] = g;
        int n = 0, sats = 0;
        for (int i = lo; i < lo + size; i++) {
            if (ring->members[i] != g || hosting->gateway_hosts) {
                sats++;
                for (int c = 0; c < cap; c++) {
                    slots[n++] = ring->members[i];
                }
            }
        }
        if (n < E) {
            rc = does_not_fit(l, E, sats, cap, hosting, expert_bytes);
            break;
        }
        pick_front(&rng, slots, n, E);
        memcpy(plan->satellite + (size_t)l * E, slots, sizeof(int) * (size_t)E);
    }
    free(slots);
    free(ids);
    return finish_plan(plan, rc, out);
}

/* --- the optimiser ------------------------------------------------------------ */

/* One layer's search state. */
typedef struct {
    int T, C, E, k, parallel, cap;
    const double *path;   /* T x C: path latency through candidate c at snapshot t */
    size_t sets;
    const int *members;   /* sets x k */
    const double *prob;   /* sets */
    double expert_s, penalty;
    int *assign;          /* E: candidate of each expert */
    int *count;           /* C: experts on each candidate */
    /* with a load: the experts' inclusion (E), each candidate's own jobs
     * (the gateway's: C server-seconds, C squares) and scratch (3 C) */
    const xnet_place_load_t *load;
    const double *incl;
    double *own_d, *own_m, *scratch;
} layer_search;

/* A token's expected wait in the layer's expert jobs under the load: every
 * candidate's M/G/1 wait times its experts' summed inclusion. O(E + C). */
static double wait_term(const layer_search *s)
{
    if (!s->load) {
        return 0;
    }
    double *d = s->scratch, *m = d + s->C, *v = m + s->C, t = s->expert_s, f = 0;
    for (int c = 0; c < s->C; c++) {
        d[c] = s->own_d[c];
        m[c] = s->own_m[c];
        v[c] = 0;
    }
    for (int e = 0; e < s->E; e++) {
        int c = s->assign[e];
        d[c] += s->incl[e] * t;
        m[c] += s->incl[e] * t * t;
        v[c] += s->incl[e];
    }
    for (int c = 0; c < s->C; c++) {
        if (v[c] > 0) {
            f += v[c] * load_wait_s(s->load, s->parallel, d[c], m[c]);
        }
    }
    return f;
}

/* Mean over snapshots of the slowest satellite of one set. */
static double set_cost(const layer_search *s, const int *m)
{
    double sum = 0;
    for (int t = 0; t < s->T; t++) {
        const double *row = s->path + (size_t)t * s->C;
        double worst = -INFINITY;
        for (int j = 0; j < s->k; j++) {
            int c = s->assign[m[j]], n = 0;
            for (int i = 0; i < s->k; i++) {
                n += s->assign[m[i]] == c;
            }
            double v = isfinite(row[c]) ? row[c] : s->penalty;
            v += ((n + s->parallel - 1) / s->parallel) * s->expert_s;
            worst = v > worst ? v : worst;
        }
        sum += worst;
    }
    return sum / s->T;
}

static double layer_objective(const layer_search *s)
{
    double f = 0;
    for (size_t i = 0; i < s->sets; i++) {
        f += s->prob[i] * set_cost(s, s->members + i * (size_t)s->k);
    }
    return f;
}

/* The objective's part from the sets holding expert a or b (b may be -1). */
static double part_with(const layer_search *s, int a, int b)
{
    double f = 0;
    for (size_t i = 0; i < s->sets; i++) {
        const int *m = s->members + i * (size_t)s->k;
        int in = 0;
        for (int j = 0; j < s->k; j++) {
            in |= m[j] == a || m[j] == b;
        }
        if (in) {
            f += s->prob[i] * set_cost(s, m);
        }
    }
    return f;
}

/* Every assignment within capacity, odometer order; keeps the best in best[]. */
static double exhaustive(layer_search *s, int *best)
{
    int E = s->E, C = s->C;
    double best_f = INFINITY;
    for (int e = 0; e < E; e++) {
        s->assign[e] = 0;
    }
    for (;;) {
        int ok = 1;
        for (int c = 0; c < C; c++) {
            s->count[c] = 0;
        }
        for (int e = 0; e < E && ok; e++) {
            ok = ++s->count[s->assign[e]] <= s->cap;
        }
        if (ok) {
            double f = layer_objective(s) + wait_term(s);
            if (f < best_f - 1e-15) {
                best_f = f;
                memcpy(best, s->assign, sizeof(int) * (size_t)E);
            }
        }
        int e = 0;
        while (e < E && ++s->assign[e] == C) {
            s->assign[e++] = 0;
        }
        if (e == E) {
            break;
        }
    }
    memcpy(s->assign, best, sizeof(int) * (size_t)E);
    for (int c = 0; c < C; c++) {
        s->count[c] = 0;
    }
    for (int e = 0; e < E; e++) {
        s->count[s->assign[e]]++;
    }
    return best_f;
}

/* Improving moves and swaps until none improves or passes run out; an
 * interrupt stops it between experts (the plan so far stands). A pass costs
 * O(E C sets_with_e T k^2). */
static int local_search(layer_search *s, int passes)
{
    for (int pass = 0; pass < passes; pass++) {
        int improved = 0;
        for (int e = 0; e < s->E; e++) {
            int rc = xnet_check_interrupt();
            if (rc) {
                return rc;
            }
            for (int c = 0; c < s->C; c++) {
                int from = s->assign[e];
                if (c == from) {
                    continue;
                }
                if (s->count[c] < s->cap) {
                    double before = part_with(s, e, -1) + wait_term(s);
                    s->assign[e] = c;
                    if (part_with(s, e, -1) + wait_term(s) < before - 1e-15) {
                        s->count[from]--;
                        s->count[c]++;
                        improved = 1;
                    } else {
                        s->assign[e] = from;
                    }
                    continue;
                }
                for (int f = 0; f < s->E; f++) {
                    if (s->assign[f] != c) {
                        continue;
                    }
                    double before = part_with(s, e, f) + wait_term(s);
                    s->assign[e] = c;
                    s->assign[f] = from;
                    if (part_with(s, e, f) + wait_term(s) < before - 1e-15) {
                        improved = 1;
                        break;
                    }
                    s->assign[e] = from;
                    s->assign[f] = c;
                }
            }
        }
        if (!improved) {
            break;
        }
    }
    return XNET_OK;
}

int xnet_place_hosted_optimize(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                               const xnet_profile_t *profile, xnet_route_t route,
                               const xnet_hosting_t *hosting, double expert_bytes,
                               double expert_s, const xnet_hosted_optimize_params_t *params,
                               const xnet_place_load_t *load, double *before_s, double *after_s)
{
    *out = NULL;
    xnet_plan_t *plan;
    if (load && !(load->rate_tokens_s > 0)) {
        load = NULL;
    }
    int rc = xnet_place_hosted_sorted(&plan, net, ring, profile, route, hosting, expert_bytes,
                                      expert_s, load);
    if (rc) {
        return rc;
    }
    strcpy(plan->method, "optimized");
    const xnet_ring_cost_t *rcost;
    if ((rc = xnet_ring_cost_get(net, ring, route, &rcost))) {
        xnet_plan_destroy(plan);
        return rc;
    }
    int L = ring->layers, E = profile->experts, k = profile->top_k, T = rcost->snapshots, cap;
    xnet_hosting_capacity(hosting, expert_bytes, &cap);
    int maxC = 0;
    for (int l = 0; l < L; l++) {
        int n = ring->first[l + 1] - ring->first[l];
        maxC = n > maxC ? n : maxC;
    }
    size_t drawn = profile->topk ? (size_t)params->samples : 0;
    double bytes = (double)T * maxC * sizeof(double) + drawn * (k * sizeof(int) + sizeof(double));
    if ((rc = xnet_limit_check(bytes, "the placement search"))) {
        xnet_plan_destroy(plan);
        return rc;
    }
    double *path = malloc(sizeof(double) * (size_t)T * (size_t)maxC);
    int *cand = malloc(sizeof(int) * (size_t)maxC), *assign = malloc(sizeof(int) * (size_t)E);
    int *best = malloc(sizeof(int) * (size_t)E), *count = malloc(sizeof(int) * (size_t)maxC);
    int *sample = malloc(sizeof(int) * (drawn * (size_t)k + 1));
    double *equal = malloc(sizeof(double) * (drawn + 1));
    double *own = malloc(sizeof(double) * 5 * (size_t)maxC);
    if (!path || !cand || !assign || !best || !count || !sample || !equal || !own) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the placement search");
    }
    *before_s = *after_s = 0;
    for (int l = 0; l < L && !rc; l++) {
        int C = 0;
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            if (ring->members[i] != ring->gateway[l] || hosting->gateway_hosts) {
                cand[C++] = i;
            }
        }
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < C; c++) {
                /* the ring cost keeps the ring's member order */
                path[(size_t)t * C + c] = rcost->through_s[(size_t)t * rcost->members + cand[c]];
            }
        }
        layer_search s = {T, C, E, k, hosting->parallel_experts, cap, path, 0, NULL, NULL,
                          expert_s, params->cut_penalty_s, assign, count, load,
                          profile->inclusion + (size_t)l * E, own, own + maxC, own + 2 * maxC};
        for (int c = 0; c < C; c++) {
            double g = 0;
            if (load && ring->members[cand[c]] == ring->gateway[l]) {
                g = load->gateway_s + (l == L - 1 ? load->head_s : 0);
            }
            s.own_d[c] = g;
            s.own_m[c] = g * g;
        }
        if (profile->topk) {
            xnet_rng_t rng;
            xnet_rng_seed(&rng, params->seed + (uint64_t)l * 0x9e3779b97f4a7c15ull);
            for (size_t i = 0; i < drawn; i++) {
                xnet_topk_draw(profile->topk[l], &rng, sample + i * (size_t)k);
                equal[i] = 1.0 / (double)drawn;
            }
            s.sets = drawn;
            s.members = sample;
            s.prob = equal;
        } else {
            s.sets = profile->first[l + 1] - profile->first[l];
            s.members = profile->members + profile->first[l] * (size_t)k;
            s.prob = profile->prob + profile->first[l];
        }
        for (int c = 0; c < C; c++) {
            count[c] = 0;
        }
        for (int e = 0; e < E; e++) {
            int c = 0;
            while (ring->members[cand[c]] != plan->satellite[l * E + e]) {
                c++;
            }
            assign[e] = c;
            count[c]++;
        }
        *before_s += layer_objective(&s) + wait_term(&s);
        if (pow(C, E) <= 20000) {
            *after_s += exhaustive(&s, best);
        } else {
            if ((rc = local_search(&s, params->passes))) {
                break;
            }
            *after_s += layer_objective(&s) + wait_term(&s);
        }
        for (int e = 0; e < E; e++) {
            plan->satellite[l * E + e] = ring->members[cand[assign[e]]];
        }
        rc = xnet_check_interrupt();
    }
    free(path);
    free(cand);
    free(assign);
    free(best);
    free(count);
    free(sample);
    free(equal);
    free(own);
    return finish_plan(plan, rc, out);
}
