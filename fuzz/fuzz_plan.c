/* xnet_plan_parse on arbitrary text. A parsed plan is valid (xnet_plan_check)
 * and survives a round trip: format, parse, format gives the same text.
 * Errors start with the file name; none is "out of memory" (a small input
 * must not make it allocate much: fuzz/regressions/plan/). */
#include "fuzz.h"

#include "error.h"
#include "planio.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xnet_plan_t *plan = NULL, *again = NULL;
    int rc = xnet_plan_parse(&plan, "fuzz", (const char *)data, size);
    if (rc) {
        FUZZ_REQUIRE(plan == NULL, "a plan came back with an error");
        fuzz_parse_failed(rc, "fuzz", size);
        return 0;
    }
    FUZZ_REQUIRE(xnet_plan_check(plan) == XNET_OK, "parsed an invalid plan: %s", xnet_errmsg());
    char *text, *text2;
    size_t len, len2;
    FUZZ_REQUIRE(xnet_plan_format(plan, &text, &len) == XNET_OK, "%s", xnet_errmsg());
    FUZZ_REQUIRE(xnet_plan_parse(&again, "again", text, len) == XNET_OK,
                 "its own output does not parse: %s", xnet_errmsg());
    FUZZ_REQUIRE(xnet_plan_format(again, &text2, &len2) == XNET_OK, "%s", xnet_errmsg());
    FUZZ_REQUIRE(len == len2 && memcmp(text, text2, len) == 0, "the round trip changed the plan");
    free(text);
    free(text2);
    xnet_plan_destroy(again);
    xnet_plan_destroy(plan);
    return 0;
}
