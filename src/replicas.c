#include "replicas.h"

#include "error.h"
#include "hosting.h"
#include "latency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room each satellite has for one more expert copy: without hosting 1 on a
 * satellite the plan does not use; with hosting its capacity less what it
 * holds (gateways: gateway_of[s] >= 0, room only with gateway_hosts). */
static int room_left(const xnet_plan_t *plan, int *room, int *gateway_of)
{
    int n = plan->nodes, hosted = plan->hosting.memory_bytes > 0, cap = 1, rc;
    if (hosted && (rc = xnet_hosting_capacity(&plan->hosting, plan->expert_bytes, &cap))) {
        return rc;
    }
    for (int s = 0; s < n; s++) {
        room[s] = cap;
        gateway_of[s] = -1;
    }
    for (int l = 0; l < plan->layers; l++) {
        gateway_of[plan->gateway[l]] = l;
        if (!hosted || !plan->hosting.gateway_hosts) {
            room[plan->gateway[l]] = 0;
        }
    }
    for (int i = 0; i < plan->layers * plan->experts; i++) {
        for (int c = 0; c < xnet_plan_copies(plan, i); c++) {
            room[xnet_plan_copy(plan, i, c)]--;
        }
    }
    return XNET_OK;
}

/* Whether satellite s already holds a copy of expert i (the plan's copies
 * or the ones placed here, new_slot/new_sat[0 .. placed)). */
static int holds(const xnet_plan_t *plan, int i, int s, const int *new_slot, const int *new_sat,
                 int placed)
{
    for (int c = 0; c < xnet_plan_copies(plan, i); c++) {
        if (xnet_plan_copy(plan, i, c) == s) {
            return 1;
        }
    }
    for (int j = 0; j < placed; j++) {
        if (new_slot[j] == i && new_sat[j] == s) {
            return 1;
        }
    }
    return 0;
}

/* The best member of layer l's subnet for one more copy of expert i whose
 * nearest copy per snapshot costs cur[t * cells + i]; -1 when none has room. */
static int best_member(const xnet_ring_cost_t *table, const xnet_plan_t *plan, int i,
                       const double *cur, const int *room, const int *gateway_of,
                       const int *new_slot, const int *new_sat, int placed)
{
    int l = i / plan->experts, T = table->snapshots, best = -1, best_rescued = 0;
    size_t cells = (size_t)plan->layers * plan->experts;
    double best_gain = 0, best_mean = 0;
    for (int j = table->first[l]; j < table->first[l + 1]; j++) {
        int s = table->member[j];
        if (room[s] <= 0 || (gateway_of[s] >= 0 && gateway_of[s] != l)
            || holds(plan, i, s, new_slot, new_sat, placed)) {
            continue;
        }
        int rescued = 0, finite = 0;
        double gain = 0, sum = 0;
        for (int t = 0; t < T; t++) {
            double d = table->through_s[(size_t)t * table->members + j], now = cur[t * cells + i];
            if (isfinite(d)) {
                finite++;
                sum += d;
                rescued += !isfinite(now);
                gain += isfinite(now) && d < now ? now - d : 0;
            }
        }
        double mean = finite ? sum / finite : INFINITY;
        if (best < 0 || rescued > best_rescued
            || (rescued == best_rescued
                && (gain > best_gain || (gain == best_gain && mean < best_mean)))) {
            best = j;
            best_rescued = rescued;
            best_gain = gain;
            best_mean = mean;
        }
    }
    return best;
}

