#include "query.h"

#include "error.h"
#include "memlimit.h"
#include "pool.h"
#include "snapshot_cache.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct xnet_query {
    int nodes, pairs, sources, targets;
    int *source;    /* sources: distinct source ids, in order of first use */
    int *first;     /* sources + 1: source i's targets are target[first[i] .. first[i+1]) */
    int *target;    /* targets: distinct per source */
    int *answer_of; /* pairs: index into target[] answering pair j */
};

static xnet_paths_engine_t engine_in_force = XNET_PATHS_CSR;

void xnet_query_set_engine(xnet_paths_engine_t engine) { engine_in_force = engine; }
xnet_paths_engine_t xnet_query_engine(void) { return engine_in_force; }
int xnet_query_pairs(const xnet_query_t *q) { return q->pairs; }
int xnet_query_sources(const xnet_query_t *q) { return q->sources; }

void xnet_query_destroy(xnet_query_t *q)
{
    if (q) {
        free(q->source);
        free(q->first);
        free(q->target);
        free(q->answer_of);
        free(q);
    }
}

int xnet_query_create(xnet_query_t **out, int nodes, int pairs, const int *source,
                      const int *target)
{
    *out = NULL;
    if (pairs < 0) {
        return xnet_fail(XNET_EINVAL, "pairs must be >= 0, got %d", pairs);
    }
    for (int j = 0; j < pairs; j++) {
        int bad = source[j] < 0 || source[j] >= nodes ? source[j]
                : target[j] < 0 || target[j] >= nodes ? target[j] : -1;
        if (bad != -1 || source[j] < 0) {
            return xnet_fail(XNET_EINVAL, "satellite %d out of range [0, %d)",
                             bad != -1 ? bad : source[j], nodes);
        }
    }
    int rc;
    if ((rc = xnet_limit_check(16.0 * pairs + 12.0 * nodes, "the path query"))) {
        return rc;
    }
    xnet_query_t *q = calloc(1, sizeof *q);
    int *group = malloc(sizeof(int) * ((size_t)nodes + 1)); /* source id -> group, or -1 */
    int *seen = malloc(sizeof(int) * ((size_t)nodes + 1));  /* target id -> its answer */
    int *order = malloc(sizeof(int) * ((size_t)pairs + 1)); /* pair ids sorted by group */
    int *cursor = malloc(sizeof(int) * ((size_t)pairs + 1));
    if (q) {
        q->source = malloc(sizeof(int) * ((size_t)pairs + 1));
        q->first = malloc(sizeof(int) * ((size_t)pairs + 2));
        q->target = malloc(sizeof(int) * ((size_t)pairs + 1));
        q->answer_of = malloc(sizeof(int) * ((size_t)pairs + 1));
    }
    if (!q || !group || !seen || !order || !cursor || !q->source || !q->first || !q->target
        || !q->answer_of) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory for the path query");
        xnet_query_destroy(q);
        q = NULL;
    } else {
        q->nodes = nodes;
        q->pairs = pairs;
        for (int v = 0; v < nodes; v++) {
            group[v] = -1;
            seen[v] = -1;
        }
        /* counting sort of the pairs by source, sources in order of first use */
        int sources = 0;
        for (int j = 0; j < pairs; j++) {
            if (group[source[j]] < 0) {
                group[source[j]] = sources;
                q->source[sources++] = source[j];
                cursor[sources - 1] = 0;
            }
            cursor[group[source[j]]]++;
        }
        q->first[0] = 0;
        for (int i = 0; i < sources; i++) {
            q->first[i + 1] = q->first[i] + cursor[i];
            cursor[i] = q->first[i];
        }
        for (int j = 0; j < pairs; j++) {
            order[cursor[group[source[j]]]++] = j;
        }
        /* distinct targets per source; seen[] is cleared as each group closes */
        int targets = 0;
        for (int i = 0, at = 0; i < sources; i++) {
            int start = targets, end = q->first[i + 1];
            for (; at < end; at++) {
                int j = order[at], t = target[j];
                if (seen[t] < 0) {
                    seen[t] = targets;
                    q->target[targets++] = t;
                }
                q->answer_of[j] = seen[t];
            }
            q->first[i + 1] = targets;
            for (int a = start; a < targets; a++) {
                seen[q->target[a]] = -1;
            }
        }
        q->sources = sources;
        q->targets = targets;
    }
    free(group);
    free(seen);
    free(order);
    free(cursor);
    *out = q;
    return rc;
}

