/* The serving simulator (src/serve.c) against closed-form queues: M/D/1
 * and M/M/1 (Pollaczek-Khinchine), a tandem of two M/M/1 (Jackson), a closed
 * loop through one server (Little's law and the D/D/1 bound), co-located
 * experts, cut paths, instability, reproducibility and bad input. */
#include "check.h"
#include "error.h"
#include "moe.h"
#include "queueing.h"
#include "serve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One layer, `experts` experts with equal weights, top_k of them; gateway
 * on satellite 0, expert e on satellite sat[e]; one snapshot. */
typedef struct {
    xnet_profile_t *prof;
    int gateway[1], satellite[8];
    double in_s[8], out_s[8], hop_s[1];
    xnet_serve_system_t sys;
} fixture_t;

static void fixture(fixture_t *f, int experts, int top_k, const int *sat, double in_s,
                    double out_s, double gateway_s, double expert_s, int exponential)
{
    double w[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    if (xnet_profile_from_weights(&f->prof, 1, experts, top_k, w)) {
        fprintf(stderr, "profile: %s\n", xnet_errmsg());
        exit(2);
    }
    f->gateway[0] = 0;
    f->hop_s[0] = 0;
    int nodes = 1;
    for (int e = 0; e < experts; e++) {
        f->satellite[e] = sat[e];
        f->in_s[e] = in_s;
        f->out_s[e] = out_s;
        nodes = sat[e] + 1 > nodes ? sat[e] + 1 : nodes;
    }
    f->sys = (xnet_serve_system_t){.layers = 1, .experts = experts, .top_k = top_k,
                                   .nodes = nodes, .snapshots = 1, .gateway = f->gateway,
                                   .satellite = f->satellite, .parallel = 1,
                                   .gateway_s = gateway_s, .expert_s = expert_s,
                                   .exponential = exponential, .snapshot_s = INFINITY,
                                   .snapshot = -1, .in_s = f->in_s, .out_s = f->out_s,
                                   .hop_s = f->hop_s, .profile = f->prof};
}

static xnet_serve_params_t open_load(double rate, double duration)
{
    return (xnet_serve_params_t){.rate_tokens_s = rate, .duration_s = duration,
                                 .warmup_s = duration / 10, .seed = 7, .replications = 16,
                                 .max_tokens = 1e7};
}

static xnet_serve_params_t closed_load(int streams, double duration)
{
    return (xnet_serve_params_t){.streams = streams, .duration_s = duration,
                                 .warmup_s = duration / 10, .seed = 7, .replications = 8,
                                 .max_tokens = 1e7};
}

static int run(fixture_t *f, const xnet_serve_params_t *p, xnet_serve_result_t *r, double *util)
{
    memset(r, 0, sizeof *r);
    r->utilisation = util;
    int rc = xnet_serve_simulate(&f->sys, p, r);
    if (rc) {
        fprintf(stderr, "simulate: %s\n", xnet_errmsg());
    }
    return rc;
}

/* Within 4 standard errors, and the error itself small. */
#define CHECK_STAT(got, se, want, max_se)                                                 \
    do {                                                                                 \
        CHECK_NEAR(got, want, 4 * (se));                                                 \
        CHECK((se) < (max_se));                                                          \
    } while (0)

static void single_servers(void)
{
    fixture_t f;
    xnet_serve_result_t r;
    double util[2];
    int one[1] = {1};
    /* M/D/1, rho 0.5: sojourn S + rho S / (2 (1 - rho)) = 1.5 */
    fixture(&f, 1, 1, one, 0, 0, 0, 1, 0);
    xnet_serve_params_t p = open_load(0.5, 20000);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK_STAT(r.mean_s, r.mean_stderr, 1.5, 0.03);
    CHECK_STAT(r.throughput_tokens_s, r.throughput_stderr, 0.5, 0.01);
    CHECK_NEAR(util[1], 0.5, 0.02);
    CHECK(r.unstable == 0 && r.undelivered == 0);
    /* Little's law: tokens in the system = throughput x sojourn */
    CHECK_NEAR(r.in_system, r.throughput_tokens_s * r.mean_s, 0.05);
    xnet_profile_destroy(f.prof);

    /* M/M/1, rho 0.5: sojourn 1 / (mu - lambda) = 2 */
    fixture(&f, 1, 1, one, 0, 0, 0, 1, 1);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK_STAT(r.mean_s, r.mean_stderr, 2.0, 0.05);
    /* the same seed gives the same bits; another seed other bits */
    xnet_serve_result_t again;
    double util2[2];
    CHECK(run(&f, &p, &again, util2) == XNET_OK);
    CHECK(memcmp(&again.mean_s, &r.mean_s, sizeof r.mean_s) == 0
          && memcmp(&again.p99_s, &r.p99_s, sizeof r.p99_s) == 0
          && memcmp(util, util2, sizeof util) == 0);
    p.seed = 8;
    CHECK(run(&f, &p, &again, util2) == XNET_OK);
    CHECK(again.mean_s != r.mean_s);
    /* unstable: reported with the satellite, nothing simulated */
    p = open_load(1.3, 1e9);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK(r.unstable == 1 && r.bottleneck == 1);
    CHECK_NEAR(r.bottleneck_utilisation, 1.3, 1e-12);
    CHECK(r.events == 0);
    xnet_profile_destroy(f.prof);
}

static void tandem(void)
{
    /* gateway M/M/1 (mean 0.5) then expert M/M/1 (mean 1) with 0.3 + 0.2 s
     * of links, lambda 0.5: 1/(2 - 0.5) + 1/(1 - 0.5) + 0.5 */
    fixture_t f;
    xnet_serve_result_t r;
    double util[2];
    int one[1] = {1};
    fixture(&f, 1, 1, one, 0.3, 0.2, 0.5, 1, 1);
    xnet_serve_params_t p = open_load(0.5, 20000);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK_STAT(r.mean_s, r.mean_stderr, 1 / 1.5 + 2 + 0.5, 0.06);
    CHECK_NEAR(util[0], 0.25, 0.02);
    CHECK_NEAR(util[1], 0.5, 0.02);
    xnet_profile_destroy(f.prof);
}

static void closed_loop(void)
{
    /* N streams through one deterministic server (1 s) and 3 s of links:
     * throughput min(N / 4, 1), and N = throughput x latency (Little) */
    fixture_t f;
    xnet_serve_result_t r;
    double util[2];
    int one[1] = {1};
    fixture(&f, 1, 1, one, 1.5, 1.5, 0, 1, 0);
    int streams[3] = {1, 2, 8};
    for (int i = 0; i < 3; i++) {
        xnet_serve_params_t p = closed_load(streams[i], 2000);
        CHECK(run(&f, &p, &r, util) == XNET_OK);
        double x = fmin(streams[i] / 4.0, 1.0);
        CHECK_NEAR(r.throughput_tokens_s, x, 0.01);
        CHECK_NEAR(r.mean_s, streams[i] / x, 0.01 * streams[i] / x);
        CHECK_NEAR(r.throughput_tokens_s * r.mean_s, streams[i], 0.02 * streams[i]);
        CHECK_NEAR(r.in_system, streams[i], 1e-9);
    }
    /* exponential service: Little's law within the replications' spread */
    xnet_profile_destroy(f.prof);
    xnet_serve_params_t p = closed_load(4, 20000);
    fixture(&f, 1, 1, one, 1.5, 1.5, 0, 1, 1);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    double se = 4 * (r.mean_stderr * r.throughput_tokens_s + r.throughput_stderr * r.mean_s);
    CHECK_NEAR(r.throughput_tokens_s * r.mean_s, 4, se);
    CHECK(r.throughput_tokens_s < 1 && r.throughput_tokens_s > 0.5);
    xnet_profile_destroy(f.prof);
}

static void co_located_and_cut(void)
{
    /* both experts of a top-2 set on one satellite, one at a time: a lone
     * token takes gateway + 2 experts + links */
    fixture_t f;
    xnet_serve_result_t r;
    double util[3];
    int same[2] = {1, 1};
    fixture(&f, 2, 2, same, 0.1, 0.2, 0.5, 1, 0);
    xnet_serve_params_t p = closed_load(1, 1000);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK_NEAR(r.mean_s, 0.5 + 0.1 + 2 + 0.2, 1e-9);
    f.sys.parallel = 2;
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK_NEAR(r.mean_s, 0.5 + 0.1 + 1 + 0.2, 1e-9);
    xnet_profile_destroy(f.prof);

    /* a cut path: every token undelivered, the run still ends */
    int one[1] = {1};
    fixture(&f, 1, 1, one, INFINITY, 0, 0.5, 1, 0);
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK(r.undelivered == 1 && r.delivered == 0 && isnan(r.mean_s));
    CHECK(r.throughput_tokens_s == 0);
    f.sys.gateway_s = 0; /* lost at once and nothing changes: the stream stops */
    CHECK(run(&f, &p, &r, util) == XNET_OK);
    CHECK(r.delivered == 0);
    xnet_profile_destroy(f.prof);
}

static void bad_input(void)
{
    fixture_t f;
    xnet_serve_result_t r = {0};
    double util[2];
    int one[1] = {1};
    fixture(&f, 1, 1, one, 0, 0, 0.5, 1, 0);
    r.utilisation = util;
    xnet_serve_params_t p = open_load(0.1, 100);
    p.streams = 3;
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_EINVAL
          && strstr(xnet_errmsg(), "exactly one of"));
    p = open_load(-1, 100);
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_EINVAL
          && strstr(xnet_errmsg(), "rate_tokens_s"));
    p = open_load(0.1, 0);
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_EINVAL
          && strstr(xnet_errmsg(), "duration_s"));
    p = open_load(0.1, 100);
    p.warmup_s = 100;
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_EINVAL && strstr(xnet_errmsg(), "warmup"));
    p = open_load(0.1, 100);
    p.replications = 0;
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_EINVAL
          && strstr(xnet_errmsg(), "replications"));
    p = open_load(0.1, 1e6);
    p.max_tokens = 1000;
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_ELIMIT
          && strstr(xnet_errmsg(), "max_tokens"));
    f.sys.gateway_s = f.sys.expert_s = 0;
    p = closed_load(2, 100);
    CHECK(xnet_serve_simulate(&f.sys, &p, &r) == XNET_EINVAL
          && strstr(xnet_errmsg(), "no compute time"));
    xnet_profile_destroy(f.prof);
}

