/* SPDX-License-Identifier: Apache-2.0 */
#include "ks_config.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define CONFIG_MAX (64u * 1024)

static int set_path(const char *base, json_object *v, const char *key, char **out)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string) || !*(s = json_object_get_string(v)))
		return log_errno(-EINVAL, "config: \"%s\" must be a non-empty string", key);
	free(*out);
	if (s[0] == '/' || !base)
		*out = strdup(s);
	else if (asprintf(out, "%s/%s", base, s) < 0)
		*out = NULL;
	return *out ? 0 : -ENOMEM;
}

static int set_uint(json_object *v, const char *key, unsigned long min, unsigned long max, unsigned long *out)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int) || (n = json_object_get_int64(v)) < (int64_t)min ||
	    (uint64_t)n > max)
		return log_errno(-EINVAL, "config: \"%s\" must be an integer in %lu..%lu", key, min, max);
	*out = (unsigned long)n;
	return 0;
}

static int set_listen(json_object *v, struct ks_config *c)
{
	const char *s = json_object_get_string(v), *colon;
	unsigned long port;
	char *end;

	if (!json_object_is_type(v, json_type_string) || !(colon = strrchr(s, ':')) ||
	    (size_t)(colon - s) >= sizeof(c->listen_host) || colon == s)
		return log_errno(-EINVAL, "config: \"listen\" must be HOST:PORT, e.g. 127.0.0.1:8443");
	port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535 || end == colon + 1)
		return log_errno(-EINVAL, "config: \"listen\" port must be 0..65535");
	memcpy(c->listen_host, s, (size_t)(colon - s));
	c->listen_host[colon - s] = '\0';
	c->listen_port = (unsigned)port;
	return 0;
}

static int apply(const char *base, const char *key, json_object *v, struct ks_config *c)
{
	static const struct { const char *key; size_t off; } paths[] = {
		{ "tls_cert", offsetof(struct ks_config, tls_cert) },
		{ "tls_key", offsetof(struct ks_config, tls_key) },
		{ "resources_dir", offsetof(struct ks_config, resources_dir) },
		{ "policy_file", offsetof(struct ks_config, policy_file) },
		{ "collateral_dir", offsetof(struct ks_config, collateral_dir) },
		{ "audit_log", offsetof(struct ks_config, audit_log) },
		{ "token_key", offsetof(struct ks_config, token_key) },
	};
	static const struct { const char *key; unsigned long min, max; size_t off; bool is_size; } nums[] = {
		{ "session_lifetime_s", 10, 86400, offsetof(struct ks_config, session_lifetime_s), false },
		{ "max_sessions", 1, 1u << 22, offsetof(struct ks_config, max_sessions), false },
		{ "max_connections", 1, 65536, offsetof(struct ks_config, max_connections), false },
		{ "connection_timeout_s", 1, 3600, offsetof(struct ks_config, connection_timeout_s), false },
		{ "max_body_bytes", 4096, 64u << 20, offsetof(struct ks_config, max_body_bytes), true },
		{ "threads", 1, 256, offsetof(struct ks_config, threads), false },
		{ "collateral_grace_s", 0, 90 * 86400, offsetof(struct ks_config, collateral_grace_s), false },
	};
	unsigned long n = 0;
	int r;

	if (strcmp(key, "listen") == 0)
		return set_listen(v, c);
	if (strcmp(key, "trust_anchor") == 0) {
		if (json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), "intel") == 0) {
			free(c->trust_anchor);
			c->trust_anchor = NULL;
			return 0;
		}
		return set_path(base, v, key, &c->trust_anchor);
	}
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (strcmp(key, paths[i].key) == 0)
			return set_path(base, v, key, (char **)((char *)c + paths[i].off));
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		if (strcmp(key, nums[i].key) != 0)
			continue;
		if ((r = set_uint(v, key, nums[i].min, nums[i].max, &n)) < 0)
			return r;
		if (nums[i].is_size)
			*(size_t *)((char *)c + nums[i].off) = n;
		else
			*(unsigned *)((char *)c + nums[i].off) = (unsigned)n;
		return 0;
	}
	return log_errno(-EINVAL, "config: unknown key \"%s\"", key);
}

int ks_config_load(const char *path, struct ks_config *c)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ char *dir = NULL;
	const char *base;
	json_object *obj;
	size_t len;
	int r;

	memset(c, 0, sizeof(*c));
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	c->listen_port = 8443;
	c->session_lifetime_s = 300;
	c->max_sessions = 10000;
	c->max_connections = 512;
	c->connection_timeout_s = 10;
	c->max_body_bytes = 2u << 20;
	c->threads = 2;

	r = file_read_all(path, CONFIG_MAX, &buf, &len);
	if (r < 0)
		return log_errno(r, "config: reading %s", path);
	obj = json_tokener_parse((char *)buf);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return log_errno(-EINVAL, "config: %s is not a JSON object", path);
	}
	dir = strdup(path);
	if (!dir) {
		json_object_put(obj);
		return -ENOMEM;
	}
	/* Once: dirname() may modify its argument, so calling it per key would climb one
	 * directory further up for every key of the file. */
	base = dirname(dir);
	json_object_object_foreach(obj, key, val) {
		if ((r = apply(base, key, val, c)) < 0)
			break;
	}
	json_object_put(obj);
	if (r >= 0) {
		const char *missing = !c->tls_cert ? "tls_cert" : !c->tls_key ? "tls_key" :
				      !c->resources_dir ? "resources_dir" : !c->policy_file ? "policy_file" :
				      !c->collateral_dir ? "collateral_dir" : NULL;
		if (missing)
			r = log_errno(-EINVAL, "config: %s: \"%s\" is required", path, missing);
	}
	if (r < 0)
		ks_config_free(c);
	return r;
}

void ks_config_free(struct ks_config *c)
{
	free(c->tls_cert);
	free(c->tls_key);
	free(c->resources_dir);
	free(c->policy_file);
	free(c->collateral_dir);
	free(c->trust_anchor);
	free(c->audit_log);
	free(c->token_key);
	memset(c, 0, sizeof(*c));
}
