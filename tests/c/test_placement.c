/* The ring, the sorted rule against brute force, the baselines, plan files,
 * and token latency: exact by hand, Monte Carlo against exact. */
#include "check.h"
#include "error.h"
#include "latency.h"
#include "moe.h"
#include "placement.h"
#include "pool.h"
#include "planio.h"
#include "ring.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_ring(void)
{
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_STAR, 33, 32, 0, 550, 87);
    xnet_ring_t *r;
    CHECK(xnet_ring_cut(&r, &w, 32, 33) == XNET_OK);
    /* S = L = 32: subnet l is slot l across all 33 planes, gateway in plane 16 */
    int ok = 1;
    for (int l = 0; l < 32; l++) {
        ok = ok && r->first[l + 1] - r->first[l] == 33;
        for (int i = 0; i < 33; i++) { /* rows alternate direction */
            int p = l % 2 ? 32 - i : i;
            ok = ok && r->members[r->first[l] + i] == p * 32 + l;
        }
        ok = ok && r->gateway[l] == 16 * 32 + l;
    }
    CHECK(ok);
    xnet_ring_destroy(r);
    /* uneven cut: 10 satellites into 3 subnets of 3, 3, 4 */
    xnet_walker_init(&w, XNET_WALKER_STAR, 2, 5, 0, 550, 87);
    CHECK(xnet_ring_cut(&r, &w, 3, 2) == XNET_OK);
    CHECK(r->first[1] == 3 && r->first[2] == 6 && r->first[3] == 10);
    /* row 0 (slot 0) planes 0, 1; row 1 (slot 1) planes 1, 0: consecutive ids are linked */
    CHECK(r->members[0] == 0 && r->members[1] == 5 && r->members[2] == 6 && r->members[3] == 1);
    CHECK(r->gateway[2] == r->members[6 + 2]);
    xnet_ring_destroy(r);
    CHECK(xnet_ring_cut(&r, &w, 11, 2) == XNET_EINVAL);
    CHECK(xnet_ring_cut(&r, &w, 3, 3) == XNET_EINVAL);

    int sizes[2] = {2, 2}, members[4] = {0, 1, 2, 3}, gw[2] = {1, 2};
    CHECK(xnet_ring_from_subnets(&r, 10, 2, sizes, members, gw) == XNET_OK);
    CHECK(r->gateway[0] == 1 && r->gateway[1] == 2);
    xnet_ring_destroy(r);
    int dup[4] = {0, 1, 1, 3};
    CHECK(xnet_ring_from_subnets(&r, 10, 2, sizes, dup, NULL) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "satellite 1 is in subnet 0 and subnet 1") != NULL);
    int badgw[2] = {2, 3};
    CHECK(xnet_ring_from_subnets(&r, 10, 2, sizes, members, badgw) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "gateway 2 of layer 0 is not in subnet 0") != NULL);
    int out[4] = {0, 1, 2, 10};
    CHECK(xnet_ring_from_subnets(&r, 10, 2, sizes, out, NULL) == XNET_EINVAL);
}

/* Best surrogate sum_e p_e lat(c_e) over all injective maps experts -> candidates. */
static double brute(int e, int E, int M, const double *p, const double *lat, int *used)
{
    if (e == E) {
        return 0;
    }
    double best = HUGE_VAL;
    for (int c = 0; c < M; c++) {
        if (!used[c]) {
            used[c] = 1;
            double v = p[e] * lat[c] + brute(e + 1, E, M, p, lat, used);
            used[c] = 0;
            best = v < best ? v : best;
        }
    }
    return best;
}

