/* Text formats for activation profiles: routing traces and weight tables.
 * Both take the file's bytes (plain or already gunzipped by xnet_file_read)
 * and report errors as "name:line: reason". */
#ifndef XNET_TRACE_H
#define XNET_TRACE_H

#include "moe.h"

/* A weight table: one line per layer, either `layer,w_0,...,w_{E-1}` (layers
 * in any order, each once) or just the E weights (layer = line order).
 * '#' comments and blank lines are skipped. weights is layers x experts. */
int xnet_weights_parse(const char *name, const char *text, size_t len, int layers, int experts,
                       double *weights);

/* A routing trace: CSV rows `token,layer,expert_1,...,expert_k`, an optional
 * header line, '#' comments. Rejects a layer or expert out of range, a row
 * with other than top_k experts, a repeated expert in a row, a non-integer
 * field, and a layer with no rows. *rows_read counts data rows. */
int xnet_trace_parse(xnet_profile_t **out, const char *name, const char *text, size_t len,
                     int layers, int experts, int top_k, size_t *rows_read);

#endif
