/* SPDX-License-Identifier: Apache-2.0 */
/* Token JSON: parse + validate (json-c, strict) and build. */
#include "token.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"
#include "../kbs/json_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool luks_url_valid(const char *url)
{
	size_t len = strlen(url);

	if (len <= 8 || len > LUKS_TOKEN_URL_MAX || strncmp(url, "https://", 8) != 0)
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return url[8] != '/';
}

bool luks_abs_path_valid(const char *path)
{
	size_t len = strlen(path);

	if (len < 2 || len > LUKS_TOKEN_PATH_MAX || path[0] != '/')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return false;
	return true;
}

bool luks_timeout_valid(long s)
{
	return s >= LUKS_TIMEOUT_MIN && s <= LUKS_TIMEOUT_MAX;
}

static int bad(const char *field, const char *what)
{
	log_err("token: \"%s\" %s", field, what);
	return -EINVAL;
}

int luks_token_validate(const struct luks_token *t)
{
	if (t->n_keyslots == 0 || t->n_keyslots > LUKS_TOKEN_MAX_KEYSLOTS)
		return bad("keyslots", "must list 1 to 8 keyslots");
	for (size_t i = 0; i < t->n_keyslots; i++)
		if (t->keyslots[i] < 0 || t->keyslots[i] > 31)
			return bad("keyslots", "must be keyslot numbers 0..31");
	if (t->n_urls == 0 || t->n_urls > LUKS_TOKEN_MAX_URLS)
		return bad("kbs-urls", "must list 1 to 8 key server URLs");
	for (size_t i = 0; i < t->n_urls; i++)
		if (!luks_url_valid(t->urls[i]))
			return bad("kbs-urls", "must hold https:// URLs of at most 512 printable characters");
	if (!resource_path_valid(t->resource))
		return bad("resource", "must be REPO/TYPE/TAG ([A-Za-z0-9_.-], not starting with a dot)");
	if (t->ca_file[0] && !luks_abs_path_valid(t->ca_file))
		return bad("ca-file", "must be an absolute path of at most 255 characters");
	if (t->timeout_s && !luks_timeout_valid(t->timeout_s))
		return bad("timeout-s", "must be an integer from 5 to 3600");
	return 0;
}

/* Copies a JSON string member into dst[size]; -EINVAL when not a string or too long. */
static int copy_string(json_object *v, char *dst, size_t size)
{
	const char *s;
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len >= size || strlen(s) != len)
		return -EINVAL;
	memcpy(dst, s, len + 1);
	return 0;
}

static int parse_keyslots(json_object *v, struct luks_token *t)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return bad("keyslots", "must be an array of keyslot numbers as strings");
	n = json_object_array_length(v);
	if (n == 0 || n > LUKS_TOKEN_MAX_KEYSLOTS)
		return bad("keyslots", "must list 1 to 8 keyslots");
	for (size_t i = 0; i < n; i++) {
		char buf[4], *end;
		long ks;

		if (copy_string(json_object_array_get_idx(v, i), buf, sizeof(buf)) < 0 || !buf[0])
			return bad("keyslots", "must hold keyslot numbers as strings (\"1\")");
		ks = strtol(buf, &end, 10);
		if (*end || buf[0] < '0' || buf[0] > '9' || (buf[0] == '0' && buf[1]) || ks > 31)
			return bad("keyslots", "must be keyslot numbers 0..31");
		t->keyslots[t->n_keyslots++] = (int)ks;
	}
	return 0;
}

static int parse_urls(json_object *v, struct luks_token *t)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return bad("kbs-urls", "must be an array of https:// URLs");
	n = json_object_array_length(v);
	if (n == 0 || n > LUKS_TOKEN_MAX_URLS)
		return bad("kbs-urls", "must list 1 to 8 key server URLs");
	for (size_t i = 0; i < n; i++) {
		if (copy_string(json_object_array_get_idx(v, i), t->urls[i], sizeof(t->urls[i])) < 0)
			return bad("kbs-urls", "must hold strings of at most 512 characters");
		t->n_urls++;
	}
	return 0;
}

