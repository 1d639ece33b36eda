/* SPDX-License-Identifier: Apache-2.0 */
/* Typed, bounded field access for the JSON collateral (json-c); all return 0 or -EBADMSG. */
#pragma once
#include <json-c/json.h>

#include "internal.h"

#define VF_JSON_MAX (1u << 20)

/* Parses exactly [s, s+len) (NULL when malformed, trailing bytes or larger than 1 MiB). */
json_object *vf_json_parse(const char *s, size_t len);
int vf_jget_str(json_object *o, const char *key, char *out, size_t n);
int vf_jget_hex(json_object *o, const char *key, uint8_t *out, size_t n);
int vf_jget_int(json_object *o, const char *key, int min, int max, int *out);
int vf_jget_time(json_object *o, const char *key, int64_t *out);
int vf_jget_status(json_object *o, const char *key, enum vf_tcb_status *out);
json_object *vf_jget_array(json_object *o, const char *key, size_t min, size_t max);
int vf_jget_advisories(json_object *level, unsigned *n, char (**adv)[VF_ADVISORY_LEN]);
/* "tcbLevels": [{"tcb":{"isvsvn":N},"tcbStatus":S,"advisoryIDs":[...]}] */
int vf_jget_isv_levels(json_object *o, struct vf_level_isv **out, unsigned *n);
void vf_isv_levels_free(struct vf_level_isv *l, unsigned n);
