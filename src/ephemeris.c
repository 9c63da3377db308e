#include "ephemeris.h"

#include "error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void xnet_ephemeris_destroy(xnet_ephemeris_t *e)
{
    free(e);
}

int xnet_ephemeris_create(xnet_ephemeris_t **out, const xnet_tle_t *el, const int *order,
                          int count, double epoch_jd_utc)
{
    *out = NULL;
    if (count < 1) {
        return xnet_fail(XNET_EINVAL, "an ephemeris needs at least 1 satellite, got %d", count);
    }
    if (!isfinite(epoch_jd_utc)) {
        return xnet_fail(XNET_EINVAL, "epoch must be a finite Julian date, got %g", epoch_jd_utc);
    }
    /* One block, so whoever holds the pointer frees it with free(). */
    size_t per_sat = sizeof(xnet_sgp4_t) + sizeof(double);
    xnet_ephemeris_t *e = malloc(sizeof *e + per_sat * (size_t)count);
    if (!e) {
        return xnet_fail(XNET_ENOMEM, "out of memory for %d satellites", count);
    }
    e->sats = (xnet_sgp4_t *)(e + 1);
    e->epoch_offset_min = (double *)(e->sats + count);
    e->count = count;
    e->epoch_jd_utc = epoch_jd_utc;
    for (int i = 0; i < count; i++) {
        const xnet_tle_t *s = &el[order ? order[i] : i];
        int rc = xnet_sgp4_init(&e->sats[i], s);
        if (rc) {
            xnet_ephemeris_destroy(e);
            return rc;
        }
        /* Whole days and fractions apart keep the offset exact to ~1e-10 min. */
        e->epoch_offset_min[i] = ((epoch_jd_utc - s->epoch_jd) - s->epoch_jd_frac) * 1440.0;
    }
    *out = e;
    return XNET_OK;
}

int xnet_ephemeris_state(const xnet_ephemeris_t *e, int id, double t_s, double pos[3],
                         double vel[3])
{
    double r[3], v[3];
    int code = xnet_sgp4_propagate(&e->sats[id], e->epoch_offset_min[id] + t_s / 60.0, r, v);
    for (int k = 0; k < 3; k++) {
        if (pos) {
            pos[k] = code ? NAN : r[k];
        }
        if (vel) {
            vel[k] = code ? NAN : v[k];
        }
    }
    return code;
}

int xnet_ephemeris_check(const xnet_ephemeris_t *e, double t0_s, double t1_s, int steps)
{
    for (int k = 0; k < steps; k++) {
        double t = t0_s + k * (t1_s - t0_s) / steps;
        for (int id = 0; id < e->count; id++) {
            double r[3], v[3], tsince = e->epoch_offset_min[id] + t / 60.0;
            int code = xnet_sgp4_propagate(&e->sats[id], tsince, r, v);
            if (code) {
                return xnet_sgp4_fail(&e->sats[id], code, tsince);
            }
        }
    }
    return XNET_OK;
}

typedef struct {
    double key;
    int index;
} keyed_t;

static int by_key(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : x->index - y->index;
}

int xnet_ephemeris_grid_order(const xnet_tle_t *el, int count, int planes, int sats,
                              int *order)
{
    if (planes < 1 || sats < 1 || (long long)planes * sats != count) {
        return xnet_fail(XNET_EINVAL, "planes * sats must equal the %d satellites, got %d * %d",
                         count, planes, sats);
    }
    keyed_t *k = malloc(sizeof *k * (size_t)count);
    if (!k) {
        return xnet_fail(XNET_ENOMEM, "out of memory ordering %d satellites", count);
    }
    for (int i = 0; i < count; i++) {
        k[i] = (keyed_t){el[i].raan_deg, i};
    }
    qsort(k, (size_t)count, sizeof *k, by_key);
    /* Start after the widest gap in right ascension, so no plane straddles 0/360. */
    int start = 0;
    double widest = k[0].key + 360.0 - k[count - 1].key; /* the gap across 0: ties keep it */
    for (int i = 0; i + 1 < count; i++) {
        if (k[i + 1].key - k[i].key > widest) {
            widest = k[i + 1].key - k[i].key;
            start = i + 1;
        }
    }
    for (int i = 0; i < count; i++) {
        order[i] = k[(start + i) % count].index;
    }
    for (int p = 0; p < planes; p++) {
        for (int s = 0; s < sats; s++) {
            const xnet_tle_t *t = &el[order[p * sats + s]];
            k[s] = (keyed_t){fmod(t->argp_deg + t->mean_anomaly_deg, 360.0), order[p * sats + s]};
        }
        qsort(k, (size_t)sats, sizeof *k, by_key);
        for (int s = 0; s < sats; s++) {
            order[p * sats + s] = k[s].index;
        }
    }
    free(k);
    return XNET_OK;
}
