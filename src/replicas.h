/* Replicated experts (docs/model.md section 8): how many extra copies each
 * expert gets and where they go, as expert-parallel load balancers do. */
#ifndef XNET_REPLICAS_H
#define XNET_REPLICAS_H

#include "moe.h"
#include "network.h"
#include "placement.h"

/* A copy of plan with `replicas` more copies of its experts. One copy at a
 * time, greedily: the expert whose copies carry the most load each
 * (inclusion probability / copies, ties to the lower layer and expert)
 * gets the next one, on the member of its layer's subnet with room (no
 * copy of it there; without hosting an unused satellite, with hosting
 * memory left and no other layer's gateway) that lowers its path latency
 * most: first the snapshots where it was cut and no longer is, then the
 * summed reduction over snapshots, then the candidate's mean path, then the
 * lower id. Paths come from the ring's cost table (placement.h), the
 * expert's present copies from the plan's (latency.h). The plan must use
 * the ring's gateways. XNET_EINVAL when fewer than `replicas` copies fit,
 * naming how many did. O(replicas (L E + members T)). */
int xnet_place_replicate(xnet_plan_t **out, xnet_network_t *net, const xnet_ring_t *ring,
                         const xnet_plan_t *plan, const xnet_profile_t *profile,
                         xnet_route_t route, int replicas);

#endif
