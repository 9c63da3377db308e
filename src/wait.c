/* Lost tokens charged, exactly (docs/model.md section 9): a token reaches
 * layer l in some snapshot; its set's paths either exist there or the token
 * retries until they do, and goes on from the snapshot that worked. The
 * snapshot a token is in after each layer is a Markov chain over the
 * snapshots, so the expectation is a forward pass (where the token is) and
 * a backward pass (whether it gets through the remaining layers), each
 * O(L * sets * T) plus the retry searches. */
#include "latency.h"

#include "error.h"
#include "memlimit.h"

#include <math.h>
#include <stdlib.h>

/* Layer l's steps: the caller's whole table, or the whole table once when
 * it fits (steps of every layer, computed on the first call), else the
 * layer's alone each call; own: what this file allocated. */
typedef struct {
    const xnet_set_step_t *steps;
    xnet_set_step_t *own;
    int whole, done;
} steps_cache;

static int layer_steps(const xnet_cost_t *cost, const xnet_profile_t *profile,
                       xnet_compute_t compute, int l, steps_cache *c, const xnet_set_step_t **out,
                       size_t *stride)
{
    int L = cost->layers, rc = XNET_OK;
    if (c->whole) {
        if (!c->done && !(rc = xnet_set_steps(cost, profile, compute, 1, 0, L, c->own))) {
            c->done = 1;
        }
        *out = c->steps + profile->first[l];
        *stride = profile->first[L];
        return rc;
    }
    *out = c->steps;
    *stride = profile->first[l + 1] - profile->first[l];
    return xnet_set_steps(cost, profile, compute, 1, l, l + 1, c->own);
}

int xnet_latency_exact_wait(const xnet_cost_t *cost, const xnet_profile_t *profile,
                            xnet_compute_t compute, int snapshot, xnet_wait_result_t *res)
{
    return xnet_latency_exact_wait_from(cost, profile, compute, snapshot, NULL, NULL, res);
}

int xnet_latency_exact_wait_from(const xnet_cost_t *cost, const xnet_profile_t *profile,
                                 xnet_compute_t compute, int snapshot, const double *start,
                                 const xnet_set_step_t *table, xnet_wait_result_t *res)
{
    int L = cost->layers, T = cost->snapshots;
    res->unavailable = profile->topk != NULL || cost->access_s != NULL || !(compute.retry_s > 0);
    for (int l = 0; cost->serial && l < L; l++) {
        res->unavailable |= cost->serial[l] != 0;
    }
    res->mean_s = res->lost = NAN;
    for (int l = 0; l < L; l++) {
        res->per_layer_s[l] = NAN;
    }
    size_t P = XNET_PARTS, rows = (size_t)L + 1;
    int breakdown = res->parts && cost->path_hops && !res->unavailable;
    for (size_t i = 0; res->parts && i < rows * P; i++) {
        res->parts[i] = breakdown ? 0 : NAN;
    }
    if (res->unavailable) {
        return XNET_OK;
    }
    size_t most = 0;
    for (int l = 0; l < L; l++) {
        size_t n = profile->first[l + 1] - profile->first[l];
        most = n > most ? n : most;
    }
    double whole = (double)profile->first[L] * T * sizeof(xnet_set_step_t);
    steps_cache cache = {table, NULL, table || whole <= XNET_STEP_TABLE_MAX_BYTES, table != NULL};
    int rc = xnet_limit_check(table ? 0 : cache.whole ? whole
                                                      : (double)most * T * sizeof(xnet_set_step_t),
                              "the exact charge of lost tokens");
    if (rc) {
        return rc;
    }
    if (!table) {
        cache.steps = cache.own = malloc(cache.whole ? (size_t)whole + 1
                                                     : sizeof(xnet_set_step_t) * most * (size_t)T);
    }
    double *beta = malloc(sizeof(double) * (size_t)(L + 1) * (size_t)T);
    double *pi = malloc(sizeof(double) * 2 * (size_t)T);
    if (!cache.steps || !beta || !pi) {
        free(cache.own);
        free(beta);
        free(pi);
        return xnet_fail(XNET_ENOMEM, "out of memory for the exact charge of lost tokens");
    }
    /* beta[l][t]: P(through layers l.. | reaching layer l in snapshot t) */
    const xnet_set_step_t *steps;
    size_t stride;
    for (int t = 0; t < T; t++) {
        beta[(size_t)L * T + t] = 1;
    }
    for (int l = L - 1; l >= 0 && !(rc = xnet_check_interrupt()); l--) {
        if ((rc = layer_steps(cost, profile, compute, l, &cache, &steps, &stride))) {
            break;
        }
        size_t lo = profile->first[l], n = profile->first[l + 1] - lo;
        const double *prob = profile->prob + lo, *after = beta + (size_t)(l + 1) * T;
        for (int t = 0; t < T; t++) {
            const xnet_set_step_t *row = steps + t * stride;
            double b = 0;
            for (size_t s = 0; s < n; s++) {
                if (row[s].next >= 0) {
                    b += prob[s] * after[row[s].next];
                }
            }
            beta[(size_t)l * T + t] = b;
        }
    }
    /* Forward: pi[t] is the probability of reaching the layer in snapshot t. */
    double *cur = pi, *nxt = pi + T, through = 0, total = 0, start_sum = 0;
    for (int t = 0; start && t < T; t++) {
        start_sum += start[t];
    }
    for (int t = 0; t < T; t++) {
        cur[t] = start ? start[t] / start_sum : snapshot < 0 ? 1.0 / T : t == snapshot;
        through += cur[t] * beta[t];
    }
    for (int l = 0; l < L && !rc && through > 0; l++) {
        if ((rc = layer_steps(cost, profile, compute, l, &cache, &steps, &stride))) {
            break;
        }
        double part = 0;
        size_t lo = profile->first[l], n = profile->first[l + 1] - lo;
        const double *prob = profile->prob + lo, *after = beta + (size_t)(l + 1) * T;
        for (int t = 0; t < T; t++) {
            nxt[t] = 0;
        }
        for (int t = 0; t < T; t++) {
            const xnet_set_step_t *row = steps + t * stride;
            double here = cur[t];
            if (here == 0) {
                continue;
            }
            for (size_t s = 0; s < n; s++) {
                const xnet_set_step_t *st = &row[s];
                if (st->next >= 0) {
                    double w = here * prob[s];
                    part += w * st->charged_s * after[st->next];
                    nxt[st->next] += w;
                    if (breakdown) {
                        /* the parts where the layer runs, and the wait before */
                        double parts[XNET_PARTS], *lp = res->parts + (size_t)l * P;
                        double there = xnet_set_parts(cost, l, st->next,
                                                      profile->members + (lo + s) * profile->top_k,
                                                      profile->top_k, compute, parts);
                        parts[XNET_PART_RETRY_WAIT] = st->charged_s - there;
                        double weight = w * after[st->next];
                        for (size_t c = 0; c < P; c++) {
                            lp[c] += parts[c] * weight;
                        }
                    }
                }
            }
        }
        res->per_layer_s[l] = part / through;
        total += part;
        double *swap = cur;
        cur = nxt;
        nxt = swap;
    }
    free(cache.own);
    free(beta);
    free(pi);
    if (rc) {
        return rc;
    }
    res->lost = 1 - through;
    res->mean_s = through > 0 ? total / through : NAN;
    for (size_t i = 0; breakdown && i < (size_t)L * P; i++) {
        res->parts[i] = through > 0 ? res->parts[i] / through : NAN;
        res->parts[(size_t)L * P + i % P] += res->parts[i];
    }
    return XNET_OK;
}
