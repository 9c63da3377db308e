#include "queueing.h"

#include "error.h"
#include "memlimit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const xnet_serve_system_t *sys;
    const xnet_cost_t *cost;
    xnet_cost_t with_wait; /* the cost table with every job's wait added */
    double *weight;        /* snapshots: time the window spends in each */
    double *per_layer;     /* layers, the evaluator's scratch */
    double *jitter;        /* layers: variance of the time from gateway l to gateway l+1, s^2 */
    double *factor;        /* nodes: the wait's scale for the arrivals' variability */
    int poisson;           /* 1: every satellite's arrivals taken as Poisson (factor 1) */
} model_t;

/* Time the window [lo, hi) spends in each snapshot (one when the snapshot
 * is fixed or there is one). */
static void snapshot_weights(const xnet_serve_system_t *sys, double lo, double hi, double *w)
{
    int T = sys->snapshots;
    for (int k = 0; k < T; k++) {
        w[k] = 0;
    }
    if (sys->snapshot >= 0 || T == 1 || !isfinite(sys->snapshot_s)) {
        w[sys->snapshot >= 0 ? sys->snapshot : 0] = 1;
        return;
    }
    double dt = sys->snapshot_s, j0 = floor(lo / dt), j1 = floor(hi / dt);
    if (j1 - j0 >= 2.0 * T) {
        for (int k = 0; k < T; k++) {
            w[k] = 1; /* many whole orbits: every snapshot alike */
        }
        return;
    }
    for (double j = j0; j <= j1; j++) {
        double overlap = fmin(hi, (j + 1) * dt) - fmax(lo, j * dt);
        if (overlap > 0) {
            w[(int)fmod(j, (double)T)] += overlap;
        }
    }
}

/* Mean latency of a delivered token and the undelivered fraction when every
 * job at satellite s waits wait_s[s] (NULL: none), over the window's snapshots. */
static int latency(model_t *m, const double *wait_s, double *mean_s, double *undelivered)
{
    const xnet_serve_system_t *sys = m->sys;
    int T = sys->snapshots, L = sys->layers, E = sys->experts;
    xnet_cost_t *c = &m->with_wait;
    for (int k = 0; k < T; k++) { /* every snapshot: a retry may move a token anywhere */
        for (int l = 0; l < L; l++) {
            size_t row = (size_t)k * L + l;
            double gw = wait_s ? wait_s[sys->gateway[l]] : 0;
            c->hop_s[row] = m->cost->hop_s[row] + gw;
            for (int e = 0; e < E; e++) {
                double w = wait_s ? wait_s[sys->satellite[l * E + e]] : 0;
                c->path_s[row * E + e] = m->cost->path_s[row * E + e] + w;
            }
        }
    }
    xnet_compute_t compute = {.gateway_s = sys->gateway_s, .expert_s = sys->expert_s,
                              .head_s = sys->head_s, .dt_s = sys->dt_s,
                              .retry_s = sys->cost ? sys->retry_s : 0};
    if (compute.retry_s > 0) {
        /* cut paths charged as the simulation does (retries): the chain over
         * snapshots from the window's start weights, where it can be computed */
        xnet_wait_result_t wr = {.per_layer_s = m->per_layer};
        int rc = xnet_latency_exact_wait_from(c, sys->profile, compute, -1, m->weight, NULL,
                                              &wr);
        if (rc || !wr.unavailable) {
            *mean_s = wr.mean_s;
            *undelivered = fmax(0, wr.lost);
            return rc;
        }
    }
    double total = 0, delivered = 0, sum = 0; /* otherwise cut tokens are lost */
    for (int k = 0; k < T; k++) {
        if (m->weight[k] == 0) {
            continue;
        }
        xnet_exact_result_t ex = {.per_layer_s = m->per_layer};
        int rc = xnet_latency_exact(c, sys->profile, compute, k, &ex);
        if (rc) {
            return rc;
        }
        if (ex.unavailable) {
            return xnet_fail(XNET_EINVAL, "the queueing approximation needs the top-k sets "
                                          "where co-located experts queue; use method = "
                                          "\"simulate\"");
        }
        total += m->weight[k];
        double d = m->weight[k] * (1 - ex.undelivered);
        delivered += d;
        if (d > 0) {
            sum += d * ex.mean_s;
        }
    }
    *undelivered = fmax(0, 1 - delivered / total);
    *mean_s = delivered > 0 ? sum / delivered : NAN;
    return XNET_OK;
}

