#include "trace.h"

#include "error.h"
#include "memlimit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cursor over the text, one line at a time, counting line numbers. */
typedef struct {
    const char *p, *end;
    const char *line, *line_end;
    long number;
} line_reader;

static int next_line(line_reader *r)
{
    while (r->p < r->end) {
        r->line = r->p;
        const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
        r->line_end = nl ? nl : r->end;
        r->p = nl ? nl + 1 : r->end;
        r->number++;
        if (r->line_end > r->line && r->line_end[-1] == '\r') {
            r->line_end--;
        }
        const char *q = r->line;
        while (q < r->line_end && isspace((unsigned char)*q)) {
            q++;
        }
        if (q < r->line_end && *q != '#') {
            return 1;
        }
    }
    return 0;
}

/* Split the current line at commas into fields[max]; returns the count or
 * max + 1 when there are more. Fields point into the text (not terminated). */
typedef struct {
    const char *s, *e;
} field;

static int split_fields(const line_reader *r, field *fields, int max)
{
    int n = 0;
    const char *q = r->line;
    for (;;) {
        const char *comma = memchr(q, ',', (size_t)(r->line_end - q));
        const char *e = comma ? comma : r->line_end;
        if (n == max) {
            return max + 1;
        }
        fields[n].s = q;
        fields[n].e = e;
        while (fields[n].s < e && isspace((unsigned char)*fields[n].s)) {
            fields[n].s++;
        }
        while (fields[n].e > fields[n].s && isspace((unsigned char)fields[n].e[-1])) {
            fields[n].e--;
        }
        n++;
        if (!comma) {
            return n;
        }
        q = comma + 1;
    }
}

/* Copy a field into buf as a C string; -1 when empty or too long. */
static int field_text(field f, char *buf, size_t size)
{
    size_t n = (size_t)(f.e - f.s);
    if (n == 0 || n >= size) {
        return -1;
    }
    memcpy(buf, f.s, n);
    buf[n] = '\0';
    return 0;
}

/* Parse a whole field as a number; 0 on success. */
static int field_double(field f, double *v)
{
    char buf[64], *end;
    if (field_text(f, buf, sizeof buf) != 0) {
        return -1;
    }
    errno = 0;
    *v = strtod(buf, &end);
    return *end != '\0' || errno == ERANGE ? -1 : 0;
}

static int field_long(field f, long long *v)
{
    char buf[32], *end;
    if (field_text(f, buf, sizeof buf) != 0) {
        return -1;
    }
    errno = 0;
    *v = strtoll(buf, &end, 10);
    return *end != '\0' || errno == ERANGE ? -1 : 0;
}

static int bad(const char *name, long line, const char *what, field f)
{
    int n = (int)(f.e - f.s);
    return xnet_fail(XNET_EINVAL, "%s:%ld: %s: '%.*s'", name, line, what, n > 40 ? 40 : n, f.s);
}

int xnet_weights_parse(const char *name, const char *text, size_t len, int layers, int experts,
                       double *weights)
{
    line_reader r = {text, text + len, NULL, NULL, 0};
    field *f = malloc(sizeof(field) * ((size_t)experts + 2));
    char *seen = calloc((size_t)layers, 1);
    if (!f || !seen) {
        free(f);
        free(seen);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", name);
    }
    int rc = XNET_OK, row = 0;
    while (!rc && next_line(&r)) {
        int n = split_fields(&r, f, experts + 1);
        int lead = n == experts + 1, layer = row;
        if (n != experts && !lead) {
            rc = xnet_fail(XNET_EINVAL, "%s:%ld: expected %d weights (or a layer and %d weights), got %d fields",
                           name, r.number, experts, experts, n > experts + 1 ? experts + 2 : n);
            break;
        }
        if (lead) {
            long long l;
            if (field_long(f[0], &l) != 0) {
                rc = bad(name, r.number, "layer is not an integer", f[0]);
                break;
            }
            if (l < 0 || l >= layers) {
                rc = xnet_fail(XNET_EINVAL, "%s:%ld: layer %lld out of range [0, %d)", name,
                               r.number, l, layers);
                break;
            }
            layer = (int)l;
        } else if (row >= layers) {
            rc = xnet_fail(XNET_EINVAL, "%s:%ld: more than %d layers", name, r.number, layers);
            break;
        }
        if (seen[layer]) {
            rc = xnet_fail(XNET_EINVAL, "%s:%ld: layer %d given twice", name, r.number, layer);
            break;
        }
        seen[layer] = 1;
        for (int e = 0; e < experts; e++) {
            double v;
            field fe = f[e + lead];
            if (field_double(fe, &v) != 0) {
                rc = bad(name, r.number, "weight is not a number", fe);
                break;
            }
            if (!(v >= 0) || !isfinite(v)) {
                rc = bad(name, r.number, "weight must be >= 0 and finite", fe);
                break;
            }
            weights[(size_t)layer * experts + e] = v;
        }
        row++;
    }
    for (int l = 0; !rc && l < layers; l++) {
        if (!seen[l]) {
            rc = xnet_fail(XNET_EINVAL, "%s: no weights for layer %d (%d layers expected)", name,
                           l, layers);
        }
    }
    free(f);
    free(seen);
    return rc;
}

