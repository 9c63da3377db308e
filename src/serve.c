#include "serve.h"

#include "error.h"
#include "latency.h"
#include "memlimit.h"
#include "rng.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { EV_ARRIVAL, EV_START, EV_GATEWAY, EV_EXPERT, EV_RETRY, EV_DONE };

/* Events leave the heap by time, then by the order they were scheduled in:
 * ties are broken the same way on every run. */
typedef struct {
    double t;
    uint64_t seq;
    int kind, a, b;
} event_t;

typedef struct {
    double start_s, gather_s; /* when it started; the latest result of its layer so far */
    int layer, pending, snap, stream, measured, alive;
    int met_cut; /* some layer's set needed a cut path (then a retry) */
} token_t;

typedef struct {
    int token, member; /* member -1: the gateway's compute */
    int next;
} job_t;

/* One replication's state. Pools grow by doubling; items are indices. */
typedef struct {
    const xnet_serve_system_t *sys;
    const xnet_serve_params_t *par;
    xnet_rng_t rng;
    event_t *heap;
    size_t heap_n, heap_cap;
    uint64_t seq;
    token_t *tok;
    int *members; /* tokens x top_k: the current layer's activated experts */
    int *chosen;  /* with replicas, tokens x top_k: the copy each of them uses */
    int tok_cap, tok_free;
    int *tok_next_free;
    job_t *job;
    int job_cap, job_free;
    int *head, *tail, *busy; /* per satellite: FIFO of waiting jobs, servers in use */
    int *owed_expert, *owed_gateway; /* per satellite: jobs sent or queued, not done */
    double *busy_s;          /* per satellite: server-seconds inside the window */
    double *lat;             /* measured latencies */
    size_t lat_n, lat_cap;
    double started, lost, met_cut, area;
    uint64_t events;
    double window_lo, window_hi;
    int failed; /* an error code; the run stops */
} sim_t;

static int grow(void **p, size_t elem, size_t *cap, size_t need, const char *what)
{
    if (need <= *cap) {
        return XNET_OK;
    }
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        c *= 2;
    }
    int rc = xnet_limit_check((double)c * (double)elem, what);
    if (rc) {
        return rc;
    }
    void *q = realloc(*p, c * elem);
    if (!q) {
        return xnet_fail(XNET_ENOMEM, "out of memory for %s", what);
    }
    *p = q;
    *cap = c;
    return XNET_OK;
}

static inline int event_before(const event_t *x, const event_t *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void push_event(sim_t *s, double t, int kind, int a, int b)
{
    if (s->failed) {
        return;
    }
    if (s->heap_n == s->heap_cap) {
        int rc = grow((void **)&s->heap, sizeof(event_t), &s->heap_cap, s->heap_n + 1,
                      "the event queue");
        if (rc) {
            s->failed = rc;
            return;
        }
    }
    event_t e = {t, s->seq++, kind, a, b};
    size_t i = s->heap_n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!event_before(&e, &s->heap[parent])) {
            break;
        }
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = e;
}

static event_t pop_event(sim_t *s)
{
    event_t top = s->heap[0], last = s->heap[--s->heap_n];
    size_t i = 0, n = s->heap_n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) {
            break;
        }
        if (c + 1 < n && event_before(&s->heap[c + 1], &s->heap[c])) {
            c++;
        }
        if (!event_before(&s->heap[c], &last)) {
            break;
        }
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n > 0) {
        s->heap[i] = last;
    }
    return top;
}

void xnet_serve_draw_set(const xnet_profile_t *prof, int l, xnet_rng_t *rng, int *out)
{
    int k = prof->top_k;
    if (prof->topk) {
        xnet_topk_draw(prof->topk[l], rng, out);
        return;
    }
    size_t set = xnet_profile_draw_set(prof, l, rng);
    memcpy(out, prof->members + set * (size_t)k, sizeof(int) * (size_t)k);
}

