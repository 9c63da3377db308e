#include "tle.h"

#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLE_COLUMNS 69

/* One line of the input, not NUL-terminated, trailing blanks and CR cut. */
typedef struct {
    const char *s;
    int len, number;
    const char *source;
} line_t;

static int line_error(const line_t *ln, const char *fmt, const char *what, double value)
{
    char reason[160];
    snprintf(reason, sizeof reason, fmt, what, value);
    return xnet_fail(XNET_EINVAL, "%s:%d: %s", ln->source, ln->number, reason);
}

int xnet_tle_checksum(const char *line)
{
    int sum = 0;
    for (int i = 0; i < 68 && line[i]; i++) {
        if (isdigit((unsigned char)line[i])) {
            sum += line[i] - '0';
        } else if (line[i] == '-') {
            sum += 1;
        }
    }
    return sum % 10;
}

/* Columns first..last (1-based, inclusive) copied into buf, blanks trimmed. */
static void field(const line_t *ln, int first, int last, char *buf)
{
    int a = first - 1, b = last;
    while (a < b && ln->s[a] == ' ') {
        a++;
    }
    while (b > a && ln->s[b - 1] == ' ') {
        b--;
    }
    memcpy(buf, ln->s + a, (size_t)(b - a));
    buf[b - a] = '\0';
}

/* A decimal number filling columns first..last; the whole field must parse. */
static int number_field(const line_t *ln, int first, int last, const char *what, double *out)
{
    char buf[TLE_COLUMNS + 1], *end;
    field(ln, first, last, buf);
    errno = 0;
    double v = strtod(buf, &end);
    if (buf[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v)
        || strpbrk(buf, "xXpPnNiI")) {
        char reason[120];
        snprintf(reason, sizeof reason, "%s (columns %d-%d) is not a number: '%s'", what, first,
                 last, buf);
        return xnet_fail(XNET_EINVAL, "%s:%d: %s", ln->source, ln->number, reason);
    }
    *out = v;
    return XNET_OK;
}

/* An integer filling columns first..last (blank means 0 when blank_ok). */
static int integer_field(const line_t *ln, int first, int last, const char *what, int blank_ok,
                         long *out)
{
    char buf[TLE_COLUMNS + 1];
    field(ln, first, last, buf);
    if (buf[0] == '\0' && blank_ok) {
        *out = 0;
        return XNET_OK;
    }
    for (const char *c = buf; *c; c++) {
        if (!isdigit((unsigned char)*c) && !(c == buf && (*c == '-' || *c == '+'))) {
            buf[0] = '\0';
        }
    }
    if (buf[0] == '\0' || ((buf[0] == '-' || buf[0] == '+') && buf[1] == '\0')) {
        char reason[120];
        field(ln, first, last, buf);
        snprintf(reason, sizeof reason, "%s (columns %d-%d) is not an integer: '%s'", what,
                 first, last, buf);
        return xnet_fail(XNET_EINVAL, "%s:%d: %s", ln->source, ln->number, reason);
    }
    *out = strtol(buf, NULL, 10); /* at most 5 digits: no overflow */
    return XNET_OK;
}

/* The format's exponent notation with an implied decimal point: columns
 * first..first+7 hold sign, five mantissa digits, exponent sign and digit
 * ("-11606-4" = -0.11606e-4). */
static int exp_field(const line_t *ln, int first, const char *what, double *out)
{
    const char *f = ln->s + first - 1;
    char buf[9];
    memcpy(buf, f, 8);
    buf[8] = '\0';
    int ok = (f[0] == ' ' || f[0] == '+' || f[0] == '-') && (f[6] == '+' || f[6] == '-'
                                                               || f[6] == ' ')
             && isdigit((unsigned char)f[7]);
    for (int i = 1; i < 6; i++) {
        ok = ok && (isdigit((unsigned char)f[i]) || f[i] == ' ');
    }
    if (strspn(buf, " ") == 8) {
        *out = 0;
        return XNET_OK;
    }
    if (!ok) {
        char reason[120];
        snprintf(reason, sizeof reason,
                 "%s (columns %d-%d) is not in the format's exponent notation: '%s'", what,
                 first, first + 7, buf);
        return xnet_fail(XNET_EINVAL, "%s:%d: %s", ln->source, ln->number, reason);
    }
    double mantissa = 0;
    for (int i = 1; i < 6; i++) {
        mantissa = mantissa * 10 + (f[i] == ' ' ? 0 : f[i] - '0');
    }
    mantissa *= 1e-5 * (f[0] == '-' ? -1 : 1);
    int e = (f[7] - '0') * (f[6] == '-' ? -1 : 1);
    *out = mantissa * pow(10.0, e);
    return XNET_OK;
}

