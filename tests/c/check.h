/* A tiny counting CHECK for kernel tests: one main per unit, closing line
 * "N passed, N failed", exit status 1 on any failure. */
#ifndef XNET_TEST_CHECK_H
#define XNET_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            check_passed++;                                                           \
        } else {                                                                      \
            check_failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

/* |got - want| <= tol, reporting both values on failure. */
#define CHECK_NEAR(got, want, tol)                                                    \
    do {                                                                              \
        double g_ = (got), w_ = (want);                                               \
        if (fabs(g_ - w_) <= (tol)) {                                                 \
            check_passed++;                                                           \
        } else {                                                                      \
            check_failed++;                                                           \
            fprintf(stderr, "%s:%d: %s = %.12g, want %.12g (tol %g)\n", __FILE__,     \
                    __LINE__, #got, g_, w_, (double)(tol));                           \
        }                                                                             \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
