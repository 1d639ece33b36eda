/* SPDX-License-Identifier: Apache-2.0 */
#include "kbs_msgs.h"
#include "../common/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#define KBS_ERROR_PREFIX "https://github.com/confidential-containers/kbs/errors/"

static void json_putp(json_object **o) { json_object_put(*o); }

int kbs_parse_cookie_header(const char *data, size_t n, char cookie[KBS_COOKIE_MAX + 1])
{
	static const char name[] = "set-cookie:", prefix[] = "kbs-session-id=";
	size_t i = sizeof(name) - 1, start, len = 0;

	if (n < i || strncasecmp(data, name, i) != 0)
		return 0;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	if (n - i < sizeof(prefix) - 1 || strncmp(data + i, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	start = i + sizeof(prefix) - 1;
	while (start + len < n && data[start + len] != ';' && data[start + len] != '\r' && data[start + len] != '\n')
		len++;
	if (len == 0 || len > KBS_COOKIE_MAX)
		return -EBADMSG;
	for (size_t k = 0; k < len; k++)
		if (!isalnum((unsigned char)data[start + k]) && data[start + k] != '-')
			return -EBADMSG;
	memcpy(cookie, data + start, len);
	cookie[len] = '\0';
	return 1;
}

int kbs_parse_challenge(const char *body, char nonce[KBS_NONCE_MAX + 1], enum kbs_hash *hash, char *detail,
			size_t dlen)
{
	_cleanup_(json_putp) json_object *obj = json_tokener_parse(body);
	json_object *n, *extra, *alg;

	*hash = KBS_HASH_SHA384;
	if (!obj || !json_object_object_get_ex(obj, "nonce", &n) || !json_object_is_type(n, json_type_string) ||
	    json_object_get_string_len(n) == 0 || json_object_get_string_len(n) > KBS_NONCE_MAX) {
		snprintf(detail, dlen, "challenge without a usable nonce");
		return -EBADMSG;
	}
	memcpy(nonce, json_object_get_string(n), (size_t)json_object_get_string_len(n) + 1);
	if (json_object_object_get_ex(obj, "extra-params", &extra) && json_object_is_type(extra, json_type_object) &&
	    json_object_object_get_ex(extra, "selected-hash-algorithm", &alg) &&
	    kbs_hash_from_name(json_object_get_string(alg), hash) < 0) {
		snprintf(detail, dlen, "challenge selects an unsupported hash");
		return -EBADMSG;
	}
	return 0;
}

void kbs_parse_error_detail(const char *body, char *detail, size_t size)
{
	_cleanup_(json_putp) json_object *obj = json_tokener_parse(body);
	json_object *type, *d;
	const char *t, *s;
	size_t n = 0;

	if (!size)
		return;
	detail[0] = '\0';
	if (!obj || !json_object_object_get_ex(obj, "type", &type) || !(t = json_object_get_string(type)) ||
	    strncmp(t, KBS_ERROR_PREFIX, strlen(KBS_ERROR_PREFIX)) != 0 ||
	    !json_object_object_get_ex(obj, "detail", &d) || !json_object_is_type(d, json_type_string))
		return;
	/* It goes into log lines: no control characters from the network. */
	s = json_object_get_string(d);
	for (int len = json_object_get_string_len(d); n + 1 < size && (int)n < len; n++)
		detail[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
	detail[n] = '\0';
}

void kbs_parse_error_variant(const char *body, char *variant, size_t size)
{
	_cleanup_(json_putp) json_object *obj = json_tokener_parse(body);
	json_object *type;
	const char *t;

	variant[0] = '\0';
	if (obj && json_object_object_get_ex(obj, "type", &type) && (t = json_object_get_string(type)) &&
	    strncmp(t, KBS_ERROR_PREFIX, strlen(KBS_ERROR_PREFIX)) == 0)
		snprintf(variant, size, "%s", t + strlen(KBS_ERROR_PREFIX));
}
