/* The link geometry of a network's snapshots, kept for networks that differ
 * only in their outage draws (a network and its reseeds: the placement
 * network of a fair comparison is one), so each snapshot's orbits and link
 * checks are computed once for all of them.
 *
 * Per snapshot and candidate link: the link's state before the outage draw
 * (XNET_LINK_ACTIVE for a link the draw decides) and its latency, what
 * xnet_links_evaluate computes; a network applies its own draw to it. The
 * first snapshots that fit a fixed budget are kept, filled by whichever
 * network computes them first and never changed after, so a snapshot reads
 * the same bits kept or computed. A snapshot is filled by one thread (a
 * claim), read by any once published. */
#ifndef XNET_GEOMETRY_H
#define XNET_GEOMETRY_H

#include <stdint.h>

typedef struct xnet_geometry xnet_geometry_t;

/* Bytes a store for `candidates` links keeps of `snapshots` within
 * budget_bytes (0 when not even one snapshot fits). */
double xnet_geometry_bytes(int snapshots, int candidates, double budget_bytes);

/* Bytes a store holds (0 for NULL). */
double xnet_geometry_held_bytes(const xnet_geometry_t *g);

/* A store within budget_bytes, or *out = NULL when not one snapshot fits
 * (XNET_OK: the networks then compute every snapshot). XNET_ENOMEM. */
int xnet_geometry_create(xnet_geometry_t **out, int snapshots, int candidates,
                         double budget_bytes);
/* Another reference (a reseed), and its release; the last frees it. */
xnet_geometry_t *xnet_geometry_share(xnet_geometry_t *g);
void xnet_geometry_release(xnet_geometry_t *g);

/* Snapshot k's geometry when published: 1 and the arrays, else 0. */
int xnet_geometry_get(const xnet_geometry_t *g, int k, const uint8_t **state,
                      const double **latency_s);
/* Claim k for filling: 1 and the arrays to write (then publish), 0 when k
 * is not kept, or filled or being filled by another thread. */
int xnet_geometry_claim(xnet_geometry_t *g, int k, uint8_t **state, double **latency_s);
void xnet_geometry_publish(xnet_geometry_t *g, int k);

#endif
