#include "moe.h"

#include "error.h"
#include "memlimit.h"
#include "rng.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int check_count(const char *name, int v, int lo, int hi)
{
    if (v < lo || v > hi) {
        return xnet_fail(XNET_EINVAL, "%s must be in [%d, %d], got %d", name, lo, hi, v);
    }
    return XNET_OK;
}

int xnet_model_check(const xnet_model_t *m)
{
    int rc;
    if ((rc = check_count("layers", m->layers, 1, XNET_MAX_LAYERS))
        || (rc = check_count("experts", m->experts, 1, XNET_MAX_EXPERTS))) {
        return rc;
    }
    if (m->top_k < 1 || m->top_k > m->experts) {
        return xnet_fail(XNET_EINVAL, "top_k must be in [1, %d] (experts), got %d", m->experts,
                         m->top_k);
    }
    if ((rc = check_count("hidden", m->hidden, 1, 1000000))
        || (rc = check_count("dense_layers", m->dense_layers, 0, XNET_MAX_LAYERS))
        || (rc = check_count("shared_experts", m->shared_experts, 0, XNET_MAX_EXPERTS))
        || (rc = check_count("heads", m->heads, 0, 1000000))
        || (rc = check_count("kv_heads", m->kv_heads, 0, m->heads))
        || (rc = check_count("head_dim", m->head_dim, 0, 1000000))
        || (rc = check_count("q_lora_rank", m->q_lora_rank, 0, 1000000))
        || (rc = check_count("kv_lora_rank", m->kv_lora_rank, 0, 1000000))
        || (rc = check_count("qk_nope_dim", m->qk_nope_dim, 0, 1000000))
        || (rc = check_count("qk_rope_dim", m->qk_rope_dim, 0, 1000000))
        || (rc = check_count("v_head_dim", m->v_head_dim, 0, 1000000))) {
        return rc;
    }
    struct {
        const char *name;
        double v;
        int zero_ok;
    } positive[] = {{"bytes_per_value", m->bytes_per_value, 0},
                    {"bytes_per_weight", m->bytes_per_weight, 0},
                    {"expert_ffn", m->expert_ffn, 1},
                    {"shared_ffn", m->shared_ffn, 1},
                    {"dense_ffn", m->dense_ffn, 1},
                    {"gateway_flops", m->gateway_flops, 1},
                    {"ctx_flops", m->ctx_flops, 1},
                    {"expert_flops", m->expert_flops, 1},
                    {"expert_bytes", m->expert_bytes, 1},
                    {"flops_per_s", m->flops_per_s, 0}};
    for (size_t i = 0; i < sizeof positive / sizeof positive[0]; i++) {
        double v = positive[i].v;
        if (!isfinite(v) || v < 0 || (!positive[i].zero_ok && v == 0)) {
            return xnet_fail(XNET_EINVAL, "%s must be %s and finite, got %g", positive[i].name,
                             positive[i].zero_ok ? ">= 0" : "> 0", v);
        }
    }
    if (!(m->vocab >= 0) || !isfinite(m->vocab)) {
        return xnet_fail(XNET_EINVAL, "vocab must be >= 0 and finite, got %g", m->vocab);
    }
    if (!(m->utilisation > 0 && m->utilisation <= 1)) {
        return xnet_fail(XNET_EINVAL, "utilisation must be in (0, 1], got %g", m->utilisation);
    }
    if (m->shared_experts > 0 && !(m->shared_ffn > 0)) {
        return xnet_fail(XNET_EINVAL, "shared_ffn must be > 0 with shared_experts = %d, got %g",
                         m->shared_experts, m->shared_ffn);
    }
    if (m->dense_layers > 0 && !(m->dense_ffn > 0)) {
        return xnet_fail(XNET_EINVAL, "dense_ffn must be > 0 with dense_layers = %d, got %g",
                         m->dense_layers, m->dense_ffn);
    }
    if (m->attention == XNET_ATTENTION_GQA && (m->heads < 1 || m->kv_heads < 1)) {
        return xnet_fail(XNET_EINVAL,
                         "grouped-query attention needs heads >= 1 and kv_heads in [1, heads], "
                         "got heads %d, kv_heads %d",
                         m->heads, m->kv_heads);
    }
    if (m->attention == XNET_ATTENTION_MLA
        && (m->heads < 1 || m->kv_lora_rank < 1 || m->qk_nope_dim + m->qk_rope_dim < 1
            || m->v_head_dim < 1)) {
        return xnet_fail(XNET_EINVAL,
                         "multi-head latent attention needs heads, kv_lora_rank, v_head_dim >= 1 "
                         "and qk_nope_dim + qk_rope_dim >= 1, got %d, %d, %d, %d",
                         m->heads, m->kv_lora_rank, m->v_head_dim,
                         m->qk_nope_dim + m->qk_rope_dim);
    }
    return XNET_OK;
}

