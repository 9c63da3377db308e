/* +Grid links, feasibility rules, reproducible outages, the link geometry
 * a network shares with its reseeds, and shortest paths on a ring and a
 * lattice computed by hand and by Floyd-Warshall. */
#include "check.h"
#include "make_network.h"
#include "error.h"
#include "memlimit.h"
#include "network.h"
#include "paths.h"
#include "pool.h"
#include "rng.h"
#include "snapshot_cache.h"

#include <stdlib.h>
#include <string.h>

static void test_counts(void)
{
    xnet_network_t *star = make(XNET_WALKER_STAR, 33, 32, 0, 1, HUGE_VAL, 20, 1);
    CHECK(xnet_network_candidate_count(star) == 33 * 32 + 32 * 32);
    CHECK(xnet_network_candidate_count(star) == 2080);
    /* survival 1 and no tracking limit: every +Grid link is up in every snapshot */
    int all_up = 1;
    for (int k = 0; k < 20; k++) {
        const xnet_link_counts_t *c = xnet_network_counts(star, k);
        all_up = all_up && c->active == 2080 && c->total == 2080;
    }
    CHECK(all_up);
    /* the seam: no link between plane 32 and plane 0 */
    const xnet_link_t *l = xnet_network_candidates(star);
    int seam = 0;
    for (int k = 0; k < 2080; k++) {
        int pa = l[k].a / 32, pb = l[k].b / 32;
        seam += (pa == 0 && pb == 32) || (pa == 32 && pb == 0);
    }
    CHECK(seam == 0);
    /* in-plane link latency: 1356.8 km / c + 65536 / 100e9 = 4.526 ms */
    CHECK_NEAR(xnet_network_at(star, 0)->latency_s[0] * 1e3, 4.526, 0.0005);
    xnet_network_destroy(star);

    xnet_network_t *delta = make(XNET_WALKER_DELTA, 10, 8, 3, 1, HUGE_VAL, 2, 1);
    CHECK(xnet_network_candidate_count(delta) == 2 * 10 * 8);
    /* the wrap links plane 9 slot s to plane 0 slot (s + F) % S */
    l = xnet_network_candidates(delta);
    CHECK(l[159].a == 9 * 8 + 7 && l[159].b == (7 + 3) % 8);
    xnet_network_destroy(delta);
}

