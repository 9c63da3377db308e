#include "ring.h"

#include "error.h"
#include "memlimit.h"
#include "pool.h"
#include "query.h"
#include "snapshot_cache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Costs closer than this (relative) are a tie, broken by the lower id: the
 * two centres of a symmetric subnet differ only by rounding. */
#define TIE_RELATIVE 1e-12

/* --- making rings ---------------------------------------------------------- */

void xnet_ring_destroy(xnet_ring_t *ring)
{
    if (ring) {
        free(ring->first);
        free(ring->members);
        free(ring->gateway);
        free(ring);
    }
}

static int ring_alloc(xnet_ring_t **out, int nodes, int layers, int total)
{
    xnet_ring_t *r = calloc(1, sizeof *r);
    if (!r) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the ring");
    }
    r->layers = layers;
    r->nodes = nodes;
    r->first = malloc(sizeof(int) * ((size_t)layers + 1));
    r->members = malloc(sizeof(int) * (size_t)(total ? total : 1));
    r->gateway = malloc(sizeof(int) * (size_t)layers);
    if (!r->first || !r->members || !r->gateway) {
        xnet_ring_destroy(r);
        return xnet_fail(XNET_ENOMEM, "out of memory for the ring");
    }
    *out = r;
    return XNET_OK;
}

static void index_gateways(xnet_ring_t *r)
{
    for (int l = 0; l < r->layers; l++) {
        r->gateway[l] = r->members[r->first[l] + (r->first[l + 1] - r->first[l]) / 2];
    }
}

int xnet_ring_cut(xnet_ring_t **out, const xnet_walker_t *w, int layers, int band_planes)
{
    *out = NULL;
    int n = xnet_walker_count(w), P = w->planes, S = w->sats;
    if (layers < 1 || layers > n) {
        return xnet_fail(XNET_EINVAL, "layers must be in [1, %d] (satellites), got %d", n, layers);
    }
    if (band_planes < 1 || band_planes > P) {
        return xnet_fail(XNET_EINVAL, "band_planes must be in [1, %d] (planes), got %d", P,
                         band_planes);
    }
    xnet_ring_t *r;
    int rc = ring_alloc(&r, n, layers, n);
    if (rc) {
        return rc;
    }
    r->band_planes = band_planes;
    int o = 0, row = 0;
    for (int b = 0; b * band_planes < P; b++) {
        int p0 = b * band_planes, width = P - p0 < band_planes ? P - p0 : band_planes;
        for (int j = 0; j < S; j++, row++) {
            int s = b % 2 ? S - 1 - j : j;
            for (int i = 0; i < width; i++) {
                int p = row % 2 ? p0 + width - 1 - i : p0 + i;
                r->members[o++] = p * S + s;
            }
        }
    }
    for (int l = 0; l <= layers; l++) {
        r->first[l] = (int)((long long)l * n / layers);
    }
    index_gateways(r);
    *out = r;
    return XNET_OK;
}

int xnet_ring_from_subnets(xnet_ring_t **out, int nodes, int layers, const int *sizes,
                           const int *members, const int *gateways)
{
    *out = NULL;
    if (layers < 1) {
        return xnet_fail(XNET_EINVAL, "a ring needs at least 1 subnet, got %d", layers);
    }
    long long total = 0;
    for (int l = 0; l < layers; l++) {
        if (sizes[l] < 1) {
            return xnet_fail(XNET_EINVAL, "subnet %d is empty", l);
        }
        total += sizes[l];
    }
    if (total > nodes) {
        return xnet_fail(XNET_EINVAL, "the subnets hold %lld satellites, more than the %d there are",
                         total, nodes);
    }
    int *owner = malloc(sizeof(int) * (size_t)nodes);
    if (!owner) {
        return xnet_fail(XNET_ENOMEM, "out of memory checking the ring");
    }
    for (int i = 0; i < nodes; i++) {
        owner[i] = -1;
    }
    int rc = XNET_OK, k = 0;
    for (int l = 0; l < layers && !rc; l++) {
        for (int j = 0; j < sizes[l] && !rc; j++, k++) {
            int s = members[k];
            if (s < 0 || s >= nodes) {
                rc = xnet_fail(XNET_EINVAL, "subnet %d: satellite %d out of range [0, %d)", l, s,
                               nodes);
            } else if (owner[s] >= 0) {
                rc = xnet_fail(XNET_EINVAL, "satellite %d is in subnet %d and subnet %d", s,
                               owner[s], l);
            } else {
                owner[s] = l;
            }
        }
    }
    for (int l = 0; gateways && l < layers && !rc; l++) {
        int g = gateways[l];
        if (g < 0 || g >= nodes || owner[g] != l) {
            rc = xnet_fail(XNET_EINVAL, "gateway %d of layer %d is not in subnet %d", g, l, l);
        }
    }
    free(owner);
    xnet_ring_t *r;
    if (rc || (rc = ring_alloc(&r, nodes, layers, (int)total))) {
        return rc;
    }
    memcpy(r->members, members, sizeof(int) * (size_t)total);
    r->first[0] = 0;
    for (int l = 0; l < layers; l++) {
        r->first[l + 1] = r->first[l] + sizes[l];
    }
    if (gateways) {
        memcpy(r->gateway, gateways, sizeof(int) * (size_t)layers);
    } else {
        index_gateways(r);
    }
    *out = r;
    return XNET_OK;
}

/* --- the mean-latency graph -------------------------------------------------- */

/* The candidate links the geometry allows in at least half of the snapshots
 * (outage draws ignored), each weighted by its mean latency over the
 * snapshots in which the geometry allows it. */
typedef struct {
    int nodes, edges;
    int *a, *b;
    igraph_t graph;
    igraph_vector_t weights;
    int built;
} mean_graph;

static void mean_graph_free(mean_graph *g)
{
    if (g->built) {
        igraph_destroy(&g->graph);
        igraph_vector_destroy(&g->weights);
    }
    free(g->a);
    free(g->b);
    memset(g, 0, sizeof *g);
}

static igraph_error_t mean_graph_igraph(mean_graph *g, const double *w)
{
    igraph_vector_int_t edges;
    IGRAPH_CHECK(igraph_vector_int_init(&edges, 2 * (igraph_integer_t)g->edges));
    IGRAPH_FINALLY(igraph_vector_int_destroy, &edges);
    for (int e = 0; e < g->edges; e++) {
        VECTOR(edges)[2 * e] = g->a[e];
        VECTOR(edges)[2 * e + 1] = g->b[e];
    }
    IGRAPH_CHECK(igraph_vector_init(&g->weights, g->edges));
    IGRAPH_FINALLY(igraph_vector_destroy, &g->weights);
    for (int e = 0; e < g->edges; e++) {
        VECTOR(g->weights)[e] = w[e];
    }
    IGRAPH_CHECK(igraph_create(&g->graph, &edges, g->nodes, IGRAPH_UNDIRECTED));
    igraph_vector_int_destroy(&edges);
    IGRAPH_FINALLY_CLEAN(2);
    return IGRAPH_SUCCESS;
}