double xnet_model_attention_flops(const xnet_model_t *m)
{
    double h = m->hidden;
    if (m->attention == XNET_ATTENTION_MLA) {
        double heads = m->heads, qk = m->qk_nope_dim + m->qk_rope_dim;
        /* Queries through the low-rank q_lora_rank bottleneck when there is
         * one; keys and values through kv_lora_rank plus the shared rope key. */
        double q = m->q_lora_rank > 0 ? h * m->q_lora_rank + (double)m->q_lora_rank * heads * qk
                                       : h * heads * qk;
        double kv = h * (m->kv_lora_rank + m->qk_rope_dim)
                  + (double)m->kv_lora_rank * heads * (m->qk_nope_dim + m->v_head_dim);
        double o = heads * m->v_head_dim * h;
        return 2 * (q + kv + o);
    }
    /* MHA and GQA: q and o at heads * head_dim, k and v at kv_heads * head_dim. */
    double q_dim = m->heads > 0 ? (double)m->heads * m->head_dim : h;
    double kv_dim = m->attention == XNET_ATTENTION_GQA ? (double)m->kv_heads * m->head_dim : q_dim;
    return 2 * (2 * h * q_dim + 2 * h * kv_dim);
}

int xnet_model_finish(xnet_model_t *m)
{
    /* head_dim defaults to hidden / heads, as in the public configurations. */
    if (m->heads > 0 && m->head_dim == 0 && m->attention != XNET_ATTENTION_MLA) {
        int rc = check_count("hidden", m->hidden, 1, 1000000); /* before it divides */
        if (rc) {
            return rc;
        }
        if (m->hidden % m->heads != 0) {
            return xnet_fail(XNET_EINVAL, "head_dim is needed: hidden %d is not a multiple of "
                             "heads %d", m->hidden, m->heads);
        }
        m->head_dim = m->hidden / m->heads;
    }
    if (m->attention == XNET_ATTENTION_MHA && m->kv_heads == 0) {
        m->kv_heads = m->heads;
    }
    int rc = xnet_model_check(m);
    if (rc) {
        return rc;
    }
    if (m->attention == XNET_ATTENTION_MHA && m->kv_heads != m->heads) {
        return xnet_fail(XNET_EINVAL, "kv_heads must equal heads (%d) for multi-head attention "
                         "(use attention = 'gqa'), got %d", m->heads, m->kv_heads);
    }
    if (!(m->given & XNET_MODEL_GIVEN_GATEWAY_FLOPS)) {
        m->gateway_flops = xnet_model_attention_flops(m);
    }
    if (!(m->given & XNET_MODEL_GIVEN_EXPERT_FLOPS)) {
        if (!(m->expert_ffn > 0)) {
            return xnet_fail(XNET_EINVAL, "expert_ffn must be > 0 (or give expert_flops), got %g",
                             m->expert_ffn);
        }
        m->expert_flops = 2 * 3 * (double)m->hidden * m->expert_ffn;
    }
    if (!(m->given & XNET_MODEL_GIVEN_EXPERT_BYTES)) {
        m->expert_bytes = 3 * (double)m->hidden * m->expert_ffn * m->bytes_per_weight;
    }
    return XNET_OK;
}

