/* The ring of subnets (docs/model.md section 7): how the constellation is cut
 * into one subnet per layer, which member of each subnet is its gateway, and
 * what the cut looks like (size, spans, diameter, gateway-to-gateway hop). */
#ifndef XNET_RING_H
#define XNET_RING_H

#include "network.h"
#include "orbit.h"

/* L subnets, one per layer, in ring order (layer L-1 feeds layer 0). */
typedef struct {
    int layers, nodes;
    int *first;      /* layers + 1: subnet l is members[first[l] .. first[l+1]) */
    int *members;    /* satellite ids */
    int *gateway;    /* one per layer, a member of its subnet */
    int band_planes; /* planes per band of the cut; 0 for a ring given by its subnets */
} xnet_ring_t;

typedef enum {
    XNET_CUT_SLOT,  /* one band of all planes: the paper's cut along the orbit */
    XNET_CUT_PLANE, /* bands of one plane: blocks of whole planes */
    XNET_CUT_AUTO   /* the band width (a divisor of the planes) of least score (ring.c) */
} xnet_cut_t;

typedef enum {
    XNET_GATEWAY_MEDOID, /* least mean latency to the members plus from the previous subnet's */
    XNET_GATEWAY_INDEX   /* the middle member of the subnet's list */
} xnet_gateway_rule_t;

/* Satellites in bands of band_planes adjacent planes (the last band may be
 * narrower); a band is listed row by row (one slot of its planes), rows in
 * slot order, odd bands in reverse slot order, and the planes of a row
 * alternately ascending and descending, so that consecutive ids are linked.
 * The list is cut into `layers` contiguous pieces, piece l =
 * [floor(l N / L), floor((l+1) N / L)); gateways are the middle members.
 * band_planes = planes gives the paper's slot-major cut. O(N). */
int xnet_ring_cut(xnet_ring_t **out, const xnet_walker_t *w, int layers, int band_planes);

/* A user's ring: sizes[layers] and members (concatenated); gateways may be
 * NULL for the middle member. Subnets must be disjoint, non-empty and in
 * [0, nodes); each gateway must belong to its subnet. */
int xnet_ring_from_subnets(xnet_ring_t **out, int nodes, int layers, const int *sizes,
                           const int *members, const int *gateways);
void xnet_ring_destroy(xnet_ring_t *ring);

/* The ring for a network: the cut, then the gateways by the rule. */
int xnet_ring_create(xnet_ring_t **out, xnet_network_t *net, int layers, xnet_cut_t cut,
                     xnet_gateway_rule_t rule);

/* Replace every gateway by its subnet's medoid on the network's mean-latency
 * graph (docs/model.md section 7). */
int xnet_ring_medoid_gateways(xnet_ring_t *ring, xnet_network_t *net);

typedef struct {
    int size, planes, slots; /* satellites; distinct planes and slots among them */
    int contiguous;          /* the subnet's own links connect it */
    int diameter_hops;       /* over the subnet's own links; -1 when not contiguous */
    double mean_member_s;    /* mean latency from the gateway to the members */
    double mean_previous_s;  /* mean latency from the previous subnet's members to the gateway */
    double gateway_hop_s;    /* gateway to the next layer's gateway (inf if unreachable) */
    int gateway_hops;        /* links on that route; -1 if unreachable */
} xnet_subnet_stats_t;

/* Per subnet, on the network's mean-latency graph. stats[layers]. */
int xnet_ring_stats(const xnet_ring_t *ring, xnet_network_t *net, xnet_subnet_stats_t *stats);

#endif
