#include "snapshot_cache.h"

#include "error.h"
#include "memlimit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 64 MiB: the graph cache's budget (network.c); it keeps every snapshot of
 * the paper's 33 x 32 shell (52 kB each) up to about 1,200 snapshots and of
 * Starlink's first shell (1,584 satellites, 82 kB) up to about 800, and 30
 * of a 40,000-satellite shell's 2 MB snapshots, while two networks (the
 * scoring one and the placement's own outage draws) add at most 128 MiB. */
static double budget_bytes = 64.0 * 1048576.0;

double xnet_snapshot_cache_budget_bytes(void) { return budget_bytes; }
void xnet_set_snapshot_cache_budget_bytes(double bytes) { budget_bytes = bytes > 0 ? bytes : 0; }

double xnet_arcs_bytes(int nodes, int arcs)
{
    return sizeof(int) * ((double)nodes + 1) + (sizeof(int) + sizeof(double)) * (double)arcs;
}

int xnet_arcs_alloc(xnet_arcs_t *a, int nodes, int links)
{
    a->first = malloc(sizeof(int) * ((size_t)nodes + 1));
    a->head = malloc(sizeof(int) * 2 * ((size_t)links + 1));
    a->arc_s = malloc(sizeof(double) * 2 * ((size_t)links + 1));
    a->shortest_s = INFINITY;
    a->longest_s = 0;
    if (!a->first || !a->head || !a->arc_s) {
        xnet_arcs_free(a);
        return xnet_fail(XNET_ENOMEM, "out of memory for the arcs of %d links", links);
    }
    return XNET_OK;
}

void xnet_arcs_free(xnet_arcs_t *a)
{
    free(a->first);
    free(a->head);
    free(a->arc_s);
    a->first = a->head = NULL;
    a->arc_s = NULL;
}

void xnet_arcs_build(xnet_arcs_t *a, int nodes, int links, const xnet_link_t *link,
                     const uint8_t *state, const double *latency_s, int *cursor)
{
    int *first = a->first;
    memset(first, 0, sizeof(int) * ((size_t)nodes + 1));
    for (int i = 0; i < links; i++) {
        if (!state || state[i] == XNET_LINK_ACTIVE) {
            first[link[i].a + 1]++;
            first[link[i].b + 1]++;
        }
    }
    for (int v = 0; v < nodes; v++) {
        first[v + 1] += first[v];
    }
    memcpy(cursor, first, sizeof(int) * (size_t)nodes);
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < links; i++) {
        if (!state || state[i] == XNET_LINK_ACTIVE) {
            int u = link[i].a, v = link[i].b, iu = cursor[u]++, iv = cursor[v]++;
            a->head[iu] = v;
            a->arc_s[iu] = latency_s[i];
            a->head[iv] = u;
            a->arc_s[iv] = latency_s[i];
            lo = latency_s[i] < lo ? latency_s[i] : lo;
            hi = latency_s[i] > hi ? latency_s[i] : hi;
        }
    }
    a->shortest_s = lo;
    a->longest_s = hi;
}

/* Room for one snapshot's arcs; computed once a worker has built them. */
typedef struct {
    xnet_arcs_t arcs;
    double bytes; /* of its arrays */
    int computed;
} room_t;

/* Snapshots [0, kept) are kept; [kept, reserved) have room, made by the
 * last prepare, that a worker may be filling. Kept snapshots are a prefix
 * so that what is held is bounded by the budget, not by T. */
struct xnet_snapshot_cache {
    int nodes, links;
    int kept, reserved, capacity;
    room_t *room;       /* capacity */
    double bytes;       /* the arrays of every room and the room table */
};

static void cache_free(void *p)
{
    xnet_snapshot_cache_t *c = p;
    for (int k = 0; c && k < c->reserved; k++) {
        xnet_arcs_free(&c->room[k].arcs);
    }
    if (c) {
        free(c->room);
    }
    free(c);
}

/* Bytes the network holds besides its snapshot cache. */
static double network_other_bytes(const xnet_network_t *net)
{
    xnet_network_bytes_t b = xnet_network_bytes(net);
    return b.links + b.outage_bits + b.rule_bits + b.counts + b.buffer + b.graphs + b.geometry;
}

/* Room for snapshot `reserved`, if it fits within `room_limit` bytes. */
static int reserve_one(xnet_snapshot_cache_t *c, double room_limit)
{
    double need = xnet_arcs_bytes(c->nodes, 2 * c->links);
    double table = 0;
    int capacity = c->capacity;
    if (c->reserved == capacity) {
        capacity = capacity ? 2 * capacity : 16;
        table = (double)(capacity - c->capacity) * sizeof(room_t);
    }
    if (c->bytes + table + need > room_limit) {
        return 0;
    }
    if (capacity != c->capacity) {
        room_t *grown = realloc(c->room, sizeof(room_t) * (size_t)capacity);
        if (!grown) {
            return 0;
        }
        c->room = grown;
        c->capacity = capacity;
        c->bytes += table;
    }
    room_t *r = &c->room[c->reserved];
    if (xnet_arcs_alloc(&r->arcs, c->nodes, c->links)) {
        return 0;
    }
    r->computed = 0;
    r->bytes = need;
    c->reserved++;
    c->bytes += need;
    return 1;
}

