/* The queueing approximation of serving (docs/model.md section 12): fast
 * figures for sweeps and for placement, checked against the simulation
 * (serve.h) rather than trusted.
 *
 * Every satellite is one queue whose jobs are the gateway compute of the
 * layers it is the gateway of and the expert compute of the experts it
 * holds (per token: visits v_s, server-seconds D_s). `parallel` servers act
 * as one server that many times faster.
 *  - open (Poisson rate x): utilisation x D_s / c; the mean wait per job is
 *    Pollaczek-Khinchine's x v_s E[S^2] / (2 (1 - rho)) (M/G/1);
 *  - closed (N streams): mean value analysis with Schweitzer's fixed point
 *    (a job arriving sees (N-1)/N of the jobs there; the one in service has
 *    E[S^2] / (2 E[S]) left), throughput N / latency.
 * The latency adds each job's mean wait to its path and takes the exact
 * expectation over top-k sets (latency.h), so the slowest activated expert
 * still decides a layer; waits are treated as constants, which is where the
 * approximation breaks near saturation. Snapshots are weighted by the time
 * the run's window spends in them. */
#ifndef XNET_QUEUEING_H
#define XNET_QUEUEING_H

#include "latency.h"
#include "serve.h"

typedef struct {
    int unstable, bottleneck;
    double bottleneck_utilisation;
    double throughput_tokens_s, mean_s, undelivered;
    int iterations;      /* closed: fixed-point iterations */
    double *utilisation; /* caller's array of nodes */
    double *wait_s;      /* caller's array of nodes: mean wait of one job there */
} xnet_queue_result_t;

/* cost is the plan's path table for the same route as sys (xnet_cost_build),
 * compute its compute times. Time per evaluation: O(iterations x snapshots
 * in the window x the exact evaluator). */
int xnet_queue_solve(const xnet_serve_system_t *sys, const xnet_cost_t *cost,
                     const xnet_serve_params_t *p, xnet_queue_result_t *res);

#endif
