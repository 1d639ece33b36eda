/* SPDX-License-Identifier: Apache-2.0 */
/* Precedence and the trust decision for token-provided servers and CAs (settings.h). */
#include "settings.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>

const char *luks_origin_name(enum luks_origin o)
{
	switch (o) {
	case ORIGIN_CMDLINE: return "kernel command line";
	case ORIGIN_FILE: return "configuration file";
	case ORIGIN_TOKEN: return "LUKS2 token";
	case ORIGIN_OPTION: return "command option";
	case ORIGIN_DEFAULT: return "default";
	default: return "none";
	}
}

static void add_url(struct luks_settings *s, const char *url)
{
	for (size_t i = 0; i < s->n_urls; i++)
		if (!strcmp(s->urls[i], url))
			return;
	if (s->n_urls < KBS_MAX_URLS)
		s->urls[s->n_urls++] = url;
}

static bool token_urls_allowed(const struct luks_sources *src, bool measured_urls)
{
	if (src->file.allow_token_urls != LUKS_UNSET)
		return src->file.allow_token_urls == 1;
	return !src->file.present && !measured_urls;
}

static void resolve_timeout(const struct luks_sources *src, const struct luks_token *tok,
			    int override, struct luks_settings *out)
{
	if (override > 0) {
		out->timeout_s = override;
		out->timeout_origin = ORIGIN_OPTION;
	} else if (src->cmdline.timeout_s) {
		out->timeout_s = src->cmdline.timeout_s;
		out->timeout_origin = ORIGIN_CMDLINE;
	} else if (src->file.timeout_s) {
		out->timeout_s = src->file.timeout_s;
		out->timeout_origin = ORIGIN_FILE;
	} else if (tok->timeout_s) {
		out->timeout_s = tok->timeout_s;
		out->timeout_origin = ORIGIN_TOKEN;
	} else {
		out->timeout_s = LUKS_TIMEOUT_DEFAULT;
		out->timeout_origin = ORIGIN_DEFAULT;
	}
}

int luks_settings_resolve(const struct luks_sources *src, const struct luks_token *tok,
			  int timeout_override, struct luks_settings *out)
{
	const struct luks_config *m = src->cmdline.n_urls ? &src->cmdline : &src->file;
	bool allowed;

	memset(out, 0, sizeof(*out));
	out->debug = src->cmdline.debug == 1 || (src->cmdline.debug == LUKS_UNSET && src->file.debug == 1);
	if (src->cmdline.enabled == 0) {
		log_info("tdx-unlock disabled by rd.tdx_unlock=0");
		return -ENOENT;
	}
	out->tsm_dir = src->cmdline.tsm_dir[0] ? src->cmdline.tsm_dir : NULL;
	out->ccel = src->cmdline.ccel[0] ? src->cmdline.ccel : src->file.ccel[0] ? src->file.ccel : NULL;
	resolve_timeout(src, tok, timeout_override, out);

	for (size_t i = 0; i < m->n_urls; i++)
		add_url(out, m->urls[i]);
	if (m->n_urls)
		out->url_origin = m == &src->cmdline ? ORIGIN_CMDLINE : ORIGIN_FILE;
	allowed = token_urls_allowed(src, m->n_urls > 0);
	if (allowed) {
		size_t before = out->n_urls;

		for (size_t i = 0; i < tok->n_urls; i++)
			add_url(out, tok->urls[i]);
		out->n_token_urls = out->n_urls - before;
		if (!m->n_urls)
			out->url_origin = ORIGIN_TOKEN;
		if (!src->file.present)
			log_warn("no %s: trusting the key server named in the LUKS2 token, which the host "
				 "can rewrite (put url and ca into the configuration to pin them)", LUKS_CONFIG_PATH);
	} else if (tok->n_urls && !m->n_urls) {
		log_err("the LUKS2 token names key servers but the measured configuration allows none: "
			"set url= in %s (or allow-token-urls = yes)", LUKS_CONFIG_PATH);
		return -EINVAL;
	} else {
		log_debug("ignoring the %zu key server URL(s) of the LUKS2 token (allow-token-urls = no)", tok->n_urls);
	}

	if (src->file.ca_file[0]) {
		out->ca_file = src->file.ca_file;
		out->ca_origin = ORIGIN_FILE;
		if (tok->ca_file[0] && strcmp(tok->ca_file, src->file.ca_file))
			log_debug("ignoring the token's ca-file %s: the configuration's ca wins", tok->ca_file);
	} else if (m->n_urls) {
		log_err("key server URLs from the %s need ca = /PATH in %s (a token's CA is never used for them)",
			luks_origin_name(out->url_origin), LUKS_CONFIG_PATH);
		return -EINVAL;
	} else if (tok->ca_file[0]) {
		out->ca_file = tok->ca_file;
		out->ca_origin = ORIGIN_TOKEN;
	} else {
		log_err("no CA for the key server: set ca in %s or bind with --ca", LUKS_CONFIG_PATH);
		return -EINVAL;
	}
	if (!out->n_urls) {
		log_err("no key server URL: set url in %s or rd.tdx_unlock.url=", LUKS_CONFIG_PATH);
		return -EINVAL;
	}
	return 0;
}

void luks_settings_to_kbs(const struct luks_settings *s, struct kbs_client_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < s->n_urls; i++)
		o->urls[i] = s->urls[i];
	o->n_urls = s->n_urls;
	o->ca_file = s->ca_file;
	o->deadline_s = s->timeout_s;
	o->evidence.tsm_dir = s->tsm_dir;
	o->evidence.ccel_path = s->ccel;
}
