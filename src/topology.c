#include "topology.h"

#include "error.h"
#include "rng.h"

#include <math.h>
#include <string.h>

xnet_link_params_t xnet_link_params_default(void)
{
    xnet_link_params_t p = {
        .survival = 0.95,
        .omega_max_rad_s = 0.12,
        .max_range_km = 5000,
        .margin_km = 80,
        .bits = 4096.0 * 16,
        .rate_bps = 100e9,
        .proc_s = 0,
        .seed = 1,
        .cross_plane_max_lat_deg = INFINITY,
        .outage_markov = 0,
        /* No published statistic of in-orbit laser link outage durations was
         * found; re-acquiring a laser link alone takes seconds (Bhattacharjee
         * et al., arXiv 2301.05285). 120 s is a free parameter chosen so that
         * an outage spans about four default snapshots (28.6 s apart). */
        .outage_down_s = 120,
    };
    return p;
}

int xnet_link_params_check(const xnet_link_params_t *p, const xnet_walker_t *w)
{
    if (!(p->survival >= 0 && p->survival <= 1)) {
        return xnet_fail(XNET_EINVAL, "survival must be in [0, 1], got %g", p->survival);
    }
    if (!(p->omega_max_rad_s > 0)) {
        return xnet_fail(XNET_EINVAL, "omega_max must be > 0 (math.huge for no limit), got %g",
                         p->omega_max_rad_s);
    }
    if (!(p->max_range_km > 0)) {
        return xnet_fail(XNET_EINVAL, "max_range_km must be > 0 (math.huge for no limit), got %g",
                         p->max_range_km);
    }
    if (!(p->margin_km >= 0) || !isfinite(p->margin_km)) {
        return xnet_fail(XNET_EINVAL, "margin_km must be >= 0 and finite, got %g", p->margin_km);
    }
    if (!(w->altitude_km > p->margin_km)) {
        return xnet_fail(XNET_EINVAL,
                         "altitude_km must be above the atmosphere margin %g km, got %g",
                         p->margin_km, w->altitude_km);
    }
    if (!(p->bits >= 0) || !isfinite(p->bits)) {
        return xnet_fail(XNET_EINVAL, "bits must be >= 0 and finite, got %g", p->bits);
    }
    if (!(p->rate_bps > 0)) {
        return xnet_fail(XNET_EINVAL, "rate_bps must be > 0, got %g", p->rate_bps);
    }
    if (!(p->cross_plane_max_lat_deg >= 0)) {
        return xnet_fail(XNET_EINVAL,
                         "cross_plane_max_lat_deg must be >= 0 (math.huge for none), got %g",
                         p->cross_plane_max_lat_deg);
    }
    if (!(p->outage_down_s > 0) || !isfinite(p->outage_down_s)) {
        return xnet_fail(XNET_EINVAL, "outage_down_s must be > 0 and finite, got %g",
                         p->outage_down_s);
    }
    if (!(p->proc_s >= 0) || !isfinite(p->proc_s)) {
        return xnet_fail(XNET_EINVAL, "proc_s must be >= 0 and finite, got %g", p->proc_s);
    }
    return XNET_OK;
}

int xnet_links_candidate_count(const xnet_walker_t *w, int *count)
{
    int P = w->planes, S = w->sats;
    if (S < 3) {
        return xnet_fail(XNET_EINVAL, "a +Grid network needs sats >= 3 per plane, got %d", S);
    }
    if (w->pattern == XNET_WALKER_STAR && P < 2) {
        return xnet_fail(XNET_EINVAL, "a +Grid star network needs planes >= 2, got %d", P);
    }
    if (w->pattern == XNET_WALKER_DELTA && P < 3) {
        return xnet_fail(XNET_EINVAL, "a +Grid delta network needs planes >= 3, got %d", P);
    }
    *count = w->pattern == XNET_WALKER_STAR ? P * S + (P - 1) * S : 2 * P * S;
    return XNET_OK;
}

void xnet_links_candidates(const xnet_walker_t *w, xnet_link_t *links)
{
    int P = w->planes, S = w->sats, k = 0;
    for (int p = 0; p < P; p++) {
        for (int s = 0; s < S; s++) {
            links[k++] = (xnet_link_t){p * S + s, p * S + (s + 1) % S};
        }
    }
    for (int p = 0; p < P - 1; p++) {
        for (int s = 0; s < S; s++) {
            links[k++] = (xnet_link_t){p * S + s, (p + 1) * S + s};
        }
    }
    if (w->pattern == XNET_WALKER_DELTA) {
        /* Delta closes the grid: plane P-1 meets plane 0, slots shifted by F. */
        for (int s = 0; s < S; s++) {
            links[k++] = (xnet_link_t){(P - 1) * S + s, (s + w->phasing) % S};
        }
    }
}

/* Distance from the Earth's centre to the segment [a, a + d]. */
static double segment_clearance_km(const double *a, const double *d)
{
    double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    double s = -(a[0] * d[0] + a[1] * d[1] + a[2] * d[2]) / dd;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    double x = a[0] + s * d[0], y = a[1] + s * d[1], z = a[2] + s * d[2];
    return sqrt(x * x + y * y + z * z);
}

/* Probability that a link is up now. Independent: survival p. Two-state
 * chain (continuous-time, stationary up fraction p, mean down time D, so
 * mean up time D p / (1 - p) and rate 1/up + 1/down = 1 / (D p)), sampled
 * dt apart: from up, p + (1 - p) r; from down, p (1 - r); r = exp(-dt / (D p)).
 * The first snapshot starts from the stationary p. */
