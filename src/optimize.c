#include "optimize.h"

#include "error.h"
#include "memlimit.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* One layer's search state. */
typedef struct {
    int T, M, E, k;
    const double *cost;   /* T x M: path latency of each candidate, capped at the penalty */
    const int *members;   /* sets x k, expert ids */
    const double *prob;   /* sets */
    size_t sets;
    int *at;              /* E: candidate index of each expert */
    double *value;        /* sets: sum over snapshots of the set's max latency */
    size_t *by_expert;    /* for each expert, the indices of the sets holding it */
    size_t *by_first;     /* E + 1 offsets into by_expert */
    size_t *touched;      /* the sets the last delta() re-evaluated, */
    double *fresh;        /* and their new values */
    size_t touched_count;
} layer_search;

static double set_value(const layer_search *s, size_t set)
{
    const int *m = s->members + set * (size_t)s->k;
    double total = 0;
    for (int t = 0; t < s->T; t++) {
        const double *c = s->cost + (size_t)t * s->M;
        double worst = c[s->at[m[0]]];
        for (int j = 1; j < s->k; j++) {
            double v = c[s->at[m[j]]];
            worst = v > worst ? v : worst;
        }
        total += worst;
    }
    return total;
}

static double objective(const layer_search *s)
{
    double f = 0;
    for (size_t i = 0; i < s->sets; i++) {
        f += s->prob[i] * s->value[i];
    }
    return f;
}

/* The change in the objective if experts a (and b, when >= 0) move to the
 * candidates now in s->at. Re-evaluates each set holding a or b once; keeps
 * the sets and their new values (s->touched, s->fresh) for commit(). */
static double delta(layer_search *s, int a, int b)
{
    double d = 0;
    s->touched_count = 0;
    for (int pass = 0; pass < 2; pass++) {
        int e = pass == 0 ? a : b;
        for (size_t i = e < 0 ? 0 : s->by_first[e]; e >= 0 && i < s->by_first[e + 1]; i++) {
            size_t set = s->by_expert[i];
            if (pass == 1 && a >= 0) { /* a set holding both a and b is done already */
                const int *m = s->members + set * (size_t)s->k;
                int has_a = 0;
                for (int j = 0; j < s->k; j++) {
                    has_a |= m[j] == a;
                }
                if (has_a) {
                    continue;
                }
            }
            double v = set_value(s, set);
            d += s->prob[set] * (v - s->value[set]);
            s->touched[s->touched_count] = set;
            s->fresh[s->touched_count++] = v;
        }
    }
    return d;
}

static void commit(layer_search *s)
{
    for (size_t i = 0; i < s->touched_count; i++) {
        s->value[s->touched[i]] = s->fresh[i];
    }
}

/* First-improvement local search; returns the passes used. */
static int search(layer_search *s, int max_passes, long *moves)
{
    char *used = calloc((size_t)s->M, 1);
    if (!used) {
        return -1;
    }
    for (int e = 0; e < s->E; e++) {
        used[s->at[e]] = 1;
    }
    int pass = 0;
    for (int improved = 1; improved && pass < max_passes; pass++) {
        improved = 0;
        for (int a = 0; a < s->E; a++) {
            for (int b = a + 1; b < s->E; b++) {
                int t = s->at[a];
                s->at[a] = s->at[b];
                s->at[b] = t;
                if (delta(s, a, b) < -1e-12) {
                    commit(s);
                    improved = 1;
                    (*moves)++;
                } else {
                    s->at[b] = s->at[a];
                    s->at[a] = t;
                }
            }
            for (int c = 0; c < s->M; c++) {
                if (used[c]) {
                    continue;
                }
                int old = s->at[a];
                s->at[a] = c;
                if (delta(s, a, -1) < -1e-12) {
                    commit(s);
                    used[old] = 0;
                    used[c] = 1;
                    improved = 1;
                    (*moves)++;
                } else {
                    s->at[a] = old;
                }
            }
        }
        if (xnet_check_interrupt()) {
            break;
        }
    }
    free(used);
    return pass;
}

static int check_optimize(const xnet_profile_t *profile, const xnet_optimize_params_t *params)
{
    if (params->passes < 1) {
        return xnet_fail(XNET_EINVAL, "passes must be >= 1, got %d", params->passes);
    }
    if (!(params->cut_penalty_s > 0) || !isfinite(params->cut_penalty_s)) {
        return xnet_fail(XNET_EINVAL, "cut_penalty_s must be > 0 and finite, got %g",
                         params->cut_penalty_s);
    }
    if (profile->topk) {
        return xnet_fail(XNET_ELIMIT,
                         "xnet.place.optimize enumerates the top-%d sets of %d experts, over "
                         "%g terms per layer; use xnet.place.spacexnet",
                         profile->top_k, profile->experts, XNET_ENUMERATE_TERMS);
    }
    return XNET_OK;
}

/* Working arrays of the search, sized for the largest layer. */
typedef struct {
    double *cost;      /* T x M: capped path latency through each candidate */
    int *cand, *member; /* M: candidate satellites and their ring positions */
    int *at;           /* E: candidate index of each expert */
    double *value;
    size_t *by_expert, *by_first, *next;
    double *fresh;
    size_t *touched;
} search_arrays;

static void free_arrays(search_arrays *a)
{
    free(a->cost);
    free(a->cand);
    free(a->member);
    free(a->at);
    free(a->value);
    free(a->by_expert);
    free(a->by_first);
    free(a->next);
    free(a->fresh);
    free(a->touched);
}