/* Catalogue number: five digits, or Alpha-5 (a letter other than I and O,
 * then four digits: A = 10, ..., Z = 33). */
static int satnum_field(const line_t *ln, long *out)
{
    char c = ln->s[2];
    if (isupper((unsigned char)c) && c != 'I' && c != 'O') {
        long rest;
        if (integer_field(ln, 4, 7, "satellite number", 0, &rest)) {
            return XNET_EINVAL;
        }
        *out = (c - 'A' + 10 - (c > 'I') - (c > 'O')) * 10000L + rest;
        return XNET_OK;
    }
    return integer_field(ln, 3, 7, "satellite number", 0, out);
}

static int check_line_shape(const line_t *ln, char kind)
{
    if (ln->len < TLE_COLUMNS) {
        return xnet_fail(XNET_EINVAL, "%s:%d: line %c is truncated: %d columns, a TLE line has %d",
                         ln->source, ln->number, kind, ln->len, TLE_COLUMNS);
    }
    if (ln->len > TLE_COLUMNS) {
        return xnet_fail(XNET_EINVAL, "%s:%d: line %c is too long: %d columns, a TLE line has %d",
                         ln->source, ln->number, kind, ln->len, TLE_COLUMNS);
    }
    char copy[TLE_COLUMNS + 1];
    memcpy(copy, ln->s, TLE_COLUMNS);
    copy[TLE_COLUMNS] = '\0';
    if (!isdigit((unsigned char)copy[68])) {
        return xnet_fail(XNET_EINVAL, "%s:%d: checksum (column 69) is not a digit: '%c'",
                         ln->source, ln->number, copy[68]);
    }
    int want = xnet_tle_checksum(copy);
    if (copy[68] - '0' != want) {
        return xnet_fail(XNET_EINVAL, "%s:%d: wrong checksum: the line says %c, its columns 1-68 "
                         "sum to %d", ln->source, ln->number, copy[68], want);
    }
    return XNET_OK;
}

static int in_range(const line_t *ln, const char *what, double v, double lo, double hi,
                    int hi_open)
{
    if (!(v >= lo && (hi_open ? v < hi : v <= hi))) {
        char reason[160];
        snprintf(reason, sizeof reason, "%s must be in [%g, %g%c, got %.8g", what, lo, hi,
                 hi_open ? ')' : ']', v);
        return xnet_fail(XNET_EINVAL, "%s:%d: %s", ln->source, ln->number, reason);
    }
    return XNET_OK;
}

static int parse_line1(const line_t *ln, xnet_tle_t *el)
{
    int rc;
    long year;
    if ((rc = check_line_shape(ln, '1')) || (rc = satnum_field(ln, &el->satnum))
        || (rc = integer_field(ln, 19, 20, "epoch year", 0, &year))
        || (rc = number_field(ln, 21, 32, "epoch day", &el->epoch_day))
        || (rc = number_field(ln, 34, 43, "mean motion derivative", &el->ndot))
        || (rc = exp_field(ln, 45, "mean motion second derivative", &el->nddot))
        || (rc = exp_field(ln, 54, "bstar", &el->bstar))) {
        return rc;
    }
    long elnum;
    if ((rc = integer_field(ln, 65, 68, "element set number", 1, &elnum))) {
        return rc;
    }
    if (year < 0 || year > 99) {
        return line_error(ln, "%s must be two digits, got %g", "epoch year", (double)year);
    }
    if ((rc = in_range(ln, "epoch day", el->epoch_day, 1, 367, 1))) {
        return rc;
    }
    el->element_number = (int)elnum;
    /* The format's two-digit year: 57..99 are 1957..1999 (Sputnik), 00..56 are 2000s. */
    el->epoch_year = (int)(year < 57 ? 2000 + year : 1900 + year);
    double whole = floor(el->epoch_day);
    int y = el->epoch_year;
    /* Julian date of 0 January of year y at 0h is 365y + (y-1)/4 + 1721044.5
     * for 1901..2099 (every fourth year a leap year). */
    el->epoch_jd = 365.0 * y + (double)((y - 1) / 4) + whole + 1721044.5;
    el->epoch_jd_frac = el->epoch_day - whole;
    return XNET_OK;
}