static double effective_flops(const xnet_model_t *m)
{
    return m->flops_per_s * m->utilisation;
}

double xnet_model_gateway_s(const xnet_model_t *m)
{
    double h = m->hidden;
    double shared = m->shared_experts * 2 * 3 * h * m->shared_ffn;
    double dense = m->dense_layers * (xnet_model_attention_flops(m) + 2 * 3 * h * m->dense_ffn);
    return (m->gateway_flops + m->ctx_flops + shared + dense / m->layers) / effective_flops(m);
}

double xnet_model_expert_s(const xnet_model_t *m)
{
    return m->expert_flops / effective_flops(m);
}

double xnet_model_head_s(const xnet_model_t *m)
{
    return 2.0 * m->hidden * m->vocab / effective_flops(m);
}

double xnet_model_message_bits(const xnet_model_t *m)
{
    return m->hidden * m->bytes_per_value * 8;
}

/* --- profiles ------------------------------------------------------------ */

void xnet_profile_destroy(xnet_profile_t *p)
{
    if (!p) {
        return;
    }
    free(p->first);
    free(p->members);
    free(p->prob);
    free(p->inclusion);
    free(p->alias_prob);
    free(p->alias_index);
    if (p->topk) {
        for (int l = 0; l < p->layers; l++) {
            xnet_topk_destroy(p->topk[l]);
        }
        free(p->topk);
    }
    free(p);
}

static int profile_alloc(xnet_profile_t **out, int layers, int experts, int top_k, size_t sets)
{
    double bytes = (double)sets * (top_k * sizeof(int) + 2 * sizeof(double) + sizeof(uint32_t))
                 + (double)layers * experts * sizeof(double);
    int rc = xnet_limit_check(bytes, "the activation profile");
    if (rc) {
        return rc;
    }
    xnet_profile_t *p = calloc(1, sizeof *p);
    if (!p) {
        return xnet_fail(XNET_ENOMEM, "out of memory for the activation profile");
    }
    p->layers = layers;
    p->experts = experts;
    p->top_k = top_k;
    size_t n = sets ? sets : 1;
    p->first = calloc((size_t)layers + 1, sizeof *p->first);
    p->members = malloc(n * (size_t)top_k * sizeof *p->members);
    p->prob = malloc(n * sizeof *p->prob);
    p->inclusion = calloc((size_t)layers * (size_t)experts, sizeof *p->inclusion);
    p->alias_prob = malloc(n * sizeof *p->alias_prob);
    p->alias_index = malloc(n * sizeof *p->alias_index);
    if (!p->first || !p->members || !p->prob || !p->inclusion || !p->alias_prob
        || !p->alias_index) {
        xnet_profile_destroy(p);
        return xnet_fail(XNET_ENOMEM, "out of memory for the activation profile");
    }
    *out = p;
    return XNET_OK;
}

/* Vose's alias method over the sets of one layer. */
static int build_alias(xnet_profile_t *p, int layer)
{
    size_t lo = p->first[layer], n = p->first[layer + 1] - lo;
    double *q = p->alias_prob + lo;
    uint32_t *alias = p->alias_index + lo;
    uint32_t *small = malloc(2 * n * sizeof *small);
    if (!small) {
        return xnet_fail(XNET_ENOMEM, "out of memory building the alias table");
    }
    uint32_t *large = small + n;
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        q[i] = p->prob[lo + i] * (double)n;
        alias[i] = (uint32_t)i;
        if (q[i] < 1) {
            small[ns++] = (uint32_t)i;
        } else {
            large[nl++] = (uint32_t)i;
        }
    }
    while (ns && nl) {
        uint32_t s = small[--ns], g = large[nl - 1];
        alias[s] = g;
        q[g] -= 1 - q[s];
        if (q[g] < 1) {
            nl--;
            small[ns++] = g;
        }
    }
    /* What is left is 1 up to rounding. */
    while (nl) {
        q[large[--nl]] = 1;
    }
    while (ns) {
        q[small[--ns]] = 1;
    }
    free(small);
    return XNET_OK;
}