static int alloc_arrays(search_arrays *a, int T, int maxM, int E, size_t max_sets, int k)
{
    a->cost = malloc(sizeof(double) * (size_t)T * (size_t)maxM);
    a->cand = malloc(sizeof(int) * (size_t)maxM);
    a->member = malloc(sizeof(int) * (size_t)maxM);
    a->at = malloc(sizeof(int) * (size_t)E);
    a->value = malloc(sizeof(double) * max_sets);
    a->by_expert = malloc(sizeof(size_t) * max_sets * (size_t)k);
    a->by_first = malloc(sizeof(size_t) * ((size_t)E + 1));
    a->next = malloc(sizeof(size_t) * (size_t)E);
    a->fresh = malloc(sizeof(double) * max_sets * (size_t)k);
    a->touched = malloc(sizeof(size_t) * max_sets * (size_t)k);
    if (!a->cost || !a->cand || !a->member || !a->at || !a->value || !a->by_expert
        || !a->by_first || !a->next || !a->fresh || !a->touched) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the placement search");
    }
    return XNET_OK;
}

/* Layer l's candidates (its ring members but the gateway) and their path
 * latencies per snapshot, capped at the cut penalty; returns their count. */
static int layer_candidates(const xnet_ring_t *ring, int l, const xnet_ring_cost_t *table, int T,
                            double cut_penalty_s, search_arrays *a)
{
    int M = 0;
    for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
        if (ring->members[i] != ring->gateway[l]) {
            a->member[M] = i;
            a->cand[M++] = ring->members[i];
        }
    }
    for (int t = 0; t < T; t++) {
        const double *through = table->through_s + (size_t)t * table->members;
        for (int m = 0; m < M; m++) {
            double d = through[a->member[m]];
            a->cost[(size_t)t * M + m] = isfinite(d) && d < cut_penalty_s ? d : cut_penalty_s;
        }
    }
    return M;
}

/* The sets of one layer (n of them) listed by expert: the sets holding
 * expert e are by_expert[by_first[e] .. by_first[e + 1]). */
static void index_by_expert(const int *members, size_t n, int k, int E, search_arrays *a)
{
    for (int e = 0; e <= E; e++) {
        a->by_first[e] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
            a->by_first[members[i * k + j] + 1]++;
        }
    }
    for (int e = 0; e < E; e++) {
        a->by_first[e + 1] += a->by_first[e];
    }
    for (int e = 0; e < E; e++) {
        a->next[e] = a->by_first[e];
    }
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
            a->by_expert[a->next[members[i * k + j]]++] = i;
        }
    }
}

/* Local search on layer l of the plan, starting from its satellites. */
static int optimize_layer(xnet_plan_t *plan, int l, const xnet_ring_t *ring,
                          const xnet_profile_t *profile, const xnet_ring_cost_t *table, int T,
                          const xnet_optimize_params_t *params, search_arrays *a,
                          xnet_optimize_stats_t *stats)
{
    int E = profile->experts, k = profile->top_k;
    int M = layer_candidates(ring, l, table, T, params->cut_penalty_s, a);
    /* start: the sorted rule's satellites, as candidate indices */
    for (int e = 0; e < E; e++) {
        int s = plan->satellite[(size_t)l * E + e];
        for (int m = 0; m < M; m++) {
            if (a->cand[m] == s) {
                a->at[e] = m;
            }
        }
    }
    size_t lo = profile->first[l], n = profile->first[l + 1] - lo;
    index_by_expert(profile->members + lo * k, n, k, E, a);
    layer_search s = {T, M, E, k, a->cost, profile->members + lo * k, profile->prob + lo, n,
                      a->at, a->value, a->by_expert, a->by_first, a->touched, a->fresh, 0};
    for (size_t i = 0; i < n; i++) {
        a->value[i] = set_value(&s, i);
    }
    stats->before_s += objective(&s) / T;
    int passes = search(&s, params->passes, &stats->moves);
    if (passes < 0) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the placement search");
    }
    stats->passes = passes > stats->passes ? passes : stats->passes;
    stats->after_s += objective(&s) / T;
    for (int e = 0; e < E; e++) {
        plan->satellite[(size_t)l * E + e] = a->cand[a->at[e]];
    }
    return XNET_OK;
}

int xnet_place_optimize(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                        const xnet_profile_t *profile, xnet_route_t route,
                        const xnet_optimize_params_t *params, xnet_optimize_stats_t *stats)
{
    *out = NULL;
    memset(stats, 0, sizeof *stats);
    int rc = check_optimize(profile, params);
    xnet_plan_t *plan;
    if (rc || (rc = xnet_place_spacexnet(&plan, net, ring, profile, route, NULL))) {
        return rc;
    }
    int L = ring->layers, E = profile->experts, k = profile->top_k;
    int T = xnet_network_snapshots(net), maxM = 0;
    size_t max_sets = 0;
    for (int l = 0; l < L; l++) {
        int m = ring->first[l + 1] - ring->first[l] - 1;
        maxM = m > maxM ? m : maxM;
        size_t n = profile->first[l + 1] - profile->first[l];
        max_sets = n > max_sets ? n : max_sets;
    }
    const xnet_ring_cost_t *table; /* the path latency through every ring member */
    search_arrays a = {0};
    if (!(rc = xnet_limit_check((double)T * maxM * sizeof(double) + max_sets * k * 24.0,
                                "the placement search"))
        && !(rc = xnet_ring_cost_get(net, ring, route, &table))) {
        rc = alloc_arrays(&a, T, maxM, E, max_sets, k);
    }
    for (int l = 0; l < L && !rc; l++) {
        if (!(rc = optimize_layer(plan, l, ring, profile, table, T, params, &a, stats))) {
            rc = xnet_check_interrupt();
        }
    }
    free_arrays(&a);
    if (rc) {
        xnet_plan_destroy(plan);
        return rc;
    }
    snprintf(plan->method, sizeof plan->method, "optimized");
    *out = plan;
    return XNET_OK;
}
