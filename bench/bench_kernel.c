/* Kernel benchmark: time to build one snapshot (link feasibility for every
 * candidate link), then single-source shortest paths two ways: igraph's
 * Dijkstra (graph built with igraph_create, the previous implementation) and
 * the targeted query's compressed-array kernel (arcs rebuilt per snapshot,
 * the snapshot cache off), for 33 x 32 and 200 x 200 Walker stars; then the
 * same query reading the arcs the snapshot cache keeps. Times are this
 * thread's CPU time (the machine may be shared), per relaxed arc (each
 * undirected link is relaxed from both ends). Prints figures, no pass/fail. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "network.h"
#include "paths.h"
#include "pool.h"
#include "query.h"
#include "snapshot_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds per snapshot of a query from `src` to every satellite (or to
 * itself only, when `full` is 0: the arc build alone). */
static double time_query(xnet_network_t *net, int src, int full, int snapshots, int reps)
{
    int n = xnet_network_nodes(net), pairs = full ? n : 1;
    int *from = malloc(sizeof(int) * (size_t)n), *to = malloc(sizeof(int) * (size_t)n);
    double *d = malloc(sizeof(double) * (size_t)n * (size_t)snapshots);
    for (int v = 0; v < n; v++) {
        from[v] = src;
        to[v] = full ? v : src;
    }
    xnet_query_t *q;
    if (xnet_query_create(&q, n, pairs, from, to)) {
        fprintf(stderr, "%s\n", xnet_errmsg());
        exit(1);
    }
    double t0 = cpu_now();
    for (int r = 0; r < reps; r++) {
        xnet_query_run(net, q, 0, snapshots, d);
    }
    double t = (cpu_now() - t0) / ((double)reps * snapshots);
    xnet_query_destroy(q);
    free(from);
    free(to);
    free(d);
    return t;
}

static void run(int planes, int sats, int snapshots)
{
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_STAR, planes, sats, 0, 550, 87);
    xnet_network_params_t p = xnet_network_params_default();
    p.snapshots = snapshots;
    xnet_network_t *net;
    if (xnet_network_create(&net, &w, &p)) {
        fprintf(stderr, "%s\n", xnet_errmsg());
        exit(1);
    }
    double t0 = cpu_now();
    for (int k = 0; k < snapshots; k++) {
        xnet_network_at(net, k);
    }
    double t_links = (cpu_now() - t0) / snapshots;
    int n = xnet_network_nodes(net), reps = n > 10000 ? 1 : 40;
    double active = 0;
    for (int k = 0; k < snapshots; k++) {
        active += xnet_network_counts(net, k)->active;
    }
    active /= snapshots;
    double arcs = 2 * active;
    printf("%dx%d (%d satellites, %.0f active links, CPU time of one thread):\n", planes, sats,
           n, active);
    printf("  snapshot links          %9.3f ms   (feasibility of %d candidates)\n",
           t_links * 1e3, xnet_network_candidate_count(net));

    xnet_set_workers(1);
    double budget = xnet_snapshot_cache_budget_bytes();
    xnet_set_snapshot_cache_budget_bytes(0);
    double t_arcs = time_query(net, 0, 0, snapshots, reps);
    double t_csr = time_query(net, n / 2, 1, snapshots, reps) - t_arcs;
    printf("  csr: snapshot arcs      %9.3f ms\n", t_arcs * 1e3);
    printf("  csr: search, 1 source   %9.3f ms   %6.1f ns per relaxed arc\n", t_csr * 1e3,
           t_csr / arcs * 1e9);
    /* the snapshot cache: the first query keeps the arcs, the next ones read
     * them (from memory: each snapshot's were last read a sweep ago) */
    xnet_set_snapshot_cache_budget_bytes(1e12);
    time_query(net, 0, 0, snapshots, 1);
    double t_kept = time_query(net, n / 2, 1, snapshots, reps);
    printf("  kept arcs: 1 source     %9.3f ms   %6.1f ns per relaxed arc, arcs read included "
           "(computed: %.3f ms); %d of %d snapshots kept, %.1f MB\n",
           t_kept * 1e3, t_kept / arcs * 1e9, (t_arcs + t_csr) * 1e3,
           xnet_snapshot_cache_kept(net), snapshots, xnet_snapshot_cache_bytes(net) / 1e6);
    xnet_set_snapshot_cache_budget_bytes(budget);

    xnet_query_set_engine(XNET_PATHS_IGRAPH);
    const igraph_t *g;
    const igraph_vector_t *wt;
    t0 = cpu_now();
    for (int k = 0; k < snapshots; k++) {
        xnet_network_graph(net, k, &g, &wt);
    }
    double t_graph = (cpu_now() - t0) / snapshots;
    double t_ig = time_query(net, n / 2, 1, snapshots, reps);
    xnet_query_set_engine(XNET_PATHS_CSR);
    printf("  igraph: snapshot graph  %9.3f ms   (igraph_create)\n", t_graph * 1e3);
    printf("  igraph: search, 1 source%9.3f ms   %6.1f ns per relaxed arc\n", t_ig * 1e3,
           t_ig / arcs * 1e9);
    printf("  speedup of the search   %9.1fx\n", t_ig / t_csr);
    xnet_network_destroy(net);
}

int main(void)
{
    xnet_igraph_init();
    run(33, 32, 200);
    run(200, 200, 10);
    return 0;
}
