#include "orbit.h"

#include "error.h"

#include <math.h>

const char *xnet_walker_pattern_name(xnet_walker_pattern_t p)
{
    return p == XNET_WALKER_STAR ? "star" : "delta";
}

int xnet_walker_init(xnet_walker_t *w, xnet_walker_pattern_t pattern, int planes, int sats,
                     int phasing, double altitude_km, double inclination_deg)
{
    if (planes < 1) {
        return xnet_fail(XNET_EINVAL, "planes must be >= 1, got %d", planes);
    }
    if (sats < 1) {
        return xnet_fail(XNET_EINVAL, "sats must be >= 1, got %d", sats);
    }
    if ((long long)planes * sats > XNET_MAX_SATELLITES) {
        return xnet_fail(XNET_EINVAL, "planes * sats must be <= %d, got %lld",
                         XNET_MAX_SATELLITES, (long long)planes * sats);
    }
    if (phasing < 0 || phasing > planes - 1) {
        return xnet_fail(XNET_EINVAL, "phasing must be in [0, %d], got %d", planes - 1, phasing);
    }
    /* Above 1e6 km (beyond the Moon) a satellite is no longer in Earth orbit. */
    if (!(altitude_km > 0 && altitude_km <= 1e6)) {
        return xnet_fail(XNET_EINVAL, "altitude_km must be in (0, 1e6], got %g", altitude_km);
    }
    if (!(inclination_deg >= 0 && inclination_deg <= 180)) {
        return xnet_fail(XNET_EINVAL, "inclination_deg must be in [0, 180], got %g",
                         inclination_deg);
    }
    w->pattern = pattern;
    w->planes = planes;
    w->sats = sats;
    w->phasing = phasing;
    w->altitude_km = altitude_km;
    w->inclination_deg = inclination_deg;
    w->radius_km = XNET_EARTH_RADIUS_KM + altitude_km;
    w->mean_motion_rad_s = sqrt(XNET_MU_KM3_S2 / (w->radius_km * w->radius_km * w->radius_km));
    w->raan_spread_rad = pattern == XNET_WALKER_STAR ? M_PI : 2 * M_PI;
    w->inclination_rad = inclination_deg * M_PI / 180.0;
    return XNET_OK;
}

int xnet_walker_count(const xnet_walker_t *w)
{
    return w->planes * w->sats;
}

double xnet_walker_period_s(const xnet_walker_t *w)
{
    return 2 * M_PI / w->mean_motion_rad_s;
}

void xnet_walker_state(const xnet_walker_t *w, int id, double t, double pos[3], double vel[3])
{
    int plane = id / w->sats, slot = id % w->sats;
    double n = w->mean_motion_rad_s, r = w->radius_km;
    double u = 2 * M_PI * slot / w->sats
             + 2 * M_PI * (double)w->phasing * plane / ((double)w->planes * w->sats) + n * t;
    double raan = w->raan_spread_rad * plane / w->planes;
    double cw = cos(raan), sw = sin(raan), ci = cos(w->inclination_rad);
    double si = sin(w->inclination_rad), cu = cos(u), su = sin(u);
    if (pos) {
        pos[0] = r * (cw * cu - sw * ci * su);
        pos[1] = r * (sw * cu + cw * ci * su);
        pos[2] = r * si * su;
    }
    if (vel) {
        double rn = r * n;
        vel[0] = rn * (-cw * su - sw * ci * cu);
        vel[1] = rn * (-sw * su + cw * ci * cu);
        vel[2] = rn * si * cu;
    }
}
