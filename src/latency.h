/* Token latency of a placement (docs/model.md section 9): Monte Carlo over
 * tokens and the exact expectation over top-k sets, both from a cost table
 * of path latencies per snapshot, layer and expert. */
#ifndef XNET_LATENCY_H
#define XNET_LATENCY_H

#include "moe.h"
#include "network.h"
#include "placement.h"

/* Path latencies of one plan on one network, per snapshot. */
typedef struct {
    int snapshots, layers, experts;
    xnet_route_t route;
    double *path_s; /* T x L x E: A: D(g_l, s) + D(s, g_{l+1}); B: D(g_l, s) + D(s, g_l); inf if cut */
    double *hop_s;  /* T x L: B: D(g_l, g_{l+1}); A: 0 */
    /* T: a ground user's uplink + downlink per snapshot (ground.h), added to
     * every token, +inf when the user has no access; NULL for none. Not owned. */
    const double *access_s;
    /* Several experts per satellite: a layer serialises when a satellite
     * holds more than `parallel` of its experts; then activated experts that
     * share a satellite run ceil(n / parallel) expert times there. */
    int parallel;
    unsigned char *serial; /* layers; NULL when no layer serialises */
    int *satellite;        /* with serial: layers x experts, the plan's satellites, or with
                              replicas T x layers x experts, the copy each snapshot uses */
    size_t satellite_stride; /* 0, or L E when satellite[] is per snapshot */
    /* Replicated experts (NULL and 0 without): the copies of expert i = l E + e
     * are copy_satellite[copy_first[i] .. copy_first[i + 1]), the plan's first
     * copy first; copy_path_s (T x copies) is each copy's path, and path_s
     * the least of its copies' (the nearest copy, ties to the earlier). */
    int copies;
    int *copy_first, *copy_satellite;
    double *copy_path_s;
    /* For the breakdown (xnet_cost_hops; NULL until then): the links on
     * each path of path_s (with replicas, the nearest copy's), and the
     * fixed part of every link's latency. */
    int *path_hops;      /* T x L x E, -1 where cut */
    double tx_s, proc_s; /* per link: bits / rate, processing */
} xnet_cost_t;

/* From the ring's kept cost table when the plan uses its gateways and keeps
 * each layer's experts in its subnet; otherwise a targeted query per batch
 * of snapshots (each gateway's search stops once its layer's experts, and
 * for A the previous layer's, are settled). */
int xnet_cost_build(xnet_cost_t **out, xnet_network_t *net, const xnet_plan_t *plan,
                    xnet_route_t route);
void xnet_cost_destroy(xnet_cost_t *cost);

/* Fill cost->path_hops once: the table's searches again, counting links
 * (the path stage's cost again, so only for a breakdown). Errors as
 * xnet_cost_build. */
int xnet_cost_hops(xnet_cost_t *cost, xnet_network_t *net, const xnet_plan_t *plan);

/* The parts a token's latency splits into (docs/model.md section 9, the
 * latency breakdown). Per layer: the activated experts' paths averaged over
 * the set, split into propagation, transmission and processing by their
 * links; variant B's ring hop; gateway, expert (averaged over the set) and
 * output-projection compute; the wait for the slowest of the set (its path
 * and expert time above the set's mean); the wait of a cut token's retries.
 * Per token also the ground user's access. They add up to the latency. */
enum {
    XNET_PART_PROPAGATION,
    XNET_PART_TRANSMISSION,
    XNET_PART_PROCESSING,
    XNET_PART_RING_HOP,
    XNET_PART_GATEWAY,
    XNET_PART_EXPERT,
    XNET_PART_HEAD,
    XNET_PART_TOPK_WAIT,
    XNET_PART_RETRY_WAIT,
    XNET_PART_ACCESS,
    XNET_PARTS
};
/* "propagation_s", ...: the names the results carry, in that order. */
extern const char *const xnet_part_names[XNET_PARTS];

/* Compute time per layer: at the gateway (attention + router) and at one
 * expert; head_s, the output projection, at the last layer only. A token
 * whose path is cut retries every retry_s (snapshots dt_s apart) until it
 * exists (docs/model.md section 9); retry_s = 0: no such charge computed. */
typedef struct {
    double gateway_s, expert_s, head_s;
    double dt_s, retry_s;
} xnet_compute_t;

typedef struct {
    size_t tokens, delivered;
    double mean_s, stderr_s, p50_s, p95_s, p99_s; /* over delivered tokens; NaN if none */
    double undelivered;                           /* fraction of tokens */
    double *per_layer_s; /* caller's array of L: mean per layer over delivered tokens */
    double access_s;     /* mean access part over delivered tokens (0 without access) */
    /* Lost tokens charged: every token that gets through within one horizon
     * of retries, its waits included (NaN when none does or retry_s = 0). */
    double wait_mean_s, wait_stderr_s, wait_p50_s, wait_p95_s, wait_p99_s;
    double lost;             /* fraction of tokens not through within one horizon */
    double *wait_per_layer_s; /* caller's array of L (waits included), or NULL */
    /* The breakdown of the charged figures (needs cost->path_hops), or NULL:
     * caller's arrays of (L + 1) x XNET_PARTS, row l the layer's means, row
     * L the token's; and their standard errors. NaN when none gets through. */
    double *parts, *parts_stderr;
} xnet_sample_result_t;

/* Monte Carlo: token i at snapshot i mod T (or at `snapshot` when >= 0),
 * each layer's top-k set drawn from the profile. Tokens come in blocks of
 * 4096, block b drawing from its own stream seeded from (seed, b), run on
 * every worker and combined in block order: the same bits for any number
 * of workers. Percentiles interpolate linearly between order statistics.
 * With enumerated sets every (snapshot, set)'s outcome is tabled first when
 * the tokens draw each about once or more: O(T sets + tokens L). */
