/* SGP4 and its deep-space part SDP4, written from Vallado, Crawford, Hujsak and Kelso,
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
        [XNET_SGP4_TIME] = "time more than 100 years from the element epoch",
    };
    const char *why = code >= 1 && code <= XNET_SGP4_TIME && reasons[code] ? reasons[code]
                                                                               : "unknown error";
    return xnet_fail(XNET_EINVAL, "satellite %ld%s%s%s: SGP4 error %d at %.6g min from epoch: %s",
                     s->satnum, s->name[0] ? " (" : "", s->name, s->name[0] ? ")" : "", code,
                     tsince_min, why);
}

/* ---- Deep space (SDP4): Vallado et al. 2006, dscom, dpper, dsinit, dspace ---- */

/* x mod m in [0, m), as the reference's Python port takes it. */
static double pmod(double x, double m)
{
    double r = fmod(x, m);
    return r < 0 ? r + m : r;
}

/* Greenwich mean sidereal time (IAU 1982) of the epoch, as SGP4 itself
 * computes it: the resonance terms are phased to it. */
static double sgp4_gstime(double jdut1)
{
    double tut1 = (jdut1 - 2451545.0) / 36525.0;
    double temp = -6.2e-6 * tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1
                + (876600.0 * 3600 + 8640184.812866) * tut1 + 67310.54841;
    return pmod(temp * (M_PI / 180.0) / 240.0, two_pi());
}

/* What the lunar-solar set-up hands to the resonance set-up. */
typedef struct {
    double cosim, sinim, emsq, s1, s2, s3, s4, s5, ss1, ss2, ss3, ss4, ss5, sz1, sz3, sz11, sz13,
        sz21, sz23, sz31, sz33, z1, z3, z11, z13, z21, z23, z31, z33;
} ds_common_t;

/* dscom: the lunar and solar perturbation coefficients at the epoch
 * (epoch: days since 1950 January 0.0). */