static int finish_profile(xnet_profile_t *p)
{
    for (int l = 0; l < p->layers; l++) {
        double *inc = p->inclusion + (size_t)l * p->experts;
        for (size_t s = p->first[l]; s < p->first[l + 1]; s++) {
            for (int j = 0; j < p->top_k; j++) {
                inc[p->members[s * p->top_k + j]] += p->prob[s];
            }
        }
        int rc = build_alias(p, l);
        if (rc) {
            return rc;
        }
    }
    return XNET_OK;
}

/* Weighted draws without replacement, computed so that weights at the edges
 * of the double range give the limiting answer (STYLE.md, "probabilities
 * near the edges"): every layer is scaled by a power of two so its largest
 * weight is 2^XNET_WEIGHT_EXPONENT (the sum of XNET_MAX_EXPERTS of them
 * still fits a double, and weights 2^-2080 of the largest stay positive),
 * and the weight not yet drawn is always a sum of what is left, never
 * 1 - (what was drawn), which is 0 when the drawn weight dominates. */
#define XNET_WEIGHT_EXPONENT 1006

/* One layer's scaled weights and the sums a set's probability needs. */
typedef struct {
    const double *w; /* experts, scaled */
    int experts;
    double total;    /* sum of w */
    char *member;    /* experts: 1 for the members of the current set */
} layer_weights;

/* Check one layer's weights and scale them into w; XNET_EINVAL naming the
 * first bad weight. */
static int scale_layer(const double *weights, int layer, int experts, int top_k, double *w)
{
    double largest = 0;
    int positive = 0;
    for (int e = 0; e < experts; e++) {
        double v = weights[e];
        if (!(v >= 0) || !isfinite(v)) {
            return xnet_fail(XNET_EINVAL,
                             "weight of layer %d expert %d must be >= 0 and finite, got %g", layer,
                             e, v);
        }
        positive += v > 0;
        largest = fmax(largest, v);
    }
    if (positive < top_k) {
        return xnet_fail(XNET_EINVAL,
                         "layer %d has %d experts with positive weight, fewer than top_k %d",
                         layer, positive, top_k);
    }
    int exponent;
    frexp(largest, &exponent);
    for (int e = 0; e < experts; e++) {
        w[e] = ldexp(weights[e], XNET_WEIGHT_EXPONENT - exponent);
        if (weights[e] > 0 && w[e] == 0) {
            return xnet_fail(XNET_EINVAL,
                             "layer %d expert %d weight %g is below 2^-2080 of the layer's "
                             "largest (%g) and cannot be represented beside it; use 0 to leave "
                             "the expert out",
                             layer, e, weights[e], largest);
        }
    }
    return XNET_OK;
}

/* The weight of the experts outside the set members[0..k): by subtraction
 * when that keeps at least half the digits, else summed directly. */
static double weight_outside(const layer_weights *lw, const int *members, int k)
{
    double inside = 0;
    for (int i = 0; i < k; i++) {
        inside += lw->w[members[i]];
    }
    if (lw->total - inside >= 0.5 * lw->total) {
        return lw->total - inside;
    }
    for (int i = 0; i < k; i++) {
        lw->member[members[i]] = 1;
    }
    double outside = 0;
    for (int e = 0; e < lw->experts; e++) {
        outside += lw->member[e] ? 0 : lw->w[e];
    }
    for (int i = 0; i < k; i++) {
        lw->member[members[i]] = 0;
    }
    return outside;
}

/* Probability that sequential weighted draws without replacement produce the
 * set members[0..k) in some order: the sum over the orderings of the members
 * not in `used`. outside is the weight of the experts outside the set. */
static double set_probability(const double *w, const int *members, int k, unsigned used,
                              double outside)
{
    if (k == __builtin_popcount(used)) {
        return 1;
    }
    double rest = outside;
    for (int i = 0; i < k; i++) {
        rest += used & (1u << i) ? 0 : w[members[i]];
    }
    double total = 0;
    for (int i = 0; i < k; i++) {
        if (!(used & (1u << i))) {
            double wi = w[members[i]];
            total += wi / rest * set_probability(w, members, k, used | (1u << i), outside);
        }
    }
    return total;
}

