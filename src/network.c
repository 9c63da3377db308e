#include "network.h"

#include "error.h"
#include "geometry.h"
#include "memlimit.h"
#include "snapshot_cache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Graph cache budget; the cache is direct-mapped by snapshot index. */
#define GRAPH_CACHE_BYTES (64.0 * 1048576.0)

typedef struct {
    int snap; /* -1 when empty */
    igraph_t graph;
    igraph_vector_t weights;
} graph_slot_t;

struct xnet_network {
    xnet_walker_t walker;
    xnet_network_params_t params;
    unsigned long serial;
    int nodes, candidates;
    int words;                  /* 64-bit words per snapshot's row of link bits */
    xnet_link_t *links;
    uint64_t *outage_up;        /* snapshots x words: the two-state chain (NULL: independent) */
    uint64_t *user_on;          /* snapshots x words: the user's rule (NULL: none) */
    xnet_link_counts_t *counts; /* snapshots; total < 0 until computed */
    xnet_snapshot_t own;        /* the calling thread's snapshot (xnet_network_at) */
    xnet_geometry_t *geometry;  /* snapshots' link geometry, shared with reseeds (or NULL) */
    int slot_count;
    graph_slot_t *slots;
    void *attachment[XNET_ATTACH_SLOTS];
    void (*attachment_free[XNET_ATTACH_SLOTS])(void *);
};

/* Serial numbers tell networks apart in caches. */
static unsigned long next_serial = 1;

/* A user link as its unordered pair and its position in the list. */
typedef struct {
    int lo, hi, index;
} pair_at_t;

static int pair_order(const void *x, const void *y)
{
    const pair_at_t *a = x, *b = y;
    if (a->lo != b->lo) {
        return a->lo < b->lo ? -1 : 1;
    }
    if (a->hi != b->hi) {
        return a->hi < b->hi ? -1 : 1;
    }
    return (a->index > b->index) - (a->index < b->index);
}

/* XNET_EINVAL when two of the user's links join the same two satellites
 * (in either order): a pair has one link. O(n log n). */
static int check_links_distinct(const xnet_link_t *links, int n)
{
    pair_at_t *pairs = malloc(sizeof *pairs * (size_t)n);
    if (!pairs) {
        return xnet_fail(XNET_ENOMEM, "out of memory checking %d links", n);
    }
    for (int k = 0; k < n; k++) {
        int a = links[k].a, b = links[k].b;
        pairs[k] = (pair_at_t){a < b ? a : b, a < b ? b : a, k};
    }
    qsort(pairs, (size_t)n, sizeof *pairs, pair_order);
    int rc = XNET_OK;
    for (int k = 1; k < n && !rc; k++) {
        if (pairs[k].lo == pairs[k - 1].lo && pairs[k].hi == pairs[k - 1].hi) {
            const xnet_link_t *first = &links[pairs[k - 1].index], *again = &links[pairs[k].index];
            rc = xnet_fail(XNET_EINVAL, "link %d (%d, %d) repeats link %d (%d, %d): a pair of "
                           "satellites has one link", pairs[k].index, again->a, again->b,
                           pairs[k - 1].index, first->a, first->b);
        }
    }
    free(pairs);
    return rc;
}

xnet_network_params_t xnet_network_params_default(void)
{
    xnet_network_params_t p = {.snapshots = 200, .horizon_s = 0,
                               .link = xnet_link_params_default()};
    return p;
}

static double per_graph_bytes(int nodes, int candidates)
{
    return 48.0 * candidates + 16.0 * nodes + 256;
}

static int graph_slots(int nodes, int candidates, int snapshots)
{
    int count = (int)(GRAPH_CACHE_BYTES / per_graph_bytes(nodes, candidates));
    return count < 1 ? 1 : count > snapshots ? snapshots : count;
}

static double row_bytes(int candidates)
{
    return 8.0 * ((candidates + 63) / 64);
}

