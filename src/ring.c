#include "ring.h"

#include "error.h"
#include "memlimit.h"
#include "query.h"

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

static int mean_graph_build(mean_graph *g, xnet_network_t *net)
{
    memset(g, 0, sizeof *g);
    int C = xnet_network_candidate_count(net), T = xnet_network_snapshots(net);
    const xnet_link_t *links = xnet_network_candidates(net);
    g->nodes = xnet_network_nodes(net);
    double *sum = calloc((size_t)C + 1, sizeof *sum);
    int *count = calloc((size_t)C + 1, sizeof *count);
    g->a = malloc(sizeof(int) * ((size_t)C + 1));
    g->b = malloc(sizeof(int) * ((size_t)C + 1));
    if (!sum || !count || !g->a || !g->b) {
        free(sum);
        free(count);
        mean_graph_free(g);
        return xnet_fail(XNET_ENOMEM, "out of memory for the mean-latency graph");
    }
    for (int k = 0; k < T; k++) {
        int rc = xnet_check_interrupt();
        if (rc) {
            free(sum);
            free(count);
            mean_graph_free(g);
            return rc;
        }
        const xnet_snapshot_t *s = xnet_network_at(net, k);
        const uint8_t *state = s->state;
        const double *lat = s->latency_s;
        for (int c = 0; c < C; c++) {
            if (state[c] == XNET_LINK_ACTIVE || state[c] == XNET_LINK_OUTAGE) {
                sum[c] += lat[c];
                count[c]++;
            }
        }
    }
    for (int c = 0; c < C; c++) {
        if (2 * count[c] >= T) {
            g->a[g->edges] = links[c].a;
            g->b[g->edges] = links[c].b;
            sum[g->edges++] = sum[c] / count[c];
        }
    }
    free(count);
    int rc = mean_graph_igraph(g, sum) == IGRAPH_SUCCESS ? XNET_OK : XNET_EGRAPH;
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
    for (int i = 0; i < m; i++) {
        local[cur[i]] = i;
    }
    for (int i = 0; prev != cur && i < mp; i++) {
        local[prev[i]] = m + i;
    }
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
    for (int i = 0; i < m; i++) {
        local[cur[i]] = -1;
    }
    for (int i = 0; prev != cur && i < mp; i++) {
        local[prev[i]] = -1;
    }
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

/* subnet_shape_of on the path kernel: hop counts from every member, a batch
 * of sources at a time; without `diameter`, from the first member only
 * (whether the subnet is connected; diameter_hops is then left -1). */
static int subnet_shape_kernel(const mean_graph *g, const int *members, int m, int *local,
                               int diameter_wanted, subnet_shape *shape)
{
    for (int i = 0; i < m; i++) {
        local[members[i]] = i;
    }
    xnet_link_t *links;
    double *weight_s, *rows = NULL;
    int count, rc = local_links(g, local, 1, &links, &weight_s, &count);
    int batch = (int)(ROWS_BYTES / (sizeof(double) * (double)m));
    batch = batch < 1 ? 1 : batch > m ? m : batch;
    if (!rc && !(rows = malloc(sizeof(double) * (size_t)batch * (size_t)m))) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's hop counts");
    }
    int *source = rc ? NULL : malloc(sizeof(int) * (size_t)batch);
    if (!rc && !source) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's hop counts");
    }
    double diameter = 0;
    int sources = diameter_wanted ? m : 1;
    for (int s0 = 0; s0 < sources && !rc && isfinite(diameter); s0 += batch) {
        int n = s0 + batch < m ? batch : m - s0;
        for (int i = 0; i < n; i++) {
            source[i] = s0 + i;
        }
        if (!(rc = xnet_query_graph_rows(m, count, links, weight_s, n, source, rows))) {
            for (size_t j = 0; j < (size_t)n * (size_t)m; j++) {
                diameter = rows[j] > diameter ? rows[j] : diameter;
            }
        }
    }
    if (!rc) {
        shape->contiguous = isfinite(diameter);
        shape->diameter_hops = shape->contiguous && diameter_wanted ? (int)diameter : -1;
    }
    free(source);
    free(rows);
    free(links);
    free(weight_s);
    for (int i = 0; i < m; i++) {
        local[members[i]] = -1;
    }
    return rc;
}

/* Rows from sources [s0, s0 + n) of sub (local ids 0 .. n), or from cur[s0 ..]
 * on the whole mean graph (whole set), into rows; NULL links: the whole graph. */
