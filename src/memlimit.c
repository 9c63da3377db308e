#include "memlimit.h"

#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double memory_limit = -1;
static const char *bad_env = NULL; /* an unusable SPACEXNET_MEMORY_LIMIT_MB */

double xnet_memory_limit_bytes(void)
{
    if (memory_limit < 0) {
        const char *env = getenv("SPACEXNET_MEMORY_LIMIT_MB");
        char *end = NULL;
        double mb = env ? strtod(env, &end) : 0;
        memory_limit = 4.0 * 1073741824.0;
        if (env && (end == env || *end != '\0' || !(mb > 0) || !isfinite(mb))) {
            bad_env = env;
        } else if (env) {
            memory_limit = mb * 1048576.0;
        }
    }
    return memory_limit;
}

void xnet_set_memory_limit_bytes(double bytes)
{
    memory_limit = bytes;
    bad_env = NULL;
}

int xnet_limit_check(double bytes, const char *what)
{
    double limit = xnet_memory_limit_bytes();
    if (bad_env) {
        return xnet_fail(XNET_ELIMIT,
                         "SPACEXNET_MEMORY_LIMIT_MB must be a positive number of MiB, got '%.40s'",
                         bad_env);
    }
    if (bytes > limit) {
        char need[48], have[48];
        snprintf(need, sizeof need, "%.1f MiB", bytes / 1048576.0);
        snprintf(have, sizeof have, "%.1f MiB", limit / 1048576.0);
        if (strcmp(need, have) == 0) { /* just over: the difference is in the bytes */
            snprintf(need, sizeof need, "%.0f bytes", bytes);
            snprintf(have, sizeof have, "%.0f bytes", limit);
        }
        return xnet_fail(XNET_ELIMIT,
                         "%s would need %s, over the memory limit of %s "
                         "(raise it with xnet.limits{ memory_mb = N } or "
                         "SPACEXNET_MEMORY_LIMIT_MB=N)",
                         what, need, have);
    }
    return XNET_OK;
}