int xnet_query_batch(const xnet_query_t *q, int snapshots, double budget_bytes)
{
    double per = (double)q->pairs * sizeof(double);
    double fit = per > 0 ? floor(budget_bytes / per) : snapshots;
    return fit < 1 ? 1 : fit > snapshots ? snapshots : (int)fit;
}

/* --- the compressed-array kernel ---------------------------------------------- */

typedef struct {
    double dist_s;
    int v;
} heap_entry;

/* Bucket queue: a snapshot whose arcs span at most this many bucket widths
 * is searched with buckets, otherwise with the binary heap. */
#define BUCKETS_MAX 4096

/* A vertex's search state in one cache line's quarter: its latency, the
 * search that reached it, and its heap position (>= 0 while unsettled, -1
 * once settled). dist_s and pos are valid only when reached is the current
 * search's stamp, so clearing per search is O(1). */
typedef struct {
    double dist_s;
    int reached;
    int pos;
} vertex_t;

/* A vertex queued in a bucket, and the next entry of that bucket (-1: none). */
typedef struct {
    int v, next;
} bucket_entry;

/* One worker's scratch, sized to the network and reused across sources,
 * snapshots and calls. */
typedef struct {
    /* the arcs searched: the snapshot cache's, or own */
    const int *first, *head;
    const double *arc_s;
    xnet_arcs_t own; /* arcs computed here, for up to `candidates` links */
    vertex_t *vx;    /* nodes */
    int *cursor;     /* nodes: fill position while building the arcs */
    int *wanted;     /* nodes: search stamp of the targets */
    heap_entry *heap; /* nodes */
    int *bucket_head; /* BUCKETS_MAX: first entry of each bucket, or -1 */
    bucket_entry *entry; /* 2 x candidates + nodes: entries chained per bucket */
    xnet_snapshot_t snap; /* a snapshot computed here, when not kept */
    int *hop_of;      /* nodes: links from the source, valid where hop_stamp is the search's */
    int *hop_stamp;   /* nodes */
    double bucket_s;  /* bucket width of this snapshot, 0 for the heap */
    int buckets;      /* buckets in the ring */
    int nodes, stamp;
} workspace_t;

typedef struct {
    int nodes, candidates, count;
    workspace_t ws[XNET_MAX_WORKERS];
} workspace_set_t;

static void workspace_free(workspace_t *w)
{
    xnet_arcs_free(&w->own);
    free(w->vx);
    free(w->cursor);
    free(w->wanted);
    free(w->heap);
    free(w->bucket_head);
    free(w->entry);
    xnet_snapshot_free(&w->snap);
    free(w->hop_of);
    free(w->hop_stamp);
    memset(w, 0, sizeof *w);
}

static void workspace_set_free(void *p)
{
    workspace_set_t *set = p;
    for (int i = 0; set && i < set->count; i++) {
        workspace_free(&set->ws[i]);
    }
    free(set);
}

static double workspace_bytes(int nodes, int candidates)
{
    return xnet_arcs_bytes(nodes, 2 * candidates) + 4.0 * candidates * sizeof(int)
         + BUCKETS_MAX * sizeof(int)
         + (double)nodes * (8 * sizeof(int) + sizeof(double) + sizeof(heap_entry));
}