static int new_token(sim_t *s, double t, int stream)
{
    if (s->tok_free < 0) {
        size_t cap = (size_t)s->tok_cap, k = (size_t)s->sys->top_k, old = cap;
        if (cap >= (size_t)1 << 30) {
            s->failed = xnet_fail(XNET_ELIMIT, "more than 2^30 tokens in the system at once");
            return -1;
        }
        size_t c1 = cap, c2 = cap, c3 = cap, c4 = cap;
        int rc = grow((void **)&s->tok, sizeof(token_t), &c1, cap + 1, "the tokens in flight");
        if (!rc) {
            rc = grow((void **)&s->members, sizeof(int) * k, &c2, c1, "the tokens in flight");
        }
        if (!rc && s->sys->copy_first) {
            rc = grow((void **)&s->chosen, sizeof(int) * k, &c4, c1, "the tokens in flight");
        }
        if (!rc) {
            rc = grow((void **)&s->tok_next_free, sizeof(int), &c3, c1, "the tokens in flight");
        }
        if (rc) {
            s->failed = rc;
            return -1;
        }
        s->tok_cap = (int)c1;
        for (size_t i = s->tok_cap; i-- > old;) {
            s->tok[i].alive = 0;
            s->tok_next_free[i] = s->tok_free;
            s->tok_free = (int)i;
        }
    }
    int id = s->tok_free;
    s->tok_free = s->tok_next_free[id];
    const xnet_serve_system_t *sys = s->sys;
    int snap = sys->snapshot >= 0 ? sys->snapshot : 0;
    if (sys->snapshot < 0 && sys->snapshots > 1 && isfinite(sys->snapshot_s)) {
        snap = (int)fmod(floor(t / sys->snapshot_s), (double)sys->snapshots);
    }
    s->tok[id] = (token_t){.start_s = t, .gather_s = -INFINITY, .snap = snap, .stream = stream, .alive = 1,
                           .measured = s->par->streams > 0 || t >= s->par->warmup_s};
    s->started++;
    if (s->started > s->par->max_tokens) {
        s->failed = xnet_fail(XNET_ELIMIT,
                              "the run would start more than max_tokens = %.0f tokens; "
                              "shorten duration_s or raise max_tokens",
                              s->par->max_tokens);
    }
    return id;
}

/* The time a token spent in the system inside the window, for the
 * time-average number of tokens in it. */
static void count_in_system(sim_t *s, double start_s, double end_s)
{
    double lo = fmax(start_s, s->window_lo), hi = fmin(end_s, s->window_hi);
    if (hi > lo) {
        s->area += hi - lo;
    }
}

static void free_token(sim_t *s, int id, double t)
{
    count_in_system(s, s->tok[id].start_s, t);
    s->tok[id].alive = 0;
    s->tok_next_free[id] = s->tok_free;
    s->tok_free = id;
}

static void start_service(sim_t *s, double t, int sat, int job)
{
    const xnet_serve_system_t *sys = s->sys;
    double d = sys->expert_s;
    if (s->job[job].member < 0) {
        d = sys->gateway_s + (s->tok[s->job[job].token].layer == sys->layers - 1 ? sys->head_s : 0);
    }
    if (sys->exponential) {
        d *= -log1p(-xnet_rng_uniform(&s->rng));
    }
    s->busy[sat]++;
    double lo = fmax(t, s->window_lo), hi = fmin(t + d, s->window_hi);
    if (hi > lo) {
        s->busy_s[sat] += hi - lo;
    }
    push_event(s, t + d, EV_DONE, job, sat);
}

/* A job arrives at satellite sat: served now or queued behind the others. */
static void arrive(sim_t *s, double t, int sat, int token, int member)
{
    int id = s->job_free;
    if (id < 0) {
        size_t cap = (size_t)s->job_cap, old = cap;
        int rc = grow((void **)&s->job, sizeof(job_t), &cap, cap + 1, "the queued jobs");
        if (rc) {
            s->failed = rc;
            return;
        }
        s->job_cap = (int)cap;
        for (size_t i = cap; i-- > old;) {
            s->job[i].next = s->job_free;
            s->job_free = (int)i;
        }
        id = s->job_free;
    }
    s->job_free = s->job[id].next;
    s->job[id] = (job_t){token, member, -1};
    if (member < 0) {
        s->owed_gateway[sat]++; /* expert jobs are owed from their dispatch on */
    }
    if (s->busy[sat] < s->sys->parallel) {
        start_service(s, t, sat, id);
    } else if (s->tail[sat] < 0) {
        s->head[sat] = s->tail[sat] = id;
    } else {
        s->job[s->tail[sat]].next = id;
        s->tail[sat] = id;
    }
}