xnet_snapshot_cache_t *xnet_snapshot_cache_prepare(xnet_network_t *net, int t0, int t1)
{
    xnet_snapshot_cache_t *c = xnet_network_attachment(net, XNET_ATTACH_SNAPSHOTS);
    if (c && c->bytes > budget_bytes) {
        xnet_network_attach(net, XNET_ATTACH_SNAPSHOTS, NULL, NULL);
        c = NULL;
    }
    if (!(budget_bytes > 0)) {
        return NULL;
    }
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) {
            return NULL;
        }
        c->nodes = xnet_network_nodes(net);
        c->links = xnet_network_candidate_count(net);
        xnet_network_attach(net, XNET_ATTACH_SNAPSHOTS, c, cache_free);
    }
    /* within the budget, and the whole network within the memory limit */
    double room_limit = xnet_memory_limit_bytes() - network_other_bytes(net);
    room_limit = room_limit < budget_bytes ? room_limit : budget_bytes;
    while (c->reserved >= t0 && c->reserved < t1 && reserve_one(c, room_limit)) {
    }
    return c;
}

/* A kept snapshot's arcs were last read long ago: the search reads them in
 * vertex order, at random, one cache miss at a time. Asking for them all
 * first streams them in, which halves the first search's time on 33 x 32
 * (bench_kernel). A hint only: nothing is read or written. */
static void prefetch_arcs(const xnet_arcs_t *a, int nodes)
{
#if defined(__GNUC__)
    enum { LINE_BYTES = 64 };
    int arcs = a->first[nodes];
    for (size_t b = 0; b < sizeof(int) * ((size_t)nodes + 1); b += LINE_BYTES) {
        __builtin_prefetch((const char *)a->first + b);
    }
    for (size_t b = 0; b < sizeof(int) * (size_t)arcs; b += LINE_BYTES) {
        __builtin_prefetch((const char *)a->head + b);
    }
    for (size_t b = 0; b < sizeof(double) * (size_t)arcs; b += LINE_BYTES) {
        __builtin_prefetch((const char *)a->arc_s + b);
    }
#else
    (void)a;
    (void)nodes;
#endif
}

const xnet_arcs_t *xnet_snapshot_arcs(xnet_snapshot_cache_t *cache, const xnet_network_t *net,
                                      int k, xnet_snapshot_t *snap, int *cursor,
                                      xnet_arcs_t *own)
{
    if (cache && k < cache->kept) {
        prefetch_arcs(&cache->room[k].arcs, cache->nodes);
        return &cache->room[k].arcs;
    }
    room_t *room = cache && k < cache->reserved ? &cache->room[k] : NULL;
    xnet_arcs_t *into = room ? &room->arcs : own;
    xnet_network_fill(net, k, snap);
    xnet_arcs_build(into, xnet_network_nodes(net), xnet_network_candidate_count(net),
                    xnet_network_candidates(net), snap->state, snap->latency_s, cursor);
    if (room) {
        room->computed = 1;
    }
    return into;
}

void xnet_snapshot_cache_settle(xnet_snapshot_cache_t *c)
{
    if (!c) {
        return;
    }
    for (; c->kept < c->reserved && c->room[c->kept].computed; c->kept++) {
        room_t *r = &c->room[c->kept];
        int arcs = r->arcs.first[c->nodes];
        /* shrinking keeps the contents; a failure only keeps more */
        int *head = realloc(r->arcs.head, sizeof(int) * ((size_t)arcs + 1));
        double *arc_s = realloc(r->arcs.arc_s, sizeof(double) * ((size_t)arcs + 1));
        r->arcs.head = head ? head : r->arcs.head;
        r->arcs.arc_s = arc_s ? arc_s : r->arcs.arc_s;
        if (head && arc_s) {
            c->bytes -= r->bytes - xnet_arcs_bytes(c->nodes, arcs);
            r->bytes = xnet_arcs_bytes(c->nodes, arcs);
        }
    }
    /* room not computed (an interrupt, a failure) and any after it */
    for (int k = c->kept; k < c->reserved; k++) {
        xnet_arcs_free(&c->room[k].arcs);
        c->bytes -= c->room[k].bytes;
    }
    c->reserved = c->kept;
}

double xnet_snapshot_cache_bytes(const xnet_network_t *net)
{
    const xnet_snapshot_cache_t *c = xnet_network_attachment(net, XNET_ATTACH_SNAPSHOTS);
    return c ? c->bytes : 0;
}

int xnet_snapshot_cache_kept(const xnet_network_t *net)
{
    const xnet_snapshot_cache_t *c = xnet_network_attachment(net, XNET_ATTACH_SNAPSHOTS);
    return c ? c->kept : 0;
}