typedef struct {
    const xnet_network_t *net;
    xnet_snapshot_cache_t *cache;
    xnet_snapshot_t *snap; /* one per task of a round */
    xnet_arcs_t *own;      /* one per task: arcs the cache has no room for */
    int *cursor;           /* nodes per task */
    int k0, kept;
} fill_job;

/* Snapshot k0 + i into snap[i]; one the path kernel's cache does not keep
 * yet is computed through the cache, which keeps its arcs when it has room
 * (the queries that follow then read them instead of computing it again). */
static int fill_task(void *ctx, int worker, int i)
{
    (void)worker;
    const fill_job *j = ctx;
    int k = j->k0 + i;
    if (k < j->kept || !j->cache) {
        xnet_network_fill(j->net, k, &j->snap[i]);
    } else {
        size_t n = (size_t)xnet_network_nodes(j->net);
        (void)xnet_snapshot_arcs(j->cache, j->net, k, &j->snap[i], j->cursor + (size_t)i * n,
                                 &j->own[i]);
    }
    return XNET_OK;
}

static int mean_graph_build(mean_graph *g, xnet_network_t *net)
{
    memset(g, 0, sizeof *g);
    int C = xnet_network_candidate_count(net), T = xnet_network_snapshots(net), rc;
    const xnet_link_t *links = xnet_network_candidates(net);
    /* snapshots computed a round at a time on the workers, summed here in
     * snapshot order (the same bits for any number of workers), their arcs
     * kept for the path kernel where its cache has room */
    int round = xnet_workers() * 2, made = 0;
    round = round > T ? T : round;
    if ((rc = xnet_limit_check(round * (xnet_snapshot_bytes(net)
                                        + xnet_arcs_bytes(xnet_network_nodes(net), 2 * C)),
                               "the mean-latency graph"))) {
        return rc;
    }
    xnet_snapshot_t *snap = calloc((size_t)round, sizeof *snap);
    xnet_arcs_t *own = calloc((size_t)round, sizeof *own);
    double *sum = calloc((size_t)C + 1, sizeof *sum);
    int *count = calloc((size_t)C + 1, sizeof *count);
    g->nodes = xnet_network_nodes(net);
    int *cursor = malloc(sizeof(int) * (size_t)round * ((size_t)g->nodes + 1));
    g->a = malloc(sizeof(int) * ((size_t)C + 1));
    g->b = malloc(sizeof(int) * ((size_t)C + 1));
    rc = snap && own && sum && count && cursor && g->a && g->b
             ? XNET_OK : xnet_fail(XNET_ENOMEM, "out of memory for the mean-latency graph");
    for (; !rc && made < round; made++) {
        if (xnet_snapshot_alloc(&snap[made], net) || xnet_arcs_alloc(&own[made], g->nodes, C)) {
            rc = xnet_fail(XNET_ENOMEM, "out of memory for the mean-latency graph");
        }
    }
    for (int k0 = 0; k0 < T && !rc; k0 += round) {
        int n = k0 + round < T ? round : T - k0;
        fill_job job = {net, NULL, snap, own, cursor, k0, xnet_snapshot_cache_kept(net)};
        job.cache = xnet_snapshot_cache_prepare(net, k0, k0 + n);
        rc = xnet_pool_run(n, xnet_workers(), fill_task, &job);
        xnet_snapshot_cache_settle(job.cache);
        if (rc) {
            break;
        }
        for (int i = 0; i < n; i++) {
            const uint8_t *state = snap[i].state;
            const double *lat = snap[i].latency_s;
            for (int c = 0; c < C; c++) {
                if (state[c] == XNET_LINK_ACTIVE || state[c] == XNET_LINK_OUTAGE) {
                    sum[c] += lat[c];
                    count[c]++;
                }
            }
        }
    }
    for (int i = 0; snap && own && i < made; i++) {
        xnet_snapshot_free(&snap[i]);
        xnet_arcs_free(&own[i]);
    }
    free(snap);
    free(own);
    free(cursor);
    for (int c = 0; !rc && c < C; c++) {
        if (2 * count[c] >= T) {
            g->a[g->edges] = links[c].a;
            g->b[g->edges] = links[c].b;
            sum[g->edges++] = sum[c] / count[c];
        }
    }
    free(count);
    if (!rc) {
        rc = mean_graph_igraph(g, sum) == IGRAPH_SUCCESS ? XNET_OK : XNET_EGRAPH;
    }
    free(sum);
    if (rc) {
        mean_graph_free(g);
        return rc;
    }
    g->built = 1;
    return XNET_OK;
}

static void mean_graph_release(void *p)
{
    if (p) {
        mean_graph_free(p);
        free(p);
    }
}

/* The network's mean-latency graph, built once and kept with it (its size
 * does not depend on the snapshots). */
static int mean_graph_of(xnet_network_t *net, const mean_graph **out)
{
    mean_graph *g = xnet_network_attachment(net, XNET_ATTACH_MEAN_GRAPH);
    if (!g) {
        int rc;
        if (!(g = malloc(sizeof *g))) {
            return xnet_fail(XNET_ENOMEM, "out of memory for the mean-latency graph");
        }
        if ((rc = mean_graph_build(g, net))) {
            free(g);
            return rc;
        }
        xnet_network_attach(net, XNET_ATTACH_MEAN_GRAPH, g, mean_graph_release);
    }
    *out = g;
    return XNET_OK;
}

/* Distances from one source to every satellite on the mean graph. */
static int distances_from(const mean_graph *g, int src, double *out)
{
    igraph_matrix_t res;
    if (igraph_matrix_init(&res, 0, 0) != IGRAPH_SUCCESS) {
        return XNET_EGRAPH;
    }
    int rc = XNET_OK;
    if (igraph_distances_dijkstra(&g->graph, &res, igraph_vss_1(src), igraph_vss_all(),
                                  &g->weights, IGRAPH_ALL) != IGRAPH_SUCCESS) {
        rc = XNET_EGRAPH;
    } else {
        for (int v = 0; v < g->nodes; v++) {
            out[v] = MATRIX(res, 0, v);
        }
    }
    igraph_matrix_destroy(&res);
    return rc;
}