/* Per token at every satellite: visits, server-seconds and the sum of the
 * squared service times (their second moments). */
static void loads(const xnet_serve_system_t *sys, double *visits, double *demand, double *second)
{
    double m2 = sys->exponential ? 2 : 1, g = sys->gateway_s, x = sys->expert_s;
    for (int i = 0; i < sys->nodes; i++) {
        visits[i] = demand[i] = second[i] = 0;
    }
    for (int l = 0; l < sys->layers; l++) {
        int s = sys->gateway[l];
        double gl = g + (l == sys->layers - 1 ? sys->head_s : 0);
        visits[s] += 1;
        demand[s] += gl;
        second[s] += m2 * gl * gl;
        for (int e = 0; e < sys->experts; e++) {
            double p = sys->profile->inclusion[(size_t)l * sys->experts + e];
            s = sys->satellite[l * sys->experts + e];
            visits[s] += p;
            demand[s] += p * x;
            second[s] += p * m2 * x * x;
        }
    }
}

/* The spread of a layer's travel between its gateway and the next: the
 * variance over the layer's sets of the slowest activated expert's path
 * (a seeded sample of 256 sets per snapshot), averaged over the window's
 * snapshots. The snapshot-to-snapshot change of the mean is left out: it
 * moves every token alike, slowly. */
static int layer_jitter(model_t *m, uint64_t seed)
{
    enum { DRAWS = 256 };
    const xnet_serve_system_t *sys = m->sys;
    int T = sys->snapshots, L = sys->layers, E = sys->experts, k = sys->top_k;
    int *set = malloc(sizeof(int) * (size_t)k);
    if (!set) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the queueing model");
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, seed);
    for (int l = 0; l < L; l++) {
        double var = 0, wsum = 0;
        for (int t = 0; t < T; t++) {
            if (m->weight[t] == 0) {
                continue;
            }
            const double *path = m->cost->path_s + ((size_t)t * L + l) * E;
            double s1 = 0, s2 = 0;
            int n = 0;
            for (int d = 0; d < DRAWS; d++) {
                xnet_serve_draw_set(sys->profile, l, &rng, set);
                double slowest = 0;
                for (int j = 0; j < k; j++) {
                    slowest = fmax(slowest, path[set[j]]);
                }
                if (isfinite(slowest)) {
                    s1 += slowest;
                    s2 += slowest * slowest;
                    n++;
                }
            }
            if (n > 1) {
                var += m->weight[t] * fmax(0, (s2 - s1 * s1 / n) / (n - 1));
                wsum += m->weight[t];
            }
        }
        m->jitter[l] = wsum > 0 ? var / wsum : 0;
    }
    free(set);
    return XNET_OK;
}

/* How much of a Poisson stream's waiting each satellite's arrivals cause,
 * after Whitt's QNA: gaps of squared coefficient of variation c_a^2 wait
 * (c_a^2 + c_s^2) / (1 + c_s^2) of what Poisson arrivals (c_a^2 = 1) wait.
 * A token meets the gateways one after the other: gateway l's departures
 * have c_d^2 = rho^2 c_s^2 + (1 - rho^2) c_a^2 (a busy constant server
 * spaces tokens out), the travel to gateway l+1 adds 2 x^2 Var(travel) (a
 * random delay re-mixes them; at most Poisson's 1), and an expert sees its
 * gateway's departures thinned by its inclusion p (p c_d^2 + 1 - p).
 * Open: the first gateway sees Poisson arrivals; closed: the ring of
 * gateways is a cycle, solved by repeating it. A satellite with several
 * streams takes their rate-weighted mean. */