static void test_rules(void)
{
    /* Adjacent-plane links of a star: to first order in the RAAN step the
     * line-of-sight rate is n cos i / (cos^2 i sin^2 u + cos^2 u), largest at
     * the poles: n / cos i = 0.0209 rad/s at 87 deg. So the default 0.12 rad/s
     * never binds, and 0.02 rad/s removes exactly the links at slots 8 and 24
     * (u = 90 and 270 deg at t = 0): 2 x 32 links. */
    xnet_network_t *net = make(XNET_WALKER_STAR, 33, 32, 0, 1, 0.12, 10, 1);
    int tracking = 0;
    for (int k = 0; k < 10; k++) {
        const xnet_link_counts_t *c = xnet_network_counts(net, k);
        tracking += c->tracking;
        CHECK(c->blocked + c->tracking + c->range + c->outage + c->active == c->total);
        CHECK(c->outage == 0);
    }
    CHECK(tracking == 0);
    xnet_network_destroy(net);
    net = make(XNET_WALKER_STAR, 33, 32, 0, 1, 0.02, 10, 1);
    CHECK(xnet_network_counts(net, 0)->tracking == 64);
    const uint8_t *s0 = xnet_network_at(net, 0)->state;
    const xnet_link_t *l0 = xnet_network_candidates(net);
    int polar = 1;
    for (int k = 0; k < 2080; k++) {
        int slot = l0[k].a % 32, cross = k >= 1056;
        polar = polar && ((s0[k] == XNET_LINK_TRACKING) == (cross && (slot == 8 || slot == 24)));
    }
    CHECK(polar);
    /* no in-plane link ever fails tracking: same orbit, constant geometry */
    const uint8_t *s = xnet_network_at(net, 3)->state;
    int inplane_ok = 1;
    for (int k = 0; k < 33 * 32; k++) {
        inplane_ok = inplane_ok && s[k] == XNET_LINK_ACTIVE;
    }
    CHECK(inplane_ok);
    xnet_network_destroy(net);

    /* Earth blockage: 3 satellites per plane at 550 km, chord at 120 deg dips
     * to r cos(60 deg) = 3460 km from the centre, inside the Earth */
    xnet_walker_t w;
    xnet_walker_init(&w, XNET_WALKER_STAR, 2, 3, 0, 550, 87);
    xnet_network_params_t p = xnet_network_params_default();
    p.snapshots = 1;
    p.link.max_range_km = HUGE_VAL;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_OK);
    const uint8_t *st = xnet_network_at(net, 0)->state;
    CHECK(st[0] == XNET_LINK_BLOCKED && st[3] == XNET_LINK_BLOCKED && st[5] == XNET_LINK_BLOCKED);
    /* slot 0 of the two planes sits on the equator 90 deg apart: blocked too */
    CHECK(st[6] == XNET_LINK_BLOCKED && xnet_network_counts(net, 0)->blocked == 7);
    xnet_network_destroy(net);

    /* maximum range: in-plane chord 1356.8 km with a 1000 km limit */
    xnet_walker_init(&w, XNET_WALKER_STAR, 2, 32, 0, 550, 87);
    p.link.max_range_km = 1000;
    p.link.omega_max_rad_s = HUGE_VAL;
    p.link.survival = 1;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_OK);
    st = xnet_network_at(net, 0)->state;
    int inplane_range = 1;
    for (int k = 0; k < 64; k++) {
        inplane_range = inplane_range && st[k] == XNET_LINK_RANGE;
    }
    CHECK(inplane_range && xnet_network_counts(net, 0)->range >= 64);
    xnet_network_destroy(net);
}

static void test_seeds(void)
{
    xnet_network_t *a = make(XNET_WALKER_STAR, 33, 32, 0, 0.9, HUGE_VAL, 5, 42);
    xnet_network_t *b = make(XNET_WALKER_STAR, 33, 32, 0, 0.9, HUGE_VAL, 5, 42);
    xnet_network_t *c = make(XNET_WALKER_STAR, 33, 32, 0, 0.9, HUGE_VAL, 5, 43);
    int n = 2080 * 5, same_ab = 1, same_ac = 1, outages = 0;
    for (int k = 0; k < 5; k++) {
        const uint8_t *sa = xnet_network_at(a, k)->state, *sb = xnet_network_at(b, k)->state;
        const uint8_t *sc = xnet_network_at(c, k)->state;
        same_ab = same_ab && memcmp(sa, sb, 2080) == 0;
        same_ac = same_ac && memcmp(sa, sc, 2080) == 0;
        outages += xnet_network_counts(a, k)->outage;
    }
    CHECK(same_ab);
    CHECK(!same_ac);
    /* 10% outage over 10400 draws: within 5 sigma (sigma ~ 30.6) */
    CHECK(fabs(outages - 0.1 * n) < 5 * sqrt(n * 0.1 * 0.9));
    xnet_network_destroy(a);
    xnet_network_destroy(b);
    xnet_network_destroy(c);
}