static int parse_line2(const line_t *ln, xnet_tle_t *el)
{
    int rc;
    long satnum, rev, ecc_1e7;
    if ((rc = check_line_shape(ln, '2')) || (rc = satnum_field(ln, &satnum))
        || (rc = number_field(ln, 9, 16, "inclination", &el->inclination_deg))
        || (rc = number_field(ln, 18, 25, "right ascension", &el->raan_deg))
        || (rc = integer_field(ln, 27, 33, "eccentricity", 0, &ecc_1e7))
        || (rc = number_field(ln, 35, 42, "argument of perigee", &el->argp_deg))
        || (rc = number_field(ln, 44, 51, "mean anomaly", &el->mean_anomaly_deg))
        || (rc = number_field(ln, 53, 63, "mean motion", &el->mean_motion_rev_day))) {
        return rc;
    }
    if (ln->s[26] == '-' || ln->s[26] == '+') {
        return line_error(ln, "%s (columns 27-33) must be digits with an implied leading "
                          "decimal point%.0g", "eccentricity", 0);
    }
    el->eccentricity = (double)ecc_1e7 * 1e-7;
    if ((rc = integer_field(ln, 64, 68, "revolution number", 1, &rev))) {
        return rc;
    }
    el->rev_number = rev;
    if (satnum != el->satnum) {
        return xnet_fail(XNET_EINVAL, "%s:%d: satellite number %ld differs from line 1's %ld",
                         ln->source, ln->number, satnum, el->satnum);
    }
    if ((rc = in_range(ln, "inclination", el->inclination_deg, 0, 180, 0))
        || (rc = in_range(ln, "right ascension", el->raan_deg, 0, 360, 0))
        || (rc = in_range(ln, "argument of perigee", el->argp_deg, 0, 360, 0))
        || (rc = in_range(ln, "mean anomaly", el->mean_anomaly_deg, 0, 360, 0))) {
        return rc;
    }
    if (!(el->mean_motion_rev_day > 0)) {
        return line_error(ln, "%s must be > 0 rev/day, got %.8g", "mean motion",
                          el->mean_motion_rev_day);
    }
    return XNET_OK;
}

static int is_data_line(const line_t *ln, char kind)
{
    return ln->len >= 2 && ln->s[0] == kind && ln->s[1] == ' ';
}

/* The next non-blank line at or after *pos; 0 at the end of the text. */
static int next_line(const char *text, size_t len, size_t *pos, int *number, line_t *ln)
{
    while (*pos < len) {
        const char *s = text + *pos;
        const char *nl = memchr(s, '\n', len - *pos);
        size_t n = nl ? (size_t)(nl - s) : len - *pos;
        *pos += n + (nl ? 1 : 0);
        (*number)++;
        while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        }
        if (n == 0) {
            continue;
        }
        ln->s = s;
        ln->len = n > 1000 ? 1000 : (int)n;
        ln->number = *number;
        return 1;
    }
    return 0;
}

int xnet_tle_parse(const char *text, size_t len, const char *source, xnet_tle_t **sets,
                   int *count)
{
    *sets = NULL;
    *count = 0;
    size_t pos = 0;
    int number = 0, n = 0, cap = 0, rc = XNET_OK;
    xnet_tle_t *out = NULL;
    line_t ln = {.source = source};
    if (memchr(text, '\0', len)) {
        return xnet_fail(XNET_EINVAL, "%s: contains a NUL byte: not a TLE text file", source);
    }
    while (next_line(text, len, &pos, &number, &ln)) {
        xnet_tle_t el;
        memset(&el, 0, sizeof el);
        if (is_data_line(&ln, '2')) {
            rc = xnet_fail(XNET_EINVAL, "%s:%d: line 2 without a line 1 before it", source,
                           ln.number);
            break;
        }
        if (!is_data_line(&ln, '1')) {
            /* A title line; "0 NAME" is the three-line format's spelling. */
            const char *name = ln.s;
            int nlen = ln.len;
            if (nlen >= 2 && name[0] == '0' && name[1] == ' ') {
                name += 2;
                nlen -= 2;
            }
            nlen = nlen > 24 ? 24 : nlen;
            memcpy(el.name, name, (size_t)nlen);
            el.name[nlen] = '\0';
            int title = ln.number;
            if (!next_line(text, len, &pos, &number, &ln) || !is_data_line(&ln, '1')) {
                rc = xnet_fail(XNET_EINVAL, "%s:%d: title line '%s' is not followed by a line 1",
                               source, title, el.name);
                break;
            }
        }
        if ((rc = parse_line1(&ln, &el))) {
            break;
        }
        int first = ln.number;
        if (!next_line(text, len, &pos, &number, &ln) || !is_data_line(&ln, '2')) {
            rc = xnet_fail(XNET_EINVAL, "%s:%d: line 1 is not followed by a line 2", source,
                           first);
            break;
        }
        if ((rc = parse_line2(&ln, &el))) {
            break;
        }
        if (n == XNET_TLE_MAX_SETS) {
            rc = xnet_fail(XNET_EINVAL, "%s: more than %d element sets", source,
                           XNET_TLE_MAX_SETS);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            xnet_tle_t *grown = realloc(out, sizeof *out * (size_t)cap);
            if (!grown) {
                rc = xnet_fail(XNET_ENOMEM, "%s: out of memory reading element sets", source);
                break;
            }
            out = grown;
        }
        out[n++] = el;
    }
    if (rc == XNET_OK && n == 0) {
        rc = xnet_fail(XNET_EINVAL, "%s: no element sets found", source);
    }
    if (rc) {
        free(out);
        return rc;
    }
    *sets = out;
    *count = n;
    return XNET_OK;
}