/* One worker's arrays for graphs of n vertices and c edges. */
static int workspace_alloc(workspace_t *w, int n, int c)
{
    int arcs_failed = xnet_arcs_alloc(&w->own, n, c);
    w->vx = calloc((size_t)n + 1, sizeof(vertex_t));
    w->cursor = malloc(sizeof(int) * ((size_t)n + 1));
    w->wanted = calloc((size_t)n + 1, sizeof(int));
    w->heap = malloc(sizeof(heap_entry) * ((size_t)n + 1));
    w->bucket_head = malloc(sizeof(int) * BUCKETS_MAX);
    w->entry = malloc(sizeof(bucket_entry) * (2 * (size_t)c + (size_t)n + 1));
    w->hop_of = malloc(sizeof(int) * ((size_t)n + 1));
    w->hop_stamp = calloc((size_t)n + 1, sizeof(int));
    w->nodes = n;
    w->stamp = 0;
    if (arcs_failed || !w->vx || !w->cursor || !w->wanted || !w->heap
        || !w->bucket_head || !w->entry || !w->hop_of || !w->hop_stamp) {
        workspace_free(w);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path search workspaces");
    }
    return XNET_OK;
}

/* The network's workspaces for `workers` threads, allocated once. */
static int workspaces(xnet_network_t *net, int workers, workspace_set_t **out)
{
    int n = xnet_network_nodes(net), c = xnet_network_candidate_count(net), rc;
    workspace_set_t *set = xnet_network_attachment(net, XNET_ATTACH_SEARCH);
    if (set && set->count >= workers) {
        *out = set;
        return XNET_OK;
    }
    if ((rc = xnet_limit_check(workers * (workspace_bytes(n, c) + xnet_snapshot_bytes(net)),
                               "the path search workspaces"))) {
        return rc;
    }
    if (!set) {
        set = calloc(1, sizeof *set);
        if (!set) {
            return xnet_fail(XNET_ENOMEM, "out of memory for the path search workspaces");
        }
        set->nodes = n;
        set->candidates = c;
        xnet_network_attach(net, XNET_ATTACH_SEARCH, set, workspace_set_free);
    }
    for (; set->count < workers; set->count++) {
        workspace_t *w = &set->ws[set->count];
        if ((rc = workspace_alloc(w, n, c))) {
            return rc;
        }
        if (xnet_snapshot_alloc(&w->snap, net)) {
            workspace_free(w);
            return xnet_fail(XNET_ENOMEM, "out of memory for the path search workspaces");
        }
    }
    *out = set;
    return XNET_OK;
}

/* Search on arcs a: the bucket width they allow, or the heap. */
static void use_arcs(workspace_t *w, const xnet_arcs_t *a)
{
    w->first = a->first;
    w->head = a->head;
    w->arc_s = a->arc_s;
    /* Buckets narrower than the shortest arc (by a margin far above rounding)
     * hold vertices that cannot improve one another: each bucket is settled
     * in any order, exactly (Dial's algorithm with width Delta <= min arc). */
    double hi = a->longest_s;
    w->bucket_s = a->shortest_s * (1 - 1e-9);
    w->buckets = 0;
    if (engine_in_force == XNET_PATHS_CSR && w->bucket_s > 0 && isfinite(hi)
        && hi / w->bucket_s + 3 < BUCKETS_MAX) {
        /* a power of two: a bucket's slot in the ring is its index's low bits */
        w->buckets = 4;
        while (w->buckets < (int)(hi / w->bucket_s) + 3) {
            w->buckets *= 2;
        }
    } else {
        w->bucket_s = 0;
    }
}

static inline void heap_up(workspace_t *w, int i, heap_entry e)
{
    heap_entry *h = w->heap;
    while (i > 0) {
        int parent = (i - 1) >> 1;
        if (h[parent].dist_s <= e.dist_s) {
            break;
        }
        h[i] = h[parent];
        w->vx[h[i].v].pos = i;
        i = parent;
    }
    h[i] = e;
    w->vx[e.v].pos = i;
}

