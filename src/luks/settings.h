/* SPDX-License-Identifier: Apache-2.0 */
/* Effective unlock settings for one token: which servers, which CA, which deadline.
 *
 * The token is in the unauthenticated LUKS2 header: whoever controls the disk can rewrite
 * it. Rules (README "Trust in the LUKS2 token"):
 *  - Measured URLs (rd.tdx_unlock.url= if any, else url= in the configuration file) are
 *    tried first. They need the configuration's "ca": a CA never comes from the token for
 *    a server the token did not name.
 *  - Token URLs are used only when allowed: "allow-token-urls = yes" in the configuration
 *    file, or no configuration file at all and no rd.tdx_unlock.url= (nothing measured to
 *    obey; a warning says so). "allow-token-urls = no" (the default whenever the file
 *    exists) ignores them.
 *  - The configuration's "ca" always wins; the token's "ca-file" is used only when the
 *    configuration has no "ca" and only token URLs are in use.
 *  - Deadline: override (CLI --timeout) > rd.tdx_unlock.timeout= > timeout= >
 *    token timeout-s > 120 s. */
#pragma once
#include "config.h"
#include "token.h"
#include "../kbs/kbs_client.h"

enum luks_origin { ORIGIN_NONE, ORIGIN_CMDLINE, ORIGIN_FILE, ORIGIN_TOKEN, ORIGIN_OPTION, ORIGIN_DEFAULT };
const char *luks_origin_name(enum luks_origin o);

struct luks_settings {
	const char *urls[KBS_MAX_URLS];  /* point into the sources or the token */
	size_t n_urls;
	size_t n_token_urls;             /* how many of urls[] came from the token */
	const char *ca_file;
	int timeout_s;
	enum luks_origin url_origin, ca_origin, timeout_origin;
	bool debug;
	const char *tsm_dir;             /* NULL = automatic evidence path */
	const char *ccel;                /* event log: NULL = the firmware's, a file, "none" */
};

/* Fills *out from the sources and the token; timeout_override > 0 beats every source.
 * Returns 0, -ENOENT when disabled by rd.tdx_unlock=0, or -EINVAL (logged) when no
 * server or no CA may be used. */
int luks_settings_resolve(const struct luks_sources *src, const struct luks_token *tok,
			  int timeout_override, struct luks_settings *out);
/* Copies the settings into KBS client options (pointers stay owned by the settings' sources). */
void luks_settings_to_kbs(const struct luks_settings *s, struct kbs_client_opts *o);
