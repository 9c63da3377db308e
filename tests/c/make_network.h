/* A Walker network for kernel tests: 550 km, 87 deg, the given pattern,
 * size, survival, tracking limit, snapshots and outage seed; NULL when the
 * constellation or the network is refused. */
#ifndef XNET_TEST_MAKE_NETWORK_H
#define XNET_TEST_MAKE_NETWORK_H

#include "network.h"

static inline xnet_network_t *make(xnet_walker_pattern_t pat, int P, int S, int F,
                                   double survival, double omega, int T, unsigned seed)
{
    xnet_walker_t w;
    xnet_network_t *net = NULL;
    if (xnet_walker_init(&w, pat, P, S, F, 550, 87)) {
        return NULL;
    }
    xnet_network_params_t p = xnet_network_params_default();
    p.snapshots = T;
    p.link.survival = survival;
    p.link.omega_max_rad_s = omega;
    p.link.seed = seed;
    xnet_network_create(&net, &w, &p);
    return net;
}

#endif
