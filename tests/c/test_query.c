/* Targeted shortest paths against igraph's Dijkstra: every distance on many
 * random networks (both patterns, outages, disconnected pieces), targeted
 * queries that stop early, repeated pairs, bit-identical results for any
 * number of workers, the reference engine, and the error paths. */
#include "check.h"
#include "make_network.h"
#include "error.h"
#include "network.h"
#include "pool.h"
#include "query.h"
#include "rng.h"

#include <igraph.h>
#include <stdlib.h>
#include <string.h>

/* igraph's distances from every satellite to every satellite in snapshot k. */
static double *igraph_all_pairs(xnet_network_t *net, int k)
{
    int n = xnet_network_nodes(net);
    const igraph_t *g;
    const igraph_vector_t *w;
    igraph_matrix_t res;
    double *d = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!d || xnet_network_graph(net, k, &g, &w) || igraph_matrix_init(&res, 0, 0)) {
        free(d);
        return NULL;
    }
    igraph_distances_dijkstra(g, &res, igraph_vss_all(), igraph_vss_all(), w, IGRAPH_ALL);
    for (int s = 0; s < n; s++) {
        for (int t = 0; t < n; t++) {
            d[(size_t)s * n + t] = MATRIX(res, s, t);
        }
    }
    igraph_matrix_destroy(&res);
    return d;
}

/* Both infinite, or within 1e-12 relative. */
static int same_distance(double got, double want)
{
    if (isinf(want) || isinf(got)) {
        return isinf(want) && isinf(got);
    }
    return fabs(got - want) <= 1e-12 * fabs(want);
}

/* Random networks: all pairs, then random targeted pairs, against igraph. */
static void test_against_igraph(void)
{
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 2024);
    int networks = 0, compared = 0, mismatched = 0, unreachable = 0, split = 0;
    for (int trial = 0; trial < 60; trial++) {
        int delta = trial % 2;
        int P = 3 + (int)(xnet_rng_uniform(&rng) * 10), S = 3 + (int)(xnet_rng_uniform(&rng) * 10);
        int F = delta ? (int)(xnet_rng_uniform(&rng) * P) : 0;
        static const double survival[] = {1, 0.95, 0.7, 0.4, 0.15};
        double omega = xnet_rng_uniform(&rng) < 0.5 ? HUGE_VAL : 0.12;
        int T = 3;
        xnet_network_t *net = make(delta ? XNET_WALKER_DELTA : XNET_WALKER_STAR, P, S, F,
                                   survival[trial % 5], omega, T, (unsigned)trial + 1);
        if (!net) {
            CHECK(!"network creation failed");
            continue;
        }
        networks++;
        int n = xnet_network_nodes(net), pairs = n * n;
        int *src = malloc(sizeof(int) * (size_t)pairs), *dst = malloc(sizeof(int) * (size_t)pairs);
        double *got = malloc(sizeof(double) * (size_t)pairs * T);
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < n; t++) {
                src[s * n + t] = s;
                dst[s * n + t] = t;
            }
        }
        xnet_query_t *all = NULL, *few = NULL;
        /* every other network with the heap instead of the bucket queue */
        xnet_query_set_engine(trial % 4 < 2 ? XNET_PATHS_CSR : XNET_PATHS_HEAP);
        CHECK(xnet_query_create(&all, n, pairs, src, dst) == XNET_OK);
        CHECK(xnet_query_run(net, all, 0, T, got) == XNET_OK);
        /* a targeted query: a few sources with a few (repeated) targets each */
        int m = 1 + (int)(xnet_rng_uniform(&rng) * 3 * n);
        for (int j = 0; j < m; j++) {
            src[j] = (int)(xnet_rng_uniform(&rng) * 4) * (n / 4);
            dst[j] = (int)(xnet_rng_uniform(&rng) * n);
        }
        double *part = malloc(sizeof(double) * (size_t)m * T);
        CHECK(xnet_query_create(&few, n, m, src, dst) == XNET_OK);
        CHECK(xnet_query_run(net, few, 0, T, part) == XNET_OK);
        for (int k = 0; k < T; k++) {
            double *ref = igraph_all_pairs(net, k);
            if (!ref) {
                CHECK(!"igraph failed");
                continue;
            }
            int components = 0;
            for (int j = 0; j < pairs; j++) {
                compared++;
                mismatched += !same_distance(got[(size_t)k * pairs + j], ref[j]);
                unreachable += isinf(ref[j]);
            }
            for (int j = 0; j < m; j++) {
                compared++;
                mismatched += !same_distance(part[(size_t)k * m + j],
                                             ref[(size_t)src[j] * n + dst[j]]);
            }
            for (int t = 0; t < n; t++) {
                components += isinf(ref[t]);
            }
            split += components > 0;
            free(ref);
        }
        xnet_query_set_engine(XNET_PATHS_CSR);
        xnet_query_destroy(all);
        xnet_query_destroy(few);
        free(src);
        free(dst);
        free(got);
        free(part);
        xnet_network_destroy(net);
    }
    printf("query vs igraph: %d networks, %d distances, %d unreachable, %d split snapshots, "
           "%d mismatched\n", networks, compared, unreachable, split, mismatched);
    CHECK(networks == 60);
    CHECK(mismatched == 0);
    /* the campaign must have met disconnected pieces and reachable pairs alike */
    CHECK(split > 0 && unreachable > 0 && unreachable < compared / 2);
}

