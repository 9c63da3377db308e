/* The exact top-k evaluator (src/topk.c) against enumeration of every set
 * (src/moe.c) on many random small cases, against Monte Carlo on a large one,
 * and at extreme weights. */
#include "check.h"
#include "error.h"
#include "moe.h"
#include "rng.h"
#include "topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The evaluator's answers for weights and values. */
static int evaluate(int experts, int k, const double *w, const double *value, double *incl,
                    double *p, double *m)
{
    xnet_topk_t *t;
    int rc = xnet_topk_create(&t, experts, k, w);
    if (rc) {
        return rc;
    }
    double *work = malloc(sizeof(double) * xnet_topk_work_doubles(t));
    int *iwork = malloc(sizeof(int) * xnet_topk_work_ints(t));
    xnet_topk_expect_max(t, value, work, iwork, p, m);
    memcpy(incl, t->inclusion, sizeof(double) * (size_t)experts);
    free(work);
    free(iwork);
    xnet_topk_destroy(t);
    return XNET_OK;
}

/* The same by enumerating every set. */
static void enumerate(int experts, int k, const double *w, const double *value, double *incl,
                      double *p, double *m)
{
    xnet_profile_t *prof;
    if (xnet_profile_from_weights(&prof, 1, experts, k, w)) {
        fprintf(stderr, "enumeration failed: %s\n", xnet_errmsg());
        exit(2);
    }
    memcpy(incl, prof->inclusion, sizeof(double) * (size_t)experts);
    *p = *m = 0;
    for (size_t s = 0; s < prof->first[1]; s++) {
        double worst = -INFINITY;
        for (int j = 0; j < k; j++) {
            worst = fmax(worst, value[prof->members[s * k + j]]);
        }
        if (isfinite(worst)) {
            *p += prof->prob[s];
            *m += prof->prob[s] * worst;
        }
    }
    xnet_profile_destroy(prof);
}

static double rel_err(double got, double want)
{
    return fabs(got - want) / fmax(fabs(want), 1e-300);
}

/* Many random small cases, k <= 4: weights over several decades (and some
 * zeros), values with ties and unreachable experts. */
static void test_against_enumeration(void)
{
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 11);
    double worst_incl = 0, worst_p = 0, worst_m = 0;
    int cases = 0, failures = 0;
    for (int c = 0; c < 400; c++) {
        int k = 1 + (int)xnet_rng_below(&rng, 4);
        int experts = k + (int)xnet_rng_below(&rng, 7);
        double w[16], value[16], incl[16], incl_e[16], p, m, pe, me;
        int positive = 0;
        for (int e = 0; e < experts; e++) {
            w[e] = pow(10, -6 * xnet_rng_uniform(&rng));
            if (xnet_rng_uniform(&rng) < 0.1) {
                w[e] = 0;
            }
            positive += w[e] > 0;
            value[e] = floor(xnet_rng_uniform(&rng) * 6) * 0.01 + 0.02;
            if (xnet_rng_uniform(&rng) < 0.1) {
                value[e] = INFINITY;
            }
        }
        if (positive < k) {
            continue;
        }
        cases++;
        if (evaluate(experts, k, w, value, incl, &p, &m)) {
            failures++;
            continue;
        }
        enumerate(experts, k, w, value, incl_e, &pe, &me);
        for (int e = 0; e < experts; e++) {
            worst_incl = fmax(worst_incl, w[e] > 0 ? rel_err(incl[e], incl_e[e]) : incl[e]);
        }
        worst_p = fmax(worst_p, pe > 0 ? rel_err(p, pe) : p);
        worst_m = fmax(worst_m, me > 0 ? rel_err(m, me) : m);
    }
    printf("enumeration: %d cases, worst relative error: inclusion %.2e, P(delivered) %.2e, "
           "E[max] %.2e\n",
           cases, worst_incl, worst_p, worst_m);
    CHECK(cases > 300 && failures == 0);
    CHECK(worst_incl < 1e-9);
    CHECK(worst_p < 1e-9);
    CHECK(worst_m < 1e-9);
}

/* k = 8 of E = 256 (zipf weights): Monte Carlo with the same draws the
 * evaluation samples, within 4 standard errors; inclusion sums to k. */
