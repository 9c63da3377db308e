/* MoE models and activation profiles (docs/model.md sections 5-6).
 *
 * A profile gives, for every layer, the distribution of the top-k expert set
 * a token activates, as an explicit list of (set, probability), and the
 * inclusion probability of every expert (the chance it is in the set; they
 * sum to k). From weights the sets are the k sequential draws without
 * replacement, proportional to the remaining weight; from a routing trace
 * they are the empirical sets, co-activation included. Layers are independent. */
#ifndef XNET_MOE_H
#define XNET_MOE_H

#include "bounds.h"
#include "topk.h"

#include <stddef.h>
#include <stdint.h>


/* Attention type, for the gateway's projection FLOPs. */
typedef enum { XNET_ATTENTION_MHA, XNET_ATTENTION_GQA, XNET_ATTENTION_MLA } xnet_attention_t;

/* Bits of xnet_model_t.given: derived quantities the user set explicitly. */
enum {
    XNET_MODEL_GIVEN_GATEWAY_FLOPS = 1,
    XNET_MODEL_GIVEN_EXPERT_FLOPS = 2,
    XNET_MODEL_GIVEN_EXPERT_BYTES = 4,
    XNET_MODEL_GIVEN_KV_HEADS = 8,
    XNET_MODEL_GIVEN_HEAD_DIM = 16
};

/* A model's dimensions and the quantities derived from them. `layers` counts
 * the MoE layers (one subnet each); dense (non-MoE) layers and shared experts
 * run at gateways. FLOPs count 2 per multiply-add. */
typedef struct {
    char name[64];
    int layers, experts, top_k, hidden;
    int dense_layers;   /* non-MoE transformer layers (attention + dense FFN) */
    int shared_experts; /* experts every token uses, at the gateway */
    xnet_attention_t attention;
    int heads, kv_heads, head_dim; /* 0: derived (MHA with heads * head_dim = hidden) */
    int q_lora_rank, kv_lora_rank, qk_nope_dim, qk_rope_dim, v_head_dim; /* MLA */
    double bytes_per_value;  /* of one hidden-state value on a link */
    double bytes_per_weight; /* of one stored expert weight */
    double expert_ffn;       /* routed expert FFN width */
    double shared_ffn;       /* width of one shared expert */
    double dense_ffn;        /* FFN width of a dense layer */
    double gateway_flops;    /* attention projections per token per layer */
    double ctx_flops;        /* context attention per token per layer */
    double expert_flops;     /* one expert, per token: SwiGLU, 2 * 3 * hidden * expert_ffn */
    double expert_bytes;     /* one expert's weights: 3 * hidden * expert_ffn * bytes_per_weight */
    double flops_per_s;      /* nominal on-board compute */
    double utilisation;      /* fraction of nominal achieved */
    double vocab;            /* vocabulary: the output projection runs once per token */
    unsigned given;          /* XNET_MODEL_GIVEN_* */
} xnet_model_t;

/* Check every field and fill the derived ones not given explicitly
 * (gateway_flops from the attention type, expert_flops and expert_bytes from
 * expert_ffn); XNET_EINVAL naming the field and its range. */
int xnet_model_finish(xnet_model_t *m);
/* Check every field; XNET_EINVAL naming the field and its range. */
int xnet_model_check(const xnet_model_t *m);
/* FLOPs of the attention projections of one layer, from the dimensions. */
double xnet_model_attention_flops(const xnet_model_t *m);
/* Seconds of compute per token per MoE layer at the gateway: attention,
 * shared experts and an even share of the dense layers. */
double xnet_model_gateway_s(const xnet_model_t *m);
/* Seconds of compute per token at one routed expert. */
double xnet_model_expert_s(const xnet_model_t *m);
/* Seconds of the output projection onto the vocabulary, 2 * hidden * vocab
 * FLOPs, once per token at the last layer's gateway. */