static double binomial(int n, int k)
{
    double c = 1;
    for (int i = 1; i <= k; i++) {
        c = c * (n - k + i) / i;
    }
    return c;
}

/* Check top_k; *sets_per_layer, and whether enumerating them would take
 * more than XNET_ENUMERATE_TERMS (set, ordering) terms. */
static int check_enumeration(int experts, int top_k, double *sets_per_layer, int *too_many)
{
    if (top_k < 1 || top_k > experts || top_k > XNET_MAX_TOP_K) {
        return xnet_fail(XNET_EINVAL, "top_k must be in [1, min(experts, %d)], got %d",
                         XNET_MAX_TOP_K, top_k);
    }
    double kfact = 1;
    for (int i = 2; i <= top_k; i++) {
        kfact *= i;
    }
    *sets_per_layer = binomial(experts, top_k);
    *too_many = *sets_per_layer * kfact > XNET_ENUMERATE_TERMS;
    return XNET_OK;
}

/* A profile that keeps, per layer, the exact evaluator instead of sets. */
static int profile_from_topk(xnet_profile_t **out, int layers, int experts, int top_k,
                             const double *weights)
{
    xnet_profile_t *p;
    int rc = profile_alloc(&p, layers, experts, top_k, 0);
    if (rc) {
        return rc;
    }
    p->topk = calloc((size_t)layers, sizeof *p->topk);
    if (!p->topk) {
        xnet_profile_destroy(p);
        return xnet_fail(XNET_ENOMEM, "out of memory for the activation profile");
    }
    for (int l = 0; l < layers && !rc; l++) {
        rc = xnet_topk_create(&p->topk[l], experts, top_k, weights + (size_t)l * experts);
        if (!rc) {
            memcpy(p->inclusion + (size_t)l * experts, p->topk[l]->inclusion,
                   sizeof(double) * (size_t)experts);
            rc = xnet_check_interrupt();
        }
    }
    if (rc) {
        xnet_profile_destroy(p);
        return rc;
    }
    *out = p;
    return XNET_OK;
}

/* The next k-subset of [0, n) in lexicographic order; 0 after the last. */
static int next_subset(int *members, int k, int n)
{
    int j = k - 1;
    while (j >= 0 && members[j] == n - k + j) {
        j--;
    }
    if (j < 0) {
        return 0;
    }
    members[j]++;
    for (int i = j + 1; i < k; i++) {
        members[i] = members[i - 1] + 1;
    }
    return 1;
}

/* Every set of layer l with no zero-weight member, stored from set *next
 * on, which is advanced past them. The probabilities sum to 1. */
static int enumerate_layer(xnet_profile_t *p, int l, const layer_weights *lw, size_t *next)
{
    int members[XNET_MAX_TOP_K], k = p->top_k;
    size_t s = p->first[l] = *next;
    for (int j = 0; j < k; j++) {
        members[j] = j;
    }
    do {
        int zero = 0;
        for (int j = 0; j < k; j++) {
            zero = zero || lw->w[members[j]] == 0;
        }
        if (!zero) {
            p->prob[s] = set_probability(lw->w, members, k, 0, weight_outside(lw, members, k));
            memcpy(p->members + s * k, members, sizeof(int) * (size_t)k);
            s++;
        }
    } while (next_subset(members, k, p->experts));
    /* Renormalise away the rounding of the ordering sums. */
    double total = 0;
    for (size_t i = p->first[l]; i < s; i++) {
        total += p->prob[i];
    }
    if (!(total > 0) || !isfinite(total)) {
        return xnet_fail(XNET_EINVAL, "layer %d: set probabilities sum to %g", l, total);
    }
    for (size_t i = p->first[l]; i < s; i++) {
        p->prob[i] /= total;
    }
    *next = s;
    return XNET_OK;
}

