/* Kernel benchmark: time to build one snapshot (link feasibility for every
 * candidate link, then the igraph graph) and to run igraph's Dijkstra from
 * one source, for 33 x 32 and 200 x 200 Walker stars; time per relaxed edge
 * (each undirected link is relaxed from both ends). Prints figures, no
 * pass/fail. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "network.h"
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run(int planes, int sats, int snapshots)
{
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_STAR, planes, sats, 0, 550, 87);
    xnet_network_params_t p = xnet_network_params_default();
    p.snapshots = snapshots;
    xnet_network_t *net;
    double t0 = now();
    if (xnet_network_create(&net, &w, &p)) {
        fprintf(stderr, "%s\n", xnet_errmsg());
        exit(1);
    }
    double t_links = (now() - t0) / snapshots;
    const igraph_t *g;
    const igraph_vector_t *wt;
    t0 = now();
    for (int k = 0; k < snapshots; k++) {
        xnet_network_graph(net, k, &g, &wt);
    }
    double t_graph = (now() - t0) / snapshots;
    int n = xnet_network_nodes(net), reps = n > 10000 ? 20 : 400;
    double *d = malloc(sizeof(double) * (size_t)n * 32);
    double active = 0;
    for (int k = 0; k < snapshots; k++) {
        active += xnet_network_counts(net, k)->active;
    }
    active /= snapshots;
    t0 = now();
    for (int r = 0; r < reps; r++) {
        int src = (r * 7919) % n;
        xnet_paths_latency(net, r % snapshots, &src, 1, d);
    }
    double t_one = (now() - t0) / reps;
    int src32[32];
    for (int i = 0; i < 32; i++) {
        src32[i] = (i * 104729) % n;
    }
    int batches = reps / 32 > 2 ? reps / 32 : 2;
    t0 = now();
    for (int r = 0; r < batches; r++) {
        xnet_paths_latency(net, r % snapshots, src32, 32, d);
    }
    double t_batch = (now() - t0) / (batches * 32.0);
    printf("%dx%d (%d satellites, %.0f active links):\n", planes, sats, n, active);
    printf("  snapshot links   %10.3f ms   (feasibility of %d candidates)\n", t_links * 1e3,
           xnet_network_candidate_count(net));
    printf("  snapshot graph   %10.3f ms   (igraph_create)\n", t_graph * 1e3);
    printf("  dijkstra, 1 src  %10.3f ms   %6.1f ns per relaxed edge\n", t_one * 1e3,
           t_one / (2 * active) * 1e9);
    printf("  dijkstra, 32 src %10.3f ms   %6.1f ns per relaxed edge (one igraph call)\n",
           t_batch * 1e3, t_batch / (2 * active) * 1e9);
    free(d);
    xnet_network_destroy(net);
}

int main(void)
{
    xnet_igraph_init();
    run(33, 32, 200);
    run(200, 200, 10);
    return 0;
}