int xnet_trace_parse(xnet_profile_t **out, const char *name, const char *text, size_t len,
                     int layers, int experts, int top_k, size_t *rows_read)
{
    *out = NULL;
    *rows_read = 0;
    /* Every data line is at least 2 * (top_k + 2) - 1 bytes, which bounds rows. */
    size_t max_rows = len / (size_t)(2 * (top_k + 2) - 1) + 1;
    int rc = xnet_limit_check((double)max_rows * (top_k + 1) * sizeof(int), "reading the trace");
    if (rc) {
        return rc;
    }
    int *layer = malloc(sizeof(int) * max_rows);
    int *members = malloc(sizeof(int) * max_rows * (size_t)top_k);
    field *f = malloc(sizeof(field) * ((size_t)top_k + 3));
    if (!layer || !members || !f) {
        free(layer);
        free(members);
        free(f);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", name);
    }
    line_reader r = {text, text + len, NULL, NULL, 0};
    size_t rows = 0;
    int first = 1;
    while (!rc && next_line(&r)) {
        int n = split_fields(&r, f, top_k + 2);
        if (first && isalpha((unsigned char)*f[0].s)) {
            first = 0; /* a header line */
            continue;
        }
        first = 0;
        if (n != top_k + 2) {
            rc = xnet_fail(XNET_EINVAL,
                           "%s:%ld: expected token,layer and %d experts (top_k), got %s%d experts",
                           name, r.number, top_k, n > top_k + 2 ? "more than " : "",
                           n > top_k + 2 ? top_k : (n >= 2 ? n - 2 : 0));
            break;
        }
        long long v;
        if (field_long(f[0], &v) != 0 || v < 0) {
            rc = bad(name, r.number, "token must be an integer >= 0", f[0]);
            break;
        }
        if (field_long(f[1], &v) != 0) {
            rc = bad(name, r.number, "layer is not an integer", f[1]);
            break;
        }
        if (v < 0 || v >= layers) {
            rc = xnet_fail(XNET_EINVAL, "%s:%ld: layer %lld out of range [0, %d)", name, r.number,
                           v, layers);
            break;
        }
        layer[rows] = (int)v;
        int *m = members + rows * (size_t)top_k;
        for (int j = 0; j < top_k && !rc; j++) {
            if (field_long(f[j + 2], &v) != 0) {
                rc = bad(name, r.number, "expert is not an integer", f[j + 2]);
            } else if (v < 0 || v >= experts) {
                rc = xnet_fail(XNET_EINVAL, "%s:%ld: expert %lld out of range [0, %d)", name,
                               r.number, v, experts);
            } else {
                /* insertion keeps the set sorted; equal ids are repeats */
                int i = j;
                while (i > 0 && m[i - 1] > v) {
                    m[i] = m[i - 1];
                    i--;
                }
                if (i > 0 && m[i - 1] == v) {
                    rc = xnet_fail(XNET_EINVAL, "%s:%ld: expert %lld repeated in one row", name,
                                   r.number, v);
                }
                m[i] = (int)v;
            }
        }
        rows++;
        if (!rc && (rows & 0xfffff) == 0) {
            rc = xnet_check_interrupt();
        }
    }
    free(f);
    if (!rc && rows == 0) {
        rc = xnet_fail(XNET_EINVAL, "%s: no routing rows", name);
    }
    if (!rc) {
        rc = xnet_profile_from_sets(out, layers, experts, top_k, rows, layer, members);
        if (rc == XNET_EINVAL) {
            char reason[400];
            snprintf(reason, sizeof reason, "%s", xnet_errmsg());
            rc = xnet_fail(XNET_EINVAL, "%s: %s", name, reason);
        }
    }
    free(layer);
    free(members);
    *rows_read = rows;
    return rc;
}
