/* SPDX-License-Identifier: Apache-2.0 */
/* Operator view of evidence: detects a quote or a TDREPORT and renders its fields. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* Builds the JSON description of buf. Returns 0, or -EBADMSG/-EPROTONOSUPPORT after
 * logging one line that says what is wrong with the input. */
int tdx_inspect(const uint8_t *buf, size_t len, json_object **out);

/* Prints obj as "key: value" lines (arrays one element per line, indexed). */
void tdx_inspect_print_text(json_object *obj, FILE *f);