double xnet_model_head_s(const xnet_model_t *m);
/* Bits of one hidden state on a link: hidden * bytes_per_value * 8. */
double xnet_model_message_bits(const xnet_model_t *m);

typedef struct {
    int layers, experts, top_k;
    size_t *first;     /* layers + 1: sets of layer l are [first[l], first[l+1]) */
    int *members;      /* top_k expert ids per set, ascending */
    double *prob;      /* probability of each set; sums to 1 per layer */
    double *inclusion; /* layers x experts */
    /* Walker alias table per layer over its sets, for O(1) sampling. */
    double *alias_prob;
    uint32_t *alias_index;
    /* From weights with more than XNET_ENUMERATE_TERMS terms per layer: no
     * sets (first[] all 0), the exact evaluator per layer instead; else NULL. */
    xnet_topk_t **topk;
} xnet_profile_t;

/* One draw from a Walker alias table over n entries (prob and index: the
 * table; n_d: n as a double): the entry's index. One uniform per draw. */
static inline size_t xnet_alias_draw(const double *prob, const uint32_t *index, size_t n,
                                     double n_d, xnet_rng_t *rng)
{
    double x = xnet_rng_uniform(rng) * n_d;
    /* 0 <= x <= n: the signed conversions give the values the unsigned
     * ones would, in fewer instructions */
    size_t s = (size_t)(int64_t)x;
    s = s < n ? s : n - 1;
    size_t to[2] = {s, index[s]}; /* an index, not a branch: it is a coin toss */
    return to[x - (double)(int64_t)s >= prob[s]];
}

/* Layer l's activated set for one token, drawn from the alias table over
 * its sets (profiles that enumerate them): the set's index in the profile.
 * Inline: it runs once per token and layer. */
static inline size_t xnet_profile_draw_set(const xnet_profile_t *profile, int l,
                                           xnet_rng_t *rng)
{
    size_t lo = profile->first[l], n = profile->first[l + 1] - lo;
    return lo + xnet_alias_draw(profile->alias_prob + lo, profile->alias_index + lo, n,
                                (double)n, rng);
}

/* From weights (layers x experts, >= 0, finite, at least top_k positive per
 * layer; normalised per layer). Sets of probability 0 are left out. When a
 * layer has more than XNET_ENUMERATE_TERMS (set, ordering) terms, the sets
 * are not enumerated: profile->topk evaluates exactly without them. */
int xnet_profile_from_weights(xnet_profile_t **out, int layers, int experts, int top_k,
                              const double *weights);

/* From observed sets: count rows of (layer, members[top_k]) with members
 * sorted ascending and valid. Probabilities are frequencies per layer; every
 * layer needs at least one row. Time O(rows log rows). */
int xnet_profile_from_sets(xnet_profile_t **out, int layers, int experts, int top_k,
                           size_t rows, const int *layer, const int *members);

void xnet_profile_destroy(xnet_profile_t *p);

/* In place, per layer: inclusion probabilities (each in [0, 1], a layer
 * summing to top_k within 1e-9 k) -> weights whose top_k sequential draws
 * include every expert with that probability, to 1e-10 (docs/model.md
 * section 6). XNET_EINVAL names the layer and the value when a probability is
 * out of range, a sum is not k, or the probabilities cannot be reached (1
 * beside more than k - 1 other positive ones). Each round costs one exact
 * evaluation (src/topk.h); a few tens of rounds in practice. */
int xnet_weights_from_inclusion(int layers, int experts, int top_k, double *weights);

/* Weight generators for named profiles; weights is layers x experts.
 * zipf: w = 1 / rank^s, ranks permuted per layer by the seeded generator.
 * dirichlet: independent Gamma(alpha) draws per expert, per layer. */
int xnet_weights_zipf(int layers, int experts, double s, uint64_t seed, double *weights);
int xnet_weights_dirichlet(int layers, int experts, double alpha, uint64_t seed,
                           double *weights);

#endif
