#include "frames.h"

#include "error.h"

#include <erfa.h>
#include <erfam.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xnet_utc_parse(const char *text, double *jd_utc)
{
    int y, mo, d, h = 0, mi = 0, used = 0, n;
    double s = 0;
    size_t len = strlen(text);
    n = sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &used);
    if (n == 3 && (text[used] == 'T' || text[used] == ' ')) {
        int more = 0;
        if (sscanf(text + used + 1, "%2d:%2d%n", &h, &mi, &more) == 2) {
            used += 1 + more;
            if (text[used] == ':') {
                char *end;
                s = strtod(text + used + 1, &end);
                used = (int)(end - text);
            }
        } else {
            n = 0;
        }
    }
    if (n == 3 && text[used] == 'Z') {
        used++;
    }
    if (n != 3 || (size_t)used != len) {
        return xnet_fail(XNET_EINVAL, "epoch must be a UTC time 'YYYY-MM-DDTHH:MM:SS', got '%s'",
                         text);
    }
    double d1, d2;
    int rc = eraDtf2d("UTC", y, mo, d, h, mi, s, &d1, &d2);
    if (rc < 0) {
        static const char *const why[] = {"", "year out of range", "month out of range",
                                          "day out of range", "hour out of range",
                                          "minute out of range", "second out of range"};
        return xnet_fail(XNET_EINVAL, "epoch '%s': %s", text, why[-rc <= 6 ? -rc : 0]);
    }
    if (y < 1960) {
        return xnet_fail(XNET_EINVAL, "epoch '%s': year must be >= 1960 (UTC as ERFA defines it)",
                         text);
    }
    *jd_utc = d1 + d2;
    return XNET_OK;
}

int xnet_utc_format(double jd_utc, char *out, size_t size)
{
    int ymdf[4];
    if (!isfinite(jd_utc) || eraD2dtf("UTC", 3, jd_utc, 0, &ymdf[0], &ymdf[1], &ymdf[2], ymdf) < 0) {
        return xnet_fail(XNET_EINVAL, "Julian date %g is outside ERFA's calendar", jd_utc);
    }
    int iy, im, id, hmsf[4];
    eraD2dtf("UTC", 3, jd_utc, 0, &iy, &im, &id, hmsf);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", iy, im, id, hmsf[0], hmsf[1],
             hmsf[2], hmsf[3]);
    return XNET_OK;
}

int xnet_utc_year_day(double jd_utc, int *year, double *day_of_year)
{
    int y, m, d;
    double fd, djm0, djm;
    if (!isfinite(jd_utc) || eraJd2cal(jd_utc, 0, &y, &m, &d, &fd)) {
        return xnet_fail(XNET_EINVAL, "Julian date %g is outside ERFA's calendar", jd_utc);
    }
    eraCal2jd(y, 1, 1, &djm0, &djm);
    *year = y;
    *day_of_year = jd_utc - (djm0 + djm) + 1.0;
    return XNET_OK;
}

int xnet_gmst_rad(double jd_utc, double t_s, double dut1_s, double *gmst)
{
    double ut1, ut2;
    if (!isfinite(jd_utc) || !isfinite(t_s) || !(fabs(dut1_s) <= 1.0)) {
        return xnet_fail(XNET_EINVAL, "time must be finite and |dut1_s| <= 1, got %g + %g s, "
                         "dut1 %g s", jd_utc, t_s, dut1_s);
    }
    /* UTC -> UT1 with ERFA's leap-second table; days before 1960 are refused. */
    if (eraUtcut1(jd_utc, t_s / 86400.0, dut1_s, &ut1, &ut2) < 0) {
        return xnet_fail(XNET_EINVAL, "Julian date %.6f is outside ERFA's UTC range", jd_utc);
    }
    *gmst = eraGmst82(ut1, ut2);
    return XNET_OK;
}

int xnet_teme_to_earth_fixed(double jd_utc, double t_s, double dut1_s, const double r_teme[3],
                             const double v_teme[3], double r_ef[3], double v_ef[3])
{
    double g;
    int rc = xnet_gmst_rad(jd_utc, t_s, dut1_s, &g);
    if (rc) {
        return rc;
    }
    double c = cos(g), s = sin(g);
    double x = c * r_teme[0] + s * r_teme[1], y = -s * r_teme[0] + c * r_teme[1];
    if (v_teme && v_ef) {
        /* The frame turns under the satellite: subtract omega x r. */
        double w = XNET_EARTH_ROTATION_RAD_S;
        double vx = c * v_teme[0] + s * v_teme[1], vy = -s * v_teme[0] + c * v_teme[1];
        v_ef[0] = vx + w * y;
        v_ef[1] = vy - w * x;
        v_ef[2] = v_teme[2];
    }
    r_ef[0] = x;
    r_ef[1] = y;
    r_ef[2] = r_teme[2];
    return XNET_OK;
}

int xnet_geodetic_from_earth_fixed(const double r_km[3], double *lat_deg, double *lon_deg,
                                   double *height_km)
{
    double xyz[3] = {r_km[0] * 1e3, r_km[1] * 1e3, r_km[2] * 1e3}, elong, phi, h;
    if (!isfinite(xyz[0] + xyz[1] + xyz[2]) || eraGc2gd(ERFA_WGS84, xyz, &elong, &phi, &h)) {
        return xnet_fail(XNET_EINVAL, "position (%g, %g, %g) km has no geodetic coordinates",
                         r_km[0], r_km[1], r_km[2]);
    }
    *lat_deg = phi * ERFA_DR2D;
    *lon_deg = elong * ERFA_DR2D;
    *height_km = h / 1e3;
    return XNET_OK;
}

int xnet_earth_fixed_from_geodetic(double lat_deg, double lon_deg, double height_km,
                                   double r_km[3])
{
    if (!(lat_deg >= -90 && lat_deg <= 90)) {
        return xnet_fail(XNET_EINVAL, "latitude must be in [-90, 90] deg, got %g", lat_deg);
    }
    if (!(lon_deg >= -180 && lon_deg <= 360)) {
        return xnet_fail(XNET_EINVAL, "longitude must be in [-180, 360] deg, got %g", lon_deg);
    }
    if (!(height_km >= -11 && height_km <= 1e5)) {
        return xnet_fail(XNET_EINVAL, "altitude must be in [-11, 1e5] km, got %g", height_km);
    }
    double xyz[3];
    if (eraGd2gc(ERFA_WGS84, lon_deg * ERFA_DD2R, lat_deg * ERFA_DD2R, height_km * 1e3, xyz)) {
        return xnet_fail(XNET_EINVAL, "geodetic (%g, %g, %g km) has no Earth-fixed position",
                         lat_deg, lon_deg, height_km);
    }
    for (int k = 0; k < 3; k++) {
        r_km[k] = xyz[k] / 1e3;
    }
    return XNET_OK;
}
