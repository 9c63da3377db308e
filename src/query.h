/* Targeted shortest paths: the latency of the minimum-latency path for a
 * list of (source, target) satellite pairs, in a range of snapshots. The
 * only distances computed are the ones asked for: a source's search stops as
 * soon as all of its targets are settled.
 *
 * Each snapshot is searched from its link table (a compressed adjacency
 * array built in a reused workspace, then a binary-heap Dijkstra per
 * distinct source: O((N + E) log N) per source at worst, far less when the
 * targets are near). Snapshots are spread over xnet_workers() threads; the
 * path kernel never touches igraph, and every snapshot is computed the same
 * way whichever thread runs it, so results are bit-identical for any number
 * of workers. igraph's Dijkstra stays available as the reference engine. */
#ifndef XNET_QUERY_H
#define XNET_QUERY_H

#include "network.h"

typedef struct xnet_query xnet_query_t;

/* Prepare a query of `pairs` (source[j], target[j]) pairs on networks of
 * `nodes` satellites: pairs are grouped by source and repeated pairs share
 * one answer. XNET_EINVAL naming the first id out of range. O(pairs + nodes). */
int xnet_query_create(xnet_query_t **out, int nodes, int pairs, const int *source,
                      const int *target);
void xnet_query_destroy(xnet_query_t *q);
int xnet_query_pairs(const xnet_query_t *q);
int xnet_query_sources(const xnet_query_t *q);

/* Latencies (s) for snapshots [t0, t1): out[(k - t0) * pairs + j] is the
 * latency from source[j] to target[j] in snapshot k, 0 when they are the same
 * satellite, +inf when no path exists. Errors: XNET_EINVAL (snapshot range,
 * network size), XNET_ELIMIT, XNET_ENOMEM, XNET_EINTR (out then undefined). */
int xnet_query_run(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out);

/* The same, and hops[(k - t0) * pairs + j] the number of links on that
 * path (-1 when none exists): walking back from the target over settled
 * neighbours whose latency plus the link's is exactly the target's, the
 * first such neighbour in link order (so among paths of equal latency one
 * fixed choice). Always the compressed-array kernel, whatever the engine. */
int xnet_query_run_hops(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out,
                        int *hops);

/* The nearest targets only: each source's search stops once its distinct
 * targets of pairs j with required[j] (NULL: every pair) are settled, or
 * `want` (> 0; 0: all) of them. out as xnet_query_run where the answer is
 * known (settled, or no path: the search ran out), NAN where the search
 * stopped first; bound[(k - t0) * pairs + j] the answer where known, else a
 * lower bound on it (the latency the search had reached). With igraph as
 * the engine every answer is known. Errors as xnet_query_run. */
int xnet_query_run_nearest(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, int want,
                           const unsigned char *required, double *out, double *bound);

/* Snapshots per call of xnet_query_run that keep its output within
 * `budget_bytes` (at least one; at most `snapshots`). */
int xnet_query_batch(const xnet_query_t *q, int snapshots, double budget_bytes);

/* Latencies from each of `sources` sources to every vertex of a fixed
 * undirected graph of `nodes` vertices and `edges` edges link[e] of weight
 * weight_s[e] > 0 (the ring's mean-latency graph and its pieces; unit
 * weights count hops): out[i * nodes + v], +inf when unreachable. Sources
 * are spread over xnet_workers() threads, the same bits for any number.
 * Errors: XNET_EINVAL (an id out of range), XNET_ELIMIT, XNET_ENOMEM,
 * XNET_EINTR. O(sources (nodes + edges) log nodes). */
int xnet_query_graph_rows(int nodes, int edges, const xnet_link_t *link, const double *weight_s,
                          int sources, const int *source, double *out);

/* The same graph prepared once (its arcs built in a workspace for each of
 * min(workers, xnet_workers()) threads) for many calls of rows from a few
 * sources each: the searches that choose sources from the rows before.
 * Errors as xnet_query_graph_rows. */
typedef struct xnet_fixed_graph xnet_fixed_graph_t;
int xnet_fixed_graph_create(xnet_fixed_graph_t **out, int nodes, int edges,
                            const xnet_link_t *link, const double *weight_s, int workers);
int xnet_fixed_graph_workers(const xnet_fixed_graph_t *g);
int xnet_fixed_graph_rows(xnet_fixed_graph_t *g, int sources, const int *source, double *out);
void xnet_fixed_graph_destroy(xnet_fixed_graph_t *g);

/* The engine behind every query: the compressed-array kernel (default: a
 * bucket queue when the snapshot's arcs span at most 4096 widths of its
 * shortest arc, else a binary heap), the same kernel with the heap only, or
 * igraph's Dijkstra, one snapshot at a time on the calling thread (the
 * reference, and the previous implementation's speed). */
typedef enum { XNET_PATHS_CSR, XNET_PATHS_HEAP, XNET_PATHS_IGRAPH } xnet_paths_engine_t;
void xnet_query_set_engine(xnet_paths_engine_t engine);
xnet_paths_engine_t xnet_query_engine(void);

#endif
