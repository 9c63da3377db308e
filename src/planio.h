/* Plans as CSV text: a commented header with the method and dimensions,
 * then one row per gateway and expert:
 *
 *   # spacexnet plan v1
 *   # method=spacexnet layers=32 experts=8 satellites=1056
 *   layer,role,expert,satellite
 *   0,gateway,,528
 *   0,expert,0,529
 *   0,replica,0,530
 *
 * A `replica` row is one extra copy of a replicated expert (any number per
 * expert, each on its own satellite); the `expert` row is its first copy. */
#ifndef XNET_PLANIO_H
#define XNET_PLANIO_H

#include "placement.h"

#include <stddef.h>

/* Format into a malloc'd, NUL-terminated buffer. */
int xnet_plan_format(const xnet_plan_t *plan, char **text, size_t *len);

/* Parse and validate (every gateway and expert exactly once, ids distinct and
 * in range, replica rows each a satellite no copy of their expert is on).
 * Errors give "name:line: reason". */
int xnet_plan_parse(xnet_plan_t **out, const char *name, const char *text, size_t len);
/* The same for a plan whose satellites may hold several experts, checked
 * against hosting (see xnet_plan_check). */
int xnet_plan_parse_hosted(xnet_plan_t **out, const char *name, const char *text, size_t len,
                           const xnet_hosting_t *hosting, double expert_bytes);

#endif
