/* The snapshot cache: path queries give the same bits with the cache off,
 * partly full and holding every snapshot, for 1, 2 and 3 workers, with hop
 * counts, on independent and two-state outages and a user's link rule; the
 * cache keeps the first snapshots that fit its budget and the memory limit
 * and no more; an interrupt leaves it consistent; a smaller budget drops
 * it; a reseeded network keeps a cache of its own. */
#include "check.h"
#include "make_network.h"
#include "error.h"
#include "memlimit.h"
#include "network.h"
#include "pool.h"
#include "query.h"
#include "snapshot_cache.h"

#include <stdlib.h>
#include <string.h>

#define PAIRS 600

/* Latencies and hop counts of a fixed set of pairs over every snapshot. */
typedef struct {
    double *latency_s;
    int *hops;
} answers_t;

static int pairs_source[PAIRS], pairs_target[PAIRS];

static void pick_pairs(int n)
{
    for (int j = 0; j < PAIRS; j++) {
        pairs_source[j] = (j * 7) % 23 * (n / 23);
        pairs_target[j] = (int)(((long)j * 104729) % n);
    }
}

/* Every snapshot in batches of `batch` (hops only when want_hops). */
static answers_t run_all(xnet_network_t *net, int batch, int want_hops, int *rc)
{
    int T = xnet_network_snapshots(net), n = xnet_network_nodes(net);
    answers_t a = {calloc((size_t)PAIRS * T, sizeof(double)),
                   want_hops ? calloc((size_t)PAIRS * T, sizeof(int)) : NULL};
    xnet_query_t *q = NULL;
    pick_pairs(n);
    *rc = xnet_query_create(&q, n, PAIRS, pairs_source, pairs_target);
    for (int t0 = 0; t0 < T && !*rc; t0 += batch) {
        int t1 = t0 + batch < T ? t0 + batch : T;
        *rc = want_hops ? xnet_query_run_hops(net, q, t0, t1, a.latency_s + (size_t)t0 * PAIRS,
                                              a.hops + (size_t)t0 * PAIRS)
                        : xnet_query_run(net, q, t0, t1, a.latency_s + (size_t)t0 * PAIRS);
    }
    xnet_query_destroy(q);
    return a;
}

static int same_answers(answers_t x, answers_t y, int T)
{
    size_t n = (size_t)PAIRS * T;
    return memcmp(x.latency_s, y.latency_s, n * sizeof(double)) == 0
        && (!x.hops || !y.hops || memcmp(x.hops, y.hops, n * sizeof(int)) == 0);
}

static void answers_free(answers_t a)
{
    free(a.latency_s);
    free(a.hops);
}

/* A network's answers computed afresh (no cache) against: the cache
 * holding every snapshot, a budget for about 3 of them, workers 1 to 3,
 * batches of 1 to T snapshots, and a second pass reading what was kept. */
static int same_bits_everywhere(xnet_network_t *fresh_net, xnet_network_t *net)
{
    int T = xnet_network_snapshots(net), rc, same = 1;
    double room = xnet_arcs_bytes(xnet_network_nodes(net),
                                  2 * xnet_network_candidate_count(net));
    xnet_set_snapshot_cache_budget_bytes(0);
    xnet_set_workers(1);
    answers_t want = run_all(fresh_net, T, 1, &rc);
    same = same && rc == XNET_OK && xnet_snapshot_cache_bytes(fresh_net) == 0;
    static const double budgets[] = {1e9, 3.5, 0};
    for (int b = 0; b < 3; b++) {
        xnet_set_snapshot_cache_budget_bytes(budgets[b] < 1e6 ? budgets[b] * room : budgets[b]);
        for (int workers = 1; workers <= 3; workers++) {
            for (int batch = 1; batch <= T; batch += T - 1) {
                xnet_set_workers(workers);
                for (int pass = 0; pass < 2; pass++) {
                    answers_t got = run_all(net, batch, (workers + pass) % 2, &rc);
                    same = same && rc == XNET_OK && same_answers(want, got, T);
                    answers_free(got);
                }
            }
        }
    }
    answers_free(want);
    return same;
}

