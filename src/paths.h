/* Shortest-path queries on one snapshot: routes, hops and components with
 * igraph (weights are link latencies in seconds), full latency rows with the
 * targeted query. Ids are checked here because igraph 0.10 does not check
 * the source vertex. Each query is O((N + E) log N) per source. */
#ifndef XNET_PATHS_H
#define XNET_PATHS_H

#include "network.h"

/* XNET_EINVAL naming the bad satellite id or snapshot, else XNET_OK. */
int xnet_paths_check(const xnet_network_t *net, int snap, const int *ids, int count);

/* Latency (s) from each of nsrc sources to every satellite: out is nsrc rows
 * of N values, row-major; +inf where unreachable. Answered by the targeted
 * query (query.h) with every satellite as a target; nsrc * N must fit an int. */
int xnet_paths_latency(xnet_network_t *net, int snap, const int *src, int nsrc, double *out);

/* The minimum-latency route from src to dst as satellite ids, src first.
 * path must hold N ids; *len is 0 when dst is unreachable. */
int xnet_paths_route(xnet_network_t *net, int snap, int src, int dst, int *path, int *len);

/* Hops along the minimum-latency route from src to every satellite (-1 when
 * unreachable); hops[N]. */
int xnet_paths_hops(xnet_network_t *net, int snap, int src, int *hops);

/* The reachable (finite) values of a row of n distances: their count, sum,
 * least and largest with the first satellite holding each (-1 when none). O(n). */
typedef struct {
    double min, max, sum;
    int argmin, argmax, reachable;
} xnet_row_summary_t;
xnet_row_summary_t xnet_paths_row_summary(const double *row, int n);

/* Connected components of a snapshot: *count, and their sizes largest first
 * in sizes[N] (the first *count entries) when not NULL. */
int xnet_paths_components(xnet_network_t *net, int snap, int *count, int *sizes);

/* The same for many snapshots at once without igraph, on the workers (each
 * snapshot computed there, by union-find over its active links): for
 * snaps[i], pieces[i] components, the largest of largest[i] satellites.
 * Errors: XNET_EINVAL (a snapshot out of range), XNET_ELIMIT, XNET_ENOMEM,
 * XNET_EINTR. O(count (N + C)). */
int xnet_paths_pieces(const xnet_network_t *net, int count, const int *snaps, int *pieces,
                      int *largest);

#endif