/* The geometry store's budget: a sixteenth of the snapshot cache's (4 MiB
 * by default: the paper's 200 snapshots of 1,056 satellites take 3.7 MB),
 * off with the cache. */
static double geometry_budget_bytes(void)
{
    return xnet_snapshot_cache_budget_bytes() / 16;
}

/* Everything a network of C candidate links holds, the bit rows sized for
 * the outage chain (markov) and the user's rule (rule); the graph cache
 * counted full. */
static double network_bytes(const xnet_walker_t *w, const xnet_network_params_t *p, int C,
                            int markov, int rule)
{
    int n = xnet_walker_count(w), T = p->snapshots;
    return 8.0 * C + (double)T * row_bytes(C) * (markov + rule)
         + (double)T * sizeof(xnet_link_counts_t)
         + 6.0 * sizeof(double) * n + (1.0 + sizeof(double)) * C
         + graph_slots(n, C, T) * per_graph_bytes(n, C)
         + xnet_geometry_bytes(T, C, geometry_budget_bytes());
}

/* A network with its arrays allocated and nothing computed. */
static int network_new(xnet_network_t **out, const xnet_walker_t *w,
                       const xnet_network_params_t *p, int candidates, int markov, int rule)
{
    xnet_network_t *net = calloc(1, sizeof *net);
    if (!net) {
        return xnet_fail(XNET_ENOMEM, "out of memory creating the network");
    }
    int T = p->snapshots;
    net->walker = *w;
    net->params = *p;
    net->params.custom_links = NULL; /* the caller's arrays: not kept */
    net->params.user_allowed = NULL;
    if (!(net->params.horizon_s > 0)) {
        net->params.horizon_s = xnet_walker_period_s(w);
    }
    net->serial = next_serial++;
    net->nodes = xnet_walker_count(w);
    net->candidates = candidates;
    net->words = (candidates + 63) / 64;
    net->own.snap = -1;
    size_t row = (size_t)T * (size_t)net->words;
    net->links = malloc(sizeof(xnet_link_t) * (size_t)candidates);
    net->outage_up = markov ? malloc(sizeof(uint64_t) * row) : NULL;
    net->user_on = rule ? malloc(sizeof(uint64_t) * row) : NULL;
    net->counts = malloc(sizeof(xnet_link_counts_t) * (size_t)T);
    int slots = graph_slots(net->nodes, candidates, T);
    net->slots = malloc(sizeof(graph_slot_t) * (size_t)slots);
    if (!net->links || (markov && !net->outage_up) || (rule && !net->user_on) || !net->counts
        || !net->slots || xnet_snapshot_alloc(&net->own, net)) {
        xnet_network_destroy(net);
        return xnet_fail(XNET_ENOMEM, "out of memory creating the network");
    }
    /* Counted only once marked empty: destroy reads slot_count slots. */
    for (int i = 0; i < slots; i++) {
        net->slots[i].snap = -1;
    }
    net->slot_count = slots;
    for (int k = 0; k < T; k++) {
        net->counts[k].total = -1;
    }
    *out = net;
    return XNET_OK;
}

/* The two-state outage chain of every link, run forward through the
 * snapshots (xnet_link_up), as bits. O(T * candidates). */
static int draw_outages(xnet_network_t *net)
{
    int C = net->candidates, rc;
    uint8_t *chain = calloc((size_t)C + 1, 1);
    if (!chain) {
        return xnet_fail(XNET_ENOMEM, "out of memory drawing the outages");
    }
    for (int k = 0; k < net->params.snapshots; k++) {
        if ((rc = xnet_check_interrupt())) {
            free(chain);
            return rc;
        }
        double dt_s = k ? xnet_network_time_s(net, k) - xnet_network_time_s(net, k - 1) : 0;
        uint64_t *row = net->outage_up + (size_t)k * (size_t)net->words;
        memset(row, 0, sizeof(uint64_t) * (size_t)net->words);
        for (int i = 0; i < C; i++) {
            row[i >> 6] |= (uint64_t)xnet_link_up(&net->params.link, k, i, dt_s, chain)
                        << (i & 63);
        }
    }
    free(chain);
    return XNET_OK;
}

