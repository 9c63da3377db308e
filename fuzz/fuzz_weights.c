/* xnet_weights_parse on arbitrary text, for 1-4 layers and 1-8 experts
 * chosen by the first two bytes. Success fills every weight with a finite
 * value >= 0; errors start with the name and are never "out of memory". */
#include "fuzz.h"

#include "error.h"
#include "trace.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    int layers = 1 + data[0] % 4, experts = 1 + data[1] % 8;
    double w[32];
    for (int i = 0; i < 32; i++) {
        w[i] = NAN;
    }
    int rc = xnet_weights_parse("fuzz", (const char *)data + 2, size - 2, layers, experts, w);
    if (rc) {
        fuzz_parse_failed(rc, "fuzz", size);
        return 0;
    }
    for (int i = 0; i < layers * experts; i++) {
        FUZZ_REQUIRE(w[i] >= 0 && isfinite(w[i]), "weight %d is %g", i, w[i]);
    }
    return 0;
}
