#include "names.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_LEN 255

/* The distance between the first n bytes of a and the first m of b. */
static size_t distance(const char *a, size_t n, const char *b, size_t m)
{
    n = n > NAME_MAX_LEN ? NAME_MAX_LEN : n;
    m = m > NAME_MAX_LEN ? NAME_MAX_LEN : m;
    /* Three rows of the dynamic programme: i-2, i-1, i. */
    size_t rows[3][NAME_MAX_LEN + 1];
    for (size_t j = 0; j <= m; j++) {
        rows[0][j] = j;
    }
    for (size_t i = 1; i <= n; i++) {
        size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i - 2) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best) {
                best = prev[j] + 1;
            }
            if (cur[j - 1] + 1 < best) {
                best = cur[j - 1] + 1;
            }
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best) {
                best = prev2[j - 2] + 1;
            }
            cur[j] = best;
        }
    }
    return rows[n % 3][m];
}

size_t xnet_name_distance(const char *a, const char *b)
{
    return distance(a, strlen(a), b, strlen(b));
}

int xnet_nearest_name(const char *name, const char *const *candidates, size_t n)
{
    size_t len = strlen(name);
    int best = -1, prefix = -1, prefixes = 0;
    size_t best_d = 1 + len / 3 + 1; /* one more than the largest accepted */
    for (size_t i = 0; i < n; i++) {
        size_t d = xnet_name_distance(name, candidates[i]);
        /* a misspelt start of a longer name: "starlnk" for "starlink-gen1" */
        size_t m = strlen(candidates[i]);
        if (len >= 4 && m > len + 1) {
            size_t p = distance(name, len, candidates[i], len + 1);
            d = p < d ? p : d;
        }
        if (d < best_d) {
            best_d = d;
            best = (int)i;
        }
        if (len > 0 && strncmp(candidates[i], name, len) == 0) {
            prefix = (int)i;
            prefixes++;
        }
    }
    if (best < 0 && prefixes == 1) {
        best = prefix;
    }
    return best;
}