int xnet_network_create(xnet_network_t **out, const xnet_walker_t *w,
                        const xnet_network_params_t *p)
{
    *out = NULL;
    int rc, candidates;
    if (p->snapshots < 1) {
        return xnet_fail(XNET_EINVAL, "snapshots must be >= 1, got %d", p->snapshots);
    }
    if (!(p->horizon_s >= 0) || !isfinite(p->horizon_s)) {
        return xnet_fail(XNET_EINVAL, "horizon_s must be > 0 and finite, got %g", p->horizon_s);
    }
    if ((rc = xnet_link_params_check(&p->link, w))) {
        return rc;
    }
    int nodes = xnet_walker_count(w);
    if (p->custom_links) {
        candidates = p->custom_count;
        if (candidates < 1) {
            return xnet_fail(XNET_EINVAL, "a network needs at least 1 link, got %d", candidates);
        }
        for (int k = 0; k < candidates; k++) {
            int a = p->custom_links[k].a, b = p->custom_links[k].b;
            if (a < 0 || a >= nodes || b < 0 || b >= nodes || a == b) {
                return xnet_fail(XNET_EINVAL, "link %d (%d, %d): ends must be two different "
                                 "satellites in [0, %d)", k, a, b, nodes);
            }
        }
        if ((rc = check_links_distinct(p->custom_links, candidates))) {
            return rc;
        }
    } else if ((rc = xnet_links_candidate_count(w, &candidates))) {
        return rc;
    }
    int markov = p->link.outage_markov, rule = p->user_allowed != NULL;
    if ((rc = xnet_limit_check(network_bytes(w, p, candidates, markov, rule),
                               "the snapshot series"))) {
        return rc;
    }
    xnet_network_t *net;
    if ((rc = network_new(&net, w, p, candidates, markov, rule))) {
        return rc;
    }
    if (p->custom_links) {
        memcpy(net->links, p->custom_links, sizeof(xnet_link_t) * (size_t)candidates);
    } else {
        xnet_links_candidates(w, net->links);
    }
    for (int k = 0; rule && k < p->snapshots; k++) {
        const uint8_t *allowed = p->user_allowed + (size_t)k * (size_t)candidates;
        uint64_t *row = net->user_on + (size_t)k * (size_t)net->words;
        memset(row, 0, sizeof(uint64_t) * (size_t)net->words);
        for (int i = 0; i < candidates; i++) {
            row[i >> 6] |= (uint64_t)(allowed[i] != 0) << (i & 63);
        }
    }
    if ((markov && (rc = draw_outages(net)))
        || (rc = xnet_geometry_create(&net->geometry, p->snapshots, candidates,
                                      geometry_budget_bytes()))) {
        xnet_network_destroy(net);
        return rc;
    }
    *out = net;
    return XNET_OK;
}

int xnet_network_reseed(xnet_network_t **out, const xnet_network_t *net, uint64_t seed)
{
    *out = NULL;
    int C = net->candidates, markov = net->outage_up != NULL, rule = net->user_on != NULL, rc;
    xnet_network_params_t p = net->params;
    p.link.seed = seed;
    if ((rc = xnet_limit_check(network_bytes(&net->walker, &p, C, markov, rule),
                               "the snapshot series"))) {
        return rc;
    }
    xnet_network_t *r;
    if ((rc = network_new(&r, &net->walker, &p, C, markov, rule))) {
        return rc;
    }
    memcpy(r->links, net->links, sizeof(xnet_link_t) * (size_t)C);
    if (rule) {
        memcpy(r->user_on, net->user_on,
               sizeof(uint64_t) * (size_t)p.snapshots * (size_t)net->words);
    }
    if (markov && (rc = draw_outages(r))) {
        xnet_network_destroy(r);
        return rc;
    }
    r->geometry = xnet_geometry_share(net->geometry); /* the same orbits, links and rule */
    *out = r;
    return XNET_OK;
}