/* The queueing approximation is exact for one M/G/1 server and bounded by
 * the bottleneck in a closed loop. */
static void approximation(void)
{
    fixture_t f;
    double util[2], wait[2], path[1], hop[1] = {0};
    int one[1] = {1};
    xnet_queue_result_t q = {.utilisation = util, .wait_s = wait};
    for (int ex = 0; ex < 2; ex++) {
        fixture(&f, 1, 1, one, 0.3, 0.2, 0, 1, ex);
        path[0] = 0.5;
        xnet_cost_t cost = {.snapshots = 1, .layers = 1, .experts = 1, .path_s = path,
                            .hop_s = hop};
        xnet_serve_params_t p = open_load(0.5, 100);
        CHECK(xnet_queue_solve(&f.sys, &cost, &p, &q) == XNET_OK);
        CHECK_NEAR(q.mean_s, 0.5 + (ex ? 2.0 : 1.5), 1e-12); /* PK: M/M/1 and M/D/1 */
        CHECK_NEAR(util[1], 0.5, 1e-15);
        p = closed_load(1, 100);
        CHECK(xnet_queue_solve(&f.sys, &cost, &p, &q) == XNET_OK);
        CHECK_NEAR(q.mean_s, 1.5, 1e-12); /* alone: no wait */
        p = closed_load(50, 100);
        CHECK(xnet_queue_solve(&f.sys, &cost, &p, &q) == XNET_OK);
        CHECK(q.throughput_tokens_s <= 1 + 1e-9 && q.throughput_tokens_s > 0.95);
        CHECK_NEAR(q.throughput_tokens_s * q.mean_s, 50, 1e-6); /* Little */
        p = open_load(1.5, 100);
        CHECK(xnet_queue_solve(&f.sys, &cost, &p, &q) == XNET_OK);
        CHECK(q.unstable && q.bottleneck == 1 && q.bottleneck_utilisation == 1.5);
        xnet_profile_destroy(f.prof);
    }
}

int main(void)
{
    approximation();
    single_servers();
    tandem();
    closed_loop();
    co_located_and_cut();
    bad_input();
    return check_done();
}
