/* Layer placement (the ring of subnets) and expert placement (docs/model.md
 * sections 7-8): Space-XNet's sorted rule and the random baselines. */
#ifndef XNET_PLACEMENT_H
#define XNET_PLACEMENT_H

#include "moe.h"
#include "network.h"
#include "orbit.h"
#include "ring.h"

#include <stdint.h>

/* How a layer's output travels (docs/model.md section 9). */
typedef enum {
    XNET_ROUTE_A, /* gateway -> expert -> next layer's gateway */
    XNET_ROUTE_B  /* gateway -> expert -> gateway, then gateway -> next gateway */
} xnet_route_t;

/* Several experts per satellite (docs/model.md section 8). With
 * memory_bytes 0 (the paper's setting) every expert has a satellite of its
 * own and no gateway holds one. */
typedef struct {
    double memory_bytes;  /* expert weights one satellite holds, bytes; 0: one expert */
    int parallel_experts; /* activated experts a satellite runs at once (>= 1) */
    int gateway_hosts;    /* 1: a layer's gateway may hold experts of its layer */
} xnet_hosting_t;

/* A complete placement: a gateway per layer and a satellite per (layer,
 * expert). Without hosting all distinct (one expert per satellite, none on
 * a gateway); with it, as many experts per satellite as its memory holds. */
typedef struct {
    int layers, experts, nodes;
    int *gateway;   /* layers */
    int *satellite; /* layers x experts */
    char method[32];
    xnet_hosting_t hosting; /* all 0 unless several experts may share a satellite */
    double expert_bytes;    /* one expert's weights, with hosting */
    /* Replicated experts (docs/model.md section 8): the extra copies of
     * expert i = l E + e are replica_satellite[replica_first[i] ..
     * replica_first[i + 1]); satellite[i] is its first copy. Both NULL and
     * replicas 0 without. */
    int replicas;
    int *replica_first;     /* layers x experts + 1 */
    int *replica_satellite; /* replicas */
} xnet_plan_t;

/* Copies of expert i = l E + e (1 + its extra copies), and copy c of it
 * (c = 0: satellite[i]). */
static inline int xnet_plan_copies(const xnet_plan_t *p, int i)
{
    return 1 + (p->replica_first ? p->replica_first[i + 1] - p->replica_first[i] : 0);
}
static inline int xnet_plan_copy(const xnet_plan_t *p, int i, int c)
{
    return c == 0 ? p->satellite[i] : p->replica_satellite[p->replica_first[i] + c - 1];
}

/* A plan of the given size, ids unset, named method: 1 to 31 letters,
 * digits, '_', '-', '.' or '+', so the plan file reads back. */
int xnet_plan_alloc(xnet_plan_t **out, int layers, int experts, int nodes, const char *method);
/* XNET_EINVAL unless method is such a name. */
int xnet_plan_method_check(const char *method);
/* XNET_EINVAL naming the first id out of range or used twice (with
 * hosting: a gateway used twice, an expert on another layer's gateway or on
 * its own without gateway_hosts, a satellite over its memory). O(N + L E). */
int xnet_plan_check(const xnet_plan_t *plan);
/* Give the plan `count` extra copies: copy j of expert slot[j] (= l E + e)
 * on satellite[j], kept in the order given per expert (count 0: none).
 * XNET_EINVAL naming a slot out of range; the satellites are checked by
 * xnet_plan_check. O(L E + count). */
int xnet_plan_set_replicas(xnet_plan_t *plan, int count, const int *slot, const int *satellite);
/* XNET_EINVAL when extra copy c (>= 1) of expert i is on the satellite of
 * one of its earlier copies. O(copies). */
int xnet_plan_check_copy(const xnet_plan_t *plan, int i, int c);
/* A copy of the plan, replicas included. */
int xnet_plan_clone(xnet_plan_t **out, const xnet_plan_t *plan);
/* Experts one satellite holds, floor(memory_bytes / expert_bytes);
 * XNET_EINVAL when that is below one or a setting is out of range. */
int xnet_hosting_capacity(const xnet_hosting_t *h, double expert_bytes, int *capacity);
void xnet_plan_destroy(xnet_plan_t *plan);

