/* Accessors other bindings need from the ground binding. */
#ifndef XNET_L_GROUND_H
#define XNET_L_GROUND_H

#include "ground.h"

#include <lua.h>

/* The terminal at idx, or raise. */
xnet_site_t *xnet_l_check_terminal(lua_State *L, int idx);

#endif