static void start_token(sim_t *s, double t, int stream)
{
    int id = new_token(s, t, stream);
    if (id >= 0) {
        arrive(s, t, s->sys->gateway[0], id, -1);
    }
}

/* A closed stream's token ended (delivered or lost) at t: its next one
 * starts then, or at the next snapshot when no time passed (a token lost
 * at once would otherwise restart at the same instant forever). */
static void next_of_stream(sim_t *s, const token_t *tk, double t)
{
    if (s->par->streams <= 0) {
        return;
    }
    if (t > tk->start_s) {
        push_event(s, t, EV_START, tk->stream, 0);
        return;
    }
    const xnet_serve_system_t *sys = s->sys;
    if (sys->snapshot < 0 && sys->snapshots > 1 && isfinite(sys->snapshot_s)) {
        double next = (floor(t / sys->snapshot_s) + 1) * sys->snapshot_s;
        push_event(s, next, EV_START, tk->stream, 0);
    } /* else: nothing can change; the stream stops */
}

static void record(sim_t *s, double latency_s)
{
    if (s->lat_n == s->lat_cap) {
        int rc = grow((void **)&s->lat, sizeof(double), &s->lat_cap, s->lat_n + 1,
                      "the token latencies");
        if (rc) {
            s->failed = rc;
            return;
        }
    }
    s->lat[s->lat_n++] = latency_s;
}

/* A token's measured fate: closed runs count what ends inside the window,
 * open runs what arrived inside it. */
static int counts(const sim_t *s, const token_t *tk, double end_s)
{
    return s->par->streams > 0 ? end_s >= s->window_lo && end_s <= s->window_hi : tk->measured;
}

/* The copy of expert i = l E + e a token in snapshot snap uses (replicas
 * only): the policy's least cost, ties to the earlier copy. */
static int choose_copy(const sim_t *s, int snap, int i)
{
    const xnet_serve_system_t *sys = s->sys;
    const double *in = sys->copy_in_s + (size_t)snap * sys->copies;
    const double *out = sys->copy_out_s + (size_t)snap * sys->copies;
    int best = -1;
    double best_s = INFINITY;
    for (int c = sys->copy_first[i]; c < sys->copy_first[i + 1]; c++) {
        double v = in[c] + out[c];
        if (sys->replica == XNET_REPLICA_SHORTEST_WAIT && isfinite(v)) {
            int sat = sys->copy_satellite[c];
            v += (s->owed_expert[sat] * sys->expert_s + s->owed_gateway[sat] * sys->gateway_s)
               / sys->parallel;
        }
        if (best < 0 || v < best_s) {
            best = c;
            best_s = v;
        }
    }
    return best;
}

/* Satellite and legs of member j of token id's set (its chosen copy with
 * replicas). */
static int member_satellite(const sim_t *s, int id, int j)
{
    const xnet_serve_system_t *sys = s->sys;
    size_t at = (size_t)id * sys->top_k + (size_t)j;
    if (sys->copy_first) {
        return sys->copy_satellite[s->chosen[at]];
    }
    return sys->satellite[s->tok[id].layer * sys->experts + s->members[at]];
}

static double member_leg(const sim_t *s, int id, int j, const double *leg, const double *copy_leg)
{
    const xnet_serve_system_t *sys = s->sys;
    const token_t *tk = &s->tok[id];
    size_t at = (size_t)id * sys->top_k + (size_t)j;
    if (sys->copy_first) {
        return copy_leg[(size_t)tk->snap * sys->copies + (size_t)s->chosen[at]];
    }
    return leg[((size_t)tk->snap * sys->layers + tk->layer) * sys->experts + s->members[at]];
}

/* The token's experts of its layer leave the gateway at t, in its snapshot,
 * each to the copy the routing picks (owed there from now on). */
static void dispatch(sim_t *s, double t, int id)
{
    const xnet_serve_system_t *sys = s->sys;
    token_t *tk = &s->tok[id];
    int k = sys->top_k;
    const int *m = s->members + (size_t)id * k;
    tk->pending = k;
    tk->gather_s = -INFINITY;
    for (int j = 0; j < k; j++) {
        if (sys->copy_first) {
            s->chosen[(size_t)id * k + j] = choose_copy(s, tk->snap, tk->layer * sys->experts + m[j]);
        }
        s->owed_expert[member_satellite(s, id, j)]++;
        push_event(s, t + member_leg(s, id, j, sys->in_s, sys->copy_in_s), EV_EXPERT, id, j);
    }
}