/* --- one subnet -------------------------------------------------------------- */

/* Local ids of two subnets (cur 0 .. m, then prev; prev may be cur) into
 * local[], or -1 back again (on = 0). */
static void mark_pair(int *local, const int *cur, int m, const int *prev, int mp, int on)
{
    for (int i = 0; i < m; i++) {
        local[cur[i]] = on ? i : -1;
    }
    for (int i = 0; prev != cur && i < mp; i++) {
        local[prev[i]] = on ? m + i : -1;
    }
}

/* Every link of the mean graph as a list (NULL: out of memory). */
static xnet_link_t *whole_links(const mean_graph *g)
{
    xnet_link_t *whole = malloc(sizeof(xnet_link_t) * ((size_t)g->edges + 1));
    for (int e = 0; whole && e < g->edges; e++) {
        whole[e] = (xnet_link_t){g->a[e], g->b[e]};
    }
    return whole;
}

/* The subnet's own graph (links with both ends in it), in local ids. */
static igraph_error_t subnet_graph(const mean_graph *g, const int *local, int m, igraph_t *h,
                                   igraph_vector_t *hw)
{
    igraph_vector_int_t edges;
    IGRAPH_CHECK(igraph_vector_int_init(&edges, 0));
    IGRAPH_FINALLY(igraph_vector_int_destroy, &edges);
    IGRAPH_CHECK(igraph_vector_init(hw, 0));
    IGRAPH_FINALLY(igraph_vector_destroy, hw);
    for (int e = 0; e < g->edges; e++) {
        int a = local[g->a[e]], b = local[g->b[e]];
        if (a >= 0 && b >= 0) {
            IGRAPH_CHECK(igraph_vector_int_push_back(&edges, a));
            IGRAPH_CHECK(igraph_vector_int_push_back(&edges, b));
            IGRAPH_CHECK(igraph_vector_push_back(hw, VECTOR(g->weights)[e]));
        }
    }
    IGRAPH_CHECK(igraph_create(h, &edges, m, IGRAPH_UNDIRECTED));
    igraph_vector_int_destroy(&edges);
    IGRAPH_FINALLY_CLEAN(2);
    return IGRAPH_SUCCESS;
}

typedef struct {
    int contiguous, diameter_hops;
} subnet_shape;

/* Diameter in hops of one subnet over its own links (-1: they do not
 * connect it). local[] is -1 everywhere on entry and on return. */
static int subnet_shape_of(const mean_graph *g, const int *members, int m, int *local,
                           subnet_shape *shape)
{
    for (int i = 0; i < m; i++) {
        local[members[i]] = i;
    }
    igraph_t h;
    igraph_vector_t hw;
    igraph_real_t diameter;
    int rc = XNET_EGRAPH;
    if (subnet_graph(g, local, m, &h, &hw) == IGRAPH_SUCCESS) {
        if (igraph_diameter(&h, &diameter, NULL, NULL, NULL, NULL, IGRAPH_UNDIRECTED, 0)
            == IGRAPH_SUCCESS) {
            shape->contiguous = isfinite(diameter);
            shape->diameter_hops = shape->contiguous ? (int)diameter : -1;
            rc = XNET_OK;
        }
        igraph_destroy(&h);
        igraph_vector_destroy(&hw);
    }
    for (int i = 0; i < m; i++) {
        local[members[i]] = -1;
    }
    return rc;
}

/* For each member s of subnet `cur` (m satellites): out[i] = the mean latency
 * from s to the members of cur (itself included), in[i] = the mean latency
 * from the members of the previous subnet `prev` (mp satellites) to s. Both
 * are measured over the links among the two subnets' satellites, or over
 * the whole mean graph when those links do not connect them. prev may be
 * cur (a ring of one subnet). local[] is -1 on entry and on return. With
 * quick set, links that do not connect the two subnets only set *scattered
 * (the whole-graph distances cost m full Dijkstra runs). */
static int subnet_means(const mean_graph *g, const int *cur, int m, const int *prev, int mp,
                        int *local, int quick, int *scattered, double *out, double *in)
{
    int both = prev == cur ? m : m + mp, rc;
    if ((rc = xnet_limit_check((double)m * g->nodes * sizeof(double), "a subnet's distance table"))) {
        return rc;
    }
    mark_pair(local, cur, m, prev, mp, 1);
    igraph_t h;
    igraph_vector_t hw;
    igraph_matrix_t d;
    igraph_vector_int_t ids;
    int have_h = 0, have_d = 0, have_ids = 0;
    rc = XNET_EGRAPH;
    if (subnet_graph(g, local, both, &h, &hw) != IGRAPH_SUCCESS) {
        goto done;
    }
    have_h = 1;
    if (igraph_matrix_init(&d, 0, 0) != IGRAPH_SUCCESS) {
        goto done;
    }
    have_d = 1;
    if (igraph_vector_int_init(&ids, m) != IGRAPH_SUCCESS) {
        goto done;
    }
    have_ids = 1;
    for (int i = 0; i < m; i++) {
        VECTOR(ids)[i] = i;
    }
    /* d[i, j]: from member i of cur to satellite j of the two subnets (local ids) */
    if (igraph_distances_dijkstra(&h, &d, igraph_vss_vector(&ids), igraph_vss_all(), &hw,
                                  IGRAPH_ALL) != IGRAPH_SUCCESS) {
        goto done;
    }
    int connected = 1;
    for (int i = 0; i < m && connected; i++) {
        for (int j = 0; j < both && connected; j++) {
            connected = isfinite(MATRIX(d, i, j));
        }
    }
    if (!connected && quick) {
        *scattered = 1;
        rc = XNET_OK;
        goto done;
    }
    if (!connected) {
        /* Scattered subnets still have a gateway: measure over every link. */
        for (int i = 0; i < m; i++) {
            VECTOR(ids)[i] = cur[i];
        }
        if (igraph_distances_dijkstra(&g->graph, &d, igraph_vss_vector(&ids), igraph_vss_all(),
                                      &g->weights, IGRAPH_ALL) != IGRAPH_SUCCESS) {
            goto done;
        }
    }
    for (int i = 0; i < m; i++) {
        double so = 0, si = 0;
        for (int j = 0; j < m; j++) {
            so += MATRIX(d, i, connected ? j : cur[j]);
        }
        for (int j = 0; j < mp; j++) {
            si += MATRIX(d, i, connected ? (prev == cur ? j : m + j) : prev[j]);
        }
        out[i] = so / m;
        in[i] = si / mp;
    }
    rc = XNET_OK;
done:
    if (have_ids) {
        igraph_vector_int_destroy(&ids);
    }
    if (have_d) {
        igraph_matrix_destroy(&d);
    }
    if (have_h) {
        igraph_destroy(&h);
        igraph_vector_destroy(&hw);
    }
    mark_pair(local, cur, m, prev, mp, 0);
    return rc;
}