static void test_paths(void)
{
    /* ring: 2 planes of 12, survival 1. Within plane 0 the latency to slot k
     * is min(k, 12 - k) in-plane hops; detours through plane 1 are longer. */
    xnet_network_t *net = make(XNET_WALKER_STAR, 2, 12, 0, 1, HUGE_VAL, 3, 1);
    double r = 6921, hop = 2 * r * sin(M_PI / 12) / XNET_LIGHT_KM_S + 65536 / 100e9;
    double *d = malloc(sizeof(double) * 24);
    int src = 0, hops[72], path[72], len;
    CHECK(xnet_paths_latency(net, 1, &src, 1, d) == XNET_OK);
    for (int k = 0; k < 12; k++) {
        CHECK_NEAR(d[k], (k < 12 - k ? k : 12 - k) * hop, 1e-12);
    }
    CHECK(xnet_paths_hops(net, 1, 0, hops) == XNET_OK);
    CHECK(hops[0] == 0 && hops[3] == 3 && hops[9] == 3 && hops[6] == 6);
    CHECK(xnet_paths_route(net, 1, 0, 3, path, &len) == XNET_OK);
    CHECK(len == 4 && path[0] == 0 && path[1] == 1 && path[2] == 2 && path[3] == 3);
    /* symmetry */
    double *e = malloc(sizeof(double) * 24);
    src = 3;
    CHECK(xnet_paths_latency(net, 1, &src, 1, e) == XNET_OK);
    CHECK_NEAR(e[0], d[3], 1e-15);
    free(d);
    free(e);
    xnet_network_destroy(net);

    /* lattice at t = 0: satellite 0 and the same slot in planes 1, 2 lie on
     * the equator; the cross-plane chord is 2 r sin(dRAAN / 2) */
    net = make(XNET_WALKER_STAR, 6, 12, 0, 1, HUGE_VAL, 1, 1);
    int n = 72;
    d = malloc(sizeof(double) * n);
    src = 0;
    CHECK(xnet_paths_latency(net, 0, &src, 1, d) == XNET_OK);
    double cross = 2 * r * sin(M_PI / 6 / 2) / XNET_LIGHT_KM_S + 65536 / 100e9;
    CHECK_NEAR(d[12], cross, 1e-12);
    CHECK_NEAR(d[24], 2 * cross, 1e-12);
    /* cross-check every pair against Floyd-Warshall on the candidate list */
    double *fw = malloc(sizeof(double) * n * n);
    for (int i = 0; i < n * n; i++) {
        fw[i] = i % (n + 1) == 0 ? 0 : HUGE_VAL;
    }
    const xnet_link_t *l = xnet_network_candidates(net);
    const double *lat = xnet_network_at(net, 0)->latency_s;
    for (int k = 0; k < xnet_network_candidate_count(net); k++) {
        fw[l[k].a * n + l[k].b] = fw[l[k].b * n + l[k].a] = lat[k];
    }
    for (int m = 0; m < n; m++) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (fw[i * n + m] + fw[m * n + j] < fw[i * n + j]) {
                    fw[i * n + j] = fw[i * n + m] + fw[m * n + j];
                }
            }
        }
    }
    double worst = 0;
    for (int s = 0; s < n; s++) {
        xnet_paths_latency(net, 0, &s, 1, d);
        for (int v = 0; v < n; v++) {
            worst = fmax(worst, fabs(d[v] - fw[s * n + v]));
        }
    }
    CHECK(worst < 1e-15);
    int count, sizes[72];
    CHECK(xnet_paths_components(net, 0, &count, sizes) == XNET_OK);
    CHECK(count == 1 && sizes[0] == 72);
    free(fw);
    free(d);
    xnet_network_destroy(net);

    /* survival 0: nothing is connected, nothing is reachable */
    net = make(XNET_WALKER_STAR, 3, 4, 0, 0, HUGE_VAL, 1, 1);
    d = malloc(sizeof(double) * 12);
    src = 5;
    CHECK(xnet_paths_latency(net, 0, &src, 1, d) == XNET_OK);
    CHECK(d[5] == 0 && isinf(d[6]));
    CHECK(xnet_paths_route(net, 0, 5, 6, path, &len) == XNET_OK && len == 0);
    CHECK(xnet_paths_hops(net, 0, 5, hops) == XNET_OK && hops[6] == -1 && hops[5] == 0);
    CHECK(xnet_paths_components(net, 0, &count, NULL) == XNET_OK && count == 12);
    /* bad ids and snapshots are refused before igraph sees them */
    src = 12;
    CHECK(xnet_paths_latency(net, 0, &src, 1, d) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "satellite 12 out of range [0, 12)") != NULL);
    src = 0;
    CHECK(xnet_paths_latency(net, 1, &src, 1, d) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "snapshot 1 out of range [0, 1)") != NULL);
    CHECK(xnet_paths_route(net, -1, 0, 1, path, &len) == XNET_EINVAL);
    free(d);
    xnet_network_destroy(net);
}