static int set_is_cut(const xnet_serve_system_t *sys, int snap, int l, const int *m)
{
    size_t base = ((size_t)snap * sys->layers + l) * sys->experts;
    int cut = !isfinite(sys->hop_s[(size_t)snap * sys->layers + l]);
    for (int j = 0; j < sys->top_k; j++) {
        cut |= !isfinite(sys->in_s[base + m[j]]) || !isfinite(sys->out_s[base + m[j]]);
    }
    return cut;
}

/* The gateway computed; the layer's set is drawn. A set that needs a cut
 * path waits there for the first retry that finds its paths (section 9's
 * charge) and goes on in that snapshot; with none within a horizon the
 * token is lost. */
static void gateway_done(sim_t *s, double t, int id)
{
    const xnet_serve_system_t *sys = s->sys;
    token_t *tk = &s->tok[id];
    int l = tk->layer, k = sys->top_k;
    int *m = s->members + (size_t)id * k;
    xnet_serve_draw_set(sys->profile, l, &s->rng, m);
    if (!set_is_cut(sys, tk->snap, l, m)) {
        dispatch(s, t, id);
        return;
    }
    tk->met_cut = 1;
    int next;
    double wait_s;
    if (sys->cost && !xnet_retry_snapshot(sys->cost, l, tk->snap, m, k,
                                          (xnet_compute_t){.gateway_s = sys->gateway_s,
                                                           .expert_s = sys->expert_s,
                                                           .dt_s = sys->dt_s,
                                                           .retry_s = sys->retry_s},
                                          &next, &wait_s)) {
        tk->snap = next;
        push_event(s, t + wait_s, EV_RETRY, id, 0);
        return;
    }
    if (counts(s, tk, t)) {
        s->lost++;
        s->met_cut++;
    }
    token_t copy = *tk;
    free_token(s, id, t);
    next_of_stream(s, &copy, t);
}

static void expert_done(sim_t *s, double t, int id, int j)
{
    const xnet_serve_system_t *sys = s->sys;
    token_t *tk = &s->tok[id];
    size_t row = (size_t)tk->snap * sys->layers + tk->layer;
    double back = t + member_leg(s, id, j, sys->out_s, sys->copy_out_s);
    tk->gather_s = back > tk->gather_s ? back : tk->gather_s;
    if (--tk->pending > 0) {
        return;
    }
    double next = tk->gather_s + sys->hop_s[row];
    if (++tk->layer < sys->layers) {
        push_event(s, next, EV_GATEWAY, id, 0);
        return;
    }
    if (counts(s, tk, next)) {
        record(s, next - tk->start_s);
        s->met_cut += tk->met_cut;
    }
    token_t copy = *tk;
    free_token(s, id, next);
    next_of_stream(s, &copy, next);
}

static void job_done(sim_t *s, double t, int job, int sat)
{
    s->busy[sat]--;
    if (s->job[job].member < 0) {
        s->owed_gateway[sat]--;
    } else {
        s->owed_expert[sat]--;
    }
    int w = s->head[sat];
    if (w >= 0) {
        s->head[sat] = s->job[w].next;
        if (s->head[sat] < 0) {
            s->tail[sat] = -1;
        }
        start_service(s, t, sat, w);
    }
    job_t done = s->job[job];
    s->job[job].next = s->job_free;
    s->job_free = job;
    if (done.member < 0) {
        gateway_done(s, t, done.token);
    } else {
        expert_done(s, t, done.token, done.member);
    }
}

static double exponential_gap(xnet_rng_t *rng, double rate)
{
    return -log1p(-xnet_rng_uniform(rng)) / rate;
}

static void sim_free(sim_t *s)
{
    free(s->heap);
    free(s->tok);
    free(s->members);
    free(s->chosen);
    free(s->tok_next_free);
    free(s->job);
    free(s->head);
    free(s->lat);
}