int xnet_profile_from_weights(xnet_profile_t **out, int layers, int experts, int top_k,
                              const double *weights)
{
    *out = NULL;
    double sets_per_layer = 0;
    int too_many = 0;
    int rc = check_enumeration(experts, top_k, &sets_per_layer, &too_many);
    if (rc) {
        return rc;
    }
    double *w = malloc(sizeof(double) * (size_t)experts);
    char *member = calloc((size_t)experts, 1);
    if (!w || !member) {
        free(w);
        free(member);
        return xnet_fail(XNET_ENOMEM, "out of memory");
    }
    for (int l = 0; l < layers && !rc; l++) {
        rc = scale_layer(weights + (size_t)l * experts, l, experts, top_k, w);
    }
    if (!rc && too_many) {
        free(w);
        free(member);
        return profile_from_topk(out, layers, experts, top_k, weights);
    }
    xnet_profile_t *p = NULL;
    if (!rc) {
        rc = profile_alloc(&p, layers, experts, top_k, (size_t)(sets_per_layer * layers));
    }
    size_t s = 0;
    for (int l = 0; l < layers && !rc; l++) {
        scale_layer(weights + (size_t)l * experts, l, experts, top_k, w);
        layer_weights lw = {w, experts, 0, member};
        for (int e = 0; e < experts; e++) {
            lw.total += w[e];
        }
        if (!(rc = enumerate_layer(p, l, &lw, &s))) {
            rc = xnet_check_interrupt();
        }
    }
    free(w);
    free(member);
    if (!rc) {
        p->first[layers] = s;
        rc = finish_profile(p);
    }
    if (rc) {
        xnet_profile_destroy(p);
        return rc;
    }
    *out = p;
    return XNET_OK;
}

/* Sort key for observed sets: layer first, then members. */
typedef struct {
    int layer;
    const int *members;
    int k;
} set_row;

static int compare_rows(const void *a, const void *b)
{
    const set_row *x = a, *y = b;
    if (x->layer != y->layer) {
        return x->layer < y->layer ? -1 : 1;
    }
    for (int j = 0; j < x->k; j++) {
        if (x->members[j] != y->members[j]) {
            return x->members[j] < y->members[j] ? -1 : 1;
        }
    }
    return 0;
}

int xnet_profile_from_sets(xnet_profile_t **out, int layers, int experts, int top_k,
                           size_t rows, const int *layer, const int *members)
{
    *out = NULL;
    int rc = xnet_limit_check((double)rows * sizeof(set_row), "counting the trace's sets");
    if (rc) {
        return rc;
    }
    set_row *r = malloc(sizeof(set_row) * (rows ? rows : 1));
    if (!r) {
        return xnet_fail(XNET_ENOMEM, "out of memory counting sets");
    }
    for (size_t i = 0; i < rows; i++) {
        r[i] = (set_row){layer[i], members + i * top_k, top_k};
    }
    qsort(r, rows, sizeof *r, compare_rows);
    size_t distinct = 0;
    for (size_t i = 0; i < rows; i++) {
        distinct += i == 0 || compare_rows(&r[i - 1], &r[i]) != 0;
    }
    xnet_profile_t *p;
    if ((rc = profile_alloc(&p, layers, experts, top_k, distinct))) {
        free(r);
        return rc;
    }
    size_t s = 0, i = 0;
    for (int l = 0; l < layers; l++) {
        p->first[l] = s;
        size_t start = i;
        while (i < rows && r[i].layer == l) {
            size_t j = i;
            while (j < rows && compare_rows(&r[i], &r[j]) == 0) {
                j++;
            }
            memcpy(p->members + s * top_k, r[i].members, sizeof(int) * (size_t)top_k);
            p->prob[s++] = (double)(j - i);
            i = j;
        }
        if (i == start) {
            free(r);
            xnet_profile_destroy(p);
            return xnet_fail(XNET_EINVAL, "layer %d has no rows", l);
        }
        for (size_t t = p->first[l]; t < s; t++) {
            p->prob[t] /= (double)(i - start);
        }
    }
    p->first[layers] = s;
    free(r);
    if ((rc = finish_profile(p))) {
        xnet_profile_destroy(p);
        return rc;
    }
    *out = p;
    return XNET_OK;
}

