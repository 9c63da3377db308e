#include "ground.h"

#include "error.h"
#include "frames.h"
#include "memlimit.h"
#include "paths.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xnet_site_init(xnet_site_t *s, const char *name, double lat_deg, double lon_deg,
                   double alt_km, double min_elevation_deg, double rate_bps, double proc_s,
                   xnet_access_policy_t policy)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    if (xnet_earth_fixed_from_geodetic(lat_deg, lon_deg, alt_km, s->r_km)) {
        char why[256];
        snprintf(why, sizeof why, "%s", xnet_errmsg()); /* the message buffer is reused */
        return xnet_fail(XNET_EINVAL, "terminal '%s': %s", s->name, why);
    }
    if (!(alt_km <= 100)) {
        return xnet_fail(XNET_EINVAL, "terminal '%s': altitude must be in [-11, 100] km, got %g",
                         s->name, alt_km);
    }
    if (!(min_elevation_deg >= 0 && min_elevation_deg < 90)) {
        return xnet_fail(XNET_EINVAL, "min_elevation_deg must be in [0, 90), got %g",
                         min_elevation_deg);
    }
    if (!(rate_bps > 0)) {
        return xnet_fail(XNET_EINVAL, "ground rate_bps must be > 0, got %g", rate_bps);
    }
    if (!(proc_s >= 0) || !isfinite(proc_s)) {
        return xnet_fail(XNET_EINVAL, "ground proc_s must be >= 0 and finite, got %g", proc_s);
    }
    double phi = lat_deg * M_PI / 180, lam = lon_deg * M_PI / 180;
    s->up[0] = cos(phi) * cos(lam);
    s->up[1] = cos(phi) * sin(lam);
    s->up[2] = sin(phi);
    s->lat_deg = lat_deg;
    s->lon_deg = lon_deg;
    s->alt_km = alt_km;
    s->min_elevation_deg = min_elevation_deg;
    s->rate_bps = rate_bps;
    s->proc_s = proc_s;
    s->policy = policy;
    return XNET_OK;
}

void xnet_site_look(const xnet_site_t *s, const double r_km[3], double *elevation_deg,
                    double *range_km)
{
    double d[3] = {r_km[0] - s->r_km[0], r_km[1] - s->r_km[1], r_km[2] - s->r_km[2]};
    double range = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    double along = (d[0] * s->up[0] + d[1] * s->up[1] + d[2] * s->up[2]) / range;
    *elevation_deg = asin(fmax(-1.0, fmin(1.0, along))) * 180 / M_PI;
    *range_km = range;
}

typedef struct {
    double elevation, range;
    int id;
} seen_t;

static int higher_first(const void *a, const void *b)
{
    const seen_t *x = a, *y = b;
    return x->elevation > y->elevation ? -1 : x->elevation < y->elevation ? 1 : x->id - y->id;
}

int xnet_site_visible(const xnet_site_t *s, const xnet_walker_t *w, double t, int *ids,
                      double *elevation_deg, double *range_km, int *count)
{
    int n = xnet_walker_count(w), m = 0, rc;
    seen_t *seen = malloc(sizeof *seen * (size_t)n);
    if (!seen) {
        return xnet_fail(XNET_ENOMEM, "out of memory for %d satellites", n);
    }
    for (int id = 0; id < n; id++) {
        double r[3], ef[3], el, range;
        xnet_walker_state(w, id, t, r, NULL);
        if (!isfinite(r[0])) {
            continue; /* SGP4 failed: a decayed satellite is not in the sky */
        }
        if ((rc = xnet_teme_to_earth_fixed(w->epoch_jd_utc, t, 0, r, NULL, ef, NULL))) {
            free(seen);
            return rc;
        }
        xnet_site_look(s, ef, &el, &range);
        if (el >= s->min_elevation_deg) {
            seen[m++] = (seen_t){el, range, id};
        }
    }
    qsort(seen, (size_t)m, sizeof *seen, higher_first);
    for (int i = 0; i < m; i++) {
        ids[i] = seen[i].id;
        elevation_deg[i] = seen[i].elevation;
        range_km[i] = seen[i].range;
    }
    *count = m;
    free(seen);
    return XNET_OK;
}

int xnet_site_access(const xnet_site_t *s, xnet_network_t *net, int first_gateway,
                     int last_gateway, double *up_s, double *down_s, int *up_sat,
                     int *down_sat)
{
    const xnet_walker_t *w = xnet_network_walker(net);
    const xnet_link_params_t *link = &xnet_network_params(net)->link;
    int n = xnet_network_nodes(net), T = xnet_network_snapshots(net), rc;
    int gateways[2] = {first_gateway, last_gateway};
    if ((rc = xnet_paths_check(net, 0, gateways, 2))
        || (rc = xnet_limit_check(5.0 * sizeof(double) * n, "the access rows"))) {
        return rc;
    }
    double *rows = malloc(sizeof(double) * 4 * (size_t)n);
    int *ids = malloc(sizeof(int) * (size_t)n);
    if (!rows || !ids) {
        free(rows);
        free(ids);
        return xnet_fail(XNET_ENOMEM, "out of memory for the access rows");
    }
    double *el = rows + 2 * n, *range = rows + 3 * n;
    double fixed_s = link->bits / s->rate_bps + s->proc_s;
    for (int k = 0; k < T && !rc; k++) {
        int m;
        up_s[k] = down_s[k] = INFINITY;
        up_sat[k] = down_sat[k] = -1;
        if ((rc = xnet_site_visible(s, w, xnet_network_time_s(net, k), ids, el, range, &m))
            || m == 0 || (rc = xnet_paths_latency(net, k, gateways, 2, rows))) {
            continue;
        }
        /* The graph is undirected: D(s, g) = D(g, s). */
        int last = s->policy == XNET_ACCESS_ELEVATION ? 1 : m;
        for (int i = 0; i < last; i++) {
            double hop = range[i] / XNET_LIGHT_KM_S + fixed_s;
            double up = hop + rows[ids[i]], down = rows[n + ids[i]] + hop;
            if (up < up_s[k]) {
                up_s[k] = up;
                up_sat[k] = ids[i];
            }
            if (down < down_s[k]) {
                down_s[k] = down;
                down_sat[k] = ids[i];
            }
        }
    }
    free(rows);
    free(ids);
    return rc;
}
