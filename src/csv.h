/* The one CSV line reader every text format uses (plans, routing traces,
 * weight tables), and so the one dialect: lines end in "\n", "\r\n" or a
 * lone "\r"; a UTF-8 byte order mark at the start is skipped; blank lines
 * and lines starting with '#' are comments; the first other line may be a
 * header (it starts with a letter); fields are separated by commas (a line
 * split by tabs or semicolons instead is an error that says so) and
 * trimmed; a NUL byte is an error, never the end of a line; numbers are
 * parsed whole with strtoll / strtod and their range checked. Errors read
 * "name:line: reason". */
#ifndef XNET_CSV_H
#define XNET_CSV_H

#include <stddef.h>

typedef struct {
    const char *s, *e; /* [s, e) inside the text, not terminated */
} xnet_csv_field_t;

typedef struct {
    const char *name;            /* for messages */
    const char *p, *end;         /* what is left to read */
    const char *line, *line_end; /* the current line, without its ending */
    long number;                 /* of the current line, from 1 */
    int comments;                /* return '#' lines too */
} xnet_csv_reader_t;

void xnet_csv_init(xnet_csv_reader_t *r, const char *name, const char *text, size_t len,
                   int comments);

/* The next line that is not blank (nor a '#' comment unless r->comments):
 * 1; 0 at the end; -1 with XNET_EINVAL recorded for a NUL byte, or for a
 * line with no comma whose fields are separated by tabs or semicolons
 * ("expected commas, found tabs"). */
int xnet_csv_next(xnet_csv_reader_t *r);

/* Whether the current line is a header: it starts with a letter or '_'
 * (a data line starts with a number). Readers skip it as their first line. */
int xnet_csv_is_header(const xnet_csv_reader_t *r);

/* Split the current line at commas into fields[max], trimmed; returns the
 * count, or max + 1 when there are more. */
int xnet_csv_split(const xnet_csv_reader_t *r, xnet_csv_field_t *fields, int max);

/* A whole field as an integer in [lo, hi]: 0; -1 when it is not an
 * integer (or beyond long long); -2 when out of [lo, hi] (*v is set). */
int xnet_csv_integer(xnet_csv_field_t f, long long lo, long long hi, long long *v);

/* A whole field as a finite number: 0; -1 when it is not a finite number
 * ("x", "nan", "inf"); -2 when
 * its magnitude is beyond the double range (above 1.8e308, or nonzero and
 * below 4.9e-324). Denormal values such as 1e-310 are numbers. */
int xnet_csv_number(xnet_csv_field_t f, double *v);

/* Whether the field is exactly the text s. */
int xnet_csv_is(xnet_csv_field_t f, const char *s);

/* XNET_EINVAL with "name:line: what: 'field'" (the field cut at 40 bytes). */
int xnet_csv_bad(const xnet_csv_reader_t *r, const char *what, xnet_csv_field_t f);

#endif
