/* Walker constellations on circular two-body orbits (docs/model.md section 2).
 * Satellite id = plane * sats + slot, 0-based. Positions in km and velocities
 * in km/s, in an Earth-centred inertial frame; Earth rotation is ignored. */
#ifndef XNET_ORBIT_H
#define XNET_ORBIT_H

#include "bounds.h"

#define XNET_EARTH_RADIUS_KM 6371.0
#define XNET_MU_KM3_S2 398600.4418
#define XNET_LIGHT_KM_S 299792.458

typedef enum { XNET_WALKER_STAR, XNET_WALKER_DELTA } xnet_walker_pattern_t;

typedef struct {
    xnet_walker_pattern_t pattern;
    int planes, sats, phasing;
    double altitude_km, inclination_deg;
    /* derived */
    double radius_km, mean_motion_rad_s, raan_spread_rad, inclination_rad;
} xnet_walker_t;

/* Validate and fill w. Errors (XNET_EINVAL) name the value and its range. */
int xnet_walker_init(xnet_walker_t *w, xnet_walker_pattern_t pattern, int planes, int sats,
                     int phasing, double altitude_km, double inclination_deg);

int xnet_walker_count(const xnet_walker_t *w);
double xnet_walker_period_s(const xnet_walker_t *w);
const char *xnet_walker_pattern_name(xnet_walker_pattern_t p);

/* Position (km) and velocity (km/s) of satellite id at time t (s); either
 * output may be NULL. id must be in [0, count). O(1). */
void xnet_walker_state(const xnet_walker_t *w, int id, double t, double pos[3], double vel[3]);

#endif
