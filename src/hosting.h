/* Several experts per satellite (docs/model.md section 8): a memory budget
 * per satellite, the experts' bytes from the model, and placements that fill
 * satellites up to it. Co-located activated experts run one after another
 * (parallel_experts at a time), so a layer's latency is the slowest
 * satellite's path + ceil(its activated experts / parallel) x t_expert. */
#ifndef XNET_HOSTING_H
#define XNET_HOSTING_H

#include "moe.h"
#include "network.h"
#include "placement.h"

#include <stdint.h>

/* xnet_plan_check for a plan with hosting: ids in range, gateways
 * distinct, an expert on a gateway only of its own layer and only with
 * gateway_hosts, no satellite over capacity (experts of all layers count). */
int xnet_plan_check_hosted(const xnet_plan_t *plan);

/* A target load for placement: Poisson tokens at rate_tokens_s (0: none).
 * A satellite's jobs are its experts' (expert_s x inclusion per token) and,
 * when it is the layer's gateway, gateway_s (+ head_s at the last layer). */
typedef struct {
    double rate_tokens_s, gateway_s, head_s;
} xnet_place_load_t;

/* The sorted rule generalised: per layer, experts by inclusion probability
 * descending go to the candidate (subnet minus gateway, plus the gateway
 * with gateway_hosts) of least mean path latency plus the expected wait
 * behind the experts already there (expert_s x their summed inclusion
 * probability / parallel_experts), each filled up to its capacity. With a
 * load (rate > 0) the wait is the M/G/1 mean wait at that rate with the
 * expert added, plus what adding it costs the experts already there (their
 * inclusion / its inclusion x the rise of the wait): hot experts near the
 * gateway, but not all on one satellite.
 * XNET_EINVAL when a layer's experts do not fit its subnet, saying how much
 * memory is missing and what would fit. */
int xnet_place_hosted_sorted(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                             const xnet_profile_t *profile, xnet_route_t route,
                             const xnet_hosting_t *hosting, double expert_bytes,
                             double expert_s, const xnet_place_load_t *load);

/* The random baselines with the same budget: every expert on a uniformly
 * chosen free slot (a satellite repeated capacity times) of its subnet
 * (mode RANDINTRA: random gateway; RANDINTRA_CG: the ring's) or of the whole
 * constellation (RANDPLACE: random gateways, ring may be NULL). */
typedef enum { XNET_RANDINTRA, XNET_RANDINTRA_CG, XNET_RANDPLACE } xnet_random_mode_t;
int xnet_place_hosted_random(xnet_plan_t **out, const xnet_ring_t *ring, int nodes, int layers,
                             int experts, uint64_t seed, xnet_random_mode_t mode,
                             const xnet_hosting_t *hosting, double expert_bytes);

typedef struct {
    int passes;           /* most local-search passes per layer */
    double cut_penalty_s; /* cost of an expert whose path is cut in a snapshot */
    int samples;          /* sets drawn per layer when the profile has none enumerated */
    uint64_t seed;        /* of those draws (common random numbers for every move) */
} xnet_hosted_optimize_params_t;

/* xnet.place.optimize with several experts per satellite: per layer,
 * minimise the expected slowest satellite (path + ceil(activated experts
 * there / parallel) x expert_s), averaged over snapshots, over the sets of
 * the profile (enumerated), or over `samples` sets drawn once (Monte Carlo
 * with common random numbers). Small layers (candidates^experts <= 20000)
 * are searched exhaustively, so the optimum is found; larger ones by local
 * search (move an expert to a satellite with room, swap two experts) from the
 * generalised sorted rule (a pass costs O(E C sets_with_e T k^2), so large
 * models take long: passes bounds it, Ctrl-C stops it). With a load, from
 * the load-aware sorted rule, and the objective adds every satellite's
 * M/G/1 mean wait at that rate times its experts' inclusion (a token's
 * expected wait in the layer). *before_s and *after_s: the objective summed
 * over layers, sorted rule and result. */
int xnet_place_hosted_optimize(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                               const xnet_profile_t *profile, xnet_route_t route,
                               const xnet_hosting_t *hosting, double expert_bytes,
                               double expert_s, const xnet_hosted_optimize_params_t *params,
                               const xnet_place_load_t *load, double *before_s, double *after_s);

#endif
