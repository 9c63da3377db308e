/* SGP4 near-Earth model, written from Vallado, Crawford, Hujsak and Kelso,
 * "Revisiting Spacetrack Report #3" (AIAA 2006-6753) and Hoots and Roehrich,
 * Spacetrack Report #3 (1980). Variable names follow the paper's code so the
 * two can be read side by side. Time unit: minutes; distance: Earth radii
 * inside, km outside. */
#include "sgp4.h"

#include "error.h"

#include <math.h>
#include <string.h>

/* WGS-72 gravity as SGP4 uses it: xke = 60 / sqrt(R^3 / mu) (1/min),
 * un-normalised zonal harmonics J2, J3, J4. */
#define J2 0.001082616
#define J3 (-0.00000253881)
#define J4 (-0.00000165597)
#define J3OJ2 (J3 / J2)

static double xke(void)
{
    double r = XNET_WGS72_RADIUS_KM;
    return 60.0 / sqrt(r * r * r / XNET_WGS72_MU_KM3_S2);
}

static double two_pi(void) { return 2.0 * M_PI; }

int xnet_sgp4_fail(const xnet_sgp4_t *s, int code, double tsince_min)
{
    static const char *const reasons[] = {
        [XNET_SGP4_ECC] = "mean eccentricity left [0, 1)",
        [XNET_SGP4_MOTION] = "mean motion fell to zero or below",
        [XNET_SGP4_PECC] = "perturbed eccentricity left [0, 1]",
        [XNET_SGP4_SEMILATUS] = "semi-latus rectum became negative",
        [XNET_SGP4_DECAYED] = "satellite has decayed (radius below the Earth's)",
    };
    const char *why = code >= 1 && code <= XNET_SGP4_DECAYED && reasons[code] ? reasons[code]
                                                                               : "unknown error";
    return xnet_fail(XNET_EINVAL, "satellite %ld%s%s%s: SGP4 error %d at %.6g min from epoch: %s",
                     s->satnum, s->name[0] ? " (" : "", s->name, s->name[0] ? ")" : "", code,
                     tsince_min, why);
}