/* --- the same, on the path kernel ------------------------------------------- */

/* Sources per call of the path kernel: its rows stay within this. */
#define ROWS_BYTES (32.0 * 1048576.0)

/* The links with both ends marked in local[] (>= 0), in local ids, weighted
 * by their mean latency, or by 1 to count hops. */
static int local_links(const mean_graph *g, const int *local, int hops, xnet_link_t **links,
                       double **weight_s, int *count)
{
    *links = malloc(sizeof(xnet_link_t) * ((size_t)g->edges + 1));
    *weight_s = malloc(sizeof(double) * ((size_t)g->edges + 1));
    *count = 0;
    if (!*links || !*weight_s) {
        free(*links);
        free(*weight_s);
        *links = NULL;
        *weight_s = NULL;
        return xnet_fail(XNET_ENOMEM, "out of memory for a subnet's links");
    }
    int c = 0;
    for (int e = 0; e < g->edges; e++) {
        int a = local[g->a[e]], b = local[g->b[e]];
        if (a >= 0 && b >= 0) {
            (*links)[c] = (xnet_link_t){a, b};
            (*weight_s)[c++] = hops ? 1.0 : VECTOR(g->weights)[e];
        }
    }
    *count = c;
    return XNET_OK;
}

/* subnet_shape_of on the path kernel. Whether the subnet is connected: one
 * search of hop counts. Its diameter, when wanted, is the largest
 * eccentricity, found exactly with few searches by bounding the others (Takes
 * and Kosters, "Determining the diameter of small world networks", CIKM
 * 2011): a search from v gives ecc(v) and bounds every w by
 *   max(d(v, w), ecc(v) - d(v, w)) <= ecc(w) <= ecc(v) + d(v, w);
 * a member whose upper bound is at most the largest eccentricity found
 * cannot raise it and is dropped. Rounds of a few searches per worker take
 * the members of largest upper bound and of least lower bound in turn. */
static int subnet_shape_kernel(const mean_graph *g, const int *members, int m, int *local,
                               int diameter_wanted, int workers, subnet_shape *shape)
{
    for (int i = 0; i < m; i++) {
        local[members[i]] = i;
    }
    xnet_link_t *links;
    double *weight_s;
    int count, rc = local_links(g, local, 1, &links, &weight_s, &count);
    xnet_fixed_graph_t *graph = NULL;
    if (!rc) {
        rc = xnet_fixed_graph_create(&graph, m, count, links, weight_s, workers);
    }
    int round = workers > 1 ? 2 * workers : 1;
    round = round > m ? m : round;
    double *rows = rc ? NULL : malloc(sizeof(double) * (size_t)round * (size_t)m);
    double *lo = rc ? NULL : malloc(sizeof(double) * 2 * (size_t)m), *hi = lo ? lo + m : NULL;
    int *source = rc ? NULL : malloc(sizeof(int) * (size_t)round);
    char *done = rc ? NULL : calloc((size_t)m, 1);
    if (!rc && (!rows || !lo || !source || !done)) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's hop counts");
    }
    for (int i = 0; !rc && i < m; i++) {
        lo[i] = 0;
        hi[i] = HUGE_VAL;
    }
    double diameter = 0;
    int left = m, turn = 0;
    if (!rc) {
        source[0] = 0; /* the first search: is it connected? */
    }
    for (int n = 1; !rc && n > 0 && isfinite(diameter); ) {
        if ((rc = xnet_fixed_graph_rows(graph, n, source, rows))) {
            break;
        }
        for (int r = 0; r < n && isfinite(diameter); r++) {
            const double *d = rows + (size_t)r * (size_t)m;
            double ecc = 0;
            for (int w = 0; w < m; w++) {
                ecc = d[w] > ecc ? d[w] : ecc;
            }
            diameter = ecc > diameter ? ecc : diameter;
            for (int w = 0; isfinite(ecc) && w < m; w++) {
                double low = d[w] > ecc - d[w] ? d[w] : ecc - d[w], high = ecc + d[w];
                lo[w] = low > lo[w] ? low : lo[w];
                hi[w] = high < hi[w] ? high : hi[w];
            }
            left -= !done[source[r]];
            done[source[r]] = 1;
        }
        n = 0;
        for (int i = 0; diameter_wanted && isfinite(diameter) && i < m; i++) {
            if (!done[i] && hi[i] <= diameter) {
                done[i] = 1;
                left--;
            }
        }
        /* the next round: alternately the largest upper and least lower bound */
        for (; n < round && n < left && diameter_wanted && isfinite(diameter); n++, turn++) {
            int pick = -1;
            for (int i = 0; i < m; i++) {
                int taken = 0;
                for (int r = 0; r < n && !taken; r++) {
                    taken = source[r] == i;
                }
                if (done[i] || taken) {
                    continue;
                }
                if (pick < 0 || (turn % 2 == 0 ? hi[i] > hi[pick] : lo[i] < lo[pick])) {
                    pick = i;
                }
            }
            source[n] = pick;
        }
    }
    if (!rc) {
        shape->contiguous = isfinite(diameter);
        shape->diameter_hops = shape->contiguous && diameter_wanted ? (int)diameter : -1;
    }
    xnet_fixed_graph_destroy(graph);
    free(source);
    free(rows);
    free(lo);
    free(done);
    free(links);
    free(weight_s);
    for (int i = 0; i < m; i++) {
        local[members[i]] = -1;
    }
    return rc;
}

/* The pruned search prunes only members whose bound exceeds the least cost
 * found by this much (relative): far above the rounding of the sums (about
 * 1e-13), far below any real difference, and above TIE_RELATIVE, so no member
 * that could tie with the medoid is left out. */
#define PRUNE_RELATIVE 1e-9

/* The graph the two subnets' rows are searched on, whom they are searched
 * from and where the members are in a row: the two subnets' own links in
 * local ids (cur 0 .. m, prev after), or the whole mean graph in satellite
 * ids. Entries [0, check) of a row must be finite (the subnets connected). */
typedef struct {
    int nodes, check;
    xnet_fixed_graph_t *graph;
    int *from;             /* member i of cur's vertex */
    int *cur_at, *prev_at; /* each member's entry in a row */
} row_graph;