typedef struct {
    double throughput, mean, p50, p95, p99, tokens, delivered, met_cut, in_system;
} replication_t;

/* One replication; busy_s (nodes) receives its server-seconds in the window. */
static int run_once(const xnet_serve_system_t *sys, const xnet_serve_params_t *p, int replication,
                    uint64_t seed, double *busy_s, replication_t *out, double *events)
{
    int n = sys->nodes;
    sim_t s = {.sys = sys, .par = p, .tok_free = -1, .job_free = -1};
    s.window_lo = p->warmup_s;
    s.window_hi = p->duration_s;
    xnet_rng_seed(&s.rng, seed);
    s.head = malloc(sizeof(int) * 5 * (size_t)n);
    if (!s.head) {
        return xnet_fail(XNET_ENOMEM, "out of memory for %d satellites' queues", n);
    }
    s.tail = s.head + n;
    s.busy = s.tail + n;
    s.owed_expert = s.busy + n;
    s.owed_gateway = s.owed_expert + n;
    s.busy_s = busy_s;
    for (int i = 0; i < n; i++) {
        s.head[i] = s.tail[i] = -1;
        s.busy[i] = s.owed_expert[i] = s.owed_gateway[i] = 0;
        busy_s[i] = 0;
    }
    if (p->streams > 0) {
        for (int i = 0; i < p->streams; i++) {
            push_event(&s, 0, EV_START, i, 0);
        }
    } else {
        double first = exponential_gap(&s.rng, p->rate_tokens_s);
        if (first < p->duration_s) { /* like every later arrival: none after the run */
            push_event(&s, first, EV_ARRIVAL, 0, 0);
        }
    }
    int rc = XNET_OK;
    while (s.heap_n > 0 && !s.failed) {
        if ((s.events & 0xffff) == 0) {
            if ((rc = xnet_check_interrupt())) {
                break;
            }
            if (p->progress && s.events > 0) {
                p->progress(p->progress_ctx, replication, s.heap[0].t);
            }
        }
        event_t e = pop_event(&s);
        if (p->streams > 0 && e.t > p->duration_s) {
            break; /* a closed run ends at its duration; an open one drains */
        }
        s.events++;
        switch (e.kind) {
        case EV_ARRIVAL: {
            start_token(&s, e.t, -1);
            double next = e.t + exponential_gap(&s.rng, p->rate_tokens_s);
            if (next < p->duration_s) {
                push_event(&s, next, EV_ARRIVAL, 0, 0);
            }
            break;
        }
        case EV_START:
            start_token(&s, e.t, e.a);
            break;
        case EV_RETRY:
            dispatch(&s, e.t, e.a);
            break;
        case EV_GATEWAY:
            arrive(&s, e.t, sys->gateway[s.tok[e.a].layer], e.a, -1);
            break;
        case EV_EXPERT:
            arrive(&s, e.t, member_satellite(&s, e.a, e.b), e.a, e.b);
            break;
        default:
            job_done(&s, e.t, e.a, e.b);
        }
    }
    rc = rc ? rc : s.failed;
    if (rc) {
        sim_free(&s);
        return rc;
    }
    /* busy time and tokens in the system are averaged over [warmup, duration) */
    double window = p->duration_s - p->warmup_s;
    for (int i = 0; i < s.tok_cap; i++) {
        if (s.tok[i].alive) {
            count_in_system(&s, s.tok[i].start_s, p->duration_s);
        }
    }
    *events += (double)s.events;
    out->delivered = (double)s.lat_n;
    out->tokens = (double)s.lat_n + s.lost;
    out->met_cut = s.met_cut;
    out->throughput = (double)s.lat_n / window;
    out->in_system = s.area / window;
    out->mean = out->p50 = out->p95 = out->p99 = NAN;
    if (s.lat_n > 0) {
        double sum = 0;
        for (size_t i = 0; i < s.lat_n; i++) {
            sum += s.lat[i];
        }
        out->mean = sum / (double)s.lat_n;
        xnet_sort_doubles(s.lat, s.lat_n);
        out->p50 = xnet_percentile(s.lat, s.lat_n, 0.50);
        out->p95 = xnet_percentile(s.lat, s.lat_n, 0.95);
        out->p99 = xnet_percentile(s.lat, s.lat_n, 0.99);
    }
    sim_free(&s);
    return XNET_OK;
}

