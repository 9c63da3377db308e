#include "topk.h"

#include "bounds.h"
#include "error.h"
#include "memlimit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Neglected mass at the ends of the integrals, and the agreement asked of
 * the grid and its every second node. */
#define TOPK_TAIL 1e-17
#define TOPK_TOL 1e-12
#define TOPK_FIRST_STEP 0.5
#define TOPK_HALVINGS 10
#define TOPK_NEGLIGIBLE 1e-300

void xnet_topk_destroy(xnet_topk_t *t)
{
    if (t) {
        free(t->id);
        free(t->w);
        free(t->t);
        free(t->rung);
        free(t->quiet);
        free(t->inclusion);
        free(t);
    }
}

/* The clocks' state at every node for step h over [s_lo, s_hi]. */
static int build_grid(xnet_topk_t *t, double s_lo, double s_hi, double h)
{
    double count = ceil((s_hi - s_lo) / h) + 1;
    if (count > 4e6) {
        return xnet_fail(XNET_ELIMIT, "the top-k quadrature did not converge with %.0f nodes",
                         count);
    }
    int nodes = (int)count;
    int rc = xnet_limit_check(2.0 * nodes * t->n * sizeof(double), "the top-k quadrature grid");
    if (rc) {
        return rc;
    }
    free(t->t);
    free(t->rung);
    free(t->quiet);
    t->nodes = nodes;
    t->h = h;
    t->t = malloc(sizeof(double) * (size_t)nodes);
    t->rung = malloc(sizeof(double) * (size_t)nodes * (size_t)t->n);
    t->quiet = malloc(sizeof(double) * (size_t)nodes * (size_t)t->n);
    if (!t->t || !t->rung || !t->quiet) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the top-k quadrature grid");
    }
    for (int i = 0; i < nodes; i++) {
        t->t[i] = exp(s_lo + i * h);
    }
    for (int e = 0; e < t->n; e++) {
        double *rung = t->rung + (size_t)e * nodes, *quiet = t->quiet + (size_t)e * nodes;
        for (int i = 0; i < nodes; i++) {
            double x = t->w[e] * t->t[i];
            rung[i] = -expm1(-x);
            quiet[i] = exp(-x);
        }
    }
    return XNET_OK;
}

/* Add a clock (rung with probability q, quiet with r) to a count
 * distribution truncated to 0..k-1 (what reaches k is dropped). */
static inline void add_truncated(double *c, int k, double q, double r)
{
    for (int j = k - 1; j > 0; j--) {
        c[j] = c[j] * r + c[j - 1] * q;
    }
    c[0] *= r;
}

/* Inclusion probabilities on the grid (all) and on its even nodes (half):
 * pi_e = integral of w_e t exp(-w_e t) P(fewer than k others rang) ds.
 * cum is (n + 1) x k: for the experts from e on, P(count <= m). */
static void inclusion_on_grid(const xnet_topk_t *t, double *all, double *half, double *cum)
{
    int n = t->n, k = t->top_k;
    double pre[XNET_MAX_TOP_K];
    memset(all, 0, sizeof(double) * (size_t)n);
    memset(half, 0, sizeof(double) * (size_t)n);
    for (int i = 0; i < t->nodes; i++) {
        /* Suffix distributions, cumulated. */
        double *c = cum + (size_t)n * k;
        c[0] = 1;
        for (int m = 1; m < k; m++) {
            c[m] = 1;
        }
        double dist[XNET_MAX_TOP_K] = {1};
        for (int e = n - 1; e >= 0; e--) {
            add_truncated(dist, k, t->rung[(size_t)e * t->nodes + i],
                          t->quiet[(size_t)e * t->nodes + i]);
            double run = 0, *ce = cum + (size_t)e * k;
            for (int m = 0; m < k; m++) {
                run += dist[m];
                ce[m] = run;
            }
        }
        memset(pre, 0, sizeof pre);
        pre[0] = 1;
        for (int e = 0; e < n; e++) {
            const double *after = cum + (size_t)(e + 1) * k;
            double fewer = 0;
            for (int a = 0; a < k; a++) {
                fewer += pre[a] * after[k - 1 - a];
            }
            double x = t->w[e] * t->t[i];
            double f = x * t->quiet[(size_t)e * t->nodes + i] * fewer;
            all[e] += f;
            if (i % 2 == 0) {
                half[e] += f;
            }
            add_truncated(pre, k, t->rung[(size_t)e * t->nodes + i],
                          t->quiet[(size_t)e * t->nodes + i]);
        }
    }
    for (int e = 0; e < n; e++) {
        all[e] *= t->h;
        half[e] *= 2 * t->h;
    }
}