static void test_sorted_rule(void)
{
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 99);
    int optimal = 1, trials = 0;
    for (int E = 1; E <= 5; E++) {
        for (int M = E; M <= 7; M++) {
            for (int t = 0; t < 20; t++, trials++) {
                double p[5], lat[7];
                xnet_candidate_t cand[7];
                int chosen[5], used[7] = {0};
                for (int e = 0; e < E; e++) {
                    p[e] = xnet_rng_uniform(&rng);
                }
                for (int c = 0; c < M; c++) {
                    lat[c] = xnet_rng_uniform(&rng) * 0.05;
                    cand[c] = (xnet_candidate_t){c, 0, lat[c]};
                }
                xnet_assign_sorted(E, p, M, cand, chosen);
                double got = 0;
                for (int e = 0; e < E; e++) {
                    got += p[e] * lat[chosen[e]];
                    for (int f = 0; f < e; f++) {
                        optimal = optimal && chosen[f] != chosen[e];
                    }
                }
                optimal = optimal && fabs(got - brute(0, E, M, p, lat, used)) < 1e-15;
            }
        }
    }
    CHECK(optimal);
    CHECK(trials == 500);
    /* ranking: fewer missing snapshots first, then mean, then order; experts
     * by probability, ties to the lower id */
    xnet_candidate_t c[3] = {{10, 1, 0.001}, {11, 0, 0.009}, {12, 0, 0.009}};
    double pr[2] = {0.5, 0.5};
    int ch[2];
    CHECK(xnet_assign_sorted(2, pr, 3, c, ch) == XNET_OK);
    CHECK(ch[0] == 1 && ch[1] == 2);
    CHECK(xnet_assign_sorted(2, pr, 1, c, ch) == XNET_EINVAL);
}