int xnet_place_replicate(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                         const xnet_plan_t *plan, const xnet_profile_t *profile,
                         xnet_route_t route, int replicas)
{
    *out = NULL;
    int L = plan->layers, E = plan->experts, n = plan->nodes, rc;
    if (ring->layers != L) {
        return xnet_fail(XNET_EINVAL, "the ring has %d subnets, the plan %d layers", ring->layers,
                         L);
    }
    if (profile->layers != L || profile->experts != E) {
        return xnet_fail(XNET_EINVAL,
                         "the profile is for %d layers x %d experts, the plan for %d x %d",
                         profile->layers, profile->experts, L, E);
    }
    for (int l = 0; l < L; l++) {
        if (plan->gateway[l] != ring->gateway[l]) {
            return xnet_fail(XNET_EINVAL,
                             "the plan's gateway of layer %d is satellite %d, the ring's %d: "
                             "copies are placed on the ring's path table",
                             l, plan->gateway[l], ring->gateway[l]);
        }
    }
    if (replicas < 0) {
        return xnet_fail(XNET_EINVAL, "replicas must be >= 0, got %d", replicas);
    }
    if ((long long)plan->replicas + replicas > (long long)L * E * n) {
        return xnet_fail(XNET_EINVAL, "replicas %d: more than %d layers x %d experts x %d "
                         "satellites copies", replicas, L, E, n);
    }
    const xnet_ring_cost_t *table;
    xnet_cost_t *cost = NULL;
    if ((rc = xnet_ring_cost_get(net, ring, route, &table))
        || (rc = xnet_cost_build(&cost, net, plan, route))) {
        return rc;
    }
    size_t cells = (size_t)L * E;
    int total = plan->replicas + replicas;
    int *room = malloc(sizeof(int) * (size_t)n), *gateway_of = malloc(sizeof(int) * (size_t)n);
    int *copies = malloc(sizeof(int) * cells), *slot = malloc(sizeof(int) * ((size_t)total + 1));
    int *sat = malloc(sizeof(int) * ((size_t)total + 1));
    unsigned char *full = calloc(cells, 1);
    if (!room || !gateway_of || !copies || !slot || !sat || !full) {
        rc = xnet_fail(XNET_ENOMEM, "out of memory placing %d replicas", replicas);
    } else {
        rc = room_left(plan, room, gateway_of);
    }
    /* the plan's own extra copies first, then the new ones after them */
    int old = 0, placed = 0;
    for (size_t i = 0; !rc && i < cells; i++) {
        copies[i] = xnet_plan_copies(plan, (int)i);
        for (int c = 1; c < copies[i]; c++) {
            slot[old] = (int)i;
            sat[old++] = xnet_plan_copy(plan, (int)i, c);
        }
    }
    while (!rc && placed < replicas) {
        int pick = -1;
        for (size_t i = 0; i < cells; i++) {
            double load = profile->inclusion[i] / copies[i];
            if (!full[i] && (pick < 0 || load > profile->inclusion[pick] / copies[pick])) {
                pick = (int)i;
            }
        }
        if (pick < 0) {
            rc = xnet_fail(XNET_EINVAL,
                           "only %d of %d replicas fit: the subnets have no satellite with room "
                           "left for another copy%s",
                           placed, replicas,
                           plan->hosting.memory_bytes > 0 ? " (raise memory_bytes)"
                                                          : " (give memory_bytes to share them)");
            break;
        }
        int j = best_member(table, plan, pick, cost->path_s, room, gateway_of, slot + old,
                            sat + old, placed);
        if (j < 0) {
            full[pick] = 1;
            continue;
        }
        int s = table->member[j];
        for (int t = 0; t < table->snapshots; t++) {
            double d = table->through_s[(size_t)t * table->members + j];
            double *now = &cost->path_s[t * cells + (size_t)pick];
            *now = d < *now ? d : *now;
        }
        room[s]--;
        copies[pick]++;
        slot[old + placed] = pick;
        sat[old + placed++] = s;
    }
    xnet_plan_t *result = NULL;
    if (!rc && !(rc = xnet_plan_clone(&result, plan))) {
        char method[sizeof plan->method + 8];
        snprintf(method, sizeof method, "%s+rep", plan->method);
        method[sizeof plan->method - 1] = '\0';
        memcpy(result->method, method, sizeof result->method);
        if (!(rc = xnet_plan_set_replicas(result, old + placed, slot, sat))) {
            rc = xnet_plan_check(result);
        }
    }
    xnet_cost_destroy(cost);
    free(room);
    free(gateway_of);
    free(copies);
    free(slot);
    free(sat);
    free(full);
    if (rc) {
        xnet_plan_destroy(result);
        return rc;
    }
    *out = result;
    return XNET_OK;
}
