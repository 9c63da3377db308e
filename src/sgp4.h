/* SGP4: the NORAD analytic propagator for two-line element sets, as revised
 * by Vallado, Crawford, Hujsak and Kelso, "Revisiting Spacetrack Report #3"
 * (AIAA 2006-6753) with its later corrections ("improved" operation mode),
 * WGS-72 constants. Element sets with a period of 225 minutes or more use
 * the deep-space model (SDP4: lunar-solar periodics and the 12-hour and
 * one-day resonances).
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
    XNET_SGP4_DECAYED = 6, /* radius below one Earth radius */
    XNET_SGP4_TIME = 7     /* time not within XNET_SGP4_MAX_MINUTES of the epoch (spacexnet's) */
};

/* Propagation is refused beyond a century from the element epoch: the
 * deep-space resonance integration takes one step per 720 minutes. */
#define XNET_SGP4_MAX_MINUTES (100 * 366 * 1440.0)

typedef struct {
    long satnum;
    char name[25];
    /* initialised mean elements (radians, radians per minute) */
    double ecco, inclo, nodeo, argpo, mo, bstar, no_unkozai;
    /* secular and drag coefficients */
    int isimp;
    double aycof, con41, cc1, cc4, cc5, d2, d3, d4, delmo, eta, argpdot, omgcof, sinmao,
        t2cof, t3cof, t4cof, t5cof, x1mth2, x7thm1, mdot, nodedot, xlcof, xmcof, nodecf;
    /* deep space (SDP4): lunar-solar periodics, secular rates and resonances */
    int deep, irez;
    double gsto, e3, ee2, se2, se3, sgh2, sgh3, sgh4, sh2, sh3, si2, si3, sl2, sl3, sl4, xgh2,
        xgh3, xgh4, xh2, xh3, xi2, xi3, xl2, xl3, xl4, zmol, zmos;
    double d2201, d2211, d3210, d3222, d4410, d4422, d5220, d5232, d5421, d5433, dedt, didt,
        dmdt, dnodt, domdt, del1, del2, del3, xfact, xlamo;
} xnet_sgp4_t;

/* Initialise from an element set. Errors (XNET_EINVAL) name the satellite:
 * any SGP4 error at the epoch. O(1). */
int xnet_sgp4_init(xnet_sgp4_t *s, const xnet_tle_t *el);

/* Position (km) and velocity (km/s), TEME, tsince_min minutes after the
 * element epoch. Returns 0 or an XNET_SGP4_* code (the outputs are then
 * undefined, except for XNET_SGP4_DECAYED which still fills them). O(1). */
int xnet_sgp4_propagate(const xnet_sgp4_t *s, double tsince_min, double r_km[3],
                        double v_km_s[3]);

/* An xnet_fail message for an SGP4 code: names the satellite and the time. */
int xnet_sgp4_fail(const xnet_sgp4_t *s, int code, double tsince_min);

#endif
