#include "planio.h"

#include "csv.h"
#include "error.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xnet_plan_format(const xnet_plan_t *plan, char **text, size_t *len)
{
    size_t rows = (size_t)plan->layers * (size_t)(plan->experts + 1) + (size_t)plan->replicas;
    size_t cap = 256 + rows * 48;
    char *buf = malloc(cap);
    if (!buf) {
        return xnet_fail(XNET_ENOMEM, "out of memory formatting the plan");
    }
    size_t n = (size_t)snprintf(buf, cap,
                                "# spacexnet plan v1\n"
                                "# method=%s layers=%d experts=%d satellites=%d\n"
                                "layer,role,expert,satellite\n",
                                plan->method, plan->layers, plan->experts, plan->nodes);
    for (int l = 0; l < plan->layers; l++) {
        n += (size_t)snprintf(buf + n, cap - n, "%d,gateway,,%d\n", l, plan->gateway[l]);
        for (int e = 0; e < plan->experts; e++) {
            int i = l * plan->experts + e;
            n += (size_t)snprintf(buf + n, cap - n, "%d,expert,%d,%d\n", l, e, plan->satellite[i]);
            for (int c = 1; c < xnet_plan_copies(plan, i); c++) {
                n += (size_t)snprintf(buf + n, cap - n, "%d,replica,%d,%d\n", l, e,
                                      xnet_plan_copy(plan, i, c));
            }
        }
    }
    *text = buf;
    *len = n;
    return XNET_OK;
}

/* The dimensions and method from the "# method=..." line. */
typedef struct {
    char method[sizeof ((xnet_plan_t *)0)->method];
    long long layers, experts, nodes;
    long line; /* of the method line; 0 when none was seen */
} plan_header;

/* A "key=value" word of the method line into the header. */
static int header_word(const xnet_csv_reader_t *r, const char *s, const char *e, plan_header *h)
{
    static const struct {
        const char *key;
        long long hi;
        size_t offset;
    } dims[] = {{"layers", XNET_MAX_LAYERS, offsetof(plan_header, layers)},
                {"experts", XNET_MAX_EXPERTS, offsetof(plan_header, experts)},
                {"satellites", XNET_MAX_SATELLITES, offsetof(plan_header, nodes)}};
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq) {
        return XNET_OK; /* words without '=' say nothing to the reader */
    }
    xnet_csv_field_t value = {eq + 1, e};
    if ((size_t)(eq - s) == 6 && memcmp(s, "method", 6) == 0) {
        if (e - eq - 1 >= (long)sizeof h->method) {
            return xnet_csv_bad(r, "method longer than 31 characters", value);
        }
        memcpy(h->method, eq + 1, (size_t)(e - eq - 1));
        h->method[e - eq - 1] = '\0';
        return XNET_OK;
    }
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        if ((size_t)(eq - s) == strlen(dims[i].key) && memcmp(s, dims[i].key, (size_t)(eq - s)) == 0) {
            long long *v = (long long *)(void *)((char *)h + dims[i].offset);
            int bad = xnet_csv_integer(value, 1, dims[i].hi, v);
            if (bad == -1) {
                char what[48];
                snprintf(what, sizeof what, "%s is not an integer", dims[i].key);
                return xnet_csv_bad(r, what, value);
            }
            if (bad) {
                return xnet_fail(XNET_EINVAL, "%s:%ld: %s %lld out of range [1, %lld]", r->name,
                                 r->number, dims[i].key, *v, dims[i].hi);
            }
        }
    }
    return XNET_OK;
}

/* A comment line of the preamble: the method line fills the header. */
static int header_comment(const xnet_csv_reader_t *r, plan_header *h)
{
    const char *s = r->line + 1, *end = r->line_end;
    while (s < end && *s == ' ') {
        s++;
    }
    if ((size_t)(end - s) < 7 || memcmp(s, "method=", 7) != 0) {
        return XNET_OK;
    }
    if (h->line) {
        return xnet_fail(XNET_EINVAL, "%s:%ld: a second '# method=' line (the first is line %ld)",
                         r->name, r->number, h->line);
    }
    h->line = r->number;
    while (s < end) {
        const char *e = memchr(s, ' ', (size_t)(end - s));
        e = e ? e : end;
        int rc = header_word(r, s, e, h);
        if (rc) {
            return rc;
        }
        s = e + 1;
    }
    if (h->layers < 1 || h->experts < 1 || h->nodes < 1) {
        return xnet_fail(XNET_EINVAL, "%s:%ld: the method line needs layers=, experts= and "
                         "satellites=", r->name, r->number);
    }
    return XNET_OK;
}