static void test_errors(void)
{
    xnet_walker_t w;
    xnet_network_t *net = NULL;
    xnet_network_params_t p = xnet_network_params_default();
    xnet_walker_init(&w, XNET_WALKER_STAR, 33, 32, 0, 550, 87);
    p.snapshots = 0;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL && net == NULL);
    CHECK(strstr(xnet_errmsg(), "snapshots must be >= 1, got 0") != NULL);
    p = xnet_network_params_default();
    p.link.survival = 1.5;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "survival must be in [0, 1], got 1.5") != NULL);
    p.link.survival = NAN;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL);
    p = xnet_network_params_default();
    p.link.margin_km = 600;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "above the atmosphere margin") != NULL);
    p = xnet_network_params_default();
    p.link.rate_bps = 0;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL);
    p = xnet_network_params_default();
    xnet_walker_init(&w, XNET_WALKER_STAR, 33, 2, 0, 550, 87);
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "sats >= 3") != NULL);
    xnet_walker_init(&w, XNET_WALKER_DELTA, 2, 8, 0, 550, 87);
    CHECK(xnet_network_create(&net, &w, &p) == XNET_EINVAL);
    /* the memory limit refuses before allocating: the two-state chain keeps a
     * bit per link per snapshot (1999000 links x 20000 snapshots: 5 GB) */
    xnet_walker_init(&w, XNET_WALKER_STAR, 1000, 1000, 0, 550, 87);
    p.snapshots = 20000;
    p.link.outage_markov = 1;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_ELIMIT && net == NULL);
    CHECK(strstr(xnet_errmsg(), "memory limit") != NULL);
    /* Over the address space: the chain's bits cannot be allocated after the
     * graph slots were; destroy must read only slots it initialised (memcheck). */
    double saved = xnet_memory_limit_bytes();
    xnet_set_memory_limit_bytes(1e300);
    xnet_walker_init(&w, XNET_WALKER_STAR, 100, 1000, 0, 550, 87);
    p.snapshots = XNET_MAX_SNAPSHOTS;
    CHECK(xnet_network_create(&net, &w, &p) == XNET_ENOMEM && net == NULL);
    CHECK(strstr(xnet_errmsg(), "out of memory creating the network") != NULL);
    /* just over the limit: the message shows the bytes, not two equal MiB figures */
    xnet_set_memory_limit_bytes(4096.0 * 1048576);
    CHECK(xnet_limit_check(4096.0 * 1048576 + 8, "it") == XNET_ELIMIT);
    CHECK(strstr(xnet_errmsg(), "it would need 4294967304 bytes, over the memory limit of "
                                "4294967296 bytes")
          != NULL);
    CHECK(xnet_limit_check(5000.0 * 1048576, "it") == XNET_ELIMIT);
    CHECK(strstr(xnet_errmsg(), "it would need 5000.0 MiB, over the memory limit of 4096.0 MiB")
          != NULL);
    xnet_set_memory_limit_bytes(saved);
}

/* ASan, like malloc, returns NULL for the request over the address space above. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

/* igraph's own errors reach the recording handler, and the reason given
 * where the error arose survives the empty ones of the checks it passes on
 * the way out. */
static void test_igraph_errors(void)
{
    igraph_t g;
    igraph_vector_int_t edges;
    igraph_vector_t weights;
    igraph_matrix_t d;
    igraph_vector_int_init_int(&edges, 4, 0, 1, 1, 2);
    igraph_create(&g, &edges, 3, IGRAPH_UNDIRECTED);
    igraph_vector_init_int(&weights, 2, 1, -1);
    igraph_matrix_init(&d, 0, 0);
    /* one path calls the all-paths kernel, which refuses the weight (igraph
     * 0.10: the handler runs with the reason, then with "" on the way out) */
    igraph_vector_int_t path;
    igraph_vector_int_init(&path, 0);
    igraph_error_t rc = igraph_get_shortest_path_dijkstra(&g, &path, NULL, 0, 2, &weights,
                                                          IGRAPH_ALL);
    igraph_vector_int_destroy(&path);
    CHECK(rc != IGRAPH_SUCCESS);
    CHECK(strstr(xnet_errmsg(), "igraph: ") == xnet_errmsg());
    if (!strstr(xnet_errmsg(), "negative")) {
        fprintf(stderr, "igraph error: %s\n", xnet_errmsg());
        CHECK(0);
    }
    /* a later error records its own reason */
    igraph_vector_resize(&weights, 1);
    rc = igraph_distances_dijkstra(&g, &d, igraph_vss_all(), igraph_vss_all(), &weights,
                                   IGRAPH_ALL);
    CHECK(rc != IGRAPH_SUCCESS && strstr(xnet_errmsg(), "negative") == NULL);
    igraph_matrix_destroy(&d);
    igraph_vector_destroy(&weights);
    igraph_vector_int_destroy(&edges);
    igraph_destroy(&g);
}

