/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel command line: the rd.tdx_unlock* options (quoted values as the kernel allows). */
#include "config.h"
#include "../common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PARAM_MAX 1024

static int parse_flag(const char *v, bool has_value)
{
	if (!has_value)
		return 1;
	if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on"))
		return 1;
	if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off"))
		return 0;
	return -EINVAL;
}

static int bad(const char *opt)
{
	log_err("kernel command line: invalid %s= (url: https://..., timeout: 5..3600 s, "
		"tsm: absolute path, flags: 0|1)", opt);
	return -EINVAL;
}

/* 8-4-4-4-12 hexadecimal digits */
static bool uuid_valid(const char *v)
{
	if (strlen(v) != LUKS_UUID_LEN)
		return false;
	for (size_t i = 0; i < LUKS_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
			return false;
	}
	return true;
}

void luks_add_wait_uuid(struct luks_config *c, const char *v, const char *origin)
{
	if (!strncmp(v, "luks-", 5))
		v += 5;
	if (!uuid_valid(v)) {
		log_debug("%s: %.64s is not a UUID: not waiting for it", origin, v);
		return;
	}
	for (size_t i = 0; i < c->n_luks_uuids; i++)
		if (!strcasecmp(c->luks_uuids[i], v))
			return;
	if (c->n_luks_uuids == LUKS_MAX_WAIT_UUIDS) {
		log_warn("%s: more than %d devices: not waiting for %s", origin, LUKS_MAX_WAIT_UUIDS, v);
		return;
	}
	memcpy(c->luks_uuids[c->n_luks_uuids++], v, LUKS_UUID_LEN + 1);
}

static int apply(struct luks_config *c, const char *key, const char *val, bool has_value)
{
	size_t vlen = strlen(val);
	char *end;
	long t;
	int b;

	if (!strcmp(key, "rd.tdx_unlock")) {
		if ((b = parse_flag(val, has_value)) < 0)
			return bad(key);
		c->enabled = b;
	} else if (!strcmp(key, "rd.tdx_unlock.url")) {
		if (!has_value || !luks_url_valid(val))
			return bad(key);
		if (c->n_urls == LUKS_TOKEN_MAX_URLS) {
			log_err("kernel command line: at most %d rd.tdx_unlock.url=", LUKS_TOKEN_MAX_URLS);
			return -EINVAL;
		}
		memcpy(c->urls[c->n_urls++], val, vlen + 1);
	} else if (!strcmp(key, "rd.tdx_unlock.timeout")) {
		errno = 0;
		t = strtol(val, &end, 10);
		if (!has_value || errno || end == val || *end || !luks_timeout_valid(t))
			return bad(key);
		c->timeout_s = (int)t;
	} else if (!strcmp(key, "rd.tdx_unlock.debug") || !strcmp(key, "rd.debug")) {
		if ((b = parse_flag(val, has_value)) < 0)
			return bad(key);
		c->debug = b;
	} else if (!strcmp(key, "rd.tdx_unlock.tsm")) {
		if (!has_value || !luks_abs_path_valid(val))
			return bad(key);
		memcpy(c->tsm_dir, val, vlen + 1);
	} else if (!strcmp(key, "rd.tdx_unlock.ccel")) {
		if (!has_value || (strcmp(val, "none") && !luks_abs_path_valid(val)))
			return bad(key);
		memcpy(c->ccel, val, vlen + 1);
	} else if (!strcmp(key, "rd.luks.uuid")) {
		luks_add_wait_uuid(c, val, "kernel command line rd.luks.uuid=");
	} else if (!strncmp(key, "rd.tdx_unlock.", 14)) {
		log_warn("kernel command line: ignoring unknown option %.64s", key);
	}
	return 0;
}

int luks_cmdline_parse(const char *text, size_t len, struct luks_config *c)
{
	size_t pos = 0;

	c->present = true;
	while (pos < len) {
		char param[PARAM_MAX + 1], *eq;
		size_t n = 0;
		bool quoted = false;
		int r;

		while (pos < len && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'))
			pos++;
		if (pos >= len || !text[pos])
			break;
		/* One parameter; double quotes group (and are removed), as in the kernel. */
		for (; pos < len && text[pos]; pos++) {
			char ch = text[pos];

			if (ch == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && (ch == ' ' || ch == '\t' || ch == '\n'))
				break;
			if (n == PARAM_MAX) {
				log_err("kernel command line: a parameter is longer than %d characters", PARAM_MAX);
				return -EINVAL;
			}
			param[n++] = ch;
		}
		param[n] = '\0';
		if (strncmp(param, "rd.", 3) != 0)
			continue;
		eq = strchr(param, '=');
		if (eq)
			*eq = '\0';
		r = apply(c, param, eq ? eq + 1 : "", eq != NULL);
		if (r < 0)
			return r;
	}
	return 0;
}
