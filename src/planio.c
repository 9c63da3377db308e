#include "planio.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xnet_plan_format(const xnet_plan_t *plan, char **text, size_t *len)
{
    size_t rows = (size_t)plan->layers * (size_t)(plan->experts + 1);
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
            n += (size_t)snprintf(buf + n, cap - n, "%d,expert,%d,%d\n", l, e,
                                  plan->satellite[l * plan->experts + e]);
        }
    }
    *text = buf;
    *len = n;
    return XNET_OK;
}

/* The next line into buf (at most size - 1 bytes; longer lines are an
 * error), advancing *pos; 0 at the end. */
static int read_line(const char *text, size_t len, size_t *pos, char *buf, size_t size,
                     int *too_long)
{
    if (*pos >= len) {
        return 0;
    }
    const char *start = text + *pos, *nl = memchr(start, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - start) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    if (n && start[n - 1] == '\r') {
        n--;
    }
    *too_long = n >= size;
    n = n < size ? n : size - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return 1;
}

int xnet_plan_parse(xnet_plan_t **out, const char *name, const char *text, size_t len)
{
    *out = NULL;
    char line[256], method[32] = "loaded";
    size_t pos = 0;
    int number = 0, too_long = 0, layers = -1, experts = -1, nodes = -1, header = 0;
    /* The metadata comment and the column header come first. */
    while (read_line(text, len, &pos, line, sizeof line, &too_long)) {
        number++;
        if (too_long) {
            return xnet_fail(XNET_EINVAL, "%s:%d: line too long", name, number);
        }
        if (line[0] == '#') {
            char m[32];
            int a, b, c;
            if (sscanf(line, "# method=%31s layers=%d experts=%d satellites=%d", m, &a, &b, &c)
                == 4) {
                snprintf(method, sizeof method, "%s", m);
                layers = a;
                experts = b;
                nodes = c;
            }
            continue;
        }
        if (strcmp(line, "layer,role,expert,satellite") != 0) {
            return xnet_fail(XNET_EINVAL, "%s:%d: expected the header 'layer,role,expert,satellite'",
                             name, number);
        }
        header = 1;
        break;
    }
    if (!header || layers < 0) {
        return xnet_fail(XNET_EINVAL,
                         "%s: not a spacexnet plan (needs '# method=... layers=N experts=N "
                         "satellites=N' and the column header)",
                         name);
    }
    if (layers < 1 || experts < 1 || nodes < 1 || layers > 1000000 || experts > 1000000) {
        return xnet_fail(XNET_EINVAL, "%s: bad dimensions layers=%d experts=%d satellites=%d",
                         name, layers, experts, nodes);
    }
    xnet_plan_t *plan;
    int rc = xnet_plan_alloc(&plan, layers, experts, nodes, method);
    if (rc) {
        char reason[400];
        snprintf(reason, sizeof reason, "%s", xnet_errmsg());
        return xnet_fail(rc, "%s: %s", name, reason);
    }
    size_t slots = (size_t)layers * (size_t)(experts + 1);
    char *seen = calloc(slots, 1);
    if (!seen) {
        xnet_plan_destroy(plan);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", name);
    }
    while (!rc && read_line(text, len, &pos, line, sizeof line, &too_long)) {
        number++;
        if (too_long) {
            rc = xnet_fail(XNET_EINVAL, "%s:%d: line too long", name, number);
            break;
        }
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        int l, e = -1, s, used = 0;
        char tail;
        if (sscanf(line, "%d,gateway,,%d%n%c", &l, &s, &used, &tail) == 2 && line[used] == '\0') {
            e = -1;
        } else if (sscanf(line, "%d,expert,%d,%d%n%c", &l, &e, &s, &used, &tail) == 3
                   && line[used] == '\0') {
            if (e < 0 || e >= experts) {
                rc = xnet_fail(XNET_EINVAL, "%s:%d: expert %d out of range [0, %d)", name, number,
                               e, experts);
                break;
            }
        } else {
            rc = xnet_fail(XNET_EINVAL,
                           "%s:%d: expected 'layer,gateway,,satellite' or "
                           "'layer,expert,e,satellite'",
                           name, number);
            break;
        }
        if (l < 0 || l >= layers) {
            rc = xnet_fail(XNET_EINVAL, "%s:%d: layer %d out of range [0, %d)", name, number, l,
                           layers);
            break;
        }
        if (s < 0 || s >= nodes) {
            rc = xnet_fail(XNET_EINVAL, "%s:%d: satellite %d out of range [0, %d)", name, number,
                           s, nodes);
            break;
        }
        size_t slot = (size_t)l * (size_t)(experts + 1) + (size_t)(e + 1);
        if (seen[slot]) {
            rc = xnet_fail(XNET_EINVAL, "%s:%d: layer %d %s given twice", name, number, l,
                           e < 0 ? "gateway" : "expert");
            break;
        }
        seen[slot] = 1;
        if (e < 0) {
            plan->gateway[l] = s;
        } else {
            plan->satellite[l * experts + e] = s;
        }
    }
    for (size_t i = 0; !rc && i < slots; i++) {
        if (!seen[i]) {
            int l = (int)(i / (size_t)(experts + 1)), e = (int)(i % (size_t)(experts + 1)) - 1;
            rc = e < 0 ? xnet_fail(XNET_EINVAL, "%s: no gateway for layer %d", name, l)
                       : xnet_fail(XNET_EINVAL, "%s: no satellite for layer %d expert %d", name,
                                   l, e);
        }
    }
    free(seen);
    if (!rc && (rc = xnet_plan_check(plan))) {
        char reason[400];
        snprintf(reason, sizeof reason, "%s", xnet_errmsg());
        rc = xnet_fail(rc, "%s: %s", name, reason);
    }
    if (rc) {
        xnet_plan_destroy(plan);
        return rc;
    }
    *out = plan;
    return XNET_OK;
}
