/* Gateway sweeps: the latency from each of a list of gateways to every
 * satellite in every snapshot (T x G x N doubles). Expected path latencies and
 * per-plan cost tables are both read from a sweep, so plans that share
 * gateways (Space-XNet and RandIntra-CG share the ring's) pay for the
 * Dijkstra runs once. A network keeps its most recent sweeps in a small cache
 * bounded in bytes. */
#ifndef XNET_SWEEP_H
#define XNET_SWEEP_H

#include "network.h"

typedef struct {
    int snapshots, sources, nodes;
    int *source;  /* satellite ids, in the order given */
    double *dist; /* snapshots x sources x nodes, seconds; inf where unreachable */
} xnet_sweep_t;

/* The sweep for these sources, from the network's cache or computed now
 * (T calls of igraph's Dijkstra with all sources). The sweep belongs to the
 * network and stays valid until the next call on the same network. */
int xnet_sweep_get(xnet_network_t *net, const int *sources, int count, const xnet_sweep_t **out);

/* Row of latencies from source index i in snapshot k. */
static inline const double *xnet_sweep_row(const xnet_sweep_t *s, int k, int i)
{
    return s->dist + ((size_t)k * (size_t)s->sources + (size_t)i) * (size_t)s->nodes;
}

#endif
