/* Ground terminals: which satellites a site on the rotating Earth sees, and
 * the latency of a user's access to the constellation (docs/model.md, ground
 * terminals). A site sees a satellite whose elevation above its geodetic
 * horizon is at least the minimum elevation. A ground hop costs range / c +
 * bits / rate + processing. The user's token goes up to a visible satellite,
 * through the constellation to layer 0's gateway, and back from the last
 * layer's gateway through the constellation to a visible satellite and down;
 * the policy picks the satellite. */
#ifndef XNET_GROUND_H
#define XNET_GROUND_H

#include "network.h"
#include "orbit.h"

typedef enum {
    XNET_ACCESS_ELEVATION, /* the satellite highest in the sky, both ways */
    XNET_ACCESS_LATENCY    /* the visible satellite with the least latency, each way */
} xnet_access_policy_t;

typedef struct {
    char name[64];
    double lat_deg, lon_deg, alt_km;
    double r_km[3];  /* Earth-fixed position */
    double up[3];    /* geodetic zenith, unit */
    double min_elevation_deg;
    double rate_bps, proc_s; /* ground link; the message size is the network's */
    xnet_access_policy_t policy;
} xnet_site_t;

/* Validate (latitude in [-90, 90], longitude in [-180, 360], altitude in
 * [-11, 100] km above WGS-84, minimum elevation in [0, 90), rate > 0,
 * processing >= 0) and fill s. XNET_EINVAL names the site and the value. */
int xnet_site_init(xnet_site_t *s, const char *name, double lat_deg, double lon_deg,
                   double alt_km, double min_elevation_deg, double rate_bps, double proc_s,
                   xnet_access_policy_t policy);

/* Elevation (deg) and range (km) of an Earth-fixed point seen from the site. */
void xnet_site_look(const xnet_site_t *s, const double r_km[3], double *elevation_deg,
                    double *range_km);

/* The satellites the site sees at time t (s after the constellation's
 * epoch): ids[*count], elevations (deg) and ranges (km), each array holding
 * N entries; sorted by elevation, highest first. O(N log N). */
int xnet_site_visible(const xnet_site_t *s, const xnet_walker_t *w, double t, int *ids,
                      double *elevation_deg, double *range_km, int *count);

/* Access latencies of one user, per snapshot of net: up_s[k] from the user to
 * satellite first_gateway, down_s[k] from last_gateway to the user, and the
 * satellites used (up_sat, down_sat; -1 when none). +inf when the site sees
 * no satellite or the gateway is unreachable. Arrays of T. O(T (N + E) log N). */
int xnet_site_access(const xnet_site_t *s, xnet_network_t *net, int first_gateway,
                     int last_gateway, double *up_s, double *down_s, int *up_sat,
                     int *down_sat);

#endif
