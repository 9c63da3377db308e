#include "error.h"

#include <igraph.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

volatile sig_atomic_t xnet_interrupt_requested = 0;

/* Per thread: the pool's workers fail on their own, and the pool hands the
 * reason of the lowest failing task to the thread that started it. */
static _Thread_local char last_error[512];
static _Thread_local int last_code = XNET_OK;
static _Thread_local int igraph_reason_kept = 0; /* the last error is igraph's, with its reason */

int xnet_errcode(void)
{
    return last_code;
}

void xnet_nan_unsigned(char *text)
{
    /* printf writes a NaN's sign bit ("-nan" for 0/0 on x86), which means
     * nothing to a reader: every message says "nan". */
    char *at = text;
    while ((at = strstr(at, "-nan")) != NULL) {
        if (at > text && (isalnum((unsigned char)at[-1]) || at[-1] == '_')) {
            at += 4; /* part of a word, not a number */
            continue;
        }
        memmove(at, at + 1, strlen(at + 1) + 1);
    }
}

int xnet_fail(int code, const char *fmt, ...)
{
    last_code = code;
    igraph_reason_kept = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    xnet_nan_unsigned(last_error);
    return code;
}

const char *xnet_errmsg(void)
{
    return last_error[0] ? last_error : "unknown error";
}

int xnet_check_interrupt(void)
{
    if (xnet_interrupt_requested) {
        return xnet_fail(XNET_EINTR, "interrupted");
    }
    return XNET_OK;
}

/* igraph calls this before returning an error code, once where the error
 * arises (with its reason) and again at every IGRAPH_CHECK it passes on the
 * way out (with an empty reason): free igraph's own temporaries (its
 * FINALLY stack) and keep the reason: an empty one never replaces it. */
static void record_igraph_error(const char *reason, const char *file, int line,
                                igraph_error_t igraph_errno)
{
    (void)file;
    (void)line;
    int empty = !reason || !reason[0];
    if (!empty || last_code != XNET_EGRAPH || !igraph_reason_kept) {
        xnet_fail(XNET_EGRAPH, "igraph: %s (%s)", empty ? "error" : reason,
                  igraph_strerror(igraph_errno));
        igraph_reason_kept = !empty;
    }
    IGRAPH_FINALLY_FREE();
}

static void ignore_igraph_warning(const char *reason, const char *file, int line)
{
    (void)reason;
    (void)file;
    (void)line;
}

void xnet_igraph_init(void)
{
    igraph_set_error_handler(record_igraph_error);
    igraph_set_warning_handler(ignore_igraph_warning);
}
