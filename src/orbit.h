/* Constellations as the rest of spacexnet sees them: a plane/slot grid (what
 * the link rules need), a satellite count, and the state of satellite i at
 * time t. A Walker shell on circular two-body orbits (docs/model.md section
 * 2) computes its states; a shell read from element sets takes them from
 * SGP4 (ephemeris.h) through the same calls. Satellite id = plane * sats +
 * slot, 0-based. Positions in km and velocities in km/s, in an Earth-centred
 * inertial frame (TEME of the epoch for SGP4; the Walker frame is read as
 * the same); t in seconds after the epoch. */
#ifndef XNET_ORBIT_H
#define XNET_ORBIT_H

#include "bounds.h"

#define XNET_EARTH_RADIUS_KM 6371.0
#define XNET_MU_KM3_S2 398600.4418
#define XNET_LIGHT_KM_S 299792.458

typedef enum { XNET_WALKER_STAR, XNET_WALKER_DELTA } xnet_walker_pattern_t;

struct xnet_ephemeris;

/* J2000.0 as a UTC Julian date: the epoch of a Walker shell given none. */
#define XNET_DEFAULT_EPOCH_JD 2451545.0

typedef struct {
    xnet_walker_pattern_t pattern;
    int planes, sats, phasing;
    double altitude_km, inclination_deg;
    /* derived */
    double radius_km, mean_motion_rad_s, raan_spread_rad, inclination_rad;
    double epoch_jd_utc; /* t = 0, Julian date (UTC) */
    /* NULL: two-body Walker orbits. Otherwise states come from SGP4; the
     * ephemeris is owned elsewhere and must outlive every use of the states. */
    const struct xnet_ephemeris *ephemeris;
} xnet_walker_t;

/* Validate and fill w. Errors (XNET_EINVAL) name the value and its range. */
int xnet_walker_init(xnet_walker_t *w, xnet_walker_pattern_t pattern, int planes, int sats,
                     int phasing, double altitude_km, double inclination_deg);

/* A grid over an ephemeris (planes * sats satellites in plane-major order):
 * altitude, inclination and period are the set's means (altitude above the
 * WGS-72 equatorial radius). Errors as xnet_walker_init. */
int xnet_walker_from_ephemeris(xnet_walker_t *w, xnet_walker_pattern_t pattern, int planes,
                               int sats, int phasing, const struct xnet_ephemeris *e);

int xnet_walker_count(const xnet_walker_t *w);

/* Satellite id of a two-body Walker shell as a TLE at the shell's epoch:
 * catalogue number first_satnum + id, circular (e = 0), argument of perigee 0,
 * mean anomaly = argument of latitude, Kozai mean motion = the two-body mean
 * motion, no drag. SGP4 reads these as mean elements, so its orbit differs
 * from the two-body one by the J2 terms (tests/lua/test_tle.lua measures it). */
struct xnet_tle;
int xnet_walker_tle(const xnet_walker_t *w, int id, long first_satnum, struct xnet_tle *el);
double xnet_walker_period_s(const xnet_walker_t *w);
const char *xnet_walker_pattern_name(xnet_walker_pattern_t p);
/* "star" or "delta" -> *p; XNET_EINVAL naming anything else. */
int xnet_walker_pattern_parse(const char *name, xnet_walker_pattern_t *p);

/* Position (km) and velocity (km/s) of satellite id at time t (s); either
 * output may be NULL. id must be in [0, count). O(1). Where SGP4 fails (a
 * decayed orbit) the state is NaN, which every link rule treats as down;
 * xnet_ephemeris_check reports such failures by name beforehand. */
void xnet_walker_state(const xnet_walker_t *w, int id, double t, double pos[3], double vel[3]);

/* Every satellite's state at time t: state[6 id .. 6 id + 6) = position (km),
 * velocity (km/s), the same bits as xnet_walker_state with a plane's
 * angles computed once. O(count). */
void xnet_walker_states(const xnet_walker_t *w, double t, double *state);

#endif
