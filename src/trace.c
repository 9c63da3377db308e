#include "trace.h"

#include "csv.h"
#include "error.h"
#include "memlimit.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of a weight table into weights; seen marks the layers given. */
static int weights_line(const xnet_csv_reader_t *r, xnet_csv_field_t *f, int row, int layers,
                        int experts, char *seen, double *weights)
{
    int n = xnet_csv_split(r, f, experts + 1);
    int lead = n == experts + 1, layer = row;
    if (n != experts && !lead) {
        return xnet_fail(XNET_EINVAL,
                         "%s:%ld: expected %d weights (or a layer and %d weights), got %d fields",
                         r->name, r->number, experts, experts, n > experts + 1 ? experts + 2 : n);
    }
    if (lead) {
        long long l;
        int bad = xnet_csv_integer(f[0], 0, layers - 1, &l);
        if (bad == -1) {
            return xnet_csv_bad(r, "layer is not an integer", f[0]);
        }
        if (bad) {
            return xnet_fail(XNET_EINVAL, "%s:%ld: layer %lld out of range [0, %d)", r->name,
                             r->number, l, layers);
        }
        layer = (int)l;
    } else if (row >= layers) {
        return xnet_fail(XNET_EINVAL, "%s:%ld: more than %d layers", r->name, r->number, layers);
    }
    if (seen[layer]) {
        return xnet_fail(XNET_EINVAL, "%s:%ld: layer %d given twice", r->name, r->number, layer);
    }
    seen[layer] = 1;
    for (int e = 0; e < experts; e++) {
        double v;
        xnet_csv_field_t fe = f[e + lead];
        int bad = xnet_csv_number(fe, &v);
        if (bad == -1) {
            return xnet_csv_bad(r, "weight is not a finite number", fe);
        }
        if (bad) {
            return xnet_csv_bad(r, "weight is beyond the range of a double (4.9e-324 to 1.8e308)",
                                fe);
        }
        if (v < 0) {
            return xnet_csv_bad(r, "weight must be >= 0", fe);
        }
        weights[(size_t)layer * experts + e] = v;
    }
    return XNET_OK;
}

int xnet_weights_parse(const char *name, const char *text, size_t len, int layers, int experts,
                       double *weights)
{
    xnet_csv_reader_t r;
    xnet_csv_init(&r, name, text, len, 0);
    xnet_csv_field_t *f = malloc(sizeof *f * ((size_t)experts + 2));
    char *seen = calloc((size_t)layers, 1);
    if (!f || !seen) {
        free(f);
        free(seen);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", name);
    }
    int rc = XNET_OK, row = 0, more, first = 1;
    while (!rc && (more = xnet_csv_next(&r)) != 0) {
        if (more > 0 && first && xnet_csv_is_header(&r)) {
            first = 0;
            continue;
        }
        first = 0;
        rc = more < 0 ? XNET_EINVAL : weights_line(&r, f, row++, layers, experts, seen, weights);
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

/* One row of a routing trace: its layer and its experts, sorted, into
 * layer[0] and members[0 .. top_k). */
static int trace_row(const xnet_csv_reader_t *r, xnet_csv_field_t *f, int layers, int experts,
                     int top_k, int *layer, int *members)
{
    int n = xnet_csv_split(r, f, top_k + 2);
    if (n != top_k + 2) {
        return xnet_fail(XNET_EINVAL,
                         "%s:%ld: expected token,layer and %d experts (top_k), got %s%d experts",
                         r->name, r->number, top_k, n > top_k + 2 ? "more than " : "",
                         n > top_k + 2 ? top_k : (n >= 2 ? n - 2 : 0));
    }
    long long v;
    if (xnet_csv_integer(f[0], 0, INT64_MAX, &v) != 0) {
        return xnet_csv_bad(r, "token must be an integer >= 0", f[0]);
    }
    int bad = xnet_csv_integer(f[1], 0, layers - 1, &v);
    if (bad == -1) {
        return xnet_csv_bad(r, "layer is not an integer", f[1]);
    }
    if (bad) {
        return xnet_fail(XNET_EINVAL, "%s:%ld: layer %lld out of range [0, %d)", r->name,
                         r->number, v, layers);
    }
    *layer = (int)v;
    for (int j = 0; j < top_k; j++) {
        bad = xnet_csv_integer(f[j + 2], 0, experts - 1, &v);
        if (bad == -1) {
            return xnet_csv_bad(r, "expert is not an integer", f[j + 2]);
        }
        if (bad) {
            return xnet_fail(XNET_EINVAL, "%s:%ld: expert %lld out of range [0, %d)", r->name,
                             r->number, v, experts);
        }
        /* insertion keeps the set sorted; equal ids are repeats */
        int i = j;
        while (i > 0 && members[i - 1] > v) {
            members[i] = members[i - 1];
            i--;
        }
        if (i > 0 && members[i - 1] == v) {
            return xnet_fail(XNET_EINVAL, "%s:%ld: expert %lld repeated in one row", r->name,
                             r->number, v);
        }
        members[i] = (int)v;
    }
    return XNET_OK;
}

/* Every layer needs rows: name the ones without and say how to fill them. */
static int check_layers(const char *name, const int *layer, size_t rows, int layers)
{
    char *has = calloc((size_t)layers, 1);
    if (!has) {
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", name);
    }
    for (size_t i = 0; i < rows; i++) {
        has[layer[i]] = 1;
    }
    int missing = 0, first = -1, last = -1;
    char list[160] = "";
    size_t used = 0;
    for (int l = 0; l < layers; l++) {
        if (!has[l]) {
            if (missing++ == 0) {
                first = l;
            }
            last = l;
            if (missing <= 10 && used < sizeof list) {
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%d",
                                         missing > 1 ? ", " : "", l);
            }
        }
    }
    free(has);
    if (!missing) {
        return XNET_OK;
    }
    int covered = layers - missing;
    return xnet_fail(XNET_EINVAL,
                     "%s: no rows for layer%s %s%s (%d of %d layers have rows); every layer "
                     "needs rows 'token,layer,expert_1,...,expert_k': trace the missing "
                     "layer%s too%s; a weight table with a row per layer "
                     "(xnet.profile.table) can stand in for a trace",
                     name, missing > 1 ? "s" : "", list, missing > 10 ? ", ..." : "", covered,
                     layers, missing > 1 ? "s" : "",
                     first == covered && last == layers - 1
                         ? ", or model only the layers traced (xnet.model(name, { layers = N }))"
                         : "");
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
    xnet_csv_field_t *f = malloc(sizeof *f * ((size_t)top_k + 3));
    if (!layer || !members || !f) {
        free(layer);
        free(members);
        free(f);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", name);
    }
    xnet_csv_reader_t r;
    xnet_csv_init(&r, name, text, len, 0);
    size_t rows = 0;
    int more, first = 1;
    while (!rc && (more = xnet_csv_next(&r)) != 0) {
        if (more < 0) {
            rc = XNET_EINVAL;
            break;
        }
        if (first && xnet_csv_is_header(&r)) {
            first = 0;
            continue;
        }
        first = 0;
        rc = trace_row(&r, f, layers, experts, top_k, &layer[rows],
                       members + rows * (size_t)top_k);
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
        rc = check_layers(name, layer, rows, layers);
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
