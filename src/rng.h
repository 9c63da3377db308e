/* Seeded random numbers. Two kinds:
 *  - a stream generator (xoshiro256**) for sequential draws (Monte Carlo,
 *    random placements), seeded through splitmix64;
 *  - a counter-based hash, so a draw that belongs to a coordinate (a link in
 *    a snapshot) does not depend on the order anything else was drawn in. */
#ifndef XNET_RNG_H
#define XNET_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} xnet_rng_t;

void xnet_rng_seed(xnet_rng_t *rng, uint64_t seed);
uint64_t xnet_rng_next(xnet_rng_t *rng);
/* Uniform on [0, 1) with 53 random bits. */
double xnet_rng_uniform(xnet_rng_t *rng);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t xnet_rng_below(xnet_rng_t *rng, uint64_t n);

/* splitmix64 finaliser: a bijective 64-bit mix. */
uint64_t xnet_mix64(uint64_t x);
/* Uniform on [0, 1) determined by (seed, a, b) alone. */
double xnet_uniform_at(uint64_t seed, uint64_t a, uint64_t b);

/* FNV-1a over bytes, finished with xnet_mix64: a stable 64-bit hash for
 * naming and seeding things (study points), not for security. */
uint64_t xnet_hash64(const void *data, size_t len);

#endif
