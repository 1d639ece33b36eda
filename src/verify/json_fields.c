/* SPDX-License-Identifier: Apache-2.0 */
/* Typed, bounded field access for the JSON collateral (json-c). */
#include "json_fields.h"
#include "../common/hex.h"

#include <errno.h>
#include <string.h>

json_object *vf_json_parse(const char *s, size_t len)
{
	json_tokener *tok;
	json_object *o;

	if (len > VF_JSON_MAX)
		return NULL;
	tok = json_tokener_new_ex(32);
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o && json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static json_object *field(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

int vf_jget_str(json_object *o, const char *key, char *out, size_t n)
{
	json_object *v = field(o, key, json_type_string);

	if (!v || (size_t)json_object_get_string_len(v) >= n)
		return -EBADMSG;
	memcpy(out, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
	return 0;
}

int vf_jget_hex(json_object *o, const char *key, uint8_t *out, size_t n)
{
	json_object *v = field(o, key, json_type_string);

	if (!v || (size_t)json_object_get_string_len(v) != 2 * n)
		return -EBADMSG;
	return hex_decode(json_object_get_string(v), out, n) == (int)n ? 0 : -EBADMSG;
}

int vf_jget_int(json_object *o, const char *key, int min, int max, int *out)
{
	json_object *v = field(o, key, json_type_int);
	int64_t x;

	if (!v)
		return -EBADMSG;
	x = json_object_get_int64(v);
	if (x < min || x > max)
		return -EBADMSG;
	*out = (int)x;
	return 0;
}

int vf_jget_time(json_object *o, const char *key, int64_t *out)
{
	json_object *v = field(o, key, json_type_string);

	if (!v)
		return -EBADMSG;
	return vf_parse_time(json_object_get_string(v), out) < 0 ? -EBADMSG : 0;
}

json_object *vf_jget_array(json_object *o, const char *key, size_t min, size_t max)
{
	json_object *v = field(o, key, json_type_array);

	if (!v || json_object_array_length(v) < min || json_object_array_length(v) > max)
		return NULL;
	return v;
}

int vf_jget_status(json_object *o, const char *key, enum vf_tcb_status *out)
{
	json_object *v = field(o, key, json_type_string);

	if (!v)
		return -EBADMSG;
	return vf_tcb_status_parse(json_object_get_string(v), out) < 0 ? -EBADMSG : 0;
}

int vf_jget_advisories(json_object *level, unsigned *n, char (**adv)[VF_ADVISORY_LEN])
{
	json_object *a;
	size_t cnt;

	*n = 0;
	*adv = NULL;
	if (!json_object_object_get_ex(level, "advisoryIDs", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > VF_MAX_ADVISORIES)
		return -EBADMSG;
	cnt = json_object_array_length(a);
	if (cnt == 0)
		return 0;
	*adv = calloc(cnt, VF_ADVISORY_LEN);
	if (!*adv)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string) ||
		    json_object_get_string_len(s) >= VF_ADVISORY_LEN) {
			free(*adv);
			*adv = NULL;
			return -EBADMSG;
		}
		memcpy((*adv)[i], json_object_get_string(s), (size_t)json_object_get_string_len(s));
	}
	*n = (unsigned)cnt;
	return 0;
}

void vf_isv_levels_free(struct vf_level_isv *l, unsigned n)
{
	for (unsigned i = 0; l && i < n; i++)
		free(l[i].adv);
	free(l);
}

int vf_jget_isv_levels(json_object *o, struct vf_level_isv **out, unsigned *n)
{
	json_object *arr = vf_jget_array(o, "tcbLevels", 1, VF_MAX_ISV_LEVELS);
	struct vf_level_isv *l;
	size_t cnt;

	*out = NULL;
	*n = 0;
	if (!arr)
		return -EBADMSG;
	cnt = json_object_array_length(arr);
	l = calloc(cnt, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		json_object *lv = json_object_array_get_idx(arr, i), *tcb;
		int r;

		if (!json_object_is_type(lv, json_type_object) ||
		    !(tcb = field(lv, "tcb", json_type_object)) ||
		    vf_jget_int(tcb, "isvsvn", 0, 65535, &l[i].isvsvn) < 0 ||
		    vf_jget_status(lv, "tcbStatus", &l[i].status) < 0) {
			vf_isv_levels_free(l, (unsigned)cnt);
			return -EBADMSG;
		}
		r = vf_jget_advisories(lv, &l[i].n_adv, &l[i].adv);
		if (r < 0) {
			vf_isv_levels_free(l, (unsigned)cnt);
			return r;
		}
	}
	*out = l;
	*n = (unsigned)cnt;
	return 0;
}