/* A 33 x 32 star with outages: the same bits for 1, 2, 3 and 7 workers, and
 * the reference engine agrees to 1e-12. */
static void test_workers_and_engine(void)
{
    xnet_network_t *net = make(XNET_WALKER_STAR, 33, 32, 0, 0.9, 0.12, 9, 5);
    int n = xnet_network_nodes(net), pairs = 2000, T = 9;
    int *src = malloc(sizeof(int) * pairs), *dst = malloc(sizeof(int) * pairs);
    for (int j = 0; j < pairs; j++) {
        src[j] = (j * 7) % 37 * 28;
        dst[j] = (j * 104729) % n;
    }
    xnet_query_t *q;
    CHECK(xnet_query_create(&q, n, pairs, src, dst) == XNET_OK);
    CHECK(xnet_query_sources(q) == 37 && xnet_query_pairs(q) == pairs);
    double *one = malloc(sizeof(double) * pairs * T), *many = malloc(sizeof(double) * pairs * T);
    int saved = xnet_workers(), identical = 1;
    xnet_set_workers(1);
    CHECK(xnet_query_run(net, q, 0, T, one) == XNET_OK);
    static const int counts[] = {2, 3, 7};
    for (int i = 0; i < 3; i++) {
        xnet_set_workers(counts[i]);
        memset(many, 0, sizeof(double) * pairs * T);
        CHECK(xnet_query_run(net, q, 0, T, many) == XNET_OK);
        identical = identical && memcmp(one, many, sizeof(double) * pairs * T) == 0;
    }
    CHECK(identical);
    /* a range of snapshots is the same slice of the whole */
    CHECK(xnet_query_run(net, q, 4, 6, many) == XNET_OK);
    CHECK(memcmp(one + 4 * pairs, many, sizeof(double) * pairs * 2) == 0);
    xnet_set_workers(saved);
    static const xnet_paths_engine_t others[] = {XNET_PATHS_IGRAPH, XNET_PATHS_HEAP};
    for (int e = 0; e < 2; e++) {
        xnet_query_set_engine(others[e]);
        CHECK(xnet_query_run(net, q, 0, T, many) == XNET_OK);
        xnet_query_set_engine(XNET_PATHS_CSR);
        int agree = 1;
        for (int j = 0; j < pairs * T; j++) {
            agree = agree && same_distance(one[j], many[j]);
        }
        CHECK(agree);
    }
    /* batches keep the output within the budget */
    CHECK(xnet_query_batch(q, T, 3.5 * pairs * sizeof(double)) == 3);
    CHECK(xnet_query_batch(q, T, 1) == 1);
    CHECK(xnet_query_batch(q, T, 1e12) == T);
    free(one);
    free(many);
    free(src);
    free(dst);
    xnet_query_destroy(q);
    xnet_network_destroy(net);
}

