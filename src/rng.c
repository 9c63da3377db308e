#include "rng.h"

uint64_t xnet_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void xnet_rng_seed(xnet_rng_t *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x = xnet_mix64(x);
        rng->s[i] = x;
    }
}

uint64_t xnet_rng_below(xnet_rng_t *rng, uint64_t n)
{
    /* Rejection on the top of the range removes modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = xnet_rng_next(rng);
    } while (x >= limit);
    return x % n;
}

double xnet_uniform_at(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t h = xnet_mix64(xnet_mix64(xnet_mix64(seed) ^ a) ^ b);
    return (double)(h >> 11) * 0x1.0p-53;
}

uint64_t xnet_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis and prime */
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return xnet_mix64(h);
}
