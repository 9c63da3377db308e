/* Replicated experts: a token uses the nearest copy in its snapshot, so a
 * replica never makes it slower than the single-copy plan; a copy beside
 * its first changes nothing; exact against Monte Carlo with replicas. */
#include "check.h"
#include "make_network.h"

#include "error.h"
#include "latency.h"
#include "moe.h"
#include "placement.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

/* A random plan on n satellites: gateways and first copies distinct, then
 * `extra` copies on satellites nothing else uses (no hosting). */
static xnet_plan_t *random_plan(xnet_rng_t *rng, int n, int L, int E, int extra)
{
    xnet_plan_t *plan;
    if (xnet_plan_alloc(&plan, L, E, n, "test")) {
        return NULL;
    }
    int *perm = malloc(sizeof(int) * (size_t)n), *slot = malloc(sizeof(int) * (size_t)extra + 1);
    for (int i = 0; i < n; i++) {
        perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)xnet_rng_below(rng, (uint64_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    int used = 0;
    for (int l = 0; l < L; l++) {
        plan->gateway[l] = perm[used++];
    }
    for (int i = 0; i < L * E; i++) {
        plan->satellite[i] = perm[used++];
    }
    for (int j = 0; j < extra; j++) {
        slot[j] = (int)xnet_rng_below(rng, (uint64_t)(L * E));
    }
    xnet_plan_set_replicas(plan, extra, slot, perm + used);
    free(perm);
    free(slot);
    return plan;
}

/* The same plan without its extra copies. */
static xnet_plan_t *first_copies(const xnet_plan_t *plan)
{
    xnet_plan_t *p;
    xnet_plan_clone(&p, plan);
    xnet_plan_set_replicas(p, 0, NULL, NULL);
    return p;
}

/* Over random networks (with outages, so paths are cut), profiles and
 * plans: every (snapshot, layer, activated set) is no slower with the
 * replicas, and the plans check. One check for the campaign. */
static void test_never_slower(void)
{
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 12);
    int bad = 0, tried = 0, faster = 0, finite = 0;
    for (int round = 0; round < 24; round++) {
        int P = 8 + (int)xnet_rng_below(&rng, 4), S = 8 + (int)xnet_rng_below(&rng, 4);
        double survival = 0.9 + 0.1 * xnet_rng_uniform(&rng);
        xnet_network_t *net = make(XNET_WALKER_STAR, P, S, 0, survival, 1, 5, (unsigned)round);
        int n = P * S, L = 2 + (int)xnet_rng_below(&rng, 2), E = 3 + (int)xnet_rng_below(&rng, 3);
        int k = 1 + (int)xnet_rng_below(&rng, 3), extra = (int)xnet_rng_below(&rng, 2 * E);
        if (!net || L * (E + 1) + extra > n) {
            bad += !net;
            xnet_network_destroy(net);
            continue;
        }
        double w[5 * 3];
        for (int i = 0; i < L * E; i++) {
            w[i] = 0.05 + xnet_rng_uniform(&rng);
        }
        xnet_profile_t *prof = NULL;
        xnet_plan_t *plan = random_plan(&rng, n, L, E, extra), *single = first_copies(plan);
        xnet_cost_t *rc = NULL, *sc = NULL;
        bad += xnet_profile_from_weights(&prof, L, E, k, w) != XNET_OK;
        bad += xnet_plan_check(plan) != XNET_OK;
        bad += xnet_cost_build(&rc, net, plan, XNET_ROUTE_A) != XNET_OK;
        bad += xnet_cost_build(&sc, net, single, XNET_ROUTE_A) != XNET_OK;
        xnet_compute_t compute = {0.01, 0.002, 0, 1, 0};
        for (int t = 0; !bad && t < rc->snapshots; t++) {
            for (int l = 0; l < L; l++) {
                for (size_t s = prof->first[l]; s < prof->first[l + 1]; s++) {
                    const int *m = prof->members + s * (size_t)k;
                    double a = xnet_set_latency(rc, l, t, m, k, compute);
                    double b = xnet_set_latency(sc, l, t, m, k, compute);
                    bad += !(a <= b || (isinf(a) && isinf(b)));
                    faster += a < b;
                    finite += isfinite(b);
                    tried++;
                }
            }
        }
        xnet_cost_destroy(rc);
        xnet_cost_destroy(sc);
        xnet_plan_destroy(plan);
        xnet_plan_destroy(single);
        xnet_profile_destroy(prof);
        xnet_network_destroy(net);
    }
    printf("replicas never slower: %d (snapshot, layer, set) cases, %d delivered, %d faster\n",
           tried, finite, faster);
    CHECK(bad == 0 && tried > 1000 && faster > 0);
}

/* A copy on the satellite of its first (which a plan file may not hold,
 * but the routing must still treat alike) gives the single-copy table. */
static void test_copy_beside_first(void)
{
    xnet_network_t *net = make(XNET_WALKER_STAR, 6, 6, 0, 0.8, 1, 4, 5);
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 3);
    xnet_plan_t *plan = random_plan(&rng, 36, 2, 4, 0);
    xnet_plan_t *twin;
    xnet_plan_clone(&twin, plan);
    int slot[2] = {1, 6}, sat[2] = {plan->satellite[1], plan->satellite[6]};
    CHECK(xnet_plan_set_replicas(twin, 2, slot, sat) == XNET_OK);
    CHECK(xnet_plan_check(twin) == XNET_EINVAL
          && strstr(xnet_errmsg(), "layer 0 expert 1 has two copies on satellite") != NULL);
    xnet_cost_t *a, *b;
    CHECK(xnet_cost_build(&a, net, plan, XNET_ROUTE_B) == XNET_OK);
    CHECK(xnet_cost_build(&b, net, twin, XNET_ROUTE_B) == XNET_OK);
    size_t cells = (size_t)a->snapshots * 2 * 4;
    CHECK(memcmp(a->path_s, b->path_s, sizeof(double) * cells) == 0);
    CHECK(memcmp(a->hop_s, b->hop_s, sizeof(double) * (size_t)a->snapshots * 2) == 0);
    /* a slot out of range is refused */
    slot[0] = 8;
    CHECK(xnet_plan_set_replicas(twin, 1, slot, sat) == XNET_EINVAL
          && strstr(xnet_errmsg(), "expert slot 8 out of range [0, 8)") != NULL);
    xnet_cost_destroy(a);
    xnet_cost_destroy(b);
    xnet_plan_destroy(plan);
    xnet_plan_destroy(twin);
    xnet_network_destroy(net);
}

