#include "network.h"

#include "error.h"
#include "memlimit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Graph cache budget; the cache is direct-mapped by snapshot index. */
#define GRAPH_CACHE_BYTES (256.0 * 1048576.0)

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
    xnet_link_t *links;
    uint8_t *states;           /* snapshots x candidates */
    double *latencies;         /* snapshots x candidates */
    xnet_link_counts_t *counts; /* snapshots */
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
    double T = p->snapshots;
    double per_graph = 48.0 * candidates + 16.0 * nodes + 256;
    double bytes = T * candidates * (sizeof(uint8_t) + sizeof(double)) + 8.0 * candidates
                 + 48.0 * nodes + T * sizeof(xnet_link_counts_t);
    int slot_count = (int)(GRAPH_CACHE_BYTES / per_graph);
    slot_count = slot_count < 1 ? 1 : slot_count > p->snapshots ? p->snapshots : slot_count;
    if ((rc = xnet_limit_check(bytes + slot_count * per_graph, "the snapshot series"))) {
        return rc;
    }

    xnet_network_t *net = calloc(1, sizeof *net);
    double *scratch = malloc(sizeof(double) * 6 * (size_t)nodes + (size_t)candidates);
    if (!net || !scratch) {
        free(net);
        free(scratch);
        return xnet_fail(XNET_ENOMEM, "out of memory creating the network");
    }
    net->walker = *w;
    net->params = *p;
    if (!(net->params.horizon_s > 0)) {
        net->params.horizon_s = xnet_walker_period_s(w);
    }
    net->serial = next_serial++;
    net->nodes = nodes;
    net->candidates = candidates;
    size_t cells = (size_t)p->snapshots * (size_t)candidates;
    net->links = malloc(sizeof(xnet_link_t) * (size_t)candidates);
    net->states = malloc(cells);
    net->latencies = malloc(sizeof(double) * cells);
    net->counts = malloc(sizeof(xnet_link_counts_t) * (size_t)p->snapshots);
    net->slots = malloc(sizeof(graph_slot_t) * (size_t)slot_count);
    if (!net->links || !net->states || !net->latencies || !net->counts || !net->slots) {
        free(scratch);
        xnet_network_destroy(net);
        return xnet_fail(XNET_ENOMEM, "out of memory creating the network");
    }
    /* Counted only once marked empty: destroy reads slot_count slots. */
    for (int i = 0; i < slot_count; i++) {
        net->slots[i].snap = -1;
    }
    net->slot_count = slot_count;
    if (p->custom_links) {
        memcpy(net->links, p->custom_links, sizeof(xnet_link_t) * (size_t)candidates);
    } else {
        xnet_links_candidates(w, net->links);
    }
    for (int k = 0; k < p->snapshots; k++) {
        if ((rc = xnet_check_interrupt())) {
            free(scratch);
            xnet_network_destroy(net);
            return rc;
        }
        size_t off = (size_t)k * (size_t)candidates;
        double dt_s = k ? xnet_network_time_s(net, k) - xnet_network_time_s(net, k - 1) : 0;
        xnet_links_evaluate(w, &net->params.link, net->links, candidates,
                            xnet_network_time_s(net, k), k, dt_s,
                            p->user_allowed ? p->user_allowed + off : NULL, scratch,
                            (uint8_t *)(scratch + 6 * (size_t)nodes), net->states + off,
                            net->latencies + off, &net->counts[k]);
    }
    net->params.custom_links = NULL; /* the caller's arrays: not kept */
    net->params.user_allowed = NULL;
    free(scratch);
    *out = net;
    return XNET_OK;
}

int xnet_network_reseed(xnet_network_t **out, const xnet_network_t *net, uint64_t seed)
{
    *out = NULL;
    int T = net->params.snapshots, C = net->candidates, rc;
    size_t cells = (size_t)T * (size_t)C;
    double per_graph = 48.0 * C + 16.0 * net->nodes + 256;
    if ((rc = xnet_limit_check((double)cells * (1 + sizeof(double)) + 8.0 * C
                                   + net->slot_count * per_graph,
                               "the snapshot series"))) {
        return rc;
    }
    xnet_network_t *r = calloc(1, sizeof *r);
    uint8_t *chain = calloc((size_t)C + 1, 1);
    if (r) {
        r->links = malloc(sizeof(xnet_link_t) * (size_t)C);
        r->states = malloc(cells);
        r->latencies = malloc(sizeof(double) * cells);
        r->counts = malloc(sizeof(xnet_link_counts_t) * (size_t)T);
        r->slots = malloc(sizeof(graph_slot_t) * (size_t)net->slot_count);
    }
    if (!r || !chain || !r->links || !r->states || !r->latencies || !r->counts || !r->slots) {
        free(chain);
        xnet_network_destroy(r);
        return xnet_fail(XNET_ENOMEM, "out of memory copying the network");
    }
    r->walker = net->walker;
    r->params = net->params;
    r->params.link.seed = seed;
    r->serial = next_serial++;
    r->nodes = net->nodes;
    r->candidates = C;
    for (int i = 0; i < net->slot_count; i++) {
        r->slots[i].snap = -1;
    }
    r->slot_count = net->slot_count;
    memcpy(r->links, net->links, sizeof(xnet_link_t) * (size_t)C);
    memcpy(r->states, net->states, cells);
    memcpy(r->latencies, net->latencies, sizeof(double) * cells);
    memcpy(r->counts, net->counts, sizeof(xnet_link_counts_t) * (size_t)T);
    for (int k = 0; k < T; k++) {
        uint8_t *state = r->states + (size_t)k * (size_t)C;
        double dt_s = k ? xnet_network_time_s(r, k) - xnet_network_time_s(r, k - 1) : 0;
        xnet_link_counts_t *c = &r->counts[k];
        c->active = c->outage = 0;
        for (int i = 0; i < C; i++) {
            int up = xnet_link_up(&r->params.link, k, i, dt_s, chain);
            if (state[i] == XNET_LINK_ACTIVE || state[i] == XNET_LINK_OUTAGE) {
                state[i] = up ? XNET_LINK_ACTIVE : XNET_LINK_OUTAGE;
                c->active += up;
                c->outage += !up;
            }
        }
    }
    free(chain);
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
    free(net->states);
    free(net->latencies);
    free(net->counts);
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

const uint8_t *xnet_network_link_states(const xnet_network_t *net, int snap)
{
    return net->states + (size_t)snap * (size_t)net->candidates;
}

const double *xnet_network_link_latencies(const xnet_network_t *net, int snap)
{
    return net->latencies + (size_t)snap * (size_t)net->candidates;
}

const xnet_link_counts_t *xnet_network_counts(const xnet_network_t *net, int snap)
{
    return &net->counts[snap];
}

static int build_graph(const xnet_network_t *net, int snap, graph_slot_t *slot)
{
    const uint8_t *state = xnet_network_link_states(net, snap);
    const double *lat = xnet_network_link_latencies(net, snap);
    int active = net->counts[snap].active;
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
