/* SPDX-License-Identifier: Apache-2.0 */
#include "ks_config.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <arpa/inet.h>
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
		return log_fail(-EINVAL, "config: \"%s\" must be a non-empty string", key);
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
		return log_fail(-EINVAL, "config: \"%s\" must be an integer in %lu..%lu", key, min, max);
	*out = (unsigned long)n;
	return 0;
}

/* HOST:PORT with HOST an IPv4 address or an IPv6 address in brackets ("[::1]:8443"); the
 * host is kept without the brackets. */
static int set_listen(json_object *v, struct ks_config *c)
{
	const char *s = json_object_get_string(v), *colon, *host;
	unsigned char addr[16];
	unsigned long port;
	size_t len;
	char *end;

	if (!json_object_is_type(v, json_type_string) || !(colon = strrchr(s, ':')) || colon == s)
		return log_fail(-EINVAL, "config: \"listen\" must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443");
	port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535 || end == colon + 1)
		return log_fail(-EINVAL, "config: \"listen\" port must be 0..65535");
	host = s;
	len = (size_t)(colon - s);
	c->listen_ipv6 = s[0] == '[';
	if (c->listen_ipv6) {
		if (len < 3 || s[len - 1] != ']')
			return log_fail(-EINVAL, "config: \"listen\": an IPv6 address needs its brackets, e.g. [::1]:8443");
		host++;
		len -= 2;
	}
	if (len >= sizeof(c->listen_host))
		return log_fail(-EINVAL, "config: \"listen\" address too long");
	memcpy(c->listen_host, host, len);
	c->listen_host[len] = '\0';
	if (inet_pton(c->listen_ipv6 ? AF_INET6 : AF_INET, c->listen_host, addr) != 1)
		return log_fail(-EINVAL, "config: \"listen\" address %s is not an IPv4 address or a bracketed IPv6 address",
				 c->listen_host);
	c->listen_port = (unsigned)port;
	return 0;
}

/* http:// or https:// URL without spaces or control characters. */
static int set_url(json_object *v, const char *key, char **out)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	size_t n = strlen(s);

	if ((strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) || n > 512)
		return log_fail(-EINVAL, "config: \"%s\" must be an http(s):// URL", key);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return log_fail(-EINVAL, "config: \"%s\" must not contain spaces or control characters", key);
	free(*out);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int apply(const char *base, const char *key, json_object *v, struct ks_config *c)
{
	static const struct { const char *key; size_t off; } paths[] = {
		{ "tls_cert", offsetof(struct ks_config, tls_cert) },
		{ "tls_key", offsetof(struct ks_config, tls_key) },
		{ "resources_dir", offsetof(struct ks_config, resources_dir) },
		{ "policy_file", offsetof(struct ks_config, policy_file) },
		{ "collateral_dir", offsetof(struct ks_config, collateral_dir) },
		{ "collateral_store", offsetof(struct ks_config, collateral_store) },
		{ "pcs_ca", offsetof(struct ks_config, pcs_ca) },
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
		{ "challenge_lifetime_s", 1, 86400, offsetof(struct ks_config, challenge_lifetime_s), false },
		{ "max_challenges_per_address", 0, 1u << 22, offsetof(struct ks_config, max_challenges_per_address), false },
		{ "max_connections_per_address", 0, 65536, offsetof(struct ks_config, max_connections_per_address), false },
		{ "request_timeout_s", 1, 3600, offsetof(struct ks_config, request_timeout_s), false },
		{ "max_body_total_bytes", 4096, 16ul << 30, offsetof(struct ks_config, max_body_total_bytes), true },
		{ "collateral_refresh", 1, 30 * 86400, offsetof(struct ks_config, collateral_refresh_s), false },
		{ "collateral_warn_days", 1, 60, offsetof(struct ks_config, collateral_warn_days), false },
		{ "collateral_fetch_wait_s", 1, 300, offsetof(struct ks_config, collateral_fetch_wait_s), false },
	};
	unsigned long n = 0;
	int r;

	if (strcmp(key, "listen") == 0)
		return set_listen(v, c);
	if (strcmp(key, "pcs_url") == 0 || strcmp(key, "pcs_root_crl_url") == 0)
		return set_url(v, key, strcmp(key, "pcs_url") == 0 ? &c->pcs_url : &c->pcs_root_crl_url);
	if (strcmp(key, "collateral_update") == 0) {
		const char *u = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";

		if (strcmp(u, "standard") != 0 && strcmp(u, "early") != 0)
			return log_fail(-EINVAL, "config: \"collateral_update\" must be \"standard\" or \"early\"");
		snprintf(c->collateral_update, sizeof(c->collateral_update), "%s", u);
		return 0;
	}
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
	return log_fail(-EINVAL, "config: unknown key \"%s\"", key);
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
	c->challenge_lifetime_s = 30;
	c->max_challenges_per_address = 256;
	c->max_connections_per_address = 256;
	c->request_timeout_s = 30;
	c->max_body_total_bytes = 64u << 20;
	snprintf(c->collateral_update, sizeof(c->collateral_update), "standard");
	c->collateral_refresh_s = 86400;
	c->collateral_warn_days = 7;
	c->collateral_fetch_wait_s = 15;

	r = file_read_all(path, CONFIG_MAX, &buf, &len);
	if (r < 0)
		return log_errno(r, "config: reading %s", path);
	obj = json_tokener_parse((char *)buf);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return log_fail(-EINVAL, "config: %s is not a JSON object", path);
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
				      !c->collateral_dir && !c->collateral_store ? "collateral_dir or collateral_store" : NULL;
		if (!missing && c->pcs_url && !c->collateral_store)
			r = log_fail(-EINVAL, "config: %s: \"pcs_url\" needs \"collateral_store\"", path);
		else if (missing)
			r = log_fail(-EINVAL, "config: %s: \"%s\" is required", path, missing);
		else if (c->max_body_total_bytes <= c->max_body_bytes)
			r = log_fail(-EINVAL, "config: %s: \"max_body_total_bytes\" (%zu) must be larger than "
				      "\"max_body_bytes\" (%zu)", path, c->max_body_total_bytes, c->max_body_bytes);
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
	free(c->collateral_store);
	free(c->pcs_url);
	free(c->pcs_ca);
	free(c->pcs_root_crl_url);
	free(c->trust_anchor);
	free(c->audit_log);
	free(c->token_key);
	memset(c, 0, sizeof(*c));
}