/* Exact (enumerated sets, and the any-k evaluator without them) against
 * Monte Carlo on a replicated plan, with cut paths in some snapshots. */
static void test_exact_against_sampling(void)
{
    xnet_network_t *net = make(XNET_WALKER_STAR, 12, 12, 0, 0.9, 1, 6, 9);
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 8);
    for (int big = 0; big < 2; big++) {
        int L = 2, E = big ? 40 : 6, k = big ? 8 : 2;
        double *w = malloc(sizeof(double) * (size_t)L * E);
        xnet_weights_zipf(L, E, 1.0, 4, w);
        xnet_profile_t *prof;
        CHECK(xnet_profile_from_weights(&prof, L, E, k, w) == XNET_OK);
        CHECK((prof->topk != NULL) == big);
        xnet_plan_t *plan = random_plan(&rng, 144, L, E, big ? 30 : 6);
        CHECK(xnet_plan_check(plan) == XNET_OK);
        xnet_cost_t *cost;
        CHECK(xnet_cost_build(&cost, net, plan, XNET_ROUTE_A) == XNET_OK);
        double per[2], per2[2];
        xnet_compute_t compute = {0.01, 0.002, 0, 1, 0};
        xnet_exact_result_t ex = {.per_layer_s = per};
        xnet_sample_result_t mc = {.per_layer_s = per2};
        CHECK(xnet_latency_exact(cost, prof, compute, -1, &ex) == XNET_OK);
        CHECK(xnet_latency_sample(cost, prof, compute, 200000, 1, -1, &mc) == XNET_OK);
        CHECK(fabs(mc.mean_s - ex.mean_s) < 4 * mc.stderr_s);
        CHECK(fabs(mc.undelivered - ex.undelivered) < 0.01);
        xnet_cost_destroy(cost);
        xnet_plan_destroy(plan);
        xnet_profile_destroy(prof);
        free(w);
    }
    xnet_network_destroy(net);
}

/* Co-located copies queue on the copy each snapshot uses: expert 1's copy
 * shares expert 0's satellite; where that copy is the nearer, the set {0, 1}
 * runs two expert times there, by hand from the copies' own paths. Expert
 * 1's first copy is the first satellite that makes both cases happen. */
static void test_colocated_copy(void)
{
    xnet_network_t *net = make(XNET_WALKER_STAR, 12, 12, 0, 0.8, 1, 8, 2); /* outages vary paths */
    xnet_compute_t compute = {0.01, 0.002, 0, 1, 0};
    int members[2] = {0, 1}, bad = 0, found = 0;
    for (int first = 1; first < 144 && !found; first++) {
        if (first == 20) {
            continue;
        }
        xnet_plan_t *plan;
        xnet_plan_alloc(&plan, 1, 2, 144, "test");
        plan->hosting = (xnet_hosting_t){.memory_bytes = 2, .parallel_experts = 1};
        plan->expert_bytes = 1;
        plan->gateway[0] = 0;
        plan->satellite[0] = 20;
        plan->satellite[1] = first;
        int slot = 1, sat = 20;
        bad += xnet_plan_set_replicas(plan, 1, &slot, &sat) != XNET_OK;
        bad += xnet_plan_check(plan) != XNET_OK;
        xnet_cost_t *cost;
        bad += xnet_cost_build(&cost, net, plan, XNET_ROUTE_A) != XNET_OK;
        bad += !(cost->serial && cost->satellite_stride == 2 && cost->copies == 3);
        int shared = 0, wrong = 0;
        for (int t = 0; t < cost->snapshots; t++) {
            const double *p = cost->copy_path_s + (size_t)t * 3; /* e0 @20, e1, e1 @20 */
            double want = p[2] < p[1] ? compute.gateway_s + p[0] + 2 * compute.expert_s
                                      : compute.gateway_s + fmax(p[0], p[1]) + compute.expert_s;
            shared += p[2] < p[1];
            wrong += fabs(xnet_set_latency(cost, 0, t, members, 2, compute) - want) > 1e-15;
        }
        bad += wrong;
        found = shared > 0 && shared < cost->snapshots;
        xnet_cost_destroy(cost);
        xnet_plan_destroy(plan);
    }
    CHECK(bad == 0 && found);
    xnet_network_destroy(net);
}

int main(void)
{
    xnet_igraph_init();
    test_never_slower();
    test_copy_beside_first();
    test_exact_against_sampling();
    test_colocated_copy();
    return check_done();
}