static void test_plans(void)
{
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_STAR, 33, 32, 0, 550, 87);
    xnet_ring_t *r;
    xnet_ring_cut(&r, &w, 32, 33);
    xnet_plan_t *a, *b, *c;
    CHECK(xnet_place_randplace(&a, 1056, 32, 8, 5) == XNET_OK && xnet_plan_check(a) == XNET_OK);
    CHECK(xnet_place_randplace(&b, 1056, 32, 8, 5) == XNET_OK);
    CHECK(memcmp(a->satellite, b->satellite, sizeof(int) * 256) == 0);
    xnet_plan_destroy(b);
    CHECK(xnet_place_randplace(&b, 1056, 32, 8, 6) == XNET_OK);
    CHECK(memcmp(a->satellite, b->satellite, sizeof(int) * 256) != 0);
    CHECK(xnet_place_randintra(&c, r, 8, 5, 1) == XNET_OK && xnet_plan_check(c) == XNET_OK);
    int in_subnet = 1;
    for (int l = 0; l < 32; l++) {
        in_subnet = in_subnet && c->gateway[l] == r->gateway[l];
        for (int e = 0; e < 8; e++) {
            in_subnet = in_subnet && c->satellite[l * 8 + e] % 32 == l;
        }
    }
    CHECK(in_subnet);
    xnet_plan_destroy(c);
    CHECK(xnet_place_randintra(&c, r, 8, 5, 0) == XNET_OK && xnet_plan_check(c) == XNET_OK);
    CHECK(c->gateway[3] % 32 == 3);
    xnet_plan_t *none;
    CHECK(xnet_place_randintra(&none, r, 33, 5, 0) == XNET_EINVAL && none == NULL);
    CHECK(strstr(xnet_errmsg(), "subnet 0 has 33 satellites; it needs experts + 1 = 34") != NULL);

    /* plan files round-trip, and bad ones name the line */
    char *text;
    size_t len;
    CHECK(xnet_plan_format(c, &text, &len) == XNET_OK);
    xnet_plan_t *d;
    CHECK(xnet_plan_parse(&d, "p.csv", text, len) == XNET_OK);
    CHECK(d->layers == 32 && d->experts == 8 && strcmp(d->method, "randintra") == 0);
    CHECK(memcmp(c->satellite, d->satellite, sizeof(int) * 256) == 0);
    CHECK(memcmp(c->gateway, d->gateway, sizeof(int) * 32) == 0);
    xnet_plan_destroy(d);
    /* the same satellite twice */
    const char *twice = "# method=x layers=1 experts=2 satellites=10\n"
                        "layer,role,expert,satellite\n0,gateway,,1\n0,expert,0,2\n0,expert,1,2\n";
    CHECK(xnet_plan_parse(&d, "t.csv", twice, strlen(twice)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(),
                 "t.csv:5: satellite 2 holds both layer 0 expert 0 (line 4) and layer 0 expert 1")
          != NULL);
    free(text);
    const char *short_plan = "# method=x layers=1 experts=2 satellites=10\n"
                             "layer,role,expert,satellite\n0,gateway,,1\n0,expert,0,2\n";
    CHECK(xnet_plan_parse(&d, "s.csv", short_plan, strlen(short_plan)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "s.csv: no expert row for layer 0 expert 1 (expected '0,expert,1,satellite')") != NULL);
    const char *bad_row = "# method=x layers=1 experts=1 satellites=10\n"
                          "layer,role,expert,satellite\n0,gateway,,1\n0,expert,5,2\n";
    CHECK(xnet_plan_parse(&d, "b.csv", bad_row, strlen(bad_row)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "b.csv:4: expert 5 out of range [0, 1)") != NULL);
    const char *gw_on_expert = "# method=x layers=1 experts=1 satellites=10\n"
                               "layer,role,expert,satellite\n0,gateway,,1\n0,expert,0,1\n";
    CHECK(xnet_plan_parse(&d, "g.csv", gw_on_expert, strlen(gw_on_expert)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(),
                 "g.csv:4: satellite 1 holds both the gateway of layer 0 (line 3) and layer 0 expert 0")
          != NULL);
    CHECK(xnet_plan_parse(&d, "e.csv", "", 0) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "not a spacexnet plan") != NULL);
    const char *range = "# method=x layers=1 experts=1 satellites=10\n"
                        "layer,role,expert,satellite\n0,gateway,,1\n0,expert,0,10\n";
    CHECK(xnet_plan_parse(&d, "r.csv", range, strlen(range)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "satellite 10 out of range [0, 10)") != NULL);
    /* ids past 32 bits are out of range, never wrapped (4294967301 once read as 5) */
    struct {
        const char *rows, *error;
    } wide[] = {
        {"0,gateway,,1\n0,expert,0,4294967301\n", "w.csv:4: satellite 4294967301 out of range [0, 10)"},
        {"-4294967295,gateway,,1\n0,expert,0,2\n", "w.csv:3: layer -4294967295 out of range [0, 1)"},
        {"0,gateway,,1\n0,expert,4294967296,2\n", "w.csv:4: expert 4294967296 out of range [0, 1)"},
        {"0,gateway,,1\n0,expert,0,99999999999999999999\n", "w.csv:4: satellite is not an integer"},
        {"0,gateway,,1\n0,expert,0,2 x\n", "w.csv:4: satellite is not an integer: '2 x'"},
        {"0,gateway,,1\n0,expert,0,2\0\n", "w.csv:4: NUL byte in the line"},
    };
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        char buf[256];
        int n = snprintf(buf, sizeof buf, "# method=x layers=1 experts=1 satellites=10\n"
                                          "layer,role,expert,satellite\n%s", wide[i].rows);
        if (strstr(wide[i].error, "NUL")) {
            n += 2; /* the NUL and the newline after it */
        }
        CHECK(xnet_plan_parse(&d, "w.csv", buf, (size_t)n) == XNET_EINVAL && d == NULL);
        if (!strstr(xnet_errmsg(), wide[i].error)) {
            fprintf(stderr, "wide %zu: got '%s'\n", i, xnet_errmsg());
            CHECK(0);
        }
    }
    const char *dims = "# method=x layers=4294967297 experts=1 satellites=10\n"
                       "layer,role,expert,satellite\n";
    CHECK(xnet_plan_parse(&d, "d.csv", dims, strlen(dims)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "d.csv:1: layers 4294967297 out of range [1, 100000]") != NULL);
    const char *second = "# method=x layers=1 experts=1 satellites=10\n"
                         "# method=y layers=1 experts=1 satellites=10\n"
                         "layer,role,expert,satellite\n0,gateway,,1\n0,expert,0,2\n";
    CHECK(xnet_plan_parse(&d, "m.csv", second, strlen(second)) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "m.csv:2: a second '# method=' line (the first is line 1)") != NULL);
    /* a byte order mark and CR-only line endings (an old Mac editor) read the same */
    const char *mac = "\xEF\xBB\xBF# method=x layers=1 experts=1 satellites=10\r"
                      "layer,role,expert,satellite\r0,gateway,,1\r0,expert,0,2\r";
    CHECK(xnet_plan_parse(&d, "c.csv", mac, strlen(mac)) == XNET_OK && d->satellite[0] == 2);
    xnet_plan_destroy(d);
    /* a method name that could not be read back is refused when the plan is made */
    CHECK(xnet_plan_alloc(&d, 1, 1, 10, "my method") == XNET_EINVAL && d == NULL);
    CHECK(strstr(xnet_errmsg(), "method must be 1 to 31 letters") != NULL);
    CHECK(xnet_plan_alloc(&d, 1, 1, 10, "a\nb") == XNET_EINVAL);
    CHECK(xnet_plan_alloc(&d, 1, 1, 10, "abcdefghijklmnopqrstuvwxyz0123456") == XNET_EINVAL);
    CHECK(xnet_plan_alloc(&d, 1, 1, 10, "") == XNET_EINVAL);
    CHECK(xnet_plan_alloc(&d, 1, 1, 10, "sorted+ls_2.0-b") == XNET_OK);
    xnet_plan_destroy(d);
    xnet_plan_destroy(a);
    xnet_plan_destroy(b);
    xnet_plan_destroy(c);
    xnet_ring_destroy(r);
}