static void ds_common(xnet_sgp4_t *s, double epoch, ds_common_t *c)
{
    const double zes = 0.01675, zel = 0.05490, c1ss = 2.9864797e-6, c1l = 4.7968065e-7;
    const double zsinis = 0.39785416, zcosis = 0.91744867, zcosgs = 0.1945905;
    const double zsings = -0.98088458;
    double nm = s->no_unkozai, em = s->ecco;
    double snodm = sin(s->nodeo), cnodm = cos(s->nodeo);
    double sinomm = sin(s->argpo), cosomm = cos(s->argpo);
    c->sinim = sin(s->inclo);
    c->cosim = cos(s->inclo);
    c->emsq = em * em;
    double betasq = 1.0 - c->emsq, rtemsq = sqrt(betasq);
    double day = epoch + 18261.5;
    double xnodce = pmod(4.5236020 - 9.2422029e-4 * day, two_pi());
    double stem = sin(xnodce), ctem = cos(xnodce);
    double zcosil = 0.91375164 - 0.03568096 * ctem;
    double zsinil = sqrt(1.0 - zcosil * zcosil);
    double zsinhl = 0.089683511 * stem / zsinil;
    double zcoshl = sqrt(1.0 - zsinhl * zsinhl);
    double gam = 5.8351514 + 0.0019443680 * day;
    double zx = 0.39785416 * stem / zsinil;
    double zy = zcoshl * ctem + 0.91744867 * zsinhl * stem;
    zx = gam + atan2(zx, zy) - xnodce;
    double zcosgl = cos(zx), zsingl = sin(zx);
    double zcosg = zcosgs, zsing = zsings, zcosi = zcosis, zsini = zsinis;
    double zcosh = cnodm, zsinh = snodm, cc = c1ss, xnoi = 1.0 / nm;
    double emsq = c->emsq, sinim = c->sinim, cosim = c->cosim;
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    double z1 = 0, z2 = 0, z3 = 0, z11 = 0, z12 = 0, z13 = 0, z21 = 0, z22 = 0, z23 = 0;
    double z31 = 0, z32 = 0, z33 = 0;
    double ss1 = 0, ss2 = 0, ss3 = 0, ss4 = 0, ss6 = 0, ss7 = 0;
    double sz1 = 0, sz2 = 0, sz3 = 0, sz11 = 0, sz12 = 0, sz13 = 0, sz21 = 0, sz22 = 0;
    double sz23 = 0, sz31 = 0, sz32 = 0, sz33 = 0;
    /* Pass 1: the Sun; pass 2: the Moon. */
    for (int lsflg = 1; lsflg <= 2; lsflg++) {
        double a1 = zcosg * zcosh + zsing * zcosi * zsinh;
        double a3 = -zsing * zcosh + zcosg * zcosi * zsinh;
        double a7 = -zcosg * zsinh + zsing * zcosi * zcosh;
        double a8 = zsing * zsini;
        double a9 = zsing * zsinh + zcosg * zcosi * zcosh;
        double a10 = zcosg * zsini;
        double a2 = cosim * a7 + sinim * a8;
        double a4 = cosim * a9 + sinim * a10;
        double a5 = -sinim * a7 + cosim * a8;
        double a6 = -sinim * a9 + cosim * a10;
        double x1 = a1 * cosomm + a2 * sinomm;
        double x2 = a3 * cosomm + a4 * sinomm;
        double x3 = -a1 * sinomm + a2 * cosomm;
        double x4 = -a3 * sinomm + a4 * cosomm;
        double x5 = a5 * sinomm, x6 = a6 * sinomm, x7 = a5 * cosomm, x8 = a6 * cosomm;
        z31 = 12.0 * x1 * x1 - 3.0 * x3 * x3;
        z32 = 24.0 * x1 * x2 - 6.0 * x3 * x4;
        z33 = 12.0 * x2 * x2 - 3.0 * x4 * x4;
        z1 = 3.0 * (a1 * a1 + a2 * a2) + z31 * emsq;
        z2 = 6.0 * (a1 * a3 + a2 * a4) + z32 * emsq;
        z3 = 3.0 * (a3 * a3 + a4 * a4) + z33 * emsq;
        z11 = -6.0 * a1 * a5 + emsq * (-24.0 * x1 * x7 - 6.0 * x3 * x5);
        z12 = -6.0 * (a1 * a6 + a3 * a5)
            + emsq * (-24.0 * (x2 * x7 + x1 * x8) - 6.0 * (x3 * x6 + x4 * x5));
        z13 = -6.0 * a3 * a6 + emsq * (-24.0 * x2 * x8 - 6.0 * x4 * x6);
        z21 = 6.0 * a2 * a5 + emsq * (24.0 * x1 * x5 - 6.0 * x3 * x7);
        z22 = 6.0 * (a4 * a5 + a2 * a6)
            + emsq * (24.0 * (x2 * x5 + x1 * x6) - 6.0 * (x4 * x7 + x3 * x8));
        z23 = 6.0 * a4 * a6 + emsq * (24.0 * x2 * x6 - 6.0 * x4 * x8);
        z1 = z1 + z1 + betasq * z31;
        z2 = z2 + z2 + betasq * z32;
        z3 = z3 + z3 + betasq * z33;
        s3 = cc * xnoi;
        s2 = -0.5 * s3 / rtemsq;
        s4 = s3 * rtemsq;
        s1 = -15.0 * em * s4;
        s5 = x1 * x3 + x2 * x4;
        s6 = x2 * x3 + x1 * x4;
        s7 = x2 * x4 - x1 * x3;
        if (lsflg == 1) {
            ss1 = s1, ss2 = s2, ss3 = s3, ss4 = s4, c->ss5 = s5, ss6 = s6, ss7 = s7;
            sz1 = z1, sz2 = z2, sz3 = z3, sz11 = z11, sz12 = z12, sz13 = z13;
            sz21 = z21, sz22 = z22, sz23 = z23, sz31 = z31, sz32 = z32, sz33 = z33;
            zcosg = zcosgl, zsing = zsingl, zcosi = zcosil, zsini = zsinil;
            zcosh = zcoshl * cnodm + zsinhl * snodm;
            zsinh = snodm * zcoshl - cnodm * zsinhl;
            cc = c1l;
        }
    }
    s->zmol = pmod(4.7199672 + 0.22997150 * day - gam, two_pi());
    s->zmos = pmod(6.2565837 + 0.017201977 * day, two_pi());
    s->se2 = 2.0 * ss1 * ss6;
    s->se3 = 2.0 * ss1 * ss7;
    s->si2 = 2.0 * ss2 * sz12;
    s->si3 = 2.0 * ss2 * (sz13 - sz11);
    s->sl2 = -2.0 * ss3 * sz2;
    s->sl3 = -2.0 * ss3 * (sz3 - sz1);
    s->sl4 = -2.0 * ss3 * (-21.0 - 9.0 * emsq) * zes;
    s->sgh2 = 2.0 * ss4 * sz32;
    s->sgh3 = 2.0 * ss4 * (sz33 - sz31);
    s->sgh4 = -18.0 * ss4 * zes;
    s->sh2 = -2.0 * ss2 * sz22;
    s->sh3 = -2.0 * ss2 * (sz23 - sz21);
    s->ee2 = 2.0 * s1 * s6;
    s->e3 = 2.0 * s1 * s7;
    s->xi2 = 2.0 * s2 * z12;
    s->xi3 = 2.0 * s2 * (z13 - z11);
    s->xl2 = -2.0 * s3 * z2;
    s->xl3 = -2.0 * s3 * (z3 - z1);
    s->xl4 = -2.0 * s3 * (-21.0 - 9.0 * emsq) * zel;
    s->xgh2 = 2.0 * s4 * z32;
    s->xgh3 = 2.0 * s4 * (z33 - z31);
    s->xgh4 = -18.0 * s4 * zel;
    s->xh2 = -2.0 * s2 * z22;
    s->xh3 = -2.0 * s2 * (z23 - z21);
    c->s1 = s1, c->s2 = s2, c->s3 = s3, c->s4 = s4, c->s5 = s5;
    c->ss1 = ss1, c->ss2 = ss2, c->ss3 = ss3, c->ss4 = ss4;
    c->sz1 = sz1, c->sz3 = sz3, c->sz11 = sz11, c->sz13 = sz13, c->sz21 = sz21, c->sz23 = sz23;
    c->sz31 = sz31, c->sz33 = sz33;
    c->z1 = z1, c->z3 = z3, c->z11 = z11, c->z13 = z13, c->z21 = z21, c->z23 = z23;
    c->z31 = z31, c->z33 = z33;
}