static void test_errors(void)
{
    xnet_network_t *net = make(XNET_WALKER_DELTA, 5, 4, 1, 1, HUGE_VAL, 2, 1);
    xnet_query_t *q = NULL;
    int src[2] = {0, 3}, bad[2] = {1, 20};
    CHECK(xnet_query_create(&q, 20, 2, src, bad) == XNET_EINVAL && q == NULL);
    CHECK(strstr(xnet_errmsg(), "satellite 20 out of range [0, 20)") != NULL);
    bad[0] = -1;
    CHECK(xnet_query_create(&q, 20, 2, bad, src) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "satellite -1 out of range") != NULL);
    CHECK(xnet_query_create(&q, 20, 2, src, src) == XNET_OK);
    double out[4];
    CHECK(xnet_query_run(net, q, 1, 3, out) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "snapshots [1, 3) out of range [0, 2)") != NULL);
    CHECK(xnet_query_run(net, q, 0, 2, out) == XNET_OK);
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0);
    xnet_query_t *wrong;
    CHECK(xnet_query_create(&wrong, 30, 2, src, src) == XNET_OK);
    CHECK(xnet_query_run(net, wrong, 0, 1, out) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "the query is for 30 satellites, the network has 20") != NULL);
    xnet_query_destroy(wrong);
    /* an interrupt stops every worker and says so */
    xnet_set_workers(2);
    xnet_interrupt_requested = 1;
    CHECK(xnet_query_run(net, q, 0, 2, out) == XNET_EINTR);
    CHECK(strcmp(xnet_errmsg(), "interrupted") == 0);
    xnet_interrupt_requested = 0;
    CHECK(xnet_set_workers(0) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "workers must be in [1, 256], got 0") != NULL);
    xnet_query_destroy(q);
    xnet_network_destroy(net);
}

/* A pool task that fails at two indices with two different codes. */
static int failing_task(void *ctx, int worker, int index)
{
    (void)ctx;
    (void)worker;
    return index == 7 ? XNET_ENOMEM : index == 11 ? XNET_EINVAL : XNET_OK;
}

/* Rows on a fixed graph: a weighted 4-cycle with a chord, by hand; a
 * worker's failure reaches the caller as the lowest failing index's code,
 * and an interrupt stops every worker with its message. */
static void test_graph_rows_and_failures(void)
{
    /* 0-1 (1), 1-2 (2), 2-3 (1), 3-0 (5), 0-2 (4); vertex 4 alone */
    xnet_link_t links[] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {0, 2}};
    double w[] = {1, 2, 1, 5, 4};
    int src[] = {0, 3, 4};
    double out[15];
    int saved = xnet_workers();
    xnet_set_workers(2);
    CHECK(xnet_query_graph_rows(5, 5, links, w, 3, src, out) == XNET_OK);
    double want[15] = {0, 1, 3, 4, INFINITY, 4, 3, 1, 0, INFINITY,
                       INFINITY, INFINITY, INFINITY, INFINITY, 0};
    int same = 1;
    for (int i = 0; i < 15; i++) {
        same = same && out[i] == want[i];
    }
    CHECK(same);
    int bad[] = {5};
    CHECK(xnet_query_graph_rows(5, 5, links, w, 1, bad, out) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "satellite 5 out of range [0, 5)") != NULL);
    xnet_interrupt_requested = 1;
    CHECK(xnet_query_graph_rows(5, 5, links, w, 3, src, out) == XNET_EINTR);
    CHECK(strcmp(xnet_errmsg(), "interrupted") == 0);
    xnet_interrupt_requested = 0;
    for (int workers = 1; workers <= 3; workers++) {
        CHECK(xnet_pool_run(20, workers, failing_task, NULL) == XNET_ENOMEM);
    }
    xnet_set_workers(saved);
}

/* Nearest queries against full ones on random networks (both engines of
 * the kernel, outages, pieces): every answer given is the full query's to
 * the bit, every one withheld (NAN) has a bound no greater than the true
 * latency, required targets are always answered, and a search that ran out
 * answers the rest with +inf. */