/* One row from member x into out and in (the sums subnet_means makes, in
 * its order); 0 when the row is not finite where it must be. */
static int member_means(const row_graph *rg, const double *d, int m, int mp, double *out,
                        double *in)
{
    int connected = 1;
    double so = 0, si = 0;
    for (int j = 0; j < rg->check; j++) {
        connected = connected && isfinite(d[j]);
    }
    for (int j = 0; j < m; j++) {
        so += d[rg->cur_at[j]];
    }
    for (int j = 0; j < mp; j++) {
        si += d[rg->prev_at[j]];
    }
    *out = so / m;
    *in = si / mp;
    return connected;
}

/* Rows from sources source[0 .. n) (member indices) into rows. */
static int member_rows(const row_graph *rg, int n, const int *source, int *vertex, double *rows)
{
    for (int i = 0; i < n; i++) {
        vertex[i] = rg->from[source[i]];
    }
    return xnet_fixed_graph_rows(rg->graph, n, vertex, rows);
}

/* out and in of members [lo, hi), a batch of rows at a time; *connected = 0
 * at the first row that is not finite where it must be. */
static int table_rows(const row_graph *rg, int m, int mp, int lo, int hi, int *connected,
                      double *out, double *in)
{
    int batch = (int)(ROWS_BYTES / (sizeof(double) * (double)rg->nodes));
    batch = batch < 1 ? 1 : batch > hi - lo ? hi - lo : batch;
    int *source = malloc(sizeof(int) * 2 * (size_t)batch);
    double *rows = malloc(sizeof(double) * (size_t)batch * (size_t)rg->nodes);
    int rc = source && rows ? XNET_OK
                            : xnet_fail(XNET_ENOMEM, "out of memory for a subnet's distance table");
    *connected = 1;
    for (int s0 = lo; s0 < hi && !rc && *connected; s0 += batch) {
        int n = s0 + batch < hi ? batch : hi - s0;
        for (int i = 0; i < n; i++) {
            source[i] = s0 + i;
        }
        if ((rc = member_rows(rg, n, source, source + batch, rows))) {
            break;
        }
        for (int r = 0; r < n && *connected; r++) {
            *connected = member_means(rg, rows + (size_t)r * (size_t)rg->nodes, m, mp,
                                      &out[s0 + r], &in[s0 + r]);
        }
    }
    free(source);
    free(rows);
    return rc;
}

/* Whether member i is searched from before member o: the lesser bound,
 * then the nearer the middle of the list, then the lower index. */
static int searched_first(const double *bound, int m, int i, int o)
{
    if (bound[i] != bound[o]) {
        return bound[i] < bound[o];
    }
    int di = abs(2 * i - m), dq = abs(2 * o - m);
    return di != dq ? di < dq : i < o;
}

/* The medoid's out and in exactly, the other members' only as far as needed
 * to rule them out (theirs are then left +inf). out and in are each a mean
 * of distances, so by the triangle inequality a row from member x bounds
 * every member s: out(s) >= |out(x) - d(x, s)|, the same for in, and their
 * sum bounds out(s) + in(s) (as Newling and Fleuret's "A sub-quadratic exact
 * medoid algorithm", AISTATS 2017, with one mean split in two). Rows
 * come in rounds of a few per worker from the members of least bound (first
 * the middle of the list); the search ends when every member not searched
 * from has a bound above the least cost. The medoid and its sums are those
 * of the full table. *connected as table_rows (out and in then undefined). */
static int medoid_rows(const row_graph *rg, int m, int mp, int *connected, double *out,
                       double *in)
{
    int workers = xnet_fixed_graph_workers(rg->graph), round = workers > 1 ? 2 * workers : 1;
    round = round > m ? m : round;
    double *bound = malloc(sizeof(double) * (size_t)m);
    double *rows = malloc(sizeof(double) * (size_t)round * (size_t)rg->nodes);
    int *source = malloc(sizeof(int) * 2 * (size_t)round);
    char *searched = calloc((size_t)m, 1);
    int rc = bound && rows && source && searched
                 ? XNET_OK : xnet_fail(XNET_ENOMEM, "out of memory for a subnet's medoid");
    for (int i = 0; !rc && i < m; i++) {
        bound[i] = 0;
        out[i] = in[i] = HUGE_VAL;
    }
    double best = HUGE_VAL;
    *connected = 1;
    while (!rc && *connected) {
        int n = 0;
        for (int i = 0; i < m; i++) {
            if (searched[i] || bound[i] > best + PRUNE_RELATIVE * best
                || (n == round && !searched_first(bound, m, i, source[n - 1]))) {
                continue;
            }
            int at = n < round ? n++ : n - 1; /* the last is dropped when full */
            for (; at > 0 && searched_first(bound, m, i, source[at - 1]); at--) {
                source[at] = source[at - 1];
            }
            source[at] = i;
        }
        if (n == 0 || (rc = member_rows(rg, n, source, source + round, rows))) {
            break;
        }
        for (int r = 0; r < n && *connected; r++) {
            int x = source[r];
            const double *d = rows + (size_t)r * (size_t)rg->nodes;
            searched[x] = 1;
            *connected = member_means(rg, d, m, mp, &out[x], &in[x]);
            double f = out[x] + in[x];
            best = f < best ? f : best;
            for (int i = 0; isfinite(f) && i < m; i++) {
                double dx = d[rg->cur_at[i]], b = fabs(out[x] - dx) + fabs(in[x] - dx);
                bound[i] = b > bound[i] ? b : bound[i];
            }
        }
    }
    free(bound);
    free(rows);
    free(source);
    free(searched);
    return rc;
}

/* subnet_means on the path kernel: the same sums in the same order; with
 * only >= 0, out[only] and in[only] alone (the rest untouched); with medoid
 * set (and only < 0), the medoid's alone exactly (medoid_rows: the others'
 * may be left +inf). */