/* Expected path latency of a candidate expert satellite, over snapshots. */
typedef struct {
    int satellite;
    int missing;   /* snapshots in which its path does not exist */
    double mean_s; /* mean over the snapshots where it does (NaN if none) */
} xnet_candidate_t;

/* Path latency through satellites, every snapshot: layer l's satellites are
 * satellite[first[l] .. first[l+1]); through_s[k * first[layers] + i] is A:
 * D(g_l, s_i) + D(s_i, g_{l+1}), B: D(g_l, s_i) + D(s_i, g_l) (g_L = g_0;
 * +inf when cut), and hop_s[k * layers + l] is B: D(g_l, g_{l+1}), A: 0.
 * Targeted queries in batches of snapshots: each gateway's search stops
 * once its satellites (and for A the previous layer's) are settled. With
 * through_hops (else NULL), the links on those paths in the same layout
 * (xnet_query_run_hops; -1 when cut), and with hop_hops (or NULL) those of
 * the hops. */
int xnet_path_through(xnet_network_t *net, const int *gateway, int layers, xnet_route_t route,
                      const int *first, const int *satellite, double *through_s, double *hop_s,
                      int *through_hops, int *hop_hops);

/* The cost table of a ring's candidates: the path latency through every
 * member in every snapshot. Computed with targeted queries (each gateway's
 * search stops once its subnet, and for A the previous one, is settled) and
 * kept on the network, the most recent one, so placement, the local search
 * and the evaluation of plans on the ring's gateways share it. */
typedef struct {
    xnet_route_t route;
    int layers, members, snapshots, nodes;
    int *gateway;      /* layers */
    int *first;        /* layers + 1, as the ring's */
    int *member;       /* members, the ring's order */
    int *index_of;     /* nodes: position of a satellite in member[], or -1 */
    double *through_s; /* snapshots x members: A: D(g_l, s) + D(s, g_{l+1});
                        * B: D(g_l, s) + D(s, g_l); g_L = g_0; +inf when cut */
    double *hop_s;     /* snapshots x layers: B: D(g_l, g_{l+1}); A: 0 */
} xnet_ring_cost_t;

/* The table for this ring and route on this network, kept or computed now;
 * valid until the next call that computes another one on the network.
 * Memory: 8 (members + layers) bytes per snapshot. */
int xnet_ring_cost_get(xnet_network_t *net, const xnet_ring_t *ring, xnet_route_t route,
                       const xnet_ring_cost_t **out);

/* The kept table for these gateways and route, or NULL. */
const xnet_ring_cost_t *xnet_ring_cost_find(const xnet_network_t *net, const int *gateway,
                                            int layers, xnet_route_t route);

/* For every member of every subnet (the ring's member order), the path
 * latency through it averaged over snapshots: A: D(g_l, s) + D(s, g_{l+1});
 * B: D(g_l, s) + D(s, g_l); g_L = g_0. Gateways get missing = -1.
 * Read from the ring's cost table. */
int xnet_expected_latency(xnet_network_t *net, const xnet_ring_t *ring, xnet_route_t route,
                          xnet_candidate_t *out);

/* The sorted rule: rank candidates by (missing, mean_s, index) and experts
 * by prob descending (ties: lower id), and match rank to rank. chosen[e] is
 * the candidate index for expert e. XNET_EINVAL when candidates < experts. */
int xnet_assign_sorted(int experts, const double *prob, int candidates,
                        const xnet_candidate_t *cand, int *chosen);

/* Space-XNet: the ring's gateways, experts by the sorted rule on each
 * subnet's candidates (gateway excluded), using the profile's inclusion
 * probabilities. connected[layers] (or NULL): per layer the candidates known
 * to have a path in some snapshot, exact when fewer than the experts (when
 * not, at least as many as the experts). */
int xnet_place_spacexnet(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                         const xnet_profile_t *profile, xnet_route_t route, int *connected);

/* RandPlace: gateways and experts uniformly at random over all satellites. */
int xnet_place_randplace(xnet_plan_t **out, int nodes, int layers, int experts, uint64_t seed);

/* RandIntra (central_gateway = 0): gateway and experts random within each
 * subnet; RandIntra-CG (central_gateway = 1): the ring's central gateway,
 * experts random within the subnet. */
int xnet_place_randintra(xnet_plan_t **out, const xnet_ring_t *ring, int experts, uint64_t seed,
                         int central_gateway);

#endif
