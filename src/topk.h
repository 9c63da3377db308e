/* Exact top-k statistics of sequential weighted draws without replacement,
 * for any k, without enumerating sets (docs/model.md section 6).
 *
 * Drawing k experts one after another, each in proportion to the weight not
 * yet drawn, picks the first k of independent exponential clocks with rates
 * w_e to ring. So the activated set lies within a group A when at least k of
 * A's clocks ring before the first clock outside it (B, total rate W_B):
 *
 *     P(set within A) = integral over t > 0 of W_B exp(-W_B t) P(N_A(t) >= k) dt
 *
 * with N_A(t) the number of A's clocks rung by t, a Poisson-binomial count
 * that a dynamic programme over A's members gives exactly, with positive
 * terms only. Likewise the inclusion probability of e is the integral of
 * w_e exp(-w_e t) P(fewer than k of the others rang by t). In s = log t the
 * integrands are analytic in a strip and decay at both ends, so the
 * trapezoidal rule converges exponentially fast; the step is halved until the
 * inclusion probabilities on the grid and on every second node agree to 1e-12
 * relative, and the ends are cut where the neglected mass is below 1e-17.
 * E[max over the activated set] follows from P(set within A_j) for the
 * experts sorted by value, A_j the j lowest, adding one expert at a time. */
#ifndef XNET_TOPK_H
#define XNET_TOPK_H

#include "rng.h"

#include <stddef.h>

typedef struct {
    int experts, top_k;
    int n;             /* experts with positive weight */
    int *id;           /* n: their ids */
    double *w;         /* n: their weights divided by the largest */
    int nodes;         /* quadrature nodes t_i = exp(s_0 + i h) that E[max] needs */
    double h;          /* step in log t */
    double *t;         /* nodes */
    double *rung;      /* n x nodes: 1 - exp(-w t), the clock has rung by t */
    double *quiet;     /* n x nodes: exp(-w t) */
    double *inclusion; /* experts: probability of being in the set; sums to top_k */
} xnet_topk_t;

/* From weights[experts] (>= 0, finite, at least top_k positive; a weight
 * below 1e-300 of the largest is left out when top_k others remain). Time
 * O(nodes n k) with
 * nodes ~ (40 + log(max w / min w)) / h. */
int xnet_topk_create(xnet_topk_t **out, int experts, int top_k, const double *weights);
void xnet_topk_destroy(xnet_topk_t *t);

/* Doubles and ints of workspace xnet_topk_expect_max needs. */
size_t xnet_topk_work_doubles(const xnet_topk_t *t);
size_t xnet_topk_work_ints(const xnet_topk_t *t);

/* For value[e] per expert (+inf where the expert is unreachable):
 * *p_finite = P(every activated value is finite) and
 * *max_sum = E[max over the activated set of value; every value finite],
 * the expectation restricted to that event. O(nodes n k). */
void xnet_topk_expect_max(const xnet_topk_t *t, const double *value, double *work, int *iwork,
                          double *p_finite, double *max_sum);

/* One activated set: top_k sequential draws without replacement, in
 * proportion to weight; members ascending. O(n k). */
void xnet_topk_draw(const xnet_topk_t *t, xnet_rng_t *rng, int *members);

#endif
