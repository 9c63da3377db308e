/* Accessors other bindings need from the placement binding. */
#ifndef XNET_L_PLACEMENT_H
#define XNET_L_PLACEMENT_H

#include "placement.h"

#include <lua.h>

const xnet_ring_t *xnet_l_check_ring(lua_State *L, int idx);
const xnet_plan_t *xnet_l_check_plan(lua_State *L, int idx);
/* The `variant` field ("A" or "B") of the option table at idx. */
xnet_route_t xnet_l_route_option(lua_State *L, int idx);

#endif