static int rows_from(int nodes, int count, const xnet_link_t *links, const double *weight_s,
                     const int *ids, int s0, int n, int *source, double *rows)
{
    for (int i = 0; i < n; i++) {
        source[i] = ids ? ids[s0 + i] : s0 + i;
    }
    return xnet_query_graph_rows(nodes, count, links, weight_s, n, source, rows);
}

/* subnet_means on the path kernel: the same sums in the same order, rows a
 * batch of sources at a time; with only >= 0, out[only] and in[only] alone
 * (the rest untouched). */
static int subnet_means_kernel(const mean_graph *g, const int *cur, int m, const int *prev,
                               int mp, int *local, int quick, int only, int *scattered,
                               double *out, double *in)
{
    int both = prev == cur ? m : m + mp;
    for (int i = 0; i < m; i++) {
        local[cur[i]] = i;
    }
    for (int i = 0; prev != cur && i < mp; i++) {
        local[prev[i]] = m + i;
    }
    xnet_link_t *links = NULL, *whole = NULL;
    double *weight_s = NULL, *rows = NULL;
    int count, rc = local_links(g, local, 0, &links, &weight_s, &count);
    int width = g->nodes > both ? g->nodes : both;
    int batch = (int)(ROWS_BYTES / (sizeof(double) * (double)width));
    batch = batch < 1 ? 1 : batch > m ? m : batch;
    int *source = rc ? NULL : malloc(sizeof(int) * (size_t)batch);
    if (!rc && (!source || !(rows = malloc(sizeof(double) * (size_t)batch * (size_t)width)))) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's distance table");
    }
    int connected = 1, lo = only >= 0 ? only : 0, hi = only >= 0 ? only + 1 : m;
    for (int s0 = lo; s0 < hi && !rc && connected; s0 += batch) {
        int n = s0 + batch < hi ? batch : hi - s0;
        if ((rc = rows_from(both, count, links, weight_s, NULL, s0, n, source, rows))) {
            break;
        }
        for (int r = 0; r < n && connected; r++) {
            const double *d = rows + (size_t)r * (size_t)both;
            double so = 0, si = 0;
            for (int j = 0; j < both; j++) {
                connected = connected && isfinite(d[j]);
            }
            for (int j = 0; j < m; j++) {
                so += d[j];
            }
            for (int j = 0; j < mp; j++) {
                si += d[prev == cur ? j : m + j];
            }
            out[s0 + r] = so / m;
            in[s0 + r] = si / mp;
        }
    }
    if (!rc && !connected && quick) {
        *scattered = 1;
    } else if (!rc && !connected) {
        /* Scattered subnets still have a gateway: measure over every link. */
        if (!(whole = malloc(sizeof(xnet_link_t) * ((size_t)g->edges + 1)))) {
            rc = xnet_fail(XNET_ENOMEM, "out of memory for a subnet's distance table");
        }
        for (int e = 0; !rc && e < g->edges; e++) {
            whole[e] = (xnet_link_t){g->a[e], g->b[e]};
        }
        for (int s0 = lo; s0 < hi && !rc; s0 += batch) {
            int n = s0 + batch < hi ? batch : hi - s0;
            if ((rc = rows_from(g->nodes, g->edges, whole, VECTOR(g->weights), cur, s0, n, source,
                                rows))) {
                break;
            }
            for (int r = 0; r < n; r++) {
                const double *d = rows + (size_t)r * (size_t)g->nodes;
                double so = 0, si = 0;
                for (int j = 0; j < m; j++) {
                    so += d[cur[j]];
                }
                for (int j = 0; j < mp; j++) {
                    si += d[prev[j]];
                }
                out[s0 + r] = so / m;
                in[s0 + r] = si / mp;
            }
        }
    }
    free(whole);
    free(source);
    free(rows);
    free(links);
    free(weight_s);
    for (int i = 0; i < m; i++) {
        local[cur[i]] = -1;
    }
    for (int i = 0; prev != cur && i < mp; i++) {
        local[prev[i]] = -1;
    }
    return rc;
}

/* --- the whole ring ---------------------------------------------------------- */

