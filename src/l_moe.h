/* Accessors other bindings need from the MoE binding. */
#ifndef XNET_L_MOE_H
#define XNET_L_MOE_H

#include "moe.h"

#include <lua.h>

const xnet_model_t *xnet_l_check_model(lua_State *L, int idx);
/* The open profile at idx, or raise. */
const xnet_profile_t *xnet_l_check_profile(lua_State *L, int idx);

#endif