static int subnet_means_kernel(const mean_graph *g, const int *cur, int m, const int *prev,
                               int mp, int *local, int quick, int only, int medoid,
                               int workers, int *scattered, double *out, double *in)
{
    int both = prev == cur ? m : m + mp, same = prev == cur;
    mark_pair(local, cur, m, prev, mp, 1);
    xnet_link_t *links = NULL, *whole = NULL;
    double *weight_s = NULL;
    int count, rc = local_links(g, local, 0, &links, &weight_s, &count);
    int *index = malloc(sizeof(int) * (2 * (size_t)m + (size_t)mp));
    row_graph rg = {both, both, NULL, index, index + m, index + 2 * m};
    if (!rc && !index) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's distance table");
    }
    if (!rc) {
        rc = xnet_fixed_graph_create(&rg.graph, both, count, links, weight_s, workers);
    }
    for (int i = 0; !rc && i < m; i++) {
        rg.from[i] = rg.cur_at[i] = i;
    }
    for (int j = 0; !rc && j < mp; j++) {
        rg.prev_at[j] = same ? j : m + j;
    }
    int connected = 1, lo = only >= 0 ? only : 0, hi = only >= 0 ? only + 1 : m;
    int pruned = medoid && only < 0;
    if (!rc) {
        rc = pruned ? medoid_rows(&rg, m, mp, &connected, out, in)
                    : table_rows(&rg, m, mp, lo, hi, &connected, out, in);
    }
    if (!rc && !connected && quick) {
        *scattered = 1;
    } else if (!rc && !connected) {
        /* Scattered subnets still have a gateway: measure over every link. */
        if (!(whole = whole_links(g))) {
            rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's distance table");
        }
        xnet_fixed_graph_destroy(rg.graph);
        rg = (row_graph){g->nodes, 0, NULL, index, index + m, index + 2 * m};
        if (!rc) {
            rc = xnet_fixed_graph_create(&rg.graph, g->nodes, g->edges, whole,
                                         VECTOR(g->weights), workers);
        }
        for (int i = 0; !rc && i < m; i++) {
            rg.from[i] = rg.cur_at[i] = cur[i];
        }
        for (int j = 0; !rc && j < mp; j++) {
            rg.prev_at[j] = prev[j];
        }
        if (!rc) {
            rc = pruned ? medoid_rows(&rg, m, mp, &connected, out, in)
                        : table_rows(&rg, m, mp, lo, hi, &connected, out, in);
        }
    }
    xnet_fixed_graph_destroy(rg.graph);
    free(whole);
    free(index);
    free(links);
    free(weight_s);
    mark_pair(local, cur, m, prev, mp, 0);
    return rc;
}

/* --- the whole ring ---------------------------------------------------------- */

typedef struct {
    double *out, *in;    /* per member, in ring order */
    subnet_shape *shape; /* per subnet */
    int *local;          /* N scratch per worker, -1 */
    double *dist;        /* N scratch */
    int quick;           /* stop at the first scattered subnet (the auto cut's search) */
    int diameters;       /* measure each subnet's diameter (ring:stats) */
    int gateway_only;    /* out and in of the gateways only (ring:stats) */
    int medoid_only;     /* out and in exact for the medoids only (choosing gateways) */
    int scattered;       /* set when quick stopped there */
} ring_work;

static void work_free(ring_work *w)
{
    free(w->out);
    free(w->in);
    free(w->shape);
    free(w->local);
    free(w->dist);
}

static int work_alloc(ring_work *w, const xnet_ring_t *r)
{
    w->out = malloc(sizeof(double) * ((size_t)r->first[r->layers] + 1));
    w->in = malloc(sizeof(double) * ((size_t)r->first[r->layers] + 1));
    w->shape = malloc(sizeof(subnet_shape) * (size_t)r->layers);
    w->local = malloc(sizeof(int) * (size_t)r->nodes * (size_t)xnet_workers());
    w->dist = malloc(sizeof(double) * (size_t)r->nodes);
    if (!w->out || !w->in || !w->shape || !w->local || !w->dist) {
        work_free(w);
        return xnet_fail(XNET_ENOMEM, "out of memory analysing the ring");
    }
    for (size_t i = 0; i < (size_t)r->nodes * (size_t)xnet_workers(); i++) {
        w->local[i] = -1;
    }
    w->quick = w->scattered = w->diameters = w->gateway_only = w->medoid_only = 0;
    return XNET_OK;
}

typedef struct {
    const xnet_ring_t *r;
    const mean_graph *g;
    ring_work *w;
    int inner;      /* workers within one subnet's searches */
    int *scattered; /* per subnet: quick found its links do not connect it */
} analyse_job;

/* Whether the links among subnets cur and prev connect them: one search.
 * local[] is -1 on entry and on return. */
static int pair_connected(const mean_graph *g, const int *cur, int m, const int *prev, int mp,
                          int *local, int *connected)
{
    int both = prev == cur ? m : m + mp;
    mark_pair(local, cur, m, prev, mp, 1);
    xnet_link_t *links;
    double *weight_s, *row = NULL;
    int count, first = 0, rc = local_links(g, local, 1, &links, &weight_s, &count);
    if (!rc && !(row = malloc(sizeof(double) * (size_t)both))) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's hop counts");
    }
    if (!rc && !(rc = xnet_query_graph_rows(both, count, links, weight_s, 1, &first, row))) {
        *connected = 1;
        for (int v = 0; v < both; v++) {
            *connected = *connected && isfinite(row[v]);
        }
    }
    free(row);
    free(links);
    free(weight_s);
    mark_pair(local, cur, m, prev, mp, 0);
    return rc;
}

/* Subnet l's shape, on the path kernel, with worker's scratch; with quick,
 * also whether the links among it and the previous subnet connect them. */
static int shape_task(void *ctx, int worker, int l)
{
    const analyse_job *j = ctx;
    const xnet_ring_t *r = j->r;
    int L = r->layers, p = (l + L - 1) % L, rc = xnet_check_interrupt(), connected = 1;
    int *local = j->w->local + (size_t)worker * (size_t)r->nodes;
    const int *cur = r->members + r->first[l], *prev = r->members + r->first[p];
    int m = r->first[l + 1] - r->first[l], mp = r->first[p + 1] - r->first[p];
    if (!rc) {
        rc = subnet_shape_kernel(j->g, cur, m, local, j->w->diameters, j->inner, &j->w->shape[l]);
    }
    if (!rc && j->w->quick && j->w->shape[l].contiguous) {
        rc = pair_connected(j->g, cur, m, prev, mp, local, &connected);
        j->scattered[l] = !connected;
    }
    return rc;
}

/* Subnet l's means (or its gateway's, or its medoid's), on the path kernel
 * or (one thread) on igraph. */
