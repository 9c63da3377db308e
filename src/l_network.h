/* Accessors other bindings need from the network binding. */
#ifndef XNET_L_NETWORK_H
#define XNET_L_NETWORK_H

#include "network.h"

#include <lua.h>

/* The open network at idx, or raise. */
xnet_network_t *xnet_l_check_network(lua_State *L, int idx);

#endif