static inline void heap_down(workspace_t *w, int size, heap_entry e)
{
    heap_entry *h = w->heap;
    int i = 0;
    for (;;) {
        int child = 2 * i + 1;
        if (child >= size) {
            break;
        }
        if (child + 1 < size && h[child + 1].dist_s < h[child].dist_s) {
            child++;
        }
        if (e.dist_s <= h[child].dist_s) {
            break;
        }
        h[i] = h[child];
        w->vx[h[i].v].pos = i;
        i = child;
    }
    h[i] = e;
    w->vx[e.v].pos = i;
}

static double search_heap(workspace_t *w, int src, int stamp, int remaining);

/* Dijkstra with buckets from src until `remaining` wanted vertices are
 * settled or nothing more is reachable. */
/* Returns a lower bound on the latency of every vertex left unsettled (the
 * current bucket's lower edge, less a margin for rounding), +inf when every
 * reachable vertex is settled. */
static double search_buckets(workspace_t *w, int src, int stamp, int remaining)
{
    /* restrict: none of these arrays overlaps another, so the stores into
     * vx, bucket and entry do not make the compiler read the arcs again */
    const int *restrict first = w->first, *restrict head = w->head;
    const double *restrict arc_s = w->arc_s;
    vertex_t *restrict vx = w->vx;
    const int *restrict wanted = w->wanted;
    int *restrict bucket = w->bucket_head;
    bucket_entry *restrict entry = w->entry;
    int B = w->buckets, entries = 1, popped = 0;
    long mask = B - 1;
    double inv = 1 / w->bucket_s;
    for (int b = 0; b < B; b++) {
        bucket[b] = -1;
    }
    /* pos: the bucket (ring slot, the bucket's index mod B) of the vertex's
     * latest entry, -1 once settled. Every queued entry lies within B
     * buckets of the current one, so a slot holds one bucket's entries and
     * an entry is stale exactly when its vertex's pos is another slot (or -1). */
    vx[src] = (vertex_t){0.0, stamp, 0};
    entry[0] = (bucket_entry){src, -1};
    bucket[0] = 0;
    for (long i = 0; popped < entries; i++) {
        int b = (int)(i & mask);
        while (bucket[b] >= 0) {
            bucket_entry e = entry[bucket[b]];
            int u = e.v;
            bucket[b] = e.next;
            popped++;
            if (vx[u].pos != b) {
                continue; /* settled, or moved to a nearer bucket */
            }
            vx[u].pos = -1;
            if (wanted[u] == stamp && --remaining == 0) {
                return (double)i * w->bucket_s * (1 - 1e-12);
            }
            double du = vx[u].dist_s;
            for (int a = first[u], end = first[u + 1]; a < end; a++) {
                int v = head[a];
                vertex_t *t = &vx[v];
                double nd = du + arc_s[a];
                /* a settled vertex is no farther than du (its bucket is at
                 * most this one, narrower than any arc), so never improved */
                if (t->reached != stamp || nd < t->dist_s) {
                    /* nd's bucket is i + 1 .. i + B - 1 */
                    int nb = (int)((long)(nd * inv) & mask);
                    *t = (vertex_t){nd, stamp, nb};
                    entry[entries] = (bucket_entry){v, bucket[nb]};
                    bucket[nb] = entries++;
                }
            }
        }
    }
    return INFINITY;
}

/* Dijkstra from src until every target in target[0 .. count) is settled (or
 * nothing more is reachable); answers[a] = latency to target[a]. */
static double search(workspace_t *w, int src, const int *target, int count, int want,
                     const unsigned char *required, double *answers)
{
    if (w->stamp == INT_MAX) {
        /* after 2^31 searches: start the stamps over */
        memset(w->vx, 0, sizeof(vertex_t) * (size_t)w->nodes);
        memset(w->wanted, 0, sizeof(int) * (size_t)w->nodes);
        memset(w->hop_stamp, 0, sizeof(int) * (size_t)w->nodes);
        w->stamp = 0;
    }
    int stamp = ++w->stamp;
    int remaining = 0;
    for (int a = 0; a < count; a++) {
        if (w->wanted[target[a]] != stamp && (!required || required[a])) {
            w->wanted[target[a]] = stamp;
            remaining++;
        }
    }
    remaining = want > 0 && want < remaining ? want : remaining;
    if (remaining == 0) { /* nothing required of this source: nothing known */
        for (int a = 0; a < count; a++) {
            answers[a] = NAN;
        }
        return 0;
    }
    double radius = w->buckets > 0 ? search_buckets(w, src, stamp, remaining)
                                   : search_heap(w, src, stamp, remaining);
    for (int a = 0; a < count; a++) {
        const vertex_t *t = &w->vx[target[a]];
        answers[a] = t->reached != stamp ? (isinf(radius) ? INFINITY : NAN)
                   : t->pos < 0 ? t->dist_s : isinf(radius) ? t->dist_s : NAN;
    }
    return radius;
}