typedef struct {
    double *out, *in;    /* per member, in ring order */
    subnet_shape *shape; /* per subnet */
    int *local;          /* N scratch, -1 */
    double *dist;        /* N scratch */
    int quick;           /* stop at the first scattered subnet (the auto cut's search) */
    int diameters;       /* measure each subnet's diameter (ring:stats) */
    int gateway_only;    /* out and in of the gateways only (ring:stats) */
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
    w->local = malloc(sizeof(int) * (size_t)r->nodes);
    w->dist = malloc(sizeof(double) * (size_t)r->nodes);
    if (!w->out || !w->in || !w->shape || !w->local || !w->dist) {
        work_free(w);
        return xnet_fail(XNET_ENOMEM, "out of memory analysing the ring");
    }
    for (int i = 0; i < r->nodes; i++) {
        w->local[i] = -1;
    }
    w->quick = w->scattered = w->diameters = w->gateway_only = 0;
    return XNET_OK;
}

/* Each subnet's shape and means, on the path kernel or (paths = "igraph")
 * on igraph, the previous implementation. */
static int analyse(const xnet_ring_t *r, const mean_graph *g, ring_work *w)
{
    int L = r->layers, on_igraph = xnet_query_engine() == XNET_PATHS_IGRAPH;
    for (int l = 0; l < L && !w->scattered; l++) {
        const int *members = r->members + r->first[l];
        int m = r->first[l + 1] - r->first[l], rc = xnet_check_interrupt();
        if (rc || (rc = on_igraph ? subnet_shape_of(g, members, m, w->local, &w->shape[l])
                                  : subnet_shape_kernel(g, members, m, w->local, w->diameters,
                                                        &w->shape[l]))) {
            return rc;
        }
        w->scattered = w->quick && !w->shape[l].contiguous;
    }
    for (int l = 0; l < L && !w->scattered; l++) {
        int p = (l + L - 1) % L, m = r->first[l + 1] - r->first[l], only = -1;
        int mp = r->first[p + 1] - r->first[p];
        const int *cur = r->members + r->first[l], *prev = r->members + r->first[p];
        for (int i = 0; w->gateway_only && i < m; i++) {
            only = cur[i] == r->gateway[l] ? i : only;
        }
        double *out = w->out + r->first[l], *in = w->in + r->first[l];
        int rc = xnet_check_interrupt();
        if (rc || (rc = on_igraph ? subnet_means(g, cur, m, prev, mp, w->local, w->quick,
                                                 &w->scattered, out, in)
                                  : subnet_means_kernel(g, cur, m, prev, mp, w->local, w->quick,
                                                        only, &w->scattered, out, in))) {
            return rc;
        }
    }
    return XNET_OK;
}

/* Each subnet's medoid: least out + in (ties: lower id). */
static void medoids(xnet_ring_t *r, const ring_work *w)
{
    for (int l = 0; l < r->layers; l++) {
        int best = r->first[l];
        for (int i = r->first[l] + 1; i < r->first[l + 1]; i++) {
            double c = w->out[i] + w->in[i], cb = w->out[best] + w->in[best];
            double diff = c - cb, tol = TIE_RELATIVE * fabs(cb);
            if (diff < -tol || (!(diff > tol) && r->members[i] < r->members[best])) {
                best = i;
            }
        }
        r->gateway[l] = r->members[best];
    }
}

/* The auto cut's score: the mean over layers of the gateway's out + in plus
 * the latency from the gateway to the next one. */
static int ring_score(const xnet_ring_t *r, const mean_graph *g, ring_work *w, double *score)
{
    double total = 0;
    for (int l = 0; l < r->layers; l++) {
        int rc = distances_from(g, r->gateway[l], w->dist);
        if (rc) {
            return rc;
        }
        for (int i = r->first[l]; i < r->first[l + 1]; i++) {
            if (r->members[i] == r->gateway[l]) {
                total += w->out[i] + w->in[i];
            }
        }
        total += w->dist[r->gateway[(l + 1) % r->layers]];
    }
    *score = total / r->layers;
    return XNET_OK;
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
    if (!seen) {
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
        if (!(rc = distances_from(g, ring->gateway[l], w.dist))) {
            st->gateway_hop_s = w.dist[next];
            rc = isfinite(st->gateway_hop_s) ? route_hops(g, ring->gateway[l], next,
                                                          &st->gateway_hops) : XNET_OK;
            if (!isfinite(st->gateway_hop_s)) {
                st->gateway_hops = -1;
            }
        }
    }
    free(seen);
    work_free(&w);
    return rc;
}