static void test_nearest(void)
{
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 77);
    long answered = 0, withheld = 0, wrong = 0, loose = 0, unanswered_required = 0;
    for (int trial = 0; trial < 40; trial++) {
        int delta = trial % 2, T = 3;
        int P = 4 + (int)(xnet_rng_uniform(&rng) * 12), S = 4 + (int)(xnet_rng_uniform(&rng) * 12);
        static const double survival[] = {1, 0.9, 0.6, 0.3};
        xnet_network_t *net = make(delta ? XNET_WALKER_DELTA : XNET_WALKER_STAR, P, S,
                                   delta ? 1 : 0, survival[trial % 4], HUGE_VAL, T,
                                   (unsigned)trial + 5);
        if (!net) {
            CHECK(!"network creation failed");
            continue;
        }
        int n = xnet_network_nodes(net), m = 4 * n;
        int *src = malloc(sizeof(int) * (size_t)m), *dst = malloc(sizeof(int) * (size_t)m);
        unsigned char *req = malloc((size_t)m);
        double *full = malloc(sizeof(double) * (size_t)m * T);
        double *near = malloc(sizeof(double) * (size_t)m * T);
        double *bound = malloc(sizeof(double) * (size_t)m * T);
        for (int j = 0; j < m; j++) {
            src[j] = (int)(xnet_rng_uniform(&rng) * 5) * (n / 5);
            dst[j] = (int)(xnet_rng_uniform(&rng) * n);
            req[j] = xnet_rng_uniform(&rng) < 0.1;
        }
        xnet_query_t *q = NULL;
        xnet_query_set_engine(trial % 4 < 2 ? XNET_PATHS_CSR : XNET_PATHS_HEAP);
        CHECK(xnet_query_create(&q, n, m, src, dst) == XNET_OK);
        CHECK(xnet_query_run(net, q, 0, T, full) == XNET_OK);
        unsigned char *none = calloc((size_t)m, 1);
        for (int mode = 0; mode < 3; mode++) {
            /* mode 0: the 3 nearest of each source; mode 1: the required ones;
             * mode 2: none required (no search: nothing known, bounds 0) */
            CHECK(xnet_query_run_nearest(net, q, 0, T, mode == 0 ? 3 : 0,
                                         mode == 0 ? NULL : mode == 1 ? req : none, near,
                                         bound) == XNET_OK);
            for (int k = 0; k < T; k++) {
                for (int j = 0; j < m; j++) {
                    size_t at = (size_t)k * m + (size_t)j;
                    if (mode == 2) {
                        wrong += !isnan(near[at]) || bound[at] != 0;
                    } else if (isnan(near[at])) {
                        withheld++;
                        loose += !(bound[at] <= full[at]);
                        unanswered_required += mode == 1 && req[j];
                    } else {
                        answered++;
                        wrong += memcmp(&near[at], &full[at], sizeof(double)) != 0
                               || memcmp(&bound[at], &full[at], sizeof(double)) != 0;
                    }
                }
            }
        }
        xnet_query_set_engine(XNET_PATHS_CSR);
        xnet_query_destroy(q);
        free(none);
        free(src);
        free(dst);
        free(req);
        free(full);
        free(near);
        free(bound);
        xnet_network_destroy(net);
    }
    printf("nearest queries: %ld answered, %ld withheld; %ld differ from the full query, "
           "%ld bounds above the latency, %ld required left unanswered\n", answered, withheld,
           wrong, loose, unanswered_required);
    CHECK(answered > 1000 && withheld > 1000);
    CHECK(wrong == 0 && loose == 0 && unanswered_required == 0);
    CHECK(xnet_query_run_nearest(NULL, NULL, 0, 0, -1, NULL, NULL, NULL) == XNET_EINVAL);
}

int main(void)
{
    xnet_igraph_init();
    test_against_igraph();
    test_nearest();
    test_workers_and_engine();
    test_errors();
    test_graph_rows_and_failures();
    return check_done();
}
