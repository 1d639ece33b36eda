/* SPDX-License-Identifier: Apache-2.0 */
/* Strict json-c parsing helpers for protocol messages. */
#pragma once
#include <stddef.h>

struct json_object;

/* Parses exactly one JSON value from buf[0..len) (trailing whitespace allowed) with
 * strict RFC 8259 syntax, UTF-8 validation, no NUL bytes and nesting <= max_depth.
 * *out must be released with json_object_put(). Returns 0 or -EINVAL. */
int kbs_json_parse(const char *buf, size_t len, int max_depth, struct json_object **out);
/* Looks up member key of object obj that must be a string without NUL bytes.
 * Returns 0, -ENOENT if absent, -EINVAL if not such a string. */
int kbs_json_get_string(struct json_object *obj, const char *key, const char **s, size_t *len);
/* _cleanup_ helper for json_object pointers. */
void kbs_json_putp(struct json_object **o);
#define _cleanup_json_ __attribute__((cleanup(kbs_json_putp)))