static void test_latency_by_hand(void)
{
    /* one layer, three experts, top-2, weights 0.5 0.3 0.2; path latencies
     * 1, 2, 3 s; gateway 10 s, expert 0.5 s. Set probabilities (k = 2 form):
     * {0,1} 0.514285714, {0,2} 0.325, {1,2} 0.160714286, so
     * E[T] = 10.5 + 2 P{0,1} + 3 (P{0,2} + P{1,2}) = 12.985714285714... */
    double w[3] = {0.5, 0.3, 0.2};
    xnet_profile_t *p;
    CHECK(xnet_profile_from_weights(&p, 1, 3, 2, w) == XNET_OK);
    double path[6] = {1, 2, 3, 1, 2, HUGE_VAL}, hop[2] = {0, 0}, per[1];
    xnet_cost_t cost = {.snapshots = 2, .layers = 1, .experts = 3, .route = XNET_ROUTE_A,
                        .path_s = path, .hop_s = hop};
    xnet_compute_t compute = {.gateway_s = 10, .expert_s = 0.5};
    xnet_exact_result_t ex = {.per_layer_s = per};
    CHECK(xnet_latency_exact(&cost, p, compute, 0, &ex) == XNET_OK);
    double p01 = 0.5 * 0.3 * (1 / 0.5 + 1 / 0.7);
    CHECK_NEAR(ex.mean_s, 10.5 + 2 * p01 + 3 * (1 - p01), 1e-14);
    CHECK_NEAR(ex.mean_s, 12.985714285714286, 1e-13);
    CHECK(ex.undelivered == 0);
    /* snapshot 1: expert 2 is cut off; only {0,1} is delivered (at 12.5 s) */
    CHECK(xnet_latency_exact(&cost, p, compute, 1, &ex) == XNET_OK);
    CHECK_NEAR(ex.undelivered, 1 - p01, 1e-15);
    CHECK_NEAR(ex.mean_s, 12.5, 1e-14);
    /* both snapshots: delivered-weighted */
    CHECK(xnet_latency_exact(&cost, p, compute, -1, &ex) == XNET_OK);
    CHECK_NEAR(ex.undelivered, (1 - p01) / 2, 1e-15);
    CHECK_NEAR(ex.mean_s, (12.985714285714286 + p01 * 12.5) / (1 + p01), 1e-13);
    CHECK_NEAR(per[0], ex.mean_s, 1e-13);

    /* Monte Carlo agrees within 4 standard errors, and so does undelivered */
    xnet_sample_result_t mc = {.per_layer_s = per};
    CHECK(xnet_latency_sample(&cost, p, compute, 200000, 3, -1, &mc) == XNET_OK);
    CHECK(fabs(mc.mean_s - ex.mean_s) < 4 * mc.stderr_s);
    double se_u = sqrt(ex.undelivered * (1 - ex.undelivered) / 200000);
    CHECK(fabs(mc.undelivered - ex.undelivered) < 4 * se_u);
    CHECK(mc.p50_s >= 12.5 && mc.p99_s <= 13.5 && mc.p50_s <= mc.p95_s && mc.p95_s <= mc.p99_s);
    /* the same seed gives the same bits */
    xnet_sample_result_t mc2 = {.per_layer_s = per};
    xnet_latency_sample(&cost, p, compute, 200000, 3, -1, &mc2);
    CHECK(memcmp(&mc.mean_s, &mc2.mean_s, sizeof(double)) == 0);
    /* a cut snapshot alone: every token that needs expert 2 is undelivered */
    CHECK(xnet_latency_sample(&cost, p, compute, 1000, 3, 1, &mc) == XNET_OK);
    CHECK(mc.mean_s == 12.5 && mc.delivered < 1000);

    /* route B adds the gateway-to-gateway hop */
    double hop_b[2] = {0.25, 0.25};
    xnet_cost_t cost_b = {.snapshots = 2, .layers = 1, .experts = 3, .route = XNET_ROUTE_B,
                          .path_s = path, .hop_s = hop_b};
    CHECK(xnet_latency_exact(&cost_b, p, compute, 0, &ex) == XNET_OK);
    CHECK_NEAR(ex.mean_s, 12.985714285714286 + 0.25, 1e-13);
    /* shape errors */
    xnet_cost_t wrong = {.snapshots = 2, .layers = 2, .experts = 3, .route = XNET_ROUTE_A,
                         .path_s = path, .hop_s = hop};
    CHECK(xnet_latency_exact(&wrong, p, compute, 0, &ex) == XNET_EINVAL);
    CHECK(xnet_latency_sample(&cost, p, compute, 0, 3, -1, &mc) == XNET_EINVAL);
    CHECK(xnet_latency_exact(&cost, p, compute, 2, &ex) == XNET_EINVAL);
    xnet_profile_destroy(p);
}