/* Links on the path the last search found to t (settled), or -1 when t was
 * not reached: back from t over settled neighbours u with
 * dist(u) + arc == dist(t) exactly, the sum the search itself formed, until
 * a vertex whose count is known (the source, or an earlier walk's); the
 * walk's vertices (kept in cursor[], free once the arcs are built) then
 * learn theirs. */
static int hops_back(workspace_t *w, int src, int t)
{
    const vertex_t *vx = w->vx;
    int stamp = w->stamp, *walk = w->cursor, n = 0, v = t;
    if (vx[t].reached != stamp) {
        return -1;
    }
    if (w->hop_stamp[src] != stamp) {
        w->hop_stamp[src] = stamp;
        w->hop_of[src] = 0;
    }
    while (w->hop_stamp[v] != stamp) {
        int from = -1;
        for (int a = w->first[v], end = w->first[v + 1]; a < end && from < 0; a++) {
            const vertex_t *u = &vx[w->head[a]];
            if (u->reached == stamp && u->pos < 0 && u->dist_s < vx[v].dist_s
                && u->dist_s + w->arc_s[a] == vx[v].dist_s) {
                from = w->head[a];
            }
        }
        walk[n++] = v;
        if (from < 0) {
            return -1; /* not reached by the search's own sums: cannot happen */
        }
        v = from;
    }
    for (int known = w->hop_of[v]; n > 0; n--) {
        w->hop_stamp[walk[n - 1]] = stamp;
        w->hop_of[walk[n - 1]] = ++known;
    }
    return w->hop_of[t];
}

/* Dijkstra with a binary heap, for snapshots whose arcs are too uneven for
 * buckets. */
static double search_heap(workspace_t *w, int src, int stamp, int remaining)
{
    const int *first = w->first, *head = w->head;
    const double *arc_s = w->arc_s;
    vertex_t *vx = w->vx;
    int size = 1;
    w->heap[0] = (heap_entry){0.0, src};
    vx[src] = (vertex_t){0.0, stamp, 0};
    while (size > 0) {
        heap_entry top = w->heap[0];
        int u = top.v;
        vx[u].pos = -1;
        if (--size > 0) {
            heap_down(w, size, w->heap[size]);
        }
        if (w->wanted[u] == stamp && --remaining == 0) {
            return top.dist_s; /* no vertex left is nearer */
        }
        double du = top.dist_s;
        for (int a = first[u], end = first[u + 1]; a < end; a++) {
            int v = head[a];
            double nd = du + arc_s[a];
            if (vx[v].reached != stamp) {
                vx[v] = (vertex_t){nd, stamp, size};
                heap_up(w, size++, (heap_entry){nd, v});
            } else if (vx[v].pos >= 0 && nd < vx[v].dist_s) {
                vx[v].dist_s = nd;
                heap_up(w, vx[v].pos, (heap_entry){nd, v});
            }
        }
    }
    return INFINITY; /* every reachable vertex settled */
}

/* --- running a query ----------------------------------------------------------- */

