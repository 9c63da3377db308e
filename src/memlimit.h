/* Resource limits checked before anything large is allocated, so an absurd
 * request is refused with a figure instead of exhausting the machine. */
#ifndef XNET_MEMLIMIT_H
#define XNET_MEMLIMIT_H

/* Bytes one object may allocate; default 4 GiB, or SPACEXNET_MEMORY_LIMIT_MB
 * from the environment, or xnet.limits{ memory_mb = ... } from Lua. */
double xnet_memory_limit_bytes(void);
void xnet_set_memory_limit_bytes(double bytes);

/* XNET_ELIMIT with a message giving the need, the limit and how to raise it
 * when bytes exceeds the limit; XNET_OK otherwise. */
int xnet_limit_check(double bytes, const char *what);

#endif
