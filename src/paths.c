#include "paths.h"

#include "error.h"

#include <stdlib.h>

int xnet_paths_check(const xnet_network_t *net, int snap, const int *ids, int count)
{
    int T = xnet_network_snapshots(net), n = xnet_network_nodes(net);
    if (snap < 0 || snap >= T) {
        return xnet_fail(XNET_EINVAL, "snapshot %d out of range [0, %d)", snap, T);
    }
    for (int i = 0; i < count; i++) {
        if (ids[i] < 0 || ids[i] >= n) {
            return xnet_fail(XNET_EINVAL, "satellite %d out of range [0, %d)", ids[i], n);
        }
    }
    return XNET_OK;
}

int xnet_paths_latency(xnet_network_t *net, int snap, const int *src, int nsrc, double *out)
{
    const igraph_t *g;
    const igraph_vector_t *w;
    int rc, n = xnet_network_nodes(net);
    if ((rc = xnet_paths_check(net, snap, src, nsrc)) || (rc = xnet_network_graph(net, snap, &g, &w))
        || (rc = xnet_check_interrupt())) {
        return rc;
    }
    /* One igraph call for all sources: igraph builds its incidence lists once
     * per call (a malloc per vertex), which would otherwise dominate. */
    igraph_vector_int_t from;
    igraph_matrix_t res;
    if (igraph_vector_int_init(&from, nsrc) != IGRAPH_SUCCESS) {
        return XNET_EGRAPH;
    }
    for (int i = 0; i < nsrc; i++) {
        VECTOR(from)[i] = src[i];
    }
    if (igraph_matrix_init(&res, 0, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&from);
        return XNET_EGRAPH;
    }
    if (igraph_distances_dijkstra(g, &res, igraph_vss_vector(&from), igraph_vss_all(), w,
                                  IGRAPH_ALL) != IGRAPH_SUCCESS) {
        rc = XNET_EGRAPH;
    } else {
        /* igraph matrices are column-major: res[i, v] at data[v * nsrc + i] */
        const double *data = &MATRIX(res, 0, 0);
        for (int i = 0; i < nsrc; i++) {
            double *dst = out + (size_t)i * (size_t)n;
            for (int v = 0; v < n; v++) {
                dst[v] = data[(size_t)v * (size_t)nsrc + (size_t)i];
            }
        }
    }
    igraph_matrix_destroy(&res);
    igraph_vector_int_destroy(&from);
    return rc;
}

int xnet_paths_route(xnet_network_t *net, int snap, int src, int dst, int *path, int *len)
{
    const igraph_t *g;
    const igraph_vector_t *w;
    int ids[2] = {src, dst}, rc;
    *len = 0;
    if ((rc = xnet_paths_check(net, snap, ids, 2)) || (rc = xnet_network_graph(net, snap, &g, &w))) {
        return rc;
    }
    igraph_vector_int_t vertices;
    if (igraph_vector_int_init(&vertices, 0) != IGRAPH_SUCCESS) {
        return XNET_EGRAPH;
    }
    if (igraph_get_shortest_path_dijkstra(g, &vertices, NULL, src, dst, w, IGRAPH_ALL)
        != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&vertices);
        return XNET_EGRAPH;
    }
    int m = (int)igraph_vector_int_size(&vertices);
    for (int i = 0; i < m; i++) {
        path[i] = (int)VECTOR(vertices)[i];
    }
    *len = m;
    igraph_vector_int_destroy(&vertices);
    return XNET_OK;
}

int xnet_paths_hops(xnet_network_t *net, int snap, int src, int *hops)
{
    const igraph_t *g;
    const igraph_vector_t *w;
    int rc, n = xnet_network_nodes(net);
    if ((rc = xnet_paths_check(net, snap, &src, 1)) || (rc = xnet_network_graph(net, snap, &g, &w))) {
        return rc;
    }
    igraph_vector_int_t parents;
    if (igraph_vector_int_init(&parents, n) != IGRAPH_SUCCESS) {
        return XNET_EGRAPH;
    }
    if (igraph_get_shortest_paths_dijkstra(g, NULL, NULL, src, igraph_vss_all(), w, IGRAPH_ALL,
                                           &parents, NULL) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&parents);
        return XNET_EGRAPH;
    }
    /* parents[v]: -1 for the source, -2 when unreachable. Resolve depths with
     * memoisation: every vertex is walked at most twice. */
    for (int v = 0; v < n; v++) {
        hops[v] = -2;
    }
    hops[src] = 0;
    for (int v = 0; v < n; v++) {
        if (hops[v] != -2) {
            continue;
        }
        if (VECTOR(parents)[v] < 0) {
            hops[v] = -1;
            continue;
        }
        int depth = 0, u = v;
        while (hops[u] == -2) {
            u = (int)VECTOR(parents)[u];
            depth++;
        }
        int base = hops[u];
        u = v;
        while (hops[u] == -2) {
            hops[u] = base + depth--;
            u = (int)VECTOR(parents)[u];
        }
    }
    igraph_vector_int_destroy(&parents);
    return XNET_OK;
}

int xnet_paths_components(xnet_network_t *net, int snap, int *count, int *membership,
                          int *sizes)
{
    const igraph_t *g;
    const igraph_vector_t *w;
    int rc, n = xnet_network_nodes(net);
    if ((rc = xnet_paths_check(net, snap, NULL, 0)) || (rc = xnet_network_graph(net, snap, &g, &w))) {
        return rc;
    }
    igraph_vector_int_t memb, csize;
    igraph_integer_t no;
    if (igraph_vector_int_init(&memb, 0) != IGRAPH_SUCCESS) {
        return XNET_EGRAPH;
    }
    if (igraph_vector_int_init(&csize, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&memb);
        return XNET_EGRAPH;
    }
    if (igraph_connected_components(g, &memb, &csize, &no, IGRAPH_WEAK) != IGRAPH_SUCCESS) {
        rc = XNET_EGRAPH;
    } else {
        *count = (int)no;
        for (int v = 0; membership && v < n; v++) {
            membership[v] = (int)VECTOR(memb)[v];
        }
        for (int c = 0; sizes && c < no; c++) {
            sizes[c] = (int)VECTOR(csize)[c];
        }
    }
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
    return rc;
}