int xnet_latency_sample(const xnet_cost_t *cost, const xnet_profile_t *profile,
                        xnet_compute_t compute, size_t tokens, uint64_t seed, int snapshot,
                        xnet_sample_result_t *res);
/* For tests and benchmarks: 0 makes the sampler compute every draw's
 * latency instead of reading its table (the same bits, slower); 1 (the
 * default) lets it table when that pays. */
void xnet_latency_set_step_table(int allowed);

typedef struct {
    double mean_s;       /* E[T_token | delivered] */
    double undelivered;  /* P(undelivered) */
    double *per_layer_s; /* caller's array of L: E[T_l 1{delivered}] / P(delivered) */
    double access_s;     /* E[access | delivered] */
    int unavailable;     /* 1: a layer serialises co-located experts and its sets are not
                            enumerated; no exact figures (Monte Carlo only) */
    /* The breakdown of mean_s as xnet_sample_result_t's, or NULL; NaN when a
     * path of a profile without enumerated sets is cut (not computed). */
    double *parts;
} xnet_exact_result_t;

/* The expectation, exact over top-k sets and averaged over snapshots (or at
 * `snapshot` when >= 0): O(T L sets k). */
int xnet_latency_exact(const xnet_cost_t *cost, const xnet_profile_t *profile,
                       xnet_compute_t compute, int snapshot, xnet_exact_result_t *res);

/* Latency of layer l for one top-k set at snapshot snap: inf when cut. */
double xnet_set_latency(const xnet_cost_t *cost, int l, int snap, const int *members, int k,
                        xnet_compute_t compute);

/* The same and its parts[XNET_PARTS] (retry wait and access 0; needs
 * cost->path_hops); parts undefined when cut. */
double xnet_set_parts(const xnet_cost_t *cost, int l, int snap, const int *members, int k,
                      xnet_compute_t compute, double *parts);

/* What a token that draws one enumerated set in one snapshot meets at that
 * layer (docs/model.md section 9). */
typedef struct {
    double latency_s; /* the layer's latency there, +inf when a path is cut */
    double charged_s; /* the wait for the first retry that gets through + the latency there */
    int next;         /* that retry's snapshot; -1: none within one horizon (or charge 0) */
} xnet_set_step_t;

/* For every snapshot t and every set s of layers [l0, l1) (enumerated sets):
 * steps[t * n + s - first[l0]], n = first[l1] - first[l0]; with charge 0 no
 * retries are searched (next = -1, charged_s = inf). Snapshots on every
 * worker: O(T n k) plus the retry searches. */
int xnet_set_steps(const xnet_cost_t *cost, const xnet_profile_t *profile,
                   xnet_compute_t compute, int charge, int l0, int l1, xnet_set_step_t *steps);
/* Tables of steps are kept whole up to this size. */
#define XNET_STEP_TABLE_MAX_BYTES (256.0 * 1024 * 1024)

/* The first retry that finds the set's paths of layer l, for a token that
 * reaches layer l in snapshot snap: the snapshot it runs in (*next) and the
 * time waited (*wait_s; 0 when nothing is cut); -1 when no retry within one
 * horizon gets through. */
int xnet_retry_snapshot(const xnet_cost_t *cost, int l, int snap, const int *members, int k,
                        xnet_compute_t compute, int *next, double *wait_s);

typedef struct {
    double mean_s;       /* E[T_token incl. waits | not lost] */
    double lost;         /* P(lost) */
    double *per_layer_s; /* caller's array of L: E[T_l 1{not lost}] / P(not lost) */
    int unavailable;     /* 1: no enumerated sets (or queued co-location): none computed */
    double *parts;       /* the breakdown of mean_s as xnet_sample_result_t's, or NULL */
} xnet_wait_result_t;

/* The same charge exactly: a chain over snapshots, layer by layer (src/wait.c). */
int xnet_latency_exact_wait(const xnet_cost_t *cost, const xnet_profile_t *profile,
                            xnet_compute_t compute, int snapshot, xnet_wait_result_t *res);
/* The same from tokens that start in snapshot t with weight start[t] (T
 * weights, not all 0; NULL: as snapshot says), reading table (every
 * layer's steps with charge 1, or NULL: computed here). */
int xnet_latency_exact_wait_from(const xnet_cost_t *cost, const xnet_profile_t *profile,
                                 xnet_compute_t compute, int snapshot, const double *start,
                                 const xnet_set_step_t *table, xnet_wait_result_t *res);

/* xnet_latency_sample into *mc and, with exact set, xnet_latency_exact and
 * xnet_latency_exact_wait into *ex and *wait: the same bits as the three
 * calls, with one (snapshot, set) table of every layer's steps for all
 * three when the profile enumerates its sets (built once, rows on every
 * worker) where each would compute its own. */
int xnet_latency_evaluate(const xnet_cost_t *cost, const xnet_profile_t *profile,
                          xnet_compute_t compute, size_t tokens, uint64_t seed, int snapshot,
                          int exact, xnet_sample_result_t *mc, xnet_exact_result_t *ex,
                          xnet_wait_result_t *wait);

/* Sort n values ascending; the percentile q in [0, 1] of sorted values,
 * interpolating linearly between order statistics (R type 7). */
void xnet_sort_doubles(double *v, size_t n);
double xnet_percentile(const double *sorted, size_t n, double q);
/* The same value from unsorted values, by selection in O(n) expected time;
 * reorders v. */
double xnet_percentile_unsorted(double *v, size_t n, double q);
/* The same for m quantiles q[0] <= q[1] <= ... into out[m], each selected
 * among the values above the previous one's: less work than m calls. */
void xnet_percentiles_unsorted(double *v, size_t n, const double *q, int m, double *out);

#endif