/* The comment lines and the column header; the reader stops after it. */
static int read_preamble(xnet_csv_reader_t *r, plan_header *h)
{
    int more;
    while ((more = xnet_csv_next(r)) > 0) {
        if (*r->line == '#') {
            int rc = header_comment(r, h);
            if (rc) {
                return rc;
            }
            continue;
        }
        xnet_csv_field_t line = {r->line, r->line_end};
        if (!xnet_csv_is(line, "layer,role,expert,satellite")) {
            return xnet_fail(XNET_EINVAL,
                             "%s:%ld: expected the header 'layer,role,expert,satellite'",
                             r->name, r->number);
        }
        break;
    }
    if (more < 0) {
        return XNET_EINVAL;
    }
    if (more == 0 || !h->line) {
        return xnet_fail(XNET_EINVAL,
                         "%s: not a spacexnet plan (needs '# method=... layers=N experts=N "
                         "satellites=N' and the column header)",
                         r->name);
    }
    return XNET_OK;
}

/* The replica rows read so far: expert slot and satellite of each. */
typedef struct {
    int *slot, *satellite;
    long *line;
    size_t n, cap;
} replica_rows;

static int add_replica(const xnet_csv_reader_t *r, replica_rows *rows, int slot, int satellite)
{
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? 2 * rows->cap : 64;
        if (cap > (size_t)XNET_MAX_SATELLITES * 64) {
            return xnet_fail(XNET_EINVAL, "%s:%ld: more than %d replica rows", r->name,
                             r->number, XNET_MAX_SATELLITES * 64);
        }
        int *a = realloc(rows->slot, sizeof(int) * cap);
        if (a) {
            rows->slot = a;
        }
        int *b = a ? realloc(rows->satellite, sizeof(int) * cap) : NULL;
        if (b) {
            rows->satellite = b;
        }
        long *c = b ? realloc(rows->line, sizeof(long) * cap) : NULL;
        if (!c) {
            return xnet_fail(XNET_ENOMEM, "%s: out of memory", r->name);
        }
        rows->line = c;
        rows->cap = cap;
    }
    rows->slot[rows->n] = slot;
    rows->line[rows->n] = r->number;
    rows->satellite[rows->n++] = satellite;
    return XNET_OK;
}

/* One row: `layer,gateway,,satellite`, `layer,expert,e,satellite` or
 * `layer,replica,e,satellite`, into the plan, each gateway and expert once. */
static int plan_row(const xnet_csv_reader_t *r, xnet_plan_t *plan, long *seen,
                    replica_rows *replicas)
{
    xnet_csv_field_t f[5];
    int n = xnet_csv_split(r, f, 4), gateway = n == 4 && xnet_csv_is(f[1], "gateway");
    int replica = n == 4 && xnet_csv_is(f[1], "replica");
    if (n != 4 || (!gateway && !replica && !xnet_csv_is(f[1], "expert"))
        || (gateway && f[2].s != f[2].e)) {
        return xnet_fail(XNET_EINVAL,
                         "%s:%ld: expected 'layer,gateway,,satellite', "
                         "'layer,expert,e,satellite' or 'layer,replica,e,satellite'",
                         r->name, r->number);
    }
    const struct {
        const char *name;
        int count;
    } ids[] = {{"layer", plan->layers}, {"expert", plan->experts}, {"satellite", plan->nodes}};
    long long v[3] = {0, -1, 0};
    for (int i = 0; i < 3; i++) {
        if (i == 1 && gateway) {
            continue;
        }
        int bad = xnet_csv_integer(f[i == 0 ? 0 : i + 1], 0, ids[i].count - 1, &v[i]);
        if (bad == -1) {
            char what[48];
            snprintf(what, sizeof what, "%s is not an integer", ids[i].name);
            return xnet_csv_bad(r, what, f[i == 0 ? 0 : i + 1]);
        }
        if (bad) {
            return xnet_fail(XNET_EINVAL, "%s:%ld: %s %lld out of range [0, %d)", r->name,
                             r->number, ids[i].name, v[i], ids[i].count);
        }
    }
    if (replica) {
        return add_replica(r, replicas, (int)v[0] * plan->experts + (int)v[1], (int)v[2]);
    }
    size_t slot = (size_t)v[0] * (size_t)(plan->experts + 1) + (size_t)(v[1] + 1);
    if (seen[slot]) {
        return xnet_fail(XNET_EINVAL, "%s:%ld: layer %lld %s given twice (also on line %ld)",
                         r->name, r->number, v[0], gateway ? "gateway" : "expert", seen[slot]);
    }
    seen[slot] = r->number;
    if (gateway) {
        plan->gateway[v[0]] = (int)v[2];
    } else {
        plan->satellite[(size_t)v[0] * (size_t)plan->experts + (size_t)v[1]] = (int)v[2];
    }
    return XNET_OK;
}

