/* A series of T snapshot networks of a constellation (docs/model.md sections 2-3).
 * A snapshot's satellite states, link states and latencies are computed on
 * demand (O(N + E)) into a buffer its user owns, and released with it: the
 * network keeps only what cannot be recomputed from the time alone, as bits
 * per candidate link per snapshot (the two-state outage chain, which runs
 * forward in time, and the user's link rule, which is Lua), plus a few
 * counts per snapshot. The igraph graph of a snapshot is built on demand and
 * kept in a cache of bounded size. */
#ifndef XNET_NETWORK_H
#define XNET_NETWORK_H

#include "orbit.h"
#include "topology.h"

#include <igraph.h>

typedef struct xnet_network xnet_network_t;

typedef struct {
    int snapshots;    /* T >= 1 */
    double horizon_s; /* snapshot k is at k * horizon / T; <= 0 means one period */
    xnet_link_params_t link;
    /* The user's links instead of +Grid: custom_count pairs (NULL: +Grid).
     * Still subject to every rule. Read during creation only. */
    const xnet_link_t *custom_links;
    int custom_count;
    /* snapshots x candidates, 0 = the user's rule switches the link off in
     * that snapshot (NULL: no such rule). Read during creation only (kept
     * as bits). */
    const uint8_t *user_allowed;
} xnet_network_params_t;

xnet_network_params_t xnet_network_params_default(void);

/* Build the series. Errors: XNET_EINVAL (parameters), XNET_ELIMIT (memory
 * limit), XNET_ENOMEM, XNET_EINTR. On error *out is NULL. */
int xnet_network_create(xnet_network_t **out, const xnet_walker_t *w,
                        const xnet_network_params_t *p);
void xnet_network_destroy(xnet_network_t *net);

/* A copy of net whose outage process is drawn again with another seed
 * (placement on draws of its own): the geometry and every rule stay, and
 * the result equals a network created with that seed. O(T * candidates). */
int xnet_network_reseed(xnet_network_t **out, const xnet_network_t *net, uint64_t seed);

const xnet_walker_t *xnet_network_walker(const xnet_network_t *net);
const xnet_network_params_t *xnet_network_params(const xnet_network_t *net);
int xnet_network_nodes(const xnet_network_t *net);
int xnet_network_snapshots(const xnet_network_t *net);
double xnet_network_time_s(const xnet_network_t *net, int snap);
/* A process-unique number, so caches can tell networks apart. */
unsigned long xnet_network_serial(const xnet_network_t *net);

int xnet_network_candidate_count(const xnet_network_t *net);
const xnet_link_t *xnet_network_candidates(const xnet_network_t *net);

/* One snapshot's satellites and links, in a buffer its user owns. */
typedef struct {
    int snap;                 /* the snapshot held, -1 for none */
    double *sat_state;        /* 6 per satellite: position (km), velocity (km/s) */
    uint8_t *state;           /* per candidate link: xnet_link_state_t */
    double *latency_s;        /* per candidate link */
    xnet_link_counts_t counts;
} xnet_snapshot_t;

/* Bytes of one snapshot buffer of net. */
double xnet_snapshot_bytes(const xnet_network_t *net);
/* Allocate a buffer for net's snapshots (XNET_ENOMEM; counted against no
 * limit: callers check xnet_snapshot_bytes first). */
int xnet_snapshot_alloc(xnet_snapshot_t *s, const xnet_network_t *net);
void xnet_snapshot_free(xnet_snapshot_t *s);
/* Compute snapshot snap into s. Reads net only, so many threads may fill
 * their own buffers at once; the same bits whoever computes it. O(N + E). */
void xnet_network_fill(const xnet_network_t *net, int snap, xnet_snapshot_t *s);

/* Snapshot snap in the network's own buffer (computed unless it already
 * holds it): for the calling thread only; valid until the next call. */
const xnet_snapshot_t *xnet_network_at(xnet_network_t *net, int snap);
/* The link counts of snapshot snap (computed once, then kept). */
const xnet_link_counts_t *xnet_network_counts(xnet_network_t *net, int snap);

/* What the network holds, in bytes: links (the candidates), outage_bits
 * (the two-state chain, 1 bit per link per snapshot; 0 for independent
 * draws), rule_bits (the user's rule, likewise; 0 without one), counts
 * (per snapshot), buffer (its own snapshot buffer), graphs (igraph
 * graphs in the cache now) and geometry (the link geometry store it shares
 * with its reseeds, src/geometry.h). */
typedef struct {
    double links, outage_bits, rule_bits, counts, buffer, graphs, geometry;
} xnet_network_bytes_t;
xnet_network_bytes_t xnet_network_bytes(const xnet_network_t *net);

/* The undirected graph of snapshot snap (active links only) and its edge
 * weights in seconds. The pointers stay valid until the next call. */
int xnet_network_graph(xnet_network_t *net, int snap, const igraph_t **graph,
                       const igraph_vector_t **weights);

/* Attachments higher modules hang on the network, one per slot; free_fn runs
 * when the slot is replaced or the network destroyed. */
typedef enum {
    XNET_ATTACH_SEARCH,    /* the path search workspaces (query.c) */
    XNET_ATTACH_RING_COST, /* the most recent ring path cost table (placement.c) */
    XNET_ATTACH_MEAN_GRAPH, /* the mean-latency graph the rings are cut on (ring.c) */
    XNET_ATTACH_SNAPSHOTS, /* the snapshots' arcs kept for the path search (snapshot_cache.c) */
    XNET_ATTACH_SLOTS
} xnet_attach_slot_t;
void *xnet_network_attachment(const xnet_network_t *net, xnet_attach_slot_t slot);
void xnet_network_attach(xnet_network_t *net, xnet_attach_slot_t slot, void *data,
                         void (*free_fn)(void *));

#endif