static double up_probability(const xnet_link_params_t *p, int snap, double dt_s, int was_up)
{
    double s = p->survival;
    if (!p->outage_markov || snap == 0 || s >= 1 || s <= 0) {
        return s;
    }
    double r = exp(-dt_s / (p->outage_down_s * s));
    return was_up ? s + (1 - s) * r : s * (1 - r);
}

int xnet_link_up(const xnet_link_params_t *p, int snap, int k, double dt_s, uint8_t *chain)
{
    /* Drawn for every link, feasible or not, so outages depend only on
     * (seed, snapshot, link) and not on the other rules' settings. */
    double u = xnet_uniform_at(p->seed, (uint64_t)snap, (uint64_t)k);
    chain[k] = (uint8_t)(u < up_probability(p, snap, dt_s, chain[k]));
    return chain[k];
}

/* The independent draw's hash of (seed, snapshot), shared by every link. */
static uint64_t snapshot_draw(uint64_t seed, int snap)
{
    return xnet_mix64(xnet_mix64(seed) ^ (uint64_t)snap);
}

/* Link k up in this snapshot: its bit of the outage chain, else the same
 * draw as xnet_uniform_at(seed, snap, k) < survival. */
static inline int link_up(const uint64_t *outage_up, uint64_t drawn, int k, double survival)
{
    return outage_up ? xnet_bit(outage_up, k)
                     : (double)(xnet_mix64(drawn ^ (uint64_t)k) >> 11) * 0x1.0p-53 < survival;
}

void xnet_links_evaluate(const xnet_walker_t *w, const xnet_link_params_t *p,
                         const xnet_link_t *links, int count, double t, int snap,
                         const uint64_t *user_on, const uint64_t *outage_up,
                         double *state_scratch, uint8_t *state, double *latency_s,
                         xnet_link_counts_t *counts)
{
    xnet_walker_states(w, t, state_scratch);
    double floor_km = XNET_EARTH_RADIUS_KM + p->margin_km;
    double fixed_s = p->bits / p->rate_bps + p->proc_s;
    /* |z| / r > sin(cut-off) is |latitude| > cut-off, without an asin per link;
     * no satellite is past a cut-off of 90 degrees or more. */
    int cut = p->cross_plane_max_lat_deg < 90;
    double sin_cut = cut ? sin(p->cross_plane_max_lat_deg * M_PI / 180) : 2;
    uint64_t drawn = snapshot_draw(p->seed, snap);
    xnet_link_counts_t c = {.total = count};
    for (int k = 0; k < count; k++) {
        const double *a = state_scratch + 6 * links[k].a, *b = state_scratch + 6 * links[k].b;
        double dr[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
        double dv[3] = {b[3] - a[3], b[4] - a[4], b[5] - a[5]};
        double r2 = dr[0] * dr[0] + dr[1] * dr[1] + dr[2] * dr[2];
        double cx = dr[1] * dv[2] - dr[2] * dv[1];
        double cy = dr[2] * dv[0] - dr[0] * dv[2];
        double cz = dr[0] * dv[1] - dr[1] * dv[0];
        double range = sqrt(r2);
        double omega = sqrt(cx * cx + cy * cy + cz * cz) / r2;
        int up = link_up(outage_up, drawn, k, p->survival);
        uint8_t s = XNET_LINK_ACTIVE;
        /* (the planes compared only under a cut-off: two divisions per link) */
        if (cut && links[k].a / w->sats != links[k].b / w->sats
            && (fabs(a[2]) > sin_cut * sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
                || fabs(b[2]) > sin_cut * sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]))) {
            s = XNET_LINK_LATITUDE;
            c.latitude++;
        } else if (user_on && !xnet_bit(user_on, k)) {
            s = XNET_LINK_USER;
            c.user++;
        } else if (!(segment_clearance_km(a, dr) > floor_km)) {
            s = XNET_LINK_BLOCKED;
            c.blocked++;
        } else if (!(omega < p->omega_max_rad_s)) {
            s = XNET_LINK_TRACKING;
            c.tracking++;
        } else if (!(range < p->max_range_km)) {
            s = XNET_LINK_RANGE;
            c.range++;
        } else if (!up) {
            s = XNET_LINK_OUTAGE;
            c.outage++;
        } else {
            c.active++;
        }
        state[k] = s;
        /* A link lost only to the outage draw keeps its latency: the geometry
         * (the ring's mean-latency graph, another outage draw) still needs it. */
        latency_s[k] = s == XNET_LINK_ACTIVE || s == XNET_LINK_OUTAGE
                         ? range / XNET_LIGHT_KM_S + fixed_s : NAN;
    }
    *counts = c;
}

void xnet_links_apply_outages(const xnet_link_params_t *p, int count, int snap,
                              const uint64_t *outage_up, const uint8_t *geo_state,
                              const double *geo_latency_s, uint8_t *state, double *latency_s,
                              xnet_link_counts_t *counts)
{
    uint64_t drawn = snapshot_draw(p->seed, snap);
    int tally[XNET_LINK_USER + 1] = {0};
    for (int k = 0; k < count; k++) {
        uint8_t s = geo_state[k];
        if (s == XNET_LINK_ACTIVE && !link_up(outage_up, drawn, k, p->survival)) {
            s = XNET_LINK_OUTAGE;
        }
        tally[s]++;
        state[k] = s;
    }
    memcpy(latency_s, geo_latency_s, sizeof(double) * (size_t)count);
    *counts = (xnet_link_counts_t){.total = count, .active = tally[XNET_LINK_ACTIVE],
                                   .outage = tally[XNET_LINK_OUTAGE],
                                   .blocked = tally[XNET_LINK_BLOCKED],
                                   .tracking = tally[XNET_LINK_TRACKING],
                                   .range = tally[XNET_LINK_RANGE],
                                   .latitude = tally[XNET_LINK_LATITUDE],
                                   .user = tally[XNET_LINK_USER]};
}
