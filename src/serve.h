/* Serving many tokens at once (docs/model.md section 12): a seeded
 * discrete-event simulation of decoding tokens through a placement, where
 * gateways and expert satellites are FIFO servers, and the per-satellite
 * offered load the queueing approximation (queueing.h) starts from.
 *
 * A token at layer l queues at the gateway g_l (gateway_s of compute), then
 * its top-k experts, drawn from the profile, each travel in_s to their
 * satellite, queue there (expert_s each, `parallel` at a time per
 * satellite) and travel out_s back; when the last result is in, hop_s
 * later the token queues at g_{l+1}. After layer L-1 the token is done.
 * Links are pure delays (no link queueing; docs/model.md says why). A token
 * uses the paths of the snapshot it starts in. */
#ifndef XNET_SERVE_H
#define XNET_SERVE_H

#include "latency.h"
#include "moe.h"
#include "rng.h"

#include <stddef.h>
#include <stdint.h>

/* What is served: the placement, its compute and its paths. Not owned. */
typedef struct {
    int layers, experts, top_k, nodes, snapshots;
    const int *gateway;   /* layers */
    const int *satellite; /* layers x experts */
    int parallel;         /* jobs a satellite computes at once, >= 1 */
    double gateway_s, expert_s;
    double head_s;     /* the output projection: added to the last layer's gateway job */
    int exponential;   /* 1: service times exponential with those means; 0: constant */
    double snapshot_s; /* a token starting at t uses snapshot floor(t / snapshot_s) mod T */
    int snapshot;      /* >= 0: every token uses this snapshot */
    const double *in_s;  /* T x L x E: D(g_l, s_e), +inf when cut */
    const double *out_s; /* T x L x E: variant A D(s_e, g_{l+1}), B D(s_e, g_l); +inf cut */
    const double *hop_s; /* T x L: after the results gather (B: D(g_l, g_{l+1}); A: 0) */
    const xnet_profile_t *profile;
    /* Cut paths: a token whose set needs a cut path waits at the gateway for
     * the first retry that finds them (xnet_retry_snapshot with cost, dt_s,
     * retry_s) and goes on in that snapshot; none within a horizon: lost.
     * cost NULL: such a token is lost at once. */
    const xnet_cost_t *cost;
    double dt_s, retry_s;
    /* Replicated experts (copy_first NULL without): the copies of expert
     * i = l E + e are copy_satellite[copy_first[i] .. copy_first[i + 1]),
     * with legs copy_in_s and copy_out_s (T x copies; in_s and out_s are
     * then the nearest copy's). At dispatch a token's expert goes to the copy
     * the policy picks: NEAREST, least in + out (docs/model.md section 9);
     * SHORTEST_WAIT, least in + out + the compute already sent to that
     * satellite and not done (expert_s per expert job, gateway_s per gateway
     * job) / parallel. Ties to the earlier copy. */
    int copies;
    const int *copy_first, *copy_satellite;
    const double *copy_in_s, *copy_out_s;
    enum { XNET_REPLICA_NEAREST, XNET_REPLICA_SHORTEST_WAIT } replica;
} xnet_serve_system_t;

/* Called every 2^16 events: replication r (from 0) has simulated up to t_s. */
typedef void (*xnet_serve_progress_fn)(void *ctx, int replication, double t_s);

typedef struct {
    int streams;          /* > 0: closed loop, a stream's next token starts when one ends */
    double rate_tokens_s; /* > 0: open, Poisson arrivals (exactly one of the two) */
    double duration_s;    /* arrivals (open) or the run (closed) cover [0, duration_s) */
    double warmup_s;      /* statistics from warmup_s on, in [0, duration_s) */
    uint64_t seed;
    int replications;  /* independent runs, seeds derived from seed */
    double max_tokens; /* bound on the tokens one replication may start */
    int poisson_arrivals; /* the approximation: every satellite's arrivals Poisson (plain
                             M/G/1 and MVA), not smoothed by the gateways before it */
    xnet_serve_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} xnet_serve_params_t;

typedef struct {
    int unstable;                  /* open: some satellite's offered utilisation >= 1 */
    int bottleneck;                /* the satellite of highest offered utilisation */
    double bottleneck_utilisation; /* its offered utilisation (open: rate x demand / parallel) */
    double throughput_tokens_s, throughput_stderr; /* delivered tokens per second */
    double mean_s, mean_stderr; /* latency of the tokens through, retries' waits included */
    double p50_s, p95_s, p99_s, p99_stderr;         /* means over replications */
    double undelivered;         /* fraction of the measured tokens that met a cut path */
    double lost;                /* fraction of the measured tokens never through */
    double tokens, delivered;   /* measured, summed over replications */
    double in_system;           /* time-average tokens in the system (Little's law) */
    double events;              /* events simulated, all replications */
    double *utilisation;        /* caller's array of nodes: busy fraction of the servers */
} xnet_serve_result_t;

/* Server-seconds per token each satellite does: gateway_s per layer it is
 * the gateway of (plus head_s at the last layer's), expert_s x inclusion
 * probability per expert it holds.
 * demand_s has nodes entries. O(N + L E). */
void xnet_serve_demand(const xnet_serve_system_t *sys, double *demand_s);

/* One top-k set of layer l drawn from the profile into out (k members). */
void xnet_serve_draw_set(const xnet_profile_t *prof, int l, xnet_rng_t *rng, int *out);

/* Check the system and the parameters: XNET_EINVAL naming the value and
 * its bound. */
int xnet_serve_check(const xnet_serve_system_t *sys, const xnet_serve_params_t *p);

/* Simulate. An open system whose offered utilisation reaches 1 somewhere is
 * not simulated: res->unstable names the satellite. Otherwise every figure
 * is the mean over replications (stderr: their spread / sqrt(R); NaN with
 * one). XNET_ELIMIT when a replication would start more than max_tokens.
 * Same seed, same bits. Time O(tokens L k log(tokens in flight)). */
int xnet_serve_simulate(const xnet_serve_system_t *sys, const xnet_serve_params_t *p,
                        xnet_serve_result_t *res);

#endif
