#include "limits.h"

#include "error.h"

#include <stdlib.h>

static double memory_limit = -1;

double xnet_memory_limit_bytes(void)
{
    if (memory_limit < 0) {
        const char *env = getenv("SPACEXNET_MEMORY_LIMIT_MB");
        double mb = env ? strtod(env, NULL) : 0;
        memory_limit = mb > 0 ? mb * 1048576.0 : 4.0 * 1073741824.0;
    }
    return memory_limit;
}

void xnet_set_memory_limit_bytes(double bytes)
{
    memory_limit = bytes;
}

int xnet_limit_check(double bytes, const char *what)
{
    double limit = xnet_memory_limit_bytes();
    if (bytes > limit) {
        return xnet_fail(XNET_ELIMIT,
                         "%s would need %.1f MiB, over the memory limit of %.1f MiB "
                         "(raise it with xnet.limits{ memory_mb = N } or "
                         "SPACEXNET_MEMORY_LIMIT_MB=N)",
                         what, bytes / 1048576.0, limit / 1048576.0);
    }
    return XNET_OK;
}