static void test_against_monte_carlo(void)
{
    enum { E = 256, K = 8, DRAWS = 200000 };
    double w[E], value[E], incl[E], p, m;
    xnet_rng_t rng;
    xnet_rng_seed(&rng, 5);
    for (int e = 0; e < E; e++) {
        w[e] = 1.0 / (1 + (double)((e * 37) % E));
        value[e] = 0.01 + 0.05 * xnet_rng_uniform(&rng);
    }
    value[3] = INFINITY;
    CHECK(evaluate(E, K, w, value, incl, &p, &m) == XNET_OK);
    double sum = 0;
    for (int e = 0; e < E; e++) {
        sum += incl[e];
    }
    CHECK_NEAR(sum, K, 1e-9);
    xnet_topk_t *t;
    CHECK(xnet_topk_create(&t, E, K, w) == XNET_OK);
    double s1 = 0, s2 = 0, hits = 0, count3 = 0;
    int members[K], ascending = 1;
    for (int d = 0; d < DRAWS; d++) {
        xnet_topk_draw(t, &rng, members);
        double worst = -INFINITY;
        for (int j = 0; j < K; j++) {
            worst = fmax(worst, value[members[j]]);
            count3 += members[j] == 3;
            ascending = ascending && (j == 0 || members[j] > members[j - 1]);
        }
        double x = isfinite(worst) ? worst : 0;
        hits += isfinite(worst);
        s1 += x;
        s2 += x * x;
    }
    xnet_topk_destroy(t);
    CHECK(ascending);
    double mean = s1 / DRAWS, se = sqrt((s2 / DRAWS - mean * mean) / DRAWS);
    double p_mc = hits / DRAWS, p_se = sqrt(p_mc * (1 - p_mc) / DRAWS);
    printf("monte carlo: E[max; delivered] exact %.9f, sampled %.9f +- %.1e; "
           "P(delivered) exact %.6f, sampled %.6f +- %.1e\n",
           m, mean, se, p, p_mc, p_se);
    CHECK(fabs(mean - m) < 4 * se);
    CHECK(fabs(p_mc - p) < 4 * p_se);
    CHECK(fabs(count3 / DRAWS - incl[3]) < 4 * sqrt(incl[3] * (1 - incl[3]) / DRAWS));
}

/* Weights of 1e-300 beside 1, and the largest sizes asked for. */
static void test_extremes(void)
{
    double w[6] = {1, 1e-300, 0.5, 1e-300, 0, 0.25}, value[6] = {1, 2, 3, 4, 5, 6};
    double incl[6], incl_e[6], p, m, pe, me;
    CHECK(evaluate(6, 2, w, value, incl, &p, &m) == XNET_OK);
    enumerate(6, 2, w, value, incl_e, &pe, &me);
    for (int e = 0; e < 6; e++) {
        CHECK(isfinite(incl[e]) && (w[e] == 0 ? incl[e] == 0 : rel_err(incl[e], incl_e[e]) < 1e-9));
    }
    CHECK(rel_err(m, me) < 1e-9 && rel_err(p, pe) < 1e-12);
    /* k = the number of positive weights: the set is certain. */
    double w2[4] = {1e300, 0, 1e-5, 3};
    double v2[4] = {1, INFINITY, 2, 0.5};
    CHECK(evaluate(4, 3, w2, v2, incl, &p, &m) == XNET_OK);
    CHECK(incl[0] == 1 && incl[1] == 0 && incl[2] == 1 && p == 1 && m == 2);
    /* E = 1024, k = 32: inclusion sums to k. */
    enum { E = 1024, K = 32 };
    static double wb[E], vb[E], ib[E];
    for (int e = 0; e < E; e++) {
        wb[e] = pow(e + 1, -1.2);
        vb[e] = e % 7;
    }
    CHECK(evaluate(E, K, wb, vb, ib, &p, &m) == XNET_OK);
    double sum = 0;
    for (int e = 0; e < E; e++) {
        sum += ib[e];
    }
    CHECK_NEAR(sum, K, 1e-9);
    CHECK(p == 1 && m > 0 && m <= 6);
    /* Bad input. */
    xnet_topk_t *t;
    double bad[3] = {1, NAN, 1};
    CHECK(xnet_topk_create(&t, 3, 2, bad) == XNET_EINVAL && t == NULL);
    double few[3] = {1, 0, 0};
    CHECK(xnet_topk_create(&t, 3, 2, few) == XNET_EINVAL);
    /* Weights below 1e-300 of the largest are left out when enough others
     * remain (the limit), kept when they must be drawn. */
    double span[3] = {1e300, 1e-300, 1};
    CHECK(xnet_topk_create(&t, 3, 2, span) == XNET_OK);
    CHECK(t->inclusion[0] == 1 && t->inclusion[1] == 0 && t->inclusion[2] == 1);
    xnet_topk_destroy(t);
    double forced[3] = {1, 1e-310, 0};
    CHECK(xnet_topk_create(&t, 3, 2, forced) == XNET_OK);
    CHECK(t->inclusion[0] == 1 && t->inclusion[1] == 1 && t->inclusion[2] == 0);
    xnet_topk_destroy(t);
    double wide[4] = {1, 1e-305, 0.5, 0.25};
    CHECK(xnet_topk_create(&t, 4, 2, wide) == XNET_OK);
    CHECK(t->inclusion[1] == 0 && fabs(t->inclusion[0] + t->inclusion[2] + t->inclusion[3] - 2) < 1e-12);
    xnet_topk_destroy(t);
}

int main(void)
{
    test_against_enumeration();
    test_against_monte_carlo();
    test_extremes();
    return check_done();
}