static int parse_member(const char *key, json_object *v, struct luks_token *t, unsigned *seen)
{
	if (strcmp(key, "type") == 0) {
		char type[sizeof(LUKS_TOKEN_TYPE)];

		if (copy_string(v, type, sizeof(type)) < 0 || strcmp(type, LUKS_TOKEN_TYPE) != 0)
			return bad("type", "is not \"" LUKS_TOKEN_TYPE "\"");
		*seen |= 1;
	} else if (strcmp(key, "keyslots") == 0) {
		*seen |= 2;
		return parse_keyslots(v, t);
	} else if (strcmp(key, "version") == 0) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != LUKS_TOKEN_VERSION)
			return bad("version", "is not 1 (a token written by a newer tdx-unlock?)");
		*seen |= 4;
	} else if (strcmp(key, "kbs-urls") == 0) {
		*seen |= 8;
		return parse_urls(v, t);
	} else if (strcmp(key, "resource") == 0) {
		if (copy_string(v, t->resource, sizeof(t->resource)) < 0)
			return bad("resource", "must be a REPO/TYPE/TAG string");
		*seen |= 16;
	} else if (strcmp(key, "ca-file") == 0) {
		if (copy_string(v, t->ca_file, sizeof(t->ca_file)) < 0 || !t->ca_file[0])
			return bad("ca-file", "must be an absolute path of at most 255 characters");
	} else if (strcmp(key, "timeout-s") == 0) {
		if (!json_object_is_type(v, json_type_int) || !luks_timeout_valid(json_object_get_int64(v)))
			return bad("timeout-s", "must be an integer from 5 to 3600");
		t->timeout_s = (int)json_object_get_int64(v);
	} else {
		log_err("token: unknown member \"%.64s\" (only type, keyslots, version, kbs-urls, "
			"resource, ca-file, timeout-s)", key);
		return -EINVAL;
	}
	return 0;
}

int luks_token_parse(const char *json, struct luks_token *t)
{
	_cleanup_json_put_ json_object *root = NULL;
	static const char *const required[] = { "type", "keyslots", "version", "kbs-urls", "resource" };
	unsigned seen = 0;
	size_t len = strnlen(json, LUKS_TOKEN_JSON_MAX + 1);
	int r;

	memset(t, 0, sizeof(*t));
	if (len > LUKS_TOKEN_JSON_MAX)
		return bad("token", "JSON is larger than 8 KiB");
	if (kbs_json_parse(json, len, 4, &root) < 0 || !json_object_is_type(root, json_type_object))
		return bad("token", "is not a JSON object");
	json_object_object_foreach(root, key, val) {
		r = parse_member(key, val, t, &seen);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(seen & (1u << i)))
			return bad(required[i], "is missing");
	return luks_token_validate(t);
}

int luks_token_to_json(const struct luks_token *t, char **json)
{
	_cleanup_json_put_ json_object *root = json_object_new_object();
	json_object *ks, *urls;
	char buf[12];
	int r;

	*json = NULL;
	if ((r = luks_token_validate(t)) < 0)
		return r;
	if (!root || !(ks = json_object_new_array()) || json_object_object_add(root, "type",
			json_object_new_string(LUKS_TOKEN_TYPE)) < 0 || json_object_object_add(root, "keyslots", ks) < 0)
		return log_errno(-ENOMEM, "token: building the JSON");
	for (size_t i = 0; i < t->n_keyslots; i++) {
		snprintf(buf, sizeof(buf), "%d", t->keyslots[i]);
		if (json_object_array_add(ks, json_object_new_string(buf)) < 0)
			return log_errno(-ENOMEM, "token: building the JSON");
	}
	if (json_object_object_add(root, "version", json_object_new_int(LUKS_TOKEN_VERSION)) < 0 ||
	    !(urls = json_object_new_array()) || json_object_object_add(root, "kbs-urls", urls) < 0)
		return log_errno(-ENOMEM, "token: building the JSON");
	for (size_t i = 0; i < t->n_urls; i++)
		if (json_object_array_add(urls, json_object_new_string(t->urls[i])) < 0)
			return log_errno(-ENOMEM, "token: building the JSON");
	if (json_object_object_add(root, "resource", json_object_new_string(t->resource)) < 0 ||
	    (t->ca_file[0] && json_object_object_add(root, "ca-file", json_object_new_string(t->ca_file)) < 0) ||
	    (t->timeout_s && json_object_object_add(root, "timeout-s", json_object_new_int(t->timeout_s)) < 0))
		return log_errno(-ENOMEM, "token: building the JSON");
	*json = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return *json ? 0 : log_errno(-ENOMEM, "token: building the JSON");
}
