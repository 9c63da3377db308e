/* Two-line element sets (the NORAD/CelesTrak text format): reading with
 * column and checksum validation, and writing. A set is read whole; a bad
 * line is an error naming the source, the line number and the reason. */
#ifndef XNET_TLE_H
#define XNET_TLE_H

#include <stddef.h>

/* Largest number of element sets one call reads. */
#define XNET_TLE_MAX_SETS 1000000

typedef struct xnet_tle {
    char name[25];       /* from the optional title line ("" when absent) */
    long satnum;         /* catalogue number (Alpha-5 letters decoded) */
    int epoch_year;      /* four digits: 57..99 -> 19xx, 00..56 -> 20xx */
    double epoch_day;    /* day of year with fraction, 1.0 = 1 January 0h UTC */
    double epoch_jd;     /* Julian date (UTC) of the epoch, whole part + 0.5 */
    double epoch_jd_frac; /* fraction of a day added to epoch_jd */
    double ndot;         /* first derivative of mean motion / 2, rev/day^2 */
    double nddot;        /* second derivative / 6, rev/day^3 */
    double bstar;        /* drag term, 1/earth radii */
    double inclination_deg, raan_deg, eccentricity, argp_deg, mean_anomaly_deg;
    double mean_motion_rev_day; /* Kozai mean motion */
    int element_number;
    long rev_number;
} xnet_tle_t;

/* Parse every element set in text[0, len). source names the text in
 * errors ("file.tle", or "<text>"). Title lines are optional per set. On
 * success *sets is malloc'd (free it) and *count >= 1. Errors: XNET_EINVAL
 * naming "source:line: reason"; XNET_ENOMEM. */
int xnet_tle_parse(const char *text, size_t len, const char *source, xnet_tle_t **sets,
                   int *count);

/* The TLE checksum of the first 68 columns of line (digits, '-' counts 1). */
int xnet_tle_checksum(const char *line);

/* Write el as a title line (when name is non-empty) and two lines with valid
 * checksums, each ended by '\n', into out (at least 3 * 71 bytes). The
 * values must fit the format: XNET_EINVAL names one that does not. */
int xnet_tle_format(const xnet_tle_t *el, char *out, size_t size);

#endif