void xnet_network_destroy(xnet_network_t *net)
{
    if (!net) {
        return;
    }
    for (int i = 0; i < XNET_ATTACH_SLOTS; i++) {
        xnet_network_attach(net, (xnet_attach_slot_t)i, NULL, NULL);
    }
    if (net->slots) {
        for (int i = 0; i < net->slot_count; i++) {
            if (net->slots[i].snap >= 0) {
                igraph_destroy(&net->slots[i].graph);
                igraph_vector_destroy(&net->slots[i].weights);
            }
        }
    }
    free(net->slots);
    free(net->links);
    free(net->outage_up);
    free(net->user_on);
    free(net->counts);
    xnet_snapshot_free(&net->own);
    xnet_geometry_release(net->geometry);
    free(net);
}

const xnet_walker_t *xnet_network_walker(const xnet_network_t *net) { return &net->walker; }
const xnet_network_params_t *xnet_network_params(const xnet_network_t *net) { return &net->params; }
int xnet_network_nodes(const xnet_network_t *net) { return net->nodes; }
int xnet_network_snapshots(const xnet_network_t *net) { return net->params.snapshots; }
unsigned long xnet_network_serial(const xnet_network_t *net) { return net->serial; }
int xnet_network_candidate_count(const xnet_network_t *net) { return net->candidates; }
const xnet_link_t *xnet_network_candidates(const xnet_network_t *net) { return net->links; }

double xnet_network_time_s(const xnet_network_t *net, int snap)
{
    return snap * net->params.horizon_s / net->params.snapshots;
}

double xnet_snapshot_bytes(const xnet_network_t *net)
{
    return 6.0 * sizeof(double) * net->nodes + (1.0 + sizeof(double)) * net->candidates;
}

int xnet_snapshot_alloc(xnet_snapshot_t *s, const xnet_network_t *net)
{
    s->snap = -1;
    s->sat_state = malloc(sizeof(double) * 6 * (size_t)net->nodes);
    s->state = malloc((size_t)net->candidates);
    s->latency_s = malloc(sizeof(double) * (size_t)net->candidates);
    if (!s->sat_state || !s->state || !s->latency_s) {
        xnet_snapshot_free(s);
        return xnet_fail(XNET_ENOMEM, "out of memory for a snapshot");
    }
    return XNET_OK;
}

void xnet_snapshot_free(xnet_snapshot_t *s)
{
    free(s->sat_state);
    free(s->state);
    free(s->latency_s);
    s->sat_state = s->latency_s = NULL;
    s->state = NULL;
    s->snap = -1;
}

void xnet_network_fill(const xnet_network_t *net, int snap, xnet_snapshot_t *s)
{
    size_t row = (size_t)snap * (size_t)net->words;
    const uint64_t *up = net->outage_up ? net->outage_up + row : NULL;
    const uint8_t *geo_state;
    const double *geo_latency_s;
    uint8_t *keep_state;
    double *keep_latency_s;
    int C = net->candidates;
    if (xnet_geometry_get(net->geometry, snap, &geo_state, &geo_latency_s)) {
        xnet_links_apply_outages(&net->params.link, C, snap, up, geo_state, geo_latency_s,
                                 s->state, s->latency_s, &s->counts);
    } else {
        xnet_links_evaluate(&net->walker, &net->params.link, net->links, C,
                            xnet_network_time_s(net, snap), snap,
                            net->user_on ? net->user_on + row : NULL, up, s->sat_state,
                            s->state, s->latency_s, &s->counts);
        if (xnet_geometry_claim(net->geometry, snap, &keep_state, &keep_latency_s)) {
            for (int k = 0; k < C; k++) {
                keep_state[k] = s->state[k] == XNET_LINK_OUTAGE ? XNET_LINK_ACTIVE : s->state[k];
            }
            memcpy(keep_latency_s, s->latency_s, sizeof(double) * (size_t)C);
            xnet_geometry_publish(net->geometry, snap);
        }
    }
    s->snap = snap;
}

