/* SGP4: the NORAD analytic propagator for two-line element sets, as revised
 * by Vallado, Crawford, Hujsak and Kelso, "Revisiting Spacetrack Report #3"
 * (AIAA 2006-6753) with its later corrections ("improved" operation mode),
 * WGS-72 constants. Near-Earth model only: element sets with a period of
 * 225 minutes or more need the deep-space model (SDP4), which is not
 * implemented, and are refused with an error naming the satellite.
 * Output: position (km) and velocity (km/s) in the TEME frame of the epoch
 * (true equator, mean equinox). */
#ifndef XNET_SGP4_H
#define XNET_SGP4_H

#include "tle.h"

/* WGS-72 as SGP4 uses it (Vallado et al. 2006, getgravconst "wgs72"). */
#define XNET_WGS72_MU_KM3_S2 398600.8
#define XNET_WGS72_RADIUS_KM 6378.135

/* Deep-space threshold of SGP4: period >= 225 min. */
#define XNET_SGP4_DEEP_SPACE_MIN 225.0

/* SGP4's own error codes (Vallado et al. 2006); 0 is success. */
enum {
    XNET_SGP4_ECC = 1,    /* mean eccentricity outside [-0.001, 1) */
    XNET_SGP4_MOTION = 2, /* mean motion <= 0 */
    XNET_SGP4_PECC = 3,   /* perturbed eccentricity outside [0, 1] (deep space) */
    XNET_SGP4_SEMILATUS = 4,
    XNET_SGP4_DECAYED = 6 /* radius below one Earth radius */
};

typedef struct {
    long satnum;
    char name[25];
    /* initialised mean elements (radians, radians per minute) */
    double ecco, inclo, nodeo, argpo, mo, bstar, no_unkozai;
    /* secular and drag coefficients */
    int isimp;
    double aycof, con41, cc1, cc4, cc5, d2, d3, d4, delmo, eta, argpdot, omgcof, sinmao,
        t2cof, t3cof, t4cof, t5cof, x1mth2, x7thm1, mdot, nodedot, xlcof, xmcof, nodecf;
} xnet_sgp4_t;

/* Initialise from an element set. Errors (XNET_EINVAL) name the satellite:
 * deep-space elements, and any SGP4 error at the epoch. O(1). */
int xnet_sgp4_init(xnet_sgp4_t *s, const xnet_tle_t *el);

/* Position (km) and velocity (km/s), TEME, tsince_min minutes after the
 * element epoch. Returns 0 or an XNET_SGP4_* code (the outputs are then
 * undefined, except for XNET_SGP4_DECAYED which still fills them). O(1). */
int xnet_sgp4_propagate(const xnet_sgp4_t *s, double tsince_min, double r_km[3],
                        double v_km_s[3]);

/* An xnet_fail message for an SGP4 code: names the satellite and the time. */
int xnet_sgp4_fail(const xnet_sgp4_t *s, int code, double tsince_min);

#endif
