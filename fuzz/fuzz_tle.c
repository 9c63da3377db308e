/* The TLE reader and SGP4 on arbitrary bytes.
 *
 * - Parsing either fails with a message naming the source, or gives sets
 *   whose fields lie in the format's ranges.
 * - A set that parsed is written and read back to the same elements.
 * - SGP4 initialises or refuses each set, and propagates it over a day
 *   without crashing; a state it reports as good is finite. */
#include "fuzz.h"

#include "error.h"
#include "sgp4.h"
#include "tle.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xnet_tle_t *el;
    int n;
    if (xnet_tle_parse((const char *)data, size, "fuzz.tle", &el, &n)) {
        FUZZ_REQUIRE(strncmp(xnet_errmsg(), "fuzz.tle", 8) == 0, "message: %s", xnet_errmsg());
        return 0;
    }
    for (int i = 0; i < n && i < 50; i++) {
        const xnet_tle_t *e = &el[i];
        FUZZ_REQUIRE(e->inclination_deg >= 0 && e->inclination_deg <= 180, "inclination");
        FUZZ_REQUIRE(e->eccentricity >= 0 && e->eccentricity < 1, "eccentricity");
        FUZZ_REQUIRE(e->mean_motion_rev_day > 0, "mean motion");
        char out[256];
        if (xnet_tle_format(e, out, sizeof out) == XNET_OK) {
            xnet_tle_t *back;
            int m;
            FUZZ_REQUIRE(xnet_tle_parse(out, strlen(out), "again", &back, &m) == XNET_OK && m == 1,
                         "written set does not read back: %s\n%s", xnet_errmsg(), out);
            FUZZ_REQUIRE(back[0].satnum == e->satnum && back[0].eccentricity == e->eccentricity,
                         "round trip changed the set");
            free(back);
        }
        xnet_sgp4_t s;
        if (xnet_sgp4_init(&s, e) == XNET_OK) {
            for (double t = -720; t <= 1440; t += 360) {
                double r[3], v[3];
                if (xnet_sgp4_propagate(&s, t, r, v) == 0) {
                    FUZZ_REQUIRE(isfinite(r[0] + r[1] + r[2] + v[0] + v[1] + v[2]), "state");
                }
            }
        }
    }
    free(el);
    return 0;
}