const xnet_snapshot_t *xnet_network_at(xnet_network_t *net, int snap)
{
    if (net->own.snap != snap) {
        xnet_network_fill(net, snap, &net->own);
        net->counts[snap] = net->own.counts;
    }
    return &net->own;
}

const xnet_link_counts_t *xnet_network_counts(xnet_network_t *net, int snap)
{
    if (net->counts[snap].total < 0) {
        xnet_network_at(net, snap);
    }
    return &net->counts[snap];
}

xnet_network_bytes_t xnet_network_bytes(const xnet_network_t *net)
{
    double rows = (double)net->params.snapshots * row_bytes(net->candidates);
    xnet_network_bytes_t b = {
        .links = (double)sizeof(xnet_link_t) * net->candidates,
        .outage_bits = net->outage_up ? rows : 0,
        .rule_bits = net->user_on ? rows : 0,
        .counts = (double)sizeof(xnet_link_counts_t) * net->params.snapshots,
        .buffer = xnet_snapshot_bytes(net),
        .geometry = xnet_geometry_held_bytes(net->geometry),
    };
    for (int i = 0; i < net->slot_count; i++) {
        if (net->slots[i].snap >= 0) {
            b.graphs += per_graph_bytes(net->nodes, net->candidates);
        }
    }
    return b;
}

static int build_graph(xnet_network_t *net, int snap, graph_slot_t *slot)
{
    const xnet_snapshot_t *s = xnet_network_at(net, snap);
    const uint8_t *state = s->state;
    const double *lat = s->latency_s;
    int active = s->counts.active;
    igraph_vector_int_t edges;
    IGRAPH_CHECK(igraph_vector_int_init(&edges, 2 * (igraph_integer_t)active));
    IGRAPH_FINALLY(igraph_vector_int_destroy, &edges);
    IGRAPH_CHECK(igraph_vector_init(&slot->weights, active));
    IGRAPH_FINALLY(igraph_vector_destroy, &slot->weights);
    igraph_integer_t m = 0;
    for (int k = 0; k < net->candidates; k++) {
        if (state[k] == XNET_LINK_ACTIVE) {
            VECTOR(edges)[2 * m] = net->links[k].a;
            VECTOR(edges)[2 * m + 1] = net->links[k].b;
            VECTOR(slot->weights)[m] = lat[k];
            m++;
        }
    }
    IGRAPH_CHECK(igraph_create(&slot->graph, &edges, net->nodes, IGRAPH_UNDIRECTED));
    igraph_vector_int_destroy(&edges);
    IGRAPH_FINALLY_CLEAN(2);
    slot->snap = snap;
    return IGRAPH_SUCCESS;
}

int xnet_network_graph(xnet_network_t *net, int snap, const igraph_t **graph,
                       const igraph_vector_t **weights)
{
    graph_slot_t *slot = &net->slots[snap % net->slot_count];
    if (slot->snap != snap) {
        if (slot->snap >= 0) {
            igraph_destroy(&slot->graph);
            igraph_vector_destroy(&slot->weights);
            slot->snap = -1;
        }
        if (build_graph(net, snap, slot) != IGRAPH_SUCCESS) {
            return XNET_EGRAPH;
        }
    }
    *graph = &slot->graph;
    *weights = &slot->weights;
    return XNET_OK;
}

void *xnet_network_attachment(const xnet_network_t *net, xnet_attach_slot_t slot)
{
    return net->attachment[slot];
}

void xnet_network_attach(xnet_network_t *net, xnet_attach_slot_t slot, void *data,
                         void (*free_fn)(void *))
{
    if (net->attachment_free[slot]) {
        net->attachment_free[slot](net->attachment[slot]);
    }
    net->attachment[slot] = data;
    net->attachment_free[slot] = free_fn;
}
