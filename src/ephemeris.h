/* A constellation from element sets: satellites propagated by SGP4 from
 * their own epochs to a common one, in the plane-major order of a grid.
 * xnet_walker_t points at one to take its states from SGP4 (orbit.h). */
#ifndef XNET_EPHEMERIS_H
#define XNET_EPHEMERIS_H

#include "sgp4.h"

typedef struct xnet_ephemeris {
    int count;
    xnet_sgp4_t *sats;        /* satellite id -> initialised propagator */
    double *epoch_offset_min; /* common epoch minus the element set's epoch */
    double epoch_jd_utc;      /* common epoch, Julian date (UTC) */
} xnet_ephemeris_t;

/* Propagators for el[order[i]], i in [0, count) (order NULL: file order).
 * Errors: XNET_EINVAL (an element set SGP4 refuses, naming the satellite),
 * XNET_ENOMEM. O(count). */
int xnet_ephemeris_create(xnet_ephemeris_t **out, const xnet_tle_t *el, const int *order,
                          int count, double epoch_jd_utc);
/* The ephemeris is one malloc'd block: free() and this are the same. */
void xnet_ephemeris_destroy(xnet_ephemeris_t *e);

/* TEME position (km) and velocity (km/s) of satellite id, t seconds after the
 * common epoch. Returns SGP4's code; on any code but 0 the outputs are NaN. */
int xnet_ephemeris_state(const xnet_ephemeris_t *e, int id, double t_s, double pos[3],
                         double vel[3]);

/* Propagate every satellite at t0 + k * (t1 - t0) / steps, k in [0, steps)
 * (steps >= 1): XNET_EINVAL naming the first satellite SGP4 fails for and the
 * time, so a network is never built on a decayed orbit. O(count * steps). */
int xnet_ephemeris_check(const xnet_ephemeris_t *e, double t0_s, double t1_s, int steps);

/* Plane-major order of a set by the right ascension of its planes: the
 * count = planes * sats satellites sorted by right ascension (starting after
 * the widest gap), cut into planes of sats each, each plane sorted by argument
 * of latitude. order[count] receives the indices into el. XNET_EINVAL when
 * count != planes * sats. O(count log count). */
int xnet_ephemeris_grid_order(const xnet_tle_t *el, int count, int planes, int sats,
                              int *order);

#endif
