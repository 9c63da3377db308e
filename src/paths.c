#include "paths.h"

#include "error.h"
#include "memlimit.h"
#include "pool.h"
#include "query.h"

#include <limits.h>
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
    int rc, n = xnet_network_nodes(net);
    if ((rc = xnet_paths_check(net, snap, src, nsrc))
        || (rc = xnet_limit_check(2.0 * sizeof(int) * nsrc * n, "the latency rows query"))) {
        return rc;
    }
    if ((double)nsrc * n > INT_MAX) {
        return xnet_fail(XNET_EINVAL, "%d sources x %d satellites is over %d latencies per call",
                         nsrc, n, INT_MAX);
    }
    /* a full row is the targeted query with every satellite as a target */
    size_t pairs = (size_t)nsrc * (size_t)n;
    int *from = malloc(sizeof(int) * (pairs + 1)), *to = malloc(sizeof(int) * (pairs + 1));
    xnet_query_t *q = NULL;
    if (!from || !to) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the latency rows query");
    } else {
        for (size_t j = 0; j < pairs; j++) {
            from[j] = src[j / (size_t)n];
            to[j] = (int)(j % (size_t)n);
        }
        if (!(rc = xnet_query_create(&q, n, (int)pairs, from, to))) {
            rc = xnet_query_run(net, q, snap, snap + 1, out);
        }
    }
    xnet_query_destroy(q);
    free(from);
    free(to);
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

xnet_row_summary_t xnet_paths_row_summary(const double *row, int n)
{
    xnet_row_summary_t s = {HUGE_VAL, -HUGE_VAL, 0, -1, -1, 0};
    for (int i = 0; i < n; i++) {
        double v = row[i];
        if (!isfinite(v)) {
            continue;
        }
        s.reachable++;
        s.sum += v;
        if (v > s.max) {
            s.max = v;
            s.argmax = i;
        }
        if (v < s.min) {
            s.min = v;
            s.argmin = i;
        }
    }
    return s;
}

static int larger_first(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

int xnet_paths_components(xnet_network_t *net, int snap, int *count, int *sizes)
{
    const igraph_t *g;
    const igraph_vector_t *w;
    int rc;
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
        for (int c = 0; sizes && c < no; c++) {
            sizes[c] = (int)VECTOR(csize)[c];
        }
        if (sizes) {
            qsort(sizes, (size_t)no, sizeof *sizes, larger_first);
        }
    }
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
    return rc;
}

typedef struct {
    const xnet_network_t *net;
    const int *snaps;
    int *pieces, *largest;
    xnet_snapshot_t *snap; /* per worker */
    int *root;             /* per worker: N, a satellite's parent, or -(size) at a root */
} pieces_job;

static int find_root(int *root, int v)
{
    int r = v;
    while (root[r] >= 0) {
        r = root[r];
    }
    while (root[v] >= 0) { /* halve the path for the next find */
        int next = root[v];
        root[v] = r;
        v = next;
    }
    return r;
}

static int pieces_task(void *ctx, int worker, int i)
{
    const pieces_job *j = ctx;
    int n = xnet_network_nodes(j->net), C = xnet_network_candidate_count(j->net);
    const xnet_link_t *link = xnet_network_candidates(j->net);
    xnet_snapshot_t *snap = &j->snap[worker];
    int *root = j->root + (size_t)worker * (size_t)n, count = n, big = n > 0 ? 1 : 0;
    xnet_network_fill(j->net, j->snaps[i], snap);
    for (int v = 0; v < n; v++) {
        root[v] = -1;
    }
    for (int k = 0; k < C; k++) {
        if (snap->state[k] != XNET_LINK_ACTIVE) {
            continue;
        }
        int a = find_root(root, link[k].a), b = find_root(root, link[k].b);
        if (a != b) { /* the smaller piece under the larger */
            int small = root[a] > root[b] ? a : b, large = small == a ? b : a;
            root[large] += root[small];
            root[small] = large;
            big = -root[large] > big ? -root[large] : big;
            count--;
        }
    }
    j->pieces[i] = count;
    j->largest[i] = big;
    return XNET_OK;
}

int xnet_paths_pieces(const xnet_network_t *net, int count, const int *snaps, int *pieces,
                      int *largest)
{
    int n = xnet_network_nodes(net), rc = XNET_OK;
    for (int i = 0; i < count && !rc; i++) {
        rc = xnet_paths_check(net, snaps[i], NULL, 0);
    }
    int workers = xnet_workers() < count ? xnet_workers() : count;
    if (rc || count <= 0
        || (rc = xnet_limit_check(workers * (xnet_snapshot_bytes(net) + sizeof(int) * (double)n),
                                  "the pieces of the snapshots"))) {
        return rc;
    }
    xnet_snapshot_t *snap = calloc((size_t)workers, sizeof *snap);
    int *root = malloc(sizeof(int) * (size_t)workers * (size_t)n + 1);
    int made = 0;
    rc = snap && root ? XNET_OK : xnet_fail(XNET_ENOMEM, "out of memory for the pieces");
    for (; !rc && made < workers; made++) {
        rc = xnet_snapshot_alloc(&snap[made], net);
    }
    if (!rc) {
        pieces_job job = {net, snaps, pieces, largest, snap, root};
        rc = xnet_pool_run(count, workers, pieces_task, &job);
    }
    for (int w = 0; snap && w < made; w++) {
        xnet_snapshot_free(&snap[w]);
    }
    free(snap);
    free(root);
    return rc;
}