/* Weights whose top_k sequential draws include each expert with probability
 * p[e] (one layer): the fixed point w_e <- w_e sqrt(odds(p_e) / odds(pi_e)),
 * pi from the exact evaluator (src/topk.c); half a step in log odds, since a
 * whole one overshoots through the other experts' share. */
static int weights_for_inclusion(int layer, int experts, int top_k, const double *p, double *w)
{
    enum { MAX_ROUNDS = 2000 };
    const double tolerance = 1e-10;
    int positive = 0;
    for (int e = 0; e < experts; e++) {
        positive += p[e] > 0;
        w[e] = p[e];
    }
    if (positive == top_k) {
        return XNET_OK; /* the k experts are always drawn, whatever their weights */
    }
    for (int e = 0; e < experts; e++) {
        if (p[e] >= 1) {
            return xnet_fail(XNET_EINVAL,
                             "layer %d expert %d: inclusion probability 1 is reachable only with "
                             "exactly k = %d experts of positive probability, not %d (it needs "
                             "an infinite weight)",
                             layer, e, top_k, positive);
        }
    }
    double worst = INFINITY;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        xnet_topk_t *t;
        int rc = xnet_topk_create(&t, experts, top_k, w);
        if (rc) {
            return rc;
        }
        worst = 0;
        double largest = 0;
        for (int e = 0; e < experts; e++) {
            if (p[e] > 0) {
                worst = fmax(worst, fabs(t->inclusion[e] - p[e]));
                /* by the ratio of the odds, p / (1 - p): near 1, where 1 - pi falls
                 * as 1 / w, a ratio of probabilities would barely move; a weight the
                 * evaluator left out (below 1e-300 of the largest) grows */
                double pi = t->inclusion[e];
                double step = pi > 0 && pi < 1 ? p[e] * (1 - pi) / ((1 - p[e]) * pi) : 1e6;
                w[e] *= sqrt(fmin(fmax(step, 1e-6), 1e6));
                largest = fmax(largest, w[e]);
            }
        }
        xnet_topk_destroy(t);
        for (int e = 0; e < experts; e++) {
            w[e] /= largest; /* the scale is free: keep it near 1 */
        }
        if (worst <= tolerance) {
            return XNET_OK;
        }
        if ((rc = xnet_check_interrupt())) {
            return rc;
        }
    }
    return xnet_fail(XNET_EINVAL,
                     "layer %d: no weights give these inclusion probabilities (still %.3g off "
                     "after %d rounds); probabilities near 1 beside many others are not "
                     "reachable by weighted draws",
                     layer, worst, (int)MAX_ROUNDS);
}

int xnet_weights_from_inclusion(int layers, int experts, int top_k, double *weights)
{
    for (int l = 0; l < layers; l++) {
        double *row = weights + (size_t)l * experts, sum = 0;
        for (int e = 0; e < experts; e++) {
            if (!(row[e] >= 0 && row[e] <= 1)) {
                return xnet_fail(XNET_EINVAL,
                                 "layer %d expert %d: inclusion probability must be in [0, 1], "
                                 "got %g",
                                 l, e, row[e]);
            }
            sum += row[e];
        }
        if (!(fabs(sum - top_k) <= 1e-9 * top_k)) {
            return xnet_fail(XNET_EINVAL,
                             "layer %d inclusion probabilities sum to %.14g, expected k = %d "
                             "(use kind = 'weights' for weights to normalise)",
                             l, sum, top_k);
        }
        double *p = malloc(sizeof *p * (size_t)experts);
        if (!p) {
            return xnet_fail(XNET_ENOMEM, "out of memory for %d inclusion probabilities",
                             experts);
        }
        memcpy(p, row, sizeof *p * (size_t)experts);
        int rc = weights_for_inclusion(l, experts, top_k, p, row);
        free(p);
        if (rc) {
            return rc;
        }
    }
    return XNET_OK;
}