/* v in the exponent notation: sign, five digits, exponent sign and digit. */
static int format_exp(double v, const char *what, char out[9])
{
    if (v == 0) {
        memcpy(out, " 00000+0", 9);
        return XNET_OK;
    }
    int e = (int)floor(log10(fabs(v))) + 1;
    long digits = lround(fabs(v) / pow(10.0, e) * 1e5);
    if (digits >= 100000) {
        digits /= 10;
        e++;
    }
    if (e < -9 || e > 9) {
        return xnet_fail(XNET_EINVAL, "%s %g does not fit the TLE exponent notation", what, v);
    }
    snprintf(out, 9, "%c%05d%c%d", v < 0 ? '-' : ' ', (int)digits, e < 0 ? '-' : '+',
             abs(e) % 10);
    return XNET_OK;
}

static int fits(const char *what, double v, double lo, double hi)
{
    if (!(v >= lo && v < hi)) {
        return xnet_fail(XNET_EINVAL, "%s must be in [%g, %g) to be written as a TLE, got %g",
                         what, lo, hi, v);
    }
    return XNET_OK;
}

int xnet_tle_format(const xnet_tle_t *el, char *out, size_t size)
{
    int rc;
    char nddot[9], bstar[9];
    if ((rc = fits("satellite number", (double)el->satnum, 0, 100000))
        || (rc = fits("epoch year", el->epoch_year, 1957, 2057))
        || (rc = fits("epoch day", el->epoch_day, 1, 367))
        || (rc = fits("mean motion derivative", fabs(el->ndot), 0, 1))
        || (rc = fits("inclination", el->inclination_deg, 0, 180.00005))
        || (rc = fits("right ascension", el->raan_deg, 0, 360))
        || (rc = fits("eccentricity", el->eccentricity, 0, 0.99999995))
        || (rc = fits("argument of perigee", el->argp_deg, 0, 360))
        || (rc = fits("mean anomaly", el->mean_anomaly_deg, 0, 360))
        || (rc = fits("mean motion", el->mean_motion_rev_day, 1e-8, 100))
        || (rc = format_exp(el->nddot, "mean motion second derivative", nddot))
        || (rc = format_exp(el->bstar, "bstar", bstar))) {
        return rc;
    }
    char l1[80], l2[80], ndot[16];
    snprintf(ndot, sizeof ndot, "%.8f", fabs(el->ndot)); /* "0.00000023" */
    snprintf(l1, sizeof l1, "1 %05ldU %-8s %02d%012.8f %c%s %s %s 0 %4d", el->satnum, "",
             el->epoch_year % 100, el->epoch_day, el->ndot < 0 ? '-' : ' ', ndot + 1, nddot,
             bstar, el->element_number % 10000);
    /* Angles rounded to the format's 4 decimals can reach 360.0000: wrap. */
    double raan = el->raan_deg >= 359.99995 ? 0 : el->raan_deg;
    double argp = el->argp_deg >= 359.99995 ? 0 : el->argp_deg;
    double ma = el->mean_anomaly_deg >= 359.99995 ? 0 : el->mean_anomaly_deg;
    snprintf(l2, sizeof l2, "2 %05ld %8.4f %8.4f %07ld %8.4f %8.4f %11.8f%5ld", el->satnum,
             el->inclination_deg, raan, lround(el->eccentricity * 1e7), argp, ma,
             el->mean_motion_rev_day, el->rev_number % 100000);
    if (strlen(l1) != 68 || strlen(l2) != 68) {
        return xnet_fail(XNET_EINVAL, "satellite %ld: an element does not fit the TLE columns",
                         el->satnum);
    }
    /* A name that begins like a data line ("1 ", "2 ") or like the three-line
     * format's "0 " is written as "0 NAME", which reads back as NAME. */
    const char *name = el->name;
    int prefixed = (name[0] == '0' || name[0] == '1' || name[0] == '2') && name[1] == ' ';
    int written = name[0]
                      ? snprintf(out, size, "%s%s\n%s%d\n%s%d\n", prefixed ? "0 " : "", name, l1,
                                 xnet_tle_checksum(l1), l2, xnet_tle_checksum(l2))
                      : snprintf(out, size, "%s%d\n%s%d\n", l1, xnet_tle_checksum(l1), l2,
                                 xnet_tle_checksum(l2));
    if (written < 0 || (size_t)written >= size) {
        return xnet_fail(XNET_EINVAL, "TLE output buffer of %zu bytes is too small", size);
    }
    return XNET_OK;
}