/* Both networks' snapshot k the same bits: states, latencies (NaN where
 * no link), counts. */
static int same_snapshot(xnet_network_t *a, xnet_network_t *b, int k)
{
    int C = xnet_network_candidate_count(a);
    const xnet_snapshot_t *sa = xnet_network_at(a, k);
    uint8_t *state = malloc((size_t)C);
    double *lat = malloc(sizeof(double) * (size_t)C);
    xnet_link_counts_t ca = sa->counts;
    memcpy(state, sa->state, (size_t)C);
    memcpy(lat, sa->latency_s, sizeof(double) * (size_t)C);
    const xnet_snapshot_t *sb = xnet_network_at(b, k);
    int same = memcmp(state, sb->state, (size_t)C) == 0
            && memcmp(lat, sb->latency_s, sizeof(double) * (size_t)C) == 0
            && memcmp(&ca, &sb->counts, sizeof ca) == 0;
    free(state);
    free(lat);
    return same;
}

/* A reseed reading the geometry its parent kept gives every snapshot the
 * bits a reseed computing everything gives (the store off), on random
 * shells: both patterns, independent and two-state outages, latitude
 * cut-offs, a user's rule, custom links; snapshots past the store's budget
 * are computed. And the parent's own snapshots read back from the store
 * the same as computed. */
static void test_shared_geometry(void)
{
    double budget = xnet_snapshot_cache_budget_bytes();
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 2024);
    int compared = 0, differ = 0, stored = 0, outage_differs = 0;
    for (int trial = 0; trial < 24; trial++) {
        int delta = trial % 2, P = 4 + (int)(xnet_rng_uniform(&rng) * 10);
        int S = 4 + (int)(xnet_rng_uniform(&rng) * 10), T = 6;
        xnet_walker_t w;
        if (xnet_walker_init(&w, delta ? XNET_WALKER_DELTA : XNET_WALKER_STAR, P, S,
                             delta ? 1 : 0, 550, 60 + 30 * xnet_rng_uniform(&rng))) {
            CHECK(!"walker refused");
            continue;
        }
        xnet_network_params_t p = xnet_network_params_default();
        p.snapshots = T;
        p.link.survival = 0.5 + 0.5 * xnet_rng_uniform(&rng);
        p.link.seed = (uint64_t)trial;
        p.link.outage_markov = trial % 3 == 0;
        p.link.cross_plane_max_lat_deg = trial % 4 == 1 ? 60 : INFINITY;
        p.link.max_range_km = trial % 5 == 2 ? 3000 : 5000;
        int C = 0;
        xnet_links_candidate_count(&w, &C);
        uint8_t *allowed = NULL;
        if (trial % 6 == 4) {
            allowed = malloc((size_t)T * (size_t)C);
            for (int i = 0; i < T * C; i++) {
                allowed[i] = xnet_rng_uniform(&rng) < 0.8;
            }
            p.user_allowed = allowed;
        }
        /* the store for 4 of the 6 snapshots, or for none */
        xnet_set_snapshot_cache_budget_bytes(16.0 * 4 * (9.0 * C + 1) + 8);
        xnet_network_t *parent = NULL, *lone = NULL, *shared = NULL, *computed = NULL;
        xnet_network_create(&parent, &w, &p);
        xnet_network_create(&lone, &w, &p);
        xnet_set_snapshot_cache_budget_bytes(0);
        xnet_network_t *plain = NULL;
        xnet_network_create(&plain, &w, &p);
        if (!parent || !lone || !plain) {
            CHECK(!"network creation failed");
        } else {
            for (int k = 0; k < T; k++) {
                (void)xnet_network_at(parent, k); /* the parent keeps 0 .. 3 */
            }
            stored += xnet_network_bytes(parent).geometry == 4 * (9.0 * C + 1);
            xnet_network_reseed(&shared, parent, 1000 + (uint64_t)trial);
            xnet_network_reseed(&computed, plain, 1000 + (uint64_t)trial);
            stored += shared && xnet_network_bytes(shared).geometry == 4 * (9.0 * C + 1);
            for (int k = 0; shared && computed && k < T; k++) {
                differ += !same_snapshot(shared, computed, k);
                differ += !same_snapshot(parent, plain, k);
                compared += 2;
            }
            /* a reseed's draw is its own */
            for (int k = 0; shared && k < T; k++) {
                outage_differs += !same_snapshot(shared, lone, k);
            }
        }
        xnet_network_destroy(shared);
        xnet_network_destroy(computed);
        xnet_network_destroy(parent);
        xnet_network_destroy(lone);
        xnet_network_destroy(plain);
        free(allowed);
    }
    xnet_set_snapshot_cache_budget_bytes(budget);
    printf("shared geometry: %d snapshots compared, %d differ; %d of 48 networks held 4 "
           "snapshots of geometry; %d reseeded snapshots differ from the parent's draw\n",
           compared, differ, stored, outage_differs);
    CHECK(compared == 24 * 12 && differ == 0);
    CHECK(stored == 48); /* the parent's, and the same store its reseed reads */
    CHECK(outage_differs > 24);
}