typedef struct {
    const xnet_network_t *net;
    const xnet_query_t *q;
    workspace_set_t *set;
    xnet_snapshot_cache_t *cache; /* NULL: every snapshot computed here */
    double *answers; /* workers x targets */
    int *answer_hops; /* workers x targets, or NULL: no hop counts */
    double *out;
    int *hops;
    int t0;
    int want;        /* > 0: each source stops once this many targets are settled */
    const unsigned char *required; /* targets: only these count (NULL: all) */
    double *bounds;  /* workers x targets, with want: a lower bound per answer */
    double *bound;   /* with want: snapshots x pairs */
} run_ctx;

static int run_snapshot(void *p, int worker, int index)
{
    run_ctx *ctx = p;
    const xnet_query_t *q = ctx->q;
    workspace_t *w = &ctx->set->ws[worker];
    double *answers = ctx->answers + (size_t)worker * (size_t)q->targets;
    use_arcs(w, xnet_snapshot_arcs(ctx->cache, ctx->net, ctx->t0 + index, &w->snap, w->cursor,
                                   &w->own));
    for (int i = 0; i < q->sources; i++) {
        if (xnet_interrupt_requested) {
            return XNET_EINTR;
        }
        int lo = q->first[i], n = q->first[i + 1] - lo;
        double radius = search(w, q->source[i], q->target + lo, n, ctx->want,
                               ctx->required ? ctx->required + lo : NULL, answers + lo);
        for (int a = lo; ctx->bound && a < lo + n; a++) {
            double *b = &ctx->bounds[(size_t)worker * q->targets + a];
            *b = isnan(answers[a]) ? radius : answers[a];
        }
        for (int a = lo; ctx->hops && a < q->first[i + 1]; a++) {
            ctx->answer_hops[(size_t)worker * q->targets + a] = hops_back(w, q->source[i],
                                                                          q->target[a]);
        }
    }
    double *row = ctx->out + (size_t)index * (size_t)q->pairs;
    for (int j = 0; j < q->pairs; j++) {
        row[j] = answers[q->answer_of[j]];
    }
    if (ctx->bound) {
        const double *from = ctx->bounds + (size_t)worker * q->targets;
        double *brow = ctx->bound + (size_t)index * (size_t)q->pairs;
        for (int j = 0; j < q->pairs; j++) {
            brow[j] = from[q->answer_of[j]];
        }
    }
    if (ctx->hops) {
        const int *from = ctx->answer_hops + (size_t)worker * q->targets;
        int *hrow = ctx->hops + (size_t)index * (size_t)q->pairs;
        for (int j = 0; j < q->pairs; j++) {
            hrow[j] = from[q->answer_of[j]];
        }
    }
    return XNET_OK;
}

/* The reference: igraph's Dijkstra from every distinct source to every
 * satellite, one snapshot at a time on this thread. */
static int run_igraph(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out)
{
    int S = q->sources, rc = XNET_OK;
    igraph_vector_int_t from;
    igraph_matrix_t res;
    double *answers = malloc(sizeof(double) * ((size_t)q->targets + 1));
    if (!answers || igraph_vector_int_init(&from, S) != IGRAPH_SUCCESS) {
        free(answers);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path query");
    }
    if (igraph_matrix_init(&res, 0, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&from);
        free(answers);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path query");
    }
    for (int i = 0; i < S; i++) {
        VECTOR(from)[i] = q->source[i];
    }
    for (int k = t0; k < t1 && !rc && S > 0; k++) {
        const igraph_t *g;
        const igraph_vector_t *wt;
        if ((rc = xnet_check_interrupt()) || (rc = xnet_network_graph(net, k, &g, &wt))) {
            break;
        }
        if (igraph_distances_dijkstra(g, &res, igraph_vss_vector(&from), igraph_vss_all(), wt,
                                      IGRAPH_ALL) != IGRAPH_SUCCESS) {
            rc = XNET_EGRAPH;
            break;
        }
        for (int i = 0; i < S; i++) {
            for (int a = q->first[i]; a < q->first[i + 1]; a++) {
                answers[a] = MATRIX(res, i, q->target[a]);
            }
        }
        double *row = out + (size_t)(k - t0) * (size_t)q->pairs;
        for (int j = 0; j < q->pairs; j++) {
            row[j] = answers[q->answer_of[j]];
        }
    }
    igraph_matrix_destroy(&res);
    igraph_vector_int_destroy(&from);
    free(answers);
    return rc;
}