/* dpper: the lunar-solar periodics at t minutes (the init call of the
 * reference changes nothing, so there is only this one). */
static void ds_periodics(const xnet_sgp4_t *s, double t, double *ep, double *inclp,
                         double *nodep, double *argpp, double *mp)
{
    const double zns = 1.19459e-5, zes = 0.01675, znl = 1.5835218e-4, zel = 0.05490;
    double zm = s->zmos + zns * t;
    double zf = zm + 2.0 * zes * sin(zm), sinzf = sin(zf);
    double f2 = 0.5 * sinzf * sinzf - 0.25, f3 = -0.5 * sinzf * cos(zf);
    double ses = s->se2 * f2 + s->se3 * f3;
    double sis = s->si2 * f2 + s->si3 * f3;
    double sls = s->sl2 * f2 + s->sl3 * f3 + s->sl4 * sinzf;
    double sghs = s->sgh2 * f2 + s->sgh3 * f3 + s->sgh4 * sinzf;
    double shs = s->sh2 * f2 + s->sh3 * f3;
    zm = s->zmol + znl * t;
    zf = zm + 2.0 * zel * sin(zm);
    sinzf = sin(zf);
    f2 = 0.5 * sinzf * sinzf - 0.25;
    f3 = -0.5 * sinzf * cos(zf);
    double sel = s->ee2 * f2 + s->e3 * f3;
    double sil = s->xi2 * f2 + s->xi3 * f3;
    double sll = s->xl2 * f2 + s->xl3 * f3 + s->xl4 * sinzf;
    double sghl = s->xgh2 * f2 + s->xgh3 * f3 + s->xgh4 * sinzf;
    double shll = s->xh2 * f2 + s->xh3 * f3;
    /* peo, pinco, plo, pgho, pho are 0 in the 2006 revision (dscom). */
    double pe = ses + sel, pinc = sis + sil, pl = sls + sll, pgh = sghs + sghl, ph = shs + shll;
    *inclp += pinc;
    *ep += pe;
    double sinip = sin(*inclp), cosip = cos(*inclp);
    if (*inclp >= 0.2) {
        ph /= sinip;
        pgh -= cosip * ph;
        *argpp += pgh;
        *nodep += ph;
        *mp += pl;
    } else {
        /* Lyddane's modification for low inclinations. */
        double sinop = sin(*nodep), cosop = cos(*nodep);
        double alfdp = sinip * sinop + (ph * cosop + pinc * cosip * sinop);
        double betdp = sinip * cosop + (-ph * sinop + pinc * cosip * cosop);
        *nodep = fmod(*nodep, two_pi());
        double xls = *mp + *argpp + pl + pgh + (cosip - pinc * sinip) * *nodep;
        double xnoh = *nodep;
        *nodep = atan2(alfdp, betdp);
        if (fabs(xnoh - *nodep) > M_PI) {
            *nodep += *nodep < xnoh ? two_pi() : -two_pi();
        }
        *mp += pl;
        *argpp = xls - *mp - cosip * *nodep;
    }
}