int xnet_sgp4_init(xnet_sgp4_t *s, const xnet_tle_t *el)
{
    const double deg = M_PI / 180.0, x2o3 = 2.0 / 3.0, ke = xke();
    const double re = XNET_WGS72_RADIUS_KM;
    memset(s, 0, sizeof *s);
    s->satnum = el->satnum;
    memcpy(s->name, el->name, sizeof s->name);
    s->name[sizeof s->name - 1] = '\0';
    double no_kozai = el->mean_motion_rev_day * two_pi() / 1440.0; /* rad/min */
    s->ecco = el->eccentricity;
    s->inclo = el->inclination_deg * deg;
    s->nodeo = el->raan_deg * deg;
    s->argpo = el->argp_deg * deg;
    s->mo = el->mean_anomaly_deg * deg;
    s->bstar = el->bstar;
    if (!(no_kozai > 0) || !(s->ecco >= 0 && s->ecco < 1)) {
        return xnet_sgp4_fail(s, no_kozai > 0 ? XNET_SGP4_ECC : XNET_SGP4_MOTION, 0);
    }

    /* Recover the original (un-Kozai) mean motion and semi-major axis. */
    double eccsq = s->ecco * s->ecco, omeosq = 1.0 - eccsq, rteosq = sqrt(omeosq);
    double cosio = cos(s->inclo), cosio2 = cosio * cosio;
    double ak = pow(ke / no_kozai, x2o3);
    double d1 = 0.75 * J2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq);
    double del = d1 / (ak * ak);
    double adel = ak * (1.0 - del * del - del * (1.0 / 3.0 + 134.0 * del * del / 81.0));
    del = d1 / (adel * adel);
    s->no_unkozai = no_kozai / (1.0 + del);
    double ao = pow(ke / s->no_unkozai, x2o3);
    double sinio = sin(s->inclo), po = ao * omeosq;
    double con42 = 1.0 - 5.0 * cosio2;
    s->con41 = -con42 - cosio2 - cosio2;
    double posq = po * po, rp = ao * (1.0 - s->ecco);

    if (two_pi() / s->no_unkozai >= XNET_SGP4_DEEP_SPACE_MIN) {
        return xnet_fail(XNET_EINVAL,
                         "satellite %ld%s%s%s: period %.1f min >= %g min needs SGP4's deep-space "
                         "model (SDP4), which spacexnet does not implement",
                         s->satnum, s->name[0] ? " (" : "", s->name, s->name[0] ? ")" : "",
                         two_pi() / s->no_unkozai, XNET_SGP4_DEEP_SPACE_MIN);
    }

    /* Atmospheric density fit: s and q0 of the power law, adjusted for low perigees. */
    double ss = 78.0 / re + 1.0, qzms2t = pow((120.0 - 78.0) / re, 4.0);
    s->isimp = rp < 220.0 / re + 1.0; /* perigee below 220 km: the simple drag model */
    double sfour = ss, qzms24 = qzms2t, perige = (rp - 1.0) * re;
    if (perige < 156.0) {
        sfour = perige < 98.0 ? 20.0 : perige - 78.0;
        qzms24 = pow((120.0 - sfour) / re, 4.0);
        sfour = sfour / re + 1.0;
    }
    double pinvsq = 1.0 / posq, tsi = 1.0 / (ao - sfour);
    s->eta = ao * s->ecco * tsi;
    double etasq = s->eta * s->eta, eeta = s->ecco * s->eta, psisq = fabs(1.0 - etasq);
    double coef = qzms24 * pow(tsi, 4.0), coef1 = coef / pow(psisq, 3.5);
    double cc2 = coef1 * s->no_unkozai
               * (ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq))
                  + 0.375 * J2 * tsi / psisq * s->con41 * (8.0 + 3.0 * etasq * (8.0 + etasq)));
    s->cc1 = s->bstar * cc2;
    double cc3 = 0.0;
    if (s->ecco > 1.0e-4) {
        cc3 = -2.0 * coef * tsi * J3OJ2 * s->no_unkozai * sinio / s->ecco;
    }
    s->x1mth2 = 1.0 - cosio2;
    s->cc4 = 2.0 * s->no_unkozai * coef1 * ao * omeosq
           * (s->eta * (2.0 + 0.5 * etasq) + s->ecco * (0.5 + 2.0 * etasq)
              - J2 * tsi / (ao * psisq)
                    * (-3.0 * s->con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta))
                       + 0.75 * s->x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq))
                             * cos(2.0 * s->argpo)));
    s->cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq);

    /* Secular rates of mean anomaly, perigee and node from J2 and J4. */
    double cosio4 = cosio2 * cosio2;
    double temp1 = 1.5 * J2 * pinvsq * s->no_unkozai;
    double temp2 = 0.5 * temp1 * J2 * pinvsq;
    double temp3 = -0.46875 * J4 * pinvsq * pinvsq * s->no_unkozai;
    s->mdot = s->no_unkozai + 0.5 * temp1 * rteosq * s->con41
            + 0.0625 * temp2 * rteosq * (13.0 - 78.0 * cosio2 + 137.0 * cosio4);
    s->argpdot = -0.5 * temp1 * con42 + 0.0625 * temp2 * (7.0 - 114.0 * cosio2 + 395.0 * cosio4)
               + temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4);
    double xhdot1 = -temp1 * cosio;
    s->nodedot = xhdot1
               + (0.5 * temp2 * (4.0 - 19.0 * cosio2) + 2.0 * temp3 * (3.0 - 7.0 * cosio2))
                     * cosio;
    s->omgcof = s->bstar * cc3 * cos(s->argpo);
    s->xmcof = s->ecco > 1.0e-4 ? -x2o3 * coef * s->bstar / eeta : 0.0;
    s->nodecf = 3.5 * omeosq * xhdot1 * s->cc1;
    s->t2cof = 1.5 * s->cc1;
    /* The 2006 revision's guard against dividing by zero at 180 deg inclination. */
    double denom = fabs(cosio + 1.0) > 1.5e-12 ? 1.0 + cosio : 1.5e-12;
    s->xlcof = -0.25 * J3OJ2 * sinio * (3.0 + 5.0 * cosio) / denom;
    s->aycof = -0.5 * J3OJ2 * sinio;
    double delmotemp = 1.0 + s->eta * cos(s->mo);
    s->delmo = delmotemp * delmotemp * delmotemp;
    s->sinmao = sin(s->mo);
    s->x7thm1 = 7.0 * cosio2 - 1.0;

    if (!s->isimp) {
        double cc1sq = s->cc1 * s->cc1;
        s->d2 = 4.0 * ao * tsi * cc1sq;
        double temp = s->d2 * tsi * s->cc1 / 3.0;
        s->d3 = (17.0 * ao + sfour) * temp;
        s->d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * s->cc1;
        s->t3cof = s->d2 + 2.0 * cc1sq;
        s->t4cof = 0.25 * (3.0 * s->d3 + s->cc1 * (12.0 * s->d2 + 10.0 * cc1sq));
        s->t5cof = 0.2 * (3.0 * s->d4 + 12.0 * s->cc1 * s->d3 + 6.0 * s->d2 * s->d2
                          + 15.0 * cc1sq * (2.0 * s->d2 + cc1sq));
    }
    double r[3], v[3];
    int code = xnet_sgp4_propagate(s, 0.0, r, v);
    return code ? xnet_sgp4_fail(s, code, 0.0) : XNET_OK;
}