/* Expert i's share of compute on its copies (replicas): NEAREST, the
 * fraction of the snapshots used (all, or the one fixed) in which a copy is
 * the nearest of those not cut; SHORTEST_WAIT, an equal share each, the
 * balance that policy aims at. */
static void copy_demand(const xnet_serve_system_t *sys, int i, double work_s, double *demand_s)
{
    int lo = sys->copy_first[i], n = sys->copy_first[i + 1] - lo;
    if (sys->replica == XNET_REPLICA_SHORTEST_WAIT) {
        for (int c = lo; c < lo + n; c++) {
            demand_s[sys->copy_satellite[c]] += work_s / n;
        }
        return;
    }
    int t0 = sys->snapshot >= 0 ? sys->snapshot : 0;
    int t1 = sys->snapshot >= 0 ? sys->snapshot + 1 : sys->snapshots, reached = 0;
    for (int pass = 0; pass < 2; pass++) { /* count the snapshots reached, then share */
        for (int t = t0; t < t1; t++) {
            const double *in = sys->copy_in_s + (size_t)t * sys->copies;
            const double *out = sys->copy_out_s + (size_t)t * sys->copies;
            int best = lo;
            for (int c = lo + 1; c < lo + n; c++) {
                best = in[c] + out[c] < in[best] + out[best] ? c : best;
            }
            if (isfinite(in[best] + out[best])) {
                if (pass) {
                    demand_s[sys->copy_satellite[best]] += work_s / reached;
                } else {
                    reached++;
                }
            }
        }
        if (!reached) { /* never reached: count it on the first copy */
            demand_s[sys->copy_satellite[lo]] += work_s;
            return;
        }
    }
}

void xnet_serve_demand(const xnet_serve_system_t *sys, double *demand_s)
{
    const xnet_profile_t *prof = sys->profile;
    for (int i = 0; i < sys->nodes; i++) {
        demand_s[i] = 0;
    }
    for (int l = 0; l < sys->layers; l++) {
        demand_s[sys->gateway[l]] += sys->gateway_s + (l == sys->layers - 1 ? sys->head_s : 0);
        for (int e = 0; e < sys->experts; e++) {
            int i = l * sys->experts + e;
            double work_s = sys->expert_s * prof->inclusion[i];
            if (sys->copy_first) {
                copy_demand(sys, i, work_s, demand_s);
            } else {
                demand_s[sys->satellite[i]] += work_s;
            }
        }
    }
}

/* A bound no token's time in the system goes below, so that N closed
 * streams start at most N / it tokens per second. Delivered: each layer's
 * gateway and expert compute, its shortest expert round trip and its
 * shortest hop over every snapshot, and the output projection. Where some
 * path is cut a token may be lost instead, after its first gateway job at
 * the least (gateway_s 0: after an expert job, or at once, and then its
 * stream restarts at the next snapshot boundary). O(T L E). */
static double token_time_floor_s(const xnet_serve_system_t *sys)
{
    int T = sys->snapshots, L = sys->layers, E = sys->experts, cut = 0;
    double floor_s = sys->head_s;
    for (int l = 0; l < L; l++) {
        double trip_s = INFINITY, hop_s = INFINITY;
        for (int t = 0; t < T; t++) {
            double h = sys->hop_s[(size_t)t * L + l];
            hop_s = fmin(hop_s, h);
            cut |= !isfinite(h);
            for (int e = 0; e < E; e++) {
                size_t i = ((size_t)t * L + l) * E + e;
                trip_s = fmin(trip_s, sys->in_s[i] + sys->out_s[i]);
                cut |= !isfinite(sys->in_s[i] + sys->out_s[i]);
            }
        }
        floor_s += sys->gateway_s + (sys->top_k > 0 ? sys->expert_s + trip_s : 0) + hop_s;
    }
    if (cut) {
        double lost_s = sys->gateway_s > 0 ? sys->gateway_s : sys->expert_s;
        if (sys->gateway_s <= 0 && isfinite(sys->snapshot_s)) {
            lost_s = fmin(lost_s, sys->snapshot_s / 2); /* two at most per snapshot */
        }
        floor_s = fmin(floor_s, lost_s);
    }
    return floor_s;
}

