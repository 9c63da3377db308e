/* Nearest names, for "did you mean" in error messages: an unknown model,
 * option, method or help topic is compared with the valid ones. */
#ifndef XNET_NAMES_H
#define XNET_NAMES_H

#include <stddef.h>

/* Optimal string alignment distance between a and b (insertions, deletions,
 * substitutions and swaps of two adjacent characters each cost 1), compared
 * without regard to ASCII case. Strings longer than 255 bytes compare as
 * their first 255. O(len(a) * len(b)) time, no allocation. */
size_t xnet_name_distance(const char *a, const char *b);

/* Index of the candidate nearest to name, or -1 when none is close enough
 * to be a likely misspelling (distance at most 1 + len(name) / 3 to the
 * candidate or, for a name of 4 or more bytes, to the candidate's first
 * len(name) + 1 bytes; or name is a prefix of exactly one candidate). Ties
 * go to the earlier candidate. */
int xnet_nearest_name(const char *name, const char *const *candidates, size_t n);

#endif
