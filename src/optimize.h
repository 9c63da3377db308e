/* Beyond the sorted rule (docs/model.md section 8): place each layer's experts to
 * minimise the exact expected layer latency E[max over the activated set of
 * the path latency], averaged over snapshots, by local search. The sorted
 * rule is optimal only for the linear surrogate sum_e p_e * latency(e); with
 * top-k > 1 the maximum makes co-activated experts interact. */
#ifndef XNET_OPTIMIZE_H
#define XNET_OPTIMIZE_H

#include "placement.h"

typedef struct {
    int passes;            /* most improvement passes per layer (each tries every move) */
    double cut_penalty_s;  /* cost of a set whose path is cut in a snapshot */
} xnet_optimize_params_t;

typedef struct {
    double before_s, after_s; /* objective summed over layers: sorted rule, then optimised */
    long moves;               /* improving moves applied */
    int passes;               /* largest number of passes any layer took */
} xnet_optimize_stats_t;

/* Start from the sorted rule on the ring's gateways, then apply improving
 * moves (swap two experts' satellites; move an expert to an unused candidate)
 * until none improves or the pass limit is reached. Each move re-evaluates
 * only the sets holding the moved experts: O(T * sets containing them * k). */
int xnet_place_optimize(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                        const xnet_profile_t *profile, xnet_route_t route,
                        const xnet_optimize_params_t *params, xnet_optimize_stats_t *stats);

#endif