#define RPTIM 4.37526908801129966e-3 /* the Earth's rotation, rad/min */

/* dsinit: secular lunar-solar rates and, for 12-hour (irez 2) and one-day
 * (irez 1) orbits, the resonance coefficients. */
static void ds_init(xnet_sgp4_t *s, const ds_common_t *c, double xpidot)
{
    const double q22 = 1.7891679e-6, q31 = 2.1460748e-6, q33 = 2.2123015e-7;
    const double root22 = 1.7891679e-6, root44 = 7.3636953e-9, root54 = 2.1765803e-9;
    const double root32 = 3.7393792e-7, root52 = 1.1428639e-7, znl = 1.5835218e-4;
    const double zns = 1.19459e-5, x2o3 = 2.0 / 3.0;
    double nm = s->no_unkozai, em = s->ecco, emsq = c->emsq, inclm = s->inclo;
    double cosim = c->cosim, sinim = c->sinim;
    s->irez = 0;
    if (nm > 0.0034906585 && nm < 0.0052359877) {
        s->irez = 1;
    }
    if (nm >= 8.26e-3 && nm <= 9.24e-3 && em >= 0.5) {
        s->irez = 2;
    }
    double ses = c->ss1 * zns * c->ss5;
    double sis = c->ss2 * zns * (c->sz11 + c->sz13);
    double sls = -zns * c->ss3 * (c->sz1 + c->sz3 - 14.0 - 6.0 * emsq);
    double sghs = c->ss4 * zns * (c->sz31 + c->sz33 - 6.0);
    double shs = -zns * c->ss2 * (c->sz21 + c->sz23);
    int flat = inclm < 5.2359877e-2 || inclm > M_PI - 5.2359877e-2;
    if (flat) {
        shs = 0.0;
    }
    if (sinim != 0.0) {
        shs = shs / sinim;
    }
    double sgs = sghs - cosim * shs;
    s->dedt = ses + c->s1 * znl * c->s5;
    s->didt = sis + c->s2 * znl * (c->z11 + c->z13);
    s->dmdt = sls - znl * c->s3 * (c->z1 + c->z3 - 14.0 - 6.0 * emsq);
    double sghl = c->s4 * znl * (c->z31 + c->z33 - 6.0);
    double shll = flat ? 0.0 : -znl * c->s2 * (c->z21 + c->z23);
    s->domdt = sgs + sghl;
    s->dnodt = shs;
    if (sinim != 0.0) {
        s->domdt -= cosim / sinim * shll;
        s->dnodt += shll / sinim;
    }
    double theta = pmod(s->gsto, two_pi());
    if (s->irez == 0) {
        return;
    }
    double aonv = pow(nm / xke(), x2o3);
    if (s->irez == 2) {
        double cosisq = cosim * cosim, e = s->ecco, esq = e * e, eoc = e * esq;
        double g201 = -0.306 - (e - 0.64) * 0.440, g211, g310, g322, g410, g422, g520;
        double g533, g521, g532;
        if (e <= 0.65) {
            g211 = 3.616 - 13.2470 * e + 16.2900 * esq;
            g310 = -19.302 + 117.3900 * e - 228.4190 * esq + 156.5910 * eoc;
            g322 = -18.9068 + 109.7927 * e - 214.6334 * esq + 146.5816 * eoc;
            g410 = -41.122 + 242.6940 * e - 471.0940 * esq + 313.9530 * eoc;
            g422 = -146.407 + 841.8800 * e - 1629.014 * esq + 1083.4350 * eoc;
            g520 = -532.114 + 3017.977 * e - 5740.032 * esq + 3708.2760 * eoc;
        } else {
            g211 = -72.099 + 331.819 * e - 508.738 * esq + 266.724 * eoc;
            g310 = -346.844 + 1582.851 * e - 2415.925 * esq + 1246.113 * eoc;
            g322 = -342.585 + 1554.908 * e - 2366.899 * esq + 1215.972 * eoc;
            g410 = -1052.797 + 4758.686 * e - 7193.992 * esq + 3651.957 * eoc;
            g422 = -3581.690 + 16178.110 * e - 24462.770 * esq + 12422.520 * eoc;
            g520 = e > 0.715 ? -5149.66 + 29936.92 * e - 54087.36 * esq + 31324.56 * eoc
                             : 1464.74 - 4664.75 * e + 3763.64 * esq;
        }
        if (e < 0.7) {
            g533 = -919.22770 + 4988.6100 * e - 9064.7700 * esq + 5542.21 * eoc;
            g521 = -822.71072 + 4568.6173 * e - 8491.4146 * esq + 5337.524 * eoc;
            g532 = -853.66600 + 4690.2500 * e - 8624.7700 * esq + 5341.4 * eoc;
        } else {
            g533 = -37995.780 + 161616.52 * e - 229838.20 * esq + 109377.94 * eoc;
            g521 = -51752.104 + 218913.95 * e - 309468.16 * esq + 146349.42 * eoc;
            g532 = -40023.880 + 170470.89 * e - 242699.48 * esq + 115605.82 * eoc;
        }
        double sini2 = sinim * sinim;
        double f220 = 0.75 * (1.0 + 2.0 * cosim + cosisq);
        double f221 = 1.5 * sini2;
        double f321 = 1.875 * sinim * (1.0 - 2.0 * cosim - 3.0 * cosisq);
        double f322 = -1.875 * sinim * (1.0 + 2.0 * cosim - 3.0 * cosisq);
        double f441 = 35.0 * sini2 * f220;
        double f442 = 39.3750 * sini2 * sini2;
        double f522 = 9.84375 * sinim
                    * (sini2 * (1.0 - 2.0 * cosim - 5.0 * cosisq)
                       + 0.33333333 * (-2.0 + 4.0 * cosim + 6.0 * cosisq));
        double f523 = sinim * (4.92187512 * sini2 * (-2.0 - 4.0 * cosim + 10.0 * cosisq)
                               + 6.56250012 * (1.0 + 2.0 * cosim - 3.0 * cosisq));
        double f542 = 29.53125 * sinim
                    * (2.0 - 8.0 * cosim + cosisq * (-12.0 + 8.0 * cosim + 10.0 * cosisq));
        double f543 = 29.53125 * sinim
                    * (-2.0 - 8.0 * cosim + cosisq * (12.0 + 8.0 * cosim - 10.0 * cosisq));
        double xno2 = nm * nm, ainv2 = aonv * aonv;
        double temp1 = 3.0 * xno2 * ainv2, temp = temp1 * root22;
        s->d2201 = temp * f220 * g201;
        s->d2211 = temp * f221 * g211;
        temp1 = temp1 * aonv;
        temp = temp1 * root32;
        s->d3210 = temp * f321 * g310;
        s->d3222 = temp * f322 * g322;
        temp1 = temp1 * aonv;
        temp = 2.0 * temp1 * root44;
        s->d4410 = temp * f441 * g410;
        s->d4422 = temp * f442 * g422;
        temp1 = temp1 * aonv;
        temp = temp1 * root52;
        s->d5220 = temp * f522 * g520;
        s->d5232 = temp * f523 * g532;
        temp = 2.0 * temp1 * root54;
        s->d5421 = temp * f542 * g521;
        s->d5433 = temp * f543 * g533;
        s->xlamo = pmod(s->mo + s->nodeo + s->nodeo - theta - theta, two_pi());
        s->xfact = s->mdot + s->dmdt + 2.0 * (s->nodedot + s->dnodt - RPTIM) - s->no_unkozai;
    } else {
        double g200 = 1.0 + emsq * (-2.5 + 0.8125 * emsq);
        double g310 = 1.0 + 2.0 * emsq;
        double g300 = 1.0 + emsq * (-6.0 + 6.60937 * emsq);
        double f220 = 0.75 * (1.0 + cosim) * (1.0 + cosim);
        double f311 = 0.9375 * sinim * sinim * (1.0 + 3.0 * cosim) - 0.75 * (1.0 + cosim);
        double f330 = 1.0 + cosim;
        f330 = 1.875 * f330 * f330 * f330;
        double del1 = 3.0 * nm * nm * aonv * aonv;
        s->del2 = 2.0 * del1 * f220 * g200 * q22;
        s->del3 = 3.0 * del1 * f330 * g300 * q33 * aonv;
        s->del1 = del1 * f311 * g310 * q31 * aonv;
        s->xlamo = pmod(s->mo + s->nodeo + s->argpo - theta, two_pi());
        s->xfact = s->mdot + xpidot - RPTIM + s->dmdt + s->domdt + s->dnodt - s->no_unkozai;
    }
}