static void test_same_bits(void)
{
    /* independent outages on a star, with a tracking limit */
    xnet_network_t *a = make(XNET_WALKER_STAR, 12, 10, 0, 0.8, 0.12, 7, 3);
    xnet_network_t *a_fresh = make(XNET_WALKER_STAR, 12, 10, 0, 0.8, 0.12, 7, 3);
    CHECK(a && a_fresh && same_bits_everywhere(a_fresh, a));
    /* the two-state chain on a delta, and a user's rule taking links away */
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_DELTA, 9, 10, 1, 550, 87);
    xnet_network_params_t p = xnet_network_params_default();
    p.snapshots = 6;
    p.link.survival = 0.7;
    p.link.outage_markov = 1;
    p.link.outage_down_s = 300;
    p.link.seed = 11;
    int C = 0;
    xnet_links_candidate_count(&w, &C);
    uint8_t *allowed = malloc((size_t)C * p.snapshots);
    for (int i = 0; i < C * p.snapshots; i++) {
        allowed[i] = i % 5 != 2;
    }
    p.user_allowed = allowed;
    xnet_network_t *b = NULL, *b_fresh = NULL;
    xnet_network_create(&b, &w, &p);
    xnet_network_create(&b_fresh, &w, &p);
    free(allowed);
    CHECK(b && b_fresh && same_bits_everywhere(b_fresh, b));
    /* a reseed keeps no cache of its parent's: it equals a network made
     * with the new seed, queried with the cache off */
    xnet_set_snapshot_cache_budget_bytes(1e9);
    int rc;
    answers_free(run_all(b, 6, 0, &rc)); /* b keeps every snapshot */
    xnet_network_t *r = NULL, *r_fresh = NULL;
    CHECK(xnet_network_reseed(&r, b, 12) == XNET_OK && xnet_snapshot_cache_bytes(r) == 0);
    CHECK(xnet_network_reseed(&r_fresh, b_fresh, 12) == XNET_OK);
    CHECK(r && r_fresh && same_bits_everywhere(r_fresh, r));
    xnet_network_destroy(a);
    xnet_network_destroy(a_fresh);
    xnet_network_destroy(b);
    xnet_network_destroy(b_fresh);
    xnet_network_destroy(r);
    xnet_network_destroy(r_fresh);
}

/* What is kept: the first snapshots that fit, within the budget and the
 * memory limit; a smaller budget drops the cache; an interrupt keeps only
 * what was computed before it. */
