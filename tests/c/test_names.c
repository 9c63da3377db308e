/* Nearest names: distances by hand, and the suggestion rule. */
#include "check.h"
#include "names.h"

int main(void)
{
    CHECK(xnet_name_distance("", "") == 0);
    CHECK(xnet_name_distance("abc", "") == 3 && xnet_name_distance("", "abc") == 3);
    CHECK(xnet_name_distance("kitten", "sitting") == 3);
    CHECK(xnet_name_distance("survival", "survivl") == 1);  /* deletion */
    CHECK(xnet_name_distance("survival", "suvrival") == 1); /* adjacent swap */
    CHECK(xnet_name_distance("Mixtral", "mixtral") == 0);   /* case ignored */
    CHECK(xnet_name_distance("ca", "abc") == 3);            /* OSA, not full Damerau */

    const char *const opts[] = {"snapshots", "horizon_s", "survival", "omega_max", "seed"};
    CHECK(xnet_nearest_name("survivl", opts, 5) == 2);
    CHECK(xnet_nearest_name("snapshot", opts, 5) == 0);
    CHECK(xnet_nearest_name("sed", opts, 5) == 4);
    CHECK(xnet_nearest_name("bandwidth", opts, 5) == -1); /* nothing close */
    CHECK(xnet_nearest_name("x", opts, 0) == -1);

    const char *const models[] = {"llama-moe-3.5b", "llama-moe-3.5b-4of16", "mixtral-8x7b"};
    CHECK(xnet_nearest_name("mixtrl-8x7b", models, 3) == 2);
    CHECK(xnet_nearest_name("mixtral", models, 3) == 2); /* the only name it starts */
    CHECK(xnet_nearest_name("llama", models, 3) == 0);   /* two start so: the earlier */
    const char *const shells[] = {"iridium-next", "kuiper", "oneweb", "starlink-gen1"};
    CHECK(xnet_nearest_name("starlnk", shells, 4) == 3); /* a misspelt start */
    CHECK(xnet_nearest_name("one", shells, 4) == 2);     /* the only one it starts */
    CHECK(xnet_nearest_name("xyz", shells, 4) == -1);

    char long_name[400];
    for (int i = 0; i < 399; i++) {
        long_name[i] = 'a';
    }
    long_name[399] = '\0';
    CHECK(xnet_name_distance(long_name, "") == 255); /* capped, no overflow */
    return check_done();
}
