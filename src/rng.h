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

/* Inline: the Monte Carlo sampler draws tens of millions per run. */
static inline uint64_t xnet_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t xnet_rng_next(xnet_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = xnet_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = xnet_rng_rotl(s[3], 45);
    return result;
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double xnet_rng_uniform(xnet_rng_t *rng)
{
    return (double)(xnet_rng_next(rng) >> 11) * 0x1.0p-53;
}
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
