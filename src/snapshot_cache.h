/* A snapshot's active links as arcs, what the path search reads, and a cache
 * that keeps them for a network's snapshots within a fixed byte budget, so a
 * snapshot's geometry is computed once however many queries read it.
 *
 * The budget is per network and does not grow with the number of snapshots:
 * the first snapshots that fit are kept and never evicted (the queries sweep
 * the snapshots in order, so replacing kept ones would only thrash); the
 * others are computed on demand into the worker's own arcs, as before. A
 * kept snapshot holds exactly what computing it gives, by the same code, so
 * results are the same bits with the cache on or off and for any number of
 * workers. A network's links never change once it is built (failures and
 * reseeds make new networks), so nothing kept goes stale. */
#ifndef XNET_SNAPSHOT_CACHE_H
#define XNET_SNAPSHOT_CACHE_H

#include "network.h"

/* Links as arcs in both directions, grouped by tail in link order: the arcs
 * of vertex v are head[first[v] .. first[v + 1]) with latencies arc_s. */
typedef struct {
    int *first;            /* nodes + 1 */
    int *head;             /* first[nodes] */
    double *arc_s;         /* first[nodes] */
    double shortest_s;     /* the shortest arc's latency, +inf without arcs */
    double longest_s;      /* the longest arc's latency, 0 without arcs */
} xnet_arcs_t;

/* Arrays for `nodes` vertices and up to `links` links (XNET_ENOMEM). */
int xnet_arcs_alloc(xnet_arcs_t *a, int nodes, int links);
void xnet_arcs_free(xnet_arcs_t *a);
/* Bytes of xnet_arcs_alloc's arrays for `arcs` arcs. */
double xnet_arcs_bytes(int nodes, int arcs);

/* a = the links link[0 .. links) whose state is active (every link when
 * state is NULL) of latencies latency_s; cursor is scratch of `nodes` ints.
 * O(nodes + links). */
void xnet_arcs_build(xnet_arcs_t *a, int nodes, int links, const xnet_link_t *link,
                     const uint8_t *state, const double *latency_s, int *cursor);

/* The cache's budget per network, in bytes: default 64 MiB, or
 * xnet.limits{ snapshot_cache_mb = N }; 0 turns the cache off. */
double xnet_snapshot_cache_budget_bytes(void);
void xnet_set_snapshot_cache_budget_bytes(double bytes);

typedef struct xnet_snapshot_cache xnet_snapshot_cache_t;

/* Calling thread, before workers read snapshots [t0, t1): the network's
 * cache (NULL when the budget is 0), with room made for those of the
 * snapshots not kept yet, in order, while they fit in the budget and the
 * network with its cache stays within the memory limit (kept room counts
 * whole, all links active, until its snapshot is computed). A cache made
 * under a larger budget is dropped first. Never fails: what finds no room
 * is computed on demand. */
xnet_snapshot_cache_t *xnet_snapshot_cache_prepare(xnet_network_t *net, int t0, int t1);

/* Any thread: the arcs of snapshot k, from the cache when kept there, else
 * computed (into the cache when it has room for k, else into own, with
 * snap a snapshot buffer and cursor `nodes` ints of scratch). A snapshot
 * index is read by one thread at a time, between prepare and settle. The
 * same bits whichever thread and whatever the cache holds. O(1) when kept,
 * else O(N + E). */
const xnet_arcs_t *xnet_snapshot_arcs(xnet_snapshot_cache_t *cache, const xnet_network_t *net,
                                      int k, xnet_snapshot_t *snap, int *cursor,
                                      xnet_arcs_t *own);

/* Calling thread, after the workers: the room of the snapshots computed
 * shrinks to their arcs and they are kept; room left unused (an interrupt,
 * a failure) is freed. */
void xnet_snapshot_cache_settle(xnet_snapshot_cache_t *cache);

/* Bytes the network's cache holds now (0 without one), and the snapshots
 * kept in it. */
double xnet_snapshot_cache_bytes(const xnet_network_t *net);
int xnet_snapshot_cache_kept(const xnet_network_t *net);

#endif