static int means_task(void *ctx, int worker, int l)
{
    const analyse_job *j = ctx;
    const xnet_ring_t *r = j->r;
    ring_work *w = j->w;
    int L = r->layers, p = (l + L - 1) % L, m = r->first[l + 1] - r->first[l], only = -1;
    int mp = r->first[p + 1] - r->first[p], rc = xnet_check_interrupt();
    const int *cur = r->members + r->first[l], *prev = r->members + r->first[p];
    int *local = w->local + (size_t)worker * (size_t)r->nodes;
    for (int i = 0; w->gateway_only && i < m; i++) {
        only = cur[i] == r->gateway[l] ? i : only;
    }
    double *out = w->out + r->first[l], *in = w->in + r->first[l];
    if (rc) {
        return rc;
    }
    return xnet_query_engine() == XNET_PATHS_IGRAPH
               ? subnet_means(j->g, cur, m, prev, mp, local, w->quick, &j->scattered[l], out,
                              in)
               : subnet_means_kernel(j->g, cur, m, prev, mp, local, w->quick, only,
                                     w->medoid_only, j->inner, &j->scattered[l], out, in);
}

/* Each subnet's shape and means: on the path kernel, the subnets spread over
 * the workers (each subnet's searches on one), or with fewer subnets than
 * workers, each subnet's searches spread over them; on igraph (paths =
 * "igraph", the previous implementation), one subnet after another. With
 * quick, a subnet that its own links (or the links among it and the
 * previous one) do not connect ends it, setting w->scattered. */
static int analyse(const xnet_ring_t *r, const mean_graph *g, ring_work *w)
{
    int L = r->layers, on_igraph = xnet_query_engine() == XNET_PATHS_IGRAPH, rc = XNET_OK;
    int workers = xnet_workers(), across = !on_igraph && L >= 2 * workers ? workers : 1;
    int *scattered = calloc((size_t)L, sizeof(int));
    if (!scattered) {
        return xnet_fail(XNET_ENOMEM, "out of memory analysing the ring");
    }
    analyse_job j = {r, g, w, across > 1 ? 1 : workers, scattered};
    if (on_igraph) {
        for (int l = 0; l < L && !rc && !w->scattered; l++) {
            if (!(rc = xnet_check_interrupt())) {
                rc = subnet_shape_of(g, r->members + r->first[l], r->first[l + 1] - r->first[l],
                                     w->local, &w->shape[l]);
            }
            w->scattered = !rc && w->quick && !w->shape[l].contiguous;
        }
    } else {
        rc = xnet_pool_run(L, across, shape_task, &j);
        for (int l = 0; l < L && !rc; l++) {
            w->scattered = w->scattered || (w->quick && (!w->shape[l].contiguous || scattered[l]));
        }
    }
    for (int l = 0; l < L && !rc && !w->scattered && on_igraph; l++) {
        rc = means_task(&j, 0, l);
        w->scattered = scattered[l];
    }
    if (!rc && !w->scattered && !on_igraph) {
        rc = xnet_pool_run(L, across, means_task, &j);
        for (int l = 0; l < L && !rc; l++) {
            w->scattered = w->scattered || scattered[l];
        }
    }
    free(scattered);
    return rc;
}

/* Each subnet's medoid: least out + in (ties: lower id; members ruled out
 * by medoid_rows have +inf). */
static void medoids(xnet_ring_t *r, const ring_work *w)
{
    for (int l = 0; l < r->layers; l++) {
        int best = r->first[l];
        for (int i = r->first[l] + 1; i < r->first[l + 1]; i++) {
            double c = w->out[i] + w->in[i], cb = w->out[best] + w->in[best];
            double diff = c - cb, tol = TIE_RELATIVE * fabs(cb);
            /* +inf (unreachable members, or ruled out) ties as before: lower id */
            if (isinf(cb) ? c < cb || (c == cb && r->members[i] < r->members[best])
                          : diff < -tol || (!(diff > tol) && r->members[i] < r->members[best])) {
                best = i;
            }
        }
        r->gateway[l] = r->members[best];
    }
}

/* hop_s[l]: the latency from gateway l to gateway l + 1 on the mean graph,
 * on the path kernel (a batch of gateways' rows at a time, over the
 * workers) or on igraph. */
static int gateway_hops_s(const xnet_ring_t *r, const mean_graph *g, double *dist, double *hop_s)
{
    int L = r->layers, rc = XNET_OK;
    if (xnet_query_engine() == XNET_PATHS_IGRAPH) {
        for (int l = 0; l < L && !rc; l++) {
            if (!(rc = distances_from(g, r->gateway[l], dist))) {
                hop_s[l] = dist[r->gateway[(l + 1) % L]];
            }
        }
        return rc;
    }
    int batch = (int)(ROWS_BYTES / (sizeof(double) * (double)g->nodes));
    batch = batch < 1 ? 1 : batch > L ? L : batch;
    xnet_link_t *whole = whole_links(g);
    double *rows = malloc(sizeof(double) * (size_t)batch * (size_t)g->nodes);
    if (!whole || !rows) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the gateways' distances");
    }
    for (int l0 = 0; l0 < L && !rc; l0 += batch) {
        int n = l0 + batch < L ? batch : L - l0;
        if (!(rc = xnet_query_graph_rows(g->nodes, g->edges, whole, VECTOR(g->weights), n,
                                         r->gateway + l0, rows))) {
            for (int i = 0; i < n; i++) {
                hop_s[l0 + i] = rows[(size_t)i * g->nodes + r->gateway[(l0 + i + 1) % L]];
            }
        }
    }
    free(whole);
    free(rows);
    return rc;
}

/* The auto cut's score: the mean over layers of the gateway's out + in plus
 * the latency from the gateway to the next one. */
static int ring_score(const xnet_ring_t *r, const mean_graph *g, ring_work *w, double *score)
{
    double total = 0, *hop_s = malloc(sizeof(double) * (size_t)r->layers);
    int rc = hop_s ? gateway_hops_s(r, g, w->dist, hop_s)
                   : xnet_fail(XNET_ENOMEM, "out of memory for the gateways' distances");
    for (int l = 0; l < r->layers && !rc; l++) {
        for (int i = r->first[l]; i < r->first[l + 1]; i++) {
            if (r->members[i] == r->gateway[l]) {
                total += w->out[i] + w->in[i];
            }
        }
        total += hop_s[l];
    }
    free(hop_s);
    *score = total / r->layers;
    return rc;
}

/* Check the ring against the network, take the mean graph and analyse
 * every subnet; on success the caller frees w. */
static int ring_begin(const xnet_ring_t *ring, xnet_network_t *net, int for_stats,
                      const mean_graph **g, ring_work *w)
{
    if (ring->nodes != xnet_network_nodes(net)) {
        return xnet_fail(XNET_EINVAL, "the ring is for %d satellites, the network has %d",
                         ring->nodes, xnet_network_nodes(net));
    }
    int rc = mean_graph_of(net, g);
    if (rc || (rc = work_alloc(w, ring))) {
        return rc;
    }
    w->diameters = w->gateway_only = for_stats;
    w->medoid_only = !for_stats;
    if ((rc = analyse(ring, *g, w))) {
        work_free(w);
    }
    return rc;
}