/* dspace: lunar-solar secular terms at t minutes and, for resonant orbits,
 * the mean motion and longitude integrated from the epoch in 720-minute
 * Euler-Maclaurin steps. em..nm are updated in place. */
static void ds_secular(const xnet_sgp4_t *s, double t, double *em, double *argpm, double *inclm,
                       double *mm, double *nodem, double *nm)
{
    const double fasx2 = 0.13130908, fasx4 = 2.8843198, fasx6 = 0.37448087;
    const double g22 = 5.7686396, g32 = 0.95240898, g44 = 1.8014998, g52 = 1.0508330;
    const double g54 = 4.4108898, stepp = 720.0, stepn = -720.0, step2 = 259200.0;
    double theta = pmod(s->gsto + t * RPTIM, two_pi());
    *em += s->dedt * t;
    *inclm += s->didt * t;
    *argpm += s->domdt * t;
    *nodem += s->dnodt * t;
    *mm += s->dmdt * t;
    if (s->irez == 0) {
        return;
    }
    double atime = 0.0, xni = s->no_unkozai, xli = s->xlamo, ft = 0.0;
    double delt = t > 0.0 ? stepp : stepn, xndt, xldot, xnddt;
    for (;;) {
        if (s->irez != 2) {
            xndt = s->del1 * sin(xli - fasx2) + s->del2 * sin(2.0 * (xli - fasx4))
                 + s->del3 * sin(3.0 * (xli - fasx6));
            xldot = xni + s->xfact;
            xnddt = s->del1 * cos(xli - fasx2) + 2.0 * s->del2 * cos(2.0 * (xli - fasx4))
                  + 3.0 * s->del3 * cos(3.0 * (xli - fasx6));
            xnddt *= xldot;
        } else {
            double xomi = s->argpo + s->argpdot * atime, x2omi = xomi + xomi, x2li = xli + xli;
            xndt = s->d2201 * sin(x2omi + xli - g22) + s->d2211 * sin(xli - g22)
                 + s->d3210 * sin(xomi + xli - g32) + s->d3222 * sin(-xomi + xli - g32)
                 + s->d4410 * sin(x2omi + x2li - g44) + s->d4422 * sin(x2li - g44)
                 + s->d5220 * sin(xomi + xli - g52) + s->d5232 * sin(-xomi + xli - g52)
                 + s->d5421 * sin(xomi + x2li - g54) + s->d5433 * sin(-xomi + x2li - g54);
            xldot = xni + s->xfact;
            xnddt = s->d2201 * cos(x2omi + xli - g22) + s->d2211 * cos(xli - g22)
                  + s->d3210 * cos(xomi + xli - g32) + s->d3222 * cos(-xomi + xli - g32)
                  + s->d5220 * cos(xomi + xli - g52) + s->d5232 * cos(-xomi + xli - g52)
                  + 2.0 * (s->d4410 * cos(x2omi + x2li - g44) + s->d4422 * cos(x2li - g44)
                           + s->d5421 * cos(xomi + x2li - g54)
                           + s->d5433 * cos(-xomi + x2li - g54));
            xnddt *= xldot;
        }
        if (fabs(t - atime) < stepp) {
            ft = t - atime;
            break;
        }
        xli += xldot * delt + xndt * step2;
        xni += xndt * delt + xnddt * step2;
        atime += delt;
    }
    double nm_int = xni + xndt * ft + xnddt * ft * ft * 0.5, dndt = nm_int - s->no_unkozai;
    *nm = s->no_unkozai + dndt; /* as the reference rounds it */
    double xl = xli + xldot * ft + xndt * ft * ft * 0.5;
    *mm = s->irez != 1 ? xl - 2.0 * *nodem + 2.0 * theta : xl - *nodem - *argpm + theta;
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
    if (two_pi() / s->no_unkozai >= XNET_SGP4_DEEP_SPACE_MIN) {
        ds_common_t c = {0};
        double jd = el->epoch_jd + el->epoch_jd_frac, epoch = jd - 2433281.5;
        s->deep = 1;
        s->isimp = 1;
        s->gsto = sgp4_gstime(epoch + 2433281.5);
        ds_common(s, epoch, &c);
        ds_init(s, &c, s->argpdot + s->nodedot);
    }

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
    if (!(fabs(t) <= XNET_SGP4_MAX_MINUTES)) {
        return XNET_SGP4_TIME;
    }

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
    if (s->deep) {
        ds_secular(s, t, &em, &argpm, &inclm, &mm, &nodem, &nm);
    }
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
    argpm = pmod(argpm, twopi);
    xlm = pmod(xlm, twopi);
    mm = pmod(xlm - argpm - nodem, twopi);

    /* Lunar-solar periodics (deep space), then long-period periodics (J3). */
    double ep = em, xincp = inclm, argpp = argpm, nodep = nodem, mp = mm;
    double aycof = s->aycof, xlcof = s->xlcof, con41 = s->con41, x1mth2 = s->x1mth2;
    double x7thm1 = s->x7thm1;
    if (s->deep) {
        ds_periodics(s, t, &ep, &xincp, &nodep, &argpp, &mp);
        if (xincp < 0.0) {
            xincp = -xincp;
            nodep += M_PI;
            argpp -= M_PI;
        }
        if (ep < 0.0 || ep > 1.0) {
            return XNET_SGP4_PECC;
        }
    }
    double sinip = sin(xincp), cosip = cos(xincp);
    if (s->deep) {
        double cosisq = cosip * cosip;
        aycof = -0.5 * J3OJ2 * sinip;
        xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip)
              / (fabs(cosip + 1.0) > 1.5e-12 ? 1.0 + cosip : 1.5e-12);
        con41 = 3.0 * cosisq - 1.0;
        x1mth2 = 1.0 - cosisq;
        x7thm1 = 7.0 * cosisq - 1.0;
    }
    double axnl = ep * cos(argpp);
    double temp = 1.0 / (am * (1.0 - ep * ep));
    double aynl = ep * sin(argpp) + temp * aycof;
    double xl = mp + argpp + nodep + temp * xlcof * axnl;

    /* Kepler's equation in the equinoctial-like variables, Newton with a step cap. */
    double u = pmod(xl - nodep, twopi), eo1 = u, tem5 = 9999.9, sineo1 = 0, coseo1 = 1;
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
    double mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u;
    su = su - 0.25 * temp2 * x7thm1 * sin2u;
    double xnode = nodep + 1.5 * temp2 * cosip * sin2u;
    double xinc = xincp + 1.5 * temp2 * cosip * sinip * cos2u;
    double mvt = rdotl - nm * temp1 * x1mth2 * sin2u / ke;
    double rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) / ke;

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
