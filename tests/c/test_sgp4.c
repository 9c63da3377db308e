/* TLE reading and SGP4 with known answers: satellite 00005 from Vallado et
 * al.'s verification set (SGP4-VER.TLE, states from its tcppver.out, printed
 * to 1e-8 km and 1e-9 km/s), and the reader's and propagator's error paths. */
#include "check.h"
#include "error.h"
#include "sgp4.h"
#include "tle.h"

#include <stdlib.h>
#include <string.h>

static const char *const vanguard =
    "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753\n"
    "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667\n";

static int parse(const char *text, xnet_tle_t **el, int *n)
{
    return xnet_tle_parse(text, strlen(text), "t.tle", el, n);
}

int main(void)
{
    xnet_tle_t *el;
    int n;
    CHECK(parse(vanguard, &el, &n) == XNET_OK && n == 1);
    CHECK(el[0].satnum == 5 && el[0].epoch_year == 2000);
    CHECK_NEAR(el[0].bstar, 0.28098e-4, 1e-18);
    CHECK_NEAR(el[0].eccentricity, 0.1859667, 1e-15);
    xnet_sgp4_t s;
    CHECK(xnet_sgp4_init(&s, &el[0]) == XNET_OK);
    static const double want[3][7] = {
        {0, 7022.46529266, -1400.08296755, 0.03995155, 1.893841015, 6.405893759, 4.534807250},
        {360, -7154.03120202, -3783.17682504, -3536.19412294, 4.741887409, -4.151817765,
         -2.093935425},
        {3600, 6759.04583722, 2001.58198220, 2783.55192533, -2.180993947, 6.402085603,
         3.644723952}};
    for (int k = 0; k < 3; k++) {
        double r[3], v[3];
        CHECK(xnet_sgp4_propagate(&s, want[k][0], r, v) == 0);
        for (int i = 0; i < 3; i++) {
            CHECK_NEAR(r[i], want[k][1 + i], 1e-8);
            CHECK_NEAR(v[i], want[k][4 + i], 1e-9);
        }
    }
    /* Writing gives back what was read. */
    char out[256];
    CHECK(xnet_tle_format(&el[0], out, sizeof out) == XNET_OK);
    CHECK(strncmp(out, "1 00005U", 8) == 0 && strstr(out, "\n2 00005  34.2682 348.7242 1859667"));
    xnet_tle_t *back;
    int m;
    CHECK(parse(out, &back, &m) == XNET_OK && m == 1 && back[0].bstar == el[0].bstar
          && back[0].epoch_day == el[0].epoch_day);
    free(back);

    /* Errors: checksum, truncation, eccentricity outside [0, 1). */
    char bad[256];
    strcpy(bad, vanguard);
    bad[68] = '4';
    CHECK(parse(bad, &back, &m) == XNET_EINVAL && strstr(xnet_errmsg(), "t.tle:1: wrong checksum"));
    strcpy(bad, vanguard);
    memmove(bad + 60, bad + 69, strlen(bad + 69) + 1);
    CHECK(parse(bad, &back, &m) == XNET_EINVAL && strstr(xnet_errmsg(), "t.tle:1: line 1 is truncated"));
    CHECK(back == NULL && m == 0);
    xnet_tle_t e = el[0];
    e.eccentricity = 1.2;
    CHECK(xnet_sgp4_init(&s, &e) == XNET_EINVAL && strstr(xnet_errmsg(), "satellite 5: SGP4 error 1"));
    free(el);

    /* Deep space: MOLNIYA 1-36, a 12-hour resonant orbit (tcppver.out). */
    static const char *const molniya =
        "1 09880U 77021A   06176.56157475  .00000421  00000-0  10000-3 0  9814\n"
        "2 09880  64.5968 349.3786 7069051 270.0229  16.3320  2.00813614112380\n";
    static const double want_deep[2][7] = {
        {0, 13020.06750784, -2449.07193500, 1.15896030, 4.247363935, 1.597178501, 4.956708611},
        {120, 19190.32482476, 9249.01266902, 26596.71345328, -0.624960193, 1.324550562,
         2.495697637}};
    CHECK(parse(molniya, &el, &n) == XNET_OK && xnet_sgp4_init(&s, &el[0]) == XNET_OK && s.deep
          && s.irez == 2);
    for (int k = 0; k < 2; k++) {
        double r[3], v[3];
        CHECK(xnet_sgp4_propagate(&s, want_deep[k][0], r, v) == 0);
        for (int i = 0; i < 3; i++) {
            CHECK_NEAR(r[i], want_deep[k][1 + i], 1e-8);
            CHECK_NEAR(v[i], want_deep[k][4 + i], 1e-9);
        }
    }
    double r[3], v[3];
    CHECK(xnet_sgp4_propagate(&s, 1e15, r, v) == XNET_SGP4_TIME);
    CHECK(xnet_sgp4_propagate(&s, NAN, r, v) == XNET_SGP4_TIME);
    CHECK(xnet_sgp4_fail(&s, XNET_SGP4_TIME, 1e15) == XNET_EINVAL
          && strstr(xnet_errmsg(), "satellite 9880: SGP4 error 7"));
    free(el);
    return check_done();
}
