/* Time and the Earth-fixed frame, over ERFA (the IAU SOFA routines).
 * Path: SGP4's TEME -> pseudo-Earth-fixed by Greenwich mean sidereal time
 * (IAU 1982, ERFA's eraGmst82, as Vallado et al. 2006 prescribe for TEME) of
 * UT1 = UTC + DUT1 (ERFA's eraUtcut1, leap seconds included). Neglected: polar
 * motion (PEF taken as ITRF: under 20 m at LEO), the length-of-day change in the
 * Earth's rotation rate, and DUT1 unless given (|DUT1| < 0.9 s: under 0.5 km
 * along the equator at LEO radius). No TT is needed on this path: TEME already
 * carries precession and nutation. Geodetic coordinates on the WGS-84
 * ellipsoid. Julian dates are UTC in ERFA's quasi-JD convention. */
#ifndef XNET_FRAMES_H
#define XNET_FRAMES_H

#include <stddef.h>

/* The Earth's rotation rate used for Earth-fixed velocities (rad/s). */
#define XNET_EARTH_ROTATION_RAD_S 7.292115146706979e-5

/* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM:SS[.fff]" (a trailing
 * 'Z' allowed) as a UTC Julian date. XNET_EINVAL names the text and what is
 * wrong with it (fields out of range, a year ERFA has no leap seconds for). */
int xnet_utc_parse(const char *text, double *jd_utc);

/* jd_utc as "YYYY-MM-DDTHH:MM:SS.sssZ" into out (>= 32 bytes). */
int xnet_utc_format(double jd_utc, char *out, size_t size);

/* The calendar year of jd_utc and the day of that year with its fraction
 * (1.0 = 1 January 0h), as a TLE epoch writes it. */
int xnet_utc_year_day(double jd_utc, int *year, double *day_of_year);

/* Greenwich mean sidereal time (rad, [0, 2 pi)) at UTC jd_utc + t_s seconds. */
int xnet_gmst_rad(double jd_utc, double t_s, double dut1_s, double *gmst);

/* TEME position (km) and velocity (km/s; either may be NULL) at UTC
 * jd_utc + t_s into the Earth-fixed frame. */
int xnet_teme_to_earth_fixed(double jd_utc, double t_s, double dut1_s, const double r_teme[3],
                             const double v_teme[3], double r_ef[3], double v_ef[3]);

/* Earth-fixed km -> geodetic latitude and longitude (deg, longitude in
 * (-180, 180]) and height above the WGS-84 ellipsoid (km). */
int xnet_geodetic_from_earth_fixed(const double r_km[3], double *lat_deg, double *lon_deg,
                                   double *height_km);

/* Geodetic -> Earth-fixed km. XNET_EINVAL names a latitude outside [-90, 90],
 * a longitude outside [-180, 360] or a height outside [-11, 1e5] km. */
int xnet_earth_fixed_from_geodetic(double lat_deg, double lon_deg, double height_km,
                                   double r_km[3]);

#endif