/* One row of the file: what it places (slot as in `seen`: l * (E + 1), or
 * l * (E + 1) + 1 + e), where, and its line. */
typedef struct {
    int slot, satellite;
    long line;
} placed_row;

static int by_satellite_then_line(const void *a, const void *b)
{
    const placed_row *x = a, *y = b;
    return x->satellite != y->satellite ? (x->satellite > y->satellite) - (x->satellite < y->satellite)
                                        : (x->line > y->line) - (x->line < y->line);
}

static void describe_slot(char *out, size_t size, int slot, int experts)
{
    int l = slot / (experts + 1), e = slot % (experts + 1) - 1;
    snprintf(out, size, e < 0 ? "the gateway of layer %d" : "layer %d expert %d", l, e);
}

/* Two rows on one satellite, named by both their lines: two copies of one
 * expert always, and any two rows when a satellite holds one role (no
 * memory budget; with one, xnet_plan_check judges what fits). */
static int check_shared_satellites(const xnet_csv_reader_t *r, const xnet_plan_t *plan,
                                   const long *seen, const replica_rows *replicas)
{
    size_t slots = (size_t)plan->layers * (size_t)(plan->experts + 1), n = 0;
    placed_row *rows = malloc(sizeof(placed_row) * (slots + replicas->n + 1));
    if (!rows) {
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", r->name);
    }
    for (size_t i = 0; i < slots; i++) {
        int l = (int)(i / (size_t)(plan->experts + 1)), e = (int)(i % (size_t)(plan->experts + 1)) - 1;
        int sat = e < 0 ? plan->gateway[l] : plan->satellite[(size_t)l * (size_t)plan->experts + (size_t)e];
        rows[n++] = (placed_row){(int)i, sat, seen[i]};
    }
    for (size_t j = 0; j < replicas->n; j++) {
        int l = replicas->slot[j] / plan->experts, e = replicas->slot[j] % plan->experts;
        rows[n++] = (placed_row){l * (plan->experts + 1) + 1 + e, replicas->satellite[j],
                                 replicas->line[j]};
    }
    qsort(rows, n, sizeof *rows, by_satellite_then_line);
    int one_role = plan->hosting.memory_bytes <= 0, rc = XNET_OK;
    for (size_t a = 0, b; !rc && a < n; a = b) {
        for (b = a + 1; b < n && rows[b].satellite == rows[a].satellite; b++) {
        }
        for (size_t i = a + 1; !rc && i < b; i++) {
            for (size_t j = a; !rc && j < i; j++) {
                char first[48], second[48];
                describe_slot(first, sizeof first, rows[j].slot, plan->experts);
                describe_slot(second, sizeof second, rows[i].slot, plan->experts);
                if (rows[i].slot == rows[j].slot) {
                    rc = xnet_fail(XNET_EINVAL, "%s:%ld: %s has two copies on satellite %d "
                                   "(the other on line %ld)", r->name, rows[i].line, second,
                                   rows[i].satellite, rows[j].line);
                } else if (one_role) {
                    rc = xnet_fail(XNET_EINVAL, "%s:%ld: satellite %d holds both %s (line %ld) "
                                   "and %s", r->name, rows[i].line, rows[i].satellite, first,
                                   rows[j].line, second);
                }
            }
            if (one_role) {
                break; /* the first pair on a satellite is reported */
            }
        }
    }
    free(rows);
    return rc;
}