int xnet_sgp4_propagate(const xnet_sgp4_t *s, double t, double r_km[3], double v_km_s[3])
{
    const double x2o3 = 2.0 / 3.0, ke = xke(), twopi = two_pi();
    const double vkmpersec = XNET_WGS72_RADIUS_KM * ke / 60.0;

    /* Secular gravity and atmospheric drag. */
    double xmdf = s->mo + s->mdot * t;
    double argpdf = s->argpo + s->argpdot * t;
    double nodedf = s->nodeo + s->nodedot * t;
    double argpm = argpdf, mm = xmdf, t2 = t * t;
    double nodem = nodedf + s->nodecf * t2;
    double tempa = 1.0 - s->cc1 * t;
    double tempe = s->bstar * s->cc4 * t;
    double templ = s->t2cof * t2;
    if (!s->isimp) {
        double delomg = s->omgcof * t;
        double delmtemp = 1.0 + s->eta * cos(xmdf);
        double delm = s->xmcof * (delmtemp * delmtemp * delmtemp - s->delmo);
        double temp = delomg + delm;
        mm = xmdf + temp;
        argpm = argpdf - temp;
        double t3 = t2 * t, t4 = t3 * t;
        tempa = tempa - s->d2 * t2 - s->d3 * t3 - s->d4 * t4;
        tempe = tempe + s->bstar * s->cc5 * (sin(mm) - s->sinmao);
        templ = templ + s->t3cof * t3 + t4 * (s->t4cof + t * s->t5cof);
    }
    double nm = s->no_unkozai, em = s->ecco, inclm = s->inclo;
    if (nm <= 0.0) {
        return XNET_SGP4_MOTION;
    }
    double am = pow(ke / nm, x2o3) * tempa * tempa;
    nm = ke / pow(am, 1.5);
    em = em - tempe;
    if (!(em < 1.0 && em >= -0.001)) {
        return XNET_SGP4_ECC;
    }
    if (em < 1.0e-6) {
        em = 1.0e-6;
    }
    mm = mm + s->no_unkozai * templ;
    double xlm = mm + argpm + nodem;
    nodem = fmod(nodem, twopi);
    argpm = fmod(argpm, twopi);
    xlm = fmod(xlm, twopi);
    mm = fmod(xlm - argpm - nodem, twopi);
    double sinip = sin(inclm), cosip = cos(inclm);

    /* Long-period periodics (J3). */
    double ep = em, argpp = argpm, nodep = nodem, mp = mm;
    double axnl = ep * cos(argpp);
    double temp = 1.0 / (am * (1.0 - ep * ep));
    double aynl = ep * sin(argpp) + temp * s->aycof;
    double xl = mp + argpp + nodep + temp * s->xlcof * axnl;

    /* Kepler's equation in the equinoctial-like variables, Newton with a step cap. */
    double u = fmod(xl - nodep, twopi), eo1 = u, tem5 = 9999.9, sineo1 = 0, coseo1 = 1;
    for (int ktr = 1; fabs(tem5) >= 1.0e-12 && ktr <= 10; ktr++) {
        sineo1 = sin(eo1);
        coseo1 = cos(eo1);
        tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl;
        tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5;
        if (fabs(tem5) >= 0.95) {
            tem5 = tem5 > 0.0 ? 0.95 : -0.95;
        }
        eo1 = eo1 + tem5;
    }

    /* Short-period periodics (J2). */
    double ecose = axnl * coseo1 + aynl * sineo1;
    double esine = axnl * sineo1 - aynl * coseo1;
    double el2 = axnl * axnl + aynl * aynl;
    double pl = am * (1.0 - el2);
    if (pl < 0.0) {
        return XNET_SGP4_SEMILATUS;
    }
    double rl = am * (1.0 - ecose);
    double rdotl = sqrt(am) * esine / rl;
    double rvdotl = sqrt(pl) / rl;
    double betal = sqrt(1.0 - el2);
    temp = esine / (1.0 + betal);
    double sinu = am / rl * (sineo1 - aynl - axnl * temp);
    double cosu = am / rl * (coseo1 - axnl + aynl * temp);
    double su = atan2(sinu, cosu);
    double sin2u = (cosu + cosu) * sinu;
    double cos2u = 1.0 - 2.0 * sinu * sinu;
    temp = 1.0 / pl;
    double temp1 = 0.5 * J2 * temp, temp2 = temp1 * temp;
    double mrt = rl * (1.0 - 1.5 * temp2 * betal * s->con41)
               + 0.5 * temp1 * s->x1mth2 * cos2u;
    su = su - 0.25 * temp2 * s->x7thm1 * sin2u;
    double xnode = nodep + 1.5 * temp2 * cosip * sin2u;
    double xinc = inclm + 1.5 * temp2 * cosip * sinip * cos2u;
    double mvt = rdotl - nm * temp1 * s->x1mth2 * sin2u / ke;
    double rvdot = rvdotl + nm * temp1 * (s->x1mth2 * cos2u + 1.5 * s->con41) / ke;

    /* Orientation vectors and the state in TEME. */
    double sinsu = sin(su), cossu = cos(su), snod = sin(xnode), cnod = cos(xnode);
    double sini = sin(xinc), cosi = cos(xinc);
    double xmx = -snod * cosi, xmy = cnod * cosi;
    double ux = xmx * sinsu + cnod * cossu, uy = xmy * sinsu + snod * cossu, uz = sini * sinsu;
    double vx = xmx * cossu - cnod * sinsu, vy = xmy * cossu - snod * sinsu, vz = sini * cossu;
    double mr = mrt * XNET_WGS72_RADIUS_KM;
    r_km[0] = mr * ux;
    r_km[1] = mr * uy;
    r_km[2] = mr * uz;
    v_km_s[0] = (mvt * ux + rvdot * vx) * vkmpersec;
    v_km_s[1] = (mvt * uy + rvdot * vy) * vkmpersec;
    v_km_s[2] = (mvt * uz + rvdot * vz) * vkmpersec;
    return mrt < 1.0 ? XNET_SGP4_DECAYED : 0;
}