static void arrival_factors(model_t *m, const double *visits, const double *demand,
                            const double *second, double x, int closed, double *ca2)
{
    const xnet_serve_system_t *sys = m->sys;
    int L = sys->layers, E = sys->experts, n = sys->nodes;
    double c = sys->parallel, cs2_job = sys->exponential ? 1 : 0;
    for (int s = 0; s < n; s++) {
        m->factor[s] = 1;
    }
    if (m->poisson || x <= 0) {
        return;
    }
    double first = 1;
    for (int pass = 0; pass < (closed ? 200 : 1); pass++) {
        double a = first;
        for (int l = 0; l < L; l++) {
            double rho = fmin(x * demand[sys->gateway[l]] / c, 1);
            double d = rho * rho * cs2_job + (1 - rho * rho) * a;
            a = fmin(1, d + 2 * x * x * m->jitter[l]);
        }
        double change = fabs(a - first);
        first = a;
        if (change < 1e-12) {
            break;
        }
    }
    for (int s = 0; s < n; s++) {
        ca2[s] = 0;
    }
    double a = first;
    for (int l = 0; l < L; l++) {
        int g = sys->gateway[l];
        double rho = fmin(x * demand[g] / c, 1);
        double d = rho * rho * cs2_job + (1 - rho * rho) * a;
        ca2[g] += a;
        for (int e = 0; e < E; e++) {
            double p = sys->profile->inclusion[(size_t)l * E + e];
            ca2[sys->satellite[l * E + e]] += p * (p * d + 1 - p);
        }
        a = fmin(1, d + 2 * x * x * m->jitter[l]);
    }
    for (int s = 0; s < n; s++) {
        if (visits[s] > 0 && demand[s] > 0) {
            double cs2 = fmax(0, visits[s] * second[s] / (demand[s] * demand[s]) - 1);
            double a2 = ca2[s] / visits[s];
            if (!closed) {
                /* near saturation a queue feels the long-run variability of
                 * its input, and queues upstream keep Poisson's (1) */
                double rho = fmin(x * demand[s] / c, 1);
                a2 = rho * rho + (1 - rho * rho) * a2;
            }
            m->factor[s] = (a2 + cs2) / (1 + cs2);
        }
    }
}

static int solve_open(model_t *m, const double *visits, const double *demand,
                      const double *second, const xnet_serve_params_t *p,
                      xnet_queue_result_t *res)
{
    const xnet_serve_system_t *sys = m->sys;
    double x = p->rate_tokens_s, c = sys->parallel;
    arrival_factors(m, visits, demand, second, x, 0, res->wait_s);
    for (int s = 0; s < sys->nodes; s++) {
        double rho = x * demand[s] / c;
        res->utilisation[s] = rho;
        res->wait_s[s] = visits[s] > 0 && rho < 1
                             ? m->factor[s] * x * second[s] / (c * c) / (2 * (1 - rho))
                             : 0;
    }
    if (res->unstable) {
        res->throughput_tokens_s = res->mean_s = res->undelivered = NAN;
        return XNET_OK;
    }
    int rc = latency(m, res->wait_s, &res->mean_s, &res->undelivered);
    res->throughput_tokens_s = x * (1 - res->undelivered);
    return rc;
}

