#include "sweep.h"

#include "error.h"
#include "memlimit.h"
#include "paths.h"

#include <stdlib.h>
#include <string.h>

/* Cache budget: the larger of one sweep and this many bytes. */
#define SWEEP_CACHE_BYTES (512.0 * 1048576.0)
#define SWEEP_CACHE_ENTRIES 8

typedef struct {
    xnet_sweep_t *entry[SWEEP_CACHE_ENTRIES]; /* most recent first */
} sweep_cache;

static void sweep_destroy(xnet_sweep_t *s)
{
    if (s) {
        free(s->source);
        free(s->dist);
        free(s);
    }
}

static void cache_free(void *p)
{
    sweep_cache *c = p;
    for (int i = 0; i < SWEEP_CACHE_ENTRIES; i++) {
        sweep_destroy(c->entry[i]);
    }
    free(c);
}

static double sweep_bytes(const xnet_sweep_t *s)
{
    return (double)s->snapshots * s->sources * s->nodes * sizeof(double);
}

static int sweep_build(xnet_network_t *net, const int *sources, int count, xnet_sweep_t **out)
{
    int T = xnet_network_snapshots(net), n = xnet_network_nodes(net), rc;
    double bytes = (double)T * count * n * sizeof(double);
    if ((rc = xnet_paths_check(net, 0, sources, count))
        || (rc = xnet_limit_check(bytes, "the gateway latency sweep (snapshots x gateways x "
                                         "satellites)"))) {
        return rc;
    }
    xnet_sweep_t *s = calloc(1, sizeof *s);
    if (s) {
        s->source = malloc(sizeof(int) * (size_t)count);
        s->dist = malloc((size_t)bytes);
    }
    if (!s || !s->source || !s->dist) {
        sweep_destroy(s);
        return xnet_fail(XNET_ENOMEM, "out of memory for the gateway sweep (%.1f MiB)",
                         bytes / 1048576.0);
    }
    s->snapshots = T;
    s->sources = count;
    s->nodes = n;
    memcpy(s->source, sources, sizeof(int) * (size_t)count);
    for (int k = 0; k < T; k++) {
        double *rows = s->dist + (size_t)k * (size_t)count * (size_t)n;
        if ((rc = xnet_paths_latency(net, k, sources, count, rows))) {
            sweep_destroy(s);
            return rc;
        }
    }
    *out = s;
    return XNET_OK;
}

int xnet_sweep_get(xnet_network_t *net, const int *sources, int count, const xnet_sweep_t **out)
{
    sweep_cache *c = xnet_network_attachment(net);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) {
            return xnet_fail(XNET_ENOMEM, "out of memory");
        }
        xnet_network_attach(net, c, cache_free);
    }
    for (int i = 0; i < SWEEP_CACHE_ENTRIES && c->entry[i]; i++) {
        xnet_sweep_t *s = c->entry[i];
        if (s->sources == count && memcmp(s->source, sources, sizeof(int) * (size_t)count) == 0) {
            memmove(c->entry + 1, c->entry, sizeof(c->entry[0]) * (size_t)i);
            c->entry[0] = s;
            *out = s;
            return XNET_OK;
        }
    }
    xnet_sweep_t *s = NULL;
    int rc = sweep_build(net, sources, count, &s);
    if (rc) {
        return rc;
    }
    /* Insert first; evict from the end past the entry count or the budget. */
    sweep_destroy(c->entry[SWEEP_CACHE_ENTRIES - 1]);
    memmove(c->entry + 1, c->entry, sizeof(c->entry[0]) * (SWEEP_CACHE_ENTRIES - 1));
    c->entry[0] = s;
    double total = sweep_bytes(s);
    for (int i = 1; i < SWEEP_CACHE_ENTRIES && c->entry[i]; i++) {
        total += sweep_bytes(c->entry[i]);
        if (total > SWEEP_CACHE_BYTES) {
            for (int j = i; j < SWEEP_CACHE_ENTRIES; j++) {
                sweep_destroy(c->entry[j]);
                c->entry[j] = NULL;
            }
            break;
        }
    }
    *out = s;
    return XNET_OK;
}