/* The rows after the header, then every slot must have been given. */
static int read_rows(xnet_csv_reader_t *r, xnet_plan_t *plan)
{
    size_t slots = (size_t)plan->layers * (size_t)(plan->experts + 1);
    long *seen = calloc(slots, sizeof(long));
    if (!seen) {
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", r->name);
    }
    int rc = XNET_OK, more;
    replica_rows replicas = {NULL, NULL, NULL, 0, 0};
    while (!rc && (more = xnet_csv_next(r)) != 0) {
        rc = more < 0                ? XNET_EINVAL
           : *r->line == '#'         ? XNET_OK
                                     : plan_row(r, plan, seen, &replicas);
    }
    for (size_t i = 0; !rc && i < slots; i++) {
        if (!seen[i]) {
            int l = (int)(i / (size_t)(plan->experts + 1));
            int e = (int)(i % (size_t)(plan->experts + 1)) - 1;
            long copy_line = 0;
            for (size_t j = 0; e >= 0 && !copy_line && j < replicas.n; j++) {
                if (replicas.slot[j] == l * plan->experts + e) {
                    copy_line = replicas.line[j];
                }
            }
            rc = e < 0 ? xnet_fail(XNET_EINVAL, "%s: no gateway row for layer %d "
                                   "(expected '%d,gateway,,satellite')", r->name, l, l)
               : copy_line
                   ? xnet_fail(XNET_EINVAL, "%s:%ld: a replica of layer %d expert %d, which has "
                               "no expert row (expected '%d,expert,%d,satellite': the expert row "
                               "is its first copy)", r->name, copy_line, l, e, l, e)
                   : xnet_fail(XNET_EINVAL, "%s: no expert row for layer %d expert %d "
                               "(expected '%d,expert,%d,satellite')", r->name, l, e, l, e);
        }
    }
    if (!rc) {
        rc = check_shared_satellites(r, plan, seen, &replicas);
    }
    if (!rc) {
        rc = xnet_plan_set_replicas(plan, (int)replicas.n, replicas.slot, replicas.satellite);
    }
    free(replicas.slot);
    free(replicas.satellite);
    free(replicas.line);
    free(seen);
    return rc;
}

/* Prefix the recorded reason with "name: ". */
static int with_name(int rc, const char *name)
{
    char reason[400];
    snprintf(reason, sizeof reason, "%s", xnet_errmsg());
    return xnet_fail(rc, "%s: %s", name, reason);
}

int xnet_plan_parse(xnet_plan_t **out, const char *name, const char *text, size_t len)
{
    return xnet_plan_parse_hosted(out, name, text, len, NULL, 0);
}

int xnet_plan_parse_hosted(xnet_plan_t **out, const char *name, const char *text, size_t len,
                           const xnet_hosting_t *hosting, double expert_bytes)
{
    *out = NULL;
    xnet_csv_reader_t r;
    xnet_csv_init(&r, name, text, len, 1);
    plan_header h = {"loaded", 0, 0, 0, 0};
    int rc = read_preamble(&r, &h);
    if (rc) {
        return rc;
    }
    xnet_plan_t *plan;
    if ((rc = xnet_plan_alloc(&plan, (int)h.layers, (int)h.experts, (int)h.nodes, h.method))) {
        return with_name(rc, name);
    }
    if (hosting) {
        plan->hosting = *hosting;
        plan->expert_bytes = expert_bytes;
    }
    if (!(rc = read_rows(&r, plan)) && (rc = xnet_plan_check(plan))) {
        rc = with_name(rc, name);
    }
    if (rc) {
        xnet_plan_destroy(plan);
        return rc;
    }
    *out = plan;
    return XNET_OK;
}