int xnet_topk_create(xnet_topk_t **out, int experts, int top_k, const double *weights)
{
    *out = NULL;
    if (experts < 1 || top_k < 1 || top_k > experts || top_k > XNET_MAX_TOP_K) {
        return xnet_fail(XNET_EINVAL, "top_k must be in [1, min(experts, %d)], got %d",
                         XNET_MAX_TOP_K, top_k);
    }
    double wmax = 0;
    int n = 0;
    for (int e = 0; e < experts; e++) {
        double v = weights[e];
        if (!(v >= 0) || !isfinite(v)) {
            return xnet_fail(XNET_EINVAL, "weight of expert %d must be >= 0 and finite, got %g",
                             e, v);
        }
        wmax = fmax(wmax, v);
        n += v > 0;
    }
    if (n < top_k) {
        return xnet_fail(XNET_EINVAL, "%d experts have positive weight, fewer than top_k %d", n,
                         top_k);
    }
    xnet_topk_t *t = calloc(1, sizeof *t);
    if (!t) {
        return xnet_fail(XNET_ENOMEM, "out of memory");
    }
    t->experts = experts;
    t->top_k = top_k;
    t->n = n;
    t->id = malloc(sizeof(int) * (size_t)n);
    t->w = malloc(sizeof(double) * (size_t)n);
    t->inclusion = calloc((size_t)experts, sizeof(double));
    if (!t->id || !t->w || !t->inclusion) {
        xnet_topk_destroy(t);
        return xnet_fail(XNET_ENOMEM, "out of memory");
    }
    /* Weights below TOPK_NEGLIGIBLE of the largest are left out when at
     * least top_k others remain: such an expert is drawn with probability
     * below top_k * 1e-300, and its clock would need times past the double
     * range. With fewer others it is certainly drawn, and kept. */
    int above = 0;
    for (int e = 0; e < experts; e++) {
        above += weights[e] / wmax >= TOPK_NEGLIGIBLE;
    }
    double total = 0, wmin = 1;
    int kept = 0;
    for (int e = 0; e < experts; e++) {
        double v = weights[e] / wmax;
        if (weights[e] > 0 && (v >= TOPK_NEGLIGIBLE || above < top_k)) {
            t->id[kept] = e;
            t->w[kept] = v;
            wmin = fmin(wmin, v);
            total += t->w[kept++];
        }
    }
    t->n = n = kept;
    if (n > top_k && wmin < TOPK_NEGLIGIBLE) {
        xnet_topk_destroy(t);
        return xnet_fail(XNET_EINVAL,
                         "weights span more than 1e300 (the smallest of the %d experts top_k "
                         "needs is %g times the largest); the exact evaluator cannot hold them",
                         n, wmin);
    }
    if (n == top_k) {
        /* Every expert of positive weight is drawn. */
        for (int j = 0; j < n; j++) {
            t->inclusion[t->id[j]] = 1;
        }
        *out = t;
        return XNET_OK;
    }
    /* Below s_lo the neglected inclusion mass is under TOPK_TAIL relative;
     * above s_hi every clock has rung with probability 1 - exp(-40). */
    double s_lo = log(TOPK_TAIL / total), s_hi = log(40 / wmin);
    double *all = malloc(sizeof(double) * (3 * (size_t)n + ((size_t)n + 1) * top_k));
    if (!all) {
        xnet_topk_destroy(t);
        return xnet_fail(XNET_ENOMEM, "out of memory");
    }
    double *half = all + n, *cum = half + n;
    double h = TOPK_FIRST_STEP;
    int rc = XNET_OK, converged = 0;
    for (int halving = 0; halving <= TOPK_HALVINGS && !rc && !converged; halving++, h /= 2) {
        if ((rc = build_grid(t, s_lo, s_hi, h))) {
            break;
        }
        inclusion_on_grid(t, all, half, cum);
        converged = 1;
        for (int j = 0; j < n; j++) {
            /* below 1e-280 the digits are subnormal: an absolute floor */
            converged = converged && fabs(all[j] - half[j]) <= TOPK_TOL * all[j] + 1e-280;
        }
        rc = xnet_check_interrupt();
    }
    if (!rc && !converged) {
        rc = xnet_fail(XNET_ELIMIT, "the top-k quadrature did not converge to %g at step %g",
                       TOPK_TOL, h);
    }
    if (rc) {
        free(all);
        xnet_topk_destroy(t);
        return rc;
    }
    for (int j = 0; j < n; j++) {
        t->inclusion[t->id[j]] = all[j];
    }
    free(all);
    /* E[max] integrands are below W t (W t)^k / k!: the mass under t_lo is
     * below (W t_lo)^(k+1) / (k+1)! = TOPK_TAIL. */
    double fact = 1;
    for (int i = 2; i <= top_k + 1; i++) {
        fact *= i;
    }
    double s_max = log(pow(TOPK_TAIL * fact, 1.0 / (top_k + 1)) / total);
    int first = s_max > s_lo ? (int)floor((s_max - s_lo) / t->h) : 0;
    first = first < t->nodes - 1 ? first : t->nodes - 1;
    first -= first % 2;
    /* Keep only the nodes E[max] needs, and only every second one: the
     * step 2h already met the tolerance (the check above compared it). */
    int old = t->nodes, used = (old - first + 1) / 2;
    for (int i = 0; i < used; i++) {
        t->t[i] = t->t[first + 2 * i];
    }
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < used; i++) {
            t->rung[(size_t)j * used + i] = t->rung[(size_t)j * old + first + 2 * i];
            t->quiet[(size_t)j * used + i] = t->quiet[(size_t)j * old + first + 2 * i];
        }
    }
    t->nodes = used;
    t->h *= 2;
    *out = t;
    return XNET_OK;
}