int xnet_serve_check(const xnet_serve_system_t *sys, const xnet_serve_params_t *p)
{
    const xnet_profile_t *prof = sys->profile;
    if (prof->layers != sys->layers || prof->experts != sys->experts) {
        return xnet_fail(XNET_EINVAL,
                         "the profile is for %d layers x %d experts, the plan for %d x %d",
                         prof->layers, prof->experts, sys->layers, sys->experts);
    }
    if (sys->parallel < 1) {
        return xnet_fail(XNET_EINVAL, "parallel experts must be >= 1, got %d", sys->parallel);
    }
    if (!(sys->gateway_s >= 0 && sys->expert_s >= 0 && sys->head_s >= 0
          && isfinite(sys->gateway_s + sys->expert_s + sys->head_s))) {
        return xnet_fail(XNET_EINVAL, "compute times must be finite and >= 0, got %g, %g and %g s",
                         sys->gateway_s, sys->expert_s, sys->head_s);
    }
    if (sys->cost && !(sys->retry_s > 0 && sys->dt_s > 0 && isfinite(sys->retry_s + sys->dt_s))) {
        return xnet_fail(XNET_EINVAL, "retry_s must be > 0 and finite, got %g", sys->retry_s);
    }
    if (sys->gateway_s + sys->expert_s <= 0) {
        return xnet_fail(XNET_EINVAL, "a token would take no compute time (gateway and expert "
                                      "0 s): the run could not advance");
    }
    if (sys->snapshot >= sys->snapshots) {
        return xnet_fail(XNET_EINVAL, "snapshot %d out of range [0, %d)", sys->snapshot,
                         sys->snapshots);
    }
    if (p->streams < 0) {
        return xnet_fail(XNET_EINVAL, "streams must be >= 1, got %d", p->streams);
    }
    if (!(p->rate_tokens_s >= 0 && isfinite(p->rate_tokens_s))) {
        return xnet_fail(XNET_EINVAL, "rate_tokens_s must be finite and > 0, got %g",
                         p->rate_tokens_s);
    }
    if ((p->streams > 0) == (p->rate_tokens_s > 0)) {
        return xnet_fail(XNET_EINVAL, "give exactly one of streams (closed loop) and "
                                      "rate_tokens_s (open arrivals)");
    }
    if (!(p->duration_s > 0 && isfinite(p->duration_s))) {
        return xnet_fail(XNET_EINVAL, "duration_s must be finite and > 0, got %g", p->duration_s);
    }
    if (!(p->warmup_s >= 0 && p->warmup_s < p->duration_s)) {
        return xnet_fail(XNET_EINVAL, "warmup_s must be in [0, duration_s = %g), got %g",
                         p->duration_s, p->warmup_s);
    }
    if (p->replications < 1 || p->replications > 10000) {
        return xnet_fail(XNET_EINVAL, "replications must be in [1, 10000], got %d",
                         p->replications);
    }
    if (!(p->max_tokens >= 1)) {
        return xnet_fail(XNET_EINVAL, "max_tokens must be >= 1, got %g", p->max_tokens);
    }
    return XNET_OK;
}

/* Mean and stderr (spread / sqrt(R); NaN for one) of x over replications,
 * skipping NaN. */
static void mean_stderr(const replication_t *r, int n, size_t field, double *mean, double *se)
{
    double sum = 0, sumsq = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        double x = *(const double *)((const char *)&r[i] + field);
        if (!isnan(x)) {
            sum += x;
            m++;
        }
    }
    *mean = m ? sum / m : NAN;
    for (int i = 0; i < n; i++) {
        double x = *(const double *)((const char *)&r[i] + field);
        if (!isnan(x)) {
            sumsq += (x - *mean) * (x - *mean);
        }
    }
    *se = m > 1 ? sqrt(sumsq / (m - 1) / m) : NAN;
}

