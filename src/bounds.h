/* The bounds every check in spacexnet uses, in one place: sizes the kernel
 * accepts, chosen so every count and index fits an int and every table a
 * size_t, and so absurd inputs are refused before anything is allocated.
 * Memory is bounded separately by the memory limit (memlimit.h). */
#ifndef XNET_BOUNDS_H
#define XNET_BOUNDS_H

/* Satellites in one constellation, network or plan. */
#define XNET_MAX_SATELLITES 10000000
/* Snapshots in one network series. */
#define XNET_MAX_SNAPSHOTS 100000000
/* Layers and experts of a model, a profile or a plan. */
#define XNET_MAX_LAYERS 100000
#define XNET_MAX_EXPERTS 100000
/* Experts a token activates in one layer. */
#define XNET_MAX_TOP_K 64
/* Largest number of (set, ordering) terms enumerated for one layer; beyond
 * it a profile from weights keeps the exact evaluator of topk.h instead. */
#define XNET_ENUMERATE_TERMS 1e6
/* Passes of the placement local search. */
#define XNET_MAX_PASSES 1000000
/* Tokens of one Monte Carlo evaluation: the default, and at most 2^40. */
#define XNET_DEFAULT_TOKENS 100000
#define XNET_MAX_TOKENS (1LL << 40)

#endif