int xnet_query_run(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out)
{
    return xnet_query_run_hops(net, q, t0, t1, out, NULL);
}

static int run_query(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out,
                     int *hops, int want, const unsigned char *required, double *bound);

int xnet_query_run_hops(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out,
                        int *hops)
{
    return run_query(net, q, t0, t1, out, hops, 0, NULL, NULL);
}

int xnet_query_run_nearest(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, int want,
                           const unsigned char *required, double *out, double *bound)
{
    if (want < 0) {
        return xnet_fail(XNET_EINVAL, "want must be >= 0, got %d", want);
    }
    unsigned char *per_target = NULL;
    if (required && !(per_target = calloc((size_t)q->targets + 1, 1))) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the path query");
    }
    for (int j = 0; required && j < q->pairs; j++) {
        per_target[q->answer_of[j]] |= required[j] != 0;
    }
    int rc = run_query(net, q, t0, t1, out, NULL, want, per_target, bound);
    free(per_target);
    if (!rc && engine_in_force == XNET_PATHS_IGRAPH) { /* igraph's rows are whole */
        memcpy(bound, out, sizeof(double) * (size_t)(t1 - t0) * (size_t)q->pairs);
    }
    return rc;
}

static int run_query(xnet_network_t *net, const xnet_query_t *q, int t0, int t1, double *out,
                     int *hops, int want, const unsigned char *required, double *bound)
{
    int T = xnet_network_snapshots(net), rc;
    if (q->nodes != xnet_network_nodes(net)) {
        return xnet_fail(XNET_EINVAL, "the query is for %d satellites, the network has %d",
                         q->nodes, xnet_network_nodes(net));
    }
    if (t0 < 0 || t1 > T || t0 > t1) {
        return xnet_fail(XNET_EINVAL, "snapshots [%d, %d) out of range [0, %d)", t0, t1, T);
    }
    if (engine_in_force == XNET_PATHS_IGRAPH && !hops) {
        return run_igraph(net, q, t0, t1, out);
    }
    if ((rc = xnet_workers_check())) {
        return rc;
    }
    int workers = xnet_workers(), tasks = t1 - t0;
    workers = workers > tasks ? (tasks > 0 ? tasks : 1) : workers;
    workspace_set_t *set = NULL;
    if ((rc = workspaces(net, workers, &set))
        || (rc = xnet_limit_check((double)workers * q->targets * sizeof(double),
                                  "the path query answers"))) {
        return rc;
    }
    size_t answers = (size_t)workers * ((size_t)q->targets + 1);
    run_ctx ctx = {net, q, set, NULL, malloc(sizeof(double) * answers),
                   hops ? malloc(sizeof(int) * answers) : NULL, out, hops, t0, want, required,
                   bound ? malloc(sizeof(double) * answers) : NULL, bound};
    if (!ctx.answers || (hops && !ctx.answer_hops) || (bound && !ctx.bounds)) {
        free(ctx.answers);
        free(ctx.answer_hops);
        free(ctx.bounds);
        return xnet_fail(XNET_ENOMEM, "out of memory for the path query answers");
    }
    ctx.cache = xnet_snapshot_cache_prepare(net, t0, t1);
    rc = xnet_pool_run(tasks, workers, run_snapshot, &ctx);
    xnet_snapshot_cache_settle(ctx.cache);
    free(ctx.answers);
    free(ctx.answer_hops);
    free(ctx.bounds);
    return rc;
}

/* --- rows on a fixed graph ----------------------------------------------------- */

typedef struct {
    workspace_t *ws;
    const int *source;
    double *out;
    int nodes;
} rows_ctx;

