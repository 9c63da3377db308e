/* Known answers for Walker orbits: period, chords, velocity, error paths. */
#include "check.h"
#include "error.h"
#include "orbit.h"

#include <string.h>

static double dist(const double *a, const double *b)
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])
                + (a[2] - b[2]) * (a[2] - b[2]));
}

int main(void)
{
    xnet_walker_t w;
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 33, 32, 0, 550, 87) == XNET_OK);
    /* T = 2 pi sqrt(r^3 / mu), r = 6921 km: 95.50 min */
    CHECK_NEAR(xnet_walker_period_s(&w) / 60, 95.50, 0.005);
    CHECK(xnet_walker_count(&w) == 1056);

    /* in-plane neighbours: chord 2 r sin(pi / 32) = 1356.8 km at any time */
    double a[3], b[3], va[3];
    for (double t = 0; t < 6000; t += 1234.5) {
        xnet_walker_state(&w, 5 * 32 + 7, t, a, NULL);
        xnet_walker_state(&w, 5 * 32 + 8, t, b, NULL);
        CHECK_NEAR(dist(a, b), 1356.8, 0.05);
        CHECK_NEAR(sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]), 6921.0, 1e-9);
    }
    /* adjacent planes at the equator (u = 0, t = 0): 2 r sin(pi / 66) = 658.6 km */
    xnet_walker_state(&w, 0, 0, a, NULL);
    xnet_walker_state(&w, 32, 0, b, NULL);
    CHECK_NEAR(dist(a, b), 658.6, 0.05);
    CHECK_NEAR(a[2], 0, 1e-9);

    /* speed sqrt(mu / r), and velocity is the derivative of position */
    xnet_walker_state(&w, 100, 300, a, va);
    CHECK_NEAR(sqrt(va[0] * va[0] + va[1] * va[1] + va[2] * va[2]),
               sqrt(XNET_MU_KM3_S2 / 6921.0), 1e-9);
    double h = 1e-3, ap[3], am[3];
    xnet_walker_state(&w, 100, 300 + h, ap, NULL);
    xnet_walker_state(&w, 100, 300 - h, am, NULL);
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR((ap[i] - am[i]) / (2 * h), va[i], 1e-5);
    }
    /* after one period every satellite is back where it started */
    xnet_walker_state(&w, 777, 0, a, NULL);
    xnet_walker_state(&w, 777, xnet_walker_period_s(&w), b, NULL);
    CHECK_NEAR(dist(a, b), 0, 1e-6);

    /* star spreads planes over 180 deg, delta over 360: the last plane's RAAN */
    xnet_walker_t d;
    CHECK(xnet_walker_init(&d, XNET_WALKER_DELTA, 4, 3, 1, 1000, 0) == XNET_OK);
    xnet_walker_state(&d, 3 * 3, 0, a, NULL); /* plane 3 of 4: RAAN 270 deg; F=1 shifts u */
    double u = 2 * M_PI * 1 * 3 / 12.0;       /* 2 pi F p / (P S) */
    double raan = 1.5 * M_PI;
    CHECK_NEAR(a[0], 7371 * (cos(raan) * cos(u) - sin(raan) * sin(u)), 1e-9);
    CHECK_NEAR(a[1], 7371 * (sin(raan) * cos(u) + cos(raan) * sin(u)), 1e-9);

    /* errors name the value and the bound */
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 0, 32, 0, 550, 87) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "planes must be >= 1, got 0") != NULL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 3, 0, 0, 550, 87) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "sats") != NULL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 3, 3, 3, 550, 87) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "phasing must be in [0, 2], got 3") != NULL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 3, 3, 0, -1, 87) == XNET_EINVAL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 3, 3, 0, NAN, 87) == XNET_EINVAL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 3, 3, 0, 550, 180.5) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "inclination_deg must be in [0, 180], got 180.5") != NULL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 3, 3, 0, 550, NAN) == XNET_EINVAL);
    CHECK(xnet_walker_init(&w, XNET_WALKER_STAR, 100000, 100000, 0, 550, 87) == XNET_EINVAL);
    return check_done();
}
