/* SPDX-License-Identifier: Apache-2.0 */
#include "json_util.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

void kbs_json_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

int kbs_json_parse(const char *buf, size_t len, int max_depth, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (len > INT32_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	tok = json_tokener_new_ex(max_depth);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		json_tokener_free(tok);
		json_object_put(o);
		return -EINVAL;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", buf[end])) {
			json_object_put(o);
			return -EINVAL;
		}
	}
	*out = o;
	return 0;
}

int kbs_json_get_string(struct json_object *obj, const char *key, const char **s, size_t *len)
{
	struct json_object *v;
	int n;

	if (!json_object_object_get_ex(obj, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	*s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (n < 0 || strlen(*s) != (size_t)n)
		return -EINVAL;
	*len = (size_t)n;
	return 0;
}
