/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock.conf: "key = value" lines, strict. */
#include "config.h"
#include "../common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 1024

void luks_config_init(struct luks_config *c)
{
	memset(c, 0, sizeof(*c));
	c->allow_token_urls = LUKS_UNSET;
	c->debug = LUKS_UNSET;
	c->enabled = LUKS_UNSET;
}

static int parse_bool(const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		return 1;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		return 0;
	return -EINVAL;
}

static int parse_seconds(const char *v, int *out)
{
	char *end;
	long s;

	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || end == v || *end || !luks_timeout_valid(s))
		return -EINVAL;
	*out = (int)s;
	return 0;
}

static int set_key(struct luks_config *c, const char *key, const char *val, const char *origin, unsigned line)
{
	size_t vlen = strlen(val);
	int b;

	if (!strcmp(key, "url")) {
		if (!luks_url_valid(val))
			goto bad;
		if (c->n_urls == LUKS_TOKEN_MAX_URLS) {
			log_err("%s:%u: at most %d url lines", origin, line, LUKS_TOKEN_MAX_URLS);
			return -EINVAL;
		}
		memcpy(c->urls[c->n_urls++], val, vlen + 1);
	} else if (!strcmp(key, "ca")) {
		if (!luks_abs_path_valid(val))
			goto bad;
		memcpy(c->ca_file, val, vlen + 1);
	} else if (!strcmp(key, "ccel")) {
		if (strcmp(val, "none") && !luks_abs_path_valid(val))
			goto bad;
		memcpy(c->ccel, val, vlen + 1);
	} else if (!strcmp(key, "timeout")) {
		if (parse_seconds(val, &c->timeout_s) < 0)
			goto bad;
	} else if (!strcmp(key, "allow-token-urls") || !strcmp(key, "debug")) {
		if ((b = parse_bool(val)) < 0)
			goto bad;
		*(key[0] == 'd' ? &c->debug : &c->allow_token_urls) = b;
	} else {
		log_err("%s:%u: unknown key '%.64s' (known: url, ca, timeout, allow-token-urls, debug, ccel)",
			origin, line, key);
		return -EINVAL;
	}
	return 0;
bad:
	log_err("%s:%u: invalid value for '%s' (url: https://..., ca: absolute path, timeout: 5..3600, "
		"allow-token-urls/debug: yes|no)", origin, line, key);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int luks_config_parse(const char *text, size_t len, const char *origin, struct luks_config *c)
{
	unsigned lineno = 0;
	size_t pos = 0;

	c->present = true;
	while (pos < len) {
		char line[LINE_MAX_LEN + 1], *key, *val, *eq;
		size_t n = 0;
		int r;

		lineno++;
		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (n > LINE_MAX_LEN) {
			log_err("%s:%u: line longer than %d characters", origin, lineno, LINE_MAX_LEN);
			return -EINVAL;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (strlen(line) != n) {
			log_err("%s:%u: NUL byte in the configuration", origin, lineno);
			return -EINVAL;
		}
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			log_err("%s:%u: expected 'key = value'", origin, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		r = set_key(c, key, val, origin, lineno);
		if (r < 0)
			return r;
	}
	return 0;
}