/* Every field of two sample results has the same bits. */
static int same_sample(const xnet_sample_result_t *a, const xnet_sample_result_t *b, int L)
{
    const double x[] = {a->mean_s, a->stderr_s, a->p50_s, a->p95_s, a->p99_s, a->undelivered,
                        a->access_s, a->wait_mean_s, a->wait_stderr_s, a->wait_p50_s,
                        a->wait_p95_s, a->wait_p99_s, a->lost};
    const double y[] = {b->mean_s, b->stderr_s, b->p50_s, b->p95_s, b->p99_s, b->undelivered,
                        b->access_s, b->wait_mean_s, b->wait_stderr_s, b->wait_p50_s,
                        b->wait_p95_s, b->wait_p99_s, b->lost};
    return a->tokens == b->tokens && a->delivered == b->delivered
        && memcmp(x, y, sizeof x) == 0
        && memcmp(a->per_layer_s, b->per_layer_s, sizeof(double) * (size_t)L) == 0
        && memcmp(a->wait_per_layer_s, b->wait_per_layer_s, sizeof(double) * (size_t)L) == 0;
}

static void test_sampler_streams(void)
{
    /* 7 snapshots, 3 layers, 5 experts (top 2), some paths cut, lost
     * tokens charged: the (snapshot, set) table and per-draw latencies give
     * the same bits, and so do 1, 2 and 3 workers (blocks on their own
     * streams, combined in block order). */
    enum { T = 7, L = 3, E = 5 };
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 11);
    double w[L * E], path[T * L * E], hop[T * L];
    for (int i = 0; i < L * E; i++) {
        w[i] = 0.1 + xnet_rng_uniform(&rng);
    }
    for (int i = 0; i < T * L * E; i++) {
        path[i] = xnet_rng_uniform(&rng) < 0.15 ? HUGE_VAL : 0.01 + 0.1 * xnet_rng_uniform(&rng);
    }
    for (int t = 0; t < T; t++) {
        path[(t * L + 1) * E + 4] = HUGE_VAL; /* never there: its tokens are lost */
    }
    for (int i = 0; i < T * L; i++) {
        hop[i] = 0;
    }
    xnet_profile_t *p;
    CHECK(xnet_profile_from_weights(&p, L, E, 2, w) == XNET_OK);
    xnet_cost_t cost = {.snapshots = T, .layers = L, .experts = E, .route = XNET_ROUTE_A,
                        .path_s = path, .hop_s = hop};
    xnet_compute_t compute = {.gateway_s = 0.5, .expert_s = 0.25, .head_s = 0.125,
                              .dt_s = 1.0, .retry_s = 1.0};
    double per[6][2 * L];
    xnet_sample_result_t r[6];
    for (int i = 0; i < 6; i++) {
        r[i] = (xnet_sample_result_t){.per_layer_s = per[i], .wait_per_layer_s = per[i] + L};
    }
    /* 20,000 tokens: 5 blocks, the last one short */
    int workers = xnet_workers();
    for (int i = 0; i < 6; i++) {
        xnet_latency_set_step_table(i < 3);
        xnet_set_workers(1 + i % 3);
        CHECK(xnet_latency_sample(&cost, p, compute, 20000, 5, -1, &r[i]) == XNET_OK);
    }
    xnet_latency_set_step_table(1);
    xnet_set_workers(workers);
    CHECK(r[0].delivered < 20000 && r[0].lost > 0 && r[0].lost < r[0].undelivered);
    for (int i = 1; i < 6; i++) {
        CHECK(same_sample(&r[0], &r[i], L));
    }
    /* another seed, another sample */
    xnet_sample_result_t other = {.per_layer_s = per[1], .wait_per_layer_s = per[1] + L};
    CHECK(xnet_latency_sample(&cost, p, compute, 20000, 6, -1, &other) == XNET_OK);
    CHECK(other.mean_s != r[0].mean_s);
    xnet_profile_destroy(p);

    /* percentiles by selection equal those of the sorted values, with ties */
    int ok = 1, ok_many = 1;
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + xnet_rng_below(&rng, 300);
        double v[300], sorted[300];
        for (size_t i = 0; i < n; i++) {
            v[i] = trial % 3 == 0 ? (double)xnet_rng_below(&rng, 4) : xnet_rng_uniform(&rng);
            v[i] = trial % 7 == 0 ? (double)i : v[i]; /* already sorted */
            sorted[i] = v[i];
        }
        xnet_sort_doubles(sorted, n);
        const double q[] = {0, 0.5, 0.95, 0.99, 1};
        for (int j = 0; j < 5; j++) {
            double got = xnet_percentile_unsorted(v, n, q[j]);
            ok = ok && memcmp(&got, &(double){xnet_percentile(sorted, n, q[j])}, 8) == 0;
        }
        /* several at once, repeated ones and neighbours among them */
        const double qs[] = {0.25, 0.5, 0.5, 0.501, 0.95, 0.99, 0.999, 1};
        double many[8];
        xnet_percentiles_unsorted(v, n, qs, 8, many);
        for (int j = 0; j < 8; j++) {
            ok_many = ok_many
                   && memcmp(&many[j], &(double){xnet_percentile(sorted, n, qs[j])}, 8) == 0;
        }
    }
    CHECK(ok);
    CHECK(ok_many);
}

