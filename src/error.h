/* Error reporting for the kernel: functions return an xnet_status code and
 * leave a human-readable reason in a per-thread buffer (xnet_pool_run passes
 * a failing task's reason on to the thread that ran the pool). The kernel never
 * prints and never exits; the bindings turn the reason into a Lua error. */
#ifndef XNET_ERROR_H
#define XNET_ERROR_H

#include <signal.h>

enum xnet_status {
    XNET_OK = 0,
    XNET_EINVAL,    /* bad argument: the message names the value and the bound */
    XNET_ENOMEM,    /* allocation failed */
    XNET_ELIMIT,    /* request exceeds a configured resource limit */
    XNET_EGRAPH,    /* igraph reported an error */
    XNET_EIO,       /* file system or compression failure */
    XNET_EINTR      /* interrupted by the user (SIGINT) */
};

/* Record a printf-style reason and return code, so callers can write
 * `return xnet_fail(XNET_EINVAL, "planes must be >= 1, got %d", p);`. */
int xnet_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Rewrites every "-nan" number in text (NUL-terminated) as "nan", in place:
 * the one spelling of NaN in every message. O(length). */
void xnet_nan_unsigned(char *text);

/* The reason recorded by the last failing call, and its code. */
const char *xnet_errmsg(void);
int xnet_errcode(void);

/* Install igraph error and warning handlers that record into xnet_errmsg
 * instead of aborting. Idempotent. */
void xnet_igraph_init(void);

/* Set asynchronously by the SIGINT handler; long kernel loops poll it and
 * return XNET_EINTR. The binding that started the loop clears it. */
extern volatile sig_atomic_t xnet_interrupt_requested;

/* XNET_EINTR (with a message) when an interrupt is pending, else XNET_OK. */
int xnet_check_interrupt(void);

#endif