static int run_row(void *p, int worker, int index)
{
    rows_ctx *ctx = p;
    workspace_t *w = &ctx->ws[worker];
    if (xnet_interrupt_requested) {
        return XNET_EINTR;
    }
    if (w->stamp == INT_MAX) {
        memset(w->vx, 0, sizeof(vertex_t) * (size_t)w->nodes);
        memset(w->wanted, 0, sizeof(int) * (size_t)w->nodes);
        memset(w->hop_stamp, 0, sizeof(int) * (size_t)w->nodes);
        w->stamp = 0;
    }
    int stamp = ++w->stamp, src = ctx->source[index];
    /* no vertex is wanted: the search settles all it reaches */
    if (w->buckets > 0) {
        (void)search_buckets(w, src, stamp, -1);
    } else {
        (void)search_heap(w, src, stamp, -1);
    }
    double *row = ctx->out + (size_t)index * (size_t)ctx->nodes;
    for (int v = 0; v < ctx->nodes; v++) {
        row[v] = w->vx[v].reached == stamp ? w->vx[v].dist_s : INFINITY;
    }
    return XNET_OK;
}

struct xnet_fixed_graph {
    int nodes, workers;
    workspace_t ws[XNET_MAX_WORKERS];
};

void xnet_fixed_graph_destroy(xnet_fixed_graph_t *g)
{
    for (int i = 0; g && i < g->workers; i++) {
        workspace_free(&g->ws[i]);
    }
    free(g);
}

int xnet_fixed_graph_create(xnet_fixed_graph_t **out, int nodes, int edges,
                            const xnet_link_t *link, const double *weight_s, int workers)
{
    *out = NULL;
    int rc;
    for (int e = 0; e < edges; e++) {
        if (link[e].a < 0 || link[e].a >= nodes || link[e].b < 0 || link[e].b >= nodes) {
            return xnet_fail(XNET_EINVAL, "edge %d (%d, %d) out of range [0, %d)", e, link[e].a,
                             link[e].b, nodes);
        }
    }
    if ((rc = xnet_workers_check())) {
        return rc;
    }
    workers = workers < xnet_workers() ? (workers > 0 ? workers : 1) : xnet_workers();
    if ((rc = xnet_limit_check(workers * workspace_bytes(nodes, edges), "the path search "
                               "workspaces"))) {
        return rc;
    }
    xnet_fixed_graph_t *g = calloc(1, sizeof *g);
    if (!g) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the path search workspaces");
    }
    g->nodes = nodes;
    /* the arcs built once, read by every worker */
    for (; g->workers < workers && !rc; g->workers++) {
        workspace_t *w = &g->ws[g->workers];
        if ((rc = workspace_alloc(w, nodes, edges))) {
            break;
        }
        if (g->workers == 0) {
            xnet_arcs_build(&w->own, nodes, edges, link, NULL, weight_s, w->cursor);
        }
        use_arcs(w, &g->ws[0].own);
    }
    if (rc) {
        xnet_fixed_graph_destroy(g);
        return rc;
    }
    *out = g;
    return XNET_OK;
}


int xnet_fixed_graph_workers(const xnet_fixed_graph_t *g) { return g->workers; }

int xnet_fixed_graph_rows(xnet_fixed_graph_t *g, int sources, const int *source, double *out)
{
    for (int i = 0; i < sources; i++) {
        if (source[i] < 0 || source[i] >= g->nodes) {
            return xnet_fail(XNET_EINVAL, "satellite %d out of range [0, %d)", source[i],
                             g->nodes);
        }
    }
    int workers = g->workers > sources ? (sources > 0 ? sources : 1) : g->workers;
    rows_ctx ctx = {g->ws, source, out, g->nodes};
    return xnet_pool_run(sources, workers, run_row, &ctx);
}

int xnet_query_graph_rows(int nodes, int edges, const xnet_link_t *link, const double *weight_s,
                          int sources, const int *source, double *out)
{
    xnet_fixed_graph_t *g;
    int rc = xnet_fixed_graph_create(&g, nodes, edges, link, weight_s, sources);
    if (!rc) {
        rc = xnet_fixed_graph_rows(g, sources, source, out);
        xnet_fixed_graph_destroy(g);
    }
    return rc;
}
