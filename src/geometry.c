#include "geometry.h"

#include "error.h"

#include <stdatomic.h>
#include <stdlib.h>

enum { EMPTY, FILLING, READY };

struct xnet_geometry {
    atomic_int refs;
    int kept, candidates;
    atomic_uchar *status; /* kept */
    uint8_t *state;       /* kept x candidates */
    double *latency_s;    /* kept x candidates */
};

/* Bytes one kept snapshot takes: a state and a latency per link, a status. */
static double snapshot_bytes(int candidates)
{
    return (1.0 + sizeof(double)) * candidates + 1;
}

static int kept_snapshots(int snapshots, int candidates, double budget_bytes)
{
    double fit = budget_bytes / snapshot_bytes(candidates);
    return fit < 1 ? 0 : fit > snapshots ? snapshots : (int)fit;
}

double xnet_geometry_bytes(int snapshots, int candidates, double budget_bytes)
{
    return kept_snapshots(snapshots, candidates, budget_bytes) * snapshot_bytes(candidates);
}

double xnet_geometry_held_bytes(const xnet_geometry_t *g)
{
    return g ? g->kept * snapshot_bytes(g->candidates) : 0;
}

static void geometry_free(xnet_geometry_t *g)
{
    if (g) {
        free(g->status);
        free(g->state);
        free(g->latency_s);
        free(g);
    }
}

int xnet_geometry_create(xnet_geometry_t **out, int snapshots, int candidates,
                         double budget_bytes)
{
    *out = NULL;
    int kept = kept_snapshots(snapshots, candidates, budget_bytes);
    if (kept == 0) {
        return XNET_OK;
    }
    xnet_geometry_t *g = calloc(1, sizeof *g);
    size_t cells = (size_t)kept * (size_t)candidates;
    if (g) {
        g->status = malloc(sizeof *g->status * (size_t)kept);
        g->state = malloc(cells);
        g->latency_s = malloc(sizeof(double) * cells);
    }
    if (!g || !g->status || !g->state || !g->latency_s) {
        geometry_free(g);
        return xnet_fail(XNET_ENOMEM, "out of memory for the snapshot geometry");
    }
    atomic_init(&g->refs, 1);
    g->kept = kept;
    g->candidates = candidates;
    for (int k = 0; k < kept; k++) {
        atomic_init(&g->status[k], EMPTY);
    }
    *out = g;
    return XNET_OK;
}

xnet_geometry_t *xnet_geometry_share(xnet_geometry_t *g)
{
    if (g) {
        atomic_fetch_add(&g->refs, 1);
    }
    return g;
}

void xnet_geometry_release(xnet_geometry_t *g)
{
    if (g && atomic_fetch_sub(&g->refs, 1) == 1) {
        geometry_free(g);
    }
}

int xnet_geometry_get(const xnet_geometry_t *g, int k, const uint8_t **state,
                      const double **latency_s)
{
    if (!g || k < 0 || k >= g->kept || atomic_load(&g->status[k]) != READY) {
        return 0;
    }
    size_t at = (size_t)k * (size_t)g->candidates;
    *state = g->state + at;
    *latency_s = g->latency_s + at;
    return 1;
}

int xnet_geometry_claim(xnet_geometry_t *g, int k, uint8_t **state, double **latency_s)
{
    unsigned char empty = EMPTY;
    if (!g || k < 0 || k >= g->kept
        || !atomic_compare_exchange_strong(&g->status[k], &empty, FILLING)) {
        return 0;
    }
    size_t at = (size_t)k * (size_t)g->candidates;
    *state = g->state + at;
    *latency_s = g->latency_s + at;
    return 1;
}

void xnet_geometry_publish(xnet_geometry_t *g, int k)
{
    atomic_store(&g->status[k], READY);
}