static int solve_closed(model_t *m, const double *visits, const double *demand,
                        const double *second, double *queue, const xnet_serve_params_t *p,
                        xnet_queue_result_t *res)
{
    const xnet_serve_system_t *sys = m->sys;
    double n = p->streams, c = sys->parallel, seen = (n - 1) / n, r, u;
    int rc = latency(m, NULL, &r, &u);
    if (rc || !isfinite(r)) {
        res->throughput_tokens_s = rc ? NAN : 0;
        res->mean_s = NAN;
        res->undelivered = u;
        for (int s = 0; s < sys->nodes; s++) {
            res->utilisation[s] = 0; /* nothing delivered: no satellite works */
        }
        return rc;
    }
    /* the asymptotic bounds: no faster than alone, nor than the bottleneck */
    double dmax = 0;
    for (int s = 0; s < sys->nodes; s++) {
        dmax = fmax(dmax, demand[s]);
    }
    double bound = fmin(n / r, c / dmax), x = bound;
    for (int s = 0; s < sys->nodes; s++) {
        queue[s] = x * demand[s]; /* start from no waiting */
        res->wait_s[s] = 0;
    }
    for (res->iterations = 1; res->iterations <= 500; res->iterations++) {
        arrival_factors(m, visits, demand, second, x, 1, res->wait_s);
        for (int s = 0; s < sys->nodes; s++) {
            if (visits[s] == 0) {
                continue;
            }
            double busy = fmin(x * demand[s] / c, 1) * seen, mean_s = demand[s] / visits[s];
            double w = ((queue[s] * seen - busy) * mean_s + busy * second[s] / (2 * demand[s])) / c;
            res->wait_s[s] = w > 0 ? m->factor[s] * w : 0;
        }
        if ((rc = latency(m, res->wait_s, &r, &u))) {
            return rc;
        }
        double next = fmin(n / r, bound), change = fabs(next - x);
        x = 0.5 * x + 0.5 * next; /* damped: the plain iteration can oscillate */
        for (int s = 0; s < sys->nodes; s++) {
            queue[s] = x * (visits[s] * res->wait_s[s] + demand[s]);
        }
        if (change <= 1e-9 * x) {
            break;
        }
    }
    for (int s = 0; s < sys->nodes; s++) {
        res->utilisation[s] = x * demand[s] / c;
    }
    res->mean_s = n / x; /* Little, also where the bound holds x */
    res->undelivered = u;
    res->throughput_tokens_s = x * (1 - u);
    return XNET_OK;
}

int xnet_queue_solve(const xnet_serve_system_t *sys, const xnet_cost_t *cost,
                     const xnet_serve_params_t *p, xnet_queue_result_t *res)
{
    int rc = xnet_serve_check(sys, p), n = sys->nodes, T = sys->snapshots;
    int L = sys->layers, E = sys->experts;
    if (rc) {
        return rc;
    }
    if (cost->snapshots != T || cost->layers != L || cost->experts != E) {
        return xnet_fail(XNET_EINVAL, "the cost table is for %d snapshots x %d layers x %d "
                                      "experts, the system for %d x %d x %d",
                         cost->snapshots, cost->layers, cost->experts, T, L, E);
    }
    if ((rc = xnet_limit_check(sizeof(double) * ((double)T * L * (E + 1) + 5.0 * n + T + 2.0 * L),
                               "the queueing model"))) {
        return rc;
    }
    model_t m = {.sys = sys, .cost = cost, .with_wait = *cost, .poisson = p->poisson_arrivals};
    double *visits = malloc(sizeof(double) * (5 * (size_t)n + (size_t)T + 2 * (size_t)L));
    m.with_wait.path_s = malloc(sizeof(double) * ((size_t)T * L * E + 1));
    m.with_wait.hop_s = malloc(sizeof(double) * ((size_t)T * L + 1));
    if (!visits || !m.with_wait.path_s || !m.with_wait.hop_s) {
        free(visits);
        free(m.with_wait.path_s);
        free(m.with_wait.hop_s);
        return xnet_fail(XNET_ENOMEM, "out of memory for the queueing model");
    }
    double *demand = visits + n, *second = demand + n, *queue = second + n;
    m.weight = queue + n;
    m.per_layer = m.weight + T;
    m.jitter = m.per_layer + L;
    m.factor = m.jitter + L;
    loads(sys, visits, demand, second);
    snapshot_weights(sys, p->warmup_s, p->duration_s, m.weight);
    rc = layer_jitter(&m, p->seed);
    res->bottleneck = 0;
    for (int s = 0; s < n; s++) {
        if (demand[s] > demand[res->bottleneck]) {
            res->bottleneck = s;
        }
    }
    double rate = p->streams > 0 ? 0 : p->rate_tokens_s;
    res->bottleneck_utilisation = rate * demand[res->bottleneck] / sys->parallel;
    res->unstable = p->streams <= 0 && res->bottleneck_utilisation >= 1;
    res->iterations = 0;
    rc = rc                ? rc
         : p->streams > 0 ? solve_closed(&m, visits, demand, second, queue, p, res)
                        : solve_open(&m, visits, demand, second, p, res);
    if (!rc && p->streams > 0) {
        res->bottleneck_utilisation = res->utilisation[res->bottleneck];
    }
    free(visits);
    free(m.with_wait.path_s);
    free(m.with_wait.hop_s);
    return rc;
}