static void test_budget(void)
{
    xnet_network_t *net = make(XNET_WALKER_STAR, 12, 10, 0, 0.8, 0.12, 20, 5);
    int n = xnet_network_nodes(net), C = xnet_network_candidate_count(net), rc;
    double room = xnet_arcs_bytes(n, 2 * C);
    xnet_set_workers(2);
    /* room for 4 snapshots counted whole, the room table and a little */
    xnet_set_snapshot_cache_budget_bytes(4 * room + 1024);
    answers_free(run_all(net, 20, 0, &rc));
    CHECK(rc == XNET_OK && xnet_snapshot_cache_kept(net) == 4);
    /* once kept, the room shrinks to the arcs (outages and the tracking
     * limit leave links out), and the next whole room fits one more */
    double held = xnet_snapshot_cache_bytes(net);
    CHECK(held < 4 * room && held > 4 * xnet_arcs_bytes(n, 0));
    xnet_set_snapshot_cache_budget_bytes(held + room);
    answers_free(run_all(net, 20, 0, &rc));
    int kept = xnet_snapshot_cache_kept(net);
    CHECK(rc == XNET_OK && kept == 5 && xnet_snapshot_cache_bytes(net) <= held + room);
    /* a query of later snapshots only extends the kept prefix at its end */
    xnet_query_t *q = NULL;
    pick_pairs(n);
    double out[PAIRS * 3];
    CHECK(xnet_query_create(&q, n, PAIRS, pairs_source, pairs_target) == XNET_OK);
    xnet_set_snapshot_cache_budget_bytes(1e9);
    CHECK(xnet_query_run(net, q, 12, 15, out) == XNET_OK && xnet_snapshot_cache_kept(net) == kept);
    CHECK(xnet_query_run(net, q, kept, kept + 3, out) == XNET_OK
          && xnet_snapshot_cache_kept(net) == kept + 3);
    /* an interrupt: the workers stop, nothing half-built is kept */
    xnet_interrupt_requested = 1;
    CHECK(xnet_query_run(net, q, 0, 20, out) == XNET_EINTR);
    xnet_interrupt_requested = 0;
    CHECK(xnet_snapshot_cache_kept(net) == kept + 3);
    /* a smaller budget than what is held: the cache starts over within it */
    xnet_set_snapshot_cache_budget_bytes(2 * room);
    CHECK(xnet_query_run(net, q, 0, 3, out) == XNET_OK);
    CHECK(xnet_snapshot_cache_kept(net) == 1 && xnet_snapshot_cache_bytes(net) <= 2 * room);
    /* the memory limit: the network with its cache stays within it */
    xnet_network_bytes_t b = xnet_network_bytes(net);
    double other = b.links + b.outage_bits + b.rule_bits + b.counts + b.buffer + b.graphs;
    double saved = xnet_memory_limit_bytes();
    xnet_network_t *tight = make(XNET_WALKER_STAR, 12, 10, 0, 0.8, 0.12, 20, 5);
    xnet_set_snapshot_cache_budget_bytes(0); /* its workspaces, under the usual limit */
    CHECK(xnet_query_run(tight, q, 0, 3, out) == XNET_OK);
    xnet_set_snapshot_cache_budget_bytes(1e9);
    xnet_set_memory_limit_bytes(other + 2.5 * room + 1024);
    CHECK(xnet_query_run(tight, q, 0, 3, out) == XNET_OK);
    CHECK(xnet_snapshot_cache_kept(tight) == 2);
    xnet_set_memory_limit_bytes(saved);
    /* budget 0: nothing is kept, and a cache held before is dropped */
    xnet_set_snapshot_cache_budget_bytes(0);
    CHECK(xnet_query_run(net, q, 0, 3, out) == XNET_OK && xnet_snapshot_cache_bytes(net) == 0);
    xnet_query_destroy(q);
    xnet_network_destroy(net);
    xnet_network_destroy(tight);
}

/* The arcs of a hand-made graph: both directions, grouped by tail in link
 * order, inactive links left out. */
static void test_arcs(void)
{
    xnet_link_t link[] = {{0, 1}, {1, 2}, {2, 0}, {3, 1}};
    uint8_t state[] = {XNET_LINK_ACTIVE, XNET_LINK_ACTIVE, XNET_LINK_OUTAGE, XNET_LINK_ACTIVE};
    double lat[] = {1.5, 2.5, 9, 0.5};
    int cursor[4];
    xnet_arcs_t a;
    CHECK(xnet_arcs_alloc(&a, 4, 4) == XNET_OK);
    xnet_arcs_build(&a, 4, 4, link, state, lat, cursor);
    int first[] = {0, 1, 4, 5, 6}, head[] = {1, 0, 2, 3, 1, 1};
    double arc_s[] = {1.5, 1.5, 2.5, 0.5, 2.5, 0.5};
    CHECK(memcmp(a.first, first, sizeof first) == 0 && memcmp(a.head, head, sizeof head) == 0
          && memcmp(a.arc_s, arc_s, sizeof arc_s) == 0);
    CHECK(a.shortest_s == 0.5 && a.longest_s == 2.5);
    memset(state, XNET_LINK_OUTAGE, sizeof state);
    xnet_arcs_build(&a, 4, 4, link, state, lat, cursor);
    CHECK(a.first[4] == 0 && isinf(a.shortest_s) && a.longest_s == 0);
    CHECK(xnet_arcs_bytes(4, 6) == 4 * 5 + 12 * 6);
    xnet_arcs_free(&a);
}

int main(void)
{
    xnet_igraph_init();
    double budget = xnet_snapshot_cache_budget_bytes();
    CHECK(budget == 64.0 * 1048576);
    test_arcs();
    test_same_bits();
    test_budget();
    xnet_set_snapshot_cache_budget_bytes(budget);
    return check_done();
}