size_t xnet_topk_work_doubles(const xnet_topk_t *t)
{
    size_t q = (size_t)t->nodes;
    return ((size_t)t->n + 1) * q + q * ((size_t)t->top_k + 1) + (size_t)t->n + 1;
}

size_t xnet_topk_work_ints(const xnet_topk_t *t)
{
    return 2 * (size_t)t->n;
}

/* Sort idx[0..n) by key[idx] ascending, stable (merge sort, tmp of n). */
static void sort_by_key(int *idx, int *tmp, int n, const double *key)
{
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int a = lo, b = mid, o = lo;
            while (a < mid && b < hi) {
                tmp[o++] = key[idx[b]] < key[idx[a]] ? idx[b++] : idx[a++];
            }
            while (a < mid) {
                tmp[o++] = idx[a++];
            }
            while (b < hi) {
                tmp[o++] = idx[b++];
            }
        }
        memcpy(idx, tmp, sizeof(int) * (size_t)n);
    }
}

void xnet_topk_expect_max(const xnet_topk_t *t, const double *value, double *work, int *iwork,
                          double *p_finite, double *max_sum)
{
    int n = t->n, k = t->top_k;
    if (t->nodes == 0) {
        double worst = -INFINITY;
        for (int j = 0; j < n; j++) {
            worst = fmax(worst, value[t->id[j]]);
        }
        *p_finite = isfinite(worst) ? 1 : 0;
        *max_sum = isfinite(worst) ? worst : 0;
        return;
    }
    /* Positions j = 0..n-1 of the experts by value, unreachable ones last. */
    int *order = iwork, *tmp = iwork + n;
    for (int j = 0; j < n; j++) {
        order[j] = j;
    }
    /* Keys are the values of the experts behind positions; sort_by_key reads
     * key[idx], so give it the values indexed by position. */
    double *key = work, *quiet_after = work + n + 1;
    for (int j = 0; j < n; j++) {
        key[j] = value[t->id[j]];
    }
    sort_by_key(order, tmp, n, key);
    int q = t->nodes;
    /* quiet_after[j][i] = prod over positions > j of exp(-w t_i): the clocks
     * outside A_j all quiet; weight_after[j] their total rate, summed from
     * the end so that small remainders keep their digits. */
    double *weight_after = key; /* reuse: key is not needed once sorted */
    double *c = quiet_after + (size_t)n * q;
    double *qa = quiet_after + (size_t)(n - 1) * q;
    for (int i = 0; i < q; i++) {
        qa[i] = 1;
    }
    weight_after[n - 1] = 0;
    for (int j = n - 2; j >= 0; j--) {
        const double *quiet = t->quiet + (size_t)order[j + 1] * t->nodes;
        double *next = quiet_after + (size_t)(j + 1) * q, *cur = quiet_after + (size_t)j * q;
        for (int i = 0; i < q; i++) {
            cur[i] = next[i] * quiet[i];
        }
        weight_after[j] = weight_after[j + 1] + t->w[order[j + 1]];
    }
    /* Count distributions at every node, 0..k-1 exactly and k meaning >= k;
     * c + m q holds count m at every node, so the loops over nodes vectorise. */
    memset(c, 0, sizeof(double) * (size_t)q * (size_t)(k + 1));
    for (int i = 0; i < q; i++) {
        c[i] = 1;
    }
    double f_prev = 0, sum = 0;
    int j = 0;
    for (; j < n && isfinite(value[t->id[order[j]]]); j++) {
        int e = order[j];
        const double *restrict rung = t->rung + (size_t)e * t->nodes;
        const double *restrict quiet = t->quiet + (size_t)e * t->nodes;
        int top = j + 1 < k ? j + 1 : k; /* counts above j + 1 are still 0 */
        double *restrict ck = c + (size_t)top * q;
        const double *restrict below = c + (size_t)(top - 1) * q;
        if (top == k) {
            for (int i = 0; i < q; i++) {
                ck[i] += below[i] * rung[i];
            }
        } else {
            for (int i = 0; i < q; i++) {
                ck[i] = below[i] * rung[i];
            }
        }
        for (int m = top - 1; m > 0; m--) {
            double *restrict cm = c + (size_t)m * q;
            const double *restrict cl = c + (size_t)(m - 1) * q;
            for (int i = 0; i < q; i++) {
                cm[i] = cm[i] * quiet[i] + cl[i] * rung[i];
            }
        }
        for (int i = 0; i < q; i++) {
            c[i] *= quiet[i];
        }
        if (j + 1 < k) {
            continue;
        }
        double f = 1;
        if (j + 1 < n) {
            const double *restrict qa_j = quiet_after + (size_t)j * q, *restrict tt = t->t;
            const double *restrict at_least = c + (size_t)k * q;
            double acc = 0;
            for (int i = 0; i < q; i++) {
                acc += tt[i] * qa_j[i] * at_least[i];
            }
            f = fmin(acc * weight_after[j] * t->h, 1);
        }
        sum += value[t->id[e]] * (f - f_prev);
        f_prev = f;
    }
    *p_finite = f_prev;
    *max_sum = sum;
}

void xnet_topk_draw(const xnet_topk_t *t, xnet_rng_t *rng, int *members)
{
    int k = t->top_k, taken[XNET_MAX_TOP_K];
    for (int d = 0; d < k; d++) {
        /* The weight left, summed afresh so that small weights keep their
         * digits; taken[] is ascending. */
        double left = 0;
        for (int j = 0, a = 0; j < t->n; j++) {
            if (a < d && taken[a] == j) {
                a++;
            } else {
                left += t->w[j];
            }
        }
        double u = xnet_rng_uniform(rng) * left, run = 0;
        int pick = -1;
        for (int j = 0, a = 0; j < t->n; j++) {
            if (a < d && taken[a] == j) {
                a++;
                continue;
            }
            pick = j;
            run += t->w[j];
            if (u < run) {
                break;
            }
        }
        int at = d;
        while (at > 0 && taken[at - 1] > pick) {
            taken[at] = taken[at - 1];
            at--;
        }
        taken[at] = pick;
    }
    for (int d = 0; d < k; d++) {
        members[d] = t->id[taken[d]];
    }
}