/* The pieces counted by union-find on the workers against igraph's
 * connected components, on random shells from whole to shattered
 * (survival 1 down to 0.2), on 1 and 3 workers; and a snapshot out of
 * range is refused. */
static void test_pieces(void)
{
    int saved = xnet_workers(), compared = 0, wrong = 0;
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 99);
    static const double survival[] = {1, 0.8, 0.5, 0.2};
    for (int trial = 0; trial < 16; trial++) {
        int P = 3 + (int)(xnet_rng_uniform(&rng) * 12), S = 3 + (int)(xnet_rng_uniform(&rng) * 12);
        xnet_network_t *net = make(trial % 2 ? XNET_WALKER_DELTA : XNET_WALKER_STAR, P, S,
                                   trial % 2, survival[trial % 4], HUGE_VAL, 9,
                                   (unsigned)trial + 3);
        if (!net) {
            CHECK(!"network creation failed");
            continue;
        }
        int snaps[9], pieces[9], largest[9], *sizes = malloc(sizeof(int) * (size_t)(P * S));
        for (int k = 0; k < 9; k++) {
            snaps[k] = 8 - k;
        }
        xnet_set_workers(1 + 2 * (trial % 2));
        wrong += xnet_paths_pieces(net, 9, snaps, pieces, largest) != XNET_OK;
        for (int k = 0; k < 9; k++) {
            int count = -1;
            wrong += xnet_paths_components(net, snaps[k], &count, sizes) != XNET_OK;
            wrong += count != pieces[k] || sizes[0] != largest[k];
            compared++;
        }
        free(sizes);
        int bad[] = {0, 9};
        CHECK(xnet_paths_pieces(net, 2, bad, pieces, largest) == XNET_EINVAL
              && strstr(xnet_errmsg(), "snapshot 9 out of range [0, 9)"));
        xnet_network_destroy(net);
    }
    xnet_set_workers(saved);
    printf("pieces: %d snapshots set beside igraph's components, %d differ\n", compared, wrong);
    CHECK(compared == 16 * 9 && wrong == 0);
}

int main(void)
{
    xnet_igraph_init();
    test_counts();
    test_rules();
    test_seeds();
    test_paths();
    test_errors();
    test_igraph_errors();
    test_shared_geometry();
    test_pieces();
    return check_done();
}