/* --- named weight generators ----------------------------------------------- */

int xnet_weights_zipf(int layers, int experts, double s, uint64_t seed, double *weights)
{
    if (!(s >= 0) || !isfinite(s)) {
        return xnet_fail(XNET_EINVAL, "zipf exponent must be >= 0 and finite, got %g", s);
    }
    /* The smallest weight, experts^-s, must stay a normal double. */
    if (experts > 1 && s * log(experts) > -log(DBL_MIN)) {
        return xnet_fail(XNET_EINVAL,
                         "zipf exponent %g is too large for %d experts: the weight of the last "
                         "rank underflows (at most %.6g)",
                         s, experts, -log(DBL_MIN) / log(experts));
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, seed);
    for (int l = 0; l < layers; l++) {
        double *w = weights + (size_t)l * experts;
        for (int e = 0; e < experts; e++) {
            w[e] = pow(e + 1, -s);
        }
        /* Fisher-Yates: which expert gets which rank differs per layer. */
        for (int e = experts - 1; e > 0; e--) {
            int j = (int)xnet_rng_below(&rng, (uint64_t)e + 1);
            double t = w[e];
            w[e] = w[j];
            w[j] = t;
        }
    }
    return XNET_OK;
}

/* Marsaglia and Tsang's gamma sampler; alpha < 1 via the boost
 * Gamma(a) = Gamma(a + 1) * U^(1/a). Also its logarithm in *log_draw, which
 * stays finite where the draw itself underflows (alpha near 0). */
static double gamma_draw(xnet_rng_t *rng, double alpha, double *log_draw)
{
    if (alpha < 1) {
        double u;
        do {
            u = xnet_rng_uniform(rng);
        } while (u == 0);
        double g = gamma_draw(rng, alpha + 1, log_draw);
        *log_draw += log(u) / alpha;
        return g * pow(u, 1 / alpha);
    }
    double d = alpha - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x, v;
        do {
            /* Standard normal by Box-Muller (one of the pair). */
            double u1, u2 = xnet_rng_uniform(rng);
            do {
                u1 = xnet_rng_uniform(rng);
            } while (u1 == 0);
            x = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = xnet_rng_uniform(rng);
        if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v))) {
            *log_draw = log(d * v);
            return d * v;
        }
    }
}

int xnet_weights_dirichlet(int layers, int experts, double alpha, uint64_t seed,
                           double *weights)
{
    if (!(alpha > 0) || !isfinite(alpha)) {
        return xnet_fail(XNET_EINVAL, "dirichlet alpha must be > 0 and finite, got %g", alpha);
    }
    double *log_w = malloc(sizeof(double) * (size_t)experts);
    if (!log_w) {
        return xnet_fail(XNET_ENOMEM, "out of memory");
    }
    xnet_rng_t rng;
    xnet_rng_seed(&rng, seed);
    for (int l = 0; l < layers; l++) {
        double sum = 0, smallest = HUGE_VAL, largest_log = -HUGE_VAL;
        double *w = weights + (size_t)l * experts;
        for (int e = 0; e < experts; e++) {
            w[e] = gamma_draw(&rng, alpha, &log_w[e]);
            sum += w[e];
            smallest = fmin(smallest, w[e]);
            largest_log = fmax(largest_log, log_w[e]);
        }
        if (!(smallest >= DBL_MIN)) {
            /* Some draws underflowed: take them from their logarithms,
             * relative to the largest, raising any below DBL_MIN of it to
             * DBL_MIN (they are drawn as ties; their sets stay possible). */
            sum = 0;
            for (int e = 0; e < experts; e++) {
                w[e] = fmax(exp(log_w[e] - largest_log), DBL_MIN);
                sum += w[e];
            }
        }
        for (int e = 0; e < experts; e++) {
            w[e] /= sum;
        }
    }
    free(log_w);
    return XNET_OK;
}