static void test_end_to_end(void)
{
    /* the paper's network with fewer snapshots: Space-XNet's expected
     * latency, Monte Carlo against exact */
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_STAR, 33, 32, 0, 550, 87);
    xnet_network_params_t np = xnet_network_params_default();
    np.snapshots = 20;
    xnet_network_t *net;
    CHECK(xnet_network_create(&net, &w, &np) == XNET_OK);
    xnet_ring_t *r;
    xnet_ring_cut(&r, &w, 32, 33);
    double *wt = malloc(sizeof(double) * 32 * 8);
    xnet_weights_zipf(32, 8, 1.0, 1, wt);
    xnet_profile_t *p;
    xnet_profile_from_weights(&p, 32, 8, 2, wt);
    xnet_plan_t *plan;
    CHECK(xnet_place_spacexnet(&plan, net, r, p, XNET_ROUTE_A, NULL) == XNET_OK);
    CHECK(xnet_plan_check(plan) == XNET_OK);
    /* the most popular expert of layer 0 sits on the best candidate */
    xnet_candidate_t *c = malloc(sizeof *c * 1056);
    CHECK(xnet_expected_latency(net, r, XNET_ROUTE_A, c) == XNET_OK);
    int top = 0, best = -1;
    for (int e = 1; e < 8; e++) {
        top = p->inclusion[e] > p->inclusion[top] ? e : top;
    }
    for (int i = 0; i < 33; i++) {
        if (c[i].missing == 0 && (best < 0 || c[i].mean_s < c[best].mean_s)) {
            best = i;
        }
    }
    CHECK(c[16].missing == -1); /* the gateway */
    CHECK(plan->satellite[top] == c[best].satellite);
    xnet_cost_t *cost;
    CHECK(xnet_cost_build(&cost, net, plan, XNET_ROUTE_A) == XNET_OK);
    double per[32], per2[32];
    xnet_compute_t compute = {.gateway_s = 0.018, .expert_s = 0.0046};
    xnet_exact_result_t ex = {.per_layer_s = per};
    xnet_sample_result_t mc = {.per_layer_s = per2};
    CHECK(xnet_latency_exact(cost, p, compute, -1, &ex) == XNET_OK);
    CHECK(xnet_latency_sample(cost, p, compute, 100000, 1, -1, &mc) == XNET_OK);
    CHECK(fabs(mc.mean_s - ex.mean_s) < 4 * mc.stderr_s);
    double sum = 0;
    for (int l = 0; l < 32; l++) {
        sum += per[l];
    }
    CHECK_NEAR(sum, ex.mean_s, 1e-12); /* per-layer means add up to the total */
    xnet_cost_destroy(cost);
    xnet_plan_destroy(plan);
    free(c);
    free(wt);
    xnet_profile_destroy(p);
    xnet_ring_destroy(r);
    xnet_network_destroy(net);
}

