/* xnet_trace_parse on arbitrary text, for a model chosen by the first three
 * bytes (1-4 layers, 2-8 experts, top_k 1-4). A parsed profile has sets of
 * top_k distinct experts in range, probabilities summing to 1 per layer and
 * inclusion probabilities summing to top_k. Errors start with the name and
 * are never "out of memory". */
#include "fuzz.h"

#include "error.h"
#include "trace.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) {
        return 0;
    }
    int layers = 1 + data[0] % 4, experts = 2 + data[1] % 7, top_k = 1 + data[2] % 4;
    top_k = top_k > experts ? experts : top_k;
    xnet_profile_t *p = NULL;
    size_t rows;
    int rc = xnet_trace_parse(&p, "fuzz", (const char *)data + 3, size - 3, layers, experts,
                              top_k, &rows);
    if (rc) {
        FUZZ_REQUIRE(p == NULL, "a profile came back with an error");
        fuzz_parse_failed(rc, "fuzz", size);
        return 0;
    }
    FUZZ_REQUIRE(p->layers == layers && p->experts == experts && p->top_k == top_k, "shape");
    for (int l = 0; l < layers; l++) {
        double total = 0, inclusion = 0;
        FUZZ_REQUIRE(p->first[l + 1] > p->first[l], "layer %d has no sets", l);
        for (size_t s = p->first[l]; s < p->first[l + 1]; s++) {
            const int *m = p->members + s * (size_t)top_k;
            for (int j = 0; j < top_k; j++) {
                FUZZ_REQUIRE(m[j] >= 0 && m[j] < experts && (j == 0 || m[j] > m[j - 1]),
                             "set %zu of layer %d is not ascending distinct ids", s, l);
            }
            FUZZ_REQUIRE(p->prob[s] > 0 && p->prob[s] <= 1, "probability %g", p->prob[s]);
            total += p->prob[s];
        }
        for (int e = 0; e < experts; e++) {
            inclusion += p->inclusion[(size_t)l * experts + e];
        }
        FUZZ_REQUIRE(fabs(total - 1) < 1e-9, "layer %d probabilities sum to %.17g", l, total);
        FUZZ_REQUIRE(fabs(inclusion - top_k) < 1e-9, "layer %d inclusion sums to %.17g", l,
                     inclusion);
    }
    xnet_profile_destroy(p);
    return 0;
}