int xnet_serve_simulate(const xnet_serve_system_t *sys, const xnet_serve_params_t *p,
                        xnet_serve_result_t *res)
{
    int rc = xnet_serve_check(sys, p), n = sys->nodes, R = p->replications;
    if (rc) {
        return rc;
    }
    double *demand = malloc(sizeof(double) * 2 * (size_t)n);
    replication_t *rep = malloc(sizeof(replication_t) * (size_t)R);
    if (!demand || !rep) {
        free(demand);
        free(rep);
        return xnet_fail(XNET_ENOMEM, "out of memory for %d satellites", n);
    }
    double *busy = demand + n;
    xnet_serve_demand(sys, demand);
    double rate = p->streams > 0 ? 0 : p->rate_tokens_s;
    res->bottleneck = 0;
    for (int i = 0; i < n; i++) {
        if (demand[i] > demand[res->bottleneck]) {
            res->bottleneck = i;
        }
    }
    res->bottleneck_utilisation = rate * demand[res->bottleneck] / sys->parallel;
    res->unstable = p->streams <= 0 && res->bottleneck_utilisation >= 1;
    res->events = 0;
    for (int i = 0; i < n; i++) {
        res->utilisation[i] = 0;
    }
    if (res->unstable) {
        res->throughput_tokens_s = res->throughput_stderr = res->mean_s = res->mean_stderr = NAN;
        res->p50_s = res->p95_s = res->p99_s = res->p99_stderr = res->undelivered = NAN;
        res->lost = NAN;
        res->in_system = NAN;
        res->tokens = res->delivered = 0;
        for (int i = 0; i < n; i++) {
            res->utilisation[i] = rate * demand[i] / sys->parallel;
        }
        free(demand);
        free(rep);
        return XNET_OK;
    }
    /* Refuse before running what would take hours: at most the bottleneck's
     * capacity, or N streams / the least latency (closed), or the arrivals
     * (open) start per replication. */
    double capacity = demand[res->bottleneck] > 0 ? sys->parallel / demand[res->bottleneck]
                                                  : INFINITY;
    if (p->streams > 0) {
        capacity = fmin(capacity, p->streams / token_time_floor_s(sys));
    }
    double expected = p->streams > 0 ? p->streams + fmin(capacity, 1e300) * p->duration_s
                                     : p->rate_tokens_s * p->duration_s;
    if (expected > p->max_tokens) {
        free(demand);
        free(rep);
        return xnet_fail(XNET_ELIMIT,
                         "the run would start about %.3g tokens per replication (%s), more "
                         "than max_tokens = %.0f tokens; shorten duration_s, use fewer streams or "
                         "raise max_tokens",
                         expected,
                         p->streams > 0 ? "streams + min(the bottleneck's capacity, streams / the least "
                                                          "latency) x duration_s"
                                        : "rate_tokens_s x duration_s",
                         p->max_tokens);
    }
    double window = p->duration_s - p->warmup_s, tokens = 0, delivered = 0, met_cut = 0;
    for (int r = 0; r < R && !rc; r++) {
        rc = run_once(sys, p, r, xnet_mix64(p->seed ^ xnet_mix64((uint64_t)r + 1)), busy, &rep[r],
                      &res->events);
        for (int i = 0; !rc && i < n; i++) {
            res->utilisation[i] += busy[i] / (sys->parallel * window) / R;
        }
        if (!rc) {
            tokens += rep[r].tokens;
            delivered += rep[r].delivered;
            met_cut += rep[r].met_cut;
        }
    }
    free(demand);
    if (rc) {
        free(rep);
        return rc;
    }
    double unused;
    mean_stderr(rep, R, offsetof(replication_t, throughput), &res->throughput_tokens_s,
                &res->throughput_stderr);
    mean_stderr(rep, R, offsetof(replication_t, mean), &res->mean_s, &res->mean_stderr);
    mean_stderr(rep, R, offsetof(replication_t, p50), &res->p50_s, &unused);
    mean_stderr(rep, R, offsetof(replication_t, p95), &res->p95_s, &unused);
    mean_stderr(rep, R, offsetof(replication_t, p99), &res->p99_s, &res->p99_stderr);
    mean_stderr(rep, R, offsetof(replication_t, in_system), &res->in_system, &unused);
    if (p->streams > 0) {
        res->bottleneck_utilisation = res->utilisation[res->bottleneck];
    }
    res->tokens = tokens;
    res->delivered = delivered;
    res->lost = tokens > 0 ? (tokens - delivered) / tokens : NAN;
    res->undelivered = tokens > 0 ? met_cut / tokens : NAN;
    free(rep);
    return XNET_OK;
}
