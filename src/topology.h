/* +Grid inter-satellite links and their per-snapshot feasibility
 * (docs/model.md section 3). */
#ifndef XNET_TOPOLOGY_H
#define XNET_TOPOLOGY_H

#include "orbit.h"

#include <stdint.h>

typedef struct {
    int a, b;
} xnet_link_t;

/* Why a candidate link is absent from a snapshot. A link failing several
 * rules is charged to the first of: latitude, user, blocked, tracking, range,
 * outage (the policy rules first, then the physical ones). */
typedef enum {
    XNET_LINK_ACTIVE = 0,
    XNET_LINK_BLOCKED,  /* line of sight within R_E + margin of the Earth's centre */
    XNET_LINK_TRACKING, /* line-of-sight angular rate >= omega_max */
    XNET_LINK_RANGE,    /* range >= max_range */
    XNET_LINK_OUTAGE,   /* down in the outage process (docs/model.md section 3) */
    XNET_LINK_LATITUDE, /* cross-plane link with an end above the latitude cut-off */
    XNET_LINK_USER      /* switched off by the user's rule for this snapshot */
} xnet_link_state_t;

typedef struct {
    double survival;        /* probability a feasible link is up, [0, 1] */
    double omega_max_rad_s; /* tracking limit; +inf for none */
    double max_range_km;    /* +inf for none */
    double margin_km;       /* atmosphere margin above R_E */
    double bits;            /* message size per hop */
    double rate_bps;        /* link data rate */
    double proc_s;          /* per-hop processing delay */
    uint64_t seed;          /* survival draws */
    /* Cross-plane links (ends in different planes) are off while either end's
     * geocentric |latitude| exceeds this, as Iridium does near the poles;
     * +inf (the default) for no cut-off. */
    double cross_plane_max_lat_deg;
    int outage_markov;      /* 0: independent draws per snapshot; 1: a two-state chain per link */
    double outage_down_s;   /* chain: mean outage duration (mean up: down * p / (1 - p)) */
} xnet_link_params_t;

typedef struct {
    int total, blocked, tracking, range, outage, latitude, user, active;
} xnet_link_counts_t;

/* The paper's defaults (docs/model.md section 3). */
xnet_link_params_t xnet_link_params_default(void);

/* Check params against the constellation (margin below altitude, etc.). */
int xnet_link_params_check(const xnet_link_params_t *p, const xnet_walker_t *w);

/* Number of +Grid candidate links: P*S + (P-1)*S (star) or 2*P*S (delta).
 * XNET_EINVAL when the constellation is too small for +Grid (S < 3, P < 2,
 * or P < 3 for delta). */
int xnet_links_candidate_count(const xnet_walker_t *w, int *count);

/* Fill links[count] in the canonical order of docs/model.md section 3. O(count). */
void xnet_links_candidates(const xnet_walker_t *w, xnet_link_t *links);

/* Whether link k is up in snapshot snap of its outage process
 * (docs/model.md section 3); chain[k] holds its state in snap - 1 and gets
 * the new one. dt_s is the time since snapshot snap - 1. O(1). */
int xnet_link_up(const xnet_link_params_t *p, int snap, int k, double dt_s, uint8_t *chain);

/* Bit k of a row of 64-bit words (per-snapshot link decisions kept as bits). */
static inline int xnet_bit(const uint64_t *row, int k)
{
    return (int)((row[k >> 6] >> (k & 63)) & 1);
}

/* Decide every candidate link at time t (snapshot index snap, used for the
 * survival draw) and write its state and latency (seconds; NaN unless the
 * link is active or lost only to the outage draw: a link a policy rule
 * removes, latitude or user, is not there at all). user_on (NULL: every
 * link) is the user's rule for this snapshot as bits, 0 = off. outage_up
 * (NULL: independent draws, made here) holds each link's up (1) or down (0)
 * bit in this snapshot's outage process (xnet_link_up). state_scratch holds
 * 6 doubles per satellite and gets their positions (km) and velocities
 * (km/s). Reads nothing else: safe on many threads at once. O(N + count). */
void xnet_links_evaluate(const xnet_walker_t *w, const xnet_link_params_t *p,
                         const xnet_link_t *links, int count, double t, int snap,
                         const uint64_t *user_on, const uint64_t *outage_up,
                         double *state_scratch, uint8_t *state, double *latency_s,
                         xnet_link_counts_t *counts);

/* What xnet_links_evaluate gives from the snapshot's link geometry: the
 * states before the outage draw (geo_state: XNET_LINK_ACTIVE where the draw
 * decides, never XNET_LINK_OUTAGE) and their latencies, with p's outage
 * draw (or outage_up) applied. The same bits. O(count). */
void xnet_links_apply_outages(const xnet_link_params_t *p, int count, int snap,
                              const uint64_t *outage_up, const uint8_t *geo_state,
                              const double *geo_latency_s, uint8_t *state, double *latency_s,
                              xnet_link_counts_t *counts);

#endif
