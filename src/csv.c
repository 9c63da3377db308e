#include "csv.h"

#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xnet_csv_init(xnet_csv_reader_t *r, const char *name, const char *text, size_t len,
                   int comments)
{
    *r = (xnet_csv_reader_t){name, text, text + len, text, text, 0, comments};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        r->p += 3;
    }
}

/* Advance past one line and its ending ("\n", "\r\n" or "\r"). */
static void take_line(xnet_csv_reader_t *r)
{
    const char *q = r->p;
    while (q < r->end && *q != '\n' && *q != '\r') {
        q++;
    }
    r->line = r->p;
    r->line_end = q;
    if (q < r->end && *q == '\r' && q + 1 < r->end && q[1] == '\n') {
        q++;
    }
    r->p = q < r->end ? q + 1 : q;
    r->number++;
}

/* A line without commas whose values are separated by tabs or semicolons
 * was written in another dialect: say so, rather than "expected 3 fields". */
static int check_separator(const xnet_csv_reader_t *r)
{
    size_t n = (size_t)(r->line_end - r->line);
    if (memchr(r->line, ',', n)) {
        return XNET_OK;
    }
    const char *s = r->line, *e = r->line_end;
    while (s < e && isspace((unsigned char)*s)) {
        s++;
    }
    while (e > s && isspace((unsigned char)e[-1])) {
        e--;
    }
    const char *tab = memchr(s, '\t', (size_t)(e - s)), *semi = memchr(s, ';', (size_t)(e - s));
    if (tab || semi) {
        return xnet_fail(XNET_EINVAL,
                         "%s:%ld: expected commas, found %s (spacexnet reads comma-separated "
                         "values; convert with: tr '%s' ',' < in > out)",
                         r->name, r->number, tab ? "tabs" : "semicolons", tab ? "\\t" : ";");
    }
    return XNET_OK;
}

int xnet_csv_is_header(const xnet_csv_reader_t *r)
{
    const char *q = r->line;
    while (q < r->line_end && isspace((unsigned char)*q)) {
        q++;
    }
    return q < r->line_end && (isalpha((unsigned char)*q) || *q == '_');
}

int xnet_csv_next(xnet_csv_reader_t *r)
{
    while (r->p < r->end) {
        take_line(r);
        if (memchr(r->line, '\0', (size_t)(r->line_end - r->line))) {
            return xnet_fail(XNET_EINVAL, "%s:%ld: NUL byte in the line (not a text file?)",
                             r->name, r->number),
                   -1;
        }
        const char *q = r->line;
        while (q < r->line_end && isspace((unsigned char)*q)) {
            q++;
        }
        if (q < r->line_end && *q == '#') {
            if (r->comments) {
                return 1;
            }
            continue;
        }
        if (q < r->line_end) {
            return check_separator(r) ? -1 : 1;
        }
    }
    return 0;
}

int xnet_csv_split(const xnet_csv_reader_t *r, xnet_csv_field_t *fields, int max)
{
    int n = 0;
    const char *q = r->line;
    for (;;) {
        const char *comma = memchr(q, ',', (size_t)(r->line_end - q));
        const char *e = comma ? comma : r->line_end;
        if (n == max) {
            return max + 1;
        }
        xnet_csv_field_t *f = &fields[n++];
        f->s = q;
        f->e = e;
        while (f->s < f->e && isspace((unsigned char)*f->s)) {
            f->s++;
        }
        while (f->e > f->s && isspace((unsigned char)f->e[-1])) {
            f->e--;
        }
        if (!comma) {
            return n;
        }
        q = comma + 1;
    }
}

/* Copy a field into buf as a C string; -1 when empty or too long. */
static int field_text(xnet_csv_field_t f, char *buf, size_t size)
{
    size_t n = (size_t)(f.e - f.s);
    if (n == 0 || n >= size) {
        return -1;
    }
    memcpy(buf, f.s, n);
    buf[n] = '\0';
    return 0;
}

int xnet_csv_integer(xnet_csv_field_t f, long long lo, long long hi, long long *v)
{
    char buf[32], *end;
    if (field_text(f, buf, sizeof buf) != 0 || isspace((unsigned char)buf[0])) {
        return -1;
    }
    errno = 0;
    *v = strtoll(buf, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        return -1;
    }
    return *v < lo || *v > hi ? -2 : 0;
}

int xnet_csv_number(xnet_csv_field_t f, double *v)
{
    char buf[64], *end;
    if (field_text(f, buf, sizeof buf) != 0) {
        return -1;
    }
    errno = 0;
    *v = strtod(buf, &end);
    if (*end != '\0' || isnan(*v) || (isinf(*v) && errno != ERANGE)) {
        return -1;
    }
    if (isinf(*v) || (errno == ERANGE && *v == 0)) {
        return -2; /* overflow, or underflow to 0 (a denormal result is a number) */
    }
    return 0;
}

int xnet_csv_is(xnet_csv_field_t f, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(f.e - f.s) == n && memcmp(f.s, s, n) == 0;
}

int xnet_csv_bad(const xnet_csv_reader_t *r, const char *what, xnet_csv_field_t f)
{
    int n = (int)(f.e - f.s);
    return xnet_fail(XNET_EINVAL, "%s:%ld: %s: '%.*s'", r->name, r->number, what, n > 40 ? 40 : n,
                     f.s);
}
