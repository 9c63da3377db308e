#include "orbit.h"

#include "ephemeris.h"
#include "error.h"
#include "frames.h"
#include "tle.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *xnet_walker_pattern_name(xnet_walker_pattern_t p)
{
    return p == XNET_WALKER_STAR ? "star" : "delta";
}

int xnet_walker_pattern_parse(const char *name, xnet_walker_pattern_t *p)
{
    if (strcmp(name, "star") == 0 || strcmp(name, "delta") == 0) {
        *p = name[0] == 's' ? XNET_WALKER_STAR : XNET_WALKER_DELTA;
        return XNET_OK;
    }
    return xnet_fail(XNET_EINVAL, "pattern must be 'star' or 'delta', got '%s'", name);
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
    w->epoch_jd_utc = XNET_DEFAULT_EPOCH_JD;
    w->ephemeris = NULL;
    return XNET_OK;
}

int xnet_walker_from_ephemeris(xnet_walker_t *w, xnet_walker_pattern_t pattern, int planes,
                               int sats, int phasing, const struct xnet_ephemeris *e)
{
    if ((long long)planes * sats != e->count) {
        return xnet_fail(XNET_EINVAL, "planes * sats must equal the %d satellites, got %d * %d",
                         e->count, planes, sats);
    }
    double a_km = 0, inc_deg = 0, n_rad_min = 0;
    for (int i = 0; i < e->count; i++) {
        const xnet_sgp4_t *s = &e->sats[i];
        n_rad_min += s->no_unkozai / e->count;
        inc_deg += s->inclo * 180.0 / M_PI / e->count;
    }
    a_km = pow(XNET_WGS72_MU_KM3_S2 / pow(n_rad_min / 60.0, 2.0), 1.0 / 3.0);
    int rc = xnet_walker_init(w, pattern, planes, sats, phasing, a_km - XNET_WGS72_RADIUS_KM,
                              fmin(fmax(inc_deg, 0), 180));
    if (rc) {
        return rc;
    }
    w->mean_motion_rad_s = n_rad_min / 60.0;
    w->epoch_jd_utc = e->epoch_jd_utc;
    w->ephemeris = e;
    return XNET_OK;
}

int xnet_walker_tle(const xnet_walker_t *w, int id, long first_satnum, xnet_tle_t *el)
{
    if (w->ephemeris) {
        return xnet_fail(XNET_EINVAL, "this shell already comes from element sets");
    }
    int plane = id / w->sats, slot = id % w->sats;
    double to_deg = 180.0 / M_PI;
    double u = 2 * M_PI * slot / w->sats
             + 2 * M_PI * (double)w->phasing * plane / ((double)w->planes * w->sats);
    memset(el, 0, sizeof *el);
    snprintf(el->name, sizeof el->name, "WALKER P%d S%d", plane, slot);
    el->satnum = first_satnum + id;
    int rc = xnet_utc_year_day(w->epoch_jd_utc, &el->epoch_year, &el->epoch_day);
    if (rc) {
        return rc;
    }
    el->inclination_deg = w->inclination_deg;
    el->raan_deg = fmod(w->raan_spread_rad * plane / w->planes * to_deg, 360.0);
    el->mean_anomaly_deg = fmod(u * to_deg, 360.0);
    el->mean_motion_rev_day = w->mean_motion_rad_s * 86400.0 / (2 * M_PI);
    el->element_number = 1;
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
    if (w->ephemeris) {
        xnet_ephemeris_state(w->ephemeris, id, t, pos, vel);
        return;
    }
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

void xnet_walker_states(const xnet_walker_t *w, double t, double *state)
{
    if (w->ephemeris) {
        for (int id = 0; id < xnet_walker_count(w); id++) {
            xnet_ephemeris_state(w->ephemeris, id, t, state + 6 * id, state + 6 * id + 3);
        }
        return;
    }
    /* xnet_walker_state's expressions, term by term, so the sums round alike */
    double n = w->mean_motion_rad_s, r = w->radius_km, rn = r * n, nt = n * t;
    double ci = cos(w->inclination_rad), si = sin(w->inclination_rad);
    for (int plane = 0; plane < w->planes; plane++) {
        double phase = 2 * M_PI * (double)w->phasing * plane / ((double)w->planes * w->sats);
        double raan = w->raan_spread_rad * plane / w->planes;
        double cw = cos(raan), sw = sin(raan);
        for (int slot = 0; slot < w->sats; slot++) {
            double u = 2 * M_PI * slot / w->sats + phase + nt;
            double cu = cos(u), su = sin(u);
            double *s = state + 6 * ((size_t)plane * (size_t)w->sats + (size_t)slot);
            s[0] = r * (cw * cu - sw * ci * su);
            s[1] = r * (sw * cu + cw * ci * su);
            s[2] = r * si * su;
            s[3] = rn * (-cw * su - sw * ci * cu);
            s[4] = rn * (-sw * su + cw * ci * cu);
            s[5] = rn * si * cu;
        }
    }
}