/* Space-XNet from the gateways' nearest members against the whole cost
 * table, on twin networks (the second has the table first, so placement
 * reads it): the same plans to the satellite on stars and deltas, with and
 * without outages, variants A and B, 4 to 16 experts, top-1 and top-2,
 * several cuts, 1 worker against 2 and 3; and the nearest path is certain on most of
 * them (it leaves no table behind). */
static void test_nearest_placement(void)
{
    int certain = 0, placed = 0, differ = 0, workers = xnet_workers();
    static const struct {
        xnet_walker_pattern_t pattern;
        int P, S, F, layers, band, T;
        double survival;
    } cases[] = {
        {XNET_WALKER_STAR, 33, 32, 0, 32, 33, 12, 0.95}, {XNET_WALKER_STAR, 33, 32, 0, 16, 11, 8, 1},
        {XNET_WALKER_STAR, 40, 20, 0, 8, 40, 6, 0.9},    {XNET_WALKER_DELTA, 30, 30, 1, 12, 30, 6, 1},
        {XNET_WALKER_DELTA, 24, 24, 1, 6, 6, 6, 0.7},   {XNET_WALKER_STAR, 20, 40, 0, 4, 20, 6, 0.8},
        {XNET_WALKER_STAR, 12, 12, 0, 12, 12, 6, 0.5},  {XNET_WALKER_DELTA, 16, 16, 1, 8, 16, 5, 0.3},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int v = 0; v < 4; v++) {
            xnet_walker_t w;
            xnet_walker_init(&w, cases[c].pattern, cases[c].P, cases[c].S, cases[c].F, 550, 53);
            xnet_network_params_t np = xnet_network_params_default();
            np.snapshots = cases[c].T;
            np.link.survival = cases[c].survival;
            np.link.seed = (unsigned)c + 1;
            xnet_network_t *a = NULL, *b = NULL;
            xnet_ring_t *r = NULL;
            int L = cases[c].layers, E = v < 2 ? 8 : 4 + 6 * (v - 2), k = v % 2 ? 1 : 2;
            xnet_route_t route = v % 2 ? XNET_ROUTE_B : XNET_ROUTE_A;
            double *wt = malloc(sizeof(double) * (size_t)L * E);
            xnet_profile_t *p = NULL;
            xnet_plan_t *pa = NULL, *pb = NULL;
            xnet_candidate_t *all = malloc(sizeof *all * (size_t)w.planes * w.sats);
            /* the whole table on one worker, the nearest members on 2 or 3 */
            if (xnet_network_create(&a, &w, &np) || xnet_network_create(&b, &w, &np)
                || xnet_ring_cut(&r, &w, L, cases[c].band) || xnet_ring_medoid_gateways(r, a)
                || xnet_weights_zipf(L, E, 1.0, (uint64_t)v + 1, wt)
                || xnet_profile_from_weights(&p, L, E, k, wt) || xnet_set_workers(1)
                || xnet_expected_latency(b, r, route, all)
                || xnet_place_spacexnet(&pb, b, r, p, route, NULL) || xnet_set_workers(2 + v % 2)
                || xnet_place_spacexnet(&pa, a, r, p, route, NULL)) {
                CHECK(!"setting up a placement failed");
            } else {
                placed++;
                certain += xnet_ring_cost_find(a, r->gateway, L, route) == NULL;
                differ += memcmp(pa->satellite, pb->satellite, sizeof(int) * (size_t)L * E) != 0
                       || memcmp(pa->gateway, pb->gateway, sizeof(int) * (size_t)L) != 0;
            }
            xnet_plan_destroy(pa);
            xnet_plan_destroy(pb);
            xnet_profile_destroy(p);
            xnet_ring_destroy(r);
            xnet_network_destroy(a);
            xnet_network_destroy(b);
            free(wt);
            free(all);
        }
    }
    xnet_set_workers(workers);
    printf("nearest placement: %d placements, %d certain from the nearest members, %d differ "
           "from the whole table\n", placed, certain, differ);
    CHECK(placed == 32 && differ == 0);
    CHECK(certain >= 8 && certain < placed); /* both paths taken */
}

int main(void)
{
    xnet_igraph_init();
    test_nearest_placement();
    test_ring();
    test_sorted_rule();
    test_plans();
    test_latency_by_hand();
    test_sampler_streams();
    test_end_to_end();
    return check_done();
}