int xnet_ring_medoid_gateways(xnet_ring_t *ring, xnet_network_t *net)
{
    const mean_graph *g;
    ring_work w;
    int rc = ring_begin(ring, net, 0, &g, &w);
    if (!rc) {
        medoids(ring, &w);
        work_free(&w);
    }
    return rc;
}

/* The band width of least score among the divisors of the planes whose
 * subnets are all contiguous; ties go to the wider band (the paper's cut is
 * the widest). gateways[layers] gets the winner's medoids (every band that
 * can win is analysed in full, so they are what xnet_ring_medoid_gateways
 * finds). */
static int auto_band(const xnet_walker_t *wk, int layers, const mean_graph *g, int *band,
                     int *gateways)
{
    double best = HUGE_VAL;
    int best_contiguous = 0;
    *band = wk->planes;
    for (int b = wk->planes; b >= 1; b--) {
        if (wk->planes % b) {
            continue;
        }
        xnet_ring_t *r;
        ring_work w;
        double score = HUGE_VAL;
        int rc = xnet_ring_cut(&r, wk, layers, b);
        if (rc) {
            return rc;
        }
        if ((rc = work_alloc(&w, r))) {
            xnet_ring_destroy(r);
            return rc;
        }
        /* The widest band is always scored, so that some cut wins even when
         * no width gives connected subnets. */
        w.quick = b != wk->planes;
        w.medoid_only = 1;
        if (!(rc = analyse(r, g, &w)) && !w.scattered) {
            medoids(r, &w);
            rc = ring_score(r, g, &w, &score);
        }
        if (rc) { /* an interrupt may leave shapes unset: read none */
            work_free(&w);
            xnet_ring_destroy(r);
            return rc;
        }
        int contiguous = !w.scattered;
        for (int l = 0; l < layers && contiguous; l++) {
            contiguous = w.shape[l].contiguous;
        }
        work_free(&w);
        /* Contiguous cuts first; among them (or among all, if none is), the least score. */
        if (b == wk->planes || contiguous > best_contiguous
            || (contiguous == best_contiguous && score < best - TIE_RELATIVE * fabs(best))) {
            best = score;
            best_contiguous = contiguous;
            *band = b;
            memcpy(gateways, r->gateway, sizeof(int) * (size_t)layers);
        }
        xnet_ring_destroy(r);
    }
    return XNET_OK;
}

int xnet_ring_create(xnet_ring_t **out, xnet_network_t *net, int layers, xnet_cut_t cut,
                     xnet_gateway_rule_t rule)
{
    *out = NULL;
    const xnet_walker_t *wk = xnet_network_walker(net);
    int n = xnet_network_nodes(net);
    if (layers < 1 || layers > n) {
        return xnet_fail(XNET_EINVAL, "layers must be in [1, %d] (satellites), got %d", n, layers);
    }
    int band = cut == XNET_CUT_PLANE ? 1 : wk->planes, rc = XNET_OK;
    int *medoid = malloc(sizeof(int) * (size_t)layers);
    if (!medoid) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the ring");
    }
    if (cut == XNET_CUT_AUTO) {
        const mean_graph *g;
        if (!(rc = mean_graph_of(net, &g))) {
            rc = auto_band(wk, layers, g, &band, medoid);
        }
    }
    xnet_ring_t *r = NULL;
    if (!rc && !(rc = xnet_ring_cut(&r, wk, layers, band)) && rule == XNET_GATEWAY_MEDOID) {
        if (cut == XNET_CUT_AUTO) {
            memcpy(r->gateway, medoid, sizeof(int) * (size_t)layers);
        } else {
            rc = xnet_ring_medoid_gateways(r, net);
        }
    }
    free(medoid);
    if (rc) {
        xnet_ring_destroy(r);
        return rc;
    }
    *out = r;
    return XNET_OK;
}

/* --- statistics -------------------------------------------------------------- */

static int route_hops(const mean_graph *g, int from, int to, int *hops)
{
    igraph_vector_int_t vertices;
    if (igraph_vector_int_init(&vertices, 0) != IGRAPH_SUCCESS) {
        return XNET_EGRAPH;
    }
    int rc = igraph_get_shortest_path_dijkstra(&g->graph, &vertices, NULL, from, to, &g->weights,
                                               IGRAPH_ALL) == IGRAPH_SUCCESS
               ? XNET_OK : XNET_EGRAPH;
    *hops = (int)igraph_vector_int_size(&vertices) - 1;
    igraph_vector_int_destroy(&vertices);
    return rc;
}

int xnet_ring_stats(const xnet_ring_t *ring, xnet_network_t *net, xnet_subnet_stats_t *stats)
{
    const xnet_walker_t *wk = xnet_network_walker(net);
    const mean_graph *g;
    ring_work w;
    int rc = ring_begin(ring, net, 1, &g, &w);
    if (rc) {
        return rc;
    }
    char *seen = calloc((size_t)wk->planes + (size_t)wk->sats, 1);
    double *hop_s = malloc(sizeof(double) * (size_t)ring->layers);
    if (seen && hop_s) {
        rc = gateway_hops_s(ring, g, w.dist, hop_s);
    } else {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for ring statistics");
    }
    for (int l = 0; l < ring->layers && !rc; l++) {
        xnet_subnet_stats_t *st = &stats[l];
        int next = ring->gateway[(l + 1) % ring->layers];
        memset(seen, 0, (size_t)wk->planes + (size_t)wk->sats);
        memset(st, 0, sizeof *st);
        st->size = ring->first[l + 1] - ring->first[l];
        for (int i = ring->first[l]; i < ring->first[l + 1]; i++) {
            int s = ring->members[i], p = s / wk->sats, q = wk->planes + s % wk->sats;
            st->planes += !seen[p];
            st->slots += !seen[q];
            seen[p] = seen[q] = 1;
            if (s == ring->gateway[l]) {
                st->mean_member_s = w.out[i];
                st->mean_previous_s = w.in[i];
            }
        }
        st->contiguous = w.shape[l].contiguous;
        st->diameter_hops = w.shape[l].diameter_hops;
        st->gateway_hop_s = hop_s[l];
        st->gateway_hops = -1;
        if (isfinite(st->gateway_hop_s)) {
            rc = route_hops(g, ring->gateway[l], next, &st->gateway_hops);
        }
    }
    free(hop_s);
    free(seen);
    work_free(&w);
    return rc;
}
